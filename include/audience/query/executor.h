// Executor: runs a Plan's steps against a Store.
//
//   Plan plan = BuildPlan(store, expr, now, {.mode = ExecMode::kCount});
//   ExecResult r = Execute(store, plan);
//   uint64_t n = r.count;
//
// Each step's set is held in a register: either borrowed (a stored bitmap,
// when the scope is the whole universe and the leaf is a plain stored set:
// one tag value without expiries, an enum value, a not-null set) or owned.
// A step whose scope is empty yields the empty set without any work, which
// ends an AND chain early. Leaves are answered by the storage indexes with
// the scope passed down (tags: stored bitmaps; attributes: enum bitmaps or
// the bit-sliced range index walked within the scope; events: the day
// buckets and timelines of the candidates in scope only).
//
// Chunked execution (the default, Plan::chunked): when every leaf has a
// chunked form (tags without expiries, enum, bool and not-null sets, the
// range index), the whole program runs on one chunk of 2^16 ids at a time,
// each register being 1024 words, so intermediates stay in cache and an
// empty chunk ends its chain at once; kFirstK stops after the chunk that
// completes K ids. Otherwise, and when a profile is asked (Explain), the
// steps run one after another over whole sets as described above; kFirstK
// then runs the whole program once per chunk of the id space (the root
// scope becomes universe ∩ [lo, hi)), in id order, doubling the chunk each
// round, until K ids are found or the universe is exhausted.
//
// Thread-safety: Execute only reads the store; many may run concurrently
// as long as no write runs (see Store).
#ifndef AUDIENCE_QUERY_EXECUTOR_H_
#define AUDIENCE_QUERY_EXECUTOR_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/query/plan.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

// Per step, for Explain: the size of its set and the time it took.
struct StepProfile {
  uint64_t cardinality = 0;
  absl::Duration elapsed = absl::ZeroDuration();
  bool skipped = false;  // its scope was empty
};

struct ExecResult {
  Bitmap people;   // kBitmap; kFirstK: the first K ids (fewer if fewer match)
  uint64_t count = 0;  // every mode: the size of the result
  std::vector<StepProfile> profile;  // filled when asked (last round for kFirstK)
  uint32_t rounds = 0;               // kFirstK: rounds (chunked: 2^16-id chunks) evaluated
  bool chunked = false;              // the plan ran chunk by chunk
};

// `profile`: record a StepProfile per step (costs a clock read and a
// cardinality per step).
ExecResult Execute(const Store& store, const Plan& plan, bool profile = false);

// The set of one leaf within `scope` (the universe when null). Exposed for
// Why() and tests.
Bitmap EvaluateLeaf(const Store& store, const PlanLeaf& leaf, UnixSeconds now,
                    const Bitmap* scope);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/executor-inl.h"
#endif

#endif  // AUDIENCE_QUERY_EXECUTOR_H_
