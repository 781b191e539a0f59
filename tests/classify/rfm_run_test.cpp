// RunRfm end to end: purchases in the store -> scores and groups as tags,
// checked on the R rfm package's order data and on transitions between runs.
#include "audience/classify/rfm_run.h"

#include <catch2/catch.hpp>

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
