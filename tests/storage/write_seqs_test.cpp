// WriteSeqs against a plain vector: every operation, the encoding (byte for
// byte the plain array), and which pages keep arrays.
#include "audience/storage/write_seqs.h"

#include <catch2/catch.hpp>
#include <random>
#include <vector>

using audience::Bitmap;
using audience::ByteReader;
using audience::ByteWriter;
using audience::WriteSeq;
using audience::WriteSeqs;

namespace {

constexpr size_t kPage = WriteSeqs::kPageRows;

void CheckSame(const WriteSeqs& seqs, const std::vector<WriteSeq>& want) {
  REQUIRE(seqs.size() == want.size());
  for (size_t r = 0; r < want.size(); ++r) {
    if (seqs.Get(r) != want[r]) FAIL("row " << r << ": " << seqs.Get(r) << " != " << want[r]);
  }
}

std::string Encoded(const WriteSeqs& seqs) {
  ByteWriter w;
  seqs.Serialize(w);
  return w.Release();
}

}  // namespace

TEST_CASE("write seqs equal a plain vector through every operation", "[storage][seqs]") {
  std::mt19937_64 rng(21);
  WriteSeqs seqs;
  std::vector<WriteSeq> want;
  for (int round = 0; round < 300; ++round) {
    switch (rng() % 5) {
      case 0: {  // grow, often into a partial last page
        const size_t rows = want.size() + rng() % (2 * kPage + 7);
        seqs.Resize(rows);
        want.resize(rows, 0);
        break;
      }
      case 1:
        if (!want.empty()) {
          const size_t r = rng() % want.size();
          const auto s = static_cast<WriteSeq>(rng() % 4);
          seqs.Set(r, s);
          want[r] = s;
        }
        break;
      case 2: {  // a bulk write: whole pages, a partial last page, scattered rows
        Bitmap rows;
        const size_t from = want.empty() ? 0 : rng() % want.size();
        for (size_t r = from; r < want.size(); ++r) {
          if (rng() % 3 != 0 || (r / kPage) % 2 == 0) rows.Add(static_cast<uint32_t>(r));
        }
        const auto s = static_cast<WriteSeq>(1 + rng() % 1000);
        seqs.SetAll(rows, s);
        rows.ForEach([&](uint32_t r) {
          want[r] = s;
          return true;
        });
        break;
      }
      case 3: seqs.Compact(); break;
      default: {  // the encoding is the plain array; decoding gives it back
        ByteWriter plain;
        plain.PutArray(want);
        const std::string bytes = Encoded(seqs);
        CHECK(bytes == plain.data());
        ByteReader in(bytes, "seqs");
        absl::StatusOr<WriteSeqs> back = WriteSeqs::Deserialize(in, "write seqs");
        REQUIRE(back.ok());
        CHECK(in.done());
        CHECK(*back == seqs);
        CheckSame(*back, want);
        break;
      }
    }
    CheckSame(seqs, want);
  }
}

TEST_CASE("a bulk write over whole pages allocates no seq arrays", "[storage][seqs]") {
  WriteSeqs seqs;
  seqs.Resize(10 * kPage + 100);
  const size_t empty = seqs.MemoryBytes();
  seqs.SetAll(Bitmap::FromRange(0, 10 * kPage + 100), 5);
  CHECK(seqs.MemoryBytes() == empty);
  CHECK(seqs.Get(10 * kPage + 99) == 5);
  // One row changed: one page gets its array; Compact drops it once the
  // page holds one seq again.
  seqs.Set(3, 6);
  CHECK(seqs.MemoryBytes() == empty + kPage * sizeof(WriteSeq));
  seqs.Set(3, 5);
  seqs.Compact();
  CHECK(seqs.MemoryBytes() <= empty);
  // Rows added after a uniform partial last page start at 0.
  seqs.Resize(11 * kPage + 5);
  CHECK(seqs.Get(10 * kPage + 99) == 5);
  CHECK(seqs.Get(10 * kPage + 100) == 0);
  CHECK(seqs.Get(11 * kPage + 4) == 0);
}

TEST_CASE("equality pads the shorter side with never-written rows", "[storage][seqs]") {
  WriteSeqs a, b;
  a.Resize(100);
  b.Resize(5000);
  CHECK(a == b);
  b.Set(4999, 1);
  CHECK_FALSE(a == b);
}

TEST_CASE("truncated or hostile seq arrays are refused", "[storage][seqs]") {
  WriteSeqs seqs;
  seqs.Resize(3 * kPage);
  seqs.Set(7, 9);
  const std::string bytes = Encoded(seqs);
  for (size_t cut : {size_t{0}, size_t{4}, size_t{8}, bytes.size() - 1}) {
    ByteReader in(std::string_view(bytes).substr(0, cut), "seqs");
    CHECK_FALSE(WriteSeqs::Deserialize(in, "write seqs").ok());
  }
  ByteWriter huge;
  huge.PutU64(uint64_t{1} << 60);  // a count no input could hold
  ByteReader in(huge.data(), "seqs");
  CHECK_FALSE(WriteSeqs::Deserialize(in, "write seqs").ok());
}
