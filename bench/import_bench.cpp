// Import macro benchmark: the synthetic population of the query benchmark
// written as one profile CSV (11 attributes and a '|'-separated interest
// column, about 8 tags per person), then imported into a Store with
// ImportCsvFile, and, side by side, into SQLite (prepared inserts in one
// transaction, then the query benchmark's indexes).
//
//   build-bench/bench/import_bench --people=10000000 --runs=3 [--sqlite=auto|on|off]
//                                  [--dir=/tmp] [--threads=N] [--keep]
//
// Prints the CSV size, the median import time of each engine, rows/s, MB/s
// and the ratio; the CSV is deleted at exit unless --keep, and a kept CSV of
// the same population size is reused by the next run (for profiling the
// import alone).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "query_bench_data.h"

namespace {

using namespace audience;

struct Flags {
  uint32_t people = 1'000'000;
  int runs = 3;
  std::string sqlite = "auto";
  std::string dir = "/tmp";
  unsigned threads = 0;  // ImportSpec::threads (0: all cores)
  bool keep = false;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      const size_t n = std::strlen(name);
      return a.compare(0, n, name) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--people=")) {
      f.people = static_cast<uint32_t>(std::stoul(v));
    } else if (const char* v2 = value("--runs=")) {
      f.runs = std::max(1, std::stoi(v2));
    } else if (const char* v3 = value("--sqlite=")) {
      f.sqlite = v3;
    } else if (const char* v4 = value("--dir=")) {
      f.dir = v4;
    } else if (const char* v5 = value("--threads=")) {
      f.threads = static_cast<unsigned>(std::stoul(v5));
    } else if (a == "--keep") {
      f.keep = true;
    } else {
      bench::Die("unknown flag " + a + " (see the file comment)");
    }
  }
  return f;
}

const char* kColumns[] = {"gender", "region", "income", "age", "orders", "rfm_r",
                          "rfm_f", "rfm_m", "registered_at", "last_active_at", "spend"};

std::string FormatTime(int64_t t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(t), absl::UTCTimeZone());
}

// Writes the CSV; returns its size in bytes.
uint64_t WriteCsv(const bench::QueryData& d, const std::string& path) {
  const bench::Population& p = d.pop;
  std::vector<std::vector<uint16_t>> tags(p.size);
  for (int v = 0; v < bench::kTagValues; ++v) {
    for (uint32_t i : p.tag_members[v]) tags[i].push_back(static_cast<uint16_t>(v));
  }
  std::ofstream out(path, std::ios::binary);
  out << "id";
  for (const char* c : kColumns) out << ',' << c;
  out << ",interests\n";
  std::string line;
  for (uint32_t i = 0; i < p.size; ++i) {
    line = fmt::format("{},{},{},{},{},{},{},{},{},{},{},{:.2f},", i, bench::kGenders[p.gender[i]],
                       bench::RegionName(p.region[i]), bench::kIncomes[p.income[i]], p.age[i],
                       p.orders[i], d.rfm_r[i], d.rfm_f[i], d.rfm_m[i],
                       FormatTime(p.registered_at[i]), FormatTime(p.last_active_at[i]),
                       p.spend[i]);
    for (size_t k = 0; k < tags[i].size(); ++k) {
      if (k > 0) line += '|';
      line += bench::TagName(tags[i][k]);
    }
    line += '\n';
    out << line;
  }
  out.close();
  return static_cast<uint64_t>(std::ifstream(path, std::ios::binary | std::ios::ate).tellg());
}

ImportSpec Spec(unsigned threads) {
  ImportSpec spec;
  spec.threads = threads;
  spec.kind = ImportKind::kProfiles;
  spec.id_column = "id";
  spec.id_type = IdType::kInt;
  spec.time_format = "%Y-%m-%dT%H:%M:%S";
  for (const char* c : kColumns) spec.attributes.emplace_back(c, c);
  spec.tags = {{"interests", "interest"}};
  spec.now = absl::FromUnixSeconds(bench::kEpoch);
  return spec;
}

// SQLite: the same CSV read by our CsvReader, typed and inserted with
// prepared statements in one transaction; then the query benchmark's indexes.
double ImportSqlite(const std::string& path) {
  auto t0 = std::chrono::steady_clock::now();
  bench::SqliteDb db;
  db.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
  db.Exec("CREATE TABLE profiles(person_id INTEGER PRIMARY KEY, gender TEXT, region TEXT,"
          " income TEXT, age INTEGER, orders INTEGER, rfm_r INTEGER, rfm_f INTEGER,"
          " rfm_m INTEGER, registered_at INTEGER, last_active_at INTEGER, spend REAL);"
          "CREATE TABLE person_tags(person_id INTEGER, value TEXT);");
  sqlite3_stmt* profile = db.Prepare("INSERT INTO profiles VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  sqlite3_stmt* tag = db.Prepare("INSERT INTO person_tags VALUES(?,?)");
  auto reader = CsvReader::OpenFile(path, CsvOptions{});
  if (!reader.ok()) bench::Die(std::string(reader.status().message()));
  bench::Check((*reader)->ReadHeader(), "header");
  absl::StatusOr<TimeFormat> time_format = TimeFormat::Parse("%Y-%m-%dT%H:%M:%S");
  db.Exec("BEGIN");
  CsvRecord rec;
  while (*(*reader)->Next(&rec)) {
    const int64_t id = *ParseInt64(rec.fields[0]);
    sqlite3_bind_int64(profile, 1, id);
    for (int c = 1; c <= 3; ++c) {
      sqlite3_bind_text(profile, c + 1, rec.fields[c].data(), static_cast<int>(rec.fields[c].size()),
                        SQLITE_TRANSIENT);
    }
    for (int c = 4; c <= 8; ++c) sqlite3_bind_int64(profile, c + 1, *ParseInt64(rec.fields[c]));
    for (int c = 9; c <= 10; ++c) {
      sqlite3_bind_int64(profile, c + 1, *time_format->ParseTime(rec.fields[c]));
    }
    sqlite3_bind_double(profile, 12, *ParseDouble(rec.fields[11]));
    if (sqlite3_step(profile) != SQLITE_DONE) bench::Die("sqlite insert");
    sqlite3_reset(profile);
    std::string_view text = rec.fields[12];
    while (!text.empty()) {
      const size_t cut = text.find('|');
      const std::string_view v = text.substr(0, cut);
      text = cut == std::string_view::npos ? std::string_view() : text.substr(cut + 1);
      sqlite3_bind_int64(tag, 1, id);
      sqlite3_bind_text(tag, 2, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(tag) != SQLITE_DONE) bench::Die("sqlite insert");
      sqlite3_reset(tag);
    }
  }
  db.Exec("COMMIT");
  sqlite3_finalize(profile);
  sqlite3_finalize(tag);
  db.Exec("CREATE INDEX tags_value ON person_tags(value, person_id);"
          "CREATE INDEX p_gender ON profiles(gender); CREATE INDEX p_region ON profiles(region);"
          "CREATE INDEX p_income ON profiles(income); CREATE INDEX p_age ON profiles(age);"
          "CREATE INDEX p_r ON profiles(rfm_r); CREATE INDEX p_f ON profiles(rfm_f);"
          "CREATE INDEX p_last ON profiles(last_active_at);");
  return bench::SecondsSince(t0);
}

long RssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const bool use_sqlite =
      flags.sqlite == "on" || (flags.sqlite == "auto" && flags.people <= 2'000'000);
  // The file name carries the size, so a kept CSV is reused only for the same population.
  const std::string path =
      flags.dir + "/audience_import_bench_" + std::to_string(flags.people) + ".csv";
  uint64_t bytes = 0;
  if (std::ifstream kept(path, std::ios::binary | std::ios::ate); flags.keep && kept) {
    bytes = static_cast<uint64_t>(kept.tellg());
    std::fprintf(stderr, "reusing %s: %.0f MB\n", path.c_str(), bytes / 1e6);
  } else {
    const bench::QueryData data = bench::QueryData::Generate(flags.people, 42);
    bytes = WriteCsv(data, path);
    std::fprintf(stderr, "wrote %s: %u rows, %.0f MB\n", path.c_str(), flags.people, bytes / 1e6);
  }

  std::vector<double> ours, sqlite;
  uint64_t people = 0;
  for (int run = 0; run < flags.runs; ++run) {
    Store store = bench::EmptyStore();
    auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<ImportReport> r = ImportCsvFile(store, path, Spec(flags.threads));
    if (!r.ok()) bench::Die(std::string(r.status().message()));
    store.Optimize();
    ours.push_back(bench::SecondsSince(t0));
    people = store.person_count();
    std::fprintf(stderr, "run %d: audience %.2f s (RSS %ld MiB)\n", run + 1, ours.back(), RssMiB());
    if (use_sqlite) {
      sqlite.push_back(ImportSqlite(path));
      std::fprintf(stderr, "run %d: sqlite %.2f s\n", run + 1, sqlite.back());
    }
  }
  if (!flags.keep) std::remove(path.c_str());
  if (people != flags.people) bench::Die("imported person count differs");
  const double t = Median(ours);
  std::printf("| engine | median import (s) | rows/s | MB/s | vs audience |\n");
  std::printf("|---|---|---|---|---|\n");
  std::printf("| audience ImportCsvFile + Optimize | %.2f | %.0f | %.0f | 1.00x |\n", t,
              flags.people / t, bytes / 1e6 / t);
  if (use_sqlite) {
    const double s = Median(sqlite);
    std::printf("| SQLite inserts + indexes | %.2f | %.0f | %.0f | %.2fx |\n", s,
                flags.people / s, bytes / 1e6 / s, s / t);
  }
  std::printf("\n%u people, %.0f MB CSV, %d runs, median\n", flags.people, bytes / 1e6, flags.runs);
  return 0;
}
