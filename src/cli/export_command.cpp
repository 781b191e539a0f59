// `audience export`: a snapshot as CSV tables plus SQL for a database.
#include <cstdio>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/sql/export.h"
#include "audience/sql/sql_compiler.h"
#include "audience/store/snapshot.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kExportUsage = R"(Usage: audience export STORE --sql DIALECT --out DIR [--now TIME]

Writes the live people of the snapshot STORE into DIR (created if missing;
files of the same names are replaced) as CSV tables, with the DDL and every
saved segment compiled to SQL (docs/sql.md has the layout):
  profiles.csv, person_tags.csv, events.csv
  tables.<dialect>.sql, segments.<dialect>.sql   (for every dialect)
and prints the load steps for DIALECT.

Options:
  --sql DIALECT  sqlite, duckdb, postgres (or postgresql) or clickhouse
  --out DIR      the output directory (required)
  --now TIME     time the saved segments are bound at (tag expiry, `now`):
                 YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS', YYYY-MM-DDTHH:MM:SSZ or
                 Unix seconds. Default: the clock.
  -h, --help     this text

Example:
  audience export cdnow.aud --sql sqlite --out cdnow_sql --now 1998-07-01

Exit codes: 0 ok, 1 I/O error or corrupt store, 2 a saved segment does not
compile, 64 usage (an unknown dialect included).
)";

struct Options {
  std::string store;
  std::string out;
  std::string dialect_text;
  std::optional<aud::SqlDialect> dialect;
  std::optional<absl::Time> now;
};

std::optional<int> Parse(ArgCursor& args, Options* o) {
  auto usage = [](const absl::Status& s) { return ReportUsage("export", s); };
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!o->store.empty()) {
        return ReportUsage("export", fmt::format("unexpected argument '{}'", t.text));
      }
      o->store = t.name;
      continue;
    }
    if (t.name == "help") {
      fmt::print("{}", kExportUsage);
      return kExitOk;
    }
    absl::StatusOr<std::string> v;
    if (t.name == "sql" || t.name == "out" || t.name == "now") {
      v = args.Value(t);
      if (!v.ok()) return usage(v.status());
    }
    if (t.name == "sql") {
      o->dialect = aud::ParseSqlDialect(*v);
      if (!o->dialect) {
        return ReportUsage("export", fmt::format("--sql '{}': expected sqlite, duckdb, postgres "
                                                 "or clickhouse", *v));
      }
    } else if (t.name == "out") {
      if (v->empty()) return ReportUsage("export", "--out needs a directory");
      o->out = *v;
    } else if (t.name == "now") {
      absl::StatusOr<absl::Time> now = ParseNow(*v);
      if (!now.ok()) return usage(now.status());
      o->now = *now;
    } else {
      return ReportUsage("export", fmt::format("unknown option '{}'", t.text));
    }
  }
  if (o->store.empty()) return ReportUsage("export", "expected STORE");
  if (!o->dialect) return ReportUsage("export", "--sql DIALECT is required");
  if (o->out.empty()) return ReportUsage("export", "--out DIR is required");
  return std::nullopt;
}

void PrintLoadSteps(aud::SqlDialect dialect, const std::string& dir) {
  std::string name(aud::SqlDialectName(dialect));
  fmt::print("load with {}:\n", name);
  switch (dialect) {
    case aud::SqlDialect::kSqlite:
      fmt::print("  sqlite3 db '.read {0}/tables.sqlite.sql'\n"
                 "  sqlite3 db '.import --csv --skip 1 {0}/profiles.csv profiles'  "
                 "(and person_tags, events; then NULLIF the empty fields, docs/sql.md)\n"
                 "  sqlite3 db '.read {0}/segments.sqlite.sql'\n", dir);
      break;
    case aud::SqlDialect::kDuckDb:
      fmt::print("  .read {0}/tables.duckdb.sql\n"
                 "  COPY profiles FROM '{0}/profiles.csv' (HEADER);  (and person_tags, events)\n"
                 "  .read {0}/segments.duckdb.sql\n", dir);
      break;
    case aud::SqlDialect::kPostgres:
      fmt::print("  psql -d db -f {0}/tables.postgres.sql\n"
                 "  psql -d db -c \"\\copy profiles FROM '{0}/profiles.csv' WITH (FORMAT csv, "
                 "HEADER true)\"  (and person_tags, events)\n"
                 "  psql -d db -f {0}/segments.postgres.sql\n", dir);
      break;
    case aud::SqlDialect::kClickHouse:
      fmt::print("  clickhouse-client --multiquery < {0}/tables.clickhouse.sql\n"
                 "  clickhouse-client --query \"INSERT INTO profiles FORMAT CSVWithNames\" "
                 "< {0}/profiles.csv  (and person_tags, events)\n"
                 "  clickhouse-client --multiquery < {0}/segments.clickhouse.sql\n", dir);
      break;
  }
}

int Run(const Options& o) {
  absl::StatusOr<aud::Store> opened = aud::OpenSnapshot(o.store);
  if (!opened.ok()) return Report("export", opened.status(), kExitRuntime);
  absl::Time now = o.now ? *o.now : absl::Now();
  if (absl::Status s = aud::ExportCsv(*opened, o.out, now); !s.ok()) {
    // InvalidArgument: a saved segment does not compile (nothing written).
    bool query = s.code() == absl::StatusCode::kInvalidArgument;
    return Report("export", s, query ? kExitQuery : kExitRuntime);
  }
  fmt::print("wrote {}: profiles.csv, person_tags.csv, events.csv ({} people, {} saved "
             "segments)\n", o.out, opened->person_count(), opened->segments().size());
  PrintLoadSteps(*o.dialect, o.out);
  return kExitOk;
}

}  // namespace

std::string_view ExportUsage() { return kExportUsage; }

int RunExport(ArgCursor& args) {
  Options o;
  if (std::optional<int> code = Parse(args, &o)) return *code;
  return Run(o);
}

}  // namespace audience_cli
