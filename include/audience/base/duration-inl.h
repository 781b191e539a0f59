// Definitions for duration.h.
#ifndef AUDIENCE_BASE_DURATION_INL_H_
#define AUDIENCE_BASE_DURATION_INL_H_

#include <cstdlib>

#include "absl/status/status.h"
#include "audience/base/duration.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace duration_internal {

struct Unit {
  char symbol;
  int64_t seconds;
};

// Largest first: FormatDurationText takes the first unit that divides exactly.
inline constexpr Unit kUnits[] = {
    {'w', 7 * 86400}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

// Shown in error messages; hostile text is cut short and kept printable.
inline std::string Shown(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < 32; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7F || c == '\\') {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > 32) out += "...";
  return out;
}

}  // namespace duration_internal

AUDIENCE_FUNC absl::StatusOr<absl::Duration> ParseDuration(std::string_view text) {
  using duration_internal::Shown;
  if (text.empty()) {
    return absl::InvalidArgumentError("duration '': must not be empty; expected e.g. '30d'");
  }
  if (text[0] == '-') {
    return absl::InvalidArgumentError(
        fmt::format("duration '{}': must not be negative", Shown(text)));
  }
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) {
    return absl::InvalidArgumentError(fmt::format(
        "duration '{}': expected digits followed by a unit (s, m, h, d, w), e.g. '30d'",
        Shown(text)));
  }
  if (digits == text.size()) {
    return absl::InvalidArgumentError(fmt::format(
        "duration '{}': missing unit; expected one of s, m, h, d, w", Shown(text)));
  }
  std::string_view unit_text = text.substr(digits);
  const duration_internal::Unit* unit = nullptr;
  if (unit_text.size() == 1) {
    for (const auto& u : duration_internal::kUnits) {
      if (u.symbol == unit_text[0]) unit = &u;
    }
  }
  if (unit == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("duration '{}': unknown unit '{}'; expected one of s, m, h, d, w",
                    Shown(text), Shown(unit_text)));
  }
  // Accumulate with an early bound so that no digit string can overflow.
  const int64_t max_count = kMaxDurationSeconds / unit->seconds;
  int64_t count = 0;
  for (size_t i = 0; i < digits; ++i) {
    count = count * 10 + (text[i] - '0');
    if (count > max_count) {
      return absl::InvalidArgumentError(
          fmt::format("duration '{}': longer than 100 years", Shown(text)));
    }
  }
  return absl::Seconds(count * unit->seconds);
}

AUDIENCE_FUNC std::string FormatDurationText(absl::Duration d) {
  if (d == absl::ZeroDuration()) return "0s";
  absl::Duration rem;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rem);
  if (rem != absl::ZeroDuration() || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return absl::FormatDuration(d);
  }
  for (const auto& u : duration_internal::kUnits) {
    if (seconds % u.seconds == 0) return fmt::format("{}{}", seconds / u.seconds, u.symbol);
  }
  return fmt::format("{}s", seconds);  // unreachable: every count divides by 1
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_BASE_DURATION_INL_H_
