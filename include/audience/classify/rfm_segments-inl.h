// Definitions for rfm_segments.h.
#ifndef AUDIENCE_CLASSIFY_RFM_SEGMENTS_INL_H_
#define AUDIENCE_CLASSIFY_RFM_SEGMENTS_INL_H_

#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "audience/base/status_macros.h"
#include "audience/classify/rfm_segments.h"

AUDIENCE_BEGIN_NAMESPACE

namespace rfm_segments_internal {

AUDIENCE_FUNC absl::Status CheckBins(int bins) {
  if (bins < kRfmMinBins || bins > kRfmMaxBins) {
    return absl::InvalidArgumentError(fmt::format(
        "bins = {}; expected {}..{}", bins, kRfmMinBins, kRfmMaxBins));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status CheckRange(const RfmScoreRange& range, int min,
                                      int max, std::string_view what) {
  if (range.lo < min || range.hi > max || range.lo > range.hi) {
    return absl::InvalidArgumentError(fmt::format(
        "{} = [{}, {}]; expected {} <= lo <= hi <= {}", what, range.lo,
        range.hi, min, max));
  }
  return absl::OkStatus();
}

// Checks that `names` (segment names in order, then the fallback) are
// non-empty and distinct. `kind` is "rules" or "groups".
AUDIENCE_FUNC absl::Status CheckNames(const std::vector<std::string>& names,
                                      std::string_view kind) {
  absl::flat_hash_set<std::string> seen;
  seen.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const bool is_fallback = i + 1 == names.size();
    const std::string what =
        is_fallback ? std::string("fallback") : fmt::format("{}[{}].name", kind, i);
    if (names[i].empty()) {
      return absl::InvalidArgumentError(
          fmt::format("{} is empty; segment names must be non-empty", what));
    }
    if (!seen.insert(names[i]).second) {
      return absl::InvalidArgumentError(fmt::format(
          "{} = '{}' repeats an earlier name; segment names must be distinct",
          what, names[i]));
    }
  }
  return absl::OkStatus();
}

inline bool InRange(int v, const RfmScoreRange& range) {
  return range.lo <= v && v <= range.hi;
}

}  // namespace rfm_segments_internal

AUDIENCE_FUNC absl::StatusOr<RfmSegmenter> RfmSegmenter::FromRules(
    const RfmSegmentRules& rules) {
  namespace in = rfm_segments_internal;
  const int k = rules.bins;
  AUDIENCE_RETURN_IF_ERROR(in::CheckBins(k));
  if (rules.rules.empty() || rules.rules.size() > kRfmMaxSegments) {
    return absl::InvalidArgumentError(fmt::format(
        "rules has {} entries; expected 1..{}", rules.rules.size(),
        kRfmMaxSegments));
  }
  RfmSegmenter seg;
  seg.bins_ = k;
  seg.names_.reserve(rules.rules.size() + 1);
  for (size_t i = 0; i < rules.rules.size(); ++i) {
    const RfmSegmentRule& rule = rules.rules[i];
    AUDIENCE_RETURN_IF_ERROR(
        in::CheckRange(rule.r, 1, k, fmt::format("rules[{}].r", i)));
    AUDIENCE_RETURN_IF_ERROR(
        in::CheckRange(rule.f, 1, k, fmt::format("rules[{}].f", i)));
    AUDIENCE_RETURN_IF_ERROR(
        in::CheckRange(rule.m, 1, k, fmt::format("rules[{}].m", i)));
    if (rule.f_plus_m.has_value()) {
      AUDIENCE_RETURN_IF_ERROR(in::CheckRange(
          *rule.f_plus_m, 2, 2 * k, fmt::format("rules[{}].f_plus_m", i)));
    }
    seg.names_.push_back(rule.name);
  }
  seg.names_.push_back(rules.fallback);
  AUDIENCE_RETURN_IF_ERROR(in::CheckNames(seg.names_, "rules"));

  const uint16_t fallback = seg.fallback_id();
  seg.table_.assign(static_cast<size_t>(k * k * k), fallback);
  for (int r = 1; r <= k; ++r) {
    for (int f = 1; f <= k; ++f) {
      for (int m = 1; m <= k; ++m) {
        uint16_t id = fallback;
        for (size_t i = 0; i < rules.rules.size(); ++i) {
          const RfmSegmentRule& rule = rules.rules[i];
          if (in::InRange(r, rule.r) && in::InRange(f, rule.f) &&
              in::InRange(m, rule.m) &&
              (!rule.f_plus_m.has_value() ||
               in::InRange(f + m, *rule.f_plus_m))) {
            id = static_cast<uint16_t>(i);
            break;
          }
        }
        seg.table_[static_cast<size_t>(((r - 1) * k + (f - 1)) * k + (m - 1))] =
            id;
      }
    }
  }
  return seg;
}

AUDIENCE_FUNC absl::StatusOr<RfmSegmenter> RfmSegmenter::FromCodeTable(
    const RfmCodeTable& table) {
  namespace in = rfm_segments_internal;
  const int k = table.bins;
  AUDIENCE_RETURN_IF_ERROR(in::CheckBins(k));
  if (table.groups.empty() || table.groups.size() > kRfmMaxSegments) {
    return absl::InvalidArgumentError(fmt::format(
        "groups has {} entries; expected 1..{}", table.groups.size(),
        kRfmMaxSegments));
  }
  RfmSegmenter seg;
  seg.bins_ = k;
  seg.names_.reserve(table.groups.size() + 1);
  for (const RfmCodeGroup& group : table.groups) seg.names_.push_back(group.name);
  seg.names_.push_back(table.fallback);
  AUDIENCE_RETURN_IF_ERROR(in::CheckNames(seg.names_, "groups"));

  const uint16_t fallback = seg.fallback_id();
  seg.table_.assign(static_cast<size_t>(k * k * k), fallback);
  for (size_t g = 0; g < table.groups.size(); ++g) {
    const std::vector<int>& codes = table.groups[g].codes;
    for (size_t c = 0; c < codes.size(); ++c) {
      const int code = codes[c];
      const int r = code / 100, f = (code / 10) % 10, m = code % 10;
      if (code < 111 || code > 999 || r > k || f < 1 || f > k || m < 1 ||
          m > k) {
        return absl::InvalidArgumentError(fmt::format(
            "groups[{}].codes[{}] = {}; expected a code 100R+10F+M with each "
            "digit in 1..{}",
            g, c, code, k));
      }
      uint16_t& slot =
          seg.table_[static_cast<size_t>(((r - 1) * k + (f - 1)) * k + (m - 1))];
      if (slot != fallback) {
        return absl::InvalidArgumentError(fmt::format(
            "groups[{}].codes[{}] = {} is already listed under '{}'; each "
            "code may appear once",
            g, c, code, seg.names_[slot]));
      }
      slot = static_cast<uint16_t>(g);
    }
  }
  return seg;
}

AUDIENCE_FUNC uint16_t RfmSegmenter::SegmentOf(RfmScores s) const {
  const int k = bins_;
  const int r = s.r, f = s.f, m = s.m;
  if (r < 1 || r > k || f < 1 || f > k || m < 1 || m > k) return fallback_id();
  return table_[static_cast<size_t>(((r - 1) * k + (f - 1)) * k + (m - 1))];
}

AUDIENCE_FUNC void RfmSegmenter::Classify(absl::Span<const RfmScores> scores,
                                          std::vector<uint16_t>* out) const {
  out->resize(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) (*out)[i] = SegmentOf(scores[i]);
}

AUDIENCE_END_NAMESPACE

#include "audience/classify/rfm_segments_presets-inl.h"

#endif  // AUDIENCE_CLASSIFY_RFM_SEGMENTS_INL_H_
