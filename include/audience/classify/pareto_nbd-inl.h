// Definitions for pareto_nbd.h.
#ifndef AUDIENCE_CLASSIFY_PARETO_NBD_INL_H_
#define AUDIENCE_CLASSIFY_PARETO_NBD_INL_H_

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/mle_special.h"
#include "audience/classify/pareto_nbd.h"

AUDIENCE_BEGIN_NAMESPACE

namespace pareto_nbd_internal {

// log A0 of Fader & Hardie (2005), eq. (19)-(20): with m = max(alpha, beta)
// and d = |alpha - beta|,
//   A0 = 2F1(r+s+x, k; r+s+x+1; d/(m+t_x)) / (m+t_x)^(r+s+x)
//      - 2F1(r+s+x, k; r+s+x+1; d/(m+T))   / (m+T)^(r+s+x),
// k = s+1 when alpha >= beta, k = r+x otherwise. A0 >= 0 (it is an integral
// of a positive function over [t_x, T]); -inf when it rounds to 0. NaN when
// a series fails.
inline double LogA0(const ParetoNbdParams& p, double x, double t_x, double T) {
  const bool alpha_max = p.alpha >= p.beta;
  const double m = alpha_max ? p.alpha : p.beta;
  const double d = alpha_max ? p.alpha - p.beta : p.beta - p.alpha;
  const double k = alpha_max ? p.s + 1 : p.r + x;
  const double rsx = p.r + p.s + x;
  const double l1 = LogHyp2F1Positive(rsx, k, rsx + 1, d / (m + t_x)) -
                    rsx * std::log(m + t_x);
  const double l2 = LogHyp2F1Positive(rsx, k, rsx + 1, d / (m + T)) -
                    rsx * std::log(m + T);
  if (std::isnan(l1) || std::isnan(l2)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (l1 <= l2) return -std::numeric_limits<double>::infinity();
  return LogSubExp(l1, l2);
}

// log of the bracket in L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [...]:
// [(alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A0], also returning the first
// term's log (P(alive) is their ratio).
inline double LogBracket(const ParetoNbdParams& p, double x, double t_x,
                         double T, double* log_alive_term) {
  const double first =
      -(p.r + x) * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
  *log_alive_term = first;
  const double second =
      std::log(p.s) - std::log(p.r + p.s + x) + LogA0(p, x, t_x, T);
  return LogAddExp(first, second);
}

inline double LogLikelihood(const ParetoNbdParams& p, const RftColumns& c,
                            std::vector<double>* lg_x) {
  lg_x->resize(c.xs.size());
  for (size_t i = 0; i < c.xs.size(); ++i) {
    (*lg_x)[i] = LogGamma(p.r + c.xs[i]);
  }
  const double constant =
      -LogGamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  double sum = 0.0;
  double unused;
  for (size_t i = 0; i < c.size(); ++i) {
    const double x = c.xs[c.x_index[i]];
    const double v =
        LogBracket(p, x, c.t_xs[c.t_x_index[i]], c.Ts[c.T_index[i]], &unused);
    sum += c.count[i] * ((*lg_x)[c.x_index[i]] + v);
  }
  return constant * c.total_count + sum;
}

inline double ProbabilityAlive(const ParetoNbdParams& p, double x, double t_x,
                               double T) {
  double first;
  const double bracket = LogBracket(p, x, t_x, T, &first);
  return std::exp(first - bracket);
}

// E[Y(t) | x, t_x, T] given P(alive) `alive`:
// (r+x)/(alpha+T) * (beta+T) * [1 - ((beta+T)/(beta+T+t))^(s-1)]/(s-1)
// * P(alive); the bracket over (s-1) is -expm1((s-1) L)/(s-1) with
// L = log((beta+T)/(beta+T+t)), which tends to -L as s -> 1.
inline double ConditionalExpectation(const ParetoNbdParams& p, double t,
                                     double x, double T, double alive) {
  const double l = -std::log1p(t / (p.beta + T));
  const double g = p.s == 1 ? -l : -std::expm1((p.s - 1) * l) / (p.s - 1);
  return (p.r + x) / (p.alpha + T) * (p.beta + T) * g * alive;
}

inline absl::StatusOr<double> Finite(double v, const char* what) {
  if (!std::isfinite(v)) {
    return absl::InternalError(fmt::format(
        "{} could not be evaluated (a 2F1 series did not converge)", what));
  }
  return v;
}

}  // namespace pareto_nbd_internal

AUDIENCE_FUNC absl::Status ValidateParetoNbdParams(const ParetoNbdParams& p) {
  const double values[] = {p.r, p.alpha, p.s, p.beta};
  const char* names[] = {"r", "alpha", "s", "beta"};
  for (int i = 0; i < 4; ++i) {
    if (!std::isfinite(values[i]) || !(values[i] > 0)) {
      return absl::InvalidArgumentError(fmt::format(
          "Pareto/NBD parameter {} must be finite and > 0, got {}", names[i],
          values[i]));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<double> ParetoNbdLogLikelihood(
    const ParetoNbdParams& p, absl::Span<const RftGroup> groups) {
  AUDIENCE_RETURN_IF_ERROR(ValidateParetoNbdParams(p));
  AUDIENCE_ASSIGN_OR_RETURN(RftColumns c, MakeRftColumns(groups));
  std::vector<double> lg_x;
  return pareto_nbd_internal::Finite(
      pareto_nbd_internal::LogLikelihood(p, c, &lg_x), "the log-likelihood");
}

AUDIENCE_FUNC absl::StatusOr<ParetoNbdFit> FitParetoNbd(
    absl::Span<const RftGroup> groups, const ParetoNbdFitOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(RftColumns c, MakeRftColumns(groups));
  const double scale = std::max(c.max_T / 10, 1e-3);
  ParetoNbdParams start{1.0, scale, 1.0, scale};
  if (options.initial.has_value()) {
    AUDIENCE_RETURN_IF_ERROR(ValidateParetoNbdParams(*options.initial));
    start = *options.initial;
  }
  std::vector<double> lg_x;
  auto nll = [&](absl::Span<const double> v) {
    return -pareto_nbd_internal::LogLikelihood({v[0], v[1], v[2], v[3]}, c,
                                               &lg_x);
  };
  const double init[] = {start.r, start.alpha, start.s, start.beta};
  AUDIENCE_ASSIGN_OR_RETURN(MleResult m,
                            MaximizeLikelihood(nll, init, options.mle));
  ParetoNbdFit fit;
  fit.params = {m.params[0], m.params[1], m.params[2], m.params[3]};
  fit.log_likelihood = m.log_likelihood;
  fit.evaluations = m.evaluations;
  fit.converged = m.converged;
  return fit;
}

AUDIENCE_FUNC absl::StatusOr<double> ParetoNbdProbabilityAlive(
    const ParetoNbdParams& p, double x, double t_x, double T) {
  AUDIENCE_RETURN_IF_ERROR(ValidateParetoNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  return pareto_nbd_internal::Finite(
      pareto_nbd_internal::ProbabilityAlive(p, x, t_x, T), "P(alive)");
}

AUDIENCE_FUNC absl::StatusOr<double> ParetoNbdConditionalExpectedPurchases(
    const ParetoNbdParams& p, double t, double x, double t_x, double T) {
  AUDIENCE_RETURN_IF_ERROR(ValidateParetoNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  if (!std::isfinite(t) || t < 0) {
    return absl::InvalidArgumentError(
        fmt::format("t must be finite and >= 0, got {}", t));
  }
  const double alive = pareto_nbd_internal::ProbabilityAlive(p, x, t_x, T);
  return pareto_nbd_internal::Finite(
      pareto_nbd_internal::ConditionalExpectation(p, t, x, T, alive),
      "conditional expected purchases");
}

AUDIENCE_FUNC absl::Status ParetoNbdConditionalExpectedPurchasesAt(
    const ParetoNbdParams& p, absl::Span<const double> times, double x,
    double t_x, double T, absl::Span<double> out) {
  AUDIENCE_RETURN_IF_ERROR(ValidateParetoNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  if (out.size() != times.size()) {
    return absl::InvalidArgumentError(fmt::format(
        "out has {} values for {} times", out.size(), times.size()));
  }
  for (double t : times) {
    if (!std::isfinite(t) || t < 0) {
      return absl::InvalidArgumentError(
          fmt::format("t must be finite and >= 0, got {}", t));
    }
  }
  const double alive = pareto_nbd_internal::ProbabilityAlive(p, x, t_x, T);
  for (size_t i = 0; i < times.size(); ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(
        out[i], pareto_nbd_internal::Finite(pareto_nbd_internal::ConditionalExpectation(
                                                p, times[i], x, T, alive),
                                            "conditional expected purchases"));
  }
  return absl::OkStatus();
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_PARETO_NBD_INL_H_
