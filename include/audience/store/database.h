// Database: a Store kept in a directory, durable write by write, that many
// threads can query while one thread writes.
//
//   DatabaseOptions options{.schema = schema};
//   AUDIENCE_ASSIGN_OR_RETURN(auto db, Database::Open("/var/lib/crm/audience", options));
//   AUDIENCE_ASSIGN_OR_RETURN(ApplyResult r, db->Apply(batch));  // durable and visible
//   {
//     Database::Reader reader = db->Read();          // any thread, never waits
//     uint64_t n = Count(*reader, query);            // one consistent version
//   }
//   AUDIENCE_RETURN_IF_ERROR(db->Checkpoint());      // snapshot, empty the log
//
// Durability (docs/durability.md states every promise and its test). The
// directory holds `store.aud`, the last checkpoint's snapshot (replaced
// atomically), and `wal.log`, the write-ahead log (store/write_ahead_log.h)
// of every write since. A write is appended to the log and synced before it
// is acknowledged (the call returns) and before readers can see it; opening
// replays the log after the snapshot, drops a torn tail (never
// acknowledged) and refuses a log damaged anywhere else. With
// SyncPolicy::kGrouped, writes from several threads that arrive within
// `group_delay` of the first unsynced one share one sync, each call still
// returning only once its write is durable.
//
// Concurrency: the left-right technique. Two copies of the store; readers
// use the published one, the writer applies a write to the other, publishes
// it with one atomic store, waits until no reader still uses the old copy,
// and applies the write there too. Readers never wait (a Reader costs two
// atomic increments); a reader sees a write entirely or not at all. The
// price: twice the memory of one Store and every write applied twice. Hold
// a Reader for one read (a query, a count): the writer waits for the
// readers of the copy it needs next. Results taken from a Reader (Segment,
// counts, ids) are values and stay valid after it is gone.
//
// A failed log write or sync poisons the database: later writes fail with
// the original error (reads go on, on the last published version) until it
// is reopened, which recovers what the log holds. Writes may come from any
// thread; they are applied one at a time.
#ifndef AUDIENCE_STORE_DATABASE_H_
#define AUDIENCE_STORE_DATABASE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/schema/schema.h"
#include "audience/store/store.h"
#include "audience/store/write_ahead_log.h"
#include "audience/store/write_batch.h"

AUDIENCE_BEGIN_NAMESPACE

enum class SyncPolicy : uint8_t {
  kEveryWrite,  // each write synced on its own before its call returns
  kGrouped,     // concurrent writes share a sync; a write waits at most group_delay for it
};

struct DatabaseOptions {
  bool create_if_missing = true;
  Schema schema{};              // a new database starts with it
  bool write_ahead_log = true;  // false: writes are durable only from the next Checkpoint
  SyncPolicy sync = SyncPolicy::kEveryWrite;
  absl::Duration group_delay = absl::Milliseconds(2);
};

// What Open found.
struct RecoveryStats {
  uint64_t snapshot_lsn = 0;    // the last log record the snapshot held
  uint64_t replayed = 0;        // log records applied after it
  uint64_t dropped_bytes = 0;   // a torn log tail that was cut off
};

class Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& dir,
                                                        DatabaseOptions options = {});
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A read lease on the published version. Movable, not copyable.
  class Reader {
   public:
    Reader(Reader&& other) noexcept;
    Reader& operator=(Reader&&) = delete;
    Reader(const Reader&) = delete;
    ~Reader();
    const Store& store() const { return *store_; }
    const Store& operator*() const { return *store_; }
    const Store* operator->() const { return store_; }

   private:
    friend class Database;
    Reader(const Database* db, int indicator, const Store* store)
        : db_(db), indicator_(indicator), store_(store) {}
    const Database* db_;
    int indicator_;
    const Store* store_;
  };
  Reader Read() const;

  // Writes. Each is validated against the current state first (an invalid
  // one changes nothing and is not logged) and returns once durable and
  // visible.
  absl::StatusOr<ApplyResult> Apply(const WriteBatch& batch, size_t max_errors = 20);
  absl::StatusOr<DimensionId> AddDimension(DimensionSpec spec);
  absl::StatusOr<AttributeId> AddAttribute(AttributeSpec spec);
  absl::StatusOr<EventTypeId> AddEventType(EventTypeSpec spec);
  // The store's raw segment calls: the query layer's SaveSegment checks a
  // text compiles before a host calls this.
  absl::Status PutSegment(std::string_view name, std::string_view text);
  absl::Status RemoveSegment(std::string_view name);
  absl::StatusOr<size_t> SweepExpired(absl::Time now);
  absl::StatusOr<size_t> CompactEvents(absl::Time horizon);

  // Writes a snapshot of everything written so far and empties the log.
  // Writes wait meanwhile; readers do not.
  absl::Status Checkpoint();

  // OK, or the error that poisoned the database.
  absl::Status health() const;
  // The sequence number of the last acknowledged write.
  uint64_t last_lsn() const;
  const RecoveryStats& recovery() const { return recovery_; }
  const std::string& dir() const { return dir_; }

 private:
  // One write: applies itself to a store (called once per copy, the first
  // time to validate: an error there changes nothing).
  using Step = std::function<absl::Status(Store&)>;

  Database(std::string dir, DatabaseOptions options) : dir_(std::move(dir)), options_(std::move(options)) {}
  absl::Status Commit(const Step& step, LogRecordType type, const std::function<std::string()>& payload);
  void Publish(std::unique_lock<std::mutex>& lock);
  // SweepExpired and CompactEvents: a store call taking a time, logged with it.
  absl::StatusOr<size_t> Maintain(LogRecordType type, absl::Time t,
                                  size_t (Store::*run)(absl::Time));
  Store& writable() { return stores_[1 - left_right_.load()]; }
  absl::Status Poison(absl::Status why);

  std::string dir_;
  DatabaseOptions options_;
  RecoveryStats recovery_;
  Store stores_[2];
  std::optional<LogWriter> log_;

  // Left-right state: which copy readers use, and two reader counts.
  std::atomic<int> left_right_{0};
  std::atomic<int> version_index_{0};
  mutable std::atomic<int64_t> readers_[2] = {0, 0};

  // Writer state, under mu_.
  mutable std::mutex mu_;
  std::condition_variable acked_;
  absl::Status poisoned_;
  uint64_t last_lsn_ = 0;       // last record applied to the writable copy (and logged)
  uint64_t acked_lsn_ = 0;      // last record published
  std::vector<const Step*> pending_;  // applied to the writable copy only, awaiting a sync
  bool leader_ = false;         // a grouped write is waiting to sync pending_
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/database-inl.h"
#endif

#endif  // AUDIENCE_STORE_DATABASE_H_
