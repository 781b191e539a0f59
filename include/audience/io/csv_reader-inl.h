// Definitions for csv_reader.h: opening, buffering, the header, error
// recovery. The record parser itself is in csv_parse-inl.h.
#ifndef AUDIENCE_IO_CSV_READER_INL_H_
#define AUDIENCE_IO_CSV_READER_INL_H_

#include <algorithm>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>

#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/io/csv_reader.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace csv_internal {

inline constexpr size_t kChunkBytes = size_t{1} << 20;
inline constexpr std::streamsize kGzipBufferBytes = 1 << 16;

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
inline bool IsLineEnd(char c) { return c == '\r' || c == '\n'; }

inline absl::Status CheckOptions(const CsvOptions& o) {
  auto bad = [](char c) { return c == '\r' || c == '\n'; };
  if (!o.whitespace_separated && (bad(o.delimiter) || o.delimiter == '\0')) {
    return absl::InvalidArgumentError(
        fmt::format("CsvOptions: delimiter 0x{:02x} cannot be CR, LF or NUL",
                    static_cast<unsigned char>(o.delimiter)));
  }
  if (o.quote != '\0' && (bad(o.quote) || (o.whitespace_separated ? IsBlank(o.quote)
                                                                  : o.quote == o.delimiter))) {
    return absl::InvalidArgumentError(
        fmt::format("CsvOptions: quote 0x{:02x} cannot be CR, LF or a separator",
                    static_cast<unsigned char>(o.quote)));
  }
  if (o.max_field_bytes == 0 || o.max_fields == 0 || o.max_record_bytes == 0) {
    return absl::InvalidArgumentError(
        "CsvOptions: max_field_bytes, max_fields and max_record_bytes must be positive");
  }
  return absl::OkStatus();
}

}  // namespace csv_internal

AUDIENCE_FUNC CsvReader::CsvReader(CsvOptions options, std::string source, std::string data)
    : options_(options),
      source_(std::move(source)),
      buf_(std::move(data)),
      eof_(true),
      options_error_(csv_internal::CheckOptions(options)),
      total_(buf_.size()) {
  stop_chars_ = options_.whitespace_separated
                    ? std::array<char, 4>{'\r', '\n', ' ', '\t'}
                    : std::array<char, 4>{'\r', '\n', options_.delimiter, options_.delimiter};
  for (char c : stop_chars_) stops_[static_cast<unsigned char>(c)] = true;
  special_ = stops_;
  special_[0] = true;
  for (size_t c = 0x80; c < 256; ++c) special_[c] = true;
}

AUDIENCE_FUNC CsvReader::CsvReader(CsvOptions options, std::string source,
                                   std::unique_ptr<std::istream> in,
                                   std::shared_ptr<void> keep_alive,
                                   std::optional<uint64_t> total, bool gzip)
    : CsvReader(options, std::move(source), std::string()) {
  in_ = std::move(in);
  keep_alive_ = std::move(keep_alive);
  gzip_ = gzip;
  eof_ = false;
  total_ = total;
}

AUDIENCE_FUNC CsvReader::~CsvReader() {
  in_.reset();  // the filtering stream before the file it reads
}

AUDIENCE_FUNC std::unique_ptr<CsvReader> CsvReader::FromString(std::string data,
                                                               CsvOptions options) {
  return std::unique_ptr<CsvReader>(new CsvReader(options, "<string>", std::move(data)));
}

AUDIENCE_FUNC absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::OpenFile(
    const std::string& path, CsvOptions options) {
  if (absl::Status s = csv_internal::CheckOptions(options); !s.ok()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", path, s.message()));
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(fmt::format("{}: is a directory, not a file", path));
  }
  errno = 0;
  auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!file->is_open()) {
    const int err = errno;
    std::string why = fmt::format("{}: cannot open: {}", path,
                                  err != 0 ? std::strerror(err) : "unknown error");
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(why);
    return absl::NotFoundError(why);
  }
  char magic[2] = {0, 0};
  file->read(magic, 2);
  const bool gzip = file->gcount() == 2 && magic[0] == '\x1f' && magic[1] == '\x8b';
  file->clear();
  file->seekg(0);
  std::unique_ptr<CsvReader> reader;
  if (gzip) {
    namespace io = boost::iostreams;
    auto stream = std::make_unique<io::filtering_istream>();
    stream->push(io::gzip_decompressor(io::zlib::default_window_bits,
                                       csv_internal::kGzipBufferBytes),
                 csv_internal::kGzipBufferBytes);
    stream->push(*file, csv_internal::kGzipBufferBytes);
    reader.reset(new CsvReader(options, path, std::move(stream), file, std::nullopt, true));
  } else {
    const uint64_t size = std::filesystem::file_size(path, ec);
    std::optional<uint64_t> total;
    if (!ec) total = size;
    auto owned = std::make_unique<std::ifstream>(std::move(*file));
    reader.reset(new CsvReader(options, path, std::move(owned), nullptr, total, false));
  }
  reader->Start();
  if (reader->buf_.empty() && !reader->read_error_.empty()) {
    return absl::DataLossError(fmt::format("{}: cannot read: {}", path, reader->read_error_));
  }
  if (absl::Status s = reader->ReadHeader(); !s.ok()) {
    return absl::Status(s.code(), fmt::format("{}: header: {}", path, s.message()));
  }
  return reader;
}

AUDIENCE_FUNC std::optional<size_t> CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& h = header_[i];
    if (EqualsIgnoreAsciiCase(h, name)) {
      return i;
    }
  }
  return std::nullopt;
}

// Appends up to one chunk; drops the consumed front of the buffer first so
// memory stays at one record plus one chunk.
AUDIENCE_FUNC bool CsvReader::Refill() {
  if (eof_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    consumed_ += pos_;
    pos_ = 0;
  }
  const size_t old = buf_.size();
  buf_.resize(old + csv_internal::kChunkBytes);
  size_t got = 0;
  try {
    in_->read(buf_.data() + old, static_cast<std::streamsize>(csv_internal::kChunkBytes));
    got = static_cast<size_t>(in_->gcount());
    if (in_->bad()) read_error_ = gzip_ ? "truncated or corrupt gzip data" : "I/O error";
  } catch (const std::exception& e) {  // boost's gzip_error / zlib_error
    got = 0;
    read_error_ = fmt::format("corrupt gzip data ({})", e.what());
  }
  buf_.resize(old + got);
  if (got < csv_internal::kChunkBytes || !read_error_.empty()) eof_ = true;
  return got > 0;
}

AUDIENCE_FUNC void CsvReader::Start() {
  if (started_) return;
  started_ = true;
  if (buf_.empty()) Refill();
  if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
}

AUDIENCE_FUNC absl::Status CsvReader::Fail() {
  return absl::InvalidArgumentError(
      fmt::format("line {}, column {}: {}", error_.line, error_.column, error_.message));
}

AUDIENCE_FUNC absl::Status CsvReader::ReadHeader() {
  if (header_done_) return absl::OkStatus();
  header_done_ = true;
  if (!options_error_.ok()) return absl::OkStatus();  // reported by Next()
  Start();
  if (!options_.has_header) return absl::OkStatus();
  CsvRecord rec;
  absl::StatusOr<bool> more = NextRecord(&rec);
  if (!more.ok()) return more.status();
  if (*more) {
    for (std::string_view f : rec.fields) header_.emplace_back(f);
    --records_;
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<bool> CsvReader::Next(CsvRecord* record) {
  if (!options_error_.ok()) {  // reported once; then the reader is at its end
    absl::Status s = std::move(options_error_);
    options_error_ = absl::OkStatus();
    buf_.clear();
    pos_ = 0;
    eof_ = started_ = header_done_ = true;
    return s;
  }
  if (!header_done_) AUDIENCE_RETURN_IF_ERROR(ReadHeader());
  return NextRecord(record);
}

AUDIENCE_FUNC absl::StatusOr<bool> CsvReader::NextRecord(CsvRecord* record) {
  while (true) {
    switch (ParseRecord(record)) {
      case Parse::kRecord:
        ++records_;
        return true;
      case Parse::kEnd:
        return false;
      case Parse::kError:
        if (recovery_ == Recovery::kSkipLine) {
          pos_ = recovery_at_;
          line_ = recovery_line_;
          SkipLine();
        } else {
          const uint64_t fields = SkipRecord();
          if (recovery_ == Recovery::kTooManyFields) {
            error_.message = fmt::format("record has {} fields, more than max_fields ({})",
                                         fields, options_.max_fields);
          }
        }
        return Fail();
      case Parse::kNeedMore:
        break;
    }
    if (buf_.size() - pos_ > options_.max_record_bytes) {
      error_ = {line_, 1, fmt::format("record exceeds {} bytes", options_.max_record_bytes)};
      SkipLine();
      return Fail();
    }
    if (eof_ && !read_error_.empty()) {
      std::string msg = fmt::format("{}: cannot read past byte {} (line {}): {}", source_,
                                    consumed_ + buf_.size(), line_, read_error_);
      error_ = {line_, 1, msg};
      read_error_.clear();
      pos_ = buf_.size();  // the cut record is dropped; the next call ends
      return absl::DataLossError(msg);
    }
    Refill();
  }
}

// Skips from pos_ to the end of its physical line (a lone CR, LF or CRLF).
AUDIENCE_FUNC void CsvReader::SkipLine() {
  while (true) {
    const size_t nl = buf_.find_first_of("\r\n", pos_);
    if (nl != std::string::npos) {
      pos_ = nl + 1;
      if (buf_[nl] == '\r') {
        if (pos_ == buf_.size()) Refill();
        if (pos_ < buf_.size() && buf_[pos_] == '\n') ++pos_;
      }
      ++line_;
      return;
    }
    pos_ = buf_.size();
    if (!Refill()) return;
  }
}

// Skips the record starting at pos_ with the lenient grammar (a quote opens
// only at a field start; text after a closing quote continues the field),
// streaming so that memory stays bounded. Returns its number of fields.
AUDIENCE_FUNC uint64_t CsvReader::SkipRecord() {
  using csv_internal::IsBlank;
  const bool ws = options_.whitespace_separated, quoting = options_.quote != '\0';
  const char delim = options_.delimiter, quote = options_.quote;
  enum class S : uint8_t { kStart, kPlain, kQuoted, kClosed } s = S::kStart;
  uint64_t fields = ws ? 0 : 1;
  auto crlf = [&] {  // after a CR: consume a following LF
    if (pos_ == buf_.size()) Refill();
    if (pos_ < buf_.size() && buf_[pos_] == '\n') ++pos_;
  };
  while (true) {
    if (pos_ == buf_.size() && !Refill()) return fields;
    const char c = buf_[pos_++];
    if (s == S::kQuoted) {
      if (quoting && c == quote) {
        s = S::kClosed;
      } else if (c == '\n') {
        ++line_;
      } else if (c == '\r') {
        crlf();
        ++line_;
      }
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r') crlf();
      ++line_;
      return fields;
    }
    if (s == S::kClosed && c == quote) {
      s = S::kQuoted;
    } else if (ws ? IsBlank(c) : c == delim) {
      if (!ws) ++fields;
      s = S::kStart;
    } else if (s == S::kStart) {
      if (ws) ++fields;
      s = (quoting && c == quote) ? S::kQuoted : S::kPlain;
    } else {
      s = S::kPlain;
    }
  }
}

AUDIENCE_END_NAMESPACE

#include "audience/io/csv_parse-inl.h"

#endif  // AUDIENCE_IO_CSV_READER_INL_H_
