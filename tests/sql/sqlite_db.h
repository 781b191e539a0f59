// In-memory SQLite databases for tests: load the CSV export layout
// (docs/sql.md) and run compiled SQL. Test support, header-only.
//
//   audience_test::Db db = audience_test::OpenExport(dir, store.schema());
//   std::vector<int64_t> ids = audience_test::Run(db.get(), CompileToSql(...));
#ifndef AUDIENCE_TESTS_SQL_SQLITE_DB_H_
#define AUDIENCE_TESTS_SQL_SQLITE_DB_H_

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "audience/io/csv_reader.h"
#include "audience/sql/export.h"
#include "audience/sql/sql_compiler.h"
#include "fmt/format.h"

namespace audience_test {

using audience::CsvReader;
using audience::CsvRecord;
using audience::SqlIdentifier;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

inline void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << "\n" << (err != nullptr ? err : ""));
  sqlite3_free(err);
  REQUIRE(rc == SQLITE_OK);
}

// Loads `file` into `table`, binding by the column's declared type; an
// empty field is NULL. Returns the number of rows.
inline int LoadCsv(sqlite3* db, const std::string& table, const std::filesystem::path& file) {
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::OpenFile(file.string());
  REQUIRE(reader.ok());
  REQUIRE((*reader)->ReadHeader().ok());
  const std::vector<std::string> header = (*reader)->header();
  std::vector<std::string> types;
  std::string cols, marks;
  for (const std::string& h : header) {
    sqlite3_stmt* info = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, fmt::format("SELECT type FROM pragma_table_info('{}') WHERE "
                                               "name = ?", table).c_str(), -1, &info,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_text(info, 1, h.c_str(), -1, SQLITE_TRANSIENT);
    INFO("column " << h << " of " << table);
    REQUIRE(sqlite3_step(info) == SQLITE_ROW);
    types.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info, 0)));
    sqlite3_finalize(info);
    cols += (cols.empty() ? "" : ", ") + SqlIdentifier(h);
    marks += marks.empty() ? "?" : ", ?";
  }
  sqlite3_stmt* insert = nullptr;
  const std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table, cols, marks);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &insert, nullptr) == SQLITE_OK);
  int rows = 0;
  CsvRecord rec;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&rec);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(rec.fields.size() == header.size());
    for (size_t i = 0; i < rec.fields.size(); ++i) {
      const std::string_view f = rec.fields[i];
      const int col = static_cast<int>(i) + 1;
      if (f.empty()) {
        sqlite3_bind_null(insert, col);
      } else if (types[i] == "BIGINT" || types[i] == "INTEGER") {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
        REQUIRE((ec == std::errc() && end == f.data() + f.size()));
        sqlite3_bind_int64(insert, col, v);
      } else if (types[i] == "REAL") {
        double v = 0;
        auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
        REQUIRE((ec == std::errc() && end == f.data() + f.size()));
        sqlite3_bind_double(insert, col, v);
      } else {
        sqlite3_bind_text(insert, col, f.data(), static_cast<int>(f.size()), SQLITE_TRANSIENT);
      }
    }
    REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
    sqlite3_reset(insert);
    ++rows;
  }
  sqlite3_finalize(insert);
  return rows;
}

inline std::vector<int64_t> Run(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  INFO(sql << "\n" << sqlite3_errmsg(db));
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::vector<int64_t> out;
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) out.push_back(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  REQUIRE(rc == SQLITE_DONE);
  return out;
}

// A fresh in-memory database with the export of `dir` loaded.
inline Db OpenExport(const std::filesystem::path& dir, const audience::Schema& schema) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  Db db(raw);
  Exec(db.get(), audience::CreateTablesSql(schema, audience::SqlDialect::kSqlite));
  for (const char* table : {"profiles", "person_tags", "events"}) {
    LoadCsv(db.get(), table, dir / (std::string(table) + ".csv"));
  }
  return db;
}

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_SQL_SQLITE_DB_H_
