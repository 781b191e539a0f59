// Store::Apply: validate a whole batch, then apply it. Validation rejects
// everything that could make application fail, so application never stops
// half-way: a batch lands entirely or not at all.
#ifndef AUDIENCE_STORE_STORE_APPLY_INL_H_
#define AUDIENCE_STORE_STORE_APPLY_INL_H_

#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "audience/store/store.h"
#include "audience/base/strings.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace store_internal {

inline constexpr size_t kMaxSourceBytes = 64;

// The IdMap's own rule, with the operation's field named.
inline absl::Status CheckExternalId(const ExternalId& id, std::string_view field) {
  absl::Status s = IdMap::ValidateId(id);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(fmt::format("{}: {}", field, s.message()));
}

inline absl::Status CheckTagOptions(const TagOptions& options) {
  if (options.expires_at && (*options.expires_at == absl::InfiniteFuture() ||
                             *options.expires_at == absl::InfinitePast())) {
    return absl::InvalidArgumentError("expires_at must be a finite time");
  }
  if (options.source.empty() || options.source.size() > kMaxSourceBytes) {
    return absl::InvalidArgumentError(
        fmt::format("source '{}' must be 1..{} bytes", options.source, kMaxSourceBytes));
  }
  return absl::OkStatus();
}

// Whether `value` may be written to `d`: an existing value always; a new one
// only on an open dimension (and unless it must exist), if it is a valid name.
inline absl::Status CheckTagValue(const TagDimension& d, const std::string& value,
                                  bool must_exist) {
  if (d.FindValue(value)) return absl::OkStatus();
  if (d.closed() || must_exist) {
    return absl::InvalidArgumentError(
        fmt::format("dimension '{}' has no value '{}'", d.name(), value));
  }
  return Schema::ValidateValue(fmt::format("dimension '{}' value", d.name()), value);
}

inline bool IsFinite(absl::Time t) {
  return t != absl::InfiniteFuture() && t != absl::InfinitePast();
}

// Builds the EventInput for an event op; properties are mapped to the event
// type's declared order. Shared by validation and application.
inline absl::StatusOr<EventInput> MakeEventInput(const EventTypeSpec& spec,
                                                 const WriteBatch::Op& op, PersonId person) {
  if (!store_internal::IsFinite(op.time)) {
    return absl::InvalidArgumentError(fmt::format("event '{}': time must be finite", spec.name));
  }
  EventInput in;
  in.person = person;
  in.time = absl::ToUnixSeconds(op.time);
  in.amount = op.amount;
  in.event_id = op.event_id;
  for (const auto& [name, value] : op.properties) {
    size_t i = 0;
    while (i < spec.properties.size() && spec.properties[i].name != name) ++i;
    if (i == spec.properties.size()) {
      return absl::InvalidArgumentError(
          fmt::format("event '{}' has no property '{}'", spec.name, name));
    }
    if (in.properties.size() <= i) in.properties.resize(i + 1);
    in.properties[i] = value;
  }
  return in;
}

}  // namespace store_internal

AUDIENCE_FUNC std::vector<OpError> Store::CheckBatch(const WriteBatch& batch,
                                                    size_t max_errors, size_t* total) const {
  using Kind = WriteBatch::OpKind;
  std::vector<OpError> errors;
  size_t error_count = 0;
  auto fail = [&](uint64_t row, std::string_view message) {
    ++error_count;
    if (errors.size() < max_errors) errors.push_back({row, std::string(message)});
  };
  if (total != nullptr) *total = 0;
  // Ids an earlier op of this batch may have created: Delete may name them.
  absl::flat_hash_set<ExternalId> mentioned;
  uint64_t may_create = 0;
  // A block's ids are only recorded in `mentioned` when a Delete may need them.
  bool has_delete = false;
  for (const WriteBatch::Op& op : batch.ops()) has_delete |= op.kind == Kind::kDelete;
  if (!store_internal::IsFinite(batch.now())) fail(0, "batch time must be finite");
  for (const WriteBatch::Op& op : batch.ops()) {
    absl::Status s;
    auto check_id = [&](const ExternalId& id, std::string_view field) {
      absl::Status st = store_internal::CheckExternalId(id, field);
      if (st.ok() && !ids_.Find(id) && mentioned.insert(id).second) ++may_create;
      return st;
    };
    auto find_dim = [&](const std::string& name) -> const TagDimension* {
      std::optional<DimensionId> d = schema_.DimensionIdOf(name);
      if (!d) {
        s = absl::InvalidArgumentError(fmt::format("unknown dimension '{}'", name));
        return nullptr;
      }
      return &dimensions_[*d];
    };
    auto check_value = [](const TagDimension& d, const std::string& value, bool must_exist) {
      return store_internal::CheckTagValue(d, value, must_exist);
    };
    switch (op.kind) {
      case Kind::kUpsert:
        s = check_id(op.id, "id");
        break;
      case Kind::kTag:
      case Kind::kUntag:
        s = check_id(op.id, "id");
        if (!s.ok()) break;
        if (const TagDimension* d = find_dim(op.name)) {
          s = check_value(*d, op.text, /*must_exist=*/false);
          if (s.ok() && op.kind == Kind::kTag) s = store_internal::CheckTagOptions(op.tag);
        }
        break;
      case Kind::kClearDimension:
        s = check_id(op.id, "id");
        if (s.ok()) find_dim(op.name);
        break;
      case Kind::kSetAttribute: {
        s = check_id(op.id, "id");
        if (!s.ok()) break;
        std::optional<AttributeId> a = schema_.AttributeIdOf(op.name);
        if (!a) {
          s = absl::InvalidArgumentError(fmt::format("unknown attribute '{}'", op.name));
        } else {
          s = attributes_[*a].Check(op.value);
        }
        break;
      }
      case Kind::kEvent: {
        s = check_id(op.id, "id");
        if (!s.ok()) break;
        std::optional<EventTypeId> e = schema_.EventTypeIdOf(op.name);
        if (!e) {
          s = absl::InvalidArgumentError(fmt::format("unknown event type '{}'", op.name));
          break;
        }
        absl::StatusOr<EventInput> in = store_internal::MakeEventInput(schema_.event_types()[*e], op, 0);
        s = in.ok() ? events_[*e].Check(*in) : in.status();
        break;
      }
      case Kind::kLink:
        s = check_id(op.id, "primary id");
        if (s.ok()) s = check_id(op.other, "alias id");
        break;
      case Kind::kDelete:
        s = store_internal::CheckExternalId(op.id, "id");
        if (s.ok() && !ids_.Find(op.id) && !mentioned.contains(op.id)) {
          s = absl::NotFoundError(fmt::format("cannot delete unknown id '{}'", op.id.ToString()));
        }
        break;
      case Kind::kAssignBitmap:
        if (const TagDimension* d = find_dim(op.name)) {
          s = check_value(*d, op.text, /*must_exist=*/false);
          if (s.ok()) s = store_internal::CheckTagOptions(op.tag);
          uint64_t stray = op.people.AndNotCardinality(ids_.live());
          if (s.ok() && stray > 0) {
            s = absl::InvalidArgumentError(fmt::format(
                "{} internal ids are not live people (out of range, merged or deleted), "
                "e.g. {}",
                stray, (op.people - ids_.live()).Minimum()));
          }
        }
        break;
      case Kind::kClearValue:
        if (const TagDimension* d = find_dim(op.name)) {
          s = check_value(*d, op.text, /*must_exist=*/true);
        }
        break;
      case Kind::kColumns:
        if (op.block == nullptr) {  // only AddOp can make one
          s = absl::InvalidArgumentError("a columns operation without a block");
          break;
        }
        // Every row counts as a possible new person (exact counting would
        // cost a lookup per row; the bound matters only near 2^32 people).
        may_create += op.block->size();
        if (has_delete) mentioned.insert(op.block->ids().begin(), op.block->ids().end());
        CheckBlock(*op.block, op.row, fail);
        break;
    }
    if (!s.ok()) fail(op.row, StdView(s.message()));
  }
  if (may_create > uint64_t{kNoPerson} - ids_.capacity()) {
    fail(0, fmt::format("batch may create {} people but only {} internal ids remain",
                        may_create, uint64_t{kNoPerson} - ids_.capacity()));
  }
  if (seq_ == UINT32_MAX) fail(0, "write sequence exhausted");
  if (total != nullptr) *total = error_count;
  return errors;
}

AUDIENCE_FUNC absl::StatusOr<ApplyResult> Store::Apply(const WriteBatch& batch,
                                                       size_t max_errors) {
  size_t error_count = 0;
  std::vector<OpError> errors = CheckBatch(batch, max_errors == 0 ? 1 : max_errors, &error_count);
  if (error_count > 0) {
    std::string msg = fmt::format("batch rejected, nothing applied: {} bad operation{}",
                                  error_count, error_count == 1 ? "" : "s");
    for (const OpError& e : errors) msg += fmt::format("\nrow {}: {}", e.row, e.message);
    if (error_count > errors.size()) {
      msg += fmt::format("\n... and {} more", error_count - errors.size());
    }
    return absl::InvalidArgumentError(msg);
  }
  ApplyResult result;
  ApplyValidated(batch, &result);
  result.version = version_;
  return result;
}

AUDIENCE_FUNC void Store::ApplyValidated(const WriteBatch& batch, ApplyResult* result) {
  using Kind = WriteBatch::OpKind;
  const WriteSeq seq = ++seq_;
  const UnixSeconds now = absl::ToUnixSeconds(batch.now());
  // Validation proved these cannot fail.
  auto person = [&](const ExternalId& id) {
    bool created = false;
    PersonId p = *ids_.GetOrCreate(id, &created);
    if (created) ++result->people_created;
    return p;
  };
  auto expiry = [&](const DimensionSpec& spec, const TagOptions& o) -> std::optional<UnixSeconds> {
    if (o.expires_at) return absl::ToUnixSeconds(*o.expires_at);
    if (spec.default_ttl) return now + absl::ToInt64Seconds(*spec.default_ttl);
    return std::nullopt;
  };
  for (const WriteBatch::Op& op : batch.ops()) {
    switch (op.kind) {
      case Kind::kUpsert:
        person(op.id);
        break;
      case Kind::kTag: {
        DimensionId d = *schema_.DimensionIdOf(op.name);
        PersonId p = person(op.id);
        uint32_t v = *dimensions_[d].InternValue(op.text);
        dimensions_[d].Assign(p, v, expiry(schema_.dimensions()[d], op.tag),
                              sources_.Intern(op.tag.source), seq);
        break;
      }
      case Kind::kUntag: {
        DimensionId d = *schema_.DimensionIdOf(op.name);
        std::optional<PersonId> p = ids_.Find(op.id);
        std::optional<uint32_t> v = dimensions_[d].FindValue(op.text);
        if (p && v) dimensions_[d].Unassign(*p, *v);
        break;
      }
      case Kind::kClearDimension: {
        DimensionId d = *schema_.DimensionIdOf(op.name);
        if (std::optional<PersonId> p = ids_.Find(op.id)) {
          for (uint32_t v = 0; v < dimensions_[d].value_count(); ++v) {
            dimensions_[d].Unassign(*p, v);
          }
        }
        break;
      }
      case Kind::kSetAttribute:
        attributes_[*schema_.AttributeIdOf(op.name)].Set(person(op.id), op.value, seq);
        break;
      case Kind::kEvent: {
        EventTypeId e = *schema_.EventTypeIdOf(op.name);
        EventInput in = *store_internal::MakeEventInput(schema_.event_types()[e], op, person(op.id));
        if (events_[e].Add(in)) {
          ++result->events_added;
        } else {
          ++result->duplicate_events;
        }
        break;
      }
      case Kind::kLink: {
        bool primary_created = !ids_.Find(op.id).has_value();
        IdMap::LinkResult r = *ids_.Link(op.id, op.other);
        result->people_created += primary_created ? 1 : 0;
        if (r.merged_away) {
          MergeInto(*r.merged_away, r.survivor);
          ++result->people_merged;
        }
        break;
      }
      case Kind::kDelete:
        if (std::optional<PersonId> p = ids_.Find(op.id)) {
          Forget(*p);
          ++result->people_deleted;
        }
        break;
      case Kind::kAssignBitmap: {
        DimensionId d = *schema_.DimensionIdOf(op.name);
        uint32_t v = *dimensions_[d].InternValue(op.text);
        // People deleted or merged by an earlier op of this batch are skipped.
        dimensions_[d].AssignMany(op.people & ids_.live(), v,
                                  expiry(schema_.dimensions()[d], op.tag),
                                  sources_.Intern(op.tag.source), seq);
        break;
      }
      case Kind::kClearValue: {
        DimensionId d = *schema_.DimensionIdOf(op.name);
        dimensions_[d].ClearValue(*dimensions_[d].FindValue(op.text));
        break;
      }
      case Kind::kColumns:
        ApplyBlock(*op.block, seq, now, result);
        break;
    }
  }
  ++version_;
}

AUDIENCE_FUNC void Store::MergeInto(PersonId from, PersonId into) {
  for (TagDimension& d : dimensions_) d.MergePerson(from, into);
  for (AttributeColumn& a : attributes_) a.MergePerson(from, into);
  for (EventIndex& e : events_) e.MergePerson(from, into);
}

AUDIENCE_FUNC void Store::Forget(PersonId person) {
  for (TagDimension& d : dimensions_) d.RemovePerson(person);
  for (AttributeColumn& a : attributes_) a.RemovePerson(person);
  for (EventIndex& e : events_) e.RemovePerson(person);
  (void)ids_.Delete(person);
}

AUDIENCE_END_NAMESPACE

#include "audience/store/store_block-inl.h"

#endif  // AUDIENCE_STORE_STORE_APPLY_INL_H_
