// Definitions for store.h: schema changes and reads. Batch validation and
// application live in store_apply-inl.h.
#ifndef AUDIENCE_STORE_STORE_INL_H_
#define AUDIENCE_STORE_STORE_INL_H_

#include <utility>

#include "audience/base/status_macros.h"
#include "audience/store/store.h"
#include "audience/store/store_apply-inl.h"
#include "audience/base/strings.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC Store Store::Clone() const {
  Store s;
  s.schema_ = schema_;
  s.ids_ = ids_;
  s.sources_ = sources_;
  s.dimensions_ = dimensions_;
  s.attributes_ = attributes_;
  s.events_ = events_;
  s.segments_ = segments_;
  s.version_ = version_;
  s.seq_ = seq_;
  s.log_position_ = log_position_;
  return s;
}

AUDIENCE_FUNC absl::StatusOr<Store> Store::Create(Schema schema) {
  Store store;
  for (const DimensionSpec& d : schema.dimensions()) {
    AUDIENCE_RETURN_IF_ERROR(store.AddDimension(d).status());
  }
  for (const AttributeSpec& a : schema.attributes()) {
    AUDIENCE_RETURN_IF_ERROR(store.AddAttribute(a).status());
  }
  for (const EventTypeSpec& e : schema.event_types()) {
    AUDIENCE_RETURN_IF_ERROR(store.AddEventType(e).status());
  }
  return store;
}

AUDIENCE_FUNC absl::StatusOr<DimensionId> Store::AddDimension(DimensionSpec spec) {
  AUDIENCE_ASSIGN_OR_RETURN(DimensionId id, schema_.AddDimension(std::move(spec)));
  dimensions_.emplace_back(schema_.dimensions()[id]);
  ++version_;
  return id;
}

AUDIENCE_FUNC absl::StatusOr<AttributeId> Store::AddAttribute(AttributeSpec spec) {
  AUDIENCE_ASSIGN_OR_RETURN(AttributeId id, schema_.AddAttribute(std::move(spec)));
  attributes_.emplace_back(schema_.attributes()[id]);
  ++version_;
  return id;
}

AUDIENCE_FUNC absl::StatusOr<EventTypeId> Store::AddEventType(EventTypeSpec spec) {
  AUDIENCE_ASSIGN_OR_RETURN(EventTypeId id, schema_.AddEventType(std::move(spec)));
  events_.emplace_back(schema_.event_types()[id]);
  ++version_;
  return id;
}

AUDIENCE_FUNC size_t Store::SweepExpired(absl::Time now) {
  size_t purged = 0;
  UnixSeconds t = absl::ToUnixSeconds(now);
  for (TagDimension& d : dimensions_) purged += d.Sweep(t);
  if (purged > 0) ++version_;
  return purged;
}

AUDIENCE_FUNC size_t Store::CompactEvents(absl::Time horizon) {
  size_t removed = 0;
  UnixSeconds t = absl::ToUnixSeconds(horizon);
  for (EventIndex& e : events_) removed += e.Compact(t);
  if (removed > 0) ++version_;
  return removed;
}

AUDIENCE_FUNC absl::Status Store::PutSegment(std::string_view name, std::string_view text) {
  AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("segment name", name));
  if (text.size() > kMaxSegmentTextBytes) {
    return absl::InvalidArgumentError(fmt::format(
        "segment '{}': query text of {} bytes exceeds the limit of {}", name, text.size(),
        kMaxSegmentTextBytes));
  }
  auto it = segments_.find(AbslView(name));
  if (it == segments_.end()) {
    if (segments_.size() >= kMaxSegments) {
      return absl::ResourceExhaustedError(
          fmt::format("segment '{}': the store already holds {} segments", name, kMaxSegments));
    }
    segments_.emplace(std::string(name), std::string(text));
  } else {
    it->second = std::string(text);
  }
  ++version_;
  return absl::OkStatus();
}

AUDIENCE_FUNC absl::Status Store::RemoveSegment(std::string_view name) {
  auto it = segments_.find(AbslView(name));
  if (it == segments_.end()) {
    return absl::NotFoundError(fmt::format("no saved segment '{}'", schema_internal::Shown(name)));
  }
  segments_.erase(it);
  ++version_;
  return absl::OkStatus();
}

AUDIENCE_FUNC const std::string* Store::FindSegment(std::string_view name) const {
  auto it = segments_.find(AbslView(name));
  return it == segments_.end() ? nullptr : &it->second;
}

AUDIENCE_FUNC void Store::Optimize() {
  for (TagDimension& d : dimensions_) d.Optimize();
  for (AttributeColumn& a : attributes_) a.Optimize();
}

namespace store_internal {

inline absl::Status UnknownName(std::string_view kind, std::string_view name) {
  return absl::NotFoundError(fmt::format("unknown {} '{}'", kind, name));
}

}  // namespace store_internal

AUDIENCE_FUNC absl::StatusOr<Bitmap> Store::TagMembers(std::string_view dimension,
                                                       std::string_view value,
                                                       absl::Time now) const {
  std::optional<DimensionId> d = schema_.DimensionIdOf(dimension);
  if (!d) return store_internal::UnknownName("dimension", dimension);
  std::optional<uint32_t> v = dimensions_[*d].FindValue(value);
  if (!v) {
    if (schema_.dimensions()[*d].values.empty()) return Bitmap();  // open: nobody yet
    return absl::NotFoundError(
        fmt::format("dimension '{}' has no value '{}'", dimension, value));
  }
  return dimensions_[*d].MembersAt(*v, absl::ToUnixSeconds(now));
}

AUDIENCE_FUNC absl::StatusOr<uint64_t> Store::CountTag(std::string_view dimension,
                                                       std::string_view value,
                                                       absl::Time now) const {
  AUDIENCE_ASSIGN_OR_RETURN(Bitmap members, TagMembers(dimension, value, now));
  return members.Cardinality();
}

AUDIENCE_FUNC absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>>
Store::ValuesByCount(std::string_view dimension, absl::Time now) const {
  std::optional<DimensionId> d = schema_.DimensionIdOf(dimension);
  if (!d) return store_internal::UnknownName("dimension", dimension);
  const TagDimension& dim = dimensions_[*d];
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& [value_id, count] : dim.ValuesByCount(absl::ToUnixSeconds(now))) {
    out.emplace_back(dim.ValueName(value_id), count);
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<Value> Store::GetAttribute(const ExternalId& id,
                                                        std::string_view attribute) const {
  std::optional<AttributeId> a = schema_.AttributeIdOf(attribute);
  if (!a) return store_internal::UnknownName("attribute", attribute);
  std::optional<PersonId> p = ids_.Find(id);
  if (!p) return store_internal::UnknownName("id", id.ToString());
  return attributes_[*a].Get(*p);
}

AUDIENCE_FUNC absl::StatusOr<Profile> Store::GetProfile(const ExternalId& id,
                                                        absl::Time now) const {
  std::optional<PersonId> p = ids_.Find(id);
  if (!p) return store_internal::UnknownName("id", id.ToString());
  Profile profile;
  profile.person = *p;
  profile.ids = ids_.IdsOf(*p);
  UnixSeconds t = absl::ToUnixSeconds(now);
  for (const TagDimension& d : dimensions_) {
    for (const TagAssignment& a : d.PersonTags(*p, t)) {
      Profile::Tag tag{d.name(), d.ValueName(a.value_id), std::nullopt,
                       sources_.Name(a.source)};
      if (a.expires_at) tag.expires_at = absl::FromUnixSeconds(*a.expires_at);
      profile.tags.push_back(std::move(tag));
    }
  }
  for (const AttributeColumn& c : attributes_) {
    Value v = c.Get(*p);
    if (!v.is_null()) profile.attributes.emplace_back(c.name(), std::move(v));
  }
  for (const EventIndex& e : events_) {
    if (const PersonAggregate* agg = e.Aggregate(*p)) {
      profile.events.push_back({e.name(), *agg});
    }
  }
  return profile;
}

AUDIENCE_FUNC MemoryUsage Store::Memory() const {
  MemoryUsage m;
  m.ids = ids_.MemoryBytes();
  for (const TagDimension& d : dimensions_) m.tags += d.MemoryBytes();
  for (const AttributeColumn& a : attributes_) m.attributes += a.MemoryBytes();
  for (const EventIndex& e : events_) m.events += e.MemoryBytes();
  return m;
}

AUDIENCE_FUNC bool operator==(const Store& a, const Store& b) {
  return a.schema_ == b.schema_ && a.ids_ == b.ids_ &&
         a.sources_.names() == b.sources_.names() && a.dimensions_ == b.dimensions_ &&
         a.attributes_ == b.attributes_ && a.events_ == b.events_ &&
         a.segments_ == b.segments_ && a.seq_ == b.seq_;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_STORE_INL_H_
