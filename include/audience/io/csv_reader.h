// CsvReader: streaming reader for CSV (RFC 4180) and whitespace-separated
// text, plain or gzip, that names line and column in every error and goes
// on after a bad record.
//
//   AUDIENCE_ASSIGN_OR_RETURN(auto reader, CsvReader::OpenFile("orders.csv.gz"));
//   std::optional<size_t> id_col = reader->ColumnIndex("customer_id");  // header is read on open
//   CsvRecord rec;
//   while (true) {
//     absl::StatusOr<bool> more = reader->Next(&rec);
//     if (!more.ok()) { Report(more.status()); continue; }  // bad record, skipped
//     if (!*more) break;
//     Use(rec.fields);  // views valid until the next Next()
//   }
//
// Grammar and rules:
// - A UTF-8 byte-order mark at the very start is skipped; columns on line 1
//   count from the byte after it.
// - Line ends are LF, CRLF or a lone CR, also mixed. Blank lines (in
//   whitespace mode: lines of blanks only) are skipped and yield no record.
//   The last line needs no line end.
// - CSV mode: fields are split at `delimiter`; a field that starts with
//   `quote` is quoted: it may hold delimiters and line breaks (kept as they
//   are, CRLF included), `""` stands for one quote, and after the closing
//   quote only a delimiter, a line end or the end of input may follow. A
//   quote inside an unquoted field is an ordinary character (`5" screen`);
//   blanks are never trimmed. `a,,` has three fields, the last two empty.
//   quote = '\0' turns quoting off.
// - Whitespace mode: runs of spaces and tabs separate fields; blanks at the
//   start and end of a line are ignored; quoting works as in CSV mode (the
//   closing quote must be followed by a blank or a line end).
// - Every field must be valid UTF-8 (RFC 3629) without NUL bytes.
// Errors and recovery: a malformed record makes Next() return
// InvalidArgument "line L, column C: <what>" (L, C 1-based, C in bytes;
// last_error() holds the parts). The reader has then skipped that record,
// quote-aware, so the next Next() returns the following one. Two cases skip
// less, because the record's end is unknowable: an unterminated quoted field
// skips to the end of the line where the quote opened, and a record longer
// than max_record_bytes skips its first line; reading resumes on the next
// line. A corrupt or truncated gzip stream or an I/O error is DataLoss naming
// the path; after it Next() returns false. Records and errors never depend on
// how the input is cut into chunks: a file (plain or gzip) reads exactly as
// FromString() of its bytes.
// Memory: input is read in 1 MiB chunks (never the whole file); the reader
// holds the current record's raw bytes plus one chunk and an unescaped copy
// of its fields: at most about 2 * max_record_bytes + 1 MiB, whatever the
// input. Speed: several hundred MB/s of plain CSV (bench/csv_bench.cpp).
// Thread-safety: none; use one reader per thread.
#ifndef AUDIENCE_IO_CSV_READER_H_
#define AUDIENCE_IO_CSV_READER_H_

#include <array>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

struct CsvOptions {
  char delimiter = ',';               // CSV mode only; not CR, LF, NUL or the quote
  bool whitespace_separated = false;  // runs of spaces/tabs separate fields
  char quote = '"';                   // '\0': no quoting
  bool has_header = true;             // first record is the header, not data
  // Hostile-input limits; each must be positive.
  size_t max_field_bytes = size_t{1} << 20;   // after unescaping
  size_t max_fields = 4096;                   // per record
  size_t max_record_bytes = size_t{8} << 20;  // raw bytes, quotes and line ends included
};

struct CsvRecord {
  uint64_t line = 0;  // 1-based physical line where the record starts
  // Unescaped field text; views valid until the next Next() on the reader.
  std::vector<std::string_view> fields;
  // 1-based byte column where each field starts on its line (the opening
  // quote of a quoted field; in whitespace mode its first non-blank).
  std::vector<uint32_t> columns;
};

// The last error of a reader: where (1-based) and what, without the
// "line L, column C: " prefix.
struct CsvError {
  uint64_t line = 0;
  uint32_t column = 0;
  std::string message;
};

class CsvReader {
 public:
  // Opens `path`; gzip is detected by its magic bytes (1f 8b) and
  // decompressed while reading (multi-member files too). Reads the first
  // chunk and the header record. Errors: NotFound, PermissionDenied,
  // InvalidArgument (a directory, invalid options, a malformed header),
  // DataLoss (corrupt gzip); each message names the path.
  static absl::StatusOr<std::unique_ptr<CsvReader>> OpenFile(const std::string& path,
                                                             CsvOptions options = {});
  // A reader over `data` (kept by the reader). Invalid options or a
  // malformed header are returned by the first Next().
  static std::unique_ptr<CsvReader> FromString(std::string data, CsvOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the header record now if it has not been read (Next() does so
  // too). Idempotent: a second call returns OkStatus. On error the reader
  // has no header and continues with the next record.
  absl::Status ReadHeader();
  // The header's fields; empty before ReadHeader()/Next(), without
  // has_header, for empty input, or after a malformed header.
  const std::vector<std::string>& header() const { return header_; }
  // Index of the header field equal to `name`; if none, the first one equal
  // ignoring ASCII case. O(header size).
  std::optional<size_t> ColumnIndex(std::string_view name) const;

  // Next data record into *record: true, false at the end of the input, or
  // an error (see the file comment) after which reading may go on.
  absl::StatusOr<bool> Next(CsvRecord* record);
  const CsvError& last_error() const { return error_; }

  // Data records returned so far (not the header, not malformed records).
  uint64_t records_read() const { return records_; }
  // Bytes of (uncompressed) input consumed so far, BOM included.
  uint64_t bytes_consumed() const { return consumed_ + pos_; }
  // Input size for progress bars: the file or string size; nullopt for gzip.
  std::optional<uint64_t> total_bytes() const { return total_; }

 private:
  enum class Parse : uint8_t { kRecord, kEnd, kNeedMore, kError };
  // How to get past a malformed record (see the file comment).
  enum class Recovery : uint8_t { kSkipRecord, kSkipLine, kTooManyFields };

  CsvReader(CsvOptions options, std::string source, std::string data);
  CsvReader(CsvOptions options, std::string source, std::unique_ptr<std::istream> in,
            std::shared_ptr<void> keep_alive, std::optional<uint64_t> total, bool gzip);

  void Start();
  absl::StatusOr<bool> NextRecord(CsvRecord* record);
  Parse ParseRecord(CsvRecord* record);
  bool Refill();
  absl::Status Fail();
  void SkipLine();
  uint64_t SkipRecord();
  std::pair<uint64_t, size_t> Locate(size_t field_at, bool quoted, uint64_t line,
                                     size_t line_start, size_t offset) const;

  CsvOptions options_;
  std::string source_;  // path or "<string>", for DataLoss messages
  std::unique_ptr<std::istream> in_;
  std::shared_ptr<void> keep_alive_;  // owns what in_ reads from
  bool gzip_ = false;
  std::string buf_;        // unparsed input from pos_ on
  size_t pos_ = 0;         // start of the next record in buf_
  uint64_t consumed_ = 0;  // bytes dropped from the front of buf_
  bool eof_ = false;       // the stream is exhausted (or failed)
  std::string read_error_;
  bool started_ = false;
  bool header_done_ = false;
  absl::Status options_error_;
  uint64_t line_ = 1;  // line number at pos_
  uint64_t records_ = 0;
  std::optional<uint64_t> total_;
  std::array<bool, 256> stops_{};  // bytes that end an unquoted field
  // stops_ plus NUL and non-ASCII bytes: where the fast scan of an unquoted
  // field hands over to the careful one (csv_parse-inl.h).
  std::array<bool, 256> special_{};
  std::array<char, 4> stop_chars_{};  // the stops_ bytes, repeated to fill
  // Fields that hold "" escapes, unescaped; every other field is a view of buf_.
  std::string scratch_;
  struct Span {
    size_t at = 0;  // into buf_, or into scratch_ if `escaped`
    size_t size = 0;
    bool escaped = false;
  };
  std::vector<Span> spans_;
  Recovery recovery_ = Recovery::kSkipRecord;
  size_t recovery_at_ = 0;  // for kSkipLine: where the skipped line starts
  uint64_t recovery_line_ = 0;
  std::vector<std::string> header_;
  CsvError error_;
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/io/csv_reader-inl.h"
#endif

#endif  // AUDIENCE_IO_CSV_READER_H_
