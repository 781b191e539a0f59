// Definitions for schema.h.
#ifndef AUDIENCE_SCHEMA_SCHEMA_INL_H_
#define AUDIENCE_SCHEMA_SCHEMA_INL_H_

#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "audience/base/duration.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/schema/schema.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace schema_internal {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if the
// bytes there are not one (RFC 3629: no overlong forms, no surrogates
// U+D800..U+DFFF, nothing above U+10FFFF).
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
  };
  auto cont = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u && byte(k) < 0x100u; };
  const unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned b1 = byte(1);
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;  // E0 80..9F would be overlong
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;  // ED A0..BF are surrogates
    return (b1 >= lo && b1 <= hi && cont(2)) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned b1 = byte(1);
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;  // F0 80..8F would be overlong
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;  // F4 90.. is above U+10FFFF
    return (b1 >= lo && b1 <= hi && cont(2) && cont(3)) ? 4 : 0;
  }
  return 0;  // continuation byte, C0/C1, F5..FF
}

AUDIENCE_FUNC size_t FirstInvalidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

// Cut short and escaped so that hostile input cannot garble or flood a log
// line.
AUDIENCE_FUNC std::string Shown(std::string_view s) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  const size_t end = s.size() < kMaxShown ? s.size() : kMaxShown;
  for (size_t i = 0; i < end;) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0 || c < 0x20 || c == 0x7F || i + n > end) {
      out += fmt::format("\\x{:02X}", c);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (s.size() > kMaxShown) out += "...";
  return out;
}

inline absl::Status CheckDescription(std::string_view field, std::string_view text) {
  if (text.size() > SchemaLimits::kMaxDescriptionBytes) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': longer than {} bytes ({})", field,
                                                  Shown(text), SchemaLimits::kMaxDescriptionBytes,
                                                  text.size()));
  }
  if (size_t at = FirstInvalidUtf8(text); at != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("{} '{}': invalid UTF-8 at byte {}", field, Shown(text), at));
  }
  return absl::OkStatus();
}

// `owner` names the list's holder, e.g. "dimension 'power'".
inline absl::Status CheckClosedList(std::string_view owner,
                                    const std::vector<std::string>& values) {
  if (values.size() > SchemaLimits::kMaxClosedValues) {
    return absl::InvalidArgumentError(fmt::format("{}: {} values; at most {} allowed", owner,
                                                  values.size(),
                                                  SchemaLimits::kMaxClosedValues));
  }
  const std::string field = fmt::format("{} value", owner);
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(values.size());
  for (const std::string& v : values) {
    AUDIENCE_RETURN_IF_ERROR(Schema::ValidateValue(field, v));
    if (!seen.insert(AbslView(v)).second) {
      return absl::InvalidArgumentError(fmt::format("{} '{}': listed twice", field, Shown(v)));
    }
  }
  return absl::OkStatus();
}

}  // namespace schema_internal

AUDIENCE_FUNC absl::Status Schema::ValidateName(std::string_view field, std::string_view name) {
  using schema_internal::Shown;
  if (name.empty()) {
    return absl::InvalidArgumentError(fmt::format("{} '': must not be empty", field));
  }
  if (name.size() > SchemaLimits::kMaxNameBytes) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': longer than {} bytes ({})", field,
                                                  Shown(name), SchemaLimits::kMaxNameBytes,
                                                  name.size()));
  }
  bool ok = name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
  }
  if (!ok) {
    return absl::InvalidArgumentError(fmt::format(
        "{} '{}': must start with a lowercase letter and contain only [a-z0-9_.]", field,
        Shown(name)));
  }
  if (name.find("..") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("{} '{}': must not contain '..'", field, name));
  }
  if (name.back() == '.') {
    return absl::InvalidArgumentError(fmt::format("{} '{}': must not end with '.'", field, name));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status Schema::ValidateValue(std::string_view field, std::string_view value) {
  using schema_internal::Shown;
  if (value.empty()) {
    return absl::InvalidArgumentError(fmt::format("{} '': must not be empty", field));
  }
  if (value.size() > SchemaLimits::kMaxValueBytes) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': longer than {} bytes ({})", field,
                                                  Shown(value), SchemaLimits::kMaxValueBytes,
                                                  value.size()));
  }
  if (size_t at = schema_internal::FirstInvalidUtf8(value); at != std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("{} '{}': invalid UTF-8 at byte {}", field, Shown(value), at));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) {
      return absl::InvalidArgumentError(fmt::format(
          "{} '{}': control character 0x{:02X} at byte {}", field, Shown(value), c, i));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status Schema::CheckFreshName(std::string_view field,
                                                  std::string_view name) const {
  auto clash = [&](std::string_view other) {
    if (other == field) {
      return absl::InvalidArgumentError(
          fmt::format("{} '{}' is already declared", field, name));
    }
    return absl::InvalidArgumentError(
        fmt::format("{} '{}' clashes with {} '{}'", field, name, other, name));
  };
  if (dimension_ids_.contains(AbslView(name))) return clash("dimension");
  if (attribute_ids_.contains(AbslView(name))) return clash("attribute");
  if (event_type_ids_.contains(AbslView(name))) return clash("event type");
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<DimensionId> Schema::AddDimension(DimensionSpec spec) {
  AUDIENCE_RETURN_IF_ERROR(ValidateName("dimension name", spec.name));
  AUDIENCE_RETURN_IF_ERROR(CheckFreshName("dimension", spec.name));
  const std::string owner = fmt::format("dimension '{}'", spec.name);
  AUDIENCE_RETURN_IF_ERROR(schema_internal::CheckClosedList(owner, spec.values));
  if (spec.default_ttl.has_value()) {
    const absl::Duration ttl = *spec.default_ttl;
    if (ttl <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          fmt::format("{} ttl: must be positive, got {}", owner, FormatDurationText(ttl)));
    }
    if (ttl > absl::Seconds(kMaxDurationSeconds)) {
      return absl::InvalidArgumentError(
          fmt::format("{} ttl: longer than 100 years ({})", owner, FormatDurationText(ttl)));
    }
    if (absl::Trunc(ttl, absl::Seconds(1)) != ttl) {
      return absl::InvalidArgumentError(fmt::format(
          "{} ttl: must be a whole number of seconds, got {}", owner, FormatDurationText(ttl)));
    }
  }
  AUDIENCE_RETURN_IF_ERROR(
      schema_internal::CheckDescription(owner + " description", spec.description));
  const auto id = static_cast<DimensionId>(dimensions_.size());
  dimension_ids_.emplace(spec.name, id);
  dimensions_.push_back(std::move(spec));
  return id;
}

AUDIENCE_FUNC absl::StatusOr<AttributeId> Schema::AddAttribute(AttributeSpec spec) {
  AUDIENCE_RETURN_IF_ERROR(ValidateName("attribute name", spec.name));
  AUDIENCE_RETURN_IF_ERROR(CheckFreshName("attribute", spec.name));
  const std::string owner = fmt::format("attribute '{}'", spec.name);
  if (spec.type != AttributeType::kEnum && !spec.enum_values.empty()) {
    return absl::InvalidArgumentError(fmt::format(
        "{}: values are only allowed for type enum, not {}", owner, AttributeTypeName(spec.type)));
  }
  AUDIENCE_RETURN_IF_ERROR(schema_internal::CheckClosedList(owner, spec.enum_values));
  AUDIENCE_RETURN_IF_ERROR(
      schema_internal::CheckDescription(owner + " description", spec.description));
  const auto id = static_cast<AttributeId>(attributes_.size());
  attribute_ids_.emplace(spec.name, id);
  attributes_.push_back(std::move(spec));
  return id;
}

AUDIENCE_FUNC absl::StatusOr<EventTypeId> Schema::AddEventType(EventTypeSpec spec) {
  AUDIENCE_RETURN_IF_ERROR(ValidateName("event type name", spec.name));
  AUDIENCE_RETURN_IF_ERROR(CheckFreshName("event type", spec.name));
  const std::string owner = fmt::format("event type '{}'", spec.name);
  if (spec.properties.size() > SchemaLimits::kMaxPropertiesPerEventType) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {} properties; at most {} allowed", owner, spec.properties.size(),
                    SchemaLimits::kMaxPropertiesPerEventType));
  }
  const std::string field = owner + " property name";
  absl::flat_hash_set<absl::string_view> seen;
  for (const PropertySpec& p : spec.properties) {
    AUDIENCE_RETURN_IF_ERROR(ValidateName(field, p.name));
    if (!seen.insert(AbslView(p.name)).second) {
      return absl::InvalidArgumentError(
          fmt::format("{} property '{}': declared twice", owner, p.name));
    }
  }
  AUDIENCE_RETURN_IF_ERROR(
      schema_internal::CheckDescription(owner + " description", spec.description));
  const auto id = static_cast<EventTypeId>(event_types_.size());
  event_type_ids_.emplace(spec.name, id);
  event_types_.push_back(std::move(spec));
  return id;
}

AUDIENCE_FUNC const DimensionSpec* Schema::FindDimension(std::string_view name) const {
  auto it = dimension_ids_.find(AbslView(name));
  return it == dimension_ids_.end() ? nullptr : &dimensions_[it->second];
}

AUDIENCE_FUNC const AttributeSpec* Schema::FindAttribute(std::string_view name) const {
  auto it = attribute_ids_.find(AbslView(name));
  return it == attribute_ids_.end() ? nullptr : &attributes_[it->second];
}

AUDIENCE_FUNC const EventTypeSpec* Schema::FindEventType(std::string_view name) const {
  auto it = event_type_ids_.find(AbslView(name));
  return it == event_type_ids_.end() ? nullptr : &event_types_[it->second];
}

AUDIENCE_FUNC std::optional<DimensionId> Schema::DimensionIdOf(std::string_view name) const {
  auto it = dimension_ids_.find(AbslView(name));
  if (it == dimension_ids_.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC std::optional<AttributeId> Schema::AttributeIdOf(std::string_view name) const {
  auto it = attribute_ids_.find(AbslView(name));
  if (it == attribute_ids_.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC std::optional<EventTypeId> Schema::EventTypeIdOf(std::string_view name) const {
  auto it = event_type_ids_.find(AbslView(name));
  if (it == event_type_ids_.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC std::vector<std::string> Schema::KnownNames() const {
  std::vector<std::string> names;
  names.reserve(dimensions_.size() + attributes_.size() + event_types_.size());
  for (const auto& d : dimensions_) names.push_back(d.name);
  for (const auto& a : attributes_) names.push_back(a.name);
  for (const auto& e : event_types_) names.push_back(e.name);
  return names;
}

AUDIENCE_FUNC bool operator==(const Schema& a, const Schema& b) {
  // The id maps are derived from the vectors, so the vectors decide.
  return a.dimensions_ == b.dimensions_ && a.attributes_ == b.attributes_ &&
         a.event_types_ == b.event_types_;
}

AUDIENCE_FUNC std::string_view AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kInt64: return "int64";
    case AttributeType::kDouble: return "double";
    case AttributeType::kEnum: return "enum";
    case AttributeType::kTimestamp: return "timestamp";
    case AttributeType::kBool: return "bool";
  }
  return "unknown";  // only reachable through a cast of an out-of-range value
}

AUDIENCE_FUNC std::optional<AttributeType> ParseAttributeType(std::string_view name) {
  for (AttributeType t : {AttributeType::kInt64, AttributeType::kDouble, AttributeType::kEnum,
                          AttributeType::kTimestamp, AttributeType::kBool}) {
    if (AttributeTypeName(t) == name) return t;
  }
  return std::nullopt;
}

namespace schema_internal {

AUDIENCE_FUNC std::string KnownValues(const std::vector<std::string>& values, size_t max,
                                      bool quoted, bool count_rest) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += quoted ? fmt::format("'{}'", values[i]) : values[i];
  }
  if (values.size() > max) {
    out += count_rest ? fmt::format(", ... ({} more)", values.size() - max) : ", ...";
  }
  return out;
}

}  // namespace schema_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SCHEMA_SCHEMA_INL_H_
