// Store: the facade a host application holds. It owns the schema, the
// identities and every index, applies write batches all-or-nothing, and
// answers the storage-level reads (tags, attributes, events, profiles).
//
//   Store store;
//   AUDIENCE_RETURN_IF_ERROR(store.AddDimension({.name = "interest"}).status());
//   WriteBatch batch(now);
//   batch.Tag(ExternalId::Str("u1"), "interest", "fashion");
//   AUDIENCE_ASSIGN_OR_RETURN(ApplyResult r, store.Apply(batch));
//   uint64_t n = *store.CountTag("interest", "fashion", now);
//
// Merge rule when Link joins two existing people (the alias's person merges
// into the primary's, which survives): multi-valued tags are united (a value
// both hold keeps the later expiry); exclusive dimensions and attributes keep
// the most recently written value (by batch sequence; a tie keeps the
// survivor's); events and their aggregates are combined. The merged-away
// internal id leaves the universe and Canonical() maps it to the survivor.
//
// Thread-safety: const methods may run concurrently with each other, but not
// with Apply or any other mutation. For readers during writes, and for
// durability write by write, use Database (store/database.h).
#ifndef AUDIENCE_STORE_STORE_H_
#define AUDIENCE_STORE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/ids/id_map.h"
#include "audience/schema/schema.h"
#include "audience/storage/attribute_column.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/event_index.h"
#include "audience/storage/source.h"
#include "audience/storage/tag_dimension.h"
#include "audience/store/write_batch.h"

AUDIENCE_BEGIN_NAMESPACE

// One rejected operation of a batch.
struct OpError {
  uint64_t row = 0;  // WriteBatch::Op::row
  std::string message;
};

struct ApplyResult {
  uint64_t version = 0;         // store version after the batch
  uint64_t people_created = 0;
  uint64_t people_merged = 0;
  uint64_t people_deleted = 0;
  uint64_t events_added = 0;
  uint64_t duplicate_events = 0;  // ignored because their event id was seen
};

// One person's data as of a time, for display and tests.
struct Profile {
  struct Tag {
    std::string dimension;
    std::string value;
    std::optional<absl::Time> expires_at;
    std::string source;
  };
  struct Events {
    std::string event_type;
    PersonAggregate aggregate;
  };
  PersonId person = kNoPerson;
  std::vector<ExternalId> ids;                           // primary first
  std::vector<Tag> tags;                                 // schema order, then value id
  std::vector<std::pair<std::string, Value>> attributes;  // non-null only
  std::vector<Events> events;                            // types the person has
};

struct MemoryUsage {
  size_t ids = 0;
  size_t tags = 0;
  size_t attributes = 0;
  size_t events = 0;
  size_t total() const { return ids + tags + attributes + events; }
};

class Store {
 public:
  Store() = default;
  // Starts with `schema`; fails if it cannot be applied (never, for a schema
  // that validated).
  static absl::StatusOr<Store> Create(Schema schema);

  Store(Store&&) = default;
  Store& operator=(Store&&) = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // A deep copy of everything, log position included (copies are explicit:
  // a store can be gigabytes). Database keeps two for its readers.
  Store Clone() const;

  // Schema changes work on a store that holds data: the new dimension,
  // attribute or event type starts empty (all attribute values null).
  absl::StatusOr<DimensionId> AddDimension(DimensionSpec spec);
  absl::StatusOr<AttributeId> AddAttribute(AttributeSpec spec);
  absl::StatusOr<EventTypeId> AddEventType(EventTypeSpec spec);

  // Validates every operation, then applies all of them; on any error
  // nothing changes and the status names the row and the reason, e.g.
  // "row 12: attribute 'age' expects int64, got enum 'old'". Up to
  // `max_errors` problems are listed in one status.
  absl::StatusOr<ApplyResult> Apply(const WriteBatch& batch, size_t max_errors = 20);

  // Validation only: the problems Apply would report, at most `max_errors`
  // of them (`*total` receives the full count). Empty means Apply succeeds.
  std::vector<OpError> CheckBatch(const WriteBatch& batch, size_t max_errors,
                                  size_t* total = nullptr) const;

  // Purges tag assignments that expired at `now`; returns how many.
  size_t SweepExpired(absl::Time now);
  // Collapses raw events older than `horizon` to day resolution (aggregates
  // stay exact); returns the number of raw events removed.
  size_t CompactEvents(absl::Time horizon);
  // Compresses bitmaps after bulk loads.
  void Optimize();

  // Saved segments: a name and the text of a query, kept with the data (and
  // in snapshots) so that queries can say segment('name'). The store checks
  // only the name (the schema's name rule) and the size (at most
  // kMaxSegmentTextBytes, at most kMaxSegments of them); the query layer's
  // SaveSegment() checks that the text compiles and has no cycle before it
  // calls PutSegment. Replacing a segment keeps its name; both bump version().
  static constexpr size_t kMaxSegmentTextBytes = 64 * 1024;
  static constexpr size_t kMaxSegments = 10000;
  absl::Status PutSegment(std::string_view name, std::string_view text);
  // NotFound naming the segment when there is none.
  absl::Status RemoveSegment(std::string_view name);
  // Name -> query text, in name order.
  const absl::btree_map<std::string, std::string>& segments() const { return segments_; }
  const std::string* FindSegment(std::string_view name) const;

  // ---- reads ----
  const Schema& schema() const { return schema_; }
  const IdMap& ids() const { return ids_; }
  const SourceRegistry& sources() const { return sources_; }
  // Incremented by every applied batch and schema change.
  uint64_t version() const { return version_; }
  WriteSeq write_seq() const { return seq_; }
  // The sequence number of the last write-ahead-log record folded into this
  // store (0: none). Database (store/database.h) sets it; snapshots keep it,
  // so reopening replays only the records after it.
  uint64_t log_position() const { return log_position_; }
  void set_log_position(uint64_t lsn) { log_position_ = lsn; }
  const Bitmap& universe() const { return ids_.live(); }
  uint64_t person_count() const { return ids_.live_count(); }
  // A column block of at least this many rows, applied on several threads
  // into a store that has issued no person yet, maps its ids beside the
  // column builds (store_block-inl.h).
  static constexpr size_t kSpeculateRows = 4096;
  std::optional<PersonId> Find(const ExternalId& id) const { return ids_.Find(id); }

  // Component access for the query layer; handles come from schema().
  const TagDimension& dimension(DimensionId id) const { return dimensions_[id]; }
  const AttributeColumn& attribute(AttributeId id) const { return attributes_[id]; }
  const EventIndex& event_type(EventTypeId id) const { return events_[id]; }

  // Tag reads by name; NotFound names the unknown dimension or value.
  absl::StatusOr<Bitmap> TagMembers(std::string_view dimension, std::string_view value,
                                    absl::Time now) const;
  absl::StatusOr<uint64_t> CountTag(std::string_view dimension, std::string_view value,
                                    absl::Time now) const;
  // Values of a dimension with their counts, most frequent first.
  absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> ValuesByCount(
      std::string_view dimension, absl::Time now) const;
  absl::StatusOr<Value> GetAttribute(const ExternalId& id, std::string_view attribute) const;
  absl::StatusOr<Profile> GetProfile(const ExternalId& id, absl::Time now) const;

  MemoryUsage Memory() const;

  // Whole-store equality (schema, ids, every index); for round-trip tests.
  friend bool operator==(const Store& a, const Store& b);

 private:
  friend class SnapshotCodec;

  void ApplyValidated(const WriteBatch& batch, ApplyResult* result);
  // The kColumns operation (store_block-inl.h); `fail` receives each
  // problem with its source row.
  void CheckBlock(const ColumnBlock& block, uint64_t op_row,
                  absl::FunctionRef<void(uint64_t row, std::string_view message)> fail) const;
  void ApplyBlock(const ColumnBlock& block, WriteSeq seq, UnixSeconds now, ApplyResult* result);
  // `capacity`: persons issued (above every id in `people`).
  void ApplyTagColumn(const TagColumn& column, DimensionId d, SourceId source,
                      absl::Span<const PersonId> people, PersonId capacity, WriteSeq seq,
                      UnixSeconds now);
  void MergeInto(PersonId from, PersonId into);
  void Forget(PersonId person);

  Schema schema_;
  IdMap ids_;
  SourceRegistry sources_;
  std::vector<TagDimension> dimensions_;
  std::vector<AttributeColumn> attributes_;
  std::vector<EventIndex> events_;
  absl::btree_map<std::string, std::string> segments_;
  uint64_t version_ = 0;
  WriteSeq seq_ = 0;
  uint64_t log_position_ = 0;
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/store-inl.h"
#endif

#endif  // AUDIENCE_STORE_STORE_H_
