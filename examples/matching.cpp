// People, goods and scenes: products carry weighted terms (tags or any
// segment query) and the scenes they fit; each person is scored against
// the products fit for the moment. Shows that fashion-minded young office
// workers get limited trendy make-up on their phones at lunch, and
// value-minded homemakers get practical skin-care sets in the evening at
// home. Exits non-zero if a check fails.
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

const absl::TimeZone kZone = absl::FixedTimeZone(8 * 3600);
const absl::Time kNow = absl::FromCivil(absl::CivilDay(2026, 5, 5), kZone);  // a Tuesday

std::vector<Product> Catalogue() {
  return {
      {.id = "limited trendy lipstick",
       .terms = {{"interest:makeup", 3}, {"interest:fashion", 3}, {"price:trendy", 2},
                 {"occupation:office_worker", 1}, {"age BETWEEN 20 AND 32", 2}},
       .scenes = {"lunch_mobile"}},
      {.id = "limited eye palette",
       .terms = {{"interest:makeup", 3}, {"interest:fashion", 2}, {"price:trendy", 2},
                 {"age < 30", 1}},
       .scenes = {"lunch_mobile", "evening_home"}},
      {.id = "practical skin-care set",
       .terms = {{"interest:skincare", 3}, {"price:value", 3}, {"occupation:homemaker", 2},
                 {"age >= 30", 1}},
       .scenes = {"evening_home"}},
      {.id = "family moisturiser pack",
       .terms = {{"interest:skincare", 2}, {"interest:parenting", 2}, {"price:value", 2}},
       .scenes = {"evening_home"}},
      {.id = "kitchen knife set", .terms = {{"interest:cooking", 3}, {"occupation:homemaker", 1}},
       .scenes = {"evening_home"}},
      {.id = "wireless earbuds", .terms = {{"interest:tech", 3}, {"age < 40", 1}}},
      {.id = "office snack box",
       .terms = {{"occupation:office_worker", 2}, {"price:value", 1}},
       .scenes = {"lunch_mobile"}},
  };
}

const std::vector<Scene> kScenes = {
    {.name = "lunch_mobile", .channel = "mobile", .weekdays = kWeekdays,
     .from_minute = 11 * 60 + 30, .to_minute = 13 * 60 + 30},
    {.name = "evening_home", .channel = "app_tv", .from_minute = 19 * 60, .to_minute = 23 * 60}};

// 6,000 generated people: an occupation, interests and a price attitude
// that lean with the occupation, an age.
WriteBatch People() {
  std::mt19937 rng(9);
  WriteBatch b(kNow);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  for (int i = 1; i <= 6000; ++i) {
    const auto id = ExternalId::Int(i);
    const int kind = static_cast<int>(rng() % 10);  // 0-4 office, 5-7 homemaker, 8-9 student
    const bool office = kind < 5, home = kind >= 5 && kind < 8;
    b.Tag(id, "occupation", office ? "office_worker" : home ? "homemaker" : "student");
    const int age = office ? 22 + static_cast<int>(rng() % 25)
                           : home ? 28 + static_cast<int>(rng() % 30) : 18 + static_cast<int>(rng() % 6);
    b.SetAttribute(id, "age", Value::Int(age));
    if (chance(office ? (age < 30 ? 60 : 30) : 20)) b.Tag(id, "interest", "fashion");
    if (chance(office ? 45 : 25)) b.Tag(id, "interest", "makeup");
    if (chance(home ? 60 : 30)) b.Tag(id, "interest", "skincare");
    if (chance(home ? 50 : 10)) b.Tag(id, "interest", "cooking");
    if (chance(home ? 40 : 5)) b.Tag(id, "interest", "parenting");
    if (chance(25)) b.Tag(id, "interest", "tech");
    b.Tag(id, "price", chance(home ? 75 : office && age < 30 ? 25 : 50) ? "value" : "trendy");
  }
  return b;
}

}  // namespace

int main() {
  Schema schema;
  const bool declared = schema.AddDimension({.name = "interest"}).ok() &&
                        schema.AddDimension({.name = "occupation", .kind = DimensionKind::kExclusive}).ok() &&
                        schema.AddDimension({.name = "price", .kind = DimensionKind::kExclusive,
                                             .values = {"trendy", "value"}}).ok() &&
                        schema.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok();
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok() || !store->Apply(People()).ok()) return 1;
  absl::StatusOr<Matcher> matcher = Matcher::Create(*store, Catalogue(), kScenes, kNow);
  if (!matcher.ok()) {
    fmt::print(stderr, "{}\n", matcher.status().message());
    return 1;
  }

  struct Moment {
    absl::Time at;
    std::string channel, audience, expected;
  };
  const Moment moments[] = {
      {kNow + absl::Hours(12) + absl::Minutes(15), "mobile",
       "occupation:office_worker AND interest:fashion AND age < 30", "limited trendy lipstick"},
      {kNow + absl::Hours(20) + absl::Minutes(30), "app_tv",
       "occupation:homemaker AND price:value", "practical skin-care set"}};
  bool ok = true;
  for (const Moment& m : moments) {
    const std::vector<std::string> scenes = matcher->ScenesAt(m.at, kZone, m.channel);
    if (scenes.size() != 1) return 1;
    absl::StatusOr<Segment> who = Evaluate(*store, m.audience, {.now = kNow});
    if (!who.ok()) return 1;
    absl::StatusOr<MatchTable> table = matcher->TopProductsForAll(who->people(), scenes[0], 3);
    if (!table.ok()) return 1;
    std::map<std::string, int> first_choice;
    for (size_t i = 0; i < table->people.size(); ++i) {
      const Match& best = table->Row(i)[0];
      if (best.score > 0) ++first_choice[matcher->product(best.id).id];
    }
    fmt::print("{} on {} -> scene '{}'\n  audience: {} ({} people)\n  their first choice:\n",
               absl::FormatTime("%a %H:%M", m.at, kZone), m.channel, scenes[0], m.audience,
               who->count());
    for (const auto& [product, n] : first_choice) {
      fmt::print("    {:<26} {:>5} ({:.0f}%)\n", product, n,
                 100.0 * n / static_cast<double>(who->count()));
    }
    ok = ok && 2 * first_choice[m.expected] > static_cast<int>(who->count());
    // The same from the product's side: its best people at this moment.
    size_t index = 0;
    while (matcher->product(index).id != m.expected) ++index;
    const std::vector<Match> best = matcher->TopPeople(index, 5);
    fmt::print("  best people for '{}':", m.expected);
    for (const Match& x : best) {
      fmt::print(" {} ({:.2f})", store->ids().IdsOf(x.id).front().ToString(), x.score);
    }
    fmt::print("\n\n");
  }
  // One person, both moments.
  const PersonId someone = *store->Find(ExternalId::Int(4));
  for (const char* scene : {"lunch_mobile", "evening_home"}) {
    absl::StatusOr<std::vector<Match>> picks = matcher->TopProducts(someone, scene, 3);
    if (!picks.ok()) return 1;
    fmt::print("person 4 in '{}':", scene);
    for (const Match& x : *picks) fmt::print(" {} ({:.2f});", matcher->product(x.id).id, x.score);
    fmt::print("\n");
  }
  if (!ok) {
    fmt::print(stderr, "a check failed\n");
    return 1;
  }
  return 0;
}
