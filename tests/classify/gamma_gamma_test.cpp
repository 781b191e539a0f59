#include "audience/classify/gamma_gamma.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "classify/customer_summary_test_util.h"

using audience::BgNbdConditionalExpectedPurchases;
using audience::BgNbdConditionalExpectedPurchasesAt;
using audience::ClvMonthEnds;
using audience::DiscountedClvFromCumulative;
using audience::ParetoNbdConditionalExpectedPurchases;
using audience::ParetoNbdConditionalExpectedPurchasesAt;
using audience::ParetoNbdGammaGammaClv;
using audience::ParetoNbdParams;
using audience::ValidateClvOptions;
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

namespace {

// The CLV formula month by month: one conditional expectation per month,
// each with its own P(alive) and 2F1 series.
template <typename Expected>
absl::StatusOr<double> MonthByMonth(Expected expected, double spend, const ClvOptions& o) {
  bool failed = false;
  auto e = [&](double t) {
    absl::StatusOr<double> v = expected(t);
    failed = failed || !v.ok();
    return v.ok() ? *v : std::nan("");
  };
  return DiscountedClv(e, spend, o);
}

bool Near(double a, double b) { return std::abs(a - b) <= 1e-12 * std::abs(b) + 1e-300; }

}  // namespace

TEST_CASE("CLV over all month ends at once equals the month-by-month formula",
          "[classify][gamma_gamma][clv]") {
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> u01(0, 1);
  auto log_uniform = [&](double lo, double hi) {
    return std::exp(std::log(lo) + u01(rng) * (std::log(hi) - std::log(lo)));
  };
  int compared = 0, failed_both = 0;
  for (int draw = 0; draw < 3000; ++draw) {
    BgNbdParams b{log_uniform(0.05, 5), log_uniform(0.5, 50), log_uniform(0.1, 5),
                  log_uniform(0.1, 10)};
    if (draw % 10 == 0) b.a = 1 + (u01(rng) - 0.5) * 1e-6;  // the a = 1 interpolation
    if (draw % 10 == 1) {                                    // a + b <= 1: Boost's 2F1 at x = 0
      b.a = 0.3;
      b.b = 0.5;
    }
    const ParetoNbdParams pn{log_uniform(0.05, 5), log_uniform(0.5, 50), log_uniform(0.05, 5),
                             log_uniform(0.5, 50)};
    const GammaGammaParams g{log_uniform(0.5, 20), 1 + log_uniform(0.1, 10), log_uniform(1, 50)};
    const double T = log_uniform(0.1, 100);
    const double x = draw % 10 == 1 || u01(rng) < 0.3 ? 0 : std::floor(log_uniform(1, 60));
    const double t_x = x == 0 ? 0 : T * u01(rng);
    const double m = x == 0 ? 0 : log_uniform(1, 500);
    ClvOptions o;
    o.months = 1 + static_cast<int>(u01(rng) * (draw % 7 == 0 ? 100 : 24));  // > 64 sometimes
    o.monthly_discount_rate = u01(rng) * 0.05;
    o.units_per_month = u01(rng) < 0.5 ? 4.345 : 30;
    INFO("draw " << draw << " x=" << x << " t_x=" << t_x << " T=" << T << " months=" << o.months);
    const absl::StatusOr<double> spend = GammaGammaConditionalExpectedSpend(g, x, m);
    REQUIRE(spend.ok());

    const auto fast = BgNbdGammaGammaClv(b, g, x, t_x, T, m, o);
    const auto slow = MonthByMonth(
        [&](double t) { return BgNbdConditionalExpectedPurchases(b, t, x, t_x, T); }, *spend, o);
    CHECK(fast.ok() == slow.ok());
    if (fast.ok() && slow.ok()) {
      CHECK(Near(*fast, *slow));
      ++compared;
    } else {
      ++failed_both;
    }
    const auto pfast = ParetoNbdGammaGammaClv(pn, g, x, t_x, T, m, o);
    const auto pslow = MonthByMonth(
        [&](double t) { return ParetoNbdConditionalExpectedPurchases(pn, t, x, t_x, T); },
        *spend, o);
    CHECK(pfast.ok() == pslow.ok());
    if (pfast.ok() && pslow.ok()) {
      CHECK(Near(*pfast, *pslow));
      ++compared;
    }

    // Arbitrary times, unsorted, with 0 and repeats, across blocks.
    std::vector<double> times(1 + draw % 40);
    for (double& t : times) t = u01(rng) < 0.1 ? 0 : log_uniform(0.01, 500);
    std::vector<double> at(times.size()), pat(times.size());
    const absl::Status s = BgNbdConditionalExpectedPurchasesAt(b, times, x, t_x, T,
                                                               absl::MakeSpan(at));
    const absl::Status ps = ParetoNbdConditionalExpectedPurchasesAt(pn, times, x, t_x, T,
                                                                    absl::MakeSpan(pat));
    for (size_t i = 0; i < times.size(); ++i) {
      const auto one = BgNbdConditionalExpectedPurchases(b, times[i], x, t_x, T);
      if (s.ok()) {
        REQUIRE(one.ok());
        CHECK(Near(at[i], *one));
      }
      const auto pone = ParetoNbdConditionalExpectedPurchases(pn, times[i], x, t_x, T);
      if (ps.ok()) {
        REQUIRE(pone.ok());
        CHECK(Near(pat[i], *pone));
      }
    }
  }
  CHECK(compared > 5500);  // nearly every draw is comparable
  CHECK(failed_both < 100);
}

TEST_CASE("CLV helpers reject bad input", "[classify][gamma_gamma][clv]") {
  ClvOptions o;
  o.months = 3;
  o.units_per_month = 2;
  CHECK(ClvMonthEnds(o) == std::vector<double>{0, 2, 4, 6});
  CHECK(ValidateClvOptions(o).ok());
  const double cumulative[] = {0, 1, 2, 3};
  CHECK(Value(DiscountedClvFromCumulative(cumulative, 10, o)) ==
        Approx(10 / 1.01 + 10 / std::pow(1.01, 2) + 10 / std::pow(1.01, 3)));
  auto r = DiscountedClvFromCumulative(absl::MakeConstSpan(cumulative).subspan(1), 10, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) == "cumulative has 3 values; months = 3 needs 4");
  const double bad[] = {0, 1, std::nan(""), 3};
  r = DiscountedClvFromCumulative(bad, 10, o);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()) == "cumulative[2] must be finite, got nan");
  CHECK_FALSE(DiscountedClvFromCumulative(cumulative, std::nan(""), o).ok());
  o.units_per_month = -1;
  CHECK_FALSE(DiscountedClvFromCumulative(cumulative, 10, o).ok());
  auto v = ValidateClvOptions(o);
  CHECK(std::string(v.message()) == "units_per_month must be finite and > 0, got -1");

  const BgNbdParams b{0.2426, 4.4137, 0.7930, 2.4262};
  const ParetoNbdParams pn{0.553, 10.578, 0.606, 11.669};
  const double times[] = {1, -2};
  double out[2], short_out[1];
  auto s = BgNbdConditionalExpectedPurchasesAt(b, times, 2, 30, 38, absl::MakeSpan(out));
  CHECK(std::string(s.message()) == "t must be finite and >= 0, got -2");
  s = ParetoNbdConditionalExpectedPurchasesAt(pn, times, 2, 30, 38, absl::MakeSpan(out));
  CHECK(std::string(s.message()) == "t must be finite and >= 0, got -2");
  s = BgNbdConditionalExpectedPurchasesAt(b, times, 2, 30, 38, absl::MakeSpan(short_out));
  CHECK(std::string(s.message()) == "out has 1 values for 2 times");
  s = ParetoNbdConditionalExpectedPurchasesAt(pn, times, 2, 30, 38, absl::MakeSpan(short_out));
  CHECK(std::string(s.message()) == "out has 1 values for 2 times");
  const double ok_times[] = {1, 2};
  CHECK_FALSE(BgNbdConditionalExpectedPurchasesAt(b, ok_times, 2, 40, 38, absl::MakeSpan(out)).ok());
  CHECK_FALSE(ParetoNbdConditionalExpectedPurchasesAt({-1, 1, 1, 1}, ok_times, 2, 30, 38,
                                                      absl::MakeSpan(out)).ok());
  const GammaGammaParams g{6.25, 3.74, 15.44};
  CHECK_FALSE(ParetoNbdGammaGammaClv(pn, g, 2, 40, 38, 20, ClvOptions{}).ok());  // t_x > T
  CHECK_FALSE(ParetoNbdGammaGammaClv(pn, g, -1, 30, 38, 20, ClvOptions{}).ok());
  ClvOptions none;
  none.months = 1201;
  CHECK_FALSE(ParetoNbdGammaGammaClv(pn, g, 2, 30, 38, 20, none).ok());
  // Empty times: nothing to do.
  CHECK(BgNbdConditionalExpectedPurchasesAt(b, {}, 2, 30, 38, {}).ok());
  // A time so large that z rounds to 1: the 2F1 fails, reported as Internal.
  const double huge[] = {1, 1e300};
  s = BgNbdConditionalExpectedPurchasesAt(b, huge, 2, 30, 38, absl::MakeSpan(out));
  const auto single = BgNbdConditionalExpectedPurchases(b, 1e300, 2, 30, 38);
  CHECK(s.ok() == single.ok());
  if (!s.ok()) CHECK(s.code() == absl::StatusCode::kInternal);
}
