// libFuzzer target for everything that reads bytes from disk: any input is
// decoded as a snapshot, as a write-ahead log and as a logged batch.
//   - a snapshot that opens must encode to bytes that open to an equal store;
//   - a log scan must hand out records with unbroken sequence numbers and
//     account for every byte (kept + dropped = all, or an error);
//   - a batch that decodes must re-encode stably, and go through
//     Store::CheckBatch (and Apply when it passes) without harm.
// Any crash, sanitizer report, hang or mismatch is a finding. Built and run by
// scripts/fuzz (clang, -fsanitize=fuzzer,address,undefined).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audience/store/batch_codec.h"
#include "audience/store/snapshot.h"
#include "audience/store/store.h"
#include "audience/store/write_ahead_log.h"

namespace {

using namespace audience;

void Fail(const char* what) {
  std::fprintf(stderr, "loader_fuzz: %s\n", what);
  std::abort();
}

// A small store for decoded batches to be checked and applied against.
Store Base() {
  Schema s;
  (void)s.AddDimension({.name = "interest"});
  (void)s.AddDimension({.name = "lifecycle", .kind = DimensionKind::kExclusive});
  (void)s.AddAttribute({.name = "age", .type = AttributeType::kInt64});
  (void)s.AddAttribute({.name = "region", .type = AttributeType::kEnum});
  (void)s.AddAttribute({.name = "score", .type = AttributeType::kDouble});
  (void)s.AddEventType({.name = "purchase", .properties = {{.name = "category", .indexed = true}}});
  Store store = *Store::Create(s);
  WriteBatch b(absl::FromUnixSeconds(1790000000));
  for (int i = 0; i < 8; ++i) b.Tag(ExternalId::Int(i), "interest", i % 2 ? "tech" : "books");
  (void)store.Apply(b);
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<Store> snapshot = DecodeSnapshot(bytes);
  if (snapshot.ok()) {
    absl::StatusOr<Store> again = DecodeSnapshot(EncodeSnapshot(*snapshot));
    if (!again.ok() || !(*again == *snapshot)) Fail("a snapshot that opened does not round-trip");
  }

  uint64_t expected = 0;
  absl::StatusOr<LogScan> scan = ScanLogBytes(bytes, "fuzz.log", [&](const LogRecord& r) {
    if (expected != 0 && r.lsn != expected) Fail("log records out of sequence");
    expected = r.lsn + 1;
    return absl::OkStatus();
  });
  if (scan.ok() && scan->valid_bytes + scan->dropped_bytes != size) {
    Fail("a log scan lost track of bytes");
  }

  ByteReader reader(bytes, "batch");
  absl::StatusOr<WriteBatch> batch = DecodeBatch(&reader);
  if (batch.ok()) {
    // Encoding is a fixed point after one decode (the first decode may
    // normalise: a zero source row, a time that overflows to infinity).
    ByteWriter once;
    EncodeBatch(*batch, &once);
    ByteReader again(once.data(), "batch");
    absl::StatusOr<WriteBatch> back = DecodeBatch(&again);
    if (!back.ok()) Fail("a re-encoded batch does not decode");
    ByteWriter twice;
    EncodeBatch(*back, &twice);
    if (twice.data() != once.data()) Fail("batch encoding is not stable");
    static const Store* const base = new Store(Base());
    if (base->CheckBatch(*batch, 5).empty()) {
      Store copy = base->Clone();
      if (!copy.Apply(*batch).ok()) Fail("a batch that checked clean failed to apply");
    }
  }
  return 0;
}
