// Numbers an operations team watches: segment sizes over time, conversion
// through a funnel of stages, weekly cohort retention, and a baseline check
// that flags a value outside its expected band.
//
//   SizeHistory history;                                  // keep it across runs (Save/Open)
//   AUDIENCE_RETURN_IF_ERROR(history.RecordSavedSegments(store, now));
//   for (const BaselineAlert& a : CheckBaseline(history.Series("vip"), {})) ...
//   auto funnel = Funnel(store, {{"lead", "did(lead)"}, {"test drive", "did(test_drive)"}},
//                        {.now = now});
//   auto cohorts = CohortRetention(store, {.from = first_monday, .weeks = 12});
//
// All reads take a consistent store (a Database::Reader) and change nothing.
#ifndef AUDIENCE_OPS_METRICS_H_
#define AUDIENCE_OPS_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/query/query.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

// Every saved segment of the store with its size at `now`, by name. The
// error of the first that does not evaluate, naming it.
absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> SavedSegmentSizes(
    const Store& store, absl::Time now);

struct SizePoint {
  absl::Time at;
  uint64_t size = 0;
  friend bool operator==(const SizePoint&, const SizePoint&) = default;
};

// Named series of segment sizes, each in time order.
class SizeHistory {
 public:
  // Appends a point; a point at the series' last time replaces it.
  // InvalidArgument for an empty name or a time before the last point.
  absl::Status Record(std::string_view series, absl::Time at, uint64_t size);
  // Records the size of every saved segment of the store, evaluated at `now`.
  absl::Status RecordSavedSegments(const Store& store, absl::Time now);

  std::vector<std::string> Names() const;  // ascending
  // Empty for an unknown name. Valid until the next Record.
  absl::Span<const SizePoint> Series(std::string_view name) const;

  // Checksummed bytes; Deserialize fails with DataLoss on damage.
  std::string Serialize() const;
  static absl::StatusOr<SizeHistory> Deserialize(std::string_view bytes);
  absl::Status Save(const std::string& path) const;  // atomic
  static absl::StatusOr<SizeHistory> Open(const std::string& path);

  friend bool operator==(const SizeHistory&, const SizeHistory&) = default;

 private:
  absl::btree_map<std::string, std::vector<SizePoint>> series_;
};

// A funnel stage: who has reached it (`query`, e.g. "did(test_drive)").
// With `event` set, the stage's time per person is their first event of
// that type, and the row reports the median time from the previous stage.
struct FunnelStage {
  std::string name{};
  std::string query{};
  std::string event{};
};

struct FunnelRow {
  std::string name;
  uint64_t reached = 0;        // in the stage's segment
  uint64_t converted = 0;      // reached this stage and the previous one (all, for the first)
  double rate = 1;             // converted / previous stage's reached (1 for the first stage)
  std::optional<absl::Duration> median_time{};  // previous stage -> this one, both with events
};

// InvalidArgument naming the stage for a query error or an unknown event type.
absl::StatusOr<std::vector<FunnelRow>> Funnel(const Store& store,
                                              absl::Span<const FunnelStage> stages,
                                              const QueryOptions& options);

struct RetentionOptions {
  std::string cohort_event = "purchase";  // cohort = week of the person's first such event
  std::string active_event = "purchase";  // active in a week = >= 1 such event in it
  absl::Time from = absl::UnixEpoch();    // start of the first week
  int weeks = 8;                          // 1..520
};

struct CohortRow {
  absl::Time week;                   // start of the cohort's week
  uint64_t size = 0;                 // people whose first cohort event falls in it
  std::vector<double> active_share;  // [k]: share active in week `week + k`, to the last week
};

// One row per week in [from, from + weeks). InvalidArgument for an unknown
// event type or weeks outside 1..520.
absl::StatusOr<std::vector<CohortRow>> CohortRetention(const Store& store,
                                                       const RetentionOptions& options);

// The expected band of a point: the mean of the `window` points before it,
// plus or minus the larger of `sigmas` standard deviations and
// `min_relative` of the mean; or the fixed [low, high] when both are set.
struct BaselineOptions {
  size_t window = 4;
  double sigmas = 3;
  double min_relative = 0.1;
  std::optional<double> low{};
  std::optional<double> high{};
};

struct BaselineAlert {
  size_t index = 0;  // into the series
  absl::Time at;
  double value = 0;
  double expected = 0;  // the band's centre
  double low = 0;
  double high = 0;
};

// The points outside their band. With a trailing band the first `window`
// points are never flagged (no history yet).
std::vector<BaselineAlert> CheckBaseline(absl::Span<const SizePoint> series,
                                         const BaselineOptions& options);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ops/metrics-inl.h"
#endif

#endif  // AUDIENCE_OPS_METRICS_H_
