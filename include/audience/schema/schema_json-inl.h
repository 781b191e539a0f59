// Definitions for schema_json.h.
#ifndef AUDIENCE_SCHEMA_SCHEMA_JSON_INL_H_
#define AUDIENCE_SCHEMA_SCHEMA_JSON_INL_H_

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "audience/base/duration.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/schema/schema.h"
#include "audience/schema/schema_json.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace schema_json_internal {

// Ordered so that SchemaToJson keeps our key order and unknown keys are
// reported in file order.
using Json = nlohmann::ordered_json;
using schema_internal::Shown;

// SAX handler that builds the tree itself so that it can refuse duplicate
// keys and deep nesting (nlohmann's DOM parser silently keeps the last of
// two equal keys) and capture the byte position of a syntax error without
// letting an exception out.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  bool null() { return Insert(Json(nullptr)) != nullptr; }
  bool boolean(bool v) { return Insert(Json(v)) != nullptr; }
  bool number_integer(Json::number_integer_t v) { return Insert(Json(v)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t v) { return Insert(Json(v)) != nullptr; }
  bool number_float(Json::number_float_t v, const Json::string_t&) {
    return Insert(Json(v)) != nullptr;
  }
  bool string(Json::string_t& v) { return Insert(Json(std::move(v))) != nullptr; }
  bool binary(Json::binary_t&) { return Fail("binary values are not JSON"); }  // CBOR etc. only
  bool start_object(std::size_t) { return Open(Json::object()); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(Json::string_t& k) {
    Frame& top = stack_.back();
    if (!top.keys.insert(k).second) {
      return Fail(fmt::format("{}: duplicate key '{}'", PathHere(), Shown(k)));
    }
    top.key = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& ex) {
    // nlohmann's position counts the bytes read, the failing one included.
    const size_t at = std::min(position == 0 ? 0 : position - 1, text_.size());
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    // Drop "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    std::string_view what = ex.what();
    if (size_t p = what.find("] "); !what.empty() && what[0] == '[' && p != what.npos) {
      what.remove_prefix(p + 2);
    }
    if (what.substr(0, 11) == "parse error") {
      if (size_t p = what.find(": "); p != what.npos) what.remove_prefix(p + 2);
    }
    // "last read" echoes raw input: keep the message printable ASCII.
    std::string detail;
    for (char c : what.substr(0, 512)) {
      const auto u = static_cast<unsigned char>(c);
      detail += (u < 0x20 || u >= 0x7F) ? fmt::format("\\x{:02X}", u) : std::string(1, c);
    }
    syntax_error_ = true;
    return Fail(fmt::format("{}:{}: {}", line, at - line_start + 1, detail));
  }

  Json& root() { return root_; }
  const std::string& error() const { return error_; }
  bool syntax_error() const { return syntax_error_; }

 private:
  struct Frame {
    Json* node;
    std::string key;  // objects: the key of the member being read
    absl::flat_hash_set<std::string> keys;
  };

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  // Adds v where the parser is: as the root, the next array element, or the
  // member named by the last key. Returns where it went.
  Json* Insert(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& parent = *stack_.back().node;
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    return &(parent[stack_.back().key] = std::move(v));
  }

  bool Open(Json container) {
    if (stack_.size() >= SchemaJsonLimits::kMaxNesting) {
      return Fail(fmt::format("{}: nested deeper than {} levels", PathHere(),
                              SchemaJsonLimits::kMaxNesting));
    }
    Json* node = Insert(std::move(container));
    stack_.push_back(Frame{node, {}, {}});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  // JSON path of the innermost open container, e.g. "dimensions[1]".
  std::string PathHere() const {
    std::string path;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (f.node->is_array()) {
        path += fmt::format("[{}]", f.node->size() - 1);
      } else {
        path += (path.empty() ? "" : ".") + Shown(f.key);
      }
    }
    return path.empty() ? "top level" : path;
  }

  std::string_view text_;
  Json root_;
  std::vector<Frame> stack_;
  std::string error_;
  bool syntax_error_ = false;
};

inline absl::Status Error(std::string_view path, std::string_view message) {
  return absl::InvalidArgumentError(
      fmt::format("{}: {}", path.empty() ? "top level" : path, message));
}

inline std::string Member(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

inline absl::Status CheckObject(const Json& j, std::string_view path,
                                std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    return Error(path, fmt::format("expected an object, got {}", j.type_name()));
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) {
      return Error(path, fmt::format("unknown key '{}'; expected one of {}", Shown(key),
                                     fmt::join(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

inline const Json* Find(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

inline absl::StatusOr<std::string> AsString(const Json& j, std::string_view path) {
  if (!j.is_string()) return Error(path, fmt::format("expected a string, got {}", j.type_name()));
  return j.get_ref<const std::string&>();
}

inline absl::StatusOr<std::string> RequiredString(const Json& object, std::string_view path,
                                                  const char* key) {
  const Json* j = Find(object, key);
  if (j == nullptr) return Error(path, fmt::format("missing required key '{}'", key));
  return AsString(*j, Member(path, key));
}

// An absent optional string member leaves *out unchanged.
inline absl::Status OptionalString(const Json& object, std::string_view path, const char* key,
                                   std::string* out) {
  if (const Json* j = Find(object, key)) {
    AUDIENCE_ASSIGN_OR_RETURN(*out, AsString(*j, Member(path, key)));
  }
  return absl::OkStatus();
}

inline absl::StatusOr<std::vector<std::string>> StringList(const Json& j, std::string_view path) {
  if (!j.is_array()) return Error(path, fmt::format("expected an array, got {}", j.type_name()));
  std::vector<std::string> out;
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string s, AsString(j[i], fmt::format("{}[{}]", path, i)));
    out.push_back(std::move(s));
  }
  return out;
}

inline absl::Status ReadDimension(const Json& j, const std::string& path, Schema& schema) {
  AUDIENCE_RETURN_IF_ERROR(CheckObject(j, path, {"name", "kind", "values", "ttl", "description"}));
  DimensionSpec spec;
  AUDIENCE_ASSIGN_OR_RETURN(spec.name, RequiredString(j, path, "name"));
  std::string kind = "multi";
  AUDIENCE_RETURN_IF_ERROR(OptionalString(j, path, "kind", &kind));
  if (kind == "exclusive") {
    spec.kind = DimensionKind::kExclusive;
  } else if (kind != "multi") {
    return Error(Member(path, "kind"), fmt::format("unknown kind '{}'; expected 'multi' or "
                                                   "'exclusive'", Shown(kind)));
  }
  if (const Json* values = Find(j, "values")) {
    AUDIENCE_ASSIGN_OR_RETURN(spec.values, StringList(*values, Member(path, "values")));
  }
  if (const Json* ttl = Find(j, "ttl")) {
    AUDIENCE_ASSIGN_OR_RETURN(std::string text, AsString(*ttl, Member(path, "ttl")));
    auto d = ParseDuration(text);
    if (!d.ok()) return Error(Member(path, "ttl"), StdView(d.status().message()));
    spec.default_ttl = *d;
  }
  AUDIENCE_RETURN_IF_ERROR(OptionalString(j, path, "description", &spec.description));
  auto added = schema.AddDimension(std::move(spec));
  return added.ok() ? absl::OkStatus() : Error(path, StdView(added.status().message()));
}

inline absl::Status ReadAttribute(const Json& j, const std::string& path, Schema& schema) {
  AUDIENCE_RETURN_IF_ERROR(CheckObject(j, path, {"name", "type", "values", "description"}));
  AttributeSpec spec;
  AUDIENCE_ASSIGN_OR_RETURN(spec.name, RequiredString(j, path, "name"));
  AUDIENCE_ASSIGN_OR_RETURN(std::string type, RequiredString(j, path, "type"));
  std::optional<AttributeType> parsed = ParseAttributeType(type);
  if (!parsed.has_value()) {
    return Error(Member(path, "type"),
                 fmt::format("unknown type '{}'; expected one of int64, double, enum, "
                             "timestamp, bool", Shown(type)));
  }
  spec.type = *parsed;
  if (const Json* values = Find(j, "values")) {
    AUDIENCE_ASSIGN_OR_RETURN(spec.enum_values, StringList(*values, Member(path, "values")));
  }
  AUDIENCE_RETURN_IF_ERROR(OptionalString(j, path, "description", &spec.description));
  auto added = schema.AddAttribute(std::move(spec));
  return added.ok() ? absl::OkStatus() : Error(path, StdView(added.status().message()));
}

inline absl::Status ReadEventType(const Json& j, const std::string& path, Schema& schema) {
  AUDIENCE_RETURN_IF_ERROR(CheckObject(j, path, {"name", "properties", "description"}));
  EventTypeSpec spec;
  AUDIENCE_ASSIGN_OR_RETURN(spec.name, RequiredString(j, path, "name"));
  if (const Json* props = Find(j, "properties")) {
    const std::string props_path = Member(path, "properties");
    if (!props->is_array()) {
      return Error(props_path, fmt::format("expected an array, got {}", props->type_name()));
    }
    for (size_t i = 0; i < props->size(); ++i) {
      const Json& p = (*props)[i];
      const std::string p_path = fmt::format("{}[{}]", props_path, i);
      AUDIENCE_RETURN_IF_ERROR(CheckObject(p, p_path, {"name", "indexed"}));
      PropertySpec prop;
      AUDIENCE_ASSIGN_OR_RETURN(prop.name, RequiredString(p, p_path, "name"));
      if (const Json* indexed = Find(p, "indexed")) {
        if (!indexed->is_boolean()) {
          return Error(Member(p_path, "indexed"),
                       fmt::format("expected a boolean, got {}", indexed->type_name()));
        }
        prop.indexed = indexed->get<bool>();
      }
      spec.properties.push_back(std::move(prop));
    }
  }
  AUDIENCE_RETURN_IF_ERROR(OptionalString(j, path, "description", &spec.description));
  auto added = schema.AddEventType(std::move(spec));
  return added.ok() ? absl::OkStatus() : Error(path, StdView(added.status().message()));
}

using SectionReader = absl::Status (*)(const Json&, const std::string&, Schema&);

inline absl::Status ReadSection(const Json& root, const char* key, SectionReader read,
                                Schema& schema) {
  const Json* section = Find(root, key);
  if (section == nullptr) return absl::OkStatus();
  if (!section->is_array()) {
    return Error(key, fmt::format("expected an array, got {}", section->type_name()));
  }
  for (size_t i = 0; i < section->size(); ++i) {
    AUDIENCE_RETURN_IF_ERROR(read((*section)[i], fmt::format("{}[{}]", key, i), schema));
  }
  return absl::OkStatus();
}

inline absl::StatusOr<Schema> ReadSchema(const Json& root) {
  AUDIENCE_RETURN_IF_ERROR(CheckObject(
      root, "", {"format", "version", "dimensions", "attributes", "event_types"}));
  AUDIENCE_ASSIGN_OR_RETURN(std::string format, RequiredString(root, "", "format"));
  if (format != "audience-schema") {
    return Error("format", fmt::format("expected 'audience-schema', got '{}'", Shown(format)));
  }
  const Json* version = Find(root, "version");
  if (version == nullptr) return Error("", "missing required key 'version'");
  if (!version->is_number_integer()) {
    return Error("version", fmt::format("expected an integer, got {}", version->type_name()));
  }
  if (*version != 1) {
    return Error("version", fmt::format("unsupported version {}; expected 1", version->dump()));
  }
  Schema schema;
  AUDIENCE_RETURN_IF_ERROR(ReadSection(root, "dimensions", &ReadDimension, schema));
  AUDIENCE_RETURN_IF_ERROR(ReadSection(root, "attributes", &ReadAttribute, schema));
  AUDIENCE_RETURN_IF_ERROR(ReadSection(root, "event_types", &ReadEventType, schema));
  return schema;
}

inline absl::Status WithSource(std::string_view source, const absl::Status& status) {
  if (source.empty() || status.ok()) return status;
  return absl::Status(status.code(), fmt::format("{}: {}", source, StdView(status.message())));
}

inline absl::Status IoError(int err, std::string_view what, const std::string& path) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      fmt::format("cannot {} schema file '{}': {}", what, path,
                                  std::generic_category().message(err)));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace schema_json_internal

AUDIENCE_FUNC absl::StatusOr<Schema> SchemaFromJson(std::string_view text,
                                                    std::string_view source_name) {
  using namespace schema_json_internal;  // NOLINT(build/namespaces)
  if (text.size() > SchemaJsonLimits::kMaxTextBytes) {
    return WithSource(source_name, absl::InvalidArgumentError(fmt::format(
                                       "schema text is {} bytes; at most {} allowed",
                                       text.size(), SchemaJsonLimits::kMaxTextBytes)));
  }
  TreeBuilder builder(text);
  bool parsed = false;
  try {
    parsed = Json::sax_parse(text.data(), text.data() + text.size(), &builder);
  } catch (const nlohmann::json::exception& e) {  // not expected with a SAX handler
    return WithSource(source_name, absl::InvalidArgumentError(e.what()));
  }
  if (!parsed) {
    std::string message = builder.error().empty() ? "invalid JSON" : builder.error();
    if (source_name.empty()) {
      // Keep the message as it is.
    } else if (builder.syntax_error()) {
      message = fmt::format("{}:{}", source_name, message);  // "schema.json:3:17: ..."
    } else {
      message = fmt::format("{}: {}", source_name, message);
    }
    return absl::InvalidArgumentError(message);
  }
  auto schema = ReadSchema(builder.root());
  if (!schema.ok()) return WithSource(source_name, schema.status());
  return schema;
}

AUDIENCE_FUNC std::string SchemaToJson(const Schema& schema) {
  using schema_json_internal::Json;
  Json root = Json::object();
  root["format"] = "audience-schema";
  root["version"] = 1;
  if (!schema.dimensions().empty()) {
    Json& out = root["dimensions"] = Json::array();
    for (const DimensionSpec& d : schema.dimensions()) {
      Json j = {{"name", d.name}};
      if (d.kind == DimensionKind::kExclusive) j["kind"] = "exclusive";
      if (!d.values.empty()) j["values"] = d.values;
      if (d.default_ttl.has_value()) j["ttl"] = FormatDurationText(*d.default_ttl);
      if (!d.description.empty()) j["description"] = d.description;
      out.push_back(std::move(j));
    }
  }
  if (!schema.attributes().empty()) {
    Json& out = root["attributes"] = Json::array();
    for (const AttributeSpec& a : schema.attributes()) {
      Json j = {{"name", a.name}, {"type", AttributeTypeName(a.type)}};
      if (!a.enum_values.empty()) j["values"] = a.enum_values;
      if (!a.description.empty()) j["description"] = a.description;
      out.push_back(std::move(j));
    }
  }
  if (!schema.event_types().empty()) {
    Json& out = root["event_types"] = Json::array();
    for (const EventTypeSpec& e : schema.event_types()) {
      Json j = {{"name", e.name}};
      if (!e.properties.empty()) {
        Json& props = j["properties"] = Json::array();
        for (const PropertySpec& p : e.properties) {
          Json pj = {{"name", p.name}};
          if (p.indexed) pj["indexed"] = true;
          props.push_back(std::move(pj));
        }
      }
      if (!e.description.empty()) j["description"] = e.description;
      out.push_back(std::move(j));
    }
  }
  // Schema validated every string as UTF-8, so `replace` never fires; it only
  // guarantees dump() cannot throw.
  return root.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

AUDIENCE_FUNC absl::StatusOr<Schema> LoadSchemaFile(const std::string& path) {
  using namespace schema_json_internal;  // NOLINT(build/namespaces)
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return IoError(errno, "open", path);
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, n);
    if (text.size() > SchemaJsonLimits::kMaxTextBytes) {
      return absl::InvalidArgumentError(fmt::format("{}: larger than {} bytes", path,
                                                    SchemaJsonLimits::kMaxTextBytes));
    }
    if (n < sizeof(buffer)) break;
  }
  if (std::ferror(file.get())) return IoError(errno, "read", path);
  return SchemaFromJson(text, path);
}

AUDIENCE_FUNC absl::Status SaveSchemaFile(const Schema& schema, const std::string& path) {
  using namespace schema_json_internal;  // NOLINT(build/namespaces)
  const std::string text = SchemaToJson(schema);
  if (text.size() > SchemaJsonLimits::kMaxTextBytes) {  // it could not be loaded again
    return absl::InvalidArgumentError(fmt::format("{}: schema text would be {} bytes; at most {} "
                                                  "can be loaded", path, text.size(),
                                                  SchemaJsonLimits::kMaxTextBytes));
  }
  const std::string tmp = path + ".tmp";
  {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(tmp.c_str(), "wb"));
    if (file == nullptr) return IoError(errno, "write", tmp);
    const bool written = std::fwrite(text.data(), 1, text.size(), file.get()) == text.size() &&
                         std::fflush(file.get()) == 0;
    const int err = errno;
    if (std::fclose(file.release()) != 0 || !written) {
      const int close_err = written ? errno : err;
      std::remove(tmp.c_str());
      return IoError(close_err, "write", tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return IoError(ec.value(), "replace", path);
  }
  return absl::OkStatus();
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SCHEMA_SCHEMA_JSON_INL_H_
