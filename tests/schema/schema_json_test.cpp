#include "audience/schema/schema_json.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

using audience::AttributeType;
using audience::DimensionKind;
using audience::LoadSchemaFile;
using audience::SaveSchemaFile;
using audience::Schema;
using audience::SchemaFromJson;
using audience::SchemaToJson;

namespace {

// A schema with every feature the file format can express.
Schema Everything() {
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest", .description = "What a person likes"}).ok());
  REQUIRE(s.AddDimension({.name = "power",
                          .kind = DimensionKind::kExclusive,
                          .values = {"high", "mid", "low"},
                          .default_ttl = absl::Hours(24 * 30)})
              .ok());
  REQUIRE(s.AddDimension({.name = "seen.campaign", .default_ttl = absl::Seconds(90)}).ok());
  REQUIRE(s.AddDimension({.name = "city", .values = {"İstanbul", "Zürich", "東京", "a \"quoted\" \\ one"},
                          .description = "Multi-line\ndescription\twith tab"})
              .ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddAttribute({.name = "score", .type = AttributeType::kDouble}).ok());
  REQUIRE(s.AddAttribute({.name = "gender", .type = AttributeType::kEnum,
                          .enum_values = {"F", "M", "U"}, .description = "self-reported"})
              .ok());
  REQUIRE(s.AddAttribute({.name = "tier", .type = AttributeType::kEnum}).ok());
  REQUIRE(s.AddAttribute({.name = "last_seen", .type = AttributeType::kTimestamp}).ok());
  REQUIRE(s.AddAttribute({.name = "vip", .type = AttributeType::kBool}).ok());
  REQUIRE(s.AddEventType({.name = "purchase",
                          .properties = {{.name = "category", .indexed = true},
                                         {.name = "product"}},
                          .description = "A completed order"})
              .ok());
  REQUIRE(s.AddEventType({.name = "page.view"}).ok());
  return s;
}

std::string ErrorOf(std::string_view text, std::string_view source = "schema.json") {
  auto r = SchemaFromJson(text, source);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

// A valid header around `body` (which starts with a comma or is empty).
std::string Doc(std::string_view body) {
  return "{\"format\": \"audience-schema\", \"version\": 1" + std::string(body) + "}";
}

std::filesystem::path TempPath(std::string_view name) {
  std::random_device rd;
  return std::filesystem::temp_directory_path() /
         ("audience_schema_json_" + std::to_string(rd()) + "_" + std::string(name));
}

}  // namespace

TEST_CASE("schema json round-trips every feature", "[schema][json]") {
  const Schema s = Everything();
  const std::string text = SchemaToJson(s);
  auto back = SchemaFromJson(text);
  REQUIRE(back.ok());
  CHECK(*back == s);
  CHECK(SchemaToJson(*back) == text);
  // The empty schema too.
  auto empty = SchemaFromJson(SchemaToJson(Schema()));
  REQUIRE(empty.ok());
  CHECK(*empty == Schema());
}

TEST_CASE("schema json golden text", "[schema][json]") {
  Schema s;
  REQUIRE(s.AddDimension({.name = "interest", .description = "What a person likes"}).ok());
  REQUIRE(s.AddDimension({.name = "power", .kind = DimensionKind::kExclusive,
                          .values = {"high", "low"}, .default_ttl = absl::Hours(24 * 14)})
              .ok());
  REQUIRE(s.AddAttribute({.name = "age", .type = AttributeType::kInt64}).ok());
  REQUIRE(s.AddEventType({.name = "purchase", .properties = {{.name = "category", .indexed = true},
                                                             {.name = "product"}}})
              .ok());
  CHECK(SchemaToJson(s) == R"({
  "format": "audience-schema",
  "version": 1,
  "dimensions": [
    {
      "name": "interest",
      "description": "What a person likes"
    },
    {
      "name": "power",
      "kind": "exclusive",
      "values": [
        "high",
        "low"
      ],
      "ttl": "2w"
    }
  ],
  "attributes": [
    {
      "name": "age",
      "type": "int64"
    }
  ],
  "event_types": [
    {
      "name": "purchase",
      "properties": [
        {
          "name": "category",
          "indexed": true
        },
        {
          "name": "product"
        }
      ]
    }
  ]
}
)");
  CHECK(SchemaToJson(Schema()) == "{\n  \"format\": \"audience-schema\",\n  \"version\": 1\n}\n");
}

TEST_CASE("schema json reads the documented example and explicit defaults", "[schema][json]") {
  auto r = SchemaFromJson(R"({
    "format": "audience-schema", "version": 1,
    "dimensions": [ {"name": "interest", "kind": "multi", "description": "..."},
                    {"name": "power", "kind": "exclusive", "values": ["high","mid","low"], "ttl": "30d"} ],
    "attributes": [ {"name": "age", "type": "int64"}, {"name": "gender", "type": "enum", "values": ["F","M","U"]} ],
    "event_types": [ {"name": "purchase", "properties": [ {"name": "category", "indexed": true},
                                                           {"name": "product", "indexed": false} ]} ]
  })");
  REQUIRE(r.ok());
  const Schema& s = *r;
  CHECK(s.FindDimension("interest")->kind == DimensionKind::kMulti);
  CHECK(s.FindDimension("interest")->description == "...");
  CHECK(s.FindDimension("power")->kind == DimensionKind::kExclusive);
  CHECK(s.FindDimension("power")->values == std::vector<std::string>{"high", "mid", "low"});
  CHECK(s.FindDimension("power")->default_ttl == absl::Hours(24 * 30));
  CHECK(s.FindAttribute("gender")->enum_values == std::vector<std::string>{"F", "M", "U"});
  CHECK(s.FindEventType("purchase")->properties[0].indexed);
  CHECK_FALSE(s.FindEventType("purchase")->properties[1].indexed);
  CHECK(s.DimensionIdOf("power") == 1u);
  // Empty sections and lists are allowed and mean "none".
  auto e = SchemaFromJson(Doc(R"(, "dimensions": [{"name": "x", "values": []}],
                                   "attributes": [], "event_types": [{"name": "e", "properties": []}])"));
  REQUIRE(e.ok());
  CHECK(e->FindDimension("x")->values.empty());
}

TEST_CASE("schema json syntax errors give line and column", "[schema][json]") {
  CHECK(ErrorOf("{\n  \"format\": \"audience-schema\",\n  \"dimensions\": [ {\"name\": \"a\",} ]\n}") ==
        "schema.json:3:32: syntax error while parsing object key - unexpected '}'; expected "
        "string literal");
  CHECK(ErrorOf("") ==
        "schema.json:1:1: syntax error while parsing value - unexpected end of input; expected "
        "'[', '{', or a literal");
  CHECK(ErrorOf("[1, 2").rfind("schema.json:1:6: syntax error while parsing array", 0) == 0);
  CHECK(ErrorOf("{\"a\": 1e999}") == "schema.json:1:11: number overflow parsing '1e999'");
  CHECK(ErrorOf(Doc("") + " x").rfind("schema.json:1:", 0) == 0);
  CHECK(ErrorOf(Doc("") + " x").find("expected end of input") != std::string::npos);
  CHECK(ErrorOf("{\"s\": \"\xFF\"}") ==
        "schema.json:1:8: syntax error while parsing value - invalid string: ill-formed UTF-8 "
        "byte; last read: '\"\\xFF'");
  CHECK(ErrorOf("{\n// comment\n}").rfind("schema.json:2:1: syntax error", 0) == 0);
  // Without a source name the position leads.
  CHECK(ErrorOf("\n\n   @", "").rfind(
            "3:4: syntax error while parsing value - invalid literal; last read: '", 0) == 0);
}

TEST_CASE("schema json header errors", "[schema][json]") {
  CHECK(ErrorOf("[]") == "schema.json: top level: expected an object, got array");
  CHECK(ErrorOf("{}") == "schema.json: top level: missing required key 'format'");
  CHECK(ErrorOf(R"({"format": "other", "version": 1})") ==
        "schema.json: format: expected 'audience-schema', got 'other'");
  CHECK(ErrorOf(R"({"format": 7, "version": 1})") ==
        "schema.json: format: expected a string, got number");
  CHECK(ErrorOf(R"({"format": "audience-schema"})") ==
        "schema.json: top level: missing required key 'version'");
  CHECK(ErrorOf(R"({"format": "audience-schema", "version": 2})") ==
        "schema.json: version: unsupported version 2; expected 1");
  CHECK(ErrorOf(R"({"format": "audience-schema", "version": -1})") ==
        "schema.json: version: unsupported version -1; expected 1");
  CHECK(ErrorOf(R"({"format": "audience-schema", "version": "1"})") ==
        "schema.json: version: expected an integer, got string");
  CHECK(ErrorOf(R"({"format": "audience-schema", "version": 1.5})") ==
        "schema.json: version: expected an integer, got number");
  CHECK(ErrorOf(Doc(R"(, "dimension": [])")) ==
        "schema.json: top level: unknown key 'dimension'; expected one of format, version, "
        "dimensions, attributes, event_types");
  CHECK(ErrorOf(Doc(R"(, "dimensions": {})")) ==
        "schema.json: dimensions: expected an array, got object");
  CHECK(ErrorOf(Doc(R"(, "event_types": null)")) ==
        "schema.json: event_types: expected an array, got null");
  CHECK(ErrorOf(R"({"format": "audience-schema", "version": 1, "version": 1})") ==
        "schema.json: top level: duplicate key 'version'");
  // Without a source name.
  CHECK(ErrorOf("[]", "") == "top level: expected an object, got array");
}

TEST_CASE("schema json dimension errors", "[schema][json]") {
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a"}, {"name": "b", "kind": "exclusiv"}])")) ==
        "schema.json: dimensions[1].kind: unknown kind 'exclusiv'; expected 'multi' or "
        "'exclusive'");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": 5}])")) ==
        "schema.json: dimensions[0].name: expected a string, got number");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"kind": "multi"}])")) ==
        "schema.json: dimensions[0]: missing required key 'name'");
  CHECK(ErrorOf(Doc(R"(, "dimensions": ["interest"])")) ==
        "schema.json: dimensions[0]: expected an object, got string");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "valeus": ["x"]}])")) ==
        "schema.json: dimensions[0]: unknown key 'valeus'; expected one of name, kind, values, "
        "ttl, description");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "values": "x"}])")) ==
        "schema.json: dimensions[0].values: expected an array, got string");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "values": ["x", true]}])")) ==
        "schema.json: dimensions[0].values[1]: expected a string, got boolean");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "ttl": 30}])")) ==
        "schema.json: dimensions[0].ttl: expected a string, got number");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "ttl": "30x"}])")) ==
        "schema.json: dimensions[0].ttl: duration '30x': unknown unit 'x'; expected one of s, m, "
        "h, d, w");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "ttl": "0d"}])")) ==
        "schema.json: dimensions[0]: dimension 'a' ttl: must be positive, got 0s");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "description": ["x"]}])")) ==
        "schema.json: dimensions[0].description: expected a string, got array");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "kind": null}])")) ==
        "schema.json: dimensions[0].kind: expected a string, got null");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "values": ["x"], "values": []}])")) ==
        "schema.json: dimensions[0]: duplicate key 'values'");
  // Schema::AddDimension errors, prefixed with the path.
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "Interest"}])")) ==
        "schema.json: dimensions[0]: dimension name 'Interest': must start with a lowercase "
        "letter and contain only [a-z0-9_.]");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "values": ["x", "x"]}])")) ==
        "schema.json: dimensions[0]: dimension 'a' value 'x': listed twice");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a", "values": ["x\u0001"]}])")) ==
        "schema.json: dimensions[0]: dimension 'a' value 'x\\x01': control character 0x01 at "
        "byte 1");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "a"}, {"name": "a"}])")) ==
        "schema.json: dimensions[1]: dimension 'a' is already declared");
}

TEST_CASE("schema json attribute and event type errors", "[schema][json]") {
  CHECK(ErrorOf(Doc(R"(, "attributes": [{"name": "age", "type": "integer"}])")) ==
        "schema.json: attributes[0].type: unknown type 'integer'; expected one of int64, double, "
        "enum, timestamp, bool");
  CHECK(ErrorOf(Doc(R"(, "attributes": [{"name": "age"}])")) ==
        "schema.json: attributes[0]: missing required key 'type'");
  CHECK(ErrorOf(Doc(R"(, "attributes": [{"name": "age", "typ": "int64"}])")) ==
        "schema.json: attributes[0]: unknown key 'typ'; expected one of name, type, values, "
        "description");
  CHECK(ErrorOf(Doc(R"(, "attributes": [{"name": "age", "type": "int64", "values": ["1"]}])")) ==
        "schema.json: attributes[0]: attribute 'age': values are only allowed for type enum, not "
        "int64");
  CHECK(ErrorOf(Doc(R"(, "dimensions": [{"name": "age"}],
                        "attributes": [{"name": "age", "type": "bool"}])")) ==
        "schema.json: attributes[0]: attribute 'age' clashes with dimension 'age'");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "properties": [{"name": "p", "indexed": "yes"}]}])")) ==
        "schema.json: event_types[0].properties[0].indexed: expected a boolean, got string");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "properties": [{"name": "p", "index": true}]}])")) ==
        "schema.json: event_types[0].properties[0]: unknown key 'index'; expected one of name, "
        "indexed");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "properties": [{}]}])")) ==
        "schema.json: event_types[0].properties[0]: missing required key 'name'");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "properties": {"p": true}}])")) ==
        "schema.json: event_types[0].properties: expected an array, got object");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "properties": [{"name": "p"}, {"name": "p"}]}])")) ==
        "schema.json: event_types[0]: event type 'e' property 'p': declared twice");
  CHECK(ErrorOf(Doc(R"(, "event_types": [{"name": "e", "props": []}])")) ==
        "schema.json: event_types[0]: unknown key 'props'; expected one of name, properties, "
        "description");
}

TEST_CASE("schema json refuses hostile input without crashing", "[schema][json]") {
  // Deep nesting stops at the limit.
  std::string deep(100000, '[');
  CHECK(ErrorOf(deep).find("nested deeper than 64 levels") != std::string::npos);
  std::string deep_obj;
  for (int i = 0; i < 1000; ++i) deep_obj += "{\"a\":";
  CHECK(ErrorOf(deep_obj).find(": nested deeper than 64 levels") != std::string::npos);
  // Oversized text is refused before parsing.
  std::string big(audience::SchemaJsonLimits::kMaxTextBytes + 1, ' ');
  CHECK(ErrorOf(big) == "schema.json: schema text is 16777217 bytes; at most 16777216 allowed");
  // Unknown keys are shown escaped and cut short.
  const std::string msg = ErrorOf(Doc(", \"\\u0007" + std::string(500, 'k') + "\": 1"));
  CHECK(msg.find("unknown key '\\x07kkk") != std::string::npos);
  CHECK(msg.size() < 250);
  // Random mutations of a valid file: any outcome but a crash or an
  // exception is fine; a success must re-serialize to something that parses.
  const std::string text = SchemaToJson(Everything());
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string t = text;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0: t[at] = static_cast<char>(rng() % 256); break;
        case 1: t.erase(at, 1 + rng() % 8); break;
        default: t.insert(at, 1, "{}[]\",:0a\\"[rng() % 10]); break;
      }
      if (t.empty()) t = "x";
    }
    auto r = SchemaFromJson(t);
    if (r.ok()) {
      auto again = SchemaFromJson(SchemaToJson(*r));
      REQUIRE(again.ok());
      CHECK(*again == *r);
    } else {
      CHECK_FALSE(r.status().message().empty());
    }
  }
}

TEST_CASE("schema json file save and load", "[schema][json]") {
  const std::filesystem::path path = TempPath("schema.json");
  const Schema s = Everything();
  REQUIRE(SaveSchemaFile(s, path.string()).ok());
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == SchemaToJson(s));
  }
  auto loaded = LoadSchemaFile(path.string());
  REQUIRE(loaded.ok());
  CHECK(*loaded == s);

  // Saving again replaces the file.
  Schema small;
  REQUIRE(small.AddDimension({.name = "only"}).ok());
  REQUIRE(SaveSchemaFile(small, path.string()).ok());
  loaded = LoadSchemaFile(path.string());
  REQUIRE(loaded.ok());
  CHECK(*loaded == small);

  // Errors carry the path.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "{\n  \"format\": \"audience-schema\",\n  \"version\": 1,\n  \"dimensions\": [{\"name\": 1}]\n}\n";
  }
  auto bad = LoadSchemaFile(path.string());
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.status().message()) ==
        path.string() + ": dimensions[0].name: expected a string, got number");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "{\n  \"format\": \"audience-schema\",\n  \"version\": 1,,\n}\n";
  }
  bad = LoadSchemaFile(path.string());
  REQUIRE_FALSE(bad.ok());
  INFO(bad.status().message());
  CHECK(std::string(bad.status().message()).rfind(path.string() + ":3:16: syntax error", 0) == 0);
  std::filesystem::remove(path);

  auto missing = LoadSchemaFile(path.string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.status().message()) ==
        "cannot open schema file '" + path.string() + "': No such file or directory");

  const std::string no_dir = (TempPath("no_such_dir") / "schema.json").string();
  auto cannot = SaveSchemaFile(s, no_dir);
  REQUIRE_FALSE(cannot.ok());
  CHECK(cannot.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(cannot.message()).find("cannot write schema file '" + no_dir + ".tmp'") == 0);

  // A schema whose text could not be loaded again is not saved.
  Schema wide;
  for (int d = 0; d < 2; ++d) {
    std::vector<std::string> values;
    for (size_t i = 0; i < audience::SchemaLimits::kMaxClosedValues; ++i) {
      values.push_back(std::to_string(i) + std::string(200, 'v'));
    }
    REQUIRE(wide.AddDimension({.name = "d" + std::to_string(d), .values = values}).ok());
  }
  auto too_wide = SaveSchemaFile(wide, path.string());
  REQUIRE_FALSE(too_wide.ok());
  CHECK(std::string(too_wide.message()).find(": schema text would be ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));

  // A file larger than the limit is refused without reading it all.
  const std::filesystem::path huge = TempPath("huge.json");
  {
    std::ofstream out(huge, std::ios::binary);
    out << std::string(audience::SchemaJsonLimits::kMaxTextBytes + 10, ' ');
  }
  auto too_big = LoadSchemaFile(huge.string());
  REQUIRE_FALSE(too_big.ok());
  CHECK(std::string(too_big.status().message()) ==
        huge.string() + ": larger than 16777216 bytes");
  std::filesystem::remove(huge);
}
