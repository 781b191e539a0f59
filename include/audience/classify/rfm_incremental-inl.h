// Definitions for rfm_incremental.h.
#ifndef AUDIENCE_CLASSIFY_RFM_INCREMENTAL_INL_H_
#define AUDIENCE_CLASSIFY_RFM_INCREMENTAL_INL_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "audience/base/status_macros.h"
#include "audience/classify/rfm_incremental.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace rfm_incremental_internal {

// RfmInputsFromStore's reading of the options (store_inputs-inl.h): stored
// times are whole seconds, so a qualifying time t has lo < t <= hi.
struct Scope {
  UnixSeconds hi = 0;  // inclusive: floor(now)
  UnixSeconds lo = 0;  // exclusive: floor(now - window), or INT64_MIN
  double now_fraction = 0;
  bool by_days = false;
  bool mean = false;
};

inline Scope ScopeOf(const RfmStoreOptions& o) {
  Scope s;
  s.hi = absl::ToUnixSeconds(o.now);
  s.lo = o.window.has_value() ? absl::ToUnixSeconds(o.now - *o.window)
                              : std::numeric_limits<UnixSeconds>::min();
  s.now_fraction = absl::ToDoubleSeconds(o.now - absl::FromUnixSeconds(s.hi));
  s.by_days = o.frequency == RfmStoreOptions::Frequency::kDistinctDays;
  s.mean = o.monetary == RfmStoreOptions::Monetary::kMean;
  return s;
}

// The exact expression of RfmInputsFromStore, so results are bitwise equal.
inline double Recency(const Scope& s, UnixSeconds last) {
  return (static_cast<double>(s.hi) - static_cast<double>(last) + s.now_fraction) /
         static_cast<double>(kSecondsPerDay);
}

inline int64_t FloorDay(UnixSeconds t) {
  return t >= 0 ? t / kSecondsPerDay : -((-t + kSecondsPerDay - 1) / kSecondsPerDay);
}

// Stored times satisfy |t| <= kMaxAbsTime, so bounds clamped just beyond
// that select the same events and leave room for +1.
inline UnixSeconds Clamp(UnixSeconds t) {
  constexpr UnixSeconds kLimit = EventIndex::kMaxAbsTime + 2;
  return std::clamp(t, -kLimit, kLimit);
}

// People with a stored event in (after, upto].
inline Bitmap EventsIn(const EventIndex& index, UnixSeconds after, UnixSeconds upto) {
  if (upto <= after) return Bitmap();
  return index.DidInWindow(WindowFilter{.from = Clamp(after) + 1, .to = Clamp(upto) + 1});
}

// What a read of some people produced, ascending by person.
struct ReadOut {
  std::vector<PersonId> people;  // everyone read
  std::vector<uint32_t> counts;  // their PersonAggregate::count
  uint64_t count_sum = 0;
  RfmStoreInputs qualifying;      // those with >= 1 qualifying event
  std::vector<UnixSeconds> last;  // their last qualifying time
};

// Walks the timelines of `people` (all of whom have events), as
// RfmInputsFromStore does. Aggregates are looked up a batch at a time in a
// tight loop first, so that the cache misses overlap and ForEachPoint finds
// the hash slot in cache (store_inputs-inl.h measured 1.2-1.7x from this).
inline void ReadPeople(const EventIndex& index, const Scope& s, const Bitmap& people,
                       ReadOut* out) {
  const size_t n = static_cast<size_t>(people.Cardinality());
  out->people.reserve(n);
  out->counts.reserve(n);
  constexpr size_t kBatch = 16;
  std::vector<uint32_t> ids;
  ids.reserve(kBatch);
  uint32_t counts[kBatch];
  uint64_t next = 0;
  while (next <= UINT32_MAX) {
    ids.clear();
    people.CollectFrom(static_cast<uint32_t>(next), kBatch, &ids);
    if (ids.empty()) break;
    next = uint64_t{ids.back()} + 1;
    for (size_t i = 0; i < ids.size(); ++i) {
      const PersonAggregate* a = index.Aggregate(ids[i]);
      counts[i] = a != nullptr ? a->count : 0;
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      const PersonId p = ids[i];
      out->people.push_back(p);
      out->counts.push_back(counts[i]);
      out->count_sum += counts[i];
      uint64_t events = 0;
      uint64_t days = 0;
      int64_t last_day = 0;
      double sum = 0;
      UnixSeconds last = 0;
      index.ForEachPoint(p, [&](const EventPoint& point) {
        if (point.time <= s.lo || point.time > s.hi) return;
        if (s.by_days) {
          const int64_t day = FloorDay(point.time);
          if (events == 0 || day != last_day) ++days;  // points are time-sorted
          last_day = day;
        }
        events += point.count;
        sum += point.amount;
        last = point.time;
      });
      const uint64_t frequency = s.by_days ? days : events;
      if (frequency == 0) continue;
      const double f = static_cast<double>(frequency);
      out->qualifying.people.push_back(p);
      out->qualifying.inputs.push_back(
          {.recency_days = Recency(s, last), .frequency = f, .monetary = s.mean ? sum / f : sum});
      out->last.push_back(last);
    }
  }
}

// Removes the `gone` people from the sorted `persons` (with `counts`), takes
// the re-read people's counts from `r`, and inserts those new to `persons`,
// in place: a forward compaction, then a backward merge.
inline void SpliceCounts(const ReadOut& r, const std::vector<PersonId>& gone,
                         std::vector<PersonId>* persons, std::vector<uint32_t>* counts) {
  std::vector<PersonId>& ps = *persons;
  std::vector<uint32_t>& cs = *counts;
  std::vector<size_t> added;  // indexes into r.people of people new to `ps`
  size_t w = 0, g = 0, k = 0;
  for (size_t i = 0; i < ps.size(); ++i) {
    const PersonId p = ps[i];
    while (g < gone.size() && gone[g] < p) ++g;
    if (g < gone.size() && gone[g] == p) continue;
    uint32_t c = cs[i];
    while (k < r.people.size() && r.people[k] < p) added.push_back(k++);
    if (k < r.people.size() && r.people[k] == p) c = r.counts[k++];
    ps[w] = p;
    cs[w] = c;
    ++w;
  }
  while (k < r.people.size()) added.push_back(k++);
  const size_t total = w + added.size();
  if (total > ps.capacity()) {  // room for a few more days of growth, not 2x
    ps.reserve(total + total / 32);
    cs.reserve(total + total / 32);
  }
  ps.resize(total);
  cs.resize(total);
  for (size_t out = total, i = w, a = added.size(); a > 0;) {
    --out;
    if (i > 0 && ps[i - 1] > r.people[added[a - 1]]) {
      --i;
      ps[out] = ps[i];
      cs[out] = cs[i];
    } else {
      --a;
      ps[out] = r.people[added[a]];
      cs[out] = r.counts[added[a]];
    }
  }
}

// Drops the re-read and `gone` people from the sorted inputs, recomputes
// the others' recency at `s`, and merges in the re-read people who qualify;
// in place, as SpliceCounts.
inline void SpliceInputs(const ReadOut& r, const std::vector<PersonId>& gone, const Scope& s,
                         RfmStoreInputs* inputs, std::vector<UnixSeconds>* last) {
  std::vector<PersonId>& ps = inputs->people;
  std::vector<RfmInput>& in = inputs->inputs;
  std::vector<UnixSeconds>& ls = *last;
  size_t w = 0, g = 0, k = 0;
  for (size_t i = 0; i < ps.size(); ++i) {
    const PersonId p = ps[i];
    while (k < r.people.size() && r.people[k] < p) ++k;
    if (k < r.people.size() && r.people[k] == p) continue;
    while (g < gone.size() && gone[g] < p) ++g;
    if (g < gone.size() && gone[g] == p) continue;
    ps[w] = p;
    in[w] = {.recency_days = Recency(s, ls[i]), .frequency = in[i].frequency,
             .monetary = in[i].monetary};
    ls[w] = ls[i];
    ++w;
  }
  const std::vector<PersonId>& fp = r.qualifying.people;
  const size_t total = w + fp.size();
  if (total > ps.capacity()) {
    ps.reserve(total + total / 32);
    in.reserve(total + total / 32);
    ls.reserve(total + total / 32);
  }
  ps.resize(total);
  in.resize(total);
  ls.resize(total);
  for (size_t out = total, i = w, a = fp.size(); a > 0;) {
    --out;
    if (i > 0 && ps[i - 1] > fp[a - 1]) {
      --i;
      ps[out] = ps[i];
      in[out] = in[i];
      ls[out] = ls[i];
    } else {
      --a;
      ps[out] = fp[a];
      in[out] = r.qualifying.inputs[a];
      ls[out] = r.last[a];
    }
  }
}

// Checks `options` and the event type exactly as RfmInputsFromStore does (it
// is called on nobody, which reads nothing), then returns the index.
inline absl::StatusOr<const EventIndex*> CheckedIndex(const Store& store,
                                                      const RfmStoreOptions& options) {
  const Bitmap nobody;
  AUDIENCE_RETURN_IF_ERROR(RfmInputsFromStore(store, options, &nobody).status());
  return &store.event_type(*store.schema().EventTypeIdOf(options.event_type));
}

}  // namespace rfm_incremental_internal

AUDIENCE_FUNC absl::StatusOr<RfmInputsCache> RfmInputsCache::Build(const Store& store,
                                                                   const RfmStoreOptions& options) {
  namespace ri = rfm_incremental_internal;
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* index, ri::CheckedIndex(store, options));
  ri::ReadOut r;
  // Room for later Advances to grow in place (untouched capacity costs no
  // page faults).
  const size_t n = static_cast<size_t>(index->People().Cardinality());
  const size_t room = n + n / 32;
  r.people.reserve(room);
  r.counts.reserve(room);
  r.qualifying.people.reserve(room);
  r.qualifying.inputs.reserve(room);
  r.last.reserve(room);
  ri::ReadPeople(*index, ri::ScopeOf(options), index->People(), &r);
  RfmInputsCache cache;
  cache.built_ = true;
  cache.options_ = options;
  cache.tracked_ = index->People();
  cache.persons_ = std::move(r.people);
  cache.counts_ = std::move(r.counts);
  cache.total_events_ = index->event_count();
  cache.counts_add_up_ = r.count_sum == cache.total_events_;
  cache.inputs_ = std::move(r.qualifying);
  cache.last_ = std::move(r.last);
  cache.stats_ = {.reread = cache.persons_.size(), .full_scan = true};
  return cache;
}

AUDIENCE_FUNC bool RfmInputsCache::SameScope(const RfmStoreOptions& options) const {
  return options.window == options_.window && options.frequency == options_.frequency &&
         options.monetary == options_.monetary && options.event_type == options_.event_type;
}

AUDIENCE_FUNC absl::StatusOr<size_t> RfmInputsCache::Advance(const Store& store, absl::Time now) {
  namespace ri = rfm_incremental_internal;
  if (!built_) {
    return absl::FailedPreconditionError(
        "RfmInputsCache::Advance: the cache is empty; call RfmInputsCache::Build first");
  }
  RfmStoreOptions next = options_;
  next.now = now;
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* index, ri::CheckedIndex(store, next));
  if (now < options_.now) {
    return absl::InvalidArgumentError(fmt::format(
        "RfmInputsCache::Advance: now {} is before the cache's now {} (Build a new cache to go "
        "back)",
        absl::FormatTime(now), absl::FormatTime(options_.now)));
  }
  const ri::Scope old_scope = ri::ScopeOf(options_);
  const ri::Scope scope = ri::ScopeOf(next);
  const Bitmap& people = index->People();

  // Who may have other qualifying events than at the last read.
  Bitmap reread = people - tracked_;  // new to the event type
  const Bitmap removed = tracked_ - people;
  reread |= ri::EventsIn(*index, old_scope.hi, scope.hi);  // reached by the new now
  reread |= ri::EventsIn(*index, old_scope.lo, scope.lo);  // left the window
  // Callers ask in ascending order (bitmap walks), so each search gallops
  // on from the previous answer: O(log gap) and cache-friendly.
  size_t cursor = 0;
  auto old_count = [&](PersonId p) -> int64_t {
    if (cursor > 0 && persons_[cursor - 1] >= p) cursor = 0;  // a new ascending walk
    size_t step = 1, hi = cursor;
    while (hi < persons_.size() && persons_[hi] < p) {
      cursor = hi + 1;
      hi += step;
      step *= 2;
    }
    auto it = std::lower_bound(persons_.begin() + static_cast<std::ptrdiff_t>(cursor),
                               persons_.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(hi, persons_.size())),
                               p);
    cursor = static_cast<size_t>(it - persons_.begin());
    return it != persons_.end() && *it == p ? counts_[cursor] : 0;
  };
  // Counts only grow for survivors, so once the count changes found explain
  // event_count()'s move, nobody else changed. Cheap places to look first:
  // people with events after the new now (future-dated writes) and with
  // events in the day before the old now (events that arrived late).
  int64_t explained = 0;
  reread.ForEach([&](PersonId p) {
    const PersonAggregate* a = index->Aggregate(p);
    explained += static_cast<int64_t>(a != nullptr ? a->count : 0) - old_count(p);
  });
  removed.ForEach([&](PersonId p) { explained -= old_count(p); });
  const int64_t moved =
      static_cast<int64_t>(index->event_count()) - static_cast<int64_t>(total_events_);
  auto settle = [&](const Bitmap& candidates) {
    std::vector<PersonId> changed;
    (candidates - reread).ForEach([&](PersonId p) {
      const PersonAggregate* a = index->Aggregate(p);
      const int64_t d = static_cast<int64_t>(a != nullptr ? a->count : 0) - old_count(p);
      if (d == 0) return;
      changed.push_back(p);
      explained += d;
    });
    reread |= Bitmap::FromIds(changed);
  };
  if (counts_add_up_ && explained != moved) {
    settle(ri::EventsIn(*index, scope.hi, EventIndex::kMaxAbsTime));
  }
  if (counts_add_up_ && explained != moved) {
    settle(ri::EventsIn(*index, ri::Clamp(old_scope.hi) - kSecondsPerDay, old_scope.hi));
  }
  const bool full_scan = !counts_add_up_ || explained != moved;
  if (full_scan) {
    std::vector<PersonId> changed;
    for (size_t i = 0; i < persons_.size(); ++i) {
      const PersonAggregate* a = index->Aggregate(persons_[i]);
      if (a != nullptr && a->count != counts_[i]) changed.push_back(persons_[i]);
    }
    reread |= Bitmap::FromIds(changed);
  }

  ri::ReadOut r;
  ri::ReadPeople(*index, scope, reread, &r);

  // From here on nothing fails: update in place. (Fresh vectors would cost
  // a first-touch page fault per 4 KiB, measured as most of an Advance.)
  const std::vector<PersonId> gone = removed.ToVector();
  ri::SpliceCounts(r, gone, &persons_, &counts_);
  ri::SpliceInputs(r, gone, scope, &inputs_, &last_);
  options_ = std::move(next);
  tracked_ = people;
  total_events_ = index->event_count();
  uint64_t count_sum = 0;
  for (uint32_t c : counts_) count_sum += c;
  counts_add_up_ = count_sum == total_events_;
  stats_ = {.reread = r.people.size(), .full_scan = full_scan};
  return r.people.size();
}

AUDIENCE_FUNC size_t RfmInputsCache::MemoryBytes() const {
  return tracked_.MemoryBytes() + persons_.capacity() * sizeof(PersonId) +
         counts_.capacity() * sizeof(uint32_t) + inputs_.people.capacity() * sizeof(PersonId) +
         inputs_.inputs.capacity() * sizeof(RfmInput) + last_.capacity() * sizeof(UnixSeconds);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_RFM_INCREMENTAL_INL_H_
