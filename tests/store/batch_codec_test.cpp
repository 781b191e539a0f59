#include "audience/store/batch_codec.h"

#include <random>
#include <string>

#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

// One batch with every kind of operation, every value type, odd times
// (sub-nanosecond, infinite) and a column block with nulls and dictionaries.
WriteBatch EveryOp(const Store& store) {
  WriteBatch b(Day(2026, 3, 1) + absl::Nanoseconds(1) / 4 * 7);
  b.SetRow(40);
  b.Upsert(ExternalId::Int(-5));
  b.Tag(ExternalId::Str("ann"), "interest", "fashion",
        {.expires_at = Day(2099, 1, 1), .source = "rule"});
  b.Tag(ExternalId::Str("ann"), "campaign", "spring", {.expires_at = Day(2026, 3, 9)});
  b.Tag(ExternalId::Int(9), "power", "high");
  b.Untag(ExternalId::Int(9), "interest", "tech");
  b.ClearDimension(ExternalId::Str("ann"), "lifecycle");
  b.SetAttribute(ExternalId::Int(9), "age", Value::Int(31));
  b.SetAttribute(ExternalId::Int(9), "score", Value::Double(-2.5));
  b.SetAttribute(ExternalId::Int(9), "gender", Value::Enum("F"));
  b.SetAttribute(ExternalId::Int(9), "registered_at", Value::Time(Day(2025, 1, 1) + absl::Milliseconds(3)));
  b.SetAttribute(ExternalId::Int(9), "vip", Value::Bool(true));
  b.SetAttribute(ExternalId::Str("ann"), "age", Value::Null());
  b.Purchase(ExternalId::Str("ann"), Day(2026, 2, 27), 19.9, {{"category", "skincare"}}, "o-1");
  b.AddEvent(ExternalId::Int(9), "visit", Day(2026, 2, 28));
  b.Link(ExternalId::Str("ann"), ExternalId::Str("ann-wx"));
  b.Delete(ExternalId::Int(-5));
  Bitmap people;
  store.universe().ForEach([&](PersonId p) {
    if (p % 2 == 0) people.Add(p);
  });
  b.AssignBitmap("lifecycle", "active", people, {.source = "classifier"});
  b.ClearValue("interest", "tech");
  ColumnBlock block;
  ColumnValues& age = block.AddAttribute("age", AttributeType::kInt64);
  ColumnValues& region = block.AddAttribute("region", AttributeType::kEnum);
  ColumnValues& score = block.AddAttribute("score", AttributeType::kDouble);
  TagColumn& interest = block.AddTags("interest", {.source = "import"});
  for (int i = 0; i < 50; ++i) {
    block.AddRow(i % 4 ? ExternalId::Int(1000 + i) : ExternalId::Str("c" + std::to_string(i)),
                 i % 3 ? 100 + static_cast<uint64_t>(i) : 0);
    if (i % 5 == 0) age.AppendNull(); else age.AppendInt(20 + i);
    if (i % 6 == 0) region.AppendNull(); else region.AppendEnum(i % 2 ? "north" : "south");
    score.AppendDouble(i * 0.5);
    if (i % 2) interest.Add("books");
    if (i % 3) interest.Add("travel");
    interest.EndRow();
  }
  block.set_apply_threads(2);
  b.SetColumns(std::move(block));
  return b;
}

Store WithPeople() {
  Store store = FullStore();
  WriteBatch seed(Day(2026, 1, 1));
  for (int i = 0; i < 20; ++i) seed.Tag(ExternalId::Int(i), "interest", "tech");
  MustApply(store, seed);
  return store;
}

}  // namespace

TEST_CASE("a decoded batch makes exactly the state the original made", "[store][wal]") {
  Store a = WithPeople(), b = WithPeople();
  const WriteBatch batch = EveryOp(a);
  ByteWriter w;
  EncodeBatch(batch, &w);
  ByteReader r(w.data(), "batch");
  absl::StatusOr<WriteBatch> back = DecodeBatch(&r);
  REQUIRE(back.ok());
  CHECK(r.done());
  REQUIRE(back->size() == batch.size());
  CHECK(back->now() == batch.now());
  // Re-encoding gives the same bytes: nothing was dropped or reordered.
  ByteWriter again;
  EncodeBatch(*back, &again);
  CHECK(again.data() == w.data());
  MustApply(a, batch);
  MustApply(b, *back);
  CHECK(a == b);
}

TEST_CASE("times keep quarter nanoseconds and infinities", "[store][wal]") {
  for (absl::Time t : {absl::InfiniteFuture(), absl::InfinitePast(), absl::UnixEpoch(),
                       absl::FromUnixSeconds(-86400 * 400) + absl::Nanoseconds(1) / 4,
                       Day(2030, 12, 31) + absl::Nanoseconds(999999999)}) {
    ByteWriter w;
    EncodeTime(t, &w);
    ByteReader r(w.data());
    absl::StatusOr<absl::Time> back = DecodeTime(&r, "t");
    REQUIRE(back.ok());
    CHECK(*back == t);
  }
}

TEST_CASE("damaged batch encodings fail cleanly", "[store][wal][errors]") {
  Store store = WithPeople();
  ByteWriter w;
  EncodeBatch(EveryOp(store), &w);
  const std::string bytes = w.data();
  // Every truncation is an error (or, at the very end, trailing bytes are
  // left for the caller's ExpectEnd), never a crash.
  for (size_t n = 0; n < bytes.size(); n += 1 + n / 64) {
    ByteReader r(std::string_view(bytes).substr(0, n), "batch");
    absl::StatusOr<WriteBatch> back = DecodeBatch(&r);
    CHECK_FALSE(back.ok());
    if (!back.ok()) CHECK(back.status().code() == absl::StatusCode::kDataLoss);
  }
  // Random byte changes: an error, or a batch that Store::CheckBatch then
  // judges; never a crash or a huge allocation.
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bad = bytes;
    for (int k = 0; k < 1 + trial % 4; ++k) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    ByteReader r(bad, "batch");
    absl::StatusOr<WriteBatch> back = DecodeBatch(&r);
    if (back.ok()) (void)store.CheckBatch(*back, 5);
  }
}
