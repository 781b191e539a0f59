// Model and RFM inputs read straight from a Store's event index: the bridge
// between stored purchases and the pure scoring code (customer_summary.h,
// bgnbd.h, pareto_nbd.h, gamma_gamma.h, rfm.h). Customer keys are PersonIds;
// map them back with store.ids().PrimaryId(p).
//
//   SummaryOptions so;  so.calibration_end = 875577600;  // 1997-09-30
//   AUDIENCE_ASSIGN_OR_RETURN(std::vector<CustomerSummary> s,
//                             SummariesFromStore(store, "purchase", so));
//   AUDIENCE_ASSIGN_OR_RETURN(RfmStoreInputs in,
//       RfmInputsFromStore(store, {.now = now, .window = absl::Hours(24 * 365)}));
//   AUDIENCE_ASSIGN_OR_RETURN(RfmResult r, ScoreRfm(in.inputs, RfmOptions{}));
//
// Compacted history (Store::CompactEvents): a compacted point stands for
// `count` events of one person and UTC day, with their summed amount, at the
// day's start (00:00 UTC). Here it counts as `count` purchases at that
// instant. Day-level results (same-day merged summaries with day-multiple
// periods, distinct purchase days, sums) are therefore the same before and
// after compaction (sums up to rounding); time-of-day detail inside a
// compacted day is gone (recency and first_purchase are measured from
// 00:00, and an as-of `now` inside a compacted day sees all of that day's
// events).
//
// Errors: NotFound for an unknown event type (the message lists the known
// ones); InvalidArgument for bad options, naming the field and value.
// Thread-safety: these only read the store; they may run concurrently with
// other const reads, not with writes.
#ifndef AUDIENCE_CLASSIFY_STORE_INPUTS_H_
#define AUDIENCE_CLASSIFY_STORE_INPUTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/classify/customer_summary.h"
#include "audience/classify/rfm.h"
#include "audience/storage/bitmap.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

// TransactionsFromStore refuses (ResourceExhausted) to produce more than
// this many transactions (24 bytes each): compacted points expand to one
// transaction per event, so the output can far exceed the stored points.
inline constexpr uint64_t kMaxStoreTransactions = uint64_t{1} << 30;

// One Transaction per stored event of type `event_type`, for every person
// with such events (only those in `*people` when given; ids without events
// are ignored). Order: PersonId ascending, then time (oldest first).
// A compacted point with count c and amount a yields c transactions at the
// point's time (the day start), each of amount a / c.
// Errors: NotFound (unknown event type, known types listed);
// ResourceExhausted (more than kMaxStoreTransactions).
// Cost: one hash lookup per person plus a walk of their points; memory
// 24 bytes per event.
absl::StatusOr<std::vector<Transaction>> TransactionsFromStore(
    const Store& store, std::string_view event_type, const Bitmap* people = nullptr);

// BuildCustomerSummaries over the stored events of `event_type` (customer =
// PersonId; sorted by it), restricted to `*people` when given. Each stored
// point enters as one transaction carrying the point's whole amount (so the
// per-period sums are exact and memory is per point, not per event);
// calibration_transactions still counts every event of a compacted point.
// Identical to BuildCustomerSummaries(TransactionsFromStore(...)) up to the
// rounding of amounts, and, before compaction, to summaries of the raw log.
// With compacted history, summaries are exact when period_seconds is a
// multiple of a day (the compacted resolution).
// Errors: NotFound (unknown event type); those of BuildCustomerSummaries.
// Cost: O(points log points) (the summary builder sorts), 24 bytes/point.
absl::StatusOr<std::vector<CustomerSummary>> SummariesFromStore(
    const Store& store, std::string_view event_type, const SummaryOptions& options,
    const Bitmap* people = nullptr);

struct RfmStoreOptions {
  // The analysis time ("as of"). Events after it are ignored, as if they
  // had not happened yet. Must be finite.
  absl::Time now = absl::UnixEpoch();
  // When set, only events in (now - window, now] count (recency, frequency
  // and monetary alike). Must be > 0; an infinite window is the same as
  // none. Unset: all events at or before `now`.
  std::optional<absl::Duration> window{};
  // kEvents: number of qualifying events (order rows, as R's rfm does).
  // kDistinctDays: number of distinct UTC days (floor(time / 86400)) with
  // >= 1 qualifying event.
  enum class Frequency { kEvents, kDistinctDays };
  Frequency frequency = Frequency::kEvents;
  // kSum: total amount of the qualifying events. kMean: that total divided
  // by `frequency` (per event with kEvents, per purchase day with
  // kDistinctDays).
  enum class Monetary { kSum, kMean };
  Monetary monetary = Monetary::kSum;
  std::string event_type = "purchase";
};

// Parallel vectors: inputs[i] belongs to people[i].
struct RfmStoreInputs {
  std::vector<PersonId> people{};  // ascending
  std::vector<RfmInput> inputs{};
};

// One RfmInput per person (in `*people` when given) with >= 1 qualifying
// event (see RfmStoreOptions); everyone else is left out, so score the
// result and treat absent people as "no purchase". For each:
//   recency_days = (now - time of the last qualifying event) / 86400 s,
//                  fractional (now's sub-second part included), >= 0;
//   frequency, monetary as the options say.
// Errors: NotFound (unknown event type); InvalidArgument (now infinite,
// window <= 0).
// Cost: linear: per person one hash lookup and one walk of their points
// (10M people with 3 events each: about 3 s on a small 2-core VM, a quarter
// of it first-touch page faults of the output). No per-person allocation. The stored aggregates are not used as a shortcut: they keep
// exact times after compaction, and mixing them with day-start points would
// make a person's result depend on which path they took.
absl::StatusOr<RfmStoreInputs> RfmInputsFromStore(const Store& store,
                                                  const RfmStoreOptions& options,
                                                  const Bitmap* people = nullptr);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/store_inputs-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_STORE_INPUTS_H_
