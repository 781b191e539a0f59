// WriteBatch: an ordered list of writes that a Store applies all-or-nothing.
//
// A batch is built by the host (or the CSV importer) without touching the
// store; Store::Apply validates every operation first and changes nothing if
// any is bad, reporting the operation's row (or source line) and why.
//
//   WriteBatch batch(absl::Now());              // the host's clock, passed in
//   batch.SetAttribute(ExternalId::Int(7), "age", Value::Int(31));
//   batch.Tag(ExternalId::Int(7), "interest", "fashion");
//   batch.Purchase(ExternalId::Int(7), t, 59.0, {{"category", "skincare"}});
//   AUDIENCE_RETURN_IF_ERROR(store.Apply(batch).status());
#ifndef AUDIENCE_STORE_WRITE_BATCH_H_
#define AUDIENCE_STORE_WRITE_BATCH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/ids/external_id.h"
#include "audience/schema/value.h"
#include "audience/storage/bitmap.h"
#include "audience/store/column_block.h"
#include "audience/store/tag_options.h"

AUDIENCE_BEGIN_NAMESPACE

// How a tag assignment expires and who made it.
using EventProperties = std::vector<std::pair<std::string, std::string>>;

class WriteBatch {
 public:
  enum class OpKind : uint8_t {
    kUpsert, kTag, kUntag, kClearDimension, kSetAttribute, kEvent, kLink,
    kDelete, kAssignBitmap, kClearValue, kColumns
  };
  struct Op {
    OpKind kind;
    uint64_t row = 0;   // 1-based position in the batch, or the source line
    ExternalId id;      // the person (kLink: primary)
    ExternalId other;   // kLink: alias
    std::string name;   // dimension, attribute or event type
    std::string text;   // tag value
    Value value;        // attribute value
    TagOptions tag;
    absl::Time time;    // event time
    double amount = 0;
    EventProperties properties;
    std::string event_id;
    Bitmap people;      // kAssignBitmap: internal ids
    std::shared_ptr<const ColumnBlock> block;  // kColumns (shared: ops copy cheaply)
  };

  // `now` is the batch's write time: default TTLs count from it.
  explicit WriteBatch(absl::Time now) : now_(now) {}

  // Subsequent operations report `row` in errors (e.g. a CSV line number).
  // Without it, operations are numbered 1, 2, ... in order.
  void SetRow(uint64_t row) { row_ = row; }

  // Ensures the person exists.
  void Upsert(ExternalId id);
  void Tag(ExternalId id, std::string dimension, std::string value, TagOptions options = {});
  void Untag(ExternalId id, std::string dimension, std::string value);
  // Removes every value of `dimension` from the person.
  void ClearDimension(ExternalId id, std::string dimension);
  // Value::Null() clears the attribute.
  void SetAttribute(ExternalId id, std::string attribute, Value value);
  void AddEvent(ExternalId id, std::string event_type, absl::Time time, double amount = 0,
                EventProperties properties = {}, std::string event_id = {});
  // AddEvent on the event type named "purchase".
  void Purchase(ExternalId id, absl::Time time, double amount, EventProperties properties = {},
                std::string event_id = {});
  // Makes `alias` another id of `primary`'s person, merging two people when
  // both exist (see Store for the merge rule).
  void Link(ExternalId primary, ExternalId alias);
  // Forgets the person `id` names: every index, every id, every event.
  void Delete(ExternalId id);
  // Assigns `value` to every person in `people` (internal ids, which must be
  // live when the batch is applied). The bulk path for classifiers and for
  // materialising segments.
  void AssignBitmap(std::string dimension, std::string value, Bitmap people,
                    TagOptions options = {});
  // Removes `value` from everybody.
  void ClearValue(std::string dimension, std::string value);
  // Many rows of attributes and tags in columnar form (store/column_block.h):
  // the bulk path for imports. Errors name the block's source rows.
  void SetColumns(ColumnBlock block);

  // Appends a prepared operation as is (its row included).
  void AddOp(Op op) { ops_.push_back(std::move(op)); }

  absl::Time now() const { return now_; }
  const std::vector<Op>& ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

 private:
  Op& Push(OpKind kind);

  absl::Time now_;
  uint64_t row_ = 0;
  std::vector<Op> ops_;
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/write_batch-inl.h"
#endif

#endif  // AUDIENCE_STORE_WRITE_BATCH_H_
