#include "audience/classify/gamma_gamma.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "classify/customer_summary_test_util.h"

using audience::BgNbdConditionalExpectedPurchases;
using audience::BgNbdGammaGammaClv;
using audience::BgNbdParams;
using audience::ClvOptions;
using audience::DiscountedClv;
using audience::FitGammaGamma;
using audience::GammaGammaConditionalExpectedSpend;
using audience::GammaGammaLogLikelihood;
using audience::GammaGammaParams;
using audience::SpendRow;
using audience::SpendRowsFrom;

namespace {

double Value(const absl::StatusOr<double>& v) {
  REQUIRE(v.ok());
  return *v;
}

// Published values are rounded to 2 decimals: accept half a unit of the
// last digit, or 1e-3 relative where that is wider.
void CheckPublished(const GammaGammaParams& g) {
  CHECK(std::abs(g.p - 6.25) <= std::max(0.005, 6.25e-3));
  CHECK(std::abs(g.q - 3.74) <= std::max(0.005, 3.74e-3));
  CHECK(std::abs(g.gamma - 15.44) <= std::max(0.005, 15.44e-3));
}

// Density of the mean m of x Gamma(p, nu) values, integrated over
// nu ~ Gamma(q, gamma) numerically (Simpson on log nu): no closed form used.
double NaiveDensity(const GammaGammaParams& g, double x, double m) {
  auto integrand = [&](double log_nu) {
    const double nu = std::exp(log_nu);
    // mean of x Gamma(p, nu) ~ Gamma(p x, nu x)
    const double f_m = std::pow(nu * x, g.p * x) * std::pow(m, g.p * x - 1) *
                       std::exp(-nu * x * m) / std::tgamma(g.p * x);
    const double f_nu = std::pow(g.gamma, g.q) * std::pow(nu, g.q - 1) *
                        std::exp(-g.gamma * nu) / std::tgamma(g.q);
    return f_m * f_nu * nu;
  };
  const double lo = -30, hi = 10;
  const int n = 40000;
  const double h = (hi - lo) / n;
  double s = integrand(lo) + integrand(hi);
  for (int i = 1; i < n; ++i) s += (i % 2 ? 4 : 2) * integrand(lo + i * h);
  return s * h / 3;
}

}  // namespace

TEST_CASE("Gamma-Gamma reproduces the published CDNOW fit",
          "[classify][gamma_gamma]") {
  const auto rows = SpendRowsFrom(classify_test::CdnowSummaries());
  REQUIRE(rows.size() == 946);
  const auto start = std::chrono::steady_clock::now();
  auto fit = FitGammaGamma(rows);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start).count();
  REQUIRE(fit.ok());
  INFO("Gamma-Gamma CDNOW fit: p=" << fit->params.p << " q=" << fit->params.q
       << " gamma=" << fit->params.gamma << " LL=" << fit->log_likelihood
       << " evals=" << fit->evaluations << " in " << ms << " ms");
  CHECK(fit->converged);
  CheckPublished(fit->params);
  CHECK(fit->log_likelihood >= Value(GammaGammaLogLikelihood({6.25, 3.74, 15.44}, rows)));
  // lifetimes' CSV (zbar rounded to cents) gives the same fit.
  std::vector<SpendRow> csv_rows;
  for (const auto& r :
       classify_test::ReadCsv("lifetimes/cdnow_customers_summary_with_transactions.csv")) {
    if (r[1] > 0) csv_rows.push_back({r[1], r[4], 1.0});
  }
  REQUIRE(csv_rows.size() == 946);
  auto csv_fit = FitGammaGamma(csv_rows);
  REQUIRE(csv_fit.ok());
  CheckPublished(csv_fit->params);
  // Counts act as repeated rows.
  std::vector<SpendRow> doubled = rows;
  for (SpendRow& r : doubled) r.count = 2;
  CHECK(Value(GammaGammaLogLikelihood(fit->params, doubled)) ==
        Approx(2 * fit->log_likelihood).epsilon(1e-12));
}

TEST_CASE("Gamma-Gamma density equals its mixture definition",
          "[classify][gamma_gamma]") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> param(0.5, 6), spend(0.5, 20);
  std::uniform_int_distribution<int> freq(1, 5);
  for (int i = 0; i < 40; ++i) {
    const GammaGammaParams g{param(rng), param(rng), param(rng)};
    const double x = freq(rng), m = spend(rng);
    const SpendRow row[] = {{x, m, 1.0}};
    INFO(g.p << " " << g.q << " " << g.gamma << " x=" << x << " m=" << m);
    CHECK(Value(GammaGammaLogLikelihood(g, row)) ==
          Approx(std::log(NaiveDensity(g, x, m))).epsilon(1e-8));
  }
}

TEST_CASE("Gamma-Gamma expected spend and CLV", "[classify][gamma_gamma]") {
  const GammaGammaParams g{6.25, 3.74, 15.44};
  const double population = g.p * g.gamma / (g.q - 1);
  CHECK(Value(GammaGammaConditionalExpectedSpend(g, 0, 0)) == Approx(population));
  // A weighted mean of the population mean and the customer's own mean.
  for (double x : {1.0, 2.0, 10.0, 1000.0}) {
    const double m = 40;
    const double w = g.p * x / (g.p * x + g.q - 1);
    CHECK(Value(GammaGammaConditionalExpectedSpend(g, x, m)) ==
          Approx((1 - w) * population + w * m).epsilon(1e-12));
  }
  CHECK(Value(GammaGammaConditionalExpectedSpend(g, 1000, 40)) ==
        Approx(40).epsilon(1e-3));

  const BgNbdParams b{0.2426, 4.4137, 0.7930, 2.4262};
  ClvOptions o;
  // No discount: the sum telescopes to spend * E(months * units).
  o.monthly_discount_rate = 0;
  const double spend = Value(GammaGammaConditionalExpectedSpend(g, 2, 22.35));
  CHECK(Value(BgNbdGammaGammaClv(b, g, 2, 30.43, 38.86, 22.35, o)) ==
        Approx(spend * Value(BgNbdConditionalExpectedPurchases(
                           b, 12 * 4.345, 2, 30.43, 38.86))).epsilon(1e-12));
  // Discounted: the month-by-month sum written out.
  o.monthly_discount_rate = 0.01;
  double manual = 0, previous = 0;
  for (int i = 1; i <= 12; ++i) {
    const double e = Value(BgNbdConditionalExpectedPurchases(b, i * 4.345, 2, 30.43, 38.86));
    manual += spend * (e - previous) / std::pow(1.01, i);
    previous = e;
  }
  const double clv = Value(BgNbdGammaGammaClv(b, g, 2, 30.43, 38.86, 22.35, o));
  CHECK(clv == Approx(manual).epsilon(1e-12));
  o.monthly_discount_rate = 0.05;
  CHECK(Value(BgNbdGammaGammaClv(b, g, 2, 30.43, 38.86, 22.35, o)) < clv);
  // A linear purchase curve: E(t) = t / u buys one purchase a month.
  ClvOptions lin;
  lin.months = 3;
  lin.monthly_discount_rate = 0.1;
  lin.units_per_month = 2;
  auto linear = [](double t) { return t / 2; };
  CHECK(Value(DiscountedClv(linear, 10, lin)) ==
        Approx(10 / 1.1 + 10 / 1.21 + 10 / 1.331));
}

TEST_CASE("Gamma-Gamma rejects bad input", "[classify][gamma_gamma]") {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const SpendRow ok[] = {{2, 10, 1}};
  for (GammaGammaParams bad : {GammaGammaParams{0, 1, 1}, GammaGammaParams{1, nan, 1},
                               GammaGammaParams{1, 1, -inf}}) {
    auto ll = GammaGammaLogLikelihood(bad, ok);
    REQUIRE_FALSE(ll.ok());
    CHECK(ll.status().message().find("Gamma-Gamma parameter") != std::string::npos);
    CHECK_FALSE(GammaGammaConditionalExpectedSpend(bad, 1, 1).ok());
  }
  CHECK_FALSE(FitGammaGamma({}).ok());
  for (SpendRow bad : {SpendRow{0, 10, 1}, SpendRow{1.5, 10, 1}, SpendRow{2, 0, 1},
                       SpendRow{2, -3, 1}, SpendRow{2, nan, 1}, SpendRow{2, 10, 0},
                       SpendRow{inf, 10, 1}}) {
    const SpendRow rows[] = {{1, 5, 1}, bad};
    auto fit = FitGammaGamma(rows);
    REQUIRE_FALSE(fit.ok());
    CHECK(fit.status().message().find("spend row 1") != std::string::npos);
  }
  const GammaGammaParams g{6.25, 3.74, 15.44};
  CHECK_FALSE(GammaGammaConditionalExpectedSpend(g, -1, 1).ok());
  CHECK_FALSE(GammaGammaConditionalExpectedSpend(g, 1, -1).ok());
  CHECK_FALSE(GammaGammaConditionalExpectedSpend(g, 1, inf).ok());
  CHECK_FALSE(GammaGammaConditionalExpectedSpend({1, 0.5, 1}, 0, 0).ok());  // q <= 1
  CHECK_FALSE(GammaGammaConditionalExpectedSpend(g, 1, 1e308).ok());  // overflow
  const BgNbdParams b{0.2426, 4.4137, 0.7930, 2.4262};
  ClvOptions o;
  o.months = 0;
  CHECK_FALSE(BgNbdGammaGammaClv(b, g, 2, 30, 38, 20, o).ok());
  o = ClvOptions{};
  o.monthly_discount_rate = -1;
  CHECK_FALSE(BgNbdGammaGammaClv(b, g, 2, 30, 38, 20, o).ok());
  o = ClvOptions{};
  o.units_per_month = 0;
  CHECK_FALSE(BgNbdGammaGammaClv(b, g, 2, 30, 38, 20, o).ok());
  CHECK_FALSE(BgNbdGammaGammaClv(b, g, 2, 40, 38, 20, ClvOptions{}).ok());  // t_x > T
  CHECK_FALSE(BgNbdGammaGammaClv({-1, 1, 1, 1}, g, 2, 30, 38, 20, ClvOptions{}).ok());
  auto broken = [](double t) { return t > 5 ? std::nan("") : t; };
  auto clv = DiscountedClv(broken, 10, ClvOptions{});
  REQUIRE_FALSE(clv.ok());
  CHECK(clv.status().code() == absl::StatusCode::kInternal);
  CHECK_FALSE(DiscountedClv(broken, nan, ClvOptions{}).ok());
  // Huge but valid rows fit or fail cleanly.
  const SpendRow huge[] = {{1e9, 1e300, 1}, {1, 1e-300, 1e300}};
  auto f = FitGammaGamma(huge);
  if (f.ok()) CHECK(std::isfinite(f->log_likelihood));
}

TEST_CASE("SpendRowsFrom keeps repeat buyers with positive spend only",
          "[classify][gamma_gamma]") {
  std::vector<audience::CustomerSummary> s(4);
  s[0].x = 0;  // no repeats
  s[1].x = 2;
  s[1].monetary_value = 0;  // repeat purchases all free
  s[2].x = 1;
  s[2].monetary_value = 12.5;
  s[3].x = 3;
  s[3].monetary_value = 4;
  const std::vector<SpendRow> rows = SpendRowsFrom(s);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].m == 12.5);
  CHECK(rows[1].x == 3);
  CHECK(FitGammaGamma(rows).ok());
}
