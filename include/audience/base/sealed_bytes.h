// Self-checking byte strings for small state files (a journey's state, a
// size history): an 8-byte magic, a u32 format version, the body, and a
// CRC-32 of everything before it.
//
//   std::string bytes = Seal(kMagic, 1, body);
//   AUDIENCE_ASSIGN_OR_RETURN(std::string_view body,
//                             Unseal(bytes, kMagic, 1, "journey state"));
#ifndef AUDIENCE_BASE_SEALED_BYTES_H_
#define AUDIENCE_BASE_SEALED_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/file_io.h"
#include "audience/base/status_macros.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

// `magic` must be 8 bytes.
inline std::string Seal(std::string_view magic, uint32_t version, std::string_view body) {
  ByteWriter w;
  for (char c : magic) w.PutU8(static_cast<uint8_t>(c));
  w.PutU32(version);
  std::string out = w.Release();
  out += body;
  ByteWriter crc;
  crc.PutU32(Crc32(out));
  return out + crc.data();
}

// The body of sealed `bytes`. InvalidArgument when the magic differs ("not
// an audience <what>"), DataLoss on a checksum mismatch, FailedPrecondition
// naming both versions when the version differs.
inline absl::StatusOr<std::string_view> Unseal(std::string_view bytes, std::string_view magic,
                                               uint32_t version, std::string_view what) {
  if (bytes.size() < magic.size() + 8 || bytes.substr(0, magic.size()) != magic) {
    return absl::InvalidArgumentError(fmt::format("not an audience {} (bad magic number)", what));
  }
  ByteReader tail(bytes.substr(bytes.size() - 4), what);
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t crc, tail.GetU32("checksum"));
  if (crc != Crc32(bytes.substr(0, bytes.size() - 4))) {
    return absl::DataLossError(fmt::format("{} is damaged: checksum mismatch", what));
  }
  ByteReader head(bytes.substr(magic.size(), 4), what);
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t found, head.GetU32("version"));
  if (found != version) {
    return absl::FailedPreconditionError(fmt::format(
        "{} version {} is not supported (this build reads version {})", what, found, version));
  }
  return bytes.substr(magic.size() + 4, bytes.size() - magic.size() - 8);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_BASE_SEALED_BYTES_H_
