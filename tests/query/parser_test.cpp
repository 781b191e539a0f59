#include "audience/query/parser.h"

#include <catch2/catch.hpp>

using namespace audience;

namespace {

std::string P(std::string_view text) {
  ParseResult r = Parse(text);
  if (r.root == nullptr) return "ERROR " + RenderAll(r.diagnostics, text);
  return ToDebugString(*r.root);
}

}  // namespace

TEST_CASE("parser: precedence NOT > AND > OR, parentheses group", "[query][parser]") {
  CHECK(P("a:x OR b:y AND NOT c:z") == "Or(Tag(a,x),And(Tag(b,y),Not(Tag(c,z))))");
  CHECK(P("(a:x or b:y) and not not c:'z w'") == "And(Or(Tag(a,x),Tag(b,y)),Not(Not(Tag(c,z w))))");
  CHECK(P("a:1 AND b:2 AND c:3") == "And(Tag(a,1),Tag(b,2),Tag(c,3))");
}

TEST_CASE("parser: the design's example", "[query][parser]") {
  CHECK(P("interest:fashion AND gender = 'F' AND age BETWEEN 20 AND 30\n"
          "  AND rfm.segment IN ('champions', 'loyal') AND NOT lifecycle:dormant\n"
          "  AND purchased(category = 'skincare', within = 30d) >= 2\n"
          "  AND last_active_at < now - 30d AND segment('vip_community')") ==
        "And(Tag(interest,fashion),Cmp(gender'=','F'),Between(age,20,30),"
        "In(rfm.segment,'champions','loyal'),Not(Tag(lifecycle,dormant)),"
        "Call(purchased,category='skincare',within=30d)'>=',2,"
        "Cmp(last_active_at'<',now-30d),Call(segment,'vip_community'))");
}

TEST_CASE("parser: every predicate form", "[query][parser]") {
  CHECK(P("age NOT BETWEEN -5 AND 10.5") == "NotBetween(age,-5,10.5)");
  CHECK(P("region NOT IN ('north')") == "NotIn(region,'north')");
  CHECK(P("email IS NULL OR phone is not null") == "Or(IsNull(email),IsNotNull(phone))");
  CHECK(P("vip = TRUE AND x != FALSE AND y <> NULL") ==
        "And(Cmp(vip'=',true),Cmp(x'!=',false),Cmp(y'!=',NULL))");
  CHECK(P("seen >= '2026-05-01' + 12h - 1d") == "Cmp(seen'>=','2026-05-01'+12h-1d)");
  CHECK(P("seen < today") == "Cmp(seen'<',today)");
  CHECK(P("has(interest)") == "Call(has,interest)");
  CHECK(P("any(2, a:x, b:y, c > 3)") == "Call(any,2,Tag(a,x),Tag(b,y),Cmp(c'>',3))");
  CHECK(P("did(visit, between = '2026-01-01', and = '2026-02-01')") ==
        "Call(did,visit,between='2026-01-01',and='2026-02-01')");
  CHECK(P("nothing()") == "Call(nothing)");
}

TEST_CASE("parser: errors say what was found and what was expected", "[query][parser][errors]") {
  CHECK(P("interest:") ==
        "ERROR 1:10: error: unexpected end of query; expected a value of 'interest' after ':'\n"
        "interest:\n"
        "         ^\n");
  CHECK(P("age BETWEEN 1 OR 2").rfind(
            "ERROR 1:15: error: unexpected OR; expected AND between the two bounds of BETWEEN\n"
            "age BETWEEN 1 OR 2\n"
            "              ^^\n",
            0) == 0);
  // Two errors in one pass: parsing resumes at the next AND/OR.
  CHECK(P("age >> 3 AND gender = AND x:y") ==
        "ERROR 1:6: error: unexpected '>'; expected a value (number, 'string', duration, TRUE, "
        "FALSE, NULL, now or today)\n"
        "age >> 3 AND gender = AND x:y\n"
        "     ^\n"
        "1:23: error: unexpected AND; expected a value (number, 'string', duration, TRUE, FALSE, "
        "NULL, now or today)\n"
        "age >> 3 AND gender = AND x:y\n"
        "                      ^^^\n");
  CHECK(P("(a:x AND b:y").find("unexpected end of query; expected ')'") != std::string::npos);
  CHECK(P("a:x b:y").find("unexpected name 'b'; expected AND, OR or end of query") !=
        std::string::npos);
  CHECK(P("age").find("expected ':', '(', IN, BETWEEN, IS or a comparison after 'age'") !=
        std::string::npos);
  CHECK(P("x IN 1, 2").find("expected '(' to open the IN list") != std::string::npos);
  CHECK(P("x IS 3").find("expected NULL after IS") != std::string::npos);
  CHECK(P("seen < now - 3").find("expected a duration such as 30d after '-'") != std::string::npos);
  CHECK(P("f(a = 1").find("expected ',' or ')' in the arguments of f()") != std::string::npos);
  CHECK(P("").find("unexpected end of query; expected a condition") != std::string::npos);
  CHECK(P("a:x #").find("unexpected character '#'") != std::string::npos);  // lexer errors
}

TEST_CASE("parser: hostile-input limits", "[query][parser][errors]") {
  std::string deep(100, '(');
  deep += "a:b";
  deep += std::string(100, ')');
  ParseResult r = Parse(deep);
  REQUIRE(r.root == nullptr);
  CHECK(r.diagnostics.back().code == DiagnosticCode::kTooDeep);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  nots += "a:b";
  CHECK(Parse(nots).diagnostics.back().code == DiagnosticCode::kTooDeep);
  std::string list = "x IN (1";
  for (int i = 0; i < 20; ++i) list += ",1";
  list += ")";
  ParserOptions small;
  small.max_list_size = 10;
  CHECK(Parse(list, small).diagnostics.back().code == DiagnosticCode::kListTooLong);
  CHECK(Parse(list).root != nullptr);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "a = AND ";
  many += "a:b";
  ParseResult m = Parse(many);
  CHECK(m.diagnostics.size() == 20);
  CHECK(m.diagnostics.back().code == DiagnosticCode::kTooManyErrors);
  // Truncations of a valid query never crash and always report something or parse.
  std::string q = "interest:fashion AND (age BETWEEN 20 AND 30 OR any(2, a:x, b IN ('y'))) "
                  "AND seen < now - 30d";
  for (size_t cut = 0; cut <= q.size(); ++cut) {
    ParseResult t = Parse(q.substr(0, cut));
    CHECK((t.root != nullptr) == t.diagnostics.empty());
  }
}
