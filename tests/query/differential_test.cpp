// Differential tests: random queries over random worlds (random_world.h),
// answered by the bitmap engine (optimised and as lowered; full sets,
// counts and first-K) and by the naive per-person oracle (oracle.h), must
// agree exactly. A mismatch is shrunk to a minimal query and printed.
// The SQLite oracle runs the same queries compiled to SQL
// (sql_differential_test.cpp).
//
// AUDIENCE_DIFF_QUERIES sets the number of queries per world (default 600,
// over 4 worlds); set it to 25000 for the long mode (100k queries).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

#include "audience/query/query.h"
#include "query/oracle.h"
#include "query/query_gen.h"
#include "query/random_world.h"

namespace {

using namespace audience;

size_t QueriesPerWorld() {
  const char* env = std::getenv("AUDIENCE_DIFF_QUERIES");
  return env != nullptr ? std::strtoul(env, nullptr, 10) : 600;
}

// Empty when the engine agrees with the oracle; else what differs. Counts
// the plans that ran chunk by chunk in `*chunked_runs` when given.
std::string Mismatch(const Store& store, const BoundExpr& e, UnixSeconds now,
                     size_t* chunked_runs = nullptr) {
  const std::vector<PersonId> expected = audience_test::NaiveEvaluate(store, e, now);
  const Bitmap want = Bitmap::FromIds(expected);
  for (auto [optimize, chunked] : {std::pair(true, true), std::pair(true, false),
                                   std::pair(false, true)}) {
    for (ExecMode mode : {ExecMode::kBitmap, ExecMode::kCount, ExecMode::kFirstK}) {
      const size_t k = 1 + expected.size() / 2;
      Plan plan = BuildPlan(store, e, now,
                            {.mode = mode, .k = k, .optimize = optimize, .chunked = chunked});
      ExecResult r = Execute(store, plan);
      if (chunked_runs != nullptr && r.chunked) ++*chunked_runs;
      bool ok = mode == ExecMode::kBitmap  ? r.people == want && r.count == expected.size()
                : mode == ExecMode::kCount ? r.count == expected.size()
                                           : r.people.ToVector() ==
                                                 std::vector<PersonId>(
                                                     expected.begin(),
                                                     expected.begin() + std::min(k, expected.size()));
      if (!ok) {
        return fmt::format("optimize={} chunked={} mode={}: engine {} ({}), oracle {}\nplan:\n{}",
                           optimize, chunked, static_cast<int>(mode), r.count, r.people.DebugString(),
                           want.DebugString(), plan.ToString());
      }
    }
  }
  return "";
}

// Queries over `worlds` (seed, people) must agree with the oracle; returns
// how many plans ran chunk by chunk.
size_t CheckWorlds(std::initializer_list<std::pair<uint64_t, uint32_t>> worlds, size_t per_world) {
  size_t checked = 0, chunked_runs = 0;
  for (auto [seed, people] : worlds) {
    audience_test::World w = audience_test::MakeWorld(seed, people);
    audience_test::QueryGen gen(w.store, seed * 7919, w.now);
    QueryOptions options{.now = absl::FromUnixSeconds(w.now)};
    for (size_t i = 0; i < per_world; ++i) {
      BoundExpr e = gen.Next();
      // Through the text too: the canonical form compiles back to `e`.
      std::string text = Describe(e, w.store.schema());
      CompileResult compiled = CompileQuery(w.store, text, options);
      INFO("seed " << seed << " query " << i << ": " << text);
      REQUIRE(compiled.query.has_value());
      std::string problem = Mismatch(w.store, compiled.query->expr(), w.now, &chunked_runs);
      if (!problem.empty()) {
        BoundExpr small = audience_test::Shrink(e, [&](const BoundExpr& x) {
          return !Mismatch(w.store, x, w.now).empty();
        });
        FAIL("mismatch; minimal query: " << Describe(small, w.store.schema()) << "\n"
                                         << Mismatch(w.store, small, w.now));
      }
      ++checked;
    }
  }
  CHECK(checked == worlds.size() * per_world);
  return chunked_runs;
}

}  // namespace

TEST_CASE("engine agrees with the per-person oracle on random queries", "[query][differential]") {
  const size_t per_world = QueriesPerWorld();
  const size_t chunked = CheckWorlds({{11, 400}, {12, 400}, {13, 400}, {14, 400}}, per_world);
  // Both executors are exercised: 6 runs per query, 2 of them step by step.
  CHECK(chunked > per_world);
}

TEST_CASE("engine agrees with the oracle over several 2^16-id chunks", "[query][differential]") {
  // Enough people for three chunks, so that chunk boundaries, cursors and
  // first-K across chunks are exercised.
  CHECK(CheckWorlds({{21, 140'000}}, std::max<size_t>(QueriesPerWorld() / 10, 40)) > 0);
}
