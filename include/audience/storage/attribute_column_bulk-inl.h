// AttributeColumn::SetColumn and CheckColumn: the columnar bulk path.
#ifndef AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_BULK_INL_H_
#define AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_BULK_INL_H_

#include <cassert>
#include <cmath>
#include <string>
#include <vector>

#include "audience/storage/attribute_column.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC void AttributeColumn::CheckColumn(
    const ColumnValues& values,
    absl::FunctionRef<void(size_t row, std::string_view message)> bad) const {
  if (values.type() != type_) {
    bad(0, fmt::format("attribute '{}' expects {}, got a column of {}", name_,
                       AttributeTypeName(type_), AttributeTypeName(values.type())));
    return;
  }
  const size_t n = values.size();
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp:
      return;  // every int64 is a value; timestamps are whole seconds
    case AttributeType::kDouble:
      for (size_t r = 0; r < n; ++r) {
        if (!std::isfinite(values.doubles()[r]) && !values.is_null(r)) {
          bad(r, fmt::format("attribute '{}' expects a finite double, got double {}", name_,
                             values.doubles()[r]));
        }
      }
      return;
    case AttributeType::kBool:
      for (size_t r = 0; r < n; ++r) {
        const int64_t v = values.ints()[r];
        if (v != 0 && v != 1) {
          bad(r, fmt::format("attribute '{}': bool row holds {}, not 0 or 1", name_, v));
        }
      }
      return;
    case AttributeType::kEnum: {
      // Each dictionary entry is checked once; its rows share the verdict.
      std::vector<std::string> verdict(values.dictionary().size());
      for (size_t c = 0; c < verdict.size(); ++c) {
        absl::Status s = Check(Value::Enum(values.dictionary()[c]));
        if (!s.ok()) verdict[c] = std::string(StdView(s.message()));
      }
      for (size_t r = 0; r < n; ++r) {
        if (values.is_null(r)) continue;
        const int64_t code = values.ints()[r];
        if (code < 0 || static_cast<size_t>(code) >= verdict.size()) {
          bad(r, fmt::format("attribute '{}': enum code {} outside the dictionary of {}", name_,
                             code, verdict.size()));
        } else if (!verdict[static_cast<size_t>(code)].empty()) {
          bad(r, verdict[static_cast<size_t>(code)]);
        }
      }
      return;
    }
  }
}

AUDIENCE_FUNC void AttributeColumn::SetColumn(absl::Span<const PersonId> people,
                                              const ColumnValues& values, WriteSeq seq) {
  assert(people.size() == values.size() && values.type() == type_);
  const size_t n = people.size();
  if (n == 0) return;
  // Row-by-row updates cost O(slices) each for numbers; one rebuild costs
  // O(slices) per stored row, so it wins once the block is a fair share of
  // the column. A person listed twice takes the row-by-row path, which keeps
  // the last row without bookkeeping.
  const bool large = n >= 1024 && n * 4 >= NotNull().Cardinality();
  const Bitmap touched = large ? Bitmap::FromIds(people) : Bitmap();
  if (!large || touched.Cardinality() != n) {
    for (size_t r = 0; r < n; ++r) Set(people[r], values.At(r), seq);
    return;
  }
  EnsureRow(touched.Maximum());
  std::vector<uint32_t> cleared, trues;
  // kEnum: block dictionary index -> column code, interned on first use so
  // an open list gains only values some row holds.
  std::vector<int64_t> code_of(values.dictionary().size(), -1);
  for (size_t r = 0; r < n; ++r) {
    const PersonId p = people[r];
    const bool null = values.is_null(r);
    if (null) cleared.push_back(p);
    switch (type_) {
      case AttributeType::kInt64:
      case AttributeType::kTimestamp: ints_[p] = null ? 0 : values.ints()[r]; break;
      case AttributeType::kDouble: {
        const double d = values.doubles()[r];
        doubles_[p] = null || d == 0 ? 0.0 : d;  // -0.0 is stored as 0.0
        break;
      }
      case AttributeType::kEnum: {
        if (null) {
          codes_[p] = 0;
          break;
        }
        int64_t& code = code_of[static_cast<size_t>(values.ints()[r])];
        if (code < 0) code = InternEnum(values.dictionary()[static_cast<size_t>(values.ints()[r])]);
        codes_[p] = static_cast<uint32_t>(code);
        break;
      }
      case AttributeType::kBool:
        if (!null && values.ints()[r] != 0) trues.push_back(p);
        break;
    }
  }
  seqs_.SetAll(touched, seq);
  Bitmap not_null = NotNull() | touched;
  not_null -= Bitmap::FromIds(cleared);
  switch (type_) {
    case AttributeType::kInt64:
    case AttributeType::kTimestamp:
    case AttributeType::kDouble:
      RebuildIndex(not_null);
      break;
    case AttributeType::kEnum:
      not_null_ = std::move(not_null);
      RebuildEnumMembers();
      break;
    case AttributeType::kBool:
      not_null_ = std::move(not_null);
      trues_ -= touched;
      trues_ |= Bitmap::FromIds(trues);
      break;
  }
}

AUDIENCE_FUNC void AttributeColumn::RebuildEnumMembers() {
  std::vector<std::vector<uint32_t>> members(enum_values_.size());
  not_null_.ForEach([&](uint32_t p) { members[codes_[p]].push_back(p); });
  for (size_t c = 0; c < members.size(); ++c) enum_members_[c] = Bitmap::FromIds(members[c]);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_ATTRIBUTE_COLUMN_BULK_INL_H_
