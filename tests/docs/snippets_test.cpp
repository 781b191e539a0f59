// Every ```cpp block of README.md and docs/*.md is compiled and linked into
// this binary (tests/docs/snippet_gen.cpp generates the code); this test
// checks that none was skipped: one function per block, or per document
// marked "<!-- snippets: one program -->".
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "docs/snippet_context.h"

TEST_CASE("every code block of the docs is compiled", "[docs]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(AUDIENCE_TEST_SOURCE_DIR).parent_path();
  std::vector<fs::path> files = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") files.push_back(e.path());
  }
  std::set<std::string> expected;
  for (const fs::path& f : files) {
    std::ifstream in(f);
    std::string line;
    bool one_program = false;
    std::vector<std::string> starts;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find("<!-- snippets: one program -->") != std::string::npos) one_program = true;
      if (line.rfind("```cpp", 0) == 0) {
        starts.push_back(fs::relative(f, root).string() + ":" + std::to_string(n + 1));
      }
    }
    if (one_program && !starts.empty()) starts.resize(1);
    expected.insert(starts.begin(), starts.end());
  }
  std::set<std::string> compiled;
  for (const audience_docs::Snippet& s : audience_docs::AllSnippets()) compiled.insert(s.where);
  CHECK(expected.size() >= 10);
  CHECK(compiled == expected);
}
