#include "audience/storage/attribute_column.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

using audience::AttributeColumn;
using audience::AttributeSpec;
using audience::ColumnValues;
using audience::AttributeType;
using audience::Bitmap;
using audience::ByteReader;
using audience::ByteWriter;
using audience::CompareOp;
using audience::PersonId;
using audience::Value;

namespace {

constexpr CompareOp kAllOps[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                 CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

AttributeSpec Spec(std::string name, AttributeType type, std::vector<std::string> values = {}) {
  AttributeSpec s;
  s.name = std::move(name);
  s.type = type;
  s.enum_values = std::move(values);
  return s;
}

Value Seconds(int64_t s) { return Value::Time(absl::FromUnixSeconds(s)); }
Value Millis(int64_t ms) { return Value::Time(absl::FromUnixMillis(ms)); }

bool Contains(const absl::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

// Every comparison and a BETWEEN against the scan oracle.
void CheckQueries(const AttributeColumn& col, const std::vector<Value>& constants) {
  for (const Value& c : constants) {
    for (CompareOp op : kAllOps) {
      auto got = col.Compare(op, c);
      REQUIRE(got.ok());
      INFO("op " << static_cast<int>(op));
      REQUIRE(*got == col.ScanCompare(op, c));
      REQUIRE(col.CountCompare(op, c).value() == got->Cardinality());
    }
  }
  for (size_t i = 0; i + 1 < constants.size(); ++i) {
    const Value& lo = constants[i];
    const Value& hi = constants[i + 1];
    auto got = col.Between(lo, hi);
    REQUIRE(got.ok());
    REQUIRE(*got == (col.ScanCompare(CompareOp::kGe, lo) & col.ScanCompare(CompareOp::kLe, hi)));
    REQUIRE(col.CountBetween(lo, hi).value() == got->Cardinality());
  }
}

AttributeColumn RoundTrip(const AttributeColumn& col, const AttributeSpec& spec) {
  ByteWriter w;
  col.Serialize(w);
  ByteReader r(w.data(), "column");
  auto back = AttributeColumn::Deserialize(r, spec);
  REQUIRE(back.ok());
  REQUIRE(r.done());
  return std::move(back).value();
}

absl::Status LoadStatus(const std::string& bytes, const AttributeSpec& spec) {
  ByteReader r(bytes, "column");
  return AttributeColumn::Deserialize(r, spec).status();
}

}  // namespace

TEST_CASE("set, get, null and write seq for every type", "[storage][attribute]") {
  struct Case {
    AttributeType type;
    Value a, b;
  };
  const Case cases[] = {
      {AttributeType::kInt64, Value::Int(-5), Value::Int(kMax)},
      {AttributeType::kDouble, Value::Double(-2.5), Value::Double(1e300)},
      {AttributeType::kEnum, Value::Enum("gold"), Value::Enum("silver")},
      {AttributeType::kTimestamp, Seconds(-86400), Seconds(1700000000)},
      {AttributeType::kBool, Value::Bool(true), Value::Bool(false)},
  };
  for (const Case& c : cases) {
    AttributeColumn col(Spec("x", c.type));
    CHECK(col.type() == c.type);
    CHECK(col.name() == "x");
    CHECK(col.Get(3).is_null());
    CHECK(col.WrittenSeq(3) == 0);
    col.Set(3, c.a, 1);
    col.Set(100000, c.b, 2);
    CHECK(col.Get(3) == c.a);
    CHECK(col.Get(100000) == c.b);
    CHECK(col.Get(4).is_null());
    CHECK(col.WrittenSeq(3) == 1);
    CHECK(col.NotNull() == Bitmap::Of({3, 100000}));
    col.Set(3, c.b, 5);
    CHECK(col.Get(3) == c.b);
    col.Set(3, Value::Null(), 6);  // a written null records its seq
    CHECK(col.Get(3).is_null());
    CHECK(col.WrittenSeq(3) == 6);
    CHECK(col.NotNull() == Bitmap::Of({100000}));
    CHECK(col.MemoryBytes() > 0);
    col.RemovePerson(100000);
    col.RemovePerson(7777777);  // never seen: no-op
    CHECK(col.Get(100000).is_null());
    CHECK(col.WrittenSeq(100000) == 0);
    CHECK(col.NotNull().IsEmpty());
    CHECK_FALSE(col.MinMax().has_value());
  }
}

TEST_CASE("check rejects every mismatch with a message naming it", "[storage][attribute]") {
  const Value samples[] = {Value::Int(1), Value::Double(1.5), Value::Enum("abc"), Seconds(0),
                           Value::Bool(true)};
  const AttributeType types[] = {AttributeType::kInt64, AttributeType::kDouble,
                                 AttributeType::kEnum, AttributeType::kTimestamp,
                                 AttributeType::kBool};
  for (AttributeType t : types) {
    AttributeColumn col(Spec("age", t));
    CHECK(col.Check(Value::Null()).ok());
    for (const Value& v : samples) {
      const bool fits = v.type() == t || (t == AttributeType::kDouble &&
                                          v.type() == AttributeType::kInt64);
      absl::Status s = col.Check(v);
      CHECK(s.ok() == fits);
      if (!fits) {
        CHECK(s.code() == absl::StatusCode::kInvalidArgument);
        CHECK(Contains(s, "attribute 'age' expects "));
      }
    }
  }
  AttributeColumn age(Spec("age", AttributeType::kInt64));
  CHECK(age.Check(Value::Enum("abc")).message() == "attribute 'age' expects int64, got enum 'abc'");
  AttributeColumn price(Spec("price", AttributeType::kDouble));
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    absl::Status s = price.Check(Value::Double(bad));
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(Contains(s, "attribute 'price' expects a finite double"));
  }
  AttributeColumn seen(Spec("seen", AttributeType::kTimestamp));
  CHECK(Contains(seen.Check(Value::Time(absl::InfiniteFuture())), "finite timestamp"));
  CHECK_FALSE(seen.Check(Value::Time(absl::InfinitePast())).ok());
  AttributeColumn tier(Spec("tier", AttributeType::kEnum, {"bronze", "silver", "gold"}));
  CHECK(tier.Check(Value::Enum("gold")).ok());
  absl::Status s = tier.Check(Value::Enum("platinum"));
  CHECK(s.message() ==
        "attribute 'tier' has no value 'platinum'; known values: 'bronze', 'silver', 'gold'");
  AttributeColumn city(Spec("city", AttributeType::kEnum));  // open
  CHECK(city.Check(Value::Enum("Zürich")).ok());
  CHECK_FALSE(city.Check(Value::Enum("")).ok());
  CHECK_FALSE(city.Check(Value::Enum("a\nb")).ok());
  CHECK_FALSE(city.Check(Value::Enum("\xff\xfe")).ok());
  CHECK_FALSE(city.Check(Value::Enum(std::string(300, 'x'))).ok());
  std::vector<std::string> many;
  for (int i = 0; i < 30; ++i) many.push_back("v" + std::to_string(i));
  AttributeColumn big(Spec("big", AttributeType::kEnum, many));
  CHECK(Contains(big.Check(Value::Enum("nope")), "... (10 more)"));
}

TEST_CASE("int64 comparisons cover negatives and the extremes", "[storage][attribute]") {
  AttributeColumn col(Spec("n", AttributeType::kInt64));
  const int64_t values[] = {kMin, kMin + 1, -1000, -1, 0, 1, 30, 1000, kMax - 1, kMax};
  PersonId p = 0;
  for (int64_t v : values) col.Set(p++, Value::Int(v), 1);
  CHECK(*col.Compare(CompareOp::kLt, Value::Int(0)) == Bitmap::Of({0, 1, 2, 3}));
  CHECK(*col.Compare(CompareOp::kEq, Value::Int(kMin)) == Bitmap::Of({0}));
  CHECK(*col.Compare(CompareOp::kGe, Value::Int(kMax)) == Bitmap::Of({9}));
  CHECK(col.Compare(CompareOp::kGt, Value::Int(kMax))->IsEmpty());
  CHECK(*col.Between(Value::Int(-1), Value::Int(1)) == Bitmap::Of({3, 4, 5}));
  CHECK(col.Between(Value::Int(1), Value::Int(-1))->IsEmpty());
  // NULL never matches, even `!=`.
  col.Set(50, Value::Null(), 2);
  CHECK_FALSE(col.Compare(CompareOp::kNe, Value::Int(30))->Contains(50));
  CHECK(col.MinMax() == std::make_pair(Value::Int(kMin), Value::Int(kMax)));
  std::vector<Value> constants;
  for (int64_t v : values) {
    constants.push_back(Value::Int(v));
    if (v != kMax) constants.push_back(Value::Int(v + 1));
  }
  CheckQueries(col, constants);
}

TEST_CASE("doubles order across signs and -0.0 equals 0.0", "[storage][attribute]") {
  AttributeColumn col(Spec("d", AttributeType::kDouble));
  const double values[] = {-1e300, -2.5, -0.0, 0.0, 4.9e-324, 3.5, 1e300};
  PersonId p = 0;
  for (double v : values) col.Set(p++, Value::Double(v), 1);
  col.Set(p++, Value::Int(-3), 1);  // converted
  CHECK(col.Get(2) == Value::Double(0.0));
  CHECK_FALSE(std::signbit(col.Get(2).double_value()));
  CHECK(col.Get(7) == Value::Double(-3.0));
  CHECK(*col.Compare(CompareOp::kEq, Value::Double(-0.0)) == Bitmap::Of({2, 3}));
  CHECK(*col.Compare(CompareOp::kEq, Value::Int(0)) == Bitmap::Of({2, 3}));
  CHECK(*col.Compare(CompareOp::kLt, Value::Double(0.0)) == Bitmap::Of({0, 1, 7}));
  CHECK(*col.Compare(CompareOp::kGt, Value::Double(-2.5)) == Bitmap::Of({2, 3, 4, 5, 6}));
  CHECK(*col.Between(Value::Double(-3), Value::Int(0)) == Bitmap::Of({1, 2, 3, 7}));
  CHECK(col.MinMax() == std::make_pair(Value::Double(-1e300), Value::Double(1e300)));
  CHECK(col.Compare(CompareOp::kLt, Value::Double(std::nan(""))).status().code() ==
        absl::StatusCode::kInvalidArgument);
  std::vector<Value> constants;
  for (double v : {-1e301, -1e300, -3.0, -2.5, -1e-300, -0.0, 0.0, 4.9e-324, 3.5, 1e300, 1e301}) {
    constants.push_back(Value::Double(v));
  }
  constants.push_back(Value::Int(-3));
  CheckQueries(col, constants);
}

TEST_CASE("timestamps floor to seconds and compare exactly, also before 1970",
          "[storage][attribute]") {
  AttributeColumn col(Spec("ts", AttributeType::kTimestamp));
  col.Set(0, Millis(-1500), 1);  // floors to -2
  col.Set(1, Seconds(-1), 1);
  col.Set(2, Seconds(0), 1);
  col.Set(3, Millis(1999), 1);  // floors to 1
  CHECK(col.Get(0) == Seconds(-2));
  CHECK(col.Get(3) == Seconds(1));
  CHECK(*col.Compare(CompareOp::kLt, Seconds(0)) == Bitmap::Of({0, 1}));
  CHECK(*col.Compare(CompareOp::kLt, Millis(-1500)) == Bitmap::Of({0}));
  CHECK(*col.Compare(CompareOp::kGe, Millis(-1500)) == Bitmap::Of({1, 2, 3}));
  CHECK(col.Compare(CompareOp::kEq, Millis(500))->IsEmpty());
  CHECK(*col.Compare(CompareOp::kNe, Millis(500)) == Bitmap::Of({0, 1, 2, 3}));
  CHECK(*col.Between(Millis(-1999), Millis(999)) == Bitmap::Of({1, 2}));
  CHECK(col.Between(Millis(100), Millis(900))->IsEmpty());
  CHECK(col.MinMax() == std::make_pair(Seconds(-2), Seconds(1)));
  std::vector<Value> constants;
  for (int64_t ms : {-5000, -2001, -2000, -1999, -1500, -1000, -1, 0, 1, 999, 1000, 1001, 5000}) {
    constants.push_back(Millis(ms));
  }
  CheckQueries(col, constants);
}

TEST_CASE("numeric columns match the scan oracle on random data", "[storage][attribute]") {
  std::mt19937_64 rng(99);
  for (AttributeType t : {AttributeType::kInt64, AttributeType::kDouble,
                          AttributeType::kTimestamp}) {
    AttributeColumn col(Spec("r", t));
    auto random_value = [&](int64_t scale) -> Value {
      const int64_t x = static_cast<int64_t>(rng() % (2 * scale + 1)) - scale;
      switch (t) {
        case AttributeType::kDouble: return Value::Double(static_cast<double>(x) / 7.0);
        case AttributeType::kTimestamp: return Millis(x * 337);
        default: return Value::Int(x);
      }
    };
    for (int64_t scale : {int64_t{20}, int64_t{1000}, int64_t{1000000}, int64_t{1} << 40}) {  // depth grows round by round
      for (int k = 0; k < 800; ++k) {
        const PersonId p = static_cast<PersonId>(rng() % 3000);
        switch (rng() % 8) {
          case 0: col.Set(p, Value::Null(), 3); break;
          case 1: col.RemovePerson(p); break;
          default: col.Set(p, random_value(scale), 4);
        }
      }
      std::vector<Value> constants;
      for (int q = 0; q < 60; ++q) {
        constants.push_back(q % 3 == 0 ? col.Get(static_cast<PersonId>(rng() % 3000))
                                       : random_value(scale * 2));
        if (constants.back().is_null()) constants.back() = random_value(scale);
      }
      CheckQueries(col, constants);
      CHECK(RoundTrip(col, Spec("r", t)) == col);
    }
    AttributeColumn optimized = col;
    optimized.Optimize();
    CHECK(optimized == col);
    CHECK(optimized.range_index().slice_count() <= col.range_index().slice_count());
  }
}

TEST_CASE("enum equality, membership and counts", "[storage][attribute]") {
  AttributeColumn tier(Spec("tier", AttributeType::kEnum, {"bronze", "silver", "gold"}));
  tier.Set(1, Value::Enum("gold"), 1);
  tier.Set(2, Value::Enum("silver"), 1);
  tier.Set(3, Value::Enum("gold"), 1);
  tier.Set(3, Value::Enum("bronze"), 2);  // moves between value bitmaps
  tier.Set(3, Value::Enum("bronze"), 3);
  CHECK(*tier.Compare(CompareOp::kEq, Value::Enum("gold")) == Bitmap::Of({1}));
  CHECK(*tier.Compare(CompareOp::kNe, Value::Enum("gold")) == Bitmap::Of({2, 3}));
  CHECK(*tier.EnumMembers("bronze") == Bitmap::Of({3}));
  CHECK(tier.EnumMembers("platinum") == nullptr);
  using Counts = std::vector<std::pair<std::string, uint64_t>>;
  CHECK(tier.EnumCounts() == Counts{{"bronze", 1}, {"silver", 1}, {"gold", 1}});
  CHECK(*tier.In(std::vector<Value>{Value::Enum("gold"), Value::Enum("silver")}) ==
        Bitmap::Of({1, 2}));
  CHECK(tier.In({})->IsEmpty());
  CHECK(tier.MinMax() == std::make_pair(Value::Enum("bronze"), Value::Enum("silver")));
  CHECK(Contains(tier.Compare(CompareOp::kEq, Value::Enum("platinum")).status(), "known values"));
  CHECK(tier.Compare(CompareOp::kLt, Value::Enum("gold")).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Contains(tier.Between(Value::Enum("a"), Value::Enum("b")).status(), "BETWEEN"));
  CHECK(Contains(tier.CountBetween(Value::Enum("a"), Value::Enum("b")).status(), "BETWEEN"));
  CHECK(Contains(tier.CountCompare(CompareOp::kEq, Value::Enum("platinum")).status(),
                 "known values"));
  CHECK(tier.ScanCompare(CompareOp::kLt, Value::Enum("gold")).IsEmpty());

  AttributeColumn city(Spec("city", AttributeType::kEnum));  // open: interned on Set
  city.Set(5, Value::Enum("paris"), 1);
  city.Set(6, Value::Enum("oslo"), 1);
  CHECK(city.Compare(CompareOp::kEq, Value::Enum("rome"))->IsEmpty());
  CHECK(*city.Compare(CompareOp::kNe, Value::Enum("rome")) == Bitmap::Of({5, 6}));
  for (const char* v : {"paris", "oslo", "rome"}) {
    for (CompareOp op : {CompareOp::kEq, CompareOp::kNe}) {
      CHECK(*city.Compare(op, Value::Enum(v)) == city.ScanCompare(op, Value::Enum(v)));
      CHECK(*city.CountCompare(op, Value::Enum(v)) ==
            city.ScanCompare(op, Value::Enum(v)).Cardinality());
    }
  }
  CHECK(AttributeColumn(Spec("n", AttributeType::kInt64)).EnumMembers("x") == nullptr);
}

TEST_CASE("bool equality and operand errors", "[storage][attribute]") {
  AttributeColumn vip(Spec("vip", AttributeType::kBool));
  vip.Set(1, Value::Bool(true), 1);
  vip.Set(2, Value::Bool(false), 1);
  vip.Set(3, Value::Bool(true), 1);
  vip.Set(3, Value::Bool(false), 2);
  CHECK(*vip.Compare(CompareOp::kEq, Value::Bool(true)) == Bitmap::Of({1}));
  CHECK(*vip.Compare(CompareOp::kEq, Value::Bool(false)) == Bitmap::Of({2, 3}));
  CHECK(*vip.Compare(CompareOp::kNe, Value::Bool(false)) == Bitmap::Of({1}));
  CHECK(*vip.Compare(CompareOp::kNe, Value::Bool(true)) == Bitmap::Of({2, 3}));
  for (bool b : {true, false}) {
    for (CompareOp op : {CompareOp::kEq, CompareOp::kNe}) {
      CHECK(*vip.Compare(op, Value::Bool(b)) == vip.ScanCompare(op, Value::Bool(b)));
    }
  }
  CHECK(vip.MinMax() == std::make_pair(Value::Bool(false), Value::Bool(true)));
  CHECK(Contains(vip.Compare(CompareOp::kGt, Value::Bool(true)).status(), "only = and !="));
  CHECK(Contains(vip.Compare(CompareOp::kEq, Value::Null()).status(), "use IS NULL"));
  CHECK(Contains(vip.Compare(CompareOp::kEq, Value::Int(1)).status(), "expects bool"));
  AttributeColumn age(Spec("age", AttributeType::kInt64));
  CHECK_FALSE(age.Between(Value::Null(), Value::Int(3)).ok());
  CHECK_FALSE(age.Between(Value::Int(3), Value::Double(4)).ok());
  CHECK_FALSE(age.CountBetween(Value::Null(), Value::Int(3)).ok());
  CHECK_FALSE(age.CountCompare(CompareOp::kEq, Value::Null()).ok());
  CHECK(Contains(age.In(std::vector<Value>{Value::Int(1), Value::Null()}).status(), "IS NULL"));
  CHECK(age.ScanCompare(CompareOp::kEq, Value::Enum("x")).IsEmpty());
  age.Set(4, Value::Int(7), 1);
  age.Set(5, Value::Int(9), 1);
  CHECK(*age.In(std::vector<Value>{Value::Int(9), Value::Int(7), Value::Int(8)}) ==
        Bitmap::Of({4, 5}));
}

TEST_CASE("merge: the larger write seq wins, ties keep into", "[storage][attribute]") {
  AttributeColumn col(Spec("age", AttributeType::kInt64));
  col.Set(1, Value::Int(10), 5);
  col.Set(2, Value::Int(20), 3);
  col.MergePerson(1, 2);  // from is newer
  CHECK(col.Get(2) == Value::Int(10));
  CHECK(col.WrittenSeq(2) == 5);
  CHECK(col.Get(1).is_null());
  CHECK(col.WrittenSeq(1) == 0);
  col.Set(3, Value::Int(30), 5);
  col.MergePerson(3, 2);  // tie: into keeps
  CHECK(col.Get(2) == Value::Int(10));
  col.MergePerson(4, 2);  // from never written
  CHECK(col.Get(2) == Value::Int(10));
  col.Set(6, Value::Int(60), 1);
  col.MergePerson(6, 7);  // into never written: takes from's value
  CHECK(col.Get(7) == Value::Int(60));
  CHECK(col.WrittenSeq(7) == 1);
  col.Set(8, Value::Null(), 9);  // a newer written null clears into
  col.MergePerson(8, 7);
  CHECK(col.Get(7).is_null());
  CHECK(col.WrittenSeq(7) == 9);
  col.MergePerson(2, 2);  // self: no-op
  CHECK(col.Get(2) == Value::Int(10));
  CHECK(*col.Compare(CompareOp::kGe, Value::Int(0)) == Bitmap::Of({2}));

  AttributeColumn tier(Spec("tier", AttributeType::kEnum, {"a", "b"}));
  tier.Set(1, Value::Enum("a"), 2);
  tier.Set(2, Value::Enum("b"), 1);
  tier.MergePerson(1, 2);
  CHECK(*tier.EnumMembers("a") == Bitmap::Of({2}));
  CHECK(tier.EnumMembers("b")->IsEmpty());
}

// A random value of `type` (enums from a small list, some nulls).
Value RandomValue(AttributeType type, std::mt19937& rng) {
  if (rng() % 10 == 0) return Value::Null();
  switch (type) {
    case AttributeType::kInt64: return Value::Int(static_cast<int64_t>(rng() % 2000) - 1000);
    case AttributeType::kDouble: return Value::Double((static_cast<int>(rng() % 400) - 200) * 0.5);
    case AttributeType::kEnum: return Value::Enum(std::string(1, static_cast<char>('a' + rng() % 5)));
    case AttributeType::kTimestamp: return Seconds(1700000000 + rng() % 9999);
    case AttributeType::kBool: return Value::Bool(rng() % 2 == 0);
  }
  return Value::Null();
}

TEST_CASE("bulk SetColumn equals row-by-row Set", "[storage][attribute]") {
  for (AttributeType type : {AttributeType::kInt64, AttributeType::kDouble, AttributeType::kEnum,
                             AttributeType::kTimestamp, AttributeType::kBool}) {
    std::mt19937 rng(5 + static_cast<unsigned>(type));
    AttributeColumn bulk(Spec("x", type));
    AttributeColumn rows(Spec("x", type));
    // Rounds 0-1: distinct people (the rebuild path); round 2: repeats (the
    // row-by-row path); round 3: a small block.
    for (int round = 0; round < 4; ++round) {
      std::vector<PersonId> people;
      ColumnValues values(type);
      const int count = round == 3 ? 50 : 5000;
      for (int k = 0; k < count; ++k) {
        people.push_back(round == 2 ? static_cast<PersonId>(rng() % 3000)
                                    : static_cast<PersonId>(k * 3 + round));
        values.Append(RandomValue(type, rng));
      }
      size_t problems = 0;
      bulk.CheckColumn(values, [&](size_t, std::string_view) { ++problems; });
      REQUIRE(problems == 0);
      bulk.SetColumn(people, values, static_cast<uint32_t>(round + 1));
      for (size_t r = 0; r < people.size(); ++r) {
        rows.Set(people[r], values.At(r), static_cast<uint32_t>(round + 1));
      }
      CHECK(bulk == rows);
      CHECK(bulk.NotNull() == rows.NotNull());
      CHECK(bulk.range_index() == rows.range_index());
      if (type == AttributeType::kEnum) {
        for (std::string v : {"a", "b", "c", "d", "e"}) {
          CHECK(*bulk.EnumMembers(v) == *rows.EnumMembers(v));
        }
      }
      if (type == AttributeType::kBool) {
        CHECK(*bulk.Compare(CompareOp::kEq, Value::Bool(true)) ==
              *rows.Compare(CompareOp::kEq, Value::Bool(true)));
      }
    }
  }
}

TEST_CASE("CheckColumn names each bad row", "[storage][attribute]") {
  std::vector<std::pair<size_t, std::string>> bad;
  auto collect = [&](size_t row, std::string_view m) { bad.emplace_back(row, std::string(m)); };

  AttributeColumn tier(Spec("tier", AttributeType::kEnum, {"gold", "silver"}));
  ColumnValues tiers(AttributeType::kEnum);
  for (const char* v : {"gold", "bronze", "silver", "bronze"}) tiers.AppendEnum(v);
  tiers.AppendNull();
  tier.CheckColumn(tiers, collect);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].first == 1);
  CHECK(bad[1].first == 3);
  CHECK(bad[0].second.find("has no value 'bronze'") != std::string::npos);

  bad.clear();
  AttributeColumn spend(Spec("spend", AttributeType::kDouble));
  ColumnValues spends(AttributeType::kDouble);
  spends.AppendDouble(1.5);
  spends.AppendDouble(std::numeric_limits<double>::infinity());
  spends.AppendNull();
  spend.CheckColumn(spends, collect);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].first == 1);
  CHECK(bad[0].second.find("finite") != std::string::npos);

  bad.clear();
  ColumnValues ints(AttributeType::kInt64);
  ints.AppendInt(3);
  spend.CheckColumn(ints, collect);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].second == "attribute 'spend' expects double, got a column of int64");

  bad.clear();
  ColumnValues codes(AttributeType::kEnum);
  codes.AppendInt(7);  // a raw code outside the (empty) dictionary
  tier.CheckColumn(codes, collect);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].second.find("outside the dictionary") != std::string::npos);

  bad.clear();
  AttributeColumn flag(Spec("flag", AttributeType::kBool));
  ColumnValues flags(AttributeType::kBool);
  flags.AppendInt(2);
  flag.CheckColumn(flags, collect);
  CHECK(bad.size() == 1);
}

TEST_CASE("ColumnValues keeps rows, nulls and a dictionary", "[storage][attribute]") {
  ColumnValues v(AttributeType::kEnum);
  v.AppendEnum("x");
  v.AppendNull();
  v.AppendEnum("y");
  v.AppendEnum("x");
  CHECK(v.size() == 4);
  CHECK(v.dictionary() == std::vector<std::string>{"x", "y"});
  CHECK(v.At(1).is_null());
  CHECK(v.At(3) == Value::Enum("x"));
  v.Filter({false, true, true, false});
  CHECK(v.size() == 2);
  CHECK(v.At(0).is_null());
  CHECK(v.At(1) == Value::Enum("y"));
  CHECK(v.has_nulls());
}

TEST_CASE("round trips for every type", "[storage][attribute]") {
  const AttributeSpec specs[] = {
      Spec("i", AttributeType::kInt64),     Spec("d", AttributeType::kDouble),
      Spec("e", AttributeType::kEnum),      Spec("c", AttributeType::kEnum, {"x", "y"}),
      Spec("t", AttributeType::kTimestamp), Spec("b", AttributeType::kBool)};
  for (const AttributeSpec& spec : specs) {
    AttributeColumn col(spec);
    const AttributeColumn empty = col;
    CHECK(RoundTrip(empty, spec) == empty);
    for (PersonId p = 0; p < 40; p += 3) {
      Value v;
      switch (spec.type) {
        case AttributeType::kInt64: v = Value::Int(static_cast<int64_t>(p) - 20); break;
        case AttributeType::kDouble: v = Value::Double(p * 0.25 - 3); break;
        case AttributeType::kEnum: v = Value::Enum(p % 2 ? "x" : "y"); break;
        case AttributeType::kTimestamp: v = Seconds(p * 1000 - 5000); break;
        case AttributeType::kBool: v = Value::Bool(p % 2 == 0); break;
      }
      col.Set(p, p % 9 == 0 ? Value::Null() : v, p + 1);
    }
    AttributeColumn back = RoundTrip(col, spec);
    CHECK(back == col);
    CHECK(back != empty);
    for (PersonId p = 0; p < 40; ++p) CHECK(back.Get(p) == col.Get(p));
    ByteWriter w;
    col.Serialize(w);
    for (size_t n = 0; n < w.size(); ++n) {
      CHECK_FALSE(LoadStatus(w.data().substr(0, n), spec).ok());
    }
  }
}

TEST_CASE("deserialize rejects inconsistent data", "[storage][attribute]") {
  // Hand-written column: version, name, type, seqs, not-null, then the data.
  auto column = [](const std::string& name, AttributeType type, std::vector<uint32_t> seqs,
                   const Bitmap& not_null) {
    auto w = std::make_unique<ByteWriter>();
    w->PutU8(1);
    w->PutString(name);
    w->PutU8(static_cast<uint8_t>(type));
    w->PutArray(seqs);
    w->PutBitmap(not_null);
    return w;
  };
  const AttributeSpec age = Spec("age", AttributeType::kInt64);
  auto ints = [&](std::vector<uint32_t> seqs, Bitmap nn, std::vector<int64_t> vals) {
    auto w = column("age", AttributeType::kInt64, std::move(seqs), nn);
    w->PutArray(vals);
    return LoadStatus(w->data(), age);
  };
  CHECK(ints({1, 1}, Bitmap::Of({0, 1}), {5, 6}).ok());
  CHECK(Contains(ints({1, 1}, Bitmap::Of({0, 1}), {5}), "1 values for 2 rows"));
  CHECK(Contains(ints({1, 1}, Bitmap::Of({0, 2}), {5, 6, 7}), "beyond the 2 rows"));
  CHECK(Contains(ints({1, 0}, Bitmap::Of({0, 1}), {5, 6}), "no write seq"));
  CHECK(Contains(ints({1, 1}, Bitmap::Of({0}), {5, 6}), "null row 1 holds a value"));
  {
    auto w = column("age", AttributeType::kInt64, {}, Bitmap());
    w->PutArray(std::vector<int64_t>{});
    CHECK(Contains(LoadStatus(w->data(), Spec("other", AttributeType::kInt64)), "column 'age'"));
    CHECK(Contains(LoadStatus(w->data(), Spec("age", AttributeType::kDouble)), "type byte"));
    std::string bytes = w->data();
    bytes[0] = 9;
    CHECK(Contains(LoadStatus(bytes, age), "unknown version 9"));
  }
  const AttributeSpec price = Spec("p", AttributeType::kDouble);
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity(), -0.0}) {
    auto w = column("p", AttributeType::kDouble, {1}, Bitmap::Of({0}));
    w->PutArray(std::vector<double>{bad});
    CHECK(Contains(LoadStatus(w->data(), price), "row 0 holds"));
  }
  {
    auto w = column("p", AttributeType::kDouble, {1}, Bitmap());
    w->PutArray(std::vector<double>{-0.0});  // null row with a non-zero bit pattern
    CHECK(Contains(LoadStatus(w->data(), price), "null row 0"));
  }
  auto enums = [&](const AttributeSpec& spec, std::vector<std::string> dict,
                   std::vector<uint32_t> codes, Bitmap nn) {
    auto w = column(spec.name, AttributeType::kEnum, std::vector<uint32_t>(codes.size(), 1), nn);
    w->PutU32(static_cast<uint32_t>(dict.size()));
    for (const auto& s : dict) w->PutString(s);
    w->PutArray(codes);
    return LoadStatus(w->data(), spec);
  };
  const AttributeSpec open = Spec("city", AttributeType::kEnum);
  const AttributeSpec closed = Spec("tier", AttributeType::kEnum, {"a", "b"});
  CHECK(enums(open, {"x", "y"}, {1, 0}, Bitmap::Of({0, 1})).ok());
  CHECK(Contains(enums(open, {"x", "y"}, {2, 0}, Bitmap::Of({0, 1})), "code 2 of 2"));
  CHECK(Contains(enums(open, {"x", "x"}, {0}, Bitmap::Of({0})), "duplicate value 'x'"));
  CHECK_FALSE(enums(open, {"bad\x01"}, {0}, Bitmap::Of({0})).ok());
  CHECK(Contains(enums(open, {"x", "y"}, {0, 1}, Bitmap::Of({0})), "null row 1"));
  CHECK(enums(closed, {"a", "b"}, {1}, Bitmap::Of({0})).ok());
  CHECK(Contains(enums(closed, {"b", "a"}, {1}, Bitmap::Of({0})), "closed list has 'a'"));
  CHECK(Contains(enums(closed, {"a"}, {0}, Bitmap::Of({0})), "closed list of 2"));
  {
    auto w = column("city", AttributeType::kEnum, {}, Bitmap());
    w->PutU32(4000000000u);  // hostile count
    CHECK(Contains(LoadStatus(w->data(), open), "exceeds"));
  }
  {
    auto w = column("vip", AttributeType::kBool, {1, 1}, Bitmap::Of({0}));
    w->PutBitmap(Bitmap::Of({1}));
    CHECK(Contains(LoadStatus(w->data(), Spec("vip", AttributeType::kBool)), "trues"));
  }
}
