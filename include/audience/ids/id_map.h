// IdMap: the identity layer. Maps external ids (ExternalId: int64 or string)
// to dense internal PersonIds and back, joins ids of one person (Link, which
// may merge two people), forgets people (Delete) and keeps the live universe
// as a Bitmap for the storage and query layers.
//
//   IdMap ids;
//   PersonId a = *ids.GetOrCreate(ExternalId::Str("phone:555"));   // 0
//   PersonId b = *ids.GetOrCreate(ExternalId::Int(42));            // 1
//   IdMap::LinkResult r = *ids.Link(ExternalId::Str("phone:555"), ExternalId::Int(42));
//   // r.survivor == a, *r.merged_away == b, ids.Find(ExternalId::Int(42)) == a,
//   // ids.Canonical(b) == a, ids.live() == {a}
//
// Rules:
// - Internal ids are issued densely from 0 and never reused, not even after
//   Delete; capacity() is one past the highest id ever issued. At most
//   kNoPerson (2^32 - 1) ids can be issued; then creating fails with
//   ResourceExhausted.
// - A person is live from creation until it is merged away or deleted. Every
//   live person has at least one external id; its first id is its primary.
// - Link(primary, alias): the survivor is always the person `primary` names
//   (created first if unknown). An unknown alias joins it as an extra id;
//   an alias that names another person merges that person INTO the survivor:
//   all its external ids now resolve to the survivor (appended after the
//   survivor's, the merged primary first), it leaves the universe, and
//   Canonical(merged) == survivor, also for anyone merged into it earlier
//   (chains a->b->c resolve to c in O(1): forwards are kept flattened).
//   A new primary with a known alias thus issues a new internal id and
//   merges the alias's person into it. Link(x, x) is GetOrCreate(x).
//   Linking two ids of one person (either way round) is a no-op.
// - Delete(p) forgets the live person p with all its external ids; people
//   merged into p earlier then have Canonical() == kNoPerson. A later
//   GetOrCreate of a forgotten external id creates a new person.
// - Find() is one hash lookup (merges rewrite the forward entries).
// - Mutators validate everything before changing anything: on error the map
//   is unchanged.
//
// Memory: an int id costs a 12-byte hash slot plus one control byte (divided
// by the table's load, 7/16..7/8) and 8 bytes in the dense reverse table:
// 23-38 bytes per person, 31 measured at 10M people. A string id costs two
// 40-byte hash slots (forward and reverse) plus the string's heap bytes when
// it exceeds the small-string buffer (about 180 bytes per person at 1M).
// Every issued internal id keeps its 8-byte reverse slot, live or not.
//
// Thread-safety: concurrent const use is safe; mutation needs exclusive use.
#ifndef AUDIENCE_IDS_ID_MAP_H_
#define AUDIENCE_IDS_ID_MAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/ids/external_id.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

namespace id_map_internal {

// Forward entry for an int id: 12 bytes with 4-byte alignment (a
// pair<int64_t, uint32_t> would take 16). Hash and equality use the key
// only, so the person may change in place when a merge rewrites it.
struct IntEntry {
  uint32_t lo;
  uint32_t hi;
  mutable PersonId person;

  IntEntry(int64_t key, PersonId p)
      : lo(static_cast<uint32_t>(static_cast<uint64_t>(key))),
        hi(static_cast<uint32_t>(static_cast<uint64_t>(key) >> 32)),
        person(p) {}
  int64_t key() const { return static_cast<int64_t>((uint64_t{hi} << 32) | lo); }
};
static_assert(sizeof(IntEntry) == 12);

struct IntEntryHash {
  using is_transparent = void;
  size_t operator()(int64_t k) const { return absl::Hash<int64_t>{}(k); }
  size_t operator()(const IntEntry& e) const { return (*this)(e.key()); }
};
struct IntEntryEq {
  using is_transparent = void;
  static int64_t Key(int64_t k) { return k; }
  static int64_t Key(const IntEntry& e) { return e.key(); }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const { return Key(a) == Key(b); }
};

}  // namespace id_map_internal

class IdMap {
 public:
  struct LinkResult {
    PersonId survivor = kNoPerson;           // the person primary names
    std::optional<PersonId> merged_away;     // set when two people merged
    bool alias_created = false;              // alias was unknown and was added
  };

  IdMap() = default;

  // OK for a valid id: any int64, or a string of 1..kMaxExternalIdBytes
  // bytes; InvalidArgument naming the id otherwise.
  static absl::Status ValidateId(const ExternalId& id);

  // The live person `id` names (after merges); nullopt if unknown, deleted
  // or invalid. One hash lookup.
  std::optional<PersonId> Find(const ExternalId& id) const;

  // Find, or create a new live person whose primary is `id`. `*created`
  // (if given) tells which. Errors: InvalidArgument (ValidateId),
  // ResourceExhausted when kNoPerson ids were issued already.
  absl::StatusOr<PersonId> GetOrCreate(const ExternalId& id, bool* created = nullptr);
  // GetOrCreate for each of `ids` in order, the persons into `out` (as many):
  // the same persons and creations, faster for many (each hash probe is
  // prefetched a few ids ahead; the persons created join live() as one
  // range). Returns how many were created. On an error the ids before the
  // failing one are in, with their persons in `out`.
  absl::StatusOr<uint64_t> GetOrCreateMany(absl::Span<const ExternalId> ids,
                                           absl::Span<PersonId> out);

  // See the rules above. Errors as GetOrCreate, checked for both ids before
  // anything changes. Cost: O(number of ids and earlier merges of the
  // merged-away person).
  absl::StatusOr<LinkResult> Link(const ExternalId& primary, const ExternalId& alias);

  // p if live; the live survivor if p was merged away; kNoPerson if p was
  // deleted, merged into someone since deleted, or never issued. O(1).
  PersonId Canonical(PersonId p) const;

  // Forgets the live person p and all its external ids. NotFound if p is not
  // live (never issued, merged away, already deleted).
  absl::Status Delete(PersonId p);

  bool IsLive(PersonId p) const { return live_.Contains(p); }
  // The live universe. The reference stays valid as long as the map; its
  // contents change with the next mutation.
  const Bitmap& live() const { return live_; }
  uint64_t live_count() const { return live_count_; }
  // One past the highest id ever issued (0 for a new map).
  PersonId capacity() const { return next_; }

  // All external ids of p, primary first then the others in the order they
  // joined; empty if p is not live.
  std::vector<ExternalId> IdsOf(PersonId p) const;
  // nullopt if p is not live.
  std::optional<ExternalId> PrimaryId(PersonId p) const;

  // Bulk-import hint: room for `people` people in total whose ids are
  // integers (ReserveStrings: strings) without rehashing.
  void Reserve(size_t people);
  void ReserveStrings(size_t people);

  // Heap bytes held (tables, strings, bitmap), for memory accounting.
  // O(number of people with more than one id or with merges).
  size_t MemoryBytes() const;

  // Encoding (little-endian, see ByteWriter):
  //   u8 version (1); u32 first issued id (0 unless ForTestingStartAt);
  //   u32 capacity; u64-counted i64 array, one per id in [first, capacity):
  //   the int primary of a live person, else 0; Bitmap live;
  //   u64 n, n x (u32 person, string): string primaries, ascending person;
  //   u64 n, n x (u32 person, u32 k, k x id): extra ids, ascending person,
  //   where an id is u8 kind (0 int, 1 string) then i64 or string;
  //   u64 n, n x (u32 merged, u32 survivor): forwards, ascending merged.
  void Serialize(ByteWriter& w) const;
  // Reads what Serialize wrote, leaving `r` just past it. Validates every
  // field: ids within [first, capacity), no duplicate external id, every id
  // valid, every live person has exactly one primary and dead people none,
  // forwards go from a dead person to a live one (so no cycles or chains).
  // DataLoss on any damage; allocation is bounded by the input size.
  static absl::StatusOr<IdMap> Deserialize(ByteReader& r);

  // Same capacity, live set, external ids of each person (in order) and
  // merge forwards.
  friend bool operator==(const IdMap& a, const IdMap& b);
  friend bool operator!=(const IdMap& a, const IdMap& b) { return !(a == b); }

  // Test hook: an empty map whose first issued id is `first` (ids below it
  // count as never issued), so exhaustion at kNoPerson can be tested.
  static IdMap ForTestingStartAt(PersonId first);

 private:
  using IntSet = absl::flat_hash_set<id_map_internal::IntEntry, id_map_internal::IntEntryHash,
                                     id_map_internal::IntEntryEq>;

  // Slot of p in primary_; p must be in [base_, next_).
  size_t Slot(PersonId p) const { return static_cast<size_t>(p - base_); }
  bool Issued(PersonId p) const { return p >= base_ && p < next_; }
  // GetOrCreate, except that a person created is not yet added to live_
  // and live_count_ (the caller does).
  absl::StatusOr<PersonId> Insert(const ExternalId& id, bool* created);
  // Issues a new live person with primary `id`; id must be unknown and
  // next_ < kNoPerson.
  PersonId Create(const ExternalId& id);
  // Points `id` (known or not) at p in the forward tables.
  void PointAt(const ExternalId& id, PersonId p);
  void EraseForward(const ExternalId& id);
  // Merges live `from` into live `into`.
  void Merge(PersonId from, PersonId into);
  // Calls f(const ExternalId&) for each id of live p, primary first.
  template <typename F>
  void ForEachIdOf(PersonId p, F&& f) const;

  IntSet int_ids_;                                          // int id -> person
  absl::flat_hash_map<std::string, PersonId> str_ids_;      // string id -> person
  // Per issued id (index p - base_): the int primary of a live person whose
  // primary is an int, otherwise 0.
  std::vector<int64_t> primary_;
  absl::flat_hash_map<PersonId, std::string> str_primary_;  // string primaries
  absl::flat_hash_map<PersonId, std::vector<ExternalId>> aliases_;  // ids after the primary
  absl::flat_hash_map<PersonId, PersonId> merged_into_;     // merged -> live survivor
  absl::flat_hash_map<PersonId, std::vector<PersonId>> absorbed_;   // survivor -> merged
  Bitmap live_;
  uint64_t live_count_ = 0;
  size_t string_heap_bytes_ = 0;  // heap bytes of strings in str_ids_ and str_primary_
  PersonId base_ = 0;
  PersonId next_ = 0;
};

template <typename F>
void IdMap::ForEachIdOf(PersonId p, F&& f) const {
  if (auto s = str_primary_.find(p); s != str_primary_.end()) {
    f(ExternalId::Str(s->second));
  } else {
    f(ExternalId::Int(primary_[Slot(p)]));
  }
  if (auto a = aliases_.find(p); a != aliases_.end()) {
    for (const ExternalId& id : a->second) f(id);
  }
}

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ids/id_map-inl.h"
#endif

#endif  // AUDIENCE_IDS_ID_MAP_H_
