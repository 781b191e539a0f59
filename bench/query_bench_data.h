// The four engines of the query macro benchmark (bench/query_bench.cpp),
// each loaded with the same synthetic population:
//   Loaded::store    our Store, bulk-loaded (one ColumnBlock) or by WriteBatch ops
//   SqliteDb         SQLite in memory: profiles + person_tags, one index per filter
//   RoaringBaseline  plain CRoaring (Debian's libroaring, not our Bitmap and its
//                    kernels) per value (tags, enums, ages, scores, order
//                    counts, days since last activity)
//   DenseScan        std::vector columns and a 256-bit tag mask per person
//
//   bench::QueryData d = bench::QueryData::Generate(1'000'000, 42);
//   bench::LoadTimes t;
//   audience::Store s = bench::LoadStoreBulk(d, &t);   // or LoadStoreByBatches
#ifndef AUDIENCE_BENCH_QUERY_BENCH_DATA_H_
#define AUDIENCE_BENCH_QUERY_BENCH_DATA_H_

#include <roaring/roaring.hh>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "audience/audience.h"
#include "synthetic.h"

namespace bench {

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "FATAL: %s\n", what.c_str());
  std::abort();
}

inline const char* kGenders[] = {"F", "M", "U"};
inline const char* kIncomes[] = {"low", "mid", "high"};
inline constexpr int kAgeMin = 18, kAgeMax = 80;

// Population plus the RFM quintile scores 1..5: 1 + 5 * rank / n, where
// equal values share the rank of the first of them (so the 40 % who never
// ordered all score f = 1 and m = 1); r from last_active_at (recent = 5),
// f from orders, m from spend.
struct QueryData {
  Population pop;
  std::vector<uint8_t> rfm_r, rfm_f, rfm_m;

  template <typename T>
  static std::vector<uint8_t> Quintiles(const std::vector<T>& v) {
    std::vector<uint32_t> order(v.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return v[a] != v[b] ? v[a] < v[b] : a < b;
    });
    std::vector<uint8_t> score(v.size());
    size_t group = 0;  // rank of the first person with this value
    for (size_t rank = 0; rank < order.size(); ++rank) {
      if (rank > 0 && v[order[rank]] != v[order[rank - 1]]) group = rank;
      score[order[rank]] = static_cast<uint8_t>(1 + group * 5 / order.size());
    }
    return score;
  }

  static QueryData Generate(uint32_t n, uint64_t seed) {
    QueryData d;
    d.pop = Population::Generate(n, seed);
    d.rfm_r = Quintiles(d.pop.last_active_at);
    d.rfm_f = Quintiles(d.pop.orders);
    d.rfm_m = Quintiles(d.pop.spend);
    return d;
  }
};

inline std::string RegionName(int r) { return "r" + std::to_string(r); }
inline std::string TagName(int t) { return "t" + std::to_string(t); }

struct LoadTimes {
  double people = 0, tags = 0, attributes = 0, optimize = 0;
  double total() const { return people + tags + attributes + optimize; }
};

inline void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + std::string(s.message()));
}

// The schema of the benchmark store, with no people.
inline audience::Store EmptyStore() {
  using namespace audience;
  Store s;
  Check(s.AddDimension({.name = "interest"}).status(), "dimension");
  auto enum_attr = [&](const char* name, std::vector<std::string> values) {
    Check(s.AddAttribute({.name = name, .type = AttributeType::kEnum, .enum_values = values})
              .status(), name);
  };
  std::vector<std::string> regions;
  for (int r = 0; r < kRegions; ++r) regions.push_back(RegionName(r));
  enum_attr("gender", {"F", "M", "U"});
  enum_attr("region", regions);
  enum_attr("income", {"low", "mid", "high"});
  for (const char* name : {"age", "orders", "rfm_r", "rfm_f", "rfm_m"}) {
    Check(s.AddAttribute({.name = name, .type = AttributeType::kInt64}).status(), name);
  }
  for (const char* name : {"registered_at", "last_active_at"}) {
    Check(s.AddAttribute({.name = name, .type = AttributeType::kTimestamp}).status(), name);
  }
  Check(s.AddAttribute({.name = "spend", .type = AttributeType::kDouble}).status(), "spend");
  return s;
}

// Person i's value of attribute `a` (schema order of EmptyStore).
inline audience::Value AttributeValue(const QueryData& d, size_t a, uint32_t i) {
  using audience::Value;
  const Population& p = d.pop;
  switch (a) {
    case 0: return Value::Enum(kGenders[p.gender[i]]);
    case 1: return Value::Enum(RegionName(p.region[i]));
    case 2: return Value::Enum(kIncomes[p.income[i]]);
    case 3: return Value::Int(p.age[i]);
    case 4: return Value::Int(p.orders[i]);
    case 5: return Value::Int(d.rfm_r[i]);
    case 6: return Value::Int(d.rfm_f[i]);
    case 7: return Value::Int(d.rfm_m[i]);
    case 8: return Value::Time(absl::FromUnixSeconds(p.registered_at[i]));
    case 9: return Value::Time(absl::FromUnixSeconds(p.last_active_at[i]));
    default: return Value::Double(p.spend[i]);
  }
}

// Tags by one AssignBitmap per value: the bulk path of WriteBatch.
inline void AssignTags(audience::Store& s, const Population& p) {
  audience::WriteBatch batch(absl::FromUnixSeconds(kEpoch));
  for (int v = 0; v < kTagValues; ++v) {
    batch.AssignBitmap("interest", TagName(v), audience::Bitmap::FromIds(p.tag_members[v]),
                       {.source = "import"});
  }
  Check(s.Apply(batch).status(), "tags");
}

// Our store through WriteBatch only: people by Upsert batches, tags by
// AssignBitmap, attributes by SetAttribute batches of 100k people (one op
// per person and attribute: the Store has no bulk attribute path).
inline audience::Store LoadStoreByBatches(const QueryData& d, LoadTimes* t) {
  using namespace audience;
  const Population& p = d.pop;
  Store s = EmptyStore();
  const absl::Time now = absl::FromUnixSeconds(kEpoch);
  Check(s.Apply(WriteBatch(now)).status(), "first batch");  // seq 1, as the bulk path

  auto t0 = std::chrono::steady_clock::now();
  constexpr uint32_t kPeopleChunk = 1 << 20;
  for (uint32_t b = 0; b < p.size; b += kPeopleChunk) {
    WriteBatch batch(now);
    for (uint32_t i = b; i < std::min(p.size, b + kPeopleChunk); ++i) {
      batch.Upsert(ExternalId::Int(i));
    }
    Check(s.Apply(batch).status(), "people");
  }
  if (p.size > 0 && s.Find(ExternalId::Int(p.size - 1)) != p.size - 1) Die("ids are not dense");
  t->people = SecondsSince(t0);

  t0 = std::chrono::steady_clock::now();
  const auto& specs = s.schema().attributes();
  constexpr uint32_t kAttrChunk = 100'000;
  for (uint32_t b = 0; b < p.size; b += kAttrChunk) {
    WriteBatch batch(now);
    for (uint32_t i = b; i < std::min(p.size, b + kAttrChunk); ++i) {
      ExternalId id = ExternalId::Int(i);
      for (size_t a = 0; a < specs.size(); ++a) {
        batch.SetAttribute(id, specs[a].name, AttributeValue(d, a, i));
      }
    }
    Check(s.Apply(batch).status(), "attributes");
  }
  t->attributes = SecondsSince(t0);

  t0 = std::chrono::steady_clock::now();
  AssignTags(s, p);
  t->tags = SecondsSince(t0);

  t0 = std::chrono::steady_clock::now();
  s.Optimize();
  t->optimize = SecondsSince(t0);
  return s;
}

// Same people, tags and attribute values; write sequences may differ (the
// two load paths apply different numbers of batches). Empty when equal,
// else what differs.
inline std::string Difference(const audience::Store& a, const audience::Store& b) {
  if (!(a.schema() == b.schema())) return "schema";
  if (!(a.ids() == b.ids())) return "ids";
  for (audience::DimensionId dim = 0; dim < a.schema().dimensions().size(); ++dim) {
    const auto& x = a.dimension(dim);
    const auto& y = b.dimension(dim);
    if (x.value_count() != y.value_count()) return "tag value count";
    // By name: the two paths may intern values in different orders.
    for (uint32_t v = 0; v < x.value_count(); ++v) {
      std::optional<uint32_t> w = y.FindValue(x.ValueName(v));
      if (!w || !(x.Members(v) == y.Members(*w))) return "tag members of " + x.ValueName(v);
    }
  }
  for (audience::AttributeId at = 0; at < a.schema().attributes().size(); ++at) {
    const auto& x = a.attribute(at);
    const auto& y = b.attribute(at);
    if (!(x.NotNull() == y.NotNull())) return "not-null set of " + x.name();
    bool same = true;
    x.NotNull().ForEach([&](uint32_t p) { same = same && x.Get(p) == y.Get(p); });
    if (!same) return "values of " + x.name();
  }
  return "";
}

// The bulk path: one ColumnBlock (every attribute column and the interest
// tags) applied as one batch. `times->people` covers building the block,
// `times->attributes` applying it (ids, columns, range indexes, tags).
inline audience::Store LoadStoreBulk(const QueryData& d, LoadTimes* t) {
  using namespace audience;
  const Population& p = d.pop;
  Store s = EmptyStore();
  auto t0 = std::chrono::steady_clock::now();
  ColumnBlock block;
  block.Reserve(p.size);
  for (uint32_t i = 0; i < p.size; ++i) block.AddRow(ExternalId::Int(i));
  const auto& specs = s.schema().attributes();
  for (size_t a = 0; a < specs.size(); ++a) {
    ColumnValues& column = block.AddAttribute(specs[a].name, specs[a].type);
    column.Reserve(p.size);
    for (uint32_t i = 0; i < p.size; ++i) column.Append(AttributeValue(d, a, i));
  }
  std::vector<std::vector<uint16_t>> tags(p.size);
  for (int v = 0; v < kTagValues; ++v) {
    for (uint32_t i : p.tag_members[v]) tags[i].push_back(static_cast<uint16_t>(v));
  }
  TagColumn& interest = block.AddTags("interest", {.source = "import"});
  for (uint32_t i = 0; i < p.size; ++i) {
    for (uint16_t v : tags[i]) interest.Add(TagName(v));
    interest.EndRow();
  }
  t->people = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  WriteBatch batch(absl::FromUnixSeconds(kEpoch));
  batch.SetColumns(std::move(block));
  Check(s.Apply(batch).status(), "bulk load");
  if (p.size > 0 && s.Find(ExternalId::Int(p.size - 1)) != p.size - 1) Die("ids are not dense");
  t->attributes = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  s.Optimize();
  t->optimize = SecondsSince(t0);
  return s;
}

// SQLite in memory, same process. Tags are text values, as a host would
// store them; every filtered column has its own index.
class SqliteDb {
 public:
  SqliteDb() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) Die("sqlite3_open");
  }
  ~SqliteDb() { sqlite3_close(db_); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      Die("sqlite: " + std::string(err ? err : "?") + " in " + sql);
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) const {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      Die("sqlite prepare: " + std::string(sqlite3_errmsg(db_)) + " in " + sql);
    }
    return st;
  }

  void Load(const QueryData& d) {
    const Population& p = d.pop;
    Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-8000000;"
         "PRAGMA temp_store=MEMORY;");
    Exec("CREATE TABLE profiles(person_id INTEGER PRIMARY KEY, gender TEXT, age INTEGER,"
         " region TEXT, income TEXT, registered_at INTEGER, last_active_at INTEGER,"
         " orders INTEGER, spend REAL, rfm_r INTEGER, rfm_f INTEGER, rfm_m INTEGER)");
    Exec("CREATE TABLE person_tags(person_id INTEGER NOT NULL, tag TEXT NOT NULL)");
    Exec("BEGIN");
    sqlite3_stmt* ins = Prepare("INSERT INTO profiles VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    std::vector<std::string> regions;
    for (int r = 0; r < kRegions; ++r) regions.push_back(RegionName(r));
    for (uint32_t i = 0; i < p.size; ++i) {
      sqlite3_bind_int64(ins, 1, i);
      sqlite3_bind_text(ins, 2, kGenders[p.gender[i]], -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 3, p.age[i]);
      sqlite3_bind_text(ins, 4, regions[p.region[i]].c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 5, kIncomes[p.income[i]], -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 6, p.registered_at[i]);
      sqlite3_bind_int64(ins, 7, p.last_active_at[i]);
      sqlite3_bind_int64(ins, 8, p.orders[i]);
      sqlite3_bind_double(ins, 9, p.spend[i]);
      sqlite3_bind_int64(ins, 10, d.rfm_r[i]);
      sqlite3_bind_int64(ins, 11, d.rfm_f[i]);
      sqlite3_bind_int64(ins, 12, d.rfm_m[i]);
      if (sqlite3_step(ins) != SQLITE_DONE) Die("sqlite insert profile");
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    // Tags inserted value by value: the (tag, person_id) index then grows at
    // its right edge, which is how SQLite builds an index fastest.
    ins = Prepare("INSERT INTO person_tags VALUES(?,?)");
    for (int v = 0; v < kTagValues; ++v) {
      std::string tag = TagName(v);
      for (uint32_t id : p.tag_members[v]) {
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_text(ins, 2, tag.c_str(), -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) Die("sqlite insert tag");
        sqlite3_reset(ins);
      }
    }
    sqlite3_finalize(ins);
    Exec("COMMIT");
    for (const char* c : {"gender", "age", "region", "income", "last_active_at", "orders",
                          "rfm_r", "rfm_f"}) {
      Exec(std::string("CREATE INDEX profiles_") + c + " ON profiles(" + c + ")");
    }
    Exec("CREATE INDEX person_tags_tag ON person_tags(tag, person_id)");
    Exec("ANALYZE");
  }

  // Runs a prepared statement, returning the first column of every row.
  static std::vector<int64_t> Column(sqlite3_stmt* st) {
    std::vector<int64_t> out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) out.push_back(sqlite3_column_int64(st, 0));
    if (rc != SQLITE_DONE) Die("sqlite step");
    sqlite3_reset(st);
    return out;
  }

  int64_t MemoryBytes() const { return sqlite3_memory_used(); }

 private:
  sqlite3* db_ = nullptr;
};

// Plain CRoaring (through audience::Bitmap): one bitmap per value.
struct RoaringBaseline {
  ::Roaring all;
  std::vector<::Roaring> tag, gender, income, region, age;  // age index = age - 18
  std::array<std::vector<::Roaring>, 3> rfm;                // r, f, m; index = score - 1
  std::vector<::Roaring> orders;                            // per order count
  // Per day since last activity, rounded up: day d holds kEpoch - t in
  // ((d-1) days, d days], so "t < now - k days" is exactly days > k.
  std::vector<::Roaring> active_days;

  static std::vector<::Roaring> Index(uint32_t n, size_t values, auto value_of) {
    std::vector<std::vector<uint32_t>> ids(values);
    for (uint32_t i = 0; i < n; ++i) ids[value_of(i)].push_back(i);
    std::vector<::Roaring> out;
    for (auto& list : ids) {
      out.emplace_back(list.size(), list.data());
      out.back().runOptimize();
      out.back().shrinkToFit();
    }
    return out;
  }

  void Load(const QueryData& d) {
    const Population& p = d.pop;
    const uint32_t n = p.size;
    all.addRange(0, n);
    for (const auto& list : p.tag_members) {
      tag.emplace_back(list.size(), list.data());
      tag.back().runOptimize();
      tag.back().shrinkToFit();
    }
    gender = Index(n, 3, [&](uint32_t i) { return p.gender[i]; });
    income = Index(n, 3, [&](uint32_t i) { return p.income[i]; });
    region = Index(n, kRegions, [&](uint32_t i) { return p.region[i]; });
    age = Index(n, kAgeMax - kAgeMin + 1, [&](uint32_t i) { return p.age[i] - kAgeMin; });
    rfm[0] = Index(n, 5, [&](uint32_t i) { return d.rfm_r[i] - 1; });
    rfm[1] = Index(n, 5, [&](uint32_t i) { return d.rfm_f[i] - 1; });
    rfm[2] = Index(n, 5, [&](uint32_t i) { return d.rfm_m[i] - 1; });
    int64_t max_orders = 0;
    for (int64_t o : p.orders) max_orders = std::max(max_orders, o);
    orders = Index(n, static_cast<size_t>(max_orders) + 1, [&](uint32_t i) { return p.orders[i]; });
    active_days = Index(n, kThreeYears / 86400 + 2, [&](uint32_t i) {
      return (kEpoch - p.last_active_at[i] + 86399) / 86400;
    });
  }

  // Union of values [lo, hi] of a per-value index.
  static ::Roaring Range(const std::vector<::Roaring>& index, size_t lo, size_t hi) {
    std::vector<const ::Roaring*> parts;
    for (size_t v = lo; v <= hi && v < index.size(); ++v) parts.push_back(&index[v]);
    return ::Roaring::fastunion(parts.size(), parts.data());
  }

  // Counted as Bitmap::MemoryBytes counts ours.
  static size_t Bytes(const ::Roaring& b) {
    roaring_statistics_t st;
    roaring_bitmap_statistics(&b.roaring, &st);
    return sizeof(roaring_bitmap_t) + size_t{st.n_containers} * (2 + 1 + sizeof(void*) + 16) +
           st.n_bytes_array_containers + st.n_bytes_run_containers +
           st.n_bytes_bitset_containers;
  }

  size_t MemoryBytes() const {
    size_t total = Bytes(all);
    for (const auto* index : {&tag, &gender, &income, &region, &age, &orders, &active_days}) {
      for (const auto& b : *index) total += Bytes(b);
    }
    for (const auto& index : rfm) {
      for (const auto& b : index) total += Bytes(b);
    }
    return total;
  }
};

// Dense columns for a tight scan loop.
struct DenseScan {
  std::vector<uint8_t> gender, age, region, income, rfm_r, rfm_f;
  std::vector<uint16_t> orders;
  std::vector<uint32_t> last_active;            // unix seconds (fit until 2106)
  std::vector<std::array<uint64_t, 4>> tags;    // bit v = holds tag v

  void Load(const QueryData& d) {
    const Population& p = d.pop;
    const uint32_t n = p.size;
    gender = p.gender;
    region = p.region;
    income = p.income;
    rfm_r = d.rfm_r;
    rfm_f = d.rfm_f;
    age.resize(n);
    orders.resize(n);
    last_active.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      age[i] = static_cast<uint8_t>(p.age[i]);
      orders[i] = static_cast<uint16_t>(std::min<int64_t>(p.orders[i], 65535));
      last_active[i] = static_cast<uint32_t>(p.last_active_at[i]);
    }
    tags.assign(n, {0, 0, 0, 0});
    for (int v = 0; v < kTagValues; ++v) {
      for (uint32_t id : p.tag_members[v]) tags[id][v / 64] |= uint64_t{1} << (v % 64);
    }
  }

  bool Has(uint32_t i, int v) const { return (tags[i][v / 64] >> (v % 64)) & 1; }

  size_t MemoryBytes() const {
    return gender.size() * 6 + orders.size() * 2 + last_active.size() * 4 + tags.size() * 32;
  }
};

}  // namespace bench

#endif  // AUDIENCE_BENCH_QUERY_BENCH_DATA_H_
