// Definitions for parser.h and ToDebugString (ast.h).
#ifndef AUDIENCE_QUERY_PARSER_INL_H_
#define AUDIENCE_QUERY_PARSER_INL_H_

#include <initializer_list>
#include <utility>

#include "audience/base/strings.h"
#include "audience/query/parser.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace parser_internal {

// Thrown nowhere: errors unwind through `ok_` checks, so no exception ever
// leaves the parser.
class Parser {
 public:
  Parser(std::string_view text, const std::vector<Token>& tokens, const ParserOptions& options,
         std::vector<Diagnostic>* diagnostics)
      : text_(text), tokens_(tokens), options_(options), diagnostics_(diagnostics) {}

  NodePtr Query() {
    NodePtr root = Or();
    while (!At(TokenKind::kEnd) && !stopped_) {
      Unexpected("AND, OR or end of query");
      Synchronize();
      if (Accept(TokenKind::kAnd) || Accept(TokenKind::kOr) || Accept(TokenKind::kRParen)) {
        Or();
      }
    }
    return diagnostics_->empty() ? std::move(root) : nullptr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  bool At(TokenKind k) const { return Peek().kind == k; }
  bool Accept(TokenKind k) {
    if (!At(k)) return false;
    ++pos_;
    return true;
  }
  static SourcePos PosOf(const Token& t) {
    return {t.offset, t.line, t.column, static_cast<uint32_t>(std::max<size_t>(1, t.text.size()))};
  }

  void Report(DiagnosticCode code, const Token& at, std::string message) {
    if (stopped_) return;
    if (diagnostics_->size() + 1 >= options_.max_diagnostics) {
      diagnostics_->push_back({DiagnosticCode::kTooManyErrors, at.offset, 1, at.line, at.column,
                               "too many errors; stopped", {}});
      stopped_ = true;
      return;
    }
    SourcePos p = PosOf(at);
    diagnostics_->push_back({code, p.offset, p.length, p.line, p.column, std::move(message), {}});
  }
  void Unexpected(std::string_view expected) {
    const Token& t = Peek();
    std::string got;
    switch (t.kind) {
      case TokenKind::kEnd: got = "end of query"; break;
      case TokenKind::kString: got = fmt::format("string {}", t.text); break;  // quoted already
      case TokenKind::kIdentifier: case TokenKind::kInteger: case TokenKind::kDecimal:
      case TokenKind::kDuration:
        got = fmt::format("{} '{}'", TokenKindName(t.kind), t.text);
        break;
      default: got = std::string(TokenKindName(t.kind));
    }
    Report(DiagnosticCode::kUnexpectedToken, t, fmt::format("unexpected {}; expected {}", got, expected));
  }
  // Skips to a token where parsing can resume.
  void Synchronize() {
    while (!At(TokenKind::kEnd) && !At(TokenKind::kAnd) && !At(TokenKind::kOr) &&
           !At(TokenKind::kRParen)) {
      ++pos_;
    }
  }
  bool Enter(const Token& at) {
    if (++depth_ <= options_.max_depth) return true;
    Report(DiagnosticCode::kTooDeep, at,
           fmt::format("query nests deeper than {} levels", options_.max_depth));
    stopped_ = true;
    return false;
  }

  NodePtr Binary(Node::Kind kind, TokenKind op, NodePtr (Parser::*next)()) {
    NodePtr left = (this->*next)();
    if (!At(op)) return left;
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->pos = left ? left->pos : PosOf(Peek());
    node->children.push_back(std::move(left));
    while (Accept(op) && !stopped_) node->children.push_back((this->*next)());
    return node;
  }
  NodePtr Or() { return Binary(Node::Kind::kOr, TokenKind::kOr, &Parser::And); }
  NodePtr And() { return Binary(Node::Kind::kAnd, TokenKind::kAnd, &Parser::Not); }

  NodePtr Not() {
    if (!At(TokenKind::kNot)) return Primary();
    const Token& t = Peek();
    if (!Enter(t)) return nullptr;
    ++pos_;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::kNot;
    node->pos = PosOf(t);
    node->children.push_back(Not());
    --depth_;
    return node;
  }

  NodePtr Primary() {
    if (stopped_) return nullptr;
    const Token& t = Peek();
    if (At(TokenKind::kLParen)) {
      if (!Enter(t)) return nullptr;
      ++pos_;
      NodePtr inner = Or();
      if (!Accept(TokenKind::kRParen)) {
        Unexpected("')'");
        Synchronize();
        Accept(TokenKind::kRParen);
      }
      --depth_;
      return inner;
    }
    if (!At(TokenKind::kIdentifier)) {
      Unexpected("a condition (a name such as interest:fashion, age > 30, has(...))");
      Synchronize();
      return nullptr;
    }
    ++pos_;
    auto node = std::make_unique<Node>();
    node->name = std::string(t.text);
    node->pos = PosOf(t);
    if (Accept(TokenKind::kColon)) {
      node->kind = Node::Kind::kTag;
      const Token& v = Peek();
      if (v.kind == TokenKind::kIdentifier || v.kind == TokenKind::kInteger) {
        node->values.push_back({Operand::Kind::kString, std::string(v.text), false, {}, PosOf(v)});
        ++pos_;
      } else if (v.kind == TokenKind::kString) {
        node->values.push_back({Operand::Kind::kString, v.value, false, {}, PosOf(v)});
        ++pos_;
      } else {
        Unexpected(fmt::format("a value of '{}' after ':'", node->name));
        Synchronize();
      }
      return node;
    }
    if (At(TokenKind::kLParen)) return Call(std::move(node));
    bool negated = false;
    if (At(TokenKind::kNot) && (Peek(1).kind == TokenKind::kIn || Peek(1).kind == TokenKind::kBetween)) {
      ++pos_;
      negated = true;
    }
    node->negated = negated;
    if (Accept(TokenKind::kIn)) {
      node->kind = Node::Kind::kIn;
      List(node.get());
      return node;
    }
    if (Accept(TokenKind::kBetween)) {
      node->kind = Node::Kind::kBetween;
      node->values.push_back(ParseOperand());
      if (!Accept(TokenKind::kAnd)) {
        Unexpected("AND between the two bounds of BETWEEN");
        Synchronize();
        return node;
      }
      node->values.push_back(ParseOperand());
      return node;
    }
    if (Accept(TokenKind::kIs)) {
      node->kind = Node::Kind::kIsNull;
      node->negated = Accept(TokenKind::kNot);
      if (!Accept(TokenKind::kNull)) {
        Unexpected("NULL after IS");
        Synchronize();
      }
      return node;
    }
    if (IsComparison(Peek().kind)) {
      node->kind = Node::Kind::kCompare;
      node->op = Peek().kind;
      ++pos_;
      node->values.push_back(ParseOperand());
      return node;
    }
    Unexpected(fmt::format("':', '(', IN, BETWEEN, IS or a comparison after '{}'", node->name));
    Synchronize();
    return node;
  }

  static bool IsComparison(TokenKind k) {
    return k == TokenKind::kEq || k == TokenKind::kNe || k == TokenKind::kLt ||
           k == TokenKind::kLe || k == TokenKind::kGt || k == TokenKind::kGe;
  }

  void List(Node* node) {
    if (!Accept(TokenKind::kLParen)) {
      Unexpected("'(' to open the IN list");
      Synchronize();
      return;
    }
    do {
      if (node->values.size() >= options_.max_list_size) {
        Report(DiagnosticCode::kListTooLong, Peek(),
               fmt::format("IN list has more than {} values", options_.max_list_size));
        stopped_ = true;
        return;
      }
      node->values.push_back(ParseOperand());
    } while (Accept(TokenKind::kComma) && !stopped_);
    if (!Accept(TokenKind::kRParen)) {
      Unexpected("',' or ')' in the IN list");
      Synchronize();
      Accept(TokenKind::kRParen);
    }
  }

  NodePtr Call(NodePtr node) {
    node->kind = Node::Kind::kCall;
    const Token& open = Peek();
    if (!Enter(open)) return nullptr;
    ++pos_;
    if (!Accept(TokenKind::kRParen)) {
      do {
        Argument arg;
        arg.pos = PosOf(Peek());
        // Keywords may name arguments too: did(visit, between = ..., and = ...).
        bool named = (Peek().kind == TokenKind::kIdentifier || IsKeyword(Peek().kind)) &&
                     Peek(1).kind == TokenKind::kEq;
        bool literal = IsOperandStart(Peek()) &&
                       (Peek(1).kind == TokenKind::kComma || Peek(1).kind == TokenKind::kRParen ||
                        Peek(1).kind == TokenKind::kPlus || Peek(1).kind == TokenKind::kMinus ||
                        Peek().kind == TokenKind::kMinus);
        bool bare_name = Peek().kind == TokenKind::kIdentifier && !IsTimeWord(Peek().text) &&
                         (Peek(1).kind == TokenKind::kComma || Peek(1).kind == TokenKind::kRParen);
        if (bare_name) {
          arg.value = {Operand::Kind::kName, std::string(Peek().text), false, {}, PosOf(Peek())};
          ++pos_;
        } else if (named) {
          arg.name = std::string(Peek().text);
          pos_ += 2;
          arg.value = ParseOperand();
        } else if (literal) {
          arg.value = ParseOperand();
        } else {
          arg.condition = Or();
        }
        node->arguments.push_back(std::move(arg));
      } while (Accept(TokenKind::kComma) && !stopped_);
      if (!Accept(TokenKind::kRParen)) {
        Unexpected(fmt::format("',' or ')' in the arguments of {}()", node->name));
        Synchronize();
        Accept(TokenKind::kRParen);
      }
    }
    --depth_;
    if (IsComparison(Peek().kind)) {
      node->op = Peek().kind;
      ++pos_;
      node->values.push_back(ParseOperand());
    }
    return node;
  }

  static bool IsKeyword(TokenKind k) {
    return k >= TokenKind::kAnd && k <= TokenKind::kFalse;
  }
  static std::string Lower(std::string_view w) { return AsciiLower(w); }

  static bool IsOperandStart(const Token& t) {
    switch (t.kind) {
      case TokenKind::kString: case TokenKind::kInteger: case TokenKind::kDecimal:
      case TokenKind::kDuration: case TokenKind::kTrue: case TokenKind::kFalse:
      case TokenKind::kNull: case TokenKind::kMinus:
        return true;
      case TokenKind::kIdentifier:
        return IsTimeWord(t.text);
      default:
        return false;
    }
  }
  static bool IsTimeWord(std::string_view w) {
    auto eq = [&](std::string_view k) { return EqualsIgnoreAsciiCase(w, k); };
    return eq("now") || eq("today");
  }

  Operand ParseOperand() {
    Operand o;
    const Token& first = Peek();
    o.pos = PosOf(first);
    if (Accept(TokenKind::kMinus)) {
      o.negative = true;
      if (!At(TokenKind::kInteger) && !At(TokenKind::kDecimal)) {
        Unexpected("a number after '-'");
        Synchronize();
        return o;
      }
    }
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInteger: o.kind = Operand::Kind::kInteger; o.text = std::string(t.text); break;
      case TokenKind::kDecimal: o.kind = Operand::Kind::kDecimal; o.text = std::string(t.text); break;
      case TokenKind::kDuration: o.kind = Operand::Kind::kDuration; o.text = std::string(t.text); break;
      case TokenKind::kString: o.kind = Operand::Kind::kString; o.text = t.value; break;
      case TokenKind::kTrue: case TokenKind::kFalse:
        o.kind = Operand::Kind::kBool;
        o.text = t.kind == TokenKind::kTrue ? "true" : "false";
        break;
      case TokenKind::kNull: o.kind = Operand::Kind::kNull; break;
      case TokenKind::kIdentifier:
        if (IsTimeWord(t.text)) {
          o.kind = (t.text[0] == 'n' || t.text[0] == 'N') ? Operand::Kind::kNow : Operand::Kind::kToday;
          o.text = std::string(t.text);
          break;
        }
        [[fallthrough]];
      default:
        Unexpected("a value (number, 'string', duration, TRUE, FALSE, NULL, now or today)");
        Synchronize();
        return o;
    }
    ++pos_;
    bool is_time = o.kind == Operand::Kind::kNow || o.kind == Operand::Kind::kToday ||
                   o.kind == Operand::Kind::kString;
    while (is_time && (At(TokenKind::kPlus) || At(TokenKind::kMinus))) {
      char sign = At(TokenKind::kPlus) ? '+' : '-';
      ++pos_;
      if (!At(TokenKind::kDuration)) {
        Unexpected(fmt::format("a duration such as 30d after '{}'", sign));
        Synchronize();
        return o;
      }
      o.shifts.emplace_back(sign, std::string(Peek().text));
      ++pos_;
    }
    return o;
  }

  std::string_view text_;
  const std::vector<Token>& tokens_;
  const ParserOptions& options_;
  std::vector<Diagnostic>* diagnostics_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  bool stopped_ = false;
};

inline std::string OperandString(const Operand& o) {
  std::string s;
  switch (o.kind) {
    case Operand::Kind::kString: s = "'" + o.text + "'"; break;
    case Operand::Kind::kNull: s = "NULL"; break;
    case Operand::Kind::kNow: s = "now"; break;
    case Operand::Kind::kToday: s = "today"; break;
    case Operand::Kind::kName: s = o.text; break;
    default: s = (o.negative ? "-" : "") + o.text; break;
  }
  for (const auto& [sign, d] : o.shifts) s += fmt::format("{}{}", sign, d);
  return s;
}

}  // namespace parser_internal

AUDIENCE_FUNC std::string ToDebugString(const Node& node) {
  using parser_internal::OperandString;
  std::string s;
  auto values = [&](size_t from) {
    for (size_t i = from; i < node.values.size(); ++i) s += "," + OperandString(node.values[i]);
  };
  switch (node.kind) {
    case Node::Kind::kAnd: case Node::Kind::kOr: case Node::Kind::kNot: {
      s = node.kind == Node::Kind::kAnd ? "And(" : node.kind == Node::Kind::kOr ? "Or(" : "Not(";
      for (size_t i = 0; i < node.children.size(); ++i) {
        s += (i ? "," : "") + (node.children[i] ? ToDebugString(*node.children[i]) : "?");
      }
      return s + ")";
    }
    case Node::Kind::kTag: return "Tag(" + node.name + "," + node.values.at(0).text + ")";
    case Node::Kind::kIn: s = (node.negated ? "NotIn(" : "In(") + node.name; values(0); return s + ")";
    case Node::Kind::kBetween:
      s = (node.negated ? "NotBetween(" : "Between(") + node.name;
      values(0);
      return s + ")";
    case Node::Kind::kIsNull: return (node.negated ? "IsNotNull(" : "IsNull(") + node.name + ")";
    case Node::Kind::kCompare:
      s = "Cmp(" + node.name + std::string(TokenKindName(node.op));
      values(0);
      return s + ")";
    case Node::Kind::kCall: {
      s = "Call(" + node.name;
      for (const Argument& a : node.arguments) {
        s += ",";
        if (!a.name.empty()) s += a.name + "=";
        s += a.condition ? ToDebugString(*a.condition) : OperandString(a.value);
      }
      s += ")";
      if (node.op != TokenKind::kEnd) {
        s += std::string(TokenKindName(node.op));
        values(0);
      }
      return s;
    }
  }
  return "?";
}

AUDIENCE_FUNC ParseResult Parse(std::string_view text, const ParserOptions& options) {
  ParseResult r;
  LexResult lexed = Lex(text, options.lex);
  r.diagnostics = std::move(lexed.diagnostics);
  if (!r.diagnostics.empty()) return r;  // parsing broken tokens adds only noise
  parser_internal::Parser parser(text, lexed.tokens, options, &r.diagnostics);
  r.root = parser.Query();
  return r;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_PARSER_INL_H_
