// Tests of the query test oracles themselves: the naive evaluator on a
// hand-checked store, the random world's invariants, the query generator's
// coverage and canonical round trip (a test of Describe and the binder too),
// the oracle's leaves against the storage layer's own indexed reads, and the
// shrinker.
#include "query/oracle.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "audience/query/binder.h"
#include "audience/query/bound.h"
#include "audience/query/parser.h"
#include "query/query_gen.h"
#include "query/random_world.h"

namespace {

using audience::BoundExpr;
using audience::ExternalId;
using audience::PersonId;
using audience::UnixSeconds;
using audience::Value;
using K = BoundExpr::Kind;

constexpr UnixSeconds kDay = audience::kSecondsPerDay;

audience::BindResult BindText(const audience::Store& store, std::string_view text,
                              UnixSeconds now) {
  audience::ParseResult p = audience::Parse(text);
  if (!p.root) return {std::nullopt, p.diagnostics};
  return audience::Bind(*p.root, {.schema = &store.schema(),
                                  .now = absl::FromUnixSeconds(now),
                                  .segments = &store.segments()});
}

// A tiny store whose every answer is worked out by hand below.
//   A (1): interest fashion; campaign spring held (expires now + 1h);
//          age 30, score -1.5, vip true, gender F; purchases: skincare 10 and
//          20 within 30 days, 1000 after now
//   B (2): interest tech; campaign spring expired (now - 1h), summer expiring
//          exactly at now; age NULL, score 0, vip false; one purchase, books,
//          5, 100 days ago
//   C (3): no tags; age 40, vip NULL, gender M; one purchase after now only
//   D (4): deleted
//   E (5): age 30 then NULL; a purchase of amount 0 exactly at now
struct Tiny {
  audience::Store store;
  UnixSeconds now = 0;
  PersonId a = 0, b = 0, c = 0, e = 0;
};

Tiny MakeTiny() {
  using namespace audience;
  Tiny t;
  t.now = absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), absl::UTCTimeZone()));
  const UnixSeconds now = t.now;
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest"}).ok());
  REQUIRE(s.AddDimension({.name = "campaign"}).ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).ok());
  REQUIRE(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).ok());
  REQUIRE(
      s.AddAttribute({.name = "gender", .type = AttributeType::kEnum, .enum_values = {"F", "M"}})
          .ok());
  REQUIRE(s.AddAttribute({.name = "seen", .type = AttributeType::kTimestamp}).ok());
  REQUIRE(
      s.AddEventType({.name = "purchase",
                      .properties = {{.name = "category", .indexed = true}, {.name = "product"}}})
          .ok());
  t.store = *Store::Create(std::move(s));
  auto at = [](UnixSeconds x) { return absl::FromUnixSeconds(x); };
  WriteBatch w(at(now - 200 * kDay));
  ExternalId a = ExternalId::Int(1), b = ExternalId::Int(2), c = ExternalId::Int(3),
             d = ExternalId::Int(4), e = ExternalId::Int(5);
  w.Tag(a, "interest", "fashion");
  w.Tag(a, "campaign", "spring", {.expires_at = at(now + 3600)});
  w.SetAttribute(a, "age", Value::Int(30));
  w.SetAttribute(a, "score", Value::Double(-1.5));
  w.SetAttribute(a, "vip", Value::Bool(true));
  w.SetAttribute(a, "gender", Value::Enum("F"));
  w.SetAttribute(a, "seen", Value::Time(at(now - 10 * kDay)));
  w.Purchase(a, at(now - 20 * kDay), 10, {{"category", "skincare"}, {"product", "cream"}});
  w.Purchase(a, at(now - 3 * kDay), 20, {{"category", "skincare"}});
  w.Purchase(a, at(now + 5 * kDay), 1000, {{"category", "skincare"}});
  w.Tag(b, "interest", "tech");
  w.Tag(b, "campaign", "spring", {.expires_at = at(now - 3600)});
  w.Tag(b, "campaign", "summer", {.expires_at = at(now)});
  w.SetAttribute(b, "score", Value::Double(0));
  w.SetAttribute(b, "vip", Value::Bool(false));
  w.Purchase(b, at(now - 100 * kDay), 5, {{"category", "books"}});
  w.SetAttribute(c, "age", Value::Int(40));
  w.SetAttribute(c, "gender", Value::Enum("M"));
  w.Purchase(c, at(now + 1), 7, {{"category", "books"}});
  w.Tag(d, "interest", "fashion");
  w.SetAttribute(d, "age", Value::Int(30));
  w.SetAttribute(e, "age", Value::Int(30));
  w.SetAttribute(e, "age", Value::Null());
  w.Purchase(e, at(now), 0, {{"product", "gift"}});
  REQUIRE(t.store.Apply(w).ok());
  WriteBatch del(at(now));
  del.Delete(d);
  REQUIRE(t.store.Apply(del).ok());
  t.a = *t.store.Find(a);
  t.b = *t.store.Find(b);
  t.c = *t.store.Find(c);
  t.e = *t.store.Find(e);
  return t;
}

std::vector<PersonId> Sorted(std::vector<PersonId> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("NaiveEvaluate answers hand-checked queries", "[query][oracle]") {
  Tiny t = MakeTiny();
  REQUIRE(t.store.person_count() == 4);
  const PersonId a = t.a, b = t.b, c = t.c, e = t.e;
  struct Case {
    const char* query;
    std::vector<PersonId> want;
  };
  const std::vector<Case> cases = {
      // Tags and expiry: expires_at > now is held; == now is gone.
      {"interest:fashion", {a}},  // D held it but is deleted
      {"campaign:spring", {a}},
      {"campaign:summer", {}},
      {"has(campaign)", {a}},
      {"has(interest)", {a, b}},
      {"NOT has(campaign)", {b, c, e}},
      {"interest IN ('fashion', 'tech', 'nobody_has_this')", {a, b}},
      {"interest != 'fashion'", {b}},  // only people with some interest
      // NULL rules.
      {"age = 30", {a}},  // E's 30 was overwritten by NULL
      {"age != 30", {c}},
      {"NOT age = 30", {b, c, e}},
      {"age IS NULL", {b, e}},
      {"age IS NOT NULL", {a, c}},
      {"age BETWEEN 30 AND 40", {a, c}},
      {"age BETWEEN 40 AND 30", {}},
      {"age NOT BETWEEN 31 AND 40", {a}},
      {"age IN (40, 99)", {c}},
      {"age NOT IN (40)", {a}},
      {"age < -9223372036854775808", {}},
      {"age <= 9223372036854775807", {a, c}},
      {"score < 0", {a}},
      {"score >= 0", {b}},
      {"score = 0", {b}},
      {"vip = true", {a}},
      {"vip != true", {b}},
      {"NOT vip = true", {b, c, e}},
      {"gender = 'F'", {a}},
      {"gender != 'F'", {c}},
      {"seen > now - 11d", {a}},
      {"seen > now - 10d", {}},
      // Events: the window ends at now (inclusive); later events are ignored.
      {"did(purchase)", {a, b, e}},
      {"count(purchase) = 0", {c}},
      {"NOT did(purchase)", {c}},
      {"count(purchase) >= 2", {a}},
      {"sum(purchase) = 30", {a}},
      {"sum(purchase) > 100", {}},
      {"sum(purchase) <= 0", {c, e}},
      {"sum(purchase) < 1", {c, e}},
      {"count(purchase, to = now) >= 1", {a, b}},  // E's event at now is excluded
      {"count(purchase, category = 'skincare', within = 30d) >= 2", {a}},
      {"count(purchase, category = 'skincare', within = 10d) = 1", {a}},
      {"count(purchase, category = 'books') = 1", {b}},  // C's is after now
      {"count(purchase, product = 'cream') = 1", {a}},
      {"count(purchase, category = 'skincare', product = 'cream') = 0", {b, c, e}},
      {"count(purchase, product = 'nope') = 0", {a, b, c, e}},
      {"first(purchase) < now - 50d", {b}},
      {"last(purchase) >= now", {e}},
      {"last(purchase) > now", {}},
      {"first(purchase, category = 'skincare') > now - 21d", {a}},
      {"NOT first(purchase) < now", {c, e}},  // no events: first never matches
      // Combinators.
      {"any(2, interest:fashion, age = 30, vip = true)", {a}},
      {"any(3, interest:fashion, age = 30, vip = false)", {}},
      {"any(0)", {a, b, c, e}},
      {"any(1)", {}},
      {"any(1, age = 40, vip = false)", {b, c}},
      {"has(interest) OR did(purchase)", {a, b, e}},
      {"has(interest) AND NOT did(purchase, within = 30d)", {b}},
  };
  for (const Case& k : cases) {
    INFO(k.query);
    audience::BindResult r = BindText(t.store, k.query, t.now);
    REQUIRE(r.expr.has_value());
    std::vector<PersonId> got = audience_test::NaiveEvaluate(t.store, *r.expr, t.now);
    CHECK(got == Sorted(k.want));
    for (PersonId p : {a, b, c, e}) {
      bool in = std::find(k.want.begin(), k.want.end(), p) != k.want.end();
      CHECK(audience_test::NaiveHolds(t.store, *r.expr, p, t.now) == in);
    }
  }
}

TEST_CASE("NaiveEvaluate follows bound.h on hand-built expressions", "[query][oracle]") {
  Tiny t = MakeTiny();
  const audience::Schema& schema = t.store.schema();
  BoundExpr all = BoundExpr::All(), none = BoundExpr::None();
  CHECK(audience_test::NaiveEvaluate(t.store, all, t.now) == Sorted({t.a, t.b, t.c, t.e}));
  CHECK(audience_test::NaiveEvaluate(t.store, none, t.now).empty());
  BoundExpr empty_and{.kind = K::kAnd}, empty_or{.kind = K::kOr};
  CHECK(audience_test::NaiveEvaluate(t.store, empty_and, t.now).size() == 4);
  CHECK(audience_test::NaiveEvaluate(t.store, empty_or, t.now).empty());
  // An int constant against a double column compares as a double.
  BoundExpr cmp{.kind = K::kCompare,
                .attr = *schema.AttributeIdOf("score"),
                .op = audience::CompareOp::kLt,
                .values = {Value::Int(0)}};
  CHECK(audience_test::NaiveEvaluate(t.store, cmp, t.now) == std::vector<PersonId>{t.a});
  // A window reaching past now + 1 still sees nothing later than now.
  BoundExpr ev{.kind = K::kEvent};
  ev.event.type = 0;
  ev.event.from = -audience::kMaxQueryTime;
  ev.event.to = t.now + 100 * kDay;
  ev.event.measure = audience::EventMeasure::kSum;
  ev.event.op = audience::CompareOp::kGt;
  ev.event.number = 100;
  CHECK(audience_test::NaiveEvaluate(t.store, ev, t.now).empty());
  // An empty window: count 0 holds for everybody, first/last for nobody.
  ev.event.from = t.now - kDay;
  ev.event.to = t.now - kDay;
  ev.event.measure = audience::EventMeasure::kCount;
  ev.event.op = audience::CompareOp::kEq;
  ev.event.number = 0;
  CHECK(audience_test::NaiveEvaluate(t.store, ev, t.now).size() == 4);
  ev.event.measure = audience::EventMeasure::kFirst;
  ev.event.op = audience::CompareOp::kGe;
  ev.event.time = -audience::kMaxQueryTime;
  CHECK(audience_test::NaiveEvaluate(t.store, ev, t.now).empty());
}

namespace {

bool ContainsKind(const BoundExpr& e, K kind) {
  if (e.kind == kind) return true;
  // any(n) without conditions binds to the constant kAll (n = 0) or kNone.
  if (e.kind == K::kAtLeast && e.children.empty()) {
    return kind == (e.count == 0 ? K::kAll : K::kNone);
  }
  return std::any_of(e.children.begin(), e.children.end(),
                     [&](const BoundExpr& c) { return ContainsKind(c, kind); });
}

size_t CountNodes(const BoundExpr& e) {
  size_t n = 1;
  for (const BoundExpr& c : e.children) n += CountNodes(c);
  return n;
}

size_t Depth(const BoundExpr& e) {
  size_t d = 0;
  for (const BoundExpr& c : e.children) d = std::max(d, 1 + Depth(c));
  return d;
}

void CollectLeaves(const BoundExpr& e, std::vector<BoundExpr>* out) {
  if (e.is_leaf()) out->push_back(e);
  for (const BoundExpr& c : e.children) CollectLeaves(c, out);
}

std::string Diagnostics(const audience::BindResult& r) {
  std::string s;
  for (const audience::Diagnostic& d : r.diagnostics) s += d.message + "; ";
  return s;
}

// The same leaf answered by the storage layer's indexed reads (bitmaps,
// range indexes, day buckets): an implementation independent of the oracle.
std::vector<PersonId> ViaIndexes(const audience::Store& store, const BoundExpr& e,
                                 UnixSeconds now) {
  using audience::Bitmap;
  Bitmap out;
  switch (e.kind) {
    case K::kTag:
      for (const std::string& v : e.tag_values) {
        if (auto id = store.dimension(e.dim).FindValue(v)) {
          out |= store.dimension(e.dim).MembersAt(*id, now);
        }
      }
      break;
    case K::kHasTag:
      out = store.dimension(e.dim).AnyAt(now);
      break;
    case K::kCompare:
      out = *store.attribute(e.attr).Compare(e.op, e.values[0]);
      break;
    case K::kBetween:
      out = *store.attribute(e.attr).Between(e.values[0], e.values[1]);
      break;
    case K::kIn:
      out = *store.attribute(e.attr).In(e.values);
      break;
    case K::kNotNull:
      out = store.attribute(e.attr).NotNull();
      break;
    case K::kEvent: {
      const audience::EventIndex& index = store.event_type(e.event.type);
      audience::WindowFilter f{.from = e.event.from, .to = std::min(e.event.to, now + 1)};
      bool known = true;
      for (const auto& [property, value] : e.event.equals) {
        std::optional<uint32_t> id = index.FindPropertyValue(property, value);
        if (id) f.equals.push_back({property, *id});
        known = known && id.has_value();
      }
      const audience::EventPredicate& p = e.event;
      auto holds = [&](const audience::WindowStats& s) {
        switch (p.measure) {
          case audience::EventMeasure::kCount:
            return audience::CompareHolds(p.op, static_cast<double>(s.count), p.number);
          case audience::EventMeasure::kSum:
            return audience::CompareHolds(p.op, s.sum, p.number);
          case audience::EventMeasure::kFirst:
            return audience::CompareHolds(p.op, s.first, p.time);
          case audience::EventMeasure::kLast:
            return audience::CompareHolds(p.op, s.last, p.time);
        }
        return false;
      };
      if (known) out = index.SelectInWindow(f, holds);
      bool zero_holds = (p.measure == audience::EventMeasure::kCount ||
                         p.measure == audience::EventMeasure::kSum) &&
                        audience::CompareHolds(p.op, 0.0, p.number);
      if (zero_holds) out |= store.universe() - (known ? index.DidInWindow(f) : Bitmap());
      break;
    }
    default:
      FAIL("not a leaf");
  }
  out &= store.universe();
  return out.ToVector();
}

}  // namespace

TEST_CASE("MakeWorld is deterministic and has the promised features", "[query][oracle]") {
  audience_test::World w = audience_test::MakeWorld(7, 300);
  audience_test::World again = audience_test::MakeWorld(7, 300);
  CHECK(w.now == again.now);
  CHECK(w.store == again.store);
  CHECK_FALSE(audience_test::MakeWorld(8, 300).store == w.store);
  const audience::Store& s = w.store;
  const UnixSeconds now = w.now;

  // Merged and deleted people left the universe; nobody else did.
  REQUIRE(w.merged_away.size() == 10);
  REQUIRE(w.deleted.size() == 7);
  for (PersonId p : w.merged_away) CHECK_FALSE(s.universe().Contains(p));
  for (PersonId p : w.deleted) CHECK_FALSE(s.universe().Contains(p));
  CHECK(s.person_count() == 300 - 10 - 7);
  size_t unknown = 0;
  for (int64_t i = 0; i < 300; ++i) {
    std::optional<PersonId> p = s.Find(ExternalId::Int(i));
    if (!p) {
      ++unknown;
    } else {
      CHECK(s.universe().Contains(*p));
    }
  }
  CHECK(unknown == w.deleted.size());
  // Each merge's primary also got a fresh alias that names the survivor.
  size_t aliases = 0;
  for (int64_t i = 0; i < 300; ++i) {
    if (auto p = s.Find(ExternalId::Str("alias-" + std::to_string(i)))) {
      ++aliases;
      CHECK(s.Find(ExternalId::Int(i)) == p);
    }
  }
  CHECK(aliases == w.merged_away.size());

  // Data features the generator and the differential tests rely on.
  const audience::Schema& schema = s.schema();
  CHECK(s.dimension(*schema.DimensionIdOf("interest")).value_count() == 8);
  const audience::TagDimension& campaign = s.dimension(*schema.DimensionIdOf("campaign"));
  size_t expired = 0, held_expiring = 0;
  std::array<size_t, 6> nulls{};
  size_t negative_score = 0, zero_score = 0, before_1970 = 0, no_purchase = 0, after_now = 0,
         at_now = 0;
  bool age_min = false, age_max = false;
  s.universe().ForEach([&](uint32_t p) {
    for (uint32_t v = 0; v < campaign.value_count(); ++v) {
      if (auto a = campaign.Assignment(p, v); a && a->expires_at) {
        (*a->expires_at <= now ? expired : held_expiring) += 1;
      }
    }
    for (audience::AttributeId a = 0; a < 6; ++a) nulls[a] += s.attribute(a).Get(p).is_null();
    Value age = s.attribute(0).Get(p), score = s.attribute(1).Get(p),
          signup = s.attribute(4).Get(p);
    age_min = age_min || (!age.is_null() && age.int_value() == INT64_MIN);
    age_max = age_max || (!age.is_null() && age.int_value() == INT64_MAX);
    negative_score += !score.is_null() && score.double_value() < 0;
    zero_score += !score.is_null() && score.double_value() == 0;
    before_1970 += !signup.is_null() && absl::ToUnixSeconds(signup.time_value()) < 0;
    no_purchase += s.event_type(0).Aggregate(p) == nullptr;
    for (audience::EventTypeId t = 0; t < 2; ++t) {
      s.event_type(t).ForEachPoint(p, [&](const audience::EventPoint& pt) {
        after_now += pt.time > now;
        at_now += pt.time == now;
      });
    }
  });
  CHECK(expired > 0);
  CHECK(held_expiring > 0);
  for (size_t n : nulls) CHECK(n > 0);
  CHECK(age_min);
  CHECK(age_max);
  CHECK(negative_score > 0);
  CHECK(zero_score > 0);
  CHECK(before_1970 > 0);
  CHECK(no_purchase > 0);
  CHECK(after_now > 0);
  CHECK(at_now > 0);
  // Nobody holds tier:platinum or gender X (values that exist but match nobody).
  CHECK(s.dimension(1).Members(*s.dimension(1).FindValue("platinum")).IsEmpty());
}

TEST_CASE("Generated expressions round-trip through Describe, Parse and Bind", "[query][oracle]") {
  size_t checked = 0, failures = 0;
  for (uint64_t seed : {1, 2, 3}) {  // 3: compacted events; 1: swept expiries
    audience_test::World w = audience_test::MakeWorld(seed, 300);
    audience_test::QueryGen gen(w.store, seed, w.now);
    for (int i = 0; i < 1000; ++i) {
      BoundExpr e = gen.Next();
      ++checked;
      std::string text = audience::Describe(e, w.store.schema());
      audience::BindResult r = BindText(w.store, text, w.now);
      bool ok = r.expr.has_value() && audience::Describe(*r.expr, w.store.schema()) == text;
      // kAll / kNone print as any(0) / any(1), and any() without conditions
      // binds to kAll / kNone: the same people, maybe a different node.
      bool all_none = ContainsKind(e, K::kAll) || ContainsKind(e, K::kNone);
      if (ok && !all_none) ok = *r.expr == e;
      if (ok && all_none) {
        ok = audience_test::NaiveEvaluate(w.store, *r.expr, w.now) ==
             audience_test::NaiveEvaluate(w.store, e, w.now);
      }
      if (!ok && ++failures <= 5) {
        INFO("seed " << seed << " #" << i << "\n  text:    " << text << "\n  rebound: "
                     << (r.expr ? audience::Describe(*r.expr, w.store.schema()) : "(none)")
                     << "\n  errors:  " << Diagnostics(r));
        FAIL_CHECK("round trip failed");
      }
    }
  }
  CHECK(checked == 3000);
  CHECK(failures == 0);
}

TEST_CASE("QueryGen covers every kind, operator, measure and edge", "[query][oracle]") {
  audience_test::World w = audience_test::MakeWorld(11, 300);
  audience_test::QueryGen gen(w.store, 11, w.now);
  const size_t live = w.store.person_count();
  std::map<K, size_t> kinds;
  std::map<std::pair<K, audience::CompareOp>, size_t> ops;
  std::map<audience::EventMeasure, size_t> measures;
  size_t open_from = 0, empty_window = 0, unseen_property = 0, zero_holds = 0, max_depth = 0;
  size_t empty_results = 0, full_results = 0, mixed_leaves = 0, leaves_total = 0;
  bool int_edges = false, time_edge = false, empty_between = false;
  for (int i = 0; i < 3000; ++i) {
    BoundExpr e = gen.Next();
    max_depth = std::max(max_depth, Depth(e));
    size_t n = audience_test::NaiveEvaluate(w.store, e, w.now).size();
    empty_results += n == 0;
    full_results += n == live;
    std::vector<BoundExpr> stack = {e};
    while (!stack.empty()) {
      BoundExpr x = std::move(stack.back());
      stack.pop_back();
      ++kinds[x.kind];
      for (const BoundExpr& c : x.children) stack.push_back(c);
      if (x.kind == K::kCompare) {
        ++ops[{x.kind, x.op}];
        const Value& v = x.values[0];
        int_edges = int_edges || (v.type() == audience::AttributeType::kInt64 &&
                                  (v.int_value() == INT64_MIN || v.int_value() == INT64_MAX));
        time_edge = time_edge || (v.type() == audience::AttributeType::kTimestamp &&
                                  absl::ToUnixSeconds(v.time_value()) == -audience::kMaxQueryTime);
      }
      if (x.kind == K::kBetween) {
        const Value& lo = x.values[0];
        const Value& hi = x.values[1];
        switch (lo.type()) {
          case audience::AttributeType::kInt64:
            empty_between |= hi.int_value() < lo.int_value();
            break;
          case audience::AttributeType::kDouble:
            empty_between |= hi.double_value() < lo.double_value();
            break;
          case audience::AttributeType::kTimestamp:
            empty_between |= hi.time_value() < lo.time_value();
            break;
          default:
            FAIL_CHECK("BETWEEN on an unordered type");
        }
      }
      if (x.kind == K::kEvent) {
        const audience::EventPredicate& p = x.event;
        ++measures[p.measure];
        ++ops[{x.kind, p.op}];
        open_from += p.from == -audience::kMaxQueryTime;
        empty_window += p.from >= p.to;
        CHECK(p.to <= w.now + 1);
        for (const auto& eq : p.equals) unseen_property += eq.second == "no'such";
        zero_holds += p.measure <= audience::EventMeasure::kSum &&
                      audience::CompareHolds(p.op, 0.0, p.number);
      }
      if (x.is_leaf() && leaves_total < 3000) {
        ++leaves_total;
        size_t m = audience_test::NaiveEvaluate(w.store, x, w.now).size();
        mixed_leaves += m > 0 && m < live;
      }
    }
  }
  for (K k : {K::kAll, K::kNone, K::kAnd, K::kOr, K::kNot, K::kAtLeast, K::kTag, K::kHasTag,
              K::kCompare, K::kBetween, K::kIn, K::kNotNull, K::kEvent}) {
    INFO("kind " << static_cast<int>(k));
    CHECK(kinds[k] > 0);
  }
  for (int op = 0; op < 6; ++op) {
    INFO("op " << op);
    CHECK(ops[{K::kCompare, static_cast<audience::CompareOp>(op)}] > 0);
    CHECK(ops[{K::kEvent, static_cast<audience::CompareOp>(op)}] > 0);
  }
  for (int m = 0; m < 4; ++m) CHECK(measures[static_cast<audience::EventMeasure>(m)] > 0);
  CHECK(max_depth == 4);
  CHECK(open_from > 0);
  CHECK(empty_window > 0);
  CHECK(unseen_property > 0);
  CHECK(zero_holds > 0);
  CHECK(int_edges);
  CHECK(time_edge);
  CHECK(empty_between);
  // The queries discriminate: most leaves split the people, and few whole
  // queries select nobody or everybody.
  CHECK(mixed_leaves * 2 > leaves_total);
  CHECK(empty_results < 1500);
  CHECK(full_results < 1500);
}

TEST_CASE("Oracle leaves agree with the storage layer's indexed reads", "[query][oracle]") {
  for (uint64_t seed : {3, 5}) {
    audience_test::World w = audience_test::MakeWorld(seed, 300);
    audience_test::QueryGen gen(w.store, seed + 100, w.now);
    size_t leaves = 0;
    while (leaves < 1500) {
      std::vector<BoundExpr> found;
      CollectLeaves(gen.Next(), &found);
      for (const BoundExpr& leaf : found) {
        ++leaves;
        std::vector<PersonId> want = ViaIndexes(w.store, leaf, w.now);
        if (audience_test::NaiveEvaluate(w.store, leaf, w.now) != want) {
          INFO("seed " << seed << ": " << audience::Describe(leaf, w.store.schema()));
          FAIL_CHECK("oracle and indexes disagree");
        }
      }
    }
  }
}

TEST_CASE("Shrink reduces a synthetic failure to a minimal expression", "[query][oracle]") {
  audience_test::World w = audience_test::MakeWorld(4, 100);
  audience_test::QueryGen gen(w.store, 4, w.now);
  size_t shrunk = 0;
  for (int i = 0; i < 2000 && shrunk < 20; ++i) {
    BoundExpr e = gen.Next();
    if (CountNodes(e) < 6 || !ContainsKind(e, K::kEvent)) continue;
    ++shrunk;
    size_t calls = 0;
    BoundExpr s = audience_test::Shrink(e, [&](const BoundExpr& x) {
      ++calls;
      return ContainsKind(x, K::kEvent);
    });
    INFO(audience::Describe(e, w.store.schema()));
    CHECK(s.kind == K::kEvent);
    CHECK(s.event.equals.empty());
    CHECK(calls > 0);
  }
  CHECK(shrunk == 20);

  // Two leaves that must stay: the minimum is an operator over exactly them.
  shrunk = 0;
  for (int i = 0; i < 5000 && shrunk < 20; ++i) {
    BoundExpr e = gen.Next();
    if (!ContainsKind(e, K::kTag) || !ContainsKind(e, K::kCompare)) continue;
    ++shrunk;
    BoundExpr s = audience_test::Shrink(e, [](const BoundExpr& x) {
      return ContainsKind(x, K::kTag) && ContainsKind(x, K::kCompare);
    });
    INFO(audience::Describe(e, w.store.schema())
         << "\n -> " << audience::Describe(s, w.store.schema()));
    CHECK(CountNodes(s) == 3);
    CHECK((s.kind == K::kAnd || s.kind == K::kOr || s.kind == K::kAtLeast));
    for (const BoundExpr& c : s.children) {
      if (c.kind == K::kTag) CHECK(c.tag_values.size() == 1);
    }
  }
  CHECK(shrunk == 20);

  // Nothing smaller fails: the input comes back unchanged.
  BoundExpr e;
  do {
    e = gen.Next();
  } while (CountNodes(e) < 4);
  CHECK(audience_test::Shrink(e, [&](const BoundExpr& x) { return x == e; }) == e);
  // An oracle-based predicate: "selects person p" shrinks to a leaf or a
  // combination that still selects p.
  PersonId p = w.store.universe().Minimum();
  int tried = 0;
  for (int i = 0; i < 500 && tried < 10; ++i) {
    BoundExpr q = gen.Next();
    if (CountNodes(q) < 4 || !audience_test::NaiveHolds(w.store, q, p, w.now)) continue;
    ++tried;
    BoundExpr s = audience_test::Shrink(
        q, [&](const BoundExpr& x) { return audience_test::NaiveHolds(w.store, x, p, w.now); });
    CHECK(audience_test::NaiveHolds(w.store, s, p, w.now));
    CHECK(CountNodes(s) <= 2);  // a leaf, NOT over a leaf, or any(0)
  }
  CHECK(tried == 10);
}
