// Definitions for importer.h.
#ifndef AUDIENCE_IO_IMPORTER_INL_H_
#define AUDIENCE_IO_IMPORTER_INL_H_

#include <string>
#include <vector>

#include "audience/base/status_macros.h"
#include "audience/io/field_parse.h"
#include "audience/io/importer.h"
#include "audience/base/strings.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace importer_internal {

// A mapped column, resolved to its index in the record.
struct Col {
  size_t index = 0;
  std::string name;
};

// Resolves column names against the header (or "1", "2", ... without one).
class Columns {
 public:
  Columns(const CsvReader& reader, std::string_view source) : reader_(reader), source_(source) {}
  absl::StatusOr<Col> Get(const std::string& name, std::string_view role) const {
    if (name.empty()) {
      return absl::InvalidArgumentError(fmt::format("{}: no column given for {}", source_, role));
    }
    if (reader_.header().empty()) {
      absl::StatusOr<int64_t> n = ParseInt64(name);
      if (!n.ok() || *n < 1 || *n > 100000) {
        return absl::InvalidArgumentError(fmt::format(
            "{}: {} column '{}': a file without a header names columns 1, 2, ...", source_, role,
            name));
      }
      return Col{static_cast<size_t>(*n - 1), name};
    }
    std::optional<size_t> i = reader_.ColumnIndex(name);
    if (!i) {
      std::string known;
      for (const std::string& h : reader_.header()) known += (known.empty() ? "" : ", ") + h;
      return absl::InvalidArgumentError(fmt::format(
          "{}: {} column '{}' is not in the header (columns: {})", source_, role, name, known));
    }
    return Col{*i, name};
  }

 private:
  const CsvReader& reader_;
  std::string_view source_;
};

// Collects row errors; decides whether a row is kept.
struct Errors {
  const ImportSpec& spec;
  ImportReport& report;
  uint64_t count = 0;
  void Add(RowError e) {
    ++count;
    if (report.errors.size() < spec.max_reported_errors) report.errors.push_back(std::move(e));
  }
};

inline absl::StatusOr<ExternalId> ParseId(std::string_view cell, IdType type) {
  if (cell.empty()) return absl::InvalidArgumentError("empty id");
  if (type == IdType::kString) return ExternalId::Str(std::string(cell));
  AUDIENCE_ASSIGN_OR_RETURN(int64_t v, ParseInt64(cell));
  return ExternalId::Int(v);
}

}  // namespace importer_internal

AUDIENCE_FUNC std::string RowError::ToString() const {
  std::string where = fmt::format("line {}", line);
  if (column > 0) where += fmt::format(", column {}", column);
  if (!field.empty()) where += fmt::format(" (field '{}')", field);
  return fmt::format("{}: {}", where, message);
}

AUDIENCE_FUNC absl::StatusOr<ImportReport> ImportCsvFile(Store& store, const std::string& path,
                                                         const ImportSpec& spec) {
  AUDIENCE_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader,
                            CsvReader::OpenFile(path, spec.csv));
  return ImportCsv(store, *reader, spec, path);
}

AUDIENCE_FUNC absl::StatusOr<ImportReport> ImportCsvText(Store& store, std::string text,
                                                         const ImportSpec& spec) {
  std::unique_ptr<CsvReader> reader = CsvReader::FromString(std::move(text), spec.csv);
  return ImportCsv(store, *reader, spec, "<text>");
}

AUDIENCE_END_NAMESPACE

#include "audience/io/importer_rows-inl.h"
#include "audience/io/importer_profiles-inl.h"

#endif  // AUDIENCE_IO_IMPORTER_INL_H_
