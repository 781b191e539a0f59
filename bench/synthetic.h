// Synthetic customer population for benchmarks: seeded, so every run and
// every engine sees the same people.
//
//   bench::Population pop = bench::Population::Generate(1'000'000, /*seed=*/42);
//   pop.tag_members[17];   // ids holding tag value 17 (sorted)
//
// Distributions (the query benchmark's spec): gender F/M/U 48/47/5 %; age
// 18-80 uniform; 34 regions with Zipf popularity; income low/mid/high
// 50/35/15 %; registration and last activity over three years; zero-inflated
// order counts and amounts; about 8 tags per person drawn Zipf(1.1) from 200.
#ifndef AUDIENCE_BENCH_SYNTHETIC_H_
#define AUDIENCE_BENCH_SYNTHETIC_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace bench {

inline constexpr int kTagValues = 200;
inline constexpr int kRegions = 34;
inline constexpr int64_t kEpoch = 1'700'000'000;  // "now" of the population
inline constexpr int64_t kThreeYears = 3 * 365 * 86400;

// Draws from Zipf(s) over [0, n) by inverting the cumulative table.
class Zipf {
 public:
  Zipf(int n, double s) : cdf_(n) {
    double total = 0;
    for (int k = 0; k < n; ++k) cdf_[k] = total += 1.0 / std::pow(k + 1, s);
    for (double& c : cdf_) c /= total;
  }
  template <typename Rng>
  int operator()(Rng& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

struct Population {
  uint32_t size = 0;
  std::vector<uint8_t> gender;   // 0 F, 1 M, 2 U
  std::vector<int64_t> age;
  std::vector<uint8_t> region;   // 0..33, 0 most popular
  std::vector<uint8_t> income;   // 0 low, 1 mid, 2 high
  std::vector<int64_t> registered_at;
  std::vector<int64_t> last_active_at;
  std::vector<int64_t> orders;
  std::vector<double> spend;
  std::vector<std::vector<uint32_t>> tag_members;  // per tag value, sorted ids

  static Population Generate(uint32_t n, uint64_t seed) {
    Population p;
    p.size = n;
    std::mt19937_64 rng(seed);
    Zipf regions(kRegions, 1.0), tags(kTagValues, 1.1);
    std::uniform_int_distribution<int64_t> age(18, 80), span(0, kThreeYears);
    std::uniform_real_distribution<double> unit(0, 1);
    p.gender.resize(n);
    p.age.resize(n);
    p.region.resize(n);
    p.income.resize(n);
    p.registered_at.resize(n);
    p.last_active_at.resize(n);
    p.orders.resize(n);
    p.spend.resize(n);
    p.tag_members.resize(kTagValues);
    for (uint32_t i = 0; i < n; ++i) {
      double g = unit(rng), inc = unit(rng);
      p.gender[i] = g < 0.48 ? 0 : g < 0.95 ? 1 : 2;
      p.age[i] = age(rng);
      p.region[i] = static_cast<uint8_t>(regions(rng));
      p.income[i] = inc < 0.5 ? 0 : inc < 0.85 ? 1 : 2;
      p.registered_at[i] = kEpoch - span(rng);
      p.last_active_at[i] = p.registered_at[i] + static_cast<int64_t>(
          unit(rng) * static_cast<double>(kEpoch - p.registered_at[i]));
      // Zero-inflated: 40 % never ordered; the rest geometric-ish counts.
      p.orders[i] = unit(rng) < 0.4 ? 0 : 1 + static_cast<int64_t>(-std::log(unit(rng) + 1e-12) * 3);
      p.spend[i] = p.orders[i] == 0 ? 0.0
                                    : std::round(p.orders[i] * (20 + 80 * unit(rng)) * 100) / 100;
      int k = 6 + static_cast<int>(rng() % 5);  // 6..10 tags, mean 8
      uint32_t chosen[16];
      int have = 0;
      for (int t = 0; t < k * 4 && have < k; ++t) {
        auto v = static_cast<uint32_t>(tags(rng));
        if (std::find(chosen, chosen + have, v) == chosen + have) chosen[have++] = v;
      }
      for (int t = 0; t < have; ++t) p.tag_members[chosen[t]].push_back(i);
    }
    return p;
  }
};

}  // namespace bench

#endif  // AUDIENCE_BENCH_SYNTHETIC_H_
