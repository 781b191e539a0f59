// Tokens of the segment query language, with their position in the text.
//
//   interest:fashion AND age BETWEEN 20 AND 30 AND last_active_at < now - 30d
//
// Every token keeps its byte offset, length, line and column from the lexer
// on, so each later stage can point at the text in its diagnostics.
#ifndef AUDIENCE_QUERY_TOKEN_H_
#define AUDIENCE_QUERY_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

enum class TokenKind : uint8_t {
  kEnd,         // end of input
  kIdentifier,  // interest, rfm.segment, last_active_at (dots allowed inside)
  kString,      // 'skincare' (value holds the unescaped text)
  kInteger,     // 30
  kDecimal,     // 0.3
  kDuration,    // 30d 12h 8w 15m 90s
  // Keywords, matched case-insensitively.
  kAnd, kOr, kNot, kIn, kBetween, kIs, kNull, kTrue, kFalse,
  // Punctuation and operators.
  kLParen, kRParen, kComma, kColon, kPlus, kMinus,
  kEq, kNe, kLt, kLe, kGt, kGe,
};

// "AND", "'('", "identifier", ... for messages of the form
// "unexpected X; expected Y".
std::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // the source bytes, quotes included
  std::string value;      // kString: unescaped contents
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_TOKEN_H_
