// Definitions for model_run.h.
#ifndef AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_
#define AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_

#include <string>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/classify/model_run.h"
#include "audience/classify/store_inputs.h"
#include "audience/classify/store_writes.h"
#include "audience/store/column_block.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE


AUDIENCE_FUNC absl::StatusOr<ModelRun> RunModels(Store& store, const ModelRunOptions& options) {
  if (!(options.horizon >= 0) || options.horizon > 1e6) {
    return absl::InvalidArgumentError(
        fmt::format("horizon {} must be in 0..1e6 units", options.horizon));
  }
  if (options.now == absl::InfiniteFuture() || options.now == absl::InfinitePast()) {
    return absl::InvalidArgumentError("now must be a finite time");
  }
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
  AUDIENCE_ASSIGN_OR_RETURN(run.bgnbd, FitBgNbd(GroupRft(summaries)));
  const std::vector<SpendRow> spend = SpendRowsFrom(summaries);
  if (spend.size() < 2) {
    run.gamma_gamma_skipped = fmt::format(
        "{} repeat buyer(s) with positive spend; Gamma-Gamma needs at least 2", spend.size());
  } else if (absl::StatusOr<GammaGammaFit> gg = FitGammaGamma(spend); gg.ok()) {
    run.gamma_gamma = *gg;
  } else {
    run.gamma_gamma_skipped = std::string(StdView(gg.status().message()));
  }

  // Per-customer values, computed before the store changes.
  const std::string p = options.prefix;
  ColumnBlock block;
  ColumnValues& alive = block.AddAttribute(p + "p_alive", AttributeType::kDouble);
  ColumnValues& expected = block.AddAttribute(p + "expected_purchases", AttributeType::kDouble);
  ColumnValues& spend_col = block.AddAttribute(p + "expected_spend", AttributeType::kDouble);
  ColumnValues& clv = block.AddAttribute(p + "clv", AttributeType::kDouble);
  ColumnValues& at = block.AddAttribute(p + "models_computed_at", AttributeType::kTimestamp);
  const BgNbdParams& bg = run.bgnbd.params;
  Bitmap scored;
  for (const CustomerSummary& c : summaries) {
    std::optional<ExternalId> id = store.ids().PrimaryId(c.customer);
    if (!id) continue;  // not live (cannot happen for ids read from the store)
    block.AddRow(*id);
    scored.Add(c.customer);
    AUDIENCE_ASSIGN_OR_RETURN(double pa, BgNbdProbabilityAlive(bg, c.x, c.t_x, c.T));
    AUDIENCE_ASSIGN_OR_RETURN(
        double e, BgNbdConditionalExpectedPurchases(bg, options.horizon, c.x, c.t_x, c.T));
    alive.AppendDouble(pa);
    expected.AppendDouble(e);
    at.AppendTime(so.calibration_end);
    if (run.gamma_gamma) {
      const GammaGammaParams& g = run.gamma_gamma->params;
      AUDIENCE_ASSIGN_OR_RETURN(double m,
                                GammaGammaConditionalExpectedSpend(g, c.x, c.monetary_value));
      AUDIENCE_ASSIGN_OR_RETURN(
          double v, BgNbdGammaGammaClv(bg, g, c.x, c.t_x, c.T, c.monetary_value, options.clv));
      spend_col.AppendDouble(m);
      clv.AppendDouble(v);
    } else {
      spend_col.AppendNull();
      clv.AppendNull();
    }
  }
  AUDIENCE_RETURN_IF_ERROR(classify_internal::EnsureAttributes(
      store, {{p + "p_alive", AttributeType::kDouble},
              {p + "expected_purchases", AttributeType::kDouble},
              {p + "expected_spend", AttributeType::kDouble},
              {p + "clv", AttributeType::kDouble},
              {p + "models_computed_at", AttributeType::kTimestamp}},
      "RunModels"));
  // People scored before but not now lose their values.
  const AttributeId stamp = *store.schema().AttributeIdOf(p + "models_computed_at");
  const Bitmap stale = store.attribute(stamp).NotNull() - scored;
  stale.ForEach([&](PersonId person) {
    std::optional<ExternalId> id = store.ids().PrimaryId(person);
    if (!id) return;
    block.AddRow(*id);
    for (ColumnValues* c : {&alive, &expected, &spend_col, &clv, &at}) c->AppendNull();
  });
  WriteBatch batch(options.now);
  batch.SetColumns(std::move(block));
  AUDIENCE_ASSIGN_OR_RETURN(ApplyResult applied, store.Apply(batch));
  run.version = applied.version;
  return run;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_MODEL_RUN_INL_H_
