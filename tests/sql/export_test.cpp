// ExportCsv and the compiled SQL end to end: a small store is exported, the
// CSVs are loaded into an in-memory SQLite database with CreateTablesSql,
// and each query's SQL result is compared with the answer worked out by
// hand for that store.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/io/csv_reader.h"
#include "audience/query/binder.h"
#include "audience/query/parser.h"
#include "audience/sql/export.h"
#include "audience/store/store.h"
#include "sql/sqlite_db.h"

namespace {

using namespace audience;  // NOLINT(build/namespaces)
using audience_test::Db;
using audience_test::Exec;
using audience_test::LoadCsv;
using audience_test::Run;

// 2026-11-23T10:00:00Z
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0),
                                        absl::UTCTimeZone());
absl::Time DaysAgo(int n) { return kNow - absl::Hours(24 * n); }

const std::string kOddId = "id,with \"quote\"\nand newline";

std::filesystem::path TempDir(const std::string& name) {
  std::filesystem::path p = std::filesystem::temp_directory_path() /
                            fmt::format("audience_sql_{}_{}", name, ::getpid());
  std::filesystem::remove_all(p);
  return p;
}

// The store of the hand-computed answers below. Live people:
//   u1   age 35, score 0.5, city Zürich, seen now-10d, vip true;
//        interest fashion, tech (expires now+1d); power high;
//        purchase now-5d 10.5 skincare product 'a,b'; purchase now-40d
//        20.25 shoes (compacted: 00:00 that day); visit now-1d home
//   u2   age 25, city O'Hare, vip false; interest fashion (expired now-1h),
//        sports (expires now+1d); power low; purchases now-30d 08:00 and
//        09:00, 5 each, skincare (compacted into one point, count 2, at
//        00:00); purchase now-2d 2.5 skincare
//   u3   age written then cleared, score 2.25; nothing else
//   42   age 30, score -1.5, city back\slash, seen now-100d, vip false;
//        interest tech (expires now+10d); power mid (expired now-1d);
//        visit now-10d home; purchase now-100d 100 shoes (compacted)
//   kOddId  age 40
// and u5, deleted (it had a tag, an attribute and a purchase).
Store MakeStore() {
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest"}).ok());
  REQUIRE(s.AddDimension({.name = "power", .kind = DimensionKind::kExclusive,
                          .values = {"high", "mid", "low"}}).ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).ok());
  REQUIRE(s.AddAttribute({.name = "city", .type = AttributeType::kEnum}).ok());
  REQUIRE(s.AddAttribute({.name = "seen", .type = AttributeType::kTimestamp}).ok());
  REQUIRE(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).ok());
  REQUIRE(s.AddEventType({.name = "purchase", .properties = {{.name = "category", .indexed = true},
                                                             {.name = "product"}}}).ok());
  REQUIRE(s.AddEventType({.name = "visit", .properties = {{.name = "page"},
                                                          {.name = "category"}}}).ok());
  absl::StatusOr<Store> store = Store::Create(std::move(s));
  REQUIRE(store.ok());

  const ExternalId u1 = ExternalId::Str("u1"), u2 = ExternalId::Str("u2"),
                   u3 = ExternalId::Str("u3"), p42 = ExternalId::Int(42),
                   u5 = ExternalId::Str("u5"), odd = ExternalId::Str(kOddId);
  WriteBatch b(DaysAgo(3));
  b.SetAttribute(u1, "age", Value::Int(35));
  b.SetAttribute(u1, "score", Value::Double(0.5));
  b.SetAttribute(u1, "city", Value::Enum("Zürich"));
  b.SetAttribute(u1, "seen", Value::Time(DaysAgo(10)));
  b.SetAttribute(u1, "vip", Value::Bool(true));
  b.Tag(u1, "interest", "fashion");
  b.Tag(u1, "interest", "tech", {.expires_at = kNow + absl::Hours(24)});
  b.Tag(u1, "power", "high");
  b.Purchase(u1, DaysAgo(5), 10.5, {{"category", "skincare"}, {"product", "a,b"}});
  b.Purchase(u1, DaysAgo(40), 20.25, {{"category", "shoes"}});
  b.AddEvent(u1, "visit", DaysAgo(1), 0, {{"page", "home"}});

  b.SetAttribute(u2, "age", Value::Int(25));
  b.SetAttribute(u2, "city", Value::Enum("O'Hare"));
  b.SetAttribute(u2, "vip", Value::Bool(false));
  b.Tag(u2, "interest", "fashion", {.expires_at = kNow - absl::Hours(1)});
  b.Tag(u2, "interest", "sports", {.expires_at = kNow + absl::Hours(24)});
  b.Tag(u2, "power", "low");
  b.Purchase(u2, DaysAgo(30) - absl::Hours(2), 5, {{"category", "skincare"}});
  b.Purchase(u2, DaysAgo(30) - absl::Hours(1), 5, {{"category", "skincare"}});
  b.Purchase(u2, DaysAgo(2), 2.5, {{"category", "skincare"}});

  b.SetAttribute(u3, "age", Value::Int(99));
  b.SetAttribute(u3, "score", Value::Double(2.25));

  b.SetAttribute(p42, "age", Value::Int(30));
  b.SetAttribute(p42, "score", Value::Double(-1.5));
  b.SetAttribute(p42, "city", Value::Enum("back\\slash"));
  b.SetAttribute(p42, "seen", Value::Time(DaysAgo(100)));
  b.SetAttribute(p42, "vip", Value::Bool(false));
  b.Tag(p42, "interest", "tech", {.expires_at = kNow + absl::Hours(240)});
  b.Tag(p42, "power", "mid", {.expires_at = kNow - absl::Hours(24)});
  b.AddEvent(p42, "visit", DaysAgo(10), 0, {{"page", "home"}});
  b.Purchase(p42, DaysAgo(100), 100, {{"category", "shoes"}});

  b.SetAttribute(odd, "age", Value::Int(40));

  b.SetAttribute(u5, "age", Value::Int(50));
  b.Tag(u5, "interest", "fashion");
  b.Purchase(u5, DaysAgo(1), 1, {{"category", "skincare"}});
  REQUIRE(store->Apply(b).ok());

  WriteBatch b2(DaysAgo(1));
  b2.SetAttribute(u3, "age", Value::Null());
  b2.Delete(u5);
  REQUIRE(store->Apply(b2).ok());
  REQUIRE(store->CompactEvents(DaysAgo(20)) > 0);
  REQUIRE(store->PutSegment("fashion_30", "interest:fashion AND age >= 30").ok());
  REQUIRE(store->PutSegment("quiet", "NOT did(purchase)\n AND NOT did(visit)").ok());
  return std::move(*store);
}

Db LoadExport(const std::filesystem::path& dir, const Schema& schema) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  Db db(raw);
  Exec(db.get(), CreateTablesSql(schema, SqlDialect::kSqlite));
  CHECK(LoadCsv(db.get(), "profiles", dir / "profiles.csv") == 5);
  CHECK(LoadCsv(db.get(), "person_tags", dir / "person_tags.csv") == 8);
  // u1: 3 points, u2: 2 (the compacted pair and one), 42: 2.
  CHECK(LoadCsv(db.get(), "events", dir / "events.csv") == 7);
  return db;
}

TEST_CASE("Compiled SQL over the exported store matches the hand-computed sets",
          "[sql][export]") {
  const Store store = MakeStore();
  const std::filesystem::path dir = TempDir("e2e");
  REQUIRE(ExportCsv(store, dir.string(), kNow).ok());
  Db db = LoadExport(dir, store.schema());

  auto id = [&](const ExternalId& e) { return static_cast<int64_t>(*store.Find(e)); };
  const int64_t u1 = id(ExternalId::Str("u1")), u2 = id(ExternalId::Str("u2")),
                u3 = id(ExternalId::Str("u3")), p42 = id(ExternalId::Int(42)),
                odd = id(ExternalId::Str(kOddId));
  struct Case {
    std::string query;
    std::set<int64_t> want;
  };
  const std::vector<Case> cases = {
      {"interest:fashion", {u1}},  // u2's fashion expired
      {"interest:tech", {u1, p42}},
      {"has(interest)", {u1, u2, p42}},
      {"NOT has(interest)", {u3, odd}},
      {"power:mid", {}},  // expired, not swept
      {"power IN ('high', 'low')", {u1, u2}},
      {"age >= 30", {u1, p42, odd}},
      {"age != 30", {u1, u2, odd}},
      {"NOT (age = 30)", {u1, u2, u3, odd}},
      {"age NOT IN (25, 35)", {p42, odd}},
      {"age NOT BETWEEN 26 AND 39", {u2, odd}},
      {"age IS NULL", {u3}},
      {"score <= 0.5", {u1, p42}},
      {"score != 0.5", {u3, p42}},
      {"city = 'O\\'Hare'", {u2}},
      {"city IN ('Zürich', 'back\\\\slash')", {u1, p42}},
      {"city != 'Zürich'", {u2, p42}},
      {"seen > now - 30d", {u1}},
      {"seen IS NOT NULL", {u1, p42}},
      {"vip = true", {u1}},
      {"vip = false", {u2, p42}},
      {"NOT vip = true", {u2, u3, p42, odd}},
      {"did(purchase)", {u1, u2, p42}},
      {"NOT did(purchase)", {u3, odd}},
      {"count(purchase, within = 35d) = 0", {u3, p42, odd}},
      {"count(purchase, category = 'skincare') >= 2", {u2}},
      {"count(purchase) < 2", {u3, p42, odd}},
      {"count(purchase, within = 7d) != 1", {u3, p42, odd}},
      {"sum(purchase) <= 20.25", {u2, u3, odd}},
      {"sum(purchase, category = 'skincare') > 10", {u1, u2}},
      {"sum(purchase, category = 'shoes') = 100", {p42}},
      {"first(purchase) < now - 50d", {p42}},
      {"last(purchase) >= now - 3d", {u2}},
      {"last(visit) < now - 5d", {p42}},
      {"did(visit, page = 'home', within = 7d)", {u1}},
      {"count(purchase, product = 'a,b') = 1", {u1}},
      // Compacted points sit at 00:00 of their day (2026-10-14, 2026-10-24).
      {"count(purchase, from = '2026-10-14', to = '2026-10-25') >= 1", {u1, u2}},
      {"count(purchase, from = '2026-10-14 00:00:01', to = '2026-10-25') = 2", {u2}},
      {"any(2, interest:fashion, age > 30, vip = false, did(visit))", {u1, p42}},
      {"(interest:tech OR age < 26) AND NOT city = 'back\\\\slash'", {u1, u2}},
      {"any(0)", {u1, u2, u3, p42, odd}},
      {"any(1)", {}},
  };
  for (const Case& c : cases) {
    ParseResult p = Parse(c.query);
    REQUIRE(p.root != nullptr);
    BindResult b = Bind(*p.root, {.schema = &store.schema(), .now = kNow});
    INFO(c.query << (b.diagnostics.empty() ? "" : " -> " + b.diagnostics[0].message));
    REQUIRE(b.expr.has_value());
    const std::string sql =
        CompileToSql(*b.expr, store.schema(), SqlDialect::kSqlite, absl::ToUnixSeconds(kNow));
    INFO(sql);
    const std::vector<int64_t> got = Run(db.get(), sql);
    CHECK(std::set<int64_t>(got.begin(), got.end()) == c.want);
    CHECK(std::is_sorted(got.begin(), got.end()));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("ExportCsv writes the tables and the compiled segments of every dialect",
          "[sql][export]") {
  const Store store = MakeStore();
  const std::filesystem::path dir = TempDir("files") / "nested";
  REQUIRE(ExportCsv(store, dir.string(), kNow).ok());
  auto read = [&](const std::string& name) {
    std::ifstream in(dir / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  for (SqlDialect d : kAllSqlDialects) {
    CHECK(read(fmt::format("tables.{}.sql", SqlDialectName(d))) ==
          CreateTablesSql(store.schema(), d));
    const std::string segments = read(fmt::format("segments.{}.sql", SqlDialectName(d)));
    CHECK(segments.find("-- segment: fashion_30\n-- interest:fashion AND age >= 30\nSELECT ") !=
          std::string::npos);
    CHECK(segments.find("-- segment: quiet\n-- NOT did(purchase)\n--  AND NOT did(visit)\n") !=
          std::string::npos);
  }
  CHECK(read("profiles.csv").rfind("person_id,external_id,age,score,city,seen,vip\n", 0) == 0);
  CHECK(read("person_tags.csv").rfind("person_id,dimension,value,expires_at\n", 0) == 0);
  CHECK(read("events.csv")
            .rfind("person_id,event_type,time,count,amount,p.category,p.product,p.page\n", 0) == 0);
  CHECK(SqlPropertyNames(store.schema()) ==
        std::vector<std::string>{"category", "product", "page"});

  // The segments file runs as is, each statement giving the segment's people.
  Db db = LoadExport(dir, store.schema());
  const std::string script = read("segments.sqlite.sql");
  std::vector<std::vector<int64_t>> results;
  const char* tail = script.c_str();
  while (*tail != '\0') {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), tail, -1, &stmt, &tail) == SQLITE_OK);
    if (stmt == nullptr) break;  // only comments or blanks left
    results.emplace_back();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      results.back().push_back(sqlite3_column_int64(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  const int64_t u1 = *store.Find(ExternalId::Str("u1"));
  const int64_t u3 = *store.Find(ExternalId::Str("u3"));
  const int64_t odd = *store.Find(ExternalId::Str(kOddId));
  REQUIRE(results.size() == 2);
  CHECK(results[0] == std::vector<int64_t>{u1});
  CHECK(results[1] == std::vector<int64_t>{std::min(u3, odd), std::max(u3, odd)});

  // Values come back exactly: the odd external id, the double, the NULLs.
  CHECK(Run(db.get(), fmt::format("SELECT person_id FROM profiles WHERE external_id = {}",
                                  SqlString(kOddId, SqlDialect::kSqlite))) ==
        std::vector<int64_t>{odd});
  CHECK(Run(db.get(), "SELECT COUNT(*) FROM profiles WHERE score = 2.25 AND age IS NULL AND "
                      "city IS NULL AND seen IS NULL AND vip IS NULL") ==
        std::vector<int64_t>{1});
  CHECK(Run(db.get(), "SELECT COUNT(*) FROM profiles WHERE external_id = '42'") ==
        std::vector<int64_t>{1});
  CHECK(Run(db.get(), "SELECT \"count\" FROM events WHERE \"p.category\" = 'skincare' AND "
                      "amount = 10 AND \"p.product\" IS NULL") == std::vector<int64_t>{2});
  CHECK(Run(db.get(), "SELECT COUNT(*) FROM person_tags WHERE expires_at IS NULL") ==
        std::vector<int64_t>{3});
  std::filesystem::remove_all(dir.parent_path());
}

TEST_CASE("ExportCsv reports unwritable paths and broken segments", "[sql][export]") {
  Store store = MakeStore();
  const std::filesystem::path base = TempDir("errors");
  std::filesystem::create_directories(base);
  {
    std::ofstream(base / "plain_file") << "x";
  }
  // A directory below a regular file cannot be created.
  const std::string bad_dir = (base / "plain_file" / "out").string();
  absl::Status s = ExportCsv(store, bad_dir, kNow);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find(bad_dir) != absl::string_view::npos);

  s = ExportCsv(store, "", kNow);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);

  // The target directory is a file.
  s = ExportCsv(store, (base / "plain_file").string(), kNow);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("plain_file") != absl::string_view::npos);

  // A file that cannot be created: a directory already has its name.
  std::filesystem::create_directories(base / "taken" / "events.csv");
  s = ExportCsv(store, (base / "taken").string(), kNow);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("events.csv") != absl::string_view::npos);

  // A saved segment that no longer binds fails before anything is written.
  REQUIRE(store.PutSegment("broken", "age > 'old'").ok());
  s = ExportCsv(store, (base / "fresh").string(), kNow);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message().find("segment 'broken' does not bind") != absl::string_view::npos);
  CHECK_FALSE(std::filesystem::exists(base / "fresh"));
  REQUIRE(store.PutSegment("broken", "age >").ok());
  s = ExportCsv(store, (base / "fresh").string(), kNow);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message().find("segment 'broken' does not parse") != absl::string_view::npos);
  std::filesystem::remove_all(base);
}

TEST_CASE("CSV fields with commas, quotes and line breaks round-trip", "[sql][export]") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("") == "");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("x\ny") == "\"x\ny\"");
  const std::vector<std::string> values = {
      "a,b", "\"", "\"\"", "line\nbreak", "cr\rlf\r\n", ",", " spaced ", "Zürich", "back\\slash",
      "'single'"};
  std::string csv = "value,after\n";
  for (const std::string& v : values) csv += CsvField(v) + ",end\n";
  std::unique_ptr<CsvReader> reader = CsvReader::FromString(csv);
  CsvRecord rec;
  for (const std::string& v : values) {
    absl::StatusOr<bool> more = reader->Next(&rec);
    REQUIRE(more.ok());
    REQUIRE(*more);
    REQUIRE(rec.fields.size() == 2);
    CHECK(rec.fields[0] == v);
    CHECK(rec.fields[1] == "end");
  }
  absl::StatusOr<bool> more = reader->Next(&rec);
  REQUIRE(more.ok());
  CHECK_FALSE(*more);
}

}  // namespace
