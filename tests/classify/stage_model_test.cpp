// Rule stages: RunStages against a per-person oracle of the lifecycle rules,
// history (previous stage, entered_at, change events), transitions, tiers,
// the funnel with conversion and "stuck" queries, and every error path.
#include "audience/classify/stage_model.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "audience/audience.h"
#include "audience/classify/stage_presets.h"

using namespace audience;

namespace {

constexpr int64_t kDay = 86400;
const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);
absl::Time DayAt(int d) { return kT0 + absl::Hours(24 * d); }

uint64_t CountQuery(const Store& store, const std::string& text, absl::Time now) {
  absl::StatusOr<uint64_t> n = Count(store, text, QueryOptions{.now = now});
  INFO(text << ": " << n.status().message());
  REQUIRE(n.ok());
  return *n;
}

std::string StageOf(const Store& store, const std::string& dim, int64_t person) {
  std::optional<PersonId> p = store.ids().Find(ExternalId::Int(person));
  if (!p) return "";
  std::optional<DimensionId> d = store.schema().DimensionIdOf(dim);
  if (!d) return "";
  const TagDimension& t = store.dimension(*d);
  for (uint32_t v = 0; v < t.value_count(); ++v) {
    if (t.Members(v).Contains(*p)) return t.ValueName(v);
  }
  return "";
}

// People 0..n-1 with random purchases and visits over days [0, 200) and a
// registration day; `days[i]` lists (day, is_purchase).
struct World {
  Store store;
  std::vector<std::vector<std::pair<int, bool>>> days;
  std::vector<int> registered;
};

World MakeWorld(uint32_t seed, int n) {
  World w;
  REQUIRE(w.store.AddEventType({.name = "purchase"}).ok());
  REQUIRE(w.store.AddEventType({.name = "visit"}).ok());
  REQUIRE(w.store.AddAttribute({.name = "registered_at", .type = AttributeType::kTimestamp}).ok());
  std::mt19937 rng(seed);
  WriteBatch batch(kT0);
  w.days.resize(n);
  for (int i = 0; i < n; ++i) {
    const ExternalId id = ExternalId::Int(i);
    batch.Upsert(id);
    w.registered.push_back(static_cast<int>(rng() % 200));
    batch.SetAttribute(id, "registered_at", Value::Time(DayAt(w.registered.back())));
    const int events = static_cast<int>(rng() % 6);
    for (int e = 0; e < events; ++e) {
      const int day = static_cast<int>(rng() % 200);
      const bool purchase = rng() % 2 == 0;
      w.days[i].emplace_back(day, purchase);
      batch.AddEvent(id, purchase ? "purchase" : "visit", DayAt(day) + absl::Hours(1), 10);
    }
  }
  REQUIRE(w.store.Apply(batch).ok());
  return w;
}

// The lifecycle rules evaluated for one person at day `now` (events at
// day + 1h, so "within k days" at a whole day holds for day >= now - k + 1).
std::string OracleStage(const World& w, int i, int now, const std::string& before,
                        int entered_before) {
  const LifecycleOptions o;
  auto any = [&](bool purchase_only, bool visit_only, int within) {
    for (auto [day, purchase] : w.days[i]) {
      const int64_t t = int64_t{day} * kDay + 3600, at = int64_t{now} * kDay;
      if (t > at) continue;
      if (purchase_only && !purchase) continue;
      if (visit_only && purchase) continue;
      if (within == 0 || t >= at - int64_t{within} * kDay) return true;
    }
    return false;
  };
  int first_purchase = -1;
  for (auto [day, purchase] : w.days[i]) {
    if (purchase && day <= now - 1 && (first_purchase < 0 || day < first_purchase)) {
      first_purchase = day;
    }
  }
  const int64_t at = int64_t{now} * kDay;
  const bool fresh =
      (first_purchase >= 0 && int64_t{first_purchase} * kDay + 3600 >= at - o.new_days * kDay) ||
      (int64_t{w.registered[i]} * kDay >= at - o.new_days * kDay &&
       !any(true, false, 0));
  const bool active = any(false, false, o.active_days);
  if (fresh) return "new";
  if ((before == "dormant" || before == "churned" ||
       (before == "reactivated" && int64_t{entered_before} * kDay >= at - o.active_days * kDay)) &&
      active) {
    return "reactivated";
  }
  if (any(true, false, 0) && !any(true, false, o.at_risk_days) && any(false, true, o.active_days)) {
    return "at_risk";
  }
  if (active) return "active";
  if (any(false, false, o.churn_days)) return "dormant";
  if (any(false, false, 0)) return "churned";
  return "prospect";
}

}  // namespace

TEST_CASE("first match wins, the default takes the rest, and the run is recorded",
          "[classify][stages]") {
  Store store;
  REQUIRE(store.AddAttribute({.name = "points", .type = AttributeType::kInt64}).ok());
  WriteBatch b(kT0);
  for (int i = 0; i < 10; ++i) b.SetAttribute(ExternalId::Int(i), "points", Value::Int(i * 100));
  REQUIRE(store.Apply(b).ok());
  StageModel m{.name = "level",
               .rules = {{"high", "points >= 700"}, {"mid", "points >= 300"},
                         {"high", "points = 0"}},
               .default_stage = "low"};
  CHECK(m.Stages() == std::vector<std::string>{"high", "mid", "low"});
  auto run = RunStages(store, m, {.now = DayAt(1)});
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK(run->sizes == std::vector<uint64_t>{4, 4, 2});  // 0,7,8,9 | 3..6 | 1,2
  CHECK(run->changed == 10);
  CHECK(run->moves[3] == std::vector<uint64_t>{4, 4, 2, 0});  // all new to the model
  CHECK(StageOf(store, "level", 0) == "high");
  CHECK(StageOf(store, "level", 5) == "mid");
  CHECK(StageOf(store, "level", 1) == "low");
  CHECK(CountQuery(store, "level.entered_at = '" + absl::FormatTime(DayAt(1)) + "'", DayAt(1)) ==
        10);
  CHECK(CountQuery(store, "did(level.change, from_stage = 'none', to_stage = 'mid')", DayAt(1)) == 4);
  CHECK(CountQuery(store, "has(level.previous)", DayAt(1)) == 0);

  // Same store, same now: same stages, nobody changes.
  auto again = RunStages(store, m, {.now = DayAt(1)});
  REQUIRE(again.ok());
  CHECK(again->changed == 0);
  CHECK(again->moves[0][0] == 4);
  CHECK(again->moves[1][1] == 4);

  // Person 5 rises, person 9 falls; entered_at and previous follow.
  WriteBatch b2(DayAt(3));
  b2.SetAttribute(ExternalId::Int(5), "points", Value::Int(900));
  b2.SetAttribute(ExternalId::Int(9), "points", Value::Int(100));
  REQUIRE(store.Apply(b2).ok());
  auto later = RunStages(store, m, {.now = DayAt(5)});
  REQUIRE(later.ok());
  CHECK(later->changed == 2);
  CHECK(later->moves[1][0] == 1);  // mid -> high
  CHECK(later->moves[0][2] == 1);  // high -> low
  CHECK(StageOf(store, "level.previous", 5) == "mid");
  CHECK(StageOf(store, "level.previous", 9) == "high");
  CHECK(CountQuery(store, "level:high AND level.entered_at < now - 3d", DayAt(5)) == 3);
  CHECK(CountQuery(store, "level:high AND level.entered_at >= now - 1d", DayAt(5)) == 1);
  CHECK(CountQuery(store, "count(level.change) = 2", DayAt(5)) == 2);
}

TEST_CASE("people no rule matches and no default leave the model", "[classify][stages]") {
  Store store;
  REQUIRE(store.AddAttribute({.name = "points", .type = AttributeType::kInt64}).ok());
  WriteBatch b(kT0);
  for (int i = 0; i < 4; ++i) b.SetAttribute(ExternalId::Int(i), "points", Value::Int(i));
  REQUIRE(store.Apply(b).ok());
  StageModel m{.name = "club", .rules = {{"member", "points >= 2"}}};
  REQUIRE(RunStages(store, m, {.now = DayAt(1)}).ok());
  WriteBatch b2(DayAt(2));
  b2.SetAttribute(ExternalId::Int(3), "points", Value::Int(0));
  REQUIRE(store.Apply(b2).ok());
  auto run = RunStages(store, m, {.now = DayAt(3)});
  REQUIRE(run.ok());
  CHECK(run->moves[0][1] == 1);  // member -> no stage
  CHECK(StageOf(store, "club", 3).empty());
  CHECK(StageOf(store, "club.previous", 3) == "member");
  CHECK(CountQuery(store, "club.entered_at IS NULL", DayAt(3)) == 3);
  CHECK(CountQuery(store, "did(club.change, from_stage = 'member', to_stage = 'none')", DayAt(3)) == 1);
}

TEST_CASE("the lifecycle preset equals a per-person oracle over three runs",
          "[classify][stages]") {
  World w = MakeWorld(7, 400);
  LifecycleOptions o{.engagement_events = {"visit"}, .registered_attribute = "registered_at"};
  const StageModel m = PresetLifecycle(o);
  std::vector<std::string> before(400);
  std::vector<int> entered(400, 0);
  for (int now : {60, 120, 150, 230}) {
    auto run = RunStages(w.store, m, {.now = DayAt(now)});
    INFO(run.status().message());
    REQUIRE(run.ok());
    std::map<std::string, uint64_t> sizes;
    for (int i = 0; i < 400; ++i) {
      const std::string want = OracleStage(w, i, now, before[i], entered[i]);
      INFO("person " << i << " at day " << now << " was " << before[i]);
      CHECK(StageOf(w.store, "lifecycle", i) == want);
      if (want != before[i]) {
        if (!before[i].empty()) CHECK(StageOf(w.store, "lifecycle.previous", i) == before[i]);
        entered[i] = now;
      }
      before[i] = want;
      ++sizes[want];
    }
    for (size_t s = 0; s < run->stages.size(); ++s) CHECK(run->sizes[s] == sizes[run->stages[s]]);
  }
}

TEST_CASE("tiers by points", "[classify][stages]") {
  Store store;
  REQUIRE(store.AddAttribute({.name = "points", .type = AttributeType::kDouble}).ok());
  WriteBatch b(kT0);
  const double points[] = {0, 999, 1000, 4999.5, 5000, 12000};
  for (int i = 0; i < 6; ++i) {
    b.SetAttribute(ExternalId::Int(i), "points", Value::Double(points[i]));
  }
  b.Upsert(ExternalId::Int(6));  // no points: bronze
  REQUIRE(store.Apply(b).ok());
  auto run = RunStages(store, PresetTiers(), {.now = DayAt(1)});
  REQUIRE(run.ok());
  CHECK(run->stages == std::vector<std::string>{"gold", "silver", "bronze"});
  CHECK(run->sizes == std::vector<uint64_t>{2, 2, 3});
  CHECK(StageOf(store, "tier", 3) == "silver");
  CHECK(StageOf(store, "tier", 6) == "bronze");
}

TEST_CASE("the car funnel: furthest stage, conversion and who is stuck", "[classify][stages]") {
  Store store;
  const std::vector<std::string> order = CarFunnelOrder();
  for (size_t s = 1; s < order.size(); ++s) REQUIRE(store.AddEventType({.name = order[s]}).ok());
  // Person i did the first i % 7 steps, on days 1..; person 20 skips to a
  // deposit directly.
  WriteBatch b(kT0);
  for (int i = 0; i < 21; ++i) {
    b.Upsert(ExternalId::Int(i));
    const int steps = i == 20 ? 0 : i % 7;
    for (int s = 1; s <= steps; ++s) b.AddEvent(ExternalId::Int(i), order[s], DayAt(s));
  }
  b.AddEvent(ExternalId::Int(20), "deposit", DayAt(2));
  REQUIRE(store.Apply(b).ok());
  const StageModel m = PresetCarFunnel();
  auto run = RunStages(store, m, {.now = DayAt(10)});
  INFO(run.status().message());
  REQUIRE(run.ok());
  CHECK(StageOf(store, "funnel", 0) == "lead");
  CHECK(StageOf(store, "funnel", 3) == "test_drive");
  CHECK(StageOf(store, "funnel", 20) == "deposit");
  // Reached: lead 21; store_visit 18 (i%7 >= 1 plus person 20) ... deposit 9.
  auto steps = FunnelConversion(store, "funnel", order, DayAt(10));
  REQUIRE(steps.ok());
  REQUIRE(steps->size() == 6);
  CHECK((*steps)[0].reached_from == 21);
  CHECK((*steps)[0].reached_to == 18);
  CHECK((*steps)[3].from == "test_drive");
  CHECK((*steps)[3].reached_from == 12);  // i%7 >= 3 (9) + 20... and 3 with 4+
  CHECK((*steps)[3].reached_to == 9);
  CHECK((*steps)[3].conversion == Approx(0.75));
  // Nobody advances by day 30: test drivers are stuck for 20 days.
  REQUIRE(RunStages(store, m, {.now = DayAt(30)}).ok());
  CHECK(CountQuery(store, "funnel:test_drive AND funnel.entered_at < now - 14d", DayAt(30)) == 3);
  CHECK(FunnelConversion(store, "nothing", order, DayAt(1)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("bad models and bad stores are refused before anything is written",
          "[classify][stages]") {
  Store store;
  REQUIRE(store.AddDimension({.name = "taken", .kind = DimensionKind::kMulti}).ok());
  const uint64_t v = store.version();
  auto err = [&](const StageModel& m) {
    auto r = RunStages(store, m, {.now = DayAt(1)});
    REQUIRE_FALSE(r.ok());
    return std::string(r.status().message());
  };
  CHECK(err(StageModel{.name = "Bad Name", .default_stage = "x"}).find("stage model name") !=
        std::string::npos);
  CHECK(err(StageModel{.name = "empty"}).find("no rules and no default") != std::string::npos);
  CHECK(err(StageModel{.name = "m", .rules = {{"", "has(taken)"}}}).find("rule 1") !=
        std::string::npos);
  CHECK(err(StageModel{.name = "m", .rules = {{"a", ""}}}).find("condition is empty") !=
        std::string::npos);
  CHECK(err(StageModel{.name = "m", .rules = {{"none", "has(taken)"}}}).find("reserved") !=
        std::string::npos);
  CHECK(err(StageModel{.name = "m", .default_stage = "none"}).find("reserved") !=
        std::string::npos);
  const std::string bad = err(StageModel{.name = "m", .rules = {{"a", "has(taken)"},
                                                                 {"b", "poinst > 3"}}});
  CHECK(bad.find("rule 2 (stage 'b')") != std::string::npos);
  CHECK(err(StageModel{.name = "taken", .default_stage = "x"}).find("not exclusive") !=
        std::string::npos);
  REQUIRE(store.AddAttribute({.name = "t.entered_at", .type = AttributeType::kInt64}).ok());
  CHECK(err(StageModel{.name = "t", .default_stage = "x"}) ==
        "attribute 't.entered_at' exists with type int64; RunStages writes timestamp");
  REQUIRE(store.AddEventType({.name = "u.change", .properties = {{.name = "from_stage"}}}).ok());
  CHECK(err(StageModel{.name = "u", .default_stage = "x"}) ==
        "event type 'u.change' exists without the property 'to_stage'");
  // The condition error came after the model's names were created (rules
  // may refer to them); no person was given a stage.
  CHECK(CountQuery(store, "has(m)", DayAt(1)) == 0);
  CHECK(store.schema().DimensionIdOf("taken.previous") == std::nullopt);
  (void)v;
}
