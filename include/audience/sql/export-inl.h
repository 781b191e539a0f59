// Definitions for export.h.
#ifndef AUDIENCE_SQL_EXPORT_INL_H_
#define AUDIENCE_SQL_EXPORT_INL_H_

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/query/binder.h"
#include "audience/query/parser.h"
#include "audience/sql/export.h"
#include "audience/sql/sql_compiler.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace sql_internal {

inline absl::Status IoError(int err, std::string_view what, const std::string& path) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      fmt::format("cannot {} '{}': {}", what, path,
                                  err != 0 ? std::strerror(err) : "unknown error"));
}

// A file written through a 1 MiB buffer; Close() reports any failure.
class OutFile {
 public:
  static absl::StatusOr<OutFile> Open(std::string path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return IoError(errno, "create", path);
    return OutFile(std::move(path), f);
  }
  OutFile(OutFile&& o) noexcept
      : path_(std::move(o.path_)), file_(std::exchange(o.file_, nullptr)),
        buffer_(std::move(o.buffer_)), error_(o.error_) {}
  OutFile& operator=(OutFile&&) = delete;
  ~OutFile() {
    if (file_ != nullptr) std::fclose(file_);
  }

  void Append(std::string_view s) {
    buffer_.append(s.data(), s.size());
    if (buffer_.size() >= (size_t{1} << 20)) Flush();
  }
  absl::Status Close() {
    Flush();
    const int close_result = std::fclose(std::exchange(file_, nullptr));
    if (error_ == 0 && close_result != 0) error_ = errno != 0 ? errno : EIO;
    if (error_ != 0) return IoError(error_, "write", path_);
    return absl::OkStatus();
  }

 private:
  OutFile(std::string path, std::FILE* f) : path_(std::move(path)), file_(f) {}
  void Flush() {
    if (error_ == 0 && !buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      error_ = errno != 0 ? errno : EIO;
    }
    buffer_.clear();
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  int error_ = 0;
};

// Appends the fields as one CSV record (LF-terminated).
inline void AppendRecord(const std::vector<std::string>& fields, OutFile& out) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  line += '\n';
  out.Append(line);
}

inline std::string DoubleText(double v) { return fmt::format("{}", v == 0 ? 0.0 : v); }

// A non-null attribute value as CSV text; "" (NULL) for null.
inline std::string AttributeText(const Value& v) {
  if (v.is_null()) return "";
  switch (v.type()) {
    case AttributeType::kInt64: return fmt::format("{}", v.int_value());
    case AttributeType::kDouble: return DoubleText(v.double_value());
    case AttributeType::kEnum: return v.enum_value();
    case AttributeType::kTimestamp: return fmt::format("{}", absl::ToUnixSeconds(v.time_value()));
    case AttributeType::kBool: return v.bool_value() ? "1" : "0";
  }
  return "";
}

struct ColumnTypes {
  std::string_view int64, dbl, text, boolean;
};

inline ColumnTypes TypesOf(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite: return {"BIGINT", "REAL", "TEXT", "INTEGER"};
    case SqlDialect::kDuckDb: return {"BIGINT", "DOUBLE", "TEXT", "SMALLINT"};
    case SqlDialect::kPostgres: return {"BIGINT", "DOUBLE PRECISION", "TEXT", "SMALLINT"};
    case SqlDialect::kClickHouse: return {"Int64", "Float64", "String", "UInt8"};
  }
  return {"BIGINT", "REAL", "TEXT", "INTEGER"};
}

// One CREATE TABLE; `columns` are (name, type, nullable).
using ColumnList = std::vector<std::tuple<std::string, std::string_view, bool>>;

inline std::string CreateTable(std::string_view table, const ColumnList& columns,
                               SqlDialect dialect, std::string_view clickhouse_order,
                               bool primary_key_first) {
  const bool ch = dialect == SqlDialect::kClickHouse;
  std::string out = fmt::format("CREATE TABLE {} (", table);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& [name, type, nullable] = columns[i];
    out += fmt::format("{}\n  {} ", i > 0 ? "," : "", SqlIdentifier(name));
    if (ch) {
      out += nullable ? fmt::format("Nullable({})", type) : std::string(type);
    } else {
      out += type;
      if (i == 0 && primary_key_first) {
        out += " PRIMARY KEY";
      } else if (!nullable) {
        out += " NOT NULL";
      }
    }
  }
  out += "\n)";
  if (ch) out += fmt::format(" ENGINE = MergeTree ORDER BY ({})", clickhouse_order);
  return out + ";\n";
}

}  // namespace sql_internal

AUDIENCE_FUNC std::vector<std::string> SqlPropertyNames(const Schema& schema) {
  std::vector<std::string> names;
  absl::flat_hash_map<std::string, size_t> seen;
  for (const EventTypeSpec& type : schema.event_types()) {
    for (const PropertySpec& p : type.properties) {
      if (seen.emplace(p.name, names.size()).second) names.push_back(p.name);
    }
  }
  return names;
}

AUDIENCE_FUNC std::string CreateTablesSql(const Schema& schema, SqlDialect dialect) {
  using sql_internal::CreateTable;
  const sql_internal::ColumnTypes t = sql_internal::TypesOf(dialect);
  sql_internal::ColumnList cols = {
      {"person_id", t.int64, false}, {"external_id", t.text, false}};
  for (const AttributeSpec& a : schema.attributes()) {
    std::string_view type = t.int64;
    switch (a.type) {
      case AttributeType::kInt64: case AttributeType::kTimestamp: type = t.int64; break;
      case AttributeType::kDouble: type = t.dbl; break;
      case AttributeType::kEnum: type = t.text; break;
      case AttributeType::kBool: type = t.boolean; break;
    }
    cols.emplace_back(SqlAttributeColumn(a.name), type, true);
  }
  std::string out = CreateTable("profiles", cols, dialect, "\"person_id\"", true);
  cols = {{"person_id", t.int64, false}, {"dimension", t.text, false},
          {"value", t.text, false}, {"expires_at", t.int64, true}};
  out += CreateTable("person_tags", cols, dialect, "\"dimension\", \"value\", \"person_id\"",
                     false);
  cols = {{"person_id", t.int64, false}, {"event_type", t.text, false},
          {"time", t.int64, false}, {"count", t.int64, false}, {"amount", t.dbl, false}};
  for (const std::string& p : SqlPropertyNames(schema)) {
    cols.emplace_back(SqlPropertyColumn(p), t.text, true);
  }
  out += CreateTable("events", cols, dialect, "\"event_type\", \"time\", \"person_id\"", false);
  if (dialect == SqlDialect::kSqlite || dialect == SqlDialect::kPostgres) {
    out += "CREATE INDEX person_tags_by_value ON person_tags (\"dimension\", \"value\");\n";
    out += "CREATE INDEX events_by_type_time ON events (\"event_type\", \"time\");\n";
  }
  return out;
}

AUDIENCE_FUNC std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

AUDIENCE_FUNC absl::Status ExportCsv(const Store& store, const std::string& dir, absl::Time now) {
  using sql_internal::AppendRecord;
  using sql_internal::OutFile;
  const Schema& schema = store.schema();
  const UnixSeconds now_s = absl::ToUnixSeconds(now);

  // Compile the saved segments first: a broken one writes nothing.
  std::vector<std::pair<const std::string*, BoundExpr>> segments;
  for (const auto& [name, text] : store.segments()) {
    ParseResult parsed = Parse(text);
    if (parsed.root == nullptr) {
      return absl::InvalidArgumentError(fmt::format(
          "segment '{}' does not parse: {}", name,
          parsed.diagnostics.empty() ? "unknown error" : parsed.diagnostics[0].message));
    }
    BindResult bound = Bind(*parsed.root, {.schema = &schema, .now = now,
                                           .segments = &store.segments()});
    if (!bound.expr) {
      return absl::InvalidArgumentError(fmt::format(
          "segment '{}' does not bind: {}", name,
          bound.diagnostics.empty() ? "unknown error" : bound.diagnostics[0].message));
    }
    segments.emplace_back(&name, std::move(*bound.expr));
  }

  if (dir.empty()) return absl::InvalidArgumentError("export directory: empty path");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return sql_internal::IoError(ec.value(), "create directory", dir);
  auto path = [&](std::string_view file) {
    return (std::filesystem::path(dir) / std::string(file)).string();
  };

  for (SqlDialect d : kAllSqlDialects) {
    AUDIENCE_ASSIGN_OR_RETURN(OutFile tables,
                              OutFile::Open(path(fmt::format("tables.{}.sql", SqlDialectName(d)))));
    tables.Append(CreateTablesSql(schema, d));
    AUDIENCE_RETURN_IF_ERROR(tables.Close());
    AUDIENCE_ASSIGN_OR_RETURN(
        OutFile out, OutFile::Open(path(fmt::format("segments.{}.sql", SqlDialectName(d)))));
    for (const auto& [name, expr] : segments) {
      std::string block = fmt::format("-- segment: {}\n", *name);
      // The text as comment lines: a line break of any kind ends a comment.
      std::string_view text = store.segments().find(*name)->second;
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find_first_of("\r\n", start);
        if (end == std::string_view::npos) end = text.size();
        block += fmt::format("-- {}\n", text.substr(start, end - start));
        if (end < text.size() && text[end] == '\r' && end + 1 < text.size() &&
            text[end + 1] == '\n') {
          ++end;
        }
        start = end + 1;
      }
      block += CompileToSql(expr, schema, d, now_s) + ";\n\n";
      out.Append(block);
    }
    AUDIENCE_RETURN_IF_ERROR(out.Close());
  }

  const Bitmap& universe = store.universe();
  {
    AUDIENCE_ASSIGN_OR_RETURN(OutFile out, OutFile::Open(path("profiles.csv")));
    std::vector<std::string> fields = {"person_id", "external_id"};
    for (const AttributeSpec& a : schema.attributes()) fields.push_back(SqlAttributeColumn(a.name));
    AppendRecord(fields, out);
    universe.ForEach([&](uint32_t person) {
      fields.clear();
      fields.push_back(fmt::format("{}", person));
      std::optional<ExternalId> primary = store.ids().PrimaryId(person);
      fields.push_back(primary ? primary->ToString() : "");
      for (AttributeId a = 0; a < schema.attributes().size(); ++a) {
        fields.push_back(sql_internal::AttributeText(store.attribute(a).Get(person)));
      }
      AppendRecord(fields, out);
    });
    AUDIENCE_RETURN_IF_ERROR(out.Close());
  }
  {
    AUDIENCE_ASSIGN_OR_RETURN(OutFile out, OutFile::Open(path("person_tags.csv")));
    std::vector<std::string> fields = {"person_id", "dimension", "value", "expires_at"};
    AppendRecord(fields, out);
    universe.ForEach([&](uint32_t person) {
      for (DimensionId d = 0; d < schema.dimensions().size(); ++d) {
        const TagDimension& dim = store.dimension(d);
        // Visible at the earliest time there is: every stored assignment but
        // one expiring at INT64_MIN, which is invisible at any `now`.
        for (const TagAssignment& t :
             dim.PersonTags(person, std::numeric_limits<UnixSeconds>::min())) {
          fields = {fmt::format("{}", person), dim.name(), dim.ValueName(t.value_id),
                    t.expires_at ? fmt::format("{}", *t.expires_at) : ""};
          AppendRecord(fields, out);
        }
      }
    });
    AUDIENCE_RETURN_IF_ERROR(out.Close());
  }
  {
    AUDIENCE_ASSIGN_OR_RETURN(OutFile out, OutFile::Open(path("events.csv")));
    const std::vector<std::string> names = SqlPropertyNames(schema);
    std::vector<std::string> fields = {"person_id", "event_type", "time", "count", "amount"};
    for (const std::string& n : names) fields.push_back(SqlPropertyColumn(n));
    AppendRecord(fields, out);
    // Per event type: for each property, its column among the property ones.
    std::vector<std::vector<size_t>> column_of(schema.event_types().size());
    for (EventTypeId e = 0; e < schema.event_types().size(); ++e) {
      for (const PropertySpec& p : schema.event_types()[e].properties) {
        column_of[e].push_back(static_cast<size_t>(
            std::find(names.begin(), names.end(), p.name) - names.begin()));
      }
    }
    universe.ForEach([&](uint32_t person) {
      for (EventTypeId e = 0; e < schema.event_types().size(); ++e) {
        const EventIndex& index = store.event_type(e);
        index.ForEachPoint(person, [&](const EventPoint& point) {
          fields.assign(5 + names.size(), std::string());
          fields[0] = fmt::format("{}", person);
          fields[1] = index.name();
          fields[2] = fmt::format("{}", point.time);
          fields[3] = fmt::format("{}", point.count);
          fields[4] = sql_internal::DoubleText(point.amount);
          for (size_t i = 0; i < point.values.size() && i < column_of[e].size(); ++i) {
            if (point.values[i] == EventIndex::kNoValue) continue;
            fields[5 + column_of[e][i]] =
                index.PropertyValueName(static_cast<uint32_t>(i), point.values[i]);
          }
          AppendRecord(fields, out);
        });
      }
    });
    AUDIENCE_RETURN_IF_ERROR(out.Close());
  }
  return absl::OkStatus();
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SQL_EXPORT_INL_H_
