// IdMap throughput and memory: GetOrCreate and Find for integer and string
// ids, and bytes per person (counter "bytes_per_person").
//   ./ids_bench --benchmark_min_time=0.1
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "audience/ids/id_map.h"

namespace {

using audience::ExternalId;
using audience::IdMap;

constexpr int64_t kPeople = 1'000'000;

// Scattered 64-bit customer numbers.
std::vector<ExternalId> IntIds(int64_t n) {
  std::vector<ExternalId> ids;
  ids.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    ids.push_back(ExternalId::Int(static_cast<int64_t>(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL)));
  }
  return ids;
}

// Typical string ids: a prefix and a number, 12-20 bytes (some exceed the
// small-string buffer).
std::vector<ExternalId> StringIds(int64_t n) {
  std::vector<ExternalId> ids;
  ids.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ids.push_back(ExternalId::Str("user-" + std::to_string(i * 7919)));
  return ids;
}

const std::vector<ExternalId>& CachedInts() {
  static const std::vector<ExternalId> ids = IntIds(kPeople);
  return ids;
}
const std::vector<ExternalId>& CachedStrings() {
  static const std::vector<ExternalId> ids = StringIds(kPeople);
  return ids;
}

void Build(benchmark::State& state, const std::vector<ExternalId>& ids, bool reserve) {
  size_t bytes = 0;
  for (auto _ : state) {
    IdMap m;
    if (reserve) {
      if (ids.front().is_int()) {
        m.Reserve(ids.size());
      } else {
        m.ReserveStrings(ids.size());
      }
    }
    for (const ExternalId& id : ids) benchmark::DoNotOptimize(m.GetOrCreate(id));
    bytes = m.MemoryBytes();
    state.PauseTiming();
    { IdMap discard = std::move(m); }  // destruction is not timed
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ids.size()));
  state.counters["bytes_per_person"] =
      static_cast<double>(bytes) / static_cast<double>(ids.size());
}

void BM_GetOrCreateInt(benchmark::State& state) { Build(state, CachedInts(), false); }
void BM_GetOrCreateIntReserved(benchmark::State& state) { Build(state, CachedInts(), true); }
void BM_GetOrCreateString(benchmark::State& state) { Build(state, CachedStrings(), false); }
void BM_GetOrCreateStringReserved(benchmark::State& state) {
  Build(state, CachedStrings(), true);
}

void FindAll(benchmark::State& state, const std::vector<ExternalId>& ids) {
  IdMap m;
  for (const ExternalId& id : ids) (void)m.GetOrCreate(id);
  // Random order, so the lookups miss the cache as real traffic does.
  std::vector<uint32_t> order(ids.size());
  std::mt19937 rng(7);
  for (uint32_t& o : order) o = static_cast<uint32_t>(rng() % ids.size());
  for (auto _ : state) {
    for (uint32_t i : order) benchmark::DoNotOptimize(m.Find(ids[i]));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(order.size()));
  state.counters["bytes_per_person"] =
      static_cast<double>(m.MemoryBytes()) / static_cast<double>(ids.size());
}

void BM_FindInt(benchmark::State& state) { FindAll(state, CachedInts()); }
void BM_FindString(benchmark::State& state) { FindAll(state, CachedStrings()); }

// Links every person to a second id (an alias), then merges pairs.
void BM_LinkAliasesAndMerge(benchmark::State& state) {
  const int64_t n = kPeople / 4;
  for (auto _ : state) {
    IdMap m;
    for (int64_t i = 0; i < n; ++i) {
      benchmark::DoNotOptimize(m.Link(ExternalId::Int(i), ExternalId::Int(-i - 1)));
    }
    for (int64_t i = 0; i + 1 < n; i += 2) {
      benchmark::DoNotOptimize(m.Link(ExternalId::Int(i), ExternalId::Int(-i - 2)));
    }
  }
  state.SetItemsProcessed(state.iterations() * (n + n / 2));
}

// Memory of a 10M-person map with integer ids, the sizing target.
void BM_Memory10MInt(benchmark::State& state) {
  const int64_t n = 10'000'000;
  size_t bytes = 0;
  for (auto _ : state) {
    IdMap m;
    for (int64_t i = 0; i < n; ++i) {
      benchmark::DoNotOptimize(
          m.GetOrCreate(ExternalId::Int(static_cast<int64_t>(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL))));
    }
    bytes = m.MemoryBytes();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["bytes_per_person"] = static_cast<double>(bytes) / static_cast<double>(n);
}

BENCHMARK(BM_GetOrCreateInt)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GetOrCreateIntReserved)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GetOrCreateString)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GetOrCreateStringReserved)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FindInt)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FindString)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LinkAliasesAndMerge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memory10MInt)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
