#include "audience/ops/matching.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

const absl::Time kNow = Day(2026, 5, 4);  // a Monday

// 70,000 people (two id chunks) with random interests, power and ages.
Store RandomStore() {
  Store store = FullStore();
  std::mt19937 rng(4);
  const char* interests[] = {"fashion", "makeup", "skincare", "cooking", "tech"};
  const char* power[] = {"high", "mid", "low"};
  WriteBatch b(kNow);
  for (int i = 0; i < 70'000; ++i) {
    const auto id = ExternalId::Int(i);
    b.Upsert(id);
    for (const char* interest : interests) {
      if (rng() % 4 == 0) b.Tag(id, "interest", interest);
    }
    if (rng() % 3 != 0) b.Tag(id, "power", power[rng() % 3]);
    b.SetAttribute(id, "age", Value::Int(18 + static_cast<int>(rng() % 50)));
  }
  MustApply(store, b);
  return store;
}

std::vector<Product> RandomProducts(std::mt19937& rng) {
  const std::vector<std::string> terms = {"interest:fashion", "interest:makeup",
                                          "interest:skincare", "interest:cooking", "power:high",
                                          "power:low", "age < 30", "age BETWEEN 30 AND 50"};
  std::vector<Product> products;
  for (int p = 0; p < 12; ++p) {
    Product product{.id = "p" + std::to_string(p)};
    const size_t k = 1 + rng() % 4;
    for (size_t t = 0; t < k; ++t) {
      product.terms.push_back({terms[rng() % terms.size()], 0.5 + static_cast<double>(rng() % 4)});
    }
    if (p % 3 == 1) product.scenes = {"lunch"};
    if (p % 3 == 2) product.scenes = {"evening"};
    products.push_back(std::move(product));
  }
  return products;
}

const std::vector<Scene> kScenes = {
    {.name = "lunch", .channel = "mobile", .weekdays = kWeekdays, .from_minute = 11 * 60 + 30,
     .to_minute = 13 * 60 + 30},
    {.name = "evening", .channel = "", .from_minute = 19 * 60, .to_minute = 1 * 60}};

// The oracle: every person's score for every product, term by term in the
// product's order (so float sums agree bit for bit).
struct Naive {
  std::vector<std::vector<float>> score;  // [product][person]
  Naive(const Store& store, const std::vector<Product>& products, size_t people) {
    for (const Product& p : products) {
      double total = 0;
      for (const MatchTerm& t : p.terms) total += t.weight;
      std::vector<float> s(people, 0);
      for (const MatchTerm& t : p.terms) {
        const Segment members = *Evaluate(store, t.query, {.now = kNow});
        const auto w = static_cast<float>(t.weight / total);
        for (size_t i = 0; i < people; ++i) {
          if (members.Contains(static_cast<PersonId>(i))) s[i] += w;
        }
      }
      score.push_back(std::move(s));
    }
  }
};

bool Fits(const Product& p, const std::string& scene) {
  return scene.empty() || p.scenes.empty() ||
         std::find(p.scenes.begin(), p.scenes.end(), scene) != p.scenes.end();
}

bool Better(const Match& a, const Match& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

}  // namespace

TEST_CASE("matches equal a per-person scoring oracle", "[ops][matching]") {
  const Store store = RandomStore();
  std::mt19937 rng(8);
  const std::vector<Product> products = RandomProducts(rng);
  absl::StatusOr<Matcher> m = Matcher::Create(store, products, kScenes, kNow);
  INFO(m.status().ToString());
  REQUIRE(m.ok());
  const size_t people = 70'000;
  const Naive naive(store, products, people);

  SECTION("top people per product, also within a segment") {
    const Segment young = *Evaluate(store, "age < 25", {.now = kNow});
    for (size_t p = 0; p < products.size(); ++p) {
      for (const Bitmap* within : {static_cast<const Bitmap*>(nullptr), &young.people()}) {
        std::vector<Match> want;
        for (size_t i = 0; i < people; ++i) {
          const float s = naive.score[p][i];
          if (s > 0 && (within == nullptr || within->Contains(static_cast<PersonId>(i)))) {
            want.push_back({static_cast<uint32_t>(i), s});
          }
        }
        std::sort(want.begin(), want.end(), Better);
        want.resize(std::min<size_t>(want.size(), 500));
        CHECK(m->TopPeople(p, 500, within) == want);
      }
    }
  }
  SECTION("top products per person and for everyone, per scene") {
    for (const std::string scene : {"", "lunch", "evening"}) {
      absl::StatusOr<MatchTable> all = m->TopProductsForAll(store.universe(), scene, 3);
      REQUIRE(all.ok());
      REQUIRE(all->people.size() == people);
      size_t mismatches = 0;
      for (size_t i = 0; i < people; ++i) {
        std::vector<Match> want;
        for (size_t p = 0; p < products.size(); ++p) {
          const float s = naive.score[p][i];
          if (s > 0 && Fits(products[p], scene)) want.push_back({static_cast<uint32_t>(p), s});
        }
        std::sort(want.begin(), want.end(), Better);
        want.resize(std::min<size_t>(want.size(), 3));
        std::vector<Match> row(all->Row(i).begin(), all->Row(i).end());
        row.erase(std::remove_if(row.begin(), row.end(), [](const Match& x) { return x.score == 0; }),
                  row.end());
        mismatches += row == want ? 0 : 1;
        if (i % 997 == 0) {
          CHECK(*m->TopProducts(static_cast<PersonId>(i), scene, 3) == want);
        }
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("scenes are found by local time, weekday and channel", "[ops][matching]") {
  const Store store = FullStore();
  const std::vector<Product> products = {{.id = "x", .terms = {{"interest:fashion", 1}}}};
  const Matcher m = *Matcher::Create(store, products, kScenes, kNow);
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  auto at = [&](int day, int hour, int minute) {
    return absl::FromCivil(absl::CivilMinute(2026, 5, day, hour, minute), shanghai);
  };
  CHECK(m.ScenesAt(at(4, 12, 0), shanghai, "mobile") == std::vector<std::string>{"lunch"});
  CHECK(m.ScenesAt(at(4, 12, 0), shanghai, "tv").empty());
  CHECK(m.ScenesAt(at(9, 12, 0), shanghai, "mobile").empty());  // Saturday
  CHECK(m.ScenesAt(at(4, 13, 30), shanghai, "mobile").empty());  // the window's end
  CHECK(m.ScenesAt(at(4, 23, 0), shanghai, "tv") == std::vector<std::string>{"evening"});
  CHECK(m.ScenesAt(at(5, 0, 59), shanghai, "") == std::vector<std::string>{"evening"});
  CHECK(m.TopProducts(0, "night", 3).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("matcher inputs are validated", "[ops][matching][errors]") {
  const Store store = FullStore();
  auto error = [&](std::vector<Product> products, std::vector<Scene> scenes = kScenes) {
    absl::StatusOr<Matcher> m = Matcher::Create(store, std::move(products), std::move(scenes), kNow);
    REQUIRE_FALSE(m.ok());
    return std::string(m.status().message());
  };
  CHECK_THAT(error({{.id = "a"}}), Catch::Contains("product 'a': no terms"));
  CHECK_THAT(error({{.id = "a", .terms = {{"interest:fashion", 0}}}}), Catch::Contains("weight 0"));
  CHECK_THAT(error({{.id = "a", .terms = {{"intrest:fashion", 1}}}}),
             Catch::Contains("did you mean 'interest'"));
  CHECK_THAT(error({{.id = "a", .terms = {{"interest:fashion", 1}}, .scenes = {"brunch"}}}),
             Catch::Contains("unknown scene 'brunch'"));
  CHECK_THAT(error({{.id = "a", .terms = {{"interest:fashion", 1}}}},
                   {{.name = "x", .from_minute = 1500}}),
             Catch::Contains("scene 'x'"));
}
