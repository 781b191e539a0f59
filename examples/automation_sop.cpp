// Marketing automation as three standing rules, run as one Journey over four
// simulated weeks of sign-ups and orders:
//   new user        a welcome within an hour of registering (never at night)
//   buyer           a thank-you 24 hours after each purchase
//   30 days dormant a personalised coupon on the weekend (Saturday 10:00)
// Prints each week's sends per rule and a sample of the first coupons with
// what personalises them; exits non-zero if a check fails.
#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

const absl::TimeZone kZone = absl::FixedTimeZone(8 * 3600);  // the shop's local time
const absl::Time kStart = absl::FromCivil(absl::CivilDay(2026, 6, 1), kZone);  // a Monday
constexpr int kDays = 56;
const char* const kCategories[] = {"tea", "snacks", "kitchen", "skincare"};

JourneySpec Rules() {
  return {.name = "automation",
          .steps = {{.name = "welcome", .trigger = JourneyTrigger::Event("register")},
                    {.name = "thank_you", .trigger = JourneyTrigger::Event("purchase"),
                     .schedule = {.offset = absl::Hours(24)}},
                    {.name = "dormant_coupon",
                     .trigger = JourneyTrigger::Enter(
                         "did(register) AND NOT did(register, within = 30d) AND "
                         "NOT did(purchase, within = 30d) AND NOT did(visit, within = 30d)"),
                     .schedule = {.weekdays = 0x20, .hour = 10}}},
          .default_time_zone = "Asia/Shanghai",
          .quiet_hours = QuietHours{.from_minute = 22 * 60, .to_minute = 8 * 60}};
}

// The category a person bought most (what the coupon is for), or "".
std::string FavouriteCategory(const Store& store, PersonId p) {
  const EventIndex& purchases = store.event_type(*store.schema().EventTypeIdOf("purchase"));
  std::map<std::string, int> counts;
  purchases.ForEachPoint(p, [&](const EventPoint& point) {
    if (!point.values.empty() && point.values[0] != EventIndex::kNoValue) {
      counts[purchases.PropertyValueName(0, point.values[0])] += static_cast<int>(point.count);
    }
  });
  std::string best;
  int most = 0;
  for (const auto& [category, n] : counts) {
    if (n > most) best = category, most = n;
  }
  return best;
}

// The person's last event of any type.
absl::Time LastActive(const Store& store, PersonId p) {
  int64_t last = 0;
  for (EventTypeId t = 0; t < store.schema().event_types().size(); ++t) {
    if (const PersonAggregate* agg = store.event_type(t).Aggregate(p)) {
      last = std::max(last, agg->last_time);
    }
  }
  return absl::FromUnixSeconds(last);
}

}  // namespace

int main() {
  Schema schema;
  const bool declared =
      schema.AddEventType({.name = "register"}).ok() && schema.AddEventType({.name = "visit"}).ok() &&
      schema.AddEventType({.name = "purchase",
                           .properties = {{.name = "category", .indexed = true}}}).ok();
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok()) return 1;
  const JourneySpec spec = Rules();
  absl::StatusOr<Journey> journey = Journey::Create(*store, spec);
  if (!journey.ok()) {
    fmt::print(stderr, "{}\n", journey.status().message());
    return 1;
  }

  std::mt19937 rng(7);
  std::vector<int> users;
  std::map<PersonId, absl::Time> registered;
  std::vector<std::map<size_t, int>> per_week(kDays / 7);
  std::vector<std::string> repeat, first_order;  // sample coupon lines
  bool ok = true;
  for (int day = 0; day < kDays; ++day) {
    const absl::Time midnight = kStart + absl::Hours(24 * day);
    WriteBatch b(midnight);
    const int signups = day < 21 ? 20 + static_cast<int>(rng() % 10) : 5;
    for (int k = 0; k < signups; ++k) {
      const int id = static_cast<int>(users.size()) + 1;
      users.push_back(id);
      b.AddEvent(ExternalId::Int(id), "register", midnight + absl::Minutes(rng() % (24 * 60)));
    }
    for (int id : users) {
      // A third never come back; some early customers drift away.
      if (id % 3 == 0 || (id % 7 == 1 && day > 12) || rng() % 5 != 0) continue;
      const absl::Time t = midnight + absl::Minutes(8 * 60 + rng() % (14 * 60));
      b.AddEvent(ExternalId::Int(id), "visit", t);
      if (rng() % 3 == 0) {
        b.Purchase(ExternalId::Int(id), t + absl::Minutes(5), 10 + static_cast<double>(rng() % 90),
                   {{"category", kCategories[rng() % std::size(kCategories)]}});
      }
    }
    if (!store->Apply(b).ok()) return 1;
    for (int minute = 15; minute <= 24 * 60; minute += 15) {  // the scheduler ticks every 15 min
      const absl::Time now = midnight + absl::Minutes(minute);
      absl::StatusOr<std::vector<DueAction>> due = journey->Advance(*store, now);
      if (!due.ok()) return 1;
      for (const DueAction& a : *due) {
        ++per_week[static_cast<size_t>(day / 7)][a.step];
        const std::string& rule = spec.steps[a.step].name;
        const absl::CivilSecond local = absl::ToCivilSecond(now, kZone);
        // Rules the output promises: welcomes within the hour unless the
        // person registered at night; nothing sent between 22:00 and 08:00.
        ok = ok && (local.hour() >= 8 && (local.hour() < 22 || (local.hour() == 22 && local.minute() == 0)));
        if (rule == "welcome" && absl::ToCivilHour(a.entered, kZone).hour() >= 8 &&
            absl::ToCivilHour(a.entered, kZone).hour() < 21) {
          ok = ok && now - a.entered <= absl::Hours(1);
        }
        if (rule == "dormant_coupon") {
          // A few of each kind: past buyers get their favourite category.
          const std::string favourite = FavouriteCategory(*store, a.person);
          std::vector<std::string>& sample = favourite.empty() ? first_order : repeat;
          if (sample.size() < 3) {
            sample.push_back(fmt::format(
                "user {:>4}: last seen {}, coupon {} sent {}",
                store->ids().IdsOf(a.person).front().ToString(),
                absl::FormatTime("%F", LastActive(*store, a.person), kZone),
                favourite.empty() ? "for a first order" : "for " + favourite,
                absl::FormatTime("%a %F %R", now, kZone)));
          }
        }
      }
    }
  }
  fmt::print("Automation rules over {} weeks, {} users (sends per week)\n\n", kDays / 7,
             users.size());
  fmt::print("{:>5} {:>8} {:>10} {:>15}\n", "week", "welcome", "thank_you", "dormant_coupon");
  for (size_t w = 0; w < per_week.size(); ++w) {
    fmt::print("{:>5} {:>8} {:>10} {:>15}\n", w + 1, per_week[w][0], per_week[w][1],
               per_week[w][2]);
  }
  fmt::print("\nFirst dormant coupons:\n");
  for (const std::string& line : repeat) fmt::print("  {}\n", line);
  for (const std::string& line : first_order) fmt::print("  {}\n", line);
  for (size_t s = 0; s < spec.steps.size(); ++s) ok = ok && journey->counters(s).fired > 0;
  if (!ok) {
    fmt::print(stderr, "a check failed\n");
    return 1;
  }
  return 0;
}
