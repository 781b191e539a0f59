// Definitions for sorted_bins.h.
#ifndef AUDIENCE_STORAGE_SORTED_BINS_INL_H_
#define AUDIENCE_STORAGE_SORTED_BINS_INL_H_

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <utility>

#include "audience/storage/sorted_bins.h"

AUDIENCE_BEGIN_NAMESPACE

namespace sorted_bins_internal {

// Sorts words of (offset << 16 | id) whose offsets have at most `key_bits`
// bits by offset, stably (ids in ascending order stay so among equal
// offsets): least significant digit first, 11 bits a pass, as many passes
// as the offsets need. `tmp` is scratch.
inline void RadixSortByKey(std::vector<uint64_t>* words, std::vector<uint64_t>* tmp,
                           int key_bits) {
  constexpr int kDigit = 11;
  constexpr size_t kBuckets = size_t{1} << kDigit;
  tmp->resize(words->size());
  std::vector<uint32_t> count(kBuckets);
  for (int shift = 16; shift < 16 + key_bits; shift += kDigit) {
    std::fill(count.begin(), count.end(), 0u);
    for (uint64_t w : *words) ++count[(w >> shift) & (kBuckets - 1)];
    uint32_t sum = 0;
    for (uint32_t& c : count) sum += std::exchange(c, sum);
    for (uint64_t w : *words) (*tmp)[count[(w >> shift) & (kBuckets - 1)]++] = w;
    words->swap(*tmp);
  }
}

}  // namespace sorted_bins_internal

AUDIENCE_FUNC std::optional<SortedBins> SortedBins::Build(absl::Span<const uint32_t> ids,
                                                          absl::Span<const uint64_t> keys) {
  assert(ids.size() == keys.size());
  if (ids.empty()) return std::nullopt;
  const auto [min_it, max_it] = std::minmax_element(keys.begin(), keys.end());
  if (*max_it - *min_it > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  SortedBins b;
  b.base_ = *min_it;
  // Bounds: quantiles of an evenly strided sample; equal quantiles (many
  // equal keys) make fewer bins.
  const size_t stride = std::max<size_t>(1, keys.size() / kSample);
  std::vector<uint32_t> sample;
  for (size_t k = 0; k < keys.size(); k += stride) {
    sample.push_back(static_cast<uint32_t>(keys[k] - b.base_));
  }
  std::sort(sample.begin(), sample.end());
  b.lower_.push_back(0);
  for (size_t j = 1; j < kMaxBins; ++j) {
    const uint32_t q = sample[j * sample.size() / kMaxBins];
    if (q > b.lower_.back()) b.lower_.push_back(q);
  }
  const size_t bins = b.lower_.size();
  b.below_.resize(bins);
  b.sizes_.assign(bins, 0);
  // Chunk by chunk: the persons sorted by (offset, id), packed in one word
  // each; a bin is then a stretch of that order, cut where each bin's lowest
  // offset starts. The cumulative bitmaps get one chunk each, the union of
  // the bins before.
  constexpr size_t kWords = Bitmap::kChunkWords;
  std::vector<uint64_t> packed, sorted;
  std::vector<uint64_t> acc(kWords);
  const int key_bits = static_cast<int>(std::bit_width(*max_it - *min_it));
  for (size_t begin = 0; begin < ids.size();) {
    const uint32_t chunk = ids[begin] >> 16;
    size_t end = begin;
    while (end < ids.size() && (ids[end] >> 16) == chunk) ++end;
    packed.clear();
    for (size_t k = begin; k < end; ++k) {
      packed.push_back((keys[k] - b.base_) << 16 | (ids[k] & 0xFFFF));
    }
    sorted_bins_internal::RadixSortByKey(&packed, &sorted, key_bits);
    Chunk c{chunk, std::vector<Run>(bins)};
    std::fill(acc.begin(), acc.end(), uint64_t{0});
    size_t at = 0;
    for (size_t j = 0; j < bins; ++j) {
      if (j > 0 && at > 0) b.below_[j].AppendChunk(chunk, acc.data(), at);
      size_t stop = packed.size();
      if (j + 1 < bins) {
        const uint64_t next = uint64_t{b.lower_[j + 1]} << 16;
        const auto from = packed.begin() + static_cast<std::ptrdiff_t>(at);
        stop = static_cast<size_t>(std::lower_bound(from, packed.end(), next) - packed.begin());
      }
      Run& run = c.runs[j];
      run.keys.resize(stop - at);
      run.ids.resize(stop - at);
      for (size_t k = at; k < stop; ++k) {
        const auto low = static_cast<uint16_t>(packed[k] & 0xFFFF);
        run.keys[k - at] = static_cast<uint32_t>(packed[k] >> 16);
        run.ids[k - at] = low;
        acc[low >> 6] |= uint64_t{1} << (low & 63);
      }
      b.sizes_[j] += stop - at;
      at = stop;
    }
    b.chunks_.push_back(std::move(c));
    begin = end;
  }
  return b;
}

AUDIENCE_FUNC size_t SortedBins::BinOf(uint32_t offset) const {
  return static_cast<size_t>(std::upper_bound(lower_.begin(), lower_.end(), offset) -
                             lower_.begin()) - 1;
}

AUDIENCE_FUNC bool SortedBins::Erase(Run& run, uint32_t offset, uint16_t low) {
  // Equal keys sit together; among them the person is found by its id.
  auto k = std::lower_bound(run.keys.begin(), run.keys.end(), offset) - run.keys.begin();
  while (static_cast<size_t>(k) < run.ids.size() && run.keys[static_cast<size_t>(k)] == offset &&
         run.ids[static_cast<size_t>(k)] != low) {
    ++k;
  }
  if (static_cast<size_t>(k) == run.ids.size() || run.keys[static_cast<size_t>(k)] != offset) {
    return false;
  }
  run.keys.erase(run.keys.begin() + k);
  run.ids.erase(run.ids.begin() + k);
  return true;
}

AUDIENCE_FUNC SortedBins::Chunk& SortedBins::ChunkFor(uint32_t key) {
  auto it = std::lower_bound(chunks_.begin(), chunks_.end(), key,
                             [](const Chunk& c, uint32_t k) { return c.key < k; });
  if (it == chunks_.end() || it->key != key) {
    it = chunks_.insert(it, Chunk{key, std::vector<Run>(lower_.size())});
  }
  return *it;
}

AUDIENCE_FUNC void SortedBins::MoveBelow(PersonId person, size_t from, size_t to) {
  // The person is in below_[j] exactly for the bins j above its own.
  const size_t last = lower_.size() - 1;
  for (size_t j = to + 1; j <= std::min(from, last); ++j) below_[j].Add(person);
  for (size_t j = from + 1; j <= std::min(to, last); ++j) below_[j].Remove(person);
}

AUDIENCE_FUNC bool SortedBins::Set(PersonId person, std::optional<uint64_t> old_key,
                                   uint64_t key) {
  if (key < base_ || key - base_ > std::numeric_limits<uint32_t>::max()) return false;
  const auto offset = static_cast<uint32_t>(key - base_);
  const auto low = static_cast<uint16_t>(person & 0xFFFF);
  Chunk& c = ChunkFor(person >> 16);
  size_t from = lower_.size();
  if (old_key) {
    const auto old_offset = static_cast<uint32_t>(*old_key - base_);
    from = BinOf(old_offset);
    [[maybe_unused]] const bool held = Erase(c.runs[from], old_offset, low);
    assert(held);
    --sizes_[from];
  }
  const size_t to = BinOf(offset);
  Run& run = c.runs[to];
  const auto k = std::upper_bound(run.keys.begin(), run.keys.end(), offset) - run.keys.begin();
  run.keys.insert(run.keys.begin() + k, offset);
  run.ids.insert(run.ids.begin() + k, low);
  ++sizes_[to];
  MoveBelow(person, from, to);
  return true;
}

AUDIENCE_FUNC void SortedBins::Clear(PersonId person, uint64_t old_key) {
  const auto old_offset = static_cast<uint32_t>(old_key - base_);
  const auto low = static_cast<uint16_t>(person & 0xFFFF);
  const size_t from = BinOf(old_offset);
  if (!Erase(ChunkFor(person >> 16).runs[from], old_offset, low)) return;  // not held
  --sizes_[from];
  MoveBelow(person, from, lower_.size());
}

AUDIENCE_FUNC uint64_t SortedBins::size() const {
  uint64_t n = 0;
  for (uint64_t s : sizes_) n += s;
  return n;
}

AUDIENCE_FUNC bool SortedBins::Skewed() const {
  const uint64_t share = size() / lower_.size();
  for (uint64_t s : sizes_) {
    if (s > 2 * share + (uint64_t{1} << 16)) return true;
  }
  return false;
}

AUDIENCE_FUNC uint64_t SortedBins::EditsPerChunk() const {
  // The shorter side of the cut run: a quarter of a run on average.
  return chunks_.empty() ? 0 : size() / (lower_.size() * chunks_.size() * 4);
}

AUDIENCE_FUNC size_t SortedBins::MemoryBytes() const {
  size_t bytes = lower_.capacity() * sizeof(uint32_t) + sizes_.capacity() * sizeof(uint64_t) +
                 below_.capacity() * sizeof(Bitmap) + chunks_.capacity() * sizeof(Chunk);
  for (const Bitmap& b : below_) bytes += b.MemoryBytes();
  for (const Chunk& c : chunks_) {
    bytes += c.runs.capacity() * sizeof(Run);
    for (const Run& run : c.runs) {
      bytes += run.keys.capacity() * sizeof(uint32_t) + run.ids.capacity() * sizeof(uint16_t);
    }
  }
  return bytes;
}

AUDIENCE_FUNC void SortedBins::Below(uint64_t t, uint32_t chunk_key, const uint64_t* everyone,
                                     uint64_t* out, uint64_t* scratch, Cursor* at) const {
  constexpr size_t kWords = Bitmap::kChunkWords;
  constexpr size_t kBytes = kWords * sizeof(uint64_t);
  if (t <= base_) {
    std::memset(out, 0, kBytes);
    return;
  }
  if (t - base_ > std::numeric_limits<uint32_t>::max()) {  // above every key held
    std::memcpy(out, everyone, kBytes);
    return;
  }
  const auto offset = static_cast<uint32_t>(t - base_);
  const size_t j = BinOf(offset);
  while (at->chunk < chunks_.size() && chunks_[at->chunk].key < chunk_key) ++at->chunk;
  const Run* run = at->chunk < chunks_.size() && chunks_[at->chunk].key == chunk_key
                       ? &chunks_[at->chunk].runs[j]
                       : nullptr;
  const size_t size = run != nullptr ? run->keys.size() : 0;
  const size_t cut =
      run != nullptr ? static_cast<size_t>(std::lower_bound(run->keys.begin(), run->keys.end(),
                                                            offset) - run->keys.begin())
                     : 0;
  // Copies chunk `chunk_key` of below(b) into out; below(bin_count()) is
  // `everyone`.
  auto copy_below = [&](size_t b, size_t* cursor) {
    if (b == lower_.size()) {
      std::memcpy(out, everyone, kBytes);
      return;
    }
    const Bitmap& bits = below_[b];
    *cursor = bits.SeekChunk(chunk_key, *cursor);
    if (*cursor == bits.ChunkCount() || bits.ChunkKey(*cursor) != chunk_key) {
      std::memset(out, 0, kBytes);
      return;
    }
    const uint64_t* words = bits.ChunkWords(*cursor, scratch);
    std::memcpy(out, words, kBytes);
  };
  if (cut <= size - cut) {  // below(j) and the run's persons before the cut
    copy_below(j, &at->low);
    for (size_t k = 0; k < cut; ++k) {
      out[run->ids[k] >> 6] |= uint64_t{1} << (run->ids[k] & 63);
    }
  } else {  // below(j + 1) without the run's persons from the cut on
    copy_below(j + 1, &at->high);
    for (size_t k = cut; k < size; ++k) {
      out[run->ids[k] >> 6] &= ~(uint64_t{1} << (run->ids[k] & 63));
    }
  }
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_SORTED_BINS_INL_H_
