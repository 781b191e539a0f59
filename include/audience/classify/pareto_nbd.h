// Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987):
// while alive a customer buys as a Poisson process with rate
// lambda ~ Gamma(r, alpha); lifetimes are exponential with rate
// mu ~ Gamma(s, beta). The likelihood uses the 2F1 form of Fader & Hardie
// (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions".
//
//   AUDIENCE_ASSIGN_OR_RETURN(ParetoNbdFit fit,
//                             FitParetoNbd(GroupRft(summaries)));
//   AUDIENCE_ASSIGN_OR_RETURN(double alive,
//       ParetoNbdProbabilityAlive(fit.params, 2, 30.43, 38.86));
//   AUDIENCE_ASSIGN_OR_RETURN(double next_year,
//       ParetoNbdConditionalExpectedPurchases(fit.params, 52, 2, 30.43, 38.86));
//
// Time is in the unit of the summaries. Formulas and the CDNOW
// reproduction: docs/classifiers.md. Pure, thread-safe, no throws.
#ifndef AUDIENCE_CLASSIFY_PARETO_NBD_H_
#define AUDIENCE_CLASSIFY_PARETO_NBD_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/classify/customer_summary.h"
#include "audience/classify/mle.h"

AUDIENCE_BEGIN_NAMESPACE

struct ParetoNbdParams {
  double r = 1.0;
  double alpha = 1.0;
  double s = 1.0;
  double beta = 1.0;
};

// All four finite and > 0, else InvalidArgument naming the parameter.
absl::Status ValidateParetoNbdParams(const ParetoNbdParams& p);

struct ParetoNbdFitOptions {
  MleOptions mle;
  // Default start: r = s = 1, alpha = beta = max(T) / 10.
  std::optional<ParetoNbdParams> initial;
};

struct ParetoNbdFit {
  ParetoNbdParams params;
  double log_likelihood = 0.0;
  int evaluations = 0;
  bool converged = false;
};

// Sum over groups of count * log L(r, alpha, s, beta | x, t_x, T).
// Errors: invalid params or groups; Internal when a 2F1 series does not
// converge (|alpha - beta| close to max(alpha, beta) + t_x, see
// LogHyp2F1Positive).
absl::StatusOr<double> ParetoNbdLogLikelihood(const ParetoNbdParams& p,
                                              absl::Span<const RftGroup> groups);

// Maximum-likelihood fit; points where a 2F1 fails count as +inf to the
// search. O(groups * 2F1 terms) per evaluation.
absl::StatusOr<ParetoNbdFit> FitParetoNbd(
    absl::Span<const RftGroup> groups, const ParetoNbdFitOptions& options = {});

// P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0).
absl::StatusOr<double> ParetoNbdProbabilityAlive(const ParetoNbdParams& p,
                                                 double x, double t_x,
                                                 double T);

// E[Y(t) | x, t_x, T], expected purchases in (T, T + t].
absl::StatusOr<double> ParetoNbdConditionalExpectedPurchases(
    const ParetoNbdParams& p, double t, double x, double t_x, double T);

// E[Y(t) | x, t_x, T] at every t of `times`, into `out` (same size): the
// values ParetoNbdConditionalExpectedPurchases gives at each t, with the
// same arithmetic, but P(alive) (two 2F1 series) is computed once instead
// of once per t. Errors: as ParetoNbdConditionalExpectedPurchases (the
// first bad t is named), or out.size() != times.size() (InvalidArgument).
absl::Status ParetoNbdConditionalExpectedPurchasesAt(
    const ParetoNbdParams& p, absl::Span<const double> times, double x,
    double t_x, double T, absl::Span<double> out);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/pareto_nbd-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_PARETO_NBD_H_
