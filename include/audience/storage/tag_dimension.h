// TagDimension: the index of one tag dimension — a bitmap per value, plus
// expiries and sources of assignments, and per-person state for exclusive
// dimensions.
//
//   TagDimension power(spec);                       // exclusive: high/mid/low
//   uint32_t high = *power.InternValue("high");
//   power.Assign(person, high, std::nullopt, kSourceImport, seq);
//   Bitmap now_high = power.MembersAt(high, now);   // expired ones excluded
//
// Rules:
// - Value ids are dense, stable and never reused: a closed dimension's values
//   get 0..n-1 in spec order; an open one appends on InternValue. Passing an
//   unknown value id to any other member is a programmer error (asserted).
// - Person ids are any PersonId < kNoPerson.
// - Exclusive dimensions hold at most one value per person; assigning one
//   drops the other. Multi dimensions hold any number.
// - Expiry: an assignment with expires_at is visible while now < expires_at.
//   Reassigning replaces expiry and source (no expiry = never expires).
//   Sweep(now) purges expired assignments; until then readers pass `now`.
// - Sources: each assignment remembers its SourceId exactly. A value keeps one
//   base source plus exception bitmaps for members with another source, so the
//   common case (one source per value) costs nothing per person.
// - WriteSeq is recorded for exclusive dimensions only (ExclusiveSeq); multi
//   dimensions ignore it.
// - Merge (MergePerson) acts on raw assignments (expired but unswept ones
//   included; their expiry travels, so they stay invisible). Multi: union; a
//   value both hold keeps the later expiry (no expiry beats any) and `into`'s
//   source. Exclusive: the value written with the larger WriteSeq wins (tie:
//   `into`), with its expiry, source and seq. `from` holds nothing afterwards.
// Cost: Members is O(1); MembersAt/CountAt are O(expired entries of the
// value), O(1) extra when none expired; AnyAt/ValuesByCount/HasExpiring are
// O(values); PersonTags, Unassign and MergePerson are O(1) for exclusive
// dimensions and O(values) for multi ones. Memory: members bitmaps, ~40 bytes
// per assignment that carries an expiry, and for exclusive dimensions 8 bytes
// per person slot (a dense vector; ids far beyond the people held spill into a
// hash map, so one huge id never allocates gigabytes).
// Thread-safety: concurrent const use is safe; writes need exclusive access.
#ifndef AUDIENCE_STORAGE_TAG_DIMENSION_H_
#define AUDIENCE_STORAGE_TAG_DIMENSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/schema/schema.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/source.h"

AUDIENCE_BEGIN_NAMESPACE

struct TagAssignment {
  uint32_t value_id = 0;
  std::optional<UnixSeconds> expires_at;
  SourceId source = kSourceManual;
  friend bool operator==(const TagAssignment&, const TagAssignment&) = default;
};

class TagDimension {
 public:
  // Closed dimensions get their values pre-interned in spec order (ids
  // 0..n-1). The spec is copied; it need not outlive the dimension.
  explicit TagDimension(const DimensionSpec& spec);

  const std::string& name() const { return name_; }
  DimensionKind kind() const { return kind_; }
  bool closed() const { return closed_; }

  std::optional<uint32_t> FindValue(std::string_view value) const;
  // Returns the id of `value`, adding it to an open dimension. InvalidArgument
  // for a value outside a closed list ("dimension 'power' has no value 'hihg';
  // known values: high, mid, low") or with invalid text (Schema::ValidateValue).
  absl::StatusOr<uint32_t> InternValue(std::string_view value);
  const std::string& ValueName(uint32_t value_id) const { return values_[value_id].name; }
  size_t value_count() const { return values_.size(); }

  // (Re)assigns: replaces expiry (nullopt = never expires) and source;
  // exclusive dimensions drop the person's other value and record `seq`.
  void Assign(PersonId person, uint32_t value_id, std::optional<UnixSeconds> expires_at,
              SourceId source, WriteSeq seq);
  // Assign for every id in `people`, through bitmap operations (exclusive:
  // every other value -= people). Per-person work only where needed: the seq
  // slots of exclusive dimensions, and expiry entries when `expires_at` is set
  // or the value already has expiring members.
  void AssignMany(const Bitmap& people, uint32_t value_id, std::optional<UnixSeconds> expires_at,
                  SourceId source, WriteSeq seq);
  // Returns true if the person held the value.
  bool Unassign(PersonId person, uint32_t value_id);
  // Nobody holds the value afterwards (expiries and sources dropped too); the
  // value itself stays interned.
  void ClearValue(uint32_t value_id);
  // Drops every value of `person` (right to be forgotten).
  void RemovePerson(PersonId person);
  // See "Merge" above. No-op when from == into.
  void MergePerson(PersonId from, PersonId into);

  // Raw members, including expired but not yet swept; the reference is valid
  // until the next mutation of this dimension.
  const Bitmap& Members(uint32_t value_id) const { return values_[value_id].members; }
  // Members visible at `now` (now < expires_at, or no expiry).
  Bitmap MembersAt(uint32_t value_id, UnixSeconds now) const;
  // People holding any value visible at `now` (has(dim)).
  Bitmap AnyAt(UnixSeconds now) const;
  uint64_t CountAt(uint32_t value_id, UnixSeconds now) const;
  // (value id, count at now) by count descending, ties by value id ascending;
  // zero counts omitted.
  std::vector<std::pair<uint32_t, uint64_t>> ValuesByCount(UnixSeconds now) const;
  // The person's assignments visible at `now`, in value id order.
  std::vector<TagAssignment> PersonTags(PersonId person, UnixSeconds now) const;
  // Raw (ignores expiry): nullopt when the person does not hold the value.
  std::optional<TagAssignment> Assignment(PersonId person, uint32_t value_id) const;
  // Exclusive dimensions: the seq the current value was written with; 0 when
  // the person holds none (and always 0 for multi dimensions).
  WriteSeq ExclusiveSeq(PersonId person) const;
  // Purges assignments with expires_at <= now; returns how many. Costs
  // O(purged * log) plus O(values).
  size_t Sweep(UnixSeconds now);
  // Whether any assignment carries an expiry (readers may then skip
  // MembersAt and use Members directly when false).
  bool HasExpiring() const;

  // Compresses the bitmaps and trims spare capacity; call after bulk loads.
  void Optimize();
  // Approximate heap bytes held, for memory accounting.
  size_t MemoryBytes() const;
  // Encoding in tag_dimension_codec-inl.h. Deserialize validates every
  // invariant (value names against the spec, value ids, exclusivity, expiry
  // and source entries only for members, seq counts) and returns DataLoss on
  // damage; allocation stays proportional to the input size.
  void Serialize(ByteWriter& w) const;
  static absl::StatusOr<TagDimension> Deserialize(ByteReader& r, const DimensionSpec& spec);
  // Same values, members, expiries, per-assignment sources and (exclusive)
  // seqs, whatever the internal representation.
  friend bool operator==(const TagDimension& a, const TagDimension& b);

 private:
  static constexpr uint32_t kNoValue = UINT32_MAX;
  struct ValueState {
    std::string name;
    Bitmap members;
    // Members whose source differs from base_source, one bitmap per source.
    SourceId base_source = kSourceManual;
    std::vector<std::pair<SourceId, Bitmap>> exceptions;
    // Only assignments that expire; both views hold the same entries.
    absl::flat_hash_map<PersonId, UnixSeconds> expiry;
    absl::btree_set<std::pair<UnixSeconds, PersonId>> by_expiry;
  };

  // Exclusive dimensions: a person's current value (kNoValue if none) and the
  // WriteSeq it was written with.
  struct Slot {
    uint32_t value = kNoValue;
    WriteSeq seq = 0;
  };
  // Person ids below this always live in the dense vector; above it, dense_
  // holds at most kDensity slots per person held (8 bytes a slot against ~20
  // for a hash entry, so the vector wins even at this sparsity).
  static constexpr size_t kDenseFloor = size_t{1} << 16;
  static constexpr size_t kDensity = 8;

  void AddOne(ValueState& v, PersonId person, std::optional<UnixSeconds> expires_at,
              SourceId source);
  void RemoveOne(ValueState& v, PersonId person);
  void SetExpiry(ValueState& v, PersonId person, std::optional<UnixSeconds> expires_at);
  SourceId SourceOf(const ValueState& v, PersonId person) const;
  Bitmap ExpiredAt(const ValueState& v, UnixSeconds now) const;
  Slot SlotOf(PersonId person) const;
  uint32_t CurrentValue(PersonId person) const { return SlotOf(person).value; }
  void SetCurrent(PersonId person, uint32_t value_id, WriteSeq seq);
  // Makes `person` a dense slot if that keeps dense_ within its density cap,
  // counting `more_held` people about to be added; false if it would not.
  bool GrowDense(PersonId person, size_t more_held);

  std::string name_;
  DimensionKind kind_ = DimensionKind::kMulti;
  bool closed_ = false;
  std::vector<ValueState> values_;
  absl::flat_hash_map<std::string, uint32_t> value_ids_;
  // Exclusive dimensions only. A person id lives in `dense_` when below its
  // size, else in `sparse_` (never both). dense_ grows in powers of two within
  // the kDensity cap (or below kDenseFloor).
  std::vector<Slot> dense_;
  absl::flat_hash_map<PersonId, Slot> sparse_;
  size_t held_ = 0;  // people holding a value
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/tag_dimension-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_TAG_DIMENSION_H_
