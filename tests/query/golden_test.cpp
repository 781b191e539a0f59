// Runs the query behaviour files in tests/queries/*.test (in the spirit of
// DuckDB's sqllogictest). A file is a list of records separated by blank
// lines; '#' lines are comments. A record is
//
//   parse
//   <query, one or more lines>
//   ----
//   <expected: the AST debug form, or the rendered diagnostics>
//
// Kinds: `parse` (the AST) and `bind` (the bound query's canonical text,
// against tests/queries/schema.json at now = 2026-11-23T10:00:00Z with the
// saved segments defined in SavedSegments() below).
//
// The expected text is compared exactly, so the files pin error messages,
// positions and carets. Set AUDIENCE_GOLDEN_UPDATE=1 to rewrite the files
// with the actual output (then review the change with git diff).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audience/query/binder.h"
#include "audience/query/parser.h"
#include "audience/schema/schema_json.h"

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

const absl::btree_map<std::string, std::string>& SavedSegments() {
  static const auto* segments = new absl::btree_map<std::string, std::string>{
      {"young", "age < 30"},
      {"young_fashion", "segment('young') AND interest:fashion"},
      {"loop_a", "segment('loop_b') OR vip = true"},
      {"loop_b", "segment('loop_a')"},
      {"broken", "age > 'old'"},
  };
  return *segments;
}

std::string Run(const Record& r) {
  audience::ParseResult p = audience::Parse(r.query);
  if (p.root == nullptr) return audience::RenderAll(p.diagnostics, r.query);
  if (r.kind == "parse") return audience::ToDebugString(*p.root) + "\n";
  if (r.kind == "bind") {
    static const audience::Schema schema =
        *audience::LoadSchemaFile(std::string(AUDIENCE_TEST_QUERIES_DIR) + "/schema.json");
    audience::BindOptions options{.schema = &schema,
                                  .now = absl::FromUnixSeconds(1795428000),  // 2026-11-23T10:00Z
                                  .segments = &SavedSegments()};
    audience::BindResult b = audience::Bind(*p.root, options);
    if (!b.expr) return audience::RenderAll(b.diagnostics, r.query);
    return audience::Describe(*b.expr, schema) + "\n";
  }
  return "unknown record kind '" + r.kind + "'\n";
}

// Rewrites `path` with each record's expected block replaced by `actual`
// (records in file order), keeping comments and queries as they are.
void Rewrite(const std::filesystem::path& path, const std::vector<std::string>& actual) {
  std::ifstream in(path);
  std::string out, text;
  size_t record = 0;
  bool in_expected = false;
  while (std::getline(in, text)) {
    if (in_expected) {
      if (!text.empty()) continue;
      in_expected = false;
    }
    out += text + "\n";
    if (text == "----" && record < actual.size()) {
      out += actual[record++];
      in_expected = true;
    }
  }
  std::ofstream(path) << out;
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
    std::vector<std::string> outputs;
    for (const Record& r : ReadRecords(path)) {
      ++records;
      outputs.push_back(Run(r));
      INFO(r.file << ":" << r.line << "\nquery:\n" << r.query);
      CHECK(outputs.back() == r.expected);
    }
    if (std::getenv("AUDIENCE_GOLDEN_UPDATE") != nullptr) Rewrite(path, outputs);
  }
  CHECK(records >= 10);
}
