// RfmInputsCache: after every Advance the inputs must be bitwise identical to
// a full RfmInputsFromStore at the new now (the oracle), on seeded random
// histories with present, future-dated, late and window-edge events,
// deletions and merges; plus the re-read counts and every error path.
#include "audience/classify/rfm_incremental.h"

#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"

using namespace audience;

namespace {

using Freq = RfmStoreOptions::Frequency;
using Mon = RfmStoreOptions::Monetary;

constexpr int64_t kDay = 86400;

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

Store PurchaseStore() {
  Store store;
  REQUIRE(store.AddEventType({.name = "purchase"}).ok());
  REQUIRE(store.AddEventType({.name = "visit"}).ok());
  return store;
}

void MustApply(Store& store, const WriteBatch& b) {
  auto r = store.Apply(b);
  INFO(r.status().message());
  REQUIRE(r.ok());
}

// Bitwise equality, people and every double.
void CheckIdentical(const RfmStoreInputs& got, const RfmStoreInputs& want) {
  REQUIRE(got.people == want.people);
  REQUIRE(got.inputs.size() == want.inputs.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.inputs.size(); ++i) {
    const RfmInput& a = got.inputs[i];
    const RfmInput& b = want.inputs[i];
    if (std::bit_cast<uint64_t>(a.recency_days) != std::bit_cast<uint64_t>(b.recency_days) ||
        std::bit_cast<uint64_t>(a.frequency) != std::bit_cast<uint64_t>(b.frequency) ||
        std::bit_cast<uint64_t>(a.monetary) != std::bit_cast<uint64_t>(b.monetary)) {
      if (bad++ == 0) {
        INFO("person " << got.people[i] << ": got " << a.recency_days << "/" << a.frequency << "/"
                       << a.monetary << ", want " << b.recency_days << "/" << b.frequency << "/"
                       << b.monetary);
        CHECK(false);
      }
    }
  }
  CHECK(bad == 0);
}

RfmStoreInputs Oracle(const Store& store, const RfmStoreOptions& o) {
  auto r = RfmInputsFromStore(store, o);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return *std::move(r);
}

RfmInputsCache MustBuild(const Store& store, const RfmStoreOptions& o) {
  auto c = RfmInputsCache::Build(store, o);
  INFO(c.status().message());
  REQUIRE(c.ok());
  return *std::move(c);
}

size_t MustAdvance(RfmInputsCache& cache, const Store& store, absl::Time now) {
  auto r = cache.Advance(store, now);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(*r == cache.stats().reread);
  CHECK(cache.options().now == now);
  return *r;
}

// Cents, so sums are not trivially exact; sometimes 0 or large.
double Amount(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return 1e6 + static_cast<double>(rng() % 100000) / 7.0;
    default: return static_cast<double>(rng() % 100000) / 100.0;
  }
}

struct Tally {
  int steps = 0;
  int fast = 0;       // Advance without the full aggregate scan
  int full = 0;       // with it
  uint64_t reread = 0;
  uint64_t tracked = 0;
};

// One random history for one option set. `now` starts inside 2024 and
// moves forward by steps of zero, sub-second, hours or days.
Tally RunRandom(const RfmStoreOptions& base, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Store store = PurchaseStore();
  int next_id = 1;
  std::vector<int> ids;  // live external ids (may have no events)
  absl::Time now = Day(2024, 3, 1) + absl::Seconds(static_cast<int64_t>(rng() % kDay));
  if (rng() % 2) now += absl::Milliseconds(static_cast<int64_t>(rng() % 1000));
  {
    WriteBatch b(now);
    for (int i = 0; i < 120; ++i) {
      const int id = next_id++;
      ids.push_back(id);
      b.Upsert(ExternalId::Int(id));
      const int k = static_cast<int>(rng() % 5);
      for (int e = 0; e < k; ++e) {
        const int64_t back = static_cast<int64_t>(rng() % (200 * kDay)) - 5 * kDay;  // some future
        b.Purchase(ExternalId::Int(id), now - absl::Seconds(back), Amount(rng));
      }
      if (rng() % 4 == 0) b.AddEvent(ExternalId::Int(id), "visit", now, 1);  // other type
    }
    MustApply(store, b);
  }
  RfmStoreOptions o = base;
  o.now = now;
  RfmInputsCache cache = MustBuild(store, o);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  CHECK(cache.stats().reread == cache.tracked_people());

  Tally tally;
  for (int step = 0; step < 60; ++step) {
    INFO("seed " << seed << " step " << step);
    // The next now.
    absl::Time next = now;
    switch (rng() % 6) {
      case 0: break;
      case 1: next += absl::Milliseconds(static_cast<int64_t>(1 + rng() % 1500)); break;
      case 2: next += absl::Seconds(static_cast<int64_t>(rng() % 7200)); break;
      case 3: next += absl::Seconds(static_cast<int64_t>(rng() % (3 * kDay))); break;
      case 4: next += absl::Hours(24); break;
      default: next += absl::Seconds(static_cast<int64_t>(rng() % (40 * kDay))); break;
    }
    const UnixSeconds hi0 = absl::ToUnixSeconds(now), hi1 = absl::ToUnixSeconds(next);
    const UnixSeconds lo1 = o.window ? absl::ToUnixSeconds(next - *o.window) : hi1 - 300 * kDay;
    const UnixSeconds lo0 = o.window ? absl::ToUnixSeconds(now - *o.window) : hi0 - 300 * kDay;
    // Writes before the Advance (the batch time does not matter for events).
    WriteBatch b(now);
    const int writes = static_cast<int>(rng() % 8);
    for (int w = 0; w < writes; ++w) {
      auto person = [&] {
        if (rng() % 6 == 0 || ids.empty()) {
          ids.push_back(next_id++);
          return ids.back();
        }
        return ids[rng() % ids.size()];
      };
      UnixSeconds t = 0;
      switch (rng() % 10) {
        case 0: case 1: case 2:  // between the two nows: new purchases
          t = hi0 + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi1 - hi0 + 1));
          break;
        case 3: t = hi1 + 1 + static_cast<int64_t>(rng() % (20 * kDay)); break;  // future
        case 4: t = hi0 - static_cast<int64_t>(rng() % kDay); break;  // less than a day late
        case 5: t = hi0 - static_cast<int64_t>(rng() % (400 * kDay)); break;  // late, old
        case 6: {  // exactly at an edge, or one second beside it
          const UnixSeconds edges[] = {hi0, hi1, lo0, lo1};
          t = edges[rng() % 4] + static_cast<int64_t>(rng() % 3) - 1;
          break;
        }
        case 7: {  // a merge: alias's person joins primary's
          if (ids.size() < 3) break;
          const size_t a = rng() % ids.size();
          size_t c = rng() % ids.size();
          if (c == a) c = (c + 1) % ids.size();
          b.Link(ExternalId::Int(ids[a]), ExternalId::Int(ids[c]));
          ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(c));
          continue;
        }
        case 8: {  // a deletion
          if (ids.size() < 3 || rng() % 2) break;
          const size_t a = rng() % ids.size();
          b.Delete(ExternalId::Int(ids[a]));
          ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(a));
          continue;
        }
        default:
          t = hi1 - static_cast<int64_t>(rng() % (60 * kDay));
          break;
      }
      if (t == 0) continue;
      const int id = person();
      b.Purchase(ExternalId::Int(id), absl::FromUnixSeconds(t), Amount(rng));
      if (rng() % 3 == 0) b.AddEvent(ExternalId::Int(id), "visit", absl::FromUnixSeconds(t), 2);
    }
    if (!b.empty()) MustApply(store, b);
    // Sometimes a second Advance without writes in between.
    MustAdvance(cache, store, next);
    if (rng() % 5 == 0) {
      const size_t again = MustAdvance(cache, store, next);
      CHECK(again == 0);
      CHECK_FALSE(cache.stats().full_scan);
    }
    now = next;
    o.now = now;
    CheckIdentical(cache.inputs(), Oracle(store, o));
    const Bitmap& people = store.event_type(*store.schema().EventTypeIdOf("purchase")).People();
    CHECK(cache.tracked_people() == people.Cardinality());
    ++tally.steps;
    (cache.stats().full_scan ? tally.full : tally.fast)++;
    tally.reread += cache.stats().reread;
    tally.tracked += cache.tracked_people();
  }
  return tally;
}

}  // namespace

TEST_CASE("RfmInputsCache equals a full read after every Advance", "[classify][rfm][incremental]") {
  uint64_t seed = 1000;
  int fast = 0, full = 0;
  uint64_t reread = 0, tracked = 0;
  for (bool windowed : {false, true}) {
    for (Freq f : {Freq::kEvents, Freq::kDistinctDays}) {
      for (Mon m : {Mon::kSum, Mon::kMean}) {
        for (int rep = 0; rep < 3; ++rep) {
          RfmStoreOptions o{.frequency = f, .monetary = m};
          if (windowed) {
            // Whole days, odd seconds, or a sub-second part.
            const absl::Duration windows[] = {absl::Hours(24 * 30),
                                              absl::Seconds(45 * kDay + 3601),
                                              absl::Hours(24 * 7) + absl::Milliseconds(500)};
            o.window = windows[rep];
          }
          INFO("windowed " << windowed << " freq " << static_cast<int>(f) << " mon "
                           << static_cast<int>(m) << " rep " << rep);
          const Tally t = RunRandom(o, ++seed);
          fast += t.fast;
          full += t.full;
          reread += t.reread;
          tracked += t.tracked;
        }
      }
    }
  }
  // Both paths ran, and the cheap one re-read a minority.
  CHECK(fast > 100);
  CHECK(full > 100);
  CHECK(reread < tracked / 2);
}

TEST_CASE("RfmInputsCache re-reads only the people that can have changed",
          "[classify][rfm][incremental]") {
  Store store = PurchaseStore();
  const absl::Time t0 = Day(2025, 6, 1) + absl::Hours(12) + absl::Milliseconds(250);
  WriteBatch b(t0);
  // Person i bought on day -i (i = 0..99) at 10:00.
  for (int i = 0; i < 100; ++i) {
    b.Purchase(ExternalId::Int(i), Day(2025, 6, 1) - absl::Hours(24 * i) + absl::Hours(10), 10 + i);
  }
  MustApply(store, b);
  RfmStoreOptions o{.now = t0, .window = absl::Hours(24 * 30)};
  RfmInputsCache cache = MustBuild(store, o);
  CHECK(cache.inputs().people.size() == 30);  // days 0..29 are inside
  CHECK(cache.stats().reread == 100);

  // Nothing written, half a second later: nobody re-read, recency moves.
  CHECK(MustAdvance(cache, store, t0 + absl::Milliseconds(500)) == 0);
  CHECK_FALSE(cache.stats().full_scan);
  o.now = t0 + absl::Milliseconds(500);
  CheckIdentical(cache.inputs(), Oracle(store, o));

  // Two purchases today and one for a new person; a day later person 29
  // (bought at day -29 10:00) leaves the 30-day window.
  WriteBatch today(t0);
  today.Purchase(ExternalId::Int(3), t0 + absl::Hours(2), 5);
  today.Purchase(ExternalId::Int(50), t0 + absl::Hours(3), 7);
  today.Purchase(ExternalId::Int(1000), t0 + absl::Hours(4), 9);
  MustApply(store, today);
  o.now = t0 + absl::Hours(24);
  CHECK(MustAdvance(cache, store, o.now) == 4);  // 3, 50, 1000 and 29
  CHECK_FALSE(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  CHECK(cache.inputs().people.size() == 30 - 1 + 2);

  // A purchase half a day late is found without the full scan...
  WriteBatch late(o.now);
  late.Purchase(ExternalId::Int(70), o.now - absl::Hours(12), 1);
  MustApply(store, late);
  CHECK(MustAdvance(cache, store, o.now) == 1);
  CHECK_FALSE(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  // ... and so is a future-dated one (read now, counted later).
  WriteBatch future(o.now);
  future.Purchase(ExternalId::Int(80), o.now + absl::Hours(24 * 3), 1);
  MustApply(store, future);
  CHECK(MustAdvance(cache, store, o.now) == 1);
  CHECK_FALSE(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  // When the new now reaches it, person 80 is re-read again and enters.
  o.now += absl::Hours(24 * 3);
  MustAdvance(cache, store, o.now);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  CHECK(std::find(cache.inputs().people.begin(), cache.inputs().people.end(),
                  *store.Find(ExternalId::Int(80))) != cache.inputs().people.end());

  // A purchase months late needs the aggregate scan; still one re-read.
  WriteBatch old(o.now);
  old.Purchase(ExternalId::Int(90), o.now - absl::Hours(24 * 20), 1);
  MustApply(store, old);
  CHECK(MustAdvance(cache, store, o.now) == 1);
  CHECK(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));

  // A deletion is explained by the counts; a merge needs the scan.
  WriteBatch del(o.now);
  del.Delete(ExternalId::Int(2));
  MustApply(store, del);
  CHECK(MustAdvance(cache, store, o.now) == 0);
  CHECK_FALSE(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  WriteBatch merge(o.now);
  merge.Link(ExternalId::Int(60), ExternalId::Int(4));
  MustApply(store, merge);
  CHECK(MustAdvance(cache, store, o.now) == 1);  // person 60 now holds 4's events
  CHECK(cache.stats().full_scan);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  CHECK(cache.tracked_people() == 100 - 2 + 1);
  CHECK(cache.MemoryBytes() > 0);
}

TEST_CASE("RfmInputsCache at exact window and now edges", "[classify][rfm][incremental]") {
  Store store = PurchaseStore();
  const absl::Time t0 = Day(2025, 1, 10) + absl::Milliseconds(999);
  const UnixSeconds s0 = absl::ToUnixSeconds(t0);
  WriteBatch b(t0);
  b.Purchase(ExternalId::Int(1), absl::FromUnixSeconds(s0), 4);          // at now: in
  b.Purchase(ExternalId::Int(2), absl::FromUnixSeconds(s0 + 1), 4);      // after: out
  b.Purchase(ExternalId::Int(3), absl::FromUnixSeconds(s0 - kDay), 4);   // at now - window: out
  b.Purchase(ExternalId::Int(4), absl::FromUnixSeconds(s0 - kDay + 1), 4);  // in
  MustApply(store, b);
  for (Freq f : {Freq::kEvents, Freq::kDistinctDays}) {
    for (Mon m : {Mon::kSum, Mon::kMean}) {
      RfmStoreOptions o{.now = t0, .window = absl::Hours(24), .frequency = f, .monetary = m};
      RfmInputsCache cache = MustBuild(store, o);
      CheckIdentical(cache.inputs(), Oracle(store, o));
      CHECK(cache.inputs().people.size() == 2);  // 1 and 4
      // One millisecond later the whole second ticks: 2 enters (t = now),
      // 4's event sits at now - window and leaves.
      o.now = t0 + absl::Milliseconds(1);
      CHECK(MustAdvance(cache, store, o.now) == 2);
      CheckIdentical(cache.inputs(), Oracle(store, o));
      CHECK(cache.inputs().people.size() == 2);  // 1 and 2
    }
  }
}

TEST_CASE("RfmInputsCache reports errors and stays unchanged", "[classify][rfm][incremental]") {
  Store store = PurchaseStore();
  WriteBatch b(Day(2025, 1, 1));
  b.Purchase(ExternalId::Int(1), Day(2024, 12, 1), 10);
  MustApply(store, b);
  RfmStoreOptions o{.now = Day(2025, 1, 1)};

  RfmInputsCache empty;
  CHECK_FALSE(empty.built());
  auto r = empty.Advance(store, o.now);
  REQUIRE(r.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(r.status().message()).find("Build") != std::string::npos);

  // Build fails exactly as RfmInputsFromStore does.
  RfmStoreOptions bad = o;
  bad.event_type = "refund";
  auto c = RfmInputsCache::Build(store, bad);
  REQUIRE(c.status().code() == absl::StatusCode::kNotFound);
  CHECK(c.status() == RfmInputsFromStore(store, bad).status());
  CHECK(std::string(c.status().message()) ==
        "unknown event type 'refund' (known: 'purchase', 'visit')");
  bad = o;
  bad.window = absl::ZeroDuration();
  c = RfmInputsCache::Build(store, bad);
  REQUIRE(c.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(c.status().message()).find("window") != std::string::npos);
  bad = o;
  bad.now = absl::InfinitePast();
  CHECK(RfmInputsCache::Build(store, bad).status().code() == absl::StatusCode::kInvalidArgument);

  RfmInputsCache cache = MustBuild(store, o);
  const RfmStoreInputs before = cache.inputs();
  // Going back names both times.
  r = cache.Advance(store, o.now - absl::Seconds(1));
  REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
  const std::string msg(r.status().message());
  CHECK(msg.find("2024-12-31T23:59:59+00:00") != std::string::npos);
  CHECK(msg.find("2025-01-01T00:00:00+00:00") != std::string::npos);
  // Sub-second backwards too.
  CHECK(cache.Advance(store, o.now - absl::Nanoseconds(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  r = cache.Advance(store, absl::InfiniteFuture());
  REQUIRE(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(r.status().message()).find("now must be finite") != std::string::npos);
  // A store without the event type (not the cache's store).
  Store other;
  r = cache.Advance(other, o.now);
  REQUIRE(r.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(r.status().message()) == "unknown event type 'purchase' (known: none)");
  // None of that changed the cache.
  CHECK(cache.options().now == o.now);
  CheckIdentical(cache.inputs(), before);
  CHECK(MustAdvance(cache, store, o.now) == 0);
  CheckIdentical(cache.inputs(), Oracle(store, o));
}

TEST_CASE("RfmInputsCache after compaction: Build again", "[classify][rfm][incremental]") {
  Store store = PurchaseStore();
  const absl::Time t0 = Day(2025, 3, 1);
  WriteBatch b(t0);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    for (int k = 0; k < 4; ++k) {
      b.Purchase(ExternalId::Int(i), t0 - absl::Seconds(static_cast<int64_t>(rng() % (90 * kDay))),
                 Amount(rng));
    }
  }
  MustApply(store, b);
  RfmStoreOptions o{.now = t0};
  RfmInputsCache cache = MustBuild(store, o);
  REQUIRE(store.CompactEvents(t0) > 0);
  // The documented rule: compaction is invisible to Advance (no count
  // moves), and a new Build matches the compacted store.
  CHECK(MustAdvance(cache, store, t0 + absl::Hours(1)) == 0);
  o.now = t0 + absl::Hours(1);
  cache = MustBuild(store, o);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  MustAdvance(cache, store, t0 + absl::Hours(30));
  o.now = t0 + absl::Hours(30);
  CheckIdentical(cache.inputs(), Oracle(store, o));
  CHECK(cache.SameScope(RfmStoreOptions{.now = t0}));
  CHECK_FALSE(cache.SameScope(RfmStoreOptions{.now = t0, .window = absl::Hours(1)}));
  CHECK_FALSE(cache.SameScope(RfmStoreOptions{.now = t0, .monetary = Mon::kMean}));
}
