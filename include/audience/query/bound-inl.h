// Definitions for bound.h.
#ifndef AUDIENCE_QUERY_BOUND_INL_H_
#define AUDIENCE_QUERY_BOUND_INL_H_

#include <cmath>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/query/bound.h"
#include "audience/query/bound_text.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE



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
