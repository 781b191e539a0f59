#include "audience/ops/journey.h"

#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scoped_temp_path.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

absl::Time At(int day, int hour = 0) {
  return Day(2026, 3, 1) + absl::Hours(24 * day + hour);  // day 0 = Sunday 2026-03-01
}

PersonId P(const Store& store, int id) { return *store.ids().Find(ExternalId::Int(id)); }

Journey MustCreate(const Store& store, JourneySpec spec) {
  absl::StatusOr<Journey> j = Journey::Create(store, std::move(spec));
  INFO(j.status().ToString());
  REQUIRE(j.ok());
  return *std::move(j);
}

std::vector<DueAction> MustAdvance(Journey& j, const Store& store, absl::Time now) {
  absl::StatusOr<std::vector<DueAction>> due = j.Advance(store, now);
  INFO(due.status().ToString());
  REQUIRE(due.ok());
  return *std::move(due);
}

JourneySpec BuyerJourney() {
  return {.name = "buyer",
          .steps = {{.name = "vip_invite", .trigger = JourneyTrigger::FirstEvent("purchase"),
                     .schedule = {.offset = absl::Hours(24)}},
                    {.name = "repurchase_coupon", .trigger = JourneyTrigger::Event("purchase"),
                     .schedule = {.offset = absl::Hours(21 * 24)},
                     .condition = "NOT did(purchase, within = 20d)"}}};
}

using Fired = std::tuple<size_t, PersonId, absl::Time>;

}  // namespace

TEST_CASE("event triggers fire once per entry, after the offset, if the condition holds",
          "[ops][journey]") {
  Store store = FullStore();
  Journey j = MustCreate(store, BuyerJourney());
  CHECK(MustAdvance(j, store, At(0)).empty());
  WriteBatch day1(At(1));
  day1.Purchase(ExternalId::Int(1), At(1, 9), 30);
  day1.Purchase(ExternalId::Int(2), At(1, 10), 20);
  MustApply(store, day1);
  CHECK(MustAdvance(j, store, At(1, 12)).empty());
  // Day 2 12:00: both VIP invites (due day 2 09:00 and 10:00), in due order.
  std::vector<DueAction> due = MustAdvance(j, store, At(2, 12));
  REQUIRE(due.size() == 2);
  CHECK(due[0].step == 0);
  CHECK(due[0].person == P(store, 1));
  CHECK(due[0].entered == At(1, 9));
  CHECK(due[0].due == At(2, 9));
  CHECK(due[1].person == P(store, 2));
  // Person 2 buys again on day 10: a new entry replaces the pending coupon
  // (due day 31), and no second VIP invite.
  WriteBatch day10(At(10));
  day10.Purchase(ExternalId::Int(2), At(10, 8), 25);
  MustApply(store, day10);
  CHECK(MustAdvance(j, store, At(10, 9)).empty());
  // Day 22: person 1's coupon (entered day 1 09:00) is due; person 2's is not.
  due = MustAdvance(j, store, At(22, 12));
  REQUIRE(due.size() == 1);
  CHECK(due[0].step == 1);
  CHECK(due[0].person == P(store, 1));
  CHECK(due[0].due == At(22, 9));
  // Person 2 buys on day 30, the day before their coupon: when it falls due
  // on day 31 the condition fails (skipped), and the day-30 purchase's own
  // coupon waits for day 51.
  WriteBatch day30(At(30));
  day30.Purchase(ExternalId::Int(2), At(30, 8), 25);
  MustApply(store, day30);
  CHECK(MustAdvance(j, store, At(30, 7)).empty());
  CHECK(j.Pending(1).size() == 1);
  // Advancing late (day 29 -> day 60) still fires what fell due in between.
  due = MustAdvance(j, store, At(60));
  REQUIRE(due.size() == 1);
  CHECK(due[0].person == P(store, 2));
  CHECK(due[0].entered == At(30, 8));
  CHECK(due[0].due == At(51, 8));
  CHECK(j.counters(0) == StepCounters{.entered = 2, .fired = 2});
  // Coupon: entries day 1, 1, 10 (replaced the day-1 one), 30 (replaced day 10).
  CHECK(j.counters(1) == StepCounters{.entered = 4, .fired = 2, .skipped = 0, .cancelled = 2});
  CHECK(MustAdvance(j, store, At(90)).empty());
}

TEST_CASE("a condition that fails when due skips the step", "[ops][journey]") {
  Store store = FullStore();
  JourneySpec spec{.name = "welcome",
                   .steps = {{.name = "first_order_offer",
                              .trigger = JourneyTrigger::Event("visit"),
                              .schedule = {.offset = absl::Hours(7 * 24)},
                              .condition = "NOT did(purchase)"}}};
  Journey j = MustCreate(store, spec);
  MustAdvance(j, store, At(0));
  WriteBatch b(At(1));
  b.AddEvent(ExternalId::Int(1), "visit", At(1));
  b.AddEvent(ExternalId::Int(2), "visit", At(1));
  b.Purchase(ExternalId::Int(2), At(3), 10);
  MustApply(store, b);
  MustAdvance(j, store, At(2));
  const std::vector<DueAction> due = MustAdvance(j, store, At(9));
  REQUIRE(due.size() == 1);
  CHECK(due[0].person == P(store, 1));
  CHECK(j.counters(0).skipped == 1);
}

TEST_CASE("entering a segment triggers; leaving before the due time cancels", "[ops][journey]") {
  Store store = FullStore();
  // Zones from the region attribute; the wake-up goes out on the next
  // weekend at 10:00 local, never in quiet hours.
  JourneySpec spec{.name = "wake_up",
                   .steps = {{.name = "wake_up",
                              .trigger = JourneyTrigger::Enter("lifecycle:dormant"),
                              .schedule = {.weekdays = kWeekend, .hour = 10}}},
                   .time_zone_attribute = "region",
                   .default_time_zone = "Europe/Berlin"};
  WriteBatch setup(At(0));
  setup.Tag(ExternalId::Int(9), "lifecycle", "dormant");  // already dormant: no entry
  setup.SetAttribute(ExternalId::Int(1), "region", Value::Enum("Asia/Shanghai"));
  setup.SetAttribute(ExternalId::Int(2), "region", Value::Enum("America/New_York"));
  setup.SetAttribute(ExternalId::Int(3), "region", Value::Enum("Mars/Olympus_Mons"));
  MustApply(store, setup);
  Journey j = MustCreate(store, spec);
  MustAdvance(j, store, At(0));
  WriteBatch dormant(At(3));  // Wednesday
  for (int id : {1, 2, 3, 4}) dormant.Tag(ExternalId::Int(id), "lifecycle", "dormant");
  MustApply(store, dormant);
  CHECK(MustAdvance(j, store, At(3, 12)).empty());
  CHECK(j.counters(0).entered == 4);
  // Person 4 becomes active again before the weekend: cancelled.
  WriteBatch active(At(5));
  active.Tag(ExternalId::Int(4), "lifecycle", "active");
  MustApply(store, active);
  const std::vector<DueAction> due = MustAdvance(j, store, At(8));
  absl::TimeZone shanghai, ny, berlin;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  REQUIRE(absl::LoadTimeZone("America/New_York", &ny));
  REQUIRE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  auto saturday_10 = [](const absl::TimeZone& z) {
    return absl::FromCivil(absl::CivilMinute(2026, 3, 7, 10, 0), z);
  };
  REQUIRE(due.size() == 3);
  CHECK(due[0].person == P(store, 1));
  CHECK(due[0].due == saturday_10(shanghai));
  CHECK(due[1].person == P(store, 3));  // unknown zone name: the default
  CHECK(due[1].due == saturday_10(berlin));
  CHECK(due[2].person == P(store, 2));
  CHECK(due[2].due == saturday_10(ny));
  CHECK(j.counters(0).cancelled == 1);
  // Re-entering later is a new entry.
  WriteBatch again(At(20));
  again.Tag(ExternalId::Int(4), "lifecycle", "dormant");
  MustApply(store, again);
  MustAdvance(j, store, At(20));
  CHECK(j.Pending(0).size() == 1);
}

TEST_CASE("a merged person's pending step goes to the survivor", "[ops][journey]") {
  Store store = FullStore();
  Journey j = MustCreate(store, BuyerJourney());
  MustAdvance(j, store, At(0));
  WriteBatch b(At(1));
  b.Purchase(ExternalId::Int(1), At(1), 10);
  b.Upsert(ExternalId::Int(2));
  MustApply(store, b);
  MustAdvance(j, store, At(1, 1));
  const PersonId survivor = P(store, 2);
  WriteBatch merge(At(1, 2));
  merge.Link(ExternalId::Int(2), ExternalId::Int(1));
  MustApply(store, merge);
  const std::vector<DueAction> due = MustAdvance(j, store, At(3));
  REQUIRE(due.size() == 1);
  CHECK(due[0].person == survivor);
  CHECK(j.Pending(1).size() == 1);
  CHECK(j.Pending(1)[0].person == survivor);
}

TEST_CASE("saving and reopening a journey neither repeats nor loses an action",
          "[ops][journey]") {
  // 60 simulated days of random purchases and tags, advanced every 6 hours:
  // once straight through, once with the host restarting every 5 days (the
  // journey state saved and opened, the store saved as a snapshot and
  // opened from it).
  JourneySpec spec = BuyerJourney();
  spec.steps.push_back({.name = "wake_up", .trigger = JourneyTrigger::Enter("lifecycle:dormant"),
                        .schedule = {.weekdays = kWeekend, .hour = 10}});
  spec.quiet_hours = QuietHours{.from_minute = 22 * 60, .to_minute = 8 * 60};
  const audience_test::ScopedTempPath journey_file("journey"), snapshot_file("journey.aud");
  const std::string& path = journey_file.path();
  Store store = FullStore();
  Store restarted = FullStore();
  Journey straight = MustCreate(store, spec);
  std::optional<Journey> resumed = MustCreate(restarted, spec);
  std::vector<Fired> a, b;
  std::mt19937 rng(11);
  for (int tick = 0; tick < 60 * 4; ++tick) {
    const absl::Time now = At(0) + absl::Hours(6 * tick);
    WriteBatch batch(now);
    for (int k = 0; k < 3; ++k) {
      const auto id = ExternalId::Int(static_cast<int64_t>(rng() % 40));
      if (rng() % 3 == 0) {
        batch.Tag(id, "lifecycle", rng() % 2 ? "dormant" : "active");
      } else {
        batch.Purchase(id, now - absl::Minutes(rng() % 300), 10);
      }
    }
    MustApply(store, batch);
    MustApply(restarted, batch);
    for (const DueAction& x : MustAdvance(straight, store, now)) a.emplace_back(x.step, x.person, x.due);
    for (const DueAction& x : MustAdvance(*resumed, restarted, now)) b.emplace_back(x.step, x.person, x.due);
    if (tick % 20 == 19) {
      REQUIRE(resumed->Save(path).ok());
      REQUIRE(SaveSnapshot(restarted, snapshot_file.path()).ok());
      resumed.reset();
      absl::StatusOr<Store> reopened = OpenSnapshot(snapshot_file.path());
      REQUIRE(reopened.ok());
      restarted = *std::move(reopened);
      absl::StatusOr<Journey> back = Journey::Open(restarted, spec, path);
      INFO(back.status().ToString());
      REQUIRE(back.ok());
      resumed = *std::move(back);
      CHECK(resumed->Serialize() == straight.Serialize());
    }
  }
  CHECK(a.size() > 40);
  CHECK(a == b);
  // Never twice for one entry: each (step, person, due) once.
  CHECK(std::set<Fired>(a.begin(), a.end()).size() == a.size());
}

TEST_CASE("journey definitions are checked against the schema", "[ops][journey][errors]") {
  Store store = FullStore();
  auto error = [&](JourneySpec spec) {
    absl::StatusOr<Journey> j = Journey::Create(store, std::move(spec));
    REQUIRE_FALSE(j.ok());
    CHECK(j.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(j.status().message());
  };
  CHECK_THAT(error({.name = "x"}), Catch::Contains("has no steps"));
  CHECK_THAT(error({.name = "x", .steps = {{.name = "a", .trigger = JourneyTrigger::Event("click")}}}),
             Catch::Contains("step 'a': trigger: unknown event type 'click'"));
  CHECK_THAT(error({.name = "x", .steps = {{.name = "a", .trigger = JourneyTrigger::Enter("intrest:x")}}}),
             Catch::Contains("did you mean 'interest'"));
  CHECK_THAT(error({.name = "x", .steps = {{.name = "a", .trigger = JourneyTrigger::Event("visit"),
                                            .condition = "age >"}}}),
             Catch::Contains("step 'a': condition:"));
  const JourneyStep ok{.name = "a", .trigger = JourneyTrigger::Event("visit")};
  CHECK_THAT(error({.name = "x", .steps = {ok, ok}}), Catch::Contains("used twice"));
  CHECK_THAT(error({.name = "x", .steps = {ok}, .time_zone_attribute = "age"}),
             Catch::Contains("'age' is not an enum attribute"));
  CHECK_THAT(error({.name = "x", .steps = {ok}, .default_time_zone = "Nowhere/City"}),
             Catch::Contains("'Nowhere/City' is not in the zone database"));
  CHECK_THAT(error({.name = "x", .steps = {{.name = "a", .trigger = JourneyTrigger::Event("visit"),
                                            .schedule = {.hour = 25}}}}),
             Catch::Contains("hour 25"));
}

TEST_CASE("advancing backwards or loading a foreign state changes nothing",
          "[ops][journey][errors]") {
  Store store = FullStore();
  Journey j = MustCreate(store, BuyerJourney());
  MustAdvance(j, store, At(5));
  const std::string before = j.Serialize();
  absl::StatusOr<std::vector<DueAction>> back = j.Advance(store, At(4));
  CHECK(back.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(j.Serialize() == before);
  // A changed definition is refused; damaged bytes fail cleanly.
  JourneySpec changed = BuyerJourney();
  changed.steps[1].schedule.offset = absl::Hours(14 * 24);
  CHECK(Journey::Deserialize(store, changed, before).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(Journey::Deserialize(store, BuyerJourney(), before).ok());
  for (size_t i = 0; i < before.size(); ++i) {
    std::string bad = before;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    CHECK_FALSE(Journey::Deserialize(store, BuyerJourney(), bad).ok());
  }
  for (size_t n = 0; n < before.size(); n += 7) {
    CHECK_FALSE(Journey::Deserialize(store, BuyerJourney(), before.substr(0, n)).ok());
  }
}
