// Lexer: query text to tokens, with every problem reported as a Diagnostic
// (it keeps going after an error, so one pass reports several).
//
//   LexResult r = Lex("gender = 'F' AND age >= 30", {});
//   if (!r.diagnostics.empty()) show(RenderAll(r.diagnostics, text));
//   for (const Token& t : r.tokens) ...   // ends with a kEnd token
//
// Rules: keywords are case-insensitive; identifiers are [A-Za-z_][A-Za-z0-9_.]*
// (a trailing '.' is not part of one); strings use single or double quotes
// with the escapes \' \" \\ \n \t \uXXXX; numbers are decimal integers or
// decimals ("0.5", not ".5"); a number followed directly by s, m, h, d or w
// is a duration; '--' starts a comment to the end of the line. Tokens keep
// views into `text`, which must outlive the result.
#ifndef AUDIENCE_QUERY_LEXER_H_
#define AUDIENCE_QUERY_LEXER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "audience/base/config.h"
#include "audience/query/diagnostic.h"
#include "audience/query/token.h"

AUDIENCE_BEGIN_NAMESPACE

struct LexOptions {
  size_t max_query_bytes = 64 * 1024;  // longer text is refused whole
  size_t max_diagnostics = 20;         // lexing stops after this many
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with kEnd
  std::vector<Diagnostic> diagnostics;
};

LexResult Lex(std::string_view text, const LexOptions& options = {});

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/lexer-inl.h"
#endif

#endif  // AUDIENCE_QUERY_LEXER_H_
