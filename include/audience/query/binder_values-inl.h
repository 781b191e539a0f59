// Operand conversion for the binder: numbers, times and values checked
// against an attribute's type. Internal to binder-inl.h.
#ifndef AUDIENCE_QUERY_BINDER_VALUES_INL_H_
#define AUDIENCE_QUERY_BINDER_VALUES_INL_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/time/time.h"
#include "audience/base/duration.h"
#include "audience/query/ast.h"
#include "audience/query/bound.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace binder_internal {

// A value or the reason it is not one (the caller adds the position).
template <typename T>
using Converted = std::variant<T, std::string>;

inline std::string_view OperandKindName(const Operand& o) {
  switch (o.kind) {
    case Operand::Kind::kString: return "a quoted value";
    case Operand::Kind::kInteger: return "an integer";
    case Operand::Kind::kDecimal: return "a decimal";
    case Operand::Kind::kDuration: return "a duration";
    case Operand::Kind::kBool: return "a boolean";
    case Operand::Kind::kNull: return "NULL";
    case Operand::Kind::kNow: case Operand::Kind::kToday: return "a time";
    case Operand::Kind::kName: return "a name";
  }
  return "a value";
}

inline Converted<int64_t> ToInt(const Operand& o) {
  if (o.kind != Operand::Kind::kInteger) {
    return fmt::format("expected an integer, got {}", OperandKindName(o));
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(o.text.data(), o.text.data() + o.text.size(), magnitude);
  uint64_t limit = o.negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (ec != std::errc() || end != o.text.data() + o.text.size() || magnitude > limit) {
    return fmt::format("integer {}{} is out of the int64 range", o.negative ? "-" : "", o.text);
  }
  if (o.negative) return static_cast<int64_t>(uint64_t{0} - magnitude);
  return static_cast<int64_t>(magnitude);
}

inline Converted<double> ToNumber(const Operand& o) {
  if (o.kind != Operand::Kind::kInteger && o.kind != Operand::Kind::kDecimal) {
    return fmt::format("expected a number, got {}", OperandKindName(o));
  }
  double v = 0;
  auto [end, ec] = std::from_chars(o.text.data(), o.text.data() + o.text.size(), v);
  if (ec != std::errc() || end != o.text.data() + o.text.size() || !std::isfinite(v)) {
    return fmt::format("number {} is out of range", o.text);
  }
  return o.negative ? -v : v;
}

// '2026-05-01', '2026-05-01 10:00[:00]', '2026-05-01T10:00[:00]', each
// optionally followed by 'Z' (UTC) or '+hh:mm' / '-hh:mm'; otherwise read
// in `tz`.
inline std::optional<absl::Time> ParseDate(std::string_view text, absl::TimeZone tz) {
  static constexpr const char* kFormats[] = {
      "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"};
  std::string s(text);
  std::string zone;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    s.pop_back();
    tz = absl::UTCTimeZone();
  } else if (s.size() > 16 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') &&
             s[s.size() - 3] == ':') {
    zone = s.substr(s.size() - 6);
    s.resize(s.size() - 6);
  }
  if (s.size() < 10 || s.front() == ' ' || s.back() == ' ') return std::nullopt;
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    std::string f = format;
    std::string input = s;
    if (!zone.empty()) {
      f += "%Ez";
      input += zone;
    }
    if (absl::ParseTime(f, input, tz, &t, &err)) return t;
  }
  return std::nullopt;
}

// now / today / a date, then +/- durations, as whole seconds.
inline Converted<UnixSeconds> ToTime(const Operand& o, absl::Time now, absl::TimeZone tz) {
  UnixSeconds t = 0;
  switch (o.kind) {
    case Operand::Kind::kNow: t = absl::ToUnixSeconds(now); break;
    case Operand::Kind::kToday: {
      absl::CivilDay day = absl::ToCivilDay(now, tz);
      t = absl::ToUnixSeconds(absl::FromCivil(day, tz));
      break;
    }
    case Operand::Kind::kString: {
      std::optional<absl::Time> d = ParseDate(o.text, tz);
      if (!d) {
        return fmt::format(
            "'{}' is not a date; expected '2026-05-01', '2026-05-01 10:00:00' or "
            "'2026-05-01T10:00:00Z'",
            o.text);
      }
      t = absl::ToUnixSeconds(*d);
      break;
    }
    default: return fmt::format("expected a time (now, today or a date), got {}", OperandKindName(o));
  }
  if (t < -kMaxQueryTime || t > kMaxQueryTime) {
    return fmt::format("time {} is out of range", o.kind == Operand::Kind::kString ? o.text : "now");
  }
  for (const auto& [sign, text] : o.shifts) {
    absl::StatusOr<absl::Duration> d = ParseDuration(text);
    if (!d.ok()) return std::string(d.status().message());
    int64_t seconds = absl::ToInt64Seconds(*d);
    t = sign == '+' ? t + seconds : t - seconds;  // both bounded: no overflow
    if (t < -kMaxQueryTime || t > kMaxQueryTime) {
      return fmt::format("time arithmetic leaves the supported range at {}{}", sign, text);
    }
  }
  return t;
}

// Positive whole seconds of a duration operand (within = 30d).
inline Converted<int64_t> ToDurationSeconds(const Operand& o) {
  if (o.kind != Operand::Kind::kDuration) {
    return fmt::format("expected a duration such as 30d, got {}", OperandKindName(o));
  }
  absl::StatusOr<absl::Duration> d = ParseDuration(o.text);
  if (!d.ok()) return std::string(d.status().message());
  if (*d <= absl::ZeroDuration()) return std::string("a window must be longer than 0s");
  return absl::ToInt64Seconds(*d);
}

}  // namespace binder_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_BINDER_VALUES_INL_H_
