// The main demo: load the CDNOW purchase log (23,570 customers of an online
// music shop, 1997-1998), derive a profile per customer, tag value bands and
// print what the store holds.
//
//   cdnow_demo [DATA_DIR]      (default: ../shared/data)
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

  // Range predicates answered by the bit-sliced index.
  const aud::AttributeColumn& spend = store.attribute(*store.schema().AttributeIdOf("total_spend"));
  const aud::AttributeColumn& last = store.attribute(*store.schema().AttributeIdOf("last_purchase"));
  const aud::AttributeColumn& orders = store.attribute(*store.schema().AttributeIdOf("orders"));
  fmt::print("\nRange counts (bit-sliced index):\n");
  auto between = spend.Between(aud::Value::Double(100), aud::Value::Double(500));
  fmt::print("  total_spend BETWEEN 100 AND 500          {:>7}\n", between->Cardinality());
  auto active = last.Compare(aud::CompareOp::kGe,
      aud::Value::Time(absl::FromCivil(absl::CivilDay(1998, 1, 1), absl::UTCTimeZone())));
  fmt::print("  last_purchase >= 1998-01-01              {:>7}\n", active->Cardinality());
  auto loyal = orders.Compare(aud::CompareOp::kGe, aud::Value::Int(5));
  fmt::print("  orders >= 5                              {:>7}\n", loyal->Cardinality());
  fmt::print("  orders >= 5 AND last_purchase >= 1998    {:>7}\n", loyal->AndCardinality(*active));

  aud::MemoryUsage mem = store.Memory();
  fmt::print("\nMemory: {:.1f} MiB ({:.0f} bytes/customer: ids {}, tags {}, attributes {}, events {})\n",
             static_cast<double>(mem.total()) / (1 << 20),
             static_cast<double>(mem.total()) / static_cast<double>(store.person_count()),
             mem.ids, mem.tags, mem.attributes, mem.events);
  return 0;
}
