// `audience query`: count, list, explain or justify a segment query.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/base/strings.h"
#include "audience/io/field_parse.h"
#include "audience/query/query.h"
#include "audience/query/segment.h"
#include "audience/store/snapshot.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kQueryUsage = R"(Usage: audience query STORE 'QUERY' [--count | --ids [--limit N] | --explain | --why ID]
                      [--now TIME] [--repeat N]

Opens the snapshot STORE, compiles QUERY (docs/query-language.md has the
language) and prints:
  --count        the number of people in the segment (the default)
  --ids          their external ids, one per line, in internal id order
    --limit N    only the first N (computed without the full segment)
  --explain      the optimised plan with each step's set size and time
  --why ID       for the person with external id ID: every predicate, whether
                 it holds and the data it looked at. ID is tried as an integer
                 id first (when it is one), then as a string id.

Options:
  --now TIME     evaluation time: what `now`/`today` mean, which tags have
                 expired, the end of event windows. YYYY-MM-DD,
                 'YYYY-MM-DD HH:MM:SS', YYYY-MM-DDTHH:MM:SSZ (or +HH:MM) or
                 Unix seconds; UTC unless a zone is given. Default: the clock.
  --repeat N     after the first run, run the query N more times (--count or
                 --ids) and print, after the result, the compile time and
                 the median run time: "compile 0.051 ms",
                 "median 0.123 ms over 100 runs"
  -h, --help     this text
Put `--` before a query that starts with '-'.

Examples (CDNOW, docs/cli.md):
  audience query cdnow.aud 'count(purchase) >= 5' --now 1998-07-01 --repeat 100
  audience query cdnow.aud 'sum(purchase, within = 90d) > 100' --ids --limit 10
  audience query cdnow.aud 'count(purchase) >= 5 AND NOT did(purchase, within = 180d)' --explain
  audience query cdnow.aud 'count(purchase) >= 5' --why 42 --now 1998-07-01

Exit codes: 0 ok, 1 cannot open the store / unknown person, 2 the query does
not compile (diagnostics with carets on stderr), 64 usage.
)";

enum class Mode { kCount, kIds, kExplain, kWhy };

struct Options {
  std::string store;
  std::string query;
  int positionals = 0;
  Mode mode = Mode::kCount;
  bool mode_given = false;
  std::optional<size_t> limit;
  std::string why_id;
  std::optional<absl::Time> now;
  uint64_t repeat = 0;
};

std::optional<int> Parse(ArgCursor& args, Options* o) {
  auto usage = [](const absl::Status& s) { return ReportUsage("query", s); };
  auto set_mode = [&](Mode m, const ArgCursor::Token& t) -> std::optional<int> {
    if (o->mode_given) {
      return ReportUsage("query", "give at most one of --count, --ids, --explain, --why");
    }
    if (m != Mode::kWhy) {
      if (absl::Status s = args.NoValue(t); !s.ok()) return usage(s);
    }
    o->mode = m;
    o->mode_given = true;
    return std::nullopt;
  };
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    std::optional<int> r;
    if (!t.is_flag) {
      if (o->positionals == 0) {
        o->store = t.name;
      } else if (o->positionals == 1) {
        o->query = t.name;
      } else {
        return ReportUsage("query", fmt::format("unexpected argument '{}' (quote the query "
                                                "as one argument)", t.text));
      }
      ++o->positionals;
    } else if (t.name == "help") {
      fmt::print("{}", kQueryUsage);
      return kExitOk;
    } else if (t.name == "count") {
      r = set_mode(Mode::kCount, t);
    } else if (t.name == "ids") {
      r = set_mode(Mode::kIds, t);
    } else if (t.name == "explain") {
      r = set_mode(Mode::kExplain, t);
    } else if (t.name == "why") {
      if ((r = set_mode(Mode::kWhy, t))) return r;
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      if (v->empty()) return ReportUsage("query", "--why needs a non-empty id");
      o->why_id = *std::move(v);
    } else if (t.name == "limit" || t.name == "repeat") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      uint64_t max = t.name == "limit" ? uint64_t{1} << 40 : 100000000;
      absl::StatusOr<uint64_t> n = ParseCount(t.name, *v, t.name == "limit" ? 0 : 1, max);
      if (!n.ok()) return usage(n.status());
      if (t.name == "limit") {
        o->limit = static_cast<size_t>(*n);
      } else {
        o->repeat = *n;
      }
    } else if (t.name == "now") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return usage(v.status());
      absl::StatusOr<absl::Time> now = ParseNow(*v);
      if (!now.ok()) return usage(now.status());
      o->now = *now;
    } else {
      return ReportUsage("query", fmt::format("unknown option '{}'", t.text));
    }
    if (r) return r;
  }
  if (o->positionals < 2) return ReportUsage("query", "expected STORE and 'QUERY'");
  if (o->limit && o->mode != Mode::kIds) return ReportUsage("query", "--limit needs --ids");
  if (o->repeat > 0 && (o->mode == Mode::kExplain || o->mode == Mode::kWhy)) {
    return ReportUsage("query", "--repeat works with --count and --ids");
  }
  return std::nullopt;
}

double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The person named by `text`: Int(text) when it is an integer and known,
// else Str(text).
std::optional<aud::PersonId> FindPerson(const aud::Store& store, const std::string& text) {
  if (absl::StatusOr<int64_t> n = aud::ParseInt64(text); n.ok()) {
    if (std::optional<aud::PersonId> p = store.Find(aud::ExternalId::Int(*n))) return p;
  }
  return store.Find(aud::ExternalId::Str(text));
}

void PrintIds(const aud::Store& store, const std::vector<aud::PersonId>& people) {
  std::vector<std::optional<aud::ExternalId>> ids = aud::ExternalIds(store, people);
  fmt::memory_buffer out;
  for (const std::optional<aud::ExternalId>& id : ids) {
    if (!id) continue;  // cannot happen for a fresh result; never print a blank line
    fmt::format_to(std::back_inserter(out), "{}\n", id->ToString());
    if (out.size() >= (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int Run(const Options& o) {
  absl::StatusOr<aud::Store> opened = aud::OpenSnapshot(o.store);
  if (!opened.ok()) return Report("query", opened.status(), kExitRuntime);
  const aud::Store& store = *opened;
  aud::QueryOptions qo;
  qo.now = o.now ? *o.now : absl::Now();

  auto c0 = std::chrono::steady_clock::now();
  absl::StatusOr<aud::Query> compiled = aud::Query::Compile(store, o.query, qo);
  double compile_ms = Millis(std::chrono::steady_clock::now() - c0);
  if (!compiled.ok()) {
    // The message is every diagnostic rendered with the line and carets.
    fmt::print(stderr, "{}\n", std::string(compiled.status().message()));
    return kExitQuery;
  }
  const aud::Query& q = *compiled;

  // One run of the mode's work, timed; `print` only the first time.
  uint64_t sink = 0;
  auto run_once = [&](bool print) {
    switch (o.mode) {
      case Mode::kCount: {
        uint64_t n = aud::Count(store, q);
        sink += n;
        if (print) fmt::print("{}\n", n);
        break;
      }
      case Mode::kIds: {
        std::vector<aud::PersonId> people;
        if (o.limit) {
          people = aud::FirstIds(store, q, *o.limit);
        } else {
          people = aud::Evaluate(store, q).people().ToVector();
        }
        sink += people.size();
        if (print) PrintIds(store, people);
        break;
      }
      case Mode::kExplain:
        fmt::print("{}", aud::Explain(store, q).ToString());
        break;
      case Mode::kWhy: {
        std::optional<aud::PersonId> p = FindPerson(store, o.why_id);
        if (!p) {
          fmt::print(stderr, "audience query: no person with id '{}' in {}\n", o.why_id,
                     o.store);
          return false;
        }
        fmt::print("{}", aud::RenderWhy(aud::Why(store, q, *p)));
        break;
      }
    }
    return true;
  };
  if (!run_once(true)) return kExitRuntime;
  if (o.repeat > 0) {
    std::vector<double> times;
    times.reserve(o.repeat);
    for (uint64_t i = 0; i < o.repeat; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      run_once(false);
      times.push_back(Millis(std::chrono::steady_clock::now() - t0));
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median = n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    fmt::print("compile {:.3f} ms\n", compile_ms);
    fmt::print("median {:.3f} ms over {} runs\n", median, n);
  }
  // Keeps the timed calls from being optimised away.
  if (sink == UINT64_MAX) fmt::print(stderr, "\n");
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

std::string_view QueryUsage() { return kQueryUsage; }

int RunQuery(ArgCursor& args) {
  Options o;
  if (std::optional<int> code = Parse(args, &o)) return *code;
  return Run(o);
}

}  // namespace audience_cli
