// Shared fixtures for store-level tests.
#ifndef AUDIENCE_TESTS_STORE_TEST_STORE_UTIL_H_
#define AUDIENCE_TESTS_STORE_TEST_STORE_UTIL_H_

#include <catch2/catch.hpp>

#include "audience/audience.h"

namespace audience_test {

inline absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

// A schema with every feature: multi/exclusive/closed/TTL dimensions, each
// attribute type, and an event type with indexed and plain properties.
inline audience::Schema FullSchema() {
  using namespace audience;
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest"}).ok());
  REQUIRE(s.AddDimension({.name = "power", .kind = DimensionKind::kExclusive,
                          .values = {"high", "mid", "low"}}).ok());
  REQUIRE(s.AddDimension({.name = "campaign", .default_ttl = absl::Hours(24 * 7)}).ok());
  REQUIRE(s.AddDimension({.name = "lifecycle", .kind = DimensionKind::kExclusive}).ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).ok());
  REQUIRE(s.AddAttribute({.name = "gender", .type = AttributeType::kEnum,
                          .enum_values = {"F", "M", "U"}}).ok());
  REQUIRE(s.AddAttribute({.name = "region", .type = AttributeType::kEnum}).ok());
  REQUIRE(s.AddAttribute({.name = "registered_at", .type = AttributeType::kTimestamp}).ok());
  REQUIRE(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).ok());
  REQUIRE(s.AddEventType({.name = "purchase",
                          .properties = {{.name = "category", .indexed = true},
                                         {.name = "channel"}}}).ok());
  REQUIRE(s.AddEventType({.name = "visit"}).ok());
  return s;
}

inline audience::Store FullStore() {
  auto s = audience::Store::Create(FullSchema());
  REQUIRE(s.ok());
  return *std::move(s);
}

inline void MustApply(audience::Store& store, const audience::WriteBatch& batch) {
  auto r = store.Apply(batch);
  INFO(r.status().message());
  REQUIRE(r.ok());
}

}  // namespace audience_test

#endif  // AUDIENCE_TESTS_STORE_TEST_STORE_UTIL_H_
