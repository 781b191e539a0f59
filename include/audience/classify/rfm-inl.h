// Definitions for rfm.h.
#ifndef AUDIENCE_CLASSIFY_RFM_INL_H_
#define AUDIENCE_CLASSIFY_RFM_INL_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/rfm.h"

AUDIENCE_BEGIN_NAMESPACE

namespace rfm_internal {

enum class Axis { kRecency, kFrequency, kMonetary };

inline double AxisValue(const RfmInput& in, Axis axis) {
  switch (axis) {
    case Axis::kRecency:
      return in.recency_days;
    case Axis::kFrequency:
      return in.frequency;
    case Axis::kMonetary:
      break;
  }
  return in.monetary;
}

AUDIENCE_FUNC absl::Status ValidateInputs(absl::Span<const RfmInput> inputs) {
  if (inputs.empty()) {
    return absl::InvalidArgumentError(
        "inputs is empty; RFM scores need at least one customer");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const RfmInput& in = inputs[i];
    if (!std::isfinite(in.recency_days) || in.recency_days < 0) {
      return absl::InvalidArgumentError(fmt::format(
          "inputs[{}].recency_days = {}; expected a finite number >= 0", i,
          in.recency_days));
    }
    if (!std::isfinite(in.frequency) || in.frequency < 0) {
      return absl::InvalidArgumentError(fmt::format(
          "inputs[{}].frequency = {}; expected a finite number >= 0", i,
          in.frequency));
    }
    if (!std::isfinite(in.monetary)) {
      return absl::InvalidArgumentError(fmt::format(
          "inputs[{}].monetary = {}; expected a finite number", i,
          in.monetary));
    }
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status ValidateBreaks(const std::vector<double>& breaks,
                                          int bins, std::string_view field) {
  if (breaks.size() != static_cast<size_t>(bins - 1)) {
    return absl::InvalidArgumentError(fmt::format(
        "options.{} has {} break points; kThresholds with bins = {} needs {}",
        field, breaks.size(), bins, bins - 1));
  }
  for (size_t i = 0; i < breaks.size(); ++i) {
    if (!std::isfinite(breaks[i])) {
      return absl::InvalidArgumentError(fmt::format(
          "options.{}[{}] = {}; expected a finite number", field, i,
          breaks[i]));
    }
    if (i > 0 && !(breaks[i - 1] < breaks[i])) {
      return absl::InvalidArgumentError(fmt::format(
          "options.{}[{}] = {} is not greater than options.{}[{}] = {}; break "
          "points must be strictly ascending",
          field, i, breaks[i], field, i - 1, breaks[i - 1]));
    }
  }
  return absl::OkStatus();
}

// Order-preserving map of a double to uint64 (-0.0 folded into +0.0, which
// compare equal anyway), so selection can bucket by the key's top bits.
inline uint64_t SortKey(double d) {
  d += 0.0;
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return (u >> 63) != 0 ? ~u : (u | (uint64_t{1} << 63));
}

inline double FromSortKey(uint64_t k) {
  const uint64_t u = (k >> 63) != 0 ? (k & ~(uint64_t{1} << 63)) : ~k;
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

// Sets values[i] to the ranks[i]-th smallest (0-based) `axis` value of
// `inputs`; `ranks` ascending, unique, < inputs.size(). Exact and O(n):
// one pass histograms the keys' top 16 bits, a second gathers only the keys
// of the buckets holding a wanted rank, and std::nth_element finishes inside
// those buckets. Never copies the whole axis unless one bucket holds it all.
AUDIENCE_FUNC void SelectRanks(absl::Span<const RfmInput> inputs, Axis axis,
                               const std::vector<size_t>& ranks,
                               std::vector<double>& values) {
  constexpr int kShift = 48;
  constexpr size_t kBuckets = size_t{1} << 16;
  std::vector<size_t> hist(kBuckets, 0);
  for (const RfmInput& in : inputs) ++hist[SortKey(AxisValue(in, axis)) >> kShift];

  // Locate each rank's bucket; give each such bucket a slot in `gathered`.
  std::vector<int32_t> slot_of(kBuckets, -1);
  std::vector<size_t> slot_begin;       // offset of the slot in `gathered`
  std::vector<size_t> bucket_first;     // rank of the bucket's first element
  std::vector<size_t> rank_slot(ranks.size());
  size_t bucket = 0;
  size_t below = 0;  // elements in buckets < `bucket`
  size_t gathered_size = 0;
  for (size_t i = 0; i < ranks.size(); ++i) {
    while (below + hist[bucket] <= ranks[i]) below += hist[bucket++];
    if (slot_of[bucket] < 0) {
      slot_of[bucket] = static_cast<int32_t>(slot_begin.size());
      slot_begin.push_back(gathered_size);
      bucket_first.push_back(below);
      gathered_size += hist[bucket];
    }
    rank_slot[i] = static_cast<size_t>(slot_of[bucket]);
  }
  std::vector<uint64_t> gathered(gathered_size);
  std::vector<size_t> fill = slot_begin;
  for (const RfmInput& in : inputs) {
    const uint64_t key = SortKey(AxisValue(in, axis));
    const int32_t slot = slot_of[key >> kShift];
    if (slot >= 0) gathered[fill[static_cast<size_t>(slot)]++] = key;
  }
  // Within a slot ranks ascend; each nth_element runs right of the last.
  values.resize(ranks.size());
  size_t done = 0;  // gathered[0, done) already holds its final keys
  for (size_t i = 0; i < ranks.size(); ++i) {
    const size_t slot = rank_slot[i];
    const size_t end = slot + 1 < slot_begin.size() ? slot_begin[slot + 1]
                                                    : gathered.size();
    const size_t pos = slot_begin[slot] + (ranks[i] - bucket_first[slot]);
    if (pos >= done) {
      std::nth_element(
          gathered.begin() + static_cast<std::ptrdiff_t>(
                                 std::max(done, slot_begin[slot])),
          gathered.begin() + static_cast<std::ptrdiff_t>(pos),
          gathered.begin() + static_cast<std::ptrdiff_t>(end));
      done = pos + 1;
    }
    values[i] = FromSortKey(gathered[pos]);
  }
}

// The k-1 (or 2(k-1)) ranks a method needs, deduplicated, then selected.
AUDIENCE_FUNC std::vector<double> SelectValues(
    absl::Span<const RfmInput> inputs, Axis axis, std::vector<size_t> wanted,
    std::vector<size_t>& unique_ranks) {
  unique_ranks = wanted;
  std::sort(unique_ranks.begin(), unique_ranks.end());
  unique_ranks.erase(std::unique(unique_ranks.begin(), unique_ranks.end()),
                     unique_ranks.end());
  std::vector<double> stats;
  SelectRanks(inputs, axis, unique_ranks, stats);
  std::vector<double> out(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    out[i] = stats[static_cast<size_t>(
        std::lower_bound(unique_ranks.begin(), unique_ranks.end(), wanted[i]) -
        unique_ranks.begin())];
  }
  return out;
}

// Breaks for kQuantile. A customer's rank is the number of customers strictly
// worse on the axis (ties share the lower rank); score = floor(rank·k/n) + 1.
// score > j  <=>  rank >= t_j = ceil(j·n/k)  <=>  (f, m) x_(t_j) < v, or
// (recency, worse = larger) x_(n+1-t_j) > v, with x_(i) the i-th smallest.
AUDIENCE_FUNC void QuantileBreaks(absl::Span<const RfmInput> inputs, Axis axis,
                                  int bins, RfmAxisBreaks* out) {
  const bool reversed = axis == Axis::kRecency;
  const size_t n = inputs.size();
  const size_t k = static_cast<size_t>(bins);
  std::vector<size_t> wanted;
  if (!reversed) {
    for (size_t j = 1; j < k; ++j) wanted.push_back((j * n + k - 1) / k - 1);
  } else {
    for (size_t j = k - 1; j >= 1; --j) wanted.push_back(n - (j * n + k - 1) / k);
  }
  std::vector<size_t> unique_ranks;
  out->breaks = SelectValues(inputs, axis, std::move(wanted), unique_ranks);
  out->upper_closed = !reversed;
  out->reversed = reversed;
}

// Breaks for kRPackage: rfm:::bins() = quantile(x, seq(0, 1, length.out =
// k + 1))[-c(1, k + 1)] + 1, with stats:::quantile.default's type-7 steps:
// index = 1 + (n-1)·p, lo = floor, hi = ceiling, q = x[lo], and where
// index > lo and x[hi] != q, q = (1-h)·q + h·x[hi] with h = index - lo.
// seq() builds p_j = j · (1/k) (seq.default's `from + (1:n1) * by`).
AUDIENCE_FUNC void RPackageBreaks(absl::Span<const RfmInput> inputs, Axis axis,
                                  int bins, RfmAxisBreaks* out) {
  const size_t n = inputs.size();
  const double by = 1.0 / static_cast<double>(bins);
  std::vector<double> index(static_cast<size_t>(bins - 1));
  std::vector<size_t> wanted;
  for (int j = 1; j < bins; ++j) {
    const double idx =
        1.0 + static_cast<double>(n - 1) * (static_cast<double>(j) * by);
    index[static_cast<size_t>(j - 1)] = idx;
    wanted.push_back(static_cast<size_t>(std::floor(idx)) - 1);
    wanted.push_back(static_cast<size_t>(std::ceil(idx)) - 1);
  }
  std::vector<size_t> unique_ranks;
  const std::vector<double> x =
      SelectValues(inputs, axis, std::move(wanted), unique_ranks);
  out->breaks.resize(index.size());
  for (size_t j = 0; j < index.size(); ++j) {
    const double lo = std::floor(index[j]);
    double q = x[2 * j];
    const double x_hi = x[2 * j + 1];
    if (index[j] > lo && x_hi != q) {
      const double h = index[j] - lo;
      q = (1 - h) * q + h * x_hi;
    }
    out->breaks[j] = q + 1;
  }
  out->upper_closed = false;
  out->reversed = axis == Axis::kRecency;
}

// ScoreAxisValue with the breaks padded to 8 by +inf (never <= or < a finite
// value), so the inner loop has a fixed trip count and vectorizes.
struct FastAxis {
  double breaks[kRfmMaxBins - 1];
  unsigned bins;
  bool upper_closed;
  bool reversed;

  explicit FastAxis(const RfmAxisBreaks& axis)
      : bins(static_cast<unsigned>(axis.breaks.size()) + 1),
        upper_closed(axis.upper_closed),
        reversed(axis.reversed) {
    for (size_t i = 0; i < kRfmMaxBins - 1; ++i) {
      breaks[i] = i < axis.breaks.size()
                      ? axis.breaks[i]
                      : std::numeric_limits<double>::infinity();
    }
  }
  uint8_t Score(double v) const {
    unsigned below = 0;
    if (upper_closed) {
      for (double b : breaks) below += static_cast<unsigned>(b < v);
    } else {
      for (double b : breaks) below += static_cast<unsigned>(b <= v);
    }
    return static_cast<uint8_t>(reversed ? bins - below : below + 1);
  }
};

}  // namespace rfm_internal

AUDIENCE_FUNC uint8_t ScoreAxisValue(const RfmAxisBreaks& axis, double value) {
  // At most 8 breaks: a branch-free linear count beats a binary search.
  unsigned below = 0;
  if (axis.upper_closed) {
    for (double b : axis.breaks) below += static_cast<unsigned>(b < value);
  } else {
    for (double b : axis.breaks) below += static_cast<unsigned>(b <= value);
  }
  const unsigned bins = static_cast<unsigned>(axis.breaks.size()) + 1;
  const unsigned bin = below + 1;
  return static_cast<uint8_t>(axis.reversed ? bins + 1 - bin : bin);
}

AUDIENCE_FUNC double RQuantileType7(absl::Span<const double> sorted,
                                    double p) {
  const size_t n = sorted.size();
  const double index = 1.0 + static_cast<double>(n - 1) * p;
  const double lo = std::floor(index);
  const double hi = std::ceil(index);
  double q = sorted[static_cast<size_t>(lo) - 1];
  const double x_hi = sorted[static_cast<size_t>(hi) - 1];
  if (index > lo && x_hi != q) {
    const double h = index - lo;
    q = (1 - h) * q + h * x_hi;
  }
  return q;
}

AUDIENCE_FUNC absl::Status ScoreRfmInto(absl::Span<const RfmInput> inputs,
                                        const RfmOptions& options,
                                        RfmResult* out) {
  using rfm_internal::Axis;
  const int k = options.bins;
  if (k < kRfmMinBins || k > kRfmMaxBins) {
    return absl::InvalidArgumentError(fmt::format(
        "options.bins = {}; expected {}..{}", k, kRfmMinBins, kRfmMaxBins));
  }
  if (options.method != RfmMethod::kQuantile &&
      options.method != RfmMethod::kThresholds &&
      options.method != RfmMethod::kRPackage) {
    return absl::InvalidArgumentError(fmt::format(
        "options.method = {}; not a RfmMethod", static_cast<int>(options.method)));
  }
  if (options.method == RfmMethod::kThresholds) {
    AUDIENCE_RETURN_IF_ERROR(rfm_internal::ValidateBreaks(
        options.recency_breaks, k, "recency_breaks"));
    AUDIENCE_RETURN_IF_ERROR(rfm_internal::ValidateBreaks(
        options.frequency_breaks, k, "frequency_breaks"));
    AUDIENCE_RETURN_IF_ERROR(rfm_internal::ValidateBreaks(
        options.monetary_breaks, k, "monetary_breaks"));
  }
  AUDIENCE_RETURN_IF_ERROR(rfm_internal::ValidateInputs(inputs));

  out->bins = k;
  for (Axis axis : {Axis::kRecency, Axis::kFrequency, Axis::kMonetary}) {
    RfmAxisBreaks* breaks = axis == Axis::kRecency     ? &out->recency
                            : axis == Axis::kFrequency ? &out->frequency
                                                       : &out->monetary;
    switch (options.method) {
      case RfmMethod::kQuantile:
        rfm_internal::QuantileBreaks(inputs, axis, k, breaks);
        break;
      case RfmMethod::kRPackage:
        rfm_internal::RPackageBreaks(inputs, axis, k, breaks);
        break;
      case RfmMethod::kThresholds:
        breaks->breaks = axis == Axis::kRecency ? options.recency_breaks
                         : axis == Axis::kFrequency
                             ? options.frequency_breaks
                             : options.monetary_breaks;
        breaks->upper_closed = false;
        breaks->reversed = axis == Axis::kRecency;
        break;
    }
  }
  const rfm_internal::FastAxis r(out->recency), f(out->frequency),
      m(out->monetary);
  out->scores.resize(inputs.size());
  RfmScores* scores = out->scores.data();
  for (size_t i = 0; i < inputs.size(); ++i) {
    scores[i] = RfmScores{r.Score(inputs[i].recency_days),
                          f.Score(inputs[i].frequency),
                          m.Score(inputs[i].monetary)};
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<RfmResult> ScoreRfm(
    absl::Span<const RfmInput> inputs, const RfmOptions& options) {
  RfmResult result;
  AUDIENCE_RETURN_IF_ERROR(ScoreRfmInto(inputs, options, &result));
  return result;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_RFM_INL_H_
