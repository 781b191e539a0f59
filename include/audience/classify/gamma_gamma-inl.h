// Definitions for gamma_gamma.h.
#ifndef AUDIENCE_CLASSIFY_GAMMA_GAMMA_INL_H_
#define AUDIENCE_CLASSIFY_GAMMA_GAMMA_INL_H_

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/container/inlined_vector.h"

#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/gamma_gamma.h"
#include "audience/classify/mle_special.h"

AUDIENCE_BEGIN_NAMESPACE

namespace gamma_gamma_internal {

// log f(m | x) = lgamma(px+q) - lgamma(px) - lgamma(q) + q log(gamma)
//   + (px-1) log(m) + px log(x) - (px+q) log(gamma + x m)   (lifetimes).
inline double LogLikelihood(const GammaGammaParams& g,
                            absl::Span<const SpendRow> rows) {
  const double base = -LogGamma(g.q) + g.q * std::log(g.gamma);
  double sum = 0.0;
  for (const SpendRow& row : rows) {
    const double px = g.p * row.x;
    sum += row.count *
           (base + LogGamma(px + g.q) - LogGamma(px) + (px - 1) * std::log(row.m) +
            px * std::log(row.x) - (px + g.q) * std::log(g.gamma + row.x * row.m));
  }
  return sum;
}

inline absl::Status ValidateRows(absl::Span<const SpendRow> rows) {
  if (rows.empty()) {
    return absl::InvalidArgumentError("no repeat customers: rows are empty");
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const SpendRow& r = rows[i];
    if (!std::isfinite(r.x) || !std::isfinite(r.m) || !std::isfinite(r.count) ||
        r.x < 1 || r.x != std::floor(r.x) || !(r.m > 0) || !(r.count > 0)) {
      return absl::InvalidArgumentError(fmt::format(
          "spend row {}: need whole x >= 1, m > 0, count > 0 (all finite), "
          "got x={} m={} count={}",
          i, r.x, r.m, r.count));
    }
  }
  return absl::OkStatus();
}

// Month-end buffers: no allocation for up to 64 months.
using Buffer = absl::InlinedVector<double, 65>;

inline void FillMonthEnds(const ClvOptions& options, absl::Span<double> times) {
  for (size_t i = 0; i < times.size(); ++i) {
    times[i] = static_cast<double>(i) * options.units_per_month;
  }
}

inline absl::Status CheckSpend(double spend) {
  if (!std::isfinite(spend)) {
    return absl::InvalidArgumentError(
        fmt::format("spend must be finite, got {}", spend));
  }
  return absl::OkStatus();
}

// The CLV sum over cumulative[0..months] (valid options, finite values).
inline double Discount(absl::Span<const double> cumulative, double spend,
                       const ClvOptions& options) {
  double clv = 0.0;
  double previous = cumulative[0];
  const double discount = 1.0 + options.monthly_discount_rate;
  for (int i = 1; i <= options.months; ++i) {
    clv += spend * (cumulative[i] - previous) /
           std::pow(discount, static_cast<double>(i));
    previous = cumulative[i];
  }
  return clv;
}

// CLV with E evaluated by `curve(times, out)` at all month ends at once.
template <typename Curve>
absl::StatusOr<double> ModelClv(const Curve& curve, double spend,
                                const ClvOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(ValidateClvOptions(options));
  AUDIENCE_RETURN_IF_ERROR(CheckSpend(spend));
  const size_t n = static_cast<size_t>(options.months) + 1;
  Buffer times(n), cumulative(n);
  FillMonthEnds(options, absl::MakeSpan(times));
  AUDIENCE_RETURN_IF_ERROR(curve(times, absl::MakeSpan(cumulative)));
  return Discount(cumulative, spend, options);
}

}  // namespace gamma_gamma_internal

AUDIENCE_FUNC absl::Status ValidateGammaGammaParams(const GammaGammaParams& g) {
  const double values[] = {g.p, g.q, g.gamma};
  const char* names[] = {"p", "q", "gamma"};
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(values[i]) || !(values[i] > 0)) {
      return absl::InvalidArgumentError(fmt::format(
          "Gamma-Gamma parameter {} must be finite and > 0, got {}", names[i],
          values[i]));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC std::vector<SpendRow> SpendRowsFrom(
    absl::Span<const CustomerSummary> s) {
  std::vector<SpendRow> rows;
  for (const CustomerSummary& c : s) {
    // Gamma-Gamma is defined for positive spend: repeat buyers whose repeat
    // purchases were all free are left out of the fit.
    if (c.x > 0 && c.monetary_value > 0) rows.push_back({c.x, c.monetary_value, 1.0});
  }
  return rows;
}

AUDIENCE_FUNC absl::StatusOr<double> GammaGammaLogLikelihood(
    const GammaGammaParams& g, absl::Span<const SpendRow> rows) {
  AUDIENCE_RETURN_IF_ERROR(ValidateGammaGammaParams(g));
  AUDIENCE_RETURN_IF_ERROR(gamma_gamma_internal::ValidateRows(rows));
  const double ll = gamma_gamma_internal::LogLikelihood(g, rows);
  if (!std::isfinite(ll)) {
    return absl::InternalError(fmt::format("log-likelihood is {}", ll));
  }
  return ll;
}

AUDIENCE_FUNC absl::StatusOr<GammaGammaFit> FitGammaGamma(
    absl::Span<const SpendRow> rows, const GammaGammaFitOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(gamma_gamma_internal::ValidateRows(rows));
  GammaGammaParams start;
  if (options.initial.has_value()) {
    AUDIENCE_RETURN_IF_ERROR(ValidateGammaGammaParams(*options.initial));
    start = *options.initial;
  }
  auto nll = [&](absl::Span<const double> v) {
    return -gamma_gamma_internal::LogLikelihood({v[0], v[1], v[2]}, rows);
  };
  const double init[] = {start.p, start.q, start.gamma};
  AUDIENCE_ASSIGN_OR_RETURN(MleResult m,
                            MaximizeLikelihood(nll, init, options.mle));
  GammaGammaFit fit;
  fit.params = {m.params[0], m.params[1], m.params[2]};
  fit.log_likelihood = m.log_likelihood;
  fit.evaluations = m.evaluations;
  fit.converged = m.converged;
  return fit;
}

AUDIENCE_FUNC absl::StatusOr<double> GammaGammaConditionalExpectedSpend(
    const GammaGammaParams& g, double x, double m) {
  AUDIENCE_RETURN_IF_ERROR(ValidateGammaGammaParams(g));
  if (!std::isfinite(x) || x < 0 || x != std::floor(x)) {
    return absl::InvalidArgumentError(
        fmt::format("x must be a whole number >= 0, got {}", x));
  }
  if (!std::isfinite(m) || m < 0) {
    return absl::InvalidArgumentError(
        fmt::format("m must be finite and >= 0, got {}", m));
  }
  const double denominator = g.p * x + g.q - 1;
  if (!(denominator > 0)) {
    return absl::InvalidArgumentError(fmt::format(
        "expected spend is infinite: p*x + q - 1 = {} <= 0", denominator));
  }
  const double v = g.p * (g.gamma + x * m) / denominator;
  if (!std::isfinite(v)) {
    return absl::InvalidArgumentError(
        fmt::format("expected spend overflows for x={} m={}", x, m));
  }
  return v;
}

AUDIENCE_FUNC absl::Status ValidateClvOptions(const ClvOptions& options) {
  if (options.months < 1 || options.months > 1200) {
    return absl::InvalidArgumentError(
        fmt::format("months must be in [1, 1200], got {}", options.months));
  }
  if (!std::isfinite(options.monthly_discount_rate) ||
      !(options.monthly_discount_rate > -1)) {
    return absl::InvalidArgumentError(
        fmt::format("monthly_discount_rate must be finite and > -1, got {}",
                    options.monthly_discount_rate));
  }
  if (!std::isfinite(options.units_per_month) ||
      !(options.units_per_month > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("units_per_month must be finite and > 0, got {}",
                    options.units_per_month));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC std::vector<double> ClvMonthEnds(const ClvOptions& options) {
  std::vector<double> times(static_cast<size_t>(std::max(options.months, 0)) + 1);
  gamma_gamma_internal::FillMonthEnds(options, absl::MakeSpan(times));
  return times;
}

AUDIENCE_FUNC absl::StatusOr<double> DiscountedClv(
    absl::FunctionRef<double(double)> expected_purchases, double spend,
    const ClvOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(ValidateClvOptions(options));
  AUDIENCE_RETURN_IF_ERROR(gamma_gamma_internal::CheckSpend(spend));
  gamma_gamma_internal::Buffer cumulative(static_cast<size_t>(options.months) + 1);
  for (int i = 0; i <= options.months; ++i) {
    cumulative[i] = expected_purchases(static_cast<double>(i) * options.units_per_month);
    if (!std::isfinite(cumulative[i])) {
      return absl::InternalError(fmt::format(
          "expected purchases could not be evaluated at month {}", i));
    }
  }
  return gamma_gamma_internal::Discount(cumulative, spend, options);
}

AUDIENCE_FUNC absl::StatusOr<double> DiscountedClvFromCumulative(
    absl::Span<const double> cumulative, double spend,
    const ClvOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(ValidateClvOptions(options));
  AUDIENCE_RETURN_IF_ERROR(gamma_gamma_internal::CheckSpend(spend));
  if (cumulative.size() != static_cast<size_t>(options.months) + 1) {
    return absl::InvalidArgumentError(
        fmt::format("cumulative has {} values; months = {} needs {}",
                    cumulative.size(), options.months, options.months + 1));
  }
  for (size_t i = 0; i < cumulative.size(); ++i) {
    if (!std::isfinite(cumulative[i])) {
      return absl::InvalidArgumentError(fmt::format(
          "cumulative[{}] must be finite, got {}", i, cumulative[i]));
    }
  }
  return gamma_gamma_internal::Discount(cumulative, spend, options);
}

AUDIENCE_FUNC absl::StatusOr<double> BgNbdGammaGammaClv(
    const BgNbdParams& bgnbd, const GammaGammaParams& gg, double x, double t_x,
    double T, double m, const ClvOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(double spend,
                            GammaGammaConditionalExpectedSpend(gg, x, m));
  return gamma_gamma_internal::ModelClv(
      [&](absl::Span<const double> times, absl::Span<double> out) {
        return BgNbdConditionalExpectedPurchasesAt(bgnbd, times, x, t_x, T, out);
      },
      spend, options);
}

AUDIENCE_FUNC absl::StatusOr<double> ParetoNbdGammaGammaClv(
    const ParetoNbdParams& pareto, const GammaGammaParams& gg, double x,
    double t_x, double T, double m, const ClvOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(double spend,
                            GammaGammaConditionalExpectedSpend(gg, x, m));
  return gamma_gamma_internal::ModelClv(
      [&](absl::Span<const double> times, absl::Span<double> out) {
        return ParetoNbdConditionalExpectedPurchasesAt(pareto, times, x, t_x, T, out);
      },
      spend, options);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_GAMMA_GAMMA_INL_H_
