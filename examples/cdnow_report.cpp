// The HTML report on the CDNOW purchase log: import, lifecycle stages at two
// dates (so the page has transitions), RFM, three saved segments measured
// at every month end into a size history, then one self-contained page.
//   cdnow_report [DATA_DIR] [OUT.html]   (defaults: ../shared/data, cdnow_report.html)
// Open the page in any browser; docs/report.png is a screenshot of it.
#include <cstdio>
#include <fstream>
#include <string>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

int Fail(const absl::Status& s) {
  fmt::print(stderr, "{}\n", s.message());
  return 1;
}

absl::Time MonthStart(int y, int m) {
  return absl::FromCivil(absl::CivilMonth(y, m), absl::UTCTimeZone());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : "../shared/data";
  const std::string out = argc > 2 ? argv[2] : "cdnow_report.html";
  Schema schema;
  if (!schema.AddEventType({.name = "purchase"}).ok()) return 1;
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!store.ok()) return Fail(store.status());
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.id_column = "customer_id";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "date";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"dollar_value"};
  absl::StatusOr<ImportReport> imported =
      ImportCsvFile(*store, data + "/cdnow/lifetimes/CDNOW_master.txt", spec);
  if (!imported.ok()) return Fail(imported.status());

  const absl::Time now = MonthStart(1998, 7);
  const StageModel life = PresetLifecycle();
  for (const absl::Time at : {MonthStart(1998, 1), now}) {
    if (absl::StatusOr<StageRun> run = RunStages(*store, life, {.now = at}); !run.ok()) {
      return Fail(run.status());
    }
  }
  RfmRunOptions rfm;
  rfm.inputs.now = now;
  if (absl::StatusOr<RfmRun> run = RunRfm(*store, rfm); !run.ok()) return Fail(run.status());
  const std::pair<const char*, const char*> segments[] = {
      {"bought_last_90d", "did(purchase, within = 90d)"},
      {"repeat_buyers", "count(purchase) >= 2"},
      {"big_spenders", "sum(purchase) >= 200"}};
  for (const auto& [name, text] : segments) {
    if (absl::Status s = store->PutSegment(name, text); !s.ok()) return Fail(s);
  }
  // Month-end sizes, each evaluated as of that month (events up to then).
  SizeHistory history;
  for (int m = 0; m < 18; ++m) {
    const absl::Time at = MonthStart(1997, 2 + m);
    if (absl::Status s = history.RecordSavedSegments(*store, at); !s.ok()) return Fail(s);
  }
  absl::StatusOr<ReportData> report = CollectReport(*store, {.now = now, .history = &history});
  if (!report.ok()) return Fail(report.status());
  std::ofstream(out) << RenderReportHtml(*report, "CDNOW customers, July 1998");
  fmt::print("wrote {}: {} customers, {} saved segments, {}x{} RFM grid, {} lifecycle stages, "
             "{} months of history\n", out, report->people, report->segments.size(),
             report->rfm_bins, report->rfm_bins, report->lifecycle.size(),
             history.Series("repeat_buyers").size());
  for (const auto& [stage, n] : report->lifecycle) fmt::print("  {:<12} {:>6}\n", stage, n);
  return report->people == 23570 && report->rfm_bins == 5 ? 0 : 1;
}
