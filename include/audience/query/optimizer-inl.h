// Definitions for optimizer.h: the pass pipeline and shared helpers; each
// pass lives in its own optimizer_<pass>-inl.h.
#ifndef AUDIENCE_QUERY_OPTIMIZER_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_INL_H_

#include <string>

#include "audience/query/optimizer.h"
#include "audience/query/optimizer_count-inl.h"
#include "audience/query/optimizer_first_k-inl.h"
#include "audience/query/optimizer_fold-inl.h"
#include "audience/query/optimizer_not-inl.h"
#include "audience/query/optimizer_order-inl.h"
#include "audience/query/optimizer_share-inl.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC std::string optimizer_internal::NodeKey(const PlanNode& node, const Plan& plan) {
  using Op = PlanNode::Op;
  switch (node.op) {
    case Op::kAll: return "all";
    case Op::kNone: return "none";
    case Op::kLeaf: return plan.leaves[node.leaf].text;
    default: break;
  }
  static constexpr std::string_view kName[] = {"", "", "", "and", "or", "not", "atleast"};
  std::string key = fmt::format("{}{}(", kName[static_cast<int>(node.op)],
                                node.op == Op::kAtLeast ? fmt::format("{}", node.count) : "");
  for (const PlanNode& c : node.children) key += NodeKey(c, plan) + ";";
  if (!node.minus.empty()) key += "minus";
  for (const PlanNode& c : node.minus) key += NodeKey(c, plan) + ";";
  return key + ")";
}

AUDIENCE_FUNC void RunTreePasses(const Store& store, Plan* plan) {
  FoldConstants(store, plan);
  FoldNotIntoAndNot(plan);
  OrderByCardinality(store, plan);
  ShareSubexpressions(plan);
  plan->passes.insert(plan->passes.end(), {"fold-constants", "not-to-and-not",
                                           "order-by-cardinality", "share-subexpressions"});
}

AUDIENCE_FUNC void RunStepPasses(const Store& store, Plan* plan) {
  if (plan->mode == ExecMode::kCount) {
    MarkCountOnly(plan);
    plan->passes.push_back("count-only");
  }
  if (plan->mode == ExecMode::kFirstK) {
    SizeFirstChunk(store, plan);
    plan->passes.push_back("first-k");
  }
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_INL_H_
