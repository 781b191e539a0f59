// `audience import`: schema file + CSV files -> store snapshot.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/io/importer.h"
#include "audience/schema/schema_json.h"
#include "audience/store/snapshot.h"
#include "audience/store/store.h"
#include "commands.h"
#include "fmt/format.h"
#include "import_mapping.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kImportUsage = R"(Usage: audience import --schema FILE --out STORE [options] FILE-AND-MAPPING...

Builds a store from a schema file (JSON, see docs/cli.md) and CSV files, then
writes it as one snapshot file. Files are imported in command-line order, each
all-or-nothing; nothing is written unless every file imports.

Files (any number of each, at least one; mapping flags after a file apply to it):
  --profiles CSV      one row per person: attributes and tag columns
  --tags CSV          one row per tag assignment
  --events CSV        one row per event

Mapping flags (long form; the --map key in brackets):
  common (before the first file they set defaults for every file):
  --id-column COL           [id]          the person id column (required)
  --id-type int|string      [id-type]     how to read ids (default string)
  --delimiter C             [delim]       ',' (default), 'tab', any character, or
                                          'ws' for runs of spaces/tabs
  --no-header               [no-header]   no header line: columns are named 1, 2, ...
  --time-format FMT         [time-format] %Y %m %d %H %M %S and literals, or 'unix'
                                          (default %Y-%m-%d)
  --source NAME             [source]      source recorded on tag assignments (import)
  --events:
  --event-type NAME         [type]        every row is this event type, or
  --event-type-column COL   [type-column] the type per row
  --time-column COL         [time]        the event time (required)
  --amount-column COL       [amount]      the amount; repeat to multiply columns
  --property COL[=PROP]     [prop]        a property column (repeatable)
  --event-id-column COL     [event-id]    dedup id: a repeated id is ignored
  --profiles:
  --attribute COL[=ATTR]    [attr]        an attribute column (repeatable)
  --tag-column COL[=DIM]    [tag]         a tag column (repeatable)
  --tag-separator C         [tag-sep]     separates several values in a cell (|)
  --tags:
  --dimension NAME          [dim]         every row is this dimension, or
  --dimension-column COL    [dim-column]  the dimension per row
  --value-column COL        [value]       the value (required)
  --expires-column COL      [expires]     expiry time; empty: the dimension's TTL
  --map K=V,K=V,...         the same mappings, compactly: --map id=cust,time=date

Other options:
  --schema FILE        the schema file (required)
  --out STORE          the snapshot to write (replaced atomically)
  --now TIME           write time of the import (default: the clock); TTLs count
                       from it. YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS',
                       YYYY-MM-DDTHH:MM:SSZ or Unix seconds
  --skip-bad-rows      import the good rows, list the bad ones on stderr
  --max-errors N       bad rows listed per file (default 100)
  -q, --quiet          no summary lines on stdout
  -h, --help           this text

Example (CDNOW, whitespace separated, header line):
  audience import --schema cdnow.json --out cdnow.aud --now 1998-07-01 \
    --events CDNOW_master.txt \
    --map delim=ws,id=customer_id,id-type=int,type=purchase,time=date,time-format=%Y%m%d,amount=dollar_value,prop=number_of_cds=cds

Exit codes: 0 ok, 1 I/O error, 3 bad schema, mapping or rows, 64 usage.
)";

struct Options {
  std::string schema;
  std::string out;
  std::optional<absl::Time> now;
  bool skip_bad_rows = false;
  size_t max_errors = 100;
  bool quiet = false;
  std::vector<ImportSource> sources;
};

// Returns nullopt when parsed; otherwise the exit code (help or usage).
std::optional<int> Parse(ArgCursor& args, Options* o) {
  ImportSource defaults;
  auto usage = [](const absl::Status& s) { return ReportUsage("import", s); };
  auto once = [&](std::string* target, const ArgCursor::Token& t) -> std::optional<int> {
    if (!target->empty()) return ReportUsage("import", fmt::format("--{} given twice", t.name));
    absl::StatusOr<std::string> v = args.Value(t);
    if (!v.ok()) return usage(v.status());
    if (v->empty()) return ReportUsage("import", fmt::format("--{} needs a value", t.name));
    *target = *std::move(v);
    return std::nullopt;
  };
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      return ReportUsage("import", fmt::format("unexpected argument '{}' (files follow "
                                               "--profiles, --tags or --events)", t.text));
    }
    ImportSource* current = o->sources.empty() ? &defaults : &o->sources.back();
    if (t.name == "help") {
      fmt::print("{}", kImportUsage);
      return kExitOk;
    } else if (t.name == "schema") {
      if (auto r = once(&o->schema, t)) return r;
    } else if (t.name == "out") {
      if (auto r = once(&o->out, t)) return r;
    } else if (t.name == "profiles" || t.name == "tags" || t.name == "events") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      ImportSource src = defaults;
      src.given.clear();  // a file may override a default once
      src.kind = t.name == "profiles" ? aud::ImportKind::kProfiles
                 : t.name == "tags"   ? aud::ImportKind::kTags
                                      : aud::ImportKind::kEvents;
      src.path = *std::move(v);
      o->sources.push_back(std::move(src));
    } else if (t.name == "map") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      if (absl::Status s = ApplyMap(*v, current); !s.ok()) return usage(s);
    } else if (IsMappingFlag(t.name)) {
      std::string value;
      if (MappingTakesValue(t.name)) {
        absl::StatusOr<std::string> v = args.Value(t);
        if (!v.ok()) return usage(v.status());
        value = *std::move(v);
      } else if (absl::Status s = args.NoValue(t); !s.ok()) {
        return usage(s);
      }
      if (absl::Status s = ApplyMapping(t.name, value, current); !s.ok()) return usage(s);
    } else if (t.name == "now") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      absl::StatusOr<absl::Time> now = ParseNow(*v);
      if (!now.ok()) return usage(now.status());
      o->now = *now;
    } else if (t.name == "skip-bad-rows") {
      if (absl::Status s = args.NoValue(t); !s.ok()) return usage(s);
      o->skip_bad_rows = true;
    } else if (t.name == "max-errors") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      absl::StatusOr<uint64_t> n = ParseCount(t.name, *v, 1, 1000000);
      if (!n.ok()) return usage(n.status());
      o->max_errors = static_cast<size_t>(*n);
    } else if (t.name == "quiet" || t.name == "-q") {
      if (absl::Status s = args.NoValue(t); !s.ok()) return usage(s);
      o->quiet = true;
    } else {
      return ReportUsage("import", fmt::format("unknown option '{}'", t.text));
    }
  }
  if (o->schema.empty()) return ReportUsage("import", "--schema FILE is required");
  if (o->out.empty()) return ReportUsage("import", "--out STORE is required");
  if (o->sources.empty()) {
    return ReportUsage("import", "no input: give --profiles, --tags or --events FILE");
  }
  for (const ImportSource& src : o->sources) {
    if (absl::Status s = CheckSource(src); !s.ok()) return usage(s);
  }
  return std::nullopt;
}

// Progress on stderr, redrawn at most 10 times a second.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::chrono::steady_clock::time_point start)
      : label_(std::move(label)), start_(start), last_(start) {}
  void Update(uint64_t rows, uint64_t bytes, std::optional<uint64_t> total) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::string rate = secs > 0 ? Compact(static_cast<double>(rows) / secs) + " rows/s" : "";
    std::string bar;
    if (total && *total > 0) {
      double frac = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(*total));
      int filled = static_cast<int>(frac * 30);
      bar = fmt::format("[{:#<{}}{:-<{}}] {:3.0f}% ", "", filled, "", 30 - filled, frac * 100);
    }
    fmt::print(stderr, "\r\033[K{} {}{} rows  {}", label_, bar, Compact(static_cast<double>(rows)),
               rate);
    std::fflush(stderr);
    drawn_ = true;
  }
  void Clear() {
    if (drawn_) fmt::print(stderr, "\r\033[K");
  }

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

int Run(const Options& o) {
  absl::StatusOr<aud::Schema> schema = aud::LoadSchemaFile(o.schema);
  if (!schema.ok()) {
    bool data = schema.status().code() == absl::StatusCode::kInvalidArgument;
    return Report("import", schema.status(), data ? kExitData : kExitRuntime);
  }
  absl::StatusOr<aud::Store> created = aud::Store::Create(*std::move(schema));
  if (!created.ok()) return Report("import", created.status(), kExitData);
  aud::Store store = *std::move(created);
  absl::Time now = o.now ? *o.now : absl::Now();
  bool tty = isatty(STDERR_FILENO) == 1;
  uint64_t total_rows = 0;
  auto all_start = std::chrono::steady_clock::now();
  for (const ImportSource& src : o.sources) {
    aud::ImportSpec spec = src.spec;
    spec.kind = *src.kind;
    spec.now = now;
    spec.skip_bad_rows = o.skip_bad_rows;
    spec.max_reported_errors = o.max_errors;
    auto start = std::chrono::steady_clock::now();
    ProgressBar bar(fmt::format("{} {}", KindFlag(*src.kind), src.path), start);
    if (tty) spec.progress = [&bar](uint64_t r, uint64_t b, std::optional<uint64_t> t) {
      bar.Update(r, b, t);
    };
    absl::StatusOr<aud::ImportReport> report = aud::ImportCsvFile(store, src.path, spec);
    bar.Clear();
    if (!report.ok()) {
      // InvalidArgument: the mapping or the rows (the message lists every
      // bad row with line, column and field); anything else is I/O.
      bool data = report.status().code() == absl::StatusCode::kInvalidArgument;
      Report("import", report.status(), 0);
      fmt::print(stderr, "audience import: nothing written to {}\n", o.out);
      return data ? kExitData : kExitRuntime;
    }
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const aud::RowError& e : report->errors) {
      fmt::print(stderr, "audience import: {}: skipped {}\n", src.path, e.ToString());
    }
    if (report->rows_skipped > report->errors.size()) {
      fmt::print(stderr, "audience import: {}: ... and {} more skipped rows\n", src.path,
                 report->rows_skipped - report->errors.size());
    }
    total_rows += report->rows_read;
    if (!o.quiet) {
      std::string extra;
      if (*src.kind == aud::ImportKind::kEvents) {
        extra = fmt::format(", {} events", report->events_added);
        if (report->duplicate_events > 0) {
          extra += fmt::format(" ({} duplicates ignored)", report->duplicate_events);
        }
      }
      fmt::print("{} {}: {} rows imported, {} skipped, {} new people{} in {:.2f} s ({} rows/s)\n",
                 KindFlag(*src.kind), src.path, report->rows_imported, report->rows_skipped,
                 report->people_created, extra, secs,
                 Compact(secs > 0 ? static_cast<double>(report->rows_read) / secs : 0.0));
    }
  }
  store.Optimize();
  if (absl::Status s = aud::SaveSnapshot(store, o.out); !s.ok()) {
    return Report("import", s, kExitRuntime);
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - all_start).count();
  if (!o.quiet) {
    fmt::print("wrote {}: {} people, {} rows in {:.2f} s ({} rows/s)\n", o.out,
               store.person_count(), total_rows, secs,
               Compact(secs > 0 ? static_cast<double>(total_rows) / secs : 0.0));
  }
  return kExitOk;
}

}  // namespace

std::string_view ImportUsage() { return kImportUsage; }

int RunImport(ArgCursor& args) {
  Options o;
  if (std::optional<int> code = Parse(args, &o)) return *code;
  return Run(o);
}

}  // namespace audience_cli
