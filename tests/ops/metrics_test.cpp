#include "audience/ops/metrics.h"

#include <string>
#include <vector>

#include "scoped_temp_path.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

absl::Time At(int day) { return Day(2026, 3, 2) + absl::Hours(24 * day); }  // day 0: a Monday

}  // namespace

TEST_CASE("size history records series in time order and round-trips", "[ops][metrics]") {
  Store store = FullStore();
  WriteBatch b(At(0));
  for (int i = 0; i < 10; ++i) {
    b.SetAttribute(ExternalId::Int(i), "age", Value::Int(20 + i * 5));
    if (i % 2 == 0) b.Tag(ExternalId::Int(i), "interest", "fashion");
  }
  MustApply(store, b);
  REQUIRE(store.PutSegment("young", "age < 40").ok());
  REQUIRE(store.PutSegment("fashion", "interest:fashion").ok());
  SizeHistory h;
  REQUIRE(h.RecordSavedSegments(store, At(0)).ok());
  WriteBatch more(At(7));
  more.Tag(ExternalId::Int(1), "interest", "fashion");
  MustApply(store, more);
  REQUIRE(h.RecordSavedSegments(store, At(7)).ok());
  CHECK(h.Names() == std::vector<std::string>{"fashion", "young"});
  CHECK(std::vector<SizePoint>(h.Series("fashion").begin(), h.Series("fashion").end()) ==
        std::vector<SizePoint>{{At(0), 5}, {At(7), 6}});
  CHECK(h.Series("young").size() == 2);
  CHECK(h.Series("young")[1].size == 4);
  CHECK(h.Series("nothing").empty());
  // The same time replaces; an earlier one is refused and changes nothing.
  REQUIRE(h.Record("young", At(7), 3).ok());
  CHECK(h.Series("young")[1].size == 3);
  CHECK(h.Record("young", At(6), 1).code() == absl::StatusCode::kInvalidArgument);
  CHECK(h.Series("young").size() == 2);
  CHECK(h.Record("", At(9), 1).code() == absl::StatusCode::kInvalidArgument);

  const audience_test::ScopedTempPath tmp("history");
  const std::string& path = tmp.path();
  REQUIRE(h.Save(path).ok());
  absl::StatusOr<SizeHistory> back = SizeHistory::Open(path);
  REQUIRE(back.ok());
  CHECK(*back == h);
  const std::string bytes = h.Serialize();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    CHECK_FALSE(SizeHistory::Deserialize(bad).ok());
  }
  CHECK_FALSE(SizeHistory::Deserialize(bytes.substr(0, bytes.size() - 1)).ok());
}

TEST_CASE("a funnel counts each stage, conversion from the previous and the median delay",
          "[ops][metrics]") {
  Store store = FullStore();
  WriteBatch b(At(0));
  // 10 visitors; 6 of them buy, 2, 4, 6, ... days after their visit; one
  // buyer never visited.
  for (int i = 0; i < 10; ++i) b.AddEvent(ExternalId::Int(i), "visit", At(i));
  for (int i = 0; i < 6; ++i) b.Purchase(ExternalId::Int(i), At(i) + absl::Hours(48 * (i + 1)), 10);
  b.Purchase(ExternalId::Int(50), At(3), 10);
  MustApply(store, b);
  const std::vector<FunnelStage> stages = {
      {.name = "visited", .query = "did(visit)", .event = "visit"},
      {.name = "bought", .query = "did(purchase)", .event = "purchase"},
      {.name = "bought twice", .query = "count(purchase) >= 2"}};
  absl::StatusOr<std::vector<FunnelRow>> rows = Funnel(store, stages, {.now = At(30)});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].reached == 10);
  CHECK((*rows)[0].rate == 1);
  CHECK((*rows)[1].reached == 7);
  CHECK((*rows)[1].converted == 6);
  CHECK((*rows)[1].rate == Approx(0.6));
  // Delays 2, 4, ..., 12 days: the upper median of six is 8 days.
  REQUIRE((*rows)[1].median_time.has_value());
  CHECK(*(*rows)[1].median_time == absl::Hours(24 * 8));
  CHECK((*rows)[2].reached == 0);
  CHECK((*rows)[2].rate == 0);
  CHECK_FALSE((*rows)[2].median_time.has_value());
  const std::vector<FunnelStage> bad = {{.name = "x", .query = "did(vist)"}};
  absl::StatusOr<std::vector<FunnelRow>> error = Funnel(store, bad, {.now = At(30)});
  CHECK_THAT(std::string(error.status().message()), Catch::Contains("funnel stage 'x'"));
  const std::vector<FunnelStage> unknown = {{.name = "x", .query = "did(visit)", .event = "click"}};
  CHECK_THAT(std::string(Funnel(store, unknown, {.now = At(30)}).status().message()),
             Catch::Contains("unknown event type 'click'"));
}

TEST_CASE("cohort retention groups by first-purchase week", "[ops][metrics]") {
  Store store = FullStore();
  WriteBatch b(At(0));
  // Week 0 cohort: people 0..3; 0 and 1 buy again in week 1, 0 in week 2.
  // Week 1 cohort: people 4, 5; 4 buys again in week 2. Person 9 first
  // bought before the first week (not in any cohort).
  for (int i = 0; i < 4; ++i) b.Purchase(ExternalId::Int(i), At(i), 10);
  b.Purchase(ExternalId::Int(0), At(8), 10);
  b.Purchase(ExternalId::Int(1), At(9), 10);
  b.Purchase(ExternalId::Int(0), At(15), 10);
  b.Purchase(ExternalId::Int(4), At(7), 10);
  b.Purchase(ExternalId::Int(5), At(13), 10);
  b.Purchase(ExternalId::Int(4), At(16), 10);
  b.Purchase(ExternalId::Int(9), At(0) - absl::Hours(1), 10);
  b.Purchase(ExternalId::Int(9), At(1), 10);
  MustApply(store, b);
  absl::StatusOr<std::vector<CohortRow>> rows =
      CohortRetention(store, {.from = At(0), .weeks = 3});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].week == At(0));
  CHECK((*rows)[0].size == 4);
  CHECK((*rows)[0].active_share == std::vector<double>{1.0, 0.5, 0.25});
  CHECK((*rows)[1].week == At(7));
  CHECK((*rows)[1].size == 2);
  CHECK((*rows)[1].active_share == std::vector<double>{1.0, 0.5});
  CHECK((*rows)[2].size == 0);
  CHECK((*rows)[2].active_share == std::vector<double>{0.0});
  CHECK(CohortRetention(store, {.from = At(0), .weeks = 0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(CohortRetention(store, {.active_event = "click"}).status().message()),
             Catch::Contains("unknown event type 'click'"));
}

TEST_CASE("the baseline check flags points outside their band", "[ops][metrics]") {
  std::vector<SizePoint> series;
  const uint64_t sizes[] = {100, 102, 98, 101, 99, 140, 100, 40, 101};
  for (size_t i = 0; i < std::size(sizes); ++i) {
    series.push_back({At(static_cast<int>(7 * i)), sizes[i]});
  }
  std::vector<BaselineAlert> alerts = CheckBaseline(series, {});
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].index == 5);
  CHECK(alerts[0].value == 140);
  CHECK(alerts[0].expected == Approx(100));  // the four points before it
  CHECK(alerts[0].high == Approx(110));      // 10 % of the mean beats 3 sd (4.7)
  CHECK(alerts[1].index == 7);
  // A fixed band.
  alerts = CheckBaseline(series, {.low = 90, .high = 120});
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].index == 5);
  CHECK(alerts[1].index == 7);
  CHECK(CheckBaseline({}, {}).empty());
}
