// The columnar write path against its definition: a block equals the same
// rows applied op by op (Upsert, SetAttribute, Tag).
#include "audience/store/column_block.h"

#include <random>

#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

struct Row {
  ExternalId id;
  std::vector<Value> attributes;          // age, score, gender, region, registered_at, vip
  std::vector<std::string> interests, power, lifecycle;
};

const char* kAttributes[] = {"age", "score", "gender", "region", "registered_at", "vip"};
const AttributeType kTypes[] = {AttributeType::kInt64, AttributeType::kDouble,
                                AttributeType::kEnum,  AttributeType::kEnum,
                                AttributeType::kTimestamp, AttributeType::kBool};

Row RandomRow(std::mt19937& rng, uint32_t people) {
  auto pick = [&](uint32_t n) { return rng() % n; };
  Row row;
  row.id = ExternalId::Int(pick(people));
  auto maybe_null = [&](Value v) { return pick(8) == 0 ? Value::Null() : v; };
  row.attributes = {
      maybe_null(Value::Int(18 + pick(60))),
      maybe_null(Value::Double(static_cast<double>(pick(1000)) * 0.25 - 10)),
      maybe_null(Value::Enum(pick(2) ? "F" : "M")),
      maybe_null(Value::Enum("r" + std::to_string(pick(7)))),
      maybe_null(Value::Time(Day(2024, 1, 1) + absl::Hours(pick(20000)))),
      maybe_null(Value::Bool(pick(2) == 0)),
  };
  for (auto k = pick(4); k > 0; --k) row.interests.push_back("t" + std::to_string(pick(9)));
  if (pick(3) != 0) row.power.push_back(pick(2) ? "high" : "low");
  if (pick(3) != 0) row.lifecycle.push_back(pick(2) ? "new" : "active");
  return row;
}

ColumnBlock BlockOf(const std::vector<Row>& rows) {
  ColumnBlock block;
  std::vector<ColumnValues*> columns;
  for (size_t a = 0; a < 6; ++a) columns.push_back(&block.AddAttribute(kAttributes[a], kTypes[a]));
  TagColumn& interest = block.AddTags("interest", {.source = "import"});
  TagColumn& power = block.AddTags("power", {.source = "import"});
  TagColumn& lifecycle = block.AddTags("lifecycle", {.source = "import"});
  for (size_t r = 0; r < rows.size(); ++r) {
    block.AddRow(rows[r].id, 100 + r);
    for (size_t a = 0; a < 6; ++a) columns[a]->Append(rows[r].attributes[a]);
    for (const auto& [column, values] :
         {std::pair{&interest, &rows[r].interests}, std::pair{&power, &rows[r].power},
          std::pair{&lifecycle, &rows[r].lifecycle}}) {
      for (const std::string& v : *values) column->Add(v);
      column->EndRow();
    }
  }
  return block;
}

WriteBatch OpsOf(const std::vector<Row>& rows, absl::Time now) {
  WriteBatch batch(now);
  for (const Row& row : rows) {
    batch.Upsert(row.id);
    for (size_t a = 0; a < 6; ++a) batch.SetAttribute(row.id, kAttributes[a], row.attributes[a]);
    for (const std::string& v : row.interests) batch.Tag(row.id, "interest", v, {.source = "import"});
    for (const std::string& v : row.power) batch.Tag(row.id, "power", v, {.source = "import"});
    for (const std::string& v : row.lifecycle) batch.Tag(row.id, "lifecycle", v, {.source = "import"});
  }
  return batch;
}

}  // namespace

TEST_CASE("a column block equals the same rows applied op by op", "[store][block]") {
  // Sizes cover the row-by-row column path (< 1024 rows, or people named
  // twice) and the rebuild path (distinct people, large block).
  for (uint32_t people : {50u, 3000u, 200000u}) {
    std::mt19937 rng(people);
    Store bulk = FullStore();
    Store ops = FullStore();
    for (int round = 0; round < 2; ++round) {
      std::vector<Row> rows;
      const uint32_t count = people == 200000u ? 5000 : people;
      for (uint32_t k = 0; k < count; ++k) rows.push_back(RandomRow(rng, people));
      if (people == 200000u) {  // distinct ids: sequential
        for (uint32_t k = 0; k < count; ++k) rows[k].id = ExternalId::Int(round * count + k);
      }
      const absl::Time now = Day(2026, 1, 1 + round);
      WriteBatch batch(now);
      batch.SetColumns(BlockOf(rows));
      auto r = bulk.Apply(batch);
      INFO(r.status().message());
      REQUIRE(r.ok());
      MustApply(ops, OpsOf(rows, now));
      CHECK(r->people_created > 0);
      CHECK(bulk == ops);
    }
  }
}

TEST_CASE("a column block is checked whole and errors name source rows", "[store][block]") {
  Store store = FullStore();
  WriteBatch seed(Day(2026, 1, 1));
  seed.SetAttribute(ExternalId::Int(1), "age", Value::Int(40));
  MustApply(store, seed);

  ColumnBlock block;
  ColumnValues& gender = block.AddAttribute("gender", AttributeType::kEnum);
  ColumnValues& score = block.AddAttribute("score", AttributeType::kDouble);
  TagColumn& power = block.AddTags("power");
  block.AddRow(ExternalId::Int(2), 10);
  gender.AppendEnum("X");  // not in the closed list
  score.AppendDouble(1);
  power.Add("high");
  power.EndRow();
  block.AddRow(ExternalId::Str(""), 11);  // empty id
  gender.AppendEnum("F");
  score.AppendDouble(std::numeric_limits<double>::quiet_NaN());
  power.Add("high");
  power.Add("low");  // two values, exclusive
  power.EndRow();
  block.AddRow(ExternalId::Int(1), 12);
  gender.AppendNull();
  score.AppendNull();
  power.Add("extreme");  // not in the closed list
  power.EndRow();
  WriteBatch batch(Day(2026, 1, 2));
  batch.SetColumns(std::move(block));
  size_t total = 0;
  std::vector<OpError> errors = store.CheckBatch(batch, 100, &total);
  std::vector<std::string> shown;
  for (const OpError& e : errors) shown.push_back(fmt::format("{}: {}", e.row, e.message));
  std::sort(shown.begin(), shown.end());
  CHECK(shown == std::vector<std::string>{
                     "10: attribute 'gender' has no value 'X'; known values: 'F', 'M', 'U'",
                     "11: attribute 'score' expects a finite double, got double nan",
                     "11: exclusive dimension 'power' takes one value",
                     "11: id: external id must not be an empty string",
                     "12: dimension 'power' has no value 'extreme'"});
  const uint64_t version = store.version();
  CHECK_FALSE(store.Apply(batch).ok());
  CHECK(store.version() == version);
  CHECK(store.person_count() == 1);
  CHECK(*store.GetAttribute(ExternalId::Int(1), "age") == Value::Int(40));
}

TEST_CASE("a column block with mismatched columns or unknown names is refused", "[store][block]") {
  Store store = FullStore();
  ColumnBlock block;
  ColumnValues& age = block.AddAttribute("age", AttributeType::kInt64);
  block.AddAttribute("height", AttributeType::kInt64);
  block.AddTags("hobby");
  TagColumn& interest = block.AddTags("interest");
  block.AddRow(ExternalId::Int(1));
  block.AddRow(ExternalId::Int(2));
  age.AppendInt(3);  // one value for two rows
  interest.EndRow();
  WriteBatch batch(Day(2026, 1, 2));
  batch.SetColumns(std::move(block));
  std::vector<OpError> errors = store.CheckBatch(batch, 100);
  std::vector<std::string> shown;
  for (const OpError& e : errors) shown.push_back(e.message);
  CHECK(shown == std::vector<std::string>{"column 'age' has 1 values for 2 rows",
                                          "unknown attribute 'height'",
                                          "unknown dimension 'hobby'",
                                          "tag column 'interest' has 1 rows for 2 rows"});
}

TEST_CASE("a Delete after a block in the same batch finds the block's people", "[store][block]") {
  Store store = FullStore();
  ColumnBlock block;
  ColumnValues& age = block.AddAttribute("age", AttributeType::kInt64);
  for (int i = 0; i < 3; ++i) {
    block.AddRow(ExternalId::Int(i));
    age.AppendInt(20 + i);
  }
  WriteBatch batch(Day(2026, 1, 2));
  batch.SetColumns(std::move(block));
  batch.Delete(ExternalId::Int(1));
  MustApply(store, batch);
  CHECK(store.person_count() == 2);
  CHECK_FALSE(store.Find(ExternalId::Int(1)));
}

TEST_CASE("applying a block on several threads gives the same store", "[store][block][parallel]") {
  std::mt19937 rng(11);
  std::vector<Row> rows;
  for (uint32_t k = 0; k < 6000; ++k) {
    rows.push_back(RandomRow(rng, 1u << 30));
    rows.back().id = ExternalId::Int(k);
  }
  Store one = FullStore();
  Store four = FullStore();
  for (Store* store : {&one, &four}) {
    ColumnBlock block = BlockOf(rows);
    // A second column of an attribute and of a dimension: applied after the
    // first, so they win.
    ColumnValues& age = block.AddAttribute("age", AttributeType::kInt64);
    TagColumn& power = block.AddTags("power", {.source = "rule"});
    for (size_t r = 0; r < rows.size(); ++r) {
      age.AppendInt(static_cast<int64_t>(r % 90));
      if (r % 3 == 0) power.Add("mid");
      power.EndRow();
    }
    block.set_apply_threads(store == &one ? 1 : 4);
    WriteBatch batch(Day(2026, 1, 1));
    batch.SetColumns(std::move(block));
    MustApply(*store, batch);
  }
  CHECK(one == four);
  CHECK(*one.GetAttribute(ExternalId::Int(95), "age") == Value::Int(5));
  CHECK(*one.CountTag("power", "mid", Day(2026, 1, 1)) == 2000);
}

TEST_CASE("a block into an empty store maps ids beside the column builds",
          "[store][block][parallel]") {
  // With two threads and at least kSpeculateRows rows, rows are taken as
  // persons 0..n-1 while the ids go in; repeated ids undo that guess. Both
  // ways must equal the rows applied op by op on one thread.
  for (bool repeats : {false, true}) {
    INFO("repeats " << repeats);
    std::mt19937 rng(repeats ? 5 : 6);
    std::vector<Row> rows;
    const uint32_t count = Store::kSpeculateRows + 1000;
    for (uint32_t k = 0; k < count; ++k) {
      rows.push_back(RandomRow(rng, 1u << 30));
      rows.back().id = ExternalId::Int(repeats ? rng() % (count / 2) : k);
    }
    if (!repeats) rows.back().id = ExternalId::Str("last");  // a string id among ints
    Store threaded = FullStore();
    ColumnBlock block = BlockOf(rows);
    block.set_apply_threads(2);
    WriteBatch batch(Day(2026, 1, 1));
    batch.SetColumns(std::move(block));
    auto r = threaded.Apply(batch);
    REQUIRE(r.ok());
    Store ops = FullStore();
    MustApply(ops, OpsOf(rows, Day(2026, 1, 1)));
    CHECK(threaded == ops);
    CHECK(r->people_created == ops.person_count());
    CHECK((r->people_created == count) == !repeats);
  }
}
