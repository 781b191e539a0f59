// The query API a host calls: compile a segment query against a store, then
// evaluate it (a Segment), count it, take its first ids, explain its plan,
// or ask why one person is or is not in it. Also saved segments.
//
//   QueryOptions o{.now = absl::Now()};
//   AUDIENCE_ASSIGN_OR_RETURN(Query q, Query::Compile(store,
//       "interest:fashion AND age BETWEEN 20 AND 30 AND NOT lifecycle:dormant", o));
//   uint64_t n = Count(store, q);
//   Segment s = Evaluate(store, q);
//   std::vector<PersonId> first = FirstIds(store, q, 1000);
//   std::cout << Explain(store, q).ToString();
//
// `now` is the evaluation time: what `now` and `today` mean in the text,
// which tag assignments have expired (expires_at <= now), and the horizon of
// event windows (events after `now` are not seen). A query compiled with a
// past `now` is an as-of evaluation of tags and events; attributes hold one
// current value and have no history.
//
// A compiled Query is tied to the schema it was bound against (names are
// resolved to handles), not to the data: evaluating it after more writes is
// fine. Thread-safety: as Store's const methods.
#ifndef AUDIENCE_QUERY_QUERY_H_
#define AUDIENCE_QUERY_QUERY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/query/bound.h"
#include "audience/query/diagnostic.h"
#include "audience/query/executor.h"
#include "audience/query/parser.h"
#include "audience/query/plan.h"
#include "audience/query/segment.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

struct QueryOptions {
  absl::Time now = absl::UnixEpoch();
  absl::TimeZone time_zone = absl::UTCTimeZone();  // `today` and dates without a zone
  ParserOptions parser{};
  size_t max_predicates = 100000;  // after expanding saved segments
  bool optimize = true;            // false runs the plan as lowered (for tests)
};

struct CompileResult;

class Query {
 public:
  // Lexes, parses and binds. On error, InvalidArgument whose message is
  // every diagnostic rendered with the source line and carets.
  static absl::StatusOr<Query> Compile(const Store& store, std::string_view text,
                                       const QueryOptions& options);

  const std::string& text() const { return text_; }
  const BoundExpr& expr() const { return expr_; }
  UnixSeconds now() const { return now_; }
  bool optimize() const { return optimize_; }

 private:
  friend CompileResult CompileQuery(const Store&, std::string_view, const QueryOptions&);
  std::string text_;
  BoundExpr expr_;
  UnixSeconds now_ = 0;
  bool optimize_ = true;
};

// Diagnostics as data, for editors and tests.
struct CompileResult {
  std::optional<Query> query;
  std::vector<Diagnostic> diagnostics;
};
CompileResult CompileQuery(const Store& store, std::string_view text, const QueryOptions& options);

Segment Evaluate(const Store& store, const Query& query);
uint64_t Count(const Store& store, const Query& query);
// The first k matching people in id order, computed chunk by chunk.
std::vector<PersonId> FirstIds(const Store& store, const Query& query, size_t k);

// Compile and run in one call.
absl::StatusOr<Segment> Evaluate(const Store& store, std::string_view text,
                                 const QueryOptions& options);
absl::StatusOr<uint64_t> Count(const Store& store, std::string_view text,
                               const QueryOptions& options);

// The optimised plan, run once with a profile of every step.
// The profile runs the steps one after another over whole sets; a plan
// that Count/Evaluate run chunk by chunk (executor.h) is also run that way
// once, unprofiled, and timed.
struct Explanation {
  Plan plan;
  ExecResult result;  // the profiled, step-by-step run
  absl::Duration planning = absl::ZeroDuration();
  absl::Duration execution = absl::ZeroDuration();  // the unprofiled run
  bool chunked = false;                             // ... ran chunk by chunk
  // The steps with their set sizes and times, then the totals.
  std::string ToString() const;
};
Explanation Explain(const Store& store, const Query& query, ExecMode mode = ExecMode::kCount,
                    size_t k = 0);

// For one person: every predicate of the query, whether it holds, and the
// person's data it looked at.
struct WhyNode {
  std::string text;    // the predicate or connective (AND / OR / NOT / any(n))
  bool holds = false;
  std::string detail;  // leaves: the person's value, tags or event counts
  std::vector<WhyNode> children;
};
WhyNode Why(const Store& store, const Query& query, PersonId person);
// Indented lines with [yes] / [no] marks.
std::string RenderWhy(const WhyNode& why);

// Saves `text` under `name` after checking that it compiles with the new
// definition in place (so a cycle through other segments is refused).
absl::Status SaveSegment(Store& store, std::string_view name, std::string_view text,
                         const QueryOptions& options);

// FeatureBase's Store: makes `dimension:value` hold exactly the segment's
// (still live) people, in one batch: the value is cleared, then assigned
// to them, with source "rule".
absl::StatusOr<ApplyResult> MaterializeSegment(Store& store, const Segment& segment,
                                               std::string_view dimension, std::string_view value,
                                               absl::Time now);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/query-inl.h"
#endif

#endif  // AUDIENCE_QUERY_QUERY_H_
