#include "audience/storage/tag_dimension.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

using namespace audience;

namespace {

DimensionSpec Multi() { return {.name = "interest"}; }
DimensionSpec Exclusive() {
  return {.name = "power", .kind = DimensionKind::kExclusive, .values = {"high", "mid", "low"}};
}

TagDimension RoundTrip(const TagDimension& d, const DimensionSpec& spec) {
  ByteWriter w;
  d.Serialize(w);
  ByteReader r(w.data(), "tags");
  auto back = TagDimension::Deserialize(r, spec);
  REQUIRE(back.ok());
  CHECK(r.done());
  return *std::move(back);
}

absl::Status Load(const std::string& bytes, const DimensionSpec& spec) {
  ByteReader r(bytes, "tags");
  return TagDimension::Deserialize(r, spec).status();
}

}  // namespace

TEST_CASE("exclusive assignment clears the other value", "[storage][tags]") {
  TagDimension d(Exclusive());
  d.Assign(1, 0, std::nullopt, kSourceImport, 1);
  d.Assign(2, 0, std::nullopt, kSourceImport, 1);
  d.Assign(1, 2, std::nullopt, kSourceManual, 2);
  CHECK(d.Members(0) == Bitmap::Of({2}));
  CHECK(d.Members(2) == Bitmap::Of({1}));
  CHECK(d.ExclusiveSeq(1) == 2);
  CHECK(d.Assignment(1, 2)->source == kSourceManual);
  CHECK_FALSE(d.Assignment(1, 0).has_value());
  d.AssignMany(Bitmap::Of({1, 2, 3}), 1, 50, kSourceRule, 3);
  CHECK(d.Members(0).IsEmpty());
  CHECK(d.Members(2).IsEmpty());
  CHECK(d.Members(1) == Bitmap::Of({1, 2, 3}));
  CHECK(d.ExclusiveSeq(2) == 3);
  CHECK(d.PersonTags(2, 0) == std::vector<TagAssignment>{{1, 50, kSourceRule}});
  CHECK(d.PersonTags(2, 50).empty());
  CHECK(d.Unassign(3, 1));
  CHECK_FALSE(d.Unassign(3, 1));
  CHECK_FALSE(d.Unassign(2, 0));
  CHECK(d.ExclusiveSeq(3) == 0);
  CHECK(d.ExclusiveSeq(99) == 0);
  d.ClearValue(1);
  CHECK(d.ExclusiveSeq(1) == 0);
  CHECK(d.AnyAt(0).IsEmpty());
  CHECK_FALSE(d.HasExpiring());
}

TEST_CASE("values: closed lists, interning and invalid text", "[storage][tags][errors]") {
  TagDimension d(Exclusive());
  CHECK(d.closed());
  CHECK(d.kind() == DimensionKind::kExclusive);
  CHECK(d.name() == "power");
  CHECK(d.value_count() == 3);
  CHECK(d.ValueName(1) == "mid");
  CHECK(d.FindValue("low") == 2u);
  CHECK_FALSE(d.FindValue("hihg").has_value());
  CHECK(*d.InternValue("high") == 0);
  auto r = d.InternValue("hihg");
  REQUIRE_FALSE(r.ok());
  CHECK(absl::IsInvalidArgument(r.status()));
  CHECK(r.status().message() == "dimension 'power' has no value 'hihg'; known values: high, mid, low");
  CHECK(d.value_count() == 3);
  // Hostile text is escaped and cut in the message.
  auto hostile = d.InternValue(std::string(100, 'x') + "\x01");
  REQUIRE_FALSE(hostile.ok());
  CHECK(hostile.status().message().find("...") != absl::string_view::npos);
  CHECK(hostile.status().message().size() < 200);

  TagDimension m(Multi());
  CHECK_FALSE(m.closed());
  CHECK(*m.InternValue("golf") == 0);
  CHECK(*m.InternValue("ski ing") == 1);
  CHECK(*m.InternValue("golf") == 0);
  CHECK(*m.InternValue("caf\xc3\xa9") == 2);
  for (std::string bad : {std::string(), std::string("bad\x01"), std::string("\xff"),
                          std::string("\xc0\xaf"), std::string(257, 'a')}) {
    auto e = m.InternValue(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(absl::IsInvalidArgument(e.status()));
    CHECK(e.status().message().find("interest") != absl::string_view::npos);
  }
  CHECK(m.value_count() == 3);
}

TEST_CASE("expiry, refresh and sweep", "[storage][tags]") {
  TagDimension d(Multi());
  uint32_t v = *d.InternValue("flash");
  CHECK_FALSE(d.HasExpiring());
  d.Assign(1, v, 100, kSourceManual, 1);
  d.Assign(2, v, 200, kSourceManual, 1);
  d.Assign(3, v, std::nullopt, kSourceManual, 1);
  CHECK(d.CountAt(v, 99) == 3);
  CHECK(d.CountAt(v, 100) == 2);
  CHECK(d.MembersAt(v, 150) == Bitmap::Of({2, 3}));
  CHECK(d.Members(v) == Bitmap::Of({1, 2, 3}));  // raw
  CHECK(d.PersonTags(1, 99).size() == 1);
  CHECK(d.PersonTags(1, 100).empty());
  CHECK(d.Assignment(1, v)->expires_at == 100);  // raw ignores now
  d.Assign(1, v, 300, kSourceManual, 2);          // refresh
  CHECK(d.MembersAt(v, 250) == Bitmap::Of({1, 3}));
  d.Assign(1, v, std::nullopt, kSourceManual, 3);  // no expiry any more
  CHECK_FALSE(d.Assignment(1, v)->expires_at.has_value());
  CHECK(d.MembersAt(v, 1000) == Bitmap::Of({1, 3}));
  CHECK(d.HasExpiring());
  CHECK(d.Sweep(199) == 0);
  CHECK(d.Sweep(1000) == 1);
  CHECK(d.Members(v) == Bitmap::Of({1, 3}));
  CHECK_FALSE(d.HasExpiring());
  CHECK(d.Sweep(5000) == 0);

  TagDimension x(Exclusive());
  x.Assign(4, 1, 10, kSourceRule, 7);
  x.Assign(5, 1, 20, kSourceRule, 7);
  CHECK(x.Sweep(10) == 1);
  CHECK(x.ExclusiveSeq(4) == 0);
  CHECK(x.ExclusiveSeq(5) == 7);
  x.Assign(4, 0, std::nullopt, kSourceRule, 8);  // slot was freed properly
  CHECK(x.Members(0) == Bitmap::Of({4}));
}

TEST_CASE("bulk assignment with and without expiry", "[storage][tags]") {
  TagDimension d(Multi());
  uint32_t v = *d.InternValue("promo");
  d.AssignMany(Bitmap::FromRange(0, 1000), v, 500, kSourceImport, 1);
  CHECK(d.CountAt(v, 499) == 1000);
  CHECK(d.CountAt(v, 500) == 0);
  // Few people, many expiring: walks the people.
  d.AssignMany(Bitmap::Of({3, 4}), v, std::nullopt, kSourceImport, 2);
  CHECK(d.MembersAt(v, 600) == Bitmap::Of({3, 4}));
  // Many people, few expiring: walks the expiry entries.
  d.Assign(2000, v, 100, kSourceImport, 3);
  d.AssignMany(Bitmap::FromRange(5, 3000), v, std::nullopt, kSourceImport, 4);
  CHECK(d.MembersAt(v, 600) == (Bitmap::Of({3, 4}) | Bitmap::FromRange(5, 3000)));
  CHECK(d.Sweep(600) == 3);  // 0, 1, 2
  CHECK(d.Members(v) == Bitmap::FromRange(3, 3000));
  d.AssignMany(Bitmap(), v, 5, kSourceRule, 5);  // empty: no-op
  CHECK_FALSE(d.HasExpiring());
}

TEST_CASE("sources are remembered per assignment", "[storage][tags]") {
  TagDimension d(Multi());
  uint32_t v = *d.InternValue("vip");
  d.AssignMany(Bitmap::FromRange(0, 100), v, std::nullopt, kSourceImport, 1);
  d.Assign(5, v, std::nullopt, 7, 2);
  d.Assign(6, v, std::nullopt, 8, 2);
  d.AssignMany(Bitmap::Of({6, 7}), v, std::nullopt, 7, 3);
  d.AssignMany(Bitmap::Of({8, 200}), v, std::nullopt, 9, 3);
  CHECK(d.Assignment(4, v)->source == kSourceImport);
  CHECK(d.Assignment(5, v)->source == 7);
  CHECK(d.Assignment(6, v)->source == 7);
  CHECK(d.Assignment(7, v)->source == 7);
  CHECK(d.Assignment(8, v)->source == 9);
  CHECK(d.Assignment(200, v)->source == 9);
  d.AssignMany(Bitmap::Of({5, 8}), v, std::nullopt, kSourceImport, 4);  // back to base
  CHECK(d.Assignment(5, v)->source == kSourceImport);
  CHECK(d.Assignment(8, v)->source == kSourceImport);
  CHECK(d.Assignment(200, v)->source == 9);
  d.Unassign(6, v);
  CHECK_FALSE(d.Assignment(6, v).has_value());
  d.Assign(6, v, std::nullopt, kSourceRule, 4);
  CHECK(d.Assignment(6, v)->source == kSourceRule);
  CHECK(d.Assignment(7, v)->source == 7);
  TagDimension copy = RoundTrip(d, Multi());
  CHECK(copy == d);
  copy.Assign(7, v, std::nullopt, kSourceImport, 5);  // only the source differs
  CHECK_FALSE(copy == d);
  d.ClearValue(v);
  CHECK(d.Members(v).IsEmpty());
  d.Assign(9, v, std::nullopt, kSourceRule, 5);
  CHECK(d.Assignment(9, v)->source == kSourceRule);
  d.RemovePerson(9);
  d.Assign(9, v, std::nullopt, 11, 6);  // an emptied value takes the new base
  CHECK(d.Assignment(9, v)->source == 11);
}

TEST_CASE("merge rules", "[storage][tags]") {
  TagDimension m(Multi());
  uint32_t a = *m.InternValue("a"), b = *m.InternValue("b"), c = *m.InternValue("c");
  uint32_t e = *m.InternValue("e");
  m.Assign(1, a, 100, kSourceImport, 1);
  m.Assign(1, b, std::nullopt, kSourceImport, 1);
  m.Assign(1, e, 40, kSourceImport, 1);
  m.Assign(2, a, 50, kSourceManual, 2);
  m.Assign(2, c, 70, kSourceManual, 2);
  m.Assign(2, e, std::nullopt, kSourceManual, 2);
  m.MergePerson(1, 2);
  CHECK(m.PersonTags(1, 0).empty());
  CHECK(m.Assignment(2, a)->expires_at == 100);       // later expiry wins
  CHECK(m.Assignment(2, a)->source == kSourceManual);  // survivor's source
  CHECK(m.Assignment(2, b)->source == kSourceImport);  // moved with its source
  CHECK(m.Assignment(2, c)->expires_at == 70);
  CHECK_FALSE(m.Assignment(2, e)->expires_at.has_value());  // no expiry beats any
  m.Assign(3, a, std::nullopt, kSourceRule, 3);
  m.MergePerson(3, 2);  // from without expiry beats into's expiry
  CHECK_FALSE(m.Assignment(2, a)->expires_at.has_value());
  CHECK(m.Assignment(2, a)->source == kSourceManual);
  m.MergePerson(2, 2);  // self: no-op
  CHECK(m.PersonTags(2, 0).size() == 4);

  TagDimension x(Exclusive());
  x.Assign(1, 0, 90, kSourceImport, 5);
  x.Assign(2, 1, std::nullopt, kSourceManual, 3);
  x.Assign(3, 2, std::nullopt, kSourceManual, 5);
  x.MergePerson(1, 2);  // newer from wins, with its expiry, source and seq
  CHECK(x.Members(0) == Bitmap::Of({2}));
  CHECK(x.Members(1).IsEmpty());
  CHECK(x.Assignment(2, 0) == TagAssignment{0, 90, kSourceImport});
  CHECK(x.ExclusiveSeq(2) == 5);
  CHECK(x.ExclusiveSeq(1) == 0);
  x.MergePerson(2, 3);  // tie: into wins
  CHECK(x.Members(2) == Bitmap::Of({3}));
  CHECK(x.Members(0).IsEmpty());
  CHECK(x.ExclusiveSeq(2) == 0);
  x.MergePerson(3, 4);  // into holds nothing: takes from's value
  CHECK(x.Members(2) == Bitmap::Of({4}));
  CHECK(x.ExclusiveSeq(4) == 5);
  x.MergePerson(9, 4);  // from holds nothing: no-op
  CHECK(x.Members(2) == Bitmap::Of({4}));
  x.Assign(5, 2, 10, kSourceRule, 9);
  x.Assign(6, 2, std::nullopt, kSourceManual, 1);
  x.MergePerson(5, 6);  // same value, from newer: its expiry and source travel
  CHECK(x.Assignment(6, 2) == TagAssignment{2, 10, kSourceRule});
  CHECK(x.ExclusiveSeq(6) == 9);
}

TEST_CASE("remove person, counts and any", "[storage][tags]") {
  TagDimension m(Multi());
  for (const char* v : {"a", "b", "c", "d"}) REQUIRE(m.InternValue(v).ok());
  m.AssignMany(Bitmap::FromRange(0, 10), 0, std::nullopt, kSourceImport, 1);
  m.AssignMany(Bitmap::FromRange(0, 30), 1, 100, kSourceImport, 1);
  m.AssignMany(Bitmap::FromRange(50, 60), 2, std::nullopt, kSourceImport, 1);
  m.AssignMany(Bitmap::FromRange(70, 75), 3, 200, kSourceImport, 1);
  using Counts = std::vector<std::pair<uint32_t, uint64_t>>;
  CHECK(m.ValuesByCount(0) == Counts{{1, 30}, {0, 10}, {2, 10}, {3, 5}});
  CHECK(m.ValuesByCount(100) == Counts{{0, 10}, {2, 10}, {3, 5}});
  CHECK(m.ValuesByCount(200) == Counts{{0, 10}, {2, 10}});
  CHECK(m.AnyAt(0) == (Bitmap::FromRange(0, 30) | Bitmap::FromRange(50, 60) |
                       Bitmap::FromRange(70, 75)));
  CHECK(m.AnyAt(150) == (Bitmap::FromRange(0, 10) | Bitmap::FromRange(50, 60) |
                         Bitmap::FromRange(70, 75)));
  m.RemovePerson(5);
  CHECK(m.PersonTags(5, 0).empty());
  CHECK(m.CountAt(0, 0) == 9);
  CHECK(m.CountAt(1, 0) == 29);
  CHECK_FALSE(m.Assignment(5, 1).has_value());
  m.RemovePerson(1000);  // holds nothing
  CHECK(m.MemoryBytes() > 0);
  m.Optimize();
  CHECK(m == RoundTrip(m, Multi()));

  TagDimension x(Exclusive());
  x.Assign(7, 1, std::nullopt, kSourceManual, 2);
  x.RemovePerson(7);
  CHECK(x.Members(1).IsEmpty());
  CHECK(x.ExclusiveSeq(7) == 0);
}

TEST_CASE("exclusive slots stay small for huge person ids", "[storage][tags]") {
  TagDimension x(Exclusive());
  const PersonId huge = kNoPerson - 1;
  x.Assign(huge, 1, std::nullopt, kSourceManual, 4);
  x.Assign(1u << 20, 2, std::nullopt, kSourceManual, 6);
  CHECK(x.MemoryBytes() < (1u << 20));
  CHECK(x.ExclusiveSeq(huge) == 4);
  // Dense ids fill up; the vector grows past 1<<20 and takes that slot over.
  for (PersonId p = 0; p < 600000; ++p) x.Assign(p, p % 3, std::nullopt, kSourceManual, 5);
  CHECK(x.ExclusiveSeq(1u << 20) == 6);
  CHECK(x.ExclusiveSeq(huge) == 4);
  CHECK(x.PersonTags(1u << 20, 0) == std::vector<TagAssignment>{{2, std::nullopt, kSourceManual}});
  x.Assign(1u << 20, 0, std::nullopt, kSourceManual, 7);
  CHECK(x.Members(2).Cardinality() == 200000);
  CHECK(x.Members(0).Contains(1u << 20));
  x.Unassign(huge, 1);
  CHECK(x.ExclusiveSeq(huge) == 0);
  CHECK(x == RoundTrip(x, Exclusive()));
}

// Naive model: (person, value) -> {expiry, source, seq}.
TEST_CASE("tag dimension matches a naive model on random operations", "[storage][tags]") {
  for (DimensionKind kind : {DimensionKind::kMulti, DimensionKind::kExclusive}) {
    const bool excl = kind == DimensionKind::kExclusive;
    const DimensionSpec spec{.name = "x", .kind = kind};
    std::mt19937 rng(excl ? 8 : 7);
    TagDimension d(spec);
    constexpr uint32_t kValues = 6;
    for (uint32_t i = 0; i < kValues; ++i) REQUIRE(d.InternValue("v" + std::to_string(i)).ok());
    struct Entry {
      std::optional<UnixSeconds> expiry;
      SourceId source;
      WriteSeq seq;
    };
    using Key = std::pair<PersonId, uint32_t>;
    std::map<Key, Entry> model;
    auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
    // Mostly small ids; a few huge ones exercise the sparse slots.
    auto person = [&]() -> PersonId { return pick(10) == 0 ? 4'000'000'000u + pick(5) : pick(40); };
    auto erase_person = [&](PersonId p) {
      for (uint32_t w = 0; w < kValues; ++w) model.erase({p, w});
    };
    auto model_assign = [&](PersonId p, uint32_t v, Entry e) {
      if (excl) erase_person(p);
      model[{p, v}] = e;
    };
    for (int step = 0; step < 6000; ++step) {
      const PersonId p = person();
      const uint32_t v = pick(kValues);
      std::optional<UnixSeconds> exp;
      if (pick(3) == 0) exp = pick(1000);
      const auto src = static_cast<SourceId>(pick(3));
      const auto seq = static_cast<WriteSeq>(pick(50) + 1);  // ties happen
      switch (pick(10)) {
        case 0: case 1: case 2:
          model_assign(p, v, {exp, src, seq});
          d.Assign(p, v, exp, src, seq);
          break;
        case 3: {
          Bitmap people;
          for (uint32_t k = pick(8); k > 0; --k) people.Add(person());
          people.ForEach([&](PersonId q) { model_assign(q, v, {exp, src, seq}); });
          d.AssignMany(people, v, exp, src, seq);
          break;
        }
        case 4:
          CHECK(d.Unassign(p, v) == (model.erase({p, v}) == 1));
          break;
        case 5: {
          const UnixSeconds now = pick(1000);
          size_t purged = std::erase_if(
              model, [&](const auto& e) { return e.second.expiry && *e.second.expiry <= now; });
          REQUIRE(d.Sweep(now) == purged);
          break;
        }
        case 6:
          d.RemovePerson(p);
          erase_person(p);
          break;
        case 7:
          if (pick(8) == 0) {
            d.ClearValue(v);
            std::erase_if(model, [&](const auto& e) { return e.first.second == v; });
          }
          break;
        default: {
          const PersonId into = person();
          d.MergePerson(p, into);
          if (p == into) break;
          std::map<uint32_t, Entry> from_entries;
          for (uint32_t w = 0; w < kValues; ++w) {
            if (auto it = model.find({p, w}); it != model.end()) from_entries[w] = it->second;
          }
          erase_person(p);
          for (const auto& [w, fe] : from_entries) {
            if (excl) {
              WriteSeq into_seq = 0;
              bool into_holds = false;
              for (uint32_t u = 0; u < kValues; ++u) {
                if (auto it = model.find({into, u}); it != model.end()) {
                  into_holds = true;
                  into_seq = it->second.seq;
                }
              }
              if (!into_holds || fe.seq > into_seq) model_assign(into, w, fe);
            } else if (auto it = model.find({into, w}); it != model.end()) {
              auto& ie = it->second;
              if (ie.expiry && (!fe.expiry || *fe.expiry > *ie.expiry)) ie.expiry = fe.expiry;
            } else {
              model[{into, w}] = fe;
            }
          }
        }
      }
      if (step % 61 != 0) continue;
      const UnixSeconds now = pick(1100);
      Bitmap any;
      std::vector<std::pair<uint32_t, uint64_t>> counts;
      for (uint32_t w = 0; w < kValues; ++w) {
        Bitmap expect;
        for (const auto& [key, e] : model) {
          if (key.second == w && (!e.expiry || now < *e.expiry)) expect.Add(key.first);
        }
        REQUIRE(d.MembersAt(w, now) == expect);
        REQUIRE(d.CountAt(w, now) == expect.Cardinality());
        any |= expect;
        if (!expect.IsEmpty()) counts.emplace_back(w, expect.Cardinality());
      }
      std::stable_sort(counts.begin(), counts.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      REQUIRE(d.AnyAt(now) == any);
      REQUIRE(d.ValuesByCount(now) == counts);
      bool expiring = false;
      for (const auto& [key, e] : model) expiring |= e.expiry.has_value();
      REQUIRE(d.HasExpiring() == expiring);
      for (PersonId q : {0u, 1u, 7u, 13u, 39u, 4'000'000'000u, 4'000'000'003u}) {
        std::vector<TagAssignment> tags;
        WriteSeq held_seq = 0;
        for (uint32_t w = 0; w < kValues; ++w) {
          auto it = model.find({q, w});
          auto got = d.Assignment(q, w);
          REQUIRE(got.has_value() == (it != model.end()));
          if (!got) continue;
          REQUIRE(got->expires_at == it->second.expiry);
          REQUIRE(got->source == it->second.source);
          held_seq = it->second.seq;
          if (!it->second.expiry || now < *it->second.expiry) tags.push_back(*got);
        }
        REQUIRE(d.PersonTags(q, now) == tags);
        if (excl) REQUIRE(d.ExclusiveSeq(q) == held_seq);
      }
      if (step % 610 == 0) REQUIRE(RoundTrip(d, spec) == d);
    }
  }
}

TEST_CASE("tag dimension snapshots round-trip and reject damage", "[storage][tags][errors]") {
  TagDimension d(Exclusive());
  d.Assign(1, 0, 100, kSourceImport, 1);
  d.Assign(2, 1, std::nullopt, 9, 2);
  d.Assign(3, 1, std::nullopt, kSourceImport, 3);
  d.Assign(4, 1, 70, 12, 4);
  CHECK(RoundTrip(d, Exclusive()) == d);
  TagDimension other = d;
  other.Assign(3, 1, std::nullopt, kSourceImport, 4);  // only the seq differs
  CHECK_FALSE(other == d);
  ByteWriter w;
  d.Serialize(w);
  const std::string& bytes = w.data();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    absl::Status s = Load(bytes.substr(0, cut), Exclusive());
    REQUIRE(absl::IsDataLoss(s));
  }
  std::string bad_version = bytes;
  bad_version[0] = 9;
  CHECK(absl::IsDataLoss(Load(bad_version, Exclusive())));
  // The schema's kind or closed list differs from the snapshot's.
  // An open spec accepts the same values.
  CHECK(Load(bytes, {.name = "power", .kind = DimensionKind::kExclusive}).ok());
  CHECK(absl::IsDataLoss(Load(bytes, {.name = "power", .values = {"high", "mid", "low"}})));
  CHECK(absl::IsDataLoss(Load(bytes, {.name = "power", .kind = DimensionKind::kExclusive,
                                      .values = {"high", "mid"}})));
  CHECK(absl::IsDataLoss(Load(bytes, {.name = "power", .kind = DimensionKind::kExclusive,
                                      .values = {"high", "mid", "lo"}})));
}

TEST_CASE("tag dimension snapshots reject forged invariants", "[storage][tags][errors]") {
  // Writes a snapshot by hand, one value per entry; `seqs` only for exclusive.
  struct Value {
    std::string name{};
    Bitmap members{};
    SourceId base = 0;
    std::vector<std::pair<SourceId, Bitmap>> exceptions{};
    std::vector<std::pair<PersonId, UnixSeconds>> expiries{};
  };
  auto forge = [](DimensionKind kind, const std::vector<Value>& values) {
    ByteWriter w;
    w.PutU8(1);
    w.PutU8(static_cast<uint8_t>(kind));
    w.PutU32(static_cast<uint32_t>(values.size()));
    for (const Value& v : values) {
      w.PutString(v.name);
      w.PutBitmap(v.members);
      w.PutU16(v.base);
      w.PutU32(static_cast<uint32_t>(v.exceptions.size()));
      for (const auto& [s, b] : v.exceptions) {
        w.PutU16(s);
        w.PutBitmap(b);
      }
      w.PutU64(v.expiries.size());
      for (const auto& [p, t] : v.expiries) {
        w.PutU32(p);
        w.PutI64(t);
      }
      if (kind == DimensionKind::kExclusive) {
        w.PutArray(std::vector<WriteSeq>(v.members.Cardinality(), 1));
      }
    }
    return w.Release();
  };
  const auto kMulti = DimensionKind::kMulti;
  const auto kExcl = DimensionKind::kExclusive;
  const DimensionSpec open_excl{.name = "tier", .kind = kExcl};
  // Baselines load.
  REQUIRE(Load(forge(kMulti, {{"a", Bitmap::Of({1, 2}), 0, {{3, Bitmap::Of({2})}}, {{1, 5}}}}),
               Multi()).ok());
  REQUIRE(Load(forge(kExcl, {{"a", Bitmap::Of({1})}, {"b", Bitmap::Of({2})}}), open_excl).ok());
  // A huge person id is valid and must not allocate a huge slot vector.
  REQUIRE(Load(forge(kExcl, {{"a", Bitmap::Of({kNoPerson - 1})}}), open_excl).ok());

  auto rejected = [&](DimensionKind kind, const std::vector<Value>& values,
                      const DimensionSpec& spec, const char* why) {
    INFO(why);
    absl::Status s = Load(forge(kind, values), spec);
    CHECK(absl::IsDataLoss(s));
    CHECK(s.message().find("truncated") == absl::string_view::npos);  // the check, not EOF
  };
  rejected(kExcl, {{"a", Bitmap::Of({1, 2})}, {"b", Bitmap::Of({2})}}, open_excl,
           "a person in two exclusive values");
  rejected(kMulti, {{"a", Bitmap()}, {"a", Bitmap()}}, Multi(), "value listed twice");
  rejected(kMulti, {{"bad\x01", Bitmap()}}, Multi(), "invalid value text");
  rejected(kMulti, {{"a", Bitmap::Of({kNoPerson})}}, Multi(), "reserved person id");
  rejected(kMulti, {{"a", Bitmap::Of({1}), 0, {}, {{2, 5}}}}, Multi(), "expiry for a non-member");
  rejected(kMulti, {{"a", Bitmap::Of({1, 2}), 0, {}, {{2, 5}, {1, 5}}}}, Multi(),
           "expiries out of order");
  rejected(kMulti, {{"a", Bitmap::Of({1, 2}), 0, {}, {{1, 5}, {1, 6}}}}, Multi(),
           "expiry listed twice");
  rejected(kMulti, {{"a", Bitmap::Of({1}), 0, {{3, Bitmap::Of({2})}}}}, Multi(),
           "source for a non-member");
  rejected(kMulti, {{"a", Bitmap::Of({1}), 3, {{3, Bitmap::Of({1})}}}}, Multi(),
           "exception repeats the base source");
  rejected(kMulti, {{"a", Bitmap::Of({1}), 0, {{3, Bitmap()}}}}, Multi(), "empty exception");
  rejected(kMulti, {{"a", Bitmap::Of({1, 2}), 0, {{3, Bitmap::Of({1})}, {4, Bitmap::Of({1})}}}},
           Multi(), "two sources for one member");
  rejected(kMulti, {{"a", Bitmap::Of({1, 2}), 0, {{3, Bitmap::Of({1})}, {3, Bitmap::Of({2})}}}},
           Multi(), "source listed twice");
  // Value ids: a closed list of 3 cannot carry a 4th value, nor a renamed one.
  rejected(kExcl, {{"high", Bitmap()}, {"mid", Bitmap()}, {"low", Bitmap()}, {"x", Bitmap()}},
           Exclusive(), "extra value id");
  rejected(kExcl, {{"high", Bitmap()}, {"low", Bitmap()}, {"mid", Bitmap()}}, Exclusive(),
           "reordered closed values");
  // Seq count differing from the member count.
  ByteWriter w;
  w.PutU8(1);
  w.PutU8(static_cast<uint8_t>(kExcl));
  w.PutU32(1);
  w.PutString("a");
  w.PutBitmap(Bitmap::Of({1, 2}));
  w.PutU16(0);
  w.PutU32(0);
  w.PutU64(0);
  w.PutArray(std::vector<WriteSeq>{1});
  CHECK(absl::IsDataLoss(Load(w.data(), open_excl)));
  // Hostile counts fail before allocating.
  ByteWriter h;
  h.PutU8(1);
  h.PutU8(static_cast<uint8_t>(kMulti));
  h.PutU32(UINT32_MAX);
  CHECK(absl::IsDataLoss(Load(h.data(), Multi())));
}
