// Definitions for bgnbd.h.
#ifndef AUDIENCE_CLASSIFY_BGNBD_INL_H_
#define AUDIENCE_CLASSIFY_BGNBD_INL_H_

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/math/special_functions/beta.hpp>

#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/bgnbd.h"
#include "audience/classify/mle_special.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bgnbd_internal {

// Per-evaluation tables over the distinct x, t_x and T values.
struct Workspace {
  std::vector<double> lg_x;      // lgamma(r+x) + lgamma(b+x) - lgamma(a+b+x)
  std::vector<double> log_a_bx;  // log(a) - log(b+x-1), x > 0
  std::vector<double> log_t_x;   // log(alpha + t_x)
  std::vector<double> log_T;     // log(alpha + T)
};

// Weighted log-likelihood (Fader, Hardie & Lee 2005, eq. 6, in logs as
// lifetimes does). Parameters are assumed valid.
inline double LogLikelihood(const BgNbdParams& p, const RftColumns& c,
                            Workspace* w) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  w->lg_x.resize(c.xs.size());
  w->log_a_bx.resize(c.xs.size());
  for (size_t i = 0; i < c.xs.size(); ++i) {
    const double x = c.xs[i];
    w->lg_x[i] = LogGamma(r + x) + LogGamma(b + x) - LogGamma(a + b + x);
    w->log_a_bx[i] = x > 0 ? std::log(a) - std::log(b + x - 1) : 0.0;
  }
  w->log_t_x.resize(c.t_xs.size());
  for (size_t i = 0; i < c.t_xs.size(); ++i) {
    w->log_t_x[i] = std::log(alpha + c.t_xs[i]);
  }
  w->log_T.resize(c.Ts.size());
  for (size_t i = 0; i < c.Ts.size(); ++i) {
    w->log_T[i] = std::log(alpha + c.Ts[i]);
  }
  const double constant =
      -LogGamma(r) + r * std::log(alpha) + LogGamma(a + b) - LogGamma(b);
  double sum = 0.0;
  for (size_t i = 0; i < c.size(); ++i) {
    const uint32_t xi = c.x_index[i];
    const double x = c.xs[xi];
    const double a3 = -(r + x) * w->log_T[c.T_index[i]];
    double v = a3;
    if (x > 0) {
      const double a4 = w->log_a_bx[xi] - (r + x) * w->log_t_x[c.t_x_index[i]];
      const double hi = std::max(a3, a4);
      v = hi + std::log1p(std::exp(std::min(a3, a4) - hi));
    }
    sum += c.count[i] * (w->lg_x[xi] + v);
  }
  return constant * c.total_count + sum;
}

inline double LogOddsDead(const BgNbdParams& p, double x, double t_x,
                          double T) {
  return (p.r + x) * std::log((p.alpha + T) / (p.alpha + t_x)) +
         std::log(p.a / (p.b + x - 1));
}

inline double ProbabilityAlive(const BgNbdParams& p, double x, double t_x,
                               double T) {
  if (x == 0) return 1.0;
  return 1.0 / (1.0 + std::exp(LogOddsDead(p, x, t_x, T)));
}

// E[Y(t) | x, t_x, T] without checks; T = 0, x = 0 gives E[X(t)].
// (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) *
//   2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] * P(alive).
inline double ConditionalExpectationAtA(const BgNbdParams& p, double t,
                                        double x, double t_x, double T) {
  if (t == 0) return 0.0;
  const double c = p.a + p.b + x - 1;
  const double z = t / (p.alpha + T + t);
  const double log_ratio = -(p.r + x) * std::log1p(t / (p.alpha + T));
  double h;
  if (c > 0) {
    h = std::exp(LogHyp2F1Positive(p.r + x, p.b + x, c, z) + log_ratio);
  } else {
    h = Hyp2F1(p.r + x, p.b + x, c, z) * std::exp(log_ratio);
  }
  return c / (p.a - 1) * (1 - h) * ProbabilityAlive(p, x, t_x, T);
}

// The formula has a removable singularity at a = 1 (both factors vanish);
// near it, interpolate linearly between a = 1 -+ kEps, whose cancellation
// error is ~1e-15 / kEps.
inline double ConditionalExpectation(const BgNbdParams& p, double t, double x,
                                     double t_x, double T) {
  constexpr double kEps = 1e-6;
  if (std::abs(p.a - 1) >= kEps) {
    return ConditionalExpectationAtA(p, t, x, t_x, T);
  }
  BgNbdParams lo = p, hi = p;
  lo.a = 1 - kEps;
  hi.a = 1 + kEps;
  const double w = (p.a - lo.a) / (2 * kEps);
  return (1 - w) * ConditionalExpectationAtA(lo, t, x, t_x, T) +
         w * ConditionalExpectationAtA(hi, t, x, t_x, T);
}

// Times per block of the many-t evaluation (stack arrays, no allocation).
inline constexpr size_t kTimeBlock = 16;

// LogHyp2F1Positive(a, b, c, z[i]) for i < n <= kTimeBlock in one pass. A
// term's coefficient and the factors of the stopping bound depend on the
// term's index only, so they are computed once for all z; per z the
// arithmetic is LogHyp2F1Positive's, operation for operation, so the
// results are the same.
inline void LogHyp2F1PositiveMany(double a, double b, double c, const double* z,
                                  size_t n, double* out) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  constexpr double kRescale = 1e200;
  const bool params_ok = a > 0 && b > 0 && c > 0 && std::isfinite(a) &&
                         std::isfinite(b) && std::isfinite(c);
  double term[kTimeBlock] = {}, sum[kTimeBlock] = {}, log_scale[kTimeBlock] = {};
  bool open[kTimeBlock] = {};
  size_t n_open = 0;
  for (size_t i = 0; i < n; ++i) {
    open[i] = false;
    if (!params_ok || !(z[i] >= 0) || !(z[i] < 1)) {
      out[i] = kNaN;
    } else if (z[i] == 0) {
      out[i] = 0.0;
    } else {
      term[i] = sum[i] = 1.0;
      log_scale[i] = 0.0;
      open[i] = true;
      ++n_open;
    }
  }
  for (int k = 0; k < kHyp2F1MaxTerms && n_open > 0; ++k) {
    const double dn = static_cast<double>(k);
    const double coefficient = (a + dn) * (b + dn) / ((c + dn) * (dn + 1.0));
    const double bound_a = std::max(1.0, (dn + 1.0 + a) / (dn + 2.0));
    const double bound_b = std::max(1.0, (dn + 1.0 + b) / (dn + 1.0 + c));
    for (size_t i = 0; i < n; ++i) {
      if (!open[i]) continue;
      term[i] *= coefficient * z[i];
      sum[i] += term[i];
      if (sum[i] > kRescale) {
        sum[i] /= kRescale;
        term[i] /= kRescale;
        log_scale[i] += std::log(kRescale);
      }
      const double q = z[i] * bound_a * bound_b;
      if (q < 1.0 && term[i] * q <= 1e-17 * sum[i] * (1.0 - q)) {
        out[i] = std::log(sum[i]) + log_scale[i];
        open[i] = false;
        --n_open;
      } else if (!std::isfinite(term[i])) {
        out[i] = kNaN;
        open[i] = false;
        --n_open;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (open[i]) out[i] = kNaN;  // ran out of terms
  }
}

// ConditionalExpectationAtA at t[i], i < n <= kTimeBlock, with P(alive)
// `alive` computed once by the caller.
inline void ConditionalExpectationAtAMany(const BgNbdParams& p, const double* t,
                                          size_t n, double x, double t_x,
                                          double T, double alive, double* out) {
  const double c = p.a + p.b + x - 1;
  if (!(c > 0)) {  // Boost's 2F1 (x = 0 and a + b <= 1 only): one t at a time
    for (size_t i = 0; i < n; ++i) {
      out[i] = ConditionalExpectationAtA(p, t[i], x, t_x, T);
    }
    return;
  }
  double z[kTimeBlock] = {}, log_ratio[kTimeBlock] = {}, log_hyp[kTimeBlock] = {};
  for (size_t i = 0; i < n; ++i) {
    z[i] = t[i] == 0 ? 0.0 : t[i] / (p.alpha + T + t[i]);
    log_ratio[i] = -(p.r + x) * std::log1p(t[i] / (p.alpha + T));
  }
  LogHyp2F1PositiveMany(p.r + x, p.b + x, c, z, n, log_hyp);
  for (size_t i = 0; i < n; ++i) {
    if (t[i] == 0) {
      out[i] = 0.0;
      continue;
    }
    const double h = std::exp(log_hyp[i] + log_ratio[i]);
    out[i] = c / (p.a - 1) * (1 - h) * alive;
  }
}

// ConditionalExpectation at t[i], i < n <= kTimeBlock.
inline void ConditionalExpectationMany(const BgNbdParams& p, const double* t,
                                       size_t n, double x, double t_x,
                                       double T, double* out) {
  constexpr double kEps = 1e-6;
  const double alive = ProbabilityAlive(p, x, t_x, T);
  if (std::abs(p.a - 1) >= kEps) {
    ConditionalExpectationAtAMany(p, t, n, x, t_x, T, alive, out);
    return;
  }
  BgNbdParams lo = p, hi = p;
  lo.a = 1 - kEps;
  hi.a = 1 + kEps;
  const double w = (p.a - lo.a) / (2 * kEps);
  double at_lo[kTimeBlock] = {}, at_hi[kTimeBlock] = {};
  ConditionalExpectationAtAMany(lo, t, n, x, t_x, T, ProbabilityAlive(lo, x, t_x, T), at_lo);
  ConditionalExpectationAtAMany(hi, t, n, x, t_x, T, ProbabilityAlive(hi, x, t_x, T), at_hi);
  for (size_t i = 0; i < n; ++i) out[i] = (1 - w) * at_lo[i] + w * at_hi[i];
}

inline absl::Status CheckTime(double t) {
  if (!std::isfinite(t) || t < 0) {
    return absl::InvalidArgumentError(
        fmt::format("t must be finite and >= 0, got {}", t));
  }
  return absl::OkStatus();
}

inline absl::StatusOr<double> Finite(double v, const char* what) {
  if (!std::isfinite(v)) {
    return absl::InternalError(
        fmt::format("{} could not be evaluated (got {})", what, v));
  }
  return v;
}

}  // namespace bgnbd_internal

AUDIENCE_FUNC absl::Status ValidateBgNbdParams(const BgNbdParams& p) {
  const double values[] = {p.r, p.alpha, p.a, p.b};
  const char* names[] = {"r", "alpha", "a", "b"};
  for (int i = 0; i < 4; ++i) {
    if (!std::isfinite(values[i]) || !(values[i] > 0)) {
      return absl::InvalidArgumentError(fmt::format(
          "BG/NBD parameter {} must be finite and > 0, got {}", names[i],
          values[i]));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdLogLikelihood(
    const BgNbdParams& p, absl::Span<const RftGroup> groups) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_ASSIGN_OR_RETURN(RftColumns c, MakeRftColumns(groups));
  bgnbd_internal::Workspace w;
  return bgnbd_internal::LogLikelihood(p, c, &w);
}

AUDIENCE_FUNC absl::StatusOr<BgNbdFit> FitBgNbd(
    absl::Span<const RftGroup> groups, const BgNbdFitOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(RftColumns c, MakeRftColumns(groups));
  BgNbdParams start{1.0, std::max(c.max_T / 10, 1e-3), 1.0, 1.0};
  if (options.initial.has_value()) {
    AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(*options.initial));
    start = *options.initial;
  }
  bgnbd_internal::Workspace w;
  auto nll = [&](absl::Span<const double> v) {
    return -bgnbd_internal::LogLikelihood({v[0], v[1], v[2], v[3]}, c, &w);
  };
  const double init[] = {start.r, start.alpha, start.a, start.b};
  AUDIENCE_ASSIGN_OR_RETURN(MleResult m,
                            MaximizeLikelihood(nll, init, options.mle));
  BgNbdFit fit;
  fit.params = {m.params[0], m.params[1], m.params[2], m.params[3]};
  fit.log_likelihood = m.log_likelihood;
  fit.evaluations = m.evaluations;
  fit.converged = m.converged;
  return fit;
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdProbabilityAlive(const BgNbdParams& p,
                                                           double x, double t_x,
                                                           double T) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  return bgnbd_internal::Finite(
      bgnbd_internal::ProbabilityAlive(p, x, t_x, T), "P(alive)");
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdConditionalExpectedPurchases(
    const BgNbdParams& p, double t, double x, double t_x, double T) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  AUDIENCE_RETURN_IF_ERROR(bgnbd_internal::CheckTime(t));
  return bgnbd_internal::Finite(
      bgnbd_internal::ConditionalExpectation(p, t, x, t_x, T),
      "conditional expected purchases");
}

AUDIENCE_FUNC absl::Status BgNbdConditionalExpectedPurchasesAt(
    const BgNbdParams& p, absl::Span<const double> times, double x, double t_x,
    double T, absl::Span<double> out) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup({x, t_x, T, 1.0}, 0));
  if (out.size() != times.size()) {
    return absl::InvalidArgumentError(fmt::format(
        "out has {} values for {} times", out.size(), times.size()));
  }
  for (double t : times) AUDIENCE_RETURN_IF_ERROR(bgnbd_internal::CheckTime(t));
  for (size_t begin = 0; begin < times.size(); begin += bgnbd_internal::kTimeBlock) {
    const size_t n = std::min(bgnbd_internal::kTimeBlock, times.size() - begin);
    bgnbd_internal::ConditionalExpectationMany(p, times.data() + begin, n, x,
                                               t_x, T, out.data() + begin);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (!std::isfinite(out[i])) {
      return absl::InternalError(fmt::format(
          "conditional expected purchases could not be evaluated at t={} (got {})",
          times[i], out[i]));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdExpectedPurchases(
    const BgNbdParams& p, double t) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(bgnbd_internal::CheckTime(t));
  return bgnbd_internal::Finite(
      bgnbd_internal::ConditionalExpectation(p, t, 0, 0, 0),
      "expected purchases");
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdProbabilityOfPurchases(
    const BgNbdParams& p, double t, int64_t n) {
  AUDIENCE_RETURN_IF_ERROR(ValidateBgNbdParams(p));
  AUDIENCE_RETURN_IF_ERROR(bgnbd_internal::CheckTime(t));
  if (n < 0) {
    return absl::InvalidArgumentError(
        fmt::format("number of purchases must be >= 0, got {}", n));
  }
  if (t == 0) return n == 0 ? 1.0 : 0.0;
  const double dn = static_cast<double>(n);
  auto lbeta = [](double u, double v) {
    return LogGamma(u) + LogGamma(v) - LogGamma(u + v);
  };
  const double lb_ab = lbeta(p.a, p.b);
  // Purchases so far follow NBD(r, alpha/(alpha+t)) while alive.
  const double log_p0 = -std::log1p(t / p.alpha);      // log(alpha/(alpha+t))
  const double log_q0 = -std::log1p(p.alpha / t);      // log(t/(alpha+t))
  double prob = std::exp(lbeta(p.a, p.b + dn) - lb_ab + LogGamma(p.r + dn) -
                         LogGamma(p.r) - LogGamma(dn + 1) + p.r * log_p0 +
                         dn * log_q0);
  if (n > 0) {
    // 1 - sum_{j<n} NBD pmf(j) = P(NBD >= n) = I_{t/(alpha+t)}(n, r).
    double tail;
    try {
      tail = boost::math::ibeta(dn, p.r, t / (p.alpha + t));
    } catch (const std::exception& e) {
      return absl::InternalError(
          fmt::format("incomplete beta failed for n={}: {}", n, e.what()));
    }
    prob += std::exp(lbeta(p.a + 1, p.b + dn - 1) - lb_ab) * tail;
  }
  return bgnbd_internal::Finite(prob, "P(X(t) = n)");
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_BGNBD_INL_H_
