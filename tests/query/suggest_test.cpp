#include "audience/query/suggest.h"

#include <catch2/catch.hpp>
#include <random>

using namespace audience;

namespace {

// Plain full-table optimal-string-alignment distance: the oracle.
size_t Naive(std::string a, std::string b) {
  for (char& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

TEST_CASE("edit distance matches the full-table oracle", "[query][suggest]") {
  CHECK(EditDistance("intrest", "interest") == 1);
  CHECK(EditDistance("gedner", "gender") == 1);  // swap
  CHECK(EditDistance("AGE", "age") == 0);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("abcdef", "uvwxyz", 2) == 3);  // capped
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    std::string a, b;
    for (size_t k = rng() % 9; k > 0; --k) a += static_cast<char>('a' + rng() % 4);
    for (size_t k = rng() % 9; k > 0; --k) b += static_cast<char>('a' + rng() % 4);
    size_t want = Naive(a, b);
    REQUIRE(EditDistance(a, b) == want);
    REQUIRE(EditDistance(a, b, 2) == std::min<size_t>(want, 3));
  }
}

TEST_CASE("closest name", "[query][suggest]") {
  std::vector<std::string> names = {"interest", "income", "age", "gender", "last_active_at"};
  CHECK(ClosestName("intrest", names) == "interest");
  CHECK(ClosestName("gedner", names) == "gender");
  CHECK(ClosestName("ag", names) == "age");
  CHECK(ClosestName("Age", names) == "age");
  CHECK(ClosestName("last_actve_at", names) == "last_active_at");
  CHECK_FALSE(ClosestName("x", names).has_value());
  CHECK_FALSE(ClosestName("zzzzzz", names).has_value());
  CHECK_FALSE(ClosestName("age", names).has_value());  // exact: nothing to suggest
  CHECK_FALSE(ClosestName("anything", {}).has_value());
}
