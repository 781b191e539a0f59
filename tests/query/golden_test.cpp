// Runs the query behaviour files in tests/queries/*.test (in the spirit of
// DuckDB's sqllogictest). A file is a list of records separated by blank
// lines; '#' lines are comments. A record is
//
//   parse
//   <query, one or more lines>
//   ----
//   <expected: the AST debug form, or the rendered diagnostics>
//
// The expected text is compared exactly, so the files pin error messages,
// positions and carets. Set AUDIENCE_GOLDEN_UPDATE=1 to print the actual
// output of failing records for review.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audience/query/parser.h"

namespace {

struct Record {
  std::string file;
  int line = 0;
  std::string kind;
  std::string query;
  std::string expected;
};

std::vector<Record> ReadRecords(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Record> out;
  std::string text;
  int n = 0;
  Record cur;
  enum { kIdle, kQuery, kExpected } state = kIdle;
  auto flush = [&] {
    if (state == kExpected) out.push_back(cur);
    state = kIdle;
    cur = Record();
  };
  while (std::getline(in, text)) {
    ++n;
    if (state == kIdle) {
      if (text.empty() || text[0] == '#') continue;
      cur.file = path.filename().string();
      cur.line = n;
      cur.kind = text;
      state = kQuery;
    } else if (state == kQuery) {
      if (text == "----") {
        if (!cur.query.empty()) cur.query.pop_back();  // last newline
        state = kExpected;
      } else {
        cur.query += text + "\n";
      }
    } else if (text.empty()) {
      flush();
    } else {
      cur.expected += text + "\n";
    }
  }
  flush();
  return out;
}

std::string Run(const Record& r) {
  if (r.kind == "parse") {
    audience::ParseResult p = audience::Parse(r.query);
    if (p.root == nullptr) return audience::RenderAll(p.diagnostics, r.query);
    return audience::ToDebugString(*p.root) + "\n";
  }
  return "unknown record kind '" + r.kind + "'\n";
}

}  // namespace

TEST_CASE("query behaviour files", "[query][golden]") {
  std::filesystem::path dir = AUDIENCE_TEST_QUERIES_DIR;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  size_t records = 0;
  for (const auto& path : files) {
    for (const Record& r : ReadRecords(path)) {
      ++records;
      std::string actual = Run(r);
      INFO(r.file << ":" << r.line << "\nquery:\n" << r.query);
      if (actual != r.expected && std::getenv("AUDIENCE_GOLDEN_UPDATE") != nullptr) {
        std::printf("%s:%d actual:\n%s\n", r.file.c_str(), r.line, actual.c_str());
      }
      CHECK(actual == r.expected);
    }
  }
  CHECK(records >= 10);
}
