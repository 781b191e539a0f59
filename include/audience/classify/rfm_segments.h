// Named RFM groups: maps RfmScores (rfm.h) to a segment name, from either
// ordered range rules (first match wins, like R rfm::rfm_segment) or a code
// table (each R-F-M code listed under one name), plus published presets.
// Both compile into an RfmSegmenter: a bins^3 lookup table, O(1) per customer.
//
//   AUDIENCE_ASSIGN_OR_RETURN(RfmSegmenter seg,
//                             RfmSegmenter::FromRules(PresetRfmRPackage()));
//   std::string_view name = seg.NameOf(result.scores[i]);  // "Champions"
//   std::vector<uint16_t> ids;
//   seg.Classify(result.scores, &ids);  // ids index seg.names()
//
// Presets and their sources: docs/classifiers.md. All presets use 5 bins.
// Thread-safety: an RfmSegmenter is immutable after construction; const
// methods may be called concurrently.
#ifndef AUDIENCE_CLASSIFY_RFM_SEGMENTS_H_
#define AUDIENCE_CLASSIFY_RFM_SEGMENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/classify/rfm.h"

AUDIENCE_BEGIN_NAMESPACE

// Inclusive score range [lo, hi].
struct RfmScoreRange {
  int lo = 1;
  int hi = 5;
};

struct RfmSegmentRule {
  std::string name;
  RfmScoreRange r;
  RfmScoreRange f;
  RfmScoreRange m;
  // When set, also requires lo <= F + M <= hi (2..2·bins). Expresses groups
  // defined on R and the F-M average (Shopify style: FM = (F + M) / 2).
  std::optional<RfmScoreRange> f_plus_m;
};

// Ordered rules; a score triple gets the first rule it matches, else
// `fallback`. Validated: 1 <= rules.size() <= kRfmMaxSegments; names and
// fallback non-empty and all distinct; each range lo <= hi within 1..bins
// (f_plus_m within 2..2·bins); bins within 2..9.
struct RfmSegmentRules {
  int bins = 5;
  std::vector<RfmSegmentRule> rules;
  std::string fallback = "other";
};

// A named list of R-F-M codes (RfmCode: 100R + 10F + M).
struct RfmCodeGroup {
  std::string name;
  std::vector<int> codes;
};

// Validated: names (and fallback) non-empty and distinct; every code a valid
// triple for `bins` (each digit 1..bins); no code listed twice (in one group
// or across groups). Codes listed nowhere get `fallback`.
struct RfmCodeTable {
  int bins = 5;
  std::vector<RfmCodeGroup> groups;
  std::string fallback = "other";
};

inline constexpr size_t kRfmMaxSegments = 1000;

class RfmSegmenter {
 public:
  // Errors: InvalidArgument naming the rule/group and field at fault.
  static absl::StatusOr<RfmSegmenter> FromRules(const RfmSegmentRules& rules);
  static absl::StatusOr<RfmSegmenter> FromCodeTable(const RfmCodeTable& table);

  int bins() const { return bins_; }
  // Segment names by id: rules/groups in their given order, then the
  // fallback as the last id.
  const std::vector<std::string>& names() const { return names_; }
  uint16_t fallback_id() const {
    return static_cast<uint16_t>(names_.size() - 1);
  }

  // Segment id of `s`. Scores outside 1..bins get fallback_id().
  uint16_t SegmentOf(RfmScores s) const;
  // Name of SegmentOf(s); the view lives as long as this segmenter.
  std::string_view NameOf(RfmScores s) const { return names_[SegmentOf(s)]; }
  // out->at(i) = SegmentOf(scores[i]); reuses out's capacity.
  void Classify(absl::Span<const RfmScores> scores,
                std::vector<uint16_t>* out) const;

 private:
  RfmSegmenter() = default;
  int bins_ = 0;
  std::vector<std::string> names_;
  std::vector<uint16_t> table_;  // index ((r-1)·bins + f-1)·bins + m-1
};

// (a) The widely copied 11-segment table of all 125 codes (Champions 555,
// 554, 544, 545, 454, 455, 445; Loyal Customers 543, ...). Covers every code
// exactly once.
RfmCodeTable PresetRfm125Codes();
// (b) The 10-segment R×F grid of the common Python example (regex map on the
// "RF" string: [1-2][1-2] hibernating, ..., 5[4-5] champions). M is ignored.
RfmSegmentRules PresetRfGrid();
// (c) Shopify's RFM group names with our documented R / (F+M) ranges (Shopify
// does not publish exact ranges). Customers with no orders ("Prospects" in
// Shopify) cannot be scored and are the caller's to label.
RfmSegmentRules PresetShopify();
// (d) The rules R package rfm's own tests and 0.2.x vignettes use
// (Champions R 4-5 F 4-5 M 4-5, ..., Lost 1-2 1-2 1-2; fallback "Others").
RfmSegmentRules PresetRfmRPackage();
// (e) The rules in rfm 0.3.0's README / rfm_segment() example (Champions
// 5-5 5-5 5-5, Potential Loyalist 3-5 3-5 2-5, ...; fallback "Others").
RfmSegmentRules PresetRfmRPackageReadme();

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/rfm_segments-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_RFM_SEGMENTS_H_
