// A beauty brand's follow-up plan ("SOP") as a Journey, driven over 60
// simulated days of generated followers, visits and purchases:
//   new follower   T+0 welcome and beauty tips, week 1 first-purchase group
//                  offer, week 2 trial / lottery invitation (both only while
//                  they have not bought)
//   first buyer    T+1 VIP-community invitation, T+7 one-to-one push matched
//                  to what they bought, T+21 repurchase coupon with a
//                  countdown (only if they have not bought again)
//   day 30         new-product early access, 30 days after the first purchase
//   30 silent days wake-up message on the next weekend, 10:00 local time
// Nothing goes out in quiet hours (22:00-08:00 local). Prints the actions due
// each day and a few of the matched pushes; exits non-zero if a check fails.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

constexpr int kDays = 60;
const absl::Time kStart = absl::FromCivil(absl::CivilDay(2026, 3, 2), absl::UTCTimeZone());
const char* const kZones[] = {"Asia/Shanghai", "Asia/Shanghai", "Asia/Shanghai", "Asia/Tokyo",
                              "Europe/Paris"};
const char* const kCategories[] = {"skincare", "makeup", "fragrance"};

JourneySpec BeautyJourney() {
  const auto days = [](int n) { return absl::Hours(24 * n); };
  return {
      .name = "beauty",
      .steps =
          {{.name = "welcome_tips", .trigger = JourneyTrigger::Event("follow")},
           {.name = "group_offer", .trigger = JourneyTrigger::Event("follow"),
            .schedule = {.offset = days(3)}, .condition = "NOT did(purchase)"},
           {.name = "trial_lottery", .trigger = JourneyTrigger::Event("follow"),
            .schedule = {.offset = days(10)}, .condition = "NOT did(purchase)"},
           {.name = "vip_invite", .trigger = JourneyTrigger::FirstEvent("purchase"),
            .schedule = {.offset = days(1)}},
           {.name = "matched_push", .trigger = JourneyTrigger::FirstEvent("purchase"),
            .schedule = {.offset = days(7)}},
           {.name = "repurchase_coupon", .trigger = JourneyTrigger::Event("purchase"),
            .schedule = {.offset = days(21)}, .condition = "NOT did(purchase, within = 20d)"},
           {.name = "early_access", .trigger = JourneyTrigger::FirstEvent("purchase"),
            .schedule = {.offset = days(30)}},
           {.name = "wake_up",
            .trigger = JourneyTrigger::Enter(
                "did(follow) AND NOT did(follow, within = 30d) AND NOT did(visit, within = 30d) "
                "AND NOT did(purchase, within = 30d)"),
            .schedule = {.weekdays = kWeekend, .hour = 10}}},
      .time_zone_attribute = "zone",
      .default_time_zone = "Asia/Shanghai",
      .quiet_hours = QuietHours{.from_minute = 22 * 60, .to_minute = 8 * 60}};
}

struct Follower {
  int id;
  absl::TimeZone zone;
};

// One day of generated behaviour, at local times: ~35 new followers; each
// follower visits on about one day in four (a fifth of them go quiet for
// good after a few days) and buys on some visits.
WriteBatch SimulateDay(int day, std::mt19937& rng, int& next_id, std::vector<Follower>& followers) {
  WriteBatch b(kStart + absl::Hours(24 * day));
  const absl::CivilDay date = absl::CivilDay(2026, 3, 2) + day;
  auto at = [&](const absl::TimeZone& zone, int hour_from, int hour_to) {
    const int hour = hour_from + static_cast<int>(rng() % static_cast<unsigned>(hour_to - hour_from));
    return absl::FromCivil(absl::CivilMinute(date.year(), date.month(), date.day(), hour,
                                             static_cast<int>(rng() % 60)),
                           zone);
  };
  const int joining = 25 + static_cast<int>(rng() % 20);
  for (int k = 0; k < joining; ++k) {
    const char* zone_name = kZones[rng() % std::size(kZones)];
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(zone_name, &zone)) std::abort();  // tzdata is a dependency
    const auto id = ExternalId::Int(next_id);
    b.SetAttribute(id, "zone", Value::Enum(zone_name));
    b.AddEvent(id, "follow", at(zone, 7, 24));
    followers.push_back({next_id++, zone});
  }
  for (const Follower& f : followers) {
    const bool sleepy = f.id % 5 == 0;
    if (sleepy && day > f.id / 35 + 5) continue;
    if (rng() % 4 != 0) continue;
    const auto id = ExternalId::Int(f.id);
    b.AddEvent(id, "visit", at(f.zone, 7, 24));
    if (rng() % 6 == 0) {
      b.Purchase(id, at(f.zone, 9, 24), 30 + static_cast<double>(rng() % 200),
                 {{"category", kCategories[rng() % std::size(kCategories)]}});
    }
  }
  return b;
}

// The category of the person's first purchase (what the matched push is about).
std::string FirstCategory(const Store& store, PersonId p) {
  const EventIndex& purchases = store.event_type(*store.schema().EventTypeIdOf("purchase"));
  std::string category = "?";
  bool first = true;
  purchases.ForEachPoint(p, [&](const EventPoint& point) {
    if (first && !point.values.empty() && point.values[0] != EventIndex::kNoValue) {
      category = purchases.PropertyValueName(0, point.values[0]);
    }
    first = false;
  });
  return category;
}

}  // namespace

int main() {
  Schema schema;
  bool declared =
      schema.AddAttribute({.name = "zone", .type = AttributeType::kEnum}).ok() &&
      schema.AddEventType({.name = "follow"}).ok() &&
      schema.AddEventType({.name = "visit"}).ok() &&
      schema.AddEventType({.name = "purchase",
                           .properties = {{.name = "category", .indexed = true}}}).ok();
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok()) return 1;
  const JourneySpec spec = BeautyJourney();
  absl::StatusOr<Journey> journey = Journey::Create(*store, spec);
  if (!journey.ok()) {
    fmt::print(stderr, "{}\n", journey.status().message());
    return 1;
  }
  const std::string state_path =
      (std::filesystem::temp_directory_path() / "audience_beauty_journey.state").string();

  std::mt19937 rng(2026);
  int next_id = 1;
  std::vector<Follower> followers;
  std::vector<std::map<size_t, int>> per_day(kDays);
  std::vector<DueAction> pushes;
  std::set<std::pair<size_t, PersonId>> once_only;  // steps that may fire once per person
  bool ok = true;
  for (int day = 0; day < kDays; ++day) {
    absl::StatusOr<ApplyResult> applied = store->Apply(SimulateDay(day, rng, next_id, followers));
    if (!applied.ok()) {
      fmt::print(stderr, "{}\n", applied.status().message());
      return 1;
    }
    // The host's scheduler: every hour.
    for (int hour = 1; hour <= 24; ++hour) {
      absl::StatusOr<std::vector<DueAction>> due =
          journey->Advance(*store, kStart + absl::Hours(24 * day + hour));
      if (!due.ok()) {
        fmt::print(stderr, "{}\n", due.status().message());
        return 1;
      }
      for (const DueAction& a : *due) {
        const int due_day = static_cast<int>((a.due - kStart) / absl::Hours(24));
        ++per_day[static_cast<size_t>(std::min(due_day, kDays - 1))][a.step];
        const std::string& name = spec.steps[a.step].name;
        if (name == "matched_push" && pushes.size() < 4) pushes.push_back(a);
        if (name == "vip_invite" || name == "matched_push" || name == "early_access") {
          ok = once_only.emplace(a.step, a.person).second && ok;
        }
      }
    }
    if (day == 29) {  // the host restarts: state saved and reopened
      absl::Status saved = journey->Save(state_path);
      journey = Journey::Open(*store, spec, state_path);
      ok = saved.ok() && journey.ok() && ok;
      if (!journey.ok()) return 1;
    }
  }
  std::filesystem::remove(state_path);

  fmt::print("Beauty follow-up plan: {} followers over {} days, actions due per day\n\n",
             followers.size(), kDays);
  fmt::print("{:>4} {:>10}", "day", "date");
  for (const JourneyStep& s : spec.steps) fmt::print(" {}", s.name);
  fmt::print("\n");
  for (int day = 0; day < kDays; ++day) {
    const absl::CivilDay date(absl::ToCivilDay(kStart + absl::Hours(24 * day), absl::UTCTimeZone()));
    fmt::print("{:>4} {:>10}", day, absl::FormatCivilTime(date));
    for (size_t s = 0; s < spec.steps.size(); ++s) {
      auto it = per_day[static_cast<size_t>(day)].find(s);
      fmt::print(" {:>{}}", it == per_day[static_cast<size_t>(day)].end() ? 0 : it->second,
                 spec.steps[s].name.size());
    }
    fmt::print("\n");
  }
  fmt::print("\n{:>17} {:>8} {:>8} {:>8} {:>9} {:>8}\n", "step", "entered", "fired", "skipped",
             "cancelled", "pending");
  for (size_t s = 0; s < spec.steps.size(); ++s) {
    const StepCounters c = journey->counters(s);
    fmt::print("{:>17} {:>8} {:>8} {:>8} {:>9} {:>8}   {}\n", spec.steps[s].name, c.entered,
               c.fired, c.skipped, c.cancelled, c.pending, DescribeSchedule(spec.steps[s].schedule));
    ok = ok && c.fired > 0;
  }
  fmt::print("\nThe first matched pushes (about the first purchase's category; local times):\n");
  const std::optional<AttributeId> zone_attr = schema.AttributeIdOf("zone");
  for (const DueAction& a : pushes) {
    const std::string zone_name = store->attribute(*zone_attr).Get(a.person).enum_value();
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(zone_name, &zone)) return 1;
    fmt::print("  customer {:>3} ({}) bought {} at {}; push about {} at {}\n",
               store->ids().IdsOf(a.person).front().ToString(), zone_name,
               FirstCategory(*store, a.person), absl::FormatTime("%F %R", a.entered, zone),
               FirstCategory(*store, a.person), absl::FormatTime("%F %R", a.due, zone));
  }
  if (!ok) {
    fmt::print(stderr, "a check failed\n");
    return 1;
  }
  return 0;
}
