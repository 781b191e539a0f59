// Journey state on disk (journey.h: Serialize, Deserialize, Save, Open).
// Sealed (base/sealed_bytes.h) with magic "\x89AUDJRN\n", version 1. Body: the spec (canonical
// bytes, compared on load), u8 has-last + time, u32 step count, then per
// step: the trigger members bitmap; u64 n + n x (u32 person, entered, due);
// u64 n + n x (u32 person, i64 newest trigger second); counters (4 x u64).
// Times as store/batch_codec.h encodes them. Entries ascend by person, so
// equal states give equal bytes.
#ifndef AUDIENCE_OPS_JOURNEY_CODEC_INL_H_
#define AUDIENCE_OPS_JOURNEY_CODEC_INL_H_

#include <algorithm>
#include <vector>

#include "audience/base/byte_io.h"
#include "audience/base/file_io.h"
#include "audience/base/sealed_bytes.h"
#include "audience/base/status_macros.h"
#include "audience/ops/journey.h"
#include "audience/store/batch_codec.h"

AUDIENCE_BEGIN_NAMESPACE

namespace journey_internal {

inline constexpr std::string_view kMagic("\x89" "AUDJRN\n", 8);
inline constexpr uint32_t kVersion = 1;

inline std::string SpecBytes(const JourneySpec& spec) {
  ByteWriter w;
  w.PutString(spec.name);
  w.PutU32(static_cast<uint32_t>(spec.steps.size()));
  for (const JourneyStep& step : spec.steps) {
    w.PutString(step.name);
    w.PutU8(static_cast<uint8_t>(step.trigger.kind));
    w.PutString(step.trigger.text);
    w.PutI64(absl::ToInt64Nanoseconds(step.schedule.offset));
    w.PutU8(step.schedule.weekdays);
    w.PutI64(step.schedule.hour);
    w.PutI64(step.schedule.minute);
    w.PutString(step.condition);
  }
  w.PutString(spec.time_zone_attribute);
  w.PutString(spec.default_time_zone);
  w.PutBool(spec.quiet_hours.has_value());
  if (spec.quiet_hours) {
    w.PutI64(spec.quiet_hours->from_minute);
    w.PutI64(spec.quiet_hours->to_minute);
  }
  w.PutI64(absl::ToInt64Nanoseconds(spec.late_events));
  return w.Release();
}

template <typename Map>
std::vector<std::pair<PersonId, typename Map::mapped_type>> ByPerson(const Map& m) {
  std::vector<std::pair<PersonId, typename Map::mapped_type>> out(m.begin(), m.end());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace journey_internal

AUDIENCE_FUNC std::string Journey::Serialize() const {
  using namespace journey_internal;  // NOLINT: this unit's helpers
  ByteWriter w;
  w.PutString(SpecBytes(spec_));
  w.PutBool(last_.has_value());
  if (last_) EncodeTime(*last_, &w);
  w.PutU32(static_cast<uint32_t>(steps_.size()));
  for (const StepState& state : steps_) {
    w.PutBitmap(state.members);
    w.PutU64(state.pending.size());
    for (const auto& [p, entry] : ByPerson(state.pending)) {
      w.PutU32(p);
      EncodeTime(entry.entered, &w);
      EncodeTime(entry.due, &w);
    }
    w.PutU64(state.last_entry.size());
    for (const auto& [p, t] : ByPerson(state.last_entry)) {
      w.PutU32(p);
      w.PutI64(t);
    }
    w.PutU64(state.counters.entered);
    w.PutU64(state.counters.fired);
    w.PutU64(state.counters.skipped);
    w.PutU64(state.counters.cancelled);
  }
  return Seal(kMagic, kVersion, w.data());
}

AUDIENCE_FUNC absl::StatusOr<Journey> Journey::Deserialize(const Store& store, JourneySpec spec,
                                                          std::string_view bytes) {
  using namespace journey_internal;  // NOLINT: this unit's helpers
  AUDIENCE_ASSIGN_OR_RETURN(std::string_view body,
                            Unseal(bytes, kMagic, kVersion, "journey state"));
  ByteReader r(body, "journey state");
  AUDIENCE_ASSIGN_OR_RETURN(std::string saved_spec, r.GetString("spec"));
  AUDIENCE_ASSIGN_OR_RETURN(Journey j, Create(store, std::move(spec)));
  if (saved_spec != SpecBytes(j.spec_)) {
    return absl::FailedPreconditionError(fmt::format(
        "journey '{}' was saved with a different definition (steps, schedules, conditions or "
        "zones changed); start a new journey state for the new definition", j.spec_.name));
  }
  AUDIENCE_ASSIGN_OR_RETURN(bool has_last, r.GetBool("has last"));
  if (has_last) {
    AUDIENCE_ASSIGN_OR_RETURN(absl::Time last, DecodeTime(&r, "last advance"));
    j.last_ = last;
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t step_count, r.GetU32("step count"));
  if (step_count != j.steps_.size()) {
    return r.Corrupt("step count", fmt::format("{} for {} steps", step_count, j.steps_.size()));
  }
  for (StepState& state : j.steps_) {
    AUDIENCE_ASSIGN_OR_RETURN(state.members, r.GetBitmap("members"));
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t pending, r.GetU64("pending count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(pending, 4 + 2 * 9, "pending count"));
    state.pending.reserve(pending);
    for (uint64_t i = 0; i < pending; ++i) {
      AUDIENCE_ASSIGN_OR_RETURN(PersonId p, r.GetU32("pending person"));
      AUDIENCE_ASSIGN_OR_RETURN(absl::Time entered, DecodeTime(&r, "entered"));
      AUDIENCE_ASSIGN_OR_RETURN(absl::Time due, DecodeTime(&r, "due"));
      if (!state.pending.emplace(p, Entry{entered, due}).second) {
        return r.Corrupt("pending person", fmt::format("person {} twice", p));
      }
    }
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t seen, r.GetU64("entry count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(seen, 12, "entry count"));
    state.last_entry.reserve(seen);
    for (uint64_t i = 0; i < seen; ++i) {
      AUDIENCE_ASSIGN_OR_RETURN(PersonId p, r.GetU32("entry person"));
      AUDIENCE_ASSIGN_OR_RETURN(int64_t t, r.GetI64("entry time"));
      if (!state.last_entry.emplace(p, t).second) {
        return r.Corrupt("entry person", fmt::format("person {} twice", p));
      }
    }
    AUDIENCE_ASSIGN_OR_RETURN(state.counters.entered, r.GetU64("entered"));
    AUDIENCE_ASSIGN_OR_RETURN(state.counters.fired, r.GetU64("fired"));
    AUDIENCE_ASSIGN_OR_RETURN(state.counters.skipped, r.GetU64("skipped"));
    AUDIENCE_ASSIGN_OR_RETURN(state.counters.cancelled, r.GetU64("cancelled"));
  }
  AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
  return j;
}

AUDIENCE_FUNC absl::Status Journey::Save(const std::string& path) const {
  return WriteFileAtomically(path, Serialize());
}

AUDIENCE_FUNC absl::StatusOr<Journey> Journey::Open(const Store& store, JourneySpec spec,
                                                   const std::string& path) {
  AUDIENCE_ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(path));
  absl::StatusOr<Journey> j = Deserialize(store, std::move(spec), bytes);
  if (!j.ok()) {
    return absl::Status(j.status().code(), fmt::format("{}: {}", path, j.status().message()));
  }
  return j;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_OPS_JOURNEY_CODEC_INL_H_
