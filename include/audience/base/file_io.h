// The few file operations durability rests on, shared by snapshots and the
// write-ahead log: checksums, whole reads, complete writes, syncs and atomic
// replacement.
//
//   AUDIENCE_RETURN_IF_ERROR(WriteFileAtomically("store.aud", bytes));
//   AUDIENCE_ASSIGN_OR_RETURN(std::string back, ReadWholeFile("store.aud"));
//   uint32_t crc = Crc32(bytes);
//
// Errors are Unavailable statuses (NotFound for a missing file to read)
// naming the operation, the path and the system's reason. POSIX only.
#ifndef AUDIENCE_BASE_FILE_IO_H_
#define AUDIENCE_BASE_FILE_IO_H_

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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

// A read-only descriptor of `path`: NotFound when it does not exist,
// Unavailable when it cannot be opened.
inline absl::StatusOr<int> OpenForReading(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) return fd;
  const bool missing = errno == ENOENT;
  const std::string why = SystemError("cannot open", path);
  return missing ? absl::NotFoundError(why) : absl::UnavailableError(why);
}

// The whole of `path`: NotFound when it does not exist, Unavailable when it
// cannot be opened or read. One read into a buffer of the file's size (a
// stream iterator costs several times the disk read on a large snapshot).
inline absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  absl::StatusOr<int> opened = OpenForReading(path);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  struct stat st {};
  std::string bytes;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) bytes.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  char more[4096];  // reads past the stat size: the file may have grown
  for (;;) {
    const bool full = done == bytes.size();
    const ssize_t n = full ? ::read(fd, more, sizeof(more))
                           : ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = SystemError("cannot read", path);
      ::close(fd);
      return absl::UnavailableError(why);
    }
    if (n == 0) break;
    if (full) bytes.append(more, static_cast<size_t>(n));
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(done);
  return bytes;
}

// A file mapped read-only into memory (its pages come straight from the
// page cache: no buffer to zero and fill). The file must not be truncated
// while mapped - reading a page past the new end raises SIGBUS - which
// holds for snapshots: they are only ever replaced by renaming a new file
// over the old one, and a mapping keeps the old file's pages.
class MappedFile {
 public:
  // NotFound when `path` does not exist, Unavailable when it cannot be
  // opened or mapped.
  static absl::StatusOr<MappedFile> Open(const std::string& path) {
    absl::StatusOr<int> opened = OpenForReading(path);
    if (!opened.ok()) return opened.status();
    const int fd = *opened;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const std::string why = SystemError("cannot stat", path);
      ::close(fd);
      return absl::UnavailableError(why);
    }
    MappedFile file;
    file.size_ = static_cast<size_t>(st.st_size);
    if (file.size_ > 0) {
      void* data = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED) {
        const std::string why = SystemError("cannot map", path);
        ::close(fd);
        return absl::UnavailableError(why);
      }
      ::madvise(data, file.size_, MADV_SEQUENTIAL);
      file.data_ = static_cast<const char*>(data);
    }
    ::close(fd);  // the mapping keeps the file
    return file;
  }

  MappedFile(MappedFile&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedFile& operator=(MappedFile&& other) noexcept {
    if (this != &other) {
      Unmap();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~MappedFile() { Unmap(); }

  std::string_view bytes() const { return {data_ == nullptr ? "" : data_, size_}; }

 private:
  MappedFile() = default;
  void Unmap() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    data_ = nullptr;
  }

  const char* data_ = nullptr;
  size_t size_ = 0;
};

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
