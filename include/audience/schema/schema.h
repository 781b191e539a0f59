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

struct DimensionSpec {
  std::string name;
  DimensionKind kind = DimensionKind::kMulti;
  // Non-empty means closed: only these values may be assigned.
  std::vector<std::string> values;
  // Applied to assignments that carry no explicit expiry.
  std::optional<absl::Duration> default_ttl;
  std::string description;
};

struct AttributeSpec {
  std::string name;
  AttributeType type = AttributeType::kInt64;
  // For kEnum: non-empty means closed.
  std::vector<std::string> enum_values;
  std::string description;
};

struct PropertySpec {
  std::string name;
  // Indexed properties get day-bucketed bitmaps per value.
  bool indexed = false;
};

struct EventTypeSpec {
  std::string name;
  std::vector<PropertySpec> properties;
  std::string description;
};

// Limits that keep names and closed lists sane; checked on every Add.
struct SchemaLimits {
  static constexpr size_t kMaxNameBytes = 64;
  static constexpr size_t kMaxValueBytes = 256;
  static constexpr size_t kMaxClosedValues = 65536;
};

class Schema {
 public:
  // Each Add validates and returns InvalidArgument naming the field and value
  // (bad charset, empty, too long, duplicate value, clash with an existing
  // dimension/attribute/event type name). On error the schema is unchanged.
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

  // Name rule shared by dimensions, attributes, event types and properties:
  // 1..64 bytes of [a-z0-9_.], starting with a letter, no "..", not ending in
  // '.'. Returns InvalidArgument naming `field` and the value.
  static absl::Status ValidateName(std::string_view field, std::string_view name);
  // Tag and enum values: 1..256 bytes of valid UTF-8 without control
  // characters.
  static absl::Status ValidateValue(std::string_view field, std::string_view value);

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

std::string_view AttributeTypeName(AttributeType type);
std::optional<AttributeType> ParseAttributeType(std::string_view name);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/schema/schema-inl.h"
#endif

#endif  // AUDIENCE_SCHEMA_SCHEMA_H_
