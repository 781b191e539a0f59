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
#include <string>

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

// Empty when the engine agrees with the oracle; else what differs.
std::string Mismatch(const Store& store, const BoundExpr& e, UnixSeconds now) {
  const std::vector<PersonId> expected = audience_test::NaiveEvaluate(store, e, now);
  const Bitmap want = Bitmap::FromIds(expected);
  for (bool optimize : {true, false}) {
    for (ExecMode mode : {ExecMode::kBitmap, ExecMode::kCount, ExecMode::kFirstK}) {
      const size_t k = 1 + expected.size() / 2;
      Plan plan = BuildPlan(store, e, now, {.mode = mode, .k = k, .optimize = optimize});
      ExecResult r = Execute(store, plan);
      bool ok = mode == ExecMode::kBitmap  ? r.people == want && r.count == expected.size()
                : mode == ExecMode::kCount ? r.count == expected.size()
                                           : r.people.ToVector() ==
                                                 std::vector<PersonId>(
                                                     expected.begin(),
                                                     expected.begin() + std::min(k, expected.size()));
      if (!ok) {
        return fmt::format("optimize={} mode={}: engine {} ({}), oracle {}\nplan:\n{}", optimize,
                           static_cast<int>(mode), r.count, r.people.DebugString(),
                           want.DebugString(), plan.ToString());
      }
    }
  }
  return "";
}

}  // namespace

TEST_CASE("engine agrees with the per-person oracle on random queries", "[query][differential]") {
  const size_t per_world = QueriesPerWorld();
  size_t checked = 0;
  for (uint64_t seed : {11, 12, 13, 14}) {
    audience_test::World w = audience_test::MakeWorld(seed, 400);
    audience_test::QueryGen gen(w.store, seed * 7919, w.now);
    QueryOptions options{.now = absl::FromUnixSeconds(w.now)};
    for (size_t i = 0; i < per_world; ++i) {
      BoundExpr e = gen.Next();
      // Through the text too: the canonical form compiles back to `e`.
      std::string text = Describe(e, w.store.schema());
      CompileResult compiled = CompileQuery(w.store, text, options);
      INFO("seed " << seed << " query " << i << ": " << text);
      REQUIRE(compiled.query.has_value());
      std::string problem = Mismatch(w.store, compiled.query->expr(), w.now);
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
  CHECK(checked == 4 * per_world);
}
