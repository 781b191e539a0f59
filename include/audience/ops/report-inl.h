// Definitions for report.h (the page itself is in report_html-inl.h).
#ifndef AUDIENCE_OPS_REPORT_INL_H_
#define AUDIENCE_OPS_REPORT_INL_H_

#include <algorithm>
#include <charconv>

#include "audience/base/status_macros.h"
#include "audience/ops/report.h"
#include "audience/query/query.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace report_internal {

// The dimension's values, most people first; empty when there is none.
inline std::vector<std::pair<std::string, uint64_t>> Values(const Store& store,
                                                             std::string_view dimension,
                                                             absl::Time now) {
  absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> v =
      store.ValuesByCount(dimension, now);
  return v.ok() ? *std::move(v) : std::vector<std::pair<std::string, uint64_t>>{};
}

inline Bitmap Members(const Store& store, std::string_view dimension, std::string_view value,
                      absl::Time now) {
  absl::StatusOr<Bitmap> b = store.TagMembers(dimension, value, now);
  return b.ok() ? *std::move(b) : Bitmap();
}

}  // namespace report_internal

AUDIENCE_FUNC absl::StatusOr<ReportData> CollectReport(const Store& store,
                                                       const ReportOptions& options) {
  using report_internal::Members;
  using report_internal::Values;
  const absl::Time now = options.now;
  ReportData data;
  data.now = now;
  data.people = store.person_count();
  AUDIENCE_ASSIGN_OR_RETURN(data.segments, SavedSegmentSizes(store, now));

  // RFM grid: bins = the largest score either axis holds.
  const std::string r_dim = options.rfm_prefix + ".r", f_dim = options.rfm_prefix + ".f";
  int bins = 0;
  for (const std::string& dim : {r_dim, f_dim}) {
    for (const auto& [value, n] : Values(store, dim, now)) {
      int score = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), score);
      if (ec == std::errc() && end == value.data() + value.size() && score >= 1 && score <= 9) {
        bins = std::max(bins, score);
      }
    }
  }
  if (bins > 0) {
    const std::optional<EventTypeId> money = store.schema().EventTypeIdOf(options.monetary_event);
    data.rfm_bins = bins;
    data.rfm_count.assign(static_cast<size_t>(bins * bins), 0);
    data.rfm_mean.assign(static_cast<size_t>(bins * bins), 0);
    std::vector<Bitmap> fs;
    for (int f = 1; f <= bins; ++f) fs.push_back(Members(store, f_dim, std::to_string(f), now));
    for (int r = 1; r <= bins; ++r) {
      const Bitmap rs = Members(store, r_dim, std::to_string(r), now);
      for (int f = 1; f <= bins; ++f) {
        const Bitmap cell = rs & fs[static_cast<size_t>(f - 1)];
        const size_t i = static_cast<size_t>((r - 1) * bins + (f - 1));
        data.rfm_count[i] = cell.Cardinality();
        if (money && data.rfm_count[i] > 0) {
          double sum = 0;
          cell.ForEach([&](PersonId p) {
            if (const PersonAggregate* a = store.event_type(*money).Aggregate(p)) sum += a->sum;
            return true;
          });
          data.rfm_mean[i] = sum / static_cast<double>(data.rfm_count[i]);
        }
      }
    }
  }

  // Lifecycle: stages by size, transitions from <name>.previous.
  data.lifecycle = Values(store, options.lifecycle, now);
  const auto previous = Values(store, options.lifecycle + ".previous", now);
  if (!data.lifecycle.empty() && !previous.empty()) {
    for (const auto& [stage, n] : data.lifecycle) data.stages.push_back(stage);
    for (const auto& [stage, n] : previous) {
      if (std::find(data.stages.begin(), data.stages.end(), stage) == data.stages.end()) {
        data.stages.push_back(stage);
      }
    }
    const size_t k = data.stages.size();
    std::vector<Bitmap> now_in(k);
    for (size_t b = 0; b < k; ++b) now_in[b] = Members(store, options.lifecycle, data.stages[b], now);
    data.transitions.assign(k, std::vector<uint64_t>(k, 0));
    for (size_t a = 0; a < k; ++a) {
      const Bitmap before = Members(store, options.lifecycle + ".previous", data.stages[a], now);
      for (size_t b = 0; b < k; ++b) data.transitions[a][b] = before.AndCardinality(now_in[b]);
    }
  }

  if (options.history != nullptr) {
    for (const std::string& name : options.history->Names()) {
      absl::Span<const SizePoint> s = options.history->Series(name);
      data.history.emplace_back(name, std::vector<SizePoint>(s.begin(), s.end()));
    }
  }
  return data;
}

AUDIENCE_FUNC std::vector<std::pair<std::string, double>> ReportMetrics(const ReportData& data) {
  std::vector<std::pair<std::string, double>> out;
  auto add = [&](std::string key, double v) { out.emplace_back(std::move(key), v); };
  add("people", static_cast<double>(data.people));
  for (const auto& [name, n] : data.segments) add("segment:" + name, static_cast<double>(n));
  for (int r = 1; r <= data.rfm_bins; ++r) {
    for (int f = 1; f <= data.rfm_bins; ++f) {
      const size_t i = static_cast<size_t>((r - 1) * data.rfm_bins + (f - 1));
      add(fmt::format("rfm:{}:{}:count", r, f), static_cast<double>(data.rfm_count[i]));
      add(fmt::format("rfm:{}:{}:mean", r, f), data.rfm_mean[i]);
    }
  }
  for (const auto& [stage, n] : data.lifecycle) add("lifecycle:" + stage, static_cast<double>(n));
  for (size_t a = 0; a < data.transitions.size(); ++a) {
    for (size_t b = 0; b < data.transitions[a].size(); ++b) {
      add(fmt::format("transition:{}:{}", data.stages[a], data.stages[b]),
          static_cast<double>(data.transitions[a][b]));
    }
  }
  for (const auto& [name, points] : data.history) {
    if (!points.empty()) add("history:" + name + ":last", static_cast<double>(points.back().size));
  }
  return out;
}

AUDIENCE_END_NAMESPACE

#include "audience/ops/report_html-inl.h"

#endif  // AUDIENCE_OPS_REPORT_INL_H_
