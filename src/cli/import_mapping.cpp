// Definitions for import_mapping.h.
#include "import_mapping.h"

#include <algorithm>
#include <cstdint>

#include "fmt/format.h"

namespace audience_cli {
namespace {

using audience::ImportKind;

constexpr uint8_t kP = 1, kT = 2, kE = 4, kAll = kP | kT | kE;

struct Option {
  std::string_view flag;
  std::string_view alias;  // the --map key
  uint8_t kinds;           // which files it applies to; kAll: also as a default
  bool repeatable;
};

constexpr Option kOptions[] = {
    {"id-column", "id", kAll, false},
    {"id-type", "id-type", kAll, false},
    {"delimiter", "delim", kAll, false},
    {"no-header", "no-header", kAll, false},
    {"time-format", "time-format", kAll, false},
    {"source", "source", kAll, false},
    {"event-type", "type", kE, false},
    {"event-type-column", "type-column", kE, false},
    {"time-column", "time", kE, false},
    {"amount-column", "amount", kE, true},
    {"property", "prop", kE, true},
    {"event-id-column", "event-id", kE, false},
    {"attribute", "attr", kP, true},
    {"tag-column", "tag", kP, true},
    {"tag-separator", "tag-sep", kP, false},
    {"dimension", "dim", kT, false},
    {"dimension-column", "dim-column", kT, false},
    {"value-column", "value", kT, false},
    {"expires-column", "expires", kT, false},
};

const Option* Find(std::string_view name) {
  for (const Option& o : kOptions) {
    if (o.flag == name || o.alias == name) return &o;
  }
  return nullptr;
}

uint8_t KindBit(ImportKind kind) {
  switch (kind) {
    case ImportKind::kProfiles: return kP;
    case ImportKind::kTags: return kT;
    case ImportKind::kEvents: return kE;
  }
  return 0;
}

std::string KindsText(uint8_t kinds) {
  std::string out;
  for (ImportKind k : {ImportKind::kProfiles, ImportKind::kTags, ImportKind::kEvents}) {
    if (kinds & KindBit(k)) out += fmt::format("{}--{}", out.empty() ? "" : " or ", KindFlag(k));
  }
  return out;
}

absl::Status Bad(const Option& o, std::string_view value, std::string_view expected) {
  return absl::InvalidArgumentError(
      fmt::format("--{} '{}': expected {}", o.flag, value, expected));
}

// "COL=NAME" or "COL" (NAME = COL); split at the last '=' since names in the
// schema never hold one.
absl::StatusOr<std::pair<std::string, std::string>> ColumnAndName(const Option& o,
                                                                  std::string_view value) {
  size_t eq = value.rfind('=');
  std::string column(value.substr(0, eq));
  std::string name(eq == std::string_view::npos ? value : value.substr(eq + 1));
  if (column.empty() || name.empty()) return Bad(o, value, "COLUMN or COLUMN=NAME");
  return std::make_pair(std::move(column), std::move(name));
}

absl::StatusOr<char> OneChar(const Option& o, std::string_view value) {
  if (value == "tab" || value == "\\t") return '\t';
  if (value.size() != 1 || value[0] == '\n' || value[0] == '\r' || value[0] == '\0') {
    return Bad(o, value, "one character or 'tab'");
  }
  return value[0];
}

absl::Status NonEmpty(const Option& o, std::string_view value) {
  if (value.empty()) return Bad(o, value, "a non-empty value");
  return absl::OkStatus();
}

}  // namespace

std::string_view KindFlag(ImportKind kind) {
  switch (kind) {
    case ImportKind::kProfiles: return "profiles";
    case ImportKind::kTags: return "tags";
    case ImportKind::kEvents: return "events";
  }
  return "?";
}

bool IsMappingFlag(std::string_view flag) {
  const Option* o = Find(flag);
  return o != nullptr && o->flag == flag;
}

bool MappingTakesValue(std::string_view flag) { return flag != "no-header"; }

absl::Status ApplyMapping(std::string_view flag, std::string_view value, ImportSource* source) {
  const Option* found = Find(flag);
  if (found == nullptr) {
    return absl::InvalidArgumentError(fmt::format("unknown mapping '{}'", flag));
  }
  const Option& o = *found;
  if (!source->kind) {
    if (o.kinds != kAll) {
      return absl::InvalidArgumentError(fmt::format(
          "--{} must follow the file it maps ({})", o.flag, KindsText(o.kinds)));
    }
  } else if ((o.kinds & KindBit(*source->kind)) == 0) {
    return absl::InvalidArgumentError(fmt::format("--{} applies to {}, not to --{} {}", o.flag,
                                                  KindsText(o.kinds), KindFlag(*source->kind),
                                                  source->path));
  }
  if (!o.repeatable) {
    std::string key(o.flag);
    if (std::find(source->given.begin(), source->given.end(), key) != source->given.end()) {
      return absl::InvalidArgumentError(fmt::format("--{} given twice for {}", o.flag,
                                                    source->kind ? source->path : "the defaults"));
    }
    source->given.push_back(std::move(key));
  }
  audience::ImportSpec& spec = source->spec;
  std::string v(value);
  if (o.flag == "no-header") {
    spec.csv.has_header = false;
  } else if (o.flag == "id-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.id_column = v;
  } else if (o.flag == "id-type") {
    if (v == "int") {
      spec.id_type = audience::IdType::kInt;
    } else if (v == "string" || v == "str") {
      spec.id_type = audience::IdType::kString;
    } else {
      return Bad(o, v, "int or string");
    }
  } else if (o.flag == "delimiter") {
    if (v == "ws" || v == "whitespace" || v == "space") {
      spec.csv.whitespace_separated = true;
    } else {
      absl::StatusOr<char> c = OneChar(o, v);
      if (!c.ok()) return Bad(o, v, "one character, 'tab' or 'ws' (runs of blanks)");
      if (*c == '"') return Bad(o, v, "a delimiter other than the quote");
      spec.csv.whitespace_separated = false;
      spec.csv.delimiter = *c;
    }
  } else if (o.flag == "time-format") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.time_format = v;  // the importer checks it and names it in its error
  } else if (o.flag == "source") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.source = v;
  } else if (o.flag == "event-type") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.event_type = v;
  } else if (o.flag == "event-type-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.event_type_column = v;
  } else if (o.flag == "time-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.time_column = v;
  } else if (o.flag == "amount-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.amount_columns.push_back(v);
  } else if (o.flag == "property" || o.flag == "attribute" || o.flag == "tag-column") {
    absl::StatusOr<std::pair<std::string, std::string>> cn = ColumnAndName(o, v);
    if (!cn.ok()) return cn.status();
    auto& list = o.flag == "property" ? spec.properties
                 : o.flag == "attribute" ? spec.attributes
                                         : spec.tags;
    list.push_back(*std::move(cn));
  } else if (o.flag == "event-id-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.event_id_column = v;
  } else if (o.flag == "tag-separator") {
    absl::StatusOr<char> c = OneChar(o, v);
    if (!c.ok()) return c.status();
    spec.tag_separator = *c;
  } else if (o.flag == "dimension") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.dimension = v;
  } else if (o.flag == "dimension-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.dimension_column = v;
  } else if (o.flag == "value-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.value_column = v;
  } else if (o.flag == "expires-column") {
    if (auto s = NonEmpty(o, v); !s.ok()) return s;
    spec.expires_column = v;
  }
  return absl::OkStatus();
}

absl::Status ApplyMap(std::string_view list, ImportSource* source) {
  if (list.empty()) return absl::InvalidArgumentError("--map needs key=value items");
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) {
      return absl::InvalidArgumentError(fmt::format("--map '{}': empty item", list));
    }
    size_t eq = item.find('=');
    std::string_view key = item.substr(0, eq);
    const Option* o = Find(key);
    if (o == nullptr) {
      return absl::InvalidArgumentError(fmt::format("--map '{}': unknown key '{}'", list, key));
    }
    bool has_value = eq != std::string_view::npos;
    if (has_value != MappingTakesValue(o->flag)) {
      return absl::InvalidArgumentError(fmt::format("--map '{}': '{}' {}", list, key,
                                                    has_value ? "takes no value" : "needs =value"));
    }
    absl::Status s = ApplyMapping(o->flag, has_value ? item.substr(eq + 1) : "", source);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckSource(const ImportSource& source) {
  const audience::ImportSpec& spec = source.spec;
  std::string where = fmt::format("--{} {}", KindFlag(*source.kind), source.path);
  auto missing = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", where, what));
  };
  if (spec.id_column.empty()) return missing("no id column (--id-column COL, or --map id=COL)");
  switch (*source.kind) {
    case ImportKind::kProfiles:
      if (spec.attributes.empty() && spec.tags.empty()) {
        return missing("nothing mapped (--attribute COL[=ATTR] or --tag-column COL[=DIM])");
      }
      break;
    case ImportKind::kTags:
      if (spec.dimension.empty() == spec.dimension_column.empty()) {
        return missing("give exactly one of --dimension NAME and --dimension-column COL");
      }
      if (spec.value_column.empty()) return missing("no value column (--value-column COL)");
      break;
    case ImportKind::kEvents:
      if (spec.event_type.empty() == spec.event_type_column.empty()) {
        return missing("give exactly one of --event-type NAME and --event-type-column COL");
      }
      if (spec.time_column.empty()) return missing("no time column (--time-column COL)");
      break;
  }
  return absl::OkStatus();
}

}  // namespace audience_cli
