// Column mappings for `audience import`: the flags that fill an ImportSpec
// for one input file, in long form (--time-column date) or compact form
// (--map time=date,amount=dollar_value). docs/cli.md has the table.
//
//   ImportSource src{.kind = ImportKind::kEvents, .path = "orders.csv"};
//   if (IsMappingFlag("time-column")) status = ApplyMapping("time-column", "date", &src);
//   status = ApplyMap("id=customer_id,id-type=int", &src);
//   status = CheckSource(src);   // required mappings present
#ifndef AUDIENCE_CLI_IMPORT_MAPPING_H_
#define AUDIENCE_CLI_IMPORT_MAPPING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "audience/io/importer.h"

namespace audience_cli {

// One input file and its mapping. kind is nullopt for the defaults that
// mapping flags given before the first file set (common flags only); each
// file starts from a copy of them.
struct ImportSource {
  std::optional<audience::ImportKind> kind;
  std::string path;
  audience::ImportSpec spec;
  std::vector<std::string> given;  // single-valued flags set on this source
};

// "profiles", "tags", "events".
std::string_view KindFlag(audience::ImportKind kind);

// Whether `flag` (without "--") is a mapping flag, and whether it takes a
// value (only --no-header does not).
bool IsMappingFlag(std::string_view flag);
bool MappingTakesValue(std::string_view flag);

// Applies one mapping flag. Usage errors (InvalidArgument): a flag meant for
// another kind of file, a malformed value, a single-valued flag given twice.
absl::Status ApplyMapping(std::string_view flag, std::string_view value, ImportSource* source);
// Applies a --map list: items "key=value" or "key" (for no-header),
// separated by commas, each key a long flag name or its short alias.
absl::Status ApplyMap(std::string_view list, ImportSource* source);

// Usage error naming what a file still lacks (id column, time column, ...).
absl::Status CheckSource(const ImportSource& source);

}  // namespace audience_cli

#endif  // AUDIENCE_CLI_IMPORT_MAPPING_H_
