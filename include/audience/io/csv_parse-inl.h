// CsvReader::ParseRecord, the record parser (part of csv_reader-inl.h). It
// parses from pos_ and commits pos_/line_ only for a whole record or for
// skipped blank lines, so a record cut by the end of the buffer is simply
// parsed again after Refill (once per 1 MiB chunk at most).
#ifndef AUDIENCE_IO_CSV_PARSE_INL_H_
#define AUDIENCE_IO_CSV_PARSE_INL_H_

#include <array>
#include <bit>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "audience/io/csv_reader.h"
#include "audience/schema/schema.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace csv_internal {

// Offset of the first NUL byte or ill-formed UTF-8 sequence, or npos. ASCII
// (the common case) is checked inline.
inline size_t FirstBadByte(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0 || c >= 0x80) break;
    ++i;
  }
  if (i == s.size()) return std::string_view::npos;
  if (s[i] == '\0') return i;
  const size_t nul = s.find('\0', i);
  const size_t bad = schema_internal::FirstInvalidUtf8(s.substr(i));
  return std::min(nul, bad == std::string_view::npos ? bad : i + bad);
}

// First offset in [i, n) of a byte `special` marks (the four `stops`, NUL
// or non-ASCII), or n. With SSE2 (every x86-64) 16 bytes a step: the stop
// bytes and NUL compared, non-ASCII read off the high bit.
inline size_t FindSpecial(const char* b, size_t i, size_t n, const std::array<char, 4>& stops,
                          const std::array<bool, 256>& special) {
#if defined(__SSE2__)
  const __m128i s0 = _mm_set1_epi8(stops[0]), s1 = _mm_set1_epi8(stops[1]);
  const __m128i s2 = _mm_set1_epi8(stops[2]), s3 = _mm_set1_epi8(stops[3]);
  const __m128i zero = _mm_setzero_si128();
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, s0), _mm_cmpeq_epi8(v, s1)),
                     _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, s2), _mm_cmpeq_epi8(v, s3)),
                                  _mm_cmpeq_epi8(v, zero)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit) | _mm_movemask_epi8(v));
    if (mask != 0) return i + static_cast<size_t>(std::countr_zero(mask));
  }
#else
  (void)stops;
#endif
  while (i < n && !special[static_cast<unsigned char>(b[i])]) ++i;
  return i;
}

}  // namespace csv_internal

// Line and column of unescaped byte `offset` of the field at raw position
// field_at (rescans the raw text; only used to report an error).
AUDIENCE_FUNC std::pair<uint64_t, size_t> CsvReader::Locate(size_t field_at, bool quoted,
                                                           uint64_t line, size_t line_start,
                                                           size_t offset) const {
  size_t k = field_at + (quoted ? 1 : 0);
  for (size_t u = 0; u < offset; ++u) {
    if (quoted && buf_[k] == options_.quote) {  // "" before the offset
      k += 2;
      continue;
    }
    if (buf_[k] == '\n' || (buf_[k] == '\r' && buf_[k + 1] != '\n')) {
      ++line;
      line_start = k + 1;
    }
    ++k;
  }
  return {line, k - line_start + 1};
}

AUDIENCE_FUNC CsvReader::Parse CsvReader::ParseRecord(CsvRecord* record) {
  using csv_internal::IsBlank;
  using csv_internal::IsLineEnd;
  const bool ws = options_.whitespace_separated, quoting = options_.quote != '\0';
  const char delim = options_.delimiter, quote = options_.quote;
  const bool end = eof_ && read_error_.empty();  // no more input will come
  const char* const b = buf_.data();
  const size_t n = buf_.size();
  size_t i = pos_;
  uint64_t line = line_;

  // A record (or run of blanks) longer than max_record_bytes is reported as
  // such wherever the parse stops, so that the outcome does not depend on
  // how the input was cut into chunks (NextRecord checks the incomplete case).
  auto too_long = [&](size_t at, uint64_t at_line) {
    error_ = {at_line, 1, fmt::format("record exceeds {} bytes", options_.max_record_bytes)};
    recovery_ = Recovery::kSkipLine;
    recovery_at_ = at;
    recovery_line_ = at_line;
    return Parse::kError;
  };
  // Blank lines (in whitespace mode, lines of blanks) yield no record.
  while (true) {
    size_t j = i;
    if (ws) {
      while (j < n && IsBlank(b[j])) ++j;
      if (j - i > options_.max_record_bytes) return too_long(i, line);
    }
    if (j == n) {
      if (!end) return Parse::kNeedMore;
      pos_ = n;
      line_ = line;
      return Parse::kEnd;
    }
    if (!IsLineEnd(b[j])) break;
    if (b[j] == '\r' && j + 1 == n && !end) return Parse::kNeedMore;
    i = j + ((b[j] == '\r' && j + 1 < n && b[j + 1] == '\n') ? 2 : 1);
    pos_ = i;
    line_ = ++line;
  }

  const size_t record_start = i;
  const uint64_t record_line = line;
  size_t line_start = i;
  scratch_.clear();
  spans_.clear();
  record->columns.clear();
  // `scanned`: how far the parse got when it found the error.
  auto error = [&](size_t scanned, uint64_t at_line, size_t column, std::string message,
                   Recovery how) {
    if (scanned - record_start > options_.max_record_bytes) {
      return too_long(record_start, record_line);
    }
    error_ = {at_line, static_cast<uint32_t>(std::min<size_t>(column, UINT32_MAX)),
              std::move(message)};
    recovery_ = how;
    return Parse::kError;
  };
  while (true) {
    if (ws) {
      while (i < n && IsBlank(b[i])) ++i;
    }
    const size_t field_at = i, field_line_start = line_start;
    const uint64_t field_line = line;
    const size_t field_column = field_at - field_line_start + 1;
    Span span{i, 0, false};
    bool checked = false;  // the fast scan saw only ASCII without NUL
    const bool quoted = quoting && i < n && b[i] == quote;
    if (quoted) {
      ++i;
      span.at = i;
      while (true) {
        const void* found = std::memchr(b + i, quote, n - i);
        const size_t q = found ? static_cast<size_t>(static_cast<const char*>(found) - b) : n;
        if (q == n && !end) return Parse::kNeedMore;
        for (size_t k = i; k < q; ++k) {  // line breaks inside the quotes
          if (b[k] == '\n' || (b[k] == '\r' && (k + 1 == n || b[k + 1] != '\n'))) {
            ++line;
            line_start = k + 1;
          }
        }
        if (q == n) {
          recovery_at_ = field_at;
          recovery_line_ = field_line;
          return error(n, field_line, field_column, "unterminated quoted field (opened here)",
                       Recovery::kSkipLine);
        }
        const bool escape = q + 1 < n && b[q + 1] == quote;  // "" is one quote
        // The first "" comes at the end of the first run (a run ends only at
        // one), so the unescaped copy starts with this run.
        if (escape && !span.escaped) span = {scratch_.size(), 0, true};
        if (span.escaped) scratch_.append(b + i, q - i + (escape ? 1 : 0));
        i = q + 1;
        if (i == n && !end) return Parse::kNeedMore;
        if (escape) {
          ++i;
          continue;
        }
        span.size = span.escaped ? scratch_.size() - span.at : q - span.at;
        break;
      }
      if (i < n && !IsLineEnd(b[i]) && !(ws ? IsBlank(b[i]) : b[i] == delim)) {
        return error(i, line, i - line_start + 1,
                     fmt::format("unexpected character '{}' after closing quote",
                                 schema_internal::Shown(std::string_view(b + i, 1))),
                     Recovery::kSkipRecord);
      }
    } else {
      size_t j = csv_internal::FindSpecial(b, i, n, stop_chars_, special_);
      checked = j == n || stops_[static_cast<unsigned char>(b[j])];
      while (j < n && !stops_[static_cast<unsigned char>(b[j])]) ++j;  // NUL or non-ASCII seen
      if (j == n && !end) return Parse::kNeedMore;
      span.size = j - i;
      i = j;
    }
    const std::string_view field((span.escaped ? scratch_.data() : b) + span.at, span.size);
    if (field.size() > options_.max_field_bytes) {
      return error(i, field_line, field_column,
                   fmt::format("field exceeds {} bytes", options_.max_field_bytes),
                   Recovery::kSkipRecord);
    }
    if (const size_t bad = checked ? std::string_view::npos : csv_internal::FirstBadByte(field);
        bad != std::string_view::npos) {
      auto [bad_line, bad_column] = Locate(field_at, quoted, field_line, field_line_start, bad);
      const auto byte = static_cast<unsigned char>(field[bad]);
      return error(i, bad_line, bad_column,
                   byte == 0 ? std::string("NUL byte")
                             : fmt::format("invalid UTF-8 byte 0x{:02x}", byte),
                   Recovery::kSkipRecord);
    }
    spans_.push_back(span);
    record->columns.push_back(static_cast<uint32_t>(std::min<size_t>(field_column, UINT32_MAX)));
    if (spans_.size() > options_.max_fields) {
      return error(i, field_line, field_column, "", Recovery::kTooManyFields);
    }
    if (ws) {
      while (i < n && IsBlank(b[i])) ++i;
      if (i == n && !end) return Parse::kNeedMore;
      if (i < n && !IsLineEnd(b[i])) continue;
    } else if (i < n && b[i] == delim) {
      ++i;
      continue;
    }
    if (i < n) {  // the line end; at n the input ended
      if (b[i] == '\r' && i + 1 == n && !end) return Parse::kNeedMore;
      i += (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n') ? 2 : 1;
      ++line;
    }
    break;
  }
  if (i - record_start > options_.max_record_bytes) return too_long(record_start, record_line);
  pos_ = i;
  line_ = line;
  record->line = record_line;
  record->fields.clear();
  for (const Span& span : spans_) {
    record->fields.emplace_back((span.escaped ? scratch_.data() : b) + span.at, span.size);
  }
  return Parse::kRecord;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IO_CSV_PARSE_INL_H_
