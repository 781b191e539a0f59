// Definitions for attribute_column.h (values, predicates, merge); the
// snapshot encoding follows at the end.
#ifndef AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_INL_H_
#define AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_INL_H_

#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <type_traits>

#include "absl/time/time.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/storage/attribute_column.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace attribute_column_internal {

inline constexpr uint64_t kSignBit = uint64_t{1} << 63;
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kMaxListedValues = 20;

// Order-preserving keys: signed order becomes unsigned order.
inline uint64_t IntKey(int64_t v) { return static_cast<uint64_t>(v) ^ kSignBit; }
inline int64_t IntFromKey(uint64_t k) { return static_cast<int64_t>(k ^ kSignBit); }
// IEEE-754 order for finite doubles: flip all bits of negatives, set the
// sign bit of the rest. -0.0 must already be normalised to 0.0.
inline uint64_t DoubleKey(double d) {
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  return (bits & kSignBit) != 0 ? ~bits : bits | kSignBit;
}
inline double DoubleFromKey(uint64_t k) {
  return std::bit_cast<double>((k & kSignBit) != 0 ? k & ~kSignBit : ~k);
}
inline double NormalisedDouble(const Value& v) {
  const double d = v.type() == AttributeType::kInt64 ? static_cast<double>(v.int_value())
                                                     : v.double_value();
  return d == 0 ? 0.0 : d;  // -0.0 == 0 too
}
inline bool FractionalSecond(absl::Time t, int64_t floor_seconds) {
  return absl::FromUnixSeconds(floor_seconds) != t;
}

inline std::string_view OpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

inline std::string Describe(const Value& v) {
  if (v.is_null()) return "null";
  switch (v.type()) {
    case AttributeType::kInt64: return fmt::format("int64 {}", v.int_value());
    case AttributeType::kDouble: return fmt::format("double {}", v.double_value());
    case AttributeType::kEnum: return fmt::format("enum '{}'", v.enum_value());
    case AttributeType::kTimestamp:
      return fmt::format("timestamp {}", absl::FormatTime(absl::RFC3339_full, v.time_value(),
                                                          absl::UTCTimeZone()));
    case AttributeType::kBool: return fmt::format("bool {}", v.bool_value());
  }
  return "?";
}

template <typename T>
bool Holds(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
  }
  return false;
}

// Appends persons of `rows` whose get(p) OP c; the op switch is hoisted out
// of the row loop.
template <typename T, typename Get>
void ScanRows(const Bitmap& rows, CompareOp op, const T& c, Get get, std::vector<uint32_t>* out) {
  auto scan = [&](auto holds) {
    rows.ForEach([&](uint32_t p) {
      if (holds(get(p), c)) out->push_back(p);
    });
  };
  switch (op) {
    case CompareOp::kEq: scan([](const T& a, const T& b) { return a == b; }); break;
    case CompareOp::kNe: scan([](const T& a, const T& b) { return a != b; }); break;
    case CompareOp::kLt: scan([](const T& a, const T& b) { return a < b; }); break;
    case CompareOp::kLe: scan([](const T& a, const T& b) { return a <= b; }); break;
    case CompareOp::kGt: scan([](const T& a, const T& b) { return a > b; }); break;
    case CompareOp::kGe: scan([](const T& a, const T& b) { return a >= b; }); break;
  }
}

// Element-wise equality where the shorter vector counts as zero-padded.
template <typename T>
bool PaddedEqual(const std::vector<T>& a, const std::vector<T>& b) {
  const std::vector<T>& longer = a.size() >= b.size() ? a : b;
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (!(a[i] == b[i])) return false;
  }
  for (size_t i = common; i < longer.size(); ++i) {
    if (!(longer[i] == T{})) return false;
  }
  return true;
}

}  // namespace attribute_column_internal

AUDIENCE_FUNC AttributeColumn::AttributeColumn(const AttributeSpec& spec)
    : name_(spec.name), type_(spec.type) {
  if (type_ == AttributeType::kEnum) {
    for (const std::string& v : spec.enum_values) InternEnum(v);
    closed_enum_ = !spec.enum_values.empty();
  }
}

AUDIENCE_FUNC absl::Status AttributeColumn::Check(const Value& v) const {
  using attribute_column_internal::Describe;
  if (v.is_null()) return absl::OkStatus();
  const AttributeType got = v.type();
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kBool:
      if (got == type_) return absl::OkStatus();
      break;
    case AttributeType::kDouble:
      if (got == AttributeType::kInt64) return absl::OkStatus();
      if (got != AttributeType::kDouble) break;
      if (!std::isfinite(v.double_value())) {
        return absl::InvalidArgumentError(
            fmt::format("attribute '{}' expects a finite double, got {}", name_, Describe(v)));
      }
      return absl::OkStatus();
    case AttributeType::kTimestamp:
      if (got != AttributeType::kTimestamp) break;
      if (v.time_value() == absl::InfiniteFuture() || v.time_value() == absl::InfinitePast()) {
        return absl::InvalidArgumentError(
            fmt::format("attribute '{}' expects a finite timestamp, got {}", name_, Describe(v)));
      }
      return absl::OkStatus();
    case AttributeType::kEnum: {
      if (got != AttributeType::kEnum) break;
      if (!closed_enum_) {
        return Schema::ValidateValue(fmt::format("attribute '{}' value", name_), v.enum_value());
      }
      if (enum_codes_.contains(AbslView(v.enum_value()))) return absl::OkStatus();
      std::string known = schema_internal::KnownValues(
          enum_values_, attribute_column_internal::kMaxListedValues, /*quoted=*/true,
          /*count_rest=*/true);
      return absl::InvalidArgumentError(fmt::format(
          "attribute '{}' has no value '{}'; known values: {}", name_, v.enum_value(), known));
    }
  }
  return absl::InvalidArgumentError(fmt::format("attribute '{}' expects {}, got {}", name_,
                                                AttributeTypeName(type_), Describe(v)));
}

AUDIENCE_FUNC void AttributeColumn::EnsureRow(PersonId person) {
  assert(person != kNoPerson);
  if (person < seqs_.size()) return;
  // resize() grows capacity geometrically, so appends stay amortised O(1).
  const size_t rows = static_cast<size_t>(person) + 1;
  seqs_.Resize(rows);
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp: ints_.resize(rows); break;
    case AttributeType::kDouble: doubles_.resize(rows); break;
    case AttributeType::kEnum: codes_.resize(rows); break;
    case AttributeType::kBool: break;
  }
}

AUDIENCE_FUNC uint32_t AttributeColumn::InternEnum(const std::string& value) {
  auto it = enum_codes_.find(AbslView(value));
  if (it != enum_codes_.end()) return it->second;
  assert(!closed_enum_ && "Check() rejects values outside a closed list");
  const auto code = static_cast<uint32_t>(enum_values_.size());
  enum_codes_.emplace(value, code);
  enum_values_.push_back(value);
  enum_members_.emplace_back();
  return code;
}

AUDIENCE_FUNC uint64_t AttributeColumn::StoreValue(PersonId person, const Value& v) {
  using namespace attribute_column_internal;
  switch (type_) {
    case AttributeType::kInt64: ints_[person] = v.int_value(); return IntKey(v.int_value());
    case AttributeType::kTimestamp: {
      const int64_t s = absl::ToUnixSeconds(v.time_value());  // floors
      ints_[person] = s;
      return IntKey(s);
    }
    case AttributeType::kDouble: {
      const double d = NormalisedDouble(v);
      doubles_[person] = d;
      return DoubleKey(d);
    }
    case AttributeType::kEnum: {
      const uint32_t code = InternEnum(v.enum_value());
      if (!not_null_.AddChecked(person)) {
        if (codes_[person] == code) return 0;
        enum_members_[codes_[person]].Remove(person);
      }
      codes_[person] = code;
      enum_members_[code].Add(person);
      return 0;
    }
    case AttributeType::kBool:
      not_null_.Add(person);
      if (v.bool_value()) {
        trues_.Add(person);
      } else {
        trues_.Remove(person);
      }
      return 0;
  }
  return 0;
}

AUDIENCE_FUNC void AttributeColumn::ClearValue(PersonId person) {
  if (person >= seqs_.size()) return;
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp:
      index_.Clear(person);
      ints_[person] = 0;
      break;
    case AttributeType::kDouble:
      index_.Clear(person);
      doubles_[person] = 0;
      break;
    case AttributeType::kEnum:
      if (not_null_.RemoveChecked(person)) enum_members_[codes_[person]].Remove(person);
      codes_[person] = 0;
      break;
    case AttributeType::kBool:
      not_null_.Remove(person);
      trues_.Remove(person);
      break;
  }
}

AUDIENCE_FUNC void AttributeColumn::Set(PersonId person, const Value& v, WriteSeq seq) {
  EnsureRow(person);
  seqs_.Set(person, seq);
  if (v.is_null()) {
    ClearValue(person);
    return;
  }
  const uint64_t key = StoreValue(person, v);
  if (numeric()) index_.Set(person, key);
}

AUDIENCE_FUNC uint64_t AttributeColumn::KeyOf(PersonId person) const {
  return type_ == AttributeType::kDouble ? attribute_column_internal::DoubleKey(doubles_[person])
                                         : attribute_column_internal::IntKey(ints_[person]);
}

AUDIENCE_FUNC void AttributeColumn::RebuildIndex(const Bitmap& not_null) {
  std::vector<uint64_t> keys;
  keys.reserve(not_null.Cardinality());
  not_null.ForEach([&](uint32_t p) { keys.push_back(KeyOf(p)); });
  index_ = BitSlicedIndex::Build(not_null, keys);
}

AUDIENCE_FUNC Value AttributeColumn::Get(PersonId person) const {
  if (!NotNull().Contains(person)) return Value::Null();
  switch (type_) {
    case AttributeType::kInt64: return Value::Int(ints_[person]);
    case AttributeType::kTimestamp: return Value::Time(absl::FromUnixSeconds(ints_[person]));
    case AttributeType::kDouble: return Value::Double(doubles_[person]);
    case AttributeType::kEnum: return Value::Enum(enum_values_[codes_[person]]);
    case AttributeType::kBool: return Value::Bool(trues_.Contains(person));
  }
  return Value::Null();
}

AUDIENCE_FUNC WriteSeq AttributeColumn::WrittenSeq(PersonId person) const {
  return person < seqs_.size() ? seqs_.Get(person) : 0;
}

AUDIENCE_FUNC const Bitmap& AttributeColumn::NotNull() const {
  return numeric() ? index_.not_null() : not_null_;
}

AUDIENCE_FUNC absl::Status AttributeColumn::CheckOperand(CompareOp op, const Value& v) const {
  if (v.is_null()) {
    return absl::InvalidArgumentError(fmt::format(
        "attribute '{}': a comparison with null never matches; use IS NULL", name_));
  }
  if (!numeric() && op != CompareOp::kEq && op != CompareOp::kNe) {
    return absl::InvalidArgumentError(
        fmt::format("attribute '{}' is {}: only = and != apply, not {}", name_,
                    AttributeTypeName(type_), attribute_column_internal::OpName(op)));
  }
  return Check(v);
}

AUDIENCE_FUNC Bitmap AttributeColumn::CompareChecked(CompareOp op, const Value& v,
                                                    const Bitmap* within) const {
  auto scoped = [within](Bitmap b) {
    if (within != nullptr) b &= *within;
    return b;
  };
  switch (type_) {
    case AttributeType::kEnum: {
      const Bitmap* members = EnumMembers(v.enum_value());
      if (op == CompareOp::kEq) return members != nullptr ? scoped(*members) : Bitmap();
      return scoped(members != nullptr ? not_null_ - *members : not_null_);
    }
    case AttributeType::kBool: {
      const bool want = v.bool_value() == (op == CompareOp::kEq);
      return scoped(want ? trues_ : not_null_ - trues_);
    }
    default: {
      const auto [index_op, key] = IndexCompare(op, v);
      return index_.Compare(index_op, key, within);
    }
  }
}

AUDIENCE_FUNC absl::StatusOr<Bitmap> AttributeColumn::Compare(CompareOp op, const Value& v,
                                                              const Bitmap* within) const {
  AUDIENCE_RETURN_IF_ERROR(CheckOperand(op, v));
  return CompareChecked(op, v, within);
}

AUDIENCE_FUNC absl::StatusOr<uint64_t> AttributeColumn::CountCompare(
    CompareOp op, const Value& v, const Bitmap* within) const {
  AUDIENCE_RETURN_IF_ERROR(CheckOperand(op, v));
  if (!numeric()) return CompareChecked(op, v, within).Cardinality();
  const auto [index_op, key] = IndexCompare(op, v);
  return index_.CountCompare(index_op, key, within);
}

AUDIENCE_FUNC absl::StatusOr<BitSlicedIndex::RangeChunks> AttributeColumn::CompareChunks(
    CompareOp op, const Value& v) const {
  if (!numeric()) {
    return absl::InvalidArgumentError(fmt::format(
        "attribute '{}' is {}: it has no range index", name_, AttributeTypeName(type_)));
  }
  AUDIENCE_RETURN_IF_ERROR(CheckOperand(op, v));
  const auto [index_op, key] = IndexCompare(op, v);
  return BitSlicedIndex::RangeChunks::Compare(index_, index_op, key);
}

AUDIENCE_FUNC absl::StatusOr<BitSlicedIndex::RangeChunks> AttributeColumn::BetweenChunks(
    const Value& lo, const Value& hi) const {
  AUDIENCE_ASSIGN_OR_RETURN(auto keys, BetweenKeys(lo, hi));
  return keys ? BitSlicedIndex::RangeChunks(index_, keys->first, keys->second)
              : BitSlicedIndex::RangeChunks(index_, 1, 0);
}

AUDIENCE_FUNC std::pair<CompareOp, uint64_t> AttributeColumn::IndexCompare(CompareOp op,
                                                                           const Value& v) const {
  using namespace attribute_column_internal;
  switch (type_) {
    case AttributeType::kInt64: return {op, IntKey(v.int_value())};
    case AttributeType::kDouble: return {op, DoubleKey(NormalisedDouble(v))};
    default: {
      const int64_t s = absl::ToUnixSeconds(v.time_value());
      if (!FractionalSecond(v.time_value(), s)) return {op, IntKey(s)};
      // Stored whole seconds never equal a fractional constant (`< 0` is
      // nobody, `>= 0` everyone with a value); s < t  <=>  s <= floor(t).
      switch (op) {
        case CompareOp::kEq: return {CompareOp::kLt, 0};
        case CompareOp::kNe: return {CompareOp::kGe, 0};
        case CompareOp::kLt:
        case CompareOp::kLe: return {CompareOp::kLe, IntKey(s)};
        case CompareOp::kGt:
        case CompareOp::kGe: return {CompareOp::kGt, IntKey(s)};
      }
      return {op, IntKey(s)};
    }
  }
}

AUDIENCE_FUNC absl::StatusOr<std::optional<std::pair<uint64_t, uint64_t>>>
AttributeColumn::BetweenKeys(const Value& lo, const Value& hi) const {
  using namespace attribute_column_internal;
  using Keys = std::optional<std::pair<uint64_t, uint64_t>>;
  if (!numeric()) {
    return absl::InvalidArgumentError(
        fmt::format("attribute '{}' is {}: BETWEEN applies to int64, double and timestamp", name_,
                    AttributeTypeName(type_)));
  }
  AUDIENCE_RETURN_IF_ERROR(CheckOperand(CompareOp::kGe, lo));
  AUDIENCE_RETURN_IF_ERROR(CheckOperand(CompareOp::kLe, hi));
  switch (type_) {
    case AttributeType::kInt64:
      return Keys(std::pair(IntKey(lo.int_value()), IntKey(hi.int_value())));
    case AttributeType::kDouble:
      return Keys(std::pair(DoubleKey(NormalisedDouble(lo)), DoubleKey(NormalisedDouble(hi))));
    default: {
      // Whole seconds in [ceil(lo), floor(hi)].
      int64_t lo_s = absl::ToUnixSeconds(lo.time_value());
      if (FractionalSecond(lo.time_value(), lo_s)) {
        if (lo_s == std::numeric_limits<int64_t>::max()) return Keys();
        ++lo_s;
      }
      const int64_t hi_s = absl::ToUnixSeconds(hi.time_value());
      if (lo_s > hi_s) return Keys();
      return Keys(std::pair(IntKey(lo_s), IntKey(hi_s)));
    }
  }
}

AUDIENCE_FUNC absl::StatusOr<Bitmap> AttributeColumn::Between(const Value& lo, const Value& hi,
                                                              const Bitmap* within) const {
  AUDIENCE_ASSIGN_OR_RETURN(auto keys, BetweenKeys(lo, hi));
  return keys ? index_.Between(keys->first, keys->second, within) : Bitmap();
}

AUDIENCE_FUNC absl::StatusOr<uint64_t> AttributeColumn::CountBetween(const Value& lo,
                                                                     const Value& hi,
                                                                     const Bitmap* within) const {
  AUDIENCE_ASSIGN_OR_RETURN(auto keys, BetweenKeys(lo, hi));
  return keys ? index_.CountBetween(keys->first, keys->second, within) : 0;
}

AUDIENCE_FUNC absl::StatusOr<Bitmap> AttributeColumn::In(absl::Span<const Value> values,
                                                         const Bitmap* within) const {
  std::vector<Bitmap> parts;
  std::vector<const Bitmap*> inputs;
  parts.reserve(values.size());
  for (const Value& v : values) {
    AUDIENCE_RETURN_IF_ERROR(CheckOperand(CompareOp::kEq, v));
    if (type_ == AttributeType::kEnum) {
      inputs.push_back(EnumMembers(v.enum_value()));  // null (unknown) is skipped
    } else {
      parts.push_back(CompareChecked(CompareOp::kEq, v, within));
      inputs.push_back(&parts.back());
    }
  }
  Bitmap out = Bitmap::OrMany(inputs);
  if (within != nullptr && type_ == AttributeType::kEnum) out &= *within;
  return out;
}

AUDIENCE_FUNC Bitmap AttributeColumn::ScanCompare(CompareOp op, const Value& v) const {
  using attribute_column_internal::ScanRows;
  if (!CheckOperand(op, v).ok()) return Bitmap();
  std::vector<uint32_t> ids;
  const Bitmap& rows = NotNull();
  switch (type_) {
    case AttributeType::kInt64:
      ScanRows(rows, op, v.int_value(), [&](uint32_t p) { return ints_[p]; }, &ids);
      break;
    case AttributeType::kTimestamp:  // exact comparison in absl::Time, fractions included
      ScanRows(rows, op, v.time_value(),
               [&](uint32_t p) { return absl::FromUnixSeconds(ints_[p]); }, &ids);
      break;
    case AttributeType::kDouble:
      ScanRows(rows, op, attribute_column_internal::NormalisedDouble(v),
               [&](uint32_t p) { return doubles_[p]; }, &ids);
      break;
    case AttributeType::kEnum: {
      auto it = enum_codes_.find(AbslView(v.enum_value()));
      // An unknown value gets a code no row holds.
      const uint32_t code = it != enum_codes_.end() ? it->second : UINT32_MAX;
      ScanRows(rows, op, code, [&](uint32_t p) { return codes_[p]; }, &ids);
      break;
    }
    case AttributeType::kBool:
      ScanRows(rows, op, v.bool_value(), [&](uint32_t p) { return trues_.Contains(p); }, &ids);
      break;
  }
  return Bitmap::FromIds(ids);
}

AUDIENCE_FUNC const Bitmap* AttributeColumn::EnumMembers(std::string_view value) const {
  if (type_ != AttributeType::kEnum) return nullptr;
  auto it = enum_codes_.find(AbslView(value));
  return it == enum_codes_.end() ? nullptr : &enum_members_[it->second];
}

AUDIENCE_FUNC std::vector<std::pair<std::string, uint64_t>> AttributeColumn::EnumCounts() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  out.reserve(enum_values_.size());
  for (size_t i = 0; i < enum_values_.size(); ++i) {
    out.emplace_back(enum_values_[i], enum_members_[i].Cardinality());
  }
  return out;
}

AUDIENCE_FUNC std::optional<std::pair<Value, Value>> AttributeColumn::MinMax() const {
  using namespace attribute_column_internal;
  if (NotNull().IsEmpty()) return std::nullopt;
  auto decode = [&](uint64_t key) {
    switch (type_) {
      case AttributeType::kDouble: return Value::Double(DoubleFromKey(key));
      case AttributeType::kTimestamp: return Value::Time(absl::FromUnixSeconds(IntFromKey(key)));
      default: return Value::Int(IntFromKey(key));
    }
  };
  if (numeric()) return std::make_pair(decode(*index_.MinKey()), decode(*index_.MaxKey()));
  if (type_ == AttributeType::kBool) {
    const bool any_false = !not_null_.IsSubsetOf(trues_);
    return std::make_pair(Value::Bool(!any_false), Value::Bool(!trues_.IsEmpty()));
  }
  const std::string* lo = nullptr;
  const std::string* hi = nullptr;
  for (size_t i = 0; i < enum_values_.size(); ++i) {
    if (enum_members_[i].IsEmpty()) continue;
    if (lo == nullptr || enum_values_[i] < *lo) lo = &enum_values_[i];
    if (hi == nullptr || enum_values_[i] > *hi) hi = &enum_values_[i];
  }
  return std::make_pair(Value::Enum(*lo), Value::Enum(*hi));
}

AUDIENCE_FUNC void AttributeColumn::RemovePerson(PersonId person) {
  if (person >= seqs_.size()) return;
  ClearValue(person);
  seqs_.Set(person, 0);
}

AUDIENCE_FUNC void AttributeColumn::MergePerson(PersonId from, PersonId into) {
  if (from == into) return;
  const WriteSeq from_seq = WrittenSeq(from);
  if (from_seq > WrittenSeq(into)) Set(into, Get(from), from_seq);
  RemovePerson(from);
}

AUDIENCE_FUNC void AttributeColumn::Optimize() {
  // Geometric growth leaves up to half of each vector unused after a bulk load.
  seqs_.Compact();
  ints_.shrink_to_fit();
  doubles_.shrink_to_fit();
  codes_.shrink_to_fit();
  index_.Optimize();
  not_null_.Optimize();
  trues_.Optimize();
  for (Bitmap& b : enum_members_) b.Optimize();
}

AUDIENCE_FUNC size_t AttributeColumn::MemoryBytes() const {
  size_t bytes = seqs_.MemoryBytes() + ints_.capacity() * sizeof(int64_t) +
                 doubles_.capacity() * sizeof(double) + codes_.capacity() * sizeof(uint32_t) +
                 index_.MemoryBytes() + not_null_.MemoryBytes() + trues_.MemoryBytes();
  bytes += enum_values_.capacity() * sizeof(std::string) +
           enum_members_.capacity() * sizeof(Bitmap) +
           enum_codes_.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1);
  for (size_t i = 0; i < enum_values_.size(); ++i) {
    // Heap part of each string, counted twice (dictionary and map key).
    if (enum_values_[i].capacity() > 15) bytes += 2 * (enum_values_[i].capacity() + 1);
    bytes += enum_members_[i].MemoryBytes();
  }
  return bytes;
}

// ---- Snapshot encoding -------------------------------------------------
// u8 version, name, u8 type, seq array, not-null bitmap, then per type: the
// int64 or double array; u32 count + dictionary strings + code array; or the
// bitmap of trues. Derived indexes are rebuilt on load.

AUDIENCE_FUNC void AttributeColumn::Serialize(ByteWriter& out) const {
  out.PutU8(attribute_column_internal::kFormatVersion);
  out.PutString(name_);
  out.PutU8(static_cast<uint8_t>(type_));
  seqs_.Serialize(out);
  out.PutBitmap(NotNull());
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp: out.PutArray(ints_); break;
    case AttributeType::kDouble: out.PutArray(doubles_); break;
    case AttributeType::kEnum:
      out.PutU32(static_cast<uint32_t>(enum_values_.size()));
      for (const std::string& v : enum_values_) out.PutString(v);
      out.PutArray(codes_);
      break;
    case AttributeType::kBool: out.PutBitmap(trues_); break;
  }
}

namespace attribute_column_internal {

template <typename T>
bool IsZeroBits(T v) {
  if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<uint64_t>(v) == 0;
  } else {
    return v == T{};
  }
}

// Rows outside `not_null` must hold zero. Visits only the null rows (few
// in a well-filled column).
template <typename T>
absl::Status CheckNullRowsZero(const ByteReader& in, const std::vector<T>& values,
                               const Bitmap& not_null, std::string_view what) {
  uint32_t bad = kNoPerson;
  (Bitmap::FromRange(0, values.size()) - not_null).ForEach([&](uint32_t p) {
    // Bit patterns, so that a stored -0.0 or NaN counts as non-zero.
    if (IsZeroBits(values[p])) return true;
    bad = p;
    return false;
  });
  if (bad == kNoPerson) return absl::OkStatus();
  return in.Corrupt(what, fmt::format("null row {} holds a value", bad));
}

}  // namespace attribute_column_internal

AUDIENCE_FUNC absl::StatusOr<AttributeColumn> AttributeColumn::Deserialize(
    ByteReader& in, const AttributeSpec& spec) {
  using attribute_column_internal::CheckNullRowsZero;
  AttributeColumn col(spec);
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t version, in.GetU8("attribute column version"));
  if (version != attribute_column_internal::kFormatVersion) {
    return in.Corrupt("attribute column version", fmt::format("unknown version {}", version));
  }
  AUDIENCE_ASSIGN_OR_RETURN(std::string name, in.GetString("attribute column name"));
  if (name != spec.name) {
    return in.Corrupt("attribute column name",
                      fmt::format("column '{}' where attribute '{}' was expected", name, spec.name));
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t type, in.GetU8("attribute column type"));
  if (type != static_cast<uint8_t>(spec.type)) {
    return in.Corrupt("attribute column type",
                      fmt::format("type byte {} for attribute '{}' of type {}", type, spec.name,
                                  AttributeTypeName(spec.type)));
  }
  AUDIENCE_ASSIGN_OR_RETURN(col.seqs_, WriteSeqs::Deserialize(in, "attribute write seqs"));
  const size_t rows = col.seqs_.size();
  if (rows > kNoPerson) return in.Corrupt("attribute write seqs", "more rows than person ids");
  AUDIENCE_ASSIGN_OR_RETURN(Bitmap not_null, in.GetBitmap("attribute not-null bitmap"));
  if (!not_null.IsEmpty() && not_null.Maximum() >= rows) {
    return in.Corrupt("attribute not-null bitmap",
                      fmt::format("person {} beyond the {} rows", not_null.Maximum(), rows));
  }
  uint32_t unwritten = kNoPerson;
  not_null.ForEach([&](uint32_t p) {
    if (col.seqs_.Get(p) != 0) return true;
    unwritten = p;
    return false;
  });
  if (unwritten != kNoPerson) {
    return in.Corrupt("attribute not-null bitmap",
                      fmt::format("person {} has a value but no write seq", unwritten));
  }
  auto check_rows = [&](size_t n, std::string_view what) {
    return n == rows ? absl::OkStatus()
                     : in.Corrupt(what, fmt::format("{} values for {} rows", n, rows));
  };
  switch (spec.type) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp: {
      AUDIENCE_ASSIGN_OR_RETURN(col.ints_, in.GetArray<int64_t>("attribute values"));
      AUDIENCE_RETURN_IF_ERROR(check_rows(col.ints_.size(), "attribute values"));
      AUDIENCE_RETURN_IF_ERROR(CheckNullRowsZero(in, col.ints_, not_null, "attribute values"));
      col.RebuildIndex(not_null);
      break;
    }
    case AttributeType::kDouble: {
      AUDIENCE_ASSIGN_OR_RETURN(col.doubles_, in.GetArray<double>("attribute values"));
      AUDIENCE_RETURN_IF_ERROR(check_rows(col.doubles_.size(), "attribute values"));
      AUDIENCE_RETURN_IF_ERROR(CheckNullRowsZero(in, col.doubles_, not_null, "attribute values"));
      for (size_t p = 0; p < rows; ++p) {
        if (!std::isfinite(col.doubles_[p]) ||
            std::bit_cast<uint64_t>(col.doubles_[p]) == attribute_column_internal::kSignBit) {
          return in.Corrupt("attribute values", fmt::format("row {} holds {}", p, col.doubles_[p]));
        }
      }
      col.RebuildIndex(not_null);
      break;
    }
    case AttributeType::kEnum: {
      AUDIENCE_ASSIGN_OR_RETURN(uint32_t count, in.GetU32("enum value count"));
      AUDIENCE_RETURN_IF_ERROR(in.CheckCount(count, 4, "enum value count"));
      if (col.closed_enum_ && count != spec.enum_values.size()) {
        return in.Corrupt("enum value count", fmt::format("{} values for a closed list of {}",
                                                          count, spec.enum_values.size()));
      }
      for (uint32_t i = 0; i < count; ++i) {
        AUDIENCE_ASSIGN_OR_RETURN(std::string v, in.GetString("enum value"));
        if (col.closed_enum_) {
          if (v != spec.enum_values[i]) {
            return in.Corrupt("enum value", fmt::format("'{}' where the closed list has '{}'", v,
                                                        spec.enum_values[i]));
          }
          continue;
        }
        absl::Status valid = Schema::ValidateValue("enum value", v);
        if (!valid.ok()) return in.Corrupt("enum value", StdView(valid.message()));
        if (col.enum_codes_.contains(AbslView(v))) {
          return in.Corrupt("enum value", fmt::format("duplicate value '{}'", v));
        }
        col.InternEnum(v);
      }
      AUDIENCE_ASSIGN_OR_RETURN(col.codes_, in.GetArray<uint32_t>("enum codes"));
      AUDIENCE_RETURN_IF_ERROR(check_rows(col.codes_.size(), "enum codes"));
      AUDIENCE_RETURN_IF_ERROR(CheckNullRowsZero(in, col.codes_, not_null, "enum codes"));
      std::vector<std::vector<uint32_t>> members(count);
      uint32_t bad = kNoPerson;
      not_null.ForEach([&](uint32_t p) {
        if (col.codes_[p] >= count) {
          bad = p;
          return false;
        }
        members[col.codes_[p]].push_back(p);
        return true;
      });
      if (bad != kNoPerson) {
        return in.Corrupt("enum codes", fmt::format("row {} holds code {} of {} values", bad,
                                                    col.codes_[bad], count));
      }
      for (uint32_t c = 0; c < count; ++c) col.enum_members_[c] = Bitmap::FromIds(members[c]);
      col.not_null_ = std::move(not_null);
      break;
    }
    case AttributeType::kBool: {
      AUDIENCE_ASSIGN_OR_RETURN(col.trues_, in.GetBitmap("attribute trues"));
      if (!col.trues_.IsSubsetOf(not_null)) {
        return in.Corrupt("attribute trues", "true for a person without a value");
      }
      col.not_null_ = std::move(not_null);
      break;
    }
  }
  return col;
}

AUDIENCE_FUNC bool operator==(const AttributeColumn& a, const AttributeColumn& b) {
  using attribute_column_internal::PaddedEqual;
  if (a.name_ != b.name_ || a.type_ != b.type_) return false;
  if (!(a.seqs_ == b.seqs_) || !(a.NotNull() == b.NotNull())) return false;
  switch (a.type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp: return PaddedEqual(a.ints_, b.ints_);
    case AttributeType::kDouble: return PaddedEqual(a.doubles_, b.doubles_);
    case AttributeType::kBool: return a.trues_ == b.trues_;
    case AttributeType::kEnum: {
      bool same = true;  // by value: open dictionaries may be interned in other orders
      a.not_null_.ForEach([&](uint32_t p) {
        same = a.enum_values_[a.codes_[p]] == b.enum_values_[b.codes_[p]];
        return same;
      });
      return same;
    }
  }
  return false;
}

AUDIENCE_END_NAMESPACE

#include "audience/storage/attribute_column_bulk-inl.h"

#endif  // AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_INL_H_
