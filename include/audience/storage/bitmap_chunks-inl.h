// Part of the Bitmap unit (included by bitmap-inl.h only): chunk access,
// the container-level view that dense kernels over several bitmaps use.
#ifndef AUDIENCE_STORAGE_BITMAP_CHUNKS_INL_H_
#define AUDIENCE_STORAGE_BITMAP_CHUNKS_INL_H_

#include <roaring/roaring.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "absl/types/span.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/bitmap_merge-inl.h"
#include "audience/storage/dense_kernels.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bitmap_internal {

// A new container holding the `card` set bits of `words`: a bitset above
// 4096 ids, else an array (the form CRoaring requires for that count).
inline void* ContainerFromWords(const uint64_t* words, size_t n, uint64_t card, uint8_t* type) {
  if (card > DEFAULT_MAX_SIZE) {
    auto* bits = static_cast<bitset_container_t*>(CheckedContainer(bitset_container_create()));
    std::memcpy(bits->array, words, n * sizeof(uint64_t));
    bits->cardinality = static_cast<int32_t>(card);
    *type = BITSET_CONTAINER_TYPE_CODE;
    return bits;
  }
  auto* ids = static_cast<array_container_t*>(
      CheckedContainer(array_container_create_given_capacity(static_cast<int32_t>(card))));
  dense::ExtractSetBits(words, n, ids->array);
  ids->cardinality = static_cast<int32_t>(card);
  *type = ARRAY_CONTAINER_TYPE_CODE;
  return ids;
}

// A new container holding the `n` strictly ascending ids of one chunk (only
// their low 16 bits are read), in the form CRoaring requires for that count.
inline void* ContainerFromSortedIds(const uint32_t* ids, size_t n, uint8_t* type) {
  if (n > DEFAULT_MAX_SIZE) {
    auto* bits = static_cast<bitset_container_t*>(CheckedContainer(bitset_container_create()));
    for (size_t k = 0; k < n; ++k) {
      bits->array[(ids[k] & 0xFFFF) >> 6] |= uint64_t{1} << (ids[k] & 63);
    }
    bits->cardinality = static_cast<int32_t>(n);
    *type = BITSET_CONTAINER_TYPE_CODE;
    return bits;
  }
  auto* a = static_cast<array_container_t*>(
      CheckedContainer(array_container_create_given_capacity(static_cast<int32_t>(n))));
  for (size_t k = 0; k < n; ++k) a->array[k] = static_cast<uint16_t>(ids[k]);
  a->cardinality = static_cast<int32_t>(n);
  *type = ARRAY_CONTAINER_TYPE_CODE;
  return a;
}

// Adds the ids of container `c` (of `type`, unwrapped) to `words`.
inline void OrInto(const void* c, uint8_t type, uint64_t* words) {
  if (type == BITSET_CONTAINER_TYPE_CODE) {
    dense::Or(words, static_cast<const bitset_container_t*>(c)->array, words, kBitsetWords);
  } else if (type == ARRAY_CONTAINER_TYPE_CODE) {
    const auto* a = static_cast<const array_container_t*>(c);
    dense::SetBits(a->array, static_cast<size_t>(a->cardinality), words);
  } else {
    const auto* r = static_cast<const run_container_t*>(c);
    for (int32_t k = 0; k < r->n_runs; ++k) {
      bitset_set_lenrange(words, r->runs[k].value, r->runs[k].length);
    }
  }
}

// Union of a few bitmaps walked chunk by chunk: a chunk only one input has
// is copied; the others are OR-ed into one word buffer (bitsets with our
// dense kernel) and counted once. Beyond kMaxMergeInputs inputs, the linear
// search for the next key would dominate; OrMany uses CRoaring's there.
inline constexpr size_t kMaxMergeInputs = 16;

inline roaring_bitmap_t* UnionMany(absl::Span<const roaring_bitmap_t* const> in) {
  roaring_bitmap_t* r = roaring_bitmap_create();
  if (r == nullptr) std::abort();
  size_t at[kMaxMergeInputs] = {};
  size_t with[kMaxMergeInputs];
  while (true) {
    int32_t key = -1;
    size_t n = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      const roaring_array_t& ra = in[i]->high_low_container;
      if (at[i] >= static_cast<size_t>(ra.size)) continue;
      const int32_t k = ra.keys[at[i]];
      if (key < 0 || k < key) {
        key = k;
        n = 0;
      }
      if (k == key) with[n++] = i;
    }
    if (key < 0) break;
    if (n == 1) {
      AppendClone(&r->high_low_container, in[with[0]]->high_low_container,
                  static_cast<int32_t>(at[with[0]]++));
      continue;
    }
    // The result starts as a copy of a bitset contributor when there is one
    // (no zeroing), else empty.
    const void* parts[kMaxMergeInputs];
    uint8_t types[kMaxMergeInputs];
    size_t seed = n;
    for (size_t j = 0; j < n; ++j) {
      const roaring_array_t& ra = in[with[j]]->high_low_container;
      const size_t c = at[with[j]]++;
      types[j] = ra.typecodes[c];
      parts[j] = container_unwrap_shared(ra.containers[c], &types[j]);
      if (seed == n && types[j] == BITSET_CONTAINER_TYPE_CODE) seed = j;
    }
    auto* out = static_cast<bitset_container_t*>(CheckedContainer(
        seed < n ? bitset_container_clone(static_cast<const bitset_container_t*>(parts[seed]))
                 : bitset_container_create()));
    for (size_t j = 0; j < n; ++j) {
      if (j != seed) OrInto(parts[j], types[j], out->array);
    }
    uint8_t type = 0;
    void* c = Settle(out, dense::Popcount(out->array, kBitsetWords), &type);
    ra_append(&r->high_low_container, static_cast<uint16_t>(key), c, type);
  }
  return r;
}

}  // namespace bitmap_internal

AUDIENCE_FUNC size_t Bitmap::ChunkCount() const {
  return r_ == nullptr ? 0 : static_cast<size_t>(r_->high_low_container.size);
}

AUDIENCE_FUNC uint32_t Bitmap::ChunkKey(size_t index) const {
  assert(index < ChunkCount());
  return r_->high_low_container.keys[index];
}

AUDIENCE_FUNC uint64_t Bitmap::ChunkCardinality(size_t index) const {
  assert(index < ChunkCount());
  const roaring_array_t& ra = r_->high_low_container;
  return static_cast<uint64_t>(
      container_get_cardinality(ra.containers[index], ra.typecodes[index]));
}

AUDIENCE_FUNC size_t Bitmap::SeekChunk(uint32_t key, size_t from) const {
  const size_t n = ChunkCount();
  if (from >= n) return n;
  const uint16_t* keys = r_->high_low_container.keys;
  if (key > UINT16_MAX) return n;
  // Galloping: most callers advance by a chunk or two.
  size_t step = 1, lo = from, hi = from;
  while (hi < n && keys[hi] < key) {
    lo = hi + 1;
    hi = std::min(n, hi + step);
    step *= 2;
  }
  return static_cast<size_t>(std::lower_bound(keys + lo, keys + hi, key) - keys);
}

AUDIENCE_FUNC const uint64_t* Bitmap::ChunkWords(size_t index, uint64_t* scratch) const {
  assert(index < ChunkCount());
  const roaring_array_t& ra = r_->high_low_container;
  uint8_t type = ra.typecodes[index];
  const void* c = container_unwrap_shared(ra.containers[index], &type);
  if (type == BITSET_CONTAINER_TYPE_CODE) return static_cast<const bitset_container_t*>(c)->array;
  if (type == RUN_CONTAINER_TYPE_CODE) {
    const auto* r = static_cast<const run_container_t*>(c);
    if (r->n_runs == 1 && r->runs[0].value == 0 && r->runs[0].length == UINT16_MAX) {
      return dense::kOnesChunk.data();
    }
  }
  std::memset(scratch, 0, kChunkWords * sizeof(uint64_t));
  bitmap_internal::OrInto(c, type, scratch);
  return scratch;
}

AUDIENCE_FUNC uint64_t Bitmap::AndChunk(size_t index, const uint64_t* mask,
                                        uint64_t* out) const {
  assert(index < ChunkCount());
  assert(out != mask);
  const roaring_array_t& ra = r_->high_low_container;
  uint8_t type = ra.typecodes[index];
  const void* c = container_unwrap_shared(ra.containers[index], &type);
  if (type == BITSET_CONTAINER_TYPE_CODE) {
    const uint64_t* bits = static_cast<const bitset_container_t*>(c)->array;
    return out != nullptr ? dense::And(mask, bits, out, kChunkWords)
                          : dense::AndCount(mask, bits, kChunkWords);
  }
  if (out != nullptr) std::memset(out, 0, kChunkWords * sizeof(uint64_t));
  uint64_t n = 0;
  if (type == ARRAY_CONTAINER_TYPE_CODE) {
    const auto* a = static_cast<const array_container_t*>(c);
    for (int32_t k = 0; k < a->cardinality; ++k) {
      const uint16_t id = a->array[k];
      const uint64_t bit = mask[id >> 6] & (uint64_t{1} << (id & 63));
      n += bit != 0 ? 1 : 0;
      if (out != nullptr) out[id >> 6] |= bit;
    }
    return n;
  }
  // Runs: the mask's words over each run, the edge words cut to the run.
  const auto* r = static_cast<const run_container_t*>(c);
  for (int32_t k = 0; k < r->n_runs; ++k) {
    const uint32_t first = r->runs[k].value;
    const uint32_t last = first + r->runs[k].length;  // inclusive
    for (uint32_t w = first >> 6; w <= last >> 6; ++w) {
      uint64_t keep = ~uint64_t{0};
      if (w == first >> 6) keep &= ~uint64_t{0} << (first & 63);
      if (w == last >> 6) keep &= ~uint64_t{0} >> (63 - (last & 63));
      const uint64_t bits = mask[w] & keep;
      n += static_cast<uint64_t>(std::popcount(bits));
      if (out != nullptr) out[w] |= bits;
    }
  }
  return n;
}

AUDIENCE_FUNC void Bitmap::OrChunkInto(size_t index, uint64_t* words) const {
  assert(index < ChunkCount());
  const roaring_array_t& ra = r_->high_low_container;
  uint8_t type = ra.typecodes[index];
  bitmap_internal::OrInto(container_unwrap_shared(ra.containers[index], &type), type, words);
}

AUDIENCE_FUNC const uint64_t* Bitmap::UnionChunk(absl::Span<const Bitmap* const> sets,
                                                absl::Span<size_t> at, uint32_t key,
                                                uint64_t* buf) {
  assert(at.size() == sets.size());
  const uint64_t* acc = nullptr;  // a stored bitset's words, or buf
  for (size_t i = 0; i < sets.size(); ++i) {
    const Bitmap& b = *sets[i];
    at[i] = b.SeekChunk(key, at[i]);
    if (at[i] == b.ChunkCount() || b.ChunkKey(at[i]) != key) continue;
    const roaring_array_t& ra = b.r_->high_low_container;
    uint8_t type = ra.typecodes[at[i]];
    const void* c = container_unwrap_shared(ra.containers[at[i]], &type);
    const uint64_t* bits = type == BITSET_CONTAINER_TYPE_CODE
                               ? static_cast<const bitset_container_t*>(c)->array
                               : nullptr;
    if (acc == nullptr) {
      if (bits != nullptr) {
        acc = bits;
        continue;
      }
      std::memset(buf, 0, kChunkWords * sizeof(uint64_t));
      acc = buf;
    } else if (acc != buf) {  // two stored bitsets: one pass, no zeroing
      if (bits != nullptr) {
        dense::Or(acc, bits, buf, kChunkWords);
        acc = buf;
        continue;
      }
      std::memcpy(buf, acc, kChunkWords * sizeof(uint64_t));
      acc = buf;
    }
    bitmap_internal::OrInto(c, type, buf);
  }
  return acc;
}

AUDIENCE_FUNC void Bitmap::AppendChunk(uint32_t key, const uint64_t* words, uint64_t cardinality) {
  assert(key <= UINT16_MAX);
  assert(cardinality == dense::Popcount(words, kChunkWords));
  if (cardinality == 0 || key > UINT16_MAX) return;
  const size_t n = ChunkCount();
  if (n > 0 && r_->high_low_container.keys[n - 1] >= key) {
    // Out of order: a programmer error, answered correctly but slowly.
    assert(false && "AppendChunk keys must ascend");
    Bitmap part;
    part.AppendChunk(key, words, cardinality);
    *this |= part;
    return;
  }
  uint8_t type = 0;
  void* c = bitmap_internal::ContainerFromWords(words, kChunkWords, cardinality, &type);
  ra_append(&Mutable()->high_low_container, static_cast<uint16_t>(key), c, type);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BITMAP_CHUNKS_INL_H_
