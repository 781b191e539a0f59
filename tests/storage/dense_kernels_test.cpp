#include "audience/storage/dense_kernels.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace dense = audience::dense;

namespace {

uint64_t SlowCount(const std::vector<uint64_t>& w) {
  uint64_t n = 0;
  for (uint64_t x : w) {
    for (int b = 0; b < 64; ++b) n += (x >> b) & 1;
  }
  return n;
}

// Words of a given density (per mille of set bits), so that both sparse and
// nearly full containers are covered.
std::vector<uint64_t> RandomWords(std::mt19937_64& rng, size_t n, int per_mille) {
  std::vector<uint64_t> w(n, 0);
  std::uniform_int_distribution<int> pick(0, 999);
  for (uint64_t& x : w) {
    for (int b = 0; b < 64; ++b) {
      if (pick(rng) < per_mille) x |= uint64_t{1} << b;
    }
  }
  return w;
}

// Restores the detected level when a test section ends.
struct IsaGuard {
  ~IsaGuard() { dense::SetIsa(dense::DetectedIsa()); }
};

}  // namespace

TEST_CASE("every instruction-set level computes the same counts and words",
          "[storage][dense]") {
  IsaGuard guard;
  std::mt19937_64 rng(7);
  for (dense::Isa isa : {dense::Isa::kPortable, dense::Isa::kPopcnt, dense::Isa::kAvx2}) {
    const dense::Isa used = dense::SetIsa(isa);
    CHECK(dense::ActiveIsa() == used);
    CHECK(static_cast<int>(used) <= static_cast<int>(dense::DetectedIsa()));
    INFO("level " << dense::IsaName(used));
    for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{67},
                     size_t{1023}, size_t{1024}, size_t{1025}}) {
      for (int density : {0, 3, 500, 997, 1000}) {
        INFO("n " << n << " density " << density);
        const std::vector<uint64_t> a = RandomWords(rng, n, density);
        const std::vector<uint64_t> b = RandomWords(rng, n, 500);
        std::vector<uint64_t> want_and(n), want_andnot(n), want_or(n), want_xor(n);
        for (size_t i = 0; i < n; ++i) {
          want_and[i] = a[i] & b[i];
          want_andnot[i] = a[i] & ~b[i];
          want_or[i] = a[i] | b[i];
          want_xor[i] = a[i] ^ b[i];
        }
        CHECK(dense::Popcount(a.data(), n) == SlowCount(a));
        CHECK(dense::AndCount(a.data(), b.data(), n) == SlowCount(want_and));
        CHECK(dense::AndNotCount(a.data(), b.data(), n) == SlowCount(want_andnot));
        std::vector<uint64_t> out(n, ~uint64_t{0});
        CHECK(dense::And(a.data(), b.data(), out.data(), n) == SlowCount(want_and));
        CHECK(out == want_and);
        CHECK(dense::AndNot(a.data(), b.data(), out.data(), n) == SlowCount(want_andnot));
        CHECK(out == want_andnot);
        CHECK(dense::Or(a.data(), b.data(), out.data(), n) == SlowCount(want_or));
        CHECK(out == want_or);
        CHECK(dense::Xor(a.data(), b.data(), out.data(), n) == SlowCount(want_xor));
        CHECK(out == want_xor);
        // The result may overwrite either input.
        std::vector<uint64_t> a2 = a, b2 = b;
        dense::AndNot(a2.data(), b.data(), a2.data(), n);
        CHECK(a2 == want_andnot);
        dense::Or(a.data(), b2.data(), b2.data(), n);
        CHECK(b2 == want_or);
        if (n <= 1024) {
          std::vector<uint16_t> want_ids;
          for (size_t i = 0; i < n * 64; ++i) {
            if ((a[i / 64] >> (i % 64)) & 1) want_ids.push_back(static_cast<uint16_t>(i));
          }
          std::vector<uint16_t> ids(want_ids.size());
          CHECK(dense::ExtractSetBits(a.data(), n, ids.data()) == want_ids.size());
          CHECK(ids == want_ids);
        }
      }
    }
  }
}

TEST_CASE("levels clamp to what the CPU supports and have names", "[storage][dense]") {
  IsaGuard guard;
  CHECK(dense::SetIsa(dense::Isa::kAvx2) == dense::DetectedIsa());
  CHECK(dense::SetIsa(dense::Isa::kPortable) == dense::Isa::kPortable);
  CHECK(dense::ActiveIsa() == dense::Isa::kPortable);
  CHECK(dense::IsaName(dense::Isa::kPortable) == "portable");
  CHECK(dense::IsaName(dense::Isa::kPopcnt) == "popcnt");
  CHECK(dense::IsaName(dense::Isa::kAvx2) == "avx2");
}
