// BitSlicedIndex::RangeChunks (bit_sliced_index.h): a range answered one
// chunk of 2^16 ids at a time. Part of the BitSlicedIndex unit (included by
// bit_sliced_index-inl.h only).
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_CHUNKS_INL_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_CHUNKS_INL_H_

#include <cstring>
#include <utility>
#include <vector>

#include "audience/storage/bit_sliced_index.h"
#include "audience/storage/dense_kernels.h"

AUDIENCE_BEGIN_NAMESPACE

// Scratch layout, in chunks of kChunkWords words: 0 the mask cut to
// not_null, 1 the range before negation, 2 the union of value buckets, 3 an
// edge bucket's mask, 4 its result, 5.. one per slice read; the binned
// layer uses 5..7 (its two bounds and a cumulative chunk spread).
AUDIENCE_FUNC BitSlicedIndex::RangeChunks::RangeChunks(const BitSlicedIndex& index, uint64_t lo,
                                                       uint64_t hi, bool negate, Path path)
    : index_(&index), negate_(negate), slice_at_(index.slices_.size(), 0) {
  uint64_t l = lo, h = hi;
  if (index.not_null_.IsEmpty() || !index.ClampToSlices(&l, &h)) return;
  empty_ = false;
  lo_ = l;
  hi_ = h;
  depth_ = index.slices_.size();
  bottom_ = dense::SliceRangeBottom(depth_, l, h);
  if (path == Path::kSlices) return;
  if (index.bins_ && path == Path::kBins) {
    UseBins(lo, hi);
    return;
  }
  if (!index.values_on_) return;
  ValueParts v = index.ValuePartsOf(lo, hi);
  const Way way = index.ChooseWayPerChunk(lo, hi, v);
  if (way == Way::kBins) {
    UseBins(lo, hi);
    return;
  }
  if (way == Way::kSlices) return;
  values_ = true;
  complement_ = v.complement;
  parts_ = std::move(v.parts);
  edges_ = std::move(v.edges);
  edges_bottom_ = depth_;
  for (uint64_t bucket : v.edge_buckets) {
    edge_walks_.push_back(BucketWalk(bucket));
    if (!edge_walks_.back().empty) {
      edges_bottom_ = std::min(edges_bottom_, edge_walks_.back().bottom);
    }
  }
  part_at_.assign(parts_.size(), 0);
  edge_at_.assign(edges_.size(), 0);
}

AUDIENCE_FUNC void BitSlicedIndex::RangeChunks::UseBins(uint64_t lo, uint64_t hi) {
  bins_ = true;
  const BinBounds b = index_->BinBoundsOf(lo, hi);
  bins_lo_ = b.lo;
  bins_hi_ = b.hi;
  bins_below_lo_ = lo;
  bins_below_hi_ = hi + 1;
}

AUDIENCE_FUNC BitSlicedIndex::RangeChunks::Walk BitSlicedIndex::RangeChunks::BucketWalk(
    uint64_t bucket) const {
  using bit_sliced_index_internal::HighMask;
  using bit_sliced_index_internal::LowMask;
  Walk w;
  const size_t depth = index_->slices_.size();
  const size_t shift = std::min<size_t>(static_cast<size_t>(index_->shift_), depth);
  // The bucket's key bits shift..depth-1, as an offset below the prefix.
  const uint64_t at = shift >= 64 ? 0 : (bucket << shift) & LowMask(depth);
  const uint64_t lo_high = lo_ & HighMask(shift), hi_high = hi_ & HighMask(shift);
  if (empty_ || lo_high > at || hi_high < at) return w;  // the range misses the bucket
  w.lo = lo_high == at ? lo_ & LowMask(shift) : 0;
  w.hi = hi_high == at ? hi_ & LowMask(shift) : LowMask(shift);
  w.depth = shift;
  w.bottom = dense::SliceRangeBottom(shift, w.lo, w.hi);
  w.empty = false;
  return w;
}

AUDIENCE_FUNC void BitSlicedIndex::RangeChunks::NarrowToBucket(uint64_t bucket) {
  const Walk w = BucketWalk(bucket);
  if (w.empty) {
    empty_ = true;
    return;
  }
  lo_ = w.lo;
  hi_ = w.hi;
  depth_ = w.depth;
  bottom_ = w.bottom;
}

AUDIENCE_FUNC BitSlicedIndex::RangeChunks BitSlicedIndex::RangeChunks::Compare(
    const BitSlicedIndex& index, CompareOp op, uint64_t constant) {
  const bit_sliced_index_internal::KeyRange r = bit_sliced_index_internal::RangeOf(op, constant);
  return RangeChunks(index, r.lo, r.hi, r.negate);
}

AUDIENCE_FUNC size_t BitSlicedIndex::RangeChunks::scratch_words() const {
  return (5 + std::max<size_t>(index_->slices_.size(), 3)) * Bitmap::kChunkWords;
}

AUDIENCE_FUNC void BitSlicedIndex::RangeChunks::LoadSlices(uint32_t key, uint64_t* scratch,
                                                            size_t from, size_t to) {
  constexpr size_t kWords = Bitmap::kChunkWords;
  for (size_t j = from; j < to; ++j) {
    const Bitmap& slice = index_->slices_[j];
    slice_at_[j] = slice.SeekChunk(key, slice_at_[j]);
    const bool has = slice_at_[j] < slice.ChunkCount() && slice.ChunkKey(slice_at_[j]) == key;
    words_[j] = has ? slice.ChunkWords(slice_at_[j], scratch + (5 + j) * kWords)
                    : dense::kZeroChunk;
  }
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::RangeChunks::EvalValues(uint32_t key, const uint64_t* m,
                                                               uint64_t* out, uint64_t* scratch) {
  constexpr size_t kWords = Bitmap::kChunkWords;
  const uint64_t* any = Bitmap::UnionChunk(parts_, absl::MakeSpan(part_at_), key,
                                           scratch + 2 * kWords);
  if (any == nullptr) any = dense::kZeroChunk;  // no bucket has this chunk
  uint64_t n = complement_ ? (out != nullptr ? dense::AndNot(m, any, out, kWords)
                                             : dense::AndNotCount(m, any, kWords))
                           : (out != nullptr ? dense::And(m, any, out, kWords)
                                             : dense::AndCount(m, any, kWords));
  // The edge buckets' people in the mask, resolved by the slices. They are
  // outside the united buckets (or, complemented, inside them), so the
  // counts add up.
  bool loaded = false;
  for (size_t i = 0; i < edges_.size(); ++i) {
    const Bitmap& edge = *edges_[i];
    edge_at_[i] = edge.SeekChunk(key, edge_at_[i]);
    if (edge_at_[i] == edge.ChunkCount() || edge.ChunkKey(edge_at_[i]) != key) continue;
    uint64_t* edge_mask = scratch + 3 * kWords;
    uint64_t* edge_out = scratch + 4 * kWords;
    const Walk& w = edge_walks_[i];
    if (w.empty) continue;
    const uint64_t in_edge = edge.AndChunk(edge_at_[i], m, edge_mask);
    if (in_edge == 0) continue;
    if (!loaded) LoadSlices(key, scratch, edges_bottom_, w.depth);  // every walk: depth = shift
    loaded = true;
    n += dense::SliceRange(words_, w.depth, w.lo, w.hi, edge_mask,
                           out != nullptr ? edge_out : nullptr, kWords, in_edge);
    if (out != nullptr) dense::Or(out, edge_out, out, kWords);
  }
  return n;
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::RangeChunks::EvalBins(uint32_t key, const uint64_t* m,
                                                             uint64_t* out, uint64_t* scratch) {
  constexpr size_t kWords = Bitmap::kChunkWords;
  // m holds persons with a key only, so all ones stands in for everyone.
  const uint64_t* ones = dense::kOnesChunk.data();
  const SortedBins& bins = *index_->bins_;
  uint64_t* below_hi = scratch + 5 * kWords;
  uint64_t* below_lo = scratch + 6 * kWords;
  uint64_t* spread = scratch + 7 * kWords;
  if (bins_hi_) bins.Below(bins_below_hi_, key, ones, below_hi, spread, &bins_at_[1]);
  if (bins_lo_) bins.Below(bins_below_lo_, key, ones, below_lo, spread, &bins_at_[0]);
  if (bins_hi_ && bins_lo_) dense::AndNot(below_hi, below_lo, below_hi, kWords);
  if (bins_hi_) {
    return out != nullptr ? dense::And(m, below_hi, out, kWords)
                          : dense::AndCount(m, below_hi, kWords);
  }
  if (bins_lo_) {
    return out != nullptr ? dense::AndNot(m, below_lo, out, kWords)
                          : dense::AndNotCount(m, below_lo, kWords);
  }
  if (out != nullptr) std::memcpy(out, m, kWords * sizeof(uint64_t));  // every key is in range
  return dense::Popcount(m, kWords);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::RangeChunks::Eval(uint32_t key, const uint64_t* mask,
                                                         uint64_t* out, uint64_t* scratch,
                                                         uint64_t mask_count) {
  constexpr size_t kWords = Bitmap::kChunkWords;
  constexpr uint64_t kFull = uint64_t{64} * kWords;
  const uint64_t* kOnes = dense::kOnesChunk.data();
  auto none = [out] {
    if (out != nullptr) std::memset(out, 0, kWords * sizeof(uint64_t));
    return uint64_t{0};
  };
  if (empty_ && !negate_) return none();
  // m = mask & not_null; a full not_null chunk (everyone has a key, the
  // common case) is not read.
  const Bitmap& not_null = index_->not_null_;
  not_null_at_ = not_null.SeekChunk(key, not_null_at_);
  if (not_null_at_ == not_null.ChunkCount() || not_null.ChunkKey(not_null_at_) != key) {
    return none();
  }
  const uint64_t not_null_count = not_null.ChunkCardinality(not_null_at_);
  const bool full = not_null_count == kFull;
  const uint64_t* m = mask;
  uint64_t m_count = mask == nullptr ? not_null_count : mask_count;
  if (mask == nullptr) {
    m = full ? kOnes : not_null.ChunkWords(not_null_at_, scratch);
  } else if (!full) {
    m_count = not_null.AndChunk(not_null_at_, mask, scratch);
    if (m_count == 0) return none();
    m = scratch;
  }
  if (empty_) {  // negated empty range: everyone in m
    if (out != nullptr) std::memcpy(out, m, kWords * sizeof(uint64_t));
    return m_count != dense::kUnknownCount ? m_count : dense::Popcount(m, kWords);
  }
  uint64_t* in_range = negate_ && out != nullptr ? scratch + kWords : out;
  uint64_t n;
  if (bins_) {
    n = EvalBins(key, m, in_range, scratch);
  } else if (values_) {
    n = EvalValues(key, m, in_range, scratch);
  } else {
    LoadSlices(key, scratch, bottom_, depth_);
    n = dense::SliceRange(words_, depth_, lo_, hi_, m, in_range, kWords, m_count);
  }
  if (!negate_) return n;
  if (out != nullptr) return dense::AndNot(m, in_range, out, kWords);
  return (m_count != dense::kUnknownCount ? m_count : dense::Popcount(m, kWords)) - n;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_CHUNKS_INL_H_
