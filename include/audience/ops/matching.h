// Matching people, goods and scenes: each product carries weighted terms
// (a tag such as "interest:makeup", or any segment query such as
// "age BETWEEN 20 AND 30") and the scenes it fits (a time window on given
// weekdays and a channel: lunch break on mobile, evening at home). A
// person's score for a product is the weight of the product's terms they
// satisfy over the product's total weight, in [0, 1].
//
//   Matcher m = *Matcher::Create(store, products, scenes, now);
//   std::vector<std::string> here = m.ScenesAt(now, shanghai, "mobile");  // {"lunch"}
//   auto picks = *m.TopProducts(person, "lunch", 3);      // best 3 for one person
//   auto buyers = m.TopPeople(product, 1000);              // best 1000 people for one product
//   MatchTable all = *m.TopProductsForAll(store.universe(), "lunch", 3);
//
// Terms are evaluated once, at Create, against the store at `now`; the
// Matcher then answers from those sets (rebuild it to see later writes).
// Order: best score first, ties by lower product index or person id. Only
// scores above zero are returned. Const methods are thread-safe.
#ifndef AUDIENCE_OPS_MATCHING_H_
#define AUDIENCE_OPS_MATCHING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/ops/schedule.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

struct MatchTerm {
  std::string query{};  // "interest:makeup", "age < 30", ...
  double weight = 1;    // > 0
};

struct Product {
  std::string id{};
  std::vector<MatchTerm> terms{};
  std::vector<std::string> scenes{};  // names of the scenes it fits; empty: every scene
};

// Local minutes [from_minute, to_minute) on the given weekdays (wrapping
// past midnight when from > to), on `channel` ("" = any channel).
struct Scene {
  std::string name{};
  std::string channel{};
  uint8_t weekdays = kEveryDay;
  int from_minute = 0;
  int to_minute = 24 * 60;
};

struct Match {
  uint32_t id = 0;  // a product index or a PersonId
  double score = 0;
  friend bool operator==(const Match&, const Match&) = default;
};

// Top matches of many people: row i is people[i]'s best `per_person`
// products, best first, padded with {0, 0} entries (score 0 = none).
struct MatchTable {
  size_t per_person = 0;
  std::vector<PersonId> people;
  std::vector<Match> best;  // people.size() * per_person
  absl::Span<const Match> Row(size_t i) const {
    return absl::MakeConstSpan(best.data() + i * per_person, per_person);
  }
};

class Matcher {
 public:
  // InvalidArgument naming the product (or scene) and field: a term query
  // that does not compile (with carets), a weight that is not > 0 and
  // finite, a product without terms, an unknown scene name, a duplicate
  // scene name, scene minutes outside 0..1440.
  static absl::StatusOr<Matcher> Create(const Store& store, std::vector<Product> products,
                                        std::vector<Scene> scenes, absl::Time now);

  size_t product_count() const { return products_.size(); }
  const Product& product(size_t i) const { return products_[i]; }

  // The scenes whose window holds `t` in `zone` and whose channel is
  // `channel` (or any).
  std::vector<std::string> ScenesAt(absl::Time t, const absl::TimeZone& zone,
                                    std::string_view channel) const;

  // The person's best `n` products among those fitting `scene` ("" = all
  // products). NotFound for an unknown scene. O(terms + products' terms).
  absl::StatusOr<std::vector<Match>> TopProducts(PersonId person, std::string_view scene,
                                                 size_t n) const;
  // The product's best `n` people (within `within` when given).
  // O(members of its terms + log n per candidate).
  std::vector<Match> TopPeople(size_t product, size_t n, const Bitmap* within = nullptr) const;
  // TopProducts for every person of `people`, chunk by chunk of 2^16 ids.
  absl::StatusOr<MatchTable> TopProductsForAll(const Bitmap& people, std::string_view scene,
                                               size_t n) const;

 private:
  struct Weighted {
    uint32_t term;  // index into terms_
    float weight;   // normalised: the product's weights sum to 1
  };
  Matcher() = default;
  // Products fitting `scene`; NotFound for an unknown one.
  absl::StatusOr<std::vector<uint32_t>> ProductsFor(std::string_view scene) const;

  std::vector<Product> products_;
  std::vector<Scene> scenes_;
  std::vector<Bitmap> terms_;                     // distinct term queries, evaluated
  std::vector<std::vector<Weighted>> weighted_;   // per product
};

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ops/matching-inl.h"
#endif

#endif  // AUDIENCE_OPS_MATCHING_H_
