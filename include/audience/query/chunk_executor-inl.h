// The chunked executor: runs every step of a plan on one chunk of 2^16 ids
// before moving to the next, so that each intermediate set is 8 KB of words
// that stays in L1/L2 instead of a whole-universe bitmap streamed through
// memory once per step. Internal to executor-inl.h.
#ifndef AUDIENCE_QUERY_CHUNK_EXECUTOR_INL_H_
#define AUDIENCE_QUERY_CHUNK_EXECUTOR_INL_H_

#include <algorithm>
#include <optional>
#include <vector>

#include "audience/query/chunk_leaf-inl.h"
#include "audience/query/leaf_eval-inl.h"
#include "audience/query/executor.h"
#include "audience/storage/dense_kernels.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

namespace executor_internal {

inline constexpr size_t kWords = Bitmap::kChunkWords;
inline constexpr uint64_t kChunkIds = uint64_t{64} * kWords;

// A register for one chunk; `all` marks the whole chunk (words absent).
struct ChunkReg {
  const uint64_t* words = dense::kZeroChunk;
  uint64_t count = 0;
  bool all = false;

  const uint64_t* Words() const { return all ? dense::kOnesChunk.data() : words; }
};

inline ChunkReg FromSet(ChunkSet s) { return {s.words, s.count, false}; }

// a & b into `out` (null: count only); either side may be `all`.
inline ChunkReg AndRegs(const ChunkReg& a, const ChunkReg& b, uint64_t* out) {
  if (a.all) return b;
  if (b.all) return a;
  if (a.count == 0 || b.count == 0) return {};
  if (out == nullptr) return {nullptr, dense::AndCount(a.words, b.words, kWords)};
  return {out, dense::And(a.words, b.words, out, kWords)};
}

class ChunkRunner {
 public:
  // Null when some leaf of the plan has no chunked form, or when the plan
  // starts from a sparse set and wants every match: CRoaring's container
  // kernels then intersect array containers id by id, where a chunk's
  // words would cost a full 1024-word pass per step (a rare tag AND a
  // popular one ran 2x slower chunked at 10M).
  // Also null for a count whose steps build nothing (stored sets borrowed in
  // the root scope, then one count-only step): step by step that is a
  // single cardinality kernel, which per chunk bookkeeping only slows (Q1,
  // two popular tags: 43 vs 54 us at 10M).
  static std::optional<ChunkRunner> Make(const Store& store, const Plan& plan) {
    constexpr double kSparseDriver = 1.0 / 32;
    const PlanStep& first = plan.steps.front();
    if (plan.mode != ExecMode::kFirstK && first.op == PlanStep::Op::kLeaf &&
        first.scope == PlanStep::kRoot &&
        plan.leaves[first.leaf].estimate <
            kSparseDriver * static_cast<double>(store.universe().Cardinality())) {
      return std::nullopt;
    }
    if (plan.mode == ExecMode::kCount && plan.steps.back().count_only &&
        std::all_of(plan.steps.begin(), plan.steps.end() - 1, [&](const PlanStep& s) {
          return s.op == PlanStep::Op::kLeaf && s.scope == PlanStep::kRoot &&
                 StoredSet(store, plan.leaves[s.leaf].expr) != nullptr;
        })) {
      return std::nullopt;
    }
    ChunkRunner run(plan);
    run.leaf_of_step_.assign(plan.steps.size(), SIZE_MAX);
    size_t scratch = (plan.steps.size() + 1) * kWords;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const PlanStep& step = plan.steps[i];
      if (step.op == PlanStep::Op::kAtLeast) run.levels_ = std::max<size_t>(run.levels_, step.count + 1);
      if (step.op != PlanStep::Op::kLeaf) continue;
      std::optional<ChunkLeaf> leaf = ChunkLeaf::Make(store, plan.leaves[step.leaf].expr);
      if (!leaf) return std::nullopt;
      run.leaf_of_step_[i] = run.leaves_.size();
      run.leaf_scratch_.push_back(scratch);
      scratch += leaf->scratch_words();
      run.leaves_.push_back(*std::move(leaf));
    }
    run.scratch_words_ = scratch;
    return run;
  }

  // Every step on chunk `key` of the root scope `root`; returns the last
  // step's register. `scratch` holds scratch_words() words.
  ChunkReg Run(uint32_t key, const ChunkReg& root, uint64_t* scratch) {
    const std::vector<PlanStep>& steps = plan_->steps;
    for (size_t i = 0; i < steps.size(); ++i) {
      const PlanStep& step = steps[i];
      const ChunkReg& scope = step.scope == PlanStep::kRoot ? root : regs_[step.scope];
      ChunkReg& out = regs_[i];
      uint64_t* buf = step.count_only ? nullptr : scratch + i * kWords;
      if (scope.count == 0 && step.skip_if_scope_empty) {
        out = {};
        continue;
      }
      switch (step.op) {
        case PlanStep::Op::kScope: out = scope; break;
        case PlanStep::Op::kNone: out = {}; break;
        case PlanStep::Op::kLeaf: {
          const size_t l = leaf_of_step_[i];
          out = FromSet(leaves_[l].Eval(key, scope.all ? nullptr : scope.words, scope.count, buf,
                                        scratch + leaf_scratch_[l]));
          break;
        }
        case PlanStep::Op::kShared: out = AndRegs(scope, regs_[step.in[0]], buf); break;
        case PlanStep::Op::kOr: out = Or(step, scratch + i * kWords); break;
        case PlanStep::Op::kAndNot: out = AndNot(step, buf, scratch + i * kWords); break;
        case PlanStep::Op::kAtLeast: out = AtLeast(step, scope, scratch + i * kWords); break;
      }
    }
    return regs_.back();
  }

  size_t scratch_words() const { return scratch_words_; }

 private:
  explicit ChunkRunner(const Plan& plan) : plan_(&plan), regs_(plan.steps.size()) {}

  ChunkReg Or(const PlanStep& step, uint64_t* buf) const {
    const ChunkReg* first = nullptr;
    ChunkReg acc;
    for (uint32_t r : step.in) {
      const ChunkReg& x = regs_[r];
      if (x.all) return x;
      if (x.count == 0) continue;
      if (first == nullptr) {
        first = &x;
        acc = x;
        continue;
      }
      acc = {buf, dense::Or(acc.words, x.words, buf, kWords)};
    }
    return acc;
  }

  // in[0] minus the others; `out` null: the last step, only counted.
  ChunkReg AndNot(const PlanStep& step, uint64_t* out, uint64_t* buf) const {
    ChunkReg acc = regs_[step.in[0]];
    size_t last = 0;  // the last non-empty subtrahend (0: none)
    for (size_t j = 1; j < step.in.size(); ++j) {
      const ChunkReg& x = regs_[step.in[j]];
      if (x.all) return {};
      if (x.count > 0) last = j;
    }
    for (size_t j = 1; j <= last && acc.count > 0; ++j) {
      const ChunkReg& x = regs_[step.in[j]];
      if (x.count == 0) continue;
      if (out == nullptr && j == last) {
        return {nullptr, dense::AndNotCount(acc.Words(), x.words, kWords)};
      }
      acc = {buf, dense::AndNot(acc.Words(), x.words, buf, kWords)};
    }
    return acc;
  }

  // Members of at least step.count inputs, word by word: level j holds who
  // was seen in >= j inputs so far.
  ChunkReg AtLeast(const PlanStep& step, const ChunkReg& scope, uint64_t* buf) {
    if (step.count == 0) return scope;
    if (step.count > step.in.size()) return {};
    const uint32_t k = step.count;
    level_.resize(levels_);
    uint64_t n = 0;
    for (size_t w = 0; w < kWords; ++w) {
      std::fill(level_.begin(), level_.begin() + k + 1, uint64_t{0});
      for (uint32_t r : step.in) {
        const uint64_t x = regs_[r].Words()[w];
        for (uint32_t j = k; j >= 2; --j) level_[j] |= level_[j - 1] & x;
        level_[1] |= x;
      }
      buf[w] = level_[k];
      n += static_cast<uint64_t>(std::popcount(level_[k]));
    }
    return {buf, n};
  }

  const Plan* plan_;
  std::vector<ChunkReg> regs_;
  std::vector<ChunkLeaf> leaves_;
  std::vector<size_t> leaf_of_step_;  // SIZE_MAX for steps that are not leaves
  std::vector<size_t> leaf_scratch_;  // offset of each leaf's scratch
  size_t scratch_words_ = 0;
  size_t levels_ = 0;
  std::vector<uint64_t> level_;
};

// Runs `plan` chunk by chunk over the universe; nullopt when some leaf has
// no chunked form (the caller then runs it step by step).
inline std::optional<ExecResult> RunChunked(const Store& store, const Plan& plan) {
  std::optional<ChunkRunner> runner = ChunkRunner::Make(store, plan);
  if (!runner) return std::nullopt;
  // Per thread, so that concurrent queries are safe; kept between calls so
  // that a query does not page in fresh memory.
  thread_local std::vector<uint64_t> scratch;
  scratch.resize(runner->scratch_words() + kWords);
  uint64_t* root_buf = scratch.data() + runner->scratch_words();
  const Bitmap& universe = store.universe();
  ExecResult result;
  result.chunked = true;
  std::vector<uint32_t> ids;
  std::vector<uint16_t> low(plan.mode == ExecMode::kFirstK ? kChunkIds : 0);
  for (size_t c = 0; c < universe.ChunkCount(); ++c) {
    if (plan.mode == ExecMode::kFirstK && ids.size() >= plan.k) break;
    const uint32_t key = universe.ChunkKey(c);
    ChunkReg root{nullptr, universe.ChunkCardinality(c), true};
    if (root.count != kChunkIds) root = {universe.ChunkWords(c, root_buf), root.count, false};
    const ChunkReg last = runner->Run(key, root, scratch.data());
    ++result.rounds;
    result.count += last.count;
    if (last.count == 0) continue;
    if (plan.mode == ExecMode::kBitmap) {
      result.people.AppendChunk(key, last.Words(), last.count);
    } else if (plan.mode == ExecMode::kFirstK) {
      const size_t n = dense::ExtractSetBits(last.Words(), kWords, low.data());
      const size_t take = std::min(n, plan.k - ids.size());
      for (size_t j = 0; j < take; ++j) ids.push_back(key << 16 | low[j]);
    }
  }
  if (plan.mode == ExecMode::kFirstK) {
    result.count = ids.size();
    result.people = Bitmap::FromIds(ids);
  } else {
    result.rounds = 1;
  }
  return result;
}

}  // namespace executor_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_CHUNK_EXECUTOR_INL_H_
