// Bitmap's set operations walk containers and send bitset pairs through the
// dense kernels; these tests compare them with std::set on bitmaps built so
// that every container pairing (array, bitset, run; key on one side only)
// and the 4096-id array/bitset boundary occur, at every CPU level.
#include <catch2/catch.hpp>
#include <algorithm>
#include <iterator>
#include <random>
#include <vector>

#include "audience/storage/bitmap.h"
#include "audience/storage/dense_kernels.h"

using audience::Bitmap;
namespace dense = audience::dense;

namespace {

// Sorted, distinct ids: the std::set_* algorithms are the oracle. (A sorted
// vector, not std::set: the same oracle at a tenth of the cost under ASan.)
using Ids = std::vector<uint32_t>;

Ids ToSet(const Bitmap& b) {
  Ids s;
  b.ForEach([&](uint32_t id) { s.push_back(id); });
  return s;
}

void Normalize(Ids* s) {
  std::sort(s->begin(), s->end());
  s->erase(std::unique(s->begin(), s->end()), s->end());
}

// Per 64Ki-id key: nothing, a few ids, about 4096 ids (results straddle the
// array/bitset boundary), half the ids, or one long run.
Ids RandomIds(std::mt19937& rng) {
  Ids s;
  std::uniform_int_distribution<int> kind(0, 5);
  for (uint32_t key = 0; key < 6; ++key) {
    const uint32_t base = key << 16;
    switch (kind(rng)) {
      case 0: break;
      case 1:
        for (int i = 0; i < 50; ++i) s.push_back(base + rng() % 65536);
        break;
      case 2:
        for (int i = 0; i < 4100; ++i) s.push_back(base + rng() % 8192);
        break;
      case 3:
        for (uint32_t i = 0; i < 65536; ++i) {
          if (rng() % 2) s.push_back(base + i);
        }
        break;
      case 4: {
        const auto from = static_cast<uint32_t>(rng() % 1000);
        for (uint32_t i = from; i < from + 60000; ++i) s.push_back(base + i);
        break;
      }
      default:
        for (uint32_t i = 0; i < 65536; i += 2) s.push_back(base + i);
        break;
    }
  }
  Normalize(&s);
  return s;
}

Bitmap Build(const Ids& s, bool optimize) {
  Bitmap b = Bitmap::FromIds(s);
  if (optimize) b.Optimize();
  return b;
}

struct IsaGuard {
  ~IsaGuard() { dense::SetIsa(dense::DetectedIsa()); }
};

}  // namespace

TEST_CASE("set operations match std::set for every container pairing and CPU level",
          "[storage][bitmap]") {
  IsaGuard guard;
  for (dense::Isa isa : {dense::Isa::kPortable, dense::Isa::kPopcnt, dense::Isa::kAvx2}) {
    INFO("level " << dense::IsaName(dense::SetIsa(isa)));
    std::mt19937 rng(11);
    for (int round = 0; round < 30; ++round) {
      const Ids sa = RandomIds(rng), sb = RandomIds(rng);
      const Bitmap a = Build(sa, round % 3 == 0), b = Build(sb, round % 2 == 0);
      Ids inter, uni, diff;
      std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(),
                            std::back_inserter(inter));
      std::set_union(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(uni));
      std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(),
                          std::back_inserter(diff));
      CHECK(ToSet(a & b) == inter);
      CHECK(ToSet(a | b) == uni);
      CHECK(ToSet(a - b) == diff);
      CHECK(a.AndCardinality(b) == inter.size());
      CHECK(a.OrCardinality(b) == uni.size());
      CHECK(a.AndNotCardinality(b) == diff.size());
      Bitmap c = a;
      c &= b;
      CHECK(ToSet(c) == inter);
      CHECK(c.Cardinality() == inter.size());
      Bitmap d = a;
      d |= b;
      CHECK(ToSet(d) == uni);
      CHECK(d.Cardinality() == uni.size());
      Bitmap e = a;
      e -= b;
      CHECK(ToSet(e) == diff);
      CHECK(e.Cardinality() == diff.size());
      // Results are ordinary bitmaps: they serialize, compare and combine.
      std::string bytes;
      c.AppendSerialized(&bytes);
      absl::StatusOr<Bitmap> back = Bitmap::Deserialize(bytes.data(), bytes.size());
      REQUIRE(back.ok());
      CHECK(*back == c);
      CHECK(((a - b) | (a & b)) == a);
      CHECK((a - b).AndCardinality(b) == 0);
      // The inputs are unchanged by the non-mutating forms.
      CHECK(ToSet(a) == sa);
      CHECK(ToSet(b) == sb);
    }
  }
}

TEST_CASE("in-place forms accept themselves and empty operands", "[storage][bitmap]") {
  Bitmap a = Bitmap::FromRange(0, 100000);
  Bitmap same = a;
  a &= a;
  CHECK(a == same);
  a |= a;
  CHECK(a == same);
  Bitmap empty;
  a |= empty;
  CHECK(a == same);
  a &= empty;
  CHECK(a.IsEmpty());
  CHECK(a.MemoryBytes() == 0);
  Bitmap half = Bitmap::FromRange(0, 50000);
  Bitmap rest = same - half;
  CHECK(rest == Bitmap::FromRange(50000, 100000));
  rest -= Bitmap::FromRange(0, 200000);
  CHECK(rest.IsEmpty());
  CHECK(rest.MemoryBytes() == 0);
}

TEST_CASE("FromWords builds the ids of set bits", "[storage][bitmap]") {
  std::mt19937_64 rng(3);
  for (size_t words : {size_t{0}, size_t{1}, size_t{100}, size_t{1024}, size_t{3000}}) {
    for (int density : {0, 1, 60, 500}) {  // 1/1000 .. 1/2 of the bits
      std::vector<uint64_t> w(words, 0);
      Ids want;
      for (size_t k = 0; k < words; ++k) {
        for (uint32_t bit = 0; bit < 64; ++bit) {
          if (static_cast<int>(rng() % 1000) < density) {
            w[k] |= uint64_t{1} << bit;
            want.push_back(static_cast<uint32_t>(k * 64 + bit));
          }
        }
      }
      const Bitmap b = Bitmap::FromWords(w);
      CHECK(ToSet(b) == want);
      CHECK(b.Cardinality() == want.size());
      CHECK(b == Bitmap::FromIds(want));
      if (want.empty()) CHECK(b.MemoryBytes() == 0);
    }
  }
}

TEST_CASE("UnionChunk gives each chunk of a union of bitmaps", "[storage][bitmap]") {
  std::mt19937 rng(17);
  for (int round = 0; round < 40; ++round) {
    // One to four inputs of every container kind; some keys in none.
    std::vector<Bitmap> inputs;
    const int n = 1 + round % 4;
    for (int i = 0; i < n; ++i) inputs.push_back(Build(RandomIds(rng), (round + i) % 2 == 0));
    std::vector<const Bitmap*> sets;
    for (const Bitmap& b : inputs) sets.push_back(&b);
    const Bitmap want = Bitmap::OrMany(sets);
    std::vector<size_t> at(sets.size(), 0);
    std::vector<uint64_t> buf(Bitmap::kChunkWords);
    for (uint32_t key = 0; key < 7; ++key) {
      const uint64_t* words = Bitmap::UnionChunk(sets, absl::MakeSpan(at), key, buf.data());
      Bitmap got;
      if (words != nullptr) {
        got.AppendChunk(key, words, dense::Popcount(words, Bitmap::kChunkWords));
        CHECK_FALSE(got.IsEmpty());
      }
      CHECK(got == (want & Bitmap::FromRange(key << 16, (key + 1) << 16)));
    }
  }
}
