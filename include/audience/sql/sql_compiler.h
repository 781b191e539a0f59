// SQL compiler: turns a bound segment query (query/bound.h) into one SQL
// statement that returns exactly the same people when it runs over the
// tables ExportCsv writes (sql/export.h; layout in docs/sql.md). It is the
// second oracle for the bitmap engine and the way to run a segment in a
// warehouse.
//
//   BindResult b = Bind(*Parse(text).root, {.schema = &store.schema(), .now = now});
//   std::string sql = CompileToSql(*b.expr, store.schema(), SqlDialect::kPostgres,
//                                  absl::ToUnixSeconds(now));
//   // SELECT "person_id" FROM profiles WHERE (... ) ORDER BY "person_id"
//
// How the engine's set semantics survive SQL's three-valued logic: every
// leaf compiles to a boolean that is never NULL (an attribute test is
// guarded by IS NOT NULL; tag and event tests are `"person_id" IN (SELECT
// ...)` over non-null ids), so NOT, AND and OR mean complement, intersection
// and union over the profiles table (the live universe). Subqueries are never
// correlated (ClickHouse lacks them). A count or sum comparison that holds
// at 0 (count = 0, count < 3, sum <= 5) must also select people with no
// matching event, so it compiles to `"person_id" NOT IN (SELECT ... HAVING
// NOT (...))`. Literals are inlined: strings quoted for the dialect, doubles
// in the shortest form that reads back exactly, times as unix seconds.
// Pure functions of their arguments; thread-safe.
#ifndef AUDIENCE_SQL_SQL_COMPILER_H_
#define AUDIENCE_SQL_SQL_COMPILER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/query/bound.h"
#include "audience/schema/schema.h"

AUDIENCE_BEGIN_NAMESPACE

enum class SqlDialect : uint8_t { kSqlite, kDuckDb, kPostgres, kClickHouse };

inline constexpr SqlDialect kAllSqlDialects[] = {SqlDialect::kSqlite, SqlDialect::kDuckDb,
                                                 SqlDialect::kPostgres, SqlDialect::kClickHouse};

// "sqlite", "duckdb", "postgres" (also "postgresql"), "clickhouse", ASCII
// case ignored; nullopt for anything else.
std::optional<SqlDialect> ParseSqlDialect(std::string_view name);
// "sqlite", "duckdb", "postgres", "clickhouse".
std::string_view SqlDialectName(SqlDialect dialect);

// `name` in double quotes (an embedded '"' doubled). Every dialect here
// accepts double-quoted identifiers.
std::string SqlIdentifier(std::string_view name);
// `s` as a string literal of `dialect`: single quotes doubled, and for
// ClickHouse, which reads backslash escapes in literals, backslashes doubled.
// Precondition: no NUL bytes (every schema-valid value qualifies).
std::string SqlString(std::string_view s, SqlDialect dialect);
// Column of attribute `name` in the profiles table (unquoted): the name
// itself, except "person_id" and "external_id", which the fixed columns
// take; those become "attribute:person_id" / "attribute:external_id" (':' is
// never part of a schema name, so no clash is possible).
std::string SqlAttributeColumn(std::string_view name);
// Column of event property `name` in the events table (unquoted): "p.<name>".
std::string SqlPropertyColumn(std::string_view name);

// The WHERE condition for `expr`: a SQL boolean that is never NULL and holds
// exactly for the profiles rows (live people) in the set the expression
// denotes (bound.h) at `now` (tag expiry: an assignment is visible while
// now < expires_at). Handles in `expr` must be valid for `schema`.
// Tag, enum and property values that fail Schema::ValidateValue (the binder
// never produces them) match nothing, as in the engine, and never reach the
// SQL text.
std::string CompileCondition(const BoundExpr& expr, const Schema& schema, SqlDialect dialect,
                             UnixSeconds now);
// SELECT "person_id" FROM profiles WHERE <condition> ORDER BY "person_id"
std::string CompileToSql(const BoundExpr& expr, const Schema& schema, SqlDialect dialect,
                         UnixSeconds now);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/sql/sql_compiler-inl.h"
#endif

#endif  // AUDIENCE_SQL_SQL_COMPILER_H_
