// Diagnostic: one problem found in a query, as data (cel-cpp's issues).
//
// Every stage (lexer, parser, binder) reports problems as Diagnostics that
// point at the query text, so a caller can show them, test them or map them
// to an editor. Render() produces the human form:
//
//   1:18: error: unexpected character '#'
//   interest:fashion # x
//                    ^
//
//   std::vector<Diagnostic> issues = Lex(query).diagnostics;
//   for (const Diagnostic& d : issues) std::cerr << d.Render(query);
#ifndef AUDIENCE_QUERY_DIAGNOSTIC_H_
#define AUDIENCE_QUERY_DIAGNOSTIC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

enum class DiagnosticCode : uint16_t {
  kUnexpectedCharacter = 100,
  kUnterminatedString = 101,
  kBadEscape = 102,
  kBadNumber = 103,
  kBadDuration = 104,
  kInvalidUtf8 = 105,
  kQueryTooLong = 106,
  kUnexpectedToken = 200,
  kTooDeep = 201,
  kListTooLong = 202,
  kTooManyErrors = 203,
  // Binder: names and values checked against the schema.
  kUnknownName = 300,       // not a dimension, attribute or event type
  kUnknownValue = 301,      // not in a closed dimension or enum
  kTypeMismatch = 302,      // operand or operator does not fit the name
  kUnknownFunction = 303,
  kBadArgument = 304,       // missing, unknown, repeated or ill-typed argument
  kUnknownSegment = 305,
  kSegmentCycle = 306,
  kBadTime = 307,           // unparseable date, out-of-range time arithmetic
  kSegmentError = 308,      // a saved segment's own text does not compile
  kQueryTooLarge = 309,     // too many predicates after expanding segments
};

struct Diagnostic {
  DiagnosticCode code = DiagnosticCode::kUnexpectedCharacter;
  uint32_t offset = 0;  // byte offset of the offending text
  uint32_t length = 1;  // bytes it spans (at least 1 for the caret)
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in bytes
  std::string message;
  std::string suggestion;  // "did you mean ...?", may be empty

  // "L:C: error: message", the source line, carets under the span, and the
  // suggestion on a line of its own if any. Ends with a newline.
  std::string Render(std::string_view source) const;
};

// Renders several diagnostics, in order.
std::string RenderAll(const std::vector<Diagnostic>& diagnostics, std::string_view source);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/diagnostic-inl.h"
#endif

#endif  // AUDIENCE_QUERY_DIAGNOSTIC_H_
