// Definitions for customer_summary.h.
#ifndef AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_INL_H_
#define AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_INL_H_

#include <algorithm>
#include <cmath>
#include <tuple>

#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/customer_summary.h"

AUDIENCE_BEGIN_NAMESPACE

namespace customer_summary_internal {

// Floor division for a positive divisor (C++ division truncates to zero).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) --q;
  return q;
}

struct Keyed {
  uint32_t customer;
  int64_t period;
  UnixSeconds time;
  double amount;
};

}  // namespace customer_summary_internal

AUDIENCE_FUNC absl::StatusOr<std::vector<CustomerSummary>>
BuildCustomerSummaries(absl::Span<const Transaction> transactions,
                       const SummaryOptions& options) {
  using customer_summary_internal::FloorDiv;
  using customer_summary_internal::Keyed;
  if (options.period_seconds <= 0) {
    return absl::InvalidArgumentError(fmt::format(
        "period_seconds must be > 0, got {}", options.period_seconds));
  }
  if (options.unit_seconds <= 0) {
    return absl::InvalidArgumentError(fmt::format(
        "unit_seconds must be > 0, got {}", options.unit_seconds));
  }
  const int64_t p = options.period_seconds;
  std::vector<Keyed> rows;
  rows.reserve(transactions.size());
  for (size_t i = 0; i < transactions.size(); ++i) {
    const Transaction& t = transactions[i];
    if (!std::isfinite(t.amount)) {
      return absl::InvalidArgumentError(fmt::format(
          "transaction {} (customer {}): amount must be finite, got {}", i,
          t.customer, t.amount));
    }
    rows.push_back({t.customer, FloorDiv(t.time, p), t.time, t.amount});
  }
  std::sort(rows.begin(), rows.end(), [](const Keyed& a, const Keyed& b) {
    return std::tie(a.customer, a.period, a.time) <
           std::tie(b.customer, b.period, b.time);
  });
  const int64_t cal_period = FloorDiv(options.calibration_end, p);
  // Offset of calibration_end inside its period, so T needs no product that
  // could overflow: T = ((cal_period - first) * p + offset) / unit.
  const double cal_offset =
      static_cast<double>(((options.calibration_end % p) + p) % p);
  const bool has_holdout_end = options.holdout_end.has_value();
  const int64_t holdout_period =
      has_holdout_end ? FloorDiv(*options.holdout_end, p) : 0;
  const double pd = static_cast<double>(p);
  const double unit = static_cast<double>(options.unit_seconds);

  std::vector<CustomerSummary> out;
  size_t i = 0;
  while (i < rows.size()) {
    const uint32_t customer = rows[i].customer;
    size_t end = i;
    while (end < rows.size() && rows[end].customer == customer) ++end;
    const int64_t first = rows[i].period;
    if (first > cal_period) {  // not in the calibration cohort
      i = end;
      continue;
    }
    CustomerSummary s;
    s.customer = customer;
    s.first_purchase = rows[i].time;
    int64_t periods = 0;
    int64_t last = first;
    double repeat_sum = 0.0;
    size_t j = i;
    while (j < end) {
      const int64_t period = rows[j].period;
      double sum = 0.0;
      int64_t raw = 0;
      while (j < end && rows[j].period == period) {
        sum += rows[j].amount;
        ++raw;
        ++j;
      }
      if (period <= cal_period) {
        s.calibration_transactions += raw;
        if (periods > 0) repeat_sum += sum;
        ++periods;
        last = period;
      } else if (!has_holdout_end || period <= holdout_period) {
        ++s.holdout_periods;
        s.holdout_amount += sum;
      }
    }
    s.x = static_cast<double>(periods - 1);
    s.t_x = (static_cast<double>(last) - static_cast<double>(first)) * pd / unit;
    s.T = ((static_cast<double>(cal_period) - static_cast<double>(first)) * pd +
           cal_offset) /
          unit;
    s.monetary_value = periods > 1 ? repeat_sum / s.x : 0.0;
    s.total_periods = periods + s.holdout_periods;
    out.push_back(s);
    i = end;
  }
  return out;
}

AUDIENCE_FUNC std::vector<RftGroup> GroupRft(
    absl::Span<const CustomerSummary> summaries) {
  std::vector<RftGroup> rows;
  rows.reserve(summaries.size());
  for (const CustomerSummary& s : summaries) {
    rows.push_back({s.x, s.t_x, s.T, 1.0});
  }
  auto key = [](const RftGroup& g) { return std::tie(g.x, g.t_x, g.T); };
  // NaN never compares, so sort on a total order that puts NaN last; such
  // rows stay apart and the fit reports them.
  std::sort(rows.begin(), rows.end(), [&](const RftGroup& a, const RftGroup& b) {
    const bool an = std::isnan(a.x) || std::isnan(a.t_x) || std::isnan(a.T);
    const bool bn = std::isnan(b.x) || std::isnan(b.t_x) || std::isnan(b.T);
    if (an != bn) return bn;
    if (an) return false;
    return key(a) < key(b);
  });
  std::vector<RftGroup> out;
  for (const RftGroup& g : rows) {
    if (!out.empty() && key(out.back()) == key(g)) {
      out.back().count += 1.0;
    } else {
      out.push_back(g);
    }
  }
  return out;
}

AUDIENCE_FUNC absl::Status ValidateRftGroup(const RftGroup& g, size_t index) {
  if (!std::isfinite(g.x) || !std::isfinite(g.t_x) || !std::isfinite(g.T) ||
      !std::isfinite(g.count)) {
    return absl::InvalidArgumentError(fmt::format(
        "row {}: x, t_x, T and count must be finite, got x={} t_x={} T={} "
        "count={}",
        index, g.x, g.t_x, g.T, g.count));
  }
  if (g.x < 0 || g.x != std::floor(g.x)) {
    return absl::InvalidArgumentError(fmt::format(
        "row {}: x must be a whole number >= 0, got {}", index, g.x));
  }
  if (!(g.T > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("row {}: T must be > 0, got {}", index, g.T));
  }
  if (g.t_x < 0 || g.t_x > g.T) {
    return absl::InvalidArgumentError(fmt::format(
        "row {}: t_x must be in [0, T={}], got {}", index, g.T, g.t_x));
  }
  if (g.x == 0 && g.t_x != 0) {
    return absl::InvalidArgumentError(fmt::format(
        "row {}: t_x must be 0 when x is 0, got {}", index, g.t_x));
  }
  if (!(g.count > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("row {}: count must be > 0, got {}", index, g.count));
  }
  return absl::OkStatus();
}

namespace customer_summary_internal {

// Sorted distinct values of `v` and, per element, its index among them.
inline void Tabulate(const std::vector<double>& v, std::vector<double>* table,
                     std::vector<uint32_t>* index) {
  *table = v;
  std::sort(table->begin(), table->end());
  table->erase(std::unique(table->begin(), table->end()), table->end());
  index->resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    (*index)[i] = static_cast<uint32_t>(
        std::lower_bound(table->begin(), table->end(), v[i]) - table->begin());
  }
}

}  // namespace customer_summary_internal

AUDIENCE_FUNC absl::StatusOr<RftColumns> MakeRftColumns(
    absl::Span<const RftGroup> groups) {
  if (groups.empty()) {
    return absl::InvalidArgumentError("no customers: the groups are empty");
  }
  if (groups.size() > UINT32_MAX) {
    return absl::InvalidArgumentError(
        fmt::format("too many groups: {}", groups.size()));
  }
  std::vector<double> x, t_x, T;
  RftColumns c;
  x.reserve(groups.size());
  t_x.reserve(groups.size());
  T.reserve(groups.size());
  c.count.reserve(groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    AUDIENCE_RETURN_IF_ERROR(ValidateRftGroup(groups[i], i));
    x.push_back(groups[i].x);
    t_x.push_back(groups[i].t_x);
    T.push_back(groups[i].T);
    c.count.push_back(groups[i].count);
    c.total_count += groups[i].count;
    c.max_T = std::max(c.max_T, groups[i].T);
  }
  if (!std::isfinite(c.total_count)) {
    return absl::InvalidArgumentError("the total count is not finite");
  }
  customer_summary_internal::Tabulate(x, &c.xs, &c.x_index);
  customer_summary_internal::Tabulate(t_x, &c.t_xs, &c.t_x_index);
  customer_summary_internal::Tabulate(T, &c.Ts, &c.T_index);
  return c;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_CUSTOMER_SUMMARY_INL_H_
