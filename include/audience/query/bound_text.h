// Text helpers shared by Describe (bound-inl.h) and Why (why-inl.h): query
// literals that the lexer reads back exactly. Internal; all inline.
#ifndef AUDIENCE_QUERY_BOUND_TEXT_H_
#define AUDIENCE_QUERY_BOUND_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

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

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_BOUND_TEXT_H_
