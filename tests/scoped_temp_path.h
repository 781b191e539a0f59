// ScopedTempPath: a path under the system temp directory, unique to this
// process, removed (recursively) on construction and again when the guard
// goes out of scope, so tests leave nothing behind, even when they fail.
#ifndef AUDIENCE_TESTS_SCOPED_TEMP_PATH_H_
#define AUDIENCE_TESTS_SCOPED_TEMP_PATH_H_

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace audience_test {

class ScopedTempPath {
 public:
  explicit ScopedTempPath(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("audience_" + std::to_string(::getpid()) + "_" + name))
                  .string()) {
    Remove();
  }
  ~ScopedTempPath() { Remove(); }
  ScopedTempPath(const ScopedTempPath&) = delete;
  ScopedTempPath& operator=(const ScopedTempPath&) = delete;

  const std::string& path() const { return path_; }

 private:
  void Remove() {
    std::error_code ignored;  // already gone, or never made
    std::filesystem::remove_all(path_, ignored);
  }
  std::string path_;
};

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_SCOPED_TEMP_PATH_H_
