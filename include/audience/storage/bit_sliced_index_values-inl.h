// The equality layer of BitSlicedIndex (bit_sliced_index.h): one bitmap per
// distinct key while there are at most kMaxValueBitmaps of them.
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_

#include <iterator>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audience/storage/bit_sliced_index.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC void BitSlicedIndex::ValuesSet(PersonId person, std::optional<uint64_t> old_key,
                                             uint64_t key) {
  if (!values_on_) return;
  if (old_key == key) return;
  if (old_key) ValuesClear(person, *old_key);
  values_[key].Add(person);
  if (values_.size() > kMaxValueBitmaps) {
    values_on_ = false;
    values_.clear();
  }
}

AUDIENCE_FUNC void BitSlicedIndex::ValuesClear(PersonId person, uint64_t old_key) {
  auto it = values_.find(old_key);
  if (it == values_.end()) return;
  it->second.Remove(person);
  if (it->second.IsEmpty()) values_.erase(it);
}

AUDIENCE_FUNC void BitSlicedIndex::RebuildValues(
    absl::Span<const std::pair<PersonId, uint64_t>> entries) {
  values_.clear();
  values_on_ = true;
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> groups;
  for (const auto& [person, key] : entries) {
    auto it = groups.find(key);
    if (it == groups.end()) {
      if (groups.size() == kMaxValueBitmaps) {
        values_on_ = false;
        return;
      }
      it = groups.emplace(key, std::vector<uint32_t>()).first;
    }
    it->second.push_back(person);
  }
  for (auto& [key, people] : groups) values_.emplace(key, Bitmap::FromIds(people));
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::ValuesBetween(uint64_t lo, uint64_t hi,
                                                   const Bitmap* within) const {
  if (lo > hi) return Bitmap();
  auto first = values_.lower_bound(lo);
  auto last = values_.upper_bound(hi);
  const size_t inside = static_cast<size_t>(std::distance(first, last));
  const bool complement = inside > values_.size() - inside;
  std::vector<const Bitmap*> parts;
  auto take = [&](auto from, auto to) {
    for (auto it = from; it != to; ++it) parts.push_back(&it->second);
  };
  if (complement) {
    take(values_.begin(), first);
    take(last, values_.end());
  } else {
    take(first, last);
  }
  // A tiny scope is intersected value by value (each AND costs about the
  // scope's size); otherwise the union comes first and the scope once.
  Bitmap result;
  if (within != nullptr && within->Cardinality() * 256 < not_null_.Cardinality()) {
    std::vector<Bitmap> scoped;
    scoped.reserve(parts.size());
    for (const Bitmap* p : parts) scoped.push_back(*p & *within);
    std::vector<const Bitmap*> inputs;
    for (const Bitmap& b : scoped) inputs.push_back(&b);
    result = Bitmap::OrMany(inputs);
    return complement ? (not_null_ & *within) - result : result;
  }
  result = Bitmap::OrMany(parts);
  if (within == nullptr) return complement ? not_null_ - result : result;
  if (complement) return (not_null_ & *within) - result;
  result &= *within;
  return result;
}

AUDIENCE_FUNC Bitmap BitSlicedIndex::ValuesCompare(CompareOp op, uint64_t constant,
                                                   const Bitmap* within) const {
  constexpr uint64_t kMax = ~uint64_t{0};
  switch (op) {
    case CompareOp::kEq: return ValuesBetween(constant, constant, within);
    case CompareOp::kNe: {
      Bitmap base = within != nullptr ? not_null_ & *within : not_null_;
      auto it = values_.find(constant);
      if (it != values_.end()) base -= it->second;
      return base;
    }
    case CompareOp::kLt:
      return constant == 0 ? Bitmap() : ValuesBetween(0, constant - 1, within);
    case CompareOp::kLe: return ValuesBetween(0, constant, within);
    case CompareOp::kGt:
      return constant == kMax ? Bitmap() : ValuesBetween(constant + 1, kMax, within);
    case CompareOp::kGe: return ValuesBetween(constant, kMax, within);
  }
  return Bitmap();
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_
