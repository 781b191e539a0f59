// Bitmap: the one seam between audience and its bitmap kernels.
//
// Every set of internal person ids (tag values, enum values, range-index
// slices, event buckets, query results) is a Bitmap. Nothing else in the
// library includes <roaring/roaring.h>, so the kernels behind this class can
// change (a host-tuned CRoaring build, our own dense kernels with runtime CPU
// dispatch) without touching the storage or query layers.
//
//   Bitmap women = Bitmap::Of({1, 5, 9});
//   Bitmap fashion = Bitmap::FromRange(0, 6);
//   uint64_t n = women.AndCardinality(fashion);   // 2
//   women &= fashion;                              // {1, 5}
//   women.ForEach([](uint32_t id) { ... });        // ascending ids
//
// An empty Bitmap owns no memory; copying deep-copies; moving is O(1).
// Not thread-safe for concurrent mutation; concurrent const use is safe.
// Allocation failure inside CRoaring is treated as fatal (as std::bad_alloc
// would be) and never crosses the API as an exception.
#ifndef AUDIENCE_STORAGE_BITMAP_H_
#define AUDIENCE_STORAGE_BITMAP_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"

struct roaring_bitmap_s;

AUDIENCE_BEGIN_NAMESPACE

class Bitmap {
 public:
  Bitmap() = default;
  Bitmap(const Bitmap& other);
  Bitmap(Bitmap&& other) noexcept : r_(std::exchange(other.r_, nullptr)) {}
  Bitmap& operator=(const Bitmap& other);
  Bitmap& operator=(Bitmap&& other) noexcept;
  ~Bitmap();

  static Bitmap Of(std::initializer_list<uint32_t> ids);
  // Ids need not be sorted or unique.
  static Bitmap FromIds(absl::Span<const uint32_t> ids);
  // The ids whose bits are set in `words`: bit b of words[k] is id 64k + b.
  // The fastest way to build a dense bitmap. At most 2^26 words.
  static Bitmap FromWords(absl::Span<const uint64_t> words);
  // [begin, end); end may be 2^32.
  static Bitmap FromRange(uint64_t begin, uint64_t end);

  void Add(uint32_t id);
  // Returns true when `id` was not present before.
  bool AddChecked(uint32_t id);
  void AddMany(absl::Span<const uint32_t> ids);
  void AddRange(uint64_t begin, uint64_t end);
  void Remove(uint32_t id);
  // Returns true when `id` was present.
  bool RemoveChecked(uint32_t id);
  void RemoveRange(uint64_t begin, uint64_t end);
  void Clear();

  bool Contains(uint32_t id) const;
  uint64_t Cardinality() const;
  bool IsEmpty() const;
  // Undefined on an empty bitmap (asserted in debug builds).
  uint32_t Minimum() const;
  uint32_t Maximum() const;
  // Number of ids <= `id`.
  uint64_t Rank(uint32_t id) const;
  // The id at 0-based `rank`; false when rank >= Cardinality().
  bool Select(uint64_t rank, uint32_t* id) const;

  Bitmap& operator&=(const Bitmap& other);
  Bitmap& operator|=(const Bitmap& other);
  Bitmap& operator-=(const Bitmap& other);  // and-not
  Bitmap& operator^=(const Bitmap& other);
  friend Bitmap operator&(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator|(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator-(const Bitmap& a, const Bitmap& b);
  friend Bitmap operator^(const Bitmap& a, const Bitmap& b);
  friend bool operator==(const Bitmap& a, const Bitmap& b);

  // Cardinality-only kernels: no result bitmap is materialised.
  uint64_t AndCardinality(const Bitmap& other) const;
  uint64_t OrCardinality(const Bitmap& other) const;
  uint64_t AndNotCardinality(const Bitmap& other) const;
  bool Intersects(const Bitmap& other) const;
  bool IsSubsetOf(const Bitmap& other) const;

  // Union of many bitmaps in one pass; null pointers are skipped.
  static Bitmap OrMany(absl::Span<const Bitmap* const> inputs);

  // Chunk access, for kernels that read several bitmaps in lockstep (the
  // range index's dense walk). Ids are grouped in chunks of 2^16: chunk
  // `key` holds [key * 2^16, (key + 1) * 2^16) as kChunkWords words, bit b
  // of word w being id key * 2^16 + 64w + b. Chunks are numbered
  // 0..ChunkCount()-1 in ascending key order; numbers and pointers stay
  // valid until the bitmap changes.
  static constexpr size_t kChunkWords = 1024;
  size_t ChunkCount() const;
  uint32_t ChunkKey(size_t index) const;
  uint64_t ChunkCardinality(size_t index) const;
  // The number of the first chunk at or after `from` whose key is >= key
  // (ChunkCount() when none). O(log) in the chunks skipped.
  size_t SeekChunk(uint32_t key, size_t from) const;
  // The words of chunk `index`: the stored words when the chunk is kept as
  // a bitset (no copy), the shared all-ones words for a full chunk, else
  // `scratch` (kChunkWords words) filled from it.
  const uint64_t* ChunkWords(size_t index, uint64_t* scratch) const;
  // out = mask & chunk `index`, returning |out|; with `out` null it only
  // counts. An array or run chunk is read id by id or run by run, never
  // expanded. `out` (kChunkWords words) must not alias `mask`.
  uint64_t AndChunk(size_t index, const uint64_t* mask, uint64_t* out) const;
  // words |= chunk `index`.
  void OrChunkInto(size_t index, uint64_t* words) const;
  // The union of chunk `key` of every bitmap in `sets`: a stored bitset's
  // own words when only one has the chunk as a bitset, else `buf`
  // (kChunkWords words) filled with it; null when none has the chunk.
  // at[i] is sets[i]'s chunk cursor (SeekChunk): keys must not descend
  // from call to call.
  static const uint64_t* UnionChunk(absl::Span<const Bitmap* const> sets, absl::Span<size_t> at,
                                    uint32_t key, uint64_t* buf);
  // Appends the set bits of `words` (kChunkWords of them) as chunk `key`;
  // `cardinality` must be their number (nothing is appended when 0). Keys
  // must be appended in ascending order, each above every key present;
  // a key out of order is merged (slowly) instead.
  void AppendChunk(uint32_t key, const uint64_t* words, uint64_t cardinality);

  // Calls f(uint32_t) for each id in ascending order. If f returns bool,
  // iteration stops at the first false.
  template <typename F>
  void ForEach(F&& f) const;
  std::vector<uint32_t> ToVector() const;
  // Up to `limit` ids >= `from`, ascending, appended to `out`.
  void CollectFrom(uint32_t from, size_t limit, std::vector<uint32_t>* out) const;

  // Compresses runs; call after bulk building.
  void Optimize();
  // Frees unused capacity but keeps every container's kind: for bitmaps
  // read as words (range slices), where a run container would be spread
  // into words again on every read.
  void ShrinkToFit();
  // Heap bytes held (containers plus bookkeeping), for memory accounting.
  size_t MemoryBytes() const;

  // Portable format (the CRoaring spec, interoperable with Java/Go roaring).
  size_t SerializedSize() const;
  // Writes exactly SerializedSize() bytes to `out`.
  void Serialize(char* out) const;
  void AppendSerialized(std::string* out) const;
  // Never reads past data + size; returns InvalidArgument on a malformed or
  // truncated buffer. `*consumed` receives the bytes used.
  static absl::StatusOr<Bitmap> Deserialize(const char* data, size_t size,
                                            size_t* consumed = nullptr);

  std::string DebugString(size_t max_ids = 16) const;

 private:
  roaring_bitmap_s* Mutable();

  roaring_bitmap_s* r_ = nullptr;  // null means empty
};

template <typename F>
void Bitmap::ForEach(F&& f) const {
  if (r_ == nullptr) return;
  std::vector<uint32_t> buf;
  buf.reserve(256);
  uint32_t from = 0;
  while (true) {
    buf.clear();
    CollectFrom(from, 256, &buf);
    for (uint32_t id : buf) {
      if constexpr (std::is_same_v<decltype(f(id)), bool>) {
        if (!f(id)) return;
      } else {
        f(id);
      }
    }
    if (buf.size() < 256 || buf.back() == UINT32_MAX) return;
    from = buf.back() + 1;
  }
}

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/bitmap-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_BITMAP_H_
