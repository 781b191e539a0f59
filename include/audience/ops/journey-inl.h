// Definitions for journey.h (the codec is in journey_codec-inl.h).
#ifndef AUDIENCE_OPS_JOURNEY_INL_H_
#define AUDIENCE_OPS_JOURNEY_INL_H_

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "audience/base/duration.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/ops/journey.h"
#include "audience/query/query.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace journey_internal {

inline absl::Status StepError(const JourneyStep& step, std::string_view field,
                              std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("journey step '{}': {}: {}", step.name, field, why));
}

// Query options for evaluating at `now`.
inline QueryOptions At(absl::Time now) { return QueryOptions{.now = now}; }

}  // namespace journey_internal

AUDIENCE_FUNC absl::StatusOr<Journey> Journey::Create(const Store& store, JourneySpec spec) {
  using journey_internal::StepError;
  if (spec.steps.empty()) {
    return absl::InvalidArgumentError(fmt::format("journey '{}' has no steps", spec.name));
  }
  if (spec.late_events < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(fmt::format("journey '{}': late_events {} is negative",
                                                  spec.name, FormatDurationText(spec.late_events)));
  }
  if (spec.quiet_hours) AUDIENCE_RETURN_IF_ERROR(ValidateQuietHours(*spec.quiet_hours));
  Journey j;
  if (!absl::LoadTimeZone(spec.default_time_zone, &j.default_zone_)) {
    return absl::InvalidArgumentError(fmt::format(
        "journey '{}': default_time_zone '{}' is not in the zone database", spec.name,
        spec.default_time_zone));
  }
  if (!spec.time_zone_attribute.empty()) {
    const AttributeSpec* a = store.schema().FindAttribute(spec.time_zone_attribute);
    if (a == nullptr || a->type != AttributeType::kEnum) {
      return absl::InvalidArgumentError(fmt::format(
          "journey '{}': time_zone_attribute '{}' is not an enum attribute", spec.name,
          spec.time_zone_attribute));
    }
  }
  absl::flat_hash_set<std::string> names;
  const QueryOptions check = journey_internal::At(absl::UnixEpoch());
  for (const JourneyStep& step : spec.steps) {
    if (step.name.empty()) return StepError(step, "name", "empty");
    if (!names.insert(step.name).second) return StepError(step, "name", "used twice");
    AUDIENCE_RETURN_IF_ERROR(ValidateSchedule(step.schedule));
    if (step.trigger.kind == JourneyTrigger::Kind::kEnterSegment) {
      absl::StatusOr<Query> q = Query::Compile(store, step.trigger.text, check);
      if (!q.ok()) return StepError(step, "trigger", StdView(q.status().message()));
    } else if (!store.schema().EventTypeIdOf(step.trigger.text)) {
      return StepError(step, "trigger", fmt::format("unknown event type '{}'", step.trigger.text));
    }
    if (!step.condition.empty()) {
      absl::StatusOr<Query> q = Query::Compile(store, step.condition, check);
      if (!q.ok()) return StepError(step, "condition", StdView(q.status().message()));
    }
  }
  j.spec_ = std::move(spec);
  j.steps_.resize(j.spec_.steps.size());
  return j;
}

AUDIENCE_FUNC absl::TimeZone Journey::ZoneOf(const Store& store, PersonId person) {
  if (spec_.time_zone_attribute.empty()) return default_zone_;
  const std::optional<AttributeId> a = store.schema().AttributeIdOf(spec_.time_zone_attribute);
  if (!a) return default_zone_;
  const Value v = store.attribute(*a).Get(person);
  if (v.is_null()) return default_zone_;
  auto it = zones_.find(v.enum_value());
  if (it == zones_.end()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(v.enum_value(), &zone)) zone = default_zone_;
    it = zones_.emplace(v.enum_value(), zone).first;
  }
  return it->second;
}

AUDIENCE_FUNC void Journey::Enter(const Store& store, StepState& state, size_t step,
                                  PersonId person, absl::Time at) {
  const QuietHours* quiet = spec_.quiet_hours ? &*spec_.quiet_hours : nullptr;
  const absl::Time due = DueTime(at, spec_.steps[step].schedule, quiet, ZoneOf(store, person));
  auto [it, fresh] = state.pending.insert_or_assign(person, Entry{at, due});
  if (!fresh) ++state.counters.cancelled;  // a newer entry replaces the pending one
  ++state.counters.entered;
}

AUDIENCE_FUNC void Journey::DetectEntries(const Store& store, absl::Time now, size_t step,
                                          const Bitmap* members) {
  StepState& state = steps_[step];
  const JourneyTrigger& trigger = spec_.steps[step].trigger;
  if (trigger.kind == JourneyTrigger::Kind::kEnterSegment) {
    if (last_) {
      (*members - state.members).ForEach([&](PersonId p) {
        Enter(store, state, step, p, now);
        return true;
      });
      (state.members - *members).ForEach([&](PersonId p) {
        state.counters.cancelled += state.pending.erase(p);
        return true;
      });
    }
    state.members = *members;
    return;
  }
  const EventIndex& events = store.event_type(*store.schema().EventTypeIdOf(trigger.text));
  // (since, now] in whole seconds, since = previous call (or now) minus late_events.
  const int64_t to = absl::ToUnixSeconds(now) + 1;
  const int64_t from = absl::ToUnixSeconds(last_.value_or(now) - spec_.late_events) + 1;
  const WindowFilter window{.from = from, .to = to};
  const bool first_only = trigger.kind == JourneyTrigger::Kind::kFirstEvent;
  events.DidInWindow(window, &store.ids().live()).ForEach([&](PersonId p) {
    int64_t at = 0;
    if (first_only) {
      const PersonAggregate* agg = events.Aggregate(p);
      if (agg == nullptr || agg->first_time < from || agg->first_time >= to) return true;
      if (state.last_entry.contains(p)) return true;
      at = agg->first_time;
    } else {
      at = events.StatsInWindow(p, window).last;
      auto seen = state.last_entry.find(p);
      if (seen != state.last_entry.end() && seen->second >= at) return true;
    }
    state.last_entry[p] = at;
    Enter(store, state, step, p, absl::FromUnixSeconds(at));
    return true;
  });
}

AUDIENCE_FUNC void Journey::HandOver(const Store& store, StepState& state) {
  std::vector<std::pair<PersonId, Entry>> moved;
  for (auto it = state.pending.begin(); it != state.pending.end();) {
    const PersonId p = it->first;
    if (store.ids().IsLive(p)) {
      ++it;
      continue;
    }
    const PersonId survivor = store.ids().Canonical(p);
    if (survivor != kNoPerson) {
      moved.emplace_back(survivor, it->second);
    } else {
      ++state.counters.cancelled;
    }
    state.pending.erase(it++);
  }
  for (const auto& [survivor, entry] : moved) {
    if (!state.pending.emplace(survivor, entry).second) ++state.counters.cancelled;
  }
}

AUDIENCE_FUNC absl::StatusOr<std::vector<DueAction>> Journey::Advance(const Store& store,
                                                                     absl::Time now) {
  if (last_ && now < *last_) {
    return absl::InvalidArgumentError(
        fmt::format("journey '{}': now {} is before the previous call's {}", spec_.name,
                    absl::FormatTime(now), absl::FormatTime(*last_)));
  }
  // Every query first, so that an error (a saved segment removed since
  // Create) returns with the state unchanged. Steps often share a trigger
  // or a condition: each distinct text is evaluated once.
  std::map<std::string, Segment> evaluated;  // stable addresses
  auto evaluate = [&](const std::string& text) -> absl::StatusOr<const Segment*> {
    auto it = evaluated.find(text);
    if (it == evaluated.end()) {
      AUDIENCE_ASSIGN_OR_RETURN(Segment s, Evaluate(store, text, journey_internal::At(now)));
      it = evaluated.emplace(text, std::move(s)).first;
    }
    return &it->second;
  };
  std::vector<const Segment*> members(steps_.size()), conditions(steps_.size());
  for (size_t step = 0; step < steps_.size(); ++step) {
    const JourneyStep& spec = spec_.steps[step];
    if (spec.trigger.kind == JourneyTrigger::Kind::kEnterSegment) {
      AUDIENCE_ASSIGN_OR_RETURN(members[step], evaluate(spec.trigger.text));
    }
    if (!spec.condition.empty()) {
      AUDIENCE_ASSIGN_OR_RETURN(conditions[step], evaluate(spec.condition));
    }
  }
  std::vector<DueAction> due;
  for (size_t step = 0; step < steps_.size(); ++step) {
    StepState& state = steps_[step];
    HandOver(store, state);
    DetectEntries(store, now, step, members[step] ? &members[step]->people() : nullptr);
    std::vector<PersonId> ready;
    for (const auto& [p, entry] : state.pending) {
      if (entry.due <= now) ready.push_back(p);
    }
    for (PersonId p : ready) {
      auto it = state.pending.find(p);
      const Entry entry = it->second;
      state.pending.erase(it);
      if (conditions[step] && !conditions[step]->Contains(p)) {
        ++state.counters.skipped;
        continue;
      }
      ++state.counters.fired;
      due.push_back({.step = step, .person = p, .entered = entry.entered, .due = entry.due});
    }
  }
  last_ = now;
  std::sort(due.begin(), due.end(), [](const DueAction& a, const DueAction& b) {
    return std::tie(a.due, a.step, a.person) < std::tie(b.due, b.step, b.person);
  });
  return due;
}

AUDIENCE_FUNC StepCounters Journey::counters(size_t step) const {
  if (step >= steps_.size()) return {};
  StepCounters c = steps_[step].counters;
  c.pending = steps_[step].pending.size();
  return c;
}

AUDIENCE_FUNC std::vector<DueAction> Journey::Pending(size_t step) const {
  std::vector<DueAction> out;
  if (step >= steps_.size()) return out;
  for (const auto& [p, entry] : steps_[step].pending) {
    out.push_back({.step = step, .person = p, .entered = entry.entered, .due = entry.due});
  }
  std::sort(out.begin(), out.end(),
            [](const DueAction& a, const DueAction& b) { return a.person < b.person; });
  return out;
}

AUDIENCE_END_NAMESPACE

#include "audience/ops/journey_codec-inl.h"

#endif  // AUDIENCE_OPS_JOURNEY_INL_H_
