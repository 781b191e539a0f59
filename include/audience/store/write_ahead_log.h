// The write-ahead log: an append-only file of the writes made since the last
// snapshot, each record checksummed, so that a Database (store/database.h)
// can replay them after a crash.
//
//   AUDIENCE_ASSIGN_OR_RETURN(LogScan scan, ScanLog(path, [&](const LogRecord& r) {
//     return Replay(r);                       // every whole record, in order
//   }));
//   AUDIENCE_ASSIGN_OR_RETURN(LogWriter log,
//                             LogWriter::Open(path, scan.valid_bytes, scan.last_lsn));
//   AUDIENCE_RETURN_IF_ERROR(log.Append(scan.last_lsn + 1, LogRecordType::kBatch, bytes));
//   AUDIENCE_RETURN_IF_ERROR(log.Sync());     // now the record survives a crash
//
// File (little-endian): a 16-byte header (8-byte magic "\x89AUDWAL\n", u32
// format version 1, u32 CRC-32 of the 12 bytes before it), then records:
//   u64 payload length, u32 CRC-32 of everything else in the record,
//   u64 sequence number (lsn), u64 synced lsn (the last record known
//   durable when this one was written), u8 type, payload.
// Sequence numbers rise by one from record to record.
//
// What a scan makes of damage. A record is acknowledged only after a sync
// that covers it, so a crash can damage only records written after the last
// sync, in any order the file system chose to write their pages. The first
// record that is incomplete or fails its checksum therefore ends the log as
// a torn tail (dropped, its bytes reported) unless a later whole record says
// it was written after the bad one was synced: then the bad record had been
// durable, and the damage is corruption, not a crash. Corruption, a bad
// header or a break in the sequence numbers is DataLoss naming the byte
// offset, never a silent truncation.
#ifndef AUDIENCE_STORE_WRITE_AHEAD_LOG_H_
#define AUDIENCE_STORE_WRITE_AHEAD_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

enum class LogRecordType : uint8_t {
  kBatch = 1,          // payload: EncodeBatch (store/batch_codec.h)
  kSchema = 2,         // payload: the whole schema as JSON after the change
  kPutSegment = 3,     // payload: name, query text (length-prefixed strings)
  kRemoveSegment = 4,  // payload: name
  kSweepExpired = 5,   // payload: the sweep's time (EncodeTime)
  kCompactEvents = 6,  // payload: the horizon (EncodeTime)
};

struct LogRecord {
  uint64_t lsn = 0;
  LogRecordType type = LogRecordType::kBatch;
  std::string_view payload;  // valid during the visit only
};

struct LogScan {
  uint64_t records = 0;
  uint64_t last_lsn = 0;       // 0 when there are no records
  uint64_t valid_bytes = 0;    // header and whole records: where appends go; 0 if no file
  uint64_t dropped_bytes = 0;  // a torn tail after them
};

// Calls `visit` on every whole record in order; an error from `visit` stops
// the scan and is returned. A missing file is an empty scan.
absl::StatusOr<LogScan> ScanLog(const std::string& path,
                                absl::FunctionRef<absl::Status(const LogRecord&)> visit);
// The same over the file's bytes; `path` only names it in errors.
absl::StatusOr<LogScan> ScanLogBytes(std::string_view bytes, const std::string& path,
                                     absl::FunctionRef<absl::Status(const LogRecord&)> visit);

class LogWriter {
 public:
  // Opens `path` for appending at `valid_bytes` after record `last_lsn`
  // (ScanLog's): creates the file with its header, durably, when
  // valid_bytes is 0; otherwise cuts off whatever follows valid_bytes (a
  // dropped torn tail) and syncs what is kept.
  static absl::StatusOr<LogWriter> Open(const std::string& path, uint64_t valid_bytes,
                                        uint64_t last_lsn);

  LogWriter(LogWriter&& other) noexcept;
  LogWriter& operator=(LogWriter&& other) noexcept;
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  ~LogWriter();

  // Writes one record (not yet durable: call Sync). On error the file may
  // hold part of the record; the caller must stop appending (the next
  // open drops the torn part).
  absl::Status Append(uint64_t lsn, LogRecordType type, std::string_view payload);
  // Makes every appended record durable (fdatasync).
  absl::Status Sync();
  // Empties the log back to its header, durably (after a checkpoint).
  absl::Status Reset();
  uint64_t bytes() const { return bytes_; }
  uint64_t synced_lsn() const { return synced_lsn_; }
  const std::string& path() const { return path_; }

 private:
  LogWriter(std::string path, int fd, uint64_t bytes) : path_(std::move(path)), fd_(fd), bytes_(bytes) {}

  std::string path_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
  uint64_t appended_lsn_ = 0;  // the last record written
  uint64_t synced_lsn_ = 0;    // the last record made durable
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/write_ahead_log-inl.h"
#endif

#endif  // AUDIENCE_STORE_WRITE_AHEAD_LOG_H_
