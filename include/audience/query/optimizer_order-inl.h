// Pass: estimates and AND ordering (optimizer.h).
//
// Leaf estimates are cheap facts of the store: exact sizes for tag values
// and enum values, the not-null count times a fixed selectivity for ranges
// (1/3 for < <= > >=, 1/4 for BETWEEN, 1/10 for =), the people with events
// of the type for event predicates. Inner nodes assume independence.
// An AND evaluates its conjuncts in order, each within the previous result,
// so it puts plain bitmap lookups first (smallest first) and work that
// scales with its scope (range indexes, event timelines) last, where the
// scope is smallest.
#ifndef AUDIENCE_QUERY_OPTIMIZER_ORDER_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_ORDER_INL_H_

#include <algorithm>
#include <tuple>

#include "audience/query/optimizer.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC double optimizer_internal::EstimateLeaf(const Store& store, const PlanLeaf& leaf) {
  const BoundExpr& e = leaf.expr;
  const double universe = static_cast<double>(store.person_count());
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kTag: {
      const TagDimension& d = store.dimension(e.dim);
      double n = 0;
      for (const std::string& v : e.tag_values) {
        if (std::optional<uint32_t> id = d.FindValue(v)) {
          n += static_cast<double>(d.Members(*id).Cardinality());
        }
      }
      return std::min(n, universe);
    }
    case K::kHasTag: {
      const TagDimension& d = store.dimension(e.dim);
      double n = 0;
      for (uint32_t v = 0; v < d.value_count(); ++v) {
        n += static_cast<double>(d.Members(v).Cardinality());
      }
      return std::min(n, universe);
    }
    case K::kNotNull:
      return static_cast<double>(store.attribute(e.attr).NotNull().Cardinality());
    case K::kCompare: case K::kBetween: case K::kIn: {
      const AttributeColumn& c = store.attribute(e.attr);
      double not_null = static_cast<double>(c.NotNull().Cardinality());
      if (c.type() == AttributeType::kEnum) {
        double n = 0;
        for (const Value& v : e.values) {
          if (const Bitmap* m = c.EnumMembers(v.enum_value())) {
            n += static_cast<double>(m->Cardinality());
          }
        }
        return e.kind == K::kCompare && e.op == CompareOp::kNe ? not_null - n : n;
      }
      if (e.kind == K::kBetween) return not_null / 4;
      if (e.kind == K::kIn) return std::min(not_null, not_null * 0.1 * static_cast<double>(e.values.size()));
      switch (e.op) {
        case CompareOp::kEq: return not_null / 10;
        case CompareOp::kNe: return not_null * 0.9;
        default: return not_null / 3;
      }
    }
    case K::kEvent: {
      double people = static_cast<double>(store.event_type(e.event.type).People().Cardinality());
      double matching = people / 2;
      return EventHoldsWithoutEvents(e.event) ? universe - matching : matching;
    }
    default: return universe;
  }
}

namespace optimizer_internal {

// Whether evaluating the node scans an index in proportion to its scope.
inline bool ScansIndex(const PlanNode& n, const Plan& plan) {
  if (n.op == PlanNode::Op::kLeaf) return plan.leaves[n.leaf].index_scan;
  for (const PlanNode& c : n.children) {
    if (ScansIndex(c, plan)) return true;
  }
  for (const PlanNode& c : n.minus) {
    if (ScansIndex(c, plan)) return true;
  }
  return false;
}

inline double Estimate(PlanNode& n, const Plan& plan, double universe) {
  using PlanOp = PlanNode::Op;
  double u = std::max(universe, 1.0);
  double e = 0;
  switch (n.op) {
    case PlanOp::kAll: e = universe; break;
    case PlanOp::kNone: e = 0; break;
    case PlanOp::kLeaf: e = plan.leaves[n.leaf].estimate; break;
    case PlanOp::kNot: e = universe - Estimate(n.children[0], plan, universe); break;
    case PlanOp::kOr:
      for (PlanNode& c : n.children) e += Estimate(c, plan, universe);
      e = std::min(e, universe);
      break;
    case PlanOp::kAtLeast:
      for (PlanNode& c : n.children) e += Estimate(c, plan, universe);
      e = std::min(e / std::max<uint32_t>(n.count, 1), universe);
      break;
    case PlanOp::kAnd:
      e = universe;
      for (PlanNode& c : n.children) e *= Estimate(c, plan, universe) / u;
      for (PlanNode& c : n.minus) e *= 1 - Estimate(c, plan, universe) / u;
      break;
  }
  n.estimate = e;
  return e;
}

inline void Order(PlanNode& n, const Plan& plan) {
  for (PlanNode& c : n.children) Order(c, plan);
  for (PlanNode& c : n.minus) Order(c, plan);
  if (n.op != PlanNode::Op::kAnd) return;
  auto rank = [&](const PlanNode& c) { return std::make_tuple(ScansIndex(c, plan), c.estimate); };
  std::stable_sort(n.children.begin(), n.children.end(),
                   [&](const PlanNode& a, const PlanNode& b) { return rank(a) < rank(b); });
}

}  // namespace optimizer_internal

AUDIENCE_FUNC void OrderByCardinality(const Store& store, Plan* plan) {
  using K = BoundExpr::Kind;
  for (PlanLeaf& leaf : plan->leaves) {
    leaf.estimate = optimizer_internal::EstimateLeaf(store, leaf);
    K k = leaf.expr.kind;
    bool enum_lookup = (k == K::kCompare || k == K::kIn) &&
                       store.attribute(leaf.expr.attr).type() == AttributeType::kEnum;
    leaf.index_scan = (k == K::kCompare || k == K::kBetween || k == K::kIn || k == K::kEvent) &&
                      !enum_lookup;
  }
  optimizer_internal::Estimate(plan->root, *plan, static_cast<double>(store.person_count()));
  optimizer_internal::Order(plan->root, *plan);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_ORDER_INL_H_
