// Segment queries end to end (issue 3 macro benchmark): Q1..Q7 on our Store
// vs SQLite in memory, plain CRoaring bitmaps per value and a dense column
// scan, over one synthetic population (bench/query_bench_data.h). Every
// engine must return the same count (Q7: the same ids) or the run aborts.
// Prints a markdown table of median latencies for docs/benchmarks.md.
//
//   build-bench/bench/query_bench --people=10000000 --runs=21 [--sqlite=on|off|auto] [--explain]
//                                 [--save=PATH] [--reopen]
//
// --reopen queries the store after a round trip through its snapshot
// encoding, the state a host has after opening a saved store; without it,
// the store as the bulk load left it in this process.
// The people count may also come from AUDIENCE_BENCH_PEOPLE. --sqlite=auto
// (the default) loads SQLite only up to 2M people: at 10M its load alone
// (80M tag rows plus nine indexes) takes several minutes.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "audience/query/query.h"
#include "fmt/format.h"
#include "query_bench_data.h"

namespace {

using namespace audience;
using bench::Die;
using bench::kEpoch;

struct Flags {
  uint32_t people = 1'000'000;
  int runs = 21;
  std::string sqlite = "auto";
  std::string load = "bulk";  // bulk | batches | both (both: check they are equal)
  bool explain = false;
  uint64_t seed = 42;
  std::string save;  // snapshot path: profile one query with `audience query --repeat`
  bool reopen = false;  // query the store decoded from its snapshot, as a host opens it
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  if (const char* env = std::getenv("AUDIENCE_BENCH_PEOPLE")) {
    f.people = static_cast<uint32_t>(std::strtoul(env, nullptr, 10));
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      std::string prefix = std::string("--") + name + "=";
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("people")) {
      f.people = static_cast<uint32_t>(std::strtoul(v->c_str(), nullptr, 10));
    } else if (auto r = value("runs")) {
      f.runs = std::max(15, std::atoi(r->c_str()));
    } else if (auto s = value("sqlite")) {
      f.sqlite = *s;
    } else if (auto l = value("load")) {
      f.load = *l;
    } else if (auto sd = value("seed")) {
      f.seed = std::strtoull(sd->c_str(), nullptr, 10);
    } else if (auto sv = value("save")) {
      f.save = *sv;
    } else if (a == "--explain") {
      f.explain = true;
    } else if (a == "--reopen") {
      f.reopen = true;
    } else {
      Die("unknown flag " + a + " (--people=N --runs=N --sqlite=on|off|auto --load=bulk|batches|both --seed=N --save=PATH --reopen --explain)");
    }
  }
  if (f.people == 0) Die("--people must be positive");
  return f;
}

// Median wall time in ms of `runs` calls after one warm-up call.
template <typename F>
double MedianMs(int runs, F&& f) {
  f();
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// Median of the planning time Explain reports (the plan is built, then run
// once with a profile; only the building is counted).
template <typename F>
double MedianPlanningMs(int runs, F&& explain) {
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) ms.push_back(absl::ToDoubleMilliseconds(explain()));
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// Both the count form and, for Q7, the first-ids form of one query.
struct QuerySpec {
  const char* name;
  std::string text;  // our query language
  std::string sql;
  std::function<uint64_t()> roaring;   // count
  std::function<uint64_t()> scan;      // count
  bool tag_only = false;
};

volatile uint64_t g_sink = 0;  // keeps results alive

// Runs `timed` with the portable dense kernels, then restores the detected level.
template <typename F>
double WithPortableKernels(F timed) {
  audience::dense::SetIsa(audience::dense::Isa::kPortable);
  const double ms = timed();
  audience::dense::SetIsa(audience::dense::DetectedIsa());
  return ms;
}

std::string Ms(double ms) {
  if (std::isnan(ms)) return "—";
  char buf[32];
  if (ms < 1) {
    std::snprintf(buf, sizeof buf, "%.0f µs", ms * 1000);
  } else if (ms < 100) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  }
  return buf;
}
std::string Ratio(double ours, double other) {
  if (std::isnan(other)) return "—";
  char buf[32];
  const double r = ours / other;
  if (r < 0.1) {  // "1/N": N times faster
    std::snprintf(buf, sizeof buf, "1/%.0f", 1 / r);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f×", r);
  }
  return buf;
}
std::string Num(uint64_t n) {
  char buf[32];
  if (n >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2fM", static_cast<double>(n) / 1e6);
  } else if (n >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.0fk", static_cast<double>(n) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  }
  return buf;
}

long RssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6) / 1024;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const uint32_t n = flags.people;
  const bool use_sqlite = flags.sqlite == "on" || (flags.sqlite == "auto" && n <= 2'000'000);

  auto t0 = std::chrono::steady_clock::now();
  const bench::QueryData data = bench::QueryData::Generate(n, flags.seed);
  const double gen_s = bench::SecondsSince(t0);
  std::fprintf(stderr, "generated %u people in %.1f s (RSS %ld MiB)\n", n, gen_s, RssMiB());

  bench::LoadTimes lt, batch_lt;
  if (flags.load == "batches" || flags.load == "both") {
    Store by_batches = bench::LoadStoreByBatches(data, &batch_lt);
    std::fprintf(stderr, "store by batches: people %.2f s, attributes %.2f s, tags %.2f s, "
                 "optimize %.2f s\n", batch_lt.people, batch_lt.attributes, batch_lt.tags,
                 batch_lt.optimize);
    if (flags.load == "both") {
      Store bulk = bench::LoadStoreBulk(data, &lt);
      std::string diff = bench::Difference(bulk, by_batches);
      if (!diff.empty()) Die("the bulk-loaded store differs from the batch-loaded one: " + diff);
      std::fprintf(stderr, "bulk and batch loads give equal stores\n");
    }
  }
  Store loaded = flags.load == "batches" ? bench::LoadStoreByBatches(data, &lt)
                                         : bench::LoadStoreBulk(data, &lt);
  if (flags.reopen) {
    absl::StatusOr<Store> reopened = DecodeSnapshot(EncodeSnapshot(loaded));
    if (!reopened.ok()) Die(reopened.status().ToString());
    loaded = *std::move(reopened);
    std::fprintf(stderr, "store encoded and decoded again (--reopen)\n");
  }
  const Store store = std::move(loaded);
  std::fprintf(stderr, "store: people %.2f s, attributes %.2f s, tags %.2f s, optimize %.2f s\n",
               lt.people, lt.attributes, lt.tags, lt.optimize);
  if (!flags.save.empty()) {
    if (absl::Status s = SaveSnapshot(store, flags.save); !s.ok()) Die(s.ToString());
    std::fprintf(stderr, "saved the store to %s\n", flags.save.c_str());
  }

  t0 = std::chrono::steady_clock::now();
  bench::RoaringBaseline rb;
  rb.Load(data);
  const double rb_s = bench::SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  bench::DenseScan ds;
  ds.Load(data);
  const double ds_s = bench::SecondsSince(t0);

  std::optional<bench::SqliteDb> db;
  double sqlite_s = NAN;
  if (use_sqlite) {
    t0 = std::chrono::steady_clock::now();
    db.emplace();
    db->Load(data);
    sqlite_s = bench::SecondsSince(t0);
    std::fprintf(stderr, "sqlite loaded in %.1f s\n", sqlite_s);
  }
  std::fprintf(stderr, "all loaded (RSS %ld MiB)\n", RssMiB());

  // ---- the queries ----
  const uint32_t now30 = static_cast<uint32_t>(kEpoch - 30 * 86400);
  const auto& tag = rb.tag;
  using Plain = ::Roaring;
  auto q2_bitmap = [&] {
    Plain x = tag[0] | tag[1];
    x -= tag[2];
    x &= rb.gender[0];
    x &= bench::RoaringBaseline::Range(rb.age, 20 - bench::kAgeMin, 30 - bench::kAgeMin);
    return x;
  };
  auto q2_scan = [&](uint32_t i) {
    uint64_t w = ds.tags[i][0];
    return (w & 3) != 0 && (w & 4) == 0 && ds.gender[i] == 0 && ds.age[i] >= 20 &&
           ds.age[i] <= 30;
  };
  auto scan_count = [&](auto pred) {
    return [&ds, pred] {
      uint64_t c = 0;
      const uint32_t size = static_cast<uint32_t>(ds.gender.size());
      for (uint32_t i = 0; i < size; ++i) c += pred(i) ? 1 : 0;
      return c;
    };
  };
  const std::string q2_where =
      "gender = 'F' AND age BETWEEN 20 AND 30"
      " AND EXISTS (SELECT 1 FROM person_tags t WHERE t.tag IN ('t0', 't1')"
      " AND t.person_id = p.person_id)"
      " AND NOT EXISTS (SELECT 1 FROM person_tags t WHERE t.tag = 't2'"
      " AND t.person_id = p.person_id)";
  auto has_tag_sql = [](const char* t) {
    return std::string("EXISTS (SELECT 1 FROM person_tags t WHERE t.tag = '") + t +
           "' AND t.person_id = p.person_id)";
  };

  std::vector<QuerySpec> qs;
  qs.push_back({"Q1", "interest:t0 AND interest:t1",
                "SELECT count(*) FROM person_tags a JOIN person_tags b"
                " ON b.tag = 't1' AND b.person_id = a.person_id WHERE a.tag = 't0'",
                [&] { return tag[0].and_cardinality(tag[1]); },
                scan_count([&](uint32_t i) { return (ds.tags[i][0] & 3) == 3; }), true});
  qs.push_back({"Q2",
                "(interest:t0 OR interest:t1) AND NOT interest:t2 AND gender = 'F'"
                " AND age BETWEEN 20 AND 30",
                "SELECT count(*) FROM profiles p WHERE " + q2_where,
                [&] { return q2_bitmap().cardinality(); }, scan_count(q2_scan)});
  qs.push_back({"Q3",
                "region IN ('r1', 'r2', 'r3') AND income = 'high' AND rfm_r >= 4 AND rfm_f >= 4",
                "SELECT count(*) FROM profiles WHERE region IN ('r1', 'r2', 'r3')"
                " AND income = 'high' AND rfm_r >= 4 AND rfm_f >= 4",
                [&] {
                  Plain x = bench::RoaringBaseline::Range(rb.region, 1, 3);
                  x &= rb.income[2];
                  x &= rb.rfm[0][3] | rb.rfm[0][4];
                  return x.and_cardinality(rb.rfm[1][3] | rb.rfm[1][4]);
                },
                scan_count([&](uint32_t i) {
                  return ds.region[i] >= 1 && ds.region[i] <= 3 && ds.income[i] == 2 &&
                         ds.rfm_r[i] >= 4 && ds.rfm_f[i] >= 4;
                })});
  qs.push_back({"Q4", "orders > 0 AND last_active_at < now - 30d",
                "SELECT count(*) FROM profiles WHERE orders > 0 AND last_active_at < " +
                    std::to_string(now30),
                [&] {
                  Plain buyers = rb.all - rb.orders[0];
                  return buyers.andnot_cardinality(
                      bench::RoaringBaseline::Range(rb.active_days, 0, 30));
                },
                scan_count([&](uint32_t i) {
                  return ds.orders[i] > 0 && ds.last_active[i] < now30;
                })});
  qs.push_back({"Q5",
                "interest:t0 AND interest:t1 AND interest:t2 AND age >= 30 AND region = 'r0'",
                "SELECT count(*) FROM profiles p WHERE region = 'r0' AND age >= 30 AND " +
                    has_tag_sql("t0") + " AND " + has_tag_sql("t1") + " AND " + has_tag_sql("t2"),
                [&] {
                  Plain x = tag[0] & tag[1];
                  x &= tag[2];
                  x &= rb.region[0];
                  // age >= 30 as the complement of the 12 values below it.
                  return x.andnot_cardinality(
                      bench::RoaringBaseline::Range(rb.age, 0, 30 - bench::kAgeMin - 1));
                },
                scan_count([&](uint32_t i) {
                  return (ds.tags[i][0] & 7) == 7 && ds.age[i] >= 30 && ds.region[i] == 0;
                })});
  qs.push_back({"Q6", "interest:t150 AND interest:t0",
                "SELECT count(*) FROM person_tags a JOIN person_tags b"
                " ON b.tag = 't0' AND b.person_id = a.person_id WHERE a.tag = 't150'",
                [&] { return tag[150].and_cardinality(tag[0]); },
                scan_count([&](uint32_t i) {
                  return (ds.tags[i][150 / 64] >> (150 % 64) & 1) != 0 && (ds.tags[i][0] & 1);
                }),
                true});

  QueryOptions options{.now = absl::FromUnixSeconds(kEpoch)};
  auto compile = [&](const std::string& text) {
    absl::StatusOr<Query> q = Query::Compile(store, text, options);
    if (!q.ok()) Die("compile '" + text + "': " + std::string(q.status().message()));
    return *std::move(q);
  };

  // Our engine with chunked execution off: planned and run step by step.
  auto step_by_step = [&](const Query& q, ExecMode mode, size_t k) {
    return Execute(store, BuildPlan(store, q.expr(), q.now(),
                                    {.mode = mode, .k = k, .chunked = false}));
  };

  struct Row {
    std::string name, text;
    uint64_t count = 0;
    double ours = NAN, compile = NAN, plan = NAN, sqlite = NAN, roaring = NAN, scan = NAN;
    double portable = NAN;  // ours with the portable dense kernels (no POPCNT/AVX2)
    double steps = NAN;     // ours step by step (no chunked execution)
    double target = NAN;
    bool tag_only = false;
  };
  std::vector<Row> rows;
  std::vector<std::string> explains;
  const int runs = flags.runs;

  for (const QuerySpec& spec : qs) {
    Row row{.name = spec.name, .text = spec.text, .tag_only = spec.tag_only};
    Query q = compile(spec.text);
    const uint64_t ours = audience::Count(store, q);
    const uint64_t roaring = spec.roaring();
    const uint64_t scan = spec.scan();
    std::optional<uint64_t> sql;
    sqlite3_stmt* st = nullptr;
    if (db) {
      st = db->Prepare(spec.sql);
      sql = static_cast<uint64_t>(bench::SqliteDb::Column(st).at(0));
    }
    if (ours != roaring || ours != scan || (sql && *sql != ours)) {
      Die(fmt::format("{} counts disagree: ours {}, CRoaring {}, scan {}, SQLite {}", spec.name,
                      ours, roaring, scan, sql ? std::to_string(*sql) : "-"));
    }
    if (step_by_step(q, ExecMode::kCount, 0).count != ours) {
      Die(std::string(spec.name) + " counts disagree between our two executors");
    }
    row.count = ours;
    row.ours = MedianMs(runs, [&] { g_sink = g_sink + audience::Count(store, q); });
    row.steps =
        MedianMs(runs, [&] { g_sink = g_sink + step_by_step(q, ExecMode::kCount, 0).count; });
    row.portable = WithPortableKernels(
        [&] { return MedianMs(runs, [&] { g_sink = g_sink + audience::Count(store, q); }); });
    row.compile = MedianMs(runs, [&] { g_sink = g_sink + compile(spec.text).now(); });
    row.plan = MedianPlanningMs(runs, [&] { return Explain(store, q).planning; });
    row.roaring = MedianMs(runs, [&] { g_sink = g_sink + spec.roaring(); });
    row.scan = MedianMs(runs, [&] { g_sink = g_sink + spec.scan(); });
    if (st != nullptr) {
      row.sqlite = MedianMs(runs, [&] { g_sink = g_sink + bench::SqliteDb::Column(st).at(0); });
      sqlite3_finalize(st);
    }
    row.target = spec.tag_only ? 0.3 : 1.0;
    rows.push_back(row);
    explains.push_back(Explain(store, q).ToString());
    std::fprintf(stderr, "%s done: %s\n", spec.name, Ms(row.ours).c_str());
  }

  // Q7: the first 1000 ids of Q2.
  {
    constexpr size_t kFirst = 1000;
    Row row{.name = "Q7", .text = "first 1000 ids of Q2"};
    Query q = compile(qs[1].text);
    std::vector<PersonId> ours = FirstIds(store, q, kFirst);
    auto roaring_first = [&] {
      std::vector<uint32_t> out;
      const Plain x = q2_bitmap();
      for (auto it = x.begin(); it != x.end() && out.size() < kFirst; ++it) out.push_back(*it);
      return out;
    };
    auto scan_first = [&] {
      std::vector<uint32_t> out;
      out.reserve(kFirst);
      for (uint32_t i = 0; i < n && out.size() < kFirst; ++i) {
        if (q2_scan(i)) out.push_back(i);
      }
      return out;
    };
    std::vector<uint32_t> roaring = roaring_first(), scan = scan_first();
    sqlite3_stmt* st = nullptr;
    if (db) {
      st = db->Prepare("SELECT person_id FROM profiles p WHERE " + q2_where +
                       " ORDER BY person_id LIMIT " + std::to_string(kFirst));
      std::vector<int64_t> sql = bench::SqliteDb::Column(st);
      if (!std::equal(sql.begin(), sql.end(), ours.begin(), ours.end())) {
        Die("Q7: SQLite ids differ from ours");
      }
    }
    if (ours != roaring || ours != scan ||
        step_by_step(q, ExecMode::kFirstK, kFirst).people.ToVector() != ours) {
      Die("Q7: ids disagree between engines");
    }
    row.count = ours.size();
    row.ours = MedianMs(runs, [&] { g_sink = g_sink + FirstIds(store, q, kFirst).size(); });
    row.steps = MedianMs(
        runs, [&] { g_sink = g_sink + step_by_step(q, ExecMode::kFirstK, kFirst).count; });
    row.portable = WithPortableKernels([&] {
      return MedianMs(runs, [&] { g_sink = g_sink + FirstIds(store, q, kFirst).size(); });
    });
    row.compile = rows[1].compile;
    row.plan = MedianPlanningMs(
        runs, [&] { return Explain(store, q, ExecMode::kFirstK, kFirst).planning; });
    row.roaring = MedianMs(runs, [&] { g_sink = g_sink + roaring_first().size(); });
    row.scan = MedianMs(runs, [&] { g_sink = g_sink + scan_first().size(); });
    if (st != nullptr) {
      row.sqlite = MedianMs(runs, [&] { g_sink = g_sink + bench::SqliteDb::Column(st).size(); });
      sqlite3_finalize(st);
    }
    row.target = 0.1;
    rows.push_back(row);
    explains.push_back(Explain(store, q, ExecMode::kFirstK, kFirst).ToString());
  }

  // ---- report ----
  std::string cmd = "build-bench/bench/query_bench";
  for (int i = 1; i < argc; ++i) cmd += std::string(" ") + argv[i];
  std::printf("`%s`\n\n", cmd.c_str());
  std::printf("%s people (seed %llu), %d timed runs per figure (medians), one thread.\n\n",
              Num(n).c_str(), static_cast<unsigned long long>(flags.seed), runs);
  std::printf("Dense kernels: %s (detected); \"portable\" is our engine with the portable "
              "kernels, as on a CPU without POPCNT; \"step by step\" is our engine with "
              "chunked execution off. CRoaring is Debian's libroaring.\n\n",
              std::string(audience::dense::IsaName(audience::dense::DetectedIsa())).c_str());
  std::printf("| query | matches | ours | portable | step by step | SQLite | CRoaring | scan | "
              "ours/SQLite | ours/CRoaring | ours/scan | compile / plan | target |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const Row& r : rows) {
    const double best = std::min(r.roaring, r.scan);
    const bool met = r.ours <= r.target && r.ours <= 1.5 * best;
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s ≤ %s%s |\n",
                r.name.c_str(), Num(r.count).c_str(), Ms(r.ours).c_str(), Ms(r.portable).c_str(),
                Ms(r.steps).c_str(), Ms(r.sqlite).c_str(),
                Ms(r.roaring).c_str(), Ms(r.scan).c_str(), Ratio(r.ours, r.sqlite).c_str(),
                Ratio(r.ours, r.roaring).c_str(), Ratio(r.ours, r.scan).c_str(),
                Ms(r.compile).c_str(), Ms(r.plan).c_str(), met ? "met" : "**missed**",
                Ms(r.target).c_str(), r.ours <= 1.5 * best ? "" : ", >1.5× best baseline");
  }
  std::printf("\nQueries:\n\n");
  for (const Row& r : rows) std::printf("- %s: `%s`\n", r.name.c_str(), r.text.c_str());
  const MemoryUsage mem = store.Memory();
  const bool ops = flags.load == "batches";
  std::printf("\nLoad (s): population %.1f; our store (%s) %.2f (%s %.2f, %s %.2f, "
              "%s %.2f, Optimize %.2f); CRoaring %.1f; dense %.1f; SQLite %s.\n",
              gen_s, ops ? "WriteBatch ops" : "one ColumnBlock", lt.total(),
              ops ? "people" : "building the block", lt.people,
              ops ? "attributes" : "applying it, tags included", lt.attributes,
              ops ? "tags by AssignBitmap" : "(tags separately)", lt.tags, lt.optimize, rb_s, ds_s,
              db ? fmt::format("{:.1f}", sqlite_s).c_str() : "not loaded");
  if (batch_lt.total() > 0 && flags.load == "both") {
    std::printf("WriteBatch-only load of the same store: %.2f s (Upsert batches %.2f, "
                "SetAttribute batches %.2f, AssignBitmap %.2f, Optimize %.2f); same content as the "
                "bulk load (checked).\n",
                batch_lt.total(), batch_lt.people, batch_lt.attributes, batch_lt.tags,
                batch_lt.optimize);
  }
  std::printf("Memory per person: our store %.1f B (ids %.1f, tags %.1f, attributes %.1f); "
              "CRoaring %.1f B; dense %.1f B%s.\n",
              static_cast<double>(mem.total()) / n, static_cast<double>(mem.ids) / n,
              static_cast<double>(mem.tags) / n, static_cast<double>(mem.attributes) / n,
              static_cast<double>(rb.MemoryBytes()) / n, static_cast<double>(ds.MemoryBytes()) / n,
              db ? fmt::format("; SQLite {:.1f} B", static_cast<double>(db->MemoryBytes()) / n)
                       .c_str()
                 : "");
  std::printf("RSS at the end: %ld MiB.\n", RssMiB());
  if (flags.explain) {
    for (size_t i = 0; i < rows.size(); ++i) {
      std::printf("\n%s Explain:\n```\n%s```\n", rows[i].name.c_str(), explains[i].c_str());
    }
  }
  return 0;
}
