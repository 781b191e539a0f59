#include "audience/classify/pareto_nbd.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <limits>
#include <random>

#include "classify/customer_summary_test_util.h"

using audience::FitParetoNbd;
using audience::GroupRft;
using audience::ParetoNbdConditionalExpectedPurchases;
using audience::ParetoNbdLogLikelihood;
using audience::ParetoNbdParams;
using audience::ParetoNbdProbabilityAlive;
using audience::RftGroup;

namespace {

// Published CDNOW estimates (Fader, Hardie & Lee 2005, section 5).
const ParetoNbdParams kPaper{0.553, 10.578, 0.606, 11.669};

double Value(const absl::StatusOr<double>& v) {
  REQUIRE(v.ok());
  return *v;
}

// Likelihood from its definition, integrating over the unobserved death
// time with Simpson's rule (no 2F1 anywhere):
// L = G(r+x) a^r b^s / G(r) [ (a+T)^-(r+x) (b+T)^-s
//                            + s int_{t_x}^T (a+y)^-(r+x) (b+y)^-(s+1) dy ].
double NaiveLikelihood(const ParetoNbdParams& p, double x, double t_x,
                       double T) {
  auto f = [&](double y) {
    return std::pow(p.alpha + y, -(p.r + x)) * std::pow(p.beta + y, -(p.s + 1));
  };
  // Simpson in u = log(c + y), c = min(alpha, beta): the integrand is
  // steep near y = 0 when alpha or beta is small; dy = (c + y) du.
  const double c = std::min(p.alpha, p.beta);
  const double u0 = std::log(c + t_x), u1 = std::log(c + T);
  auto g = [&](double u) { return f(std::exp(u) - c) * std::exp(u); };
  const int n = 20000;
  const double h = (u1 - u0) / n;
  double integral = g(u0) + g(u1);
  for (int i = 1; i < n; ++i) integral += (i % 2 ? 4 : 2) * g(u0 + i * h);
  integral *= h / 3;
  return std::tgamma(p.r + x) * std::pow(p.alpha, p.r) * std::pow(p.beta, p.s) /
         std::tgamma(p.r) *
         (std::pow(p.alpha + T, -(p.r + x)) * std::pow(p.beta + T, -p.s) +
          p.s * integral);
}

}  // namespace

TEST_CASE("Pareto/NBD reproduces the published CDNOW fit",
          "[classify][pareto_nbd]") {
  const auto groups = GroupRft(classify_test::CdnowSummaries());
  const auto start = std::chrono::steady_clock::now();
  auto fit = FitParetoNbd(groups);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start).count();
  REQUIRE(fit.ok());
  INFO("Pareto/NBD CDNOW fit: r=" << fit->params.r << " alpha="
       << fit->params.alpha << " s=" << fit->params.s << " beta="
       << fit->params.beta << " LL=" << fit->log_likelihood << " evals="
       << fit->evaluations << " in " << ms << " ms");
  CHECK(fit->converged);
  CHECK(fit->params.r == Approx(0.553).epsilon(1e-3));
  CHECK(fit->params.alpha == Approx(10.578).epsilon(1e-3));
  CHECK(fit->params.s == Approx(0.606).epsilon(1e-3));
  CHECK(fit->params.beta == Approx(11.669).epsilon(1e-3));
  CHECK(fit->log_likelihood == Approx(-9594.98).margin(0.01));
  CHECK(Value(ParetoNbdLogLikelihood(kPaper, groups)) ==
        Approx(-9594.98).margin(0.01));
  // BTYD's pnbd.EstimateParameters on the same data: same likelihood to
  // 1e-4; our optimum is no worse.
  std::ifstream in(classify_test::DataPath("btyd/cdnowSummary_est_params_pnbd.csv"));
  std::string line;
  std::vector<double> btyd;
  std::getline(in, line);
  while (std::getline(in, line)) btyd.push_back(std::stod(line.substr(line.find(',') + 1)));
  REQUIRE(btyd.size() == 4);
  const ParetoNbdParams b{btyd[0], btyd[1], btyd[2], btyd[3]};
  const double btyd_ll = Value(ParetoNbdLogLikelihood(b, groups));
  CHECK(fit->log_likelihood == Approx(btyd_ll).margin(1e-4));
  CHECK(fit->log_likelihood >= btyd_ll);
  CHECK(fit->params.r == Approx(b.r).epsilon(2e-3));
  CHECK(fit->params.s == Approx(b.s).epsilon(2e-3));
  // Deterministic.
  auto again = FitParetoNbd(groups);
  REQUIRE(again.ok());
  CHECK(again->params.beta == fit->params.beta);
}

TEST_CASE("Pareto/NBD log-likelihood equals its integral definition",
          "[classify][pareto_nbd]") {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> param(0.1, 5), time(0.5, 20);
  std::uniform_int_distribution<int> freq(0, 6);
  int alpha_larger = 0;
  for (int i = 0; i < 150; ++i) {
    const ParetoNbdParams p{param(rng), param(rng), param(rng), param(rng)};
    alpha_larger += p.alpha >= p.beta;
    const double x = freq(rng);
    const double T = time(rng);
    const double t_x = x == 0 ? 0 : T * std::uniform_real_distribution<>(0, 1)(rng);
    const RftGroup g[] = {{x, t_x, T, 1.0}};
    INFO(p.r << " " << p.alpha << " " << p.s << " " << p.beta << " x=" << x
         << " t_x=" << t_x << " T=" << T);
    CHECK(Value(ParetoNbdLogLikelihood(p, g)) ==
          Approx(std::log(NaiveLikelihood(p, x, t_x, T))).epsilon(1e-9));
  }
  CHECK(alpha_larger > 30);  // both 2F1 branches were exercised
  CHECK(alpha_larger < 120);
  // alpha == beta: the 2F1 argument is 0.
  const ParetoNbdParams eq{0.7, 3.0, 1.3, 3.0};
  const RftGroup g[] = {{2, 4, 9, 1.0}};
  CHECK(Value(ParetoNbdLogLikelihood(eq, g)) ==
        Approx(std::log(NaiveLikelihood(eq, 2, 4, 9))).epsilon(1e-9));
}

TEST_CASE("Pareto/NBD P(alive) and expectations behave",
          "[classify][pareto_nbd]") {
  // P(alive) = first term of the likelihood bracket / the whole bracket.
  for (double x : {0.0, 1.0, 4.0}) {
    const double t_x = x == 0 ? 0 : 20;
    const double T = 38.86;
    const double first = std::tgamma(kPaper.r + x) * std::pow(kPaper.alpha, kPaper.r) *
                         std::pow(kPaper.beta, kPaper.s) / std::tgamma(kPaper.r) *
                         std::pow(kPaper.alpha + T, -(kPaper.r + x)) *
                         std::pow(kPaper.beta + T, -kPaper.s);
    CHECK(Value(ParetoNbdProbabilityAlive(kPaper, x, t_x, T)) ==
          Approx(first / NaiveLikelihood(kPaper, x, t_x, T)).epsilon(1e-9));
  }
  // Purchase right at T: alive for sure.
  CHECK(Value(ParetoNbdProbabilityAlive(kPaper, 3, 20, 20)) == Approx(1.0));
  double previous = 1.0;
  for (double T = 10; T <= 100; T += 10) {
    const double alive = Value(ParetoNbdProbabilityAlive(kPaper, 3, 5, T));
    CHECK(alive < previous);
    previous = alive;
  }
  // E[Y(t)|...] = P(alive) * E[purchases in t | alive]; t = 0 gives 0, it
  // grows with t, and is continuous in s across s = 1.
  CHECK(Value(ParetoNbdConditionalExpectedPurchases(kPaper, 0, 2, 30.43, 38.86)) == 0);
  previous = 0;
  for (double t = 1; t <= 520; t *= 2) {
    const double e =
        Value(ParetoNbdConditionalExpectedPurchases(kPaper, t, 2, 30.43, 38.86));
    CHECK(e > previous);
    previous = e;
  }
  ParetoNbdParams p = kPaper;
  p.s = 1.0;
  const double at_one = Value(ParetoNbdConditionalExpectedPurchases(p, 39, 2, 30, 38));
  p.s = 1.0 + 1e-7;
  CHECK(Value(ParetoNbdConditionalExpectedPurchases(p, 39, 2, 30, 38)) ==
        Approx(at_one).epsilon(1e-6));
  // Small t: E ~ P(alive) * (r+x)/(alpha+T) * t (the posterior mean rate).
  const double t = 1e-6;
  CHECK(Value(ParetoNbdConditionalExpectedPurchases(kPaper, t, 2, 30.43, 38.86)) ==
        Approx(Value(ParetoNbdProbabilityAlive(kPaper, 2, 30.43, 38.86)) *
               (kPaper.r + 2) / (kPaper.alpha + 38.86) * t).epsilon(1e-5));
}

TEST_CASE("Pareto/NBD rejects bad input without crashing",
          "[classify][pareto_nbd]") {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const RftGroup g[] = {{1, 1, 2, 1}};
  for (ParetoNbdParams bad : {ParetoNbdParams{0, 1, 1, 1}, ParetoNbdParams{1, -1, 1, 1},
                              ParetoNbdParams{1, 1, nan, 1},
                              ParetoNbdParams{1, 1, 1, inf}}) {
    auto ll = ParetoNbdLogLikelihood(bad, g);
    REQUIRE_FALSE(ll.ok());
    CHECK(ll.status().message().find("Pareto/NBD parameter") != std::string::npos);
    CHECK_FALSE(ParetoNbdProbabilityAlive(bad, 1, 1, 2).ok());
    CHECK_FALSE(ParetoNbdConditionalExpectedPurchases(bad, 1, 1, 1, 2).ok());
  }
  CHECK_FALSE(FitParetoNbd({}).ok());
  const RftGroup bad_rows[] = {{2, 5, 4, 1}};
  CHECK_FALSE(FitParetoNbd(bad_rows).ok());
  CHECK_FALSE(ParetoNbdProbabilityAlive(kPaper, 1.5, 1, 4).ok());
  CHECK_FALSE(ParetoNbdConditionalExpectedPurchases(kPaper, -1, 1, 1, 2).ok());
  CHECK_FALSE(ParetoNbdConditionalExpectedPurchases(kPaper, inf, 1, 1, 2).ok());
  // alpha >> beta puts the 2F1 argument within 1e-12 of 1: the series is
  // cut off and the error reported, not a hang or a crash.
  const ParetoNbdParams extreme{1, 1e6, 1, 1e-6};
  const RftGroup zero[] = {{0, 0, 1e-6, 1}};
  auto ll = ParetoNbdLogLikelihood(extreme, zero);
  if (!ll.ok()) CHECK(ll.status().code() == absl::StatusCode::kInternal);
  else CHECK(std::isfinite(*ll));
  for (double big : {1e12, 1e300}) {
    auto a = ParetoNbdProbabilityAlive(kPaper, big, big / 2, big);
    if (a.ok()) CHECK(std::isfinite(*a));
    auto e = ParetoNbdConditionalExpectedPurchases(kPaper, big, 3, 1, 2);
    if (e.ok()) CHECK(std::isfinite(*e));
    const RftGroup rows[] = {{big, big / 2, big, 1}, {0, 0, big, big}};
    auto f = FitParetoNbd(rows);
    if (f.ok()) CHECK(std::isfinite(f->log_likelihood));
  }
}
