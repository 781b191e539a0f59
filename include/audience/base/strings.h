// Bridges between std::string_view (our API) and absl::string_view.
//
// Debian's Abseil 20220623 is built with ABSL_OPTION_USE_STD_STRING_VIEW=0,
// so absl::string_view is a distinct type: absl::StrCat and the transparent
// lookups of absl::flat_hash_map<std::string, V> do not accept a
// std::string_view. Build messages with fmt::format; look keys up with
// AbslView(). fmt formats absl::string_view through the formatter below.
//
//   auto it = ids_.find(AbslView(name));   // no allocation
#ifndef AUDIENCE_BASE_STRINGS_H_
#define AUDIENCE_BASE_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "audience/base/config.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view StdView(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

// ASCII-only case folding (keywords, names, headers): bytes >= 0x80 are
// left alone, so UTF-8 text passes through unchanged.
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}
inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

AUDIENCE_END_NAMESPACE

// Lets fmt format absl::string_view (e.g. a Status message) directly.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};

#endif  // AUDIENCE_BASE_STRINGS_H_
