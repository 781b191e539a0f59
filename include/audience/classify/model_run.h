// RunModels: the customer-base models over the store — fits BG/NBD and
// Gamma-Gamma on the stored purchases and writes each customer's results as
// double attributes, so that queries reach them (`p_alive < 0.3`).
//
//   ModelRunOptions o;
//   o.now = now;                                 // calibration end: all purchases up to now
//   AUDIENCE_ASSIGN_OR_RETURN(ModelRun run, RunModels(store, o));
//   // run.bgnbd.params, run.gamma_gamma->params, run.customers
//
// Attributes written (created as kDouble when missing; an existing one of
// another type is an error), with `prefix` "" (e.g. "model." gives
// "model.p_alive"):
//   p_alive              BG/NBD P(alive | x, t_x, T)
//   expected_purchases   BG/NBD conditional expected purchases in the next
//                        `horizon` units
//   expected_spend       Gamma-Gamma conditional expected spend per purchase
//                        (only when Gamma-Gamma could be fitted)
//   clv                  discounted CLV (ClvOptions; needs Gamma-Gamma)
//   models_computed_at   kTimestamp: `now`, the time the values refer to
// Customers are the people with at least one purchase at or before `now`;
// everyone else gets null in these attributes (so a former customer
// removed from the data no longer keeps a stale score). The write is one
// batch. Same store and options give the same values.
#ifndef AUDIENCE_CLASSIFY_MODEL_RUN_H_
#define AUDIENCE_CLASSIFY_MODEL_RUN_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/classify/bgnbd.h"
#include "audience/classify/gamma_gamma.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

struct ModelRunOptions {
  std::string event_type = "purchase";
  absl::Time now = absl::UnixEpoch();        // calibration end
  absl::Duration period = absl::Hours(24);   // purchases in one period merge
  absl::Duration unit = absl::Hours(24 * 7); // the models' time unit
  double horizon = 52;                       // units ahead for expected_purchases
  ClvOptions clv{};                          // units_per_month must match `unit`
  std::string prefix{};
};

struct ModelRun {
  size_t customers = 0;
  BgNbdFit bgnbd;
  // Absent when Gamma-Gamma could not be fitted; then why is said in
  // `gamma_gamma_skipped` (e.g. fewer than two repeat buyers with spend).
  std::optional<GammaGammaFit> gamma_gamma;
  std::string gamma_gamma_skipped;
  uint64_t version = 0;  // store version after the write
};

absl::StatusOr<ModelRun> RunModels(Store& store, const ModelRunOptions& options);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/model_run-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_MODEL_RUN_H_
