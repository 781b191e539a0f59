#include "audience/store/store.h"

#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

ExternalId U(const char* s) { return ExternalId::Str(s); }

std::vector<std::string> TagStrings(const Profile& p) {
  std::vector<std::string> out;
  for (const auto& t : p.tags) out.push_back(t.dimension + ":" + t.value + "@" + t.source);
  return out;
}

}  // namespace

TEST_CASE("a batch writes tags, attributes and events", "[store]") {
  Store store = FullStore();
  absl::Time now = Day(2026, 5, 1);
  WriteBatch b(now);
  b.Tag(U("ann"), "interest", "fashion");
  b.Tag(U("ann"), "interest", "tech", {.source = "import"});
  b.Tag(U("ann"), "power", "high");
  b.SetAttribute(U("ann"), "age", Value::Int(27));
  b.SetAttribute(U("ann"), "gender", Value::Enum("F"));
  b.SetAttribute(U("ann"), "score", Value::Int(3));  // ints widen to double
  b.Purchase(U("ann"), Day(2026, 4, 20), 59.5, {{"category", "skincare"}});
  b.Purchase(U("ann"), Day(2026, 4, 25), 10, {{"category", "skincare"}, {"channel", "app"}});
  b.Tag(ExternalId::Int(7), "interest", "fashion");
  auto r = store.Apply(b);
  REQUIRE(r.ok());
  CHECK(r->people_created == 2);
  CHECK(r->events_added == 2);
  CHECK(store.person_count() == 2);
  CHECK(*store.CountTag("interest", "fashion", now) == 2);
  CHECK(*store.CountTag("power", "mid", now) == 0);
  CHECK(*store.GetAttribute(U("ann"), "score") == Value::Double(3));

  auto p = store.GetProfile(U("ann"), now);
  REQUIRE(p.ok());
  CHECK(TagStrings(*p) == std::vector<std::string>{"interest:fashion@manual",
                                                   "interest:tech@import", "power:high@manual"});
  REQUIRE(p->events.size() == 1);
  CHECK(p->events[0].aggregate.count == 2);
  CHECK(p->events[0].aggregate.sum == 69.5);
  CHECK(p->attributes.size() == 3);

  auto by_count = store.ValuesByCount("interest", now);
  REQUIRE(by_count.ok());
  CHECK(*by_count == std::vector<std::pair<std::string, uint64_t>>{{"fashion", 2}, {"tech", 1}});
}

TEST_CASE("a columns operation without a block is refused, not followed", "[store][errors]") {
  // Found by the loader fuzzer: AddOp can append a kColumns op whose block
  // is null; CheckBatch used to dereference it.
  Store store = FullStore();
  const uint64_t version = store.version();
  WriteBatch bad(Day(2026, 1, 2));
  WriteBatch::Op op{};
  op.kind = WriteBatch::OpKind::kColumns;
  op.row = 3;
  bad.AddOp(std::move(op));
  auto r = store.Apply(bad);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(std::string(r.status().message()),
             Catch::Contains("row 3: a columns operation without a block"));
  CHECK(store.version() == version);
}

TEST_CASE("a bad batch changes nothing and names every bad row", "[store][errors]") {
  Store store = FullStore();
  WriteBatch good(Day(2026, 1, 1));
  good.Tag(U("bob"), "interest", "golf");
  MustApply(store, good);
  uint64_t version = store.version();

  WriteBatch bad(Day(2026, 1, 2));
  bad.Tag(U("carl"), "interest", "chess");                 // fine
  bad.Tag(U("carl"), "power", "hihg");                     // closed value
  bad.SetAttribute(U("carl"), "age", Value::Enum("old"));  // wrong type
  bad.Tag(U("carl"), "intrest", "x");                      // unknown dimension
  bad.AddEvent(U("carl"), "purchase", Day(2026, 1, 1), 1, {{"colour", "red"}});
  bad.Delete(U("nobody"));
  bad.Tag(ExternalId::Str(""), "interest", "x");
  bad.SetAttribute(U("carl"), "gender", Value::Enum("X"));
  auto r = store.Apply(bad);
  REQUIRE_FALSE(r.ok());
  std::string msg(r.status().message());
  INFO(msg);
  CHECK(msg.find("7 bad operations") != std::string::npos);
  CHECK(msg.find("row 2: dimension 'power' has no value 'hihg'") != std::string::npos);
  CHECK(msg.find("row 3: ") != std::string::npos);
  CHECK(msg.find("row 4: unknown dimension 'intrest'") != std::string::npos);
  CHECK(msg.find("row 5: event 'purchase' has no property 'colour'") != std::string::npos);
  CHECK(msg.find("row 6: cannot delete unknown id 'nobody'") != std::string::npos);
  CHECK(msg.find("row 7: id: external id must not be an empty string") != std::string::npos);
  CHECK(msg.find("row 8: ") != std::string::npos);
  CHECK(store.version() == version);
  CHECK(store.person_count() == 1);
  CHECK_FALSE(store.Find(U("carl")).has_value());
  CHECK(*store.CountTag("interest", "chess", Day(2026, 1, 2)) == 0);

  WriteBatch rows(Day(2026, 1, 2));
  rows.SetRow(41);
  rows.Tag(U("dan"), "power", "none");
  auto r2 = store.Apply(rows);
  REQUIRE_FALSE(r2.ok());
  CHECK(std::string(r2.status().message()).find("row 41: ") != std::string::npos);
}

TEST_CASE("exclusive dimensions keep one value; TTLs and expiry are honoured", "[store][tags]") {
  Store store = FullStore();
  absl::Time t0 = Day(2026, 3, 1);
  WriteBatch b(t0);
  b.Tag(U("a"), "power", "high");
  b.Tag(U("a"), "power", "low");
  b.Tag(U("a"), "campaign", "spring");  // default TTL: 7 days from t0
  b.Tag(U("a"), "interest", "flash", {.expires_at = t0 + absl::Hours(1)});
  MustApply(store, b);
  CHECK(*store.CountTag("power", "high", t0) == 0);
  CHECK(*store.CountTag("power", "low", t0) == 1);
  CHECK(*store.CountTag("campaign", "spring", t0 + absl::Hours(24 * 7) - absl::Seconds(1)) == 1);
  CHECK(*store.CountTag("campaign", "spring", t0 + absl::Hours(24 * 7)) == 0);
  CHECK(*store.CountTag("interest", "flash", t0) == 1);
  CHECK(*store.CountTag("interest", "flash", t0 + absl::Hours(1)) == 0);

  // Reassigning refreshes the TTL from the new batch time.
  WriteBatch refresh(t0 + absl::Hours(24 * 6));
  refresh.Tag(U("a"), "campaign", "spring");
  MustApply(store, refresh);
  CHECK(*store.CountTag("campaign", "spring", t0 + absl::Hours(24 * 10)) == 1);

  CHECK(store.SweepExpired(t0 + absl::Hours(2)) == 1);
  CHECK(store.dimension(*store.schema().DimensionIdOf("interest")).Members(0).IsEmpty());
}

TEST_CASE("linking merges profiles by the documented rule", "[store][ids]") {
  Store store = FullStore();
  WriteBatch b1(Day(2026, 1, 1));
  b1.Tag(U("phone:1"), "interest", "fashion");
  b1.Tag(U("phone:1"), "power", "high");
  b1.SetAttribute(U("phone:1"), "age", Value::Int(30));
  b1.SetAttribute(U("phone:1"), "region", Value::Enum("north"));
  b1.Purchase(U("phone:1"), Day(2025, 12, 1), 10, {{"category", "shoes"}});
  MustApply(store, b1);
  WriteBatch b2(Day(2026, 1, 2));  // later writes win for exclusive/attributes
  b2.Tag(U("wx:9"), "interest", "tech");
  b2.Tag(U("wx:9"), "power", "low");
  b2.SetAttribute(U("wx:9"), "age", Value::Int(31));
  b2.Purchase(U("wx:9"), Day(2025, 12, 5), 5, {{"category", "skincare"}});
  MustApply(store, b2);
  PersonId survivor = *store.Find(U("phone:1"));
  PersonId merged = *store.Find(U("wx:9"));

  WriteBatch link(Day(2026, 1, 3));
  link.Link(U("phone:1"), U("wx:9"));
  auto r = store.Apply(link);
  REQUIRE(r.ok());
  CHECK(r->people_merged == 1);
  CHECK(store.person_count() == 1);
  CHECK(*store.Find(U("wx:9")) == survivor);
  CHECK(store.ids().Canonical(merged) == survivor);
  CHECK_FALSE(store.universe().Contains(merged));

  absl::Time now = Day(2026, 1, 3);
  auto p = store.GetProfile(U("wx:9"), now);
  REQUIRE(p.ok());
  CHECK(TagStrings(*p) == std::vector<std::string>{"interest:fashion@manual",
                                                   "interest:tech@manual", "power:low@manual"});
  CHECK(*store.GetAttribute(U("phone:1"), "age") == Value::Int(31));        // newer
  CHECK(*store.GetAttribute(U("phone:1"), "region") == Value::Enum("north"));  // only one side
  REQUIRE(p->events.size() == 1);
  CHECK(p->events[0].aggregate.count == 2);
  CHECK(p->events[0].aggregate.sum == 15);
  // Nothing is left on the merged-away id.
  for (DimensionId d = 0; d < store.schema().dimensions().size(); ++d) {
    for (uint32_t v = 0; v < store.dimension(d).value_count(); ++v) {
      CHECK_FALSE(store.dimension(d).Members(v).Contains(merged));
    }
  }
}

TEST_CASE("merge chains resolve and deleting a merged id forgets the person", "[store][ids]") {
  Store store = FullStore();
  WriteBatch b(Day(2026, 1, 1));
  b.Tag(U("a"), "interest", "x");
  b.Tag(U("b"), "interest", "y");
  b.Tag(U("c"), "interest", "z");
  b.Link(U("b"), U("a"));  // a merges into b
  b.Link(U("c"), U("b"));  // b merges into c
  MustApply(store, b);
  CHECK(store.person_count() == 1);
  PersonId c = *store.Find(U("c"));
  CHECK(*store.Find(U("a")) == c);
  CHECK(*store.Find(U("b")) == c);
  CHECK(store.ids().Canonical(0) == c);
  absl::Time now = Day(2026, 1, 1);
  CHECK(store.GetProfile(U("a"), now)->tags.size() == 3);

  WriteBatch del(Day(2026, 1, 2));
  del.Delete(U("a"));  // resolves to c: the whole person goes
  auto r = store.Apply(del);
  REQUIRE(r.ok());
  CHECK(r->people_deleted == 1);
  CHECK(store.person_count() == 0);
  for (const char* id : {"a", "b", "c"}) CHECK_FALSE(store.Find(U(id)).has_value());
  CHECK(*store.CountTag("interest", "z", now) == 0);
  CHECK(store.ids().Canonical(c) == kNoPerson);

  // A later write with an old id makes a new person with a new internal id.
  WriteBatch again(Day(2026, 1, 3));
  again.Upsert(U("a"));
  MustApply(store, again);
  CHECK(*store.Find(U("a")) > c);
}

TEST_CASE("bulk bitmap assignment checks its ids", "[store][tags]") {
  Store store = FullStore();
  WriteBatch b(Day(2026, 1, 1));
  for (int i = 0; i < 10; ++i) b.Upsert(ExternalId::Int(i));
  MustApply(store, b);
  WriteBatch bulk(Day(2026, 1, 2));
  bulk.AssignBitmap("lifecycle", "active", Bitmap::FromRange(0, 5), {.source = "lifecycle"});
  MustApply(store, bulk);
  CHECK(*store.CountTag("lifecycle", "active", Day(2026, 1, 2)) == 5);
  CHECK(store.sources().Name(store.dimension(3).Assignment(2, 0)->source) == "lifecycle");

  WriteBatch stray(Day(2026, 1, 2));
  stray.AssignBitmap("lifecycle", "active", Bitmap::Of({3, 10, 99}));
  auto r = store.Apply(stray);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("2 internal ids are not live") != std::string::npos);

  WriteBatch clear(Day(2026, 1, 3));
  clear.ClearValue("lifecycle", "active");
  MustApply(store, clear);
  CHECK(*store.CountTag("lifecycle", "active", Day(2026, 1, 3)) == 0);
  WriteBatch unknown(Day(2026, 1, 3));
  unknown.ClearValue("lifecycle", "nope");
  CHECK_FALSE(store.Apply(unknown).ok());
}

TEST_CASE("schema can grow on a store that holds data", "[store][schema]") {
  Store store = FullStore();
  WriteBatch b(Day(2026, 1, 1));
  b.SetAttribute(U("a"), "age", Value::Int(40));
  MustApply(store, b);
  REQUIRE(store.AddAttribute({.name = "ltv", .type = AttributeType::kDouble}).ok());
  REQUIRE(store.AddDimension({.name = "segment_vip"}).ok());
  CHECK(store.AddAttribute({.name = "age"}).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(store.GetAttribute(U("a"), "ltv")->is_null());
  WriteBatch b2(Day(2026, 1, 2));
  b2.SetAttribute(U("a"), "ltv", Value::Double(12.5));
  b2.Tag(U("a"), "segment_vip", "yes");
  MustApply(store, b2);
  CHECK(*store.GetAttribute(U("a"), "ltv") == Value::Double(12.5));
  CHECK(*store.CountTag("segment_vip", "yes", Day(2026, 1, 2)) == 1);
}

TEST_CASE("duplicate event ids are ignored across batches", "[store][events]") {
  Store store = FullStore();
  WriteBatch b(Day(2026, 1, 1));
  b.Purchase(U("a"), Day(2025, 1, 1), 10, {}, "order-1");
  b.Purchase(U("a"), Day(2025, 1, 1), 10, {}, "order-1");
  auto r = store.Apply(b);
  REQUIRE(r.ok());
  CHECK(r->events_added == 1);
  CHECK(r->duplicate_events == 1);
  WriteBatch again(Day(2026, 1, 2));
  again.Purchase(U("a"), Day(2025, 1, 1), 10, {}, "order-1");
  CHECK(store.Apply(again)->duplicate_events == 1);
  CHECK(store.GetProfile(U("a"), Day(2026, 1, 2))->events[0].aggregate.count == 1);
}
