#include "audience/storage/bit_sliced_index.h"

#include <catch2/catch.hpp>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <vector>

using audience::Bitmap;
using audience::BitSlicedIndex;
using audience::ByteReader;
using audience::ByteWriter;
using audience::CompareOp;
using audience::PersonId;

namespace {

constexpr CompareOp kAllOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                 CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};

bool Matches(CompareOp op, uint64_t key, uint64_t c) {
  switch (op) {
    case CompareOp::kEq: return key == c;
    case CompareOp::kNe: return key != c;
    case CompareOp::kLt: return key < c;
    case CompareOp::kLe: return key <= c;
    case CompareOp::kGt: return key > c;
    case CompareOp::kGe: return key >= c;
  }
  return false;
}

using Oracle = std::map<PersonId, uint64_t>;

// x mod m, where m == 0 stands for 2^64.
uint64_t Mod(uint64_t x, uint64_t m) { return m == 0 ? x : x % m; }

Bitmap OracleCompare(const Oracle& o, CompareOp op, uint64_t c) {
  std::vector<uint32_t> ids;
  for (const auto& [p, k] : o) {
    if (Matches(op, k, c)) ids.push_back(p);
  }
  return Bitmap::FromIds(ids);
}

Bitmap OracleBetween(const Oracle& o, uint64_t lo, uint64_t hi) {
  std::vector<uint32_t> ids;
  for (const auto& [p, k] : o) {
    if (lo <= k && k <= hi) ids.push_back(p);
  }
  return Bitmap::FromIds(ids);
}

// Constants worth asking about: stored keys and their neighbours, random
// ones inside and outside the stored range, and the extremes.
uint64_t PickConstant(std::mt19937_64& rng, const Oracle& o, uint64_t base, uint64_t span) {
  switch (rng() % 6) {
    case 0:
    case 1: {
      if (o.empty()) return rng();
      auto it = o.begin();
      std::advance(it, static_cast<long>(rng() % o.size()));
      return it->second + (rng() % 3) - 1;
    }
    case 2: return base + Mod(rng(), span + 1);
    case 3: return rng();
    case 4: return rng() % 2 ? 0 : std::numeric_limits<uint64_t>::max();
    default: return base + Mod(rng(), 2 * span + 2) - span / 2;
  }
}

// A RangeChunks answer gathered over chunk keys 0..7 (every test index
// lies below 2^19), masked by `scope` (null: everyone); the count-only
// calls must agree with the words written.
Bitmap ByChunks(BitSlicedIndex::RangeChunks range, BitSlicedIndex::RangeChunks count_range,
                const Bitmap* scope) {
  constexpr size_t kWords = Bitmap::kChunkWords;
  static std::vector<uint64_t> scratch, count_scratch, mask(kWords), out(kWords);
  scratch.resize(range.scratch_words());
  count_scratch.resize(range.scratch_words());
  Bitmap result;
  size_t at = 0;
  for (uint32_t key = 0; key < 8; ++key) {
    const uint64_t* m = nullptr;
    if (scope != nullptr) {
      std::fill(mask.begin(), mask.end(), uint64_t{0});
      at = scope->SeekChunk(key, at);
      if (at < scope->ChunkCount() && scope->ChunkKey(at) == key) scope->OrChunkInto(at, mask.data());
      m = mask.data();
    }
    const uint64_t n = range.Eval(key, m, out.data(), scratch.data());
    REQUIRE(count_range.Eval(key, m, nullptr, count_scratch.data()) == n);
    result.AppendChunk(key, out.data(), n);
  }
  return result;
}

void CheckChunks(const BitSlicedIndex& bsi, CompareOp op, uint64_t c, const Bitmap& want,
                 const Bitmap* scope) {
  using RC = BitSlicedIndex::RangeChunks;
  const Bitmap expected = scope != nullptr ? want & *scope : want;
  REQUIRE(ByChunks(RC::Compare(bsi, op, c), RC::Compare(bsi, op, c), scope) == expected);
}

void CheckChunks(const BitSlicedIndex& bsi, uint64_t lo, uint64_t hi, const Bitmap& want,
                 const Bitmap* scope) {
  using RC = BitSlicedIndex::RangeChunks;
  const Bitmap expected = scope != nullptr ? want & *scope : want;
  for (RC::Path path : {RC::Path::kAuto, RC::Path::kSlices, RC::Path::kBins}) {
    INFO("path " << static_cast<int>(path));
    REQUIRE(ByChunks(RC(bsi, lo, hi, false, path), RC(bsi, lo, hi, false, path), scope) ==
            expected);
    const Bitmap outside = bsi.not_null() - want;
    REQUIRE(ByChunks(RC(bsi, lo, hi, true, path), RC(bsi, lo, hi, true, path), scope) ==
            (scope != nullptr ? outside & *scope : outside));
  }
}

void CheckAgainstOracle(const BitSlicedIndex& bsi, const Oracle& o, std::mt19937_64& rng,
                        uint64_t base, uint64_t span, int queries) {
  std::vector<uint32_t> ids;
  for (const auto& [p, k] : o) ids.push_back(p);
  REQUIRE(bsi.not_null() == Bitmap::FromIds(ids));
  for (int q = 0; q < queries; ++q) {
    const uint64_t c = PickConstant(rng, o, base, span);
    // A random scope: the restricted walk must equal the full answer & scope.
    Bitmap within;
    for (const auto& [p, k] : o) {
      if (rng() % 3 == 0) within.Add(p);
    }
    within.Add(static_cast<uint32_t>(rng() % 100000));  // maybe outside the index
    for (CompareOp op : kAllOps) {
      INFO("op " << static_cast<int>(op) << " constant " << c);
      REQUIRE(bsi.Compare(op, c) == OracleCompare(o, op, c));
      REQUIRE(bsi.Compare(op, c, &within) == (OracleCompare(o, op, c) & within));
      REQUIRE(bsi.CountCompare(op, c) == OracleCompare(o, op, c).Cardinality());
      REQUIRE(bsi.CountCompare(op, c, &within) == OracleCompare(o, op, c).AndCardinality(within));
      CheckChunks(bsi, op, c, OracleCompare(o, op, c), q % 2 == 0 ? &within : nullptr);
    }
    uint64_t lo = PickConstant(rng, o, base, span);
    uint64_t hi = PickConstant(rng, o, base, span);
    if (rng() % 4 != 0 && lo > hi) std::swap(lo, hi);
    INFO("between " << lo << " and " << hi);
    REQUIRE(bsi.Between(lo, hi) == OracleBetween(o, lo, hi));
    REQUIRE(bsi.Between(lo, hi, &within) == (OracleBetween(o, lo, hi) & within));
    REQUIRE(bsi.CountBetween(lo, hi) == OracleBetween(o, lo, hi).Cardinality());
    REQUIRE(bsi.CountBetween(lo, hi, &within) == OracleBetween(o, lo, hi).AndCardinality(within));
    CheckChunks(bsi, lo, hi, OracleBetween(o, lo, hi), q % 2 == 1 ? &within : nullptr);
  }
  if (o.empty()) {
    CHECK_FALSE(bsi.MinKey().has_value());
    CHECK_FALSE(bsi.MaxKey().has_value());
  } else {
    uint64_t mn = std::numeric_limits<uint64_t>::max(), mx = 0;
    for (const auto& [p, k] : o) {
      mn = std::min(mn, k);
      mx = std::max(mx, k);
      REQUIRE(bsi.Get(p) == k);
    }
    CHECK(bsi.MinKey() == mn);
    CHECK(bsi.MaxKey() == mx);
  }
}

}  // namespace

TEST_CASE("empty index answers nothing", "[storage][bsi]") {
  BitSlicedIndex bsi;
  for (CompareOp op : kAllOps) CHECK(bsi.Compare(op, 5).IsEmpty());
  CHECK(bsi.Between(0, std::numeric_limits<uint64_t>::max()).IsEmpty());
  CHECK_FALSE(bsi.Get(0).has_value());
  CHECK(bsi.slice_count() == 0);
  CHECK(bsi.MemoryBytes() == 0);
  bsi.Clear(3);  // no-op
  CHECK(bsi.empty());
}

TEST_CASE("common prefix keeps slices few and grows on demand", "[storage][bsi]") {
  BitSlicedIndex bsi;
  bsi.Set(1, 1024);
  CHECK(bsi.slice_count() == 0);  // one key: everything is prefix
  CHECK(bsi.Get(1) == 1024u);
  bsi.Set(2, 1025);
  CHECK(bsi.slice_count() == 1);
  bsi.Set(3, 1024 + 63);
  CHECK(bsi.slice_count() == 6);
  CHECK(bsi.Compare(CompareOp::kGe, 1025) == Bitmap::Of({2, 3}));
  // A constant outside the prefix is answered without slices.
  CHECK(bsi.Compare(CompareOp::kLt, 5000) == Bitmap::Of({1, 2, 3}));
  CHECK(bsi.Compare(CompareOp::kGt, 5000).IsEmpty());
  CHECK(bsi.Compare(CompareOp::kNe, 5) == Bitmap::Of({1, 2, 3}));
  bsi.Set(4, uint64_t{1} << 63);  // differs in the top bit: full depth
  CHECK(bsi.slice_count() == 64);
  CHECK(bsi.Get(1) == 1024u);
  CHECK(bsi.Get(4) == uint64_t{1} << 63);
  CHECK(bsi.Compare(CompareOp::kGt, 1087) == Bitmap::Of({4}));
  bsi.Clear(4);
  CHECK(bsi.slice_count() == 64);  // clearing never shrinks
  BitSlicedIndex before = bsi;
  bsi.Optimize();
  CHECK(bsi.slice_count() == 6);
  CHECK(bsi == before);
  CHECK(bsi.Get(3) == 1087u);
  // Replacing a key updates every slice.
  bsi.Set(3, 1026);
  CHECK(bsi.Get(3) == 1026u);
  CHECK(bsi.Compare(CompareOp::kEq, 1087).IsEmpty());
  CHECK(bsi.Between(1025, 1026) == Bitmap::Of({2, 3}));
  CHECK(bsi.Between(1026, 1025).IsEmpty());
  // Clearing everyone and setting again starts from a fresh prefix.
  for (PersonId p : {1u, 2u, 3u}) bsi.Clear(p);
  CHECK(bsi.empty());
  bsi.Set(9, 7);
  CHECK(bsi.slice_count() == 0);
  CHECK(bsi.Compare(CompareOp::kEq, 7) == Bitmap::Of({9}));
}

TEST_CASE("compare and between match a brute-force oracle on random data", "[storage][bsi]") {
  std::mt19937_64 rng(20240611);
  struct Shape {
    uint64_t base, span;
  };
  const Shape shapes[] = {
      {18, 62},                                // ages
      {(uint64_t{1} << 63) - 50, 100},         // straddles the int64 sign flip
      {1'700'000'000, 94'608'000},             // three years of seconds
      {0, 3},                                  // tiny
      {0, std::numeric_limits<uint64_t>::max()},  // anything
      {std::numeric_limits<uint64_t>::max() - 10, 10},
  };
  for (const Shape& shape : shapes) {
    BitSlicedIndex bsi;
    Oracle oracle;
    for (int round = 0; round < 6; ++round) {
      // A narrow start, then wider values so the depth grows after inserts.
      const uint64_t span = round == 0 ? std::min<uint64_t>(shape.span, 1) : shape.span;
      for (int k = 0; k < 300; ++k) {
        const PersonId p = static_cast<PersonId>(rng() % 2000);
        if (rng() % 5 == 0) {
          bsi.Clear(p);
          oracle.erase(p);
        } else {
          const uint64_t key = shape.base + Mod(rng(), span + 1);
          bsi.Set(p, key);
          oracle[p] = key;
        }
      }
      CheckAgainstOracle(bsi, oracle, rng, shape.base, shape.span, 150);
    }
    // Bulk build agrees with the incremental one, and Optimize changes nothing visible.
    std::vector<std::pair<PersonId, uint64_t>> entries(oracle.begin(), oracle.end());
    std::shuffle(entries.begin(), entries.end(), rng);
    BitSlicedIndex built = BitSlicedIndex::Build(entries);
    CHECK(built == bsi);
    // One bitmap per key while the keys are few, buckets otherwise (both
    // were checked against the oracle above).
    std::set<uint64_t> distinct;
    for (const auto& [p, k] : oracle) distinct.insert(k);
    CHECK(built.has_value_bitmaps());
    CHECK((built.value_shift() == 0) == (distinct.size() <= BitSlicedIndex::kMaxValueBitmaps));
    if (shape.span <= 100) CHECK(bsi.value_shift() == 0);
    if (distinct.size() > BitSlicedIndex::kMaxValueBitmaps) CHECK(bsi.value_shift() > 0);
    CHECK(built.slice_count() <= bsi.slice_count());
    CheckAgainstOracle(built, oracle, rng, shape.base, shape.span, 100);
    bsi.Optimize();
    CHECK(bsi.slice_count() == built.slice_count());
    CheckAgainstOracle(bsi, oracle, rng, shape.base, shape.span, 100);
  }
}

TEST_CASE("bulk build over dense and ragged stretches equals incremental sets", "[storage][bsi]") {
  // Whole words of 64 present ids take the transpose, the rest the bit
  // scatter; stretches of both within one chunk and across chunk edges.
  std::mt19937_64 rng(5);
  for (uint64_t span : {uint64_t{62}, uint64_t{94'608'000}, ~uint64_t{0}}) {
    std::vector<std::pair<PersonId, uint64_t>> entries;
    BitSlicedIndex incremental;
    for (PersonId p = 0; p < 200'000; ++p) {
      const bool ragged = (p / 1000) % 3 == 1;
      if (ragged && rng() % 4 == 0) continue;
      const uint64_t key = 18 + Mod(rng(), span + 1);
      entries.emplace_back(p, key);
      incremental.Set(p, key);
    }
    const BitSlicedIndex built = BitSlicedIndex::Build(entries);
    INFO("span " << span);
    CHECK(built == incremental);
    bool all_equal = true;
    for (const auto& [p, key] : entries) all_equal = all_equal && built.Get(p) == key;
    CHECK(all_equal);
  }
}

TEST_CASE("bulk build keeps the last entry of a repeated person", "[storage][bsi]") {
  const std::vector<std::pair<PersonId, uint64_t>> entries = {
      {5, 10}, {2, 7}, {5, 12}, {9, 10}, {2, 3}, {5, 11}};
  BitSlicedIndex bsi = BitSlicedIndex::Build(entries);
  CHECK(bsi.Get(5) == 11u);
  CHECK(bsi.Get(2) == 3u);
  CHECK(bsi.Get(9) == 10u);
  CHECK(bsi.not_null() == Bitmap::Of({2, 5, 9}));
  CHECK(BitSlicedIndex::Build({}).empty());
}

TEST_CASE("equality is logical, not representational", "[storage][bsi]") {
  BitSlicedIndex a, b;
  a.Set(1, 40);
  a.Set(2, 41);
  b.Set(1, 40);
  b.Set(3, 1u << 20);  // forces depth 21
  b.Set(2, 41);
  CHECK_FALSE(a == b);
  b.Clear(3);
  CHECK(a == b);
  b.Set(2, 42);
  CHECK(a != b);
  BitSlicedIndex c, d;
  c.Set(1, 40);
  d.Set(1, 41);
  CHECK(c != d);  // same persons, prefixes differ
}

TEST_CASE("serialization round-trips and rejects damage", "[storage][bsi]") {
  std::mt19937_64 rng(7);
  BitSlicedIndex bsi;
  for (PersonId p = 0; p < 500; ++p) bsi.Set(p * 3, 1000 + rng() % 300);
  ByteWriter w;
  bsi.Serialize(w);
  {
    ByteReader r(w.data(), "bsi");
    auto back = BitSlicedIndex::Deserialize(r);
    REQUIRE(back.ok());
    CHECK(r.done());
    CHECK(*back == bsi);
    CHECK(back->slice_count() == bsi.slice_count());
  }
  for (size_t n = 0; n < w.size(); ++n) {
    ByteReader r(std::string_view(w.data()).substr(0, n), "bsi");
    auto back = BitSlicedIndex::Deserialize(r);
    CHECK_FALSE(back.ok());
  }
  SECTION("depth over 64") {
    std::string bytes = w.data();
    bytes[0] = 65;
    ByteReader r(bytes, "bsi");
    auto back = BitSlicedIndex::Deserialize(r);
    REQUIRE_FALSE(back.ok());
    CHECK(back.status().message().find("depth 65") != std::string::npos);
  }
  SECTION("prefix bits below depth") {
    std::string bytes = w.data();
    bytes[1] = 1;  // lowest prefix bit; depth is > 0 here
    REQUIRE(bsi.slice_count() > 0);
    ByteReader r(bytes, "bsi");
    CHECK_FALSE(BitSlicedIndex::Deserialize(r).ok());
  }
  SECTION("slice with persons outside not_null") {
    ByteWriter bad;
    bad.PutU8(1);
    bad.PutU64(0);
    bad.PutBitmap(Bitmap::Of({1, 2}));
    bad.PutBitmap(Bitmap::Of({2, 3}));
    ByteReader r(bad.data(), "bsi");
    auto back = BitSlicedIndex::Deserialize(r);
    REQUIRE_FALSE(back.ok());
    CHECK(back.status().message().find("slice 0") != std::string::npos);
  }
}

TEST_CASE("memory accounting covers slices", "[storage][bsi]") {
  BitSlicedIndex bsi;
  for (PersonId p = 0; p < 10000; ++p) bsi.Set(p, 18 + p % 63);
  CHECK(bsi.slice_count() == 7);
  const size_t bytes = bsi.MemoryBytes();
  CHECK(bytes > 7 * 1000);
  bsi.Optimize();
  CHECK(bsi.MemoryBytes() > 0);
}

TEST_CASE("ranges over many chunks match the oracle on both paths", "[storage][bsi]") {
  // 300K people over five chunks, so that wide ranges take the chunked
  // slice walk and narrow ones the value layer; scopes dense, sparse (the
  // per-person path) and partly outside the index.
  std::mt19937_64 rng(99);
  for (uint64_t span : {uint64_t{62}, uint64_t{94'608'000}}) {
    std::vector<std::pair<PersonId, uint64_t>> entries;
    Oracle oracle;
    for (PersonId p = 0; p < 330'000; ++p) {
      if (rng() % 11 == 0) continue;
      const uint64_t key = 1'000 + rng() % (span + 1);
      entries.emplace_back(p, key);
      oracle[p] = key;
    }
    const BitSlicedIndex bsi = BitSlicedIndex::Build(entries);
    std::vector<Bitmap> scopes(3);
    for (PersonId p = 0; p < 400'000; ++p) {
      if (rng() % 2 == 0) scopes[0].Add(p);
      if (rng() % 1000 == 0) scopes[1].Add(p);
      if (p >= 200'000 && rng() % 3 == 0) scopes[2].Add(p);
    }
    for (int q = 0; q < 8; ++q) {
      uint64_t lo = 1'000 + rng() % (span + 1), hi = 1'000 + rng() % (span + 1);
      if (lo > hi) std::swap(lo, hi);
      if (q == 0) lo = 1'000, hi = 1'000 + span * 9 / 10;
      if (q == 1) lo = 1'000 + span / 10, hi = 1'000 + span;
      INFO("span " << span << " [" << lo << ", " << hi << "]");
      const Bitmap want = OracleBetween(oracle, lo, hi);
      CHECK(bsi.Between(lo, hi) == want);
      CHECK(bsi.CountBetween(lo, hi) == want.Cardinality());
      for (const Bitmap& scope : scopes) {
        CHECK(bsi.Between(lo, hi, &scope) == (want & scope));
        CHECK(bsi.CountBetween(lo, hi, &scope) == want.AndCardinality(scope));
        CheckChunks(bsi, lo, hi, want, &scope);
      }
      CheckChunks(bsi, lo, hi, want, nullptr);
      for (CompareOp op : kAllOps) {
        INFO("op " << static_cast<int>(op));
        const Bitmap at_lo = OracleCompare(oracle, op, lo), at_hi = OracleCompare(oracle, op, hi);
        CHECK(bsi.Compare(op, lo) == at_lo);
        CHECK(bsi.CountCompare(op, lo) == at_lo.Cardinality());
        CHECK(bsi.Compare(op, hi, &scopes[0]) == (at_hi & scopes[0]));
        CHECK(bsi.CountCompare(op, hi, &scopes[1]) == at_hi.AndCardinality(scopes[1]));
        CheckChunks(bsi, op, lo, at_lo, q % 2 == 0 ? nullptr : &scopes[q % 3]);
      }
    }
  }
}

TEST_CASE("the binned layer follows updates, leaves its span and rebuilds", "[storage][bsi]") {
  // Three years of seconds over ~120K people in two chunks (a third and a
  // fourth come with updates): the value layer
  // buckets them, so Build adds the binned layer; every check also forces
  // the binned way through RangeChunks (CheckChunks).
  std::mt19937_64 rng(31);
  const uint64_t base = 1'700'000'000, span = 94'608'000;
  std::vector<std::pair<PersonId, uint64_t>> entries;
  Oracle oracle;
  for (PersonId p = 0; p < 120'000; ++p) {
    if (rng() % 7 == 0) continue;
    const uint64_t key = base + rng() % (span + 1);
    entries.emplace_back(p, key);
    oracle[p] = key;
  }
  BitSlicedIndex bsi = BitSlicedIndex::Build(entries);
  REQUIRE(bsi.bins() != nullptr);
  CHECK(bsi.bins()->bin_count() == audience::SortedBins::kMaxBins);
  CHECK(bsi.bins()->size() == oracle.size());
  CHECK_FALSE(bsi.bins()->Skewed());
  CheckAgainstOracle(bsi, oracle, rng, base, span, 8);

  // Point updates within the span, new persons in a new chunk, clears.
  for (int k = 0; k < 20'000; ++k) {
    const auto p = static_cast<PersonId>(rng() % 250'000);
    if (rng() % 6 == 0) {
      bsi.Clear(p);
      oracle.erase(p);
    } else {
      const uint64_t key = base + rng() % (span + 1);
      bsi.Set(p, key);
      oracle[p] = key;
    }
  }
  REQUIRE(bsi.bins() != nullptr);
  CHECK(bsi.bins()->size() == oracle.size());
  CheckAgainstOracle(bsi, oracle, rng, base, span, 8);

  // Everyone active "now": one bin takes them all; Optimize re-cuts the bins.
  for (PersonId p = 0; p < 120'000; ++p) {
    const uint64_t key = base + span + 1 + rng() % 86'400;
    bsi.Set(p, key);
    oracle[p] = key;
  }
  REQUIRE(bsi.bins() != nullptr);
  CHECK(bsi.bins()->Skewed());
  CheckAgainstOracle(bsi, oracle, rng, base, span + 86'400, 6);
  const size_t skewed_bytes = bsi.MemoryBytes();
  bsi.Optimize();
  REQUIRE(bsi.bins() != nullptr);
  CHECK_FALSE(bsi.bins()->Skewed());
  CHECK(bsi.MemoryBytes() > 0);
  CHECK(skewed_bytes > 0);
  CheckAgainstOracle(bsi, oracle, rng, base, span + 86'400, 6);

  // A snapshot round trip rebuilds the layer from the slices.
  ByteWriter w;
  bsi.Serialize(w);
  ByteReader r(w.data(), "bsi");
  auto back = BitSlicedIndex::Deserialize(r);
  REQUIRE(back.ok());
  CHECK(*back == bsi);
  REQUIRE(back->bins() != nullptr);
  CHECK(back->bins()->size() == oracle.size());
  CheckAgainstOracle(*back, oracle, rng, base, span, 6);

  // A key 2^33 past the base cannot be held: the layer goes, answers stay
  // right, and Optimize does not bring it back while the span is too wide.
  bsi.Set(7, base + (uint64_t{1} << 33));
  oracle[7] = base + (uint64_t{1} << 33);
  CHECK(bsi.bins() == nullptr);
  CheckAgainstOracle(bsi, oracle, rng, base, span, 6);
  bsi.Optimize();
  CHECK(bsi.bins() == nullptr);
  bsi.Clear(7);
  oracle.erase(7);
  bsi.Optimize();
  CHECK(bsi.bins() != nullptr);
  CheckAgainstOracle(bsi, oracle, rng, base, span, 6);
}

TEST_CASE("the binned layer's bins and memory", "[storage][bsi]") {
  // Few distinct keys: no layer (the value layer is exact). Many equal keys:
  // fewer bins. The layer costs at most 6 bytes a person plus a bit a bin.
  BitSlicedIndex ages;
  for (PersonId p = 0; p < 70'000; ++p) ages.Set(p, 18 + p % 63);
  ages.Optimize();
  CHECK(ages.bins() == nullptr);

  std::vector<std::pair<PersonId, uint64_t>> lumpy;
  for (PersonId p = 0; p < 70'000; ++p) lumpy.emplace_back(p, p % 2 == 0 ? 5 : 5000 + p);
  const BitSlicedIndex few = BitSlicedIndex::Build(lumpy);
  REQUIRE(few.bins() != nullptr);
  CHECK(few.bins()->bin_count() < audience::SortedBins::kMaxBins);
  CHECK(few.bins()->bin_count() > 1);
  Oracle oracle(lumpy.begin(), lumpy.end());
  std::mt19937_64 rng(3);
  CheckAgainstOracle(few, oracle, rng, 5, 80'000, 8);

  std::vector<uint32_t> ids;
  std::vector<uint64_t> keys;
  for (uint32_t p = 0; p < 100'000; ++p) {
    ids.push_back(p);
    keys.push_back(uint64_t{1} << 40 | (rng() % 1'000'000));
  }
  const std::optional<audience::SortedBins> bins = audience::SortedBins::Build(ids, keys);
  REQUIRE(bins.has_value());
  CHECK(bins->MemoryBytes() < ids.size() * (6 + 2) + 64 * 1024);
  // Below holds exactly the persons with a smaller key, chunk by chunk,
  // for bounds at, between and beyond the stored keys.
  constexpr size_t kWords = Bitmap::kChunkWords;
  const uint64_t base = bins->base();
  std::vector<uint64_t> bounds = {base, base + 1, base + 500'000, uint64_t{1} << 41};
  for (int k = 0; k < 8; ++k) bounds.push_back(keys[rng() % keys.size()] + k % 2);
  for (uint64_t t : bounds) {
    audience::SortedBins::Cursor at;
    for (uint32_t chunk = 0; chunk < 2; ++chunk) {
      std::vector<uint64_t> everyone(kWords, 0), want(kWords, 0), got(kWords), scratch(kWords);
      for (uint32_t p = chunk << 16; p < std::min<uint32_t>((chunk + 1) << 16, 100'000); ++p) {
        everyone[(p & 0xFFFF) >> 6] |= uint64_t{1} << (p & 63);
        if (keys[p] < t) want[(p & 0xFFFF) >> 6] |= uint64_t{1} << (p & 63);
      }
      bins->Below(t, chunk, everyone.data(), got.data(), scratch.data(), &at);
      INFO("bound " << t << " chunk " << chunk);
      CHECK(got == want);
    }
  }
  keys.back() = uint64_t{1} << 41;  // span over 2^32
  CHECK_FALSE(audience::SortedBins::Build(ids, keys).has_value());
  CHECK_FALSE(audience::SortedBins::Build({}, {}).has_value());
}
