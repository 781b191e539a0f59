// Leaf evaluation for the executor: one bound predicate, within a scope,
// answered from the storage indexes. Internal to executor-inl.h.
#ifndef AUDIENCE_QUERY_LEAF_EVAL_INL_H_
#define AUDIENCE_QUERY_LEAF_EVAL_INL_H_

#include <optional>
#include <vector>

#include "audience/query/bound.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

namespace executor_internal {

inline const Bitmap& EmptySet() {
  static const Bitmap* empty = new Bitmap();
  return *empty;
}

// The stored bitmap that is exactly the leaf's answer over the universe, if
// there is one (then no work is needed but an intersection with the scope).
inline const Bitmap* StoredSet(const Store& store, const BoundExpr& e) {
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kTag: {
      const TagDimension& d = store.dimension(e.dim);
      if (e.tag_values.size() != 1 || d.HasExpiring()) return nullptr;
      std::optional<uint32_t> id = d.FindValue(e.tag_values[0]);
      return id ? &d.Members(*id) : &EmptySet();
    }
    case K::kCompare:
    case K::kIn: {
      const AttributeColumn& c = store.attribute(e.attr);
      if (c.type() != AttributeType::kEnum || e.values.size() != 1) return nullptr;
      if (e.kind == K::kCompare && e.op != CompareOp::kEq) return nullptr;
      const Bitmap* members = c.EnumMembers(e.values[0].enum_value());
      return members != nullptr ? members : &EmptySet();
    }
    case K::kNotNull: return &store.attribute(e.attr).NotNull();
    default: return nullptr;
  }
}

inline Bitmap Scoped(Bitmap b, const Bitmap* scope) {
  if (scope != nullptr) b &= *scope;
  return b;
}

// The event index's filter for `e`; nullopt when a property value was never
// seen, so that no event can match.
inline std::optional<WindowFilter> ResolveWindow(const EventIndex& idx, const EventPredicate& e) {
  WindowFilter f{.from = e.from, .to = e.to};
  for (const auto& [property, value] : e.equals) {
    std::optional<uint32_t> id = idx.FindPropertyValue(property, value);
    if (!id) return std::nullopt;
    f.equals.push_back({property, *id});
  }
  return f;
}

inline Bitmap EventLeaf(const Store& store, const EventPredicate& e, const Bitmap* scope) {
  const EventIndex& idx = store.event_type(e.type);
  const bool at_zero = EventHoldsWithoutEvents(e);
  const Bitmap& base = scope != nullptr ? *scope : store.universe();
  std::optional<WindowFilter> window = ResolveWindow(idx, e);
  if (!window) return at_zero ? base : Bitmap();
  const WindowFilter& f = *window;
  auto holds = [&e](const WindowStats& s) {
    switch (e.measure) {
      case EventMeasure::kCount: return CompareHolds(e.op, static_cast<double>(s.count), e.number);
      case EventMeasure::kSum: return CompareHolds(e.op, s.sum, e.number);
      case EventMeasure::kFirst: return CompareHolds(e.op, s.first, e.time);
      case EventMeasure::kLast: return CompareHolds(e.op, s.last, e.time);
    }
    return false;
  };
  // "At least once" needs no per-person statistics beyond the edge days.
  const bool any_event =
      e.measure == EventMeasure::kCount && !at_zero &&
      ((e.op == CompareOp::kGe && e.number <= 1) || (e.op == CompareOp::kGt && e.number < 1) ||
       (e.op == CompareOp::kNe && e.number == 0));
  if (any_event) return idx.DidInWindow(f, scope);
  if (!at_zero) return idx.SelectInWindow(f, holds, scope);
  // Holds for people without events: everyone in scope except those whose
  // events make it fail.
  return base - idx.SelectInWindow(f, [&](const WindowStats& s) { return !holds(s); }, scope);
}

// The leaf's set within `scope` (the universe when null), built.
inline Bitmap ComputeLeaf(const Store& store, const BoundExpr& e, UnixSeconds now,
                          const Bitmap* scope) {
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kTag: {
      const TagDimension& d = store.dimension(e.dim);
      std::vector<Bitmap> parts;
      std::vector<const Bitmap*> inputs;
      parts.reserve(e.tag_values.size());
      for (const std::string& v : e.tag_values) {
        std::optional<uint32_t> id = d.FindValue(v);
        if (!id) continue;
        if (d.HasExpiring()) {
          parts.push_back(Scoped(d.MembersAt(*id, now), scope));
        } else if (scope != nullptr) {
          parts.push_back(*scope & d.Members(*id));
        } else {
          inputs.push_back(&d.Members(*id));
          continue;
        }
        inputs.push_back(&parts.back());
      }
      return Bitmap::OrMany(inputs);
    }
    case K::kHasTag: return Scoped(store.dimension(e.dim).AnyAt(now), scope);
    case K::kCompare:
      return store.attribute(e.attr).Compare(e.op, e.values[0], scope).value_or(Bitmap());
    case K::kBetween:
      return store.attribute(e.attr).Between(e.values[0], e.values[1], scope).value_or(Bitmap());
    case K::kIn: return store.attribute(e.attr).In(e.values, scope).value_or(Bitmap());
    case K::kNotNull: return Scoped(store.attribute(e.attr).NotNull(), scope);
    case K::kEvent: return EventLeaf(store, e.event, scope);
    default: return Bitmap();
  }
}

// The size of a comparison or BETWEEN leaf within `scope`, counted by the
// range index without building the set; nullopt for other leaves.
inline std::optional<uint64_t> CountRangeLeaf(const Store& store, const BoundExpr& e,
                                              const Bitmap* scope) {
  switch (e.kind) {
    case BoundExpr::Kind::kCompare:
      return store.attribute(e.attr).CountCompare(e.op, e.values[0], scope).value_or(0);
    case BoundExpr::Kind::kBetween:
      return store.attribute(e.attr).CountBetween(e.values[0], e.values[1], scope).value_or(0);
    default: return std::nullopt;
  }
}

}  // namespace executor_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_LEAF_EVAL_INL_H_
