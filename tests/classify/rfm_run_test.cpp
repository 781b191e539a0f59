// RunRfm end to end: purchases in the store -> scores and groups as tags,
// checked on the R rfm package's order data and on transitions between runs.
#include "audience/classify/rfm_run.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "audience/audience.h"

using namespace audience;

namespace {

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

Store PurchaseStore() {
  Store store;
  REQUIRE(store.AddEventType({.name = "purchase"}).ok());
  return store;
}

uint64_t Count(const Store& store, const std::string& dim, const std::string& value,
               absl::Time now) {
  absl::StatusOr<uint64_t> n = store.CountTag(dim, value, now);
  return n.ok() ? *n : 0;
}

}  // namespace

TEST_CASE("SegmentSlug lowers and joins words", "[classify][rfm]") {
  CHECK(SegmentSlug("Can't Lose Them") == "can_t_lose_them");
  CHECK(SegmentSlug("  Need  Attention ") == "need_attention");
  CHECK(SegmentSlug("555") == "555");
  CHECK(SegmentSlug("--").empty());
}

TEST_CASE("RunRfm on the R package's orders reproduces its Champions", "[classify][rfm]") {
  Store store = PurchaseStore();
  ImportSpec spec;
  spec.kind = ImportKind::kEvents;
  spec.id_column = "customer_id";
  spec.event_type = "purchase";
  spec.time_column = "order_date";
  spec.amount_columns = {"revenue"};
  auto imported =
      ImportCsvFile(store, std::string(AUDIENCE_TEST_DATA_DIR) + "/rfm-r/rfm_data_orders.csv", spec);
  INFO(imported.status().message());
  REQUIRE(imported.ok());
  REQUIRE(imported->events_added == 4906);

  RfmRunOptions o;
  o.inputs.now = Day(2006, 12, 31);
  o.scoring.method = RfmMethod::kRPackage;
  auto segments = RfmSegmenter::FromRules(PresetRfmRPackage());
  REQUIRE(segments.ok());
  o.segments = *segments;
  auto run = RunRfm(store, o);
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK(run->people.size() == 995);
  const absl::Time now = o.inputs.now;
  // tests/testthat/test-rfm-segment.R: 158 Champions; the vignette's sizes.
  CHECK(Count(store, "rfm.segment", "champions", now) == 158);
  CHECK(Count(store, "rfm.segment", "loyal_customers", now) == 278);
  CHECK(Count(store, "rfm.segment", "others", now) == 48);
  // README: Abbey O'Reilly scores 343.
  auto abbey = store.GetProfile(ExternalId::Str("Abbey O'Reilly"), now);
  REQUIRE(abbey.ok());
  std::map<std::string, std::string> tags;
  for (const auto& t : abbey->tags) tags[t.dimension] = t.value;
  CHECK(tags["rfm.code"] == "343");
  CHECK(tags["rfm.r"] == "3");
  CHECK(abbey->tags.front().source == "rfm");
  // Everyone scored got exactly one value on every axis.
  uint64_t total = 0;
  for (int s = 1; s <= 5; ++s) total += Count(store, "rfm.f", std::to_string(s), now);
  CHECK(total == 995);
  // The first run has no previous groups: everyone moved from "none".
  const size_t none = run->segments.size();
  uint64_t from_none = 0;
  for (uint64_t c : run->moves[none]) from_none += c;
  CHECK(from_none == 995);

  // The query language reaches the result.
  auto q = Count(store, "rfm.segment IN ('champions', 'loyal_customers')", QueryOptions{.now = now});
  REQUIRE(q.ok());
  CHECK(*q == 158 + 278);
}

TEST_CASE("a second RunRfm keeps the previous groups and counts the moves", "[classify][rfm]") {
  Store store = PurchaseStore();
  WriteBatch b(Day(2026, 1, 1));
  // Person i bought i+1 times, the last on day 20 - i of December 2025.
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k <= i; ++k) {
      b.Purchase(ExternalId::Int(i), Day(2025, 12, 20 - i) - absl::Hours(24 * k), 10.0 * (k + 1));
    }
  }
  REQUIRE(store.Apply(b).ok());
  RfmRunOptions o;
  o.inputs.now = Day(2026, 1, 1);
  auto first = RunRfm(store, o);
  REQUIRE(first.ok());
  REQUIRE(first->people.size() == 10);

  // Later, persons 0 and 1 buy a lot; person 9 falls out of a 30-day window.
  WriteBatch later(Day(2026, 2, 1));
  for (int k = 0; k < 20; ++k) {
    later.Purchase(ExternalId::Int(0), Day(2026, 1, 25) + absl::Hours(k), 500);
    later.Purchase(ExternalId::Int(1), Day(2026, 1, 26) + absl::Hours(k), 500);
  }
  REQUIRE(store.Apply(later).ok());
  o.inputs.now = Day(2026, 2, 1);
  o.inputs.window = absl::Hours(24 * 50);
  auto second = RunRfm(store, o);
  INFO(second.status().message());
  REQUIRE(second.ok());
  const absl::Time now = o.inputs.now;
  // Persons whose purchases all fall before Dec 13 are out of the window.
  const uint64_t scored = second->people.size();
  CHECK(scored < 10);
  uint64_t segment_total = 0;
  for (uint64_t s : second->sizes) segment_total += s;
  CHECK(segment_total == scored);

  // Every moves cell equals the query for it.
  const size_t none = second->segments.size();
  uint64_t cells = 0;
  for (size_t a = 0; a < none; ++a) {
    for (size_t c = 0; c < none; ++c) {
      const std::string text = fmt::format("rfm.segment_previous:'{}' AND rfm.segment:'{}'",
                                           second->segments[a], second->segments[c]);
      auto q = Count(store, text, QueryOptions{.now = now});
      if (!q.ok()) {  // a value never written cannot be named; the cell is then 0
        CHECK(second->moves[a][c] == 0);
        continue;
      }
      CHECK(*q == second->moves[a][c]);
      cells += second->moves[a][c];
    }
  }
  uint64_t dropped = 0;
  for (size_t a = 0; a < none; ++a) dropped += second->moves[a][none];
  CHECK(cells + dropped == 10);  // everyone had a group before
  CHECK(dropped == 10 - scored);
  // People no longer scored lost their values; previous groups stayed.
  auto p9 = store.GetProfile(ExternalId::Int(9), now);
  REQUIRE(p9.ok());
  for (const auto& t : p9->tags) CHECK(t.dimension == "rfm.segment_previous");
  CHECK(p9->tags.size() == 1);
}

TEST_CASE("RunRfm refuses bad options and changes nothing", "[classify][rfm]") {
  Store store = PurchaseStore();
  REQUIRE(store.AddDimension({.name = "rfm.segment"}).ok());  // multi-valued
  WriteBatch b(Day(2026, 1, 1));
  b.Purchase(ExternalId::Int(1), Day(2025, 12, 1), 10);
  REQUIRE(store.Apply(b).ok());
  RfmRunOptions o;
  o.inputs.now = Day(2026, 1, 1);
  auto r = RunRfm(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("'rfm.segment' exists and is not exclusive") !=
        std::string::npos);
  o.scoring.bins = 4;  // the default table is for 5
  r = RunRfm(store, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) ==
        "the segments are defined for 5 bins but scoring uses 4");
  o.scoring.bins = 5;
  o.prefix = "Bad Prefix";
  r = RunRfm(store, o);
  CHECK_FALSE(r.ok());
}

namespace {

// The same seeded day of writes on any store: purchases today (some new
// people), a few a day late, a few future-dated, a merge now and then.
void WriteDay(Store& store, absl::Time day_start, int day, std::mt19937_64& rng) {
  WriteBatch b(day_start);
  for (int i = 0; i < 40; ++i) {
    const int id = static_cast<int>(rng() % 400);
    const int64_t offset = static_cast<int64_t>(rng() % 86400);
    const int64_t shift = rng() % 10 == 0 ? -86400 : rng() % 15 == 0 ? 5 * 86400 : 0;
    b.Purchase(ExternalId::Int(id), day_start + absl::Seconds(offset + shift),
               static_cast<double>(rng() % 20000) / 100.0);
  }
  if (day % 3 == 2) b.Link(ExternalId::Int(static_cast<int>(rng() % 400)),
                           ExternalId::Int(1000 + day));  // 1000 + day bought before
  b.Purchase(ExternalId::Int(1000 + day + 1), day_start - absl::Hours(24 * 40), 12.5);
  REQUIRE(store.Apply(b).ok());
}

void CheckSameRun(const RfmRun& a, const RfmRun& b) {
  CHECK(a.people == b.people);
  CHECK(a.result.scores == b.result.scores);
  CHECK(a.segments == b.segments);
  CHECK(a.sizes == b.sizes);
  CHECK(a.moves == b.moves);
  CHECK(a.version == b.version);
}

void CheckSameDimensions(const Store& a, const Store& b, absl::Time now) {
  for (const char* suffix : {"r", "f", "m", "code", "segment", "segment_previous"}) {
    const std::string dim = std::string("rfm.") + suffix;
    auto va = a.ValuesByCount(dim, now);
    auto vb = b.ValuesByCount(dim, now);
    REQUIRE(va.ok());
    REQUIRE(vb.ok());
    REQUIRE(*va == *vb);
    for (const auto& [value, count] : *va) {
      INFO(dim << ":" << value);
      CHECK(*a.TagMembers(dim, value, now) == *b.TagMembers(dim, value, now));
    }
  }
}

}  // namespace

TEST_CASE("RunRfm with an RfmInputsCache equals the full run", "[classify][rfm][incremental]") {
  Store full = PurchaseStore();
  Store cached = PurchaseStore();
  std::mt19937_64 rng_full(77), rng_cached(77);
  const absl::Time start = Day(2025, 9, 1) + absl::Hours(6);
  RfmInputsCache cache;
  RfmRunOptions o;
  o.inputs.window = absl::Hours(24 * 20);
  int builds = 0, advances = 0;
  for (int day = 0; day < 14; ++day) {
    INFO("day " << day);
    const absl::Time now = start + absl::Hours(24 * day) + absl::Milliseconds(125 * day);
    WriteDay(full, now - absl::Hours(24), day, rng_full);
    WriteDay(cached, now - absl::Hours(24), day, rng_cached);
    o.inputs.now = now;
    if (day == 6) o.inputs.window.reset();  // another scope: rebuilt
    if (day == 9) o.inputs.frequency = RfmStoreOptions::Frequency::kDistinctDays;
    if (day == 11) o.inputs.now = now - absl::Hours(24 * 3);  // back in time: rebuilt
    const bool expect_build = !cache.built() || !cache.SameScope(o.inputs) ||
                              o.inputs.now < cache.options().now;
    auto a = RunRfm(full, o);
    auto b = RunRfm(cached, o, &cache);
    INFO(a.status().message() << " / " << b.status().message());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    (expect_build ? builds : advances)++;
    CHECK(cache.options().now == o.inputs.now);
    CHECK(cache.SameScope(o.inputs));
    CHECK(b->people.size() == cache.inputs().people.size());
    CheckSameRun(*a, *b);
    CheckSameDimensions(full, cached, o.inputs.now);
    // The nullptr cache is the full run.
    auto c = RunRfm(cached, o, nullptr);
    REQUIRE(c.ok());
    CHECK(c->people == a->people);
    auto d = RunRfm(full, o);  // keep both stores' write histories equal
    REQUIRE(d.ok());
  }
  CHECK(builds == 4);
  CHECK(advances == 10);
  // A failed run leaves a usable cache behind.
  o.scoring.bins = 4;
  CHECK_FALSE(RunRfm(cached, o, &cache).ok());
  o.scoring.bins = 5;
  auto a = RunRfm(full, o);
  auto b = RunRfm(cached, o, &cache);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CheckSameRun(*a, *b);
}
