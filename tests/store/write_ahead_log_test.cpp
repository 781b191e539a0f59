#include "audience/store/write_ahead_log.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "scoped_temp_path.h"

using namespace audience;
using audience_test::ScopedTempPath;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAllBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

struct Seen {
  std::vector<uint64_t> lsns;
  std::vector<std::string> payloads;
};

absl::StatusOr<LogScan> Scan(const std::string& path, Seen* seen) {
  return ScanLog(path, [&](const LogRecord& r) {
    seen->lsns.push_back(r.lsn);
    seen->payloads.emplace_back(r.payload);
    return absl::OkStatus();
  });
}

// Writes records 1..n with payloads "record-i" (i repeated i times), syncing
// after each unless `sync_every` says otherwise. Returns each record's end.
std::vector<uint64_t> WriteLog(const std::string& path, int n, int sync_every = 1) {
  absl::StatusOr<LogWriter> log = LogWriter::Open(path, 0, 0);
  REQUIRE(log.ok());
  std::vector<uint64_t> ends;
  for (int i = 1; i <= n; ++i) {
    std::string payload;
    for (int k = 0; k < i; ++k) payload += "record-" + std::to_string(i);
    REQUIRE(log->Append(static_cast<uint64_t>(i), LogRecordType::kBatch, payload).ok());
    if (i % sync_every == 0) REQUIRE(log->Sync().ok());
    ends.push_back(log->bytes());
  }
  return ends;
}

}  // namespace

TEST_CASE("log records come back in order", "[store][wal]") {
  const ScopedTempPath path_guard("wal_order.log");
  const std::string& path = path_guard.path();
  WriteLog(path, 5);
  Seen seen;
  absl::StatusOr<LogScan> scan = Scan(path, &seen);
  REQUIRE(scan.ok());
  CHECK(scan->records == 5);
  CHECK(scan->last_lsn == 5);
  CHECK(scan->dropped_bytes == 0);
  CHECK(scan->valid_bytes == std::filesystem::file_size(path));
  CHECK(seen.lsns == std::vector<uint64_t>{1, 2, 3, 4, 5});
  CHECK(seen.payloads[1] == "record-2record-2");
  // A missing log is an empty one.
  Seen none;
  absl::StatusOr<LogScan> missing = Scan(ScopedTempPath("wal_missing.log").path(), &none);
  REQUIRE(missing.ok());
  CHECK(missing->valid_bytes == 0);
  CHECK(none.lsns.empty());
}

TEST_CASE("a torn last record is dropped at every cut", "[store][wal][crash]") {
  const ScopedTempPath path_guard("wal_torn.log");
  const std::string& path = path_guard.path();
  const std::vector<uint64_t> ends = WriteLog(path, 4);
  const std::string whole = ReadAll(path);
  for (uint64_t cut = ends[2]; cut < ends[3]; ++cut) {
    WriteAllBytes(path, whole.substr(0, cut));
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(path, &seen);
    REQUIRE(scan.ok());
    CHECK(scan->records == 3);
    CHECK(scan->valid_bytes == ends[2]);
    CHECK(scan->dropped_bytes == cut - ends[2]);
  }
  // The file system extended the file but never wrote the record: zeros.
  WriteAllBytes(path, whole.substr(0, ends[2]) + std::string(200, '\0'));
  Seen seen;
  absl::StatusOr<LogScan> zeros = Scan(path, &seen);
  REQUIRE(zeros.ok());
  CHECK(zeros->records == 3);
  CHECK(zeros->dropped_bytes == 200);
  // Reopening for writes cuts the tail off and continues the numbering.
  {
    absl::StatusOr<LogWriter> log = LogWriter::Open(path, zeros->valid_bytes, zeros->last_lsn);
    REQUIRE(log.ok());
    REQUIRE(log->Append(4, LogRecordType::kBatch, "again").ok());
    REQUIRE(log->Sync().ok());
  }
  Seen after;
  absl::StatusOr<LogScan> rescan = Scan(path, &after);
  REQUIRE(rescan.ok());
  CHECK(after.lsns == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(after.payloads[3] == "again");
  CHECK(rescan->dropped_bytes == 0);
}

TEST_CASE("damage before the tail is an error, not a truncation", "[store][wal][errors]") {
  const ScopedTempPath path_guard("wal_middle.log");
  const std::string& path = path_guard.path();
  const std::vector<uint64_t> ends = WriteLog(path, 4);
  const std::string whole = ReadAll(path);
  SECTION("a flipped payload byte in a synced record") {
    std::string bad = whole;
    bad[ends[0] + 40] ^= 0x10;  // inside record 2
    WriteAllBytes(path, bad);
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(path, &seen);
    REQUIRE_FALSE(scan.ok());
    CHECK(scan.status().code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(std::string(scan.status().message()),
               Catch::Contains("byte " + std::to_string(ends[0])) &&
                   Catch::Contains("record 2 is unreadable"));
  }
  SECTION("a break in the sequence") {
    const ScopedTempPath gap_path_guard("wal_gap.log");
  const std::string& gap_path = gap_path_guard.path();
    absl::StatusOr<LogWriter> log = LogWriter::Open(gap_path, 0, 0);
    REQUIRE(log.ok());
    REQUIRE(log->Append(1, LogRecordType::kBatch, "a").ok());
    REQUIRE(log->Append(3, LogRecordType::kBatch, "c").ok());
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(gap_path, &seen);
    REQUIRE_FALSE(scan.ok());
    CHECK_THAT(std::string(scan.status().message()), Catch::Contains("sequence number 3 follows 1"));
  }
  SECTION("a header from elsewhere") {
    std::string bad = whole;
    bad[3] = 'X';
    WriteAllBytes(path, bad);
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(path, &seen);
    REQUIRE_FALSE(scan.ok());
    CHECK_THAT(std::string(scan.status().message()), Catch::Contains("not a write-ahead log"));
  }
  SECTION("a newer format version is named") {
    std::string bad = whole;
    bad[8] = 9;
    WriteAllBytes(path, bad);
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(path, &seen);
    REQUIRE_FALSE(scan.ok());
    CHECK_THAT(std::string(scan.status().message()), Catch::Contains("format version 9"));
  }
}

TEST_CASE("damage among records written after the last sync is a torn tail",
          "[store][wal][crash]") {
  // Records 3 and 4 were appended together and never synced: the file
  // system may have written 4's pages and not 3's. Neither was
  // acknowledged, so both go.
  const ScopedTempPath path_guard("wal_group.log");
  const std::string& path = path_guard.path();
  const std::vector<uint64_t> ends = WriteLog(path, 4, 2);  // syncs after 2 and 4
  std::string bad = ReadAll(path);
  // Undo the sync of 4 in the story: rewrite as if 3 and 4 were both unsynced.
  {
    absl::StatusOr<LogWriter> log = LogWriter::Open(path, ends[1], 2);
    REQUIRE(log.ok());
    REQUIRE(log->Append(3, LogRecordType::kBatch, std::string(300, 'x')).ok());
    REQUIRE(log->Append(4, LogRecordType::kBatch, std::string(300, 'y')).ok());
  }
  bad = ReadAll(path);
  for (size_t k = ends[1]; k < ends[1] + 100; ++k) bad[k] = 0;  // record 3 never reached disk
  WriteAllBytes(path, bad);
  Seen seen;
  absl::StatusOr<LogScan> scan = Scan(path, &seen);
  REQUIRE(scan.ok());
  CHECK(seen.lsns == std::vector<uint64_t>{1, 2});
  CHECK(scan->dropped_bytes == bad.size() - ends[1]);
}

TEST_CASE("hostile log bytes never crash the scan", "[store][wal][errors]") {
  const ScopedTempPath path_guard("wal_hostile.log");
  const std::string& path = path_guard.path();
  WriteLog(path, 6);
  const std::string whole = ReadAll(path);
  uint64_t state = 12345;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = whole;
    for (int k = 0; k < 1 + trial % 5; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      bad[(state >> 33) % bad.size()] = static_cast<char>(state >> 17);
    }
    WriteAllBytes(path, bad);
    Seen seen;
    absl::StatusOr<LogScan> scan = Scan(path, &seen);
    if (scan.ok()) {
      // Whatever is kept is an unbroken prefix of what was written.
      for (size_t i = 0; i < seen.lsns.size(); ++i) CHECK(seen.lsns[i] == i + 1);
    }
  }
}
