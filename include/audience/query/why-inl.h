// Why(): one person against one query, predicate by predicate. Internal to
// query-inl.h. Each leaf is evaluated by the same executor code as a query,
// with the person as the scope, so Why agrees with Evaluate by construction;
// the details come from the person's own data.
#ifndef AUDIENCE_QUERY_WHY_INL_H_
#define AUDIENCE_QUERY_WHY_INL_H_

#include <string>

#include "audience/query/bound_text.h"
#include "audience/query/leaf_eval-inl.h"
#include "audience/query/query.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace why_internal {

inline std::string Detail(const Store& store, const BoundExpr& e, PersonId p, UnixSeconds now) {
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kTag: case K::kHasTag: {
      const TagDimension& d = store.dimension(e.dim);
      std::string values;
      for (const TagAssignment& a : d.PersonTags(p, now)) {
        values += (values.empty() ? "" : ", ") + d.ValueName(a.value_id);
      }
      return values.empty() ? fmt::format("{}: none", d.name())
                            : fmt::format("{}: {}", d.name(), values);
    }
    case K::kCompare: case K::kBetween: case K::kIn: case K::kNotNull: {
      const AttributeColumn& c = store.attribute(e.attr);
      return fmt::format("{} = {}", c.name(), bound_internal::Literal(c.Get(p)));
    }
    case K::kEvent: {
      const EventIndex& idx = store.event_type(e.event.type);
      std::optional<WindowFilter> f = executor_internal::ResolveWindow(idx, e.event);
      if (!f) return "no matching events";
      WindowStats s = idx.StatsInWindow(p, *f);
      if (s.count == 0) return "no matching events";
      return fmt::format("{} matching event(s), amount sum {}, first {}, last {}", s.count,
                         fmt::format("{:.2f}", s.sum), FormatUtc(s.first), FormatUtc(s.last));
    }
    default: return "";
  }
}

inline WhyNode Explain(const Store& store, const BoundExpr& e, const Bitmap& person, PersonId p,
                       UnixSeconds now) {
  using K = BoundExpr::Kind;
  WhyNode n;
  switch (e.kind) {
    case K::kAll: n.text = "everyone"; n.holds = true; return n;
    case K::kNone: n.text = "nobody"; n.holds = false; return n;
    case K::kAnd: case K::kOr: case K::kNot: case K::kAtLeast: {
      size_t held = 0;
      for (const BoundExpr& c : e.children) {
        n.children.push_back(Explain(store, c, person, p, now));
        held += n.children.back().holds ? 1 : 0;
      }
      const size_t m = e.children.size();
      n.text = e.kind == K::kAnd ? "AND" : e.kind == K::kOr ? "OR" : e.kind == K::kNot ? "NOT"
                                                             : fmt::format("any({})", e.count);
      n.holds = e.kind == K::kAnd ? held == m
                : e.kind == K::kOr ? held > 0
                : e.kind == K::kNot ? held == 0
                                    : held >= e.count;
      n.detail = fmt::format("{} of {} hold", held, m);
      return n;
    }
    default: {
      PlanLeaf leaf{.expr = e, .text = Describe(e, store.schema())};
      n.text = leaf.text;
      n.holds = EvaluateLeaf(store, leaf, now, &person).Contains(p);
      n.detail = Detail(store, e, p, now);
      return n;
    }
  }
}

inline void Render(const WhyNode& n, int depth, std::string* out) {
  *out += fmt::format("{:{}}[{}] {}{}\n", "", depth * 2, n.holds ? "yes" : "no ", n.text,
                      n.detail.empty() ? "" : "  (" + n.detail + ")");
  for (const WhyNode& c : n.children) Render(c, depth + 1, out);
}

}  // namespace why_internal

AUDIENCE_FUNC WhyNode Why(const Store& store, const Query& query, PersonId person) {
  Bitmap scope;
  if (store.universe().Contains(person)) scope.Add(person);
  return why_internal::Explain(store, query.expr(), scope, person, query.now());
}

AUDIENCE_FUNC std::string RenderWhy(const WhyNode& why) {
  std::string out;
  why_internal::Render(why, 0, &out);
  return out;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_WHY_INL_H_
