#include "audience/classify/customer_summary.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "classify/customer_summary_test_util.h"

using audience::BuildCustomerSummaries;
using audience::CustomerSummary;
using audience::GroupRft;
using audience::MakeRftColumns;
using audience::RftGroup;
using audience::SummaryOptions;
using audience::Transaction;
using audience::ValidateRftGroup;
using classify_test::Date;

namespace {

constexpr int64_t kDay = 86400;

SummaryOptions Options(int64_t calibration_end) {
  SummaryOptions o;
  o.calibration_end = calibration_end;
  return o;
}

}  // namespace

TEST_CASE("CDNOW summaries equal lifetimes' and BTYD's", "[classify][summary]") {
  const auto s = classify_test::CdnowSummaries();
  REQUIRE(s.size() == 2357);
  const auto lifetimes =
      classify_test::ReadCsv("lifetimes/cdnow_customers_summary.csv");
  const auto cbs = classify_test::ReadCsv("btyd/cdnowSummary_cbs.csv");
  const auto m_x = classify_test::ReadCsv("btyd/cdnowSummary_m_x.csv");
  REQUIRE(lifetimes.size() == 2357);
  REQUIRE(cbs.size() == 2357);
  REQUIRE(m_x.size() == 2357);
  int repeaters = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    INFO("customer " << s[i].customer);
    REQUIRE(s[i].customer == static_cast<uint32_t>(lifetimes[i][0]));
    CHECK(s[i].x == lifetimes[i][1]);
    CHECK(std::abs(s[i].t_x - lifetimes[i][2]) <= 0.005 + 1e-9);  // 2 decimals
    CHECK(std::abs(s[i].T - lifetimes[i][3]) <= 0.005 + 1e-9);
    CHECK(s[i].x == cbs[i][1]);
    CHECK(s[i].t_x == Approx(cbs[i][2]).epsilon(1e-12).margin(1e-12));
    CHECK(s[i].T == Approx(cbs[i][3]).epsilon(1e-12));
    // The sample ends 1998-06-30, so every later period is holdout (x.star).
    CHECK(s[i].holdout_periods == static_cast<int64_t>(cbs[i][4]));
    CHECK(s[i].monetary_value == Approx(m_x[i][1]).epsilon(1e-12).margin(1e-12));
    CHECK(s[i].total_periods == static_cast<int64_t>(s[i].x) + 1 + s[i].holdout_periods);
    if (s[i].x > 0) ++repeaters;
  }
  CHECK(repeaters == 946);
  // Customer 1 bought on 1997-01-01, 01-18, 08-02 (calibration), 12-12.
  CHECK(s[0].calibration_transactions == 3);
  CHECK(s[0].holdout_amount == Approx(26.48));
  CHECK(s[0].first_purchase == Date(19970101));
}

TEST_CASE("same-period purchases merge; amounts sum per period",
          "[classify][summary]") {
  const int64_t d0 = Date(20240101);
  // Unsorted, several customers, same-day purchases.
  std::vector<Transaction> t = {
      {7, d0 + 5 * kDay + 100, 4.0}, {7, d0 + 10, 1.0},  {7, d0 + 5 * kDay, 6.0},
      {3, d0 + 2 * kDay, 2.0},       {7, d0 + 900, 9.0}, {7, d0 + 30 * kDay, 50.0},
      {9, d0 + 40 * kDay, 1.0},  // first purchase after calibration end
  };
  SummaryOptions o = Options(d0 + 14 * kDay);
  o.unit_seconds = kDay;
  auto s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  REQUIRE(s->size() == 2);
  const CustomerSummary& c3 = (*s)[0];
  CHECK(c3.customer == 3);
  CHECK(c3.x == 0);
  CHECK(c3.t_x == 0);
  CHECK(c3.T == 12);
  CHECK(c3.monetary_value == 0);
  const CustomerSummary& c7 = (*s)[1];
  CHECK(c7.customer == 7);
  CHECK(c7.x == 1);  // day 0 (two purchases) and day 5 (two purchases)
  CHECK(c7.t_x == 5);
  CHECK(c7.T == 14);
  CHECK(c7.monetary_value == 10.0);  // 4 + 6; the first day is not repeat
  CHECK(c7.calibration_transactions == 4);
  CHECK(c7.holdout_periods == 1);
  CHECK(c7.holdout_amount == 50.0);
  CHECK(c7.total_periods == 3);
  CHECK(c7.first_purchase == d0 + 10);

  // The holdout window bounds the holdout count.
  o.holdout_end = d0 + 20 * kDay;
  s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  CHECK((*s)[1].holdout_periods == 0);
  // Weekly periods start on Thursdays (weeks counted from 1970-01-01, a
  // Thursday): Mon 2024-01-01 and Sat 01-06 are one week apart; with
  // daily periods restored but a weekly unit, t_x is 5/7.
  o.holdout_end.reset();
  o.period_seconds = 7 * kDay;
  o.unit_seconds = 7 * kDay;
  s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  CHECK((*s)[1].x == 1);
  CHECK((*s)[1].t_x == 1.0);
  CHECK((*s)[1].monetary_value == 10.0);
  // A purchase on Wed 01-03 joins the week of 01-01.
  t.push_back({7, d0 + 2 * kDay, 5.0});
  s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  CHECK((*s)[1].x == 1);
  CHECK((*s)[1].calibration_transactions == 5);
  o.period_seconds = kDay;
  s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  CHECK((*s)[1].x == 2);
  CHECK((*s)[1].t_x == Approx(5.0 / 7));
  CHECK((*s)[1].monetary_value == Approx(7.5));
}

TEST_CASE("calibration end inside a period includes that whole period",
          "[classify][summary]") {
  const int64_t d0 = Date(20200301);
  std::vector<Transaction> t = {{1, d0, 1.0}, {1, d0 + 3 * kDay + 80000, 2.0}};
  auto s = BuildCustomerSummaries(t, Options(d0 + 3 * kDay + 3600));
  REQUIRE(s.ok());
  REQUIRE(s->size() == 1);
  CHECK((*s)[0].x == 1);
  CHECK((*s)[0].t_x == Approx(3.0 / 7));
  CHECK((*s)[0].T == Approx((3.0 + 3600.0 / kDay) / 7));
}

TEST_CASE("times before 1970 use floor periods", "[classify][summary]") {
  // -1 s and -86400 s lie in the same day (1969-12-31).
  std::vector<Transaction> t = {{1, -kDay, 1.0}, {1, -1, 2.0}, {1, 0, 3.0}};
  SummaryOptions o = Options(kDay);
  o.unit_seconds = kDay;
  auto s = BuildCustomerSummaries(t, o);
  REQUIRE(s.ok());
  CHECK((*s)[0].x == 1);
  CHECK((*s)[0].t_x == 1);
  CHECK((*s)[0].T == 2);
  CHECK((*s)[0].monetary_value == 3.0);
}

TEST_CASE("bad input is reported, hostile input does not crash",
          "[classify][summary]") {
  std::vector<Transaction> t = {{1, 0, 1.0}};
  SummaryOptions o = Options(0);
  o.period_seconds = 0;
  auto s = BuildCustomerSummaries(t, o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("period_seconds") != std::string::npos);
  o.period_seconds = kDay;
  o.unit_seconds = -7;
  s = BuildCustomerSummaries(t, o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message().find("unit_seconds") != std::string::npos);
  o.unit_seconds = kDay;
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    std::vector<Transaction> b = {{1, 0, 1.0}, {2, 5, bad}};
    s = BuildCustomerSummaries(b, o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message().find("transaction 1") != std::string::npos);
  }
  // Extreme times and calibration ends: finite or empty results, no UB.
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  std::vector<Transaction> extreme = {{1, lo, 1.0}, {1, hi, 2.0}, {2, hi, 1.0}};
  for (int64_t end : {lo, int64_t{0}, hi}) {
    for (int64_t period : {int64_t{1}, int64_t{7}, hi}) {
      o = Options(end);
      o.period_seconds = period;
      s = BuildCustomerSummaries(extreme, o);
      REQUIRE(s.ok());
      for (const CustomerSummary& c : *s) {
        CHECK(std::isfinite(c.T));
        CHECK(c.T >= 0);
      }
    }
  }
  // Empty input is not an error here: there are simply no customers.
  s = BuildCustomerSummaries({}, Options(0));
  REQUIRE(s.ok());
  CHECK(s->empty());
}

TEST_CASE("GroupRft counts identical rows", "[classify][summary]") {
  std::vector<CustomerSummary> s(5);
  s[0].x = 1, s[0].t_x = 2, s[0].T = 3;
  s[1].x = 0, s[1].T = 3;
  s[2].x = 1, s[2].t_x = 2, s[2].T = 3;
  s[3].x = 0, s[3].T = 3;
  s[4].x = 0, s[4].T = std::nan("");
  auto g = GroupRft(s);
  REQUIRE(g.size() == 3);
  CHECK(g[0].x == 0);
  CHECK(g[0].count == 2);
  CHECK(g[1].x == 1);
  CHECK(g[1].count == 2);
  CHECK(std::isnan(g[2].T));  // kept apart, rejected by the fits
  CHECK_FALSE(MakeRftColumns(g).ok());
  g.pop_back();
  auto c = MakeRftColumns(g);
  REQUIRE(c.ok());
  CHECK(c->total_count == 4);
  CHECK(c->max_T == 3);
  CHECK(c->xs.size() == 2);
  CHECK(c->Ts.size() == 1);
  CHECK(c->xs[c->x_index[1]] == 1);
  CHECK(c->t_xs[c->t_x_index[1]] == 2);
  // CDNOW: 2357 customers fall into far fewer distinct rows.
  auto cdnow = GroupRft(classify_test::CdnowSummaries());
  double total = 0;
  for (const RftGroup& r : cdnow) total += r.count;
  CHECK(total == 2357);
  CHECK(cdnow.size() < 1200);
}

TEST_CASE("ValidateRftGroup names each bad field", "[classify][summary]") {
  const double nan = std::nan("");
  struct Case {
    RftGroup g;
    const char* word;
  } cases[] = {
      {{nan, 0, 1, 1}, "finite"},   {{1, 0, 1, INFINITY}, "finite"},
      {{-1, 0, 1, 1}, "whole"},     {{1.5, 1, 2, 1}, "whole"},
      {{1, 0, 0, 1}, "T must"},     {{1, 3, 2, 1}, "t_x must"},
      {{1, -1, 2, 1}, "t_x must"},  {{0, 1, 2, 1}, "when x is 0"},
      {{1, 1, 2, 0}, "count"},
  };
  for (const Case& c : cases) {
    absl::Status st = ValidateRftGroup(c.g, 4);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == absl::StatusCode::kInvalidArgument);
    CHECK(st.message().find(c.word) != std::string::npos);
    CHECK(st.message().find("row 4") != std::string::npos);
  }
  CHECK(ValidateRftGroup({2, 1, 2, 3}, 0).ok());
  CHECK(ValidateRftGroup({1, 0, 2, 1}, 0).ok());  // x > 0 with t_x = 0 is valid
  CHECK_FALSE(MakeRftColumns({}).ok());
}
