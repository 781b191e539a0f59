// Maximum-likelihood fitting of models with positive parameters, over
// NLopt's C API (no exceptions: nlopt.hpp is not used).
//
// The search runs over theta = log(param), so every parameter stays
// positive without constraints and scale differences between parameters
// (alpha ~ 10 next to r ~ 0.2) matter less.
//
//   auto nll = [&](absl::Span<const double> p) { return -LogLik(p); };
//   AUDIENCE_ASSIGN_OR_RETURN(MleResult fit,
//       MaximizeLikelihood(nll, {1.0, 1.0, 1.0, 1.0}, MleOptions{}));
//   // fit.params, fit.log_likelihood, fit.evaluations, fit.converged
//
// Deterministic: the algorithms used have no random steps, so the same
// objective and start always give the same answer. The objective is called
// serially from the calling thread; separate calls may run in parallel.
#ifndef AUDIENCE_CLASSIFY_MLE_H_
#define AUDIENCE_CLASSIFY_MLE_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Why derivative-free: the Pareto/NBD likelihood contains 2F1 terms whose
// derivatives in the parameters have no closed form, the models have 3-4
// parameters, and grouped data make one evaluation cheap. Nelder-Mead
// (restarted from its own optimum, which guards against the simplex
// collapsing early) reaches the CDNOW optima to 6+ digits in a few hundred
// evaluations; Subplex is offered as the more robust alternative for
// ill-conditioned surfaces.
enum class MleAlgorithm { kNelderMead, kSubplex };

struct MleOptions {
  MleAlgorithm algorithm = MleAlgorithm::kNelderMead;
  // Stop when one step changes the negative log-likelihood by less than this
  // relative amount (NLopt ftol_rel) or every log-parameter by less than
  // this absolute amount (xtol_abs, i.e. relative on the parameter).
  double tolerance = 1e-11;
  // Upper bound on objective evaluations over all restarts (NLopt maxeval).
  int max_evaluations = 20000;
  // Initial simplex size in log space (0.5 = parameters scaled by e^0.5).
  double initial_step = 0.5;
  // Box on every parameter; keeps exp(theta) finite and away from 0.
  double min_param = 1e-8;
  double max_param = 1e8;
  // Extra runs started at the previous optimum, stopped early when a run
  // improves the objective by less than `tolerance` (relative).
  int restarts = 3;
};

struct MleResult {
  std::vector<double> params;
  double log_likelihood = 0.0;
  int evaluations = 0;
  // False when the evaluation limit was hit or NLopt stopped on round-off;
  // the parameters are then the best found, not a verified optimum.
  bool converged = false;
};

// The objective: the negative log-likelihood at positive parameters (span
// of the same length as `initial`). It may return NaN or +inf for
// parameters it cannot evaluate; the search treats those as +inf. It must
// not throw.
using NegLogLikelihood = absl::FunctionRef<double(absl::Span<const double>)>;

// Minimises `nll` from `initial`. Errors (InvalidArgument): empty initial,
// an initial value outside [min_param, max_param] or not finite, bad
// options (tolerance <= 0, max_evaluations < 1, initial_step <= 0,
// min_param <= 0, max_param <= min_param); (FailedPrecondition) nll is not
// finite at the start; (Internal) NLopt failed (the message names its
// code) or produced a non-finite optimum.
absl::StatusOr<MleResult> MaximizeLikelihood(NegLogLikelihood nll,
                                             absl::Span<const double> initial,
                                             const MleOptions& options);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/mle-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_MLE_H_
