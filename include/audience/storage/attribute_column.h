// AttributeColumn: the stored values of one typed, nullable attribute for
// every person, with the indexes that answer predicates on it.
//
//   AttributeColumn age(AttributeSpec{.name = "age", .type = AttributeType::kInt64});
//   AUDIENCE_RETURN_IF_ERROR(age.Check(Value::Int(31)));
//   age.Set(person, Value::Int(31), /*seq=*/7);
//   AUDIENCE_ASSIGN_OR_RETURN(Bitmap adults, age.Compare(CompareOp::kGe, Value::Int(18)));
//   AUDIENCE_ASSIGN_OR_RETURN(Bitmap twenties, age.Between(Value::Int(20), Value::Int(29)));
//
// Layout: dense vectors indexed by PersonId (grown geometrically on demand)
// hold the values; WriteSeqs (pages that share one seq keep only it) the
// WriteSeq of each person's last write; NotNull() is the set of
// persons with a value. Per type:
//   kInt64, kTimestamp  int64 vector (timestamps as whole seconds, floored)
//                       + BitSlicedIndex over key = uint64(v) ^ 2^63
//   kDouble             double vector + BitSlicedIndex over the
//                       order-preserving bits (negative: ~bits; else
//                       bits | sign bit); -0.0 is stored as 0.0
//   kEnum               uint32 code vector + an interned dictionary + one
//                       bitmap per value (closed lists are interned up front
//                       in declaration order, so codes follow that order)
//   kBool               a bitmap of trues (+ NotNull)
// Null rows hold zero in the dense vectors (canonical; snapshots check it).
//
// Predicate semantics: NULL never matches a comparison: `age != 30` does not
// include people with no age, and neither does `age < 30`; use NotNull() for
// IS NULL / IS NOT NULL. kEnum and kBool support only kEq and kNe. Comparing
// with a timestamp that has a fractional second compares exactly against
// the stored whole seconds (`ts < 10.5s` holds for 10s). An int constant is
// accepted for a double column and converted (exact up to 2^53).
//
// Costs: Set O(slices) bitmap updates; Compare/Between O(slices) whole-bitmap
// operations (a few dozen at most); ScanCompare O(not-null rows).
// Not thread-safe for mutation; concurrent const use is safe. Returned
// references and pointers are valid until the next mutation.
#ifndef AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_H_
#define AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/schema/column_values.h"
#include "audience/schema/schema.h"
#include "audience/schema/value.h"
#include "audience/storage/bit_sliced_index.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/write_seqs.h"

AUDIENCE_BEGIN_NAMESPACE

class AttributeColumn {
 public:
  // `spec` is assumed valid (Schema::AddAttribute checked it).
  explicit AttributeColumn(const AttributeSpec& spec);

  const std::string& name() const { return name_; }
  AttributeType type() const { return type_; }

  // Whether `v` may be stored here: null always; otherwise the exact type
  // (an Int is also accepted for kDouble), finite doubles and timestamps,
  // and for kEnum a value of a closed list or, for an open one, a valid
  // value (Schema::ValidateValue). InvalidArgument naming the attribute, e.g.
  // "attribute 'age' expects int64, got enum 'abc'".
  absl::Status Check(const Value& v) const;

  // Stores `v` (null clears the value) and records `seq` as the person's
  // last write. Precondition: Check(v).ok().
  void Set(PersonId person, const Value& v, WriteSeq seq);
  // Bulk form for imports: row r sets people[r] to values.At(r) (a null row
  // clears), as Set would row by row, with `seq` for every row; a person
  // listed twice keeps its last row. A large block (a fair share of the
  // column) rewrites the dense vectors and rebuilds the range index or enum
  // bitmaps in one pass instead of updating them row by row.
  // Precondition: CheckColumn(values) reported nothing and
  // people.size() == values.size().
  void SetColumn(absl::Span<const PersonId> people, const ColumnValues& values, WriteSeq seq);
  // Check() for a whole column: calls bad(row, message) for each row whose
  // value may not be stored here (for a wrong column type, once with row 0),
  // so a caller can name the line. Linear in rows, per dictionary entry for
  // enums.
  void CheckColumn(const ColumnValues& values,
                   absl::FunctionRef<void(size_t row, std::string_view message)> bad) const;
  // The stored value; null when unset. Timestamps come back as whole seconds.
  Value Get(PersonId person) const;
  // Seq of the person's last Set (a written null still records it); 0 when
  // never written or removed.
  WriteSeq WrittenSeq(PersonId person) const;
  const Bitmap& NotNull() const;

  // Persons whose value satisfies `value OP v` (never persons without a
  // value). InvalidArgument when v is null (use NotNull() for IS NULL),
  // fails Check, or `op` is not kEq/kNe on a kEnum/kBool column.
  // With `within`, the answer is restricted to those persons, and the range
  // index only works on them (cheap for a small scope).
  absl::StatusOr<Bitmap> Compare(CompareOp op, const Value& v,
                                 const Bitmap* within = nullptr) const;
  // lo <= value <= hi; empty when lo > hi. Not for kEnum/kBool.
  absl::StatusOr<Bitmap> Between(const Value& lo, const Value& hi,
                                 const Bitmap* within = nullptr) const;
  // |Compare| and |Between| with the same errors; the range index counts
  // without building the set where it can.
  absl::StatusOr<uint64_t> CountCompare(CompareOp op, const Value& v,
                                        const Bitmap* within = nullptr) const;
  absl::StatusOr<uint64_t> CountBetween(const Value& lo, const Value& hi,
                                        const Bitmap* within = nullptr) const;
  // Compare / Between as a range evaluated chunk by chunk (numeric
  // columns only; InvalidArgument for the others, and as Compare/Between).
  absl::StatusOr<BitSlicedIndex::RangeChunks> CompareChunks(CompareOp op, const Value& v) const;
  absl::StatusOr<BitSlicedIndex::RangeChunks> BetweenChunks(const Value& lo,
                                                            const Value& hi) const;
  // value equal to any of `values`; empty list -> empty result.
  absl::StatusOr<Bitmap> In(absl::Span<const Value> values, const Bitmap* within = nullptr) const;
  // The same answer as Compare computed by a plain scan of the dense values:
  // the test oracle and benchmark baseline. Empty when Compare would fail.
  Bitmap ScanCompare(CompareOp op, const Value& v) const;

  // kEnum only: members of `value`; nullptr for an unknown value or another
  // column type.
  const Bitmap* EnumMembers(std::string_view value) const;
  // kBool only: persons whose value is true.
  const Bitmap& Trues() const { return trues_; }
  // kEnum only: every interned value (dictionary order) with its count.
  std::vector<std::pair<std::string, uint64_t>> EnumCounts() const;
  // Smallest and largest value over not-null persons (enums by byte order,
  // false < true); nullopt when nobody has a value. O(slices) for numbers.
  std::optional<std::pair<Value, Value>> MinMax() const;

  // Forgets the person: value null and WrittenSeq 0.
  void RemovePerson(PersonId person);
  // Identity merge: `into` takes `from`'s value (a written null included)
  // when from's WriteSeq is larger; on a tie, or when `from` was never
  // written, `into` keeps its own. `from` ends null and never-written.
  void MergePerson(PersonId from, PersonId into);

  // Compresses bitmaps, folds constant top slices of the range index and
  // releases spare vector capacity; call after bulk loads.
  void Optimize();
  // Heap bytes held by vectors, bitmaps, index and dictionary.
  size_t MemoryBytes() const;
  // The range index (numeric columns), for diagnostics and benchmarks.
  const BitSlicedIndex& range_index() const { return index_; }

  // Stores the column data; the range index and enum bitmaps are derived
  // and rebuilt by Deserialize.
  void Serialize(ByteWriter& out) const;
  // DataLossError unless name and type match `spec`, sizes agree, enum codes
  // and dictionaries are valid (a closed list must equal spec's), doubles are
  // finite, null rows hold zero and every non-null row was written.
  static absl::StatusOr<AttributeColumn> Deserialize(ByteReader& in, const AttributeSpec& spec);

  // Same name, type, and per person the same value and WriteSeq.
  friend bool operator==(const AttributeColumn& a, const AttributeColumn& b);
  friend bool operator!=(const AttributeColumn& a, const AttributeColumn& b) { return !(a == b); }

 private:
  bool numeric() const {
    return type_ == AttributeType::kInt64 || type_ == AttributeType::kDouble ||
           type_ == AttributeType::kTimestamp;
  }
  void EnsureRow(PersonId person);
  // Stores a checked non-null value without touching the range index;
  // returns its index key (numeric types).
  uint64_t StoreValue(PersonId person, const Value& v);
  void ClearValue(PersonId person);
  // Index key of a stored (not-null) row.
  uint64_t KeyOf(PersonId person) const;
  // Rebuilds the range index from the dense values of `not_null`.
  void RebuildIndex(const Bitmap& not_null);
  // Rebuilds enum_members_ from codes_ over not_null_.
  void RebuildEnumMembers();
  // The checks Compare applies to its operand.
  absl::Status CheckOperand(CompareOp op, const Value& v) const;
  // The index keys of BETWEEN lo AND hi, operands checked; nullopt when no
  // stored value can be in it.
  absl::StatusOr<std::optional<std::pair<uint64_t, uint64_t>>> BetweenKeys(const Value& lo,
                                                                          const Value& hi) const;
  // `value OP v` for a checked operand of a numeric column as an exact
  // comparison of index keys (a fractional-second timestamp maps to whole
  // seconds).
  std::pair<CompareOp, uint64_t> IndexCompare(CompareOp op, const Value& v) const;
  // Compare after CheckOperand passed.
  Bitmap CompareChecked(CompareOp op, const Value& v, const Bitmap* within) const;
  uint32_t InternEnum(const std::string& value);

  std::string name_;
  AttributeType type_;
  bool closed_enum_ = false;
  WriteSeqs seqs_;                  // per person; size = rows
  std::vector<int64_t> ints_;       // kInt64, kTimestamp
  std::vector<double> doubles_;     // kDouble
  std::vector<uint32_t> codes_;     // kEnum
  BitSlicedIndex index_;            // numeric types; owns their not-null set
  Bitmap not_null_;                 // kEnum, kBool
  Bitmap trues_;                    // kBool
  std::vector<std::string> enum_values_;  // code -> value
  absl::flat_hash_map<std::string, uint32_t> enum_codes_;
  std::vector<Bitmap> enum_members_;      // code -> persons
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/attribute_column-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_H_
