// Definitions for field_parse.h.
#ifndef AUDIENCE_IO_FIELD_PARSE_INL_H_
#define AUDIENCE_IO_FIELD_PARSE_INL_H_

#include <algorithm>
#include <charconv>
#include <cmath>

#include "audience/base/strings.h"
#include "audience/io/field_parse.h"
#include "audience/schema/schema.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC absl::StatusOr<int64_t> ParseInt64(std::string_view text) {
  using schema_internal::Shown;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || (digits[0] == '-' && digits.size() == 1) || ec == std::errc::invalid_argument ||
      end != digits.data() + digits.size() || (text[0] == '+' && digits[0] == '-')) {
    return absl::InvalidArgumentError(fmt::format("expected an integer, got '{}'", Shown(text)));
  }
  if (ec == std::errc::result_out_of_range) {
    return absl::InvalidArgumentError(
        fmt::format("integer '{}' is out of the 64-bit range", Shown(text)));
  }
  return v;
}

AUDIENCE_FUNC absl::StatusOr<double> ParseDouble(std::string_view text) {
  using schema_internal::Shown;
  std::string_view s = text;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto bad = [&] {
    return absl::InvalidArgumentError(fmt::format("expected a number, got '{}'", Shown(text)));
  };
  // Only digits, sign, point and exponent: from_chars would accept inf/nan.
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      return bad();
    }
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (s.empty() || ec == std::errc::invalid_argument || end != s.data() + s.size() ||
      (text[0] == '+' && s[0] == '-')) {
    return bad();
  }
  if (ec == std::errc::result_out_of_range || !std::isfinite(v)) {
    return absl::InvalidArgumentError(fmt::format("number '{}' is out of range", Shown(text)));
  }
  return v == 0 ? 0.0 : v;  // no negative zero
}

AUDIENCE_FUNC absl::StatusOr<bool> ParseBool(std::string_view text) {
  const std::string lower = AsciiLower(text.substr(0, 8));
  if (text.size() <= 5) {
    if (lower == "true" || lower == "1" || lower == "yes") return true;
    if (lower == "false" || lower == "0" || lower == "no") return false;
  }
  return absl::InvalidArgumentError(fmt::format(
      "expected true/false, 1/0 or yes/no, got '{}'", schema_internal::Shown(text)));
}

AUDIENCE_FUNC int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

AUDIENCE_FUNC absl::StatusOr<TimeFormat> TimeFormat::Parse(std::string_view spec) {
  TimeFormat f;
  f.spec_ = std::string(spec);
  if (spec == "unix") {
    f.unix_ = true;
    return f;
  }
  bool seen[7] = {};
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      f.tokens_.push_back({Kind::kLiteral, spec[i], 0});
      continue;
    }
    if (++i == spec.size()) {
      return absl::InvalidArgumentError(fmt::format("time format '{}' ends with '%'", spec));
    }
    Kind k;
    switch (spec[i]) {
      case 'Y': k = Kind::kYear; break;
      case 'm': k = Kind::kMonth; break;
      case 'd': k = Kind::kDay; break;
      case 'H': k = Kind::kHour; break;
      case 'M': k = Kind::kMinute; break;
      case 'S': k = Kind::kSecond; break;
      case '%': f.tokens_.push_back({Kind::kLiteral, '%', 0}); continue;
      default:
        return absl::InvalidArgumentError(fmt::format(
            "time format '{}': unknown directive '%{}' (known: %Y %m %d %H %M %S %%)", spec,
            spec[i]));
    }
    if (seen[static_cast<int>(k)]) {
      return absl::InvalidArgumentError(
          fmt::format("time format '{}' repeats '%{}'", spec, spec[i]));
    }
    seen[static_cast<int>(k)] = true;
    f.tokens_.push_back({k, 0, static_cast<uint8_t>(k == Kind::kYear ? 4 : 1)});
  }
  // Unpadded values are ambiguous when two directives touch ("%m%d").
  for (size_t t = 0; t + 1 < f.tokens_.size(); ++t) {
    if (f.tokens_[t].kind != Kind::kLiteral && f.tokens_[t + 1].kind != Kind::kLiteral) {
      for (Token* tok : {&f.tokens_[t], &f.tokens_[t + 1]}) {
        tok->min_digits = std::max<uint8_t>(tok->min_digits, 2);
      }
    }
  }
  if (!seen[static_cast<int>(Kind::kYear)] || !seen[static_cast<int>(Kind::kMonth)] ||
      !seen[static_cast<int>(Kind::kDay)]) {
    return absl::InvalidArgumentError(
        fmt::format("time format '{}' needs %Y, %m and %d (or is 'unix')", spec));
  }
  return f;
}

AUDIENCE_FUNC absl::StatusOr<UnixSeconds> TimeFormat::ParseTime(std::string_view text) const {
  using schema_internal::Shown;
  if (unix_) {
    absl::StatusOr<int64_t> v = ParseInt64(text);
    if (!v.ok() || *v > 100'000'000'000 || *v < -100'000'000'000) {
      return absl::InvalidArgumentError(
          fmt::format("expected unix seconds, got '{}'", Shown(text)));
    }
    return *v;
  }
  auto mismatch = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("time '{}' does not match format '{}': {}",
                                                  Shown(text), spec_, why));
  };
  int64_t field[7] = {0, 0, 0, 0, 0, 0, 0};
  size_t pos = 0;
  for (const Token& t : tokens_) {
    if (t.kind == Kind::kLiteral) {
      if (pos >= text.size() || text[pos] != t.literal) {
        return mismatch(fmt::format("expected '{}' at position {}", t.literal, pos + 1));
      }
      ++pos;
      continue;
    }
    size_t max_digits = t.kind == Kind::kYear ? 4 : 2;
    size_t start = pos;
    int64_t v = 0;
    while (pos < text.size() && pos - start < max_digits && text[pos] >= '0' && text[pos] <= '9') {
      v = v * 10 + (text[pos++] - '0');
    }
    if (pos - start < t.min_digits) {
      return mismatch(t.kind == Kind::kYear
                          ? fmt::format("expected a 4-digit year at position {}", start + 1)
                          : fmt::format("expected {} at position {}",
                                        t.min_digits == 2 ? "2 digits" : "digits", start + 1));
    }
    field[static_cast<int>(t.kind)] = v;
  }
  if (pos != text.size()) return mismatch(fmt::format("unexpected text at position {}", pos + 1));
  int64_t y = field[1], mo = field[2], d = field[3], h = field[4], mi = field[5], s = field[6];
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12) return mismatch(fmt::format("month {} is not 1-12", mo));
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int64_t month_days = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  if (d < 1 || d > month_days) {
    return mismatch(fmt::format("day {} does not exist in {}-{:02}", d, y, mo));
  }
  if (h > 23) return mismatch(fmt::format("hour {} is not 0-23", h));
  if (mi > 59) return mismatch(fmt::format("minute {} is not 0-59", mi));
  if (s > 59) return mismatch(fmt::format("second {} is not 0-59", s));
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kSecondsPerDay + h * 3600 + mi * 60 + s;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IO_FIELD_PARSE_INL_H_
