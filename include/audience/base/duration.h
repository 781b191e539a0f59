// Durations as people write them in schema files: an integer and one unit.
//
// Units: s (seconds), m (minutes), h (hours), d (days), w (weeks). Used for
// tag time-to-live values ("ttl": "30d") and anywhere else a human types a
// span of time.
//
//   AUDIENCE_ASSIGN_OR_RETURN(absl::Duration ttl, ParseDuration("30d"));
//   std::string text = FormatDurationText(absl::Hours(36));  // "36h"
//   FormatDurationText(absl::Hours(24 * 14));                 // "2w"
//
// FormatDurationText(d) parses back to d for every d in [0, kMaxDurationSeconds]
// that is a whole number of seconds.
#ifndef AUDIENCE_BASE_DURATION_H_
#define AUDIENCE_BASE_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// The largest duration ParseDuration accepts: 100 years of 365.25 days.
inline constexpr int64_t kMaxDurationSeconds = int64_t{36525} * 86400;

// Parses "<digits><unit>" with unit one of s, m, h, d, w. No sign, no
// spaces, no fractions, no compound forms ("1h30m"). Zero ("0s") is
// accepted; callers that need a positive span check it themselves.
// Errors (InvalidArgument, message naming the text): empty text, a sign,
// missing digits, missing or unknown unit, more than kMaxDurationSeconds.
absl::StatusOr<absl::Duration> ParseDuration(std::string_view text);

// Not named FormatDuration: absl::FormatDuration(absl::Duration) would make
// every unqualified call ambiguous through argument-dependent lookup.
// Formats with the largest unit that divides d exactly, preferring w, then
// d, h, m, s ("2w", "30d", "36h", "90s"; zero is "0s"). Negative whole
// seconds get a leading '-'. Durations that are not whole seconds or are
// infinite fall back to absl::FormatDuration ("1.5s", "inf"); those do not
// parse back.
std::string FormatDurationText(absl::Duration d);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/base/duration-inl.h"
#endif

#endif  // AUDIENCE_BASE_DURATION_H_
