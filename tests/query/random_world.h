// Random data for differential tests of the segment query engine against the
// oracles (oracle.h, SQLite); random queries over it are in query_gen.h.
//
//   audience_test::World w = audience_test::MakeWorld(/*seed=*/7, /*people=*/300);
//   audience_test::QueryGen gen(w.store, /*seed=*/7, w.now);
//   audience::BoundExpr e = gen.Next();
//   CHECK(Engine(w.store, e, w.now) == audience_test::NaiveEvaluate(w.store, e, w.now));
//   // on failure, minimise with audience_test::Shrink (oracle.h):
//   //   Shrink(e, [&](const audience::BoundExpr& x) { return Differs(x); })
//
// Everything is deterministic in the seed (std::mt19937_64, no library
// distributions). The world's schema (WorldSchema) covers every feature:
//   interest   multi, open, 8 values with 1/k popularity (incl. ' and UTF-8)
//   tier       exclusive, closed {gold, silver, bronze, platinum}; nobody
//              ever gets platinum
//   campaign   multi, open, default TTL 30d; assignments expired before now
//              (TTL, explicit, exactly at now) and still held (TTL, explicit)
//   age int64 (nulls, one INT64_MIN and one INT64_MAX), score double
//   (negatives, zero), gender enum closed {F, M, U, X} (X never used), city
//   enum open, signup_at timestamp (some before 1970), vip bool
//   purchase {category (indexed), product}: amounts are multiples of 1/4 so
//   sums are exact; visit {page}. Events span ~400 days before now, a few sit
//   exactly at now and a few after now (which every query must ignore).
//   A few people are merged away (Link) or deleted, so the universe has holes.
// Seeds divisible by 3 also compact events older than 300 days; seeds
// congruent 1 mod 4 sweep assignments expired 5 days before now.
#ifndef AUDIENCE_TESTS_QUERY_RANDOM_WORLD_H_
#define AUDIENCE_TESTS_QUERY_RANDOM_WORLD_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/base/types.h"
#include "audience/query/bound.h"
#include "audience/store/store.h"
#include "audience/store/write_batch.h"

namespace audience_test {

struct World {
  audience::Store store;
  audience::UnixSeconds now = 0;
  // Internal ids that left the universe (for invariant checks).
  std::vector<audience::PersonId> merged_away;
  std::vector<audience::PersonId> deleted;
};

namespace world_internal {

using audience::ExternalId;
using audience::UnixSeconds;
using audience::Value;
inline constexpr UnixSeconds kDay = audience::kSecondsPerDay;

inline void Must(const absl::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + std::string(s.message()));
}

// Small deterministic helpers over mt19937_64.
struct Rng {
  std::mt19937_64 g;
  explicit Rng(uint64_t seed) : g(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : g() % n; }
  int64_t Range(int64_t lo, int64_t hi) {  // [lo, hi]
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  double Unit() { return static_cast<double>(g() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Index in [0, n) with weight 1 / (i + 1).
  size_t Zipf(size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += 1.0 / static_cast<double>(i + 1);
    double x = Unit() * total;
    for (size_t i = 0; i < n; ++i) {
      x -= 1.0 / static_cast<double>(i + 1);
      if (x < 0) return i;
    }
    return n - 1;
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
};

inline const std::vector<std::string>& Interests() {
  static const auto* v = new std::vector<std::string>{
      "fashion", "tech", "sports", "beauty", "travel", "food", "rock'n'roll", "caf\u00e9"};
  return *v;
}
inline const std::vector<std::string>& Campaigns() {
  static const auto* v =
      new std::vector<std::string>{"spring", "summer", "black_friday", "welcome"};
  return *v;
}
inline const std::vector<std::string>& Cities() {
  static const auto* v = new std::vector<std::string>{"Paris", "Berlin",   "S\u00e3o Paulo",
                                                      "Tokyo", "New York", "O'Fallon"};
  return *v;
}
inline const std::vector<std::string>& Categories() {
  static const auto* v =
      new std::vector<std::string>{"skincare", "shoes", "books", "toys", "garden", "grocery"};
  return *v;
}
inline const std::vector<std::string>& Pages() {
  static const auto* v =
      new std::vector<std::string>{"home", "cart", "product", "checkout", "blog's \\ page"};
  return *v;
}

// An event time: mostly within 400 days before now, a few exactly at now or
// after it.
inline UnixSeconds EventTime(Rng& r, UnixSeconds now) {
  double x = r.Unit();
  if (x < 0.03) return now;
  if (x < 0.05) return now + r.Range(1, 30 * kDay);
  if (x < 0.06) return now + 1;
  return now - r.Range(1, 400 * kDay);
}

inline void AddPerson(Rng& r, audience::WriteBatch& b, const ExternalId& id, UnixSeconds now) {
  b.Upsert(id);
  size_t interests = r.Below(4);
  for (size_t k = 0; k < interests; ++k) b.Tag(id, "interest", Interests()[r.Zipf(8)]);
  if (r.Chance(0.8))
    b.Tag(id, "tier", std::vector<std::string>{"gold", "silver", "bronze"}[r.Zipf(3)]);
  if (r.Chance(0.15)) b.Tag(id, "tier", "gold");  // exclusive: replaces
  if (r.Chance(0.6)) {
    audience::TagOptions o;
    switch (r.Below(5)) {
      case 0:
        break;  // default TTL from the batch time (now - 60d): expired
      case 1:
        o.expires_at = absl::FromUnixSeconds(now - r.Range(1, 10 * kDay));
        break;
      case 2:
        o.expires_at = absl::FromUnixSeconds(now + r.Range(1, 20 * kDay));
        break;
      case 3:
        o.expires_at = absl::FromUnixSeconds(now + r.Range(0, 1));
        break;
      default:
        o.source = "rule";
        o.expires_at = absl::FromUnixSeconds(now + 400 * kDay);
        break;
    }
    b.Tag(id, "campaign", Campaigns()[r.Zipf(4)], o);
  }
  if (!r.Chance(0.15)) b.SetAttribute(id, "age", Value::Int(r.Range(0, 99)));
  if (!r.Chance(0.2))
    b.SetAttribute(id, "score", Value::Double(static_cast<double>(r.Range(-40, 40)) * 0.5));
  if (!r.Chance(0.1))
    b.SetAttribute(id, "gender", Value::Enum(r.Chance(0.5) ? "F" : r.Chance(0.8) ? "M" : "U"));
  if (!r.Chance(0.25)) b.SetAttribute(id, "city", Value::Enum(Cities()[r.Zipf(6)]));
  if (!r.Chance(0.2)) {
    UnixSeconds t = r.Chance(0.05) ? -r.Range(1, 3000 * kDay) : now - r.Range(0, 3000 * kDay);
    b.SetAttribute(id, "signup_at", Value::Time(absl::FromUnixSeconds(t)));
  }
  if (!r.Chance(0.3)) b.SetAttribute(id, "vip", Value::Bool(r.Chance(0.3)));
  size_t purchases = r.Chance(0.3) ? 0 : 1 + r.Below(r.Chance(0.3) ? 15 : 5);
  for (size_t k = 0; k < purchases; ++k) {
    audience::EventProperties props;
    if (!r.Chance(0.1)) props.emplace_back("category", Categories()[r.Zipf(6)]);
    if (!r.Chance(0.2)) props.emplace_back("product", "p" + std::to_string(r.Zipf(30)));
    double amount = r.Chance(0.05) ? 0.0 : static_cast<double>(r.Range(-20, 2000)) * 0.25;
    b.Purchase(id, absl::FromUnixSeconds(EventTime(r, now)), amount, std::move(props));
  }
  size_t visits = r.Chance(0.25) ? 0 : r.Below(20);
  for (size_t k = 0; k < visits; ++k) {
    audience::EventProperties props;
    if (!r.Chance(0.1)) props.emplace_back("page", Pages()[r.Zipf(5)]);
    b.AddEvent(id, "visit", absl::FromUnixSeconds(EventTime(r, now)), 0, std::move(props));
  }
}

}  // namespace world_internal

// The schema described at the top of this file.
inline audience::Schema WorldSchema() {
  using namespace audience;
  using world_internal::Must;
  Schema s;
  Must(s.AddDimension({.name = "interest"}).status(), "interest");
  Must(s.AddDimension({.name = "tier",
                       .kind = DimensionKind::kExclusive,
                       .values = {"gold", "silver", "bronze", "platinum"}})
           .status(),
       "tier");
  Must(s.AddDimension({.name = "campaign", .default_ttl = absl::Hours(24 * 30)}).status(),
       "campaign");
  Must(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).status(), "age");
  Must(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).status(), "score");
  Must(s.AddAttribute(
            {.name = "gender", .type = AttributeType::kEnum, .enum_values = {"F", "M", "U", "X"}})
           .status(),
       "gender");
  Must(s.AddAttribute({.name = "city", .type = AttributeType::kEnum}).status(), "city");
  Must(s.AddAttribute({.name = "signup_at", .type = AttributeType::kTimestamp}).status(), "signup");
  Must(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).status(), "vip");
  Must(s.AddEventType({.name = "purchase",
                       .properties = {{.name = "category", .indexed = true}, {.name = "product"}}})
           .status(),
       "purchase");
  Must(s.AddEventType({.name = "visit", .properties = {{.name = "page"}}}).status(), "visit");
  return s;
}

// A store of `people` people (external ids Int(0..people-1)) described at
// the top of this file; `now` is 2026-11-23 plus a seed-dependent time of
// day. Throws std::runtime_error if the library refuses a batch.
inline World MakeWorld(uint64_t seed, size_t people) {
  using namespace world_internal;
  using audience::ExternalId;
  Rng r(seed);
  World w;
  w.now = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 11, 23), absl::UTCTimeZone())) +
          static_cast<UnixSeconds>(r.Below(kDay));
  const UnixSeconds now = w.now;
  auto created = audience::Store::Create(WorldSchema());
  Must(created.status(), "Store::Create");
  w.store = *std::move(created);
  auto apply = [&](const audience::WriteBatch& b, const char* what) {
    Must(w.store.Apply(b).status(), what);
  };

  audience::WriteBatch first(absl::FromUnixSeconds(now - 60 * kDay));
  for (size_t i = 0; i < people; ++i) {
    AddPerson(r, first, ExternalId::Int(static_cast<int64_t>(i)), now);
  }
  apply(first, "batch 1");

  // Later writes: campaigns under the default TTL that still hold, nulls
  // written over values, extreme values, more events.
  audience::WriteBatch second(absl::FromUnixSeconds(now - 10 * kDay));
  for (size_t i = 0; i < people; ++i) {
    ExternalId id = ExternalId::Int(static_cast<int64_t>(i));
    if (r.Chance(0.1)) second.Tag(id, "campaign", Campaigns()[r.Zipf(4)]);
    if (r.Chance(0.05)) second.SetAttribute(id, "age", Value::Null());
    if (r.Chance(0.05)) second.Untag(id, "interest", Interests()[0]);
    if (r.Chance(0.05)) second.Purchase(id, absl::FromUnixSeconds(EventTime(r, now)), 1.25);
  }
  if (people >= 2) {
    second.SetAttribute(ExternalId::Int(0), "age", Value::Int(std::numeric_limits<int64_t>::min()));
    second.SetAttribute(ExternalId::Int(1), "age", Value::Int(std::numeric_limits<int64_t>::max()));
    second.SetAttribute(ExternalId::Int(0), "score", Value::Double(0.0));
  }
  apply(second, "batch 2");

  // Merges and deletions over disjoint people.
  std::vector<int64_t> order(people);
  for (size_t i = 0; i < people; ++i) order[i] = static_cast<int64_t>(i);
  for (size_t i = people; i > 1; --i) std::swap(order[i - 1], order[r.Below(i)]);
  audience::WriteBatch third(absl::FromUnixSeconds(now - kDay));
  size_t merges = people / 30, deletes = people / 40;
  if (3 * merges + deletes <= people) {
    for (size_t k = 0; k < merges; ++k) {
      ExternalId primary = ExternalId::Int(order[2 * k]);
      ExternalId alias = ExternalId::Int(order[2 * k + 1]);
      w.merged_away.push_back(*w.store.Find(alias));
      third.Link(primary, alias);
      third.Link(primary, ExternalId::Str("alias-" + std::to_string(order[2 * k])));
    }
    for (size_t k = 0; k < deletes; ++k) {
      ExternalId id = ExternalId::Int(order[2 * merges + k]);
      w.deleted.push_back(*w.store.Find(id));
      third.Delete(id);
    }
  }
  apply(third, "batch 3");

  if (seed % 3 == 0) w.store.CompactEvents(absl::FromUnixSeconds(now - 300 * kDay));
  if (seed % 4 == 1) w.store.SweepExpired(absl::FromUnixSeconds(now - 5 * kDay));
  return w;
}

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_QUERY_RANDOM_WORLD_H_
