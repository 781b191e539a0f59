// Definitions for store_inputs.h.
#ifndef AUDIENCE_CLASSIFY_STORE_INPUTS_INL_H_
#define AUDIENCE_CLASSIFY_STORE_INPUTS_INL_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "audience/base/status_macros.h"
#include "audience/classify/store_inputs.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace store_inputs_internal {

// The index of `event_type`, or NotFound listing the known types.
inline absl::StatusOr<const EventIndex*> FindEventIndex(const Store& store,
                                                        std::string_view event_type) {
  std::optional<EventTypeId> id = store.schema().EventTypeIdOf(event_type);
  if (id.has_value()) return &store.event_type(*id);
  std::string known;
  for (const EventTypeSpec& spec : store.schema().event_types()) {
    if (!known.empty()) known += ", ";
    known += fmt::format("'{}'", spec.name);
  }
  return absl::NotFoundError(fmt::format("unknown event type '{}' (known: {})", event_type,
                                         known.empty() ? std::string("none") : known));
}

// Visits the people with events in `index` (only those in *people when
// given), ascending, in batches: each batch's aggregates are looked up first,
// in a tight loop whose cache misses overlap, so that f's own lookup of the
// person (ForEachPoint) finds the hash slot in cache. Measured 1.2-1.7x faster
// on 10M people than visiting one by one.
template <typename F>
void ForEachSubject(const EventIndex& index, const Bitmap* people, F&& f) {
  Bitmap filtered;
  if (people != nullptr) filtered = index.People() & *people;
  const Bitmap& subjects = people != nullptr ? filtered : index.People();
  constexpr size_t kBatch = 16;
  std::vector<uint32_t> ids;
  ids.reserve(kBatch);
  uint64_t next = 0;
  uint64_t touched = 0;
  while (next <= UINT32_MAX) {
    ids.clear();
    subjects.CollectFrom(static_cast<uint32_t>(next), kBatch, &ids);
    if (ids.empty()) break;
    next = uint64_t{ids.back()} + 1;
    for (uint32_t p : ids) {
      const PersonAggregate* a = index.Aggregate(p);
      touched += a != nullptr ? a->count : 0;  // used below: not optimised away
    }
    for (uint32_t p : ids) f(p);
  }
  // Keeps the look-ups observable; costs one store.
  [[maybe_unused]] volatile uint64_t sink = touched;
}

inline uint64_t SubjectCount(const EventIndex& index, const Bitmap* people) {
  return people == nullptr ? index.People().Cardinality()
                           : index.People().AndCardinality(*people);
}

inline int64_t FloorDay(UnixSeconds t) {
  return t >= 0 ? t / kSecondsPerDay : -((-t + kSecondsPerDay - 1) / kSecondsPerDay);
}

}  // namespace store_inputs_internal

AUDIENCE_FUNC absl::StatusOr<std::vector<Transaction>> TransactionsFromStore(
    const Store& store, std::string_view event_type, const Bitmap* people) {
  namespace si = store_inputs_internal;
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* index, si::FindEventIndex(store, event_type));
  std::vector<Transaction> out;
  // Without a filter event_count() is exactly what we emit.
  if (people == nullptr) {
    out.reserve(static_cast<size_t>(std::min(index->event_count(), kMaxStoreTransactions)));
  }
  bool too_many = false;
  si::ForEachSubject(*index, people, [&](PersonId p) {
    if (too_many) return;
    index->ForEachPoint(p, [&](const EventPoint& point) {
      if (too_many) return;
      if (out.size() + point.count > kMaxStoreTransactions) {
        too_many = true;
        return;
      }
      const double each = point.count > 1 ? point.amount / point.count : point.amount;
      for (uint32_t i = 0; i < point.count; ++i) out.push_back({p, point.time, each});
    });
  });
  if (too_many) {
    return absl::ResourceExhaustedError(
        fmt::format("event type '{}': more than {} transactions to return", event_type,
                    kMaxStoreTransactions));
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<CustomerSummary>> SummariesFromStore(
    const Store& store, std::string_view event_type, const SummaryOptions& options,
    const Bitmap* people) {
  namespace si = store_inputs_internal;
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* index, si::FindEventIndex(store, event_type));
  // One transaction per point; the extra events of compacted points are
  // remembered (customer, time, count - 1) to fix calibration_transactions.
  struct Extra {
    PersonId person;
    UnixSeconds time;
    uint32_t more;
  };
  std::vector<Transaction> tx;
  std::vector<Extra> extras;
  si::ForEachSubject(*index, people, [&](PersonId p) {
    index->ForEachPoint(p, [&](const EventPoint& point) {
      tx.push_back({p, point.time, point.amount});
      if (point.count > 1) extras.push_back({p, point.time, point.count - 1});
    });
  });
  AUDIENCE_ASSIGN_OR_RETURN(std::vector<CustomerSummary> out,
                            BuildCustomerSummaries(tx, options));
  if (extras.empty()) return out;
  // BuildCustomerSummaries accepted the options, so period_seconds > 0. A
  // point is in the calibration window when its period is at or before
  // calibration_end's (floor periods, as the builder does).
  const int64_t period = options.period_seconds;
  auto period_of = [period](UnixSeconds t) {
    return t >= 0 ? t / period : -((-(t + 1)) / period) - 1;
  };
  const int64_t last_period = period_of(options.calibration_end);
  // Both lists are sorted by person (summaries by customer, extras in visit
  // order), so one merge pass suffices.
  size_t s = 0;
  for (const Extra& e : extras) {
    if (period_of(e.time) > last_period) continue;
    while (s < out.size() && out[s].customer < e.person) ++s;
    if (s < out.size() && out[s].customer == e.person) {
      out[s].calibration_transactions += e.more;
    }
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<RfmStoreInputs> RfmInputsFromStore(const Store& store,
                                                                 const RfmStoreOptions& options,
                                                                 const Bitmap* people) {
  namespace si = store_inputs_internal;
  if (options.now == absl::InfiniteFuture() || options.now == absl::InfinitePast()) {
    return absl::InvalidArgumentError(
        fmt::format("RfmStoreOptions.now must be finite, got {}",
                    options.now == absl::InfiniteFuture() ? "infinite-future" : "infinite-past"));
  }
  if (options.window.has_value() && *options.window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(fmt::format("RfmStoreOptions.window must be > 0, got {}",
                                                  absl::FormatDuration(*options.window)));
  }
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* index,
                            si::FindEventIndex(store, options.event_type));
  // Stored times are whole seconds, so "t <= now" is t <= floor(now) and
  // "t > now - window" is t > floor(now - window).
  const UnixSeconds hi = absl::ToUnixSeconds(options.now);  // inclusive
  const UnixSeconds lo = options.window.has_value()          // exclusive
                             ? absl::ToUnixSeconds(options.now - *options.window)
                             : std::numeric_limits<UnixSeconds>::min();
  const double now_fraction = absl::ToDoubleSeconds(options.now - absl::FromUnixSeconds(hi));
  const bool by_days = options.frequency == RfmStoreOptions::Frequency::kDistinctDays;
  const bool mean = options.monetary == RfmStoreOptions::Monetary::kMean;

  RfmStoreInputs out;
  const size_t n = static_cast<size_t>(si::SubjectCount(*index, people));
  out.people.reserve(n);
  out.inputs.reserve(n);
  si::ForEachSubject(*index, people, [&](PersonId p) {
    uint64_t events = 0;
    uint64_t days = 0;
    int64_t last_day = 0;
    double sum = 0;
    UnixSeconds last = 0;
    index->ForEachPoint(p, [&](const EventPoint& point) {
      if (point.time <= lo || point.time > hi) return;
      if (by_days) {
        const int64_t day = si::FloorDay(point.time);
        if (events == 0 || day != last_day) ++days;  // points are time-sorted
        last_day = day;
      }
      events += point.count;
      sum += point.amount;
      last = point.time;
    });
    const uint64_t frequency = by_days ? days : events;
    if (frequency == 0) return;
    const double f = static_cast<double>(frequency);
    out.people.push_back(p);
    // (now - last) in seconds without per-person Duration arithmetic;
    // whole seconds are exact as doubles below 2^53.
    out.inputs.push_back(
        {.recency_days = (static_cast<double>(hi) - static_cast<double>(last) + now_fraction) /
                         static_cast<double>(kSecondsPerDay),
         .frequency = f,
         .monetary = mean ? sum / f : sum});
  });
  return out;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_STORE_INPUTS_INL_H_
