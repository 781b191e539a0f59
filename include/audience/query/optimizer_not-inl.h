// Pass: NOT folded into AND-NOT (optimizer.h). AND(a, NOT b, NOT c) becomes
// a node that intersects `a` and subtracts b and c, so no complement of the
// universe is ever built for a negated conjunct.
#ifndef AUDIENCE_QUERY_OPTIMIZER_NOT_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_NOT_INL_H_

#include <utility>
#include <vector>

#include "audience/query/optimizer.h"

AUDIENCE_BEGIN_NAMESPACE

namespace optimizer_internal {

inline void NotToAndNot(PlanNode& n) {
  for (PlanNode& c : n.children) NotToAndNot(c);
  for (PlanNode& c : n.minus) NotToAndNot(c);
  if (n.op != PlanNode::Op::kAnd) return;
  std::vector<PlanNode> positive;
  for (PlanNode& c : n.children) {
    if (c.op == PlanNode::Op::kNot) {
      n.minus.push_back(std::move(c.children[0]));
    } else {
      positive.push_back(std::move(c));
    }
  }
  n.children = std::move(positive);
}

}  // namespace optimizer_internal

AUDIENCE_FUNC void FoldNotIntoAndNot(Plan* plan) { optimizer_internal::NotToAndNot(plan->root); }

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_NOT_INL_H_
