// Definitions for bit_sliced_index.h.
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/storage/dense_kernels.h"
#include "audience/storage/bit_sliced_index.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bit_sliced_index_internal {

// Bits >= depth set; depth may be 64.
inline uint64_t HighMask(size_t depth) { return depth >= 64 ? 0 : ~uint64_t{0} << depth; }
inline uint64_t LowMask(size_t depth) { return ~HighMask(depth); }
inline bool Bit(uint64_t key, size_t i) { return ((key >> i) & 1) != 0; }

// `key OP constant` as a key range: the keys in [lo, hi] (none when
// lo > hi), or with `negate` the keys outside it.
struct KeyRange {
  uint64_t lo = 1, hi = 0;
  bool negate = false;
};
inline KeyRange RangeOf(CompareOp op, uint64_t c) {
  constexpr uint64_t kMax = ~uint64_t{0};
  switch (op) {
    case CompareOp::kEq: return {c, c, false};
    case CompareOp::kNe: return {c, c, true};
    // `< 0` and `> max` hold for nobody: [1, 0] is empty.
    case CompareOp::kLt: return c == 0 ? KeyRange{} : KeyRange{0, c - 1, false};
    case CompareOp::kLe: return {0, c, false};
    case CompareOp::kGt: return c == kMax ? KeyRange{} : KeyRange{c + 1, kMax, false};
    case CompareOp::kGe: return {c, kMax, false};
  }
  return {};
}

}  // namespace bit_sliced_index_internal

AUDIENCE_FUNC BitSlicedIndex BitSlicedIndex::Build(
    absl::Span<const std::pair<PersonId, uint64_t>> entries) {
  std::vector<std::pair<PersonId, uint64_t>> sorted(entries.begin(), entries.end());
  // Stable, so that of a person's entries the last one ends up last; input
  // already in person order (the common case) is not sorted again.
  auto by_person = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_person)) {
    std::stable_sort(sorted.begin(), sorted.end(), by_person);
  }
  std::vector<uint32_t> ids;
  std::vector<uint64_t> keys;
  ids.reserve(sorted.size());
  keys.reserve(sorted.size());
  for (size_t k = 0; k < sorted.size(); ++k) {
    if (k + 1 < sorted.size() && sorted[k + 1].first == sorted[k].first) continue;
    ids.push_back(sorted[k].first);
    keys.push_back(sorted[k].second);
  }
  return Build(Bitmap::FromIds(ids), keys);
}

AUDIENCE_FUNC BitSlicedIndex BitSlicedIndex::Build(const Bitmap& people,
                                                   absl::Span<const uint64_t> keys) {
  using bit_sliced_index_internal::HighMask;
  assert(people.Cardinality() == keys.size());
  BitSlicedIndex out;
  if (keys.empty()) return out;
  out.not_null_ = people;
  uint64_t all_or = 0, all_and = ~uint64_t{0};
  for (uint64_t key : keys) {
    all_or |= key;
    all_and &= key;
  }
  const size_t depth = static_cast<size_t>(std::bit_width(all_or ^ all_and));
  out.prefix_ = all_and & HighMask(depth);
  out.slices_.resize(depth);
  // Chunk by chunk of 2^16 ids, every slice's words are filled in one pass
  // over the chunk's keys and each slice's chunk is appended as one
  // container. A word whose 64 ids are all present (the common, dense case)
  // is a 64x64 bit transpose of their keys; other ids scatter their set bits.
  const std::vector<uint32_t> all = people.ToVector();
  constexpr size_t kWords = Bitmap::kChunkWords;
  const uint64_t low_mask = bit_sliced_index_internal::LowMask(depth);
  std::vector<uint64_t> words(depth * kWords);
  uint64_t block[64];
  for (size_t begin = 0; begin < all.size();) {
    const uint32_t chunk = all[begin] >> 16;
    size_t end = begin;
    while (end < all.size() && (all[end] >> 16) == chunk) ++end;
    std::fill(words.begin(), words.end(), uint64_t{0});
    for (size_t k = begin; k < end;) {
      const uint32_t low = all[k] & 0xFFFF;
      if ((low & 63) == 0 && end - k >= 64 && all[k + 63] - all[k] == 63) {
        std::copy_n(keys.begin() + static_cast<std::ptrdiff_t>(k), 64, block);
        dense::Transpose64(block);
        for (size_t i = 0; i < depth; ++i) words[i * kWords + (low >> 6)] = block[i];
        k += 64;
        continue;
      }
      const uint64_t bit = uint64_t{1} << (low & 63);
      for (uint64_t rest = keys[k] & low_mask; rest != 0; rest &= rest - 1) {
        words[static_cast<size_t>(std::countr_zero(rest)) * kWords + (low >> 6)] |= bit;
      }
      ++k;
    }
    for (size_t i = 0; i < depth; ++i) {
      const uint64_t* w = words.data() + i * kWords;
      out.slices_[i].AppendChunk(chunk, w, dense::Popcount(w, kWords));
    }
    begin = end;
  }
  out.RebuildValues(all, keys);
  out.RebuildBins(all, keys);
  return out;
}

AUDIENCE_FUNC void BitSlicedIndex::GrowTo(size_t depth) {
  using bit_sliced_index_internal::Bit;
  for (size_t i = slices_.size(); i < depth; ++i) {
    slices_.push_back(Bit(prefix_, i) ? not_null_ : Bitmap());
  }
  prefix_ &= bit_sliced_index_internal::HighMask(slices_.size());
}

AUDIENCE_FUNC void BitSlicedIndex::Set(PersonId person, uint64_t key) {
  using bit_sliced_index_internal::Bit;
  if (not_null_.IsEmpty()) {
    // Every slice is a subset of not_null, so all are empty: start afresh
    // with the whole key as the prefix and no slices.
    slices_.clear();
    prefix_ = key;
    not_null_.Add(person);
    values_.clear();
    values_on_ = true;
    bins_.reset();
    ValuesSet(person, std::nullopt, key);
    return;
  }
  if (values_on_ || bins_) {
    const std::optional<uint64_t> old = Get(person);
    if (values_on_) ValuesSet(person, old, key);
    if (bins_ && !bins_->Set(person, old, key)) bins_.reset();  // out of its span
  }
  const uint64_t differ =
      (key ^ prefix_) & bit_sliced_index_internal::HighMask(slices_.size());
  if (differ != 0) GrowTo(static_cast<size_t>(std::bit_width(differ)));
  const bool existed = !not_null_.AddChecked(person);
  for (size_t i = 0; i < slices_.size(); ++i) {
    if (Bit(key, i)) {
      slices_[i].Add(person);
    } else if (existed) {
      slices_[i].Remove(person);
    }
  }
}

AUDIENCE_FUNC void BitSlicedIndex::Clear(PersonId person) {
  if (values_on_ || bins_) {
    if (std::optional<uint64_t> old = Get(person)) {
      if (values_on_) ValuesClear(person, *old);
      if (bins_) bins_->Clear(person, *old);
    }
  }
  if (!not_null_.RemoveChecked(person)) return;
  for (Bitmap& s : slices_) s.Remove(person);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::Range(uint64_t lo, uint64_t hi, const Bitmap* within,
                                             Bitmap* out) const {
  if (lo > hi || not_null_.IsEmpty()) {
    if (out != nullptr) out->Clear();
    return 0;
  }
  return values_on_ ? ValuesBetween(lo, hi, within, out) : SlicesBetween(lo, hi, within, out);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::CompareRange(CompareOp op, uint64_t constant,
                                                    const Bitmap* within, Bitmap* out) const {
  const bit_sliced_index_internal::KeyRange r = bit_sliced_index_internal::RangeOf(op, constant);
  if (!r.negate) return Range(r.lo, r.hi, within, out);
  Bitmap equal;
  const uint64_t n = Range(r.lo, r.hi, within, &equal);
  if (out != nullptr) {
    *out = (within != nullptr ? not_null_ & *within : not_null_) - equal;
    return out->Cardinality();
  }
  return (within != nullptr ? not_null_.AndCardinality(*within) : not_null_.Cardinality()) - n;
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::Compare(CompareOp op, uint64_t constant,
                                            const Bitmap* within) const {
  Bitmap out;
  CompareRange(op, constant, within, &out);
  return out;
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::Between(uint64_t lo, uint64_t hi,
                                            const Bitmap* within) const {
  Bitmap out;
  Range(lo, hi, within, &out);
  return out;
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::CountCompare(CompareOp op, uint64_t constant,
                                                    const Bitmap* within) const {
  return CompareRange(op, constant, within, nullptr);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::CountBetween(uint64_t lo, uint64_t hi,
                                                    const Bitmap* within) const {
  return Range(lo, hi, within, nullptr);
}

AUDIENCE_FUNC bool BitSlicedIndex::ClampToSlices(uint64_t* lo, uint64_t* hi) const {
  using bit_sliced_index_internal::HighMask;
  const uint64_t high_mask = HighMask(slices_.size());
  if (*lo > *hi || (*hi & high_mask) < prefix_ || (*lo & high_mask) > prefix_) return false;
  *lo = (*lo & high_mask) < prefix_ ? 0 : *lo & ~high_mask;
  *hi = (*hi & high_mask) > prefix_ ? ~high_mask : *hi & ~high_mask;
  return true;
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::SlicesBetween(uint64_t lo, uint64_t hi,
                                                    const Bitmap* within, Bitmap* out,
                                                    std::optional<uint64_t> bucket) const {
  RangeChunks range(*this, lo, hi, /*negate=*/false, RangeChunks::Path::kSlices);
  if (bucket) range.NarrowToBucket(*bucket);
  return ChunksBetween(range, within, out);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::BinsBetween(uint64_t lo, uint64_t hi,
                                                  const Bitmap* within, Bitmap* out) const {
  RangeChunks range(*this, lo, hi, /*negate=*/false, RangeChunks::Path::kBins);
  return ChunksBetween(range, within, out);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::ChunksBetween(RangeChunks& range, const Bitmap* within,
                                                    Bitmap* out) const {
  constexpr size_t kWords = Bitmap::kChunkWords;
  if (out != nullptr) out->Clear();
  // Scratch, per thread so that concurrent const calls are safe: the
  // range's, the scope's words and the result.
  thread_local std::vector<uint64_t> scratch;
  scratch.resize(range.scratch_words() + 2 * kWords);
  uint64_t* within_buf = scratch.data() + range.scratch_words();
  uint64_t* result = within_buf + kWords;
  const Bitmap& drive = within != nullptr ? *within : not_null_;
  uint64_t total = 0;
  for (size_t c = 0; c < drive.ChunkCount(); ++c) {
    const uint32_t key = drive.ChunkKey(c);
    const uint64_t* mask = within != nullptr ? within->ChunkWords(c, within_buf) : nullptr;
    const uint64_t n = range.Eval(key, mask, out != nullptr ? result : nullptr, scratch.data());
    total += n;
    if (out != nullptr) out->AppendChunk(key, result, n);
  }
  return total;
}

AUDIENCE_FUNC std::optional<uint64_t> BitSlicedIndex::Get(PersonId person) const {
  if (!not_null_.Contains(person)) return std::nullopt;
  uint64_t key = prefix_;
  for (size_t i = 0; i < slices_.size(); ++i) {
    if (slices_[i].Contains(person)) key |= uint64_t{1} << i;
  }
  return key;
}

AUDIENCE_FUNC std::optional<uint64_t> BitSlicedIndex::MinKey() const {
  if (not_null_.IsEmpty()) return std::nullopt;
  uint64_t key = prefix_;
  Bitmap eq = not_null_;
  for (size_t i = slices_.size(); i-- > 0;) {
    Bitmap zeros = eq - slices_[i];
    if (zeros.IsEmpty()) {
      key |= uint64_t{1} << i;  // every candidate has the bit
    } else {
      eq = std::move(zeros);
    }
  }
  return key;
}

AUDIENCE_FUNC std::optional<uint64_t> BitSlicedIndex::MaxKey() const {
  if (not_null_.IsEmpty()) return std::nullopt;
  uint64_t key = prefix_;
  Bitmap eq = not_null_;
  for (size_t i = slices_.size(); i-- > 0;) {
    Bitmap ones = eq & slices_[i];
    if (!ones.IsEmpty()) {
      key |= uint64_t{1} << i;
      eq = std::move(ones);
    }
  }
  return key;
}

AUDIENCE_FUNC void BitSlicedIndex::Optimize() {
  for (auto& [key, people] : values_) people.Optimize();
  if (not_null_.IsEmpty()) {
    slices_.clear();
    slices_.shrink_to_fit();
    prefix_ = 0;
    bins_.reset();
    return;
  }
  if (bins_ ? bins_->Skewed() : BinsMayFit()) {
    const std::vector<uint32_t> ids = not_null_.ToVector();
    RebuildBins(ids, AllKeys(ids));
  }
  // A top slice that is empty or equal to not_null (slices are subsets of
  // it, so equal cardinality suffices) is a constant bit: move it into the
  // prefix.
  const uint64_t count = not_null_.Cardinality();
  while (!slices_.empty()) {
    const size_t i = slices_.size() - 1;
    const uint64_t n = slices_[i].Cardinality();
    if (n != 0 && n != count) break;
    if (n == count) prefix_ |= uint64_t{1} << i;
    slices_.pop_back();
  }
  slices_.shrink_to_fit();
  not_null_.Optimize();
  // Slices stay bitsets and arrays: the range walk reads them as words, and a
  // nearly full slice turned into runs (the top bit of recent timestamps)
  // was spread into words again for every chunk of every query (Q4 of
  // bench/query_bench.cpp: 1.6 ms against 1.25 ms with bitsets, at 10M).
  for (Bitmap& s : slices_) s.ShrinkToFit();
}

AUDIENCE_FUNC size_t BitSlicedIndex::MemoryBytes() const {
  size_t bytes = not_null_.MemoryBytes() + slices_.capacity() * sizeof(Bitmap);
  for (const Bitmap& s : slices_) bytes += s.MemoryBytes();
  for (const auto& [key, people] : values_) bytes += sizeof(key) + sizeof(Bitmap) + people.MemoryBytes();
  if (bins_) bytes += bins_->MemoryBytes();
  return bytes;
}

AUDIENCE_FUNC void BitSlicedIndex::Serialize(ByteWriter& out) const {
  out.PutU8(static_cast<uint8_t>(slices_.size()));
  out.PutU64(prefix_);
  out.PutBitmap(not_null_);
  for (const Bitmap& s : slices_) out.PutBitmap(s);
}

AUDIENCE_FUNC absl::StatusOr<BitSlicedIndex> BitSlicedIndex::Deserialize(ByteReader& in) {
  BitSlicedIndex out;
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t depth, in.GetU8("range index depth"));
  if (depth > 64) {
    return in.Corrupt("range index depth", fmt::format("depth {} exceeds 64", depth));
  }
  AUDIENCE_ASSIGN_OR_RETURN(out.prefix_, in.GetU64("range index prefix"));
  if ((out.prefix_ & bit_sliced_index_internal::LowMask(depth)) != 0) {
    return in.Corrupt("range index prefix",
                      fmt::format("prefix {:#x} has bits below depth {}", out.prefix_, depth));
  }
  AUDIENCE_ASSIGN_OR_RETURN(out.not_null_, in.GetBitmap("range index not-null bitmap"));
  out.slices_.reserve(depth);
  for (size_t i = 0; i < depth; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(Bitmap slice, in.GetBitmap("range index slice"));
    if (!slice.IsSubsetOf(out.not_null_)) {
      return in.Corrupt("range index slice",
                        fmt::format("slice {} holds persons without a key", i));
    }
    out.slices_.push_back(std::move(slice));
  }
  const std::vector<uint32_t> ids = out.not_null_.ToVector();
  const std::vector<uint64_t> keys = out.AllKeys(ids);
  out.RebuildValues(ids, keys);
  out.RebuildBins(ids, keys);
  return out;
}

AUDIENCE_FUNC std::vector<uint64_t> BitSlicedIndex::AllKeys(absl::Span<const uint32_t> ids) const {
  // Chunk by chunk, every slice's words; per word of 64 ids they are the
  // rows of a 64x64 bit matrix whose transpose holds one key per row
  // (Build's transpose undone).
  constexpr size_t kWords = Bitmap::kChunkWords;
  const size_t depth = slices_.size();
  std::vector<uint64_t> keys(ids.size(), prefix_);
  std::vector<uint64_t> scratch(depth * kWords);
  std::vector<const uint64_t*> words(depth);
  std::vector<size_t> at(depth, 0);
  uint64_t rows[64];
  for (size_t k = 0; k < ids.size();) {
    const uint32_t chunk = ids[k] >> 16;
    size_t end = k;
    while (end < ids.size() && ids[end] >> 16 == chunk) ++end;
    for (size_t i = 0; i < depth; ++i) {
      const Bitmap& slice = slices_[i];
      at[i] = slice.SeekChunk(chunk, at[i]);
      const bool has = at[i] < slice.ChunkCount() && slice.ChunkKey(at[i]) == chunk;
      words[i] = has ? slice.ChunkWords(at[i], scratch.data() + i * kWords) : dense::kZeroChunk;
    }
    for (size_t j = k; j < end;) {
      const size_t w = (ids[j] >> 6) & (kWords - 1);
      size_t e = j;
      while (e < end && ((ids[e] >> 6) & (kWords - 1)) == w) ++e;
      std::fill(std::begin(rows), std::end(rows), uint64_t{0});
      for (size_t i = 0; i < depth; ++i) rows[i] = words[i][w];
      dense::Transpose64(rows);
      for (size_t x = j; x < e; ++x) keys[x] |= rows[ids[x] & 63];
      j = e;
    }
    k = end;
  }
  return keys;
}

AUDIENCE_FUNC bool BitSlicedIndex::BinsMayFit() const {
  // The value buckets strictly between the first and the last one are
  // spanned whole: when they alone reach 2^32, no need to read the keys.
  if (!values_on_ || shift_ == 0 || values_.empty()) return false;
  const uint64_t first = values_.begin()->first, last = values_.rbegin()->first;
  if (last - first < 2) return true;
  return shift_ < 32 && ((last - first - 1) >> (32 - shift_)) == 0;
}

AUDIENCE_FUNC void BitSlicedIndex::RebuildBins(absl::Span<const uint32_t> ids,
                                               absl::Span<const uint64_t> keys) {
  bins_.reset();
  if (BinsMayFit()) bins_ = SortedBins::Build(ids, keys);
}

AUDIENCE_FUNC const Bitmap* BitSlicedIndex::SliceOrNull(size_t i) const {
  if (i < slices_.size()) return &slices_[i];
  return bit_sliced_index_internal::Bit(prefix_, i) ? &not_null_ : nullptr;
}

AUDIENCE_FUNC bool operator==(const BitSlicedIndex& a, const BitSlicedIndex& b) {
  if (!(a.not_null_ == b.not_null_)) return false;
  if (a.not_null_.IsEmpty()) return true;
  const size_t depth = std::max(a.slices_.size(), b.slices_.size());
  const uint64_t high_mask = bit_sliced_index_internal::HighMask(depth);
  if ((a.prefix_ & high_mask) != (b.prefix_ & high_mask)) return false;
  for (size_t i = 0; i < depth; ++i) {
    const Bitmap* x = a.SliceOrNull(i);
    const Bitmap* y = b.SliceOrNull(i);
    if (x == nullptr || y == nullptr) {
      if (!((x == nullptr || x->IsEmpty()) && (y == nullptr || y->IsEmpty()))) return false;
    } else if (!(*x == *y)) {
      return false;
    }
  }
  return true;
}

AUDIENCE_END_NAMESPACE

#include "audience/storage/bit_sliced_index_chunks-inl.h"
#include "audience/storage/bit_sliced_index_values-inl.h"

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_
