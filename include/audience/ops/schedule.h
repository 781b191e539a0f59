// When a timed follow-up falls due: an offset after the trigger, optionally
// moved to the next matching weekday and time of day, then out of quiet
// hours, all in the person's local time (Abseil civil time and zones).
//
//   Schedule coupon{.offset = absl::Hours(21 * 24)};          // T+21 days
//   Schedule wake_up{.weekdays = kWeekend, .hour = 10};        // next Sat/Sun 10:00
//   QuietHours night{.from_minute = 22 * 60, .to_minute = 8 * 60};
//   absl::Time due = DueTime(entered, wake_up, &night, shanghai);
//
// Local times that a daylight-saving change skips or repeats resolve as
// absl::FromCivil does (the earlier of two, the shifted time across a gap).
#ifndef AUDIENCE_OPS_SCHEDULE_H_
#define AUDIENCE_OPS_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Weekday masks: bit 0 = Monday ... bit 6 = Sunday.
inline constexpr uint8_t kWeekdays = 0x1F;
inline constexpr uint8_t kWeekend = 0x60;
inline constexpr uint8_t kEveryDay = 0x7F;

// The bit of `day` in a weekday mask.
inline int WeekdayBit(absl::Weekday day) {
  return static_cast<int>(day);  // absl numbers them monday = 0 ... sunday = 6
}

// Whether `minute` (after local midnight) lies in [from, to), wrapping past
// midnight when from > to; equal bounds hold nothing. Shared by quiet hours
// and matching scenes.
inline bool InMinuteWindow(int minute, int from, int to) {
  return from <= to ? minute >= from && minute < to : minute >= from || minute < to;
}

struct Schedule {
  absl::Duration offset = absl::ZeroDuration();  // after the trigger; >= 0
  // 0: due at trigger + offset. Otherwise the first local time at or after
  // trigger + offset that falls on one of these weekdays at hour:minute.
  uint8_t weekdays = 0;
  int hour = 0;
  int minute = 0;

  friend bool operator==(const Schedule&, const Schedule&) = default;
};

// Local minutes after midnight in [from_minute, to_minute), wrapping past
// midnight when from_minute > to_minute (22:00-08:00); equal bounds = none.
// Something due inside moves to the window's end.
struct QuietHours {
  int from_minute = 0;
  int to_minute = 0;

  friend bool operator==(const QuietHours&, const QuietHours&) = default;
};

// InvalidArgument naming the field for a negative offset, weekday bits
// above bit 6, an hour outside 0..23, a minute outside 0..59 or quiet-hour
// bounds outside 0..1439.
absl::Status ValidateSchedule(const Schedule& schedule);
absl::Status ValidateQuietHours(const QuietHours& quiet);

// The due time of a follow-up triggered at `trigger` (see Schedule and
// QuietHours; `quiet` may be null). Never earlier than trigger + offset.
// Preconditions: both validated.
absl::Time DueTime(absl::Time trigger, const Schedule& schedule, const QuietHours* quiet,
                   const absl::TimeZone& zone);

// "T+21d", "T+0 then Sat,Sun 10:00" - for listings and errors.
std::string DescribeSchedule(const Schedule& schedule);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ops/schedule-inl.h"
#endif

#endif  // AUDIENCE_OPS_SCHEDULE_H_
