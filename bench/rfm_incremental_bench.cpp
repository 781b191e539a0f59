// Incremental RFM (classify/rfm_incremental.h): a full RfmInputsFromStore
// against RfmInputsCache::Advance after one day in which ~1 % of the people
// bought, and the rescoring (ScoreRfm) of the cached inputs.
//
//   build-rfm/bench/rfm_incremental_bench [--people=1000000[,10000000]]
//       [--benchmark_filter=...]
//
// Store: `people` customers, each with 1 + Poisson(2) purchases (mean 3)
// spread uniformly over the year before "now", amounts in cents; loaded once
// per size with WriteBatch::Purchase (10M: about 30M events, several GB
// and a few minutes to load). Benchmarks of a size share that store and
// its `now`, which the Advance benchmarks move forward a day per iteration:
// untimed, n/100 purchases (a tenth by new people) land in the coming day,
// then the timed Advance runs. The _late variant adds one purchase dated 30
// days back, which forces the aggregate scan (stats().full_scan).
// Each Advance benchmark checks, after its loop, that the cache is bitwise
// equal to a full read (the run aborts otherwise). Counters: reread (people
// whose timelines were walked, per Advance), full_scan (fraction of
// Advances), cache_MiB, scored (people with inputs).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "audience/classify/rfm_incremental.h"

namespace {

using namespace audience;

constexpr int64_t kStart = 1'700'000'000;  // "now" when loaded
constexpr int64_t kDay = kSecondsPerDay;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "FATAL: %s\n", what.c_str());
  std::abort();
}
template <typename T>
T Must(absl::StatusOr<T> v, const char* what) {
  if (!v.ok()) Die(std::string(what) + ": " + std::string(v.status().message()));
  return *std::move(v);
}

struct World {
  Store store;
  uint32_t people = 0;
  uint32_t next_id = 0;  // external ids of new people
  int64_t now = kStart;
  std::mt19937_64 rng{42};
};

World& GetWorld(uint32_t n) {
  static std::map<uint32_t, std::unique_ptr<World>> worlds;
  auto& slot = worlds[n];
  if (slot) return *slot;
  slot = std::make_unique<World>();
  World& w = *slot;
  w.people = w.next_id = n;
  if (!w.store.AddEventType({.name = "purchase"}).ok()) Die("event type");
  std::poisson_distribution<int> extra(2.0);
  std::uniform_int_distribution<int64_t> when(0, 365 * kDay - 1);
  std::lognormal_distribution<double> amount(3.5, 0.8);
  constexpr size_t kBatch = 500'000;
  auto batch = std::make_unique<WriteBatch>(absl::FromUnixSeconds(kStart));
  uint64_t events = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const int k = 1 + extra(w.rng);
    for (int e = 0; e < k; ++e) {
      batch->Purchase(ExternalId::Int(i), absl::FromUnixSeconds(kStart - when(w.rng)),
                      static_cast<double>(static_cast<int64_t>(amount(w.rng) * 100)) / 100);
    }
    events += static_cast<uint64_t>(k);
    if (batch->size() >= kBatch || i + 1 == n) {
      if (!w.store.Apply(*batch).ok()) Die("load batch");
      batch = std::make_unique<WriteBatch>(absl::FromUnixSeconds(kStart));
    }
  }
  w.store.Optimize();
  std::fprintf(stderr, "loaded %u people, %llu purchases; store %.0f MiB\n", n,
               static_cast<unsigned long long>(events),
               static_cast<double>(w.store.Memory().total()) / (1 << 20));
  return w;
}

RfmStoreOptions Options(const World& w, bool windowed) {
  RfmStoreOptions o;
  o.now = absl::FromUnixSeconds(w.now) + absl::Milliseconds(500);
  if (windowed) o.window = absl::Hours(24 * 365);
  return o;
}

// One day of purchases after w.now: n/100 buyers, a tenth of them new.
void WriteNextDay(World& w, bool late) {
  WriteBatch b(absl::FromUnixSeconds(w.now));
  const uint32_t buyers = std::max<uint32_t>(1, w.people / 100);
  std::uniform_int_distribution<int64_t> when(1, kDay);
  for (uint32_t i = 0; i < buyers; ++i) {
    const uint32_t id = i % 10 == 0 ? w.next_id++ : static_cast<uint32_t>(w.rng() % w.people);
    b.Purchase(ExternalId::Int(id), absl::FromUnixSeconds(w.now + when(w.rng)),
               static_cast<double>(w.rng() % 20000) / 100);
  }
  if (late) {
    b.Purchase(ExternalId::Int(static_cast<int64_t>(w.rng() % w.people)),
               absl::FromUnixSeconds(w.now - 30 * kDay), 9.99);
  }
  if (!w.store.Apply(b).ok()) Die("day batch");
  w.now += kDay;
}

void CheckSame(const RfmInputsCache& cache, const Store& store) {
  const RfmStoreInputs full = Must(RfmInputsFromStore(store, cache.options()), "full read");
  const RfmStoreInputs& got = cache.inputs();
  if (got.people != full.people || got.inputs.size() != full.inputs.size() ||
      std::memcmp(got.inputs.data(), full.inputs.data(),
                  got.inputs.size() * sizeof(RfmInput)) != 0) {
    Die("RfmInputsCache differs from RfmInputsFromStore");
  }
}

void BM_FullRead(benchmark::State& state) {
  World& w = GetWorld(static_cast<uint32_t>(state.range(0)));
  const RfmStoreOptions o = Options(w, state.range(1) != 0);
  size_t scored = 0;
  for (auto _ : state) {
    RfmStoreInputs in = Must(RfmInputsFromStore(w.store, o), "RfmInputsFromStore");
    scored = in.people.size();
    benchmark::DoNotOptimize(in.inputs.data());
  }
  state.counters["scored"] = static_cast<double>(scored);
}

void BM_Build(benchmark::State& state) {
  World& w = GetWorld(static_cast<uint32_t>(state.range(0)));
  const RfmStoreOptions o = Options(w, state.range(1) != 0);
  RfmInputsCache cache;
  for (auto _ : state) cache = Must(RfmInputsCache::Build(w.store, o), "Build");
  state.counters["cache_MiB"] = static_cast<double>(cache.MemoryBytes()) / (1 << 20);
  state.counters["scored"] = static_cast<double>(cache.inputs().people.size());
}

void AdvanceDay(benchmark::State& state, bool late) {
  World& w = GetWorld(static_cast<uint32_t>(state.range(0)));
  RfmInputsCache cache = Must(RfmInputsCache::Build(w.store, Options(w, state.range(1) != 0)),
                              "Build");
  uint64_t reread = 0, scans = 0, steps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    WriteNextDay(w, late);
    const absl::Time now = Options(w, false).now;
    state.ResumeTiming();
    reread += Must(cache.Advance(w.store, now), "Advance");
    scans += cache.stats().full_scan ? 1 : 0;
    ++steps;
  }
  CheckSame(cache, w.store);
  state.counters["reread"] = static_cast<double>(reread) / static_cast<double>(steps);
  state.counters["full_scan"] = static_cast<double>(scans) / static_cast<double>(steps);
  state.counters["cache_MiB"] = static_cast<double>(cache.MemoryBytes()) / (1 << 20);
  state.counters["scored"] = static_cast<double>(cache.inputs().people.size());
}
void BM_AdvanceDay(benchmark::State& state) { AdvanceDay(state, false); }
void BM_AdvanceDay_late(benchmark::State& state) { AdvanceDay(state, true); }

// Rescoring alone: ScoreRfm (quantile, 5 bins) on the cached inputs.
void BM_ScoreCached(benchmark::State& state) {
  World& w = GetWorld(static_cast<uint32_t>(state.range(0)));
  const RfmInputsCache cache =
      Must(RfmInputsCache::Build(w.store, Options(w, state.range(1) != 0)), "Build");
  for (auto _ : state) {
    RfmResult r = Must(ScoreRfm(cache.inputs().inputs, RfmOptions{}), "ScoreRfm");
    benchmark::DoNotOptimize(r.scores.data());
  }
  state.counters["scored"] = static_cast<double>(cache.inputs().people.size());
}

}  // namespace

// --people=N[,M...]: the store sizes (default 1M); the rest goes to
// Google Benchmark.
int main(int argc, char** argv) {
  std::vector<int64_t> sizes = {1'000'000};
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strncmp(argv[i], "--people=", 9) == 0) {
      sizes.clear();
      for (std::string s = argv[i] + 9; !s.empty();) {
        const size_t cut = s.find(',');
        sizes.push_back(std::stoll(s.substr(0, cut)));
        s = cut == std::string::npos ? "" : s.substr(cut + 1);
      }
      continue;
    }
    args.push_back(argv[i]);
  }
  for (int64_t n : sizes) {
    const int iters = n >= 5'000'000 ? 3 : 10;
    for (int64_t windowed : {0, 1}) {
      const std::vector<int64_t> a = {n, windowed};
      benchmark::RegisterBenchmark("BM_FullRead", BM_FullRead)->Args(a)->ArgNames({"people", "window"})
          ->Unit(benchmark::kMillisecond)->Iterations(iters)->UseRealTime();
      benchmark::RegisterBenchmark("BM_Build", BM_Build)->Args(a)->ArgNames({"people", "window"})
          ->Unit(benchmark::kMillisecond)->Iterations(iters)->UseRealTime();
      benchmark::RegisterBenchmark("BM_AdvanceDay", BM_AdvanceDay)->Args(a)
          ->ArgNames({"people", "window"})->Unit(benchmark::kMillisecond)->Iterations(10)
          ->UseRealTime();
      benchmark::RegisterBenchmark("BM_AdvanceDay_late", BM_AdvanceDay_late)->Args(a)
          ->ArgNames({"people", "window"})->Unit(benchmark::kMillisecond)->Iterations(10)
          ->UseRealTime();
      benchmark::RegisterBenchmark("BM_ScoreCached", BM_ScoreCached)->Args(a)
          ->ArgNames({"people", "window"})->Unit(benchmark::kMillisecond)->Iterations(iters)
          ->UseRealTime();
    }
  }
  int new_argc = static_cast<int>(args.size());
  benchmark::Initialize(&new_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(new_argc, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
