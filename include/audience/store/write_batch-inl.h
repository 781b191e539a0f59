// Definitions for write_batch.h.
#ifndef AUDIENCE_STORE_WRITE_BATCH_INL_H_
#define AUDIENCE_STORE_WRITE_BATCH_INL_H_

#include "audience/store/write_batch.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC WriteBatch::Op& WriteBatch::Push(OpKind kind) {
  Op& op = ops_.emplace_back();
  op.kind = kind;
  op.row = row_ != 0 ? row_ : ops_.size();
  return op;
}

AUDIENCE_FUNC void WriteBatch::Upsert(ExternalId id) { Push(OpKind::kUpsert).id = std::move(id); }

AUDIENCE_FUNC void WriteBatch::Tag(ExternalId id, std::string dimension, std::string value,
                                   TagOptions options) {
  Op& op = Push(OpKind::kTag);
  op.id = std::move(id);
  op.name = std::move(dimension);
  op.text = std::move(value);
  op.tag = std::move(options);
}

AUDIENCE_FUNC void WriteBatch::Untag(ExternalId id, std::string dimension, std::string value) {
  Op& op = Push(OpKind::kUntag);
  op.id = std::move(id);
  op.name = std::move(dimension);
  op.text = std::move(value);
}

AUDIENCE_FUNC void WriteBatch::ClearDimension(ExternalId id, std::string dimension) {
  Op& op = Push(OpKind::kClearDimension);
  op.id = std::move(id);
  op.name = std::move(dimension);
}

AUDIENCE_FUNC void WriteBatch::SetAttribute(ExternalId id, std::string attribute, Value value) {
  Op& op = Push(OpKind::kSetAttribute);
  op.id = std::move(id);
  op.name = std::move(attribute);
  op.value = std::move(value);
}

AUDIENCE_FUNC void WriteBatch::AddEvent(ExternalId id, std::string event_type, absl::Time time,
                                        double amount, EventProperties properties,
                                        std::string event_id) {
  Op& op = Push(OpKind::kEvent);
  op.id = std::move(id);
  op.name = std::move(event_type);
  op.time = time;
  op.amount = amount;
  op.properties = std::move(properties);
  op.event_id = std::move(event_id);
}

AUDIENCE_FUNC void WriteBatch::Purchase(ExternalId id, absl::Time time, double amount,
                                        EventProperties properties, std::string event_id) {
  AddEvent(std::move(id), "purchase", time, amount, std::move(properties), std::move(event_id));
}

AUDIENCE_FUNC void WriteBatch::Link(ExternalId primary, ExternalId alias) {
  Op& op = Push(OpKind::kLink);
  op.id = std::move(primary);
  op.other = std::move(alias);
}

AUDIENCE_FUNC void WriteBatch::Delete(ExternalId id) { Push(OpKind::kDelete).id = std::move(id); }

AUDIENCE_FUNC void WriteBatch::AssignBitmap(std::string dimension, std::string value,
                                            Bitmap people, TagOptions options) {
  Op& op = Push(OpKind::kAssignBitmap);
  op.name = std::move(dimension);
  op.text = std::move(value);
  op.people = std::move(people);
  op.tag = std::move(options);
}

AUDIENCE_FUNC void WriteBatch::ClearValue(std::string dimension, std::string value) {
  Op& op = Push(OpKind::kClearValue);
  op.name = std::move(dimension);
  op.text = std::move(value);
}

AUDIENCE_FUNC void WriteBatch::SetColumns(ColumnBlock block) {
  Op& op = Push(OpKind::kColumns);
  op.block = std::make_shared<const ColumnBlock>(std::move(block));
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_WRITE_BATCH_INL_H_
