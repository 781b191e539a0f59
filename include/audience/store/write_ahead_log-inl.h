// Definitions for write_ahead_log.h.
#ifndef AUDIENCE_STORE_WRITE_AHEAD_LOG_INL_H_
#define AUDIENCE_STORE_WRITE_AHEAD_LOG_INL_H_

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "audience/base/byte_io.h"
#include "audience/base/file_io.h"
#include "audience/base/status_macros.h"
#include "audience/store/write_ahead_log.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace log_internal {

inline constexpr char kMagic[8] = {'\x89', 'A', 'U', 'D', 'W', 'A', 'L', '\n'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kRecordHeaderBytes = 8 + 4 + 8 + 8 + 1;
inline constexpr uint8_t kMaxType = static_cast<uint8_t>(LogRecordType::kCompactEvents);

inline std::string Header() {
  ByteWriter w;
  for (char c : kMagic) w.PutU8(static_cast<uint8_t>(c));
  w.PutU32(kVersion);
  w.PutU32(Crc32(w.data()));
  return w.Release();
}

struct RecordHead {
  uint64_t length = 0;
  uint32_t crc = 0;
  uint64_t lsn = 0, synced = 0;
  uint8_t type = 0;
};

// The record's checksum: over every field but itself, and the payload.
inline uint32_t RecordCrc(const RecordHead& h, std::string_view payload) {
  ByteWriter w;
  w.PutU64(h.length);
  w.PutU64(h.lsn);
  w.PutU64(h.synced);
  w.PutU8(h.type);
  return Crc32(payload, Crc32(w.data()));
}

// The record at `at` when it is whole and its checksum holds.
inline std::optional<RecordHead> WholeRecord(std::string_view bytes, size_t at) {
  if (at > bytes.size() || bytes.size() - at < kRecordHeaderBytes) return std::nullopt;
  ByteReader r(bytes.substr(at, kRecordHeaderBytes), "log record");
  RecordHead h;
  h.length = *r.GetU64("length");
  h.crc = *r.GetU32("checksum");
  h.lsn = *r.GetU64("lsn");
  h.synced = *r.GetU64("synced");
  h.type = *r.GetU8("type");
  if (h.length > bytes.size() - at - kRecordHeaderBytes) return std::nullopt;
  if (RecordCrc(h, bytes.substr(at + kRecordHeaderBytes, h.length)) != h.crc) return std::nullopt;
  return h;
}

// After a bad record at `at` that should have been number `lsn`: the offset
// of a later whole record written after record `lsn` was synced (so that
// record was durable and its damage is not a crash's), if any. Candidates
// are found by their sequence fields before the checksum is computed.
inline std::optional<size_t> LaterSyncedRecord(std::string_view bytes, size_t at, uint64_t lsn) {
  for (size_t p = at + 1; p + kRecordHeaderBytes <= bytes.size(); ++p) {
    uint64_t later = 0, synced = 0;
    std::memcpy(&later, bytes.data() + p + 12, 8);
    std::memcpy(&synced, bytes.data() + p + 20, 8);
    if (later <= lsn || synced < lsn || synced >= later) continue;
    if (WholeRecord(bytes, p)) return p;
  }
  return std::nullopt;
}

inline absl::Status Damaged(const std::string& path, uint64_t at, std::string_view why) {
  return absl::DataLossError(fmt::format("write-ahead log '{}' is damaged at byte {}: {}", path, at, why));
}

}  // namespace log_internal

AUDIENCE_FUNC absl::StatusOr<LogScan> ScanLog(
    const std::string& path, absl::FunctionRef<absl::Status(const LogRecord&)> visit) {
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (absl::IsNotFound(bytes.status())) return LogScan{};
  if (!bytes.ok()) return bytes.status();
  return ScanLogBytes(*bytes, path, visit);
}

AUDIENCE_FUNC absl::StatusOr<LogScan> ScanLogBytes(
    std::string_view bytes, const std::string& path,
    absl::FunctionRef<absl::Status(const LogRecord&)> visit) {
  using namespace log_internal;  // NOLINT: this unit's constants
  LogScan scan;
  // A header cut short (a crash while the file was created, before anything
  // was acknowledged) or all zeros reads as an empty log.
  const std::string header = Header();
  if (bytes.size() < kHeaderBytes) {
    if (std::string_view(header).substr(0, bytes.size()) != bytes &&
        bytes.find_first_not_of('\0') != std::string_view::npos) {
      return Damaged(path, 0, "a short file that is not a log header");
    }
    scan.dropped_bytes = bytes.size();
    return scan;
  }
  if (bytes.substr(0, kHeaderBytes) != header) {
    if (bytes.substr(0, 8) == std::string_view(kMagic, 8)) {
      ByteReader r(bytes.substr(8, 4), "log header");
      const uint32_t version = *r.GetU32("version");
      if (version != kVersion) {
        return absl::FailedPreconditionError(fmt::format(
            "write-ahead log '{}' has format version {}; this library reads version {}", path,
            version, kVersion));
      }
    }
    return Damaged(path, 0, "not a write-ahead log header");
  }
  const std::string_view all = bytes;
  size_t at = kHeaderBytes;
  while (at < bytes.size()) {
    const std::optional<RecordHead> h = WholeRecord(all, at);
    if (!h) {
      const uint64_t expected = scan.last_lsn + 1;
      if (std::optional<size_t> later = LaterSyncedRecord(all, at, expected)) {
        return Damaged(path, at,
                       fmt::format("record {} is unreadable but the record at byte {} was "
                                   "written after it was synced",
                                   expected, *later));
      }
      scan.dropped_bytes = bytes.size() - at;  // a torn tail: never acknowledged
      break;
    }
    if (h->type == 0 || h->type > kMaxType) {
      return Damaged(path, at, fmt::format("unknown record type {}", h->type));
    }
    if (h->lsn == 0 || (scan.records > 0 && h->lsn != scan.last_lsn + 1)) {
      return Damaged(path, at, fmt::format("sequence number {} follows {}", h->lsn, scan.last_lsn));
    }
    const std::string_view payload = all.substr(at + kRecordHeaderBytes, h->length);
    absl::Status visited = visit(LogRecord{h->lsn, static_cast<LogRecordType>(h->type), payload});
    if (!visited.ok()) return visited;
    ++scan.records;
    scan.last_lsn = h->lsn;
    at += kRecordHeaderBytes + h->length;
  }
  scan.valid_bytes = at;
  return scan;
}

AUDIENCE_FUNC absl::StatusOr<LogWriter> LogWriter::Open(const std::string& path,
                                                         uint64_t valid_bytes, uint64_t last_lsn) {
  if (valid_bytes == 0) {
    AUDIENCE_RETURN_IF_ERROR(WriteFileAtomically(path, log_internal::Header()));
    valid_bytes = log_internal::kHeaderBytes;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(SystemError("cannot open", path));
  LogWriter log(path, fd, valid_bytes);
  log.appended_lsn_ = log.synced_lsn_ = last_lsn;
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return absl::UnavailableError(SystemError("cannot seek", path));
  // The records kept may still sit in the page cache only (the process, not
  // the machine, crashed): sync them before anything is appended after them.
  if (static_cast<uint64_t>(end) != valid_bytes &&
      ::ftruncate(fd, static_cast<off_t>(valid_bytes)) != 0) {
    return absl::UnavailableError(SystemError("cannot cut the torn tail of", path));
  }
  if (::fdatasync(fd) != 0) return absl::UnavailableError(SystemError("cannot sync", path));
  if (::lseek(fd, static_cast<off_t>(valid_bytes), SEEK_SET) < 0) {
    return absl::UnavailableError(SystemError("cannot seek", path));
  }
  return log;
}

AUDIENCE_FUNC LogWriter::LogWriter(LogWriter&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      bytes_(other.bytes_),
      appended_lsn_(other.appended_lsn_),
      synced_lsn_(other.synced_lsn_) {}

AUDIENCE_FUNC LogWriter& LogWriter::operator=(LogWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    bytes_ = other.bytes_;
    appended_lsn_ = other.appended_lsn_;
    synced_lsn_ = other.synced_lsn_;
  }
  return *this;
}

AUDIENCE_FUNC LogWriter::~LogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

AUDIENCE_FUNC absl::Status LogWriter::Append(uint64_t lsn, LogRecordType type,
                                             std::string_view payload) {
  log_internal::RecordHead h{.length = payload.size(), .lsn = lsn, .synced = synced_lsn_,
                            .type = static_cast<uint8_t>(type)};
  ByteWriter w;
  w.PutU64(h.length);
  w.PutU32(log_internal::RecordCrc(h, payload));
  w.PutU64(h.lsn);
  w.PutU64(h.synced);
  w.PutU8(h.type);
  std::string record = w.Release();
  record.append(payload);
  AUDIENCE_RETURN_IF_ERROR(WriteAll(fd_, record, path_));
  bytes_ += record.size();
  appended_lsn_ = lsn;
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status LogWriter::Sync() {
  if (::fdatasync(fd_) != 0) return absl::UnavailableError(SystemError("cannot sync", path_));
  synced_lsn_ = appended_lsn_;
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status LogWriter::Reset() {
  const auto header = static_cast<off_t>(log_internal::kHeaderBytes);
  if (::ftruncate(fd_, header) != 0 || ::lseek(fd_, header, SEEK_SET) < 0 ||
      ::fdatasync(fd_) != 0) {
    return absl::UnavailableError(SystemError("cannot empty", path_));
  }
  bytes_ = log_internal::kHeaderBytes;
  return absl::OkStatus();
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_WRITE_AHEAD_LOG_INL_H_
