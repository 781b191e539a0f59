// Strict parsers for CSV cells: integers, decimals, booleans and timestamps.
// Nothing is trimmed or guessed; every error is InvalidArgument and quotes
// the offending text (cut to 64 bytes, control bytes escaped).
//
//   AUDIENCE_ASSIGN_OR_RETURN(int64_t n, ParseInt64("00042"));        // 42
//   AUDIENCE_ASSIGN_OR_RETURN(TimeFormat f, TimeFormat::Parse("%Y%m%d"));
//   AUDIENCE_ASSIGN_OR_RETURN(UnixSeconds t, f.ParseTime("19970101"));  // 852076800
//
// Time formats: %Y (exactly 4 digits, 0000-9999), %m (1-12), %d (1-31,
// checked against the month, leap years included), %H (0-23), %M (0-59),
// %S (0-59; no leap second), %% (a literal '%'); any other character must
// match itself exactly. %m %d %H %M %S take 1 or 2 digits ("12/1/2010 8:26"
// reads with "%m/%d/%Y %H:%M") unless they touch another directive
// ("%Y%m%d"), where they need exactly 2. %Y, %m and %d are required; missing
// %H %M %S are 0. Other directives (%y, %b, %z, ...) are rejected. The spec
// "unix" reads integer seconds since the epoch (optional sign, |t| <= 1e11).
// Times are UTC: the text carries no zone and none is applied (a later
// version adds time zones). The parsers are pure functions; a TimeFormat is
// immutable and safe to share between threads.
#ifndef AUDIENCE_IO_FIELD_PARSE_H_
#define AUDIENCE_IO_FIELD_PARSE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "audience/base/config.h"
#include "audience/base/types.h"

AUDIENCE_BEGIN_NAMESPACE

// Optional sign ('+' or '-') and ASCII decimal digits only, leading zeros
// allowed; no spaces, no other characters; outside int64 is an error.
absl::StatusOr<int64_t> ParseInt64(std::string_view text);
// Decimal with optional sign, fraction and exponent ("-2.5e3", ".5", "5.");
// no hex, inf, nan or spaces. A value that overflows a double, or a nonzero
// one that underflows below the smallest denormal ("1e-400"), is an error;
// "-0" reads as 0. Rounds to nearest (std::from_chars).
absl::StatusOr<double> ParseDouble(std::string_view text);
// true/false, 1/0, yes/no, ASCII case-insensitive; nothing else.
absl::StatusOr<bool> ParseBool(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil). The caller validates month 1-12 and day 1-31.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// A compiled time format (see the file comment).
class TimeFormat {
 public:
  // InvalidArgument for an unknown or repeated directive, a trailing '%',
  // or a format without %Y, %m and %d.
  static absl::StatusOr<TimeFormat> Parse(std::string_view spec);
  // Seconds since the epoch, UTC. InvalidArgument if the text does not
  // match (naming the position) or names no real time (month 13, Feb 29 of
  // a common year, hour 24).
  absl::StatusOr<UnixSeconds> ParseTime(std::string_view text) const;
  const std::string& spec() const { return spec_; }

 private:
  enum class Kind : uint8_t { kLiteral, kYear, kMonth, kDay, kHour, kMinute, kSecond };
  struct Token {
    Kind kind;
    char literal;        // kLiteral
    uint8_t min_digits;  // numeric kinds
  };
  TimeFormat() = default;
  std::string spec_;
  bool unix_ = false;
  std::vector<Token> tokens_;
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/io/field_parse-inl.h"
#endif

#endif  // AUDIENCE_IO_FIELD_PARSE_H_
