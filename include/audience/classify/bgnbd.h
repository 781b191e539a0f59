// BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your
// Customers the Easy Way"): while alive a customer buys as a Poisson process
// with rate lambda ~ Gamma(r, alpha); after each purchase they drop out with
// probability p ~ Beta(a, b).
//
//   AUDIENCE_ASSIGN_OR_RETURN(BgNbdFit fit, FitBgNbd(GroupRft(summaries)));
//   AUDIENCE_ASSIGN_OR_RETURN(double alive,
//       BgNbdProbabilityAlive(fit.params, 2, 30.43, 38.86));
//   AUDIENCE_ASSIGN_OR_RETURN(double next_year,
//       BgNbdConditionalExpectedPurchases(fit.params, 52, 2, 30.43, 38.86));
//   double weeks[] = {13, 26, 52}, e[3];  // several horizons at once
//   AUDIENCE_RETURN_IF_ERROR(BgNbdConditionalExpectedPurchasesAt(
//       fit.params, weeks, 2, 30.43, 38.86, absl::MakeSpan(e)));
//
// Time is in the unit of the summaries (weeks for CDNOW). Formulas, and the
// CDNOW reproduction, are in docs/classifiers.md. Every function is
// pure and thread-safe; none throws.
#ifndef AUDIENCE_CLASSIFY_BGNBD_H_
#define AUDIENCE_CLASSIFY_BGNBD_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/classify/customer_summary.h"
#include "audience/classify/mle.h"

AUDIENCE_BEGIN_NAMESPACE

struct BgNbdParams {
  double r = 1.0;
  double alpha = 1.0;
  double a = 1.0;
  double b = 1.0;
};

// All four finite and > 0, else InvalidArgument naming the parameter.
absl::Status ValidateBgNbdParams(const BgNbdParams& p);

struct BgNbdFitOptions {
  MleOptions mle;
  // Start of the search; default r = a = b = 1, alpha = max(T) / 10 (what
  // lifetimes' start of ones on T rescaled to max 10 amounts to).
  std::optional<BgNbdParams> initial;
};

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0.0;  // summed over customers (counts applied)
  int evaluations = 0;
  bool converged = false;
};

// Sum over groups of count * log L(r, alpha, a, b | x, t_x, T).
// Errors: invalid params or groups (see MakeRftColumns).
absl::StatusOr<double> BgNbdLogLikelihood(const BgNbdParams& p,
                                          absl::Span<const RftGroup> groups);

// Maximum-likelihood fit. O(groups) per evaluation, a few hundred
// evaluations. Errors: invalid groups, or the search failed (see
// MaximizeLikelihood).
absl::StatusOr<BgNbdFit> FitBgNbd(absl::Span<const RftGroup> groups,
                                  const BgNbdFitOptions& options = {});

// P(alive | x, t_x, T); 1 when x == 0 (in BG/NBD a customer can only drop
// out right after a purchase). Errors: invalid params or (x, t_x, T).
absl::StatusOr<double> BgNbdProbabilityAlive(const BgNbdParams& p, double x,
                                             double t_x, double T);

// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with
// that history. Errors: invalid params or history, t < 0 or not finite, or
// the 2F1 evaluation failed (Internal).
absl::StatusOr<double> BgNbdConditionalExpectedPurchases(const BgNbdParams& p,
                                                         double t, double x,
                                                         double t_x, double T);

// E[Y(t) | x, t_x, T] at every t of `times`, into `out` (same size): the
// values BgNbdConditionalExpectedPurchases gives at each t, computed with
// the same arithmetic (equal to rounding, bit for bit unless the compiler
// contracts multiply-adds differently), for a fraction of the cost when
// there are many t (a CLV's month ends): P(alive) is computed once, and the
// 2F1 series of all t are summed in one pass that computes each term's
// coefficient once. O(times * terms), no allocation. Errors: as
// BgNbdConditionalExpectedPurchases (the first bad t is named), or
// out.size() != times.size() (InvalidArgument).
absl::Status BgNbdConditionalExpectedPurchasesAt(const BgNbdParams& p,
                                                 absl::Span<const double> times,
                                                 double x, double t_x, double T,
                                                 absl::Span<double> out);

// E[X(t)]: expected purchases in (0, t] of a customer who just made their
// first purchase. Errors as above.
absl::StatusOr<double> BgNbdExpectedPurchases(const BgNbdParams& p, double t);

// P(X(t) = n) for a new customer: probability of exactly n purchases in
// (0, t]. Errors: invalid params, t < 0 or not finite, n < 0.
absl::StatusOr<double> BgNbdProbabilityOfPurchases(const BgNbdParams& p,
                                                   double t, int64_t n);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/bgnbd-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_BGNBD_H_
