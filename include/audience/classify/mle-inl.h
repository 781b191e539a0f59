// Definitions for mle.h.
#ifndef AUDIENCE_CLASSIFY_MLE_INL_H_
#define AUDIENCE_CLASSIFY_MLE_INL_H_

#include <nlopt.h>

#include <cmath>
#include <limits>
#include <memory>

#include "fmt/format.h"
#include "audience/classify/mle.h"

AUDIENCE_BEGIN_NAMESPACE

namespace mle_internal {

struct Context {
  NegLogLikelihood* nll;
  std::vector<double> params;
  int evaluations = 0;
};

inline double Objective(unsigned n, const double* theta, double* grad,
                        void* data) {
  (void)grad;  // derivative-free algorithms only
  Context* ctx = static_cast<Context*>(data);
  for (unsigned i = 0; i < n; ++i) ctx->params[i] = std::exp(theta[i]);
  ++ctx->evaluations;
  const double v = (*ctx->nll)(absl::Span<const double>(ctx->params));
  return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
}

struct OptDeleter {
  void operator()(nlopt_opt o) const { nlopt_destroy(o); }
};

}  // namespace mle_internal

AUDIENCE_FUNC absl::StatusOr<MleResult> MaximizeLikelihood(
    NegLogLikelihood nll, absl::Span<const double> initial,
    const MleOptions& options) {
  using mle_internal::Context;
  if (initial.empty()) {
    return absl::InvalidArgumentError("initial parameters must not be empty");
  }
  if (!(options.tolerance > 0) || !(options.initial_step > 0) ||
      options.max_evaluations < 1 || !(options.min_param > 0) ||
      !(options.max_param > options.min_param) ||
      !std::isfinite(options.max_param) || !std::isfinite(options.initial_step)) {
    return absl::InvalidArgumentError(fmt::format(
        "bad MleOptions: tolerance={} initial_step={} max_evaluations={} "
        "min_param={} max_param={}",
        options.tolerance, options.initial_step, options.max_evaluations,
        options.min_param, options.max_param));
  }
  const unsigned n = static_cast<unsigned>(initial.size());
  std::vector<double> theta(n), lower(n), upper(n);
  for (unsigned i = 0; i < n; ++i) {
    if (!(initial[i] >= options.min_param && initial[i] <= options.max_param)) {
      return absl::InvalidArgumentError(fmt::format(
          "initial parameter {} must be in [{}, {}], got {}", i,
          options.min_param, options.max_param, initial[i]));
    }
    theta[i] = std::log(initial[i]);
    lower[i] = std::log(options.min_param);
    upper[i] = std::log(options.max_param);
  }
  Context ctx{&nll, std::vector<double>(initial.begin(), initial.end()), 0};
  const double start = nll(initial);
  if (!std::isfinite(start)) {
    return absl::FailedPreconditionError(fmt::format(
        "negative log-likelihood is not finite at the initial parameters: {}",
        start));
  }
  std::unique_ptr<nlopt_opt_s, mle_internal::OptDeleter> opt(nlopt_create(
      options.algorithm == MleAlgorithm::kSubplex ? NLOPT_LN_SBPLX
                                                  : NLOPT_LN_NELDERMEAD,
      n));
  if (opt == nullptr) return absl::InternalError("nlopt_create failed");
  nlopt_set_min_objective(opt.get(), &mle_internal::Objective, &ctx);
  nlopt_set_lower_bounds(opt.get(), lower.data());
  nlopt_set_upper_bounds(opt.get(), upper.data());
  nlopt_set_ftol_rel(opt.get(), options.tolerance);
  nlopt_set_xtol_abs1(opt.get(), options.tolerance);
  nlopt_set_initial_step1(opt.get(), options.initial_step);

  double best = start;
  bool converged = false;
  for (int run = 0; run <= options.restarts; ++run) {
    const int left = options.max_evaluations - ctx.evaluations;
    if (left <= 0) {
      converged = false;
      break;
    }
    nlopt_set_maxeval(opt.get(), left);
    double value = best;
    const std::vector<double> before = theta;
    const nlopt_result rc = nlopt_optimize(opt.get(), theta.data(), &value);
    if (rc < 0 && rc != NLOPT_ROUNDOFF_LIMITED) {
      return absl::InternalError(fmt::format(
          "NLopt failed with code {} ({})", static_cast<int>(rc),
          nlopt_result_to_string(rc)));
    }
    if (!std::isfinite(value) || value > best) {
      theta = before;  // keep the best point seen so far
      value = best;
    }
    converged = rc != NLOPT_MAXEVAL_REACHED && rc != NLOPT_ROUNDOFF_LIMITED;
    const bool small_gain =
        run > 0 && best - value <= options.tolerance * std::abs(best);
    best = value;
    if (!converged || small_gain) break;
  }
  if (!std::isfinite(best)) {
    return absl::InternalError("the optimum is not finite");
  }
  MleResult result;
  result.params.resize(n);
  for (unsigned i = 0; i < n; ++i) result.params[i] = std::exp(theta[i]);
  result.log_likelihood = -best;
  result.evaluations = ctx.evaluations;
  result.converged = converged;
  return result;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_MLE_INL_H_
