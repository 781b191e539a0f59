// Small vocabulary types shared by every layer.
#ifndef AUDIENCE_BASE_TYPES_H_
#define AUDIENCE_BASE_TYPES_H_

#include <cstdint>

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Dense internal id of a person, issued by the IdMap. Never reused.
using PersonId = uint32_t;
// Reserved: no person. Valid ids are 0 .. kNoPerson - 1.
inline constexpr PersonId kNoPerson = UINT32_MAX;

// Seconds since the Unix epoch, UTC. All storage time is in this unit; the
// host passes time in (there is no hidden clock).
using UnixSeconds = int64_t;
inline constexpr int64_t kSecondsPerDay = 86400;

// Logical write sequence: the store's batch counter, used by merge rules
// ("the most recently written wins"). 0 means never written.
using WriteSeq = uint32_t;

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_BASE_TYPES_H_
