// Tag store benchmarks: assignment throughput of one TagDimension (one by
// one, bulk, exclusive) and expiry-aware reads (MembersAt with and without
// expiring assignments). 1M assignments over 200 values with Zipf (s = 1)
// popularity, people drawn uniformly from 1M ids; seeded, so runs compare.
//
//   build/bench/tags_bench --benchmark_filter=Assign
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "audience/audience.h"

namespace {

using namespace audience;

constexpr uint32_t kPeople = 1'000'000;
constexpr uint32_t kValues = 200;
constexpr size_t kAssignments = 1'000'000;

struct Workload {
  // (person, value), random order; duplicates allowed (they are reassigns).
  std::vector<std::pair<PersonId, uint32_t>> pairs;
  // The same assignments grouped by value, for the bulk path.
  std::vector<Bitmap> by_value;
};

const Workload& Work() {
  static const Workload w = [] {
    Workload out;
    std::mt19937 rng(42);
    std::vector<double> weights(kValues);
    for (uint32_t v = 0; v < kValues; ++v) weights[v] = 1.0 / (v + 1);
    std::discrete_distribution<uint32_t> zipf(weights.begin(), weights.end());
    std::uniform_int_distribution<PersonId> person(0, kPeople - 1);
    out.pairs.reserve(kAssignments);
    for (size_t i = 0; i < kAssignments; ++i) out.pairs.emplace_back(person(rng), zipf(rng));
    std::vector<std::vector<uint32_t>> ids(kValues);
    for (const auto& [p, v] : out.pairs) ids[v].push_back(p);
    for (const auto& list : ids) out.by_value.push_back(Bitmap::FromIds(list));
    return out;
  }();
  return w;
}

TagDimension Fresh(DimensionKind kind) {
  TagDimension d(DimensionSpec{.name = "interest", .kind = kind});
  for (uint32_t v = 0; v < kValues; ++v) (void)d.InternValue("t" + std::to_string(v));
  return d;
}

int64_t BulkItems() {
  int64_t n = 0;
  for (const Bitmap& b : Work().by_value) n += static_cast<int64_t>(b.Cardinality());
  return n;
}

// The write-batch path: one Assign call per tag.
void BM_AssignOneByOne(benchmark::State& state) {
  const Workload& w = Work();
  for (auto _ : state) {
    TagDimension d = Fresh(DimensionKind::kMulti);
    for (const auto& [p, v] : w.pairs) d.Assign(p, v, std::nullopt, kSourceImport, 1);
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.pairs.size()));
}
BENCHMARK(BM_AssignOneByOne)->Unit(benchmark::kMillisecond);

// Same, every assignment carrying an expiry (hash + ordered index per entry).
void BM_AssignOneByOneExpiring(benchmark::State& state) {
  const Workload& w = Work();
  for (auto _ : state) {
    TagDimension d = Fresh(DimensionKind::kMulti);
    UnixSeconds t = 0;
    for (const auto& [p, v] : w.pairs) d.Assign(p, v, 1'000'000 + (t++ % 86'400), kSourceImport, 1);
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.pairs.size()));
}
BENCHMARK(BM_AssignOneByOneExpiring)->Unit(benchmark::kMillisecond);

// The classifier/import path: one AssignMany per value.
void BM_AssignManyBulk(benchmark::State& state) {
  const Workload& w = Work();
  for (auto _ : state) {
    TagDimension d = Fresh(DimensionKind::kMulti);
    for (uint32_t v = 0; v < kValues; ++v) {
      d.AssignMany(w.by_value[v], v, std::nullopt, kSourceImport, 1);
    }
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(state.iterations() * BulkItems());
}
BENCHMARK(BM_AssignManyBulk)->Unit(benchmark::kMillisecond);

// Exclusive dimension, one by one: every Assign may drop the previous value.
void BM_AssignExclusive(benchmark::State& state) {
  const Workload& w = Work();
  for (auto _ : state) {
    TagDimension d = Fresh(DimensionKind::kExclusive);
    WriteSeq seq = 1;
    for (const auto& [p, v] : w.pairs) d.Assign(p, v, std::nullopt, kSourceImport, seq++);
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * w.pairs.size()));
}
BENCHMARK(BM_AssignExclusive)->Unit(benchmark::kMillisecond);

// Exclusive dimension, bulk: each AssignMany also subtracts from 199 values.
void BM_AssignManyExclusive(benchmark::State& state) {
  const Workload& w = Work();
  for (auto _ : state) {
    TagDimension d = Fresh(DimensionKind::kExclusive);
    for (uint32_t v = 0; v < kValues; ++v) {
      d.AssignMany(w.by_value[v], v, std::nullopt, kSourceImport, v + 1);
    }
    benchmark::DoNotOptimize(d.Members(0).Cardinality());
  }
  state.SetItemsProcessed(state.iterations() * BulkItems());
}
BENCHMARK(BM_AssignManyExclusive)->Unit(benchmark::kMillisecond);

// MembersAt of the most popular value (~170k people). Arg: percent of its
// assignments that carry an expiry; half of those have expired at `now`.
void BM_MembersAt(benchmark::State& state) {
  const Workload& w = Work();
  const auto pct = static_cast<uint32_t>(state.range(0));
  TagDimension d = Fresh(DimensionKind::kMulti);
  d.AssignMany(w.by_value[0], 0, std::nullopt, kSourceImport, 1);
  uint32_t i = 0;
  w.by_value[0].ForEach([&](PersonId p) {
    if (i++ % 100 < pct) d.Assign(p, 0, (i % 2 == 0) ? 500 : 2000, kSourceImport, 2);
  });
  d.Optimize();
  const uint64_t members = d.Members(0).Cardinality();
  for (auto _ : state) {
    Bitmap b = d.MembersAt(0, 1000);
    benchmark::DoNotOptimize(b.Cardinality());
  }
  state.counters["expiring"] = static_cast<double>(members * pct / 100);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * members));
}
BENCHMARK(BM_MembersAt)->Arg(0)->Arg(1)->Arg(10)->Arg(100);

// CountAt: no bitmap built; cost is the expired entries walked.
void BM_CountAt(benchmark::State& state) {
  const Workload& w = Work();
  const auto pct = static_cast<uint32_t>(state.range(0));
  TagDimension d = Fresh(DimensionKind::kMulti);
  uint32_t i = 0;
  w.by_value[0].ForEach([&](PersonId p) {
    std::optional<UnixSeconds> exp;
    if (i++ % 100 < pct) exp = (i % 2 == 0) ? 500 : 2000;
    d.Assign(p, 0, exp, kSourceImport, 1);
  });
  const uint64_t members = d.Members(0).Cardinality();
  for (auto _ : state) benchmark::DoNotOptimize(d.CountAt(0, 1000));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * members));
}
BENCHMARK(BM_CountAt)->Arg(0)->Arg(10);

}  // namespace

BENCHMARK_MAIN();
