// Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005,
// "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis"; Fader &
// Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a customer's
// transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across
// customers, independent of the purchase process. Plus a discounted CLV
// over either purchase model (BG/NBD or Pareto/NBD).
//
//   AUDIENCE_ASSIGN_OR_RETURN(GammaGammaFit gg,
//                             FitGammaGamma(SpendRowsFrom(summaries)));
//   AUDIENCE_ASSIGN_OR_RETURN(double spend,
//       GammaGammaConditionalExpectedSpend(gg.params, 2, 22.35));
//   AUDIENCE_ASSIGN_OR_RETURN(double clv, BgNbdGammaGammaClv(
//       bgnbd, gg.params, 2, 30.43, 38.86, 22.35, ClvOptions{}));
//   // ParetoNbdGammaGammaClv(pareto, gg.params, ...) with a Pareto/NBD fit.
//
// Pure, thread-safe, no throws. Formulas: docs/classifiers.md.
#ifndef AUDIENCE_CLASSIFY_GAMMA_GAMMA_H_
#define AUDIENCE_CLASSIFY_GAMMA_GAMMA_H_

#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/classify/bgnbd.h"
#include "audience/classify/customer_summary.h"
#include "audience/classify/mle.h"
#include "audience/classify/pareto_nbd.h"

AUDIENCE_BEGIN_NAMESPACE

struct GammaGammaParams {
  double p = 1.0;
  double q = 1.0;
  double gamma = 1.0;  // "v" in lifetimes
};

// All three finite and > 0, else InvalidArgument naming the parameter.
absl::Status ValidateGammaGammaParams(const GammaGammaParams& g);

// A customer with x >= 1 repeat transactions of mean value m > 0 (or
// `count` identical such customers).
struct SpendRow {
  double x = 1.0;
  double m = 0.0;
  double count = 1.0;
};

// Rows for the customers with x > 0 and a positive mean repeat spend (the
// model is fitted on repeat customers only, and is defined for positive
// spend: x == 0 customers have no repeat spend, and repeat buyers whose
// repeat purchases were all free are left out).
std::vector<SpendRow> SpendRowsFrom(absl::Span<const CustomerSummary> s);

struct GammaGammaFitOptions {
  MleOptions mle;
  // Default start: p = q = gamma = 1 (as lifetimes).
  std::optional<GammaGammaParams> initial;
};

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0.0;
  int evaluations = 0;
  bool converged = false;
};

// Sum of count * log f(m | x; p, q, gamma), where f is the density of the
// mean m of x transaction values. Errors: invalid params; no rows; a row
// with x not a whole number >= 1, m <= 0, count <= 0, or non-finite values.
absl::StatusOr<double> GammaGammaLogLikelihood(const GammaGammaParams& g,
                                               absl::Span<const SpendRow> rows);

absl::StatusOr<GammaGammaFit> FitGammaGamma(
    absl::Span<const SpendRow> rows, const GammaGammaFitOptions& options = {});

// E[Z | x, m] = p (gamma + x m) / (p x + q - 1): a weighted mean of the
// population mean p gamma / (q - 1) and the customer's own mean m. x = 0
// (m ignored) gives the population mean. Errors: invalid params; x < 0 or
// not whole; m < 0 or not finite; p x + q - 1 <= 0 (for x = 0: q <= 1,
// where the population mean is infinite).
absl::StatusOr<double> GammaGammaConditionalExpectedSpend(
    const GammaGammaParams& g, double x, double m);

struct ClvOptions {
  // Horizon in months, summed month by month.
  int months = 12;
  // Discount rate per month (0.01 = 1% a month).
  double monthly_discount_rate = 0.01;
  // Model time units in a month: 4.345 for weeks, 30 for days (lifetimes).
  double units_per_month = 4.345;
};

// InvalidArgument naming the field: months < 1 or > 1200,
// monthly_discount_rate <= -1 or not finite, units_per_month <= 0 or not
// finite.
absl::Status ValidateClvOptions(const ClvOptions& options);

// The times at which a CLV needs E(t): i * units_per_month for
// i = 0..months (months + 1 values). Options assumed valid.
std::vector<double> ClvMonthEnds(const ClvOptions& options);

// sum_{i=1..months} spend * (E(i u) - E((i-1) u)) / (1 + d)^i, with
// u = units_per_month and E(t) the cumulative expected purchases in (0, t]
// (lifetimes' customer_lifetime_value). `expected_purchases` must return a
// finite value or NaN for failure; it is called at the ClvMonthEnds in
// order. Errors: invalid options (ValidateClvOptions), spend not finite, or
// a NaN from expected_purchases (Internal).
absl::StatusOr<double> DiscountedClv(
    absl::FunctionRef<double(double)> expected_purchases, double spend,
    const ClvOptions& options);

// The same sum from E already evaluated at the month ends:
// cumulative[i] = E(i u) for i = 0..months (e.g. from
// BgNbdConditionalExpectedPurchasesAt at ClvMonthEnds(options)); same
// arithmetic, so the same value as DiscountedClv. Errors: invalid options,
// cumulative.size() != months + 1, spend or a value not finite
// (InvalidArgument).
absl::StatusOr<double> DiscountedClvFromCumulative(
    absl::Span<const double> cumulative, double spend,
    const ClvOptions& options);

// DiscountedClv with E(t) = BG/NBD conditional expected purchases given
// (x, t_x, T) and spend = Gamma-Gamma conditional expected spend given
// (x, m). E is evaluated at all month ends at once
// (BgNbdConditionalExpectedPurchasesAt): the value of the month-by-month
// formula (DiscountedClv over BgNbdConditionalExpectedPurchases) for about
// 60% of its cost with the default 12 months. Allocates only for
// months > 64. Errors: those of the functions named.
absl::StatusOr<double> BgNbdGammaGammaClv(const BgNbdParams& bgnbd,
                                          const GammaGammaParams& gg, double x,
                                          double t_x, double T, double m,
                                          const ClvOptions& options);

// The same with E(t) from Pareto/NBD (ParetoNbdConditionalExpectedPurchasesAt:
// P(alive) once, not once per month: about a fifth of the month-by-month
// formula's cost).
absl::StatusOr<double> ParetoNbdGammaGammaClv(const ParetoNbdParams& pareto,
                                              const GammaGammaParams& gg,
                                              double x, double t_x, double T,
                                              double m,
                                              const ClvOptions& options);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/gamma_gamma-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_GAMMA_GAMMA_H_
