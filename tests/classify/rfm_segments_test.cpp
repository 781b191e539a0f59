#include "audience/classify/rfm_segments.h"

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "classify/rfm_test_data.h"

namespace {

using audience::RfmCodeTable;
using audience::RfmOptions;
using audience::RfmMethod;
using audience::RfmScores;
using audience::RfmSegmenter;
using audience::RfmSegmentRule;
using audience::RfmSegmentRules;

std::vector<RfmScores> AllScores(int k) {
  std::vector<RfmScores> out;
  for (int r = 1; r <= k; ++r)
    for (int f = 1; f <= k; ++f)
      for (int m = 1; m <= k; ++m)
        out.push_back({static_cast<uint8_t>(r), static_cast<uint8_t>(f),
                       static_cast<uint8_t>(m)});
  return out;
}

// rfm::rfm_segment, literally: segment starts as 1; rule i labels rows in all
// three between() ranges not yet labelled; leftovers become "Others".
std::string NaiveRSegment(const RfmSegmentRules& rules, RfmScores s) {
  for (const RfmSegmentRule& rule : rules.rules) {
    if (s.r >= rule.r.lo && s.r <= rule.r.hi && s.f >= rule.f.lo &&
        s.f <= rule.f.hi && s.m >= rule.m.lo && s.m <= rule.m.hi) {
      return rule.name;
    }
  }
  return "Others";
}

std::string SegmentOrDie(const RfmSegmenter& seg, RfmScores s) {
  return std::string(seg.NameOf(s));
}

}  // namespace

TEST_CASE("the 125-code preset lists every code exactly once", "[classify][rfm]") {
  const RfmCodeTable table = audience::PresetRfm125Codes();
  std::map<int, int> listed;
  for (const auto& group : table.groups)
    for (int code : group.codes) ++listed[code];
  CHECK(listed.size() == 125);
  for (const auto& [code, times] : listed) CHECK(times == 1);
  CHECK(table.groups.size() == 11);
  auto seg = RfmSegmenter::FromCodeTable(table);
  REQUIRE(seg.ok());
  for (const RfmScores& s : AllScores(5)) CHECK(seg->SegmentOf(s) != seg->fallback_id());
  CHECK(seg->NameOf({5, 5, 5}) == "Champions");
  CHECK(seg->NameOf({5, 4, 3}) == "Loyal Customers");
  CHECK(seg->NameOf({2, 5, 1}) == "About To Sleep");
  CHECK(seg->NameOf({1, 5, 1}) == "Lost Customers");
  CHECK(seg->NameOf({2, 1, 5}) == "Cannot Lose Them");
}

TEST_CASE("partition presets match exactly one rule per code", "[classify][rfm]") {
  for (const RfmSegmentRules& rules :
       {audience::PresetRfGrid(), audience::PresetShopify()}) {
    auto seg = RfmSegmenter::FromRules(rules);
    REQUIRE(seg.ok());
    for (const RfmScores& s : AllScores(5)) {
      int matches = 0;
      for (const RfmSegmentRule& rule : rules.rules) {
        const int fm = s.f + s.m;
        matches += s.r >= rule.r.lo && s.r <= rule.r.hi && s.f >= rule.f.lo &&
                   s.f <= rule.f.hi && s.m >= rule.m.lo && s.m <= rule.m.hi &&
                   (!rule.f_plus_m || (fm >= rule.f_plus_m->lo &&
                                       fm <= rule.f_plus_m->hi));
      }
      INFO("code " << audience::RfmCode(s));
      CHECK(matches == 1);
      CHECK(seg->SegmentOf(s) != seg->fallback_id());
    }
  }
}

TEST_CASE("R×F grid equals the pandas regex replace it comes from", "[classify][rfm]") {
  // Series.replace(segt_map, regex=True) applies each pattern in dict order.
  const std::vector<std::pair<std::string, std::string>> segt_map = {
      {"[1-2][1-2]", "hibernating"},     {"[1-2][3-4]", "at risk"},
      {"[1-2]5", "can't loose"},         {"3[1-2]", "about to sleep"},
      {"33", "need attention"},          {"[3-4][4-5]", "loyal customers"},
      {"41", "promising"},               {"51", "new customers"},
      {"[4-5][2-3]", "potential loyalists"}, {"5[4-5]", "champions"}};
  auto seg = RfmSegmenter::FromRules(audience::PresetRfGrid());
  REQUIRE(seg.ok());
  for (const RfmScores& s : AllScores(5)) {
    std::string rf = std::to_string(s.r) + std::to_string(s.f);
    for (const auto& [pattern, name] : segt_map) {
      rf = std::regex_replace(rf, std::regex(pattern), name);
    }
    CHECK(SegmentOrDie(*seg, s) == rf);
  }
}

TEST_CASE("Shopify preset: documented R × (F+M) grid", "[classify][rfm]") {
  auto seg = RfmSegmenter::FromRules(audience::PresetShopify());
  REQUIRE(seg.ok());
  CHECK(seg->NameOf({5, 5, 3}) == "Champions");
  CHECK(seg->NameOf({5, 4, 3}) == "Active");
  CHECK(seg->NameOf({5, 1, 3}) == "New");
  CHECK(seg->NameOf({4, 5, 5}) == "Loyal");
  CHECK(seg->NameOf({4, 2, 2}) == "Promising");
  CHECK(seg->NameOf({3, 4, 3}) == "Needs attention");
  CHECK(seg->NameOf({3, 4, 4}) == "Loyal");
  CHECK(seg->NameOf({2, 5, 4}) == "Previously loyal");
  CHECK(seg->NameOf({1, 4, 4}) == "At risk");
  CHECK(seg->NameOf({2, 3, 2}) == "Almost lost");
  CHECK(seg->NameOf({1, 3, 2}) == "Dormant");
}

TEST_CASE("R package presets equal rfm_segment's loop on all codes",
          "[classify][rfm]") {
  for (const RfmSegmentRules& rules :
       {audience::PresetRfmRPackage(), audience::PresetRfmRPackageReadme()}) {
    auto seg = RfmSegmenter::FromRules(rules);
    REQUIRE(seg.ok());
    CHECK(seg->names().back() == "Others");
    for (const RfmScores& s : AllScores(5)) {
      CHECK(SegmentOrDie(*seg, s) == NaiveRSegment(rules, s));
    }
  }
}

TEST_CASE("rfm_data_orders at 2006-12-31: segment figures of rfm's tests",
          "[classify][rfm]") {
  const auto data = rfm_test::LoadOrders(rfm_test::DaysFromIso("2006-12-31"));
  RfmOptions o;
  o.method = RfmMethod::kRPackage;
  auto res = audience::ScoreRfm(data.inputs, o);
  REQUIRE(res.ok());
  auto seg = RfmSegmenter::FromRules(audience::PresetRfmRPackage());
  REQUIRE(seg.ok());
  std::vector<uint16_t> ids;
  seg->Classify(res->scores, &ids);
  std::map<std::string, int> customers;
  std::map<std::string, double> orders, revenue;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& name = seg->names()[ids[i]];
    ++customers[name];
    orders[name] += data.inputs[i].frequency;
    revenue[name] += data.inputs[i].monetary;
  }
  // tests/testthat/test-rfm-segment.R (rfm 0.3.0).
  CHECK(customers["Champions"] == 158);
  CHECK(orders["Champions"] == 1234);
  CHECK(revenue["Champions"] == 120178);
  // Vignette "rfm-transaction-level-data" (0.2.2), "Segment Size" table.
  const std::map<std::string, int> sizes = {
      {"Loyal Customers", 278}, {"Potential Loyalist", 229},
      {"Champions", 158},       {"Lost", 111},
      {"At Risk", 86},          {"About To Sleep", 50},
      {"Others", 48},           {"Need Attention", 35}};
  CHECK(customers == sizes);
  // README.md (0.3.0) segments of its first five customers (README rules).
  auto readme = RfmSegmenter::FromRules(audience::PresetRfmRPackageReadme());
  REQUIRE(readme.ok());
  const std::map<std::string, std::string> expected = {
      {"Abbey O'Reilly", "Potential Loyalist"},
      {"Add Senger", "New Customers"},
      {"Aden Lesch", "Loyal Customers"},
      {"Aden Murphy", "Potential Loyalist"},
      {"Admiral Senger", "Potential Loyalist"}};
  int seen = 0;
  for (size_t i = 0; i < data.ids.size(); ++i) {
    auto it = expected.find(data.ids[i]);
    if (it == expected.end()) continue;
    ++seen;
    CHECK(readme->NameOf(res->scores[i]) == it->second);
  }
  CHECK(seen == 5);
}

TEST_CASE("rfm_data_customer at 2007-01-01: vignette segment sizes",
          "[classify][rfm]") {
  const auto data = rfm_test::LoadCustomers(rfm_test::DaysFromIso("2007-01-01"));
  RfmOptions o;
  o.method = RfmMethod::kRPackage;
  auto res = audience::ScoreRfm(data.inputs, o);
  REQUIRE(res.ok());
  auto seg = RfmSegmenter::FromRules(audience::PresetRfmRPackage());
  REQUIRE(seg.ok());
  std::map<std::string, int> customers;
  for (const RfmScores& s : res->scores) ++customers[std::string(seg->NameOf(s))];
  // Vignette "rfm-customer-level-data" (0.2.2), "Segment Size" table.
  const std::map<std::string, int> sizes = {
      {"Loyal Customers", 10181}, {"Potential Loyalist", 9547},
      {"Champions", 6477},        {"At Risk", 4660},
      {"Lost", 3502},             {"About To Sleep", 2171},
      {"Others", 1755},           {"Need Attention", 1706}};
  CHECK(customers == sizes);
}

TEST_CASE("segmenter basics: order, fallback, out-of-range scores",
          "[classify][rfm]") {
  RfmSegmentRules rules;
  rules.bins = 3;
  rules.rules = {{"top", {3, 3}, {2, 3}, {1, 3}, std::nullopt},
                 {"recent", {3, 3}, {1, 3}, {1, 3}, std::nullopt},
                 {"rich", {1, 3}, {1, 3}, {3, 3}, std::nullopt}};
  auto seg = RfmSegmenter::FromRules(rules);
  REQUIRE(seg.ok());
  CHECK(seg->bins() == 3);
  CHECK(seg->names() == std::vector<std::string>{"top", "recent", "rich", "other"});
  CHECK(seg->NameOf({3, 3, 3}) == "top");     // first match wins
  CHECK(seg->NameOf({3, 1, 3}) == "recent");
  CHECK(seg->NameOf({2, 1, 3}) == "rich");
  CHECK(seg->NameOf({2, 2, 2}) == "other");
  CHECK(seg->SegmentOf({0, 1, 1}) == seg->fallback_id());
  CHECK(seg->SegmentOf({4, 1, 1}) == seg->fallback_id());
  CHECK(seg->SegmentOf({1, 1, 255}) == seg->fallback_id());
  std::vector<RfmScores> all = AllScores(3);
  std::vector<uint16_t> ids = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                               9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  seg->Classify(all, &ids);
  REQUIRE(ids.size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) CHECK(ids[i] == seg->SegmentOf(all[i]));
}

TEST_CASE("bad rules and code tables are rejected", "[classify][rfm]") {
  auto rules_error = [](const RfmSegmentRules& r, const char* needle) {
    auto seg = RfmSegmenter::FromRules(r);
    REQUIRE_FALSE(seg.ok());
    CHECK(seg.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(seg.status().message()), Catch::Contains(needle));
  };
  const RfmSegmentRules base = audience::PresetRfmRPackage();
  RfmSegmentRules r = base;
  r.rules.clear();
  rules_error(r, "rules has 0 entries");
  r = base;
  r.rules.resize(audience::kRfmMaxSegments + 1, base.rules[0]);
  rules_error(r, "rules has 1001 entries");
  r = base;
  r.bins = 1;
  rules_error(r, "bins = 1");
  r.bins = 10;
  rules_error(r, "bins = 10");
  r = base;
  r.rules[3].name = "";
  rules_error(r, "rules[3].name is empty");
  r = base;
  r.rules[4].name = "Champions";
  rules_error(r, "rules[4].name = 'Champions' repeats");
  r = base;
  r.fallback = "Lost";
  rules_error(r, "fallback = 'Lost' repeats");
  r.fallback = "";
  rules_error(r, "fallback is empty");
  r = base;
  r.rules[2].r = {3, 2};
  rules_error(r, "rules[2].r = [3, 2]");
  r = base;
  r.rules[0].f = {0, 2};
  rules_error(r, "rules[0].f = [0, 2]");
  r = base;
  r.rules[1].m = {1, 6};
  rules_error(r, "rules[1].m = [1, 6]");
  r = base;
  r.rules[1].f_plus_m = audience::RfmScoreRange{1, 4};
  rules_error(r, "rules[1].f_plus_m = [1, 4]");
  r.rules[1].f_plus_m = audience::RfmScoreRange{2, 11};
  rules_error(r, "expected 2 <= lo <= hi <= 10");

  auto table_error = [](const RfmCodeTable& t, const char* needle) {
    auto seg = RfmSegmenter::FromCodeTable(t);
    REQUIRE_FALSE(seg.ok());
    CHECK(seg.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(seg.status().message()), Catch::Contains(needle));
  };
  RfmCodeTable t;
  t.groups = {};
  table_error(t, "groups has 0 entries");
  t.bins = 11;
  table_error(t, "bins = 11");
  for (int code : {0, 106, 110, 160, 611, 1000, -5, 99}) {
    t = RfmCodeTable{};
    t.groups = {{"a", {111, code}}};
    table_error(t, "groups[0].codes[1]");
  }
  t = RfmCodeTable{};
  t.bins = 3;
  t.groups = {{"a", {111}}, {"b", {333, 134}}};
  table_error(t, "groups[1].codes[1] = 134");
  t.groups = {{"a", {111, 222}}, {"b", {333, 222}}};
  table_error(t, "222 is already listed under 'a'");
  t.groups = {{"a", {111, 111}}};
  table_error(t, "111 is already listed under 'a'");
  t.groups = {{"a", {111}}, {"a", {222}}};
  table_error(t, "groups[1].name = 'a' repeats");
  t.groups = {{"", {111}}};
  table_error(t, "groups[0].name is empty");
  t.groups = {{"a", {111}}, {"b", {}}};
  auto ok = RfmSegmenter::FromCodeTable(t);
  REQUIRE(ok.ok());
  CHECK(ok->NameOf({1, 1, 1}) == "a");
  CHECK(ok->NameOf({1, 1, 2}) == "other");
}
