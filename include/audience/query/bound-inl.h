// Definitions for bound.h.
#ifndef AUDIENCE_QUERY_BOUND_INL_H_
#define AUDIENCE_QUERY_BOUND_INL_H_

#include <cmath>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/query/bound.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bound_internal {

// A string literal the lexer reads back to `s`.
inline std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A decimal the lexer reads back to exactly `v` (no exponent form).
inline std::string Decimal(double v) {
  if (v == 0) v = 0;  // -0 prints as 0: equal expressions give equal text
  std::string s = fmt::format("{}", v);
  if (s.find_first_of("eE") == std::string::npos) return s;
  s = fmt::format("{:.400f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

inline std::string Literal(const Value& v) {
  if (v.is_null()) return "NULL";
  switch (v.type()) {
    case AttributeType::kInt64: return fmt::format("{}", v.int_value());
    case AttributeType::kDouble: return Decimal(v.double_value());
    case AttributeType::kEnum: return Quote(v.enum_value());
    case AttributeType::kTimestamp:
      return Quote(FormatUtc(absl::ToUnixSeconds(v.time_value())));
    case AttributeType::kBool: return v.bool_value() ? "true" : "false";
  }
  return "NULL";
}

inline void Join(const std::vector<BoundExpr>& children, std::string_view sep,
                 const Schema& schema, std::string* out) {
  for (size_t i = 0; i < children.size(); ++i) {
    if (i > 0) *out += sep;
    *out += Describe(children[i], schema);
  }
}

inline std::string DescribeEvent(const EventPredicate& e, const Schema& schema) {
  static constexpr std::string_view kFunction[] = {"count", "sum", "first", "last"};
  const EventTypeSpec& spec = schema.event_types()[e.type];
  std::string out = fmt::format("{}({}", kFunction[static_cast<int>(e.measure)], spec.name);
  for (const auto& [property, value] : e.equals) {
    out += fmt::format(", {} = {}", spec.properties[property].name, Quote(value));
  }
  if (e.from > -kMaxQueryTime) out += fmt::format(", from = {}", Quote(FormatUtc(e.from)));
  out += fmt::format(", to = {})", Quote(FormatUtc(e.to)));
  out += fmt::format(" {} ", CompareOpText(e.op));
  if (e.measure == EventMeasure::kFirst || e.measure == EventMeasure::kLast) {
    out += Quote(FormatUtc(e.time));
  } else {
    out += Decimal(e.number);
  }
  return out;
}

}  // namespace bound_internal

AUDIENCE_FUNC std::string FormatUtc(UnixSeconds t) {
  absl::CivilSecond c = absl::ToCivilSecond(absl::FromUnixSeconds(t), absl::UTCTimeZone());
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year(), c.month(), c.day(),
                     c.hour(), c.minute(), c.second());
}

AUDIENCE_FUNC std::string_view CompareOpText(CompareOp op) {
  static constexpr std::string_view kText[] = {"=", "!=", "<", "<=", ">", ">="};
  return kText[static_cast<int>(op)];
}

AUDIENCE_FUNC std::string Describe(const BoundExpr& e, const Schema& schema) {
  using bound_internal::Literal;
  using bound_internal::Quote;
  using K = BoundExpr::Kind;
  std::string out;
  switch (e.kind) {
    case K::kAll: return "any(0)";
    case K::kNone: return "any(1)";
    case K::kAnd:
    case K::kOr:
      out = "(";
      bound_internal::Join(e.children, e.kind == K::kAnd ? " AND " : " OR ", schema, &out);
      return out + ")";
    case K::kNot: return "NOT " + Describe(e.children[0], schema);
    case K::kAtLeast:
      out = fmt::format("any({}", e.count);
      for (const BoundExpr& c : e.children) out += ", " + Describe(c, schema);
      return out + ")";
    case K::kTag: {
      const std::string& dim = schema.dimensions()[e.dim].name;
      if (e.tag_values.size() == 1) return fmt::format("{}:{}", dim, Quote(e.tag_values[0]));
      out = dim + " IN (";
      for (size_t i = 0; i < e.tag_values.size(); ++i) {
        out += (i > 0 ? ", " : "") + Quote(e.tag_values[i]);
      }
      return out + ")";
    }
    case K::kHasTag: return fmt::format("has({})", schema.dimensions()[e.dim].name);
    case K::kCompare:
      return fmt::format("{} {} {}", schema.attributes()[e.attr].name, CompareOpText(e.op),
                         Literal(e.values[0]));
    case K::kBetween:
      return fmt::format("{} BETWEEN {} AND {}", schema.attributes()[e.attr].name,
                         Literal(e.values[0]), Literal(e.values[1]));
    case K::kIn:
      out = schema.attributes()[e.attr].name + " IN (";
      for (size_t i = 0; i < e.values.size(); ++i) {
        out += (i > 0 ? ", " : "") + Literal(e.values[i]);
      }
      return out + ")";
    case K::kNotNull:
      return fmt::format("{} IS NOT NULL", schema.attributes()[e.attr].name);
    case K::kEvent: return bound_internal::DescribeEvent(e.event, schema);
  }
  return out;
}

AUDIENCE_FUNC bool operator==(const BoundExpr& a, const BoundExpr& b) {
  if (a.kind != b.kind) return false;
  using K = BoundExpr::Kind;
  switch (a.kind) {
    case K::kAll: case K::kNone: return true;
    case K::kAnd: case K::kOr: case K::kNot: return a.children == b.children;
    case K::kAtLeast: return a.count == b.count && a.children == b.children;
    case K::kTag: return a.dim == b.dim && a.tag_values == b.tag_values;
    case K::kHasTag: return a.dim == b.dim;
    case K::kCompare: return a.attr == b.attr && a.op == b.op && a.values == b.values;
    case K::kBetween: case K::kIn: return a.attr == b.attr && a.values == b.values;
    case K::kNotNull: return a.attr == b.attr;
    case K::kEvent: return a.event == b.event;
  }
  return false;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_BOUND_INL_H_
