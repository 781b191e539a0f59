// Range predicates over 1M / 10M people: bit-sliced index vs row scans.
//
// Two attributes: `age` (int64, uniform 18..80) and `seen` (timestamp,
// uniform over three years). For each query the BSI benchmark reports, as
// counters, its result count, the slice count and how many times faster it
// is than (a) AttributeColumn::ScanCompare on the same column and (b) a plain
// loop over a std::vector<int64_t> that builds a Bitmap. Build benchmarks
// compare BitSlicedIndex::Build with per-person Set; the memory benchmark
// reports MemoryBytes per person.
//
//   ./range_index_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "audience/storage/attribute_column.h"
#include "audience/storage/bit_sliced_index.h"

namespace {

using audience::AttributeColumn;
using audience::AttributeSpec;
using audience::AttributeType;
using audience::BitSlicedIndex;
using audience::Bitmap;
using audience::ColumnValues;
using audience::CompareOp;
using audience::PersonId;
using audience::Value;

constexpr int64_t kSeenBase = 1'640'995'200;             // 2022-01-01
constexpr int64_t kSeenSpan = 3 * 365 * 86400;           // three years
constexpr int64_t kNow = kSeenBase + kSeenSpan;

uint64_t IntKey(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }

struct Data {
  std::vector<int64_t> ages;
  std::vector<int64_t> seen;
  std::unique_ptr<AttributeColumn> age_col;
  std::unique_ptr<AttributeColumn> seen_col;
};

AttributeColumn MakeColumn(const char* name, AttributeType type, const std::vector<int64_t>& v) {
  AttributeSpec spec;
  spec.name = name;
  spec.type = type;
  AttributeColumn col(spec);
  std::vector<PersonId> people(v.size());
  ColumnValues values(type);
  values.Reserve(v.size());
  for (size_t p = 0; p < v.size(); ++p) {
    people[p] = static_cast<PersonId>(p);
    if (type == AttributeType::kInt64) {
      values.AppendInt(v[p]);
    } else {
      values.AppendTime(v[p]);
    }
  }
  col.SetColumn(people, values, 1);
  col.Optimize();
  return col;
}

const Data& GetData(int64_t n) {
  static std::map<int64_t, std::unique_ptr<Data>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  slot = std::make_unique<Data>();
  std::mt19937_64 rng(12345);
  slot->ages.resize(static_cast<size_t>(n));
  slot->seen.resize(static_cast<size_t>(n));
  for (int64_t p = 0; p < n; ++p) {
    slot->ages[static_cast<size_t>(p)] = 18 + static_cast<int64_t>(rng() % 63);
    slot->seen[static_cast<size_t>(p)] = kSeenBase + static_cast<int64_t>(rng() % kSeenSpan);
  }
  slot->age_col = std::make_unique<AttributeColumn>(
      MakeColumn("age", AttributeType::kInt64, slot->ages));
  slot->seen_col = std::make_unique<AttributeColumn>(
      MakeColumn("seen", AttributeType::kTimestamp, slot->seen));
  return *slot;
}

const std::vector<int64_t>& Values(const Data& d, bool seen) { return seen ? d.seen : d.ages; }
const AttributeColumn& Column(const Data& d, bool seen) { return seen ? *d.seen_col : *d.age_col; }

template <typename F>
double MillisOf(F&& f, int reps = 3) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// The plain baseline: one pass over a dense vector, collecting ids.
Bitmap VectorLoop(const std::vector<int64_t>& v, int64_t lo, int64_t hi) {
  std::vector<uint32_t> ids;
  for (size_t p = 0; p < v.size(); ++p) {
    if (v[p] >= lo && v[p] <= hi) ids.push_back(static_cast<uint32_t>(p));
  }
  return Bitmap::FromIds(ids);
}

// Queries: 0 = age BETWEEN 20 AND 30, 1 = age >= 30,
//          2 = seen BETWEEN now-30d AND now, 3 = seen >= now-90d.
struct Query {
  bool seen;
  bool between;
  int64_t lo, hi;
};
Query GetQuery(int64_t q) {
  switch (q) {
    case 0: return {false, true, 20, 30};
    case 1: return {false, false, 30, INT64_MAX};
    case 2: return {true, true, kNow - 30 * 86400, kNow};
    default: return {true, false, kNow - 90 * 86400, INT64_MAX};
  }
}
Value AsValue(bool seen, int64_t v) {
  return seen ? Value::Time(absl::FromUnixSeconds(v)) : Value::Int(v);
}
const char* QueryLabel(int64_t q) {
  static const char* kLabels[] = {"age BETWEEN 20 AND 30", "age >= 30",
                                  "seen in last 30d (BETWEEN)", "seen >= now-90d"};
  return kLabels[q];
}

Bitmap RunBsi(const AttributeColumn& col, const Query& q) {
  return q.between ? *col.Between(AsValue(q.seen, q.lo), AsValue(q.seen, q.hi))
                   : *col.Compare(CompareOp::kGe, AsValue(q.seen, q.lo));
}

void BM_RangeBsi(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const Query q = GetQuery(state.range(1));
  const AttributeColumn& col = Column(d, q.seen);
  uint64_t count = 0;
  double bsi_ms_total = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    Bitmap r = RunBsi(col, q);
    bsi_ms_total += std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - t0).count();
    count = r.Cardinality();
    benchmark::DoNotOptimize(r);
  }
  const double bsi_ms = bsi_ms_total / static_cast<double>(state.iterations());
  // Baselines, timed here so the ratio sits beside the number it explains.
  Bitmap vec_result;
  const double vec_ms =
      MillisOf([&] { vec_result = VectorLoop(Values(d, q.seen), q.lo, q.hi); });
  double scan_ms = 0;
  if (!q.between) {
    Bitmap scan_result;
    scan_ms = MillisOf([&] { scan_result = col.ScanCompare(CompareOp::kGe, AsValue(q.seen, q.lo)); });
    if (scan_result.Cardinality() != count) state.SkipWithError("scan disagrees with BSI");
    state.counters["scan_ms"] = scan_ms;
    state.counters["x_vs_scan"] = scan_ms / bsi_ms;
  }
  if (vec_result.Cardinality() != count) state.SkipWithError("vector loop disagrees with BSI");
  state.counters["count"] = static_cast<double>(count);
  state.counters["slices"] = static_cast<double>(col.range_index().slice_count());
  state.counters["vector_ms"] = vec_ms;
  state.counters["x_vs_vector"] = vec_ms / bsi_ms;
  state.SetLabel(QueryLabel(state.range(1)));
}

void BM_CountBsi(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const BitSlicedIndex& bsi = d.age_col->range_index();
  uint64_t count = 0;
  for (auto _ : state) count = bsi.CountBetween(IntKey(20), IntKey(30));
  state.counters["count"] = static_cast<double>(count);
  state.SetLabel("age BETWEEN 20 AND 30, count only");
}

void BM_ScanCompare(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const Query q = GetQuery(state.range(1));
  const AttributeColumn& col = Column(d, q.seen);
  for (auto _ : state) {
    benchmark::DoNotOptimize(col.ScanCompare(CompareOp::kGe, AsValue(q.seen, q.lo)));
  }
  state.SetLabel(QueryLabel(state.range(1)));
}

void BM_VectorLoop(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const Query q = GetQuery(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(VectorLoop(Values(d, q.seen), q.lo, q.hi));
  state.SetLabel(QueryLabel(state.range(1)));
}

std::vector<std::pair<PersonId, uint64_t>> Entries(const std::vector<int64_t>& v) {
  std::vector<std::pair<PersonId, uint64_t>> e(v.size());
  for (size_t p = 0; p < v.size(); ++p) e[p] = {static_cast<PersonId>(p), IntKey(v[p])};
  return e;
}

void BM_BuildBulk(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const bool seen = state.range(1) != 0;
  const auto entries = Entries(Values(d, seen));
  size_t slices = 0;
  for (auto _ : state) {
    BitSlicedIndex bsi = BitSlicedIndex::Build(entries);
    slices = bsi.slice_count();
    benchmark::DoNotOptimize(bsi);
  }
  state.counters["slices"] = static_cast<double>(slices);
  state.counters["persons_per_s"] = benchmark::Counter(
      static_cast<double>(entries.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(seen ? "seen (timestamp)" : "age (int64)");
}

void BM_BuildPerPersonSet(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  const bool seen = state.range(1) != 0;
  const std::vector<int64_t>& v = Values(d, seen);
  for (auto _ : state) {
    BitSlicedIndex bsi;
    for (size_t p = 0; p < v.size(); ++p) bsi.Set(static_cast<PersonId>(p), IntKey(v[p]));
    benchmark::DoNotOptimize(bsi);
  }
  state.counters["persons_per_s"] = benchmark::Counter(
      static_cast<double>(v.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(seen ? "seen (timestamp)" : "age (int64)");
}

void BM_Memory(benchmark::State& state) {
  const Data& d = GetData(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(d.age_col->MemoryBytes());
  const double n = static_cast<double>(state.range(0));
  state.counters["age_col_B_per_person"] = static_cast<double>(d.age_col->MemoryBytes()) / n;
  state.counters["age_bsi_B_per_person"] =
      static_cast<double>(d.age_col->range_index().MemoryBytes()) / n;
  state.counters["seen_col_B_per_person"] = static_cast<double>(d.seen_col->MemoryBytes()) / n;
  state.counters["seen_bsi_B_per_person"] =
      static_cast<double>(d.seen_col->range_index().MemoryBytes()) / n;
}

void Sizes(benchmark::internal::Benchmark* b, bool with_queries, std::vector<int64_t> qs) {
  for (int64_t n : {1'000'000, 10'000'000}) {
    if (!with_queries) {
      b->Args({n, 0});
      continue;
    }
    for (int64_t q : qs) b->Args({n, q});
  }
}

}  // namespace

BENCHMARK(BM_RangeBsi)
    ->Apply([](auto* b) { Sizes(b, true, {0, 1, 2, 3}); })
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CountBsi)->Apply([](auto* b) { Sizes(b, false, {}); })->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScanCompare)
    ->Apply([](auto* b) { Sizes(b, true, {1, 3}); })
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VectorLoop)
    ->Apply([](auto* b) { Sizes(b, true, {0, 1, 2, 3}); })
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildBulk)
    ->Apply([](auto* b) { Sizes(b, true, {0, 1}); })
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildPerPersonSet)
    ->Apply([](auto* b) { Sizes(b, true, {0, 1}); })
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_Memory)->Apply([](auto* b) { Sizes(b, false, {}); })->Iterations(1);

BENCHMARK_MAIN();
