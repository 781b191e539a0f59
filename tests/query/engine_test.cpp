// The query engine end to end on a small hand-built store: results, NULL
// rules, time windows, as-of evaluation, plans and their passes, segments,
// paging, Why, saved segments and materialisation. The differential tests
// (differential_test.cpp) check the same engine against two oracles on
// random data.
#include <catch2/catch.hpp>

#include "audience/query/query.h"
#include "audience/schema/schema_json.h"
#include "audience/store/store.h"

namespace audience {
namespace {

constexpr int64_t kNow = 1795428000;  // 2026-11-23T10:00:00Z
constexpr int64_t kDay = 86400;

absl::Time T(int64_t s) { return absl::FromUnixSeconds(s); }

// u1..u6 with known data; see the comments per person.
Store MakeStore() {
  Store store =
      *Store::Create(*LoadSchemaFile(std::string(AUDIENCE_TEST_QUERIES_DIR) + "/schema.json"));
  WriteBatch b(T(kNow - 100 * kDay));
  auto id = [](const char* s) { return ExternalId::Str(s); };
  // u1: woman 25, fashion + beauty, 3 skincare purchases in the last 30 days.
  b.Tag(id("u1"), "interest", "fashion");
  b.Tag(id("u1"), "interest", "beauty");
  b.SetAttribute(id("u1"), "age", Value::Int(25));
  b.SetAttribute(id("u1"), "gender", Value::Enum("F"));
  for (int i = 1; i <= 3; ++i) {
    b.Purchase(id("u1"), T(kNow - i * 5 * kDay), 20, {{"category", "skincare"}});
  }
  // u2: man 35, tech, dormant, one old purchase; no p_alive.
  b.Tag(id("u2"), "interest", "tech");
  b.Tag(id("u2"), "lifecycle", "dormant");
  b.SetAttribute(id("u2"), "age", Value::Int(35));
  b.SetAttribute(id("u2"), "gender", Value::Enum("M"));
  b.Purchase(id("u2"), T(kNow - 200 * kDay), 500, {{"category", "shoes"}});
  // u3: no age, woman, fashion, a channel tag that expires before now.
  b.Tag(id("u3"), "interest", "fashion");
  b.Tag(id("u3"), "channel", "wechat", TagOptions{.expires_at = T(kNow - kDay)});
  b.SetAttribute(id("u3"), "gender", Value::Enum("F"));
  b.SetAttribute(id("u3"), "p_alive", Value::Double(0.2));
  // u4: 30, active, channel tag valid after now, a purchase after `now`.
  b.Tag(id("u4"), "lifecycle", "active");
  b.Tag(id("u4"), "channel", "app", TagOptions{.expires_at = T(kNow + 10 * kDay)});
  b.SetAttribute(id("u4"), "age", Value::Int(30));
  b.SetAttribute(id("u4"), "p_alive", Value::Double(0.9));
  b.Purchase(id("u4"), T(kNow + kDay), 99, {{"category", "skincare"}});
  // u5: nothing but existing. u6: deleted.
  b.Upsert(id("u5"));
  b.Tag(id("u6"), "interest", "fashion");
  REQUIRE(store.Apply(b).ok());
  WriteBatch d(T(kNow - 50 * kDay));
  d.Delete(id("u6"));
  REQUIRE(store.Apply(d).ok());
  return store;
}

std::vector<std::string> Names(const Store& store, const std::vector<PersonId>& people) {
  std::vector<std::string> out;
  for (const auto& id : ExternalIds(store, people)) out.push_back(id ? id->ToString() : "?");
  return out;
}

std::vector<std::string> Run(const Store& store, std::string_view text, int64_t now = kNow,
                             bool optimize = true) {
  absl::StatusOr<Query> q = Query::Compile(store, text, {.now = T(now), .optimize = optimize});
  INFO(text);
  REQUIRE(q.ok());
  Segment s = Evaluate(store, *q);
  CHECK(Count(store, *q) == s.count());
  std::vector<PersonId> all = s.people().ToVector();
  CHECK(FirstIds(store, *q, 2) ==
        std::vector<PersonId>(all.begin(), all.begin() + std::min<size_t>(2, all.size())));
  return Names(store, all);
}

using V = std::vector<std::string>;

TEST_CASE("queries return the expected people", "[query][engine]") {
  Store store = MakeStore();
  for (bool optimize : {true, false}) {
    CAPTURE(optimize);
    auto run = [&](std::string_view text) { return Run(store, text, kNow, optimize); };
    CHECK(run("interest:fashion") == V{"u1", "u3"});  // u6 deleted
    CHECK(run("interest:fashion AND gender = 'F' AND age BETWEEN 20 AND 30") == V{"u1"});
    CHECK(run("NOT interest:fashion") == V{"u2", "u4", "u5"});
    CHECK(run("interest IN ('tech', 'beauty')") == V{"u1", "u2"});
    CHECK(run("has(interest) AND NOT lifecycle:dormant") == V{"u1", "u3"});
    // NULL rules: != and NOT IN exclude people without a value, NOT includes them.
    CHECK(run("age != 30") == V{"u1", "u2"});
    CHECK(run("NOT age = 30") == V{"u1", "u2", "u3", "u5"});
    CHECK(run("gender NOT IN ('M')") == V{"u1", "u3"});
    CHECK(run("age IS NULL") == V{"u3", "u5"});
    CHECK(run("p_alive < 0.5 OR p_alive IS NULL") == V{"u1", "u2", "u3", "u5"});
    CHECK(run("interest != 'tech'") == V{"u1", "u3"});
    // Expiry at now: u3's channel expired, u4's has not.
    CHECK(run("has(channel)") == V{"u4"});
    CHECK(run("channel IS NULL") == V{"u1", "u2", "u3", "u5"});
    // Events: the purchase after now is invisible.
    CHECK(run("purchased(category = 'skincare', within = 30d) >= 2") == V{"u1"});
    CHECK(run("did(purchase)") == V{"u1", "u2"});
    CHECK(run("count(purchase, within = 30d) = 0") == V{"u2", "u3", "u4", "u5"});
    CHECK(run("sum(purchase) > 100") == V{"u2"});
    CHECK(run("sum(purchase) <= 60") == V{"u1", "u3", "u4", "u5"});
    CHECK(run("last(purchase) < now - 90d") == V{"u2"});
    CHECK(run("first(purchase, category = 'skincare') >= now - 30d") == V{"u1"});
    CHECK(run("did(purchase, category = 'toys')") == V{});
    CHECK(run("NOT did(purchase, category = 'toys')") == V{"u1", "u2", "u3", "u4", "u5"});
    CHECK(run("any(2, interest:fashion, gender = 'F', age < 30)") == V{"u1", "u3"});
    CHECK(run("any(3, interest:fashion, gender = 'F', age < 30)") == V{"u1"});
    CHECK(run("any(0, interest:fashion)") == V{"u1", "u2", "u3", "u4", "u5"});
    // A count beyond the conditions matches nobody (found by the fuzzer: the
    // unoptimised plan used to allocate one bitmap per level up to the count).
    CHECK(run("any(00000000001291876874, has(channel), age > 3)") == V{});
    CHECK(run("interest:'never seen' OR age > 100") == V{});
    CHECK(run("(interest:fashion OR interest:fashion) AND NOT NOT gender = 'F'") == V{"u1", "u3"});
  }
}

TEST_CASE("as-of evaluation sees tags and events as they were", "[query][engine]") {
  Store store = MakeStore();
  // Two days before now u3's channel had not expired yet.
  CHECK(Run(store, "has(channel)", kNow - 2 * kDay) == V{"u3", "u4"});
  // Two days after now u4's future purchase counts.
  CHECK(Run(store, "purchased(category = 'skincare', within = 6d)", kNow + 2 * kDay) == V{"u4"});
  CHECK(Run(store, "did(purchase, within = 7d)", kNow) == V{"u1"});
}

TEST_CASE("plans: passes fold, reorder and count", "[query][plan]") {
  Store store = MakeStore();
  QueryOptions o{.now = T(kNow)};
  Query q = *Query::Compile(store, "age >= 20 AND interest:fashion AND NOT lifecycle:dormant", o);
  Plan plan = BuildPlan(store, q.expr(), q.now(), {.mode = ExecMode::kCount});
  std::string text = plan.ToString();
  INFO(text);
  // The tag goes first, the range index last (within the tag's people), the
  // NOT became an AND-NOT, and the final step only counts.
  REQUIRE(plan.steps.size() == 4);
  CHECK(plan.leaves[plan.steps[0].leaf].text == "interest:'fashion'");
  CHECK(plan.leaves[plan.steps[1].leaf].text == "age >= 20");
  CHECK(plan.steps[1].scope == 0);
  CHECK(plan.steps[3].op == PlanStep::Op::kAndNot);
  CHECK(plan.steps[3].count_only);
  CHECK(Execute(store, plan).count == 1);

  // A value the store never saw folds the whole AND away.
  Query none = *Query::Compile(store, "interest:unseen AND age > 3", o);
  Plan folded = BuildPlan(store, none.expr(), none.now());
  CHECK(folded.steps.size() == 1);
  CHECK(folded.steps[0].op == PlanStep::Op::kNone);

  // A repeated sub-expression is computed once.
  Query twice = *Query::Compile(
      store, "(age > 20 AND gender = 'F') OR (interest:tech AND NOT (age > 20 AND gender = 'F'))",
      o);
  Plan shared = BuildPlan(store, twice.expr(), twice.now());
  size_t age_leaves = 0;
  for (const PlanStep& s : shared.steps) {
    age_leaves += s.op == PlanStep::Op::kLeaf && shared.leaves[s.leaf].text == "age > 20";
  }
  CHECK(age_leaves == 1);
  CHECK(Names(store, Evaluate(store, twice).people().ToVector()) == V{"u1", "u2"});

  Explanation e = Explain(store, q);
  CHECK(e.result.count == 1);
  CHECK(e.ToString().find("and-not") != std::string::npos);
  // Tags without expiries and attributes run chunk by chunk; events and
  // expiring tags step by step. Explain says which.
  CHECK(e.chunked);
  CHECK(e.ToString().find("chunk by chunk") != std::string::npos);
  for (const char* stepwise_text : {"count(purchase) >= 1 AND interest:fashion", "channel:app"}) {
    INFO(stepwise_text);
    Explanation stepwise = Explain(store, *Query::Compile(store, stepwise_text, o));
    CHECK_FALSE(stepwise.chunked);
    CHECK(stepwise.ToString().find("step by step") != std::string::npos);
  }
}

TEST_CASE("segments page, sample, combine and diff", "[query][segment]") {
  Bitmap ids;
  for (uint32_t i = 0; i < 1000; i += 3) ids.Add(i);
  Segment s(ids, 7);
  CHECK(s.count() == 334);
  CHECK(s.Page(0, 3) == std::vector<PersonId>{0, 3, 6});
  CHECK(s.Page(333, 5) == std::vector<PersonId>{999});
  CHECK(s.Page(334, 5).empty());
  uint64_t cursor = 0;
  std::vector<PersonId> all;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 100);
    SegmentPage page = s.PageFrom(cursor, 50);
    all.insert(all.end(), page.people.begin(), page.people.end());
    if (!page.next) break;
    cursor = *page.next;
  }
  CHECK(all == ids.ToVector());
  std::vector<PersonId> sample = s.Sample(20, 42);
  CHECK(sample.size() == 20);
  CHECK(std::is_sorted(sample.begin(), sample.end()));
  CHECK(std::adjacent_find(sample.begin(), sample.end()) == sample.end());
  for (PersonId p : sample) CHECK(s.Contains(p));
  CHECK(s.Sample(20, 42) == sample);
  CHECK(s.Sample(5000, 1).size() == 334);

  Segment other(Bitmap::FromRange(0, 10), 9);
  CHECK((s & other).people() == Bitmap::Of({0, 3, 6, 9}));
  CHECK((s & other).version() == 9);
  SegmentDiff d = Diff(other, s);
  CHECK(d.entered.count() == 330);
  CHECK(d.left.people() == Bitmap::Of({1, 2, 4, 5, 7, 8}));
}

TEST_CASE("Why explains each predicate for one person", "[query][why]") {
  Store store = MakeStore();
  Query q = *Query::Compile(
      store, "interest:fashion AND (age < 30 OR purchased(within = 30d) >= 2)", {.now = T(kNow)});
  PersonId u3 = *store.Find(ExternalId::Str("u3"));
  WhyNode why = Why(store, q, u3);
  std::string text = RenderWhy(why);
  INFO(text);
  CHECK_FALSE(why.holds);
  REQUIRE(why.children.size() == 2);
  CHECK(why.children[0].holds);
  CHECK(why.children[0].detail == "interest: fashion");
  CHECK(why.children[1].children[0].detail == "age = NULL");
  CHECK(why.children[1].children[1].detail == "no matching events");
  PersonId u1 = *store.Find(ExternalId::Str("u1"));
  CHECK(Why(store, q, u1).holds);
}

TEST_CASE("saved segments: reference, cycles, materialise", "[query][saved]") {
  Store store = MakeStore();
  QueryOptions o{.now = T(kNow)};
  REQUIRE(SaveSegment(store, "women", "gender = 'F'", o).ok());
  REQUIRE(SaveSegment(store, "fashion_women", "segment('women') AND interest:fashion", o).ok());
  CHECK(Names(store, Evaluate(store, "segment('fashion_women')", o)->people().ToVector()) ==
        V{"u1", "u3"});
  absl::Status cycle = SaveSegment(store, "women", "segment('fashion_women')", o);
  CHECK(cycle.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(cycle.message()).find("refers to itself") != std::string::npos);
  CHECK(*store.FindSegment("women") == "gender = 'F'");  // unchanged
  absl::Status bad = SaveSegment(store, "x", "age > 'old'", o);
  CHECK(std::string(bad.message()).find("1:7") != std::string::npos);
  CHECK_FALSE(SaveSegment(store, "Bad Name", "age > 3", o).ok());

  Segment s = *Evaluate(store, "segment('fashion_women')", o);
  absl::StatusOr<ApplyResult> m = MaterializeSegment(store, s, "interest", "target", T(kNow));
  INFO(m.status().message());
  REQUIRE(m.ok());
  CHECK(Run(store, "interest:target") == V{"u1", "u3"});
  Segment smaller = *Evaluate(store, "age < 30", o);
  REQUIRE(MaterializeSegment(store, smaller, "interest", "target", T(kNow)).ok());
  CHECK(Run(store, "interest:target") == V{"u1"});
}

TEST_CASE("compile errors come back rendered and as data", "[query][engine]") {
  Store store = MakeStore();
  absl::StatusOr<Query> q = Query::Compile(store, "intrest:fashion AND age > 'x'", {});
  REQUIRE_FALSE(q.ok());
  std::string m(q.status().message());
  CHECK(m.find("did you mean 'interest'?") != std::string::npos);
  CHECK(m.find("1:27") != std::string::npos);
  CompileResult r = CompileQuery(store, "age >", {});
  CHECK_FALSE(r.query);
  CHECK(r.diagnostics.size() == 1);
}

}  // namespace
}  // namespace audience
