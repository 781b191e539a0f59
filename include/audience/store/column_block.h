// ColumnBlock: many people's attributes and tags in columnar form, the bulk
// write path (WriteBatch::SetColumns; the CSV importer builds one per
// profile file). One row per person mention; columns hold typed values.
//
//   ColumnBlock block;
//   ColumnValues& age = block.AddAttribute("age", AttributeType::kInt64);
//   TagColumn& interest = block.AddTags("interest", {.source = "import"});
//   block.AddRow(ExternalId::Int(7));  age.AppendInt(31);
//   interest.Add("fashion");  interest.Add("travel");  interest.EndRow();
//   batch.SetColumns(std::move(block));
//
// Meaning: applying a block is applying, row by row in order, Upsert(id),
// SetAttribute(id, column, value) for every attribute column (a null value
// clears) and Tag(id, dimension, value, options) for every value in the
// row's tag cell. So a person named twice keeps the last row's attribute
// values and the union of its multi-valued tags; for an exclusive dimension
// the last row with a value wins. The store checks the whole block before
// applying any of it, and reports errors by source row (rows(), or the
// 1-based position in the block when no rows were given).
//
// The block is only data: sizes are checked by Store::CheckBatch (every
// column must have one entry per row), not here.
#ifndef AUDIENCE_STORE_COLUMN_BLOCK_H_
#define AUDIENCE_STORE_COLUMN_BLOCK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audience/base/config.h"
#include "audience/base/strings.h"
#include "audience/ids/external_id.h"
#include "audience/schema/column_values.h"
#include "audience/store/tag_options.h"

AUDIENCE_BEGIN_NAMESPACE

// The tag cells of one dimension: per row, zero or more values.
class TagColumn {
 public:
  TagColumn(std::string dimension, TagOptions options)
      : dimension_(std::move(dimension)), options_(std::move(options)) {}

  const std::string& dimension() const { return dimension_; }
  const TagOptions& options() const { return options_; }

  // Adds a value to the current row; EndRow closes it (a row may be empty).
  void Add(std::string_view value) { values_.push_back(Intern(value)); }
  void EndRow() { offsets_.push_back(values_.size()); }
  // Appends every row of `other` (its dimension and options are not
  // looked at). Value codes are translated into this column's dictionary,
  // new values added in the order `other` first uses them, so appending the
  // parts of a column in order gives exactly the column built in one go.
  // O(other.values().size() + other.dictionary().size()).
  void AppendColumn(const TagColumn& other) {
    std::vector<uint32_t> code(other.dictionary_.size());
    for (size_t k = 0; k < code.size(); ++k) code[k] = Intern(other.dictionary_[k]);
    const size_t base = values_.size();
    column_values_internal::ReserveForAppend(values_, base + other.values_.size());
    for (uint32_t v : other.values_) values_.push_back(v < code.size() ? code[v] : v);
    column_values_internal::ReserveForAppend(offsets_,
                                             offsets_.size() + other.offsets_.size() - 1);
    for (size_t r = 1; r < other.offsets_.size(); ++r) offsets_.push_back(base + other.offsets_[r]);
  }
  void Reserve(size_t rows, size_t values) {
    offsets_.reserve(rows + 1);
    values_.reserve(values);
  }

  size_t rows() const { return offsets_.size() - 1; }
  // Row r's values are dictionary()[values()[k]] for k in [offsets()[r], offsets()[r + 1]).
  const std::vector<size_t>& offsets() const { return offsets_; }
  const std::vector<uint32_t>& values() const { return values_; }
  const std::vector<std::string>& dictionary() const { return dictionary_; }

  // A column from the parts the accessors return (the write-ahead log's
  // decoder). Fails unless offsets start at 0, never decrease and end at
  // values.size(), every value indexes the dictionary, and the dictionary's
  // values are distinct.
  static absl::StatusOr<TagColumn> FromParts(std::string dimension, TagOptions options,
                                             std::vector<size_t> offsets,
                                             std::vector<uint32_t> values,
                                             std::vector<std::string> dictionary) {
    TagColumn c(std::move(dimension), std::move(options));
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != values.size()) {
      return absl::InvalidArgumentError("row offsets do not span the values");
    }
    for (size_t r = 1; r < offsets.size(); ++r) {
      if (offsets[r] < offsets[r - 1]) return absl::InvalidArgumentError("row offsets decrease");
    }
    for (uint32_t v : values) {
      if (v >= dictionary.size()) return absl::InvalidArgumentError("a value outside the dictionary");
    }
    for (size_t k = 0; k < dictionary.size(); ++k) {
      if (!c.codes_.emplace(dictionary[k], static_cast<uint32_t>(k)).second) {
        return absl::InvalidArgumentError("a dictionary value repeats");
      }
    }
    c.offsets_ = std::move(offsets);
    c.values_ = std::move(values);
    c.dictionary_ = std::move(dictionary);
    return c;
  }

  // Keeps the rows whose keep[row] is true (keep.size() == rows()).
  void Filter(const std::vector<bool>& keep) {
    std::vector<size_t> offsets{0};
    std::vector<uint32_t> values;
    for (size_t r = 0; r + 1 < offsets_.size(); ++r) {
      if (!keep[r]) continue;
      values.insert(values.end(), values_.begin() + static_cast<std::ptrdiff_t>(offsets_[r]),
                    values_.begin() + static_cast<std::ptrdiff_t>(offsets_[r + 1]));
      offsets.push_back(values.size());
    }
    offsets_ = std::move(offsets);
    values_ = std::move(values);
  }

 private:
  // The dictionary index of `value`, added at the end if new.
  uint32_t Intern(std::string_view value) {
    auto it = codes_.find(AbslView(value));
    if (it == codes_.end()) {
      it = codes_.emplace(std::string(value), static_cast<uint32_t>(dictionary_.size())).first;
      dictionary_.emplace_back(value);
    }
    return it->second;
  }

  std::string dimension_;
  TagOptions options_;
  std::vector<size_t> offsets_{0};
  std::vector<uint32_t> values_;
  std::vector<std::string> dictionary_;
  absl::flat_hash_map<std::string, uint32_t> codes_;
};

class ColumnBlock {
 public:
  // Starts a row for `id`; `source_row` (a CSV line, say) names it in errors.
  void AddRow(ExternalId id, uint64_t source_row = 0) {
    ids_.push_back(std::move(id));
    if (source_row == 0 && rows_.empty()) return;
    if (rows_.empty()) rows_.reserve(std::max(reserved_rows_, ids_.size()));
    while (rows_.size() + 1 < ids_.size()) rows_.push_back(rows_.size() + 1);
    rows_.push_back(source_row != 0 ? source_row : ids_.size());
  }
  // Room for `rows` rows in the ids and every column added so far (tag
  // columns: `rows` times `tags_per_row` values).
  void Reserve(size_t rows, double tags_per_row = 0) {
    ids_.reserve(rows);
    reserved_rows_ = rows;  // rows_ fills only once a row is named: reserved then
    if (!rows_.empty()) rows_.reserve(rows);
    for (auto& column : attributes_) column.second.Reserve(rows);
    for (TagColumn& column : tags_) {
      column.Reserve(rows, static_cast<size_t>(static_cast<double>(rows) * tags_per_row));
    }
  }

  // Appends `other`'s rows after this block's, as if each had been added
  // with AddRow(id, its source row if `other` names rows, else 0) and its
  // cells appended to the matching column. `other` must have the same
  // columns in the same order and types (a programmer error otherwise:
  // nothing is appended); its ids are moved out. Appending the parts of a
  // block in order gives exactly the block built in one go.
  void Append(ColumnBlock&& other) {
    if (other.attributes_.size() != attributes_.size() || other.tags_.size() != tags_.size()) {
      return;
    }
    for (size_t c = 0; c < attributes_.size(); ++c) {
      if (other.attributes_[c].second.type() != attributes_[c].second.type()) return;
    }
    const size_t at = ids_.size();
    if (!other.rows_.empty() || !rows_.empty()) {
      column_values_internal::ReserveForAppend(rows_,
                                               std::max(at + other.ids_.size(), reserved_rows_));
      while (rows_.size() < at) rows_.push_back(rows_.size() + 1);
      for (size_t r = 0; r < other.ids_.size(); ++r) {
        const uint64_t source = r < other.rows_.size() ? other.rows_[r] : 0;
        rows_.push_back(source != 0 ? source : at + r + 1);
      }
    }
    ids_.insert(ids_.end(), std::make_move_iterator(other.ids_.begin()),
                std::make_move_iterator(other.ids_.end()));
    for (size_t c = 0; c < attributes_.size(); ++c) {
      attributes_[c].second.AppendColumn(other.attributes_[c].second);
    }
    for (size_t c = 0; c < tags_.size(); ++c) tags_[c].AppendColumn(other.tags_[c]);
    other = ColumnBlock();
  }

  // Adds a column; returned references stay valid while the block lives
  // (columns are never moved once added).
  ColumnValues& AddAttribute(std::string attribute, AttributeType type) {
    return attributes_.emplace_back(std::move(attribute), ColumnValues(type)).second;
  }
  TagColumn& AddTags(std::string dimension, TagOptions options = {}) {
    return tags_.emplace_back(std::move(dimension), std::move(options));
  }

  // Store::Apply may spread the block's columns over up to `n` threads
  // (the calling thread included; default 1). The columns' indexes are
  // disjoint, so the result is the same for every n.
  void set_apply_threads(unsigned n) { apply_threads_ = n; }
  unsigned apply_threads() const { return apply_threads_; }

  size_t size() const { return ids_.size(); }
  const std::vector<ExternalId>& ids() const { return ids_; }
  // The source row of row r: rows()[r] when given, else r + 1.
  uint64_t SourceRow(size_t r) const { return r < rows_.size() ? rows_[r] : r + 1; }
  const std::deque<std::pair<std::string, ColumnValues>>& attributes() const {
    return attributes_;
  }
  const std::deque<TagColumn>& tags() const { return tags_; }

  // Keeps the rows whose keep[row] is true, in every column.
  void Filter(const std::vector<bool>& keep) {
    size_t w = 0;
    std::vector<uint64_t> rows;
    for (size_t r = 0; r < ids_.size(); ++r) {
      if (!keep[r]) continue;
      rows.push_back(SourceRow(r));
      if (w != r) ids_[w] = std::move(ids_[r]);  // never move onto itself
      ++w;
    }
    ids_.resize(w);
    rows_ = std::move(rows);
    for (auto& column : attributes_) column.second.Filter(keep);
    for (TagColumn& column : tags_) column.Filter(keep);
  }

 private:
  std::vector<ExternalId> ids_;
  std::vector<uint64_t> rows_;  // empty, or one per row
  size_t reserved_rows_ = 0;    // the last Reserve(rows), for rows_
  std::deque<std::pair<std::string, ColumnValues>> attributes_;
  std::deque<TagColumn> tags_;
  unsigned apply_threads_ = 1;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_COLUMN_BLOCK_H_
