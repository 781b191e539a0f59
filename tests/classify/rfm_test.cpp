#include "audience/classify/rfm.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "classify/rfm_test_data.h"
#include "classify/rfm_test_oracles.h"

namespace {

using audience::RfmAxisBreaks;
using audience::RfmCode;
using audience::RfmInput;
using audience::RfmMethod;
using audience::RfmOptions;
using audience::RfmResult;
using audience::RfmScores;
using audience::ScoreRfm;
using rfm_test::NaiveQuantile;
using rfm_test::NaiveRLoop;
using rfm_test::NaiveRPackage;
using rfm_test::RandomValues;

RfmOptions Options(RfmMethod method, int bins = 5) {
  RfmOptions o;
  o.method = method;
  o.bins = bins;
  return o;
}

std::vector<RfmInput> FromFrequencies(const std::vector<double>& f) {
  std::vector<RfmInput> in;
  for (double v : f) in.push_back({0.0, v, 0.0});
  return in;
}

}  // namespace

TEST_CASE("RfmCode is 100R+10F+M", "[classify][rfm]") {
  CHECK(RfmCode({5, 4, 3}) == 543);
  CHECK(RfmCode({1, 1, 1}) == 111);
  CHECK(RfmCode({9, 9, 9}) == 999);
}

TEST_CASE("kQuantile cuts by rank, ties share the lower rank", "[classify][rfm]") {
  // Ten distinct values: two customers per quintile.
  auto res = ScoreRfm(FromFrequencies({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}),
                      Options(RfmMethod::kQuantile));
  REQUIRE(res.ok());
  std::vector<int> f;
  for (const RfmScores& s : res->scores) f.push_back(s.f);
  CHECK(f == std::vector<int>{5, 5, 4, 4, 3, 3, 2, 2, 1, 1});
  // Six tied lowest values all take rank 0 (score 1), never split.
  res = ScoreRfm(FromFrequencies({1, 1, 1, 1, 1, 1, 2, 3, 4, 5}),
                 Options(RfmMethod::kQuantile));
  REQUIRE(res.ok());
  f.clear();
  for (const RfmScores& s : res->scores) f.push_back(s.f);
  CHECK(f == std::vector<int>{1, 1, 1, 1, 1, 1, 4, 4, 5, 5});
  CHECK(res->frequency.upper_closed);
  CHECK(res->frequency.breaks == std::vector<double>{1, 1, 1, 3});
  // Recency: fewer days is better; equal days share a score.
  std::vector<RfmInput> in = {{0, 1, 1}, {0, 1, 1}, {10, 1, 1}, {20, 1, 1}};
  res = ScoreRfm(in, Options(RfmMethod::kQuantile, 2));
  REQUIRE(res.ok());
  CHECK(res->scores[0].r == 2);
  CHECK(res->scores[1].r == 2);
  CHECK(res->scores[2].r == 1);
  CHECK(res->scores[3].r == 1);
  CHECK(res->recency.reversed);
}

TEST_CASE("one customer and all-equal inputs", "[classify][rfm]") {
  auto q = ScoreRfm(std::vector<RfmInput>{{3, 2, 1}}, Options(RfmMethod::kQuantile));
  REQUIRE(q.ok());
  CHECK(q->scores[0] == RfmScores{1, 1, 1});
  // The R package puts a lone value in its first bin: recency reversed to k.
  auto r = ScoreRfm(std::vector<RfmInput>{{3, 2, 1}}, Options(RfmMethod::kRPackage));
  REQUIRE(r.ok());
  CHECK(r->scores[0] == RfmScores{5, 1, 1});
  std::vector<RfmInput> same(50, RfmInput{7, 7, 7});
  for (RfmMethod m : {RfmMethod::kQuantile, RfmMethod::kRPackage}) {
    auto res = ScoreRfm(same, Options(m));
    REQUIRE(res.ok());
    for (const RfmScores& s : res->scores) CHECK(s == res->scores[0]);
  }
}

TEST_CASE("random data: fast scorers equal the slow oracles", "[classify][rfm]") {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<size_t> size(1, 160);
  std::uniform_int_distribution<int> bins(2, 9);
  for (int iter = 0; iter < 600; ++iter) {
    const size_t n = size(rng);
    const int k = bins(rng);
    const int shape = iter % 6;
    std::vector<double> r = RandomValues(rng, n, shape);
    std::vector<double> f = RandomValues(rng, n, (shape + 1) % 6);
    std::vector<double> m = RandomValues(rng, n, (shape + 2) % 6);
    for (double& x : r) x = std::abs(x);
    for (double& x : f) x = std::abs(x);
    std::vector<RfmInput> in(n);
    for (size_t i = 0; i < n; ++i) in[i] = {r[i], f[i], m[i] - 100};
    std::vector<double> m_shift = m;
    for (double& x : m_shift) x -= 100;
    for (RfmMethod method : {RfmMethod::kQuantile, RfmMethod::kRPackage}) {
      auto res = ScoreRfm(in, Options(method, k));
      REQUIRE(res.ok());
      const bool q = method == RfmMethod::kQuantile;
      auto er = q ? NaiveQuantile(r, k, true) : NaiveRPackage(r, k, true);
      auto ef = q ? NaiveQuantile(f, k, false) : NaiveRPackage(f, k, false);
      auto em = q ? NaiveQuantile(m_shift, k, false)
                  : NaiveRPackage(m_shift, k, false);
      for (size_t i = 0; i < n; ++i) {
        INFO("iter " << iter << " n " << n << " k " << k << " i " << i);
        REQUIRE(res->scores[i].r == er[i]);
        REQUIRE(res->scores[i].f == ef[i]);
        REQUIRE(res->scores[i].m == em[i]);
        // The reported breaks re-score every input identically.
        REQUIRE(audience::ScoreAxisValue(res->recency, r[i]) == er[i]);
        REQUIRE(audience::ScoreAxisValue(res->monetary, m_shift[i]) == em[i]);
      }
      // Ties always share a score; better values never score lower.
      size_t violations = 0;
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
          const RfmScores& a = res->scores[i];
          const RfmScores& b = res->scores[j];
          violations += (f[i] == f[j] && a.f != b.f) ||
                        (r[i] == r[j] && a.r != b.r) ||
                        (f[i] < f[j] && a.f > b.f) ||
                        (r[i] < r[j] && a.r < b.r) || a.r < 1 || a.r > k ||
                        a.f < 1 || a.f > k || a.m < 1 || a.m > k;
        }
      }
      REQUIRE(violations == 0);
    }
  }
}

TEST_CASE("kThresholds matches the R package's custom-threshold loop",
          "[classify][rfm]") {
  std::mt19937_64 rng(7);
  RfmOptions o = Options(RfmMethod::kThresholds);
  o.recency_breaks = {115, 181, 297, 482};
  o.frequency_breaks = {4, 5, 6, 8};
  o.monetary_breaks = {256, 382, 506, 666};
  for (int iter = 0; iter < 50; ++iter) {
    std::vector<double> r = RandomValues(rng, 120, 2);
    std::vector<double> f = RandomValues(rng, 120, 0);
    std::vector<double> m = RandomValues(rng, 120, 1);
    std::vector<RfmInput> in(r.size());
    for (size_t i = 0; i < r.size(); ++i) in[i] = {r[i] * 3, f[i] * 2, m[i]};
    auto res = ScoreRfm(in, o);
    REQUIRE(res.ok());
    std::vector<double> r3 = r, f2 = f;
    for (double& x : r3) x *= 3;
    for (double& x : f2) x *= 2;
    auto er = NaiveRLoop(r3, o.recency_breaks, true);
    auto ef = NaiveRLoop(f2, o.frequency_breaks, false);
    auto em = NaiveRLoop(m, o.monetary_breaks, false);
    for (size_t i = 0; i < in.size(); ++i) {
      REQUIRE(res->scores[i].r == er[i]);
      REQUIRE(res->scores[i].f == ef[i]);
      REQUIRE(res->scores[i].m == em[i]);
    }
  }
  // A value equal to a break goes to the upper bin: [b_i, b_{i+1}).
  auto res = ScoreRfm(std::vector<RfmInput>{{115, 4, 255.99}, {114.5, 8, 666}}, o);
  REQUIRE(res.ok());
  CHECK(res->scores[0] == RfmScores{4, 2, 1});
  CHECK(res->scores[1] == RfmScores{5, 5, 5});
}

TEST_CASE("RQuantileType7 and kRPackage breaks match rfm's test-utils.R",
          "[classify][rfm]") {
  // mtcars$mpg; rfm:::bins(mtcars, "mpg", 5) == c(16.20, 18.92, 22.00, 25.08).
  const std::vector<double> mpg = {
      21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8,
      16.4, 17.3, 15.2, 10.4, 10.4, 14.7, 32.4, 30.4, 33.9, 21.5, 15.5,
      15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4};
  auto res = ScoreRfm(FromFrequencies(mpg), Options(RfmMethod::kRPackage));
  REQUIRE(res.ok());
  const std::vector<double> expected = {16.20, 18.92, 22.00, 25.08};
  REQUIRE(res->frequency.breaks.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(res->frequency.breaks[i] == Approx(expected[i]).epsilon(1e-12));
  }
  std::vector<double> sorted = mpg;
  std::sort(sorted.begin(), sorted.end());
  CHECK(audience::RQuantileType7(sorted, 0.0) == 10.4);
  CHECK(audience::RQuantileType7(sorted, 1.0) == 33.9);
  CHECK(audience::RQuantileType7(sorted, 0.5) == Approx(19.2));
}

TEST_CASE("rfm_data_orders at 2006-12-31 reproduces rfm 0.3.0", "[classify][rfm]") {
  const auto data = rfm_test::LoadOrders(rfm_test::DaysFromIso("2006-12-31"));
  REQUIRE(data.inputs.size() == 995);
  double orders = 0;
  for (const RfmInput& in : data.inputs) orders += in.frequency;
  CHECK(orders == 4906);  // test-rfm-table.R
  auto res = ScoreRfm(data.inputs, Options(RfmMethod::kRPackage));
  REQUIRE(res.ok());
  // R: quantile(recency_days, seq(0, 1, 0.2)) + 1 etc.; 297.4 carries R's
  // floating-point residue exactly.
  CHECK(res->recency.breaks ==
        std::vector<double>{115, 181, 297.4000000000001, 482});
  CHECK(res->frequency.breaks == std::vector<double>{4, 5, 6, 8});
  CHECK(res->monetary.breaks ==
        std::vector<double>{255.8, 382, 506.4000000000001, 666});
  // README.md of rfm 0.3.0: the first five customers.
  std::map<std::string, int> readme = {{"Abbey O'Reilly", 343},
                                       {"Add Senger", 412},
                                       {"Aden Lesch", 323},
                                       {"Aden Murphy", 544},
                                       {"Admiral Senger", 433}};
  for (size_t i = 0; i < data.ids.size(); ++i) {
    auto it = readme.find(data.ids[i]);
    if (it != readme.end()) CHECK(RfmCode(res->scores[i]) == it->second);
  }
  // Histogram of rfm_score for all 995 customers, from the datatable in the
  // rendered vignette "rfm-transaction-level-data" (rfm 0.2.2, same scoring).
  const std::map<int, int> expected = {
      {111, 75}, {112, 29}, {113, 8}, {114, 1}, {121, 7}, {122, 9}, {123, 12},
      {124, 6}, {132, 5}, {133, 4}, {134, 10}, {135, 6}, {142, 2}, {143, 6},
      {144, 8}, {145, 6}, {154, 1}, {155, 2}, {211, 28}, {212, 20}, {213, 4},
      {214, 2}, {221, 2}, {222, 15}, {223, 16}, {224, 6}, {232, 4}, {233, 12},
      {234, 18}, {235, 3}, {242, 3}, {243, 11}, {244, 23}, {245, 14},
      {255, 19}, {311, 22}, {312, 12}, {313, 5}, {314, 1}, {321, 8},
      {322, 16}, {323, 8}, {324, 4}, {331, 4}, {332, 10}, {333, 16},
      {334, 14}, {335, 2}, {342, 6}, {343, 8}, {344, 26}, {345, 16}, {353, 1},
      {354, 3}, {355, 17}, {411, 21}, {412, 8}, {413, 2}, {421, 7}, {422, 16},
      {423, 13}, {424, 5}, {425, 1}, {431, 2}, {432, 6}, {433, 15}, {434, 8},
      {435, 2}, {442, 4}, {443, 10}, {444, 19}, {445, 23}, {454, 5},
      {455, 32}, {511, 17}, {512, 8}, {513, 5}, {521, 7}, {522, 12},
      {523, 11}, {524, 6}, {532, 9}, {533, 17}, {534, 5}, {535, 4}, {542, 6},
      {543, 13}, {544, 27}, {545, 13}, {553, 1}, {554, 4}, {555, 35}};
  std::map<int, int> got;
  for (const RfmScores& s : res->scores) ++got[RfmCode(s)];
  CHECK(got == expected);
  // test-utils.R: sum over (F, R) cells of mean(amount), rounded, is 12634.
  std::map<std::pair<int, int>, std::pair<double, int>> cells;
  for (size_t i = 0; i < data.inputs.size(); ++i) {
    auto& c = cells[{res->scores[i].f, res->scores[i].r}];
    c.first += data.inputs[i].monetary;
    ++c.second;
  }
  double heat = 0;
  for (const auto& [key, c] : cells) heat += c.first / c.second;
  CHECK(std::round(heat) == 12634);
}

TEST_CASE("rfm_data_customer at 2007-01-01 reproduces rfm 0.3.0", "[classify][rfm]") {
  const auto data = rfm_test::LoadCustomers(rfm_test::DaysFromIso("2007-01-01"));
  REQUIRE(data.inputs.size() == 39999);
  double orders = 0;
  for (const RfmInput& in : data.inputs) orders += in.frequency;
  CHECK(orders == 393223);  // test-rfm-table.R
  auto res = ScoreRfm(data.inputs, Options(RfmMethod::kRPackage));
  REQUIRE(res.ok());
  CHECK(res->recency.breaks == std::vector<double>{77, 126, 177, 266});
  CHECK(res->frequency.breaks == std::vector<double>{8, 10, 11, 13});
  CHECK(res->monetary.breaks == std::vector<double>{641, 827, 1003, 1226});
  // Recency from most_recent_visit gives the same table (the package's
  // "using dates" path).
  auto from_dates = ScoreRfm(data.inputs_from_dates, Options(RfmMethod::kRPackage));
  REQUIRE(from_dates.ok());
  CHECK(from_dates->scores == res->scores);
  // First rows of the rendered vignette "rfm-customer-level-data" (0.2.2).
  const std::map<int64_t, int> vignette = {{22086, 222}, {2290, 455},
                                           {26377, 511}, {24650, 544},
                                           {12883, 545}, {2119, 543}};
  int seen = 0;
  for (size_t i = 0; i < data.ids.size(); ++i) {
    auto it = vignette.find(data.ids[i]);
    if (it == vignette.end()) continue;
    ++seen;
    CHECK(RfmCode(res->scores[i]) == it->second);
  }
  CHECK(seen == 6);
  std::map<int, int> got;
  for (const RfmScores& s : res->scores) ++got[RfmCode(s)];
  // Spot checks from the same vignette's full datatable (117 codes occur).
  CHECK(got.size() == 117);
  CHECK(got[111] == 2409);
  CHECK(got[555] == 1571);
  CHECK(got[355] == 1203);
  CHECK(got[451] == 1);
  CHECK(got[211] == 1286);
}

TEST_CASE("ScoreRfm rejects bad input with a message naming it", "[classify][rfm]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto bad = [](std::vector<RfmInput> in, RfmOptions o, const char* needle) {
    auto res = ScoreRfm(in, o);
    REQUIRE_FALSE(res.ok());
    CHECK(res.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(res.status().message()), Catch::Contains(needle));
  };
  const std::vector<RfmInput> ok = {{1, 1, 1}, {2, 2, 2}};
  bad({}, RfmOptions{}, "inputs is empty");
  bad(ok, Options(RfmMethod::kQuantile, 1), "options.bins = 1");
  bad(ok, Options(RfmMethod::kQuantile, 10), "options.bins = 10");
  bad(ok, Options(static_cast<RfmMethod>(7)), "options.method = 7");
  bad({{1, 1, 1}, {nan, 1, 1}}, RfmOptions{}, "inputs[1].recency_days = nan");
  bad({{-1, 1, 1}}, RfmOptions{}, "inputs[0].recency_days = -1");
  bad({{1, inf, 1}}, RfmOptions{}, "inputs[0].frequency = inf");
  bad({{1, -0.5, 1}}, RfmOptions{}, "inputs[0].frequency = -0.5");
  bad({{1, 1, -inf}}, RfmOptions{}, "inputs[0].monetary = -inf");
  bad({{1, 1, nan}}, Options(RfmMethod::kRPackage), "inputs[0].monetary = nan");
  RfmOptions t = Options(RfmMethod::kThresholds, 3);
  t.recency_breaks = {1, 2};
  t.frequency_breaks = {1, 2};
  t.monetary_breaks = {1, 2, 3};
  bad(ok, t, "options.monetary_breaks has 3 break points");
  t.monetary_breaks = {1, nan};
  bad(ok, t, "options.monetary_breaks[1] = nan");
  t.monetary_breaks = {2, 2};
  bad(ok, t, "strictly ascending");
  t.monetary_breaks = {1, 2};
  t.frequency_breaks = {3, 1};
  bad(ok, t, "options.frequency_breaks[1] = 1");
  t.frequency_breaks = {};
  bad(ok, t, "options.frequency_breaks has 0");
  t.frequency_breaks = {1, 2};
  CHECK(ScoreRfm(ok, t).ok());
  // Negative monetary (refunds) is valid.
  CHECK(ScoreRfm(std::vector<RfmInput>{{1, 1, -50}, {1, 1, 3}}, RfmOptions{}).ok());
}

TEST_CASE("hostile magnitudes never crash and stay in range", "[classify][rfm]") {
  const double big = std::numeric_limits<double>::max();
  const double tiny = std::numeric_limits<double>::denorm_min();
  std::vector<RfmInput> in = {{big, big, big},   {0, 0, -big}, {tiny, tiny, tiny},
                              {1e16, 1e16, 1e16}, {-0.0, -0.0, -0.0},
                              {big, 0, big}};
  for (RfmMethod m : {RfmMethod::kQuantile, RfmMethod::kRPackage}) {
    for (int k = 2; k <= 9; ++k) {
      auto res = ScoreRfm(in, Options(m, k));
      REQUIRE(res.ok());
      for (const RfmScores& s : res->scores) {
        CHECK((s.r >= 1 && s.r <= k && s.f >= 1 && s.f <= k && s.m >= 1 &&
               s.m <= k));
      }
    }
  }
  // ScoreRfmInto reuses the result; a second run equals a fresh one.
  RfmResult reuse;
  REQUIRE(audience::ScoreRfmInto(in, Options(RfmMethod::kQuantile, 3), &reuse).ok());
  REQUIRE(audience::ScoreRfmInto(in, Options(RfmMethod::kRPackage), &reuse).ok());
  CHECK(reuse.scores == ScoreRfm(in, Options(RfmMethod::kRPackage))->scores);
  CHECK(reuse.bins == 5);
}
