// Definitions for event_index.h: windowed reads (candidates from day bitmaps,
// exact checks against timelines). Included by event_index-inl.h.
#ifndef AUDIENCE_STORAGE_EVENT_INDEX_WINDOW_INL_H_
#define AUDIENCE_STORAGE_EVENT_INDEX_WINDOW_INL_H_

#include <algorithm>
#include <vector>

#include "audience/storage/event_index.h"

AUDIENCE_BEGIN_NAMESPACE

// Exponential search from the newest point: windows over recent history (the
// common "last N days") touch only the timeline's last cache lines, where a
// plain binary search would take log(n) dependent cache misses from the
// middle. Worst case about 2 log(n) probes.
AUDIENCE_FUNC size_t EventIndex::LowerBound(const PersonEvents& pe, UnixSeconds t) {
  const std::vector<Point>& points = pe.points;
  size_t hi = points.size();  // points[hi..] all have time >= t
  size_t step = 1;
  while (hi > 0 && points[hi - 1].time >= t) {
    const size_t probe = hi > step ? hi - step : 0;
    if (points[probe].time < t) {
      auto it = std::lower_bound(points.begin() + static_cast<ptrdiff_t>(probe + 1),
                                 points.begin() + static_cast<ptrdiff_t>(hi - 1), t,
                                 [](const Point& p, UnixSeconds x) { return p.time < x; });
      return static_cast<size_t>(it - points.begin());
    }
    hi = probe;
    step *= 2;
  }
  return hi;
}

AUDIENCE_FUNC bool EventIndex::Matches(const PersonEvents& pe, size_t point,
                                       const WindowFilter& f) const {
  const uint32_t* values = pe.values.data() + point * props_.size();
  for (const PropertyEquals& eq : f.equals) {
    if (eq.property >= props_.size() || values[eq.property] != eq.value_id) return false;
  }
  return true;
}

AUDIENCE_FUNC WindowStats EventIndex::Accumulate(const PersonEvents& pe,
                                                 const WindowFilter& f) const {
  WindowStats s;
  for (size_t i = LowerBound(pe, f.from); i < pe.points.size() && pe.points[i].time < f.to; ++i) {
    if (!Matches(pe, i, f)) continue;
    const Point& p = pe.points[i];
    if (s.count == 0) {
      s.first = p.time;
      s.max = p.max_amount;
    }
    s.count += p.count;
    s.sum += p.amount;
    s.max = std::max(s.max, p.max_amount);
    s.last = p.time;
  }
  return s;
}

AUDIENCE_FUNC WindowStats EventIndex::StatsInWindow(PersonId person, const WindowFilter& f) const {
  if (f.from >= f.to) return {};
  auto it = people_.find(person);
  return it == people_.end() ? WindowStats{} : Accumulate(it->second, f);
}

AUDIENCE_FUNC void EventIndex::ForEachStats(
    const Bitmap& people, const WindowFilter& f,
    absl::FunctionRef<void(PersonId, const WindowStats&)> visit) const {
  if (f.from >= f.to) return;
  constexpr size_t kBatch = 64;  // a batch's prefetched lines fit in L1/L2
  std::vector<uint32_t> ids;
  ids.reserve(kBatch);
  const PersonEvents* found[kBatch];
  const size_t n = props_.size();
  uint64_t next = 0;
  while (next <= UINT32_MAX) {
    ids.clear();
    people.CollectFrom(static_cast<uint32_t>(next), kBatch, &ids);
    if (ids.empty()) return;
    next = uint64_t{ids.back()} + 1;
    for (uint32_t p : ids) people_.prefetch(p);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = people_.find(ids[i]);
      found[i] = it == people_.end() ? nullptr : &it->second;
#if defined(__GNUC__)
      if (found[i] != nullptr && !found[i]->points.empty()) {
        const PersonEvents& pe = *found[i];
        __builtin_prefetch(&pe.points.back());
        if (n > 0) __builtin_prefetch(pe.values.data() + pe.values.size() - 1);
      }
#endif
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      if (found[i] == nullptr) continue;
      const WindowStats s = Accumulate(*found[i], f);
      if (s.count > 0) visit(ids[i], s);
    }
  }
}

AUDIENCE_FUNC EventIndex::Candidates EventIndex::FindCandidates(const WindowFilter& f) const {
  Candidates c;
  // Every stored time is within +-kMaxAbsTime; clamping keeps the day
  // arithmetic below in range for any caller window.
  const UnixSeconds from = std::clamp(f.from, -kMaxAbsTime, kMaxAbsTime + 1);
  const UnixSeconds to = std::clamp(f.to, -kMaxAbsTime, kMaxAbsTime + 1);
  if (from >= to) return c;
  // The day maps that bound the answer: one per indexed equality, or all
  // events' days when no equality is indexed.
  std::vector<const DayMap*> maps;
  for (const PropertyEquals& eq : f.equals) {
    if (eq.property >= props_.size() || eq.value_id >= props_[eq.property].names.size()) {
      return c;  // no event carries that value
    }
    const Property& prop = props_[eq.property];
    if (prop.indexed) maps.push_back(&prop.days[eq.value_id]);
  }
  // A day bitmap answers exactly for a day wholly inside the window only when
  // it encodes the whole filter: no equality, or one on an indexed property.
  const bool exact = f.equals.empty() || (f.equals.size() == 1 && maps.size() == 1);
  if (maps.empty()) maps.push_back(&days_);
  const int32_t first_day = DayOf(from);
  const int32_t last_day = DayOf(to - 1);
  auto whole = [&](int32_t day) {
    return UnixSeconds{day} * kSecondsPerDay >= from &&
           (UnixSeconds{day} + 1) * kSecondsPerDay <= to;
  };
  std::vector<const Bitmap*> sure, edge;
  Bitmap candidates;
  for (size_t m = 0; m < maps.size(); ++m) {
    sure.clear();
    edge.clear();
    for (auto it = maps[m]->lower_bound(first_day); it != maps[m]->end() && it->first <= last_day;
         ++it) {
      (exact && whole(it->first) ? sure : edge).push_back(&it->second);
    }
    if (exact) {
      c.sure = Bitmap::OrMany(sure);
      c.check = Bitmap::OrMany(edge) - c.sure;
      return c;
    }
    Bitmap any = Bitmap::OrMany(edge);
    if (m == 0) {
      candidates = std::move(any);
    } else {
      candidates &= any;
    }
    if (candidates.IsEmpty()) break;
  }
  c.check = std::move(candidates);
  return c;
}

AUDIENCE_FUNC Bitmap EventIndex::DidInWindow(const WindowFilter& f, const Bitmap* within) const {
  Candidates c = FindCandidates(f);
  if (within != nullptr) {
    c.sure &= *within;
    c.check &= *within;
  }
  std::vector<PersonId> confirmed;
  ForEachStats(c.check, f, [&](PersonId p, const WindowStats&) { confirmed.push_back(p); });
  if (!confirmed.empty()) c.sure |= Bitmap::FromIds(confirmed);
  return std::move(c.sure);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_EVENT_INDEX_WINDOW_INL_H_
