#include "audience/io/field_parse.h"

#include <catch2/catch.hpp>
#include <random>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fmt/format.h"

using namespace audience;

namespace {

std::string Error(const absl::Status& s) { return std::string(s.message()); }

}  // namespace

TEST_CASE("integers", "[io][parse]") {
  CHECK(*ParseInt64("00042") == 42);
  CHECK(*ParseInt64("0") == 0);
  CHECK(*ParseInt64("-0") == 0);
  CHECK(*ParseInt64("-7") == -7);
  CHECK(*ParseInt64("+7") == 7);
  CHECK(*ParseInt64("9223372036854775807") == INT64_MAX);
  CHECK(*ParseInt64("-9223372036854775808") == INT64_MIN);
  CHECK(Error(ParseInt64("9223372036854775808").status()) ==
        "integer '9223372036854775808' is out of the 64-bit range");
  CHECK(Error(ParseInt64("-9223372036854775809").status()) ==
        "integer '-9223372036854775809' is out of the 64-bit range");
  CHECK_FALSE(ParseInt64("99999999999999999999999999").ok());
  for (const char* bad : {"", "-", "+", " 1", "1 ", "1.0", "abc", "+-1", "-+1", "0x10", "1e3",
                          "١"}) {
    INFO(bad);
    CHECK(ParseInt64(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(Error(ParseInt64("thirty").status()) == "expected an integer, got 'thirty'");
  CHECK(Error(ParseInt64("1\n").status()) == "expected an integer, got '1\\x0A'");
}

TEST_CASE("decimals", "[io][parse]") {
  CHECK(*ParseDouble("11.77") == 11.77);
  CHECK(*ParseDouble("-2.5e3") == -2500);
  CHECK(*ParseDouble("1E-2") == 0.01);
  CHECK(*ParseDouble("+.5") == 0.5);
  CHECK(*ParseDouble("5.") == 5.0);
  CHECK(*ParseDouble("007") == 7.0);
  CHECK(*ParseDouble("1.7976931348623157e308") == 1.7976931348623157e308);
  CHECK(!std::signbit(*ParseDouble("-0")));  // no negative zero
  for (const char* bad : {"", ".", "-", "e5", "1e", "inf", "-inf", "nan", "NaN", "infinity",
                          "1,5", "0x1p3", " 1", "1 ", "--1", "+-1", "1.2.3", "1e+"}) {
    INFO(bad);
    CHECK(ParseDouble(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(Error(ParseDouble("12,5").status()) == "expected a number, got '12,5'");
  CHECK(Error(ParseDouble("1e999").status()) == "number '1e999' is out of range");
  CHECK(Error(ParseDouble("1e-400").status()) == "number '1e-400' is out of range");
  CHECK(*ParseDouble("1e-320") > 0);  // denormals are fine
}

TEST_CASE("booleans", "[io][parse]") {
  for (const char* t : {"true", "TRUE", "True", "1", "yes", "YES"}) CHECK(*ParseBool(t));
  for (const char* f : {"false", "FALSE", "0", "no", "No"}) CHECK_FALSE(*ParseBool(f));
  for (const char* bad : {"", "maybe", "t", "y", "2", " true", "true ", "truex", "yess"}) {
    INFO(bad);
    CHECK_FALSE(ParseBool(bad).ok());
  }
  CHECK(Error(ParseBool("maybe").status()) ==
        "expected true/false, 1/0 or yes/no, got 'maybe'");
}

TEST_CASE("time formats", "[io][parse][time]") {
  auto ymd = TimeFormat::Parse("%Y%m%d");
  REQUIRE(ymd.ok());
  CHECK(ymd->spec() == "%Y%m%d");
  CHECK(*ymd->ParseTime("19970101") == 852076800);
  CHECK(*ymd->ParseTime("19980630") == 899164800);
  CHECK(Error(ymd->ParseTime("1997011").status()) ==
        "time '1997011' does not match format '%Y%m%d': expected 2 digits at position 7");
  auto us = TimeFormat::Parse("%m/%d/%Y %H:%M");
  REQUIRE(us.ok());
  CHECK(*us->ParseTime("12/1/2010 8:26") == 1291191960);
  CHECK(*us->ParseTime("12/01/2010 08:26") == 1291191960);
  auto iso = TimeFormat::Parse("%Y-%m-%dT%H:%M:%SZ");
  CHECK(*iso->ParseTime("2024-02-29T23:59:59Z") == 1709251199);
  CHECK(*iso->ParseTime("1970-01-01T00:00:00Z") == 0);
  auto dt = TimeFormat::Parse("%Y-%m-%d %H:%M:%S");
  CHECK(*dt->ParseTime("2010-12-01 08:26:00") == 1291191960);
  auto d = TimeFormat::Parse("%Y-%m-%d");
  CHECK(*d->ParseTime("1969-12-31") == -86400);
  CHECK(*d->ParseTime("0000-03-01") == -62162035200);
  CHECK(*d->ParseTime("9999-12-31") == 253402214400);
  CHECK(*d->ParseTime("2000-02-29") == 951782400);   // divisible by 400: leap
  CHECK(Error(d->ParseTime("1900-02-29").status()) ==  // by 100: not
        "time '1900-02-29' does not match format '%Y-%m-%d': day 29 does not exist in 1900-02");
  CHECK(Error(d->ParseTime("2023-02-29").status()) ==
        "time '2023-02-29' does not match format '%Y-%m-%d': day 29 does not exist in 2023-02");
  CHECK(*d->ParseTime("2024-02-29") == 1709164800);
  CHECK(Error(d->ParseTime("2023-04-31").status()) ==
        "time '2023-04-31' does not match format '%Y-%m-%d': day 31 does not exist in 2023-04");
  CHECK(Error(d->ParseTime("2023-13-01").status()) ==
        "time '2023-13-01' does not match format '%Y-%m-%d': month 13 is not 1-12");
  CHECK(Error(d->ParseTime("2023-00-10").status()) ==
        "time '2023-00-10' does not match format '%Y-%m-%d': month 0 is not 1-12");
  CHECK(Error(d->ParseTime("2023-01-00").status()) ==
        "time '2023-01-00' does not match format '%Y-%m-%d': day 0 does not exist in 2023-01");
  CHECK(Error(d->ParseTime("2023-1-1x").status()) ==
        "time '2023-1-1x' does not match format '%Y-%m-%d': unexpected text at position 9");
  CHECK(Error(d->ParseTime("23-01-01").status()) ==
        "time '23-01-01' does not match format '%Y-%m-%d': expected a 4-digit year at position 1");
  CHECK(Error(d->ParseTime("2023/01/01").status()) ==
        "time '2023/01/01' does not match format '%Y-%m-%d': expected '-' at position 5");
  CHECK(Error(d->ParseTime("2023-001-01").status()) ==
        "time '2023-001-01' does not match format '%Y-%m-%d': expected '-' at position 8");
  for (const char* bad : {"", " 2023-01-01", "2023-01-01 ", "2023-01-", "+2023-01-01"}) {
    INFO(bad);
    CHECK_FALSE(d->ParseTime(bad).ok());
  }
  CHECK(Error(us->ParseTime("12/1/2010 24:00").status()) ==
        "time '12/1/2010 24:00' does not match format '%m/%d/%Y %H:%M': hour 24 is not 0-23");
  CHECK(Error(us->ParseTime("12/1/2010 23:60").status()) ==
        "time '12/1/2010 23:60' does not match format '%m/%d/%Y %H:%M': minute 60 is not 0-59");
  CHECK(Error(iso->ParseTime("2024-01-01T00:00:60Z").status()).find("second 60 is not 0-59") !=
        std::string::npos);
  auto pct = TimeFormat::Parse("%Y%%%m%%%d");
  CHECK(*pct->ParseTime("1970%01%02") == 86400);

  auto unix_format = TimeFormat::Parse("unix");
  CHECK(*unix_format->ParseTime("1700000000") == 1700000000);
  CHECK(*unix_format->ParseTime("-86400") == -86400);
  CHECK_FALSE(unix_format->ParseTime("17e8").ok());
  CHECK_FALSE(unix_format->ParseTime("100000000001").ok());
  CHECK(Error(unix_format->ParseTime("x").status()) == "expected unix seconds, got 'x'");

  CHECK(Error(TimeFormat::Parse("%Y-%m-%q").status()) ==
        "time format '%Y-%m-%q': unknown directive '%q' (known: %Y %m %d %H %M %S %%)");
  CHECK_FALSE(TimeFormat::Parse("%y-%m-%d").ok());
  CHECK(Error(TimeFormat::Parse("%H:%M").status()) ==
        "time format '%H:%M' needs %Y, %m and %d (or is 'unix')");
  CHECK(Error(TimeFormat::Parse("%Y%Y%m%d").status()) == "time format '%Y%Y%m%d' repeats '%Y'");
  CHECK(Error(TimeFormat::Parse("%Y%m%d%").status()) == "time format '%Y%m%d%' ends with '%'");
  CHECK_FALSE(TimeFormat::Parse("").ok());
}

TEST_CASE("time parsing agrees with absl civil time on random dates", "[io][parse][oracle]") {
  std::mt19937 rng(7);
  auto format = TimeFormat::Parse("%Y-%m-%d %H:%M:%S");
  REQUIRE(format.ok());
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    const int y = static_cast<int>(rng() % 10000), mo = static_cast<int>(rng() % 13);
    const int d = static_cast<int>(rng() % 32), h = static_cast<int>(rng() % 24);
    const int mi = static_cast<int>(rng() % 60), s = static_cast<int>(rng() % 60);
    const std::string text = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", y, mo, d, h, mi, s);
    const absl::CivilSecond civil(y, mo, d, h, mi, s);
    const bool real = civil.year() == y && civil.month() == mo && civil.day() == d;  // no rollover
    absl::StatusOr<UnixSeconds> got = format->ParseTime(text);
    INFO(text);
    REQUIRE(got.ok() == real);
    if (real) {
      ++valid;
      REQUIRE(*got == absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())));
    }
  }
  CHECK(valid > 15000);
}
