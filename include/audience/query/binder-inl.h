// Definitions for binder.h: the walk over the AST and the plain predicates.
// Function calls are bound in binder_calls-inl.h.
#ifndef AUDIENCE_QUERY_BINDER_INL_H_
#define AUDIENCE_QUERY_BINDER_INL_H_

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audience/base/strings.h"
#include "audience/query/binder.h"
#include "audience/query/binder_values-inl.h"
#include "audience/query/suggest.h"
#include "audience/schema/schema.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace binder_internal {

using K = BoundExpr::Kind;

inline std::optional<CompareOp> ToCompareOp(TokenKind t) {
  switch (t) {
    case TokenKind::kEq: return CompareOp::kEq;
    case TokenKind::kNe: return CompareOp::kNe;
    case TokenKind::kLt: return CompareOp::kLt;
    case TokenKind::kLe: return CompareOp::kLe;
    case TokenKind::kGt: return CompareOp::kGt;
    case TokenKind::kGe: return CompareOp::kGe;
    default: return std::nullopt;
  }
}

inline BoundExpr Make(K kind, const SourcePos& pos) {
  BoundExpr e;
  e.kind = kind;
  e.pos = pos;
  return e;
}

inline BoundExpr Negate(BoundExpr e) {
  BoundExpr n = Make(K::kNot, e.pos);
  n.children.push_back(std::move(e));
  return n;
}

// a AND NOT b: the "!=", "NOT IN", "NOT BETWEEN" forms that exclude people
// without a value.
inline BoundExpr AndNot(BoundExpr has_value, BoundExpr b) {
  BoundExpr n = Make(K::kAnd, b.pos);
  n.children.push_back(std::move(has_value));
  n.children.push_back(Negate(std::move(b)));
  return n;
}

inline bool ValueLess(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return !a.is_null() ? false : !b.is_null();
  switch (a.type()) {
    case AttributeType::kInt64: return a.int_value() < b.int_value();
    case AttributeType::kDouble: return a.double_value() < b.double_value();
    case AttributeType::kEnum: return a.enum_value() < b.enum_value();
    case AttributeType::kTimestamp: return a.time_value() < b.time_value();
    case AttributeType::kBool: return a.bool_value() < b.bool_value();
  }
  return false;
}

class Binder {
 public:
  Binder(const BindOptions& options, std::vector<Diagnostic>* diagnostics,
         std::vector<std::string>* segment_stack, size_t* predicates)
      : o_(options),
        schema_(*options.schema),
        diagnostics_(diagnostics),
        stack_(segment_stack),
        predicates_(predicates) {}

  // nullopt when a diagnostic was recorded for this node or below.
  std::optional<BoundExpr> Bind(const Node& n);

 private:
  enum class NameKind { kNone, kDimension, kAttribute, kEventType };
  NameKind KindOf(std::string_view name) const {
    if (schema_.FindDimension(name)) return NameKind::kDimension;
    if (schema_.FindAttribute(name)) return NameKind::kAttribute;
    if (schema_.FindEventType(name)) return NameKind::kEventType;
    return NameKind::kNone;
  }

  void Error(DiagnosticCode code, const SourcePos& pos, std::string message,
             std::string suggestion = "") {
    if (diagnostics_->size() >= o_.max_diagnostics) return;
    Diagnostic d;
    d.code = code;
    d.offset = pos.offset;
    d.length = pos.length;
    d.line = pos.line;
    d.column = pos.column;
    d.message = std::move(message);
    d.suggestion = std::move(suggestion);
    diagnostics_->push_back(std::move(d));
  }
  static std::string DidYouMean(std::string_view typed, const std::vector<std::string>& names) {
    std::optional<std::string> best = ClosestName(typed, names);
    return best ? fmt::format("did you mean '{}'?", *best) : "";
  }
  std::vector<std::string> NamesOf(bool dims, bool attrs, bool events) const;
  void UnknownName(const Node& n, bool dims, bool attrs, bool events);
  // Counts one predicate against max_predicates; false once over.
  bool CountPredicate(const SourcePos& pos);

  std::optional<BoundExpr> BindChildren(const Node& n, K kind);
  std::optional<BoundExpr> BindTag(const Node& n, const std::vector<Operand>& values);
  std::optional<std::string> TagValue(const DimensionSpec& spec, const Operand& o);
  std::optional<BoundExpr> BindCompare(const Node& n);
  std::optional<BoundExpr> BindIn(const Node& n);
  std::optional<BoundExpr> BindBetween(const Node& n);
  std::optional<BoundExpr> BindIsNull(const Node& n);
  std::optional<Value> AttributeValue(const AttributeSpec& spec, const Operand& o);
  BoundExpr HasValue(const Node& n);

  // binder_calls-inl.h
  std::optional<BoundExpr> BindCall(const Node& n);
  std::optional<BoundExpr> BindHas(const Node& n);
  std::optional<BoundExpr> BindSegment(const Node& n);
  std::optional<BoundExpr> BindAny(const Node& n);
  std::optional<BoundExpr> BindEvent(const Node& n, std::string_view function,
                                     std::optional<EventTypeId> type);
  bool BindEventArguments(const Node& n, bool type_given, EventPredicate* e);

  const BindOptions& o_;
  const Schema& schema_;
  std::vector<Diagnostic>* diagnostics_;
  std::vector<std::string>* stack_;
  size_t* predicates_;
};

inline std::vector<std::string> Binder::NamesOf(bool dims, bool attrs, bool events) const {
  std::vector<std::string> names;
  if (dims) for (const auto& d : schema_.dimensions()) names.push_back(d.name);
  if (attrs) for (const auto& a : schema_.attributes()) names.push_back(a.name);
  if (events) for (const auto& e : schema_.event_types()) names.push_back(e.name);
  return names;
}

inline void Binder::UnknownName(const Node& n, bool dims, bool attrs, bool events) {
  std::string_view what = dims && attrs ? "dimension or attribute" : dims ? "dimension" : "attribute";
  if (KindOf(n.name) == NameKind::kEventType) {
    Error(DiagnosticCode::kTypeMismatch, n.pos,
          fmt::format("'{}' is an event type; ask about events with did({}, ...) or count({}, "
                      "...)", n.name, n.name, n.name));
    return;
  }
  Error(DiagnosticCode::kUnknownName, n.pos, fmt::format("unknown {} '{}'", what, n.name),
        DidYouMean(n.name, NamesOf(dims, attrs, events)));
}

inline bool Binder::CountPredicate(const SourcePos& pos) {
  if (++*predicates_ == o_.max_predicates + 1) {
    Error(DiagnosticCode::kQueryTooLarge, pos,
          fmt::format("the query has more than {} predicates (saved segments expanded)",
                      o_.max_predicates));
  }
  return *predicates_ <= o_.max_predicates;
}

inline std::optional<BoundExpr> Binder::Bind(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kAnd: return BindChildren(n, K::kAnd);
    case Node::Kind::kOr: return BindChildren(n, K::kOr);
    case Node::Kind::kNot: return BindChildren(n, K::kNot);
    case Node::Kind::kTag:
      if (KindOf(n.name) == NameKind::kAttribute) {
        Error(DiagnosticCode::kTypeMismatch, n.pos,
              fmt::format("'{}' is an attribute, not a tag dimension; compare it, e.g. {} = {}",
                          n.name, n.name, n.values.empty() ? "..." : "'" + n.values[0].text + "'"));
        return std::nullopt;
      }
      return BindTag(n, n.values);
    case Node::Kind::kIn: return BindIn(n);
    case Node::Kind::kCompare: return BindCompare(n);
    case Node::Kind::kBetween: return BindBetween(n);
    case Node::Kind::kIsNull: return BindIsNull(n);
    case Node::Kind::kCall: return BindCall(n);
  }
  return std::nullopt;
}

inline std::optional<BoundExpr> Binder::BindChildren(const Node& n, K kind) {
  BoundExpr e = Make(kind, n.pos);
  bool ok = true;
  for (const NodePtr& c : n.children) {
    std::optional<BoundExpr> b = c ? Bind(*c) : std::nullopt;
    if (!b) {
      ok = false;
      continue;
    }
    e.children.push_back(*std::move(b));
  }
  if (!ok) return std::nullopt;
  return e;
}

inline std::optional<std::string> Binder::TagValue(const DimensionSpec& spec, const Operand& o) {
  if (o.kind != Operand::Kind::kString && o.kind != Operand::Kind::kInteger) {
    Error(DiagnosticCode::kTypeMismatch, o.pos,
          fmt::format("a value of dimension '{}' must be quoted text, got {}", spec.name,
                      OperandKindName(o)));
    return std::nullopt;
  }
  std::string value = o.kind == Operand::Kind::kInteger && o.negative ? "-" + o.text : o.text;
  if (!spec.values.empty()) {
    if (std::find(spec.values.begin(), spec.values.end(), value) == spec.values.end()) {
      Error(DiagnosticCode::kUnknownValue, o.pos,
            fmt::format("'{}' is not a value of dimension '{}'", schema_internal::Shown(value),
                        spec.name),
            DidYouMean(value, spec.values));
      return std::nullopt;
    }
  } else if (absl::Status s = Schema::ValidateValue("value", value); !s.ok()) {
    Error(DiagnosticCode::kUnknownValue, o.pos,
          fmt::format("dimension '{}': {}", spec.name, StdView(s.message())));
    return std::nullopt;
  }
  return value;
}

inline std::optional<BoundExpr> Binder::BindTag(const Node& n, const std::vector<Operand>& values) {
  std::optional<DimensionId> dim = schema_.DimensionIdOf(n.name);
  if (!dim) {
    UnknownName(n, true, false, false);
    return std::nullopt;
  }
  if (!CountPredicate(n.pos)) return std::nullopt;
  BoundExpr e = Make(K::kTag, n.pos);
  e.dim = *dim;
  bool ok = true;
  for (const Operand& o : values) {
    std::optional<std::string> v = TagValue(schema_.dimensions()[*dim], o);
    if (v) e.tag_values.push_back(*std::move(v));
    ok = ok && v.has_value();
  }
  if (!ok) return std::nullopt;
  std::sort(e.tag_values.begin(), e.tag_values.end());
  e.tag_values.erase(std::unique(e.tag_values.begin(), e.tag_values.end()), e.tag_values.end());
  return e;
}

inline BoundExpr Binder::HasValue(const Node& n) {
  if (std::optional<DimensionId> dim = schema_.DimensionIdOf(n.name)) {
    BoundExpr e = Make(K::kHasTag, n.pos);
    e.dim = *dim;
    return e;
  }
  BoundExpr e = Make(K::kNotNull, n.pos);
  e.attr = *schema_.AttributeIdOf(n.name);
  return e;
}

inline std::optional<Value> Binder::AttributeValue(const AttributeSpec& spec, const Operand& o) {
  auto fail = [&](const std::string& why) {
    Error(DiagnosticCode::kTypeMismatch, o.pos,
          fmt::format("attribute '{}' is {}: {}", spec.name, AttributeTypeName(spec.type), why));
    return std::nullopt;
  };
  if (o.kind == Operand::Kind::kNull) {
    return fail("compare with NULL using IS NULL or IS NOT NULL");
  }
  switch (spec.type) {
    case AttributeType::kInt64: {
      Converted<int64_t> v = ToInt(o);
      if (auto* why = std::get_if<std::string>(&v)) return fail(*why);
      return Value::Int(std::get<int64_t>(v));
    }
    case AttributeType::kDouble: {
      Converted<double> v = ToNumber(o);
      if (auto* why = std::get_if<std::string>(&v)) return fail(*why);
      return Value::Double(std::get<double>(v) == 0 ? 0.0 : std::get<double>(v));
    }
    case AttributeType::kTimestamp: {
      Converted<UnixSeconds> v = ToTime(o, o_.now, o_.time_zone);
      if (auto* why = std::get_if<std::string>(&v)) {
        Error(DiagnosticCode::kBadTime, o.pos,
              fmt::format("attribute '{}' is a timestamp: {}", spec.name, *why));
        return std::nullopt;
      }
      return Value::Time(absl::FromUnixSeconds(std::get<UnixSeconds>(v)));
    }
    case AttributeType::kBool:
      if (o.kind != Operand::Kind::kBool) {
        return fail(fmt::format("expected TRUE or FALSE, got {}", OperandKindName(o)));
      }
      return Value::Bool(o.text == "true");
    case AttributeType::kEnum: {
      if (o.kind != Operand::Kind::kString) {
        return fail(fmt::format("expected a quoted value, got {}", OperandKindName(o)));
      }
      if (!spec.enum_values.empty() &&
          std::find(spec.enum_values.begin(), spec.enum_values.end(), o.text) ==
              spec.enum_values.end()) {
        Error(DiagnosticCode::kUnknownValue, o.pos,
              fmt::format("'{}' is not a value of attribute '{}'",
                          schema_internal::Shown(o.text), spec.name),
              DidYouMean(o.text, spec.enum_values));
        return std::nullopt;
      }
      if (absl::Status s = Schema::ValidateValue("value", o.text); !s.ok()) {
        return fail(std::string(StdView(s.message())));
      }
      return Value::Enum(o.text);
    }
  }
  return std::nullopt;
}

inline std::optional<BoundExpr> Binder::BindCompare(const Node& n) {
  CompareOp op = *ToCompareOp(n.op);
  NameKind kind = KindOf(n.name);
  if (kind == NameKind::kDimension) {
    if (op != CompareOp::kEq && op != CompareOp::kNe) {
      Error(DiagnosticCode::kTypeMismatch, n.pos,
            fmt::format("dimension '{}' takes = and != only (tag values are not ordered)",
                        n.name));
      return std::nullopt;
    }
    std::optional<BoundExpr> tag = BindTag(n, n.values);
    if (!tag || op == CompareOp::kEq) return tag;
    return AndNot(HasValue(n), *std::move(tag));
  }
  if (kind != NameKind::kAttribute) {
    UnknownName(n, true, true, false);
    return std::nullopt;
  }
  const AttributeSpec& spec = *schema_.FindAttribute(n.name);
  if ((spec.type == AttributeType::kEnum || spec.type == AttributeType::kBool) &&
      op != CompareOp::kEq && op != CompareOp::kNe) {
    Error(DiagnosticCode::kTypeMismatch, n.pos,
          fmt::format("attribute '{}' is {}: it takes = and != only", n.name,
                      AttributeTypeName(spec.type)));
    return std::nullopt;
  }
  std::optional<Value> v = AttributeValue(spec, n.values[0]);
  if (!v || !CountPredicate(n.pos)) return std::nullopt;
  BoundExpr e = Make(K::kCompare, n.pos);
  e.attr = *schema_.AttributeIdOf(n.name);
  e.op = op;
  e.values.push_back(*std::move(v));
  return e;
}

inline std::optional<BoundExpr> Binder::BindIn(const Node& n) {
  NameKind kind = KindOf(n.name);
  std::optional<BoundExpr> in;
  if (kind == NameKind::kDimension) {
    in = BindTag(n, n.values);
  } else if (kind == NameKind::kAttribute) {
    const AttributeSpec& spec = *schema_.FindAttribute(n.name);
    BoundExpr e = Make(K::kIn, n.pos);
    e.attr = *schema_.AttributeIdOf(n.name);
    bool ok = true;
    for (const Operand& o : n.values) {
      std::optional<Value> v = AttributeValue(spec, o);
      if (v) e.values.push_back(*std::move(v));
      ok = ok && v.has_value();
    }
    if (!ok || !CountPredicate(n.pos)) return std::nullopt;
    std::sort(e.values.begin(), e.values.end(), ValueLess);
    e.values.erase(std::unique(e.values.begin(), e.values.end()), e.values.end());
    in = std::move(e);
  } else {
    UnknownName(n, true, true, false);
  }
  if (!in || !n.negated) return in;
  return AndNot(HasValue(n), *std::move(in));
}

inline std::optional<BoundExpr> Binder::BindBetween(const Node& n) {
  NameKind kind = KindOf(n.name);
  if (kind != NameKind::kAttribute) {
    if (kind == NameKind::kDimension) {
      Error(DiagnosticCode::kTypeMismatch, n.pos,
            fmt::format("dimension '{}' has no order; use {} IN (...)", n.name, n.name));
    } else {
      UnknownName(n, false, true, false);
    }
    return std::nullopt;
  }
  const AttributeSpec& spec = *schema_.FindAttribute(n.name);
  if (spec.type == AttributeType::kEnum || spec.type == AttributeType::kBool) {
    Error(DiagnosticCode::kTypeMismatch, n.pos,
          fmt::format("attribute '{}' is {}: BETWEEN needs a number or a time", n.name,
                      AttributeTypeName(spec.type)));
    return std::nullopt;
  }
  std::optional<Value> lo = AttributeValue(spec, n.values[0]);
  std::optional<Value> hi = AttributeValue(spec, n.values[1]);
  if (!lo || !hi || !CountPredicate(n.pos)) return std::nullopt;
  BoundExpr e = Make(K::kBetween, n.pos);
  e.attr = *schema_.AttributeIdOf(n.name);
  e.values = {*std::move(lo), *std::move(hi)};
  if (!n.negated) return e;
  return AndNot(HasValue(n), std::move(e));
}

inline std::optional<BoundExpr> Binder::BindIsNull(const Node& n) {
  NameKind kind = KindOf(n.name);
  if (kind != NameKind::kDimension && kind != NameKind::kAttribute) {
    UnknownName(n, true, true, false);
    return std::nullopt;
  }
  if (!CountPredicate(n.pos)) return std::nullopt;
  BoundExpr has = HasValue(n);
  return n.negated ? has : Negate(std::move(has));
}

}  // namespace binder_internal

AUDIENCE_FUNC BindResult Bind(const Node& root, const BindOptions& options) {
  BindResult result;
  std::vector<std::string> stack;
  size_t predicates = 0;
  binder_internal::Binder binder(options, &result.diagnostics, &stack, &predicates);
  std::optional<BoundExpr> e = binder.Bind(root);
  if (e && result.diagnostics.empty()) result.expr = std::move(e);
  return result;
}

AUDIENCE_END_NAMESPACE

#include "audience/query/binder_calls-inl.h"

#endif  // AUDIENCE_QUERY_BINDER_INL_H_
