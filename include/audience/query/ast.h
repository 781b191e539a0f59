// AST of the segment query language, as the parser builds it (names not yet
// resolved against a schema; the binder does that).
//
//   interest:fashion AND age BETWEEN 20 AND 30 AND NOT lifecycle:dormant
//   => And(Tag(interest, fashion), Between(age, 20, 30), Not(Tag(lifecycle, dormant)))
//
// Nodes are owned by their parent (unique_ptr); every node and operand keeps
// the byte offset/line/column of its first token for diagnostics.
#ifndef AUDIENCE_QUERY_AST_H_
#define AUDIENCE_QUERY_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audience/base/config.h"
#include "audience/query/token.h"

AUDIENCE_BEGIN_NAMESPACE

struct SourcePos {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
  uint32_t length = 1;
};

// A literal or a time expression on the right of a comparison.
struct Operand {
  enum class Kind : uint8_t {
    kString, kInteger, kDecimal, kDuration, kBool, kNull,
    kNow, kToday,  // relative times; `shifts` may follow
    kName,         // a bare name as a call argument: has(interest)
  };
  Kind kind = Kind::kNull;
  std::string text;    // kString: unescaped; numbers and durations: as written
  bool negative = false;
  // Time arithmetic after now/today/a date string: +/- durations, in order.
  std::vector<std::pair<char, std::string>> shifts;
  SourcePos pos;
};


struct Node;
using NodePtr = std::unique_ptr<Node>;

// A named or positional argument of a function call.
struct Argument {
  std::string name;  // empty when positional
  Operand value;     // when !condition
  NodePtr condition;  // any(2, cond, cond, ...): conditions as arguments
  SourcePos pos;
};

struct Node {
  enum class Kind : uint8_t {
    kAnd, kOr, kNot,   // children
    kTag,              // name:value  (values[0])
    kIn,               // name [NOT] IN (values...)
    kCompare,          // name op values[0]
    kBetween,          // name [NOT] BETWEEN values[0] AND values[1]
    kIsNull,           // name IS [NOT] NULL
    kCall,             // name(arguments) [op values[0]]
  };
  Kind kind = Kind::kAnd;
  std::string name;           // dimension, attribute or function
  TokenKind op = TokenKind::kEnd;  // kCompare / kCall: kEq ... kGe, or kEnd
  bool negated = false;       // NOT IN, NOT BETWEEN, IS NOT NULL
  std::vector<Operand> values;
  std::vector<Argument> arguments;
  std::vector<NodePtr> children;
  SourcePos pos;
};

// Debug form for tests: And(Tag(interest,fashion),Between(age,20,30)).
std::string ToDebugString(const Node& node);

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_AST_H_
