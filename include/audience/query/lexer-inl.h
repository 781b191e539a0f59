// Definitions for lexer.h and token.h.
#ifndef AUDIENCE_QUERY_LEXER_INL_H_
#define AUDIENCE_QUERY_LEXER_INL_H_

#include <array>
#include <utility>

#include "audience/base/strings.h"
#include "audience/query/lexer.h"
#include "audience/schema/schema.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd: return "end of query";
    case TokenKind::kIdentifier: return "name";
    case TokenKind::kString: return "string";
    case TokenKind::kInteger: return "integer";
    case TokenKind::kDecimal: return "number";
    case TokenKind::kDuration: return "duration";
    case TokenKind::kAnd: return "AND";
    case TokenKind::kOr: return "OR";
    case TokenKind::kNot: return "NOT";
    case TokenKind::kIn: return "IN";
    case TokenKind::kBetween: return "BETWEEN";
    case TokenKind::kIs: return "IS";
    case TokenKind::kNull: return "NULL";
    case TokenKind::kTrue: return "TRUE";
    case TokenKind::kFalse: return "FALSE";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kComma: return "','";
    case TokenKind::kColon: return "':'";
    case TokenKind::kPlus: return "'+'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kEq: return "'='";
    case TokenKind::kNe: return "'!='";
    case TokenKind::kLt: return "'<'";
    case TokenKind::kLe: return "'<='";
    case TokenKind::kGt: return "'>'";
    case TokenKind::kGe: return "'>='";
  }
  return "token";
}

namespace lexer_internal {

inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline TokenKind KeywordOr(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, TokenKind>, 9> kKeywords = {{
      {"and", TokenKind::kAnd}, {"or", TokenKind::kOr}, {"not", TokenKind::kNot},
      {"in", TokenKind::kIn}, {"between", TokenKind::kBetween}, {"is", TokenKind::kIs},
      {"null", TokenKind::kNull}, {"true", TokenKind::kTrue}, {"false", TokenKind::kFalse},
  }};
  if (word.size() > 7) return TokenKind::kIdentifier;
  char lower[8];
  for (size_t i = 0; i < word.size(); ++i) lower[i] = AsciiLower(word[i]);
  std::string_view w(lower, word.size());
  for (const auto& [name, kind] : kKeywords) {
    if (w == name) return kind;
  }
  return TokenKind::kIdentifier;
}

inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the UTF-8 sequence starting with byte c (1 for invalid bytes).
inline size_t SequenceLength(unsigned char c) {
  if (c >= 0xF0 && c <= 0xF4) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC2 && c < 0xE0) return 2;
  return 1;
}

}  // namespace lexer_internal

AUDIENCE_FUNC LexResult Lex(std::string_view text, const LexOptions& options) {
  using namespace lexer_internal;
  LexResult r;
  uint32_t line = 1;
  size_t line_start = 0, i = 0;
  auto diag = [&](DiagnosticCode code, size_t at, size_t len, std::string message) {
    r.diagnostics.push_back({code, static_cast<uint32_t>(at), static_cast<uint32_t>(len), line,
                             static_cast<uint32_t>(at - line_start + 1), std::move(message), {}});
  };
  if (text.size() > options.max_query_bytes) {
    diag(DiagnosticCode::kQueryTooLong, 0, 1,
         fmt::format("query is {} bytes; the limit is {}", text.size(), options.max_query_bytes));
    r.tokens.push_back({TokenKind::kEnd, {}, {}, 0, 1, 1});
    return r;
  }
  auto emit = [&](TokenKind kind, size_t start, size_t end) -> Token& {
    return r.tokens.emplace_back(Token{kind, text.substr(start, end - start), {},
                                       static_cast<uint32_t>(start), line,
                                       static_cast<uint32_t>(start - line_start + 1)});
  };
  while (i < text.size() && r.diagnostics.size() < options.max_diagnostics) {
    const char c = text[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    const size_t start = i;
    if (IsAlpha(c)) {
      while (i < text.size() && (IsAlpha(text[i]) || IsDigit(text[i]) || text[i] == '.')) ++i;
      while (text[i - 1] == '.') --i;  // "a." ends before the dot
      emit(KeywordOr(text.substr(start, i - start)), start, i);
      continue;
    }
    if (IsDigit(c)) {
      while (i < text.size() && IsDigit(text[i])) ++i;
      TokenKind kind = TokenKind::kInteger;
      if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
        ++i;
        while (i < text.size() && IsDigit(text[i])) ++i;
        kind = TokenKind::kDecimal;
      }
      if (i < text.size() && (IsAlpha(text[i]) || IsDigit(text[i]))) {
        size_t unit = i;
        while (i < text.size() && (IsAlpha(text[i]) || IsDigit(text[i]))) ++i;
        std::string_view suffix = text.substr(unit, i - unit);
        bool unit_ok = suffix.size() == 1 && std::string_view("smhdw").find(suffix[0]) !=
                                                 std::string_view::npos;
        if (kind == TokenKind::kInteger && unit_ok) {
          emit(TokenKind::kDuration, start, i);
        } else {
          diag(DiagnosticCode::kBadDuration, start, i - start,
               fmt::format("'{}' is not a number or a duration; durations are whole numbers "
                           "with a unit s, m, h, d or w, like 30d",
                           text.substr(start, i - start)));
        }
        continue;
      }
      emit(kind, start, i);
      continue;
    }
    if (c == '\'' || c == '"') {
      const char quote = c;
      std::string value;
      bool closed = false, bad = false;
      ++i;
      while (i < text.size()) {
        char d = text[i];
        if (d == quote) {
          closed = true;
          ++i;
          break;
        }
        if (d == '\n') break;  // strings do not span lines
        if (d != '\\') {
          value += d;
          ++i;
          continue;
        }
        if (i + 1 >= text.size()) break;
        char e = text[i + 1];
        switch (e) {
          case '\'': case '"': case '\\': value += e; i += 2; continue;
          case 'n': value += '\n'; i += 2; continue;
          case 't': value += '\t'; i += 2; continue;
          case 'u': {
            uint32_t cp = 0;
            size_t k = i + 2;
            for (; k < i + 6 && k < text.size(); ++k) {
              char h = text[k];
              uint32_t digit = IsDigit(h) ? static_cast<uint32_t>(h - '0')
                               : (h >= 'a' && h <= 'f') ? static_cast<uint32_t>(h - 'a' + 10)
                               : (h >= 'A' && h <= 'F') ? static_cast<uint32_t>(h - 'A' + 10)
                                                        : 16;
              if (digit == 16) break;
              cp = cp * 16 + digit;
            }
            if (k != i + 6 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
              diag(DiagnosticCode::kBadEscape, i, std::min(k, text.size()) - i,
                   "\\u needs four hex digits naming a character (not a surrogate or NUL)");
              bad = true;
              i = k;
              continue;
            }
            AppendUtf8(cp, &value);
            i += 6;
            continue;
          }
          default:
            diag(DiagnosticCode::kBadEscape, i, 2,
                 fmt::format("unknown escape '\\{}'; known: \\' \\\" \\\\ \\n \\t \\uXXXX",
                             schema_internal::Shown(text.substr(i + 1, 1))));
            bad = true;
            i += 2;
        }
      }
      if (!closed) {
        diag(DiagnosticCode::kUnterminatedString, start, 1,
             "unterminated string; close it with the same quote on the same line");
        continue;
      }
      if (size_t at = schema_internal::FirstInvalidUtf8(value); at != std::string::npos) {
        diag(DiagnosticCode::kInvalidUtf8, start, i - start, "string is not valid UTF-8");
        continue;
      }
      if (!bad) emit(TokenKind::kString, start, i).value = std::move(value);
      continue;
    }
    TokenKind op = TokenKind::kEnd;
    size_t len = 1;
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (c) {
      case '(': op = TokenKind::kLParen; break;
      case ')': op = TokenKind::kRParen; break;
      case ',': op = TokenKind::kComma; break;
      case ':': op = TokenKind::kColon; break;
      case '+': op = TokenKind::kPlus; break;
      case '-': op = TokenKind::kMinus; break;
      case '=': op = TokenKind::kEq; len = next == '=' ? 2 : 1; break;
      case '!': if (next == '=') { op = TokenKind::kNe; len = 2; } break;
      case '<':
        if (next == '=') { op = TokenKind::kLe; len = 2; }
        else if (next == '>') { op = TokenKind::kNe; len = 2; }
        else { op = TokenKind::kLt; }
        break;
      case '>':
        op = next == '=' ? TokenKind::kGe : TokenKind::kGt;
        len = next == '=' ? 2 : 1;
        break;
      default: break;
    }
    if (op != TokenKind::kEnd) {
      emit(op, start, start + len);
      i += len;
      continue;
    }
    size_t n = std::min(SequenceLength(static_cast<unsigned char>(c)), text.size() - i);
    diag(DiagnosticCode::kUnexpectedCharacter, i, n,
         fmt::format("unexpected character '{}'", schema_internal::Shown(text.substr(i, n))));
    i += n;
  }
  r.tokens.push_back(Token{TokenKind::kEnd, text.substr(text.size()), {},
                           static_cast<uint32_t>(text.size()), line,
                           static_cast<uint32_t>(text.size() - line_start + 1)});
  return r;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_LEXER_INL_H_
