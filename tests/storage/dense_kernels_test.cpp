#include "audience/storage/dense_kernels.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <iterator>
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

TEST_CASE("SliceRange equals a per-person key comparison at every level", "[storage][dense]") {
  IsaGuard guard;
  std::mt19937_64 rng(11);
  for (dense::Isa isa : {dense::Isa::kPortable, dense::Isa::kPopcnt, dense::Isa::kAvx2}) {
    INFO("level " << dense::IsaName(dense::SetIsa(isa)));
    for (size_t depth : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{27}, size_t{64}}) {
      const uint64_t all = depth == 64 ? ~uint64_t{0} : (uint64_t{1} << depth) - 1;
      for (size_t n : {size_t{1}, size_t{5}, size_t{1024}}) {
        std::vector<std::vector<uint64_t>> slices;
        std::vector<const uint64_t*> ptrs;
        for (size_t j = 0; j < depth; ++j) slices.push_back(RandomWords(rng, n, 500));
        for (const auto& s : slices) ptrs.push_back(s.data());
        auto key = [&](size_t bit) {
          uint64_t k = 0;
          for (size_t j = 0; j < depth; ++j) k |= ((slices[j][bit / 64] >> (bit % 64)) & 1) << j;
          return k;
        };
        // Dense masks take the word path, sparse ones the per-person path.
        for (int density : {1000, 500, 40, 2, 0}) {
          const std::vector<uint64_t> mask = RandomWords(rng, n, density);
          for (int q = 0; q < 12; ++q) {
            uint64_t lo = rng() & all, hi = rng() & all;
            if (q == 0) lo = 0;
            if (q == 1) hi = all;
            if (q == 2) lo = hi;
            if (q == 3) lo = 0, hi = all;
            if (q == 4 && depth > 4) lo = uint64_t{1} << (depth - 1), hi = all - 3;
            if (lo > hi) std::swap(lo, hi);
            INFO("depth " << depth << " n " << n << " density " << density << " [" << lo
                          << ", " << hi << "]");
            std::vector<uint64_t> want(n, 0);
            for (size_t b = 0; b < n * 64; ++b) {
              const uint64_t k = key(b);
              if (((mask[b / 64] >> (b % 64)) & 1) && lo <= k && k <= hi) {
                want[b / 64] |= uint64_t{1} << (b % 64);
              }
            }
            // Slices below the bottom are never read: pass nulls there.
            std::vector<const uint64_t*> used = ptrs;
            for (size_t j = 0; j < dense::SliceRangeBottom(depth, lo, hi); ++j) used[j] = nullptr;
            std::vector<uint64_t> out(n, 0x5555);
            CHECK(dense::SliceRange(used.data(), depth, lo, hi, mask.data(), out.data(), n) ==
                  SlowCount(want));
            CHECK(out == want);
            CHECK(dense::SliceRange(used.data(), depth, lo, hi, mask.data(), nullptr, n) ==
                  SlowCount(want));
            // A caller that knows the mask's count passes it: same answer.
            CHECK(dense::SliceRange(used.data(), depth, lo, hi, mask.data(), nullptr, n,
                                    SlowCount(mask)) == SlowCount(want));
          }
        }
      }
    }
  }
}

TEST_CASE("a 64x64 bit transpose moves bit i of row r to bit r of row i", "[storage][dense]") {
  std::mt19937_64 rng(7);
  uint64_t rows[64], back[64];
  for (uint64_t& r : rows) r = rng();
  std::copy(std::begin(rows), std::end(rows), std::begin(back));
  dense::Transpose64(back);
  for (unsigned r = 0; r < 64; ++r) {
    for (unsigned i = 0; i < 64; ++i) {
      if (((rows[r] >> i) & 1) != ((back[i] >> r) & 1)) FAIL("row " << r << " bit " << i);
    }
  }
  dense::Transpose64(back);
  CHECK(std::equal(std::begin(rows), std::end(rows), std::begin(back)));
}

TEST_CASE("SetBits sets the bit of every id at every level", "[storage][dense]") {
  IsaGuard guard;
  std::mt19937_64 rng(5);
  for (dense::Isa isa : {dense::Isa::kPortable, dense::Isa::kPopcnt, dense::Isa::kAvx2}) {
    INFO("level " << dense::IsaName(dense::SetIsa(isa)));
    // Empty, odd counts (the unrolled loop's tail), neighbours in one word,
    // repeats, both ends of the chunk, and unsorted ids.
    for (size_t count : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{4000}}) {
      std::vector<uint16_t> ids;
      for (size_t k = 0; k < count; ++k) ids.push_back(static_cast<uint16_t>(rng()));
      if (count >= 3) ids[0] = 0, ids[1] = 65535, ids[2] = ids[1];
      std::vector<uint64_t> words = RandomWords(rng, 1024, 10), want = words;
      for (uint16_t id : ids) want[id / 64] |= uint64_t{1} << (id % 64);
      dense::SetBits(ids.data(), ids.size(), words.data());
      CHECK(words == want);
      std::sort(ids.begin(), ids.end());
      std::vector<uint64_t> sorted(1024, 0), sorted_want(1024, 0);
      for (uint16_t id : ids) sorted_want[id / 64] |= uint64_t{1} << (id % 64);
      dense::SetBits(ids.data(), ids.size(), sorted.data());
      CHECK(sorted == sorted_want);
    }
  }
}
