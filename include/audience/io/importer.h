// CSV import: profiles, tag assignments and events into a Store.
//
// A column mapping says which column holds the person id and what every
// other used column means. Text may be CSV or whitespace-separated, plain or
// gzip, with a header line or without (then columns are named "1", "2", ...).
//
//   ImportSpec spec;
//   spec.kind = ImportKind::kEvents;
//   spec.csv.whitespace_separated = true;
//   spec.id_column = "customer_id";  spec.id_type = IdType::kInt;
//   spec.event_type = "purchase";    spec.time_column = "date";
//   spec.time_format = "%Y%m%d";     spec.amount_columns = {"dollar_value"};
//   AUDIENCE_ASSIGN_OR_RETURN(ImportReport r, ImportCsvFile(store, path, spec));
//
// Bad rows: by default one bad row rejects the whole file — the error lists
// every bad row (up to max_reported_errors) with line, column, field and
// value, and the store is unchanged. With skip_bad_rows the good rows are
// imported and every bad row is returned in the report. A row is never
// dropped silently.
#ifndef AUDIENCE_IO_IMPORTER_H_
#define AUDIENCE_IO_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/io/csv_reader.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

enum class ImportKind : uint8_t {
  kProfiles,  // one row per person: attribute and tag columns
  kTags,      // one row per assignment: id, dimension, value[, expires_at]
  kEvents,    // one row per event: id, time[, amount][, properties][, event id]
};

enum class IdType : uint8_t {
  kString,  // the cell as is
  kInt,     // a decimal integer; leading zeros allowed ("00042" is 42)
};

struct ImportSpec {
  ImportKind kind = ImportKind::kProfiles;
  CsvOptions csv;
  std::string id_column;
  IdType id_type = IdType::kString;
  // Format of every time cell (see TimeFormat): "%Y-%m-%d", "%Y%m%d", "unix".
  std::string time_format = "%Y-%m-%d";
  // Source recorded on imported tag assignments.
  std::string source = "import";

  // kProfiles: column -> attribute; an empty cell sets the attribute to null.
  std::vector<std::pair<std::string, std::string>> attributes;
  // kProfiles: column -> dimension; the cell holds one value, or several
  // separated by tag_separator; an empty cell assigns nothing.
  std::vector<std::pair<std::string, std::string>> tags;
  char tag_separator = '|';

  // kTags: the dimension is a fixed name or comes from a column.
  std::string dimension;
  std::string dimension_column;
  std::string value_column;
  std::string expires_column;  // optional; empty cell: the dimension's TTL

  // kEvents.
  std::string event_type;         // fixed type, or:
  std::string event_type_column;  // type per row
  std::string time_column;
  // The amount is the product of these columns (e.g. quantity and unit
  // price); none means 0.
  std::vector<std::string> amount_columns;
  std::vector<std::pair<std::string, std::string>> properties;  // column -> property
  std::string event_id_column;

  bool skip_bad_rows = false;
  size_t max_reported_errors = 100;
  // The write time of the import (default TTLs count from it).
  absl::Time now = absl::UnixEpoch();
  // Tags and events: rows per write batch; all batches are validated
  // before any is applied. Profiles go in as one ColumnBlock (one batch);
  // for them this is only the progress interval.
  size_t batch_rows = 65536;
  // Profiles: threads that type the rows and apply the block's columns (0:
  // the machine's hardware threads; 1: the calling thread only). The
  // result, errors and progress calls are the same for any count.
  unsigned threads = 0;
  // Called after each batch of rows is read: (rows read, bytes consumed,
  // total bytes if known). For progress bars.
  std::function<void(uint64_t, uint64_t, std::optional<uint64_t>)> progress;
};

struct RowError {
  uint64_t line = 0;
  uint32_t column = 0;   // 0 when the error is not about one cell
  std::string field;     // the column name, if any
  std::string message;
  std::string ToString() const;
};

struct ImportReport {
  uint64_t rows_read = 0;
  uint64_t rows_imported = 0;
  uint64_t rows_skipped = 0;
  std::vector<RowError> errors;  // the first max_reported_errors bad rows
  uint64_t people_created = 0;
  uint64_t events_added = 0;
  uint64_t duplicate_events = 0;
};

absl::StatusOr<ImportReport> ImportCsvFile(Store& store, const std::string& path,
                                           const ImportSpec& spec);
absl::StatusOr<ImportReport> ImportCsvText(Store& store, std::string text,
                                           const ImportSpec& spec);
// Reads from an open reader; the other two forward here.
absl::StatusOr<ImportReport> ImportCsv(Store& store, CsvReader& reader, const ImportSpec& spec,
                                       std::string_view source_name);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/io/importer-inl.h"
#endif

#endif  // AUDIENCE_IO_IMPORTER_H_
