// The profile import: rows become one ColumnBlock (typed columns, tag
// cells), validated whole by the store and applied as one operation. The
// reading thread tokenises; with ImportSpec::threads > 1 chunks of records
// are typed on several threads and joined in order (importer_parallel-inl.h).
#ifndef AUDIENCE_IO_IMPORTER_PROFILES_INL_H_
#define AUDIENCE_IO_IMPORTER_PROFILES_INL_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "audience/io/importer.h"
#include "audience/store/column_block.h"

AUDIENCE_BEGIN_NAMESPACE

namespace importer_internal {

// One row's parsed cells, kept aside until every cell parsed, so that a bad
// row adds nothing to the block.
struct StagedRow {
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> text;  // enum values
  std::vector<bool> null;
  std::vector<std::vector<std::string_view>> tags;
};

// Parses `rec` into `row`, or returns the first bad cell.
inline std::optional<RowError> StageRow(const Plan& plan, const ImportSpec& spec,
                                        const TimeFormat& time_format, const CsvRecord& rec,
                                        StagedRow& row, ExternalId* id) {
  auto cell_error = [&](const Col& c, std::string_view message) {
    return RowError{rec.line, rec.columns[c.index], c.name, std::string(message)};
  };
  if (std::optional<RowError> e = RecordId(plan, spec, rec, id)) return e;
  auto cell = [&](const Col& c) { return rec.fields[c.index]; };
  for (size_t a = 0; a < plan.attributes.size(); ++a) {
    const auto& [col, attr] = plan.attributes[a];
    const std::string_view text = cell(col);
    row.null[a] = text.empty();
    if (text.empty()) continue;
    absl::Status bad;
    switch (attr->type) {
      case AttributeType::kInt64: {
        absl::StatusOr<int64_t> v = ParseInt64(text);
        if (v.ok()) row.ints[a] = *v; else bad = v.status();
        break;
      }
      case AttributeType::kDouble: {
        absl::StatusOr<double> v = ParseDouble(text);
        if (v.ok()) row.doubles[a] = *v; else bad = v.status();
        break;
      }
      case AttributeType::kTimestamp: {
        absl::StatusOr<UnixSeconds> v = time_format.ParseTime(text);
        if (v.ok()) row.ints[a] = *v; else bad = v.status();
        break;
      }
      case AttributeType::kBool: {
        absl::StatusOr<bool> v = ParseBool(text);
        if (v.ok()) row.ints[a] = *v ? 1 : 0; else bad = v.status();
        break;
      }
      case AttributeType::kEnum:
        row.text[a] = text;
        break;
    }
    if (!bad.ok()) {
      return cell_error(col, fmt::format("attribute '{}': {}", attr->name, bad.message()));
    }
  }
  for (size_t t = 0; t < plan.tags.size(); ++t) {
    const auto& [col, dim] = plan.tags[t];
    std::vector<std::string_view>& values = row.tags[t];
    values.clear();
    std::string_view text = cell(col);
    while (!text.empty()) {
      const size_t cut = text.find(spec.tag_separator);
      const std::string_view value = text.substr(0, cut);
      text = cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
      if (value.empty()) continue;
      if (!values.empty() && dim->kind == DimensionKind::kExclusive) {
        return cell_error(col, fmt::format("exclusive dimension '{}' takes one value", dim->name));
      }
      values.push_back(value);
    }
  }
  return std::nullopt;
}

inline StagedRow MakeStagedRow(const Plan& plan) {
  const size_t n = plan.attributes.size();
  return StagedRow{std::vector<int64_t>(n), std::vector<double>(n),
                   std::vector<std::string_view>(n), std::vector<bool>(n),
                   std::vector<std::vector<std::string_view>>(plan.tags.size())};
}

// The columns of a profile block, in plan order.
struct BlockCells {
  std::vector<ColumnValues*> columns;
  std::vector<TagColumn*> tag_columns;
  size_t TagValues() const {
    size_t tags = 0;
    for (const TagColumn* column : tag_columns) tags += column->values().size();
    return tags;
  }
};

// Adds the plan's attribute and tag columns to the empty `block`.
inline BlockCells AddProfileColumns(ColumnBlock& block, const ImportSpec& spec, const Plan& plan) {
  BlockCells cells;
  for (const auto& [col, attr] : plan.attributes) {
    cells.columns.push_back(&block.AddAttribute(attr->name, attr->type));
  }
  TagOptions options;
  options.source = spec.source;
  for (const auto& [col, dim] : plan.tags) {
    cells.tag_columns.push_back(&block.AddTags(dim->name, options));
  }
  return cells;
}

// Appends a staged (fully parsed) row to the block.
inline void AppendStagedRow(const StagedRow& row, ExternalId id, uint64_t line,
                            ColumnBlock& block, const BlockCells& cells) {
  block.AddRow(std::move(id), line);
  for (size_t a = 0; a < cells.columns.size(); ++a) {
    ColumnValues& c = *cells.columns[a];
    if (row.null[a]) {
      c.AppendNull();
      continue;
    }
    switch (c.type()) {
      case AttributeType::kDouble: c.AppendDouble(row.doubles[a]); break;
      case AttributeType::kEnum: c.AppendEnum(row.text[a]); break;
      default: c.AppendInt(row.ints[a]); break;
    }
  }
  for (size_t t = 0; t < cells.tag_columns.size(); ++t) {
    for (std::string_view v : row.tags[t]) cells.tag_columns[t]->Add(v);
    cells.tag_columns[t]->EndRow();
  }
}

inline constexpr uint64_t kSampleRows = 4096;
inline constexpr size_t kMaxReservedRows = size_t{1} << 31;

// Room for the whole file, estimated from the first kSampleRows rows (read
// in `sample_bytes`, holding `sample_tags` tag values), so columns do not
// grow (and copy) a dozen times on the way to millions of rows.
inline void ReserveFromSample(ColumnBlock& block, uint64_t sample_bytes, uint64_t total_bytes,
                              size_t sample_tags) {
  const double rows_per_byte =
      static_cast<double>(kSampleRows) / static_cast<double>(sample_bytes);
  const auto rows = static_cast<size_t>(1.05 * rows_per_byte * static_cast<double>(total_bytes));
  block.Reserve(std::min<size_t>(rows, kMaxReservedRows),
                static_cast<double>(sample_tags) / static_cast<double>(kSampleRows) /
                    static_cast<double>(std::max<size_t>(block.tags().size(), 1)));
}

// Threads for the profile read and apply: spec.threads, 0 meaning the
// machine's hardware threads.
inline unsigned ImportThreads(const ImportSpec& spec) {
  return spec.threads != 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace importer_internal

AUDIENCE_END_NAMESPACE

#include "audience/io/importer_parallel-inl.h"

AUDIENCE_BEGIN_NAMESPACE

namespace importer_internal {

// Reads every record into one block; bad cells go to `errors`. With more
// than one thread the records are typed in parallel chunks
// (importer_parallel-inl.h); the block, errors and counts are the same.
inline ColumnBlock ReadProfileBlock(CsvReader& reader, const ImportSpec& spec, const Plan& plan,
                                    const TimeFormat& time_format, Errors& errors,
                                    ImportReport& report) {
  const unsigned threads = ImportThreads(spec);
  if (threads > 1) {
    return ReadProfileBlockParallel(reader, spec, plan, time_format, errors, report, threads);
  }
  ColumnBlock block;
  block.set_apply_threads(threads);
  const BlockCells cells = AddProfileColumns(block, spec, plan);
  StagedRow row = MakeStagedRow(plan);
  CsvRecord rec;
  ExternalId id;
  uint64_t rows_since_progress = 0;
  while (ReadRecord(reader, rec, errors, report)) {
    if (std::optional<RowError> e = StageRow(plan, spec, time_format, rec, row, &id)) {
      ++report.rows_skipped;
      errors.Add(*std::move(e));
    } else {
      AppendStagedRow(row, std::move(id), rec.line, block, cells);
    }
    if (report.rows_read == kSampleRows && reader.total_bytes()) {
      ReserveFromSample(block, reader.bytes_consumed(), *reader.total_bytes(), cells.TagValues());
    }
    if (spec.progress && ++rows_since_progress >= std::max<size_t>(spec.batch_rows, 1)) {
      rows_since_progress = 0;
      spec.progress(report.rows_read, reader.bytes_consumed(), reader.total_bytes());
    }
  }
  return block;
}

// The whole profile import after the mapping is resolved: read, check the
// block against the store (closed lists, value names; bad rows reported and,
// with skip_bad_rows, dropped), then apply it as one batch.
inline absl::StatusOr<ImportReport> ImportProfiles(Store& store, CsvReader& reader,
                                                   const ImportSpec& spec, const Plan& plan,
                                                   const TimeFormat& time_format,
                                                   std::string_view source_name) {
  ImportReport report;
  Errors errors{spec, report};
  auto batch = std::make_unique<WriteBatch>(spec.now);
  batch->SetColumns(ReadProfileBlock(reader, spec, plan, time_format, errors, report));
  std::vector<OpError> bad = store.CheckBatch(*batch, SIZE_MAX);
  if (!bad.empty()) {
    absl::flat_hash_set<uint64_t> bad_rows;
    for (const OpError& e : bad) {
      if (bad_rows.insert(e.row).second) errors.Add(RowError{e.row, 0, "", e.message});
    }
    report.rows_skipped += bad_rows.size();
    if (spec.skip_bad_rows) {
      ColumnBlock kept = *batch->ops().front().block;
      std::vector<bool> keep(kept.size());
      for (size_t r = 0; r < kept.size(); ++r) keep[r] = !bad_rows.contains(kept.SourceRow(r));
      kept.Filter(keep);
      batch = std::make_unique<WriteBatch>(spec.now);
      batch->SetColumns(std::move(kept));
    }
  }
  AUDIENCE_RETURN_IF_ERROR(RejectIfBad(errors, report, spec, source_name));
  report.rows_imported = report.rows_read - report.rows_skipped;
  AUDIENCE_ASSIGN_OR_RETURN(ApplyResult r, store.Apply(*batch));
  report.people_created = r.people_created;
  if (spec.progress) {
    spec.progress(report.rows_read, reader.bytes_consumed(), reader.total_bytes());
  }
  return report;
}

}  // namespace importer_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IO_IMPORTER_PROFILES_INL_H_
