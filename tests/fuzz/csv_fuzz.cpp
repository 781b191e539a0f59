// libFuzzer target for the CSV reader, the library's widest door for
// hostile bytes. The first two input bytes pick the options (mode, quoting,
// header, delimiter, small or default limits); the rest is read to the end.
// Checked for every input:
//   - no crash, sanitizer report or hang: every Next() consumes input, so
//     the calls are bounded by the input size;
//   - every record honours the documented contract: fields are valid UTF-8
//     without NUL, within max_field_bytes and max_fields, one column per
//     field, lines never going back;
//   - two readers of the same bytes return the same records and errors.
// (Reads cut into 1 MiB chunks are compared with in-memory ones by the unit
// tests, on inputs larger than this target's.)
// Built and run by scripts/fuzz.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audience/io/csv_reader.h"
#include "audience/schema/schema.h"

namespace {

using namespace audience;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "csv_fuzz: %s\n", what);
  std::abort();
}

// Every Next() result, for comparing two reads.
std::vector<std::string> Read(const std::string& text, const CsvOptions& options) {
  std::unique_ptr<CsvReader> reader = CsvReader::FromString(text, options);
  std::vector<std::string> out;
  CsvRecord rec;
  uint64_t last_line = 0;
  for (size_t calls = 0;; ++calls) {
    if (calls > text.size() + 2) Fail("more Next() calls than input bytes");
    absl::StatusOr<bool> more = reader->Next(&rec);
    if (!more.ok()) {
      out.push_back("E" + std::string(more.status().message()));
      continue;
    }
    if (!*more) break;
    if (rec.line < last_line || rec.line == 0) Fail("record lines go back");
    last_line = rec.line;
    if (rec.fields.size() > options.max_fields) Fail("more fields than max_fields");
    if (rec.columns.size() != rec.fields.size()) Fail("columns and fields differ in number");
    std::string row = std::to_string(rec.line);
    for (size_t f = 0; f < rec.fields.size(); ++f) {
      const std::string_view field = rec.fields[f];
      if (field.size() > options.max_field_bytes) Fail("field over max_field_bytes");
      if (field.find('\0') != std::string_view::npos) Fail("NUL in a field");
      if (schema_internal::FirstInvalidUtf8(field) != std::string_view::npos) {
        Fail("invalid UTF-8 in a field");
      }
      if (rec.columns[f] == 0) Fail("column 0");
      row += '\x1f';
      row += field;
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0], limits = data[1];
  CsvOptions options;
  options.whitespace_separated = (mode & 1) != 0;
  options.has_header = (mode & 2) != 0;
  options.quote = (mode & 4) != 0 ? '\0' : (mode & 8) != 0 ? '\'' : '"';
  static const char kDelimiters[] = {',', ';', '\t', '|'};
  options.delimiter = kDelimiters[(mode >> 4) & 3];
  if ((limits & 1) != 0) {
    options.max_field_bytes = 1 + ((limits >> 1) & 15);
    options.max_fields = 1 + ((limits >> 5) & 7);
    options.max_record_bytes = 1 + (limits >> 2) * 4;
  }
  const std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (Read(text, options) != Read(text, options)) Fail("two reads of one input differ");
  return 0;
}
