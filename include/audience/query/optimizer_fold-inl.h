// Pass: constant folding and simplification (optimizer.h).
#ifndef AUDIENCE_QUERY_OPTIMIZER_FOLD_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_FOLD_INL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "audience/query/optimizer.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

namespace optimizer_internal {

using Op = PlanNode::Op;

inline PlanNode Constant(Op op) {
  PlanNode n;
  n.op = op;
  return n;
}

// kAll / kNone when the leaf's answer in this store is known without
// evaluating it; kLeaf otherwise.
inline Op LeafConstant(const Store& store, const PlanLeaf& leaf) {
  const BoundExpr& e = leaf.expr;
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kTag: {
      const TagDimension& d = store.dimension(e.dim);
      for (const std::string& v : e.tag_values) {
        if (d.FindValue(v)) return Op::kLeaf;
      }
      return Op::kNone;
    }
    case K::kCompare: case K::kBetween: case K::kIn: case K::kNotNull:
      return store.attribute(e.attr).NotNull().IsEmpty() ? Op::kNone : Op::kLeaf;
    case K::kEvent: {
      const EventIndex& idx = store.event_type(e.event.type);
      for (const auto& [property, value] : e.event.equals) {
        if (!idx.FindPropertyValue(property, value)) {
          return EventHoldsWithoutEvents(e.event) ? Op::kAll : Op::kNone;
        }
      }
      return Op::kLeaf;
    }
    default: return Op::kLeaf;
  }
}

inline void Fold(const Store& store, const Plan& plan, PlanNode& n) {
  for (PlanNode& c : n.children) Fold(store, plan, c);
  switch (n.op) {
    case Op::kLeaf: {
      Op c = LeafConstant(store, plan.leaves[n.leaf]);
      if (c != Op::kLeaf) n = Constant(c);
      return;
    }
    case Op::kNot: {
      PlanNode& c = n.children[0];
      if (c.op == Op::kAll || c.op == Op::kNone) {
        n = Constant(c.op == Op::kAll ? Op::kNone : Op::kAll);
      } else if (c.op == Op::kNot) {
        PlanNode inner = std::move(c.children[0]);
        n = std::move(inner);
      }
      return;
    }
    case Op::kAnd:
    case Op::kOr: {
      const Op neutral = n.op == Op::kAnd ? Op::kAll : Op::kNone;
      const Op absorbing = n.op == Op::kAnd ? Op::kNone : Op::kAll;
      std::vector<PlanNode> kept;
      absl::flat_hash_set<std::string> seen;
      std::vector<PlanNode> pending = std::move(n.children);
      for (size_t i = 0; i < pending.size(); ++i) {
        PlanNode& c = pending[i];
        if (c.op == n.op) {  // flatten
          for (PlanNode& g : c.children) pending.push_back(std::move(g));
          continue;
        }
        if (c.op == neutral) continue;
        if (c.op == absorbing) {
          n = Constant(absorbing);
          return;
        }
        if (seen.insert(NodeKey(c, plan)).second) kept.push_back(std::move(c));
      }
      if (kept.empty()) {
        n = Constant(neutral);
      } else if (kept.size() == 1) {
        PlanNode only = std::move(kept[0]);
        n = std::move(only);
      } else {
        n.children = std::move(kept);
      }
      return;
    }
    case Op::kAtLeast: {
      std::vector<PlanNode> kept;
      uint32_t need = n.count;
      for (PlanNode& c : n.children) {
        if (c.op == Op::kNone) continue;
        if (c.op == Op::kAll) {
          if (need > 0) --need;
          continue;
        }
        kept.push_back(std::move(c));
      }
      if (need == 0) {
        n = Constant(Op::kAll);
      } else if (need > kept.size()) {
        n = Constant(Op::kNone);
      } else {
        n.count = need;
        n.children = std::move(kept);
        if (need == 1 || need == n.children.size()) {
          n.op = need == 1 ? Op::kOr : Op::kAnd;
          if (n.children.size() == 1) {
            PlanNode only = std::move(n.children[0]);
            n = std::move(only);
          } else {
            Fold(store, plan, n);  // flatten and dedupe as an AND / OR
          }
        }
      }
      return;
    }
    default: return;
  }
}

}  // namespace optimizer_internal

AUDIENCE_FUNC void FoldConstants(const Store& store, Plan* plan) {
  optimizer_internal::Fold(store, *plan, plan->root);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_FOLD_INL_H_
