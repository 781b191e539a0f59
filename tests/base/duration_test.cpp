#include "audience/base/duration.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>

using audience::FormatDurationText;
using audience::kMaxDurationSeconds;
using audience::ParseDuration;

namespace {

std::string ErrorOf(std::string_view text) {
  auto d = ParseDuration(text);
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(d.status().message());
}

}  // namespace

TEST_CASE("ParseDuration accepts every unit", "[base][duration]") {
  CHECK(*ParseDuration("90s") == absl::Seconds(90));
  CHECK(*ParseDuration("45m") == absl::Minutes(45));
  CHECK(*ParseDuration("12h") == absl::Hours(12));
  CHECK(*ParseDuration("30d") == absl::Hours(24 * 30));
  CHECK(*ParseDuration("8w") == absl::Hours(24 * 7 * 8));
  CHECK(*ParseDuration("0s") == absl::ZeroDuration());
  CHECK(*ParseDuration("007d") == absl::Hours(24 * 7));
}

TEST_CASE("ParseDuration accepts exactly 100 years and no more", "[base][duration]") {
  CHECK(*ParseDuration("36525d") == absl::Seconds(kMaxDurationSeconds));
  CHECK(*ParseDuration(std::to_string(kMaxDurationSeconds) + "s") ==
        absl::Seconds(kMaxDurationSeconds));
  CHECK(ErrorOf("36526d") == "duration '36526d': longer than 100 years");
  CHECK(ErrorOf(std::to_string(kMaxDurationSeconds + 1) + "s").find("longer than 100 years") !=
        std::string::npos);
  CHECK(ErrorOf("5218w") == "duration '5218w': longer than 100 years");
  // Far past int64: must not overflow on the way.
  CHECK(ErrorOf("99999999999999999999999999999999999d").find("longer than 100 years") !=
        std::string::npos);
}

TEST_CASE("ParseDuration rejects malformed text with a message naming it", "[base][duration]") {
  CHECK(ErrorOf("") == "duration '': must not be empty; expected e.g. '30d'");
  CHECK(ErrorOf("-5d") == "duration '-5d': must not be negative");
  CHECK(ErrorOf("30") == "duration '30': missing unit; expected one of s, m, h, d, w");
  CHECK(ErrorOf("30y") == "duration '30y': unknown unit 'y'; expected one of s, m, h, d, w");
  CHECK(ErrorOf("30dd") == "duration '30dd': unknown unit 'dd'; expected one of s, m, h, d, w");
  CHECK(ErrorOf("30 d") == "duration '30 d': unknown unit ' d'; expected one of s, m, h, d, w");
  CHECK(ErrorOf("30D") == "duration '30D': unknown unit 'D'; expected one of s, m, h, d, w");
  CHECK(ErrorOf("d") ==
        "duration 'd': expected digits followed by a unit (s, m, h, d, w), e.g. '30d'");
  CHECK(ErrorOf("+5d").find("expected digits") != std::string::npos);
  CHECK(ErrorOf("1.5h").find("unknown unit '.5h'") != std::string::npos);
  CHECK(ErrorOf("1h30m").find("unknown unit 'h30m'") != std::string::npos);
  // Hostile bytes are escaped and long text is cut in the message.
  CHECK(ErrorOf(std::string("5\n", 2)) ==
        "duration '5\\x0A': unknown unit '\\x0A'; expected one of s, m, h, d, w");
  CHECK(ErrorOf(std::string(1000, 'x')).size() < 200);
}

TEST_CASE("FormatDurationText picks the largest exact unit", "[base][duration]") {
  CHECK(FormatDurationText(absl::ZeroDuration()) == "0s");
  CHECK(FormatDurationText(absl::Hours(24 * 30)) == "30d");
  CHECK(FormatDurationText(absl::Hours(36)) == "36h");
  CHECK(FormatDurationText(absl::Hours(24 * 14)) == "2w");
  CHECK(FormatDurationText(absl::Hours(24 * 7)) == "1w");
  CHECK(FormatDurationText(absl::Minutes(90)) == "90m");
  CHECK(FormatDurationText(absl::Minutes(120)) == "2h");
  CHECK(FormatDurationText(absl::Seconds(90)) == "90s");
  CHECK(FormatDurationText(absl::Seconds(-120)) == "-2m");
  CHECK(FormatDurationText(absl::Milliseconds(1500)) == "1.5s");
  CHECK(FormatDurationText(absl::InfiniteDuration()) == "inf");
}

TEST_CASE("FormatDurationText and ParseDuration round-trip", "[base][duration]") {
  std::mt19937_64 rng(20240601);
  const int64_t unit_seconds[] = {1, 60, 3600, 86400, 7 * 86400};
  for (int i = 0; i < 5000; ++i) {
    const int64_t unit = unit_seconds[rng() % 5];
    const int64_t count = static_cast<int64_t>(rng() % static_cast<uint64_t>(
                                                           kMaxDurationSeconds / unit + 1));
    const absl::Duration d = absl::Seconds(count * unit);
    const std::string text = FormatDurationText(d);
    auto back = ParseDuration(text);
    REQUIRE(back.ok());
    CHECK(*back == d);
  }
  CHECK(*ParseDuration(FormatDurationText(absl::Seconds(kMaxDurationSeconds))) ==
        absl::Seconds(kMaxDurationSeconds));
}
