#include "audience/classify/mle.h"

// Boost 1.74's hypergeometric_pFq.hpp uses lgamma and expm1 without
// including their headers.
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "audience/classify/mle_special.h"

using audience::Hyp2F1;
using audience::LogAddExp;
using audience::LogGamma;
using audience::LogHyp2F1Positive;
using audience::LogSubExp;
using audience::MaximizeLikelihood;
using audience::MleAlgorithm;
using audience::MleOptions;
using audience::MleResult;

namespace {

// Gamma(shape k, rate lambda) sample log-likelihood: MLE has no closed form
// for k, but the score equation log(k) - digamma(k) = log(mean) - mean(log)
// and lambda = k / mean pin it down.
struct GammaSample {
  std::vector<double> v;
  double mean = 0, mean_log = 0;
  explicit GammaSample(uint32_t seed) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> g(2.5, 1.0 / 0.7);
    for (int i = 0; i < 500; ++i) v.push_back(g(rng));
    for (double x : v) mean += x, mean_log += std::log(x);
    mean /= static_cast<double>(v.size());
    mean_log /= static_cast<double>(v.size());
  }
  double Nll(absl::Span<const double> p) const {
    const double k = p[0], lambda = p[1], n = static_cast<double>(v.size());
    return -n * (k * std::log(lambda) - LogGamma(k) + (k - 1) * mean_log -
                 lambda * mean);
  }
};

double Digamma(double x) {  // numeric derivative of LogGamma, good to 1e-8
  const double h = 1e-5 * std::max(1.0, x);
  return (LogGamma(x + h) - LogGamma(x - h)) / (2 * h);
}

}  // namespace

TEST_CASE("MaximizeLikelihood finds known optima", "[classify][mle]") {
  for (MleAlgorithm alg : {MleAlgorithm::kNelderMead, MleAlgorithm::kSubplex}) {
    MleOptions o;
    o.algorithm = alg;
    // Separable bowl in log space with minimum at (0.3, 20, 5e-3).
    auto bowl = [](absl::Span<const double> p) {
      return 7.0 + std::pow(std::log(p[0] / 0.3), 2) +
             2 * std::pow(std::log(p[1] / 20), 2) +
             std::pow(std::log(p[2] / 5e-3), 2);
    };
    auto r = MaximizeLikelihood(bowl, {1.0, 1.0, 1.0}, o);
    REQUIRE(r.ok());
    CHECK(r->converged);
    CHECK(r->params[0] == Approx(0.3).epsilon(1e-5));
    CHECK(r->params[1] == Approx(20).epsilon(1e-5));
    CHECK(r->params[2] == Approx(5e-3).epsilon(1e-5));
    CHECK(r->log_likelihood == Approx(-7.0).margin(1e-9));
    CHECK(r->evaluations > 0);
    CHECK(r->evaluations <= o.max_evaluations);

    GammaSample g(42);
    auto nll = [&](absl::Span<const double> p) { return g.Nll(p); };
    auto f = MaximizeLikelihood(nll, {1.0, 1.0}, o);
    REQUIRE(f.ok());
    // Exact optimum: solve the score equation by bisection.
    const double target = std::log(g.mean) - g.mean_log;
    double lo = 1e-3, hi = 1e3;
    for (int it = 0; it < 200; ++it) {
      const double mid = std::sqrt(lo * hi);
      (std::log(mid) - Digamma(mid) > target ? lo : hi) = mid;
    }
    const double k = std::sqrt(lo * hi);
    const double exact[] = {k, k / g.mean};
    // The stop rule is on the objective, so parameters are good to about
    // sqrt(tolerance) and the log-likelihood to far better.
    CHECK(f->params[0] == Approx(k).epsilon(1e-4));
    CHECK(f->params[1] == Approx(k / g.mean).epsilon(1e-4));
    CHECK(f->log_likelihood >= -g.Nll(exact) - 1e-7);
    CHECK(f->log_likelihood <= -g.Nll(exact) + 1e-7);
    CHECK(f->log_likelihood == Approx(-g.Nll(f->params)).epsilon(1e-14));
  }
}

TEST_CASE("MaximizeLikelihood is deterministic", "[classify][mle]") {
  GammaSample g(7);
  auto nll = [&](absl::Span<const double> p) { return g.Nll(p); };
  auto a = MaximizeLikelihood(nll, {2.0, 0.5}, MleOptions{});
  auto b = MaximizeLikelihood(nll, {2.0, 0.5}, MleOptions{});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->params == b->params);
  CHECK(a->log_likelihood == b->log_likelihood);
  CHECK(a->evaluations == b->evaluations);
}

TEST_CASE("MaximizeLikelihood treats NaN regions as +inf", "[classify][mle]") {
  // Undefined above p = 2; optimum at 1.5 inside the defined region.
  auto f = [](absl::Span<const double> p) {
    if (p[0] > 2) return std::nan("");
    return std::pow(p[0] - 1.5, 2);
  };
  auto r = MaximizeLikelihood(f, {0.5}, MleOptions{});
  REQUIRE(r.ok());
  CHECK(r->params[0] == Approx(1.5).epsilon(1e-5));
}

TEST_CASE("MaximizeLikelihood reports limits and bad input", "[classify][mle]") {
  auto bowl = [](absl::Span<const double> p) {
    return std::pow(std::log(p[0] / 3), 2) + std::pow(std::log(p[1] / 4), 2);
  };
  MleOptions few;
  few.max_evaluations = 5;
  auto r = MaximizeLikelihood(bowl, {1.0, 1.0}, few);
  REQUIRE(r.ok());
  CHECK_FALSE(r->converged);
  CHECK(r->evaluations <= 5);

  CHECK(MaximizeLikelihood(bowl, {}, MleOptions{}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  for (double bad : {0.0, -1.0, std::nan(""), 1e300}) {
    auto e = MaximizeLikelihood(bowl, {1.0, bad}, MleOptions{});
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().message().find("initial parameter 1") != std::string::npos);
  }
  auto inf_start = [](absl::Span<const double>) {
    return std::numeric_limits<double>::infinity();
  };
  CHECK(MaximizeLikelihood(inf_start, {1.0}, MleOptions{}).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  MleOptions bad;
  bad.tolerance = 0;
  CHECK_FALSE(MaximizeLikelihood(bowl, {1.0, 1.0}, bad).ok());
  bad = MleOptions{};
  bad.max_evaluations = 0;
  CHECK_FALSE(MaximizeLikelihood(bowl, {1.0, 1.0}, bad).ok());
  bad = MleOptions{};
  bad.min_param = 2;
  bad.max_param = 1;
  CHECK_FALSE(MaximizeLikelihood(bowl, {1.5, 1.5}, bad).ok());
  bad = MleOptions{};
  bad.initial_step = std::nan("");
  CHECK_FALSE(MaximizeLikelihood(bowl, {1.0, 1.0}, bad).ok());
  // The box holds: the optimum of p -> p is pushed to min_param.
  auto down = [](absl::Span<const double> p) { return p[0]; };
  auto d = MaximizeLikelihood(down, {1.0}, MleOptions{});
  REQUIRE(d.ok());
  CHECK(d->params[0] == Approx(MleOptions{}.min_param).epsilon(1e-6));
}

TEST_CASE("LogHyp2F1Positive matches closed forms and Boost", "[classify][mle]") {
  // 2F1(1,1;2;z) = -log(1-z)/z; 2F1(a,b;b;z) = (1-z)^-a.
  for (double z : {1e-8, 0.1, 0.5, 0.9, 0.99, 0.999}) {
    CHECK(std::exp(LogHyp2F1Positive(1, 1, 2, z)) ==
          Approx(-std::log1p(-z) / z).epsilon(1e-13));
    CHECK(LogHyp2F1Positive(2.5, 3.2, 3.2, z) ==
          Approx(-2.5 * std::log1p(-z)).epsilon(1e-13).margin(1e-15));
  }
  // Beyond double range: (1-z)^-b with b = 5000.
  CHECK(LogHyp2F1Positive(7.0, 5000, 7.0, 0.5) ==
        Approx(5000 * std::log(2.0)).epsilon(1e-13));
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.05, 20), uz(0, 0.95);
  for (int i = 0; i < 200; ++i) {
    const double a = u(rng), b = u(rng), c = u(rng), z = uz(rng);
    double boost_value;
    try {
      boost_value = boost::math::hypergeometric_pFq({a, b}, {c}, z);
    } catch (const std::exception&) {
      continue;
    }
    INFO(a << " " << b << " " << c << " " << z);
    CHECK(std::exp(LogHyp2F1Positive(a, b, c, z)) ==
          Approx(boost_value).epsilon(1e-11));
    CHECK(Hyp2F1(a, b, c, z) == Approx(boost_value).epsilon(1e-11));
  }
  CHECK(LogHyp2F1Positive(1, 1, 1, 0) == 0);
  // Outside the domain, or too many terms: NaN.
  CHECK(std::isnan(LogHyp2F1Positive(-1, 1, 1, 0.5)));
  CHECK(std::isnan(LogHyp2F1Positive(1, 1, 1, 1.0)));
  CHECK(std::isnan(LogHyp2F1Positive(1, 1, 1, std::nan(""))));
  CHECK(std::isnan(LogHyp2F1Positive(INFINITY, 1, 1, 0.5)));
  CHECK(std::isnan(LogHyp2F1Positive(1, 1, 2, 1 - 1e-12, 1000)));
  // General Hyp2F1: negative c (non-integer) through Boost; poles are NaN.
  CHECK(Hyp2F1(1.0, 1.0, -0.5, 0.2) ==
        Approx(boost::math::hypergeometric_pFq({1.0, 1.0}, {-0.5}, 0.2)));
  CHECK(std::isnan(Hyp2F1(1.0, 1.0, -2.0, 0.2)));
  CHECK(std::isnan(Hyp2F1(1.0, 1.0, 2.0, 1.5)));
  CHECK(Hyp2F1(-2.0, 1.0, 1.5, 0.1) ==
        Approx(1 - 2 * 0.1 / 1.5 + 2 * 0.01 / (1.5 * 2.5)));  // terminates
}

TEST_CASE("LogAddExp and LogSubExp", "[classify][mle]") {
  CHECK(LogAddExp(-1000, -1000) == Approx(-1000 + std::log(2.0)));
  CHECK(LogAddExp(1000, 0) == Approx(1000));
  const double ninf = -std::numeric_limits<double>::infinity();
  CHECK(LogAddExp(ninf, ninf) == ninf);
  CHECK(LogAddExp(ninf, 3) == 3);
  CHECK(std::isnan(LogAddExp(std::nan(""), 1)));
  CHECK(LogSubExp(std::log(5.0), std::log(3.0)) == Approx(std::log(2.0)));
  CHECK(LogSubExp(2, 2) == ninf);
  CHECK(LogSubExp(2, ninf) == 2);
  CHECK(std::isnan(LogSubExp(1, 2)));
  CHECK(LogGamma(5) == Approx(std::log(24.0)));
}
