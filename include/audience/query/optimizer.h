// Optimiser passes over a Plan (plan.h). Each pass is one small rewrite
// with its own file, applied in the order listed; every pass keeps the
// plan's meaning (the differential tests run with and without them).
//
//   Plan plan = plan_internal::Lower(expr, store.schema(), now);
//   RunTreePasses(store, &plan);
//   plan_internal::Linearize(&plan);
//   RunStepPasses(store, &plan);
//
// Tree passes (before linearisation):
//   FoldConstants        optimizer_fold-inl.h   flatten nested AND/OR, drop
//                        neutral children, absorb empty/universe, NOT NOT x,
//                        any(n, ...) edge cases, duplicate children, leaves
//                        that cannot match in this store (a tag value never
//                        seen, an event property value never seen)
//   FoldNotIntoAndNot    optimizer_not-inl.h    AND(a, NOT b) -> a AND-NOT b
//   OrderByCardinality   optimizer_order-inl.h  estimates; AND children
//                        smallest first, bitmap lookups before index scans
//   ShareSubexpressions  optimizer_share-inl.h  a repeated sub-tree is
//                        computed once
// Step passes (after linearisation):
//   MarkCountOnly        optimizer_count-inl.h  kCount: the last step uses a
//                        cardinality kernel instead of building the set
//   SizeFirstChunk       optimizer_first_k-inl.h  kFirstK: the first chunk
//                        is sized from the estimate so one round usually
//                        finds K ids
#ifndef AUDIENCE_QUERY_OPTIMIZER_H_
#define AUDIENCE_QUERY_OPTIMIZER_H_

#include <string>

#include "audience/base/config.h"
#include "audience/query/plan.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

void FoldConstants(const Store& store, Plan* plan);
void FoldNotIntoAndNot(Plan* plan);
void OrderByCardinality(const Store& store, Plan* plan);
void ShareSubexpressions(Plan* plan);
void MarkCountOnly(Plan* plan);
void SizeFirstChunk(const Store& store, Plan* plan);

void RunTreePasses(const Store& store, Plan* plan);
void RunStepPasses(const Store& store, Plan* plan);

namespace optimizer_internal {
// A structural key: equal keys mean equal sub-trees.
std::string NodeKey(const PlanNode& node, const Plan& plan);
// Estimated size of a leaf's result in `store` (people).
double EstimateLeaf(const Store& store, const PlanLeaf& leaf);
}  // namespace optimizer_internal

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/optimizer-inl.h"
#endif

#endif  // AUDIENCE_QUERY_OPTIMIZER_H_
