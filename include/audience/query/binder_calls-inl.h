// The binder's function calls: has, segment, any and the event functions.
// Internal to binder-inl.h.
#ifndef AUDIENCE_QUERY_BINDER_CALLS_INL_H_
#define AUDIENCE_QUERY_BINDER_CALLS_INL_H_

#include <algorithm>
#include <string>
#include <vector>

#include "audience/query/binder.h"
#include "audience/query/parser.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC const std::vector<std::string>& QueryFunctionNames() {
  static const auto* names = new std::vector<std::string>{
      "has", "segment", "any", "did", "count", "sum", "first", "last", "purchased"};
  return *names;
}

namespace binder_internal {

inline std::optional<BoundExpr> Binder::BindCall(const Node& n) {
  const std::string& f = n.name;
  bool compared = n.op != TokenKind::kEnd;
  auto no_comparison = [&](std::string_view hint) {
    if (!compared) return true;
    Error(DiagnosticCode::kBadArgument, n.pos,
          fmt::format("{}(...) is a condition and cannot be compared{}", f, hint));
    return false;
  };
  if (f == "has") return no_comparison("") ? BindHas(n) : std::nullopt;
  if (f == "segment") return no_comparison("") ? BindSegment(n) : std::nullopt;
  if (f == "any") return no_comparison("") ? BindAny(n) : std::nullopt;
  if (f == "did") {
    if (!no_comparison("; use count(...) >= N to compare")) return std::nullopt;
    return BindEvent(n, f, std::nullopt);
  }
  if (f == "count" || f == "sum" || f == "first" || f == "last") {
    return BindEvent(n, f, std::nullopt);
  }
  if (std::optional<EventTypeId> type = schema_.EventTypeIdOf(f)) return BindEvent(n, f, type);
  if (f == "purchased") {
    if (std::optional<EventTypeId> type = schema_.EventTypeIdOf("purchase")) {
      return BindEvent(n, f, type);
    }
    Error(DiagnosticCode::kUnknownFunction, n.pos,
          "purchased(...) needs an event type named 'purchase' in the schema");
    return std::nullopt;
  }
  std::vector<std::string> names = QueryFunctionNames();
  for (const EventTypeSpec& e : schema_.event_types()) names.push_back(e.name);
  Error(DiagnosticCode::kUnknownFunction, n.pos, fmt::format("unknown function '{}'", f),
        DidYouMean(f, names));
  return std::nullopt;
}

inline std::optional<BoundExpr> Binder::BindHas(const Node& n) {
  const Argument* arg = n.arguments.size() == 1 ? &n.arguments[0] : nullptr;
  if (arg == nullptr || !arg->name.empty() || arg->condition ||
      arg->value.kind != Operand::Kind::kName) {
    Error(DiagnosticCode::kBadArgument, arg ? arg->pos : n.pos,
          "has() takes one dimension, attribute or event type name, e.g. has(interest)");
    return std::nullopt;
  }
  Node name_node;
  name_node.name = arg->value.text;
  name_node.pos = arg->value.pos;
  NameKind kind = KindOf(name_node.name);
  if (kind == NameKind::kNone) {
    Error(DiagnosticCode::kUnknownName, name_node.pos,
          fmt::format("unknown name '{}'", name_node.name),
          DidYouMean(name_node.name, schema_.KnownNames()));
    return std::nullopt;
  }
  if (!CountPredicate(n.pos)) return std::nullopt;
  if (kind == NameKind::kEventType) {
    BoundExpr e = Make(K::kEvent, n.pos);
    e.event.type = *schema_.EventTypeIdOf(name_node.name);
    e.event.from = -kMaxQueryTime;
    e.event.to = absl::ToUnixSeconds(o_.now) + 1;
    return e;
  }
  BoundExpr e = HasValue(name_node);
  e.pos = n.pos;
  return e;
}

inline std::optional<BoundExpr> Binder::BindSegment(const Node& n) {
  const Argument* arg = n.arguments.size() == 1 ? &n.arguments[0] : nullptr;
  if (arg == nullptr || !arg->name.empty() || arg->condition ||
      (arg->value.kind != Operand::Kind::kString && arg->value.kind != Operand::Kind::kName)) {
    Error(DiagnosticCode::kBadArgument, arg ? arg->pos : n.pos,
          "segment() takes the name of a saved segment, e.g. segment('vip')");
    return std::nullopt;
  }
  const std::string& name = arg->value.text;
  const std::string* text = nullptr;
  if (o_.segments != nullptr) {
    auto it = o_.segments->find(name);
    if (it != o_.segments->end()) text = &it->second;
  }
  if (text == nullptr) {
    std::vector<std::string> names;
    if (o_.segments != nullptr) {
      for (const auto& entry : *o_.segments) names.push_back(entry.first);
    }
    Error(DiagnosticCode::kUnknownSegment, arg->value.pos,
          fmt::format("no saved segment '{}'", schema_internal::Shown(name)),
          DidYouMean(name, names));
    return std::nullopt;
  }
  if (std::find(stack_->begin(), stack_->end(), name) != stack_->end()) {
    std::string path;
    for (const std::string& s : *stack_) path += s + " -> ";
    Error(DiagnosticCode::kSegmentCycle, arg->value.pos,
          fmt::format("saved segment '{}' refers to itself: {}{}", name, path, name));
    return std::nullopt;
  }
  if (stack_->size() >= o_.max_segment_depth) {
    Error(DiagnosticCode::kSegmentCycle, arg->value.pos,
          fmt::format("saved segments nest deeper than {} levels at '{}'", o_.max_segment_depth,
                      name));
    return std::nullopt;
  }
  ParseResult parsed = Parse(*text, o_.parser);
  if (!parsed.root) {
    const Diagnostic& d = parsed.diagnostics.front();
    Error(DiagnosticCode::kSegmentError, arg->value.pos,
          fmt::format("saved segment '{}' does not parse: {}:{}: {}", name, d.line, d.column,
                      d.message));
    return std::nullopt;
  }
  std::vector<Diagnostic> inner;
  stack_->push_back(name);
  Binder nested(o_, &inner, stack_, predicates_);
  std::optional<BoundExpr> e = nested.Bind(*parsed.root);
  stack_->pop_back();
  if (!inner.empty()) {
    const Diagnostic& d = inner.front();
    // A cycle or an overflow deeper down is reported as such, not as "broken".
    DiagnosticCode code = d.code == DiagnosticCode::kSegmentCycle ||
                                  d.code == DiagnosticCode::kQueryTooLarge
                              ? d.code
                              : DiagnosticCode::kSegmentError;
    std::string message = code == DiagnosticCode::kSegmentError
                              ? fmt::format("saved segment '{}' does not compile: {}:{}: {}", name,
                                            d.line, d.column, d.message)
                              : d.message;
    Error(code, arg->value.pos, std::move(message), d.suggestion);
    return std::nullopt;
  }
  return e;
}

inline std::optional<BoundExpr> Binder::BindAny(const Node& n) {
  const Argument* first = n.arguments.empty() ? nullptr : &n.arguments[0];
  std::optional<int64_t> count;
  if (first != nullptr && first->name.empty() && !first->condition) {
    Converted<int64_t> v = ToInt(first->value);
    if (auto* c = std::get_if<int64_t>(&v); c && *c >= 0 && *c <= UINT32_MAX) count = *c;
  }
  if (!count) {
    Error(DiagnosticCode::kBadArgument, first ? first->pos : n.pos,
          "any() takes a count and then conditions, e.g. any(2, interest:tech, age < 30)");
    return std::nullopt;
  }
  BoundExpr e = Make(K::kAtLeast, n.pos);
  e.count = static_cast<uint32_t>(*count);
  bool ok = true;
  for (size_t i = 1; i < n.arguments.size(); ++i) {
    const Argument& a = n.arguments[i];
    if (!a.condition && !a.name.empty()) {
      // The parser reads `vip = true` inside a call as a named argument;
      // among any()'s conditions it is the comparison.
      Node compare;
      compare.kind = Node::Kind::kCompare;
      compare.name = a.name;
      compare.op = TokenKind::kEq;
      compare.values.push_back(a.value);
      compare.pos = a.pos;
      std::optional<BoundExpr> c = Bind(compare);
      if (c) e.children.push_back(*std::move(c));
      ok = ok && c.has_value();
      continue;
    }
    if (!a.condition) {
      Error(DiagnosticCode::kBadArgument, a.pos,
            fmt::format("argument {} of any() must be a condition such as interest:tech", i + 1));
      ok = false;
      continue;
    }
    std::optional<BoundExpr> c = Bind(*a.condition);
    if (c) e.children.push_back(*std::move(c));
    ok = ok && c.has_value();
  }
  if (!ok) return std::nullopt;
  // With no conditions, any(0) is everyone and any(n > 0) nobody (the
  // canonical text of those two constants).
  if (e.children.empty()) return Make(e.count == 0 ? K::kAll : K::kNone, n.pos);
  return e;
}

inline bool Binder::BindEventArguments(const Node& n, bool type_given, EventPredicate* e) {
  bool ok = true;
  bool have_type = type_given;
  std::vector<std::string> seen;
  std::optional<int64_t> within;
  std::optional<UnixSeconds> from, to;
  const UnixSeconds now = absl::ToUnixSeconds(o_.now);
  for (const Argument& a : n.arguments) {
    if (a.condition) {
      Error(DiagnosticCode::kBadArgument, a.pos,
            fmt::format("{}() takes an event type and name = value arguments, not a condition",
                        n.name));
      ok = false;
      continue;
    }
    if (a.name.empty()) {
      if (have_type || a.value.kind != Operand::Kind::kName) {
        Error(DiagnosticCode::kBadArgument, a.pos,
              have_type ? fmt::format("unexpected positional argument to {}()", n.name)
                        : fmt::format("{}() starts with an event type, e.g. {}(purchase, "
                                      "within = 30d)", n.name, n.name));
        ok = false;
        continue;
      }
      std::optional<EventTypeId> type = schema_.EventTypeIdOf(a.value.text);
      if (!type) {
        Error(DiagnosticCode::kUnknownName, a.value.pos,
              fmt::format("unknown event type '{}'", a.value.text),
              DidYouMean(a.value.text, NamesOf(false, false, true)));
        return false;
      }
      e->type = *type;
      have_type = true;
      continue;
    }
    if (!have_type) {
      Error(DiagnosticCode::kBadArgument, a.pos,
            fmt::format("{}() starts with an event type, e.g. {}(purchase, within = 30d)",
                        n.name, n.name));
      return false;
    }
    if (std::find(seen.begin(), seen.end(), a.name) != seen.end()) {
      Error(DiagnosticCode::kBadArgument, a.pos, fmt::format("argument '{}' given twice", a.name));
      ok = false;
      continue;
    }
    seen.push_back(a.name);
    const EventTypeSpec& spec = schema_.event_types()[e->type];
    if (a.name == "within") {
      Converted<int64_t> d = ToDurationSeconds(a.value);
      if (auto* why = std::get_if<std::string>(&d)) {
        Error(DiagnosticCode::kBadArgument, a.value.pos, fmt::format("within: {}", *why));
        ok = false;
      } else {
        within = std::get<int64_t>(d);
      }
    } else if (a.name == "from" || a.name == "to") {
      Converted<UnixSeconds> t = ToTime(a.value, o_.now, o_.time_zone);
      if (auto* why = std::get_if<std::string>(&t)) {
        Error(DiagnosticCode::kBadTime, a.value.pos, fmt::format("{}: {}", a.name, *why));
        ok = false;
      } else {
        (a.name == "from" ? from : to) = std::get<UnixSeconds>(t);
      }
    } else {
      auto p = std::find_if(spec.properties.begin(), spec.properties.end(),
                            [&](const PropertySpec& s) { return s.name == a.name; });
      if (p == spec.properties.end()) {
        std::vector<std::string> names = {"within", "from", "to"};
        for (const PropertySpec& s : spec.properties) names.push_back(s.name);
        Error(DiagnosticCode::kBadArgument, a.pos,
              fmt::format("event type '{}' has no property '{}'", spec.name, a.name),
              DidYouMean(a.name, names));
        ok = false;
        continue;
      }
      if (a.value.kind != Operand::Kind::kString && a.value.kind != Operand::Kind::kInteger) {
        Error(DiagnosticCode::kTypeMismatch, a.value.pos,
              fmt::format("property '{}' takes a quoted value, got {}", a.name,
                          OperandKindName(a.value)));
        ok = false;
        continue;
      }
      std::string value = a.value.negative ? "-" + a.value.text : a.value.text;
      if (absl::Status s = Schema::ValidateValue("value", value); !s.ok()) {
        Error(DiagnosticCode::kUnknownValue, a.value.pos,
              fmt::format("property '{}': {}", a.name, StdView(s.message())));
        ok = false;
        continue;
      }
      e->equals.emplace_back(static_cast<uint32_t>(p - spec.properties.begin()), value);
    }
  }
  if (!have_type) {
    Error(DiagnosticCode::kBadArgument, n.pos,
          fmt::format("{}() needs an event type, e.g. {}(purchase, within = 30d)", n.name, n.name));
    return false;
  }
  if (within && (from || to)) {
    Error(DiagnosticCode::kBadArgument, n.pos,
          fmt::format("{}(): give either within or from/to, not both", n.name));
    return false;
  }
  e->from = within ? now - *within : from.value_or(-kMaxQueryTime);
  e->to = std::min(to.value_or(now + 1), now + 1);
  std::sort(e->equals.begin(), e->equals.end());
  e->equals.erase(std::unique(e->equals.begin(), e->equals.end()), e->equals.end());
  return ok;
}

inline std::optional<BoundExpr> Binder::BindEvent(const Node& n, std::string_view function,
                                                  std::optional<EventTypeId> type) {
  BoundExpr e = Make(K::kEvent, n.pos);
  EventPredicate& ev = e.event;
  if (type) ev.type = *type;
  ev.measure = function == "sum"     ? EventMeasure::kSum
               : function == "first" ? EventMeasure::kFirst
               : function == "last"  ? EventMeasure::kLast
                                     : EventMeasure::kCount;
  bool ok = BindEventArguments(n, type.has_value(), &ev);
  bool compared = n.op != TokenKind::kEnd;
  bool optional_compare = function == "did" || type.has_value();
  if (!compared && !optional_compare) {
    Error(DiagnosticCode::kBadArgument, n.pos,
          fmt::format("{}(...) needs a comparison, e.g. {}(purchase, within = 30d) {}", function,
                      function,
                      ev.measure == EventMeasure::kCount ? ">= 2"
                      : ev.measure == EventMeasure::kSum ? "> 100"
                                                         : "< now - 30d"));
    return std::nullopt;
  }
  if (compared) {
    ev.op = *ToCompareOp(n.op);
    const Operand& o = n.values[0];
    if (ev.measure == EventMeasure::kFirst || ev.measure == EventMeasure::kLast) {
      Converted<UnixSeconds> t = ToTime(o, o_.now, o_.time_zone);
      if (auto* why = std::get_if<std::string>(&t)) {
        Error(DiagnosticCode::kBadTime, o.pos, fmt::format("{}(): {}", function, *why));
        return std::nullopt;
      }
      ev.time = std::get<UnixSeconds>(t);
    } else {
      Converted<double> v = ToNumber(o);
      if (auto* why = std::get_if<std::string>(&v)) {
        Error(DiagnosticCode::kTypeMismatch, o.pos, fmt::format("{}(): {}", function, *why));
        return std::nullopt;
      }
      ev.number = std::get<double>(v) == 0 ? 0.0 : std::get<double>(v);
    }
  }
  if (!ok || !CountPredicate(n.pos)) return std::nullopt;
  return e;
}

}  // namespace binder_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_BINDER_CALLS_INL_H_
