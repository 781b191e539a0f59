// RFM scoring: turns per-customer recency / frequency / monetary values into
// scores 1..k per axis (k = bins, 5 by default; 5 is always best), plus the
// break points used, so a later customer can be scored against the same
// breaks (ScoreAxisValue). Pure computation over caller-supplied inputs.
//
//   std::vector<RfmInput> in = {{.recency_days = 3, .frequency = 7,
//                                .monetary = 410.0}, ...};
//   AUDIENCE_ASSIGN_OR_RETURN(RfmResult res, ScoreRfm(in, RfmOptions{}));
//   int code = RfmCode(res.scores[0]);  // e.g. 545
//   // RfmSegmenter (rfm_segments.h) turns scores into named groups.
//
// Methods (see docs/classifiers.md for every formula):
//   kQuantile   our default: rank based; equal values always share a score.
//   kThresholds caller-chosen break points, half-open bins [b_i, b_{i+1}).
//   kRPackage   reproduces R package `rfm` 0.3.0 (rfm_table_order /
//               rfm_table_customer) exactly, floating point included.
//
// Thread-safety: every function here is pure; concurrent calls are safe.
#ifndef AUDIENCE_CLASSIFY_RFM_H_
#define AUDIENCE_CLASSIFY_RFM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// One customer's raw values at the analysis time `now`. What they count is the
// caller's choice (the scorer only ranks them), but it must be the same for
// every customer:
//   recency_days  days from the last purchase to `now` (>= 0; fractional OK).
//   frequency     number of purchases (order rows, as the R package does) or
//                 number of distinct purchase days (>= 0).
//   monetary      total spend (the R package) or mean spend per purchase; any
//                 finite value (net of refunds it may be negative).
struct RfmInput {
  double recency_days = 0.0;
  double frequency = 0.0;
  double monetary = 0.0;
};

// Scores 1..bins on each axis; higher is better (recency is reversed: the
// most recent customers get the highest r).
struct RfmScores {
  uint8_t r = 0;
  uint8_t f = 0;
  uint8_t m = 0;
  friend bool operator==(const RfmScores&, const RfmScores&) = default;
};

// 100·R + 10·F + M, e.g. 545 (the R package's rfm_score). Distinct for every
// score triple because bins <= 9.
constexpr int RfmCode(RfmScores s) {
  return 100 * static_cast<int>(s.r) + 10 * static_cast<int>(s.f) +
         static_cast<int>(s.m);
}

enum class RfmMethod { kQuantile, kThresholds, kRPackage };

inline constexpr int kRfmMinBins = 2;
inline constexpr int kRfmMaxBins = 9;

struct RfmOptions {
  RfmMethod method = RfmMethod::kQuantile;
  int bins = 5;  // k, the same on all three axes; 2..9.
  // kThresholds only: exactly bins-1 finite, strictly ascending break points
  // per axis, in the axis' own units (days, purchases, money). Ignored (and
  // not validated) by the other methods.
  std::vector<double> recency_breaks;
  std::vector<double> frequency_breaks;
  std::vector<double> monetary_breaks;
};

// How one axis was cut. `breaks` holds bins-1 non-decreasing values. A value
// v falls in ascending bin
//   b(v) = 1 + #{ breaks <= v }   when !upper_closed  (bins [b_i, b_{i+1}))
//   b(v) = 1 + #{ breaks <  v }   when upper_closed   (bins (b_i, b_{i+1}])
// and its score is b(v), or bins + 1 - b(v) when `reversed` (recency).
struct RfmAxisBreaks {
  std::vector<double> breaks;
  bool upper_closed = false;
  bool reversed = false;
};

struct RfmResult {
  std::vector<RfmScores> scores;  // scores[i] belongs to inputs[i]
  int bins = 0;
  RfmAxisBreaks recency;
  RfmAxisBreaks frequency;
  RfmAxisBreaks monetary;
};

// Scores every input. Errors (InvalidArgument, naming the field and value):
// empty `inputs`; bins outside 2..9; a NaN or infinite value; negative
// recency_days or frequency; for kThresholds, a break list of the wrong
// length, non-finite, or not strictly ascending.
// kRPackage deviates from R in one place only: where R would leave NA
// (the maximum value when max + 1 rounds to max, |max| >= 2^53) we give the
// top bin.
// Cost: O(n) selection per axis (a 16-bit radix histogram, then
// std::nth_element inside the few buckets holding a wanted rank) plus O(n·k)
// to score; 10M customers score in about 0.25 s on one core. Memory: the
// keys of those buckets (at most n) besides the result. No per-customer
// allocation.
absl::StatusOr<RfmResult> ScoreRfm(absl::Span<const RfmInput> inputs,
                                   const RfmOptions& options);

// As ScoreRfm, but reuses `out`'s vectors (for repeated full rescoring).
// On error `out` is left in an unspecified but valid state.
absl::Status ScoreRfmInto(absl::Span<const RfmInput> inputs,
                          const RfmOptions& options, RfmResult* out);

// The score (1..bins) `value` gets on an axis cut by `axis`, where
// bins = axis.breaks.size() + 1. NaN scores 1 on a non-reversed axis and
// `bins` on a reversed one (it compares false with every break); callers
// should validate first.
uint8_t ScoreAxisValue(const RfmAxisBreaks& axis, double value);

// R's quantile(x, probs, type = 7) for sorted `x` (ascending, non-empty) at
// probability `p` in [0, 1], with R's exact floating-point steps. Exposed for
// tests and for callers that want R-compatible quantiles.
double RQuantileType7(absl::Span<const double> sorted, double p);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/rfm-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_RFM_H_
