// Slow reference implementations for rfm_test.cpp, written from the
// definitions in docs/classifiers.md, plus random value generators.
#ifndef AUDIENCE_TESTS_CLASSIFY_RFM_TEST_ORACLES_H_
#define AUDIENCE_TESTS_CLASSIFY_RFM_TEST_ORACLES_H_

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace rfm_test {

// kQuantile: rank = customers strictly worse; score = floor(rank·k/n) + 1.
inline std::vector<int> NaiveQuantile(const std::vector<double>& v, int k,
                               bool reversed) {
  const size_t n = v.size();
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) {
    size_t rank = 0;
    for (size_t j = 0; j < n; ++j) rank += reversed ? v[j] > v[i] : v[j] < v[i];
    out[i] = static_cast<int>(rank * static_cast<size_t>(k) / n) + 1;
  }
  return out;
}

// R's quantile(type = 7) on a fully sorted copy, as stats:::quantile.default.
inline double NaiveRType7(std::vector<double> x, double p) {
  std::sort(x.begin(), x.end());
  const double index = 1 + static_cast<double>(x.size() - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(index));
  const size_t hi = static_cast<size_t>(std::ceil(index));
  double q = x[lo - 1];
  if (index > static_cast<double>(lo) && x[hi - 1] != q) {
    const double h = index - static_cast<double>(lo);
    q = (1 - h) * q + h * x[hi - 1];
  }
  return q;
}

// rfm:::rfm_prep_bins' loop: bin i is [lower_i, upper_i) with lower = c(min,
// breaks), upper = c(breaks, max + 1); later bins overwrite earlier ones.
inline std::vector<int> NaiveRLoop(const std::vector<double>& v,
                            const std::vector<double>& breaks, bool reversed) {
  const int k = static_cast<int>(breaks.size()) + 1;
  std::vector<double> lower = {*std::min_element(v.begin(), v.end())};
  lower.insert(lower.end(), breaks.begin(), breaks.end());
  std::vector<double> upper = breaks;
  upper.push_back(*std::max_element(v.begin(), v.end()) + 1);
  std::vector<int> out(v.size(), 0);  // 0 plays R's NA
  for (int i = 0; i < k; ++i) {
    for (size_t j = 0; j < v.size(); ++j) {
      if (v[j] >= lower[i] && v[j] < upper[i]) out[j] = reversed ? k - i : i + 1;
    }
  }
  // R leaves NA where max + 1 rounds back to max (|max| >= 2^53); ScoreRfm
  // documents the top bin for those. Any other NA stays 0 and fails.
  for (size_t j = 0; j < v.size(); ++j) {
    if (out[j] == 0 && upper.back() == v[j]) {
      out[j] = reversed ? 1 : k;
    }
  }
  return out;
}

inline std::vector<int> NaiveRPackage(const std::vector<double>& v, int k,
                               bool reversed) {
  std::vector<double> breaks;
  for (int j = 1; j < k; ++j) {
    breaks.push_back(NaiveRType7(v, static_cast<double>(j) * (1.0 / k)) + 1);
  }
  return NaiveRLoop(v, breaks, reversed);
}

inline std::vector<double> RandomValues(std::mt19937_64& rng, size_t n, int shape) {
  std::vector<double> v(n);
  std::uniform_int_distribution<int> small(0, 6);
  std::uniform_real_distribution<double> real(0.0, 1000.0);
  std::exponential_distribution<double> expo(0.01);
  for (double& x : v) {
    switch (shape) {
      case 0: x = small(rng); break;                       // heavy ties
      case 1: x = real(rng); break;                        // continuous
      case 2: x = std::round(expo(rng)); break;            // skewed ints
      case 3: x = std::round(real(rng) * 10) / 10; break;  // cents-like
      case 4:  // wide magnitudes: many selection buckets
        x = std::pow(10.0, real(rng) * 0.6 - 300) * (small(rng) % 2 ? 1 : -1);
        break;
      default:  // one selection bucket, distinct low bits
        x = 1.0 + static_cast<double>(small(rng)) * 1e-13 + real(rng) * 1e-9;
        break;
    }
  }
  return v;
}

}  // namespace rfm_test

#endif  // AUDIENCE_TESTS_CLASSIFY_RFM_TEST_ORACLES_H_
