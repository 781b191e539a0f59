// Test oracle for the segment query engine: evaluates a BoundExpr person by
// person, in the plainest possible way, straight from the meaning written in
// audience/query/bound.h. No bitmap set algebra and no windowed index reads:
// tags through TagDimension::Assignment (raw, expiry checked here), attributes
// through AttributeColumn::Get, events by walking EventIndex::ForEachPoint.
//
//   std::vector<PersonId> want = audience_test::NaiveEvaluate(store, expr, now);
//   Bitmap got = engine.Evaluate(expr);           // whatever is under test
//   CHECK(got.ToVector() == want);
//   BoundExpr small = audience_test::Shrink(expr, [&](const BoundExpr& x) { return Differs(x); });
//
// Cost: O(live people x expression size x (values of a dimension | points
// of a person)); meant for stores of a few thousand people.
// Amounts are summed oldest point first; a differential test that compares
// sums exactly should use amounts whose sums are exact (e.g. multiples of
// 1/4, as random_world.h does).
#ifndef AUDIENCE_TESTS_QUERY_ORACLE_H_
#define AUDIENCE_TESTS_QUERY_ORACLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "audience/base/types.h"
#include "audience/query/bound.h"
#include "audience/schema/value.h"
#include "audience/store/store.h"

namespace audience_test {

namespace oracle_internal {

using audience::BoundExpr;
using audience::CompareHolds;
using audience::CompareOp;
using audience::PersonId;
using audience::Store;
using audience::UnixSeconds;
using audience::Value;

// The person holds `value_name` of dimension `dim` at `now`: an assignment
// exists and either never expires or expires after now.
inline bool HoldsTag(const Store& store, audience::DimensionId dim, const std::string& value_name,
                     PersonId person, UnixSeconds now) {
  const audience::TagDimension& d = store.dimension(dim);
  std::optional<uint32_t> id = d.FindValue(value_name);
  if (!id) return false;  // a value the dimension has never seen: nobody
  std::optional<audience::TagAssignment> a = d.Assignment(person, *id);
  return a.has_value() && (!a->expires_at.has_value() || *a->expires_at > now);
}

inline bool HoldsAnyTag(const Store& store, audience::DimensionId dim, PersonId person,
                        UnixSeconds now) {
  const audience::TagDimension& d = store.dimension(dim);
  for (uint32_t v = 0; v < d.value_count(); ++v) {
    if (HoldsTag(store, dim, d.ValueName(v), person, now)) return true;
  }
  return false;
}

// `stored OP constant` for two non-null values of the attribute's type. An
// int constant against a double column is compared as a double (the
// column's own rule); the binder never produces one.
inline bool CompareValues(CompareOp op, const Value& stored, const Value& constant) {
  switch (stored.type()) {
    case audience::AttributeType::kInt64:
      return CompareHolds(op, stored.int_value(), constant.int_value());
    case audience::AttributeType::kDouble: {
      double c = constant.type() == audience::AttributeType::kInt64
                     ? static_cast<double>(constant.int_value())
                     : constant.double_value();
      return CompareHolds(op, stored.double_value(), c);
    }
    case audience::AttributeType::kEnum:
      return CompareHolds(op, stored.enum_value(), constant.enum_value());
    case audience::AttributeType::kTimestamp:
      return CompareHolds(op, absl::ToUnixSeconds(stored.time_value()),
                          absl::ToUnixSeconds(constant.time_value()));
    case audience::AttributeType::kBool:
      return CompareHolds(op, stored.bool_value(), constant.bool_value());
  }
  return false;
}

inline bool HoldsEvent(const Store& store, const audience::EventPredicate& e, PersonId person,
                       UnixSeconds now) {
  const audience::EventIndex& index = store.event_type(e.type);
  // bound.h: the window is [from, to) and nothing later than `now` is seen
  // (the binder already caps `to` at now + 1; capping again costs nothing).
  const UnixSeconds to = std::min(e.to, now + 1);
  uint64_t count = 0;
  double sum = 0;
  UnixSeconds first = 0;
  UnixSeconds last = 0;
  index.ForEachPoint(person, [&](const audience::EventPoint& p) {
    if (p.time < e.from || p.time >= to) return;
    for (const auto& [property, name] : e.equals) {
      if (property >= p.values.size()) return;
      uint32_t id = p.values[property];
      if (id == audience::EventIndex::kNoValue) return;
      if (index.PropertyValueName(property, id) != name) return;
    }
    if (count == 0 || p.time < first) first = p.time;
    if (count == 0 || p.time > last) last = p.time;
    count += p.count;
    sum += p.amount;
  });
  switch (e.measure) {
    case audience::EventMeasure::kCount:
      return CompareHolds(e.op, static_cast<double>(count), e.number);
    case audience::EventMeasure::kSum:
      return CompareHolds(e.op, sum, e.number);
    case audience::EventMeasure::kFirst:
      return count > 0 && CompareHolds(e.op, first, e.time);
    case audience::EventMeasure::kLast:
      return count > 0 && CompareHolds(e.op, last, e.time);
  }
  return false;
}

}  // namespace oracle_internal

// Whether live person `person` is in the set `e` denotes at `now` (the
// caller guarantees that the person is live: NaiveEvaluate only asks those).
inline bool NaiveHolds(const audience::Store& store, const audience::BoundExpr& e,
                       audience::PersonId person, audience::UnixSeconds now) {
  using K = audience::BoundExpr::Kind;
  using namespace oracle_internal;
  switch (e.kind) {
    case K::kAll:
      return true;
    case K::kNone:
      return false;
    case K::kAnd:
      for (const BoundExpr& c : e.children) {
        if (!NaiveHolds(store, c, person, now)) return false;
      }
      return true;
    case K::kOr:
      for (const BoundExpr& c : e.children) {
        if (NaiveHolds(store, c, person, now)) return true;
      }
      return false;
    case K::kNot:
      return !NaiveHolds(store, e.children.at(0), person, now);
    case K::kAtLeast: {
      uint64_t held = 0;
      for (const BoundExpr& c : e.children) held += NaiveHolds(store, c, person, now) ? 1 : 0;
      return held >= e.count;
    }
    case K::kTag:
      for (const std::string& v : e.tag_values) {
        if (HoldsTag(store, e.dim, v, person, now)) return true;
      }
      return false;
    case K::kHasTag:
      return HoldsAnyTag(store, e.dim, person, now);
    case K::kCompare: {
      Value v = store.attribute(e.attr).Get(person);
      return !v.is_null() && CompareValues(e.op, v, e.values.at(0));
    }
    case K::kBetween: {
      Value v = store.attribute(e.attr).Get(person);
      return !v.is_null() && CompareValues(CompareOp::kGe, v, e.values.at(0)) &&
             CompareValues(CompareOp::kLe, v, e.values.at(1));
    }
    case K::kIn: {
      Value v = store.attribute(e.attr).Get(person);
      if (v.is_null()) return false;
      for (const Value& c : e.values) {
        if (CompareValues(CompareOp::kEq, v, c)) return true;
      }
      return false;
    }
    case K::kNotNull:
      return !store.attribute(e.attr).Get(person).is_null();
    case K::kEvent:
      return HoldsEvent(store, e.event, person, now);
  }
  return false;
}

// The live people (store.universe()) in the set `e` denotes at `now`,
// ascending.
inline std::vector<audience::PersonId> NaiveEvaluate(const audience::Store& store,
                                                     const audience::BoundExpr& e,
                                                     audience::UnixSeconds now) {
  std::vector<audience::PersonId> out;
  store.universe().ForEach([&](uint32_t person) {
    if (NaiveHolds(store, e, person, now)) out.push_back(person);
  });
  return out;
}

namespace oracle_internal {

// Every expression one step smaller than `e` (fewer nodes, values or
// equalities, or a lower any() count), biggest cuts first.
inline void Reductions(const BoundExpr& e, std::vector<BoundExpr>* out) {
  using K = BoundExpr::Kind;
  // The node by one of its descendants, nearest first.
  std::vector<const BoundExpr*> level = {&e};
  while (!level.empty()) {
    std::vector<const BoundExpr*> next;
    for (const BoundExpr* x : level) {
      for (const BoundExpr& c : x->children) next.push_back(&c);
    }
    for (const BoundExpr* d : next) out->push_back(*d);
    level = std::move(next);
  }
  bool list =
      e.kind == K::kAtLeast || ((e.kind == K::kAnd || e.kind == K::kOr) && e.children.size() > 2);
  for (size_t i = 0; list && i < e.children.size(); ++i) {
    BoundExpr fewer = e;
    fewer.children.erase(fewer.children.begin() + static_cast<std::ptrdiff_t>(i));
    out->push_back(std::move(fewer));
  }
  if (e.kind == K::kAtLeast && e.count > 0) {
    BoundExpr lower = e;
    --lower.count;
    out->push_back(std::move(lower));
  }
  for (size_t i = 0; e.tag_values.size() > 1 && i < e.tag_values.size(); ++i) {
    BoundExpr fewer = e;
    fewer.tag_values.erase(fewer.tag_values.begin() + static_cast<std::ptrdiff_t>(i));
    out->push_back(std::move(fewer));
  }
  for (size_t i = 0; e.kind == K::kIn && e.values.size() > 1 && i < e.values.size(); ++i) {
    BoundExpr fewer = e;
    fewer.values.erase(fewer.values.begin() + static_cast<std::ptrdiff_t>(i));
    out->push_back(std::move(fewer));
  }
  for (size_t i = 0; e.kind == K::kEvent && i < e.event.equals.size(); ++i) {
    BoundExpr fewer = e;
    fewer.event.equals.erase(fewer.event.equals.begin() + static_cast<std::ptrdiff_t>(i));
    out->push_back(std::move(fewer));
  }
  for (size_t i = 0; i < e.children.size(); ++i) {  // the same inside one child
    std::vector<BoundExpr> inner;
    Reductions(e.children[i], &inner);
    for (BoundExpr& r : inner) {
      BoundExpr copy = e;
      copy.children[i] = std::move(r);
      out->push_back(std::move(copy));
    }
  }
}

}  // namespace oracle_internal

// Greedy shrinker for a failing query: repeatedly takes the first one-step
// reduction (a node replaced by one of its descendants; a child of AND/OR (when
// more than two) or any() dropped; any()'s count lowered; a tag value, IN
// value or event property equality dropped) for which `still_fails` holds,
// until none does. Every step makes the expression strictly smaller, so it
// terminates; the result is locally minimal. AND/OR keep at least two
// children, so the result stays canonical (Describe round-trips).
inline audience::BoundExpr Shrink(
    audience::BoundExpr failing,
    const std::function<bool(const audience::BoundExpr&)>& still_fails) {
  for (bool progress = true; progress;) {
    progress = false;
    std::vector<audience::BoundExpr> candidates;
    oracle_internal::Reductions(failing, &candidates);
    for (audience::BoundExpr& c : candidates) {
      if (still_fails(c)) {
        failing = std::move(c);
        progress = true;
        break;
      }
    }
  }
  return failing;
}

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_QUERY_ORACLE_H_
