// The value layer of BitSlicedIndex (bit_sliced_index.h): at most
// kMaxValueBitmaps bitmaps of persons grouped by key >> shift_.
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audience/storage/bit_sliced_index.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bit_sliced_index_internal {

inline uint64_t BucketOf(uint64_t key, int shift) { return shift >= 64 ? 0 : key >> shift; }

// Groups persons by key >> shift; false (and `out` incomplete) as soon as
// there would be more than `max` groups.
inline bool Group(absl::Span<const uint32_t> ids, absl::Span<const uint64_t> keys, int shift,
                  size_t max, absl::flat_hash_map<uint64_t, std::vector<uint32_t>>* out) {
  out->clear();
  for (size_t k = 0; k < ids.size(); ++k) {
    const uint64_t bucket = BucketOf(keys[k], shift);
    auto it = out->find(bucket);
    if (it == out->end()) {
      if (out->size() == max) return false;
      it = out->emplace(bucket, std::vector<uint32_t>()).first;
    }
    it->second.push_back(ids[k]);
  }
  return true;
}

// Counting sort of persons by bucket - first, for a bucket span of at most
// `width`: one bitmap per non-empty bucket, ids in ascending order.
inline void GroupDense(absl::Span<const uint32_t> ids, absl::Span<const uint64_t> keys, int shift,
                       uint64_t first, size_t width, absl::btree_map<uint64_t, Bitmap>* out) {
  std::vector<uint32_t> start(width + 1, 0);
  for (uint64_t key : keys) ++start[BucketOf(key, shift) - first + 1];
  for (size_t b = 0; b < width; ++b) start[b + 1] += start[b];
  std::vector<uint32_t> sorted(ids.size());
  std::vector<uint32_t> at(start.begin(), start.end() - 1);
  for (size_t k = 0; k < ids.size(); ++k) sorted[at[BucketOf(keys[k], shift) - first]++] = ids[k];
  for (size_t b = 0; b < width; ++b) {
    if (start[b] == start[b + 1]) continue;
    out->emplace(first + b, Bitmap::FromIds(absl::MakeConstSpan(sorted.data() + start[b],
                                                                start[b + 1] - start[b])));
  }
}

}  // namespace bit_sliced_index_internal

AUDIENCE_FUNC void BitSlicedIndex::ValuesSet(PersonId person, std::optional<uint64_t> old_key,
                                             uint64_t key) {
  using bit_sliced_index_internal::BucketOf;
  if (!values_on_) return;
  if (old_key) {
    if (BucketOf(*old_key, shift_) == BucketOf(key, shift_)) return;
    ValuesClear(person, *old_key);
  }
  values_[BucketOf(key, shift_)].Add(person);
  // Too many buckets: double their width, merging neighbours.
  while (values_.size() > kMaxValueBitmaps) {
    absl::btree_map<uint64_t, Bitmap> wider;
    for (auto& [bucket, people] : values_) wider[bucket >> 1] |= people;
    values_ = std::move(wider);
    ++shift_;
  }
}

AUDIENCE_FUNC void BitSlicedIndex::ValuesClear(PersonId person, uint64_t old_key) {
  auto it = values_.find(bit_sliced_index_internal::BucketOf(old_key, shift_));
  if (it == values_.end()) return;
  it->second.Remove(person);
  if (it->second.IsEmpty()) values_.erase(it);
}

AUDIENCE_FUNC void BitSlicedIndex::RebuildValues(absl::Span<const uint32_t> ids,
                                                 absl::Span<const uint64_t> keys) {
  using bit_sliced_index_internal::BucketOf;
  values_.clear();
  values_on_ = true;
  shift_ = 0;
  if (keys.empty()) return;
  uint64_t lo = ~uint64_t{0}, hi = 0;
  for (uint64_t key : keys) {
    lo = std::min(lo, key);
    hi = std::max(hi, key);
  }
  // A narrow key range is counted directly; a wide one first tries one
  // bitmap per key (few distinct keys), else buckets of neighbouring keys:
  // the smallest width that spans lo..hi in kMaxValueBitmaps.
  constexpr uint64_t kDenseSpan = uint64_t{1} << 16;
  if (hi - lo < kDenseSpan) {
    std::vector<uint8_t> seen(hi - lo + 1, 0);
    size_t distinct = 0;
    for (uint64_t key : keys) {
      distinct += seen[key - lo] == 0 ? 1 : 0;
      seen[key - lo] = 1;
    }
    if (distinct <= kMaxValueBitmaps) {
      bit_sliced_index_internal::GroupDense(ids, keys, 0, lo, hi - lo + 1, &values_);
      return;
    }
  } else {
    absl::flat_hash_map<uint64_t, std::vector<uint32_t>> groups;
    if (bit_sliced_index_internal::Group(ids, keys, 0, kMaxValueBitmaps, &groups)) {
      for (auto& [bucket, people] : groups) values_.emplace(bucket, Bitmap::FromIds(people));
      return;
    }
  }
  while (BucketOf(hi, shift_) - BucketOf(lo, shift_) >= kMaxValueBitmaps) ++shift_;
  const uint64_t first = BucketOf(lo, shift_);
  bit_sliced_index_internal::GroupDense(ids, keys, shift_, first,
                                        BucketOf(hi, shift_) - first + 1, &values_);
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::BinsCost(uint64_t lo, uint64_t hi,
                                                uint64_t chunks) const {
  // Per chunk 1 us for the mask and the result, and per bound that excludes
  // someone a cumulative chunk copied (as one slice chunk, 560 ns), its cut
  // run's persons edited (2 ns each) and one more pass over the words.
  if (!bins_) return std::numeric_limits<uint64_t>::max();
  const BinBounds b = BinBoundsOf(lo, hi);
  const uint64_t bounds = (b.lo ? 1 : 0) + (b.hi ? 1 : 0);
  return chunks * (1000 + bounds * (1120 + 2 * bins_->EditsPerChunk()));
}

AUDIENCE_FUNC BitSlicedIndex::BinBounds BitSlicedIndex::BinBoundsOf(uint64_t lo,
                                                                   uint64_t hi) const {
  const uint64_t base = bins_->base();
  return {.lo = lo > base,
          .hi = hi < base || hi - base < std::numeric_limits<uint32_t>::max()};
}

AUDIENCE_FUNC BitSlicedIndex::Way BitSlicedIndex::Cheapest(uint64_t slices_cost,
                                                           uint64_t values_cost,
                                                           uint64_t bins_cost) {
  if (bins_cost < slices_cost && bins_cost < values_cost) return Way::kBins;
  return slices_cost < values_cost ? Way::kSlices : Way::kValues;
}

AUDIENCE_FUNC BitSlicedIndex::Way BitSlicedIndex::ChooseWay(uint64_t lo, uint64_t hi,
                                                            absl::Span<const Bitmap* const> parts,
                                                            bool complement, size_t edges,
                                                            const Bitmap* within) const {
  // Estimated nanoseconds, from timings of both paths on 1M people (ages,
  // three years of timestamps; scopes of 1/2 to 1/500; 2-core VM, AVX2):
  // a slice word costs about 0.55 ns (a chunk of one slice 560 ns) plus
  // 1 us per chunk for its mask and result; a person looked up slice by
  // slice 2 ns per slice; a union 1 ns per id plus 100 ns per container; a
  // cut by the scope 600 ns per chunk, a complement 4 us; an edge bucket
  // resolved by the slices and merged 12 us per chunk.
  uint64_t l = lo, h = hi;
  if (!ClampToSlices(&l, &h)) return Way::kValues;
  const uint64_t read = slices_.size() - dense::SliceRangeBottom(slices_.size(), l, h);
  const uint64_t chunks = within != nullptr
                              ? std::min(within->ChunkCount(), not_null_.ChunkCount())
                              : not_null_.ChunkCount();
  uint64_t slices_cost = chunks * (read * 560 + 1000);
  if (within != nullptr) {
    const uint64_t in_scope = within->Cardinality();
    if (in_scope * dense::kSparseRatio < chunks * Bitmap::kChunkWords) {
      slices_cost = chunks * 1000 + in_scope * read * 2;  // person by person
    }
  }
  uint64_t values_cost = edges * chunks * 12000;
  for (const Bitmap* p : parts) values_cost += p->Cardinality() + p->ChunkCount() * 100;
  if (within != nullptr) values_cost += chunks * 600;
  if (complement) values_cost += chunks * 4000;
  return Cheapest(slices_cost, values_cost, BinsCost(lo, hi, chunks));
}

AUDIENCE_FUNC BitSlicedIndex::ValueParts BitSlicedIndex::ValuePartsOf(uint64_t lo,
                                                                     uint64_t hi) const {
  using bit_sliced_index_internal::BucketOf;
  ValueParts v;
  const uint64_t blo = BucketOf(lo, shift_), bhi = BucketOf(hi, shift_);
  // With shift 0 every bucket in [blo, bhi] is wholly inside the range;
  // otherwise the two edge buckets are resolved exactly by the slices.
  const bool exact = shift_ == 0;
  auto first = exact ? values_.lower_bound(blo) : values_.upper_bound(blo);
  auto last = exact ? values_.upper_bound(bhi) : values_.lower_bound(bhi);
  if (!exact && bhi <= blo) last = first;  // no bucket strictly inside
  const size_t inside = static_cast<size_t>(std::distance(first, last));
  v.complement = inside > values_.size() - inside;
  auto take = [&](auto from, auto to) {
    for (auto it = from; it != to; ++it) v.parts.push_back(&it->second);
  };
  if (v.complement) {  // everyone with a key, minus the buckets outside (edges included)
    take(values_.begin(), first);
    take(last, values_.end());
  } else {
    take(first, last);
  }
  if (!exact) {
    for (uint64_t edge : {blo, bhi}) {
      auto it = values_.find(edge);
      if (it != values_.end() && (v.edges.empty() || v.edges.back() != &it->second)) {
        v.edges.push_back(&it->second);
        v.edge_buckets.push_back(edge);
      }
    }
  }
  return v;
}

AUDIENCE_FUNC BitSlicedIndex::Way BitSlicedIndex::ChooseWayPerChunk(uint64_t lo, uint64_t hi,
                                                                    const ValueParts& v) const {
  // The same unit costs as ChooseWay, per chunk of not_null: the walk
  // reads its slices; the value layer ORs the buckets' containers into one
  // buffer (1 ns per id, but at most a 1024-word pass, 600 ns, per
  // container; a complement is one more pass, no extra set) and resolves
  // an edge bucket's people one by one, reading only their slice words.
  uint64_t l = lo, h = hi;
  if (!ClampToSlices(&l, &h)) return Way::kValues;
  const uint64_t read = slices_.size() - dense::SliceRangeBottom(slices_.size(), l, h);
  const uint64_t chunks = not_null_.ChunkCount();
  const uint64_t slices_cost = chunks * (read * 560 + 1000);
  uint64_t values_cost = chunks * 1000;
  for (const Bitmap* p : v.parts) {
    values_cost += std::min<uint64_t>(p->Cardinality(), p->ChunkCount() * 600) + p->ChunkCount() * 100;
  }
  for (const Bitmap* e : v.edges) values_cost += e->Cardinality() * read * 2 + e->ChunkCount() * 500;
  return Cheapest(slices_cost, values_cost, BinsCost(lo, hi, chunks));
}

AUDIENCE_FUNC uint64_t BitSlicedIndex::ValuesBetween(uint64_t lo, uint64_t hi,
                                                     const Bitmap* within, Bitmap* out) const {
  if (lo > hi) {
    if (out != nullptr) out->Clear();
    return 0;
  }
  auto [parts, edges, edge_buckets, complement] = ValuePartsOf(lo, hi);
  // A count builds nothing: buckets are disjoint, so their sizes add up
  // (complemented: they are subtracted from everyone, edges included), and
  // only the edge buckets are walked. Over everyone that is always cheapest
  // (`orders = 0` over 10M people: 0.73 ms building the set, now a few us);
  // within a scope, while there are at most two buckets to intersect.
  const auto count_by_sizes = [&, &parts = parts, &edges = edges, &buckets = edge_buckets,
                               complement = complement] {
    uint64_t n = 0;
    for (const Bitmap* p : parts) {
      n += within == nullptr ? p->Cardinality() : p->AndCardinality(*within);
    }
    if (complement) {
      n = (within == nullptr ? not_null_.Cardinality() : not_null_.AndCardinality(*within)) - n;
    }
    for (size_t i = 0; i < edges.size(); ++i) {
      if (within == nullptr) {
        n += SlicesBetween(lo, hi, edges[i], nullptr, buckets[i]);
      } else {
        const Bitmap scope = *edges[i] & *within;
        n += SlicesBetween(lo, hi, &scope, nullptr, buckets[i]);
      }
    }
    return n;
  };
  if (out == nullptr && within == nullptr) return count_by_sizes();
  const Way way = ChooseWay(lo, hi, parts, complement, edges.size(), within);
  if (way == Way::kSlices) return SlicesBetween(lo, hi, within, out);
  if (way == Way::kBins) return BinsBetween(lo, hi, within, out);
  if (out == nullptr && parts.size() <= 2) return count_by_sizes();
  Bitmap result;
  // A tiny scope is intersected bucket by bucket; so is, through its id
  // range, a scope confined to a narrow id range (a first-K chunk), so that
  // the work stays within the containers of that range.
  const bool tiny = within != nullptr && within->Cardinality() * 256 < not_null_.Cardinality();
  const bool narrow =
      within != nullptr && !within->IsEmpty() && !tiny &&
      (uint64_t{within->Maximum()} - within->Minimum()) * 4 <
          uint64_t{not_null_.Maximum()} - not_null_.Minimum();
  if (tiny || narrow) {
    const Bitmap range =
        narrow ? Bitmap::FromRange(within->Minimum(), uint64_t{within->Maximum()} + 1) : Bitmap();
    const Bitmap& cut = narrow ? range : *within;
    std::vector<Bitmap> scoped;
    scoped.reserve(parts.size());
    for (const Bitmap* p : parts) scoped.push_back(*p & cut);
    std::vector<const Bitmap*> inputs;
    for (const Bitmap& b : scoped) inputs.push_back(&b);
    result = Bitmap::OrMany(inputs);
    if (complement) {
      result = (not_null_ & *within) - result;
    } else if (narrow) {
      result &= *within;
    }
  } else {
    result = Bitmap::OrMany(parts);
    if (within == nullptr) {
      if (complement) result = not_null_ - result;
    } else if (complement) {
      result = (not_null_ & *within) - result;
    } else {
      result &= *within;
    }
  }
  for (size_t i = 0; i < edges.size(); ++i) {
    Bitmap scope = within != nullptr ? *edges[i] & *within : *edges[i];
    if (scope.IsEmpty()) continue;
    Bitmap edge_result;
    SlicesBetween(lo, hi, &scope, &edge_result, edge_buckets[i]);
    result |= edge_result;
  }
  const uint64_t n = result.Cardinality();
  if (out != nullptr) *out = std::move(result);
  return n;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_VALUES_INL_H_
