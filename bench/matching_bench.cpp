// Matching people and products (issue 6): 1M people (the query benchmark's
// population, ~8 of 200 interest tags each) x 1,000 products of 3-6
// weighted terms in three scenes. Times, medians: building the Matcher, the
// best 1,000 people for one product (beside SQLite running the same
// weighted overlap as a GROUP BY over person_tags), the best 5 products for
// one person, and the best 5 products for everyone in a scene. Prints
// markdown for docs/benchmarks.md.
//
//   build-bench/bench/matching_bench [--people=1000000] [--products=1000] [--runs=21]
#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"
#include "query_bench_data.h"

namespace {

using namespace audience;
using bench::Die;
using bench::SecondsSince;
using Clock = std::chrono::steady_clock;

template <typename F>
double MedianSeconds(int runs, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    f(r);
    t.push_back(SecondsSince(t0));
  }
  std::nth_element(t.begin(), t.begin() + runs / 2, t.end());
  return t[static_cast<size_t>(runs / 2)];
}

std::string Ms(double s) { return fmt::format("{:.2f} ms", s * 1e3); }

}  // namespace

int main(int argc, char** argv) {
  uint32_t people = 1'000'000;
  size_t product_count = 1000;
  int runs = 21;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--people=", 0) == 0) {
      people = static_cast<uint32_t>(std::stoul(a.substr(9)));
    } else if (a.rfind("--products=", 0) == 0) {
      product_count = std::stoul(a.substr(11));
    } else if (a.rfind("--runs=", 0) == 0) {
      runs = std::max(3, std::stoi(a.substr(7)));
    } else {
      Die("unknown flag " + a + " (--people=N --products=N --runs=N)");
    }
  }
  const bench::QueryData data = bench::QueryData::Generate(people, 42);
  bench::LoadTimes lt;
  const Store store = bench::LoadStoreBulk(data, &lt);
  bench::SqliteDb sqlite;
  sqlite.Load(data);

  // Products: tag terms, popular tags more often; every fifth also has an
  // attribute term (not in the SQLite comparison, which takes tag-only ones).
  std::mt19937 rng(6);
  std::vector<Product> products;
  const char* scenes[] = {"lunch_mobile", "evening_home", "weekend"};
  for (size_t p = 0; p < product_count; ++p) {
    Product product{.id = "p" + std::to_string(p)};
    const size_t k = 3 + rng() % 4;
    for (size_t t = 0; t < k; ++t) {
      const int tag = rng() % 2 ? static_cast<int>(rng() % 20) : static_cast<int>(rng() % 200);
      product.terms.push_back({"interest:" + bench::TagName(tag), 1.0 + rng() % 5});
    }
    if (p % 5 == 4) product.terms.push_back({"age BETWEEN 20 AND 30", 2});
    product.scenes = {scenes[p % 3]};
    if (p % 7 == 0) product.scenes.push_back(scenes[(p + 1) % 3]);
    products.push_back(std::move(product));
  }
  const std::vector<Scene> scene_list = {
      {.name = "lunch_mobile", .channel = "mobile", .weekdays = kWeekdays, .from_minute = 690,
       .to_minute = 810},
      {.name = "evening_home", .from_minute = 1140, .to_minute = 1380},
      {.name = "weekend", .weekdays = kWeekend}};
  const absl::Time now = absl::FromUnixSeconds(bench::kEpoch);
  absl::StatusOr<Matcher> matcher;
  const double create_s = MedianSeconds(3, [&](int) {
    matcher = Matcher::Create(store, products, scene_list, now);
    if (!matcher.ok()) Die(matcher.status().ToString());
  });

  // The best 1,000 people for a product, ours beside SQLite (tag-only products).
  std::vector<size_t> tag_only;
  for (size_t p = 0; p < products.size() && tag_only.size() < 50; ++p) {
    if (p % 5 != 4) tag_only.push_back(p);
  }
  uint64_t sink = 0;
  const double top_people_s = MedianSeconds(runs, [&](int r) {
    sink += matcher->TopPeople(tag_only[static_cast<size_t>(r) % tag_only.size()], 1000).size();
  });
  const int sqlite_runs = std::max(3, runs / 4);
  const double sqlite_s = MedianSeconds(sqlite_runs, [&](int r) {
    const Product& p = products[tag_only[static_cast<size_t>(r) % tag_only.size()]];
    double total = 0;
    for (const MatchTerm& t : p.terms) total += t.weight;
    std::string values;
    for (const MatchTerm& t : p.terms) {
      values += fmt::format("{}('{}', {})", values.empty() ? "" : ",", t.query.substr(9),
                            t.weight / total);
    }
    sqlite3_stmt* st = sqlite.Prepare(
        "WITH pt(tag, w) AS (VALUES " + values +
        ") SELECT person_id, SUM(w) AS s FROM person_tags JOIN pt USING (tag)"
        " GROUP BY person_id ORDER BY s DESC, person_id LIMIT 1000");
    while (sqlite3_step(st) == SQLITE_ROW) ++sink;
    sqlite3_finalize(st);
  });

  std::vector<PersonId> sample;
  for (int i = 0; i < 1001; ++i) sample.push_back(static_cast<PersonId>(rng() % people));
  const double top_products_s = MedianSeconds(std::max(runs, 101), [&](int r) {
    sink += matcher->TopProducts(sample[static_cast<size_t>(r) % sample.size()], "lunch_mobile", 5)
                ->size();
  });
  const double all_s = MedianSeconds(3, [&](int) {
    absl::StatusOr<MatchTable> all = matcher->TopProductsForAll(store.universe(), "lunch_mobile", 5);
    if (!all.ok()) Die(all.status().ToString());
    sink += all->best[0].id;
  });
  size_t in_scene = 0;
  for (const Product& p : products) {
    in_scene += std::find(p.scenes.begin(), p.scenes.end(), "lunch_mobile") != p.scenes.end();
  }

  fmt::print("## Matching: {} people x {} products\n\n", people, products.size());
  fmt::print("| operation | median | beside |\n|---|---:|---:|\n");
  std::vector<std::string> distinct;
  for (const Product& p : products) {
    for (const MatchTerm& t : p.terms) distinct.push_back(t.query);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  fmt::print("| `Matcher::Create` (evaluates {} distinct terms) | {} | |\n", distinct.size(),
             Ms(create_s));
  fmt::print("| `TopPeople(product, 1000)` | {} | SQLite GROUP BY: {} ({:.0f}x) |\n",
             Ms(top_people_s), Ms(sqlite_s), sqlite_s / top_people_s);
  fmt::print("| `TopProducts(person, scene, 5)` ({} products in the scene) | {:.1f} us | |\n",
             in_scene, top_products_s * 1e6);
  fmt::print("| `TopProductsForAll(everyone, scene, 5)` | {} ({:.2f} us per person) | |\n",
             Ms(all_s), all_s * 1e6 / people);
  return sink == 42 ? 1 : 0;
}
