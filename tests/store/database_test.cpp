#include "audience/store/database.h"

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "audience/store/snapshot.h"
#include "scoped_temp_path.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullSchema;
using audience_test::ScopedTempPath;

namespace {

std::unique_ptr<Database> MustOpen(const std::string& dir, DatabaseOptions options = {}) {
  if (options.schema.dimensions().empty()) options.schema = FullSchema();
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir, std::move(options));
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return *std::move(db);
}

WriteBatch People(int from, int to) {
  WriteBatch b(Day(2026, 4, 1));
  for (int i = from; i < to; ++i) {
    b.Tag(ExternalId::Int(i), "interest", i % 2 ? "fashion" : "tech");
    b.SetAttribute(ExternalId::Int(i), "age", Value::Int(20 + i % 50));
  }
  return b;
}

}  // namespace

TEST_CASE("a database reopens with every acknowledged write", "[store][database]") {
  const ScopedTempPath temp("db_reopen");
  const std::string& dir = temp.path();
  std::string expected;
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 100)).ok());
    REQUIRE(db->AddDimension({.name = "club"}).ok());
    WriteBatch club(Day(2026, 4, 2));
    club.Tag(ExternalId::Int(3), "club", "gold");
    club.Purchase(ExternalId::Int(3), Day(2026, 4, 2), 12.5, {{"category", "shoes"}}, "o-9");
    REQUIRE(db->Apply(club).ok());
    REQUIRE(db->PutSegment("young", "age < 30").ok());
    REQUIRE(db->SweepExpired(Day(2026, 4, 3)).ok());
    REQUIRE(db->CompactEvents(Day(2026, 4, 3)).ok());
    CHECK(db->last_lsn() == 6);
    expected = EncodeSnapshot(*db->Read());
  }
  auto db = MustOpen(dir);
  CHECK(db->recovery().snapshot_lsn == 0);
  CHECK(db->recovery().replayed == 6);
  CHECK(db->recovery().dropped_bytes == 0);
  CHECK(EncodeSnapshot(*db->Read()) == expected);
  CHECK(*db->Read()->CountTag("club", "gold", Day(2026, 4, 3)) == 1);
  CHECK(db->Read()->FindSegment("young") != nullptr);
  // Writes continue the numbering.
  REQUIRE(db->Apply(People(100, 110)).ok());
  CHECK(db->last_lsn() == 7);
}

TEST_CASE("an invalid write changes nothing and is not logged", "[store][database][errors]") {
  const ScopedTempPath temp("db_invalid");
  const std::string& dir = temp.path();
  auto db = MustOpen(dir);
  REQUIRE(db->Apply(People(0, 10)).ok());
  WriteBatch bad(Day(2026, 4, 1));
  bad.Tag(ExternalId::Int(50), "interest", "books");
  bad.SetAttribute(ExternalId::Int(51), "age", Value::Enum("old"));
  absl::StatusOr<ApplyResult> r = db->Apply(bad);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("row 2"));
  CHECK_FALSE(db->AddDimension({.name = "interest"}).ok());
  CHECK(db->last_lsn() == 1);
  CHECK(db->Read()->person_count() == 10);
  CHECK(db->health().ok());
  db.reset();
  auto again = MustOpen(dir);
  CHECK(again->recovery().replayed == 1);
  CHECK(again->Read()->person_count() == 10);
}

TEST_CASE("opening a missing database without create_if_missing creates nothing",
          "[store][database][errors]") {
  const ScopedTempPath temp("db_missing");
  const std::string& dir = temp.path();
  absl::StatusOr<std::unique_ptr<Database>> db =
      Database::Open(dir, {.create_if_missing = false, .schema = FullSchema()});
  CHECK(db.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(db.status().message()), Catch::Contains("store.aud is missing"));
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("a log without its snapshot is refused and kept", "[store][database][errors]") {
  const ScopedTempPath temp("db_orphan_log");
  const std::string& dir = temp.path();
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 10)).ok());
  }
  std::filesystem::remove(dir + "/store.aud");
  const auto log_bytes = std::filesystem::file_size(dir + "/wal.log");
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir, {.schema = FullSchema()});
  CHECK(db.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(db.status().message()), Catch::Contains("refusing to start over"));
  CHECK_FALSE(std::filesystem::exists(dir + "/store.aud"));
  CHECK(std::filesystem::file_size(dir + "/wal.log") == log_bytes);
}

TEST_CASE("a failed log write poisons the database and loses nothing acknowledged",
          "[store][database][errors]") {
  const ScopedTempPath temp("db_poison");
  const std::string& dir = temp.path();
  std::string acknowledged;
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 10)).ok());
    acknowledged = EncodeSnapshot(*db->Read());
    // The file-size limit stops the next append part way (EFBIG), as a full
    // disk would; SIGXFSZ is ignored so that the write returns an error.
    const auto log_bytes = std::filesystem::file_size(dir + "/wal.log");
    rlimit old_limit{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    void (*old_handler)(int) = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old_limit;
    small.rlim_cur = static_cast<rlim_t>(log_bytes + 10);
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    absl::StatusOr<ApplyResult> failed = db->Apply(People(10, 20));
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.status().code() == absl::StatusCode::kUnavailable);
    // Poisoned: the disk is fine again, but nothing more is accepted, and
    // readers still see exactly the acknowledged state.
    CHECK(db->health() == failed.status());
    CHECK(db->Apply(People(20, 30)).status() == failed.status());
    CHECK(db->PutSegment("young", "age < 30") == failed.status());
    CHECK(db->Checkpoint() == failed.status());
    CHECK(EncodeSnapshot(*db->Read()) == acknowledged);
  }
  // The torn record was never acknowledged: reopening drops it.
  auto db = MustOpen(dir);
  CHECK(db->recovery().replayed == 1);
  CHECK(db->recovery().dropped_bytes == 10);
  CHECK(EncodeSnapshot(*db->Read()) == acknowledged);
  REQUIRE(db->Apply(People(10, 20)).ok());
  CHECK(db->Read()->person_count() == 20);
}

TEST_CASE("a checkpoint empties the log and the next open starts from it", "[store][database]") {
  const ScopedTempPath temp("db_checkpoint");
  const std::string& dir = temp.path();
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 50)).ok());
    REQUIRE(db->Apply(People(50, 80)).ok());
    REQUIRE(db->Checkpoint().ok());
    CHECK(std::filesystem::file_size(dir + "/wal.log") == 16);
    REQUIRE(db->Apply(People(80, 90)).ok());
  }
  auto db = MustOpen(dir);
  CHECK(db->recovery().snapshot_lsn == 2);
  CHECK(db->recovery().replayed == 1);
  CHECK(db->Read()->person_count() == 90);
  CHECK(db->last_lsn() == 3);
}

TEST_CASE("a log that the snapshot already holds is not replayed twice", "[store][database][crash]") {
  // A crash after the checkpoint's snapshot was renamed into place but
  // before the log was emptied.
  const ScopedTempPath temp("db_double");
  const std::string& dir = temp.path();
  std::string log_bytes;
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 40)).ok());
    REQUIRE(db->Apply(People(40, 60)).ok());
    log_bytes = std::string(std::filesystem::file_size(dir + "/wal.log"), '\0');
    std::FILE* f = std::fopen((dir + "/wal.log").c_str(), "rb");
    REQUIRE(std::fread(log_bytes.data(), 1, log_bytes.size(), f) == log_bytes.size());
    std::fclose(f);
    REQUIRE(db->Checkpoint().ok());
  }
  std::FILE* f = std::fopen((dir + "/wal.log").c_str(), "wb");
  std::fwrite(log_bytes.data(), 1, log_bytes.size(), f);
  std::fclose(f);
  {
    auto db = MustOpen(dir);
    CHECK(db->recovery().replayed == 0);
    CHECK(db->Read()->person_count() == 60);
    REQUIRE(db->Apply(People(60, 61)).ok());
    CHECK(db->last_lsn() == 3);
  }
  auto db = MustOpen(dir);
  CHECK(db->Read()->person_count() == 61);
}

TEST_CASE("a log with a gap after the snapshot is refused", "[store][database][errors]") {
  const ScopedTempPath temp("db_gap");
  const std::string& dir = temp.path();
  {
    auto db = MustOpen(dir);
    REQUIRE(db->Apply(People(0, 10)).ok());
  }
  // Put back the empty first snapshot... by writing a log that starts at 5.
  std::filesystem::remove(dir + "/wal.log");
  {
    absl::StatusOr<LogWriter> log = LogWriter::Open(dir + "/wal.log", 0, 4);
    REQUIRE(log.ok());
    REQUIRE(log->Append(5, LogRecordType::kSweepExpired, std::string("\x01", 1)).ok());
  }
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(dir, {.schema = FullSchema()});
  REQUIRE_FALSE(db.ok());
  CHECK_THAT(std::string(db.status().message()),
             Catch::Contains("resumes at record 5 but the snapshot ends at record 0"));
}

TEST_CASE("grouped syncs acknowledge every concurrent write", "[store][database]") {
  const ScopedTempPath temp("db_grouped");
  const std::string& dir = temp.path();
  {
    auto db = MustOpen(dir, {.sync = SyncPolicy::kGrouped, .group_delay = absl::Milliseconds(1)});
    std::vector<std::thread> writers;
    std::atomic<int> failed{0};  // Catch2 assertions are not thread-safe
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int k = 0; k < 25; ++k) {
          const int from = (t * 25 + k) * 10;
          if (!db->Apply(People(from, from + 10)).ok()) failed.fetch_add(1);
        }
      });
    }
    for (std::thread& w : writers) w.join();
    CHECK(failed.load() == 0);
    CHECK(db->last_lsn() == 100);
    CHECK(db->Read()->person_count() == 1000);
  }
  auto db = MustOpen(dir);
  CHECK(db->recovery().replayed == 100);
  CHECK(db->Read()->person_count() == 1000);
}

TEST_CASE("readers see whole batches while one thread writes", "[store][database][concurrency]") {
  // Every batch adds 10 people and moves 30 between the two values of the
  // exclusive `lifecycle` dimension, and records its number on person 0.
  // Readers check, on one Reader each time, that the two values cover
  // everybody and that the people count matches the batch number.
  const ScopedTempPath temp("db_readers");
  const std::string& dir = temp.path();
  auto db = MustOpen(dir);
  const absl::Time now = Day(2026, 4, 1);
  {
    WriteBatch b(now);
    b.SetAttribute(ExternalId::Int(0), "age", Value::Int(0));
    b.Tag(ExternalId::Int(0), "lifecycle", "left");
    REQUIRE(db->Apply(b).ok());
  }
  constexpr int kBatches = 200;
  std::atomic<bool> done{false};
  std::atomic<int64_t> checks{0}, failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        Database::Reader r = db->Read();
        const int64_t batch = r->GetAttribute(ExternalId::Int(0), "age")->int_value();
        const uint64_t left = *r->CountTag("lifecycle", "left", now);
        const absl::StatusOr<uint64_t> right_or = r->CountTag("lifecycle", "right", now);
        const uint64_t right = right_or.ok() ? *right_or : 0;  // before its first use
        const bool ok = left + right == r->person_count() &&
                        r->person_count() == static_cast<uint64_t>(1 + 10 * batch) &&
                        r->universe().Cardinality() == r->person_count();
        if (!ok) failures.fetch_add(1);
        checks.fetch_add(1);
      }
    });
  }
  absl::Status written;
  for (int i = 1; i <= kBatches; ++i) {
    WriteBatch b(now);
    for (int k = 0; k < 10; ++k) b.Tag(ExternalId::Int(i * 10 + k - 9), "lifecycle", "left");
    for (int k = 0; k < 30; ++k) {
      const int who = (i * 7919 + k * 104729) % (i * 10) + 1;
      b.Tag(ExternalId::Int(who), "lifecycle", (i + k) % 2 ? "right" : "left");
    }
    b.SetAttribute(ExternalId::Int(0), "age", Value::Int(i));
    written = db->Apply(b).status();
    if (written.ok() && i % 50 == 0) written = db->Checkpoint();
    if (!written.ok()) break;  // join the readers before failing
  }
  done = true;
  for (std::thread& r : readers) r.join();
  REQUIRE(written.ok());
  CHECK(failures.load() == 0);
  CHECK(checks.load() > 0);
  CHECK(db->Read()->person_count() == 1 + 10 * kBatches);
}
