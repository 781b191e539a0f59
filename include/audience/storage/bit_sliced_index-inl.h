// Definitions for bit_sliced_index.h.
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_

#include <algorithm>
#include <bit>
#include <cassert>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/storage/bit_sliced_index.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bit_sliced_index_internal {

// Bits >= depth set; depth may be 64.
inline uint64_t HighMask(size_t depth) { return depth >= 64 ? 0 : ~uint64_t{0} << depth; }
inline uint64_t LowMask(size_t depth) { return ~HighMask(depth); }
inline bool Bit(uint64_t key, size_t i) { return ((key >> i) & 1) != 0; }

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
  // Chunks small enough to stay in cache are read once per slice; ids are
  // gathered branch-free (the key bits are unpredictable) and appended in
  // ascending order, which the bitmaps take fastest.
  const std::vector<uint32_t> all = people.ToVector();
  constexpr size_t kChunk = 1 << 14;
  std::vector<uint32_t> gathered(std::min(kChunk, keys.size()));
  for (size_t begin = 0; begin < keys.size(); begin += kChunk) {
    const size_t count = std::min(kChunk, keys.size() - begin);
    const uint32_t* ids = all.data() + begin;
    const uint64_t* chunk = keys.data() + begin;
    for (size_t i = 0; i < depth; ++i) {
      size_t n = 0;
      for (size_t k = 0; k < count; ++k) {
        gathered[n] = ids[k];
        n += static_cast<size_t>((chunk[k] >> i) & 1);
      }
      out.slices_[i].AddMany(absl::MakeConstSpan(gathered.data(), n));
    }
  }
  out.RebuildValues(all, keys);
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
    ValuesSet(person, std::nullopt, key);
    return;
  }
  if (values_on_) ValuesSet(person, Get(person), key);
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
  if (values_on_) {
    if (std::optional<uint64_t> old = Get(person)) ValuesClear(person, *old);
  }
  if (!not_null_.RemoveChecked(person)) return;
  for (Bitmap& s : slices_) s.Remove(person);
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::Walk(Bitmap eq, CompareOp op, uint64_t constant,
                                          size_t top) const {
  using bit_sliced_index_internal::Bit;
  const bool less = op == CompareOp::kLt || op == CompareOp::kLe;
  const bool or_equal = op == CompareOp::kLe || op == CompareOp::kGe;
  // Below `stop` the constant is all zeros (for < and >=) or all ones (for
  // <= and >): whatever is still equal above it is then >= (resp. <=) the
  // constant, so those slices need not be read.
  const uint64_t low_mask = bit_sliced_index_internal::LowMask(top);
  const uint64_t low = constant & low_mask;
  size_t stop;
  if (op == CompareOp::kLt || op == CompareOp::kGe) {
    stop = low == 0 ? top : static_cast<size_t>(std::countr_zero(low));
  } else {
    stop = low == low_mask ? top : static_cast<size_t>(std::countr_one(low));
  }
  Bitmap acc;  // persons already known to be < (less) or > (!less) constant
  for (size_t i = top; i-- > stop;) {
    const Bitmap& slice = slices_[i];
    if (Bit(constant, i)) {
      if (less) acc |= eq - slice;
      eq &= slice;
    } else {
      if (!less) acc |= eq & slice;
      eq -= slice;
    }
    if (eq.IsEmpty()) break;
  }
  if (or_equal) acc |= eq;
  return acc;
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::Compare(CompareOp op, uint64_t constant,
                                            const Bitmap* within) const {
  using bit_sliced_index_internal::Bit;
  if (not_null_.IsEmpty()) return Bitmap();
  if (values_on_) return ValuesCompare(op, constant, within);
  Bitmap scoped;
  if (within != nullptr) scoped = not_null_ & *within;
  const Bitmap& base = within != nullptr ? scoped : not_null_;
  const size_t depth = slices_.size();
  const uint64_t high = constant & bit_sliced_index_internal::HighMask(depth);
  if (high != prefix_) {
    // Every key differs from the constant above the slices: all keys are on
    // the same side of it.
    const bool all_less = high > prefix_;
    switch (op) {
      case CompareOp::kEq: return Bitmap();
      case CompareOp::kNe: return base;
      case CompareOp::kLt:
      case CompareOp::kLe: return all_less ? base : Bitmap();
      case CompareOp::kGt:
      case CompareOp::kGe: return all_less ? Bitmap() : base;
    }
  }
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    Bitmap eq = base;
    for (size_t i = depth; i-- > 0 && !eq.IsEmpty();) {
      if (Bit(constant, i)) {
        eq &= slices_[i];
      } else {
        eq -= slices_[i];
      }
    }
    return op == CompareOp::kEq ? eq : base - eq;
  }
  return Walk(base, op, constant, depth);
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::Between(uint64_t lo, uint64_t hi,
                                            const Bitmap* within) const {
  if (lo > hi || not_null_.IsEmpty()) return Bitmap();
  if (values_on_) return ValuesBetween(lo, hi, within);
  return SlicesBetween(lo, hi, within);
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::SlicesBetween(uint64_t lo, uint64_t hi,
                                                  const Bitmap* within) const {
  using bit_sliced_index_internal::Bit;
  using bit_sliced_index_internal::HighMask;
  if (lo > hi || not_null_.IsEmpty()) return Bitmap();
  const size_t depth = slices_.size();
  const uint64_t high_mask = HighMask(depth);
  // Clamp both ends into the range the stored prefix allows.
  if ((hi & high_mask) < prefix_ || (lo & high_mask) > prefix_) return Bitmap();
  if ((lo & high_mask) < prefix_) lo = prefix_;
  if ((hi & high_mask) > prefix_) hi = prefix_ | ~high_mask;
  // Shared leading bits of lo and hi narrow a single `eq`; at the first bit
  // where they differ (lo 0, hi 1) the candidates split into those with the
  // bit set (already > lo; check <= hi below) and clear (check >= lo).
  Bitmap eq = within != nullptr ? not_null_ & *within : not_null_;
  size_t i = depth;
  for (; i > 0 && Bit(lo, i - 1) == Bit(hi, i - 1); --i) {
    if (Bit(lo, i - 1)) {
      eq &= slices_[i - 1];
    } else {
      eq -= slices_[i - 1];
    }
    if (eq.IsEmpty()) return eq;
  }
  if (i == 0) return eq;
  const Bitmap& split = slices_[i - 1];
  Bitmap result = Walk(eq & split, CompareOp::kLe, hi, i - 1);
  result |= Walk(eq - split, CompareOp::kGe, lo, i - 1);
  return result;
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::CountCompare(CompareOp op, uint64_t constant) const {
  return Compare(op, constant).Cardinality();
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::CountBetween(uint64_t lo, uint64_t hi) const {
  return Between(lo, hi).Cardinality();
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
    return;
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
  for (Bitmap& s : slices_) s.Optimize();
}

AUDIENCE_FUNC size_t BitSlicedIndex::MemoryBytes() const {
  size_t bytes = not_null_.MemoryBytes() + slices_.capacity() * sizeof(Bitmap);
  for (const Bitmap& s : slices_) bytes += s.MemoryBytes();
  for (const auto& [key, people] : values_) bytes += sizeof(key) + sizeof(Bitmap) + people.MemoryBytes();
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
  std::vector<uint64_t> keys(ids.size());
  for (size_t k = 0; k < ids.size(); ++k) keys[k] = *out.Get(ids[k]);
  out.RebuildValues(ids, keys);
  return out;
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

#include "audience/storage/bit_sliced_index_values-inl.h"

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_INL_H_
