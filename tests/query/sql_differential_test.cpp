// The second oracle: random queries over random worlds (random_world.h),
// compiled to SQL and run by SQLite on the exported tables (docs/sql.md),
// must return exactly the people the bitmap engine returns. A mismatch is
// shrunk to a minimal query and printed with its SQL.
//
// AUDIENCE_DIFF_QUERIES sets the number of queries per world (default 600,
// over 3 worlds; 34000 in the long mode gives over 100k).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "audience/query/query.h"
#include "audience/sql/export.h"
#include "audience/sql/sql_compiler.h"
#include "query/oracle.h"
#include "query/query_gen.h"
#include "query/random_world.h"
#include "scoped_temp_path.h"
#include "sql/sqlite_db.h"

namespace {

using namespace audience;

size_t QueriesPerWorld() {
  const char* env = std::getenv("AUDIENCE_DIFF_QUERIES");
  return env != nullptr ? std::strtoul(env, nullptr, 10) : 600;
}

std::vector<int64_t> EngineIds(const Store& store, const BoundExpr& e, UnixSeconds now) {
  Plan plan = BuildPlan(store, e, now);
  std::vector<int64_t> out;
  Execute(store, plan).people.ForEach([&](uint32_t p) { out.push_back(p); });
  return out;
}

}  // namespace

TEST_CASE("engine agrees with SQLite on the exported tables", "[query][differential][sql]") {
  const size_t per_world = QueriesPerWorld();
  size_t checked = 0;
  for (uint64_t seed : {21, 22, 23}) {  // 21: swept expiries; 21 and 24: compacted events
    audience_test::World w = audience_test::MakeWorld(seed, 300);
    const audience_test::ScopedTempPath tmp(fmt::format("sqldiff_{}", seed));
    const std::filesystem::path dir = tmp.path();
    REQUIRE(ExportCsv(w.store, dir.string(), absl::FromUnixSeconds(w.now)).ok());
    audience_test::Db db = audience_test::OpenExport(dir, w.store.schema());
    audience_test::QueryGen gen(w.store, seed * 104729, w.now);
    auto differs = [&](const BoundExpr& x) {
      std::string sql = CompileToSql(x, w.store.schema(), SqlDialect::kSqlite, w.now);
      return audience_test::Run(db.get(), sql) != EngineIds(w.store, x, w.now);
    };
    for (size_t i = 0; i < per_world; ++i) {
      BoundExpr e = gen.Next();
      if (differs(e)) {
        BoundExpr small = audience_test::Shrink(e, differs);
        std::string sql = CompileToSql(small, w.store.schema(), SqlDialect::kSqlite, w.now);
        FAIL("seed " << seed << " query " << i << " differs; minimal query:\n"
                     << Describe(small, w.store.schema()) << "\nSQL:\n" << sql << "\nSQLite "
                     << audience_test::Run(db.get(), sql).size() << " people, engine "
                     << EngineIds(w.store, small, w.now).size());
      }
      ++checked;
    }
  }
  CHECK(checked == 3 * per_world);
}
