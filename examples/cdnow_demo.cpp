// The main demo: load the CDNOW purchase log (23,570 customers of an online
// music shop, 1997-1998), derive a profile per customer, tag value bands,
// print what the store holds and run a few segment queries with timings.
//
//   cdnow_demo [DATA_DIR]      (default: ../shared/data)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "audience/audience.h"
#include "fmt/format.h"

namespace aud = audience;

namespace {

aud::Schema DemoSchema() {
  aud::Schema s;
  auto ok = [](const auto& r) {
    if (!r.ok()) {
      fmt::print(stderr, "schema: {}\n", r.status().message());
      std::exit(1);
    }
  };
  ok(s.AddEventType({.name = "purchase", .properties = {{.name = "cds"}}}));
  ok(s.AddAttribute({.name = "first_purchase", .type = aud::AttributeType::kTimestamp}));
  ok(s.AddAttribute({.name = "last_purchase", .type = aud::AttributeType::kTimestamp}));
  ok(s.AddAttribute({.name = "orders", .type = aud::AttributeType::kInt64}));
  ok(s.AddAttribute({.name = "total_spend", .type = aud::AttributeType::kDouble}));
  ok(s.AddDimension({.name = "buyer", .kind = aud::DimensionKind::kExclusive,
                     .values = {"one_time", "repeat"}}));
  ok(s.AddDimension({.name = "value_band", .kind = aud::DimensionKind::kExclusive,
                     .values = {"high", "mid", "low", "zero"}}));
  return s;
}

int Fail(const absl::Status& s) {
  fmt::print(stderr, "error: {}\n", s.message());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = argc > 1 ? argv[1] : "../shared/data";
  std::string path = data + "/cdnow/lifetimes/CDNOW_master.txt";
  absl::StatusOr<aud::Store> created = aud::Store::Create(DemoSchema());
  if (!created.ok()) return Fail(created.status());
  aud::Store store = *std::move(created);

  aud::ImportSpec spec;
  spec.kind = aud::ImportKind::kEvents;
  spec.csv.whitespace_separated = true;
  spec.id_column = "customer_id";
  spec.id_type = aud::IdType::kInt;
  spec.event_type = "purchase";
  spec.time_column = "date";
  spec.time_format = "%Y%m%d";
  spec.amount_columns = {"dollar_value"};
  spec.properties = {{"number_of_cds", "cds"}};
  auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::ImportReport> report = aud::ImportCsvFile(store, path, spec);
  if (!report.ok()) return Fail(report.status());
  double import_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("Imported {} ({} rows, {} events) in {:.0f} ms\n", path, report->rows_read,
             report->events_added, import_ms);

  // Derive one profile per customer from the purchase aggregates.
  const aud::EventIndex& purchases = store.event_type(*store.schema().EventTypeIdOf("purchase"));
  aud::WriteBatch derive(absl::FromCivil(absl::CivilDay(1998, 7, 1), absl::UTCTimeZone()));
  store.universe().ForEach([&](aud::PersonId p) {
    const aud::PersonAggregate* agg = purchases.Aggregate(p);
    if (agg == nullptr) return;
    aud::ExternalId id = *store.ids().PrimaryId(p);
    derive.SetAttribute(id, "first_purchase", aud::Value::Time(absl::FromUnixSeconds(agg->first_time)));
    derive.SetAttribute(id, "last_purchase", aud::Value::Time(absl::FromUnixSeconds(agg->last_time)));
    derive.SetAttribute(id, "orders", aud::Value::Int(agg->count));
    derive.SetAttribute(id, "total_spend", aud::Value::Double(agg->sum));
    derive.Tag(id, "buyer", agg->count > 1 ? "repeat" : "one_time", {.source = "rule"});
    const char* band = agg->sum >= 200 ? "high" : agg->sum >= 50 ? "mid" : agg->sum > 0 ? "low" : "zero";
    derive.Tag(id, "value_band", band, {.source = "rule"});
  });
  absl::StatusOr<aud::ApplyResult> applied = store.Apply(derive);
  if (!applied.ok()) return Fail(applied.status());
  store.Optimize();

  absl::Time now = derive.now();
  fmt::print("\nCustomers: {}\n", store.person_count());
  for (const char* dim : {"buyer", "value_band"}) {
    fmt::print("\nTag counts, {}:\n", dim);
    // Keep the StatusOr alive for the loop (range-for does not extend it).
    absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> counts =
        store.ValuesByCount(dim, now);
    if (!counts.ok()) return Fail(counts.status());
    for (const auto& [value, count] : *counts) {
      fmt::print("  {:<10} {:>7}  ({:.1f}%)\n", value, count,
                 100.0 * static_cast<double>(count) / static_cast<double>(store.person_count()));
    }
  }

  fmt::print("\nAttribute ranges:\n");
  for (const aud::AttributeSpec& a : store.schema().attributes()) {
    const aud::AttributeColumn& col = store.attribute(*store.schema().AttributeIdOf(a.name));
    auto mm = col.MinMax();
    if (!mm) continue;
    auto show = [](const aud::Value& v) {
      switch (v.type()) {
        case aud::AttributeType::kTimestamp:
          return absl::FormatTime("%Y-%m-%d", v.time_value(), absl::UTCTimeZone());
        case aud::AttributeType::kDouble: return fmt::format("{:.2f}", v.double_value());
        case aud::AttributeType::kInt64: return fmt::format("{}", v.int_value());
        default: return std::string("?");
      }
    };
    fmt::print("  {:<15} {} .. {}  ({} customers)\n", a.name, show(mm->first), show(mm->second),
               col.NotNull().Cardinality());
  }

  // Segment queries: compiled once, each counted 50 times (median shown).
  fmt::print("\nSegment queries at {} (median of 50 counts):\n",
             absl::FormatTime("%Y-%m-%d", now, absl::UTCTimeZone()));
  aud::QueryOptions options{.now = now};
  const char* queries[] = {
      "buyer:repeat AND total_spend BETWEEN 100 AND 500",
      "value_band:high AND last_purchase < now - 180d",
      "orders >= 5 AND last_purchase >= '1998-01-01'",
      "purchase(within = 90d) >= 2",
      "did(purchase, from = '1997-01-01', to = '1997-04-01') AND NOT did(purchase, within = 365d)",
      "any(2, value_band:high, orders >= 10, last_purchase >= now - 30d)",
  };
  for (const char* text : queries) {
    absl::StatusOr<aud::Query> q = aud::Query::Compile(store, text, options);
    if (!q.ok()) return Fail(q.status());
    std::vector<double> us;
    uint64_t count = 0;
    for (int i = 0; i < 50; ++i) {
      auto start = std::chrono::steady_clock::now();
      count = aud::Count(store, *q);
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() -
                                                             start).count());
    }
    std::nth_element(us.begin(), us.begin() + 25, us.end());
    fmt::print("  {:>6} customers  {:>7.1f} us  {}\n", count, us[25], text);
  }
  absl::StatusOr<aud::Query> lapsed =
      aud::Query::Compile(store, "value_band:high AND last_purchase < now - 180d", options);
  if (!lapsed.ok()) return Fail(lapsed.status());
  fmt::print("\nThe plan of the second query:\n{}", aud::Explain(store, *lapsed).ToString());
  std::vector<aud::PersonId> first = aud::Evaluate(store, *lapsed).Page(0, 1);
  if (!first.empty()) {
    fmt::print("\nWhy customer {} is in it:\n{}", store.ids().PrimaryId(first[0])->ToString(),
               aud::RenderWhy(aud::Why(store, *lapsed, first[0])));
  }
  aud::MemoryUsage mem = store.Memory();
  fmt::print("\nMemory: {:.1f} MiB ({:.0f} bytes/customer: ids {}, tags {}, attributes {}, events {})\n",
             static_cast<double>(mem.total()) / (1 << 20),
             static_cast<double>(mem.total()) / static_cast<double>(store.person_count()),
             mem.ids, mem.tags, mem.attributes, mem.events);
  return 0;
}
