// RFM on the UCI Online Retail data (a UK gift retailer's invoices, Dec 2010
// to Dec 2011): the 11 named groups of the 125-code table at two analysis
// dates a quarter apart, each group's size and revenue, and the transition
// matrix between the two dates (who moved from which group to which).
//   online_retail [DATA_DIR]   (default ../shared/data)
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

int Fail(const absl::Status& s) {
  fmt::print(stderr, "{}\n", s.message());
  return 1;
}

absl::Time Date(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

// A short column label for a group slug ("can_t_lose_them" -> "can_t_l").
std::string Short(const std::string& slug) { return slug.substr(0, 7); }

}  // namespace

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : "../shared/data";
  const std::string path = data + "/online-retail/online_retail_invoices_clean.csv";
  Schema schema;
  if (!schema.AddEventType({.name = "purchase"}).ok()) return 1;
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!store.ok()) return Fail(store.status());
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.id_column = "customer_id";
  spec.id_type = IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "order_date";
  spec.amount_columns = {"revenue"};
  spec.event_id_column = "InvoiceNo";
  absl::StatusOr<ImportReport> report = ImportCsvFile(*store, path, spec);
  if (!report.ok()) return Fail(report.status());
  fmt::print("Online Retail: {} invoices of {} customers ({})\n", report->events_added,
             store->person_count(), path);

  // Two runs a quarter apart, each over the 12 months before its date; the
  // second run's moves are the transitions since the first.
  const absl::Time dates[] = {Date(2011, 9, 1), Date(2011, 12, 1)};
  const EventIndex& purchases = store->event_type(*schema.EventTypeIdOf("purchase"));
  RfmRun run;
  bool ok = true;
  for (const absl::Time now : dates) {
    RfmRunOptions options;
    options.inputs.now = now;
    options.inputs.window = absl::Hours(24 * 365);
    absl::StatusOr<RfmRun> r = RunRfm(*store, options);
    if (!r.ok()) return Fail(r.status());
    run = *std::move(r);
    fmt::print("\nRFM as of {} (quintiles over the 12 months before; {} customers scored)\n",
               absl::FormatTime("%F", now, absl::UTCTimeZone()), run.people.size());
    fmt::print("  {:<22} {:>9} {:>7} {:>12} {:>9}\n", "group", "customers", "share", "revenue",
               "per head");
    const WindowFilter window{.from = absl::ToUnixSeconds(now - *options.inputs.window) + 1,
                              .to = absl::ToUnixSeconds(now) + 1};
    uint64_t total = 0;
    for (size_t g = 0; g < run.segments.size(); ++g) {
      absl::StatusOr<Segment> members =
          Evaluate(*store, fmt::format("rfm.segment:{}", run.segments[g]), {.now = now});
      if (!members.ok()) return Fail(members.status());
      double revenue = 0;
      members->people().ForEach([&](PersonId p) {
        revenue += purchases.StatsInWindow(p, window).sum;
        return true;
      });
      ok = ok && members->count() == run.sizes[g];
      total += run.sizes[g];
      fmt::print("  {:<22} {:>9} {:>6.1f}% {:>12.0f} {:>9.0f}\n", run.segments[g], run.sizes[g],
                 100.0 * static_cast<double>(run.sizes[g]) / static_cast<double>(run.people.size()),
                 revenue, run.sizes[g] == 0 ? 0.0 : revenue / static_cast<double>(run.sizes[g]));
    }
    ok = ok && total == run.people.size();
  }

  // Rows: the group on 2011-09-01 (or "new": not scored then); columns: the
  // group on 2011-12-01 (or "gone": not scored now).
  fmt::print("\nTransitions 2011-09-01 -> 2011-12-01 (rows: before, columns: after)\n{:>8}", "");
  const size_t n = run.segments.size();
  for (size_t b = 0; b < n; ++b) fmt::print(" {:>7}", Short(run.segments[b]));
  fmt::print(" {:>7}\n", "gone");
  for (size_t a = 0; a <= n; ++a) {
    fmt::print("{:>8}", a < n ? Short(run.segments[a]) : "new");
    for (size_t b = 0; b <= n; ++b) fmt::print(" {:>7}", run.moves[a][b]);
    fmt::print("\n");
  }
  // The same moves as a query: September's champions who are slipping now.
  const std::vector<std::string> slipping = {"at_risk", "about_to_sleep", "hibernating_customers"};
  absl::StatusOr<uint64_t> slipped = Count(
      *store,
      "rfm.segment_previous:champions AND rfm.segment IN ('at_risk', 'about_to_sleep', "
      "'hibernating_customers')",
      {.now = dates[1]});
  if (!slipped.ok()) return Fail(slipped.status());
  fmt::print("\nSeptember's champions who are at risk, about to sleep or hibernating in December: {}\n",
             *slipped);
  uint64_t from_matrix = 0;
  for (size_t b = 0; b < n; ++b) {
    if (std::find(slipping.begin(), slipping.end(), run.segments[b]) != slipping.end()) {
      from_matrix += run.moves[0][b];  // row 0: champions
    }
  }
  ok = ok && run.segments[0] == "champions" && *slipped == from_matrix;
  if (!ok || run.segments.size() != 11 + 1) {  // the table's 11 groups and the fallback
    fmt::print(stderr, "a check failed ({} groups)\n", run.segments.size());
    return 1;
  }
  return 0;
}
