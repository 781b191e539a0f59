#include "audience/ids/id_map.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using audience::Bitmap;
using audience::ByteReader;
using audience::ByteWriter;
using audience::ExternalId;
using audience::IdMap;
using audience::kNoPerson;
using audience::PersonId;

namespace {

ExternalId I(int64_t v) { return ExternalId::Int(v); }
ExternalId S(std::string v) { return ExternalId::Str(std::move(v)); }

std::string Encode(const IdMap& m) {
  ByteWriter w;
  m.Serialize(w);
  return w.Release();
}

absl::StatusOr<IdMap> Decode(std::string_view bytes) {
  ByteReader r(bytes, "ids");
  auto m = IdMap::Deserialize(r);
  if (m.ok() && !r.done()) return absl::DataLossError("trailing bytes");
  return m;
}

// Checks the map's invariants through its public API only.
// `first`: the map's first issued id (ForTestingStartAt); lower ids were
// never issued, and walking four billion of them took minutes under ASan.
bool Consistent(const IdMap& m, PersonId first = 0) {
  bool ok = true;
  uint64_t n = 0;
  m.live().ForEach([&](PersonId p) {
    ++n;
    std::vector<ExternalId> ids = m.IdsOf(p);
    ok = ok && p < m.capacity() && !ids.empty() && m.Canonical(p) == p &&
         m.PrimaryId(p) == ids.front();
    for (const ExternalId& id : ids) ok = ok && m.Find(id) == p;
  });
  ok = ok && n == m.live_count();
  for (PersonId p = first; p < m.capacity() && ok; ++p) {
    PersonId c = m.Canonical(p);
    ok = c == kNoPerson || m.IsLive(c);
  }
  return ok;
}

// The slow oracle: merges recorded as a chain of direct parents, ids per
// person as plain lists.
struct Model {
  std::map<ExternalId, PersonId> fwd;
  std::map<PersonId, std::vector<ExternalId>> people;  // live people
  std::map<PersonId, PersonId> parent;                 // merged -> direct survivor
  PersonId next = 0;

  PersonId GetOrCreate(const ExternalId& id) {
    if (auto it = fwd.find(id); it != fwd.end()) return it->second;
    fwd[id] = next;
    people[next] = {id};
    return next++;
  }
  void Link(const ExternalId& primary, const ExternalId& alias) {
    PersonId s = GetOrCreate(primary);
    auto it = fwd.find(alias);
    if (it == fwd.end()) {
      fwd[alias] = s;
      people[s].push_back(alias);
    } else if (it->second != s) {
      PersonId m = it->second;
      for (const ExternalId& id : people[m]) fwd[id] = s;
      people[s].insert(people[s].end(), people[m].begin(), people[m].end());
      people.erase(m);
      parent[m] = s;
    }
  }
  bool Delete(PersonId p) {
    auto it = people.find(p);
    if (it == people.end()) return false;
    for (const ExternalId& id : it->second) fwd.erase(id);
    people.erase(it);
    return true;
  }
  PersonId Canonical(PersonId p) const {
    while (!people.count(p)) {
      auto it = parent.find(p);
      if (it == parent.end()) return kNoPerson;
      p = it->second;
    }
    return p;
  }
};

// Raw encoder of the documented format, to build damaged inputs.
struct Raw {
  uint8_t version = 1;
  uint32_t base = 0;
  uint32_t capacity = 0;
  std::vector<int64_t> primaries;
  Bitmap live;
  std::vector<std::pair<uint32_t, std::string>> strings;
  std::vector<std::pair<uint32_t, std::vector<ExternalId>>> aliases;
  std::vector<std::pair<uint32_t, uint32_t>> forwards;

  std::string Encode() const {
    ByteWriter w;
    w.PutU8(version);
    w.PutU32(base);
    w.PutU32(capacity);
    w.PutArray(primaries);
    w.PutBitmap(live);
    w.PutU64(strings.size());
    for (const auto& [p, s] : strings) {
      w.PutU32(p);
      w.PutString(s);
    }
    w.PutU64(aliases.size());
    for (const auto& [p, ids] : aliases) {
      w.PutU32(p);
      w.PutU32(static_cast<uint32_t>(ids.size()));
      for (const ExternalId& id : ids) {
        w.PutU8(id.is_int() ? 0 : 1);
        if (id.is_int()) {
          w.PutI64(id.int_value());
        } else {
          w.PutString(id.str_value());
        }
      }
    }
    w.PutU64(forwards.size());
    for (const auto& [a, b] : forwards) {
      w.PutU32(a);
      w.PutU32(b);
    }
    return w.Release();
  }
};

// People 0 (int 10, alias "x"), 1 merged into 0 (its id 11 now on 0),
// 2 = "s2" live, 3 deleted.
Raw ValidRaw() {
  Raw raw;
  raw.capacity = 4;
  raw.primaries = {10, 0, 0, 0};
  raw.live = Bitmap::Of({0, 2});
  raw.strings = {{2, "s2"}};
  raw.aliases = {{0, {S("x"), I(11)}}};
  raw.forwards = {{1, 0}};
  return raw;
}

}  // namespace

TEST_CASE("ids map both ways and are issued densely", "[ids][id_map]") {
  IdMap m;
  bool created = false;
  CHECK(*m.GetOrCreate(I(42), &created) == 0);
  CHECK(created);
  CHECK(*m.GetOrCreate(S("u1"), &created) == 1);
  CHECK(created);
  CHECK(*m.GetOrCreate(I(42), &created) == 0);
  CHECK_FALSE(created);
  CHECK(*m.GetOrCreate(I(-7)) == 2);
  CHECK(*m.Find(S("u1")) == 1);
  CHECK_FALSE(m.Find(S("u2")));
  CHECK(*m.PrimaryId(0) == I(42));
  CHECK(*m.PrimaryId(1) == S("u1"));
  CHECK(m.IdsOf(2) == std::vector<ExternalId>{I(-7)});
  CHECK(m.IdsOf(3).empty());
  CHECK_FALSE(m.PrimaryId(3));
  CHECK(m.capacity() == 3);
  CHECK(m.live_count() == 3);
  CHECK(m.live() == Bitmap::Of({0, 1, 2}));
  CHECK(m.Canonical(1) == 1);
  CHECK(m.Canonical(3) == kNoPerson);
  CHECK(m.Canonical(kNoPerson) == kNoPerson);
  CHECK(Consistent(m));
}

TEST_CASE("integer and string ids are distinct", "[ids][id_map]") {
  IdMap m;
  PersonId a = *m.GetOrCreate(I(42));
  PersonId b = *m.GetOrCreate(S("42"));
  CHECK(a != b);
  CHECK(I(42) != S("42"));
  CHECK(I(42).ToString() == S("42").ToString());
  CHECK(absl::Hash<ExternalId>{}(I(1)) == absl::Hash<ExternalId>{}(I(1)));
  CHECK(I(5) < S(""));
  CHECK_FALSE(m.Find(I(43)));
  CHECK(*m.Find(S("42")) == b);
  CHECK(ExternalId() == S(""));
}

TEST_CASE("invalid ids are rejected and change nothing", "[ids][id_map]") {
  IdMap m;
  REQUIRE(m.GetOrCreate(I(1)).ok());
  const std::string too_long(audience::kMaxExternalIdBytes + 1, 'x');
  for (const ExternalId& bad : {S(""), S(too_long)}) {
    CHECK(m.GetOrCreate(bad).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(m.Link(bad, I(2)).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(m.Link(I(2), bad).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(m.Link(I(1), bad).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_FALSE(m.Find(bad));
  }
  CHECK(std::string(m.GetOrCreate(S(too_long)).status().message()).find("257 bytes") !=
        std::string::npos);
  CHECK(m.capacity() == 1);
  CHECK(m.IdsOf(0) == std::vector<ExternalId>{I(1)});
  CHECK(m.GetOrCreate(S(std::string(audience::kMaxExternalIdBytes, 'y'))).ok());
}

TEST_CASE("Link adds aliases, merges people and is idempotent", "[ids][id_map]") {
  IdMap m;
  // Both unknown: the primary is created first, the alias joins it.
  IdMap::LinkResult r = *m.Link(S("phone"), S("wx"));
  CHECK(r.survivor == 0);
  CHECK_FALSE(r.merged_away);
  CHECK(r.alias_created);
  CHECK(m.capacity() == 1);
  CHECK(*m.Find(S("wx")) == 0);
  // Already linked, either direction: no-op.
  for (auto [a, b] : {std::pair{S("phone"), S("wx")}, std::pair{S("wx"), S("phone")}}) {
    r = *m.Link(a, b);
    CHECK(r.survivor == 0);
    CHECK_FALSE(r.merged_away);
    CHECK_FALSE(r.alias_created);
  }
  // Link(x, x) is GetOrCreate(x).
  r = *m.Link(I(9), I(9));
  CHECK(r.survivor == 1);
  CHECK_FALSE(r.alias_created);
  CHECK(m.IdsOf(1) == std::vector<ExternalId>{I(9)});
  // Two people: the alias's person merges into the primary's.
  r = *m.Link(I(9), S("wx"));
  CHECK(r.survivor == 1);
  CHECK(*r.merged_away == 0);
  CHECK(m.IdsOf(1) == std::vector<ExternalId>{I(9), S("phone"), S("wx")});
  CHECK(m.live() == Bitmap::Of({1}));
  CHECK(m.Canonical(0) == 1);
  CHECK(m.IdsOf(0).empty());
  // Unknown primary, known alias: a new person survives.
  r = *m.Link(S("new"), I(9));
  CHECK(r.survivor == 2);
  CHECK(*r.merged_away == 1);
  CHECK(m.Canonical(0) == 2);
  CHECK(m.Canonical(1) == 2);
  CHECK(*m.PrimaryId(2) == S("new"));
  CHECK(m.IdsOf(2).size() == 4);
  CHECK(Consistent(m));
}

TEST_CASE("merge chains resolve to the last survivor", "[ids][id_map]") {
  IdMap m;
  PersonId a = *m.GetOrCreate(S("a"));
  PersonId b = *m.GetOrCreate(S("b"));
  PersonId c = *m.GetOrCreate(I(3));
  REQUIRE(m.Link(S("b"), S("a")).ok());
  REQUIRE(m.Link(I(3), S("b")).ok());
  for (const ExternalId& id : {S("a"), S("b"), I(3)}) CHECK(*m.Find(id) == c);
  CHECK(m.Canonical(a) == c);
  CHECK(m.Canonical(b) == c);
  CHECK(m.live() == Bitmap::Of({c}));
  CHECK(m.live_count() == 1);
  CHECK(m.IdsOf(c) == std::vector<ExternalId>{I(3), S("b"), S("a")});
  CHECK(Consistent(m));
}

TEST_CASE("Delete forgets the whole person and never reuses its id", "[ids][id_map]") {
  IdMap m;
  REQUIRE(m.Link(S("b"), S("a")).ok());  // 0 = b with alias a
  REQUIRE(m.GetOrCreate(S("c")).ok());   // 1
  REQUIRE(m.Link(S("c"), S("b")).ok());  // 0 merged into 1
  PersonId p = *m.Find(S("a"));          // an old id finds the survivor
  CHECK(p == 1);
  REQUIRE(m.Delete(p).ok());
  for (const char* id : {"a", "b", "c"}) CHECK_FALSE(m.Find(S(id)));
  CHECK(m.Canonical(0) == kNoPerson);
  CHECK(m.Canonical(1) == kNoPerson);
  CHECK(m.live().IsEmpty());
  CHECK(m.live_count() == 0);
  CHECK(m.IdsOf(1).empty());
  // Dead, merged, never issued: NotFound with a reason.
  CHECK(m.Delete(1).code() == absl::StatusCode::kNotFound);
  CHECK(std::string(m.Delete(1).message()).find("was deleted") != std::string::npos);
  CHECK(m.Delete(5).code() == absl::StatusCode::kNotFound);
  CHECK(std::string(m.Delete(5).message()).find("never issued") != std::string::npos);
  CHECK(m.Delete(kNoPerson).code() == absl::StatusCode::kNotFound);
  // Re-creating gives a new id.
  bool created = false;
  CHECK(*m.GetOrCreate(S("a"), &created) == 2);
  CHECK(created);
  REQUIRE(m.Link(S("a"), S("z")).ok());
  REQUIRE(m.GetOrCreate(S("y")).ok());
  REQUIRE(m.Link(S("a"), S("y")).ok());
  CHECK(std::string(m.Delete(3).message()).find("merged") != std::string::npos);
  CHECK(m.capacity() == 4);
  CHECK(Consistent(m));
}

TEST_CASE("issuing stops at kNoPerson ids", "[ids][id_map]") {
  IdMap m = IdMap::ForTestingStartAt(kNoPerson - 2);
  CHECK(*m.GetOrCreate(I(1)) == kNoPerson - 2);
  CHECK(*m.GetOrCreate(S("two")) == kNoPerson - 1);
  CHECK(m.capacity() == kNoPerson);
  absl::StatusOr<PersonId> full = m.GetOrCreate(I(3));
  CHECK(full.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(*m.GetOrCreate(I(1)) == kNoPerson - 2);  // known ids still resolve
  CHECK(m.Link(I(3), I(1)).status().code() == absl::StatusCode::kResourceExhausted);
  CHECK_FALSE(m.Find(I(3)));
  CHECK(m.Link(I(1), I(4)).ok());  // an alias costs no internal id
  CHECK(m.Link(I(1), S("two")).ok());
  CHECK(m.Canonical(kNoPerson - 1) == kNoPerson - 2);
  CHECK(m.Canonical(0) == kNoPerson);
  CHECK(m.Delete(0).code() == absl::StatusCode::kNotFound);
  CHECK(Consistent(m, kNoPerson - 2));
  absl::StatusOr<IdMap> back = Decode(Encode(m));
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(back->GetOrCreate(I(5)).status().code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("GetOrCreateMany equals GetOrCreate id by id", "[ids][id_map]") {
  // Repeats, strings among ints, ids known before the call (one merged
  // away), then an invalid id part way and an exhausted map.
  std::mt19937_64 rng(8);
  IdMap one, many;
  for (IdMap* m : {&one, &many}) {
    REQUIRE(m->GetOrCreate(I(5)).ok());
    REQUIRE(m->GetOrCreate(I(6)).ok());
    REQUIRE(m->Link(I(5), I(6)).ok());
  }
  std::vector<ExternalId> ids;
  for (int k = 0; k < 5000; ++k) {
    const int64_t v = static_cast<int64_t>(rng() % 3000);
    ids.push_back(k % 7 == 0 ? S("s" + std::to_string(v)) : I(v));
  }
  uint64_t created = 0;
  std::vector<PersonId> want;
  for (const ExternalId& id : ids) {
    bool made = false;
    want.push_back(*one.GetOrCreate(id, &made));
    created += made ? 1 : 0;
  }
  std::vector<PersonId> got(ids.size());
  absl::StatusOr<uint64_t> n = many.GetOrCreateMany(ids, absl::MakeSpan(got));
  REQUIRE(n.ok());
  CHECK(*n == created);
  CHECK(got == want);
  CHECK(many == one);
  CHECK(many.live() == one.live());
  CHECK(many.live_count() == one.live_count());

  const std::vector<ExternalId> bad = {I(9001), S(""), I(9002)};
  std::vector<PersonId> out(bad.size(), kNoPerson);
  absl::StatusOr<uint64_t> r = many.GetOrCreateMany(bad, absl::MakeSpan(out));
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(many.Find(I(9001)) == out[0]);  // the ids before the bad one are in
  CHECK(many.IsLive(out[0]));
  CHECK_FALSE(many.Find(I(9002)));
  CHECK(many.live_count() == one.live_count() + 1);

  IdMap full = IdMap::ForTestingStartAt(kNoPerson - 1);
  const std::vector<ExternalId> two = {I(1), I(2)};
  std::vector<PersonId> where(2, 0);
  CHECK(full.GetOrCreateMany(two, absl::MakeSpan(where)).status().code() ==
        absl::StatusCode::kResourceExhausted);
  CHECK(where[0] == kNoPerson - 1);
  CHECK(full.live_count() == 1);
  CHECK(full.IsLive(kNoPerson - 1));
}

TEST_CASE("random operations match a naive model", "[ids][id_map]") {
  std::mt19937_64 rng(20260101);
  auto pick_id = [&] {
    uint64_t k = rng() % 60;
    return k % 2 == 0 ? I(static_cast<int64_t>(k) - 30) : S("s" + std::to_string(k));
  };
  IdMap m;
  Model model;
  for (int step = 0; step < 6000; ++step) {
    const uint64_t op = rng() % 100;
    if (op < 40) {
      ExternalId id = pick_id();
      REQUIRE(*m.GetOrCreate(id) == model.GetOrCreate(id));
    } else if (op < 75) {
      ExternalId a = pick_id(), b = pick_id();
      std::optional<PersonId> before = m.Find(b);
      IdMap::LinkResult r = *m.Link(a, b);
      model.Link(a, b);
      REQUIRE(r.survivor == model.fwd.at(a));
      REQUIRE(r.alias_created == (!before && !(a == b)));
      REQUIRE(r.merged_away.has_value() == (before && *before != r.survivor));
    } else if (op < 95) {
      // Delete by an id's person, or by a raw internal id (maybe dead).
      PersonId p;
      if (op < 88) {
        std::optional<PersonId> found = m.Find(pick_id());
        p = found ? *found : kNoPerson;
      } else {
        p = static_cast<PersonId>(rng() % (model.next + 2));
      }
      REQUIRE(m.Delete(p).ok() == model.Delete(p));
    } else {
      absl::StatusOr<IdMap> back = Decode(Encode(m));
      REQUIRE(back.ok());
      REQUIRE(*back == m);
      m = *std::move(back);
    }
    if (step % 50 == 0 || step > 5900) {
      for (int k = 0; k < 60; ++k) {
        ExternalId id = k % 2 == 0 ? I(k - 30) : S("s" + std::to_string(k));
        auto it = model.fwd.find(id);
        REQUIRE(m.Find(id) == (it == model.fwd.end() ? std::nullopt
                                                     : std::optional<PersonId>(it->second)));
      }
      Bitmap live;
      for (const auto& [p, ids] : model.people) {
        live.Add(p);
        REQUIRE(m.IdsOf(p) == ids);
      }
      REQUIRE(m.live() == live);
      REQUIRE(m.live_count() == model.people.size());
      REQUIRE(m.capacity() == model.next);
      for (PersonId p = 0; p < model.next + 2; ++p) REQUIRE(m.Canonical(p) == model.Canonical(p));
    }
  }
  CHECK(model.parent.size() > 100);  // the run did exercise merges
  CHECK(model.next > 500);
}

TEST_CASE("serialization round-trips and follows the documented format", "[ids][id_map]") {
  IdMap m;
  REQUIRE(m.GetOrCreate(I(10)).ok());                          // 0
  REQUIRE(m.GetOrCreate(I(11)).ok());                          // 1
  REQUIRE(m.GetOrCreate(S("s2")).ok());                        // 2
  REQUIRE(m.GetOrCreate(I(12)).ok());                          // 3
  REQUIRE(m.Link(I(10), S("x")).ok());
  REQUIRE(m.Link(I(10), I(11)).ok());                          // 1 merged into 0
  REQUIRE(m.Delete(3).ok());
  CHECK(Encode(m) == ValidRaw().Encode());
  absl::StatusOr<IdMap> back = Decode(Encode(m));
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(back->Canonical(1) == 0);
  CHECK(*back->Find(S("x")) == 0);
  CHECK(Encode(*back) == Encode(m));

  IdMap other = *back;
  REQUIRE(other.GetOrCreate(I(99)).ok());
  CHECK(other != m);
  IdMap empty;
  CHECK(*Decode(Encode(empty)) == empty);
  CHECK(empty != m);

  // Long strings (heap-allocated) survive too and are counted in memory.
  IdMap strings;
  const size_t before = strings.MemoryBytes();
  REQUIRE(strings.GetOrCreate(S(std::string(200, 'q'))).ok());
  REQUIRE(strings.Link(S(std::string(200, 'q')), S(std::string(100, 'r'))).ok());
  CHECK(strings.MemoryBytes() > before + 600);
  CHECK(*Decode(Encode(strings)) == strings);
}

TEST_CASE("Deserialize rejects every truncation and survives byte flips", "[ids][id_map]") {
  const std::string good = ValidRaw().Encode();
  REQUIRE(Decode(good).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    ByteReader r(std::string_view(good).substr(0, n), "ids");
    INFO("prefix " << n);
    CHECK_FALSE(IdMap::Deserialize(r).ok());
  }
  size_t accepted = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (int mask : {0x01, 0x80, 0xFF}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      absl::StatusOr<IdMap> m = Decode(bad);
      if (!m.ok()) continue;
      ++accepted;  // e.g. a different int id value: must still be coherent
      INFO("byte " << i << " mask " << mask);
      CHECK(Consistent(*m));
      CHECK(*Decode(Encode(*m)) == *m);
    }
  }
  CHECK(accepted > 0);
  CHECK(accepted < good.size());
}

TEST_CASE("Deserialize rejects broken invariants", "[ids][id_map]") {
  auto rejects = [](const Raw& raw, std::string_view needle) {
    absl::StatusOr<IdMap> m = Decode(raw.Encode());
    INFO(needle << " / " << (m.ok() ? std::string("accepted") : std::string(m.status().message())));
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == absl::StatusCode::kDataLoss);
    CHECK(std::string(m.status().message()).find(needle) != std::string::npos);
  };
  Raw raw = ValidRaw();
  raw.version = 2;
  rejects(raw, "version");
  raw = ValidRaw();
  raw.base = 5;
  rejects(raw, "below the first id");
  raw = ValidRaw();
  raw.primaries.push_back(0);
  rejects(raw, "5 entries for 4");
  raw = ValidRaw();
  raw.live.Add(4);
  rejects(raw, "outside the issued range");
  raw = ValidRaw();
  raw.primaries[3] = 77;  // a deleted person keeps an id
  rejects(raw, "dead person 3");
  raw = ValidRaw();
  raw.primaries[2] = 5;  // both an int and a string primary
  rejects(raw, "also has a string primary");
  raw = ValidRaw();
  raw.strings = {{3, "s3"}};
  rejects(raw, "not live");
  raw = ValidRaw();
  raw.strings = {{2, ""}};
  rejects(raw, "empty string");
  raw = ValidRaw();
  raw.aliases = {{0, {I(10)}}};  // duplicates person 0's primary
  rejects(raw, "duplicate external id 10");
  raw = ValidRaw();
  raw.aliases = {{0, {S("s2")}}};  // duplicates person 2's primary
  rejects(raw, "duplicate external id 's2'");
  raw = ValidRaw();
  raw.aliases = {{2, {I(1)}}, {0, {I(2)}}};
  rejects(raw, "not above the previous");
  raw = ValidRaw();
  raw.aliases = {{0, {}}};
  rejects(raw, "0 aliases");
  raw = ValidRaw();
  raw.aliases = {{1, {I(5)}}};  // a merged person owns nothing
  rejects(raw, "person 1 is not live");
  raw = ValidRaw();
  std::string bad_kind = raw.Encode();
  // The kind byte of the first alias "x": before it come the forwards
  // (8 + 8 bytes), I(11) (1 + 8) and "x" itself (1 + 4 + 1).
  const size_t kind_at = bad_kind.size() - 16 - 9 - 6;
  REQUIRE(bad_kind[kind_at] == 1);
  bad_kind[kind_at] = 7;
  CHECK(std::string(Decode(bad_kind).status().message()).find("kind") != std::string::npos);
  // Forwards: a cycle, from a live person, to a dead one, beyond capacity.
  raw = ValidRaw();
  raw.forwards = {{1, 3}, {3, 1}};
  rejects(raw, "not a live person");
  raw = ValidRaw();
  raw.forwards = {{2, 0}};
  rejects(raw, "must be ascending, issued and dead");
  raw = ValidRaw();
  raw.forwards = {{1, 0}, {1, 0}};
  rejects(raw, "must be ascending, issued and dead");
  raw = ValidRaw();
  raw.forwards = {{9, 0}};
  rejects(raw, "must be ascending, issued and dead");
  // Hostile counts fail before allocating.
  ByteWriter w;
  w.PutU8(1);
  w.PutU32(0);
  w.PutU32(kNoPerson);
  w.PutU64(uint64_t{1} << 40);
  CHECK_FALSE(Decode(w.data()).ok());
  raw = Raw();
  std::string huge = raw.Encode();
  huge.replace(huge.size() - 24, 8, std::string("\xff\xff\xff\xff\xff\xff\xff\x0f", 8));
  CHECK(std::string(Decode(huge).status().message()).find("exceeds") != std::string::npos);
}

TEST_CASE("memory stays well under 40 bytes per person for int ids", "[ids][id_map]") {
  IdMap m;
  const int64_t n = 300000;
  m.Reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) REQUIRE(m.GetOrCreate(I(i * 7919)).ok());
  const double per_person = static_cast<double>(m.MemoryBytes()) / static_cast<double>(n);
  INFO(per_person << " bytes per person");
  CHECK(per_person < 34);
  CHECK(per_person > 20);  // the tables are counted
  CHECK(*m.Find(I(7919 * 1234)) == 1234);
}
