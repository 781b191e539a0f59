// Storage benchmarks: tag assignment throughput and memory per person of a
// synthetic population (ids, ~8 tags from 200, 8 attributes) at 1M and 10M.
//
//   build/bench/storage_bench --benchmark_filter=Memory
#include <benchmark/benchmark.h>

#include "audience/audience.h"
#include "synthetic.h"

namespace {

using namespace audience;

const bench::Population& Pop(uint32_t n) {
  static bench::Population small = bench::Population::Generate(1'000'000, 42);
  static bench::Population* large = nullptr;
  if (n <= small.size) return small;
  if (large == nullptr) large = new bench::Population(bench::Population::Generate(n, 42));
  return *large;
}

TagDimension Interests() {
  DimensionSpec spec{.name = "interest"};
  TagDimension d(spec);
  for (int v = 0; v < bench::kTagValues; ++v) (void)d.InternValue("t" + std::to_string(v));
  return d;
}

// One Assign call per (person, tag): the write-batch path's cost per tag.
void BM_TagAssignOneByOne(benchmark::State& state) {
  const bench::Population& pop = Pop(1'000'000);
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (uint32_t v = 0; v < bench::kTagValues; ++v) {
    for (uint32_t p : pop.tag_members[v]) pairs.emplace_back(p, v);
  }
  std::shuffle(pairs.begin(), pairs.end(), std::mt19937(1));
  for (auto _ : state) {
    TagDimension d = Interests();
    for (const auto& [p, v] : pairs) d.Assign(p, v, std::nullopt, kSourceImport, 1);
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pairs.size()));
}
BENCHMARK(BM_TagAssignOneByOne)->Unit(benchmark::kMillisecond)->Iterations(3);

// Bulk: one AssignMany per value from a prepared bitmap (classifier path).
void BM_TagAssignBulk(benchmark::State& state) {
  const bench::Population& pop = Pop(1'000'000);
  std::vector<Bitmap> members;
  size_t total = 0;
  for (const auto& ids : pop.tag_members) {
    members.push_back(Bitmap::FromIds(ids));
    total += ids.size();
  }
  for (auto _ : state) {
    TagDimension d = Interests();
    for (uint32_t v = 0; v < members.size(); ++v) {
      d.AssignMany(members[v], v, std::nullopt, kSourceImport, 1);
    }
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * total));
}
BENCHMARK(BM_TagAssignBulk)->Unit(benchmark::kMillisecond)->Iterations(5);

// Exclusive dimension: every assignment clears the previous value.
void BM_TagAssignExclusive(benchmark::State& state) {
  DimensionSpec spec{.name = "tier", .kind = DimensionKind::kExclusive,
                     .values = {"bronze", "silver", "gold"}};
  std::mt19937 rng(3);
  std::vector<std::pair<uint32_t, uint32_t>> writes(2'000'000);
  for (auto& w : writes) w = {static_cast<uint32_t>(rng() % 1'000'000), rng() % 3};
  for (auto _ : state) {
    TagDimension d(spec);
    for (const auto& [p, v] : writes) d.Assign(p, v, std::nullopt, kSourceRule, 1);
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * writes.size()));
}
BENCHMARK(BM_TagAssignExclusive)->Unit(benchmark::kMillisecond)->Iterations(3);

// Memory per person of ids + one 200-value tag dimension (~8 tags each) +
// 8 attribute columns, after Optimize.
void BM_MemoryPerPerson(benchmark::State& state) {
  auto n = static_cast<uint32_t>(state.range(0));
  const bench::Population& pop = Pop(n);
  size_t ids_bytes = 0, tag_bytes = 0, attr_bytes = 0;
  for (auto _ : state) {
    IdMap ids;
    ids.Reserve(n);
    for (uint32_t i = 0; i < n; ++i) (void)ids.GetOrCreate(ExternalId::Int(1'000'000'000 + i));
    TagDimension tags = Interests();
    for (uint32_t v = 0; v < bench::kTagValues; ++v) {
      tags.AssignMany(Bitmap::FromIds(pop.tag_members[v]), v, std::nullopt, kSourceImport, 1);
    }
    tags.Optimize();
    std::vector<AttributeColumn> columns;
    auto add = [&](AttributeSpec spec, auto value_of) {
      AttributeColumn& c = columns.emplace_back(spec);
      std::vector<PersonId> people(n);
      ColumnValues values(spec.type);
      values.Reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        people[i] = i;
        values.Append(value_of(i));
      }
      c.SetColumn(people, values, 1);
      c.Optimize();
    };
    const char* genders[] = {"F", "M", "U"};
    const char* incomes[] = {"low", "mid", "high"};
    add({.name = "age", .type = AttributeType::kInt64}, [&](uint32_t i) { return Value::Int(pop.age[i]); });
    add({.name = "gender", .type = AttributeType::kEnum, .enum_values = {"F", "M", "U"}},
        [&](uint32_t i) { return Value::Enum(genders[pop.gender[i]]); });
    add({.name = "region", .type = AttributeType::kEnum},
        [&](uint32_t i) { return Value::Enum("r" + std::to_string(pop.region[i])); });
    add({.name = "income", .type = AttributeType::kEnum, .enum_values = {"low", "mid", "high"}},
        [&](uint32_t i) { return Value::Enum(incomes[pop.income[i]]); });
    add({.name = "registered_at", .type = AttributeType::kTimestamp},
        [&](uint32_t i) { return Value::Time(absl::FromUnixSeconds(pop.registered_at[i])); });
    add({.name = "last_active_at", .type = AttributeType::kTimestamp},
        [&](uint32_t i) { return Value::Time(absl::FromUnixSeconds(pop.last_active_at[i])); });
    add({.name = "orders", .type = AttributeType::kInt64}, [&](uint32_t i) { return Value::Int(pop.orders[i]); });
    add({.name = "spend", .type = AttributeType::kDouble}, [&](uint32_t i) { return Value::Double(pop.spend[i]); });
    ids_bytes = ids.MemoryBytes();
    tag_bytes = tags.MemoryBytes();
    attr_bytes = 0;
    for (const AttributeColumn& c : columns) attr_bytes += c.MemoryBytes();
  }
  double people = n;
  state.counters["ids_B_per_person"] = static_cast<double>(ids_bytes) / people;
  state.counters["tags_B_per_person"] = static_cast<double>(tag_bytes) / people;
  state.counters["attrs_B_per_person"] = static_cast<double>(attr_bytes) / people;
  state.counters["total_B_per_person"] =
      static_cast<double>(ids_bytes + tag_bytes + attr_bytes) / people;
}
BENCHMARK(BM_MemoryPerPerson)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
