// ColumnValues: one attribute's values for many rows in typed, columnar form
// — the bulk counterpart of Value, read by AttributeColumn::SetColumn and
// carried by a ColumnBlock (store/column_block.h).
//
//   ColumnValues age(AttributeType::kInt64);
//   age.AppendInt(31);
//   age.AppendNull();                    // row 1 clears the value
//   ColumnValues tier(AttributeType::kEnum);
//   tier.AppendEnum("gold");             // interned: dictionary() = {"gold"}
//
// Storage per type: kInt64 and kTimestamp (whole unix seconds) in ints(),
// kBool as 0/1 in ints(), kEnum as an index into dictionary() in ints(),
// kDouble in doubles(). A null row holds 0 and is marked in nulls(). Nothing
// is validated here (finite doubles, closed enum lists and so on are checked
// by AttributeColumn::CheckColumn when the block is applied).
#ifndef AUDIENCE_SCHEMA_COLUMN_VALUES_H_
#define AUDIENCE_SCHEMA_COLUMN_VALUES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/strings.h"
#include "audience/base/types.h"
#include "audience/schema/value.h"

AUDIENCE_BEGIN_NAMESPACE

namespace column_values_internal {

// Room for `size` elements in `v`, growing by at least half its capacity:
// a plain reserve(size) before each of many appends would reallocate (and
// copy everything so far) every time.
template <class T>
void ReserveForAppend(std::vector<T>& v, size_t size) {
  if (size > v.capacity()) v.reserve(std::max(size, v.capacity() + v.capacity() / 2));
}

}  // namespace column_values_internal

class ColumnValues {
 public:
  explicit ColumnValues(AttributeType type) : type_(type) {}

  AttributeType type() const { return type_; }
  size_t size() const { return type_ == AttributeType::kDouble ? doubles_.size() : ints_.size(); }
  bool empty() const { return size() == 0; }

  // Appenders; each adds one row. Calling one that does not fit type() is a
  // programmer error: the row is stored in the type's own slot as 0.
  void AppendNull() {
    MarkNull(size());
    if (type_ == AttributeType::kDouble) {
      doubles_.push_back(0);
    } else {
      ints_.push_back(0);
    }
  }
  void AppendInt(int64_t v) { Push(v); }
  void AppendTime(UnixSeconds v) { Push(v); }
  void AppendBool(bool v) { Push(v ? 1 : 0); }
  void AppendDouble(double v) {
    if (type_ == AttributeType::kDouble) {
      doubles_.push_back(v);
    } else {
      ints_.push_back(0);
    }
  }
  void AppendEnum(std::string_view v) { Push(Intern(v)); }
  // Any Value (a timestamp is floored to whole seconds; an Int into a
  // kDouble column is converted).
  void Append(const Value& v) {
    if (v.is_null()) return AppendNull();
    switch (v.type()) {
      case AttributeType::kInt64:
        if (type_ == AttributeType::kDouble) return AppendDouble(static_cast<double>(v.int_value()));
        return AppendInt(v.int_value());
      case AttributeType::kDouble: return AppendDouble(v.double_value());
      case AttributeType::kEnum: return AppendEnum(v.enum_value());
      case AttributeType::kTimestamp: return AppendTime(absl::ToUnixSeconds(v.time_value()));
      case AttributeType::kBool: return AppendBool(v.bool_value());
    }
  }
  void Reserve(size_t rows) {
    if (type_ == AttributeType::kDouble) {
      doubles_.reserve(rows);
    } else {
      ints_.reserve(rows);
    }
  }

  // Appends every row of `other` (same type(); a different type is a
  // programmer error and appends nothing). Enum codes are translated into
  // this column's dictionary, new names added in the order `other` first
  // uses them, so appending the parts of a column in order gives exactly
  // the column built in one go. O(other.size() + other.dictionary().size()).
  void AppendColumn(const ColumnValues& other) {
    if (other.type_ != type_) return;
    const size_t at = size();
    if (type_ == AttributeType::kDouble) {
      doubles_.insert(doubles_.end(), other.doubles_.begin(), other.doubles_.end());
    } else if (type_ == AttributeType::kEnum && !other.dictionary_.empty()) {
      std::vector<int64_t> code(other.dictionary_.size());
      for (size_t k = 0; k < code.size(); ++k) code[k] = Intern(other.dictionary_[k]);
      column_values_internal::ReserveForAppend(ints_, at + other.ints_.size());
      for (size_t r = 0; r < other.ints_.size(); ++r) {
        const int64_t v = other.ints_[r];
        // A null row keeps its 0; an out-of-range code (only Append* misuse
        // makes one) is kept as is.
        ints_.push_back(other.is_null(r) || v < 0 || static_cast<size_t>(v) >= code.size()
                            ? v
                            : code[static_cast<size_t>(v)]);
      }
    } else {
      ints_.insert(ints_.end(), other.ints_.begin(), other.ints_.end());
    }
    if (other.null_count_ > 0) {
      nulls_.resize(at + other.nulls_.size());
      std::copy(other.nulls_.begin(), other.nulls_.end(),
                nulls_.begin() + static_cast<std::ptrdiff_t>(at));
      null_count_ += other.null_count_;
    }
  }

  bool is_null(size_t row) const { return row < nulls_.size() && nulls_[row] != 0; }
  bool has_nulls() const { return null_count_ > 0; }
  // Row `row` as a Value (Null for a null row).
  Value At(size_t row) const {
    if (is_null(row)) return Value::Null();
    switch (type_) {
      case AttributeType::kInt64: return Value::Int(ints_[row]);
      case AttributeType::kDouble: return Value::Double(doubles_[row]);
      case AttributeType::kEnum:
        return ints_[row] >= 0 && static_cast<size_t>(ints_[row]) < dictionary_.size()
                   ? Value::Enum(dictionary_[static_cast<size_t>(ints_[row])])
                   : Value::Null();
      case AttributeType::kTimestamp: return Value::Time(absl::FromUnixSeconds(ints_[row]));
      case AttributeType::kBool: return Value::Bool(ints_[row] != 0);
    }
    return Value::Null();
  }

  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<std::string>& dictionary() const { return dictionary_; }
  // Per row, 1 when null; shorter than size() when the tail has no nulls.
  const std::vector<uint8_t>& nulls() const { return nulls_; }

  // A column from the parts the accessors above return (the write-ahead
  // log's decoder). Fails, naming the problem, unless the parts are what
  // the appenders could have built: values in the type's own slot only,
  // distinct dictionary names, 0/1 null flags covering at most the rows.
  static absl::StatusOr<ColumnValues> FromParts(AttributeType type, std::vector<int64_t> ints,
                                                std::vector<double> doubles,
                                                std::vector<std::string> dictionary,
                                                std::vector<uint8_t> nulls) {
    ColumnValues c(type);
    const bool is_double = type == AttributeType::kDouble;
    if (is_double ? !ints.empty() : !doubles.empty()) {
      return absl::InvalidArgumentError("values in the wrong slot for the column type");
    }
    if (type != AttributeType::kEnum && !dictionary.empty()) {
      return absl::InvalidArgumentError("a dictionary on a column that is not enum");
    }
    const size_t rows = is_double ? doubles.size() : ints.size();
    if (nulls.size() > rows) return absl::InvalidArgumentError("more null flags than rows");
    for (size_t k = 0; k < dictionary.size(); ++k) {
      if (!c.codes_.emplace(dictionary[k], static_cast<uint32_t>(k)).second) {
        return absl::InvalidArgumentError("a dictionary name repeats");
      }
    }
    for (uint8_t f : nulls) {
      if (f > 1) return absl::InvalidArgumentError("a null flag other than 0 or 1");
      c.null_count_ += f;
    }
    c.ints_ = std::move(ints);
    c.doubles_ = std::move(doubles);
    c.dictionary_ = std::move(dictionary);
    c.nulls_ = std::move(nulls);
    return c;
  }

  // Keeps the rows whose keep[row] is true, in order (keep.size() == size()).
  void Filter(const std::vector<bool>& keep) {
    size_t w = 0;
    const size_t n = size();
    std::vector<uint8_t> nulls;
    null_count_ = 0;
    for (size_t r = 0; r < n; ++r) {
      if (!keep[r]) continue;
      if (type_ == AttributeType::kDouble) {
        doubles_[w] = doubles_[r];
      } else {
        ints_[w] = ints_[r];
      }
      if (is_null(r)) {
        nulls.resize(w + 1);
        nulls[w] = 1;
        ++null_count_;
      }
      ++w;
    }
    if (type_ == AttributeType::kDouble) {
      doubles_.resize(w);
    } else {
      ints_.resize(w);
    }
    nulls_ = std::move(nulls);
  }

 private:
  void Push(int64_t v) {
    if (type_ == AttributeType::kDouble) {
      doubles_.push_back(0);
    } else {
      ints_.push_back(v);
    }
  }
  // The dictionary index of `v`, added at the end if new.
  uint32_t Intern(std::string_view v) {
    auto it = codes_.find(AbslView(v));
    if (it == codes_.end()) {
      it = codes_.emplace(std::string(v), static_cast<uint32_t>(dictionary_.size())).first;
      dictionary_.emplace_back(v);
    }
    return it->second;
  }
  void MarkNull(size_t row) {
    nulls_.resize(row + 1);
    nulls_[row] = 1;
    ++null_count_;
  }

  AttributeType type_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<std::string> dictionary_;
  absl::flat_hash_map<std::string, uint32_t> codes_;  // dictionary_ index
  std::vector<uint8_t> nulls_;
  size_t null_count_ = 0;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SCHEMA_COLUMN_VALUES_H_
