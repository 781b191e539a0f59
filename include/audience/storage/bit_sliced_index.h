// BitSlicedIndex: a range index over one uint64 key per person, answering
// `key OP constant` and `lo <= key <= hi` with a few dozen bitmap operations
// instead of a row scan.
//
//   // Keys are unsigned; callers encode values so that key order is value
//   // order (AttributeColumn maps int64 v to uint64(v) ^ 2^63).
//   BitSlicedIndex ages;
//   ages.Set(7, 31);
//   Bitmap twenties = ages.Between(20, 29);
//   uint64_t n = ages.CountCompare(CompareOp::kGe, 30);
//
// Algorithm (O'Neil & Quass 1997, "Improved query performance with variant
// indexes"; the layout FeatureBase uses for int fields). Slice i is the
// bitmap of persons whose key has bit i set; not_null() holds every person
// with a key. A range lo <= key <= hi is answered chunk by chunk (2^16
// persons): the chunk's words of every slice are read once and compared
// with both bounds in registers, 64 persons per word (dense::SliceRange,
// the O'Neil walk done word-wise: from the top bit down, keep who is still
// equal to the bound and who is already above / below it). Slices below
// the lowest bit where lo has a one or hi a zero are not read, and only
// chunks of not_null() & within are visited; a chunk with few persons in
// scope is answered person by person. Compare is a range ([0, c - 1] for
// `< c`, and so on; `!= c` is the complement of [c, c]).
//
// Common-prefix trick: all keys share the bits above the highest bit where
// any two keys differ. That prefix is stored once and slices exist only
// below it (slice_count() = number of differing low bits), so ages 18..80
// encoded as int64 need 7 slices, not 64. A constant whose prefix differs
// from the stored one is answered from not_null() alone (all or nothing).
// Setting a key that differs above the current depth first materialises the
// missing higher slices from not_null() (prefix bit 1 -> copy of not_null,
// 0 -> empty). Clearing never shrinks the depth; Optimize() does.
//
// Value layer: besides the slices, the index keeps at most kMaxValueBitmaps
// (1024) bitmaps of persons grouped by key >> shift. With few distinct keys (ages,
// scores, counts) the shift is 0: one bitmap per key, and Compare / Between
// are a union of the bitmaps on the cheaper side of the range (the
// complement side for `age >= 30`), what a plain per-value bitmap index
// costs. With many keys (timestamps) the shift is the smallest that keeps
// the buckets within the limit: buckets wholly inside the range are united,
// and only the (at most two) edge buckets are resolved exactly by the slice
// walk, restricted to their people. A Set that makes too many buckets
// doubles the bucket width (merging neighbours). The layer is derived:
// never serialized, rebuilt by Build and Deserialize.
//
// Binned layer (sorted_bins.h): for many distinct keys (the value layer
// bucketed) within a span of 2^32, 16 bins of equal population, a
// cumulative bitmap per bin bound and each bin's persons per chunk in key
// order. A bound is then one cumulative chunk plus the persons of the one
// bin it cuts, not a slice walk: `last_active_at < now - 30d` over 10M
// people reads 2 lines per 512 persons instead of ~11. Derived like the
// value layer; dropped when a Set puts a key out of its span, rebuilt by
// Build, Deserialize and Optimize (also when updates skewed its bins).
//
// Costs: Set/Clear O(slice_count) bitmap point updates; Compare/Between by
// the slices O(chunks in scope * slices read) word operations, by the
// value layer one union (the cheaper of the two is picked from their sizes);
// Get O(slice_count) lookups.
// Not thread-safe for mutation; concurrent const use is safe (the range
// walk's scratch is per thread). References returned by accessors stay
// valid until the next mutation.
#ifndef AUDIENCE_STORAGE_BIT_SLICED_INDEX_H_
#define AUDIENCE_STORAGE_BIT_SLICED_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/sorted_bins.h"

AUDIENCE_BEGIN_NAMESPACE

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

class BitSlicedIndex {
 public:
  static constexpr size_t kMaxValueBitmaps = 1024;

  BitSlicedIndex() = default;

  // Bulk build: one pass per slice over `entries`, each slice made with
  // Bitmap::FromIds (far faster than Set per person). Persons need not be
  // sorted; if a person appears more than once, its last entry wins.
  static BitSlicedIndex Build(absl::Span<const std::pair<PersonId, uint64_t>> entries);
  // The same from sorted data: keys[i] is the key of the i-th person of
  // `people` in ascending order (keys.size() == people.Cardinality()).
  static BitSlicedIndex Build(const Bitmap& people, absl::Span<const uint64_t> keys);

  // Sets (or replaces) the key of `person`.
  void Set(PersonId person, uint64_t key);
  // Removes the key of `person` (no-op when absent).
  void Clear(PersonId person);

  // Persons that have a key.
  const Bitmap& not_null() const { return not_null_; }
  bool empty() const { return not_null_.IsEmpty(); }

  // Persons whose key satisfies `key OP constant`; only persons with a key
  // can match (kNe does not include persons without one). With `within`,
  // only persons in it are considered: the walk starts from not_null() &
  // *within, so a small scope makes every slice operation cheap.
  Bitmap Compare(CompareOp op, uint64_t constant, const Bitmap* within = nullptr) const;
  // Persons with lo <= key <= hi; empty when lo > hi. `within` as above.
  Bitmap Between(uint64_t lo, uint64_t hi, const Bitmap* within = nullptr) const;
  // The sizes of Compare / Between; when the slice walk answers, nothing
  // is built (it only counts).
  uint64_t CountCompare(CompareOp op, uint64_t constant, const Bitmap* within = nullptr) const;
  uint64_t CountBetween(uint64_t lo, uint64_t hi, const Bitmap* within = nullptr) const;

  // A range evaluated one chunk of 2^16 ids at a time (Bitmap's chunks),
  // for executors that run a whole query chunk by chunk so that their
  // intermediate sets stay in cache. How to answer (the slice walk or the
  // value layer's buckets) is chosen once, as for a whole-index range.
  //
  //   BitSlicedIndex::RangeChunks r = BitSlicedIndex::RangeChunks::Compare(index, kGe, 30);
  //   std::vector<uint64_t> scratch(r.scratch_words());
  //   for (uint32_t key : ascending chunk keys)
  //     n += r.Eval(key, mask_words, out_words, scratch.data());
  //
  // Holds pointers into the index: valid until the index changes.
  class RangeChunks {
   public:
    // kAuto picks by estimated cost; kSlices and kBins (where the index has
    // the binned layer, else the slices) force a way, for tests.
    enum class Path : uint8_t { kAuto, kSlices, kBins };
    // Persons with a key in [lo, hi] (none when lo > hi); with `negate`,
    // persons with a key outside it.
    RangeChunks(const BitSlicedIndex& index, uint64_t lo, uint64_t hi, bool negate = false,
                Path path = Path::kAuto);
    // Persons whose key satisfies `key OP constant` (as Compare).
    static RangeChunks Compare(const BitSlicedIndex& index, CompareOp op, uint64_t constant);

    // Words of scratch Eval needs.
    size_t scratch_words() const;
    // Writes to `out` (kChunkWords words, not aliasing `mask`) the persons
    // of chunk `key` that are in `mask` (null: everyone) and in the range,
    // and returns their number; with `out` null it only counts. Keys must
    // ascend from call to call. `mask_count`: the mask's number of set bits
    // when the caller knows it (saves a counting pass), else ~0.
    uint64_t Eval(uint32_t key, const uint64_t* mask, uint64_t* out, uint64_t* scratch,
                  uint64_t mask_count = ~uint64_t{0});

   private:
    friend class BitSlicedIndex;
    // A slice walk: bounds on the key bits below `depth`, read from slice
    // `bottom` up.
    struct Walk {
      uint64_t lo = 1, hi = 0;
      size_t depth = 0, bottom = 0;
      bool empty = true;
    };
    // The walk for persons of value bucket `bucket` only: their key bits at
    // and above the bucket shift are the bucket's, so only the slices below
    // it are read (an edge bucket of `last_active_at < now - 30d` needs 17
    // of 30, and its few persons per word leave the walk early).
    Walk BucketWalk(uint64_t bucket) const;
    // Restricts the slice walk to persons of `bucket` (the caller's masks
    // hold no one else).
    void NarrowToBucket(uint64_t bucket);
    // The slice words of chunk `key` into words_ (slices from..to-1).
    void LoadSlices(uint32_t key, uint64_t* scratch, size_t from, size_t to);
    uint64_t EvalValues(uint32_t key, const uint64_t* m, uint64_t* out, uint64_t* scratch);
    // Answers by the binned layer from now on: [lo, hi] as Below(hi + 1)
    // and not Below(lo), each bound only where it excludes someone.
    void UseBins(uint64_t lo, uint64_t hi);
    uint64_t EvalBins(uint32_t key, const uint64_t* m, uint64_t* out, uint64_t* scratch);

    const BitSlicedIndex* index_;
    uint64_t lo_ = 1, hi_ = 0;  // offsets below the common prefix
    bool empty_ = true;         // no stored key is in the range
    bool negate_ = false;
    bool values_ = false;       // answered by the value layer
    size_t bottom_ = 0;         // the lowest slice read
    size_t depth_ = 0;          // slices walked: bottom_..depth_-1
    size_t not_null_at_ = 0;
    std::vector<size_t> slice_at_;
    const uint64_t* words_[64] = {};
    // Value layer: the buckets united (complemented when `complement_`) and
    // the edge buckets resolved by the slices, each with its chunk cursor.
    std::vector<const Bitmap*> parts_, edges_;
    std::vector<Walk> edge_walks_;
    size_t edges_bottom_ = 0;   // the lowest slice any edge walk reads
    std::vector<size_t> part_at_, edge_at_;
    bool complement_ = false;
    // Binned layer: the bounds Below is asked for, each with its cursor.
    bool bins_ = false, bins_lo_ = false, bins_hi_ = false;
    uint64_t bins_below_lo_ = 0, bins_below_hi_ = 0;
    SortedBins::Cursor bins_at_[2];
  };

  // The key of `person`, rebuilt from the slices (O(slice_count) lookups).
  std::optional<uint64_t> Get(PersonId person) const;
  // Smallest / largest key held, found in one pass over the slices.
  std::optional<uint64_t> MinKey() const;
  std::optional<uint64_t> MaxKey() const;

  // Number of materialised slices (bits below the common prefix).
  size_t slice_count() const { return slices_.size(); }
  // The value layer (see above): whether it is on (always, except for an
  // index built by hand with keys too far apart to bucket), and the bucket
  // width as a shift (0: one bitmap per distinct key).
  bool has_value_bitmaps() const { return values_on_; }
  int value_shift() const { return shift_; }
  // The binned layer (see above), when the index has it.
  const SortedBins* bins() const { return bins_ ? &*bins_ : nullptr; }
  // Folds top slices that became constant (after Clear) back into the
  // prefix, and run-compresses not_null and the value layer; slices keep
  // their bitsets and arrays (the walk reads them as words). Builds the
  // binned layer where it is due and missing, or skewed by updates.
  void Optimize();
  // Heap bytes held by the bitmaps and the slice vector.
  size_t MemoryBytes() const;

  // Format: u8 depth, u64 prefix, not_null bitmap, `depth` slice bitmaps.
  void Serialize(ByteWriter& out) const;
  // Validates depth <= 64, prefix bits below depth zero, every slice a
  // subset of not_null; returns DataLossError otherwise.
  static absl::StatusOr<BitSlicedIndex> Deserialize(ByteReader& in);

  // Logical equality: the same persons with the same keys, whatever the
  // depth each side happens to have materialised.
  friend bool operator==(const BitSlicedIndex& a, const BitSlicedIndex& b);
  friend bool operator!=(const BitSlicedIndex& a, const BitSlicedIndex& b) { return !(a == b); }

 private:
  // Bit `i` of every key as a bitmap, whether materialised or in the
  // prefix; nullptr stands for the empty bitmap.
  const Bitmap* SliceOrNull(size_t i) const;
  // Materialises slices up to (excluding) bit `depth`.
  void GrowTo(size_t depth);
  // Turns lo/hi into offsets below the common prefix (clamped to the keys
  // it allows); false when no stored key can be in [lo, hi].
  bool ClampToSlices(uint64_t* lo, uint64_t* hi) const;
  // Between by the slices alone, chunk by chunk: the result goes to `*out`
  // (when not null) and its size is returned.
  // With `bucket`, `within` holds persons of that value bucket only (an
  // edge bucket), and only the slices below the bucket shift are read.
  uint64_t SlicesBetween(uint64_t lo, uint64_t hi, const Bitmap* within, Bitmap* out,
                         std::optional<uint64_t> bucket = std::nullopt) const;
  // The same by the binned layer.
  uint64_t BinsBetween(uint64_t lo, uint64_t hi, const Bitmap* within, Bitmap* out) const;
  // The same loop for both: RangeChunks over the chunks of `within` (else
  // not_null).
  uint64_t ChunksBetween(RangeChunks& range, const Bitmap* within, Bitmap* out) const;
  // Every person's key, ids ascending (not_null().ToVector()), read from the
  // slices 64 persons at a time.
  std::vector<uint64_t> AllKeys(absl::Span<const uint32_t> ids) const;
  // Whether the binned layer is due (the value layer buckets the keys) and
  // the keys may fit its span, judged from the buckets alone.
  bool BinsMayFit() const;
  // (Re)builds the binned layer from every person and key, where it is due.
  void RebuildBins(absl::Span<const uint32_t> ids, absl::Span<const uint64_t> keys);
  // Equality layer (bit_sliced_index_values-inl.h).
  void ValuesSet(PersonId person, std::optional<uint64_t> old_key, uint64_t key);
  void ValuesClear(PersonId person, uint64_t old_key);
  void RebuildValues(absl::Span<const uint32_t> ids, absl::Span<const uint64_t> keys);
  // The core of Compare / Between and their counts: the persons (within
  // `within` when given) go to `*out` unless it is null; returns how many.
  uint64_t Range(uint64_t lo, uint64_t hi, const Bitmap* within, Bitmap* out) const;
  uint64_t CompareRange(CompareOp op, uint64_t constant, const Bitmap* within, Bitmap* out) const;
  // Range by the value layer, or by the slices where that is estimated cheaper.
  uint64_t ValuesBetween(uint64_t lo, uint64_t hi, const Bitmap* within, Bitmap* out) const;
  // The value layer's answer to [lo, hi] (lo <= hi): the buckets to unite
  // (the complement of the answer when `complement`) and the edge buckets
  // the range cuts, to be resolved by the slices.
  struct ValueParts {
    std::vector<const Bitmap*> parts, edges;
    std::vector<uint64_t> edge_buckets;  // the bucket of each edge
    bool complement = false;
  };
  ValueParts ValuePartsOf(uint64_t lo, uint64_t hi) const;
  // The ways to answer a range, and the one estimated cheapest: the slice
  // walk, the value layer's union of `parts` (then cut by the scope or
  // complemented) plus `edges` edge buckets resolved by the slices, or the
  // binned layer.
  enum class Way : uint8_t { kSlices, kValues, kBins };
  Way ChooseWay(uint64_t lo, uint64_t hi, absl::Span<const Bitmap* const> parts, bool complement,
                size_t edges, const Bitmap* within) const;
  // The same for RangeChunks, where the value layer's work is per chunk.
  Way ChooseWayPerChunk(uint64_t lo, uint64_t hi, const ValueParts& v) const;
  // Estimated ns of the binned layer over `chunks` chunks (max without one).
  uint64_t BinsCost(uint64_t lo, uint64_t hi, uint64_t chunks) const;
  // The way of least cost (bins only when strictly cheapest).
  static Way Cheapest(uint64_t slices_cost, uint64_t values_cost, uint64_t bins_cost);
  // The bounds of [lo, hi] the binned layer applies (it has one): Below(lo)
  // can hold someone only when lo is above its base, and Below(hi + 1) can
  // leave someone out only while hi + 1 is within its span.
  struct BinBounds {
    bool lo = false, hi = false;
  };
  BinBounds BinBoundsOf(uint64_t lo, uint64_t hi) const;

  Bitmap not_null_;
  std::vector<Bitmap> slices_;  // slices_[i] = persons whose key has bit i set
  uint64_t prefix_ = 0;         // bits >= slices_.size() shared by all keys
  bool values_on_ = true;       // the value layer is maintained
  uint8_t shift_ = 0;           // value bitmaps hold keys with equal key >> shift_
  absl::btree_map<uint64_t, Bitmap> values_;  // key >> shift_ -> persons
  std::optional<SortedBins> bins_;             // the binned layer, where due
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/bit_sliced_index-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_BIT_SLICED_INDEX_H_
