// SortedBins: the binned layer of BitSlicedIndex for keys with many
// distinct values (timestamps), where a bound such as `last_active_at <
// now - 30d` is answered by one cumulative bitmap and a few hundred
// persons per chunk instead of a walk down the slices.
//
//   std::optional<SortedBins> bins = SortedBins::Build(ids, keys);  // ids ascending
//   SortedBins::Cursor at;
//   bins->Below(t, chunk, everyone_words, out_words, scratch, &at);  // key < t
//
// Layout. The keys' range is cut into at most kMaxBins bins of about equal
// population (bounds from a sample of the keys at Build). below(j) is the
// bitmap of persons in bins 0..j-1, i.e. with a key below bin j's lowest key
// (range encoding; Chan and Ioannidis 1998). For every chunk of 2^16 ids and
// every bin, the persons of that bin in that chunk are kept sorted by key
// (16-bit ids, keys as 32-bit offsets from base()): the bins' members
// clustered in key order, as FastBit's OrBiC does (Wu, Stockinger and
// Shoshani 2008), so the check of the one bin a bound cuts is a binary
// search and a run of bit edits, not a read of keys person by person.
//
// Below(t) over one chunk: j = the bin of t; its persons below t are a
// prefix of the chunk's sorted run, so Below(t) = below(j) plus that
// prefix, or below(j + 1) minus the rest of the run when the rest is
// shorter (at most half a run, ~2k edits per chunk with 16 bins). A range
// [lo, hi] is Below(hi + 1) and not Below(lo). Costs per chunk: one
// cumulative chunk read and the edits, against the ~10 slice lines per 512
// persons a walk reads for a bound near recent timestamps.
//
// Keys must lie within base() .. base() + 2^32 - 1 (136 years of seconds
// from the smallest key at Build): Build declines a wider set, Set refuses a
// key outside and changes nothing, and the owner drops the layer. Memory:
// 6 bytes a person for the runs plus at most one bit per person and bin.
// Not thread-safe for mutation; concurrent const use is safe.
#ifndef AUDIENCE_STORAGE_SORTED_BINS_H_
#define AUDIENCE_STORAGE_SORTED_BINS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class SortedBins {
 public:
  static constexpr size_t kMaxBins = 16;
  // Keys a sample of at most this many picks the bin bounds from.
  static constexpr size_t kSample = 4096;

  // From persons in ascending id order and their keys; nullopt when there
  // are none or their keys span 2^32 or more.
  static std::optional<SortedBins> Build(absl::Span<const uint32_t> ids,
                                         absl::Span<const uint64_t> keys);

  // Sets `person`'s key (its old key, if it had one, is `old_key`); false,
  // and nothing changed, when `key` is outside base() .. base() + 2^32 - 1.
  bool Set(PersonId person, std::optional<uint64_t> old_key, uint64_t key);
  void Clear(PersonId person, uint64_t old_key);

  // Whether updates have piled persons into one bin (more than twice its
  // share and a chunk's worth): time to Build again.
  bool Skewed() const;

  uint64_t base() const { return base_; }
  size_t bin_count() const { return lower_.size(); }
  // Persons held.
  uint64_t size() const;
  // Persons a Below call edits on average per chunk (half a bin's run, at
  // most): the cost model's input.
  uint64_t EditsPerChunk() const;
  size_t ChunkCount() const { return chunks_.size(); }
  size_t MemoryBytes() const;

  // Where Below has got to, for one bound (chunk keys ascend from call to
  // call): in the chunk list and in the two cumulative bitmaps it may read.
  struct Cursor {
    size_t chunk = 0, low = 0, high = 0;
  };
  // Writes to `out` (kChunkWords words) the persons of chunk `chunk_key`
  // with a key below `t`. `everyone` holds the chunk's persons with a key
  // (below(bin_count()) is not stored); `scratch` is kChunkWords words.
  void Below(uint64_t t, uint32_t chunk_key, const uint64_t* everyone, uint64_t* out,
             uint64_t* scratch, Cursor* at) const;

 private:
  // The persons of one bin in one chunk, in key order.
  struct Run {
    std::vector<uint32_t> keys;  // offsets from base_
    std::vector<uint16_t> ids;   // low 16 bits of the person id
  };
  struct Chunk {
    uint32_t key = 0;
    std::vector<Run> runs;  // one per bin
  };

  size_t BinOf(uint32_t offset) const;
  // Removes the person with id low bits `low` and key `offset` from `run`;
  // false when it is not there.
  static bool Erase(Run& run, uint32_t offset, uint16_t low);
  // The chunk of `key`, created (empty runs) when absent.
  Chunk& ChunkFor(uint32_t key);
  // Moves `person` from bin `from` to bin `to` in the cumulative bitmaps;
  // bin_count() stands for "not held".
  void MoveBelow(PersonId person, size_t from, size_t to);

  uint64_t base_ = 0;
  std::vector<uint32_t> lower_;   // lower_[j]: bin j's lowest offset; lower_[0] == 0
  std::vector<Bitmap> below_;     // below_[j]: persons in bins < j (below_[0] empty)
  std::vector<uint64_t> sizes_;   // persons per bin
  std::vector<Chunk> chunks_;     // ascending keys
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/sorted_bins-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_SORTED_BINS_H_
