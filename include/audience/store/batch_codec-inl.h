// Definitions for audience/store/batch_codec.h.
#ifndef AUDIENCE_STORE_BATCH_CODEC_INL_H_
#define AUDIENCE_STORE_BATCH_CODEC_INL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/store/batch_codec.h"

AUDIENCE_BEGIN_NAMESPACE

namespace batch_codec_internal {

inline constexpr uint8_t kMaxOpKind = static_cast<uint8_t>(WriteBatch::OpKind::kColumns);
inline constexpr uint8_t kMaxAttributeType = static_cast<uint8_t>(AttributeType::kBool);

inline void PutId(const ExternalId& id, ByteWriter* w) {
  w->PutBool(id.is_int());
  if (id.is_int()) {
    w->PutI64(id.int_value());
  } else {
    w->PutString(id.str_value());
  }
}

inline absl::StatusOr<ExternalId> GetId(ByteReader* r, std::string_view what) {
  AUDIENCE_ASSIGN_OR_RETURN(bool is_int, r->GetBool(what));
  if (is_int) {
    AUDIENCE_ASSIGN_OR_RETURN(int64_t v, r->GetI64(what));
    return ExternalId::Int(v);
  }
  AUDIENCE_ASSIGN_OR_RETURN(std::string s, r->GetString(what));
  return ExternalId::Str(std::move(s));
}

// Value: the variant's index (0 null, 1 int, 2 double, 3 enum, 4 time,
// 5 bool) and its payload.
inline void PutValue(const Value& v, ByteWriter* w) {
  if (v.is_null()) return w->PutU8(0);
  switch (v.type()) {
    case AttributeType::kInt64: w->PutU8(1); return w->PutI64(v.int_value());
    case AttributeType::kDouble: w->PutU8(2); return w->PutDouble(v.double_value());
    case AttributeType::kEnum: w->PutU8(3); return w->PutString(v.enum_value());
    case AttributeType::kTimestamp: w->PutU8(4); return EncodeTime(v.time_value(), w);
    case AttributeType::kBool: w->PutU8(5); return w->PutBool(v.bool_value());
  }
}

inline absl::StatusOr<Value> GetValue(ByteReader* r) {
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t tag, r->GetU8("value type"));
  switch (tag) {
    case 0: return Value::Null();
    case 1: {
      AUDIENCE_ASSIGN_OR_RETURN(int64_t v, r->GetI64("int value"));
      return Value::Int(v);
    }
    case 2: {
      AUDIENCE_ASSIGN_OR_RETURN(double v, r->GetDouble("double value"));
      return Value::Double(v);
    }
    case 3: {
      AUDIENCE_ASSIGN_OR_RETURN(std::string v, r->GetString("enum value"));
      return Value::Enum(std::move(v));
    }
    case 4: {
      AUDIENCE_ASSIGN_OR_RETURN(absl::Time v, DecodeTime(r, "time value"));
      return Value::Time(v);
    }
    case 5: {
      AUDIENCE_ASSIGN_OR_RETURN(bool v, r->GetBool("bool value"));
      return Value::Bool(v);
    }
    default: return r->Corrupt("value type", fmt::format("tag {}", tag));
  }
}

inline void PutTagOptions(const TagOptions& o, ByteWriter* w) {
  w->PutBool(o.expires_at.has_value());
  if (o.expires_at) EncodeTime(*o.expires_at, w);
  w->PutString(o.source);
}

inline absl::StatusOr<TagOptions> GetTagOptions(ByteReader* r) {
  TagOptions o;
  AUDIENCE_ASSIGN_OR_RETURN(bool expires, r->GetBool("tag expiry flag"));
  if (expires) {
    AUDIENCE_ASSIGN_OR_RETURN(absl::Time t, DecodeTime(r, "tag expiry"));
    o.expires_at = t;
  }
  AUDIENCE_ASSIGN_OR_RETURN(o.source, r->GetString("tag source"));
  return o;
}

inline void PutStrings(const std::vector<std::string>& v, ByteWriter* w) {
  w->PutU64(v.size());
  for (const std::string& s : v) w->PutString(s);
}

inline absl::StatusOr<std::vector<std::string>> GetStrings(ByteReader* r, std::string_view what) {
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t n, r->GetU64(what));
  AUDIENCE_RETURN_IF_ERROR(r->CheckCount(n, sizeof(uint32_t), what));
  std::vector<std::string> v;
  v.reserve(n);
  for (uint64_t k = 0; k < n; ++k) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string s, r->GetString(what));
    v.push_back(std::move(s));
  }
  return v;
}

// A column block: apply threads, ids, source rows (when any), attribute
// columns (name, type, ints, doubles, dictionary, null flags), tag columns
// (dimension, options, row offsets, value codes, dictionary).
inline void PutBlock(const ColumnBlock& b, ByteWriter* w) {
  w->PutU32(b.apply_threads());
  w->PutU64(b.size());
  for (const ExternalId& id : b.ids()) PutId(id, w);
  std::vector<uint64_t> rows(b.size());
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = b.SourceRow(r);
  w->PutArray(rows);
  w->PutU64(b.attributes().size());
  for (const auto& [name, column] : b.attributes()) {
    w->PutString(name);
    w->PutU8(static_cast<uint8_t>(column.type()));
    w->PutArray(column.ints());
    w->PutArray(column.doubles());
    PutStrings(column.dictionary(), w);
    w->PutArray(column.nulls());
  }
  w->PutU64(b.tags().size());
  for (const TagColumn& column : b.tags()) {
    w->PutString(column.dimension());
    PutTagOptions(column.options(), w);
    w->PutArray(std::vector<uint64_t>(column.offsets().begin(), column.offsets().end()));
    w->PutArray(column.values());
    PutStrings(column.dictionary(), w);
  }
}

inline absl::StatusOr<ColumnBlock> GetBlock(ByteReader* r) {
  ColumnBlock b;
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t threads, r->GetU32("block threads"));
  b.set_apply_threads(threads);
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t size, r->GetU64("block rows"));
  AUDIENCE_RETURN_IF_ERROR(r->CheckCount(size, 2, "block rows"));
  std::vector<ExternalId> ids;
  ids.reserve(size);
  for (uint64_t k = 0; k < size; ++k) {
    AUDIENCE_ASSIGN_OR_RETURN(ExternalId id, GetId(r, "block id"));
    ids.push_back(std::move(id));
  }
  AUDIENCE_ASSIGN_OR_RETURN(std::vector<uint64_t> rows, r->GetArray<uint64_t>("block source rows"));
  if (rows.size() != size) return r->Corrupt("block source rows", "one per row expected");
  for (uint64_t k = 0; k < size; ++k) b.AddRow(std::move(ids[k]), rows[k]);
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t attributes, r->GetU64("attribute columns"));
  AUDIENCE_RETURN_IF_ERROR(r->CheckCount(attributes, 4, "attribute columns"));
  for (uint64_t c = 0; c < attributes; ++c) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string name, r->GetString("attribute column name"));
    AUDIENCE_ASSIGN_OR_RETURN(uint8_t type, r->GetU8("attribute column type"));
    if (type > kMaxAttributeType) return r->Corrupt("attribute column type", fmt::format("{}", type));
    AUDIENCE_ASSIGN_OR_RETURN(auto ints, r->GetArray<int64_t>("attribute ints"));
    AUDIENCE_ASSIGN_OR_RETURN(auto doubles, r->GetArray<double>("attribute doubles"));
    AUDIENCE_ASSIGN_OR_RETURN(auto dictionary, GetStrings(r, "attribute dictionary"));
    AUDIENCE_ASSIGN_OR_RETURN(auto nulls, r->GetArray<uint8_t>("attribute nulls"));
    auto column = ColumnValues::FromParts(static_cast<AttributeType>(type), std::move(ints),
                                          std::move(doubles), std::move(dictionary),
                                          std::move(nulls));
    if (!column.ok()) return r->Corrupt("attribute column", std::string(column.status().message()));
    b.AddAttribute(std::move(name), static_cast<AttributeType>(type)) = *std::move(column);
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t tags, r->GetU64("tag columns"));
  AUDIENCE_RETURN_IF_ERROR(r->CheckCount(tags, 4, "tag columns"));
  for (uint64_t c = 0; c < tags; ++c) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string dimension, r->GetString("tag column dimension"));
    AUDIENCE_ASSIGN_OR_RETURN(TagOptions options, GetTagOptions(r));
    AUDIENCE_ASSIGN_OR_RETURN(auto offsets, r->GetArray<uint64_t>("tag offsets"));
    AUDIENCE_ASSIGN_OR_RETURN(auto values, r->GetArray<uint32_t>("tag values"));
    AUDIENCE_ASSIGN_OR_RETURN(auto dictionary, GetStrings(r, "tag dictionary"));
    auto column = TagColumn::FromParts(dimension, options,
                                       std::vector<size_t>(offsets.begin(), offsets.end()),
                                       std::move(values), std::move(dictionary));
    if (!column.ok()) return r->Corrupt("tag column", std::string(column.status().message()));
    if (column->rows() != size) return r->Corrupt("tag column", "one cell per row expected");
    b.AddTags(std::move(dimension), std::move(options)) = *std::move(column);
  }
  return b;
}

}  // namespace batch_codec_internal

AUDIENCE_FUNC void EncodeTime(absl::Time t, ByteWriter* out) {
  if (t == absl::InfiniteFuture()) return out->PutU8(1);
  if (t == absl::InfinitePast()) return out->PutU8(2);
  out->PutU8(0);
  const int64_t seconds = absl::ToUnixSeconds(t);
  absl::Duration rest;
  const int64_t quarters =
      absl::IDivDuration(t - absl::FromUnixSeconds(seconds), absl::Nanoseconds(1) / 4, &rest);
  out->PutI64(seconds);
  out->PutU32(static_cast<uint32_t>(quarters));
}

AUDIENCE_FUNC absl::StatusOr<absl::Time> DecodeTime(ByteReader* in, std::string_view what) {
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t tag, in->GetU8(what));
  if (tag == 1) return absl::InfiniteFuture();
  if (tag == 2) return absl::InfinitePast();
  if (tag != 0) return in->Corrupt(what, fmt::format("time tag {}", tag));
  AUDIENCE_ASSIGN_OR_RETURN(int64_t seconds, in->GetI64(what));
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t quarters, in->GetU32(what));
  if (quarters >= 4000000000u) return in->Corrupt(what, fmt::format("{} quarter ns", quarters));
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(1) / 4 * static_cast<int64_t>(quarters);
}

AUDIENCE_FUNC void EncodeBatch(const WriteBatch& batch, ByteWriter* out) {
  using namespace batch_codec_internal;  // NOLINT: the codec's own helpers
  EncodeTime(batch.now(), out);
  out->PutU64(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) {
    out->PutU8(static_cast<uint8_t>(op.kind));
    out->PutU64(op.row);
    PutId(op.id, out);
    PutId(op.other, out);
    out->PutString(op.name);
    out->PutString(op.text);
    PutValue(op.value, out);
    PutTagOptions(op.tag, out);
    EncodeTime(op.time, out);
    out->PutDouble(op.amount);
    out->PutU64(op.properties.size());
    for (const auto& [key, value] : op.properties) {
      out->PutString(key);
      out->PutString(value);
    }
    out->PutString(op.event_id);
    if (op.kind == WriteBatch::OpKind::kAssignBitmap) out->PutBitmap(op.people);
    if (op.kind == WriteBatch::OpKind::kColumns) {
      out->PutBool(op.block != nullptr);
      if (op.block != nullptr) PutBlock(*op.block, out);
    }
  }
}

AUDIENCE_FUNC absl::StatusOr<WriteBatch> DecodeBatch(ByteReader* in) {
  using namespace batch_codec_internal;  // NOLINT: the codec's own helpers
  AUDIENCE_ASSIGN_OR_RETURN(absl::Time now, DecodeTime(in, "batch time"));
  WriteBatch batch(now);
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t count, in->GetU64("operation count"));
  AUDIENCE_RETURN_IF_ERROR(in->CheckCount(count, 32, "operation count"));
  for (uint64_t k = 0; k < count; ++k) {
    WriteBatch::Op op{};
    AUDIENCE_ASSIGN_OR_RETURN(uint8_t kind, in->GetU8("operation kind"));
    if (kind > kMaxOpKind) return in->Corrupt("operation kind", fmt::format("{}", kind));
    op.kind = static_cast<WriteBatch::OpKind>(kind);
    AUDIENCE_ASSIGN_OR_RETURN(op.row, in->GetU64("operation row"));
    AUDIENCE_ASSIGN_OR_RETURN(op.id, GetId(in, "person id"));
    AUDIENCE_ASSIGN_OR_RETURN(op.other, GetId(in, "other id"));
    AUDIENCE_ASSIGN_OR_RETURN(op.name, in->GetString("operation name"));
    AUDIENCE_ASSIGN_OR_RETURN(op.text, in->GetString("operation text"));
    AUDIENCE_ASSIGN_OR_RETURN(op.value, GetValue(in));
    AUDIENCE_ASSIGN_OR_RETURN(op.tag, GetTagOptions(in));
    AUDIENCE_ASSIGN_OR_RETURN(op.time, DecodeTime(in, "event time"));
    AUDIENCE_ASSIGN_OR_RETURN(op.amount, in->GetDouble("event amount"));
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t properties, in->GetU64("property count"));
    AUDIENCE_RETURN_IF_ERROR(in->CheckCount(properties, 8, "property count"));
    for (uint64_t p = 0; p < properties; ++p) {
      AUDIENCE_ASSIGN_OR_RETURN(std::string key, in->GetString("property name"));
      AUDIENCE_ASSIGN_OR_RETURN(std::string value, in->GetString("property value"));
      op.properties.emplace_back(std::move(key), std::move(value));
    }
    AUDIENCE_ASSIGN_OR_RETURN(op.event_id, in->GetString("event id"));
    if (op.kind == WriteBatch::OpKind::kAssignBitmap) {
      AUDIENCE_ASSIGN_OR_RETURN(op.people, in->GetBitmap("assigned people"));
    }
    if (op.kind == WriteBatch::OpKind::kColumns) {
      AUDIENCE_ASSIGN_OR_RETURN(bool has_block, in->GetBool("block flag"));
      if (has_block) {
        AUDIENCE_ASSIGN_OR_RETURN(ColumnBlock block, GetBlock(in));
        op.block = std::make_shared<const ColumnBlock>(std::move(block));
      }
    }
    batch.AddOp(std::move(op));
  }
  return batch;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_BATCH_CODEC_INL_H_
