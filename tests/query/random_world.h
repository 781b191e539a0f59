// Random data and random queries for differential tests of the segment query
// engine against the oracle (oracle.h).
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

// Random bound queries over a store's schema and data, deterministic in the
// seed. Trees have at most 4 operator levels above a leaf (AND, OR with 2-4
// children; NOT; any(n, ...) with 0-4 children and n in 0..children+1; rare
// any(0)/any(1) leaves as kAll/kNone). Leaves cover every kind: tags (1-3
// values; open dimensions sometimes a value nobody has), has(), comparisons
// with every operator (enum and bool: = and != only) against values seen in
// the data, their neighbours and edge constants (INT64 min/max, 0, the
// largest and the smallest doubles, +-kMaxQueryTime), BETWEEN (sometimes
// empty: lo > hi), IN (1-4 values), IS NOT NULL, and event predicates of all
// four measures with property equalities (seen values, sometimes unseen
// ones), windows from open-ended to empty around real event times, and
// thresholds including 0 so that "holds with no events" cases appear.
// Every expression is canonical: Describe() of it parses and binds back to
// an equal expression (kAll/kNone aside: their text any(0)/any(1) binds to
// kAtLeast). The store must outlive the generator.
class QueryGen {
 public:
  QueryGen(const audience::Store& store, uint64_t seed, audience::UnixSeconds now)
      : store_(store), r_(seed), now_(now) {
    const audience::Schema& schema = store.schema();
    for (audience::DimensionId d = 0; d < schema.dimensions().size(); ++d) {
      std::vector<std::string> v;
      for (uint32_t i = 0; i < store.dimension(d).value_count(); ++i) {
        v.push_back(store.dimension(d).ValueName(i));
      }
      dim_values_.push_back(std::move(v));
    }
    seen_.resize(schema.attributes().size());
    store.universe().ForEach([&](uint32_t p) {
      for (audience::AttributeId a = 0; a < seen_.size(); ++a) {
        audience::Value v = store.attribute(a).Get(p);
        if (!v.is_null()) seen_[a].push_back(v);
      }
      for (audience::EventTypeId t = 0; t < schema.event_types().size(); ++t) {
        store.event_type(t).ForEachPoint(p, [&](const audience::EventPoint& pt) {
          times_.push_back(pt.time);
          if (pt.amount != 0) amounts_.push_back(pt.amount);
        });
      }
    });
    for (audience::EventTypeId t = 0; t < schema.event_types().size(); ++t) {
      std::vector<std::vector<std::string>> per_property;
      const audience::EventIndex& index = store.event_type(t);
      for (uint32_t i = 0; i < index.property_count(); ++i) {
        std::vector<std::string> v;
        for (uint32_t id = 0; id < index.PropertyValueCount(i); ++id) {
          v.push_back(index.PropertyValueName(i, id));
        }
        per_property.push_back(std::move(v));
      }
      property_values_.push_back(std::move(per_property));
    }
  }

  audience::BoundExpr Next() { return Node(0); }

 private:
  using BoundExpr = audience::BoundExpr;
  using K = BoundExpr::Kind;
  using UnixSeconds = audience::UnixSeconds;
  using Value = audience::Value;
  static constexpr UnixSeconds kDay = audience::kSecondsPerDay;
  static constexpr int kMaxDepth = 4;

  BoundExpr Node(int depth) {
    if (depth > 0 && r_.Chance(0.02)) return r_.Chance(0.5) ? BoundExpr::All() : BoundExpr::None();
    if (depth >= kMaxDepth || r_.Chance(depth == 0 ? 0.2 : 0.45)) return Leaf();
    BoundExpr e;
    double x = r_.Unit();
    size_t n = 0;
    if (x < 0.3) {
      e.kind = K::kAnd, n = 2 + r_.Below(3);
    } else if (x < 0.6) {
      e.kind = K::kOr, n = 2 + r_.Below(3);
    } else if (x < 0.8) {
      e.kind = K::kNot, n = 1;
    } else {
      e.kind = K::kAtLeast, n = r_.Below(5);
      e.count = static_cast<uint32_t>(r_.Below(n + 2));
    }
    for (size_t i = 0; i < n; ++i) e.children.push_back(Node(depth + 1));
    return e;
  }

  BoundExpr Leaf() {
    const audience::Schema& schema = store_.schema();
    BoundExpr e;
    double x = r_.Unit();
    if (x < 0.18) {
      e.kind = K::kTag;
      e.dim = static_cast<audience::DimensionId>(r_.Below(schema.dimensions().size()));
      const std::vector<std::string>& known = dim_values_[e.dim];
      bool open = schema.dimensions()[e.dim].values.empty();
      for (size_t n = 1 + r_.Zipf(3); n > 0; --n) {
        e.tag_values.push_back(open && (known.empty() || r_.Chance(0.1)) ? "never'seen"
                                                                         : r_.Pick(known));
      }
      std::sort(e.tag_values.begin(), e.tag_values.end());
      e.tag_values.erase(std::unique(e.tag_values.begin(), e.tag_values.end()), e.tag_values.end());
    } else if (x < 0.24) {
      e.kind = K::kHasTag;
      e.dim = static_cast<audience::DimensionId>(r_.Below(schema.dimensions().size()));
    } else if (x < 0.72) {
      e.attr = static_cast<audience::AttributeId>(r_.Below(schema.attributes().size()));
      audience::AttributeType type = schema.attributes()[e.attr].type;
      bool ordered =
          type != audience::AttributeType::kEnum && type != audience::AttributeType::kBool;
      double y = r_.Unit();
      if (y < 0.5) {
        e.kind = K::kCompare;
        e.op = static_cast<audience::CompareOp>(ordered ? r_.Below(6) : r_.Below(2));
        e.values.push_back(AttrValue(e.attr));
      } else if (y < 0.7 && ordered) {
        e.kind = K::kBetween;
        e.values = {AttrValue(e.attr), AttrValue(e.attr)};
        if (r_.Chance(0.7) && Less(e.values[1], e.values[0])) std::swap(e.values[0], e.values[1]);
      } else if (y < 0.88) {
        e.kind = K::kIn;
        for (size_t n = 1 + r_.Below(4); n > 0; --n) e.values.push_back(AttrValue(e.attr));
        std::sort(e.values.begin(), e.values.end(), Less);
        e.values.erase(std::unique(e.values.begin(), e.values.end()), e.values.end());
      } else {
        e.kind = K::kNotNull;
      }
    } else {
      e.kind = K::kEvent;
      e.event = Event();
    }
    return e;
  }

  static bool Less(const Value& a, const Value& b) {
    switch (a.type()) {
      case audience::AttributeType::kInt64:
        return a.int_value() < b.int_value();
      case audience::AttributeType::kDouble:
        return a.double_value() < b.double_value();
      case audience::AttributeType::kEnum:
        return a.enum_value() < b.enum_value();
      case audience::AttributeType::kTimestamp:
        return a.time_value() < b.time_value();
      case audience::AttributeType::kBool:
        return a.bool_value() < b.bool_value();
    }
    return false;
  }

  UnixSeconds SeenTime() { return times_.empty() ? now_ - 30 * kDay : r_.Pick(times_); }

  Value AttrValue(audience::AttributeId a) {
    const audience::AttributeSpec& spec = store_.schema().attributes()[a];
    const std::vector<Value>& seen = seen_[a];
    bool use_seen = !seen.empty() && r_.Chance(0.55);
    double x = r_.Unit();
    switch (spec.type) {
      case audience::AttributeType::kInt64: {
        using L = std::numeric_limits<int64_t>;
        if (use_seen) {
          int64_t v = r_.Pick(seen).int_value();
          int64_t d = r_.Range(-1, 1);
          return Value::Int((d < 0 && v == L::min()) || (d > 0 && v == L::max()) ? v : v + d);
        }
        if (x < 0.45)
          return Value::Int(r_.Pick(std::vector<int64_t>{L::min(), L::max(), 0, -1, 1}));
        return Value::Int(r_.Range(-200, 200));
      }
      case audience::AttributeType::kDouble: {
        using L = std::numeric_limits<double>;
        if (use_seen)
          return Value::Double(r_.Pick(seen).double_value() +
                               r_.Pick(std::vector<double>{0, 0.25, -0.25}));
        if (x < 0.45) {
          return Value::Double(r_.Pick(std::vector<double>{
              L::lowest(), L::max(), 0.0, L::denorm_min(), -L::denorm_min(), 0.1, -1e-300}));
        }
        return Value::Double(static_cast<double>(r_.Range(-100, 100)) * 0.25);
      }
      case audience::AttributeType::kTimestamp: {
        UnixSeconds t = 0;
        if (use_seen) {
          t = absl::ToUnixSeconds(r_.Pick(seen).time_value()) + r_.Range(-1, 1);
        } else if (x < 0.45) {
          t = r_.Pick(std::vector<UnixSeconds>{-audience::kMaxQueryTime, audience::kMaxQueryTime, 0,
                                               -1, now_, now_ + 1});
        } else {
          t = now_ - r_.Range(-10 * kDay, 4000 * kDay);
        }
        return Value::Time(absl::FromUnixSeconds(t));
      }
      case audience::AttributeType::kEnum:
        if (!spec.enum_values.empty()) return Value::Enum(r_.Pick(spec.enum_values));
        if (use_seen || (!seen.empty() && x < 0.6)) return r_.Pick(seen);
        return Value::Enum(x < 0.8 ? "Atlantis" : "never \\ seen");
      case audience::AttributeType::kBool:
        return Value::Bool(r_.Chance(0.5));
    }
    return Value::Int(0);
  }

  audience::EventPredicate Event() {
    audience::EventPredicate e;
    e.type = static_cast<audience::EventTypeId>(r_.Below(store_.schema().event_types().size()));
    const std::vector<std::vector<std::string>>& props = property_values_[e.type];
    for (uint32_t i = 0; i < props.size(); ++i) {
      if (!r_.Chance(0.3)) continue;
      e.equals.emplace_back(i, props[i].empty() || r_.Chance(0.15) ? "no'such" : r_.Pick(props[i]));
    }
    std::sort(e.equals.begin(), e.equals.end());
    const std::vector<UnixSeconds> spans = {1 * kDay,   7 * kDay,   30 * kDay,  90 * kDay,
                                            365 * kDay, 400 * kDay, 1000 * kDay};
    double x = r_.Unit();
    if (x < 0.25) {
      e.from = -audience::kMaxQueryTime;
    } else if (x < 0.5) {
      e.from = now_ - r_.Pick(spans) - (r_.Chance(0.5) ? 0 : r_.Range(0, kDay));
    } else if (x < 0.8) {
      e.from = SeenTime() + r_.Range(-1, 1);
    } else {
      e.from = now_ - r_.Range(0, 450 * kDay);
    }
    x = r_.Unit();
    if (x < 0.5) {
      e.to = now_ + 1;
    } else if (x < 0.7) {
      e.to = SeenTime() + r_.Range(0, 1);
    } else if (x < 0.85) {
      e.to = now_ - r_.Pick(spans);
    } else {
      e.to = now_;
    }
    e.to = std::min(e.to, now_ + 1);
    x = r_.Unit();
    e.measure = x < 0.45   ? audience::EventMeasure::kCount
                : x < 0.65 ? audience::EventMeasure::kSum
                : x < 0.82 ? audience::EventMeasure::kFirst
                           : audience::EventMeasure::kLast;
    e.op = static_cast<audience::CompareOp>(r_.Below(6));
    switch (e.measure) {
      case audience::EventMeasure::kCount:
        e.number = r_.Pick(std::vector<double>{0, 0, 1, 1, 2, 3, 5, 0.5, 1.5, -1});
        break;
      case audience::EventMeasure::kSum:
        if (!amounts_.empty() && r_.Chance(0.3)) {
          e.number = r_.Pick(amounts_) + (r_.Chance(0.5) ? 0 : r_.Pick(amounts_));
        } else {
          e.number = r_.Pick(std::vector<double>{0, 0, 0.25, 10, 50, 100, 500, 1000, -5});
        }
        if (e.number == 0) e.number = 0.0;  // never -0.0 (the binder never makes one)
        break;
      case audience::EventMeasure::kFirst:
      case audience::EventMeasure::kLast:
        e.time = r_.Chance(0.6) ? SeenTime() + r_.Range(-1, 1)
                                : r_.Pick(std::vector<UnixSeconds>{now_, now_ + 1, now_ - 30 * kDay,
                                                                   -audience::kMaxQueryTime,
                                                                   audience::kMaxQueryTime});
        break;
    }
    return e;
  }

  const audience::Store& store_;
  world_internal::Rng r_;
  UnixSeconds now_;
  std::vector<std::vector<std::string>> dim_values_;  // per dimension: interned values
  std::vector<std::vector<audience::Value>> seen_;    // per attribute: non-null values held
  std::vector<std::vector<std::vector<std::string>>> property_values_;  // type, property
  std::vector<UnixSeconds> times_;  // every stored event point's time
  std::vector<double> amounts_;     // non-zero point amounts
};

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_QUERY_RANDOM_WORLD_H_
