// Schema: the declared shape of a store's data.
//
// Tag dimensions (multi-valued or exclusive, optional closed value list,
// optional default time-to-live), typed attributes (int64, double, enum,
// timestamp, bool; all nullable) and event types (with declared properties,
// some indexed). Names are validated here; nothing else in the library
// re-validates them.
//
//   Schema s;
//   AUDIENCE_RETURN_IF_ERROR(s.AddDimension({.name = "interest"}));
//   AUDIENCE_RETURN_IF_ERROR(s.AddDimension({.name = "power",
//       .kind = DimensionKind::kExclusive, .values = {"high", "mid", "low"}}));
//   AUDIENCE_RETURN_IF_ERROR(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}));
//   const DimensionSpec* d = s.FindDimension("interest");
//
// Handles (DimensionId, AttributeId, EventTypeId) are dense indices in
// declaration order; they never change once assigned, so storage keeps
// per-handle vectors. Not thread-safe for mutation.
#ifndef AUDIENCE_SCHEMA_SCHEMA_H_
#define AUDIENCE_SCHEMA_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/schema/value.h"

AUDIENCE_BEGIN_NAMESPACE

using DimensionId = uint32_t;
using AttributeId = uint32_t;
using EventTypeId = uint32_t;

enum class DimensionKind : uint8_t {
  kMulti,      // a person holds any number of values (interests)
  kExclusive,  // at most one value; assigning one clears the others
};

// Every member has a default initializer so that designated initializers
// ({.name = "x"}) may omit any of them without -Wmissing-field-initializers.
struct DimensionSpec {
  std::string name{};
  DimensionKind kind = DimensionKind::kMulti;
  // Non-empty means closed: only these values may be assigned.
  std::vector<std::string> values{};
  // Applied to assignments that carry no explicit expiry.
  // Must be positive, a whole number of seconds, at most kMaxDurationSeconds
  // (audience/base/duration.h) so that it survives the schema file.
  std::optional<absl::Duration> default_ttl{};
  std::string description{};

  bool operator==(const DimensionSpec&) const = default;
};

struct AttributeSpec {
  std::string name{};
  AttributeType type = AttributeType::kInt64;
  // For kEnum: non-empty means closed.
  // Must stay empty for the other types.
  std::vector<std::string> enum_values{};
  std::string description{};

  bool operator==(const AttributeSpec&) const = default;
};

struct PropertySpec {
  std::string name{};
  // Indexed properties get day-bucketed bitmaps per value.
  bool indexed = false;

  bool operator==(const PropertySpec&) const = default;
};

struct EventTypeSpec {
  std::string name{};
  std::vector<PropertySpec> properties{};
  std::string description{};

  bool operator==(const EventTypeSpec&) const = default;
};

// Limits that keep names and closed lists sane; checked on every Add.
struct SchemaLimits {
  static constexpr size_t kMaxNameBytes = 64;
  static constexpr size_t kMaxValueBytes = 256;
  static constexpr size_t kMaxClosedValues = 65536;
  static constexpr size_t kMaxPropertiesPerEventType = 1024;
  // Descriptions: valid UTF-8 (newlines and tabs allowed), this many bytes.
  static constexpr size_t kMaxDescriptionBytes = 4096;
};

class Schema {
 public:
  // Each Add validates and returns InvalidArgument naming the field and value
  // (bad charset, empty, too long, duplicate value, clash with an existing
  // dimension/attribute/event type name). On error the schema is unchanged.
  // Dimensions, attributes and event types share one namespace; property
  // names are unique within their event type. Closed lists (dimension values,
  // enum values) hold at most kMaxClosedValues distinct valid values.
  absl::StatusOr<DimensionId> AddDimension(DimensionSpec spec);
  absl::StatusOr<AttributeId> AddAttribute(AttributeSpec spec);
  absl::StatusOr<EventTypeId> AddEventType(EventTypeSpec spec);

  const DimensionSpec* FindDimension(std::string_view name) const;
  const AttributeSpec* FindAttribute(std::string_view name) const;
  const EventTypeSpec* FindEventType(std::string_view name) const;
  std::optional<DimensionId> DimensionIdOf(std::string_view name) const;
  std::optional<AttributeId> AttributeIdOf(std::string_view name) const;
  std::optional<EventTypeId> EventTypeIdOf(std::string_view name) const;

  const std::vector<DimensionSpec>& dimensions() const { return dimensions_; }
  const std::vector<AttributeSpec>& attributes() const { return attributes_; }
  const std::vector<EventTypeSpec>& event_types() const { return event_types_; }

  // Every dimension, attribute and event-type name, in that order and in
  // declaration order within each (for "did you mean" suggestions).
  std::vector<std::string> KnownNames() const;

  // Name rule shared by dimensions, attributes, event types and properties:
  // 1..64 bytes of [a-z0-9_.], starting with a letter, no "..", not ending in
  // '.'. Returns InvalidArgument naming `field` and the value.
  static absl::Status ValidateName(std::string_view field, std::string_view name);
  // Tag and enum values: 1..256 bytes of valid UTF-8 (no overlong forms, no
  // surrogates, nothing above U+10FFFF) without control characters (< 0x20,
  // 0x7F).
  static absl::Status ValidateValue(std::string_view field, std::string_view value);

  // Same specs in the same order (so the same handles).
  friend bool operator==(const Schema& a, const Schema& b);

 private:
  absl::Status CheckFreshName(std::string_view field, std::string_view name) const;

  std::vector<DimensionSpec> dimensions_;
  std::vector<AttributeSpec> attributes_;
  std::vector<EventTypeSpec> event_types_;
  absl::flat_hash_map<std::string, DimensionId> dimension_ids_;
  absl::flat_hash_map<std::string, AttributeId> attribute_ids_;
  absl::flat_hash_map<std::string, EventTypeId> event_type_ids_;
};

// "int64", "double", "enum", "timestamp", "bool"; ParseAttributeType is the
// exact inverse (case-sensitive) and returns nullopt for anything else.
std::string_view AttributeTypeName(AttributeType type);
std::optional<AttributeType> ParseAttributeType(std::string_view name);

namespace schema_internal {
// Byte offset of the first ill-formed UTF-8 sequence in s (overlong form,
// surrogate, above U+10FFFF, truncated), or std::string_view::npos.
size_t FirstInvalidUtf8(std::string_view s);
// s made safe to quote in an error message: cut after 64 bytes ("..."),
// control characters and ill-formed UTF-8 bytes written as \xNN.
std::string Shown(std::string_view s);
// "a, b, c" (or "'a', 'b', 'c'" when quoted) for "known values: ..." messages,
// at most `max` of them, then ", ... (N more)" — or ", ..." when !count_rest.
std::string KnownValues(const std::vector<std::string>& values, size_t max, bool quoted,
                        bool count_rest);
}  // namespace schema_internal

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/schema/schema-inl.h"
#endif

#endif  // AUDIENCE_SCHEMA_SCHEMA_H_
