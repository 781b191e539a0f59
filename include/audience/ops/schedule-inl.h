// Definitions for schedule.h.
#ifndef AUDIENCE_OPS_SCHEDULE_INL_H_
#define AUDIENCE_OPS_SCHEDULE_INL_H_

#include "absl/time/civil_time.h"
#include "audience/base/duration.h"
#include "audience/ops/schedule.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace schedule_internal {

inline constexpr int kMinutesPerDay = 24 * 60;

}  // namespace schedule_internal

AUDIENCE_FUNC absl::Status ValidateSchedule(const Schedule& s) {
  if (s.offset < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("schedule offset {} is negative", absl::FormatDuration(s.offset)));
  }
  if ((s.weekdays & ~kEveryDay) != 0) {
    return absl::InvalidArgumentError(
        fmt::format("schedule weekdays {:#x} has bits above Sunday (bit 6)", s.weekdays));
  }
  if (s.hour < 0 || s.hour > 23) {
    return absl::InvalidArgumentError(fmt::format("schedule hour {} is not 0..23", s.hour));
  }
  if (s.minute < 0 || s.minute > 59) {
    return absl::InvalidArgumentError(fmt::format("schedule minute {} is not 0..59", s.minute));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status ValidateQuietHours(const QuietHours& q) {
  using schedule_internal::kMinutesPerDay;
  for (int m : {q.from_minute, q.to_minute}) {
    if (m < 0 || m >= kMinutesPerDay) {
      return absl::InvalidArgumentError(
          fmt::format("quiet hours bound {} is not a minute of the day (0..1439)", m));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Time DueTime(absl::Time trigger, const Schedule& s, const QuietHours* quiet,
                                 const absl::TimeZone& zone) {
  const absl::Time earliest = trigger + s.offset;
  absl::Time due = earliest;
  if (s.weekdays != 0) {
    // The first matching day of the next eight whose hour:minute is not
    // before `earliest` (eight: today's slot may already have passed).
    const absl::CivilDay today(absl::ToCivilSecond(earliest, zone));
    for (int d = 0; d <= 7; ++d) {
      const absl::CivilDay day = today + d;
      if (((s.weekdays >> WeekdayBit(absl::GetWeekday(day))) & 1) == 0) continue;
      const absl::Time slot = absl::FromCivil(
          absl::CivilMinute(day.year(), day.month(), day.day(), s.hour, s.minute), zone);
      if (slot >= earliest) {
        due = slot;
        break;
      }
    }
  }
  if (quiet != nullptr) {
    const absl::CivilSecond local = absl::ToCivilSecond(due, zone);
    const int minute = local.hour() * 60 + local.minute();
    if (InMinuteWindow(minute, quiet->from_minute, quiet->to_minute)) {
      absl::CivilDay day(local);
      if (quiet->from_minute > quiet->to_minute && minute >= quiet->from_minute) day += 1;
      const absl::Time end =
          absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(),
                                            quiet->to_minute / 60, quiet->to_minute % 60),
                          zone);
      if (end > due) due = end;
    }
  }
  return due;
}

AUDIENCE_FUNC std::string DescribeSchedule(const Schedule& s) {
  std::string out = "T+" + FormatDurationText(s.offset);
  if (s.weekdays == 0) return out;
  static constexpr const char* kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  out += " then ";
  bool first = true;
  for (int b = 0; b < 7; ++b) {
    if (((s.weekdays >> b) & 1) == 0) continue;
    if (!first) out += ',';
    out += kNames[b];
    first = false;
  }
  out += fmt::format(" {:02}:{:02}", s.hour, s.minute);
  return out;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_OPS_SCHEDULE_INL_H_
