// Leaves answered one chunk of 2^16 ids at a time, for the chunked
// executor (chunk_executor-inl.h). Internal to executor-inl.h.
#ifndef AUDIENCE_QUERY_CHUNK_LEAF_INL_H_
#define AUDIENCE_QUERY_CHUNK_LEAF_INL_H_

#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "audience/query/bound.h"
#include "audience/storage/dense_kernels.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

namespace executor_internal {

// A chunk's answer: `words` (null when only counted) and their number of
// set bits. The words may be a stored bitmap's own (read only).
struct ChunkSet {
  const uint64_t* words = nullptr;
  uint64_t count = 0;
};

// A leaf as the union of stored sets and index ranges, or, with a `base`,
// the base minus that union (enum `!=`, `!= v` on a bool). Leaves that need
// per-person state at a time (expiring tags, has(), events) have no chunked
// form: Make returns nullopt and the plan runs step by step.
class ChunkLeaf {
 public:
  static std::optional<ChunkLeaf> Make(const Store& store, const BoundExpr& e) {
    using K = BoundExpr::Kind;
    ChunkLeaf leaf;
    switch (e.kind) {
      case K::kTag: {
        const TagDimension& d = store.dimension(e.dim);
        if (d.HasExpiring()) return std::nullopt;
        for (const std::string& v : e.tag_values) {
          if (std::optional<uint32_t> id = d.FindValue(v)) leaf.AddSet(&d.Members(*id));
        }
        return leaf;
      }
      case K::kNotNull: leaf.AddSet(&store.attribute(e.attr).NotNull()); return leaf;
      case K::kCompare:
      case K::kIn:
      case K::kBetween: return leaf.AddAttribute(store.attribute(e.attr), e) ? std::optional(std::move(leaf)) : std::nullopt;
      default: return std::nullopt;
    }
  }

  size_t scratch_words() const {
    size_t range = 0;
    for (const BitSlicedIndex::RangeChunks& r : ranges_) range = std::max(range, r.scratch_words());
    return 3 * Bitmap::kChunkWords + range;
  }

  // The leaf's persons of chunk `key` within `mask` (null: everyone; else
  // `mask_count` set bits), into `out` unless only counted (out null). Keys
  // must not descend.
  ChunkSet Eval(uint32_t key, const uint64_t* mask, uint64_t mask_count, uint64_t* out,
                uint64_t* scratch) {
    constexpr size_t kWords = Bitmap::kChunkWords;
    // One stored set: its words as they are, or cut by the mask.
    if (base_ == nullptr && ranges_.empty() && sets_.size() == 1) {
      std::optional<size_t> c = Seek(0, key);
      if (!c) return None(out);
      if (mask != nullptr) return {out, sets_[0]->AndChunk(*c, mask, out)};
      const uint64_t n = sets_[0]->ChunkCardinality(*c);
      return {out != nullptr ? sets_[0]->ChunkWords(*c, out) : nullptr, n};
    }
    uint64_t* cut = scratch;
    uint64_t* any = scratch + kWords;
    uint64_t* range_out = scratch + 2 * kWords;
    uint64_t* range_scratch = scratch + 3 * kWords;
    // One range: its answer as it is.
    if (base_ == nullptr && sets_.empty() && ranges_.size() == 1) {
      const uint64_t n = ranges_[0].Eval(key, mask, out, range_scratch, mask_count);
      return {out, n};
    }
    // m: the mask cut to the base (with a base), else the mask.
    const uint64_t* m = mask;
    uint64_t m_count = mask == nullptr ? dense::kUnknownCount : mask_count;
    if (base_ != nullptr) {
      base_at_ = base_->SeekChunk(key, base_at_);
      if (base_at_ == base_->ChunkCount() || base_->ChunkKey(base_at_) != key) return None(out);
      if (mask == nullptr) {
        m = base_->ChunkWords(base_at_, cut);
        m_count = base_->ChunkCardinality(base_at_);
      } else if ((m_count = base_->AndChunk(base_at_, mask, cut)) == 0) {
        return None(out);
      } else {
        m = cut;
      }
    }
    // u: the union of the stored sets and the ranges.
    const uint64_t* u = Bitmap::UnionChunk(sets_, absl::MakeSpan(at_), key, any);
    for (BitSlicedIndex::RangeChunks& r : ranges_) {
      if (r.Eval(key, m, range_out, range_scratch, m_count) == 0) continue;
      if (u == nullptr) {
        std::memcpy(any, range_out, kWords * sizeof(uint64_t));
      } else {
        dense::Or(u, range_out, any, kWords);
      }
      u = any;
    }
    if (u == nullptr) u = dense::kZeroChunk;
    if (m == nullptr) m = dense::kOnesChunk.data();  // no base and no mask: everyone
    if (base_ != nullptr) {
      return {out, out != nullptr ? dense::AndNot(m, u, out, kWords)
                                  : dense::AndNotCount(m, u, kWords)};
    }
    return {out, out != nullptr ? dense::And(m, u, out, kWords) : dense::AndCount(m, u, kWords)};
  }

 private:
  void AddSet(const Bitmap* b) {
    sets_.push_back(b);
    at_.push_back(0);
  }

  bool AddRange(absl::StatusOr<BitSlicedIndex::RangeChunks> r) {
    if (!r.ok()) return false;
    ranges_.push_back(*std::move(r));
    return true;
  }

  // Comparisons, IN and BETWEEN on one attribute; false for a form with no
  // chunked equivalent here (IN on a bool) or an operand the column refuses
  // (the step path reports nothing for those either).
  bool AddAttribute(const AttributeColumn& c, const BoundExpr& e) {
    using K = BoundExpr::Kind;
    switch (c.type()) {
      case AttributeType::kEnum:
        if (e.kind == K::kBetween) return false;
        for (const Value& v : e.values) {
          if (const Bitmap* members = c.EnumMembers(v.enum_value())) AddSet(members);
        }
        if (e.kind == K::kCompare && e.op == CompareOp::kNe) base_ = &c.NotNull();
        return true;
      case AttributeType::kBool: {
        if (e.kind != K::kCompare) return false;
        AddSet(&c.Trues());
        // `= false` and `!= true`: everyone with a value minus the trues.
        if (e.values[0].bool_value() != (e.op == CompareOp::kEq)) base_ = &c.NotNull();
        return true;
      }
      default:
        if (e.kind == K::kBetween) return AddRange(c.BetweenChunks(e.values[0], e.values[1]));
        if (e.kind == K::kCompare) return AddRange(c.CompareChunks(e.op, e.values[0]));
        for (const Value& v : e.values) {
          if (!AddRange(c.CompareChunks(CompareOp::kEq, v))) return false;
        }
        return true;
    }
  }

  std::optional<size_t> Seek(size_t i, uint32_t key) {
    at_[i] = sets_[i]->SeekChunk(key, at_[i]);
    if (at_[i] == sets_[i]->ChunkCount() || sets_[i]->ChunkKey(at_[i]) != key) return std::nullopt;
    return at_[i];
  }

  static ChunkSet None(uint64_t* out) {
    if (out != nullptr) std::memset(out, 0, Bitmap::kChunkWords * sizeof(uint64_t));
    return {out, 0};
  }

  std::vector<const Bitmap*> sets_;
  std::vector<size_t> at_;
  std::vector<BitSlicedIndex::RangeChunks> ranges_;
  const Bitmap* base_ = nullptr;
  size_t base_at_ = 0;
};

}  // namespace executor_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_CHUNK_LEAF_INL_H_
