// The few file operations durability rests on, shared by snapshots and the
// write-ahead log: checksums, complete writes, syncs and atomic replacement.
//
//   AUDIENCE_RETURN_IF_ERROR(WriteFileAtomically("store.aud", bytes));
//   uint32_t crc = Crc32(bytes);
//
// Errors are Unavailable statuses naming the operation, the path and the
// system's reason. POSIX only.
#ifndef AUDIENCE_BASE_FILE_IO_H_
#define AUDIENCE_BASE_FILE_IO_H_

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "audience/base/config.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

// CRC-32 (zlib's polynomial) of `bytes`, continuing from `crc`.
inline uint32_t Crc32(std::string_view bytes, uint32_t crc = 0) {
  uLong c = crc;
  while (!bytes.empty()) {  // zlib takes uInt lengths: feed large inputs in pieces
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    c = crc32(c, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(c);
}

// "what 'path': reason" from errno.
inline std::string SystemError(std::string_view what, const std::string& path) {
  return fmt::format("{} '{}': {}", what, path, std::strerror(errno));
}

// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
inline absl::Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(SystemError("cannot write", path));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Makes a rename or creation inside `path`'s directory durable.
inline absl::Status SyncParentDirectory(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string name = dir.empty() ? "." : dir;
  const int fd = ::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::UnavailableError(SystemError("cannot open directory", name));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return absl::UnavailableError(SystemError("cannot sync directory", name));
  return absl::OkStatus();
}

// Replaces `path` with `bytes` so that a crash at any instant leaves either
// the old file or the new one: writes `path`.tmp, syncs it, renames it over
// `path`, syncs the directory.
inline absl::Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(SystemError("cannot create", tmp));
  absl::Status written = WriteAll(fd, bytes, tmp);
  if (written.ok() && ::fsync(fd) != 0) {
    written = absl::UnavailableError(SystemError("cannot sync", tmp));
  }
  if (::close(fd) != 0 && written.ok()) {
    written = absl::UnavailableError(SystemError("cannot close", tmp));
  }
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = absl::UnavailableError(SystemError("cannot rename onto", path));
  }
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  return SyncParentDirectory(path);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_BASE_FILE_IO_H_
