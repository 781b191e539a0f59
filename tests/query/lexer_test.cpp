#include "audience/query/lexer.h"

#include <catch2/catch.hpp>

using namespace audience;

namespace {

// "kind:text" per token, without the final kEnd.
std::vector<std::string> Kinds(std::string_view text) {
  LexResult r = Lex(text);
  INFO(RenderAll(r.diagnostics, text));
  REQUIRE(r.diagnostics.empty());
  std::vector<std::string> out;
  for (const Token& t : r.tokens) {
    if (t.kind == TokenKind::kEnd) break;
    out.push_back(std::string(TokenKindName(t.kind)) + ":" +
                  std::string(t.kind == TokenKind::kString ? t.value : t.text));
  }
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("lexer: the design's example query", "[query][lexer]") {
  CHECK(Kinds("interest:fashion AND gender = 'F' and age BETWEEN 20 AND 30") ==
        V{"name:interest", "':'::", "name:fashion", "AND:AND", "name:gender", "'=':=",
          "string:F", "AND:and", "name:age", "BETWEEN:BETWEEN", "integer:20", "AND:AND",
          "integer:30"});
  CHECK(Kinds("rfm.segment IN ('champions', \"loyal\") AND NOT lifecycle:dormant") ==
        V{"name:rfm.segment", "IN:IN", "'(':(", "string:champions", "',':,", "string:loyal",
          "')':)", "AND:AND", "NOT:NOT", "name:lifecycle", "':'::", "name:dormant"});
  CHECK(Kinds("purchased(category = 'skincare', within = 30d) >= 2") ==
        V{"name:purchased", "'(':(", "name:category", "'=':=", "string:skincare", "',':,",
          "name:within", "'=':=", "duration:30d", "')':)", "'>=':>=", "integer:2"});
  CHECK(Kinds("last_active_at < now - 30d OR p_alive <= 0.3 OR x <> 1 OR y != 2 OR z == 3") ==
        V{"name:last_active_at", "'<':<", "name:now", "'-':-", "duration:30d", "OR:OR",
          "name:p_alive", "'<=':<=", "number:0.3", "OR:OR", "name:x", "'!=':<>", "integer:1",
          "OR:OR", "name:y", "'!=':!=", "integer:2", "OR:OR", "name:z", "'=':==", "integer:3"});
  CHECK(Kinds("x IS NOT NULL -- a comment\n AND v = TRUE") ==
        V{"name:x", "IS:IS", "NOT:NOT", "NULL:NULL", "AND:AND", "name:v", "'=':=", "TRUE:TRUE"});
}

TEST_CASE("lexer: strings, escapes and positions", "[query][lexer]") {
  CHECK(Kinds(R"('it\'s' "a\"b" 'tab\there' '\u00e9\u4e2d')") ==
        V{"string:it's", "string:a\"b", "string:tab\there", "string:\xC3\xA9\xE4\xB8\xAD"});
  CHECK(Kinds("'ok \xE4\xB8\xAD'") == V{"string:ok \xE4\xB8\xAD"});
  LexResult r = Lex("a AND\n  b:c");
  REQUIRE(r.tokens.size() == 6);
  CHECK(r.tokens[2].line == 2);
  CHECK(r.tokens[2].column == 3);
  CHECK(r.tokens[2].offset == 8);
  CHECK(r.tokens[5].kind == TokenKind::kEnd);
  LexResult dot = Lex("a. b");
  REQUIRE(dot.diagnostics.size() == 1);  // the stray '.' after a name
  CHECK(dot.tokens[0].text == "a");
  CHECK(dot.diagnostics[0].column == 2);
}

TEST_CASE("lexer: errors are data, several per pass", "[query][lexer][errors]") {
  std::string q = "interest:fashion # x AND age > 3x AND name = 'open";
  LexResult r = Lex(q);
  REQUIRE(r.diagnostics.size() == 3);
  CHECK(r.diagnostics[0].code == DiagnosticCode::kUnexpectedCharacter);
  CHECK(r.diagnostics[1].code == DiagnosticCode::kBadDuration);
  CHECK(r.diagnostics[2].code == DiagnosticCode::kUnterminatedString);
  CHECK(RenderAll(r.diagnostics, q) ==
        "1:18: error: unexpected character '#'\n"
        "interest:fashion # x AND age > 3x AND name = 'open\n"
        "                 ^\n"
        "1:32: error: '3x' is not a number or a duration; durations are whole numbers with a "
        "unit s, m, h, d or w, like 30d\n"
        "interest:fashion # x AND age > 3x AND name = 'open\n"
        "                               ^^\n"
        "1:46: error: unterminated string; close it with the same quote on the same line\n"
        "interest:fashion # x AND age > 3x AND name = 'open\n"
        "                                             ^\n");
  std::string multi = "a = 1\nAND b = 'x\\q' AND c = 1.5d";
  LexResult m = Lex(multi);
  REQUIRE(m.diagnostics.size() == 2);
  CHECK(m.diagnostics[0].Render(multi) ==
        "2:11: error: unknown escape '\\q'; known: \\' \\\" \\\\ \\n \\t \\uXXXX\n"
        "AND b = 'x\\q' AND c = 1.5d\n"
        "          ^^\n");
  CHECK(m.diagnostics[1].line == 2);
  CHECK(Lex("'\\u12'").diagnostics.at(0).code == DiagnosticCode::kBadEscape);
  CHECK(Lex("'\\ud800'").diagnostics.at(0).code == DiagnosticCode::kBadEscape);
  CHECK(Lex("'\xff'").diagnostics.at(0).code == DiagnosticCode::kInvalidUtf8);
  CHECK(Lex("\xE4\xB8\xAD").diagnostics.at(0).message == "unexpected character '\xE4\xB8\xAD'");
}

TEST_CASE("lexer: hostile input limits", "[query][lexer][errors]") {
  std::string big(70 * 1024, 'a');
  LexResult r = Lex(big);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == DiagnosticCode::kQueryTooLong);
  CHECK(r.tokens.size() == 1);
  std::string noise(1000, '#');
  LexResult n = Lex(noise, {.max_diagnostics = 5});
  CHECK(n.diagnostics.size() == 5);
  CHECK(n.tokens.back().kind == TokenKind::kEnd);
  // Every byte value at every position lexes without crashing.
  for (int b = 0; b < 256; ++b) {
    std::string s = "a = '";
    s += static_cast<char>(b);
    s += "' ";
    s += static_cast<char>(b);
    LexResult x = Lex(s);
    CHECK(x.tokens.back().kind == TokenKind::kEnd);
  }
}
