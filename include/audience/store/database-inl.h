// Definitions for database.h.
#ifndef AUDIENCE_STORE_DATABASE_INL_H_
#define AUDIENCE_STORE_DATABASE_INL_H_

#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "audience/base/byte_io.h"
#include "audience/base/status_macros.h"
#include "audience/schema/schema_json.h"
#include "audience/store/batch_codec.h"
#include "audience/store/database.h"
#include "audience/store/snapshot.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace database_internal {

inline std::string SnapshotPath(const std::string& dir) { return dir + "/store.aud"; }
inline std::string LogPath(const std::string& dir) { return dir + "/wal.log"; }

inline std::string TimePayload(absl::Time t) {
  ByteWriter w;
  EncodeTime(t, &w);
  return w.Release();
}

// Redoes one logged write on `store`.
inline absl::Status Replay(Store& store, const LogRecord& record) {
  ByteReader r(record.payload, "log record");
  switch (record.type) {
    case LogRecordType::kBatch: {
      AUDIENCE_ASSIGN_OR_RETURN(WriteBatch batch, DecodeBatch(&r));
      AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
      return store.Apply(batch).status();
    }
    case LogRecordType::kSchema: {  // the whole schema after the change: add what is new
      AUDIENCE_ASSIGN_OR_RETURN(Schema schema, SchemaFromJson(record.payload, "log record"));
      for (size_t i = store.schema().dimensions().size(); i < schema.dimensions().size(); ++i) {
        AUDIENCE_RETURN_IF_ERROR(store.AddDimension(schema.dimensions()[i]).status());
      }
      for (size_t i = store.schema().attributes().size(); i < schema.attributes().size(); ++i) {
        AUDIENCE_RETURN_IF_ERROR(store.AddAttribute(schema.attributes()[i]).status());
      }
      for (size_t i = store.schema().event_types().size(); i < schema.event_types().size(); ++i) {
        AUDIENCE_RETURN_IF_ERROR(store.AddEventType(schema.event_types()[i]).status());
      }
      return absl::OkStatus();
    }
    case LogRecordType::kPutSegment: {
      AUDIENCE_ASSIGN_OR_RETURN(std::string name, r.GetString("segment name"));
      AUDIENCE_ASSIGN_OR_RETURN(std::string text, r.GetString("segment text"));
      AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
      return store.PutSegment(name, text);
    }
    case LogRecordType::kRemoveSegment: {
      AUDIENCE_ASSIGN_OR_RETURN(std::string name, r.GetString("segment name"));
      AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
      return store.RemoveSegment(name);
    }
    case LogRecordType::kSweepExpired:
    case LogRecordType::kCompactEvents: {
      AUDIENCE_ASSIGN_OR_RETURN(absl::Time t, DecodeTime(&r, "time"));
      AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
      if (record.type == LogRecordType::kSweepExpired) {
        store.SweepExpired(t);
      } else {
        store.CompactEvents(t);
      }
      return absl::OkStatus();
    }
  }
  return absl::DataLossError(fmt::format("unknown log record type {}", static_cast<int>(record.type)));
}

}  // namespace database_internal

AUDIENCE_FUNC absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& dir,
                                                                       DatabaseOptions options) {
  using namespace database_internal;  // NOLINT: this unit's helpers
  namespace fs = std::filesystem;
  std::unique_ptr<Database> db(new Database(dir, std::move(options)));
  const std::string snapshot = SnapshotPath(dir), log_path = LogPath(dir);
  std::error_code ec;
  Store store;
  if (!fs::exists(snapshot, ec)) {
    if (!db->options_.create_if_missing) {
      return absl::NotFoundError(fmt::format("no database in '{}' (store.aud is missing)", dir));
    }
    if (fs::exists(log_path, ec)) {
      return absl::FailedPreconditionError(
          fmt::format("'{}' has a write-ahead log but no store.aud; refusing to start over", dir));
    }
    fs::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(fmt::format("cannot create '{}': {}", dir, ec.message()));
    }
    AUDIENCE_ASSIGN_OR_RETURN(store, Store::Create(db->options_.schema));
    AUDIENCE_RETURN_IF_ERROR(SaveSnapshot(store, snapshot));
  } else {
    AUDIENCE_ASSIGN_OR_RETURN(store, OpenSnapshot(snapshot));
  }
  RecoveryStats& stats = db->recovery_;
  stats.snapshot_lsn = store.log_position();
  AUDIENCE_ASSIGN_OR_RETURN(
      LogScan scan, ScanLog(log_path, [&](const LogRecord& r) -> absl::Status {
        if (r.lsn <= store.log_position()) return absl::OkStatus();  // already in the snapshot
        if (r.lsn != store.log_position() + 1) {
          return absl::DataLossError(fmt::format(
              "'{}': the log resumes at record {} but the snapshot ends at record {}", log_path,
              r.lsn, store.log_position()));
        }
        absl::Status replayed = Replay(store, r);
        if (!replayed.ok()) {
          return absl::DataLossError(fmt::format("'{}': record {} does not replay: {}", log_path,
                                                 r.lsn, replayed.message()));
        }
        store.set_log_position(r.lsn);
        ++stats.replayed;
        return absl::OkStatus();
      }));
  stats.dropped_bytes = scan.dropped_bytes;
  if (db->options_.write_ahead_log) {
    AUDIENCE_ASSIGN_OR_RETURN(LogWriter log, LogWriter::Open(log_path, scan.valid_bytes,
                                                             std::max(scan.last_lsn, store.log_position())));
    // Everything the log holds is in the snapshot (a checkpoint stopped
    // before emptying it, or its tail was torn): start it afresh.
    if (scan.records > 0 && scan.last_lsn <= stats.snapshot_lsn) {
      AUDIENCE_RETURN_IF_ERROR(log.Reset());
    }
    db->log_.emplace(std::move(log));
  } else if (scan.valid_bytes > 0) {
    // Writes logged before the log was turned off: keep them in a snapshot.
    if (stats.replayed > 0) AUDIENCE_RETURN_IF_ERROR(SaveSnapshot(store, snapshot));
    fs::remove(log_path, ec);
  }
  db->last_lsn_ = db->acked_lsn_ = store.log_position();
  db->stores_[1] = store.Clone();
  db->stores_[0] = std::move(store);
  return db;
}

AUDIENCE_FUNC Database::Reader::Reader(Reader&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), indicator_(other.indicator_), store_(other.store_) {}

AUDIENCE_FUNC Database::Reader::~Reader() {
  if (db_ != nullptr) db_->readers_[indicator_].fetch_sub(1);
}

// Left-right's reader: announce on the current indicator, then read the
// copy published now. The writer drains an indicator before touching the
// copy its readers may hold.
AUDIENCE_FUNC Database::Reader Database::Read() const {
  const int vi = version_index_.load();
  readers_[vi].fetch_add(1);
  return Reader(this, vi, &stores_[left_right_.load()]);
}

AUDIENCE_FUNC absl::Status Database::Poison(absl::Status why) {
  poisoned_ = why;
  pending_.clear();
  acked_.notify_all();
  return why;
}

// Under mu_, with pending_ applied to the writable copy and durable:
// publish that copy, wait until no reader holds the other, bring it level.
AUDIENCE_FUNC void Database::Publish(std::unique_lock<std::mutex>&) {
  const int old = left_right_.load();
  stores_[1 - old].set_log_position(last_lsn_);
  left_right_.store(1 - old);
  const int vi = version_index_.load();
  while (readers_[1 - vi].load() != 0) std::this_thread::yield();
  version_index_.store(1 - vi);
  while (readers_[vi].load() != 0) std::this_thread::yield();
  for (const Step* step : pending_) {
    absl::Status again = (*step)(stores_[old]);
    if (!again.ok()) {  // the copies would differ: stop writing
      Poison(absl::InternalError(fmt::format("a write applied once failed the second time: {}",
                                             again.message())))
          .IgnoreError();
      return;
    }
  }
  stores_[old].set_log_position(last_lsn_);
  pending_.clear();
  acked_lsn_ = last_lsn_;
  acked_.notify_all();
}

AUDIENCE_FUNC absl::Status Database::Commit(const Step& step, LogRecordType type,
                                            const std::function<std::string()>& payload) {
  std::unique_lock<std::mutex> lock(mu_);
  AUDIENCE_RETURN_IF_ERROR(poisoned_);
  AUDIENCE_RETURN_IF_ERROR(step(writable()));  // invalid: nothing changed, nothing logged
  const uint64_t lsn = ++last_lsn_;
  if (log_) {
    absl::Status appended = log_->Append(lsn, type, payload());
    if (!appended.ok()) return Poison(appended);
  }
  pending_.push_back(&step);
  if (!log_ || options_.sync == SyncPolicy::kEveryWrite) {
    if (log_) {
      absl::Status synced = log_->Sync();
      if (!synced.ok()) return Poison(synced);
    }
    Publish(lock);
    return poisoned_;
  }
  if (leader_) {  // a grouped write already waits to sync: ride along
    acked_.wait(lock, [&] { return acked_lsn_ >= lsn || !poisoned_.ok(); });
    return acked_lsn_ >= lsn ? absl::OkStatus() : poisoned_;
  }
  leader_ = true;
  const auto deadline = std::chrono::steady_clock::now() +
                        absl::ToChronoNanoseconds(options_.group_delay);
  while (poisoned_.ok() && std::chrono::steady_clock::now() < deadline) {
    acked_.wait_until(lock, deadline);
  }
  leader_ = false;
  AUDIENCE_RETURN_IF_ERROR(poisoned_);
  absl::Status synced = log_->Sync();
  if (!synced.ok()) return Poison(synced);
  Publish(lock);
  return poisoned_;
}

AUDIENCE_FUNC absl::StatusOr<ApplyResult> Database::Apply(const WriteBatch& batch,
                                                          size_t max_errors) {
  std::optional<ApplyResult> result;
  const Step step = [&](Store& s) -> absl::Status {
    absl::StatusOr<ApplyResult> r = s.Apply(batch, max_errors);
    if (!r.ok()) return r.status();
    if (!result) result = *r;
    return absl::OkStatus();
  };
  AUDIENCE_RETURN_IF_ERROR(Commit(step, LogRecordType::kBatch, [&] {
    ByteWriter w;
    EncodeBatch(batch, &w);
    return w.Release();
  }));
  return *result;
}

namespace database_internal {

// A schema change as a Step that keeps the first copy's handle.
template <typename Handle, typename Spec, typename Add>
absl::StatusOr<Handle> ChangeSchema(Spec spec, Add add,
                                    absl::FunctionRef<absl::Status(const std::function<absl::Status(Store&)>&)> commit) {
  std::optional<Handle> handle;
  const std::function<absl::Status(Store&)> step = [&](Store& s) -> absl::Status {
    absl::StatusOr<Handle> h = add(s, spec);
    if (!h.ok()) return h.status();
    if (!handle) handle = *h;
    return absl::OkStatus();
  };
  AUDIENCE_RETURN_IF_ERROR(commit(step));
  return *handle;
}

}  // namespace database_internal

AUDIENCE_FUNC absl::StatusOr<DimensionId> Database::AddDimension(DimensionSpec spec) {
  return database_internal::ChangeSchema<DimensionId>(
      std::move(spec), [](Store& s, const DimensionSpec& d) { return s.AddDimension(d); },
      [&](const Step& step) {
        return Commit(step, LogRecordType::kSchema, [&] { return SchemaToJson(writable().schema()); });
      });
}

AUDIENCE_FUNC absl::StatusOr<AttributeId> Database::AddAttribute(AttributeSpec spec) {
  return database_internal::ChangeSchema<AttributeId>(
      std::move(spec), [](Store& s, const AttributeSpec& a) { return s.AddAttribute(a); },
      [&](const Step& step) {
        return Commit(step, LogRecordType::kSchema, [&] { return SchemaToJson(writable().schema()); });
      });
}

AUDIENCE_FUNC absl::StatusOr<EventTypeId> Database::AddEventType(EventTypeSpec spec) {
  return database_internal::ChangeSchema<EventTypeId>(
      std::move(spec), [](Store& s, const EventTypeSpec& e) { return s.AddEventType(e); },
      [&](const Step& step) {
        return Commit(step, LogRecordType::kSchema, [&] { return SchemaToJson(writable().schema()); });
      });
}

AUDIENCE_FUNC absl::Status Database::PutSegment(std::string_view name, std::string_view text) {
  const Step step = [&](Store& s) { return s.PutSegment(name, text); };
  return Commit(step, LogRecordType::kPutSegment, [&] {
    ByteWriter w;
    w.PutString(name);
    w.PutString(text);
    return w.Release();
  });
}

AUDIENCE_FUNC absl::Status Database::RemoveSegment(std::string_view name) {
  const Step step = [&](Store& s) { return s.RemoveSegment(name); };
  return Commit(step, LogRecordType::kRemoveSegment, [&] {
    ByteWriter w;
    w.PutString(name);
    return w.Release();
  });
}

AUDIENCE_FUNC absl::StatusOr<size_t> Database::Maintain(LogRecordType type, absl::Time t,
                                                       size_t (Store::*run)(absl::Time)) {
  std::optional<size_t> changed;
  const Step step = [&](Store& s) {
    const size_t n = (s.*run)(t);
    if (!changed) changed = n;
    return absl::OkStatus();
  };
  AUDIENCE_RETURN_IF_ERROR(Commit(step, type, [&] { return database_internal::TimePayload(t); }));
  return *changed;
}

AUDIENCE_FUNC absl::StatusOr<size_t> Database::SweepExpired(absl::Time now) {
  return Maintain(LogRecordType::kSweepExpired, now, &Store::SweepExpired);
}

AUDIENCE_FUNC absl::StatusOr<size_t> Database::CompactEvents(absl::Time horizon) {
  return Maintain(LogRecordType::kCompactEvents, horizon, &Store::CompactEvents);
}

AUDIENCE_FUNC absl::Status Database::Checkpoint() {
  std::unique_lock<std::mutex> lock(mu_);
  AUDIENCE_RETURN_IF_ERROR(poisoned_);
  // The writable copy holds every logged write, published or still
  // awaiting its group's sync; the snapshot takes them all.
  Store& w = writable();
  w.set_log_position(last_lsn_);
  // A failed save leaves the old snapshot and the whole log: nothing lost.
  AUDIENCE_RETURN_IF_ERROR(SaveSnapshot(w, database_internal::SnapshotPath(dir_)));
  if (log_) {
    absl::Status emptied = log_->Reset();
    if (!emptied.ok()) return Poison(emptied);
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status Database::health() const {
  std::lock_guard<std::mutex> lock(mu_);
  return poisoned_;
}

AUDIENCE_FUNC uint64_t Database::last_lsn() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_lsn_;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_DATABASE_INL_H_
