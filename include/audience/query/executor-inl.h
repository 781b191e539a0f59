// Definitions for executor.h.
#ifndef AUDIENCE_QUERY_EXECUTOR_INL_H_
#define AUDIENCE_QUERY_EXECUTOR_INL_H_

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "audience/query/chunk_executor-inl.h"
#include "audience/query/executor.h"
#include "audience/query/leaf_eval-inl.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

namespace executor_internal {

// A step's set: borrowed (a stored bitmap or another register's) or owned.
struct Reg {
  const Bitmap* borrowed = nullptr;
  Bitmap owned;
  bool counted = false;  // count_only steps: `count` holds the answer
  uint64_t count = 0;

  const Bitmap& get() const { return borrowed != nullptr ? *borrowed : owned; }
  void Borrow(const Bitmap* b) { borrowed = b; }
  void Own(Bitmap b) {
    borrowed = nullptr;
    owned = std::move(b);
  }
  void Count(uint64_t n) {
    counted = true;
    count = n;
  }
  uint64_t Cardinality() const { return counted ? count : get().Cardinality(); }
};

// People in at least `k` of `inputs` (1 <= k <= inputs.size()): level j
// holds those seen in >= j inputs so far; each input lifts level j-1 into
// level j. O(m * k) ops.
inline Bitmap AtLeast(const std::vector<const Bitmap*>& inputs, uint32_t k) {
  std::vector<Bitmap> level(k + 1);
  for (const Bitmap* b : inputs) {
    for (uint32_t j = k; j >= 2; --j) level[j] |= level[j - 1] & *b;
    level[1] |= *b;
  }
  return std::move(level[k]);
}

// Leaf steps whose only use is as a subtrahend of an and-not whose base is
// the leaf's own scope. For a stored set, base - stored equals
// base - (scope & stored), so such a leaf borrows the stored set instead of
// materialising the intersection.
inline std::vector<bool> SubtrahendOnly(const Plan& plan) {
  const size_t n = plan.steps.size();
  std::vector<bool> only(n, true);
  if (n > 0) only[n - 1] = false;  // the result itself
  for (size_t i = 0; i < n; ++i) {
    const PlanStep& step = plan.steps[i];
    if (step.op != PlanStep::Op::kLeaf) only[i] = false;
    if (step.scope != PlanStep::kRoot) only[step.scope] = false;
    for (size_t j = 0; j < step.in.size(); ++j) {
      const uint32_t r = step.in[j];
      const bool subtrahend = step.op == PlanStep::Op::kAndNot && j > 0 &&
                              plan.steps[r].scope == step.in[0];
      if (!subtrahend) only[r] = false;
    }
  }
  return only;
}

// Runs every step once with `root` as the root scope (null: the universe).
// Returns the registers; the result is the last one.
inline std::vector<Reg> RunSteps(const Store& store, const Plan& plan, const Bitmap* root,
                                 std::vector<StepProfile>* profile) {
  const Bitmap& universe = store.universe();
  const std::vector<bool> subtrahend_only = SubtrahendOnly(plan);
  std::vector<Reg> regs(plan.steps.size());
  if (profile != nullptr) profile->assign(plan.steps.size(), StepProfile{});
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const PlanStep& step = plan.steps[i];
    const absl::Time start = profile != nullptr ? absl::Now() : absl::Time();
    // null means the whole universe (so stored sets can be borrowed).
    const Bitmap* scope = step.scope == PlanStep::kRoot ? root : &regs[step.scope].get();
    const bool count_only = step.count_only;
    Reg& out = regs[i];
    const bool empty_scope = scope != nullptr ? scope->IsEmpty() : universe.IsEmpty();
    if (empty_scope && step.skip_if_scope_empty) {
      out.Borrow(&EmptySet());
      if (profile != nullptr) (*profile)[i].skipped = true;
      continue;
    }
    switch (step.op) {
      case PlanStep::Op::kScope: out.Borrow(scope != nullptr ? scope : &universe); break;
      case PlanStep::Op::kNone: out.Borrow(&EmptySet()); break;
      case PlanStep::Op::kLeaf: {
        const PlanLeaf& leaf = plan.leaves[step.leaf];
        if (const Bitmap* stored = StoredSet(store, leaf.expr)) {
          if (scope == nullptr || subtrahend_only[i]) {
            out.Borrow(stored);
          } else if (count_only) {
            out.Count(scope->AndCardinality(*stored));
          } else {
            out.Own(*scope & *stored);
          }
        } else if (std::optional<uint64_t> n =
                       count_only ? CountRangeLeaf(store, leaf.expr, scope) : std::nullopt) {
          out.Count(*n);
        } else {
          out.Own(ComputeLeaf(store, leaf.expr, plan.now, scope));
        }
        break;
      }
      case PlanStep::Op::kShared: {
        const Bitmap& shared = regs[step.in[0]].get();
        if (scope == nullptr) {
          out.Borrow(&shared);
        } else if (count_only) {
          out.Count(scope->AndCardinality(shared));
        } else {
          out.Own(*scope & shared);
        }
        break;
      }
      case PlanStep::Op::kOr: {
        if (count_only && step.in.size() == 2) {
          out.Count(regs[step.in[0]].get().OrCardinality(regs[step.in[1]].get()));
          break;
        }
        std::vector<const Bitmap*> inputs;
        for (uint32_t r : step.in) inputs.push_back(&regs[r].get());
        out.Own(Bitmap::OrMany(inputs));
        break;
      }
      case PlanStep::Op::kAndNot: {
        const Bitmap& base = regs[step.in[0]].get();
        if (count_only && step.in.size() == 2) {
          out.Count(base.AndNotCardinality(regs[step.in[1]].get()));
          break;
        }
        Bitmap result = base;
        for (size_t j = 1; j < step.in.size() && !result.IsEmpty(); ++j) {
          result -= regs[step.in[j]].get();
        }
        out.Own(std::move(result));
        break;
      }
      case PlanStep::Op::kAtLeast: {
        if (step.count == 0) {  // any(0, ...): everyone in scope
          out.Borrow(scope != nullptr ? scope : &universe);
          break;
        }
        if (step.count > step.in.size()) {  // more than there are: nobody
          out.Borrow(&EmptySet());
          break;
        }
        std::vector<const Bitmap*> inputs;
        for (uint32_t r : step.in) inputs.push_back(&regs[r].get());
        out.Own(AtLeast(inputs, step.count));
        break;
      }
    }
    if (profile != nullptr) {
      (*profile)[i].elapsed = absl::Now() - start;
      (*profile)[i].cardinality = out.Cardinality();
    }
  }
  return regs;
}

}  // namespace executor_internal

AUDIENCE_FUNC Bitmap EvaluateLeaf(const Store& store, const PlanLeaf& leaf, UnixSeconds now,
                                  const Bitmap* scope) {
  using namespace executor_internal;
  if (const Bitmap* stored = StoredSet(store, leaf.expr)) {
    return scope != nullptr ? *scope & *stored : *stored;
  }
  return ComputeLeaf(store, leaf.expr, now, scope);
}

AUDIENCE_FUNC ExecResult Execute(const Store& store, const Plan& plan, bool profile) {
  using namespace executor_internal;
  ExecResult result;
  std::vector<StepProfile>* prof = profile ? &result.profile : nullptr;
  if (plan.steps.empty()) return result;
  if (plan.chunked && !profile) {
    if (std::optional<ExecResult> chunked = RunChunked(store, plan)) return *std::move(chunked);
  }
  if (plan.mode != ExecMode::kFirstK) {
    std::vector<Reg> regs = RunSteps(store, plan, nullptr, prof);
    Reg& last = regs.back();
    result.count = last.Cardinality();
    if (plan.mode == ExecMode::kBitmap) {
      result.people = last.borrowed != nullptr ? *last.borrowed : std::move(last.owned);
    }
    result.rounds = 1;
    return result;
  }
  const Bitmap& universe = store.universe();
  std::vector<uint32_t> ids;
  if (universe.IsEmpty() || plan.k == 0) return result;
  uint64_t lo = universe.Minimum();
  const uint64_t end = uint64_t{universe.Maximum()} + 1;
  uint64_t chunk = std::max<uint64_t>(plan.first_chunk, 1);
  while (ids.size() < plan.k && lo < end) {
    const uint64_t hi = std::min(end, lo + chunk);
    Bitmap scope = universe & Bitmap::FromRange(lo, hi);
    std::vector<Reg> regs = RunSteps(store, plan, &scope, prof);
    regs.back().get().CollectFrom(static_cast<uint32_t>(lo), plan.k - ids.size(), &ids);
    ++result.rounds;
    lo = hi;
    chunk *= 2;
  }
  result.count = ids.size();
  result.people = Bitmap::FromIds(ids);
  return result;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_EXECUTOR_INL_H_
