// Definitions for snapshot.h.
#ifndef AUDIENCE_STORE_SNAPSHOT_INL_H_
#define AUDIENCE_STORE_SNAPSHOT_INL_H_

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

#include "audience/base/byte_io.h"
#include "audience/base/file_io.h"
#include "audience/base/status_macros.h"
#include "audience/schema/schema_json.h"
#include "audience/store/snapshot.h"
#include "audience/base/strings.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace snapshot_internal {

inline constexpr char kMagic[8] = {'\x89', 'A', 'U', 'D', 'S', 'N', 'P', '\n'};
inline constexpr size_t kHeaderBytes = 32;
inline constexpr size_t kEntryBytes = 32;
inline constexpr uint32_t kFlagOptional = 1;
inline constexpr uint32_t kMaxSections = 1024;

enum SectionKind : uint32_t {
  kMeta = 1, kSchema = 2, kIds = 3, kTags = 4, kAttributes = 5, kEvents = 6,
  kSegments = 7,  // written only when the store has saved segments
  kLog = 8,       // optional; written only when the log position is not 0
};
inline constexpr uint32_t kRequired[] = {kMeta, kSchema, kIds, kTags, kAttributes, kEvents};

inline absl::Status Damaged(std::string_view why) {
  return absl::DataLossError(fmt::format("snapshot is damaged: {}", why));
}

}  // namespace snapshot_internal

AUDIENCE_FUNC std::string SnapshotCodec::Encode(const Store& store) {
  using namespace snapshot_internal;
  std::vector<std::pair<uint32_t, std::string>> sections;
  {
    ByteWriter w;
    w.PutU64(store.version_);
    w.PutU32(store.seq_);
    w.PutU32(static_cast<uint32_t>(store.sources_.names().size()));
    for (const std::string& name : store.sources_.names()) w.PutString(name);
    sections.emplace_back(kMeta, w.Release());
  }
  sections.emplace_back(kSchema, SchemaToJson(store.schema_));
  {
    ByteWriter w;
    store.ids_.Serialize(w);
    sections.emplace_back(kIds, w.Release());
  }
  {
    ByteWriter w;
    for (const TagDimension& d : store.dimensions_) d.Serialize(w);
    sections.emplace_back(kTags, w.Release());
  }
  {
    ByteWriter w;
    for (const AttributeColumn& a : store.attributes_) a.Serialize(w);
    sections.emplace_back(kAttributes, w.Release());
  }
  {
    ByteWriter w;
    for (const EventIndex& e : store.events_) e.Serialize(w);
    sections.emplace_back(kEvents, w.Release());
  }
  if (!store.segments_.empty()) {
    ByteWriter w;
    w.PutU32(static_cast<uint32_t>(store.segments_.size()));
    for (const auto& [name, text] : store.segments_) {
      w.PutString(name);
      w.PutString(text);
    }
    sections.emplace_back(kSegments, w.Release());
  }

  std::vector<uint32_t> flags(sections.size(), 0);
  if (store.log_position_ != 0) {
    ByteWriter w;
    w.PutU64(store.log_position_);
    sections.emplace_back(kLog, w.Release());
    flags.push_back(kFlagOptional);
  }

  ByteWriter table;
  uint64_t offset = kHeaderBytes + sections.size() * kEntryBytes + 4;
  for (size_t i = 0; i < sections.size(); ++i) {
    const auto& [kind, bytes] = sections[i];
    table.PutU32(kind);
    table.PutU32(flags[i]);
    table.PutU64(offset);
    table.PutU64(bytes.size());
    table.PutU32(Crc32(bytes));
    table.PutU32(0);
    offset += bytes.size();
  }
  table.PutU32(Crc32(table.data()));

  ByteWriter header;
  for (char c : kMagic) header.PutU8(static_cast<uint8_t>(c));
  header.PutU32(kSnapshotFormatVersion);
  header.PutU32(static_cast<uint32_t>(sections.size()));
  header.PutU64(offset);
  header.PutU32(Crc32(header.data()));
  header.PutU32(0);

  std::string out = header.Release();
  out.reserve(offset);
  out += table.data();
  for (const auto& section : sections) out += section.second;
  return out;
}

AUDIENCE_FUNC absl::StatusOr<Store> SnapshotCodec::Decode(std::string_view bytes) {
  using namespace snapshot_internal;
  if (bytes.size() < kHeaderBytes) {
    return Damaged(fmt::format("{} bytes is shorter than the {}-byte header", bytes.size(),
                               kHeaderBytes));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::InvalidArgumentError("not an audience snapshot (bad magic number)");
  }
  ByteReader header(bytes.substr(8, kHeaderBytes - 8), "snapshot header");
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t version, header.GetU32("version"));
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t count, header.GetU32("section count"));
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t length, header.GetU64("file length"));
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t header_crc, header.GetU32("header checksum"));
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t reserved, header.GetU32("reserved"));
  if (header_crc != Crc32(bytes.substr(0, 24))) return Damaged("header checksum mismatch");
  if (reserved != 0) return Damaged("reserved header bytes are not zero");
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(fmt::format(
        "snapshot format version {} is not supported (this build reads version {})", version,
        kSnapshotFormatVersion));
  }
  if (length != bytes.size()) {
    return Damaged(fmt::format("file is {} bytes but the header says {} (truncated?)",
                               bytes.size(), length));
  }
  if (count == 0 || count > kMaxSections) {
    return Damaged(fmt::format("implausible section count {}", count));
  }
  uint64_t table_end = kHeaderBytes + uint64_t{count} * kEntryBytes + 4;
  if (table_end > bytes.size()) return Damaged("section table runs past the end of the file");
  std::string_view table_bytes = bytes.substr(kHeaderBytes, table_end - 4 - kHeaderBytes);
  ByteReader crc_reader(bytes.substr(table_end - 4, 4), "section table");
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t table_crc, crc_reader.GetU32("table checksum"));
  if (table_crc != Crc32(table_bytes)) return Damaged("section table checksum mismatch");

  absl::flat_hash_map<uint32_t, std::string_view> found;
  ByteReader table(table_bytes, "section table");
  for (uint32_t i = 0; i < count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t kind, table.GetU32("kind"));
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t flags, table.GetU32("flags"));
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t offset, table.GetU64("offset"));
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t size, table.GetU64("length"));
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t crc, table.GetU32("checksum"));
    AUDIENCE_RETURN_IF_ERROR(table.GetU32("reserved").status());
    if (offset < table_end || offset > bytes.size() || size > bytes.size() - offset) {
      return Damaged(fmt::format("section {} spans bytes [{}, +{}) outside the file", kind,
                                 offset, size));
    }
    std::string_view body = bytes.substr(offset, size);
    if (Crc32(body) != crc) return Damaged(fmt::format("section {} checksum mismatch", kind));
    bool known = kind == kSegments || kind == kLog ||
                 std::find(std::begin(kRequired), std::end(kRequired), kind) != std::end(kRequired);
    if (!known) {
      if (flags & kFlagOptional) continue;
      return Damaged(fmt::format("unknown required section kind {}", kind));
    }
    if (!found.emplace(kind, body).second) {
      return Damaged(fmt::format("section {} appears twice", kind));
    }
  }
  for (uint32_t kind : kRequired) {
    if (!found.contains(kind)) return Damaged(fmt::format("section {} is missing", kind));
  }

  Store store;
  absl::StatusOr<Schema> schema = SchemaFromJson(found[kSchema]);
  if (!schema.ok()) return Damaged(fmt::format("schema section: {}", schema.status().message()));
  store.schema_ = *std::move(schema);

  ByteReader meta(found[kMeta], "meta section");
  AUDIENCE_ASSIGN_OR_RETURN(store.version_, meta.GetU64("version"));
  AUDIENCE_ASSIGN_OR_RETURN(store.seq_, meta.GetU32("write sequence"));
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t source_count, meta.GetU32("source count"));
  AUDIENCE_RETURN_IF_ERROR(meta.CheckCount(source_count, 4, "source count"));
  if (source_count < 3 || source_count > uint32_t{UINT16_MAX} + 1) {
    return meta.Corrupt("source count", fmt::format("{}", source_count));
  }
  for (uint32_t i = 0; i < source_count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string name, meta.GetString("source name"));
    if (i < 3 && name != store.sources_.Name(static_cast<SourceId>(i))) {
      return meta.Corrupt("source name", name);
    }
    if (i >= 3 && store.sources_.Intern(name) != i) {
      return meta.Corrupt("source name", fmt::format("duplicate '{}'", name));
    }
  }
  AUDIENCE_RETURN_IF_ERROR(meta.ExpectEnd());

  ByteReader ids(found[kIds], "ids section");
  AUDIENCE_ASSIGN_OR_RETURN(store.ids_, IdMap::Deserialize(ids));
  AUDIENCE_RETURN_IF_ERROR(ids.ExpectEnd());
  const Bitmap& live = store.ids_.live();
  auto check_people = [&](const Bitmap& people, std::string_view what) -> absl::Status {
    if (people.IsSubsetOf(live)) return absl::OkStatus();
    return Damaged(fmt::format("{} references {} people outside the universe", what,
                               people.AndNotCardinality(live)));
  };

  ByteReader tags(found[kTags], "tags section");
  for (const DimensionSpec& spec : store.schema_.dimensions()) {
    AUDIENCE_ASSIGN_OR_RETURN(TagDimension d, TagDimension::Deserialize(tags, spec));
    for (uint32_t v = 0; v < d.value_count(); ++v) {
      AUDIENCE_RETURN_IF_ERROR(check_people(d.Members(v), fmt::format("dimension '{}'", spec.name)));
    }
    store.dimensions_.push_back(std::move(d));
  }
  AUDIENCE_RETURN_IF_ERROR(tags.ExpectEnd());

  ByteReader attributes(found[kAttributes], "attributes section");
  for (const AttributeSpec& spec : store.schema_.attributes()) {
    AUDIENCE_ASSIGN_OR_RETURN(AttributeColumn c, AttributeColumn::Deserialize(attributes, spec));
    AUDIENCE_RETURN_IF_ERROR(check_people(c.NotNull(), fmt::format("attribute '{}'", spec.name)));
    store.attributes_.push_back(std::move(c));
  }
  AUDIENCE_RETURN_IF_ERROR(attributes.ExpectEnd());

  ByteReader events(found[kEvents], "events section");
  for (const EventTypeSpec& spec : store.schema_.event_types()) {
    AUDIENCE_ASSIGN_OR_RETURN(EventIndex e, EventIndex::Deserialize(events, spec));
    AUDIENCE_RETURN_IF_ERROR(check_people(e.People(), fmt::format("event type '{}'", spec.name)));
    store.events_.push_back(std::move(e));
  }
  AUDIENCE_RETURN_IF_ERROR(events.ExpectEnd());

  if (auto it = found.find(kSegments); it != found.end()) {
    ByteReader segments(it->second, "segments section");
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t n, segments.GetU32("segment count"));
    AUDIENCE_RETURN_IF_ERROR(segments.CheckCount(n, 8, "segment count"));
    const uint64_t store_version = store.version_;  // PutSegment bumps it
    for (uint32_t i = 0; i < n; ++i) {
      AUDIENCE_ASSIGN_OR_RETURN(std::string name, segments.GetString("segment name"));
      AUDIENCE_ASSIGN_OR_RETURN(std::string text, segments.GetString("segment text"));
      if (store.segments_.contains(name)) {
        return segments.Corrupt("segment name", fmt::format("duplicate '{}'", name));
      }
      absl::Status put = store.PutSegment(name, text);
      if (!put.ok()) return segments.Corrupt("segment", std::string(put.message()));
    }
    AUDIENCE_RETURN_IF_ERROR(segments.ExpectEnd());
    store.version_ = store_version;
  }
  if (auto it = found.find(kLog); it != found.end()) {
    ByteReader log(it->second, "log section");
    AUDIENCE_ASSIGN_OR_RETURN(store.log_position_, log.GetU64("log position"));
    AUDIENCE_RETURN_IF_ERROR(log.ExpectEnd());
  }
  return store;
}

AUDIENCE_FUNC std::string EncodeSnapshot(const Store& store) {
  return SnapshotCodec::Encode(store);
}

AUDIENCE_FUNC absl::StatusOr<Store> DecodeSnapshot(std::string_view bytes) {
  return SnapshotCodec::Decode(bytes);
}

AUDIENCE_FUNC absl::Status SaveSnapshot(const Store& store, const std::string& path) {
  return WriteFileAtomically(path, EncodeSnapshot(store));
}

AUDIENCE_FUNC absl::StatusOr<Store> OpenSnapshot(const std::string& path) {
  AUDIENCE_ASSIGN_OR_RETURN(const MappedFile file, MappedFile::Open(path));
  absl::StatusOr<Store> store = DecodeSnapshot(file.bytes());
  if (!store.ok()) {
    return absl::Status(store.status().code(),
                        fmt::format("{}: {}", path, store.status().message()));
  }
  return store;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_SNAPSHOT_INL_H_
