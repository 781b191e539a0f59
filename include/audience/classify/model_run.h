// RunModels: the customer-base models over the store — fits a purchase
// model (BG/NBD or Pareto/NBD) and/or Gamma-Gamma on the stored purchases
// and writes each customer's results as double attributes, so that queries
// reach them (`p_alive < 0.3`).
//
//   ModelRunOptions o;
//   o.now = now;                                 // calibration end: all purchases up to now
//   o.purchase_model = PurchaseModel::kParetoNbd; // default kBgNbd; gamma_gamma default true
//   AUDIENCE_ASSIGN_OR_RETURN(ModelRun run, RunModels(store, o));
//   // run.pareto_nbd->params, run.gamma_gamma->params, run.customers
//
// Attributes, with `prefix` "" (e.g. "model." gives "model.p_alive"),
// created as kDouble when missing (an existing one of another type is an
// error), and which choice writes them:
//   p_alive              purchase model: P(alive | x, t_x, T)
//   expected_purchases   purchase model: conditional expected purchases in
//                        the next `horizon` units
//   expected_spend       Gamma-Gamma: conditional expected spend per purchase
//   clv                  purchase model + Gamma-Gamma: discounted CLV
//                        (ClvOptions) with E(t) from the purchase model
//   models_computed_at   always, kTimestamp: `now`, the time the values refer to
// An attribute the choice does not write is left as it is (not created, not
// cleared): keep runs of different choices apart with `prefix`. When
// Gamma-Gamma is chosen with a purchase model but cannot be fitted (fewer
// than two repeat buyers with spend), expected_spend and clv are written as
// null and ModelRun says why; with Gamma-Gamma alone that is an error.
// Customers are the people with at least one purchase at or before `now`;
// everyone else gets null in the written attributes (so a former customer
// removed from the data no longer keeps a stale score). The write is one
// batch. Same store and options give the same values. Cost: the fits, then
// O(customers * months) for CLV (all month ends of a customer in one pass).
#ifndef AUDIENCE_CLASSIFY_MODEL_RUN_H_
#define AUDIENCE_CLASSIFY_MODEL_RUN_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/classify/bgnbd.h"
#include "audience/classify/gamma_gamma.h"
#include "audience/classify/pareto_nbd.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

// The model of repeat buying: when and whether customers buy again.
enum class PurchaseModel {
  kNone,       // no purchase model: only Gamma-Gamma (needs gamma_gamma)
  kBgNbd,      // BG/NBD (Fader, Hardie & Lee 2005)
  kParetoNbd,  // Pareto/NBD (Schmittlein, Morrison & Colombo 1987)
};

// "none", "bgnbd", "pareto"; "?" for a value outside the enum.
std::string_view PurchaseModelName(PurchaseModel model);

struct ModelRunOptions {
  // What to fit. Default BG/NBD + Gamma-Gamma. kNone with gamma_gamma false
  // (nothing to fit) is InvalidArgument.
  PurchaseModel purchase_model = PurchaseModel::kBgNbd;
  bool gamma_gamma = true;
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
  // The purchase model's fit: at most one is present (the chosen one).
  std::optional<BgNbdFit> bgnbd;
  std::optional<ParetoNbdFit> pareto_nbd;
  // Absent when not chosen (gamma_gamma_skipped empty), or chosen but not
  // fitted: then why is said in `gamma_gamma_skipped` (e.g. fewer than two
  // repeat buyers with spend).
  std::optional<GammaGammaFit> gamma_gamma;
  std::string gamma_gamma_skipped;
  // Repeat buyers with positive spend: the rows Gamma-Gamma is fitted on
  // (0 when Gamma-Gamma is not chosen). The purchase model is fitted on all
  // `customers`.
  size_t gamma_gamma_customers = 0;
  uint64_t version = 0;  // store version after the write
};

// Errors: InvalidArgument for bad options (naming the option: nothing to
// fit, purchase_model out of range, horizon, now, ClvOptions when CLV is
// written, a bad attribute name); NotFound for an unknown event type;
// FailedPrecondition when there is nothing to fit (no purchases up to
// `now`, or Gamma-Gamma alone and it cannot be fitted) or an attribute
// exists with another type; the fits' errors. The store is unchanged on
// error.
absl::StatusOr<ModelRun> RunModels(Store& store, const ModelRunOptions& options);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/model_run-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_MODEL_RUN_H_
