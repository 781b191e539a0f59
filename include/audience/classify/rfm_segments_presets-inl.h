// Preset segment definitions declared in rfm_segments.h. Sources and the
// reasoning behind each table: docs/classifiers.md.
#ifndef AUDIENCE_CLASSIFY_RFM_SEGMENTS_PRESETS_INL_H_
#define AUDIENCE_CLASSIFY_RFM_SEGMENTS_PRESETS_INL_H_

#include <optional>

#include "audience/classify/rfm_segments.h"

AUDIENCE_BEGIN_NAMESPACE

namespace rfm_segments_internal {

inline RfmSegmentRule Rule(const char* name, int r_lo, int r_hi, int f_lo,
                           int f_hi, int m_lo, int m_hi) {
  return RfmSegmentRule{name, {r_lo, r_hi}, {f_lo, f_hi}, {m_lo, m_hi},
                        std::nullopt};
}

inline RfmSegmentRule RfmRule(const char* name, int r_lo, int r_hi,
                              int sum_lo, int sum_hi) {
  return RfmSegmentRule{name, {r_lo, r_hi}, {1, 5}, {1, 5},
                        RfmScoreRange{sum_lo, sum_hi}};
}

}  // namespace rfm_segments_internal

// The 125-code table as reproduced in e.g. github.com/linhnguyen2601/
// SQL-Projects (README "11 distinct groups"); several copies move 231, 241,
// 251 from About To Sleep to Hibernating (see docs).
AUDIENCE_FUNC RfmCodeTable PresetRfm125Codes() {
  RfmCodeTable t;
  t.bins = 5;
  t.groups = {
      {"Champions", {555, 554, 544, 545, 454, 455, 445}},
      {"Loyal Customers", {543, 444, 435, 355, 354, 345, 344, 335}},
      {"Potential Loyalist",
       {553, 551, 552, 541, 542, 533, 532, 531, 452, 451, 442, 441,
        431, 453, 433, 432, 423, 353, 352, 351, 342, 341, 333, 323}},
      {"New Customers", {512, 511, 422, 421, 412, 411, 311}},
      {"Promising",
       {525, 524, 523, 522, 521, 515, 514, 513, 425, 424, 413, 414, 415, 315,
        314, 313}},
      {"Need Attention", {535, 534, 443, 434, 343, 334, 325, 324}},
      {"About To Sleep", {331, 321, 312, 221, 213, 231, 241, 251}},
      {"At Risk",
       {255, 254, 245, 244, 253, 252, 243, 242, 235, 234, 225,
        224, 153, 152, 145, 143, 142, 135, 134, 133, 125, 124}},
      {"Cannot Lose Them", {155, 154, 144, 214, 215, 115, 114, 113}},
      {"Hibernating Customers",
       {332, 322, 233, 232, 223, 222, 132, 123, 122, 212, 211}},
      {"Lost Customers", {111, 112, 121, 131, 141, 151}},
  };
  t.fallback = "other";
  return t;
}

// segt_map of the common pandas example, applied to str(R) + str(F):
// r'[1-2][1-2]' hibernating, r'[1-2][3-4]' at risk, r'[1-2]5' can't loose,
// r'3[1-2]' about to sleep, r'33' need attention, r'[3-4][4-5]' loyal
// customers, r'41' promising, r'51' new customers, r'[4-5][2-3]' potential
// loyalists, r'5[4-5]' champions. The patterns do not overlap, so order is
// immaterial; names are kept verbatim (including "can't loose").
AUDIENCE_FUNC RfmSegmentRules PresetRfGrid() {
  using rfm_segments_internal::Rule;
  RfmSegmentRules s;
  s.bins = 5;
  s.rules = {
      Rule("hibernating", 1, 2, 1, 2, 1, 5),
      Rule("at risk", 1, 2, 3, 4, 1, 5),
      Rule("can't loose", 1, 2, 5, 5, 1, 5),
      Rule("about to sleep", 3, 3, 1, 2, 1, 5),
      Rule("need attention", 3, 3, 3, 3, 1, 5),
      Rule("loyal customers", 3, 4, 4, 5, 1, 5),
      Rule("promising", 4, 4, 1, 1, 1, 5),
      Rule("new customers", 5, 5, 1, 1, 1, 5),
      Rule("potential loyalists", 4, 5, 2, 3, 1, 5),
      Rule("champions", 5, 5, 4, 5, 1, 5),
  };
  s.fallback = "other";
  return s;
}

// Shopify's group names (Admin API enum CustomerRfmGroup; the help center
// says groups are cut on R and FM = (F + M) / 2). The ranges are ours: a
// partition of R × (F + M), documented in docs/classifiers.md.
AUDIENCE_FUNC RfmSegmentRules PresetShopify() {
  using rfm_segments_internal::RfmRule;
  RfmSegmentRules s;
  s.bins = 5;
  s.rules = {
      RfmRule("Champions", 5, 5, 8, 10),
      RfmRule("Loyal", 3, 4, 8, 10),
      RfmRule("Active", 4, 5, 5, 7),
      RfmRule("New", 5, 5, 2, 4),
      RfmRule("Promising", 4, 4, 2, 4),
      RfmRule("Needs attention", 3, 3, 2, 7),
      RfmRule("Previously loyal", 1, 2, 9, 10),
      RfmRule("At risk", 1, 2, 6, 8),
      RfmRule("Almost lost", 2, 2, 2, 5),
      RfmRule("Dormant", 1, 1, 2, 5),
  };
  s.fallback = "other";
  return s;
}

// rfm tests/testthat/test-rfm-segment.R and the 0.2.x vignettes.
AUDIENCE_FUNC RfmSegmentRules PresetRfmRPackage() {
  using rfm_segments_internal::Rule;
  RfmSegmentRules s;
  s.bins = 5;
  s.rules = {
      Rule("Champions", 4, 5, 4, 5, 4, 5),
      Rule("Loyal Customers", 2, 5, 3, 5, 3, 5),
      Rule("Potential Loyalist", 3, 5, 1, 3, 1, 3),
      Rule("New Customers", 4, 5, 1, 1, 1, 1),
      Rule("Promising", 3, 4, 1, 1, 1, 1),
      Rule("Need Attention", 2, 3, 2, 3, 2, 3),
      Rule("About To Sleep", 2, 3, 1, 2, 1, 2),
      Rule("At Risk", 1, 2, 2, 5, 2, 5),
      Rule("Can't Lose Them", 1, 1, 4, 5, 4, 5),
      Rule("Lost", 1, 2, 1, 2, 1, 2),
  };
  s.fallback = "Others";
  return s;
}

// rfm 0.3.0 README.md and ?rfm_segment example.
AUDIENCE_FUNC RfmSegmentRules PresetRfmRPackageReadme() {
  using rfm_segments_internal::Rule;
  RfmSegmentRules s;
  s.bins = 5;
  s.rules = {
      Rule("Champions", 5, 5, 5, 5, 5, 5),
      Rule("Potential Loyalist", 3, 5, 3, 5, 2, 5),
      Rule("Loyal Customers", 2, 4, 2, 4, 2, 4),
      Rule("Promising", 3, 4, 1, 3, 3, 5),
      Rule("New Customers", 4, 5, 1, 3, 1, 5),
      Rule("Can't Lose Them", 1, 2, 3, 4, 4, 5),
      Rule("At Risk", 1, 2, 2, 5, 4, 5),
      Rule("Need Attention", 1, 3, 3, 5, 3, 5),
      Rule("About To Sleep", 2, 3, 1, 3, 1, 4),
      Rule("Lost", 1, 1, 1, 5, 1, 5),
  };
  s.fallback = "Others";
  return s;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_RFM_SEGMENTS_PRESETS_INL_H_
