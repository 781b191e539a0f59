// Definitions for metrics.h.
#ifndef AUDIENCE_OPS_METRICS_INL_H_
#define AUDIENCE_OPS_METRICS_INL_H_

#include <algorithm>
#include <cmath>

#include "audience/base/byte_io.h"
#include "audience/base/file_io.h"
#include "audience/base/sealed_bytes.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/ops/metrics.h"
#include "audience/store/batch_codec.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace metrics_internal {

// History file, sealed (base/sealed_bytes.h): u32 series count, per series
// its name, u64 n and n x (time, u64 size).
inline constexpr std::string_view kMagic("\x89" "AUDHIS\n", 8);
inline constexpr uint32_t kVersion = 1;
inline constexpr absl::Duration kWeek = absl::Hours(7 * 24);

inline absl::StatusOr<const EventIndex*> EventsNamed(const Store& store, std::string_view name,
                                                     std::string_view what) {
  const std::optional<EventTypeId> id = store.schema().EventTypeIdOf(name);
  if (!id) return absl::InvalidArgumentError(fmt::format("{}: unknown event type '{}'", what, name));
  return &store.event_type(*id);
}

}  // namespace metrics_internal

AUDIENCE_FUNC absl::Status SizeHistory::Record(std::string_view series, absl::Time at,
                                               uint64_t size) {
  if (series.empty()) return absl::InvalidArgumentError("size history: empty series name");
  std::vector<SizePoint>& points = series_[std::string(series)];
  if (!points.empty() && at < points.back().at) {
    return absl::InvalidArgumentError(fmt::format(
        "size history '{}': {} is before the last point ({})", series, absl::FormatTime(at),
        absl::FormatTime(points.back().at)));
  }
  if (!points.empty() && at == points.back().at) {
    points.back().size = size;
  } else {
    points.push_back({at, size});
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> SavedSegmentSizes(
    const Store& store, absl::Time now) {
  std::vector<std::pair<std::string, uint64_t>> sizes;
  for (const auto& [name, text] : store.segments()) {
    absl::StatusOr<uint64_t> n = Count(store, text, {.now = now});
    if (!n.ok()) {
      return absl::Status(n.status().code(),
                          fmt::format("saved segment '{}': {}", name, n.status().message()));
    }
    sizes.emplace_back(name, *n);
  }
  return sizes;
}

AUDIENCE_FUNC absl::Status SizeHistory::RecordSavedSegments(const Store& store, absl::Time now) {
  // Evaluate all before recording any, so that an error records nothing.
  AUDIENCE_ASSIGN_OR_RETURN(const auto sizes, SavedSegmentSizes(store, now));
  for (const auto& [name, n] : sizes) AUDIENCE_RETURN_IF_ERROR(Record(name, now, n));
  return absl::OkStatus();
}

AUDIENCE_FUNC std::vector<std::string> SizeHistory::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, points] : series_) out.push_back(name);
  return out;
}

AUDIENCE_FUNC absl::Span<const SizePoint> SizeHistory::Series(std::string_view name) const {
  auto it = series_.find(AbslView(name));
  if (it == series_.end()) return {};
  return it->second;
}

AUDIENCE_FUNC std::string SizeHistory::Serialize() const {
  using namespace metrics_internal;  // NOLINT: this unit's constants
  ByteWriter w;
  w.PutU32(static_cast<uint32_t>(series_.size()));
  for (const auto& [name, points] : series_) {
    w.PutString(name);
    w.PutU64(points.size());
    for (const SizePoint& p : points) {
      EncodeTime(p.at, &w);
      w.PutU64(p.size);
    }
  }
  return Seal(kMagic, kVersion, w.data());
}

AUDIENCE_FUNC absl::StatusOr<SizeHistory> SizeHistory::Deserialize(std::string_view bytes) {
  using namespace metrics_internal;  // NOLINT: this unit's constants
  AUDIENCE_ASSIGN_OR_RETURN(std::string_view body, Unseal(bytes, kMagic, kVersion, "size history"));
  ByteReader r(body, "size history");
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t count, r.GetU32("series count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(count, 12, "series count"));
  SizeHistory h;
  for (uint32_t i = 0; i < count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string name, r.GetString("series name"));
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t n, r.GetU64("point count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(n, 9, "point count"));
    if (name.empty() || h.series_.contains(name)) return r.Corrupt("series name", name);
    std::vector<SizePoint>& points = h.series_[name];
    for (uint64_t k = 0; k < n; ++k) {
      AUDIENCE_ASSIGN_OR_RETURN(absl::Time at, DecodeTime(&r, "point time"));
      AUDIENCE_ASSIGN_OR_RETURN(uint64_t size, r.GetU64("point size"));
      if (!points.empty() && at <= points.back().at) {
        return r.Corrupt("point time", "not after the previous point");
      }
      points.push_back({at, size});
    }
  }
  AUDIENCE_RETURN_IF_ERROR(r.ExpectEnd());
  return h;
}

AUDIENCE_FUNC absl::Status SizeHistory::Save(const std::string& path) const {
  return WriteFileAtomically(path, Serialize());
}

AUDIENCE_FUNC absl::StatusOr<SizeHistory> SizeHistory::Open(const std::string& path) {
  AUDIENCE_ASSIGN_OR_RETURN(const std::string bytes, ReadWholeFile(path));
  absl::StatusOr<SizeHistory> h = Deserialize(bytes);
  if (!h.ok()) return absl::Status(h.status().code(), fmt::format("{}: {}", path, h.status().message()));
  return h;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<FunnelRow>> Funnel(const Store& store,
                                                            absl::Span<const FunnelStage> stages,
                                                            const QueryOptions& options) {
  std::vector<FunnelRow> rows;
  Bitmap previous;
  const EventIndex* previous_events = nullptr;
  for (size_t i = 0; i < stages.size(); ++i) {
    const FunnelStage& stage = stages[i];
    absl::StatusOr<Segment> reached = Evaluate(store, stage.query, options);
    if (!reached.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("funnel stage '{}': {}", stage.name, reached.status().message()));
    }
    const EventIndex* events = nullptr;
    if (!stage.event.empty()) {
      AUDIENCE_ASSIGN_OR_RETURN(
          events, metrics_internal::EventsNamed(store, stage.event,
                                                fmt::format("funnel stage '{}'", stage.name)));
    }
    FunnelRow row{.name = stage.name, .reached = reached->count()};
    if (i == 0) {
      row.converted = row.reached;
    } else {
      const Bitmap both = reached->people() & previous;
      row.converted = both.Cardinality();
      row.rate = rows.back().reached == 0
                     ? 0
                     : static_cast<double>(row.converted) / static_cast<double>(rows.back().reached);
      if (events != nullptr && previous_events != nullptr) {
        std::vector<int64_t> gaps;
        both.ForEach([&](PersonId p) {
          const PersonAggregate* a = previous_events->Aggregate(p);
          const PersonAggregate* b = events->Aggregate(p);
          if (a != nullptr && b != nullptr) gaps.push_back(b->first_time - a->first_time);
          return true;
        });
        if (!gaps.empty()) {
          auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
          std::nth_element(gaps.begin(), mid, gaps.end());
          row.median_time = absl::Seconds(*mid);
        }
      }
    }
    rows.push_back(std::move(row));
    previous = reached->people();
    previous_events = events;
  }
  return rows;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<CohortRow>> CohortRetention(
    const Store& store, const RetentionOptions& options) {
  using metrics_internal::kWeek;
  if (options.weeks < 1 || options.weeks > 520) {
    return absl::InvalidArgumentError(
        fmt::format("cohort retention: weeks {} is not 1..520", options.weeks));
  }
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* cohort_events,
                            metrics_internal::EventsNamed(store, options.cohort_event,
                                                          "cohort retention: cohort_event"));
  AUDIENCE_ASSIGN_OR_RETURN(const EventIndex* active_events,
                            metrics_internal::EventsNamed(store, options.active_event,
                                                          "cohort retention: active_event"));
  const size_t weeks = static_cast<size_t>(options.weeks);
  const int64_t start = absl::ToUnixSeconds(options.from);
  const int64_t week_seconds = absl::ToInt64Seconds(kWeek);
  std::vector<std::vector<uint32_t>> members(weeks);
  (cohort_events->People() & store.ids().live()).ForEach([&](PersonId p) {
    const int64_t first = cohort_events->Aggregate(p)->first_time;
    if (first >= start && (first - start) / week_seconds < options.weeks) {
      members[static_cast<size_t>((first - start) / week_seconds)].push_back(p);
    }
    return true;
  });
  std::vector<Bitmap> active(weeks);
  for (size_t w = 0; w < weeks; ++w) {
    const int64_t from = start + static_cast<int64_t>(w) * week_seconds;
    active[w] = active_events->DidInWindow({.from = from, .to = from + week_seconds},
                                           &store.ids().live());
  }
  std::vector<CohortRow> rows(weeks);
  for (size_t c = 0; c < weeks; ++c) {
    const Bitmap cohort = Bitmap::FromIds(members[c]);
    rows[c].week = options.from + kWeek * static_cast<int64_t>(c);
    rows[c].size = cohort.Cardinality();
    for (size_t w = c; w < weeks; ++w) {
      rows[c].active_share.push_back(
          rows[c].size == 0 ? 0
                            : static_cast<double>(cohort.AndCardinality(active[w])) /
                                  static_cast<double>(rows[c].size));
    }
  }
  return rows;
}

AUDIENCE_FUNC std::vector<BaselineAlert> CheckBaseline(absl::Span<const SizePoint> series,
                                                       const BaselineOptions& options) {
  std::vector<BaselineAlert> alerts;
  const bool fixed = options.low.has_value() && options.high.has_value();
  for (size_t i = 0; i < series.size(); ++i) {
    const double value = static_cast<double>(series[i].size);
    double low = 0, high = 0, expected = 0;
    if (fixed) {
      low = *options.low;
      high = *options.high;
      expected = (low + high) / 2;
    } else {
      if (options.window == 0 || i < options.window) continue;
      double sum = 0, squares = 0;
      for (size_t k = i - options.window; k < i; ++k) {
        sum += static_cast<double>(series[k].size);
      }
      expected = sum / static_cast<double>(options.window);
      for (size_t k = i - options.window; k < i; ++k) {
        const double d = static_cast<double>(series[k].size) - expected;
        squares += d * d;
      }
      const double sd = std::sqrt(squares / static_cast<double>(options.window));
      const double half = std::max(options.sigmas * sd, options.min_relative * expected);
      low = expected - half;
      high = expected + half;
    }
    if (value < low || value > high) {
      alerts.push_back({.index = i, .at = series[i].at, .value = value, .expected = expected,
                        .low = low, .high = high});
    }
  }
  return alerts;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_OPS_METRICS_INL_H_
