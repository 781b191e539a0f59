// The parallel profile read (part of importer_profiles-inl.h, included from
// there after the single-threaded helpers it uses).
//
// Shape: the calling thread tokenises (CsvReader is sequential: a quoted
// field may hold line breaks, so record starts cannot be found from an
// arbitrary byte offset) and copies each record's used fields into an owned
// chunk of up to kChunkRows records. Chunks are typed by worker threads, and
// by the calling thread whenever more than one chunk is waiting, into
// per-chunk partial blocks (own enum and tag dictionaries). Whichever thread
// finishes typing the next chunk in order appends it, and any typed ones
// after it, to the result (ColumnBlock::Append translates dictionary codes),
// one thread at a time, strictly in chunk order, and reports their errors
// then, interleaved with the reader's errors in row order. So the block, the
// errors (and which ones fit max_reported_errors), the counts and the
// progress calls are exactly those of the single-threaded read. Appending
// is off the reading thread because it is the first write to the result's
// fresh pages: in a new process it took half of the reading thread's time
// (1.04 of 1.89 s for 2M rows), while the typing threads sat waiting.
//
// Memory: at most 2 * threads + 2 chunks (threads capped at kMaxReadThreads)
// are in flight (tokenised but not yet appended); a chunk is also closed
// early once its text passes kChunkBytes, so huge records cannot pile up.
// The records' buffers of a typed chunk are recycled for a later chunk, so
// only the first few chunks grow fresh ones.
#ifndef AUDIENCE_IO_IMPORTER_PARALLEL_INL_H_
#define AUDIENCE_IO_IMPORTER_PARALLEL_INL_H_

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "audience/io/importer.h"
#include "audience/store/column_block.h"

AUDIENCE_BEGIN_NAMESPACE

namespace importer_internal {

inline constexpr size_t kChunkRows = 65536;
inline constexpr size_t kChunkBytes = size_t{32} << 20;
// More typing threads than this would only wait on the one reading thread.
inline constexpr unsigned kMaxReadThreads = 64;

// Tokenised records with their own copy of the used fields. The pipeline
// recycles these once typed, so their buffers are grown (and their pages
// faulted in) only by the first few chunks.
struct RawRecords {
  struct Record {
    uint64_t line = 0;
    size_t first_field = 0;  // into ends/columns
    size_t field_count = 0;  // at most plan.min_fields
  };
  std::string text;
  std::vector<uint64_t> ends;     // field f is text[f > 0 ? ends[f - 1] : 0, ends[f])
  std::vector<uint32_t> columns;  // field f's byte column on its line
  std::vector<Record> records;

  void Clear() {
    text.clear();
    ends.clear();
    columns.clear();
    records.clear();
  }
  void Add(const CsvRecord& rec, size_t min_fields) {
    const size_t n = std::min(rec.fields.size(), min_fields);
    records.push_back({rec.line, ends.size(), n});
    for (size_t f = 0; f < n; ++f) {
      text.append(rec.fields[f]);
      ends.push_back(text.size());
      columns.push_back(rec.columns[f]);
    }
  }
  std::string_view Field(size_t f) const {
    const size_t begin = f > 0 ? ends[f - 1] : 0;
    return std::string_view(text).substr(begin, ends[f] - begin);
  }
};

// A chunk of records: tokenised, then (once typed) the partial block and the
// rows' errors.
struct RecordChunk {
  std::unique_ptr<RawRecords> raw;  // handed back to the pipeline once typed
  // Reader errors, each after the first `first` records of this chunk.
  std::vector<std::pair<size_t, RowError>> reader_errors;
  // The record after which ReserveFromSample runs (SIZE_MAX: none here).
  size_t sample_record = SIZE_MAX;
  uint64_t sample_bytes = 0, total_bytes = 0;

  // Typed:
  ColumnBlock block;
  std::vector<std::pair<size_t, RowError>> row_errors;  // (record, error)
  size_t sample_tags = 0;
};

// Types `chunk`'s records into chunk.block (same columns as the result).
inline void TypeChunk(RecordChunk& chunk, const ImportSpec& spec, const Plan& plan,
                      const TimeFormat& time_format) {
  const BlockCells cells = AddProfileColumns(chunk.block, spec, plan);
  const RawRecords& raw = *chunk.raw;
  chunk.block.Reserve(raw.records.size());
  StagedRow row = MakeStagedRow(plan);
  CsvRecord rec;
  ExternalId id;
  for (size_t r = 0; r < raw.records.size(); ++r) {
    const RawRecords::Record& record = raw.records[r];
    rec.line = record.line;
    rec.fields.clear();
    rec.columns.clear();
    for (size_t f = record.first_field; f < record.first_field + record.field_count; ++f) {
      rec.fields.push_back(raw.Field(f));
      rec.columns.push_back(raw.columns[f]);
    }
    if (std::optional<RowError> e = StageRow(plan, spec, time_format, rec, row, &id)) {
      chunk.row_errors.emplace_back(r, *std::move(e));
    } else {
      AppendStagedRow(row, std::move(id), rec.line, chunk.block, cells);
    }
    if (r == chunk.sample_record) chunk.sample_tags = cells.TagValues();
  }
}

// The chunks between the reading thread and the typing threads, and the
// in-order append of typed chunks (`append`, called by one thread at a time).
class ChunkPipeline {
 public:
  ChunkPipeline(const ImportSpec& spec, const Plan& plan, const TimeFormat& time_format,
                std::function<void(RecordChunk&)> append)
      : spec_(spec), plan_(plan), time_format_(time_format), append_(std::move(append)) {}
  ~ChunkPipeline() { Stop(); }
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  // Starts up to `n` workers; fewer if the system refuses threads (the
  // calling thread then types what they would have).
  void StartWorkers(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      try {
        workers_.emplace_back([this] { Work(); });
      } catch (const std::system_error&) {
        break;
      }
    }
  }
  // Empty records to fill: recycled ones (their buffers keep their size) or new.
  std::unique_ptr<RawRecords> TakeRaw() {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.empty()) return std::make_unique<RawRecords>();
    std::unique_ptr<RawRecords> raw = std::move(spare_.back());
    spare_.pop_back();
    return raw;
  }
  void Push(std::unique_ptr<RecordChunk> chunk) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      todo_.push_back({next_in_++, std::move(chunk)});
    }
    cv_.notify_one();
  }
  // Chunks pushed but not yet appended.
  uint64_t in_flight() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_in_ - appended_;
  }
  // Types the oldest waiting chunk on the calling thread if more than
  // `keep` are waiting; true if it did.
  bool HelpIfMoreThan(size_t keep) {
    std::unique_lock<std::mutex> lock(mu_);
    if (todo_.size() <= keep) return false;
    TypeFront(lock);
    return true;
  }
  // Types the oldest waiting chunk here if there is one, else waits until
  // some chunk is typed or appended.
  void HelpOrWait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!todo_.empty()) {
      TypeFront(lock);
    } else if (appended_ != next_in_) {
      cv_.wait(lock);
    }
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

 private:
  // Pops the oldest waiting chunk and types it with `lock` released.
  void TypeFront(std::unique_lock<std::mutex>& lock) {
    auto [index, chunk] = std::move(todo_.front());
    todo_.pop_front();
    lock.unlock();
    TypeChunk(*chunk, spec_, plan_, time_format_);
    chunk->raw->Clear();
    lock.lock();
    spare_.push_back(std::move(chunk->raw));
    done_.emplace(index, std::move(chunk));
    AppendReady(lock);
    cv_.notify_all();
  }
  // Appends the typed chunks that are next in order, unless another thread
  // is appending (it picks them up: it looks again after each chunk).
  void AppendReady(std::unique_lock<std::mutex>& lock) {
    if (appending_) return;
    appending_ = true;
    for (auto it = done_.find(appended_); it != done_.end(); it = done_.find(appended_)) {
      std::unique_ptr<RecordChunk> chunk = std::move(it->second);
      done_.erase(it);
      lock.unlock();
      append_(*chunk);
      chunk.reset();
      lock.lock();
      ++appended_;  // after the append: a reader seeing in_flight() == 0 sees the block whole
    }
    appending_ = false;
  }
  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || !todo_.empty(); });
      if (todo_.empty()) return;  // stopping
      TypeFront(lock);
    }
  }

  const ImportSpec& spec_;
  const Plan& plan_;
  const TimeFormat& time_format_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, std::unique_ptr<RecordChunk>>> todo_;
  std::map<uint64_t, std::unique_ptr<RecordChunk>> done_;
  std::vector<std::unique_ptr<RawRecords>> spare_;  // typed chunks' records, emptied
  const std::function<void(RecordChunk&)> append_;
  uint64_t next_in_ = 0;   // chunks pushed
  uint64_t appended_ = 0;  // chunks appended; the next to append has this index
  bool appending_ = false;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Appends a typed chunk to `block` and reports its errors in row order.
inline void AppendChunk(RecordChunk& chunk, ColumnBlock& block, Errors& errors,
                        ImportReport& report) {
  size_t e = 0;
  for (auto& [after, error] : chunk.reader_errors) {
    while (e < chunk.row_errors.size() && chunk.row_errors[e].first < after) {
      ++report.rows_skipped;
      errors.Add(std::move(chunk.row_errors[e++].second));
    }
    ++report.rows_skipped;
    errors.Add(std::move(error));
  }
  for (; e < chunk.row_errors.size(); ++e) {
    ++report.rows_skipped;
    errors.Add(std::move(chunk.row_errors[e].second));
  }
  if (chunk.sample_record != SIZE_MAX) {
    // As the one-thread read: the estimate from the first kSampleRows rows.
    size_t tags = chunk.sample_tags;
    for (const TagColumn& column : block.tags()) tags += column.values().size();
    ReserveFromSample(block, chunk.sample_bytes, chunk.total_bytes, tags);
  }
  block.Append(std::move(chunk.block));
}

// ReadProfileBlock with `threads` > 1 threads (the calling one included);
// chunks of `chunk_rows` rows (records and reader errors; tests use small
// ones to cross many chunk boundaries).
inline ColumnBlock ReadProfileBlockParallel(CsvReader& reader, const ImportSpec& spec,
                                            const Plan& plan, const TimeFormat& time_format,
                                            Errors& errors, ImportReport& report,
                                            unsigned threads, size_t chunk_rows = kChunkRows) {
  ColumnBlock block;
  block.set_apply_threads(threads);
  AddProfileColumns(block, spec, plan);
  // `block`, `errors` and report.rows_skipped belong to the appending
  // thread until in_flight() is 0; this thread only counts rows_read.
  ChunkPipeline pipeline(spec, plan, time_format,
                         [&](RecordChunk& typed) { AppendChunk(typed, block, errors, report); });
  const unsigned typing = std::min(threads, kMaxReadThreads);
  pipeline.StartWorkers(typing - 1);
  const uint64_t max_in_flight = 2 * uint64_t{typing} + 2;
  auto next_chunk = [&pipeline] {
    auto chunk = std::make_unique<RecordChunk>();
    chunk->raw = pipeline.TakeRaw();
    return chunk;
  };
  std::unique_ptr<RecordChunk> chunk = next_chunk();
  uint64_t chunk_items = 0;  // records and reader errors: rows_read
  CsvRecord rec;
  uint64_t rows_since_progress = 0;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&rec);
    if (more.ok() && !*more) break;
    ++report.rows_read;
    ++chunk_items;
    if (!more.ok()) {  // counted as skipped when its chunk is appended
      const CsvError& e = reader.last_error();
      chunk->reader_errors.emplace_back(chunk->raw->records.size(),
                                        RowError{e.line, e.column, "", e.message});
    } else {
      chunk->raw->Add(rec, plan.min_fields);
      if (report.rows_read == kSampleRows && reader.total_bytes()) {
        chunk->sample_record = chunk->raw->records.size() - 1;
        chunk->sample_bytes = reader.bytes_consumed();
        chunk->total_bytes = *reader.total_bytes();
      }
      if (spec.progress && ++rows_since_progress >= std::max<size_t>(spec.batch_rows, 1)) {
        rows_since_progress = 0;
        spec.progress(report.rows_read, reader.bytes_consumed(), reader.total_bytes());
      }
    }
    if (chunk_items >= chunk_rows || chunk->raw->text.size() >= kChunkBytes) {
      pipeline.Push(std::move(chunk));
      chunk = next_chunk();
      chunk_items = 0;
      // Keep one chunk queued for the workers; type the rest here.
      while (pipeline.HelpIfMoreThan(1)) {
      }
      while (pipeline.in_flight() >= max_in_flight) pipeline.HelpOrWait();
    }
  }
  if (chunk_items > 0) pipeline.Push(std::move(chunk));
  while (pipeline.in_flight() > 0) pipeline.HelpOrWait();
  pipeline.Stop();
  return block;
}

}  // namespace importer_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IO_IMPORTER_PARALLEL_INL_H_
