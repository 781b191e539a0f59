// Per-customer recency/frequency/monetary summaries for the buy-till-you-die
// models (BG/NBD, Pareto/NBD, Gamma-Gamma).
//
// Purchases in the same period (a UTC day by default) are merged into one
// purchase whose amount is the sum; x counts the repeat purchase periods in
// the calibration window, t_x and T are measured in `unit_seconds` (a week
// by default) from the start of the first purchase period.
//
//   SummaryOptions options;
//   options.calibration_end = 875577600;  // 1997-09-30 00:00 UTC
//   AUDIENCE_ASSIGN_OR_RETURN(std::vector<CustomerSummary> s,
//                             BuildCustomerSummaries(transactions, options));
//   std::vector<RftGroup> groups = GroupRft(s);  // input to FitBgNbd
//
// Same conventions as lifetimes' summary_data_from_transaction_data with
// freq='D', freq_multiplier=7 and BTYD's dc.ElogToCbsCbt (see
// docs/classifiers.md).
#ifndef AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_H_
#define AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/base/types.h"

AUDIENCE_BEGIN_NAMESPACE

// One purchase. `customer` is any 32-bit key (typically a PersonId).
struct Transaction {
  uint32_t customer = 0;
  UnixSeconds time = 0;
  double amount = 0.0;
};

struct SummaryOptions {
  // Last instant of the calibration window. A transaction belongs to the
  // calibration window when its period is at or before the period holding
  // calibration_end (so with daily periods and calibration_end at 00:00 the
  // whole day counts, as in lifetimes). T is measured to calibration_end.
  UnixSeconds calibration_end = 0;
  // Purchases whose times fall in the same period [k*p, (k+1)*p) UTC are
  // merged. Must be > 0.
  int64_t period_seconds = kSecondsPerDay;
  // Unit of t_x and T (a week by default). Must be > 0.
  int64_t unit_seconds = 7 * kSecondsPerDay;
  // Purchase periods after calibration end are counted as holdout periods
  // when at or before this instant's period (all of them when unset).
  std::optional<UnixSeconds> holdout_end;
};

struct CustomerSummary {
  uint32_t customer = 0;
  // Repeat purchase periods in the calibration window (purchase periods - 1).
  double x = 0.0;
  // Time of the last calibration purchase period since the first, in units.
  double t_x = 0.0;
  // Time from the first purchase period's start to calibration_end, in units.
  double T = 0.0;
  // Mean of the per-period summed amounts of the x repeat periods; 0 when
  // x == 0 (lifetimes' monetary_value, BTYD's m.x).
  double monetary_value = 0.0;
  // Time of the customer's earliest transaction.
  UnixSeconds first_purchase = 0;
  // Raw transactions (before merging) in the calibration window.
  int64_t calibration_transactions = 0;
  // Purchase periods after the calibration window (up to holdout_end):
  // BTYD's x.star.
  int64_t holdout_periods = 0;
  // Summed amounts of those holdout periods.
  double holdout_amount = 0.0;
  // Purchase periods over the whole history considered: x + 1 + holdout.
  int64_t total_periods = 0;
};

// Builds one summary per customer whose first purchase lies in the
// calibration window, sorted by customer key. Customers who first buy after
// calibration end are left out (they are not in the calibration cohort).
// Input need not be sorted. O(n log n) time, O(n) extra memory.
// Errors (InvalidArgument): period_seconds or unit_seconds <= 0; a
// non-finite amount (the message names the transaction index).
absl::StatusOr<std::vector<CustomerSummary>> BuildCustomerSummaries(
    absl::Span<const Transaction> transactions, const SummaryOptions& options);

// Identical (x, t_x, T) rows with the number of customers sharing them:
// the input of the model fits, which cost O(number of groups).
struct RftGroup {
  double x = 0.0;
  double t_x = 0.0;
  double T = 0.0;
  double count = 1.0;
};

// Groups identical (x, t_x, T) triples (exact equality), sorted by
// (x, t_x, T). Does not validate: the fits do.
std::vector<RftGroup> GroupRft(absl::Span<const CustomerSummary> summaries);

// Checks one (x, t_x, T, count) row: all finite, x a whole number >= 0,
// 0 <= t_x <= T, T > 0, t_x == 0 when x == 0, count > 0. `index` goes in
// the message. Shared by the model fits.
absl::Status ValidateRftGroup(const RftGroup& g, size_t index);

// Column form of validated groups for the likelihood loops: each row's x,
// t_x and T as an index into a table of distinct values, so per-evaluation
// work on x (lgamma) and on t_x / T (log) is done once per distinct value.
struct RftColumns {
  std::vector<double> xs, t_xs, Ts;  // distinct values, ascending
  std::vector<uint32_t> x_index, t_x_index, T_index;  // one per row
  std::vector<double> count;                          // one per row
  double total_count = 0.0;
  double max_T = 0.0;
  size_t size() const { return count.size(); }
};

// Validates every group (ValidateRftGroup) and builds the columns.
// Errors (InvalidArgument): no groups; any invalid group.
absl::StatusOr<RftColumns> MakeRftColumns(absl::Span<const RftGroup> groups);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/customer_summary-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_H_
