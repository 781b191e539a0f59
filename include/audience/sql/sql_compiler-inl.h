// Definitions for sql_compiler.h.
#ifndef AUDIENCE_SQL_SQL_COMPILER_INL_H_
#define AUDIENCE_SQL_SQL_COMPILER_INL_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "audience/base/strings.h"
#include "audience/sql/sql_compiler.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace sql_internal {

inline std::string IntLiteral(int64_t v) {
  // -9223372036854775808 reads as minus a literal that overflows BIGINT in
  // some dialects.
  if (v == std::numeric_limits<int64_t>::min()) return "(-9223372036854775807-1)";
  return fmt::format("{}", v);
}

// Shortest form that reads back to exactly `v` ("0.1", "3", "1e+20"); every
// dialect here reads all three shapes. Callers pass finite values.
inline std::string DoubleLiteral(double v) { return fmt::format("{}", v == 0 ? 0.0 : v); }

inline bool ValidText(std::string_view s) { return Schema::ValidateValue("value", s).ok(); }

// "(a SEP b SEP c)"; `empty` when there are no parts, the part itself when
// there is one.
inline std::string JoinParts(const std::vector<std::string>& parts, std::string_view sep,
                             std::string_view empty) {
  if (parts.empty()) return std::string(empty);
  if (parts.size() == 1) return parts[0];
  std::string out = "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out + ")";
}

// "(v1, v2)" of already formatted literals.
inline std::string List(const std::vector<std::string>& literals) {
  std::string out = "(";
  for (size_t i = 0; i < literals.size(); ++i) {
    if (i > 0) out += ", ";
    out += literals[i];
  }
  return out + ")";
}

// Attribute tests: `col IS NOT NULL AND <test>` never yields NULL (FALSE AND
// NULL is FALSE), so NULLs never match, as in the engine.
inline std::string Guarded(const std::string& col, const std::string& test) {
  return fmt::format("({} IS NOT NULL AND {})", col, test);
}

// A timestamp operand as whole seconds: stored values are whole seconds, so
// a fractional operand t compares like this against floor(t) = s.
struct TimeOperand {
  int64_t seconds = 0;   // floor
  bool fraction = false;  // t > seconds
};

inline TimeOperand ToTimeOperand(const Value& v) {
  absl::Time t = v.time_value();
  int64_t s = absl::ToUnixSeconds(t);  // rounds toward -infinity
  return {s, absl::FromUnixSeconds(s) != t};
}

// The literal `v` stands for in a column of `type`.
inline std::string ValueLiteral(AttributeType type, const Value& v, SqlDialect dialect) {
  switch (type) {
    case AttributeType::kInt64: return IntLiteral(v.int_value());
    case AttributeType::kDouble:
      return DoubleLiteral(v.type() == AttributeType::kInt64 ? static_cast<double>(v.int_value())
                                                             : v.double_value());
    case AttributeType::kEnum: return SqlString(v.enum_value(), dialect);
    case AttributeType::kTimestamp: return IntLiteral(ToTimeOperand(v).seconds);
    case AttributeType::kBool: return v.bool_value() ? "1" : "0";
  }
  return "NULL";
}

inline std::string CompareLeaf(const AttributeSpec& spec, CompareOp op, const Value& v,
                               SqlDialect dialect) {
  const std::string col = SqlIdentifier(SqlAttributeColumn(spec.name));
  if (v.is_null()) return "1=0";  // the engine refuses NULL operands; nothing matches
  std::string_view sql_op = op == CompareOp::kNe ? "<>" : CompareOpText(op);
  if (spec.type == AttributeType::kEnum && !ValidText(v.enum_value())) {
    // A value no person can hold: `=` matches nobody, `!=` every non-null.
    return op == CompareOp::kNe ? fmt::format("({} IS NOT NULL)", col) : "1=0";
  }
  if (spec.type == AttributeType::kTimestamp) {
    TimeOperand t = ToTimeOperand(v);
    if (t.fraction) {
      // s < t and s <= t mean s <= floor(t); s > t and s >= t mean
      // s > floor(t); s = t never holds; s != t always.
      switch (op) {
        case CompareOp::kEq: return "1=0";
        case CompareOp::kNe: return fmt::format("({} IS NOT NULL)", col);
        case CompareOp::kLt: case CompareOp::kLe: sql_op = "<="; break;
        case CompareOp::kGt: case CompareOp::kGe: sql_op = ">"; break;
      }
    }
  }
  return Guarded(col, fmt::format("{} {} {}", col, sql_op, ValueLiteral(spec.type, v, dialect)));
}

inline std::string BetweenLeaf(const AttributeSpec& spec, const Value& lo, const Value& hi,
                               SqlDialect dialect) {
  const std::string col = SqlIdentifier(SqlAttributeColumn(spec.name));
  if (lo.is_null() || hi.is_null()) return "1=0";
  std::string lo_text = ValueLiteral(spec.type, lo, dialect);
  std::string hi_text = ValueLiteral(spec.type, hi, dialect);
  if (spec.type == AttributeType::kTimestamp) {
    TimeOperand l = ToTimeOperand(lo);
    if (l.fraction) {  // t_lo <= s means ceil(t_lo) <= s
      if (l.seconds == std::numeric_limits<int64_t>::max()) return "1=0";
      lo_text = IntLiteral(l.seconds + 1);
    }
  }
  return Guarded(col, fmt::format("{} BETWEEN {} AND {}", col, lo_text, hi_text));
}

inline std::string InLeaf(const AttributeSpec& spec, const std::vector<Value>& values,
                          SqlDialect dialect) {
  const std::string col = SqlIdentifier(SqlAttributeColumn(spec.name));
  std::vector<std::string> literals;
  for (const Value& v : values) {
    if (v.is_null()) continue;
    if (spec.type == AttributeType::kEnum && !ValidText(v.enum_value())) continue;
    if (spec.type == AttributeType::kTimestamp && ToTimeOperand(v).fraction) continue;
    literals.push_back(ValueLiteral(spec.type, v, dialect));
  }
  if (literals.empty()) return "1=0";
  if (literals.size() == 1) return Guarded(col, fmt::format("{} = {}", col, literals[0]));
  return Guarded(col, fmt::format("{} IN {}", col, List(literals)));
}

inline std::string TagLeaf(const BoundExpr& e, const Schema& schema, SqlDialect dialect,
                           UnixSeconds now) {
  std::string where =
      fmt::format("\"dimension\" = {}", SqlString(schema.dimensions()[e.dim].name, dialect));
  if (e.kind == BoundExpr::Kind::kTag) {
    std::vector<std::string> literals;
    for (const std::string& v : e.tag_values) {
      if (ValidText(v)) literals.push_back(SqlString(v, dialect));
    }
    if (literals.empty()) return "1=0";
    where += literals.size() == 1 ? fmt::format(" AND \"value\" = {}", literals[0])
                                  : fmt::format(" AND \"value\" IN {}", List(literals));
  }
  where += fmt::format(" AND (\"expires_at\" IS NULL OR \"expires_at\" > {})", IntLiteral(now));
  return fmt::format("(\"person_id\" IN (SELECT \"person_id\" FROM person_tags WHERE {}))", where);
}

inline std::string EventLeaf(const EventPredicate& p, const Schema& schema, SqlDialect dialect) {
  const EventTypeSpec& spec = schema.event_types()[p.type];
  std::string where = fmt::format("\"event_type\" = {}", SqlString(spec.name, dialect));
  // Stored times stay within +-kMaxQueryTime, so a window starting there has
  // no lower bound.
  if (p.from > -kMaxQueryTime) where += fmt::format(" AND \"time\" >= {}", IntLiteral(p.from));
  where += fmt::format(" AND \"time\" < {}", IntLiteral(p.to));
  for (const auto& [property, value] : p.equals) {
    if (!ValidText(value)) {
      where += " AND 1=0";  // no event carries it: the matching set is empty
      continue;
    }
    where += fmt::format(" AND {} = {}",
                         SqlIdentifier(SqlPropertyColumn(spec.properties[property].name)),
                         SqlString(value, dialect));
  }
  std::string measure;
  std::string operand;
  bool holds_without_events = false;
  switch (p.measure) {
    case EventMeasure::kCount:
    case EventMeasure::kSum:
      measure = p.measure == EventMeasure::kCount ? "SUM(\"count\")" : "SUM(\"amount\")";
      operand = DoubleLiteral(p.number);
      holds_without_events = CompareHolds(p.op, 0.0, p.number);
      break;
    case EventMeasure::kFirst:
    case EventMeasure::kLast:
      measure = p.measure == EventMeasure::kFirst ? "MIN(\"time\")" : "MAX(\"time\")";
      operand = IntLiteral(p.time);
      break;
  }
  std::string_view op = p.op == CompareOp::kNe ? "<>" : CompareOpText(p.op);
  std::string test = fmt::format("{} {} {}", measure, op, operand);
  std::string sub = fmt::format("SELECT \"person_id\" FROM events WHERE {} GROUP BY \"person_id\"",
                                where);
  // People without a matching event have count = sum = 0 but no group: when
  // the test holds at 0, select everyone except the groups where it fails.
  if (holds_without_events) {
    return fmt::format("(\"person_id\" NOT IN ({} HAVING NOT ({})))", sub, test);
  }
  return fmt::format("(\"person_id\" IN ({} HAVING {}))", sub, test);
}

}  // namespace sql_internal

AUDIENCE_FUNC std::optional<SqlDialect> ParseSqlDialect(std::string_view name) {
  const std::string lower = AsciiLower(name);
  if (lower == "sqlite") return SqlDialect::kSqlite;
  if (lower == "duckdb") return SqlDialect::kDuckDb;
  if (lower == "postgres" || lower == "postgresql") return SqlDialect::kPostgres;
  if (lower == "clickhouse") return SqlDialect::kClickHouse;
  return std::nullopt;
}

AUDIENCE_FUNC std::string_view SqlDialectName(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite: return "sqlite";
    case SqlDialect::kDuckDb: return "duckdb";
    case SqlDialect::kPostgres: return "postgres";
    case SqlDialect::kClickHouse: return "clickhouse";
  }
  return "sqlite";
}

AUDIENCE_FUNC std::string SqlIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

AUDIENCE_FUNC std::string SqlString(std::string_view s, SqlDialect dialect) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    if (c == '\\' && dialect == SqlDialect::kClickHouse) out += '\\';
    out += c;
  }
  return out + "'";
}

AUDIENCE_FUNC std::string SqlAttributeColumn(std::string_view name) {
  if (name == "person_id" || name == "external_id") return fmt::format("attribute:{}", name);
  return std::string(name);
}

AUDIENCE_FUNC std::string SqlPropertyColumn(std::string_view name) {
  return fmt::format("p.{}", name);
}

AUDIENCE_FUNC std::string CompileCondition(const BoundExpr& e, const Schema& schema,
                                           SqlDialect dialect, UnixSeconds now) {
  using K = BoundExpr::Kind;
  switch (e.kind) {
    case K::kAll: return "1=1";
    case K::kNone: return "1=0";
    case K::kAnd:
    case K::kOr: {
      std::vector<std::string> parts;
      for (const BoundExpr& c : e.children) {
        parts.push_back(CompileCondition(c, schema, dialect, now));
      }
      return e.kind == K::kAnd ? sql_internal::JoinParts(parts, " AND ", "1=1")
                               : sql_internal::JoinParts(parts, " OR ", "1=0");
    }
    case K::kNot: {
      std::string child = CompileCondition(e.children[0], schema, dialect, now);
      if (child.front() != '(') child = "(" + child + ")";
      return fmt::format("(NOT {})", child);
    }
    case K::kAtLeast: {
      if (e.count == 0) return "1=1";
      if (e.children.size() < e.count) return "1=0";
      std::string sum;
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i > 0) sum += " + ";
        sum += fmt::format("(CASE WHEN {} THEN 1 ELSE 0 END)",
                           CompileCondition(e.children[i], schema, dialect, now));
      }
      return fmt::format("(({}) >= {})", sum, e.count);
    }
    case K::kTag:
    case K::kHasTag: return sql_internal::TagLeaf(e, schema, dialect, now);
    case K::kCompare:
      return sql_internal::CompareLeaf(schema.attributes()[e.attr], e.op, e.values[0], dialect);
    case K::kBetween:
      return sql_internal::BetweenLeaf(schema.attributes()[e.attr], e.values[0], e.values[1],
                                       dialect);
    case K::kIn: return sql_internal::InLeaf(schema.attributes()[e.attr], e.values, dialect);
    case K::kNotNull:
      return fmt::format("({} IS NOT NULL)",
                         SqlIdentifier(SqlAttributeColumn(schema.attributes()[e.attr].name)));
    case K::kEvent: return sql_internal::EventLeaf(e.event, schema, dialect);
  }
  return "1=0";
}

AUDIENCE_FUNC std::string CompileToSql(const BoundExpr& expr, const Schema& schema,
                                       SqlDialect dialect, UnixSeconds now) {
  return fmt::format("SELECT \"person_id\" FROM profiles WHERE {} ORDER BY \"person_id\"",
                     CompileCondition(expr, schema, dialect, now));
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SQL_SQL_COMPILER_INL_H_
