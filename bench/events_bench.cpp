// EventIndex: ingest throughput and windowed reads over 1M events (100k people,
// 365 days), each read also timed as a naive full scan of a flat event vector.
// Counters: bytes_per_event (ingest), people (size of the answer).
//   ./events_bench --benchmark_min_time=0.1
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "audience/storage/event_index.h"

namespace {

using audience::Bitmap;
using audience::EventIndex;
using audience::EventInput;
using audience::EventTypeSpec;
using audience::kSecondsPerDay;
using audience::PersonId;
using audience::UnixSeconds;
using audience::WindowFilter;
using audience::WindowStats;

constexpr int kEvents = 1'000'000;
constexpr uint32_t kPeople = 100'000;
constexpr int kDays = 365;
constexpr uint32_t kCategories = 20;
// "Now": half a day after the last day, so 30-day windows have partial edges.
constexpr UnixSeconds kNow = UnixSeconds{kDays} * kSecondsPerDay + kSecondsPerDay / 2;

EventTypeSpec Spec() {
  return {.name = "purchase",
          .properties = {{.name = "category", .indexed = true}, {.name = "channel"}}};
}

// Mostly in time order with some late arrivals, like a real feed.
const std::vector<EventInput>& Events() {
  static const std::vector<EventInput> events = [] {
    std::mt19937_64 rng(42);
    std::vector<EventInput> v;
    v.reserve(kEvents);
    const char* channels[] = {"app", "web", "store"};
    for (int i = 0; i < kEvents; ++i) {
      UnixSeconds t = UnixSeconds{i} * kDays * kSecondsPerDay / kEvents;
      if (rng() % 20 == 0) t -= static_cast<UnixSeconds>(rng() % (3 * kSecondsPerDay));
      v.push_back({.person = static_cast<PersonId>(rng() % kPeople),
                   .time = std::max<UnixSeconds>(t, 0),
                   .amount = static_cast<double>(rng() % 20000) / 100,
                   .properties = {"cat" + std::to_string(rng() % kCategories), channels[rng() % 3]}});
    }
    return v;
  }();
  return events;
}

const EventIndex& Index() {
  static const EventIndex index = [] {
    EventIndex idx(Spec());
    for (const EventInput& e : Events()) idx.Add(e);
    return idx;
  }();
  return index;
}

// The naive baseline: a flat vector, scanned whole per question.
struct FlatEvent {
  PersonId person;
  uint32_t category;
  UnixSeconds time;
  double amount;
};
const std::vector<FlatEvent>& Flat() {
  static const std::vector<FlatEvent> flat = [] {
    std::vector<FlatEvent> v;
    v.reserve(kEvents);
    for (const EventInput& e : Events()) {
      v.push_back({e.person, static_cast<uint32_t>(std::stoul(e.properties[0].substr(3))), e.time,
                   e.amount});
    }
    return v;
  }();
  return flat;
}

WindowFilter Last(int days, bool with_category) {
  WindowFilter f{kNow - UnixSeconds{days} * kSecondsPerDay, kNow, {}};
  if (with_category) f.equals.push_back({0, *Index().FindPropertyValue(0, "cat3")});
  return f;
}

template <typename Pred>
Bitmap NaiveSelect(const WindowFilter& f, int category, Pred pred) {
  std::vector<WindowStats> stats(kPeople);
  for (const FlatEvent& e : Flat()) {
    if (e.time < f.from || e.time >= f.to) continue;
    if (category >= 0 && e.category != static_cast<uint32_t>(category)) continue;
    WindowStats& s = stats[e.person];
    ++s.count;
    s.sum += e.amount;
  }
  std::vector<PersonId> out;
  for (PersonId p = 0; p < kPeople; ++p) {
    if (stats[p].count > 0 && pred(stats[p])) out.push_back(p);
  }
  return Bitmap::FromIds(out);
}

void BM_Ingest(benchmark::State& state) {
  const std::vector<EventInput>& events = Events();
  size_t bytes = 0;
  for (auto _ : state) {
    EventIndex idx(Spec());
    for (const EventInput& e : events) idx.Add(e);
    bytes = idx.MemoryBytes();
    benchmark::DoNotOptimize(idx.event_count());
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / kEvents;
}
BENCHMARK(BM_Ingest)->Unit(benchmark::kMillisecond);

void Report(benchmark::State& state, const Bitmap& b) {
  state.counters["people"] = static_cast<double>(b.Cardinality());
}

void BM_DidInWindow(benchmark::State& state) {
  WindowFilter f = Last(static_cast<int>(state.range(0)), state.range(1) != 0);
  Index();
  Bitmap b;
  for (auto _ : state) benchmark::DoNotOptimize(b = Index().DidInWindow(f));
  Report(state, b);
}
BENCHMARK(BM_DidInWindow)->ArgNames({"days", "category"})->Args({30, 0})->Args({30, 1})->Args({365, 0})->Unit(benchmark::kMicrosecond);

void BM_NaiveDidInWindow(benchmark::State& state) {
  WindowFilter f = Last(static_cast<int>(state.range(0)), false);
  int category = state.range(1) != 0 ? 3 : -1;
  Flat();
  Bitmap b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(b = NaiveSelect(f, category, [](const WindowStats&) { return true; }));
  }
  Report(state, b);
}
BENCHMARK(BM_NaiveDidInWindow)->ArgNames({"days", "category"})->Args({30, 0})->Args({30, 1})->Args({365, 0})->Unit(benchmark::kMicrosecond);

void BM_SelectCountAtLeast2(benchmark::State& state) {
  WindowFilter f = Last(30, state.range(0) != 0);
  Index();
  Bitmap b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(b = Index().SelectInWindow(f, [](const WindowStats& s) { return s.count >= 2; }));
  }
  Report(state, b);
}
BENCHMARK(BM_SelectCountAtLeast2)->ArgName("category")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_NaiveCountAtLeast2(benchmark::State& state) {
  WindowFilter f = Last(30, false);
  int category = state.range(0) != 0 ? 3 : -1;
  Flat();
  Bitmap b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(b = NaiveSelect(f, category, [](const WindowStats& s) { return s.count >= 2; }));
  }
  Report(state, b);
}
BENCHMARK(BM_NaiveCountAtLeast2)->ArgName("category")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_SumInWindow(benchmark::State& state) {
  WindowFilter f = Last(static_cast<int>(state.range(0)), false);
  Index();
  Bitmap b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(b = Index().SelectInWindow(f, [](const WindowStats& s) { return s.sum >= 200; }));
  }
  Report(state, b);
}
BENCHMARK(BM_SumInWindow)->ArgName("days")->Arg(30)->Arg(365)->Unit(benchmark::kMicrosecond);

void BM_NaiveSumInWindow(benchmark::State& state) {
  WindowFilter f = Last(static_cast<int>(state.range(0)), false);
  Flat();
  Bitmap b;
  for (auto _ : state) {
    benchmark::DoNotOptimize(b = NaiveSelect(f, -1, [](const WindowStats& s) { return s.sum >= 200; }));
  }
  Report(state, b);
}
BENCHMARK(BM_NaiveSumInWindow)->ArgName("days")->Arg(30)->Arg(365)->Unit(benchmark::kMicrosecond);

void BM_Compact(benchmark::State& state) {
  size_t removed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    EventIndex idx = Index();
    state.ResumeTiming();
    removed = idx.Compact(kNow - 90 * kSecondsPerDay);
    benchmark::DoNotOptimize(removed);
  }
  state.counters["points_removed"] = static_cast<double>(removed);
}
BENCHMARK(BM_Compact)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
