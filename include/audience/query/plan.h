// Query plans: a bound query lowered to a tree of set operations over leaf
// predicates (optimised by the passes in optimizer.h), then linearised into
// a flat list of bitmap steps that the executor runs.
//
//   Plan plan = BuildPlan(store, expr, now, {.mode = ExecMode::kCount});
//   std::cout << plan.ToString(store.schema());
//   // 0  leaf  interest:'fashion'                      scope all
//   // 1  leaf  gender = 'F'                            scope #0
//   // 2  leaf  age BETWEEN 20 AND 30 (count only)      scope #1
//
// Scoped evaluation: every step computes its set *within a scope* (another
// step's result, or the root scope: the universe, or one chunk of it when
// only the first K ids are wanted). An AND is therefore a chain: each
// conjunct is evaluated within the result of the previous one, so a range
// index or an event index only looks at the surviving candidates, and an
// empty intermediate result ends the chain at once (early exit). A leaf
// whose stored bitmap is already a subset of the universe is borrowed, not
// copied, when its scope is the whole universe.
#ifndef AUDIENCE_QUERY_PLAN_H_
#define AUDIENCE_QUERY_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/query/bound.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

// What the caller wants from an execution.
enum class ExecMode : uint8_t {
  kBitmap,  // the whole result set
  kCount,   // only its size: the last step may use a cardinality kernel
  kFirstK,  // the first K ids in id order: evaluated chunk by chunk
};

struct PlanOptions {
  ExecMode mode = ExecMode::kBitmap;
  size_t k = 0;            // kFirstK
  bool optimize = true;    // false: lowering only (for tests and Explain)
  // Run the whole plan chunk by chunk where every leaf allows it (see
  // executor.h); false: step by step over whole sets.
  bool chunked = true;
};

// A node of the logical plan tree (before linearisation).
struct PlanNode {
  enum class Op : uint8_t { kAll, kNone, kLeaf, kAnd, kOr, kNot, kAtLeast };
  Op op = Op::kAll;
  uint32_t leaf = 0;                 // kLeaf: index into Plan::leaves
  uint32_t count = 0;                // kAtLeast
  std::vector<PlanNode> children{};  // kAnd: intersected; kOr; kNot (one); kAtLeast
  std::vector<PlanNode> minus{};     // kAnd only: subtracted (NOT folded into AND-NOT)
  double estimate = 0;               // estimated result size (set by the ordering pass)
  // >= 0: an occurrence of a sub-expression that appears more than once; it
  // is computed once, in the root scope, and each occurrence intersects that
  // result with its own scope. Set by the sharing pass.
  int32_t shared_id = -1;
};

// A leaf predicate with the cheap facts the optimiser uses.
struct PlanLeaf {
  BoundExpr expr;
  std::string text;       // Describe(expr): label and identity
  double estimate = 0;    // estimated cardinality
  bool index_scan = false;  // costs work proportional to the data (range, events)
};

// One step of the linear program. Registers are step indices.
struct PlanStep {
  enum class Op : uint8_t {
    kScope,     // out = the scope register `in[0]` itself (or the root scope)
    kNone,      // out = {}
    kLeaf,      // out = leaf within `scope`
    kOr,        // out = union of in[...] (each already within scope)
    kAndNot,    // out = in[0] minus union of in[1..]
    kAtLeast,   // out = members of >= count of in[...]
    kShared,    // out = the result of step in[0] (a shared sub-expression) within `scope`
  };
  static constexpr uint32_t kRoot = UINT32_MAX;  // the root scope
  Op op = Op::kLeaf;
  uint32_t scope = kRoot;
  std::vector<uint32_t> in{};
  uint32_t leaf = 0;
  uint32_t count = 0;
  bool count_only = false;  // the final step of a kCount plan: cardinality only
  bool skip_if_scope_empty = true;
};

struct Plan {
  std::vector<PlanLeaf> leaves;
  PlanNode root;
  std::vector<PlanStep> steps;  // the result is the last step
  ExecMode mode = ExecMode::kBitmap;
  size_t k = 0;
  bool chunked = true;
  UnixSeconds now = 0;
  uint64_t first_chunk = 1 << 16;  // kFirstK: ids per chunk in the first round
  std::vector<std::string> passes;  // the optimiser passes applied, in order

  // One line per step: index, operation, label, scope and inputs.
  std::string ToString() const;
};

// Lowers `expr`, runs the optimiser passes (unless !options.optimize) and
// linearises. `store` supplies estimates and resolves tag values (a value
// the store has never seen folds to the empty set).
Plan BuildPlan(const Store& store, const BoundExpr& expr, UnixSeconds now,
               const PlanOptions& options = {});

namespace plan_internal {
// Lowering only: the plan tree and leaves for `expr`, without passes.
Plan Lower(const BoundExpr& expr, const Schema& schema, UnixSeconds now);
// Replaces plan->steps with the steps computing plan->root in the root scope.
void Linearize(Plan* plan);
}  // namespace plan_internal

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/plan-inl.h"
#endif

#endif  // AUDIENCE_QUERY_PLAN_H_
