// Snapshot files: save a whole Store and open it back identically.
//
//   AUDIENCE_RETURN_IF_ERROR(SaveSnapshot(store, "customers.aud"));
//   AUDIENCE_ASSIGN_OR_RETURN(Store back, OpenSnapshot("customers.aud"));
//
// Format (version 1, little-endian; docs/file-format.md has the full table):
//   header   8-byte magic "\x89AUDSNP\n", u32 format version, u32 section
//            count, u64 file length, u32 CRC-32 of the preceding 24 bytes,
//            u32 reserved (0)
//   table    per section: u32 kind, u32 flags, u64 offset, u64 length,
//            u32 CRC-32 of the section bytes, u32 reserved; then a u32
//            CRC-32 of the whole table
//   sections meta, schema (JSON text), ids, tags, attributes, events
// Bitmaps use roaring's portable serialization. A reader skips unknown
// sections whose flags mark them optional (bit 0) and rejects unknown
// required ones, so later versions can add sections.
//
// Opening validates the magic, version, lengths, offsets and every checksum
// before decoding, then decodes with bounds checks and cross-checks (every
// indexed person is live); a damaged file fails with DataLoss naming what is
// wrong, never a crash. Save writes a temporary file in the same directory,
// fsyncs it and renames it over `path`, then fsyncs the directory, so `path`
// always holds a complete snapshot (old or new).
#ifndef AUDIENCE_STORE_SNAPSHOT_H_
#define AUDIENCE_STORE_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audience/base/config.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

inline constexpr uint32_t kSnapshotFormatVersion = 1;

// In-memory encoding; the file is exactly these bytes.
std::string EncodeSnapshot(const Store& store);
absl::StatusOr<Store> DecodeSnapshot(std::string_view bytes);

absl::Status SaveSnapshot(const Store& store, const std::string& path);
absl::StatusOr<Store> OpenSnapshot(const std::string& path);

// Implementation access to Store internals; not part of the API.
class SnapshotCodec {
 public:
  static std::string Encode(const Store& store);
  static absl::StatusOr<Store> Decode(std::string_view bytes);
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/store/snapshot-inl.h"
#endif

#endif  // AUDIENCE_STORE_SNAPSHOT_H_
