// Definitions for query.h (Why is in why-inl.h).
#ifndef AUDIENCE_QUERY_QUERY_INL_H_
#define AUDIENCE_QUERY_QUERY_INL_H_

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/query/binder.h"
#include "audience/query/query.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace query_internal {

inline BindOptions BindOptionsFor(const Store& store, const QueryOptions& o,
                                  const absl::btree_map<std::string, std::string>* segments) {
  return BindOptions{.schema = &store.schema(),
                     .now = o.now,
                     .time_zone = o.time_zone,
                     .segments = segments,
                     .parser = o.parser,
                     .max_predicates = o.max_predicates,
                     .max_diagnostics = o.parser.max_diagnostics};
}

inline Plan PlanFor(const Store& store, const Query& q, ExecMode mode, size_t k) {
  return BuildPlan(store, q.expr(), q.now(), {.mode = mode, .k = k, .optimize = q.optimize()});
}

}  // namespace query_internal

AUDIENCE_FUNC CompileResult CompileQuery(const Store& store, std::string_view text,
                                         const QueryOptions& options) {
  CompileResult out;
  ParseResult parsed = Parse(text, options.parser);
  if (!parsed.root) {
    out.diagnostics = std::move(parsed.diagnostics);
    return out;
  }
  BindResult bound =
      Bind(*parsed.root, query_internal::BindOptionsFor(store, options, &store.segments()));
  if (!bound.expr) {
    out.diagnostics = std::move(bound.diagnostics);
    return out;
  }
  Query q;
  q.text_ = std::string(text);
  q.expr_ = *std::move(bound.expr);
  q.now_ = absl::ToUnixSeconds(options.now);
  q.optimize_ = options.optimize;
  out.query = std::move(q);
  return out;
}

AUDIENCE_FUNC absl::StatusOr<Query> Query::Compile(const Store& store, std::string_view text,
                                                   const QueryOptions& options) {
  CompileResult r = CompileQuery(store, text, options);
  if (!r.query) return absl::InvalidArgumentError(RenderAll(r.diagnostics, text));
  return *std::move(r.query);
}

AUDIENCE_FUNC Segment Evaluate(const Store& store, const Query& query) {
  Plan plan = query_internal::PlanFor(store, query, ExecMode::kBitmap, 0);
  return Segment(Execute(store, plan).people, store.version());
}

AUDIENCE_FUNC uint64_t Count(const Store& store, const Query& query) {
  Plan plan = query_internal::PlanFor(store, query, ExecMode::kCount, 0);
  return Execute(store, plan).count;
}

AUDIENCE_FUNC std::vector<PersonId> FirstIds(const Store& store, const Query& query, size_t k) {
  Plan plan = query_internal::PlanFor(store, query, ExecMode::kFirstK, k);
  return Execute(store, plan).people.ToVector();
}

AUDIENCE_FUNC absl::StatusOr<Segment> Evaluate(const Store& store, std::string_view text,
                                               const QueryOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(Query q, Query::Compile(store, text, options));
  return Evaluate(store, q);
}

AUDIENCE_FUNC absl::StatusOr<uint64_t> Count(const Store& store, std::string_view text,
                                             const QueryOptions& options) {
  AUDIENCE_ASSIGN_OR_RETURN(Query q, Query::Compile(store, text, options));
  return Count(store, q);
}

AUDIENCE_FUNC Explanation Explain(const Store& store, const Query& query, ExecMode mode,
                                  size_t k) {
  Explanation e;
  absl::Time start = absl::Now();
  e.plan = query_internal::PlanFor(store, query, mode, k);
  e.planning = absl::Now() - start;
  start = absl::Now();
  e.chunked = Execute(store, e.plan).chunked;  // as Count/Evaluate run it
  e.execution = absl::Now() - start;
  e.result = Execute(store, e.plan, /*profile=*/true);
  return e;
}

AUDIENCE_FUNC std::string Explanation::ToString() const {
  std::string out;
  std::string steps = plan.ToString();
  size_t line_start = 0;
  absl::Duration total = planning;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    size_t end = steps.find('\n', line_start);
    std::string line = steps.substr(line_start, end - line_start);
    line_start = end + 1;
    const StepProfile& p = i < result.profile.size() ? result.profile[i] : StepProfile{};
    total += p.elapsed;
    out += fmt::format("{:<72} {:>10} {:>10.1f} us{}\n", line, p.cardinality,
                       absl::ToDoubleMicroseconds(p.elapsed), p.skipped ? " (skipped)" : "");
  }
  out += fmt::format("result {} people; planning {:.1f} us; total {:.1f} us", result.count,
                     absl::ToDoubleMicroseconds(planning), absl::ToDoubleMicroseconds(total));
  if (plan.mode == ExecMode::kFirstK) out += fmt::format("; {} chunk round(s)", result.rounds);
  out += fmt::format("\nunprofiled run {:.1f} us, {}", absl::ToDoubleMicroseconds(execution),
                     chunked ? "chunk by chunk" : "step by step");
  if (!plan.passes.empty()) {
    out += "\npasses:";
    for (const std::string& p : plan.passes) out += " " + p;
  }
  return out + "\n";
}

AUDIENCE_FUNC absl::Status SaveSegment(Store& store, std::string_view name, std::string_view text,
                                       const QueryOptions& options) {
  AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("segment name", name));
  // Bind `segment('name')` against the catalogue with the new text in place:
  // this checks the text and any cycle it would close.
  absl::btree_map<std::string, std::string> segments = store.segments();
  segments[std::string(name)] = std::string(text);
  std::string probe = fmt::format("segment('{}')", name);
  ParseResult parsed = Parse(probe, options.parser);
  BindResult bound =
      Bind(*parsed.root, query_internal::BindOptionsFor(store, options, &segments));
  if (!bound.expr) {
    // Report against the segment's own text when the problem is inside it.
    ParseResult own = Parse(text, options.parser);
    std::vector<Diagnostic> diagnostics = own.root ? std::vector<Diagnostic>{} : own.diagnostics;
    if (own.root) {
      BindResult b = Bind(*own.root, query_internal::BindOptionsFor(store, options, &segments));
      diagnostics = b.diagnostics;
    }
    std::string message = diagnostics.empty()
                              ? bound.diagnostics.front().message
                              : RenderAll(diagnostics, text);
    return absl::InvalidArgumentError(
        fmt::format("segment '{}' cannot be saved: {}", name, message));
  }
  return store.PutSegment(name, text);
}

AUDIENCE_FUNC absl::StatusOr<ApplyResult> MaterializeSegment(Store& store, const Segment& segment,
                                                             std::string_view dimension,
                                                             std::string_view value,
                                                             absl::Time now) {
  WriteBatch batch(now);
  // Clearing a value the dimension has never held would be rejected.
  std::optional<DimensionId> dim = store.schema().DimensionIdOf(dimension);
  if (dim && store.dimension(*dim).FindValue(value)) {
    batch.ClearValue(std::string(dimension), std::string(value));
  }
  batch.AssignBitmap(std::string(dimension), std::string(value),
                     segment.people() & store.universe(), TagOptions{.source = "rule"});
  return store.Apply(batch);
}

AUDIENCE_END_NAMESPACE

#include "audience/query/why-inl.h"

#endif  // AUDIENCE_QUERY_QUERY_INL_H_
