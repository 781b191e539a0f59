// Binder: checks a parsed query against the schema and turns it into a
// BoundExpr (bound.h) with every name resolved and every time absolute.
//
//   ParseResult p = Parse(text);
//   BindResult b = Bind(*p.root, {.schema = &store.schema(), .now = now,
//                                 .segments = &store.segments()});
//   if (!b.expr) std::cerr << RenderAll(b.diagnostics, text);
//
// What it resolves (docs/query-language.md is the user-facing reference):
// - `dim:value`, `dim = v`, `dim IN (...)`: tag predicates. A value outside
//   a closed dimension is an error with a suggestion; a value an open
//   dimension has not seen yet is valid and matches nobody.
// - `attr OP v`, `BETWEEN`, `IN`, `IS [NOT] NULL`: the operand must fit the
//   attribute's type: integers for int64, numbers for double, quoted values
//   (checked against a closed list) for enum, TRUE/FALSE for bool, and for
//   timestamps `now`, `today` or a date ('2026-05-01', '2026-05-01 10:00',
//   '2026-05-01T10:00:00Z'), each +/- durations. Dates without a zone and
//   `today` are read in `time_zone`. enum and bool take only = and !=.
// - `x != v`, `x NOT IN (...)`, `x NOT BETWEEN ...` never match a person
//   without a value (the same rule as SQL); `NOT (x = v)` does.
// - Functions: has(dim|attr); segment('name'); any(n, cond, ...);
//   did(type, ...); count / sum / first / last (type, ...) OP v; and
//   type(...) or purchased(...) (the "purchase" type) as count. Event
//   arguments: `prop = 'value'` per property, `within = 30d`, or `from` /
//   `to` times; the window never reaches past `now`.
// - segment('name') binds the saved text recursively; a cycle, an unknown
//   name or a broken saved text is an error at the call.
// Every problem found is reported (up to `max_diagnostics`), each with a
// code, the position of the offending token and, for a misspelt name, the
// closest known one.
#ifndef AUDIENCE_QUERY_BINDER_H_
#define AUDIENCE_QUERY_BINDER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/query/ast.h"
#include "audience/query/bound.h"
#include "audience/query/diagnostic.h"
#include "audience/query/parser.h"
#include "audience/schema/schema.h"

AUDIENCE_BEGIN_NAMESPACE

struct BindOptions {
  const Schema* schema = nullptr;  // required
  absl::Time now = absl::UnixEpoch();
  absl::TimeZone time_zone = absl::UTCTimeZone();
  // Saved segments (name -> query text), e.g. &store.segments(); may be null.
  const absl::btree_map<std::string, std::string>* segments = nullptr;
  ParserOptions parser{};        // for the text of saved segments
  size_t max_segment_depth = 16;  // segment('a') -> segment('b') -> ...
  size_t max_predicates = 100000;  // after expanding saved segments
  size_t max_diagnostics = 20;
};

struct BindResult {
  std::optional<BoundExpr> expr;  // empty when there are diagnostics
  std::vector<Diagnostic> diagnostics;
};

BindResult Bind(const Node& root, const BindOptions& options);

// Names the binder accepts as functions (for suggestions and docs).
const std::vector<std::string>& QueryFunctionNames();

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/binder-inl.h"
#endif

#endif  // AUDIENCE_QUERY_BINDER_H_
