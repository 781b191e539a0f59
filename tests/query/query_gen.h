// Random bound queries over a random world (random_world.h), for the
// differential tests.
//
//   audience_test::World w = audience_test::MakeWorld(/*seed=*/7, /*people=*/300);
//   audience_test::QueryGen gen(w.store, /*seed=*/7, w.now);
//   audience::BoundExpr e = gen.Next();
//   // on a mismatch, minimise with audience_test::Shrink (oracle.h)
#ifndef AUDIENCE_TESTS_QUERY_QUERY_GEN_H_
#define AUDIENCE_TESTS_QUERY_QUERY_GEN_H_

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

#include "query/random_world.h"

namespace audience_test {

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
// an equal expression (any() without conditions binds to kAll / kNone). The store must outlive the generator.
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

#endif  // AUDIENCE_TESTS_QUERY_QUERY_GEN_H_
