// RunRfm: RFM over the store — reads purchases from the event index, scores
// them (rfm.h), names the groups (rfm_segments.h) and writes everything
// back as exclusive tag dimensions, so that queries reach it:
//   rfm.segment IN ('champions', 'loyal') AND p_alive < 0.3
//
//   RfmRunOptions o;
//   o.inputs.now = now;  o.inputs.window = absl::Hours(24 * 365);
//   AUDIENCE_ASSIGN_OR_RETURN(RfmRun run, RunRfm(store, o));
//   // run.moves[from][to]: people who moved between two runs' groups
//
// Written dimensions (created exclusive when missing; an existing one of
// another kind is an error), with `prefix` "rfm":
//   rfm.r, rfm.f, rfm.m   the scores "1".."k"
//   rfm.code              100·R + 10·F + M, e.g. "545"
//   rfm.segment           the group, as a slug: lower case, runs of other
//                         characters as '_' ("Can't Lose Them" -> "can_t_lose_them")
//   rfm.segment_previous  the group of the run before (transitions as
//                         queries: rfm.segment_previous:loyal AND rfm.segment:at_risk)
// Every assignment carries `source` and the batch time `inputs.now`. People
// not scored this run (no purchase in the window) lose their r/f/m/code/
// segment values. The whole run is one write batch: readers see the old run
// or the new one. Same store and options give the same result.
#ifndef AUDIENCE_CLASSIFY_RFM_RUN_H_
#define AUDIENCE_CLASSIFY_RFM_RUN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "audience/base/config.h"
#include "audience/classify/rfm.h"
#include "audience/classify/rfm_incremental.h"
#include "audience/classify/rfm_segments.h"
#include "audience/classify/store_inputs.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

struct RfmRunOptions {
  RfmStoreOptions inputs;
  RfmOptions scoring;
  // Groups; nullopt: the 125-code table preset (PresetRfm125Codes). Its
  // bins must equal scoring.bins.
  std::optional<RfmSegmenter> segments;
  std::string prefix = "rfm";
  std::string source = "rfm";
};

struct RfmRun {
  std::vector<PersonId> people;       // scored people, ascending
  RfmResult result;                   // scores[i] for people[i], with the breaks
  std::vector<std::string> segments;  // slugs; the fallback last
  std::vector<uint64_t> sizes;        // people per segment
  // moves[a][b]: people in segment a before and b now. Row `segments.size()`
  // is people without a segment before (new), column `segments.size()`
  // people who had one and are not scored now. Earlier groups are matched
  // by slug; a previous group this run does not know counts as "none".
  std::vector<std::vector<uint64_t>> moves;
  uint64_t version = 0;  // store version after the run
};

absl::StatusOr<RfmRun> RunRfm(Store& store, const RfmRunOptions& options);

// The same run with the inputs taken from `cache` (nullptr: read in full,
// as above): the cache is built when it is empty, when its scope (window,
// frequency, monetary, event type) differs from options.inputs, or when
// options.inputs.now is before its now; otherwise it is advanced to
// options.inputs.now (rfm_incremental.h), re-reading only the timelines that
// may have changed. The result and the store's dimensions are identical to
// the full run's. The cache is updated even when a later step fails (it
// still describes the store). After Store::CompactEvents, reset it
// (*cache = RfmInputsCache()): compaction goes unnoticed by Advance.
absl::StatusOr<RfmRun> RunRfm(Store& store, const RfmRunOptions& options, RfmInputsCache* cache);

// "Can't Lose Them" -> "can_t_lose_them"; empty when nothing alphanumeric.
std::string SegmentSlug(std::string_view name);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/rfm_run-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_RFM_RUN_H_
