// Schema files: a Schema as human-editable JSON, read and written.
//
//   AUDIENCE_ASSIGN_OR_RETURN(Schema schema, LoadSchemaFile("schema.json"));
//   schema.AddDimension({.name = "channel"});
//   AUDIENCE_RETURN_IF_ERROR(SaveSchemaFile(schema, "schema.json"));
//   std::string text = SchemaToJson(schema);   // same text SaveSchemaFile writes
//
// ---------------------------------------------------------------------------
// The schema file format (version 1)
//
//   {
//     "format": "audience-schema",
//     "version": 1,
//     "dimensions": [
//       {"name": "interest", "description": "What a person cares about"},
//       {"name": "power", "kind": "exclusive", "values": ["high", "mid", "low"],
//        "ttl": "30d"}
//     ],
//     "attributes": [
//       {"name": "age", "type": "int64"},
//       {"name": "gender", "type": "enum", "values": ["F", "M", "U"]}
//     ],
//     "event_types": [
//       {"name": "purchase",
//        "properties": [{"name": "category", "indexed": true}, {"name": "product"}]}
//     ]
//   }
//
// Top level (an object):
//   "format"       required, the string "audience-schema".
//   "version"      required, the integer 1.
//   "dimensions", "attributes", "event_types"
//                  optional arrays of objects, in declaration order (which
//                  fixes the handles: the first dimension is DimensionId 0).
// A dimension:
//   "name"         required string; see the name rule below.
//   "kind"         "multi" (default: any number of values per person) or
//                  "exclusive" (at most one value per person).
//   "values"       array of strings: the closed list of allowed values.
//                  Absent or empty: any value may be assigned.
//   "ttl"          default time-to-live of an assignment: an integer and a
//                  unit s, m, h, d or w ("90s", "45m", "12h", "30d", "8w");
//                  positive, at most 100 years.
//   "description"  free text.
// An attribute:
//   "name"         required string.
//   "type"         required: "int64", "double", "enum", "timestamp" or "bool".
//   "values"       only for "enum": the closed list of allowed values.
//   "description"  free text.
// An event type:
//   "name"         required string.
//   "properties"   array of {"name": string, "indexed": boolean (default
//                  false)}; indexed properties can be filtered on quickly.
//   "description"  free text.
//
// Rules (the same as Schema::Add*): names are 1..64 bytes of [a-z0-9_.],
// start with a letter, contain no "..", do not end with '.'; dimensions,
// attributes and event types share one namespace; property names are unique
// within their event type. Values are 1..256 bytes of UTF-8 without control
// characters, unique within their list, at most 65536 per list. Descriptions
// are at most 4096 bytes.
//
// Strictness: an unknown key anywhere is an error (it is usually a typo), and
// so is a key given twice in one object, a value of the wrong JSON type, or
// nesting deeper than 64 levels. Comments and trailing commas are not JSON
// and are rejected.
//
// Errors name where the problem is. Syntax errors give line and column
// (1-based; the column counts bytes), semantic errors the JSON path:
//   schema.json:3:17: syntax error while parsing object - unexpected '}'; ...
//   schema.json: dimensions[1].kind: unknown kind 'exclusiv'; expected 'multi' or 'exclusive'
//   schema.json: attributes[0]: unknown key 'typ'; expected one of name, type, values, description
//   schema.json: dimensions[2]: dimension 'age' clashes with attribute 'age'
// (the "schema.json" prefix only when a source name is known).
//
// Writing: SchemaToJson prints 2-space indented JSON with keys in the order
// shown above, one trailing newline, and leaves out every default (kind
// "multi", empty values, no ttl, empty description, no properties, indexed
// false, empty sections). Reading what it wrote gives an equal Schema.
// ---------------------------------------------------------------------------
#ifndef AUDIENCE_SCHEMA_SCHEMA_JSON_H_
#define AUDIENCE_SCHEMA_SCHEMA_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "audience/base/config.h"
#include "audience/schema/schema.h"

AUDIENCE_BEGIN_NAMESPACE

struct SchemaJsonLimits {
  // Larger input is refused before parsing; the parsed tree costs several
  // times the text, so this also bounds memory.
  static constexpr size_t kMaxTextBytes = size_t{16} << 20;
  static constexpr size_t kMaxNesting = 64;
};

// Parses a schema file's text. `source_name` (a file name, say) prefixes
// every error message when non-empty. Errors: InvalidArgument as described
// above. Never throws.
absl::StatusOr<Schema> SchemaFromJson(std::string_view text, std::string_view source_name = {});

// The canonical text of `schema` (see "Writing" above). Never fails; the
// result parses back to an equal Schema unless it exceeds kMaxTextBytes.
std::string SchemaToJson(const Schema& schema);

// Reads and parses a schema file; errors are prefixed with `path`. A file
// that cannot be read gives the errno-derived code (NotFound,
// PermissionDenied, ...); a larger file than kMaxTextBytes InvalidArgument.
absl::StatusOr<Schema> LoadSchemaFile(const std::string& path);

// Writes SchemaToJson(schema) to `path.tmp`, then renames it over `path`, so
// readers never see a half-written file. Not safe for concurrent writers of
// the same path. InvalidArgument, writing nothing, if the text exceeds
// kMaxTextBytes (only a schema with many near-full closed lists gets there),
// since it could not be loaded again.
absl::Status SaveSchemaFile(const Schema& schema, const std::string& path);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/schema/schema_json-inl.h"
#endif

#endif  // AUDIENCE_SCHEMA_SCHEMA_JSON_H_
