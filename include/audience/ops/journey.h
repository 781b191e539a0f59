// Journey: timed follow-ups ("SOP") over a store. Each step is triggered by
// a person entering a segment or by an event, falls due on a Schedule in
// the person's time zone, may require a condition still to hold when due,
// and fires at most once per person per entry.
//
//   JourneySpec spec{.name = "first_buyer", .steps = {
//       {.name = "vip_invite", .trigger = JourneyTrigger::FirstEvent("purchase"),
//        .schedule = {.offset = absl::Hours(24)}},
//       {.name = "repurchase_coupon", .trigger = JourneyTrigger::Event("purchase"),
//        .schedule = {.offset = absl::Hours(21 * 24)},
//        .condition = "NOT did(purchase, within = 20d)"}}};
//   AUDIENCE_ASSIGN_OR_RETURN(Journey j, Journey::Create(store, spec));
//   for (const DueAction& a : *j.Advance(store, now)) Send(spec.steps[a.step], a.person);
//   AUDIENCE_RETURN_IF_ERROR(j.Save("first_buyer.journey"));
//
// Entries. Advance(store, now) looks at what changed since the previous call:
// - Enter(query): people in the segment now who were not at the previous
//   call enter at `now` (so the call's cadence is the entry resolution).
//   Leaving the segment before the step is due cancels it. The first call
//   takes current members as already there: they do not enter.
// - Event(type): a person's newest event of the type with time in
//   (previous call - late_events, now] starts a new entry at the event's
//   time, replacing a pending one; an event older than the last entry is
//   ignored, so the overlap never fires twice.
// - FirstEvent(type): the person's first event of the type ever, once.
// The first call looks back late_events for events.
// Firing. A pending step whose due time is <= now fires if its condition
// (a query evaluated with now = the call's now) holds, else it is skipped.
// People merged away hand a pending step to the survivor when the survivor
// has none; deleted people's steps are dropped.
// Delivery. Advance marks what it returns as fired. Save after the host has
// acted on the actions for at-least-once delivery, before for at-most-once;
// Open resumes exactly where the saved state was.
// Thread-safety: a Journey is a value; Advance needs exclusive access to it
// and a consistent store (a Database::Reader).
#ifndef AUDIENCE_OPS_JOURNEY_H_
#define AUDIENCE_OPS_JOURNEY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/ops/schedule.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

struct JourneyTrigger {
  enum class Kind : uint8_t { kEnterSegment = 1, kEvent = 2, kFirstEvent = 3 };
  Kind kind = Kind::kEnterSegment;
  std::string text{};  // the query (kEnterSegment) or the event type name

  static JourneyTrigger Enter(std::string query) { return {Kind::kEnterSegment, std::move(query)}; }
  static JourneyTrigger Event(std::string type) { return {Kind::kEvent, std::move(type)}; }
  static JourneyTrigger FirstEvent(std::string type) {
    return {Kind::kFirstEvent, std::move(type)};
  }
  friend bool operator==(const JourneyTrigger&, const JourneyTrigger&) = default;
};

struct JourneyStep {
  std::string name{};
  JourneyTrigger trigger{};
  Schedule schedule{};
  std::string condition{};  // a query that must hold when due; "" = none

  friend bool operator==(const JourneyStep&, const JourneyStep&) = default;
};

struct JourneySpec {
  std::string name{};
  std::vector<JourneyStep> steps{};
  // An enum attribute holding each person's IANA zone name ("Asia/Shanghai");
  // "" = default_time_zone for everyone. A person without a value, or with a
  // name the zone database lacks, gets the default.
  std::string time_zone_attribute{};
  std::string default_time_zone = "UTC";
  std::optional<QuietHours> quiet_hours{};
  absl::Duration late_events = absl::Hours(24);  // >= 0

  friend bool operator==(const JourneySpec&, const JourneySpec&) = default;
};

struct DueAction {
  size_t step = 0;  // index into JourneySpec::steps
  PersonId person = kNoPerson;
  absl::Time entered;  // the trigger time
  absl::Time due;
};

struct StepCounters {
  uint64_t entered = 0;    // entries started (including ones that replaced a pending entry)
  uint64_t fired = 0;      // returned by Advance
  uint64_t skipped = 0;    // due, but the condition did not hold
  uint64_t cancelled = 0;  // left the segment, replaced by a newer entry, or deleted
  uint64_t pending = 0;    // waiting now

  friend bool operator==(const StepCounters&, const StepCounters&) = default;
};

class Journey {
 public:
  // Checks the spec against the store's schema and compiles every query:
  // InvalidArgument naming the step and field (an unknown event type, a
  // query error with carets, a bad schedule, an unknown zone, a zone
  // attribute that is not an enum, duplicate or empty step names).
  static absl::StatusOr<Journey> Create(const Store& store, JourneySpec spec);

  // The actions due at `now`, ordered by due time, then step, then person.
  // InvalidArgument when now is before the previous call's now, or the
  // error of a query that no longer compiles; the state is then unchanged.
  // Cost: one evaluation of each trigger segment and condition, plus
  // O(new entries + pending).
  absl::StatusOr<std::vector<DueAction>> Advance(const Store& store, absl::Time now);

  const JourneySpec& spec() const { return spec_; }
  std::optional<absl::Time> last_advance() const { return last_; }
  StepCounters counters(size_t step) const;
  // Pending entries of `step`, by person.
  std::vector<DueAction> Pending(size_t step) const;

  // The state (with the spec it belongs to), checksummed.
  std::string Serialize() const;
  // FailedPrecondition when `spec` differs from the one saved; DataLoss
  // naming the field for damaged bytes.
  static absl::StatusOr<Journey> Deserialize(const Store& store, JourneySpec spec,
                                             std::string_view bytes);
  // Atomic (write a temporary, sync, rename).
  absl::Status Save(const std::string& path) const;
  static absl::StatusOr<Journey> Open(const Store& store, JourneySpec spec,
                                      const std::string& path);

 private:
  struct Entry {
    absl::Time entered;
    absl::Time due;
  };
  struct StepState {
    Bitmap members;                                    // kEnterSegment: as of the last call
    absl::flat_hash_map<PersonId, Entry> pending;
    absl::flat_hash_map<PersonId, int64_t> last_entry;  // event triggers: newest trigger time (s)
    StepCounters counters;
  };

  Journey() = default;
  // Starts the entries of `step` that happened since the previous call and
  // cancels those of people who left its segment (`members`: the trigger
  // segment now; null for event triggers).
  void DetectEntries(const Store& store, absl::Time now, size_t step, const Bitmap* members);
  void Enter(const Store& store, StepState& state, size_t step, PersonId person, absl::Time at);
  absl::TimeZone ZoneOf(const Store& store, PersonId person);
  // Pending entries of people no longer live go to their survivor (when it
  // has none) or are dropped.
  void HandOver(const Store& store, StepState& state);

  JourneySpec spec_;
  std::vector<StepState> steps_;
  std::optional<absl::Time> last_;
  absl::TimeZone default_zone_;
  absl::flat_hash_map<std::string, absl::TimeZone> zones_;  // loaded zone names
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ops/journey-inl.h"
#endif

#endif  // AUDIENCE_OPS_JOURNEY_H_
