// SQL text produced by the compiler, per dialect. The end-to-end check (the
// SQL run by SQLite over an exported store) is in export_test.cpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/query/binder.h"
#include "audience/query/parser.h"
#include "audience/sql/sql_compiler.h"

namespace {

using namespace audience;  // NOLINT(build/namespaces)

// 2026-11-23T10:00:00Z
const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0),
                                        absl::UTCTimeZone());
const UnixSeconds kNowS = absl::ToUnixSeconds(kNow);

Schema TestSchema() {
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest"}).ok());
  REQUIRE(s.AddDimension({.name = "power", .kind = DimensionKind::kExclusive,
                          .values = {"high", "mid", "low"}}).ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).ok());
  REQUIRE(s.AddAttribute({.name = "city", .type = AttributeType::kEnum}).ok());
  REQUIRE(s.AddAttribute({.name = "seen", .type = AttributeType::kTimestamp}).ok());
  REQUIRE(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).ok());
  REQUIRE(s.AddAttribute({.name = "external_id", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddEventType({.name = "purchase", .properties = {{.name = "category", .indexed = true},
                                                             {.name = "product"}}}).ok());
  REQUIRE(s.AddEventType({.name = "visit", .properties = {{.name = "page"}}}).ok());
  return s;
}

BoundExpr BindText(const Schema& schema, const std::string& text) {
  ParseResult p = Parse(text);
  INFO(text << (p.diagnostics.empty() ? "" : p.diagnostics[0].message));
  REQUIRE(p.root != nullptr);
  BindResult b = Bind(*p.root, {.schema = &schema, .now = kNow});
  INFO(text << (b.diagnostics.empty() ? "" : b.diagnostics[0].message));
  REQUIRE(b.expr.has_value());
  return *b.expr;
}

std::string Where(const Schema& schema, const std::string& text,
                  SqlDialect dialect = SqlDialect::kSqlite) {
  return CompileCondition(BindText(schema, text), schema, dialect, kNowS);
}

TEST_CASE("Dialect names parse back and unknown names are refused", "[sql][compiler]") {
  for (SqlDialect d : kAllSqlDialects) {
    REQUIRE(ParseSqlDialect(SqlDialectName(d)) == d);
  }
  CHECK(ParseSqlDialect("postgresql") == SqlDialect::kPostgres);
  CHECK(ParseSqlDialect("ClickHouse") == SqlDialect::kClickHouse);
  CHECK(ParseSqlDialect("DuckDB") == SqlDialect::kDuckDb);
  CHECK_FALSE(ParseSqlDialect("mysql").has_value());
  CHECK_FALSE(ParseSqlDialect("").has_value());
  CHECK_FALSE(ParseSqlDialect("sqlite3").has_value());
}

TEST_CASE("Identifiers and strings are quoted per dialect", "[sql][compiler]") {
  CHECK(SqlIdentifier("p.category") == "\"p.category\"");
  CHECK(SqlIdentifier("a\"b") == "\"a\"\"b\"");
  CHECK(SqlString("O'Hare", SqlDialect::kSqlite) == "'O''Hare'");
  CHECK(SqlString("a\\b'", SqlDialect::kPostgres) == "'a\\b'''");
  CHECK(SqlString("a\\b'", SqlDialect::kDuckDb) == "'a\\b'''");
  CHECK(SqlString("a\\b'", SqlDialect::kClickHouse) == "'a\\\\b'''");
  CHECK(SqlString("Zürich", SqlDialect::kClickHouse) == "'Zürich'");
  CHECK(SqlAttributeColumn("age") == "age");
  CHECK(SqlAttributeColumn("person_id") == "attribute:person_id");
  CHECK(SqlAttributeColumn("external_id") == "attribute:external_id");
  CHECK(SqlPropertyColumn("category") == "p.category");
}

TEST_CASE("Attribute leaves are guarded against NULL", "[sql][compiler]") {
  const Schema s = TestSchema();
  CHECK(Where(s, "age >= 30") == "(\"age\" IS NOT NULL AND \"age\" >= 30)");
  CHECK(Where(s, "age != 30") == "(\"age\" IS NOT NULL AND \"age\" <> 30)");
  CHECK(Where(s, "NOT age = 30") == "(NOT (\"age\" IS NOT NULL AND \"age\" = 30))");
  CHECK(Where(s, "age BETWEEN 20 AND 30") ==
        "(\"age\" IS NOT NULL AND \"age\" BETWEEN 20 AND 30)");
  CHECK(Where(s, "age IN (30, 20)") == "(\"age\" IS NOT NULL AND \"age\" IN (20, 30))");
  CHECK(Where(s, "age IN (7)") == "(\"age\" IS NOT NULL AND \"age\" = 7)");
  CHECK(Where(s, "age IS NOT NULL") == "(\"age\" IS NOT NULL)");
  CHECK(Where(s, "age IS NULL") == "(NOT (\"age\" IS NOT NULL))");
  CHECK(Where(s, "score < 0.1") == "(\"score\" IS NOT NULL AND \"score\" < 0.1)");
  CHECK(Where(s, "score > 100000000000000000000") ==
        "(\"score\" IS NOT NULL AND \"score\" > 1e+20)");
  CHECK(Where(s, "score = 3") == "(\"score\" IS NOT NULL AND \"score\" = 3)");
  CHECK(Where(s, "vip = true") == "(\"vip\" IS NOT NULL AND \"vip\" = 1)");
  CHECK(Where(s, "vip != false") == "(\"vip\" IS NOT NULL AND \"vip\" <> 0)");
  CHECK(Where(s, "seen >= '2026-11-23T10:00:00Z'") ==
        fmt::format("(\"seen\" IS NOT NULL AND \"seen\" >= {})", kNowS));
  CHECK(Where(s, "external_id > 5") ==
        "(\"attribute:external_id\" IS NOT NULL AND \"attribute:external_id\" > 5)");
  // NOT IN / NOT BETWEEN exclude NULLs: the binder makes them x AND NOT y.
  CHECK(Where(s, "age NOT IN (1, 2)") ==
        "((\"age\" IS NOT NULL) AND (NOT (\"age\" IS NOT NULL AND \"age\" IN (1, 2))))");
}

TEST_CASE("Enum literals are escaped per dialect", "[sql][compiler]") {
  const Schema s = TestSchema();
  const std::string q = "city IN ('O\\'Hare', 'a\\\\b')";  // O'Hare and a\b
  CHECK(Where(s, q, SqlDialect::kSqlite) ==
        "(\"city\" IS NOT NULL AND \"city\" IN ('O''Hare', 'a\\b'))");
  CHECK(Where(s, q, SqlDialect::kPostgres) == Where(s, q, SqlDialect::kSqlite));
  CHECK(Where(s, q, SqlDialect::kDuckDb) == Where(s, q, SqlDialect::kSqlite));
  CHECK(Where(s, q, SqlDialect::kClickHouse) ==
        "(\"city\" IS NOT NULL AND \"city\" IN ('O''Hare', 'a\\\\b'))");
}

TEST_CASE("Tag leaves select by dimension, value and expiry at now", "[sql][compiler]") {
  const Schema s = TestSchema();
  const std::string live = fmt::format("(\"expires_at\" IS NULL OR \"expires_at\" > {})", kNowS);
  CHECK(Where(s, "interest:fashion") ==
        "(\"person_id\" IN (SELECT \"person_id\" FROM person_tags WHERE \"dimension\" = "
        "'interest' AND \"value\" = 'fashion' AND " + live + "))");
  CHECK(Where(s, "power IN ('low', 'high')") ==
        "(\"person_id\" IN (SELECT \"person_id\" FROM person_tags WHERE \"dimension\" = "
        "'power' AND \"value\" IN ('high', 'low') AND " + live + "))");
  CHECK(Where(s, "has(interest)") ==
        "(\"person_id\" IN (SELECT \"person_id\" FROM person_tags WHERE \"dimension\" = "
        "'interest' AND " + live + "))");
}

TEST_CASE("Event leaves aggregate per person, NOT IN when 0 satisfies", "[sql][compiler]") {
  const Schema s = TestSchema();
  const UnixSeconds from = kNowS - 30 * kSecondsPerDay;
  const std::string to = fmt::format("{}", kNowS + 1);
  CHECK(Where(s, "count(purchase, category = 'skincare', within = 30d) >= 2") ==
        fmt::format("(\"person_id\" IN (SELECT \"person_id\" FROM events WHERE \"event_type\" = "
                    "'purchase' AND \"time\" >= {} AND \"time\" < {} AND \"p.category\" = "
                    "'skincare' GROUP BY \"person_id\" HAVING SUM(\"count\") >= 2))",
                    from, to));
  const std::string all_purchases = fmt::format(
      "SELECT \"person_id\" FROM events WHERE \"event_type\" = 'purchase' AND \"time\" < {} "
      "GROUP BY \"person_id\"", to);
  CHECK(Where(s, "did(purchase)") ==
        "(\"person_id\" IN (" + all_purchases + " HAVING SUM(\"count\") >= 1))");
  CHECK(Where(s, "count(purchase) = 0") ==
        "(\"person_id\" NOT IN (" + all_purchases + " HAVING NOT (SUM(\"count\") = 0)))");
  CHECK(Where(s, "count(purchase) < 3") ==
        "(\"person_id\" NOT IN (" + all_purchases + " HAVING NOT (SUM(\"count\") < 3)))");
  CHECK(Where(s, "count(purchase) != 2") ==
        "(\"person_id\" NOT IN (" + all_purchases + " HAVING NOT (SUM(\"count\") <> 2)))");
  CHECK(Where(s, "sum(purchase) <= 5.5") ==
        "(\"person_id\" NOT IN (" + all_purchases + " HAVING NOT (SUM(\"amount\") <= 5.5)))");
  CHECK(Where(s, "sum(purchase) > 5.5") ==
        "(\"person_id\" IN (" + all_purchases + " HAVING SUM(\"amount\") > 5.5))");
  CHECK(Where(s, "sum(purchase) >= -1") ==
        "(\"person_id\" NOT IN (" + all_purchases + " HAVING NOT (SUM(\"amount\") >= -1)))");
  CHECK(Where(s, "first(purchase) < '2026-01-01'") ==
        fmt::format("(\"person_id\" IN ({} HAVING MIN(\"time\") < {}))", all_purchases,
                    absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 1, 1),
                                                        absl::UTCTimeZone()))));
  CHECK(Where(s, "last(visit, page = 'home') >= now") ==
        fmt::format("(\"person_id\" IN (SELECT \"person_id\" FROM events WHERE \"event_type\" = "
                    "'visit' AND \"time\" < {} AND \"p.page\" = 'home' GROUP BY \"person_id\" "
                    "HAVING MAX(\"time\") >= {}))", to, kNowS));
}

TEST_CASE("Boolean structure: AND, OR, NOT, any()", "[sql][compiler]") {
  const Schema s = TestSchema();
  const std::string a = "(\"age\" IS NOT NULL AND \"age\" > 1)";
  const std::string v = "(\"vip\" IS NOT NULL AND \"vip\" = 1)";
  CHECK(Where(s, "age > 1 AND vip = true") == "(" + a + " AND " + v + ")");
  CHECK(Where(s, "age > 1 OR NOT vip = true") == "(" + a + " OR (NOT " + v + "))");
  CHECK(Where(s, "any(1, age > 1, vip = true)") ==
        "(((CASE WHEN " + a + " THEN 1 ELSE 0 END) + (CASE WHEN " + v +
        " THEN 1 ELSE 0 END)) >= 1)");
  CHECK(Where(s, "any(0)") == "1=1");
  CHECK(Where(s, "any(1)") == "1=0");
  CHECK(Where(s, "NOT any(0)") == "(NOT (1=1))");

  // Hand-built shapes the binder may not produce.
  BoundExpr empty_and{.kind = BoundExpr::Kind::kAnd};
  CHECK(CompileCondition(empty_and, s, SqlDialect::kSqlite, 0) == "1=1");
  BoundExpr empty_or{.kind = BoundExpr::Kind::kOr};
  CHECK(CompileCondition(empty_or, s, SqlDialect::kSqlite, 0) == "1=0");
  BoundExpr too_few{.kind = BoundExpr::Kind::kAtLeast, .children = {BoundExpr::All()}, .count = 2};
  CHECK(CompileCondition(too_few, s, SqlDialect::kSqlite, 0) == "1=0");
  BoundExpr at_least_0{.kind = BoundExpr::Kind::kAtLeast, .children = {BoundExpr::None()}};
  CHECK(CompileCondition(at_least_0, s, SqlDialect::kSqlite, 0) == "1=1");
}

TEST_CASE("CompileToSql wraps the condition; dialects differ only in literals",
          "[sql][compiler]") {
  const Schema s = TestSchema();
  BoundExpr e = BindText(s, "interest:fashion AND city = 'x\\\\y' AND sum(purchase) > 1");
  const std::string cond = CompileCondition(e, s, SqlDialect::kPostgres, kNowS);
  CHECK(CompileToSql(e, s, SqlDialect::kPostgres, kNowS) ==
        "SELECT \"person_id\" FROM profiles WHERE " + cond + " ORDER BY \"person_id\"");
  CHECK(CompileToSql(e, s, SqlDialect::kDuckDb, kNowS) ==
        CompileToSql(e, s, SqlDialect::kSqlite, kNowS));
  const std::string ch = CompileToSql(e, s, SqlDialect::kClickHouse, kNowS);
  CHECK(ch.find("'x\\\\y'") != std::string::npos);
  CHECK(cond.find("'x\\y'") != std::string::npos);
}

TEST_CASE("Literals at the edges", "[sql][compiler]") {
  const Schema s = TestSchema();
  const AttributeId age = *s.AttributeIdOf("age");
  const AttributeId seen = *s.AttributeIdOf("seen");
  const AttributeId score = *s.AttributeIdOf("score");
  const AttributeId city = *s.AttributeIdOf("city");
  auto compare = [](AttributeId attr, CompareOp op, Value v) {
    return BoundExpr{.kind = BoundExpr::Kind::kCompare, .attr = attr, .op = op,
                     .values = {std::move(v)}};
  };
  auto where = [&](const BoundExpr& e) {
    return CompileCondition(e, s, SqlDialect::kSqlite, 0);
  };
  CHECK(where(compare(age, CompareOp::kGe, Value::Int(std::numeric_limits<int64_t>::min()))) ==
        "(\"age\" IS NOT NULL AND \"age\" >= (-9223372036854775807-1))");
  CHECK(where(compare(score, CompareOp::kLt, Value::Double(-0.0))) ==
        "(\"score\" IS NOT NULL AND \"score\" < 0)");
  CHECK(where(compare(score, CompareOp::kLt, Value::Int(7))) ==
        "(\"score\" IS NOT NULL AND \"score\" < 7)");
  CHECK(where(compare(score, CompareOp::kGt, Value::Double(0.1 + 0.2))) ==
        "(\"score\" IS NOT NULL AND \"score\" > 0.30000000000000004)");
  // Stored timestamps are whole seconds; a fractional operand t compares
  // against floor(t) = 10.
  const Value t = Value::Time(absl::FromUnixSeconds(10) + absl::Milliseconds(500));
  CHECK(where(compare(seen, CompareOp::kLt, t)) == "(\"seen\" IS NOT NULL AND \"seen\" <= 10)");
  CHECK(where(compare(seen, CompareOp::kLe, t)) == "(\"seen\" IS NOT NULL AND \"seen\" <= 10)");
  CHECK(where(compare(seen, CompareOp::kGt, t)) == "(\"seen\" IS NOT NULL AND \"seen\" > 10)");
  CHECK(where(compare(seen, CompareOp::kGe, t)) == "(\"seen\" IS NOT NULL AND \"seen\" > 10)");
  CHECK(where(compare(seen, CompareOp::kEq, t)) == "1=0");
  CHECK(where(compare(seen, CompareOp::kNe, t)) == "(\"seen\" IS NOT NULL)");
  BoundExpr between{.kind = BoundExpr::Kind::kBetween, .attr = seen,
                    .values = {t, Value::Time(absl::FromUnixSeconds(20) + absl::Milliseconds(1))}};
  CHECK(where(between) == "(\"seen\" IS NOT NULL AND \"seen\" BETWEEN 11 AND 20)");
  BoundExpr in_times{.kind = BoundExpr::Kind::kIn, .attr = seen,
                     .values = {t, Value::Time(absl::FromUnixSeconds(-5))}};
  CHECK(where(in_times) == "(\"seen\" IS NOT NULL AND \"seen\" = -5)");
  // Values no person can hold never reach the SQL text.
  CHECK(where(compare(city, CompareOp::kEq, Value::Enum(std::string("a\nb")))) == "1=0");
  CHECK(where(compare(city, CompareOp::kNe, Value::Enum(""))) == "(\"city\" IS NOT NULL)");
  BoundExpr in_bad{.kind = BoundExpr::Kind::kIn, .attr = city,
                   .values = {Value::Enum(std::string("x\0y", 3))}};
  CHECK(where(in_bad) == "1=0");
  BoundExpr tag_bad{.kind = BoundExpr::Kind::kTag, .dim = 0, .tag_values = {"\x01", "ok"}};
  CHECK(where(tag_bad).find("\"value\" = 'ok'") != std::string::npos);
  tag_bad.tag_values = {"\x01"};
  CHECK(where(tag_bad) == "1=0");
  BoundExpr event_bad{.kind = BoundExpr::Kind::kEvent,
                      .event = {.type = 0, .equals = {{0, "\x7f"}}, .from = -kMaxQueryTime,
                                .to = 100, .op = CompareOp::kLe, .number = 0}};
  CHECK(where(event_bad) ==
        "(\"person_id\" NOT IN (SELECT \"person_id\" FROM events WHERE \"event_type\" = "
        "'purchase' AND \"time\" < 100 AND 1=0 GROUP BY \"person_id\" HAVING NOT "
        "(SUM(\"count\") <= 0)))");
}

}  // namespace
