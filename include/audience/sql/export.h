// SQL export: writes a store's live people as three CSV tables that the SQL
// from sql_compiler.h runs on, with the DDL for each dialect and every saved
// segment compiled, so a segment can be checked against (or run in) SQLite,
// DuckDB, PostgreSQL or ClickHouse.
//
//   AUDIENCE_RETURN_IF_ERROR(ExportCsv(store, "/tmp/audience_sql", now));
//   // sqlite3 db < /tmp/audience_sql/tables.sqlite.sql, import the CSVs, then
//   // run /tmp/audience_sql/segments.sqlite.sql
//   std::string ddl = CreateTablesSql(store.schema(), SqlDialect::kDuckDb);
//
// Layout (docs/sql.md has it in full; only live people, store.universe()):
//   profiles(person_id, external_id, <one column per attribute>)
//       person_id = internal PersonId (primary key); external_id = the
//       primary external id as text; attribute columns named by
//       SqlAttributeColumn, NULL when the attribute is null. Types: int64 and
//       timestamp (unix seconds) BIGINT, double DOUBLE, enum TEXT, bool 0/1.
//   person_tags(person_id, dimension, value, expires_at)
//       one row per stored assignment, expired-but-unswept ones included;
//       expires_at NULL = never expires. "As of now": expires_at > now.
//   events(person_id, event_type, time, count, amount, "p.<property>"...)
//       one row per stored EventPoint (count > 1 only after compaction,
//       amount = the point's sum); one TEXT column per distinct property name
//       across all event types (SqlPropertyNames), NULL where absent.
// CSV: RFC 4180, UTF-8, header row, LF line ends; an empty field is NULL
// (every text the store holds is non-empty); a field holding a comma, a
// quote, CR or LF is quoted with quotes doubled. Numbers in plain decimal
// (doubles in the shortest form that reads back exactly, e.g. 1e+20).
#ifndef AUDIENCE_SQL_EXPORT_H_
#define AUDIENCE_SQL_EXPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/schema/schema.h"
#include "audience/sql/sql_compiler.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

// Distinct property names over all event types, in schema order of first
// appearance: the events table's property columns are SqlPropertyColumn of
// these, in this order.
std::vector<std::string> SqlPropertyNames(const Schema& schema);

// CREATE TABLE statements (plus indexes for SQLite and PostgreSQL, a
// MergeTree engine for ClickHouse) for the three tables, each ending ";\n".
std::string CreateTablesSql(const Schema& schema, SqlDialect dialect);

// `field` as one CSV field: as is, or quoted (quotes doubled) when it holds
// a comma, a quote, CR or LF.
std::string CsvField(std::string_view field);

// Writes into `dir` (created with its parents if missing; existing files of
// these names are replaced): profiles.csv, person_tags.csv, events.csv,
// tables.<dialect>.sql and segments.<dialect>.sql for each dialect
// (SqlDialectName). A segments file holds, per saved segment in name order,
// "-- segment: <name>", the query text as "-- " comment lines, and the
// statement CompileToSql gives for it bound at `now` (with the store's saved
// segments), ending ";". Tag expiry in that SQL is evaluated at
// ToUnixSeconds(now).
// Errors: a saved segment that does not parse or bind is InvalidArgument
// naming the segment with the first diagnostic (checked before any file is
// written); an empty `dir` is InvalidArgument; a directory or file that
// cannot be created or written keeps its errno code and names the path.
// Files written before an I/O error stay.
// Cost: one pass over the live people, their tags and event points; memory
// stays small (output is streamed through a 1 MiB buffer).
absl::Status ExportCsv(const Store& store, const std::string& dir, absl::Time now);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/sql/export-inl.h"
#endif

#endif  // AUDIENCE_SQL_EXPORT_H_
