#include "audience/storage/event_index.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

using namespace audience;

namespace {

constexpr UnixSeconds kDay = kSecondsPerDay;
constexpr PersonId kPeople = 300;

// category (indexed), channel (not indexed), brand (indexed).
EventTypeSpec Purchase() {
  return {.name = "purchase",
          .properties = {{.name = "category", .indexed = true},
                         {.name = "channel"},
                         {.name = "brand", .indexed = true}}};
}

UnixSeconds DayStart(UnixSeconds t) {
  UnixSeconds d = t / kDay;
  if (t % kDay < 0) --d;
  return d * kDay;
}

// The obviously-right oracle: a flat list of every accepted event, scanned
// whole for each question. `seen` is the time windows see: the event's time,
// or its day start once compacted.
struct Oracle {
  struct Event {
    EventInput in;
    UnixSeconds seen;
  };
  std::vector<Event> events;

  void Compact(UnixSeconds horizon) {
    for (Event& e : events) e.seen = e.seen < horizon ? DayStart(e.seen) : e.seen;
  }
  std::vector<WindowStats> Stats(const WindowFilter& f, const EventIndex& idx) const {
    std::vector<WindowStats> out(kPeople);
    for (const auto& [e, t] : events) {
      if (t < f.from || t >= f.to) continue;
      bool ok = true;
      for (const PropertyEquals& eq : f.equals) {
        std::string v = eq.property < e.properties.size() ? e.properties[eq.property] : "";
        ok = ok && !v.empty() && eq.value_id < idx.PropertyValueCount(eq.property) &&
             idx.PropertyValueName(eq.property, eq.value_id) == v;
      }
      if (!ok) continue;
      WindowStats& s = out[e.person];
      s.first = s.count == 0 ? t : std::min(s.first, t);
      s.last = s.count == 0 ? t : std::max(s.last, t);
      s.max = s.count == 0 ? e.amount : std::max(s.max, e.amount);
      ++s.count;
      s.sum += e.amount;
    }
    return out;
  }
  std::optional<PersonAggregate> Aggregate(PersonId p) const {
    std::optional<PersonAggregate> a;
    for (const auto& [e, seen] : events) {
      if (e.person != p) continue;
      if (!a) a = PersonAggregate{0, e.time, e.time, 0, e.amount};
      ++a->count;
      a->first_time = std::min(a->first_time, e.time);
      a->last_time = std::max(a->last_time, e.time);
      a->sum += e.amount;
      a->max = std::max(a->max, e.amount);
    }
    return a;
  }
};

struct World {
  std::mt19937 rng{20240607};
  EventIndex idx{Purchase()};
  Oracle oracle;
  std::set<std::string> ids;

  uint32_t Pick(uint32_t n) { return static_cast<uint32_t>(rng() % n); }
  EventInput RandomEvent(int32_t first_day, int32_t days) {
    static const char* kCategories[] = {"", "skincare", "shoes", "toys", "café"};
    static const char* kChannels[] = {"", "app", "web"};
    static const char* kBrands[] = {"", "acme", "zeta"};
    EventInput e{.person = Pick(kPeople),
                 .time = UnixSeconds{first_day + static_cast<int32_t>(Pick(days))} * kDay +
                         (Pick(10) == 0 ? 0 : Pick(static_cast<uint32_t>(kDay))),
                 .amount = static_cast<double>(Pick(400)) / 4 - 10,  // exact sums in any order
                 .properties = {kCategories[Pick(5)], kChannels[Pick(3)], kBrands[Pick(3)]}};
    e.properties.resize(Pick(4));  // shorter = absent
    if (Pick(3) == 0) e.event_id = "e" + std::to_string(Pick(3000));
    return e;
  }
  void Add(const EventInput& e) {
    REQUIRE(idx.Check(e).ok());
    bool fresh = e.event_id.empty() || ids.insert(e.event_id).second;
    REQUIRE(idx.Add(e) == fresh);
    if (fresh) oracle.events.push_back({e, e.time});
  }
  void Fill(int n, int32_t first_day = -5, int32_t days = 65) {
    for (int i = 0; i < n; ++i) Add(RandomEvent(first_day, days));
  }
  WindowFilter RandomFilter() {
    WindowFilter f;
    f.from = UnixSeconds{static_cast<int32_t>(Pick(75)) - 8} * kDay +
             (Pick(2) == 0 ? 0 : Pick(static_cast<uint32_t>(kDay)));
    UnixSeconds len = UnixSeconds{Pick(25)} * kDay;
    if (Pick(2) == 0) len += Pick(static_cast<uint32_t>(kDay));
    if (Pick(20) == 0) len = -static_cast<UnixSeconds>(Pick(1000));  // empty window
    f.to = f.from + len;
    auto value = [&](uint32_t prop) { return Pick(static_cast<uint32_t>(idx.PropertyValueCount(prop))); };
    switch (Pick(9)) {
      case 1: f.equals = {{0, value(0)}}; break;
      case 2: f.equals = {{1, value(1)}}; break;            // not indexed
      case 3: f.equals = {{0, value(0)}, {2, value(2)}}; break;  // two indexed
      case 4: f.equals = {{1, value(1)}, {0, value(0)}}; break;
      case 5: f.equals = {{2, value(2)}}; break;
      case 6: f.equals = {{0, static_cast<uint32_t>(idx.PropertyValueCount(0))}}; break;  // unknown
      case 7: f.equals = {{0, value(0)}, {0, value(0)}}; break;  // same property twice
      case 8: f.equals = {{9, 0}}; break;                        // unknown property
      default: break;
    }
    return f;
  }
  // Every window read against the oracle, for `queries` random filters.
  void CheckQueries(int queries) {
    for (int q = 0; q < queries; ++q) {
      WindowFilter f = RandomFilter();
      std::vector<WindowStats> want = oracle.Stats(f, idx);
      uint32_t k = 1 + Pick(4);
      double threshold = Pick(300);
      Bitmap did, at_least, exactly, more, rich;
      for (PersonId p = 0; p < kPeople; ++p) {
        const WindowStats& s = want[p];
        WindowStats got = idx.StatsInWindow(p, f);
        INFO("person " << p << " from " << f.from << " to " << f.to << " count " << got.count << "/"
                       << s.count << " sum " << got.sum << "/" << s.sum << " max " << got.max << "/"
                       << s.max << " first " << got.first << "/" << s.first << " last " << got.last
                       << "/" << s.last);
        REQUIRE(got == s);
        if (s.count == 0) continue;
        did.Add(p);
        if (s.count >= k) at_least.Add(p);
        if (s.count == k) exactly.Add(p);
        if (s.count > k) more.Add(p);
        if (s.sum >= threshold) rich.Add(p);
      }
      INFO("query " << q << " from " << f.from << " to " << f.to << " equalities " << f.equals.size());
      REQUIRE(idx.DidInWindow(f) == did);
      REQUIRE(idx.SelectInWindow(f, [&](const WindowStats& s) { return s.count >= k; }) == at_least);
      REQUIRE(idx.SelectInWindow(f, [&](const WindowStats& s) { return s.count == k; }) == exactly);
      // At most K includes those with none: the caller subtracts from the universe.
      Bitmap universe = Bitmap::FromRange(0, kPeople);
      REQUIRE(universe - idx.SelectInWindow(f, [&](const WindowStats& s) { return s.count > k; }) ==
              universe - more);
      REQUIRE(idx.SelectInWindow(f, [&](const WindowStats& s) { return s.sum >= threshold; }) == rich);
    }
  }
  void CheckAggregates() {
    Bitmap people;
    for (PersonId p = 0; p < kPeople; ++p) {
      std::optional<PersonAggregate> want = oracle.Aggregate(p);
      const PersonAggregate* got = idx.Aggregate(p);
      REQUIRE((got != nullptr) == want.has_value());
      if (want) {
        REQUIRE(*got == *want);
        people.Add(p);
      }
    }
    REQUIRE(idx.People() == people);
    REQUIRE(idx.event_count() == oracle.events.size());
  }
};

}  // namespace

TEST_CASE("aggregates hold under in-order and out-of-order inserts", "[storage][events]") {
  EventIndex idx(Purchase());
  CHECK(idx.Add({.person = 1, .time = 5 * kDay, .amount = 10, .event_id = "o1"}));
  CHECK(idx.Add({.person = 1, .time = 2 * kDay, .amount = 30, .properties = {"shoes"}}));
  CHECK(idx.Add({.person = 1, .time = 9 * kDay, .amount = -5}));
  CHECK(*idx.Aggregate(1) == PersonAggregate{3, 2 * kDay, 9 * kDay, 35, 30});
  CHECK(idx.Aggregate(2) == nullptr);

  // Unique times and ids: the arrival order must not matter at all.
  std::mt19937 rng(5);
  std::vector<EventInput> events;
  for (int i = 0; i < 2000; ++i) {
    events.push_back({.person = static_cast<PersonId>(rng() % 50),
                      .time = i * 977 - 300 * kDay,
                      .amount = static_cast<double>(rng() % 100),
                      .properties = {i % 3 ? "a" : "b", "", i % 5 ? "x" : ""},
                      .event_id = "id" + std::to_string(i)});
  }
  EventIndex sorted(Purchase()), shuffled(Purchase());
  // The same first events give both the same dictionaries (ids by first sight).
  for (EventIndex* one : {&sorted, &shuffled}) {
    one->Add({.person = 99, .time = 1, .properties = {"a", "", "x"}});
    one->Add({.person = 99, .time = 2, .properties = {"b"}});
  }
  for (const EventInput& e : events) REQUIRE(sorted.Add(e));
  std::shuffle(events.begin(), events.end(), rng);
  for (const EventInput& e : events) REQUIRE(shuffled.Add(e));
  CHECK(sorted == shuffled);
  CHECK(sorted.DidInWindow({-100 * kDay, -99 * kDay + 5}) ==
        shuffled.DidInWindow({-100 * kDay, -99 * kDay + 5}));

  World w;
  w.Fill(4000);
  w.CheckAggregates();
}

TEST_CASE("duplicate event ids are ignored", "[storage][events]") {
  EventIndex idx(Purchase());
  REQUIRE(idx.Add({.person = 1, .time = kDay, .amount = 10, .event_id = "o1"}));
  CHECK_FALSE(idx.Add({.person = 2, .time = 3 * kDay, .amount = 99, .event_id = "o1"}));
  CHECK(idx.Aggregate(2) == nullptr);
  CHECK(idx.People() == Bitmap::Of({1}));
  CHECK(idx.event_count() == 1);
  CHECK(idx.HasEventId("o1"));
  CHECK_FALSE(idx.HasEventId("o2"));
  CHECK(idx.Add({.person = 1, .time = kDay, .amount = 10}));  // no id: never a duplicate
  CHECK(idx.Add({.person = 1, .time = kDay, .amount = 10}));
  CHECK(idx.Aggregate(1)->count == 3);
  // Ids survive compaction: replaying the old event is still ignored.
  idx.Compact(100 * kDay);
  CHECK_FALSE(idx.Add({.person = 1, .time = kDay + 7, .amount = 10, .event_id = "o1"}));
  CHECK(idx.event_count() == 3);
}

TEST_CASE("window reads match a naive scan of every event", "[storage][events]") {
  World w;
  w.Fill(4000);
  w.CheckQueries(2500);
}

TEST_CASE("window edges, times before 1970 and odd filters", "[storage][events]") {
  EventIndex idx(Purchase());
  idx.Add({.person = 2, .time = -1, .amount = 1});  // day -1
  idx.Add({.person = 3, .time = 0, .amount = 2});   // day 0 at its first second
  idx.Add({.person = 4, .time = kDay - 1, .amount = 3, .properties = {"a"}});
  CHECK(idx.DidInWindow({-kDay, 0}) == Bitmap::Of({2}));
  CHECK(idx.DidInWindow({0, kDay}) == Bitmap::Of({3, 4}));
  CHECK(idx.DidInWindow({1, kDay - 1}).IsEmpty());
  CHECK(idx.DidInWindow({kDay - 1, kDay}) == Bitmap::Of({4}));
  CHECK(idx.DidInWindow({5, 5}).IsEmpty());
  CHECK(idx.DidInWindow({5, -5}).IsEmpty());
  constexpr UnixSeconds kMin = std::numeric_limits<UnixSeconds>::min();
  constexpr UnixSeconds kMax = std::numeric_limits<UnixSeconds>::max();
  CHECK(idx.DidInWindow({kMin, kMax}) == Bitmap::Of({2, 3, 4}));
  CHECK(idx.DidInWindow({kMin, -1}).IsEmpty());
  CHECK(idx.DidInWindow({kMax - 1, kMax}).IsEmpty());
  CHECK(idx.SelectInWindow({kMin, kMax}, [](const WindowStats& s) { return s.sum >= 2; }) ==
        Bitmap::Of({3, 4}));
  CHECK(idx.StatsInWindow(4, {kMin, kMax}) == WindowStats{1, 3, 3, kDay - 1, kDay - 1});
  CHECK(idx.StatsInWindow(9, {kMin, kMax}) == WindowStats{});
  uint32_t a = *idx.FindPropertyValue(0, "a");
  CHECK(idx.PropertyValueName(0, a) == "a");
  CHECK_FALSE(idx.FindPropertyValue(0, "b"));
  CHECK_FALSE(idx.FindPropertyValue(7, "a"));
  CHECK(idx.DidInWindow({0, kDay, {{0, a}}}) == Bitmap::Of({4}));
  CHECK(idx.DidInWindow({0, kDay, {{0, a + 1}}}).IsEmpty());  // unknown value id
  CHECK(idx.DidInWindow({0, kDay, {{3, 0}}}).IsEmpty());      // unknown property
}

TEST_CASE("compaction keeps aggregates and day-level window answers", "[storage][events]") {
  EventIndex idx(Purchase());
  for (int i = 0; i < 10; ++i) idx.Add({.person = 1, .time = 3 * kDay + 60 * i, .amount = 2, .properties = {"a"}});
  idx.Add({.person = 1, .time = 3 * kDay + 100, .amount = 7, .properties = {"b"}});
  idx.Add({.person = 1, .time = 4 * kDay + 5, .amount = 1});  // alone on its day: moves to 00:00
  idx.Add({.person = 1, .time = 20 * kDay, .amount = 1, .properties = {"a"}});
  PersonAggregate before = *idx.Aggregate(1);
  CHECK(idx.Compact(10 * kDay) == 9);  // 10 "a" events of day 3 become one point
  CHECK(*idx.Aggregate(1) == before);
  CHECK(idx.event_count() == 13);
  uint32_t a = *idx.FindPropertyValue(0, "a");
  CHECK(idx.StatsInWindow(1, {3 * kDay, 4 * kDay, {{0, a}}}) == WindowStats{10, 20, 2, 3 * kDay, 3 * kDay});
  CHECK(idx.StatsInWindow(1, {3 * kDay + 1, 5 * kDay}) == WindowStats{1, 1, 1, 4 * kDay, 4 * kDay});
  CHECK(idx.DidInWindow({4 * kDay + 1, 5 * kDay}).IsEmpty());  // day resolution
  CHECK(idx.Compact(10 * kDay) == 0);

  World w;
  w.Fill(4000);
  UnixSeconds horizon = 30 * kDay + 4321;
  size_t removed = w.idx.Compact(horizon);
  std::set<std::tuple<PersonId, UnixSeconds, std::vector<std::string>>> groups;
  size_t old = 0;
  for (auto [e, seen] : w.oracle.events) {
    if (e.time >= horizon) continue;
    ++old;
    e.properties.resize(3);
    groups.insert({e.person, DayStart(e.time), e.properties});
  }
  CHECK(removed == old - groups.size());
  w.oracle.Compact(horizon);
  w.CheckAggregates();
  w.CheckQueries(800);
  // Late events into compacted days, then compaction again.
  w.Fill(1000);
  w.CheckQueries(300);
  horizon = 50 * kDay;
  w.idx.Compact(horizon);
  w.oracle.Compact(horizon);
  w.CheckAggregates();
  w.CheckQueries(500);
}

TEST_CASE("merge combines people; remove forgets one", "[storage][events]") {
  EventIndex idx(Purchase());
  idx.Add({.person = 1, .time = kDay, .amount = 5, .properties = {"a"}, .event_id = "x"});
  idx.Add({.person = 2, .time = 3 * kDay, .amount = 9, .properties = {"b"}, .event_id = "y"});
  idx.MergePerson(1, 2);
  CHECK(idx.Aggregate(1) == nullptr);
  CHECK(*idx.Aggregate(2) == PersonAggregate{2, kDay, 3 * kDay, 14, 9});
  CHECK(idx.People() == Bitmap::Of({2}));
  CHECK(idx.DidInWindow({0, 2 * kDay, {{0, *idx.FindPropertyValue(0, "a")}}}) == Bitmap::Of({2}));
  idx.MergePerson(2, 2);  // no-op
  idx.MergePerson(7, 2);  // no events: no-op
  CHECK(idx.event_count() == 2);
  idx.RemovePerson(2);
  CHECK(idx.People().IsEmpty());
  CHECK(idx.DidInWindow({0, 10 * kDay}).IsEmpty());
  CHECK_FALSE(idx.HasEventId("x"));  // moved with the merge, forgotten with the removal
  CHECK(idx.event_count() == 0);
  idx.RemovePerson(2);

  World w;
  w.Fill(4000);
  for (int i = 0; i < 60; ++i) {
    PersonId from = w.Pick(kPeople), into = w.Pick(kPeople);
    if (i % 3 == 0) {
      w.idx.RemovePerson(from);
      for (const auto& [e, seen] : w.oracle.events) {
        if (e.person == from && !e.event_id.empty()) w.ids.erase(e.event_id);  // forgotten too
      }
      std::erase_if(w.oracle.events, [&](const Oracle::Event& e) { return e.in.person == from; });
    } else {
      w.idx.MergePerson(from, into);
      for (auto& [e, seen] : w.oracle.events) e.person = e.person == from ? into : e.person;
    }
  }
  w.CheckAggregates();
  w.CheckQueries(500);
  w.Fill(500);  // Add's answers on reused ids are checked inside
  w.CheckAggregates();
  w.CheckQueries(200);
}

TEST_CASE("event input is checked", "[storage][events][errors]") {
  EventIndex idx(Purchase());
  CHECK(idx.Check({.person = 1, .time = -EventIndex::kMaxAbsTime, .amount = -1,
                   .properties = {"a", "", "b"}, .event_id = std::string(128, 'x')})
            .ok());
  CHECK(idx.Check({.person = 1, .time = 0, .amount = NAN}).message() ==
        "event 'purchase': amount nan is not a finite number");
  CHECK(idx.Check({.person = 1, .time = 0, .amount = -INFINITY}).message() ==
        "event 'purchase': amount -inf is not a finite number");
  CHECK(idx.Check({.person = 1, .time = 0, .properties = {"a", "b", "c", "d"}}).message() ==
        "event 'purchase': 4 property values given but 3 properties declared");
  absl::Status s = idx.Check({.person = 1, .time = 0, .properties = {"", "\xff"}});
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message() == "event 'purchase' property 'channel' '\\xFF': invalid UTF-8 at byte 0");
  s = idx.Check({.person = 1, .time = 0, .properties = {std::string(257, 'a')}});
  CHECK(s.message().find("property 'category'") != absl::string_view::npos);
  CHECK(s.message().find("longer than 256 bytes") != absl::string_view::npos);
  CHECK_FALSE(idx.Check({.person = 1, .time = 0, .properties = {"tab\there"}}).ok());
  s = idx.Check({.person = 1, .time = 0, .event_id = std::string(129, 'x')});
  CHECK(s.message().find("event 'purchase': event id 'xxx") == 0);
  CHECK(s.message().find("is 129 bytes; at most 128 allowed") != absl::string_view::npos);
  CHECK(idx.Check({.person = kNoPerson, .time = 0}).message() ==
        "event 'purchase': person id 4294967295 is reserved");
  CHECK(idx.Check({.person = 1, .time = EventIndex::kMaxAbsTime + 1}).message().find(
            "time 100000000001 is out of range") != absl::string_view::npos);
  CHECK_FALSE(idx.Check({.person = 1, .time = -EventIndex::kMaxAbsTime - 1}).ok());
}

TEST_CASE("event index snapshots round-trip", "[storage][events]") {
  World w;
  w.Fill(3000);
  w.idx.Compact(20 * kDay);
  w.idx.MergePerson(3, 4);
  w.idx.RemovePerson(5);
  ByteWriter out;
  w.idx.Serialize(out);
  ByteReader r(out.data());
  absl::StatusOr<EventIndex> back = EventIndex::Deserialize(r, Purchase());
  REQUIRE(back.ok());
  CHECK(r.done());
  CHECK(*back == w.idx);
  ByteWriter again;
  back->Serialize(again);
  CHECK(again.data() == out.data());
  CHECK(back->MemoryBytes() > 0);
  for (int q = 0; q < 200; ++q) {
    WindowFilter f = w.RandomFilter();
    REQUIRE(back->DidInWindow(f) == w.idx.DidInWindow(f));
  }
  CHECK_FALSE(*back == EventIndex(Purchase()));
}

namespace {

// A hand-made encoding of one person with one point, so each field can be
// damaged on purpose. Property "category" only.
struct Encoding {
  uint8_t version = 1;
  uint32_t props = 1;
  std::vector<std::string> values = {"a"};
  uint64_t people = 1;
  PersonId person = 7;
  uint32_t agg_count = 1;
  UnixSeconds first = 10, last = 10;
  double sum = 2, max = 2;
  uint64_t points = 1;
  std::vector<UnixSeconds> times = {10};
  uint32_t count = 1;
  double amount = 2;
  std::vector<uint32_t> value_ids = {0};
  std::vector<std::string> ids = {"x"};

  std::string Bytes() const {
    ByteWriter w;
    w.PutU8(version);
    w.PutU32(props);
    w.PutU64(values.size());
    for (const std::string& v : values) w.PutString(v);
    w.PutU64(people);
    w.PutU32(person);
    w.PutU32(agg_count);
    w.PutI64(first);
    w.PutI64(last);
    w.PutDouble(sum);
    w.PutDouble(max);
    w.PutU64(points);
    for (UnixSeconds t : times) {
      w.PutI64(t);
      w.PutU32(count);
      w.PutDouble(amount);
      w.PutDouble(amount);
    }
    w.PutArray(value_ids);
    w.PutU32(static_cast<uint32_t>(ids.size()));
    for (const std::string& id : ids) w.PutString(id);
    return std::string(w.data());
  }
};

EventTypeSpec OneProperty() { return {.name = "visit", .properties = {{.name = "category", .indexed = true}}}; }

absl::Status Load(const Encoding& e) {
  std::string bytes = e.Bytes();
  ByteReader r(bytes);
  return EventIndex::Deserialize(r, OneProperty()).status();
}

}  // namespace

TEST_CASE("event index snapshots reject damage", "[storage][events][errors]") {
  Encoding good;
  REQUIRE(Load(good).ok());
  std::string bytes = good.Bytes();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    ByteReader r(std::string_view(bytes).substr(0, cut));
    absl::Status s = EventIndex::Deserialize(r, OneProperty()).status();
    REQUIRE(s.code() == absl::StatusCode::kDataLoss);
  }
  {
    ByteReader r(bytes);
    CHECK_FALSE(EventIndex::Deserialize(r, Purchase()).ok());  // 3 properties expected
  }
  auto rejects = [](auto damage) {
    Encoding e;
    damage(e);
    absl::Status s = Load(e);
    CHECK(s.code() == absl::StatusCode::kDataLoss);
    return std::string(s.message());
  };
  CHECK(rejects([](Encoding& e) { e.version = 2; }).find("unknown encoding version 2") != std::string::npos);
  rejects([](Encoding& e) { e.props = 2; });
  CHECK(rejects([](Encoding& e) { e.value_ids = {1}; }).find("property value id 1 of person 7") !=
        std::string::npos);
  rejects([](Encoding& e) { e.value_ids = {0, 0}; });
  rejects([](Encoding& e) { e.values = {"a", "a"}; });
  rejects([](Encoding& e) { e.values = {"\xc0\x80"}; });
  rejects([](Encoding& e) { e.values = {""}; });
  rejects([](Encoding& e) { e.person = kNoPerson; });
  rejects([](Encoding& e) { e.people = 2; });
  rejects([](Encoding& e) { e.people = uint64_t{1} << 60; });  // hostile count: no huge allocation
  rejects([](Encoding& e) { e.points = uint64_t{1} << 60; });
  rejects([](Encoding& e) { e.agg_count = 2; });
  rejects([](Encoding& e) { e.agg_count = 0; e.count = 0; });
  rejects([](Encoding& e) { e.first = 11; });
  rejects([](Encoding& e) { e.last = EventIndex::kMaxAbsTime + 1; e.first = e.last; });
  rejects([](Encoding& e) { e.sum = NAN; });
  rejects([](Encoding& e) { e.amount = INFINITY; });
  rejects([](Encoding& e) { e.times = {-EventIndex::kMaxAbsTime - 1}; });
  auto two_points = [](Encoding& e, std::vector<UnixSeconds> times) {
    e.points = e.agg_count = 2;
    e.times = std::move(times);
    e.first = 5;
    e.value_ids = {0, UINT32_MAX};
  };
  Encoding ordered;
  two_points(ordered, {5, 10});
  CHECK(Load(ordered).ok());
  CHECK(rejects([&](Encoding& e) { two_points(e, {10, 5}); }).find("timeline of person 7") !=
        std::string::npos);
  rejects([](Encoding& e) { e.ids = {"x", "x"}; });
  rejects([](Encoding& e) { e.ids = {""}; });
  rejects([](Encoding& e) { e.ids = {std::string(129, 'i')}; });
  // Absent value and no ids are fine.
  Encoding absent;
  absent.value_ids = {UINT32_MAX};
  absent.ids = {};
  CHECK(Load(absent).ok());
}

TEST_CASE("memory grows with events", "[storage][events]") {
  World w;
  size_t empty = w.idx.MemoryBytes();
  w.Fill(2000);
  CHECK(w.idx.MemoryBytes() > empty + 2000 * 32);
}
