// ImportCsv: turns records into write batches, validates them all, applies.
#ifndef AUDIENCE_IO_IMPORTER_ROWS_INL_H_
#define AUDIENCE_IO_IMPORTER_ROWS_INL_H_

#include "absl/container/flat_hash_set.h"
#include "audience/base/strings.h"
#include "audience/io/importer.h"

AUDIENCE_BEGIN_NAMESPACE

namespace importer_internal {

// The resolved mapping of one import.
struct Plan {
  Col id;
  std::vector<std::pair<Col, const AttributeSpec*>> attributes;
  std::vector<std::pair<Col, const DimensionSpec*>> tags;
  std::optional<Col> dimension, value, expires, event_type, time, event_id;
  std::vector<Col> amounts;
  std::vector<std::pair<Col, std::string>> properties;
  size_t min_fields = 0;
};

inline absl::StatusOr<Plan> MakePlan(const Store& store, const Columns& columns,
                                     const ImportSpec& spec, std::string_view source) {
  const Schema& schema = store.schema();
  Plan plan;
  AUDIENCE_ASSIGN_OR_RETURN(plan.id, columns.Get(spec.id_column, "id"));
  auto unknown = [&](std::string_view kind, std::string_view name) {
    return absl::InvalidArgumentError(
        fmt::format("{}: mapping names unknown {} '{}'", source, kind, name));
  };
  switch (spec.kind) {
    case ImportKind::kProfiles: {
      for (const auto& [column, name] : spec.attributes) {
        const AttributeSpec* a = schema.FindAttribute(name);
        if (a == nullptr) return unknown("attribute", name);
        AUDIENCE_ASSIGN_OR_RETURN(Col c, columns.Get(column, "attribute"));
        plan.attributes.emplace_back(c, a);
      }
      for (const auto& [column, name] : spec.tags) {
        const DimensionSpec* d = schema.FindDimension(name);
        if (d == nullptr) return unknown("dimension", name);
        AUDIENCE_ASSIGN_OR_RETURN(Col c, columns.Get(column, "tag"));
        plan.tags.emplace_back(c, d);
      }
      break;
    }
    case ImportKind::kTags: {
      if (spec.dimension_column.empty()) {
        if (schema.FindDimension(spec.dimension) == nullptr) {
          return unknown("dimension", spec.dimension);
        }
      } else {
        AUDIENCE_ASSIGN_OR_RETURN(plan.dimension, columns.Get(spec.dimension_column, "dimension"));
      }
      AUDIENCE_ASSIGN_OR_RETURN(plan.value, columns.Get(spec.value_column, "value"));
      if (!spec.expires_column.empty()) {
        AUDIENCE_ASSIGN_OR_RETURN(plan.expires, columns.Get(spec.expires_column, "expires"));
      }
      break;
    }
    case ImportKind::kEvents: {
      const EventTypeSpec* type = nullptr;
      if (spec.event_type_column.empty()) {
        type = schema.FindEventType(spec.event_type);
        if (type == nullptr) return unknown("event type", spec.event_type);
      } else {
        AUDIENCE_ASSIGN_OR_RETURN(plan.event_type,
                                  columns.Get(spec.event_type_column, "event type"));
      }
      AUDIENCE_ASSIGN_OR_RETURN(plan.time, columns.Get(spec.time_column, "time"));
      for (const std::string& column : spec.amount_columns) {
        AUDIENCE_ASSIGN_OR_RETURN(Col c, columns.Get(column, "amount"));
        plan.amounts.push_back(c);
      }
      for (const auto& [column, name] : spec.properties) {
        if (type != nullptr) {
          bool declared = false;
          for (const PropertySpec& p : type->properties) declared |= p.name == name;
          if (!declared) return unknown(fmt::format("property of '{}'", type->name), name);
        }
        AUDIENCE_ASSIGN_OR_RETURN(Col c, columns.Get(column, "property"));
        plan.properties.emplace_back(c, name);
      }
      if (!spec.event_id_column.empty()) {
        AUDIENCE_ASSIGN_OR_RETURN(plan.event_id, columns.Get(spec.event_id_column, "event id"));
      }
      break;
    }
  }
  auto need = [&](const Col& c) { plan.min_fields = std::max(plan.min_fields, c.index + 1); };
  need(plan.id);
  for (const auto& a : plan.attributes) need(a.first);
  for (const auto& t : plan.tags) need(t.first);
  for (const auto* c : {&plan.dimension, &plan.value, &plan.expires, &plan.event_type,
                        &plan.time, &plan.event_id}) {
    if (*c) need(**c);
  }
  for (const Col& c : plan.amounts) need(c);
  for (const auto& p : plan.properties) need(p.first);
  return plan;
}

// The checks every record passes first: enough fields for the mapping and a
// valid id (stored in `*id`).
inline std::optional<RowError> RecordId(const Plan& plan, const ImportSpec& spec,
                                        const CsvRecord& rec, ExternalId* id) {
  if (rec.fields.size() < plan.min_fields) {
    return RowError{rec.line, 0, "",
                    fmt::format("row has {} fields, the mapping needs at least {}",
                                rec.fields.size(), plan.min_fields)};
  }
  const std::string_view cell = rec.fields[plan.id.index];
  absl::StatusOr<ExternalId> parsed = ParseId(cell, spec.id_type);
  if (!parsed.ok()) {
    return RowError{rec.line, rec.columns[plan.id.index], plan.id.name,
                    fmt::format("{} (value '{}')", parsed.status().message(), cell)};
  }
  *id = *std::move(parsed);
  return std::nullopt;
}

// Appends the operations of one tag or event record to `batch`, or returns
// the first problem with the cell it concerns. Nothing is appended on error.
// (Profiles go through ImportProfiles.)
inline std::optional<RowError> AddRecord(const Plan& plan, const ImportSpec& spec,
                                         const TimeFormat& time_format, const CsvRecord& rec,
                                         WriteBatch& batch) {
  auto cell_error = [&](const Col& c, std::string_view message) {
    return RowError{rec.line, rec.columns[c.index], c.name, std::string(message)};
  };
  auto cell = [&](const Col& c) { return rec.fields[c.index]; };
  ExternalId id;
  if (std::optional<RowError> e = RecordId(plan, spec, rec, &id)) return e;
  WriteBatch row(batch.now());
  row.SetRow(rec.line);
  TagOptions tag_options;
  tag_options.source = spec.source;
  switch (spec.kind) {
    case ImportKind::kProfiles:
      return RowError{rec.line, 0, "", "internal: profiles are imported as a column block"};
    case ImportKind::kTags: {
      std::string dim = plan.dimension ? std::string(cell(*plan.dimension)) : spec.dimension;
      TagOptions options = tag_options;
      if (plan.expires && !cell(*plan.expires).empty()) {
        absl::StatusOr<UnixSeconds> t = time_format.ParseTime(cell(*plan.expires));
        if (!t.ok()) return cell_error(*plan.expires, StdView(t.status().message()));
        options.expires_at = absl::FromUnixSeconds(*t);
      }
      if (cell(*plan.value).empty()) return cell_error(*plan.value, "empty tag value");
      row.Tag(id, std::move(dim), std::string(cell(*plan.value)), options);
      break;
    }
    case ImportKind::kEvents: {
      absl::StatusOr<UnixSeconds> t = time_format.ParseTime(cell(*plan.time));
      if (!t.ok()) return cell_error(*plan.time, StdView(t.status().message()));
      double amount = plan.amounts.empty() ? 0.0 : 1.0;
      for (const Col& c : plan.amounts) {
        absl::StatusOr<double> v = ParseDouble(cell(c));
        if (!v.ok()) return cell_error(c, StdView(v.status().message()));
        amount *= *v;
      }
      EventProperties props;
      for (const auto& [col, name] : plan.properties) {
        if (!cell(col).empty()) props.emplace_back(name, std::string(cell(col)));
      }
      std::string type = plan.event_type ? std::string(cell(*plan.event_type)) : spec.event_type;
      row.AddEvent(id, std::move(type), absl::FromUnixSeconds(*t), amount, std::move(props),
                   plan.event_id ? std::string(cell(*plan.event_id)) : std::string());
      break;
    }
  }
  for (const WriteBatch::Op& op : row.ops()) batch.AddOp(op);
  return std::nullopt;
}

// The all-or-nothing rule: without skip_bad_rows, any bad row rejects the
// import with every reported row listed.
inline absl::Status RejectIfBad(const Errors& errors, const ImportReport& report,
                                const ImportSpec& spec, std::string_view source_name) {
  if (errors.count == 0 || spec.skip_bad_rows) return absl::OkStatus();
  std::string msg = fmt::format("{}: import rejected, store unchanged: {} bad row{} of {}",
                                source_name, errors.count, errors.count == 1 ? "" : "s",
                                report.rows_read);
  for (const RowError& e : report.errors) msg += "\n" + e.ToString();
  if (errors.count > report.errors.size()) {
    msg += fmt::format("\n... and {} more", errors.count - report.errors.size());
  }
  return absl::InvalidArgumentError(msg);
}

// Reads the next well-formed record into `rec` and counts it; records the
// reader rejects (bad quoting, too long) are counted, reported and skipped on
// the way. False at the end of the input.
inline bool ReadRecord(CsvReader& reader, CsvRecord& rec, Errors& errors,
                       ImportReport& report) {
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&rec);
    if (more.ok()) {
      if (*more) ++report.rows_read;
      return *more;
    }
    ++report.rows_read;
    ++report.rows_skipped;
    const CsvError& e = reader.last_error();
    errors.Add(RowError{e.line, e.column, "", e.message});
  }
}

// The profile path (importer_profiles-inl.h).
inline absl::StatusOr<ImportReport> ImportProfiles(Store& store, CsvReader& reader,
                                                   const ImportSpec& spec, const Plan& plan,
                                                   const TimeFormat& time_format,
                                                   std::string_view source_name);

}  // namespace importer_internal

AUDIENCE_FUNC absl::StatusOr<ImportReport> ImportCsv(Store& store, CsvReader& reader,
                                                     const ImportSpec& spec,
                                                     std::string_view source_name) {
  using namespace importer_internal;
  ImportReport report;
  Errors errors{spec, report};
  AUDIENCE_ASSIGN_OR_RETURN(TimeFormat time_format, TimeFormat::Parse(spec.time_format));
  if (absl::Status header = reader.ReadHeader(); !header.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: cannot read the header: {}", source_name, header.message()));
  }
  if (spec.csv.has_header && reader.header().empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: the file is empty", source_name));
  }
  Columns columns(reader, source_name);
  AUDIENCE_ASSIGN_OR_RETURN(importer_internal::Plan plan, MakePlan(store, columns, spec, source_name));
  if (spec.kind == ImportKind::kProfiles) {
    return ImportProfiles(store, reader, spec, plan, time_format, source_name);
  }

  std::vector<WriteBatch> chunks;
  chunks.emplace_back(spec.now);
  uint64_t rows_in_chunk = 0;
  auto check_chunk = [&]() {
    WriteBatch& chunk = chunks.back();
    size_t total = 0;
    std::vector<OpError> bad = store.CheckBatch(chunk, SIZE_MAX, &total);
    if (bad.empty()) return;
    absl::flat_hash_set<uint64_t> bad_rows;
    for (const OpError& e : bad) {
      if (bad_rows.insert(e.row).second) errors.Add(RowError{e.row, 0, "", e.message});
    }
    WriteBatch kept(spec.now);
    for (const WriteBatch::Op& op : chunk.ops()) {
      if (!bad_rows.contains(op.row)) kept.AddOp(op);
    }
    report.rows_skipped += bad_rows.size();
    chunk = std::move(kept);
  };
  CsvRecord rec;
  while (ReadRecord(reader, rec, errors, report)) {
    if (std::optional<RowError> e = AddRecord(plan, spec, time_format, rec, chunks.back())) {
      ++report.rows_skipped;
      errors.Add(*std::move(e));
    }
    if (++rows_in_chunk >= std::max<size_t>(spec.batch_rows, 1)) {
      check_chunk();
      if (spec.progress) {
        spec.progress(report.rows_read, reader.bytes_consumed(), reader.total_bytes());
      }
      chunks.emplace_back(spec.now);
      rows_in_chunk = 0;
    }
  }
  check_chunk();
  AUDIENCE_RETURN_IF_ERROR(RejectIfBad(errors, report, spec, source_name));
  report.rows_imported = report.rows_read - report.rows_skipped;
  for (const WriteBatch& chunk : chunks) {
    if (chunk.empty()) continue;
    AUDIENCE_ASSIGN_OR_RETURN(ApplyResult r, store.Apply(chunk));
    report.people_created += r.people_created;
    report.events_added += r.events_added;
    report.duplicate_events += r.duplicate_events;
  }
  if (spec.progress) {
    spec.progress(report.rows_read, reader.bytes_consumed(), reader.total_bytes());
  }
  return report;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IO_IMPORTER_ROWS_INL_H_
