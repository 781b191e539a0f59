// RfmInputsCache: the RFM inputs of every person (RfmInputsFromStore's
// result) kept between runs, so that a new `now` re-reads only the event
// timelines that can have changed instead of the whole history. Recency of
// everyone else is recomputed from a remembered time: O(people) arithmetic,
// no timeline walk.
//
//   AUDIENCE_ASSIGN_OR_RETURN(RfmInputsCache cache,
//       RfmInputsCache::Build(store, {.now = now, .window = absl::Hours(24 * 365)}));
//   ... store.Apply(today's purchases) ...
//   AUDIENCE_ASSIGN_OR_RETURN(size_t reread, cache.Advance(store, now + absl::Hours(24)));
//   AUDIENCE_ASSIGN_OR_RETURN(RfmResult r, ScoreRfm(cache.inputs().inputs, RfmOptions{}));
//
// Exactness: after Build or Advance, inputs() is identical (same people,
// bitwise-equal doubles) to RfmInputsFromStore(store, options()), where
// options().now is the latest now. Advance re-reads, with the same
// arithmetic as RfmInputsFromStore:
//   - people with a stored event in (old now, new now] (whole seconds, as
//     RfmInputsFromStore compares them): new purchases, and events stored
//     earlier with a future time that the new now reaches;
//   - with a window, people with an event in (old now - window, new now -
//     window]: events that left the window;
//   - people new to the event type, and people whose events changed in any
//     other way (future-dated or late-arriving events, merges into them).
//     These are found by counting: a surviving person's event count only
//     grows (ids are never reused; Add and merges are the only writes that
//     change a timeline), so once the count changes found explain the move
//     of the store's event_count() (removed people's counts subtracted),
//     nobody else changed. Look-ups of PersonAggregate::count go first to
//     the people with events after the new now and with events in the day
//     before the old now (late by up to a day); only when those do not
//     explain the move (older late events, merges) is every person's
//     aggregate looked up: no timeline walk, but O(people) hash look-ups
//     (stats().full_scan says it happened).
// Removed and merged-away people drop out. Everyone else has the same
// qualifying events as before, so frequency and monetary are kept and
// recency is recomputed from the remembered last qualifying time.
//
// Compaction rule: Store::CompactEvents moves events to their day's start
// and merges their amounts without changing any count, and the store API
// offers no cheap signal that it ran (its version() also moves with every
// batch). After CompactEvents, call Build again; an Advance across a
// compaction may return stale recency and monetary for the compacted people.
//
// A cache belongs to one store (or one restored from that store's
// snapshot) and one set of options apart from `now`; `now` only moves
// forward. Errors: those of RfmInputsFromStore (NotFound for an unknown
// event type, InvalidArgument for bad options), with the same messages;
// Advance: FailedPrecondition on an empty (default-constructed) cache,
// InvalidArgument when `now` is before the cache's. A failed Advance leaves
// the cache unchanged. Thread-safety: Build and Advance only read the
// store (so not concurrently with its writes); const methods of one cache
// may run concurrently, Advance needs exclusive access to it.
// Memory: about 8 bytes per person with events plus 36 per person with
// qualifying events (28 of them the inputs), plus 1/32 spare capacity so
// that Advance grows in place.
#ifndef AUDIENCE_CLASSIFY_RFM_INCREMENTAL_H_
#define AUDIENCE_CLASSIFY_RFM_INCREMENTAL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/classify/store_inputs.h"
#include "audience/storage/bitmap.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

class RfmInputsCache {
 public:
  // What the last Build or Advance did.
  struct Stats {
    uint64_t reread = 0;     // people whose timelines were walked
    bool full_scan = false;  // every person's aggregate was looked up
  };

  // An empty cache: built() is false and only Build fills it.
  RfmInputsCache() = default;

  // Reads every person, as RfmInputsFromStore(store, options) does, and
  // remembers what Advance needs. Cost: that of RfmInputsFromStore.
  static absl::StatusOr<RfmInputsCache> Build(const Store& store, const RfmStoreOptions& options);

  // Moves the analysis time to `now` (>= options().now) and folds in every
  // change of the store's events since the last Build/Advance (see the file
  // comment for what is re-read). Returns the number of people re-read.
  // Cost: O(people) for recency and the merge, plus DidInWindow over the
  // days between the old and new edges, plus a timeline walk per re-read
  // person; plus one Aggregate() look-up per person when the counts do not
  // add up (late events, merges).
  absl::StatusOr<size_t> Advance(const Store& store, absl::Time now);

  bool built() const { return built_; }
  // The options of the last Build, with the latest `now`.
  const RfmStoreOptions& options() const { return options_; }
  // True when `options` equals options() in everything but `now` (so that
  // Advance, not Build, can serve it).
  bool SameScope(const RfmStoreOptions& options) const;
  // The current inputs. The reference stays valid until the next Build
  // assignment, Advance or destruction; its contents change with Advance.
  const RfmStoreInputs& inputs() const { return inputs_; }
  const Stats& stats() const { return stats_; }
  // People with >= 1 event of the type at the last Build/Advance.
  uint64_t tracked_people() const { return persons_.size(); }
  // Approximate heap bytes.
  size_t MemoryBytes() const;

 private:
  bool built_ = false;
  RfmStoreOptions options_{};
  // Everyone with events of the type (as a bitmap and ascending), each with
  // their PersonAggregate::count when last read.
  Bitmap tracked_;
  std::vector<PersonId> persons_;
  std::vector<uint32_t> counts_;
  // EventIndex::event_count() when last read; false when it did not equal
  // the sum of counts_ (then Advance always scans every aggregate).
  uint64_t total_events_ = 0;
  bool counts_add_up_ = true;
  // People with qualifying events; last_[i] is the time of inputs_.people[i]'s
  // last qualifying event.
  RfmStoreInputs inputs_;
  std::vector<UnixSeconds> last_;
  Stats stats_;
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/rfm_incremental-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_RFM_INCREMENTAL_H_
