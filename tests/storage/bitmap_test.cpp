#include "audience/storage/bitmap.h"
#include "audience/storage/dense_kernels.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <bit>
#include <random>
#include <set>
#include <vector>

using audience::Bitmap;

namespace {

std::set<uint32_t> ToSet(const Bitmap& b) {
  std::set<uint32_t> s;
  b.ForEach([&](uint32_t id) { s.insert(id); });
  return s;
}

}  // namespace

TEST_CASE("empty bitmaps own nothing and behave as empty sets", "[storage][bitmap]") {
  Bitmap e;
  CHECK(e.IsEmpty());
  CHECK(e.Cardinality() == 0);
  CHECK(e.MemoryBytes() == 0);
  CHECK_FALSE(e.Contains(0));
  Bitmap a = Bitmap::Of({1, 2});
  CHECK((a & e).IsEmpty());
  CHECK((a | e) == a);
  CHECK((a - e) == a);
  CHECK((e - a).IsEmpty());
  a -= a;
  CHECK(a.IsEmpty());
  CHECK(a.MemoryBytes() == 0);
}

TEST_CASE("set algebra matches std::set on random data", "[storage][bitmap]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::set<uint32_t> sa, sb;
    std::uniform_int_distribution<uint32_t> pick(0, round % 2 ? 200000 : 3000);
    Bitmap a, b;
    for (int i = 0; i < 5000; ++i) {
      uint32_t x = pick(rng), y = pick(rng);
      sa.insert(x);
      a.Add(x);
      sb.insert(y);
      b.Add(y);
    }
    std::set<uint32_t> inter, uni, diff;
    for (uint32_t x : sa) (sb.count(x) ? inter : diff).insert(x);
    uni = sa;
    uni.insert(sb.begin(), sb.end());
    CHECK(ToSet(a & b) == inter);
    CHECK(ToSet(a | b) == uni);
    CHECK(ToSet(a - b) == diff);
    CHECK(a.AndCardinality(b) == inter.size());
    CHECK(a.OrCardinality(b) == uni.size());
    CHECK(a.AndNotCardinality(b) == diff.size());
    CHECK(a.Intersects(b) == !inter.empty());
    Bitmap c = a;
    c &= b;
    CHECK(c == (a & b));
    const Bitmap* many[] = {&a, nullptr, &b};
    CHECK(Bitmap::OrMany(many) == (a | b));
  }
}

TEST_CASE("FromIds equals adding the ids one by one, sorted or not", "[storage][bitmap]") {
  std::mt19937 rng(3);
  // Chunks at 4096 and 4097 ids (the array / bitset edge), sparse, full and
  // the last chunk; then the same ids shuffled and repeated.
  std::vector<uint32_t> ids;
  for (uint32_t k = 0; k < 4096; ++k) ids.push_back(k * 16);
  for (uint32_t k = 0; k < 4097; ++k) ids.push_back((1u << 16) + k * 15);
  for (uint32_t k = 0; k < 50; ++k) ids.push_back((5u << 16) + k * 1000);
  for (uint32_t k = 0; k < 65536; ++k) ids.push_back((9u << 16) + k);
  ids.push_back(0xFFFFFFFFu);
  Bitmap one_by_one;
  for (uint32_t id : ids) one_by_one.Add(id);
  const Bitmap sorted = Bitmap::FromIds(ids);
  CHECK(sorted == one_by_one);
  CHECK(sorted.Cardinality() == ids.size());
  CHECK((sorted & Bitmap::FromRange(1u << 16, 2u << 16)).Cardinality() == 4097);
  CHECK(sorted.Contains(0xFFFFFFFFu));
  std::vector<uint32_t> shuffled = ids;
  shuffled.insert(shuffled.end(), ids.begin(), ids.begin() + 100);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  CHECK(Bitmap::FromIds(shuffled) == one_by_one);
  CHECK(Bitmap::FromIds({}).IsEmpty());
}

TEST_CASE("ranges, rank, select and paging", "[storage][bitmap]") {
  Bitmap b = Bitmap::FromRange(10, 20);
  CHECK(b.Cardinality() == 10);
  CHECK(b.Minimum() == 10);
  CHECK(b.Maximum() == 19);
  CHECK(b.Rank(14) == 5);
  uint32_t id = 0;
  REQUIRE(b.Select(3, &id));
  CHECK(id == 13);
  CHECK_FALSE(b.Select(10, &id));
  std::vector<uint32_t> page;
  b.CollectFrom(15, 3, &page);
  CHECK(page == std::vector<uint32_t>{15, 16, 17});
  b.RemoveRange(12, 18);
  CHECK(b.ToVector() == std::vector<uint32_t>{10, 11, 18, 19});
  Bitmap top = Bitmap::FromRange(4294967290u,
                                 uint64_t{1} << 32);
  CHECK(top.Cardinality() == 6);
  CHECK(top.Contains(UINT32_MAX));
  int seen = 0;
  top.ForEach([&](uint32_t) { ++seen; });
  CHECK(seen == 6);
}

TEST_CASE("ForEach stops when the callback returns false", "[storage][bitmap]") {
  Bitmap b = Bitmap::FromRange(0, 1000);
  int seen = 0;
  b.ForEach([&](uint32_t id) { ++seen; return id < 9; });
  CHECK(seen == 10);
}

TEST_CASE("bitmap serialization round-trips and rejects damage", "[storage][bitmap]") {
  Bitmap b = Bitmap::FromRange(0, 70000);
  b.Add(1u << 30);
  b.Optimize();
  std::string buf;
  b.AppendSerialized(&buf);
  Bitmap().AppendSerialized(&buf);
  size_t used = 0;
  auto back = Bitmap::Deserialize(buf.data(), buf.size(), &used);
  REQUIRE(back.ok());
  CHECK(*back == b);
  auto empty = Bitmap::Deserialize(buf.data() + used, buf.size() - used);
  REQUIRE(empty.ok());
  CHECK(empty->IsEmpty());
  for (size_t cut : {size_t{0}, size_t{3}, size_t{9}, used - 1}) {
    CHECK_FALSE(Bitmap::Deserialize(buf.data(), cut).ok());
  }
  std::string garbage(64, '\xff');
  CHECK_FALSE(Bitmap::Deserialize(garbage.data(), garbage.size()).ok());
}

TEST_CASE("chunk access sees every container kind as words", "[storage][bitmap]") {
  // Chunk 0: an array; chunk 2: a bitset; chunk 5: runs (after Optimize).
  Bitmap b = Bitmap::Of({3, 64, 65535});
  for (uint32_t id = 2 * 65536; id < 2 * 65536 + 65536; id += 3) b.Add(id);
  b.AddRange(5 * 65536 + 100, 5 * 65536 + 40000);
  b.Optimize();
  REQUIRE(b.ChunkCount() == 3);
  CHECK(b.ChunkKey(0) == 0);
  CHECK(b.ChunkKey(1) == 2);
  CHECK(b.ChunkKey(2) == 5);
  CHECK(b.SeekChunk(0, 0) == 0);
  CHECK(b.SeekChunk(1, 0) == 1);
  CHECK(b.SeekChunk(2, 1) == 1);
  CHECK(b.SeekChunk(3, 0) == 2);
  CHECK(b.SeekChunk(6, 0) == 3);
  CHECK(b.SeekChunk(70000, 0) == 3);
  CHECK(b.SeekChunk(5, 3) == 3);
  std::vector<uint64_t> scratch(Bitmap::kChunkWords);
  Bitmap rebuilt;
  for (size_t c = 0; c < b.ChunkCount(); ++c) {
    const uint64_t* w = b.ChunkWords(c, scratch.data());
    std::vector<uint32_t> ids;
    for (uint32_t bit = 0; bit < 65536; ++bit) {
      if ((w[bit / 64] >> (bit % 64)) & 1) ids.push_back(b.ChunkKey(c) * 65536 + bit);
    }
    CHECK(ids.size() == b.ChunkCardinality(c));
    CHECK(Bitmap::FromIds(ids) == (b & Bitmap::FromRange(b.ChunkKey(c) * uint64_t{65536},
                                                         (b.ChunkKey(c) + 1) * uint64_t{65536})));
    rebuilt.AppendChunk(b.ChunkKey(c), w, b.ChunkCardinality(c));
  }
  CHECK(rebuilt == b);
  const std::vector<uint64_t> zeros(Bitmap::kChunkWords, 0);
  rebuilt.AppendChunk(9, zeros.data(), 0);  // nothing to add
  CHECK(rebuilt == b);
  CHECK(Bitmap().ChunkCount() == 0);
  CHECK(Bitmap().SeekChunk(0, 0) == 0);
}

TEST_CASE("ChunkWords of a full run chunk is the shared all-ones chunk; ShrinkToFit keeps kinds",
          "[storage][bitmap]") {
  Bitmap b;
  b.AddRange(65536, 2 * 65536);                   // chunk 1: full
  b.AddRange(3 * 65536 + 1, 4 * 65536);           // chunk 3: full but one id
  b.Optimize();                                   // both become runs
  std::vector<uint64_t> scratch(Bitmap::kChunkWords, 7);
  const uint64_t* full = b.ChunkWords(0, scratch.data());
  CHECK(full == audience::dense::kOnesChunk.data());
  CHECK(scratch[0] == 7);                         // the scratch is not written
  const uint64_t* almost = b.ChunkWords(1, scratch.data());
  CHECK(almost == scratch.data());
  CHECK(almost[0] == ~uint64_t{1});
  CHECK(audience::dense::Popcount(almost, Bitmap::kChunkWords) == 65535);
  // ShrinkToFit frees capacity only: the runs stay runs, the ids the same.
  Bitmap copy = b;
  const size_t bytes = b.MemoryBytes();
  b.ShrinkToFit();
  CHECK(b == copy);
  CHECK(b.MemoryBytes() <= bytes);
  CHECK(b.ChunkWords(0, scratch.data()) == audience::dense::kOnesChunk.data());
  Bitmap none;
  none.ShrinkToFit();
  CHECK(none.IsEmpty());
}

TEST_CASE("AndChunk and OrChunkInto match set algebra for every container kind",
          "[storage][bitmap]") {
  // Chunk 0: an array; 1: a bitset; 2: runs, one crossing word edges and one
  // ending at the chunk's last id.
  Bitmap b = Bitmap::Of({0, 63, 64, 1000, 65535});
  for (uint32_t id = 65536; id < 2 * 65536; id += 3) b.Add(id);
  b.AddRange(2 * 65536 + 70, 2 * 65536 + 30001);
  b.AddRange(3 * 65536 - 5, 3 * 65536);
  b.Optimize();
  REQUIRE(b.ChunkCount() == 3);
  std::mt19937_64 rng(5);
  constexpr size_t kWords = Bitmap::kChunkWords;
  for (uint64_t density : {1, 2, 50}) {
    std::vector<uint64_t> mask(kWords), out(kWords), ored(kWords);
    for (uint64_t& w : mask) w = density == 1 ? ~uint64_t{0} : (rng() % density == 0 ? rng() : 0);
    for (size_t c = 0; c < b.ChunkCount(); ++c) {
      const uint64_t base = uint64_t{b.ChunkKey(c)} * 65536;
      Bitmap mask_set;
      for (uint32_t bit = 0; bit < 65536; ++bit) {
        if ((mask[bit / 64] >> (bit % 64)) & 1) mask_set.Add(static_cast<uint32_t>(base + bit));
      }
      const Bitmap want = b & mask_set;
      INFO("density " << density << " chunk " << c);
      CHECK(b.AndChunk(c, mask.data(), nullptr) == want.Cardinality());
      const uint64_t n = b.AndChunk(c, mask.data(), out.data());
      CHECK(n == want.Cardinality());
      Bitmap got;
      got.AppendChunk(b.ChunkKey(c), out.data(), n);
      CHECK(got == want);
      ored = mask;
      b.OrChunkInto(c, ored.data());
      Bitmap united;
      uint64_t ones = 0;
      for (uint64_t w : ored) ones += static_cast<uint64_t>(std::popcount(w));
      united.AppendChunk(b.ChunkKey(c), ored.data(), ones);
      CHECK(united == (mask_set | (b & Bitmap::FromRange(base, base + 65536))));
    }
  }
}

TEST_CASE("OrMany equals the union of its inputs for every container mix", "[storage][bitmap]") {
  std::mt19937_64 rng(5);
  // Up to 20 inputs (past the chunk-walk limit of 16 CRoaring's union takes
  // over); each input a mix of arrays, bitsets and runs over a few chunks.
  for (size_t count : {size_t{2}, size_t{3}, size_t{7}, size_t{16}, size_t{17}, size_t{20}}) {
    std::vector<Bitmap> inputs(count);
    std::set<uint32_t> want;
    for (Bitmap& b : inputs) {
      for (uint32_t chunk = 0; chunk < 6; ++chunk) {
        const uint32_t base = chunk * 65536;
        switch (rng() % 4) {
          case 0: break;  // this input lacks the chunk
          case 1:         // sparse: an array
            for (int k = 0; k < 50; ++k) b.Add(base + static_cast<uint32_t>(rng() % 65536));
            break;
          case 2:  // dense: a bitset
            for (int k = 0; k < 9000; ++k) b.Add(base + static_cast<uint32_t>(rng() % 65536));
            break;
          default: {  // a run
            const uint32_t from = base + static_cast<uint32_t>(rng() % 60000);
            b.AddRange(from, from + 3000);
          }
        }
      }
      if (rng() % 2) b.Optimize();
      b.ForEach([&](uint32_t id) { want.insert(id); });
    }
    std::vector<const Bitmap*> ptrs{nullptr};  // nulls are skipped
    for (const Bitmap& b : inputs) ptrs.push_back(&b);
    INFO("inputs " << count);
    const Bitmap got = Bitmap::OrMany(ptrs);
    CHECK(ToSet(got) == want);
    CHECK(got.Cardinality() == want.size());
  }
  CHECK(Bitmap::OrMany({}).IsEmpty());
}
