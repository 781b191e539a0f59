// Little-endian binary encoding for snapshot sections.
//
// ByteWriter appends; ByteReader reads with bounds checks on every call and
// never reads past its buffer, so a damaged or hostile input yields an
// absl::Status naming what was being read, never a crash.
//
//   ByteWriter w;
//   w.PutU32(7); w.PutString("gold"); w.PutBitmap(members);
//   ByteReader r(w.data(), "tags");
//   AUDIENCE_ASSIGN_OR_RETURN(uint32_t n, r.GetU32("count"));
//   AUDIENCE_ASSIGN_OR_RETURN(std::string v, r.GetString("value"));
#ifndef AUDIENCE_BASE_BYTE_IO_H_
#define AUDIENCE_BASE_BYTE_IO_H_

#include <cstdint>
#include <bit>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "audience/base/config.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class ByteWriter {
 public:
  void PutU8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void PutU16(uint16_t v) { PutRaw(v); }
  void PutU32(uint32_t v) { PutRaw(v); }
  void PutU64(uint64_t v) { PutRaw(v); }
  void PutI64(int64_t v) { PutRaw(v); }
  void PutDouble(double v) { PutRaw(v); }
  void PutBool(bool v) { PutU8(v ? 1 : 0); }
  // Length-prefixed (u32) bytes.
  void PutString(std::string_view s) {
    PutU32(static_cast<uint32_t>(s.size()));
    buf_.append(s.data(), s.size());
  }
  void PutBitmap(const Bitmap& b) { b.AppendSerialized(&buf_); }
  // Raw bytes, no length: the caller writes what tells a reader their size.
  void PutBytes(const void* p, size_t n) { buf_.append(static_cast<const char*>(p), n); }
  // Count-prefixed (u64) array of trivially copyable values.
  template <typename T>
  void PutArray(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutU64(v.size());
    if (!v.empty()) buf_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }

  const std::string& data() const { return buf_; }
  std::string Release() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  template <typename T>
  void PutRaw(T v) {
    static_assert(std::endian::native == std::endian::little,
                  "snapshot encoding assumes a little-endian host");
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    buf_.append(bytes, sizeof(T));
  }
  std::string buf_;
};

class ByteReader {
 public:
  // `context` names the section in error messages. `data` must outlive this.
  explicit ByteReader(std::string_view data, std::string_view context = "data")
      : data_(data), context_(context) {}

  absl::StatusOr<uint8_t> GetU8(std::string_view what) { return GetRaw<uint8_t>(what); }
  absl::StatusOr<uint16_t> GetU16(std::string_view what) { return GetRaw<uint16_t>(what); }
  absl::StatusOr<uint32_t> GetU32(std::string_view what) { return GetRaw<uint32_t>(what); }
  absl::StatusOr<uint64_t> GetU64(std::string_view what) { return GetRaw<uint64_t>(what); }
  absl::StatusOr<int64_t> GetI64(std::string_view what) { return GetRaw<int64_t>(what); }
  absl::StatusOr<double> GetDouble(std::string_view what) { return GetRaw<double>(what); }
  absl::StatusOr<bool> GetBool(std::string_view what) {
    auto v = GetRaw<uint8_t>(what);
    if (!v.ok()) return v.status();
    if (*v > 1) return Corrupt(what, fmt::format("boolean byte {}", *v));
    return *v == 1;
  }
  absl::StatusOr<std::string> GetString(std::string_view what) {
    auto n = GetRaw<uint32_t>(what);
    if (!n.ok()) return n.status();
    if (*n > remaining()) return Truncated(what, *n);
    std::string s(data_.substr(pos_, *n));
    pos_ += *n;
    return s;
  }
  absl::StatusOr<Bitmap> GetBitmap(std::string_view what) {
    size_t used = 0;
    auto b = Bitmap::Deserialize(data_.data() + pos_, remaining(), &used);
    if (!b.ok()) return Corrupt(what, std::string(b.status().message()));
    pos_ += used;
    return b;
  }
  // The bytes of an array PutArray wrote (u64 count, then count elements
  // of `elem_size` bytes), without copying them: a view into the input.
  absl::StatusOr<std::string_view> GetArrayBytes(std::string_view what, size_t elem_size) {
    auto n = GetRaw<uint64_t>(what);
    if (!n.ok()) return n.status();
    if (*n > remaining() / elem_size) return Truncated(what, *n * elem_size);
    const std::string_view bytes = data_.substr(pos_, *n * elem_size);
    pos_ += bytes.size();
    return bytes;
  }
  // Reads a count-prefixed array; refuses counts larger than the bytes left,
  // so a hostile count cannot trigger a huge allocation.
  template <typename T>
  absl::StatusOr<std::vector<T>> GetArray(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    auto bytes = GetArrayBytes(what, sizeof(T));
    if (!bytes.ok()) return bytes.status();
    std::vector<T> v(bytes->size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes->data(), bytes->size());
    return v;
  }
  // Checks a count read from the input against the bytes left, given that
  // each element takes at least `min_bytes_each`.
  absl::Status CheckCount(uint64_t count, size_t min_bytes_each, std::string_view what) const {
    if (min_bytes_each > 0 && count > remaining() / min_bytes_each) {
      return Corrupt(what, fmt::format("count {} exceeds the {} bytes left", count, remaining()));
    }
    return absl::OkStatus();
  }

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool done() const { return pos_ == data_.size(); }
  // Fails unless every byte was consumed.
  absl::Status ExpectEnd() const {
    if (done()) return absl::OkStatus();
    return Corrupt("end", fmt::format("{} unexpected trailing bytes", remaining()));
  }
  absl::Status Corrupt(std::string_view what, std::string_view why) const {
    return absl::DataLossError(fmt::format("{}: corrupt {} at byte {}: {}", context_, what, pos_, why));
  }

 private:
  absl::Status Truncated(std::string_view what, uint64_t need) const {
    return absl::DataLossError(fmt::format("{}: truncated {} at byte {} (need {}, have {})",
                                           context_, what, pos_, need, remaining()));
  }
  template <typename T>
  absl::StatusOr<T> GetRaw(std::string_view what) {
    if (remaining() < sizeof(T)) return Truncated(what, sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string_view data_;
  std::string_view context_;
  size_t pos_ = 0;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_BASE_BYTE_IO_H_
