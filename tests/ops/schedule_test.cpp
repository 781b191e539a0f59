#include "audience/ops/schedule.h"

#include <catch2/catch.hpp>

#include "absl/time/civil_time.h"

using namespace audience;

namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone z;
  REQUIRE(absl::LoadTimeZone(name, &z));
  return z;
}

absl::Time Local(const absl::TimeZone& z, int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), z);
}

}  // namespace

TEST_CASE("an offset alone is due exactly that long after the trigger", "[ops][schedule]") {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time t = Local(utc, 2026, 3, 4, 15, 7);
  CHECK(DueTime(t, {}, nullptr, utc) == t);
  CHECK(DueTime(t, {.offset = absl::Hours(21 * 24)}, nullptr, utc) == t + absl::Hours(21 * 24));
}

TEST_CASE("a weekday rule picks the next matching local slot", "[ops][schedule]") {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  const Schedule weekend{.weekdays = kWeekend, .hour = 10};
  // 2026-03-04 is a Wednesday: next Saturday 10:00 local.
  CHECK(DueTime(Local(shanghai, 2026, 3, 4, 9, 0), weekend, nullptr, shanghai) ==
        Local(shanghai, 2026, 3, 7, 10, 0));
  // Saturday 09:59 -> the same day at 10:00; Saturday 10:01 -> Sunday.
  CHECK(DueTime(Local(shanghai, 2026, 3, 7, 9, 59), weekend, nullptr, shanghai) ==
        Local(shanghai, 2026, 3, 7, 10, 0));
  CHECK(DueTime(Local(shanghai, 2026, 3, 7, 10, 1), weekend, nullptr, shanghai) ==
        Local(shanghai, 2026, 3, 8, 10, 0));
  // Sunday 11:00 -> next Saturday (the eighth day is looked at).
  const Schedule saturday{.weekdays = 0x20, .hour = 10};
  CHECK(DueTime(Local(shanghai, 2026, 3, 7, 11, 0), saturday, nullptr, shanghai) ==
        Local(shanghai, 2026, 3, 14, 10, 0));
  // The offset applies first: 30 days after a Wednesday is a Friday.
  const Schedule after30{.offset = absl::Hours(30 * 24), .weekdays = kWeekend, .hour = 10};
  CHECK(DueTime(Local(shanghai, 2026, 3, 4, 9, 0), after30, nullptr, shanghai) ==
        Local(shanghai, 2026, 4, 4, 10, 0));
  // The same instant in another zone is another local day.
  const absl::TimeZone ny = Zone("America/New_York");
  const absl::Time friday_late_ny = Local(ny, 2026, 3, 6, 23, 0);  // Saturday 12:00 in Shanghai
  CHECK(DueTime(friday_late_ny, weekend, nullptr, ny) == Local(ny, 2026, 3, 7, 10, 0));
  CHECK(DueTime(friday_late_ny, weekend, nullptr, shanghai) == Local(shanghai, 2026, 3, 8, 10, 0));
}

TEST_CASE("quiet hours move a due time to their end", "[ops][schedule]") {
  const absl::TimeZone z = Zone("Europe/Berlin");
  const QuietHours night{.from_minute = 22 * 60, .to_minute = 8 * 60};
  // 23:30 -> next morning 08:00; 03:00 -> same morning; 21:59 stays.
  CHECK(DueTime(Local(z, 2026, 5, 1, 23, 30), {}, &night, z) == Local(z, 2026, 5, 2, 8, 0));
  CHECK(DueTime(Local(z, 2026, 5, 1, 3, 0), {}, &night, z) == Local(z, 2026, 5, 1, 8, 0));
  CHECK(DueTime(Local(z, 2026, 5, 1, 21, 59), {}, &night, z) == Local(z, 2026, 5, 1, 21, 59));
  CHECK(DueTime(Local(z, 2026, 5, 1, 8, 0), {}, &night, z) == Local(z, 2026, 5, 1, 8, 0));
  // A window within one day.
  const QuietHours lunch{.from_minute = 12 * 60, .to_minute = 13 * 60 + 30};
  CHECK(DueTime(Local(z, 2026, 5, 1, 12, 10), {}, &lunch, z) == Local(z, 2026, 5, 1, 13, 30));
  // Equal bounds: no quiet hours.
  const QuietHours none{.from_minute = 600, .to_minute = 600};
  CHECK(DueTime(Local(z, 2026, 5, 1, 10, 0), {}, &none, z) == Local(z, 2026, 5, 1, 10, 0));
  // Across the spring-forward night (2026-03-29, 02:00 -> 03:00 in Berlin).
  CHECK(DueTime(Local(z, 2026, 3, 28, 23, 0), {}, &night, z) == Local(z, 2026, 3, 29, 8, 0));
}

TEST_CASE("schedules and quiet hours are validated", "[ops][schedule][errors]") {
  CHECK(ValidateSchedule({.offset = absl::Hours(1), .weekdays = kEveryDay, .hour = 23,
                          .minute = 59}).ok());
  CHECK_THAT(std::string(ValidateSchedule({.offset = -absl::Seconds(1)}).message()),
             Catch::Contains("negative"));
  CHECK_THAT(std::string(ValidateSchedule({.weekdays = 0x80}).message()),
             Catch::Contains("bits above Sunday"));
  CHECK_THAT(std::string(ValidateSchedule({.hour = 24}).message()), Catch::Contains("hour 24"));
  CHECK_THAT(std::string(ValidateSchedule({.minute = -1}).message()), Catch::Contains("minute -1"));
  CHECK(ValidateQuietHours({.from_minute = 1320, .to_minute = 480}).ok());
  CHECK_THAT(std::string(ValidateQuietHours({.from_minute = 1440}).message()),
             Catch::Contains("1440"));
}

TEST_CASE("schedules describe themselves", "[ops][schedule]") {
  CHECK(DescribeSchedule({.offset = absl::Hours(21 * 24)}) == "T+3w");
  CHECK(DescribeSchedule({.weekdays = kWeekend, .hour = 10}) == "T+0s then Sat,Sun 10:00");
}
