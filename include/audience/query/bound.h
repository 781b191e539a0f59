// Bound query: the AST after the binder resolved every name against the
// schema and every time expression against `now`. This is the form the
// planner, the SQL compiler and the per-person oracle all consume, so its
// meaning is defined here once.
//
//   BindResult b = Bind(*Parse(text).root, {.schema = &store.schema(), .now = now});
//   // b.expr: And(Tag(interest, [fashion]), Between(age, 20, 30))
//
// Meaning of each kind, as a set of live people (U = the live universe):
//   kAll / kNone       U / nobody
//   kAnd, kOr          intersection / union of the children
//   kNot               U minus the child (so it includes people with no value)
//   kAtLeast           people in at least `count` of the children
//   kTag               people holding any of `values` in dimension `dim` at
//                      `now` (assignments with expires_at <= now are gone)
//   kHasTag            people holding any value of `dim` at `now`
//   kCompare           attribute `attr` OP values[0]; never a person whose
//                      value is NULL (so `!=` excludes NULLs)
//   kBetween           values[0] <= attr <= values[1]; never NULL
//   kIn                attr equal to one of `values`; never NULL
//   kNotNull           attr has a value
//   kEvent             an event measure over the matching events (type,
//                      property equalities, time in [from, to)) compared with
//                      a constant; see EventMeasure
// Tag and enum values are kept as text: a value an open dimension has never
// seen simply matches nobody, and the SQL compiler needs the text anyway.
#ifndef AUDIENCE_QUERY_BOUND_H_
#define AUDIENCE_QUERY_BOUND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/query/ast.h"
#include "audience/schema/schema.h"
#include "audience/schema/value.h"
#include "audience/storage/bit_sliced_index.h"

AUDIENCE_BEGIN_NAMESPACE

// Times in a bound query stay within +-kMaxQueryTime seconds (about year
// 5138 either way, the event store's own bound); an event window with no
// lower bound starts at -kMaxQueryTime.
inline constexpr UnixSeconds kMaxQueryTime = 100'000'000'000;

// What an event predicate measures over the matching events of one person.
//   kCount  number of events;           OP `number`; 0 when none
//   kSum    sum of their amounts;       OP `number`; 0 when none
//   kFirst  time of the earliest one;   OP `time`;   never matches when none
//   kLast   time of the latest one;     OP `time`;   never matches when none
// did(...) is kCount >= 1; `did not` is NOT of that.
enum class EventMeasure : uint8_t { kCount, kSum, kFirst, kLast };

struct EventPredicate {
  EventTypeId type = 0;
  // (property index in the event type's spec, value), all must hold.
  std::vector<std::pair<uint32_t, std::string>> equals{};
  UnixSeconds from = 0;  // window [from, to); to <= now + 1 (nothing later is seen)
  UnixSeconds to = 0;
  EventMeasure measure = EventMeasure::kCount;
  CompareOp op = CompareOp::kGe;
  double number = 1;     // kCount, kSum
  UnixSeconds time = 0;  // kFirst, kLast
  friend bool operator==(const EventPredicate&, const EventPredicate&) = default;
};

struct BoundExpr {
  enum class Kind : uint8_t {
    kAll, kNone, kAnd, kOr, kNot, kAtLeast,
    kTag, kHasTag, kCompare, kBetween, kIn, kNotNull, kEvent,
  };
  Kind kind = Kind::kAll;
  std::vector<BoundExpr> children{};  // kAnd, kOr, kNot (one), kAtLeast
  uint32_t count = 0;                 // kAtLeast
  DimensionId dim = 0;                // kTag, kHasTag
  std::vector<std::string> tag_values{};  // kTag: sorted, distinct
  AttributeId attr = 0;               // kCompare, kBetween, kIn, kNotNull
  CompareOp op = CompareOp::kEq;      // kCompare
  std::vector<Value> values{};        // kCompare (1), kBetween (2), kIn (sorted, distinct)
  EventPredicate event{};             // kEvent
  SourcePos pos{};                    // where the predicate starts in the query

  static BoundExpr All() { return BoundExpr{.kind = Kind::kAll}; }
  static BoundExpr None() { return BoundExpr{.kind = Kind::kNone}; }
  bool is_leaf() const { return kind >= Kind::kTag; }
  friend bool operator==(const BoundExpr& a, const BoundExpr& b);
};

// Canonical text of the expression in the query language, with names from
// `schema` and times as UTC datetimes, e.g.
//   (interest:fashion AND age BETWEEN 20 AND 30)
//   count(purchase, category = 'skincare', from = '2026-10-24 00:00:00',
//         to = '2026-11-23 00:00:01') >= 2
// Equal expressions give equal text (used as a key for shared
// sub-expressions), and the text parses and binds back to an equal
// expression (positions aside).
std::string Describe(const BoundExpr& expr, const Schema& schema);

// "2026-11-23 10:00:00" (UTC) for a time in seconds.
std::string FormatUtc(UnixSeconds t);

// "=", "!=", "<", "<=", ">", ">=".
std::string_view CompareOpText(CompareOp op);

// Whether `lhs OP rhs` holds.
template <typename T>
bool CompareHolds(CompareOp op, const T& lhs, const T& rhs) {
  switch (op) {
    case CompareOp::kEq: return lhs == rhs;
    case CompareOp::kNe: return lhs != rhs;
    case CompareOp::kLt: return lhs < rhs;
    case CompareOp::kLe: return lhs <= rhs;
    case CompareOp::kGt: return lhs > rhs;
    case CompareOp::kGe: return lhs >= rhs;
  }
  return false;
}

// Whether a person with no matching event satisfies `e` (count and sum are
// then 0; first and last never match).
inline bool EventHoldsWithoutEvents(const EventPredicate& e) {
  if (e.measure == EventMeasure::kFirst || e.measure == EventMeasure::kLast) return false;
  return CompareHolds(e.op, 0.0, e.number);
}

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/bound-inl.h"
#endif

#endif  // AUDIENCE_QUERY_BOUND_H_
