// Definitions for model_run.h.
#ifndef AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_
#define AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_

#include <string>
#include <utility>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/classify/model_run.h"
#include "audience/classify/store_inputs.h"
#include "audience/classify/store_writes.h"
#include "audience/store/column_block.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace model_run_internal {

inline absl::Status ValidateOptions(const ModelRunOptions& o) {
  const PurchaseModel m = o.purchase_model;
  if (m != PurchaseModel::kNone && m != PurchaseModel::kBgNbd &&
      m != PurchaseModel::kParetoNbd) {
    return absl::InvalidArgumentError(fmt::format(
        "purchase_model {} is not a PurchaseModel", static_cast<int>(m)));
  }
  if (m == PurchaseModel::kNone && !o.gamma_gamma) {
    return absl::InvalidArgumentError(
        "purchase_model is kNone and gamma_gamma is false: nothing to fit");
  }
  if (!(o.horizon >= 0) || o.horizon > 1e6) {
    return absl::InvalidArgumentError(
        fmt::format("horizon {} must be in 0..1e6 units", o.horizon));
  }
  if (o.now == absl::InfiniteFuture() || o.now == absl::InfinitePast()) {
    return absl::InvalidArgumentError("now must be a finite time");
  }
  if (m != PurchaseModel::kNone && o.gamma_gamma) {
    if (absl::Status s = ValidateClvOptions(o.clv); !s.ok()) {
      return absl::InvalidArgumentError(fmt::format("clv: {}", StdView(s.message())));
    }
  }
  return absl::OkStatus();
}

// P(alive) and E at `times` of the fitted purchase model.
struct PurchaseScorer {
  const ModelRun* run;
  absl::StatusOr<double> Alive(const CustomerSummary& c) const {
    if (run->bgnbd) return BgNbdProbabilityAlive(run->bgnbd->params, c.x, c.t_x, c.T);
    return ParetoNbdProbabilityAlive(run->pareto_nbd->params, c.x, c.t_x, c.T);
  }
  absl::Status ExpectedAt(const CustomerSummary& c, absl::Span<const double> times,
                          absl::Span<double> out) const {
    if (run->bgnbd) {
      return BgNbdConditionalExpectedPurchasesAt(run->bgnbd->params, times, c.x, c.t_x,
                                                 c.T, out);
    }
    return ParetoNbdConditionalExpectedPurchasesAt(run->pareto_nbd->params, times, c.x,
                                                   c.t_x, c.T, out);
  }
};

}  // namespace model_run_internal

AUDIENCE_FUNC std::string_view PurchaseModelName(PurchaseModel model) {
  switch (model) {
    case PurchaseModel::kNone: return "none";
    case PurchaseModel::kBgNbd: return "bgnbd";
    case PurchaseModel::kParetoNbd: return "pareto";
  }
  return "?";
}

AUDIENCE_FUNC absl::StatusOr<ModelRun> RunModels(Store& store, const ModelRunOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(model_run_internal::ValidateOptions(options));
  const bool purchase = options.purchase_model != PurchaseModel::kNone;
  SummaryOptions so;
  so.calibration_end = absl::ToUnixSeconds(options.now);
  so.period_seconds = absl::ToInt64Seconds(options.period);
  so.unit_seconds = absl::ToInt64Seconds(options.unit);
  so.holdout_end = so.calibration_end;  // nothing after now counts
  AUDIENCE_ASSIGN_OR_RETURN(std::vector<CustomerSummary> summaries,
                            SummariesFromStore(store, options.event_type, so));
  ModelRun run;
  run.customers = summaries.size();
  if (summaries.empty()) {
    return absl::FailedPreconditionError(fmt::format(
        "no '{}' events at or before now: nothing to fit", options.event_type));
  }
  if (options.purchase_model == PurchaseModel::kBgNbd) {
    AUDIENCE_ASSIGN_OR_RETURN(run.bgnbd, FitBgNbd(GroupRft(summaries)));
  } else if (options.purchase_model == PurchaseModel::kParetoNbd) {
    AUDIENCE_ASSIGN_OR_RETURN(run.pareto_nbd, FitParetoNbd(GroupRft(summaries)));
  }
  if (options.gamma_gamma) {
    const std::vector<SpendRow> spend = SpendRowsFrom(summaries);
    run.gamma_gamma_customers = spend.size();
    if (spend.size() < 2) {
      run.gamma_gamma_skipped = fmt::format(
          "{} repeat buyer(s) with positive spend; Gamma-Gamma needs at least 2", spend.size());
    } else if (absl::StatusOr<GammaGammaFit> gg = FitGammaGamma(spend); gg.ok()) {
      run.gamma_gamma = *gg;
    } else {
      run.gamma_gamma_skipped = std::string(StdView(gg.status().message()));
    }
    if (!purchase && !run.gamma_gamma) {
      return absl::FailedPreconditionError(fmt::format(
          "Gamma-Gamma could not be fitted ({}): nothing to write", run.gamma_gamma_skipped));
    }
  }

  // The written attributes; null pointers for those this choice does not write.
  const std::string p = options.prefix;
  std::vector<std::pair<std::string, AttributeType>> written;
  ColumnBlock block;
  auto add = [&](const char* name, AttributeType type, bool on) -> ColumnValues* {
    if (!on) return nullptr;
    written.emplace_back(p + name, type);
    return &block.AddAttribute(p + name, type);
  };
  ColumnValues* alive = add("p_alive", AttributeType::kDouble, purchase);
  ColumnValues* expected = add("expected_purchases", AttributeType::kDouble, purchase);
  ColumnValues* spend_col = add("expected_spend", AttributeType::kDouble, options.gamma_gamma);
  ColumnValues* clv = add("clv", AttributeType::kDouble, purchase && options.gamma_gamma);
  ColumnValues* at = add("models_computed_at", AttributeType::kTimestamp, true);

  // Per-customer values, computed before the store changes. E is evaluated
  // at the horizon and, for CLV, at every month end in one call.
  const model_run_internal::PurchaseScorer scorer{&run};
  std::vector<double> times = {options.horizon};
  if (clv != nullptr && run.gamma_gamma) {
    const std::vector<double> ends = ClvMonthEnds(options.clv);
    times.insert(times.end(), ends.begin(), ends.end());
  }
  std::vector<double> e(times.size());
  Bitmap scored;
  for (const CustomerSummary& c : summaries) {
    std::optional<ExternalId> id = store.ids().PrimaryId(c.customer);
    if (!id) continue;  // not live (cannot happen for ids read from the store)
    block.AddRow(*id);
    scored.Add(c.customer);
    at->AppendTime(so.calibration_end);
    if (purchase) {
      AUDIENCE_ASSIGN_OR_RETURN(double pa, scorer.Alive(c));
      AUDIENCE_RETURN_IF_ERROR(scorer.ExpectedAt(c, times, absl::MakeSpan(e)));
      alive->AppendDouble(pa);
      expected->AppendDouble(e[0]);
    }
    if (!options.gamma_gamma) continue;
    if (!run.gamma_gamma) {
      spend_col->AppendNull();  // with a purchase model only (checked above)
      clv->AppendNull();
      continue;
    }
    AUDIENCE_ASSIGN_OR_RETURN(
        double m, GammaGammaConditionalExpectedSpend(run.gamma_gamma->params, c.x,
                                                     c.monetary_value));
    spend_col->AppendDouble(m);
    if (clv != nullptr) {
      AUDIENCE_ASSIGN_OR_RETURN(
          double v, DiscountedClvFromCumulative(absl::MakeConstSpan(e).subspan(1), m,
                                                options.clv));
      clv->AppendDouble(v);
    }
  }
  // Schema changes only once every value is computed.
  AUDIENCE_RETURN_IF_ERROR(classify_internal::EnsureAttributes(store, written, "RunModels"));
  // People scored before but not now lose their values.
  const AttributeId stamp = *store.schema().AttributeIdOf(p + "models_computed_at");
  const Bitmap stale = store.attribute(stamp).NotNull() - scored;
  stale.ForEach([&](PersonId person) {
    std::optional<ExternalId> id = store.ids().PrimaryId(person);
    if (!id) return;
    block.AddRow(*id);
    for (ColumnValues* col : {alive, expected, spend_col, clv, at}) {
      if (col != nullptr) col->AppendNull();
    }
  });
  WriteBatch batch(options.now);
  batch.SetColumns(std::move(block));
  AUDIENCE_ASSIGN_OR_RETURN(ApplyResult applied, store.Apply(batch));
  run.version = applied.version;
  return run;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_
