#include "audience/schema/schema.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using audience::AttributeSpec;
using audience::AttributeType;
using audience::DimensionKind;
using audience::DimensionSpec;
using audience::EventTypeSpec;
using audience::PropertySpec;
using audience::Schema;
using audience::SchemaLimits;

namespace {

template <typename T>
std::string ErrorOf(const absl::StatusOr<T>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

std::string ErrorOf(const absl::Status& s) {
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  return std::string(s.message());
}

Schema Sample() {
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest"}).ok());
  REQUIRE(s.AddDimension({.name = "power",
                          .kind = DimensionKind::kExclusive,
                          .values = {"high", "mid", "low"},
                          .default_ttl = absl::Hours(24 * 30)})
              .ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "gender", .type = AttributeType::kEnum,
                          .enum_values = {"F", "M", "U"}})
              .ok());
  REQUIRE(s.AddEventType({.name = "purchase",
                          .properties = {{.name = "category", .indexed = true},
                                         {.name = "product"}}})
              .ok());
  return s;
}

}  // namespace

TEST_CASE("schema assigns dense handles and finds by name", "[schema]") {
  Schema s;
  CHECK(*s.AddDimension({.name = "interest"}) == 0);
  CHECK(*s.AddDimension({.name = "power", .kind = DimensionKind::kExclusive}) == 1);
  CHECK(*s.AddAttribute({.name = "age"}) == 0);
  CHECK(*s.AddAttribute({.name = "score", .type = AttributeType::kDouble}) == 1);
  CHECK(*s.AddEventType({.name = "purchase"}) == 0);
  CHECK(*s.AddEventType({.name = "page.view"}) == 1);

  REQUIRE(s.FindDimension("power") != nullptr);
  CHECK(s.FindDimension("power")->kind == DimensionKind::kExclusive);
  CHECK(s.FindDimension("age") == nullptr);
  CHECK(s.FindAttribute("score")->type == AttributeType::kDouble);
  CHECK(s.FindAttribute("power") == nullptr);
  CHECK(s.FindEventType("page.view")->name == "page.view");
  CHECK(s.FindEventType("nope") == nullptr);
  CHECK(s.DimensionIdOf("power") == 1u);
  CHECK(s.DimensionIdOf("age") == std::nullopt);
  CHECK(s.AttributeIdOf("age") == 0u);
  CHECK(s.AttributeIdOf("interest") == std::nullopt);
  CHECK(s.EventTypeIdOf("page.view") == 1u);
  CHECK(s.EventTypeIdOf("age") == std::nullopt);
  CHECK(s.dimensions().size() == 2);
  CHECK(s.attributes().size() == 2);
  CHECK(s.event_types().size() == 2);
  CHECK(s.KnownNames() ==
        std::vector<std::string>{"interest", "power", "age", "score", "purchase", "page.view"});
  CHECK(Schema().KnownNames().empty());
}

TEST_CASE("schema name rule", "[schema]") {
  for (std::string_view good : {"a", "interest", "a1", "a_b", "a.b.c", "x_", "page.view_2"}) {
    INFO(good);
    CHECK(Schema::ValidateName("dimension name", good).ok());
  }
  CHECK(Schema::ValidateName("f", std::string(64, 'a')).ok());

  CHECK(ErrorOf(Schema::ValidateName("dimension name", "Interest")) ==
        "dimension name 'Interest': must start with a lowercase letter and contain only "
        "[a-z0-9_.]");
  CHECK(ErrorOf(Schema::ValidateName("attribute name", "")) ==
        "attribute name '': must not be empty");
  CHECK(ErrorOf(Schema::ValidateName("f", std::string(65, 'a'))) ==
        "f '" + std::string(64, 'a') + "...': longer than 64 bytes (65)");
  for (std::string_view bad : {"1a", "_a", ".a", "a-b", "a b", "aé", "a/b", "aB"}) {
    INFO(bad);
    CHECK(ErrorOf(Schema::ValidateName("f", bad)).find("must start with a lowercase letter") !=
          std::string::npos);
  }
  CHECK(ErrorOf(Schema::ValidateName("f", "a..b")) == "f 'a..b': must not contain '..'");
  CHECK(ErrorOf(Schema::ValidateName("f", "a.")) == "f 'a.': must not end with '.'");
  CHECK(ErrorOf(Schema::ValidateName("f", std::string("a\nb", 3))) ==
        "f 'a\\x0Ab': must start with a lowercase letter and contain only [a-z0-9_.]");
}

TEST_CASE("schema value rule checks UTF-8 properly", "[schema]") {
  for (std::string_view good : {"high", "F", "Çağ", "日本", "a b", "emoji \xF0\x9F\x98\x80",
                                "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF"}) {
    INFO(good);
    CHECK(Schema::ValidateValue("v", good).ok());
  }
  CHECK(Schema::ValidateValue("v", std::string(256, 'x')).ok());
  CHECK(ErrorOf(Schema::ValidateValue("v", "")) == "v '': must not be empty");
  CHECK(ErrorOf(Schema::ValidateValue("v", std::string(257, 'x'))).find(
            "longer than 256 bytes (257)") != std::string::npos);
  struct Bad {
    std::string_view text;
    size_t at;
  };
  for (const Bad& bad : {
           Bad{"\xC0\xAF", 0},           // overlong '/'
           Bad{"a\xC1\xBF", 1},          // overlong
           Bad{"\xE0\x80\xAF", 0},       // overlong 3-byte
           Bad{"\xF0\x80\x80\xAF", 0},   // overlong 4-byte
           Bad{"\xED\xA0\x80", 0},       // surrogate U+D800
           Bad{"ab\xED\xBF\xBF", 2},     // surrogate U+DFFF
           Bad{"\xF4\x90\x80\x80", 0},   // U+110000
           Bad{"\xF5\x80\x80\x80", 0},   // lead byte F5
           Bad{"\xFF", 0},               // never valid
           Bad{"x\x80", 1},              // stray continuation
           Bad{"\xE6\x97", 0},           // truncated at end
           Bad{"\xE6\x97x", 0},          // truncated in the middle
       }) {
    INFO(bad.at);
    CHECK(ErrorOf(Schema::ValidateValue("v", bad.text))
              .find("invalid UTF-8 at byte " + std::to_string(bad.at)) != std::string::npos);
  }
  CHECK(ErrorOf(Schema::ValidateValue("v", "\xC0\xAF")) ==
        "v '\\xC0\\xAF': invalid UTF-8 at byte 0");
  CHECK(ErrorOf(Schema::ValidateValue("v", "a\tb")) ==
        "v 'a\\x09b': control character 0x09 at byte 1");
  CHECK(ErrorOf(Schema::ValidateValue("v", "a\x7F")) ==
        "v 'a\\x7F': control character 0x7F at byte 1");
  CHECK(ErrorOf(Schema::ValidateValue("v", std::string("a\0", 2))) ==
        "v 'a\\x00': control character 0x00 at byte 1");
}

TEST_CASE("schema names share one namespace", "[schema]") {
  Schema s = Sample();
  const Schema before = s;
  CHECK(ErrorOf(s.AddAttribute({.name = "interest"})) ==
        "attribute 'interest' clashes with dimension 'interest'");
  CHECK(ErrorOf(s.AddDimension({.name = "age"})) == "dimension 'age' clashes with attribute 'age'");
  CHECK(ErrorOf(s.AddDimension({.name = "purchase"})) ==
        "dimension 'purchase' clashes with event type 'purchase'");
  CHECK(ErrorOf(s.AddEventType({.name = "power"})) ==
        "event type 'power' clashes with dimension 'power'");
  CHECK(ErrorOf(s.AddDimension({.name = "power"})) == "dimension 'power' is already declared");
  CHECK(ErrorOf(s.AddAttribute({.name = "age"})) == "attribute 'age' is already declared");
  CHECK(ErrorOf(s.AddEventType({.name = "purchase"})) ==
        "event type 'purchase' is already declared");
  CHECK(ErrorOf(s.AddDimension({.name = "Bad"})).rfind("dimension name 'Bad'", 0) == 0);
  CHECK(ErrorOf(s.AddAttribute({.name = "a-b"})).rfind("attribute name 'a-b'", 0) == 0);
  CHECK(ErrorOf(s.AddEventType({.name = ""})) == "event type name '': must not be empty");
  CHECK(s == before);
}

TEST_CASE("schema closed value lists", "[schema]") {
  Schema s;
  CHECK(ErrorOf(s.AddDimension({.name = "power", .values = {"high", "mid", "high"}})) ==
        "dimension 'power' value 'high': listed twice");
  CHECK(ErrorOf(s.AddDimension({.name = "power", .values = {"high", ""}})) ==
        "dimension 'power' value '': must not be empty");
  CHECK(ErrorOf(s.AddDimension({.name = "power", .values = {"a\nb"}})) ==
        "dimension 'power' value 'a\\x0Ab': control character 0x0A at byte 1");
  CHECK(ErrorOf(s.AddAttribute({.name = "tier", .type = AttributeType::kEnum,
                                .enum_values = {"gold", "gold"}})) ==
        "attribute 'tier' value 'gold': listed twice");
  CHECK(ErrorOf(s.AddAttribute({.name = "tier", .type = AttributeType::kEnum,
                                .enum_values = {"\xFF"}})) ==
        "attribute 'tier' value '\\xFF': invalid UTF-8 at byte 0");
  CHECK(ErrorOf(s.AddAttribute({.name = "age", .enum_values = {"x"}})) ==
        "attribute 'age': values are only allowed for type enum, not int64");

  std::vector<std::string> many;
  for (size_t i = 0; i < SchemaLimits::kMaxClosedValues; ++i) many.push_back(std::to_string(i));
  CHECK(s.AddDimension({.name = "big", .values = many}).ok());
  many.push_back("one too many");
  CHECK(ErrorOf(s.AddDimension({.name = "bigger", .values = many})) ==
        "dimension 'bigger': 65537 values; at most 65536 allowed");
  CHECK(ErrorOf(s.AddAttribute({.name = "bigger", .type = AttributeType::kEnum,
                                .enum_values = many})) ==
        "attribute 'bigger': 65537 values; at most 65536 allowed");
  CHECK(s.dimensions().size() == 1);
  CHECK(s.attributes().empty());
  // An open enum (no values) is fine.
  CHECK(s.AddAttribute({.name = "tier", .type = AttributeType::kEnum}).ok());
}

TEST_CASE("schema default ttl", "[schema]") {
  Schema s;
  CHECK(ErrorOf(s.AddDimension({.name = "d", .default_ttl = absl::ZeroDuration()})) ==
        "dimension 'd' ttl: must be positive, got 0s");
  CHECK(ErrorOf(s.AddDimension({.name = "d", .default_ttl = absl::Hours(-24)})) ==
        "dimension 'd' ttl: must be positive, got -1d");
  CHECK(ErrorOf(s.AddDimension({.name = "d", .default_ttl = absl::Milliseconds(1500)})) ==
        "dimension 'd' ttl: must be a whole number of seconds, got 1.5s");
  CHECK(ErrorOf(s.AddDimension({.name = "d", .default_ttl = absl::Hours(24 * 36527)})) ==
        "dimension 'd' ttl: longer than 100 years (36527d)");
  CHECK(ErrorOf(s.AddDimension({.name = "d", .default_ttl = absl::InfiniteDuration()})) ==
        "dimension 'd' ttl: longer than 100 years (inf)");
  CHECK(s.dimensions().empty());
  CHECK(s.AddDimension({.name = "d", .default_ttl = absl::Seconds(1)}).ok());
  CHECK(s.AddDimension({.name = "e", .default_ttl = absl::Hours(24 * 36525)}).ok());
}

TEST_CASE("schema event type properties", "[schema]") {
  Schema s;
  CHECK(ErrorOf(s.AddEventType({.name = "purchase",
                                .properties = {{.name = "category"}, {.name = "category"}}})) ==
        "event type 'purchase' property 'category': declared twice");
  CHECK(ErrorOf(s.AddEventType({.name = "purchase", .properties = {{.name = "Category"}}})) ==
        "event type 'purchase' property name 'Category': must start with a lowercase letter "
        "and contain only [a-z0-9_.]");
  std::vector<PropertySpec> props;
  for (size_t i = 0; i <= SchemaLimits::kMaxPropertiesPerEventType; ++i) {
    props.push_back({.name = "p" + std::to_string(i)});
  }
  CHECK(ErrorOf(s.AddEventType({.name = "wide", .properties = props})) ==
        "event type 'wide': 1025 properties; at most 1024 allowed");
  props.pop_back();
  CHECK(s.AddEventType({.name = "wide", .properties = props}).ok());
  // Property names need not be unique across event types, nor distinct from
  // dimension names.
  CHECK(s.AddDimension({.name = "category"}).ok());
  CHECK(s.AddEventType({.name = "view", .properties = {{.name = "category"}}}).ok());
}

TEST_CASE("schema descriptions", "[schema]") {
  Schema s;
  CHECK(s.AddDimension({.name = "a", .description = "Line one\nline two, ünïcode"}).ok());
  CHECK(ErrorOf(s.AddDimension({.name = "b", .description = "bad \xC3"})) ==
        "dimension 'b' description 'bad \\xC3': invalid UTF-8 at byte 4");
  CHECK(ErrorOf(s.AddAttribute({.name = "b", .description = std::string(4097, 'x')}))
            .find("attribute 'b' description '") == 0);
  CHECK(ErrorOf(s.AddEventType({.name = "b", .description = std::string(4097, 'x')}))
            .find("longer than 4096 bytes (4097)") != std::string::npos);
  CHECK(s.AddEventType({.name = "b", .description = std::string(4096, 'x')}).ok());
}

TEST_CASE("schema equality compares all specs in order", "[schema]") {
  CHECK(Sample() == Sample());
  CHECK(Schema() == Schema());
  CHECK_FALSE(Sample() == Schema());

  Schema a, b;
  REQUIRE(a.AddDimension({.name = "x"}).ok());
  REQUIRE(a.AddDimension({.name = "y"}).ok());
  REQUIRE(b.AddDimension({.name = "y"}).ok());
  REQUIRE(b.AddDimension({.name = "x"}).ok());
  CHECK_FALSE(a == b);

  Schema c, d;
  REQUIRE(c.AddDimension({.name = "x", .default_ttl = absl::Hours(1)}).ok());
  REQUIRE(d.AddDimension({.name = "x", .default_ttl = absl::Hours(2)}).ok());
  CHECK_FALSE(c == d);
  Schema e, f;
  REQUIRE(e.AddEventType({.name = "x", .properties = {{.name = "p", .indexed = true}}}).ok());
  REQUIRE(f.AddEventType({.name = "x", .properties = {{.name = "p"}}}).ok());
  CHECK_FALSE(e == f);
  Schema g, h;
  REQUIRE(g.AddAttribute({.name = "x", .description = "one"}).ok());
  REQUIRE(h.AddAttribute({.name = "x", .description = "two"}).ok());
  CHECK_FALSE(g == h);
}

TEST_CASE("attribute type names round-trip", "[schema]") {
  for (AttributeType t : {AttributeType::kInt64, AttributeType::kDouble, AttributeType::kEnum,
                          AttributeType::kTimestamp, AttributeType::kBool}) {
    CHECK(audience::ParseAttributeType(audience::AttributeTypeName(t)) == t);
  }
  CHECK(audience::AttributeTypeName(AttributeType::kTimestamp) == "timestamp");
  CHECK(audience::ParseAttributeType("integer") == std::nullopt);
  CHECK(audience::ParseAttributeType("INT64") == std::nullopt);
  CHECK(audience::ParseAttributeType("") == std::nullopt);
}
