#include "audience/classify/bgnbd.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "classify/customer_summary_test_util.h"

using audience::BgNbdConditionalExpectedPurchases;
using audience::BgNbdExpectedPurchases;
using audience::BgNbdFit;
using audience::BgNbdLogLikelihood;
using audience::BgNbdParams;
using audience::BgNbdProbabilityAlive;
using audience::BgNbdProbabilityOfPurchases;
using audience::FitBgNbd;
using audience::GroupRft;
using audience::RftGroup;

namespace {

// Fader, Hardie & Lee (2005), Table/section 5: the published CDNOW fit.
const BgNbdParams kPaper{0.2426, 4.4137, 0.7930, 2.4262};
// BTYD's documentation example parameters (lifetimes' tests use them).
const BgNbdParams kBtyd{0.243, 4.414, 0.793, 2.426};

// Eq. (3) of the paper, with no logs: only for small x.
double NaiveLikelihood(const BgNbdParams& p, double x, double t_x, double T) {
  const double common = std::tgamma(p.r + x) * std::pow(p.alpha, p.r) /
                        std::tgamma(p.r);
  double l = std::beta(p.a, p.b + x) / std::beta(p.a, p.b) * common /
             std::pow(p.alpha + T, p.r + x);
  if (x > 0) {
    l += std::beta(p.a + 1, p.b + x - 1) / std::beta(p.a, p.b) * common /
         std::pow(p.alpha + t_x, p.r + x);
  }
  return l;
}

double Value(const absl::StatusOr<double>& v) {
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("BG/NBD reproduces the published CDNOW fit", "[classify][bgnbd]") {
  const auto groups = GroupRft(classify_test::CdnowSummaries());
  const auto start = std::chrono::steady_clock::now();
  auto fit = FitBgNbd(groups);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start).count();
  REQUIRE(fit.ok());
  INFO("BG/NBD CDNOW fit: r=" << fit->params.r << " alpha=" << fit->params.alpha
       << " a=" << fit->params.a << " b=" << fit->params.b
       << " LL=" << fit->log_likelihood << " evals=" << fit->evaluations
       << " in " << ms << " ms");
  CHECK(fit->converged);
  CHECK(fit->params.r == Approx(0.2426).epsilon(1e-3));
  CHECK(fit->params.alpha == Approx(4.4137).epsilon(1e-3));
  CHECK(fit->params.a == Approx(0.7930).epsilon(1e-3));
  CHECK(fit->params.b == Approx(2.4262).epsilon(1e-3));
  CHECK(fit->log_likelihood == Approx(-9582.43).margin(0.01));
  CHECK(Value(BgNbdLogLikelihood(kPaper, groups)) ==
        Approx(-9582.43).margin(0.01));
  // The optimum is at least as good as the published point.
  CHECK(fit->log_likelihood >= Value(BgNbdLogLikelihood(kPaper, groups)));
  // Grouped and one-row-per-customer data give the same likelihood.
  std::vector<RftGroup> flat;
  for (const RftGroup& g : groups) {
    for (int i = 0; i < static_cast<int>(g.count); ++i) {
      flat.push_back({g.x, g.t_x, g.T, 1.0});
    }
  }
  CHECK(flat.size() == 2357);
  CHECK(Value(BgNbdLogLikelihood(fit->params, flat)) ==
        Approx(fit->log_likelihood).epsilon(1e-12));
  // Paper, section 5: E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226.
  CHECK(Value(BgNbdConditionalExpectedPurchases(kPaper, 39, 2, 30.43, 38.86)) ==
        Approx(1.226).margin(5e-4));
  CHECK(Value(BgNbdConditionalExpectedPurchases(fit->params, 39, 2, 30.43,
                                                38.86)) ==
        Approx(1.226).margin(5e-4));
  // Deterministic.
  auto again = FitBgNbd(groups);
  REQUIRE(again.ok());
  CHECK(again->params.r == fit->params.r);
  CHECK(again->log_likelihood == fit->log_likelihood);
}

TEST_CASE("BG/NBD P(X(t) = n) matches BTYD", "[classify][bgnbd]") {
  // BTYD's bgnbd.pmf examples, also asserted by lifetimes.
  CHECK(Value(BgNbdProbabilityOfPurchases(kBtyd, 39, 0)) ==
        Approx(0.5737864).margin(1e-7));
  CHECK(Value(BgNbdProbabilityOfPurchases(kBtyd, 2, 10)) ==
        Approx(1.07869e-07).epsilon(1e-4));
  // A distribution whose mean is E[X(t)].
  for (double t : {0.5, 5.0, 39.0, 200.0}) {
    double total = 0, mean = 0;
    for (int64_t n = 0; n < 4000; ++n) {
      const double pn = Value(BgNbdProbabilityOfPurchases(kPaper, t, n));
      CHECK(pn >= 0);
      total += pn;
      mean += static_cast<double>(n) * pn;
    }
    INFO("t = " << t);
    CHECK(total == Approx(1.0).epsilon(1e-9));
    CHECK(mean == Approx(Value(BgNbdExpectedPurchases(kPaper, t))).epsilon(1e-6));
  }
  CHECK(Value(BgNbdProbabilityOfPurchases(kPaper, 0, 0)) == 1.0);
  CHECK(Value(BgNbdProbabilityOfPurchases(kPaper, 0, 3)) == 0.0);
}

TEST_CASE("BG/NBD log-likelihood equals the direct formula",
          "[classify][bgnbd]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> param(0.1, 5), time(0.5, 20);
  std::uniform_int_distribution<int> freq(0, 6);
  for (int i = 0; i < 300; ++i) {
    const BgNbdParams p{param(rng), param(rng), param(rng), param(rng)};
    const double x = freq(rng);
    const double T = time(rng);
    const double t_x = x == 0 ? 0 : T * std::uniform_real_distribution<>(0, 1)(rng);
    const RftGroup g[] = {{x, t_x, T, 1.0}};
    INFO(p.r << " " << p.alpha << " " << p.a << " " << p.b << " x=" << x);
    CHECK(Value(BgNbdLogLikelihood(p, g)) ==
          Approx(std::log(NaiveLikelihood(p, x, t_x, T))).epsilon(1e-10));
  }
}

TEST_CASE("BG/NBD P(alive) and expectations behave", "[classify][bgnbd]") {
  CHECK(Value(BgNbdProbabilityAlive(kPaper, 0, 0, 38.86)) == 1.0);
  // Direct formula for a repeat buyer.
  const double direct =
      1 / (1 + kPaper.a / (kPaper.b + 2 - 1) *
                   std::pow((kPaper.alpha + 38.86) / (kPaper.alpha + 30.43),
                            kPaper.r + 2));
  CHECK(Value(BgNbdProbabilityAlive(kPaper, 2, 30.43, 38.86)) ==
        Approx(direct).epsilon(1e-13));
  // Longer silence -> less likely alive; more recent purchase -> more.
  double previous = 1.0;
  for (double T = 10; T <= 100; T += 10) {
    const double alive = Value(BgNbdProbabilityAlive(kPaper, 3, 5, T));
    CHECK(alive < previous);
    previous = alive;
  }
  CHECK(Value(BgNbdProbabilityAlive(kPaper, 3, 9, 10)) >
        Value(BgNbdProbabilityAlive(kPaper, 3, 2, 10)));
  // Expected purchases grow with t and start at 0.
  CHECK(Value(BgNbdConditionalExpectedPurchases(kPaper, 0, 2, 30.43, 38.86)) == 0);
  previous = 0;
  for (double t = 1; t <= 520; t *= 2) {
    const double e = Value(BgNbdConditionalExpectedPurchases(kPaper, t, 2, 30.43, 38.86));
    CHECK(e > previous);
    previous = e;
    const double n = Value(BgNbdExpectedPurchases(kPaper, t));
    CHECK(n > 0);
  }
  // A heavy recent buyer is expected to buy more than a light one.
  CHECK(Value(BgNbdConditionalExpectedPurchases(kPaper, 10, 20, 38, 38.86)) >
        Value(BgNbdConditionalExpectedPurchases(kPaper, 10, 1, 38, 38.86)));
  // a = 1 is a removable singularity: continuous across it.
  for (double t : {1.0, 39.0}) {
    BgNbdParams p = kPaper;
    p.a = 1.0;
    const double at_one = Value(BgNbdConditionalExpectedPurchases(p, t, 2, 30, 38));
    p.a = 1.0 + 1e-4;
    const double above = Value(BgNbdConditionalExpectedPurchases(p, t, 2, 30, 38));
    p.a = 1.0 - 1e-4;
    const double below = Value(BgNbdConditionalExpectedPurchases(p, t, 2, 30, 38));
    CHECK(at_one == Approx((above + below) / 2).epsilon(1e-6));
    p.a = 1.0;
    CHECK(std::isfinite(Value(BgNbdExpectedPurchases(p, t))));
  }
  // a + b < 1 makes the 2F1's c negative for x = 0 (Boost path).
  const BgNbdParams small{0.5, 2.0, 0.3, 0.4};
  const double e0 = Value(BgNbdConditionalExpectedPurchases(small, 5, 0, 0, 10));
  CHECK(e0 > 0);
  double mean = 0;
  for (int64_t n = 0; n < 20000; ++n) {
    mean += static_cast<double>(n) * Value(BgNbdProbabilityOfPurchases(small, 5, n));
  }
  CHECK(Value(BgNbdExpectedPurchases(small, 5)) == Approx(mean).epsilon(1e-5));
}

TEST_CASE("BG/NBD rejects bad input without crashing", "[classify][bgnbd]") {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  for (BgNbdParams bad : {BgNbdParams{0, 1, 1, 1}, BgNbdParams{1, -1, 1, 1},
                          BgNbdParams{1, 1, nan, 1}, BgNbdParams{1, 1, 1, inf}}) {
    const RftGroup g[] = {{1, 1, 2, 1}};
    auto ll = BgNbdLogLikelihood(bad, g);
    REQUIRE_FALSE(ll.ok());
    CHECK(ll.status().message().find("BG/NBD parameter") != std::string::npos);
    CHECK_FALSE(BgNbdProbabilityAlive(bad, 1, 1, 2).ok());
    CHECK_FALSE(BgNbdConditionalExpectedPurchases(bad, 1, 1, 1, 2).ok());
    CHECK_FALSE(BgNbdExpectedPurchases(bad, 1).ok());
    CHECK_FALSE(BgNbdProbabilityOfPurchases(bad, 1, 1).ok());
  }
  CHECK_FALSE(FitBgNbd({}).ok());
  const RftGroup bad_rows[] = {{2, 5, 4, 1}};  // t_x > T
  auto fit = FitBgNbd(bad_rows);
  REQUIRE_FALSE(fit.ok());
  CHECK(fit.status().message().find("t_x") != std::string::npos);
  CHECK_FALSE(BgNbdProbabilityAlive(kPaper, 2, 5, 4).ok());
  CHECK_FALSE(BgNbdProbabilityAlive(kPaper, -1, 0, 4).ok());
  CHECK_FALSE(BgNbdConditionalExpectedPurchases(kPaper, -1, 1, 1, 2).ok());
  CHECK_FALSE(BgNbdConditionalExpectedPurchases(kPaper, nan, 1, 1, 2).ok());
  CHECK_FALSE(BgNbdExpectedPurchases(kPaper, inf).ok());
  CHECK_FALSE(BgNbdProbabilityOfPurchases(kPaper, 1, -1).ok());
  audience::BgNbdFitOptions options;
  options.initial = BgNbdParams{-1, 1, 1, 1};
  const RftGroup ok_rows[] = {{1, 1, 2, 1}};
  CHECK_FALSE(FitBgNbd(ok_rows, options).ok());
  // Huge values: an answer or an error, never a crash or NaN.
  for (double big : {1e12, 1e300}) {
    auto a = BgNbdProbabilityAlive(kPaper, big, big / 2, big);
    if (a.ok()) CHECK(std::isfinite(*a));
    auto e = BgNbdConditionalExpectedPurchases(kPaper, big, 3, 1, 2);
    if (e.ok()) CHECK(std::isfinite(*e));
    auto e2 = BgNbdConditionalExpectedPurchases({1e-300, 1e300, 1e300, 1e-300},
                                                big, 3, 1, 2);
    if (e2.ok()) CHECK(std::isfinite(*e2));
    auto pn = BgNbdProbabilityOfPurchases(kPaper, big, 1000000000000);
    if (pn.ok()) CHECK(std::isfinite(*pn));
    const RftGroup rows[] = {{big, big / 2, big, 1}, {0, 0, big, big}};
    auto f = FitBgNbd(rows);
    if (f.ok()) CHECK(std::isfinite(f->log_likelihood));
  }
}
