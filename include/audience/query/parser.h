// Parser: tokens to an AST, with "unexpected X; expected Y" diagnostics.
//
//   ParseResult r = Parse("interest:fashion AND age >= 30");
//   if (r.root == nullptr) show(RenderAll(r.diagnostics, text));
//
// Grammar (keywords case-insensitive; precedence NOT > AND > OR):
//   query     := or EOF
//   or        := and (OR and)*
//   and       := not (AND not)*
//   not       := NOT not | primary
//   primary   := '(' or ')'
//              | name ':' (name | string | integer)          tag
//              | name '(' [argument (',' argument)*] ')' [op operand]   call
//              | name [NOT] IN '(' operand (',' operand)* ')'
//              | name [NOT] BETWEEN operand AND operand
//              | name IS [NOT] NULL
//              | name op operand                                comparison
//   argument  := name '=' operand | operand | or   (conditions for any())
//   operand   := ['-'] number | duration | string | TRUE | FALSE | NULL
//              | (now | today | string) (('+' | '-') duration)*
// After an error the parser skips to the next AND, OR or ')' and goes on,
// so one pass reports several problems. Limits (depth, list size, number of
// diagnostics) are options; exceeding one is a diagnostic, never a crash.
#ifndef AUDIENCE_QUERY_PARSER_H_
#define AUDIENCE_QUERY_PARSER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "audience/base/config.h"
#include "audience/query/ast.h"
#include "audience/query/diagnostic.h"
#include "audience/query/lexer.h"

AUDIENCE_BEGIN_NAMESPACE

struct ParserOptions {
  LexOptions lex;
  size_t max_depth = 64;         // nesting of parentheses, NOT and calls
  size_t max_list_size = 10000;  // values in one IN (...) list
  size_t max_diagnostics = 20;
};

struct ParseResult {
  NodePtr root;  // null when there are diagnostics
  std::vector<Diagnostic> diagnostics;
};

ParseResult Parse(std::string_view text, const ParserOptions& options = {});

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/parser-inl.h"
#endif

#endif  // AUDIENCE_QUERY_PARSER_H_
