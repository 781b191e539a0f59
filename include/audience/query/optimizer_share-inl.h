// Pass: shared sub-expressions (optimizer.h). A sub-tree that occurs more
// than once (a leaf or a larger expression, typically from saved segments
// used twice or a condition repeated across OR branches) gets one id; the
// linearised plan computes it once, in the root scope, and intersects that
// result with each occurrence's scope. Only maximal repeats are marked.
#ifndef AUDIENCE_QUERY_OPTIMIZER_SHARE_INL_H_
#define AUDIENCE_QUERY_OPTIMIZER_SHARE_INL_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "audience/query/optimizer.h"

AUDIENCE_BEGIN_NAMESPACE

namespace optimizer_internal {

inline void CountKeys(const PlanNode& n, const Plan& plan,
                      absl::flat_hash_map<std::string, int>* counts) {
  if (n.op == PlanNode::Op::kAll || n.op == PlanNode::Op::kNone) return;
  ++(*counts)[NodeKey(n, plan)];
  for (const PlanNode& c : n.children) CountKeys(c, plan, counts);
  for (const PlanNode& c : n.minus) CountKeys(c, plan, counts);
}

inline void MarkShared(PlanNode& n, const Plan& plan,
                       const absl::flat_hash_map<std::string, int>& counts,
                       absl::flat_hash_map<std::string, int32_t>* ids) {
  if (n.op == PlanNode::Op::kAll || n.op == PlanNode::Op::kNone) return;
  std::string key = NodeKey(n, plan);
  if (counts.at(key) > 1) {
    auto [it, fresh] = ids->emplace(key, static_cast<int32_t>(ids->size()));
    n.shared_id = it->second;
    return;
  }
  for (PlanNode& c : n.children) MarkShared(c, plan, counts, ids);
  for (PlanNode& c : n.minus) MarkShared(c, plan, counts, ids);
}

}  // namespace optimizer_internal

AUDIENCE_FUNC void ShareSubexpressions(Plan* plan) {
  absl::flat_hash_map<std::string, int> counts;
  optimizer_internal::CountKeys(plan->root, *plan, &counts);
  absl::flat_hash_map<std::string, int32_t> ids;
  optimizer_internal::MarkShared(plan->root, *plan, counts, &ids);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_OPTIMIZER_SHARE_INL_H_
