// Definitions for event_index.h: input checks and writes (Add, Compact,
// RemovePerson, MergePerson). Window reads are in event_index_window-inl.h,
// the snapshot codec in event_index_codec-inl.h.
#ifndef AUDIENCE_STORAGE_EVENT_INDEX_INL_H_
#define AUDIENCE_STORAGE_EVENT_INDEX_INL_H_

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/storage/event_index.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace event_index_internal {

inline void Combine(PersonAggregate& into, const PersonAggregate& from) {
  if (from.count == 0) return;
  if (into.count == 0) {
    into = from;
    return;
  }
  into.count += from.count;
  into.first_time = std::min(into.first_time, from.first_time);
  into.last_time = std::max(into.last_time, from.last_time);
  into.sum += from.sum;
  into.max = std::max(into.max, from.max);
}

}  // namespace event_index_internal

AUDIENCE_FUNC EventIndex::EventIndex(const EventTypeSpec& spec) : name_(spec.name) {
  props_.reserve(spec.properties.size());
  for (const PropertySpec& p : spec.properties) {
    Property& prop = props_.emplace_back();
    prop.name = p.name;
    prop.indexed = p.indexed;
  }
}

AUDIENCE_FUNC int32_t EventIndex::DayOf(UnixSeconds t) {
  UnixSeconds d = t / kSecondsPerDay;
  if (t % kSecondsPerDay < 0) --d;  // floor, not truncation, before 1970
  return static_cast<int32_t>(d);  // |t| <= kMaxAbsTime keeps d far inside int32
}

AUDIENCE_FUNC absl::Status EventIndex::Check(const EventInput& e) const {
  using schema_internal::Shown;
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("event '{}': {}", name_, what));
  };
  if (e.person == kNoPerson) return bad(fmt::format("person id {} is reserved", e.person));
  if (e.time > kMaxAbsTime || e.time < -kMaxAbsTime) {
    return bad(fmt::format("time {} is out of range (at most {} seconds from 1970 either way)",
                           e.time, kMaxAbsTime));
  }
  if (!std::isfinite(e.amount)) {
    return bad(fmt::format("amount {} is not a finite number", e.amount));
  }
  if (e.properties.size() > props_.size()) {
    return bad(fmt::format("{} property values given but {} properties declared",
                           e.properties.size(), props_.size()));
  }
  for (size_t i = 0; i < e.properties.size(); ++i) {
    if (e.properties[i].empty()) continue;
    AUDIENCE_RETURN_IF_ERROR(Schema::ValidateValue(
        fmt::format("event '{}' property '{}'", name_, props_[i].name), e.properties[i]));
  }
  if (e.event_id.size() > kMaxEventIdBytes) {
    return bad(fmt::format("event id '{}' is {} bytes; at most {} allowed", Shown(e.event_id),
                           e.event_id.size(), kMaxEventIdBytes));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC bool EventIndex::HasEventId(std::string_view id) const {
  return event_ids_.contains(AbslView(id));
}

AUDIENCE_FUNC void EventIndex::InsertPoint(PersonEvents& pe, const Point& point,
                                           const uint32_t* values) {
  const size_t n = props_.size();
  if (pe.points.empty() || pe.points.back().time <= point.time) {  // the usual, in-order case
    pe.points.push_back(point);
    pe.values.insert(pe.values.end(), values, values + n);
    return;
  }
  // After the points with the same time, so equal times keep arrival order.
  auto it = std::upper_bound(pe.points.begin(), pe.points.end(), point.time,
                             [](UnixSeconds t, const Point& p) { return t < p.time; });
  const size_t at = static_cast<size_t>(it - pe.points.begin());
  pe.points.insert(it, point);
  pe.values.insert(pe.values.begin() + static_cast<ptrdiff_t>(at * n), values, values + n);
}

AUDIENCE_FUNC bool EventIndex::Add(const EventInput& e) {
  if (!e.event_id.empty() && !event_ids_.insert(e.event_id).second) return false;
  absl::InlinedVector<uint32_t, 8> values(props_.size(), kAbsent);
  for (size_t i = 0; i < e.properties.size() && i < props_.size(); ++i) {
    if (e.properties[i].empty()) continue;
    Property& prop = props_[i];
    auto [it, fresh] =
        prop.ids.try_emplace(e.properties[i], static_cast<uint32_t>(prop.names.size()));
    if (fresh) {
      prop.names.push_back(e.properties[i]);
      if (prop.indexed) prop.days.emplace_back();
    }
    values[i] = it->second;
  }
  PersonEvents& pe = people_[e.person];
  event_index_internal::Combine(pe.aggregate, {1, e.time, e.time, e.amount, e.amount});
  InsertPoint(pe, {e.time, 1, e.amount, e.amount}, values.data());
  if (!e.event_id.empty()) pe.event_ids.push_back(e.event_id);
  const int32_t day = DayOf(e.time);
  days_[day].Add(e.person);
  for (size_t i = 0; i < props_.size(); ++i) {
    if (props_[i].indexed && values[i] != kAbsent) props_[i].days[values[i]][day].Add(e.person);
  }
  people_bitmap_.Add(e.person);
  ++event_count_;
  return true;
}

AUDIENCE_FUNC const PersonAggregate* EventIndex::Aggregate(PersonId person) const {
  auto it = people_.find(person);
  return it == people_.end() ? nullptr : &it->second.aggregate;
}

AUDIENCE_FUNC std::optional<uint32_t> EventIndex::FindPropertyValue(uint32_t property,
                                                                    std::string_view value) const {
  if (property >= props_.size()) return std::nullopt;
  auto it = props_[property].ids.find(AbslView(value));
  if (it == props_[property].ids.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC void EventIndex::IndexDays(PersonId person, const PersonEvents& pe, bool add) {
  const size_t n = props_.size();
  auto touch = [&](DayMap& map, int32_t day) {
    if (add) {
      map[day].Add(person);
      return;
    }
    auto it = map.find(day);
    if (it == map.end()) return;
    it->second.Remove(person);
    if (it->second.IsEmpty()) map.erase(it);
  };
  for (size_t i = 0; i < pe.points.size(); ++i) {
    const int32_t day = DayOf(pe.points[i].time);
    // Points are time-sorted, so a day's points are adjacent.
    if (i == 0 || day != DayOf(pe.points[i - 1].time)) touch(days_, day);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t v = pe.values[i * n + k];
      if (props_[k].indexed && v != kAbsent) touch(props_[k].days[v], day);
    }
  }
}

// Collapses points [0, end) (all older than the horizon) day by day. A day's
// points are adjacent (sorted by time); within a day, points with equal value
// rows merge, ordered by value row. Results are staged per day because the
// sorted read order could otherwise overwrite unread points.
AUDIENCE_FUNC void EventIndex::CompactTimeline(PersonEvents& pe, size_t end, size_t n) {
  std::vector<size_t> order;
  std::vector<Point> day_points;
  std::vector<uint32_t> day_values;
  auto row = [&](size_t i) { return pe.values.begin() + static_cast<ptrdiff_t>(i * n); };
  size_t out = 0;
  for (size_t i = 0; i < end;) {
    const int32_t day = DayOf(pe.points[i].time);
    size_t j = i + 1;
    while (j < end && DayOf(pe.points[j].time) == day) ++j;
    order.clear();
    for (size_t k = i; k < j; ++k) order.push_back(k);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::lexicographical_compare(row(a), row(a + 1), row(b), row(b + 1));
    });
    day_points.clear();
    day_values.clear();
    size_t group_row = 0;
    for (size_t k : order) {
      const Point& p = pe.points[k];
      if (day_points.empty() || !std::equal(row(k), row(k + 1), row(group_row))) {
        day_points.push_back({UnixSeconds{day} * kSecondsPerDay, 0, 0, p.max_amount});
        day_values.insert(day_values.end(), row(k), row(k + 1));
        group_row = k;
      }
      Point& m = day_points.back();
      m.count += p.count;
      m.amount += p.amount;
      m.max_amount = std::max(m.max_amount, p.max_amount);
    }
    std::copy(day_points.begin(), day_points.end(), pe.points.begin() + static_cast<ptrdiff_t>(out));
    std::copy(day_values.begin(), day_values.end(), row(out));
    out += day_points.size();
    i = j;
  }
  pe.points.erase(pe.points.begin() + static_cast<ptrdiff_t>(out),
                  pe.points.begin() + static_cast<ptrdiff_t>(end));
  pe.values.erase(row(out), row(end));
}

AUDIENCE_FUNC size_t EventIndex::Compact(UnixSeconds horizon) {
  size_t removed = 0;
  for (auto& [person, pe] : people_) {
    const size_t end = LowerBound(pe, horizon);
    if (end == 0) continue;
    const size_t before = pe.points.size();
    CompactTimeline(pe, end, props_.size());
    removed += before - pe.points.size();
  }
  return removed;
}

AUDIENCE_FUNC void EventIndex::RemovePerson(PersonId person) {
  auto it = people_.find(person);
  if (it == people_.end()) return;
  IndexDays(person, it->second, /*add=*/false);
  for (const std::string& id : it->second.event_ids) event_ids_.erase(id);
  event_count_ -= it->second.aggregate.count;
  people_.erase(it);
  people_bitmap_.Remove(person);
}

AUDIENCE_FUNC void EventIndex::MergePerson(PersonId from, PersonId into) {
  auto it = people_.find(from);
  if (it == people_.end() || from == into) return;
  PersonEvents moved = std::move(it->second);
  people_.erase(it);
  IndexDays(from, moved, /*add=*/false);
  people_bitmap_.Remove(from);
  PersonEvents& pe = people_[into];
  event_index_internal::Combine(pe.aggregate, moved.aggregate);
  // Merge the two sorted timelines; on equal times `into`'s points come first.
  const size_t n = props_.size();
  std::vector<Point> points;
  std::vector<uint32_t> values;
  points.reserve(pe.points.size() + moved.points.size());
  values.reserve(pe.values.size() + moved.values.size());
  size_t a = 0, b = 0;
  while (a < pe.points.size() || b < moved.points.size()) {
    const bool take_a = b == moved.points.size() ||
                        (a < pe.points.size() && pe.points[a].time <= moved.points[b].time);
    const PersonEvents& src = take_a ? pe : moved;
    const size_t i = take_a ? a++ : b++;
    points.push_back(src.points[i]);
    values.insert(values.end(), src.values.begin() + static_cast<ptrdiff_t>(i * n),
                  src.values.begin() + static_cast<ptrdiff_t>((i + 1) * n));
  }
  pe.points = std::move(points);
  pe.values = std::move(values);
  pe.event_ids.insert(pe.event_ids.end(), std::make_move_iterator(moved.event_ids.begin()),
                      std::make_move_iterator(moved.event_ids.end()));
  moved.event_ids.clear();
  IndexDays(into, moved, /*add=*/true);
  people_bitmap_.Add(into);
}

AUDIENCE_FUNC size_t EventIndex::MemoryBytes() const {
  auto string_bytes = [](const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : size_t{0};  // heap part beyond the SSO buffer
  };
  auto days_bytes = [](const DayMap& m) {
    size_t bytes = 0;
    for (const auto& [day, b] : m) bytes += b.MemoryBytes() + sizeof(int32_t) + sizeof(Bitmap) + 8;
    return bytes;
  };
  size_t bytes = people_bitmap_.MemoryBytes() + days_bytes(days_) +
                 people_.capacity() * (sizeof(std::pair<PersonId, PersonEvents>) + 1);
  for (const auto& [p, pe] : people_) {
    bytes += pe.points.capacity() * sizeof(Point) + pe.values.capacity() * sizeof(uint32_t) +
             pe.event_ids.capacity() * sizeof(std::string);
    for (const std::string& id : pe.event_ids) bytes += string_bytes(id);
  }
  bytes += event_ids_.capacity() * (sizeof(std::string) + 1);
  for (const std::string& id : event_ids_) bytes += string_bytes(id);
  for (const Property& prop : props_) {
    bytes += prop.names.capacity() * sizeof(std::string) +
             prop.ids.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1);
    for (const std::string& s : prop.names) bytes += 2 * string_bytes(s);
    for (const DayMap& m : prop.days) bytes += sizeof(DayMap) + days_bytes(m);
  }
  return bytes;
}

AUDIENCE_END_NAMESPACE

#include "audience/storage/event_index_window-inl.h"
#include "audience/storage/event_index_codec-inl.h"

#endif  // AUDIENCE_STORAGE_EVENT_INDEX_INL_H_
