// Database costs (issue 5): snapshot save and open times, what a Reader adds
// to a query, query throughput with 1, 2 and 4 reader threads (alone and
// beside a writer), and the cost of a durable write. One process, one
// synthetic population (bench/query_bench_data.h); prints markdown for
// docs/benchmarks.md.
//
//   build-bench/bench/database_bench [--people=1000000] [--seconds=2] [--runs=41]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "audience/audience.h"
#include "audience/query/query.h"
#include "audience/store/database.h"
#include "fmt/format.h"
#include "query_bench_data.h"

namespace {

using namespace audience;
using bench::Die;
using bench::SecondsSince;
using Clock = std::chrono::steady_clock;

// The count queries of query_bench (Q1..Q5).
const char* kQueries[] = {
    "interest:t0 AND interest:t1",
    "(interest:t0 OR interest:t1) AND NOT interest:t2 AND gender = 'F' AND age BETWEEN 20 AND 30",
    "region IN ('r1', 'r2', 'r3') AND income = 'high' AND rfm_r >= 4 AND rfm_f >= 4",
    "orders > 0 AND last_active_at < now - 30d",
    "interest:t0 AND interest:t1 AND interest:t2 AND age >= 30 AND region = 'r0'",
};

template <typename F>
double MedianUs(int runs, F&& f) {
  f();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    f();
    t.push_back(SecondsSince(t0) * 1e6);
  }
  std::nth_element(t.begin(), t.begin() + runs / 2, t.end());
  return t[static_cast<size_t>(runs / 2)];
}

// Queries per second over `seconds` with `threads` readers cycling through
// the queries, each query on its own Reader.
double Throughput(const Database& db, const std::vector<Query>& qs, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      uint64_t n = 0, sink = 0;
      for (size_t k = static_cast<size_t>(t); !stop.load(std::memory_order_relaxed); ++k, ++n) {
        Database::Reader r = db.Read();
        sink += Count(*r, qs[k % qs.size()]);
      }
      done += n + (sink == 42 ? 1 : 0);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& th : pool) th.join();
  return static_cast<double>(done.load()) / seconds;
}

WriteBatch SmallBatch(uint32_t people, uint64_t k) {
  WriteBatch b(absl::FromUnixSeconds(bench::kEpoch));
  for (uint64_t i = 0; i < 100; ++i) {
    const auto who = static_cast<int64_t>((k * 7919 + i * 104729) % people);
    b.Tag(ExternalId::Int(who), "interest", i % 2 ? "t3" : "t4");
  }
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t people = 1'000'000;
  double seconds = 2;
  int runs = 41;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--people=", 0) == 0) {
      people = static_cast<uint32_t>(std::stoul(a.substr(9)));
    } else if (a.rfind("--seconds=", 0) == 0) {
      seconds = std::stod(a.substr(10));
    } else if (a.rfind("--runs=", 0) == 0) {
      runs = std::max(5, std::stoi(a.substr(7)));
    } else {
      Die("unknown flag " + a + " (--people=N --seconds=S --runs=N)");
    }
  }
  const bench::QueryData data = bench::QueryData::Generate(people, 42);
  bench::LoadTimes lt;
  auto t0 = Clock::now();
  Store store = bench::LoadStoreBulk(data, &lt);
  const double build_s = SecondsSince(t0);

  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("audience_database_bench_" + std::to_string(::getpid())))
                              .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  t0 = Clock::now();
  bench::Check(SaveSnapshot(store, dir + "/store.aud"), "save");
  const double save_s = SecondsSince(t0);
  const auto bytes = std::filesystem::file_size(dir + "/store.aud");
  t0 = Clock::now();
  absl::StatusOr<Store> reopened = OpenSnapshot(dir + "/store.aud");
  const double open_s = SecondsSince(t0);
  if (!reopened.ok()) Die(reopened.status().ToString());
  reopened = Store();
  t0 = Clock::now();
  absl::StatusOr<std::unique_ptr<Database>> opened = Database::Open(dir, {.create_if_missing = false});
  const double db_open_s = SecondsSince(t0);
  if (!opened.ok()) Die(opened.status().ToString());
  Database& db = **opened;

  fmt::print("## Database at {} people\n\n", people);
  fmt::print("| step | time |\n|---|---:|\n");
  fmt::print("| build the store (bulk load) | {:.2f} s |\n", build_s);
  fmt::print("| SaveSnapshot ({:.0f} MB) | {:.2f} s |\n", static_cast<double>(bytes) / 1e6, save_s);
  fmt::print("| OpenSnapshot | {:.2f} s ({:.2f}x the build) |\n", open_s, open_s / build_s);
  fmt::print("| Database::Open (snapshot + second copy) | {:.2f} s |\n\n", db_open_s);

  const QueryOptions options{.now = absl::FromUnixSeconds(bench::kEpoch)};
  std::vector<Query> qs;
  for (const char* text : kQueries) {
    absl::StatusOr<Query> q = Query::Compile(store, text, options);
    if (!q.ok()) Die(q.status().ToString());
    qs.push_back(*std::move(q));
  }
  fmt::print("| query | Store | through a Reader | ratio |\n|---|---:|---:|---:|\n");
  for (size_t k = 0; k < qs.size(); ++k) {
    uint64_t a = 0, b = 0;
    const double direct = MedianUs(runs, [&] { a = Count(store, qs[k]); });
    const double leased = MedianUs(runs, [&] {
      Database::Reader r = db.Read();
      b = Count(*r, qs[k]);
    });
    if (a != b) Die(fmt::format("Q{}: {} vs {}", k + 1, a, b));
    fmt::print("| Q{} | {:.0f} us | {:.0f} us | {:.2f} |\n", k + 1, direct, leased, leased / direct);
  }

  fmt::print("\n| reader threads | queries/s | with a writer: queries/s | writes/s |\n"
             "|---:|---:|---:|---:|\n");
  for (int threads : {1, 2, 4}) {
    const double alone = Throughput(db, qs, threads, seconds);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> writes{0};
    std::thread writer([&] {
      for (uint64_t k = 0; !stop.load(); ++k) {
        if (!db.Apply(SmallBatch(people, k)).ok()) Die("write failed");
        ++writes;
      }
    });
    const double beside = Throughput(db, qs, threads, seconds);
    stop = true;
    writer.join();
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} |\n", threads, alone, beside,
               static_cast<double>(writes.load()) / seconds);
  }

  uint64_t k = 1u << 20;
  const double store_apply = MedianUs(runs, [&] { (void)store.Apply(SmallBatch(people, ++k)); });
  const double db_apply = MedianUs(runs, [&] { (void)db.Apply(SmallBatch(people, ++k)); });
  fmt::print("\n| 100-tag write | median |\n|---|---:|\n");
  fmt::print("| Store::Apply | {:.0f} us |\n", store_apply);
  fmt::print("| Database::Apply (log, fdatasync, both copies) | {:.0f} us |\n", db_apply);
  std::filesystem::remove_all(dir);
  return 0;
}
