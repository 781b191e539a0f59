// Definitions for tag_dimension.h (writes and reads); the snapshot codec is
// in tag_dimension_codec-inl.h.
#ifndef AUDIENCE_STORAGE_TAG_DIMENSION_INL_H_
#define AUDIENCE_STORAGE_TAG_DIMENSION_INL_H_

#include <algorithm>
#include <bit>
#include <cassert>

#include "audience/base/strings.h"
#include "audience/schema/schema.h"
#include "audience/storage/tag_dimension.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC TagDimension::TagDimension(const DimensionSpec& spec)
    : name_(spec.name), kind_(spec.kind), closed_(!spec.values.empty()) {
  values_.reserve(spec.values.size());
  for (const std::string& v : spec.values) {
    value_ids_.emplace(v, static_cast<uint32_t>(values_.size()));
    values_.emplace_back().name = v;
  }
}

AUDIENCE_FUNC std::optional<uint32_t> TagDimension::FindValue(std::string_view value) const {
  auto it = value_ids_.find(AbslView(value));
  if (it == value_ids_.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC absl::StatusOr<uint32_t> TagDimension::InternValue(std::string_view value) {
  if (std::optional<uint32_t> id = FindValue(value)) return *id;
  if (closed_) {
    std::vector<std::string> names;  // 21 at most: enough to know there are more
    for (size_t i = 0; i < values_.size() && i <= 20; ++i) names.push_back(values_[i].name);
    std::string known =
        schema_internal::KnownValues(names, 20, /*quoted=*/false, /*count_rest=*/false);
    return absl::InvalidArgumentError(fmt::format("dimension '{}' has no value '{}'; known values: {}",
                                                  name_, schema_internal::Shown(value), known));
  }
  absl::Status valid = Schema::ValidateValue(fmt::format("dimension '{}' value", name_), value);
  if (!valid.ok()) return valid;
  if (values_.size() >= kNoValue) {
    return absl::ResourceExhaustedError(fmt::format("dimension '{}' has too many values", name_));
  }
  auto id = static_cast<uint32_t>(values_.size());
  values_.emplace_back().name = std::string(value);
  value_ids_.emplace(std::string(value), id);
  return id;
}

AUDIENCE_FUNC TagDimension::Slot TagDimension::SlotOf(PersonId person) const {
  if (person < dense_.size()) return dense_[person];
  if (sparse_.empty()) return Slot{};
  auto it = sparse_.find(person);
  return it == sparse_.end() ? Slot{} : it->second;
}

AUDIENCE_FUNC void TagDimension::SetCurrent(PersonId person, uint32_t value_id, WriteSeq seq) {
  const Slot slot{value_id, value_id == kNoValue ? WriteSeq{0} : seq};
  const bool holds = value_id != kNoValue;
  if (person < dense_.size()) {
    Slot& at = dense_[person];
    if (at.value != kNoValue) --held_;
    if (holds) ++held_;
    at = slot;
    return;
  }
  if (auto it = sparse_.find(person); it != sparse_.end()) {
    if (holds) {
      it->second = slot;
    } else {
      sparse_.erase(it);
      --held_;
    }
    return;
  }
  if (!holds) return;
  ++held_;
  if (GrowDense(person, 0)) {
    dense_[person] = slot;
  } else {
    sparse_.emplace(person, slot);
  }
}

AUDIENCE_FUNC bool TagDimension::GrowDense(PersonId person, size_t more_held) {
  if (person < dense_.size()) return true;
  // Powers of two keep growth amortised O(1); the density cap keeps one huge
  // id (from the API or a hostile snapshot) from allocating gigabytes.
  const size_t want = std::bit_ceil(size_t{person} + 1);
  if (want > std::max(kDenseFloor, kDensity * (held_ + more_held))) return false;
  dense_.resize(want);
  for (auto it = sparse_.begin(); it != sparse_.end();) {
    if (it->first < want) {
      dense_[it->first] = it->second;
      sparse_.erase(it++);
    } else {
      ++it;
    }
  }
  return true;
}

AUDIENCE_FUNC WriteSeq TagDimension::ExclusiveSeq(PersonId person) const {
  return SlotOf(person).seq;
}

AUDIENCE_FUNC void TagDimension::SetExpiry(ValueState& v, PersonId person,
                                           std::optional<UnixSeconds> expires_at) {
  if (auto it = v.expiry.find(person); it != v.expiry.end()) {
    v.by_expiry.erase({it->second, person});
    if (!expires_at) {
      v.expiry.erase(it);
    } else {
      it->second = *expires_at;
    }
  } else if (expires_at) {
    v.expiry.emplace(person, *expires_at);
  }
  if (expires_at) v.by_expiry.insert({*expires_at, person});
}

AUDIENCE_FUNC SourceId TagDimension::SourceOf(const ValueState& v, PersonId person) const {
  for (const auto& [source, people] : v.exceptions) {
    if (people.Contains(person)) return source;
  }
  return v.base_source;
}

AUDIENCE_FUNC void TagDimension::AddOne(ValueState& v, PersonId person,
                                        std::optional<UnixSeconds> expires_at, SourceId source) {
  if (v.members.IsEmpty()) {
    v.base_source = source;
    v.exceptions.clear();
  }
  v.members.Add(person);
  SetExpiry(v, person, expires_at);
  bool placed = source == v.base_source;
  for (auto it = v.exceptions.begin(); it != v.exceptions.end();) {
    if (it->first == source) {
      it->second.Add(person);
      placed = true;
    } else {
      it->second.Remove(person);
    }
    it = it->second.IsEmpty() ? v.exceptions.erase(it) : it + 1;
  }
  if (!placed) v.exceptions.emplace_back(source, Bitmap::Of({person}));
}

AUDIENCE_FUNC void TagDimension::RemoveOne(ValueState& v, PersonId person) {
  v.members.Remove(person);
  SetExpiry(v, person, std::nullopt);
  for (auto it = v.exceptions.begin(); it != v.exceptions.end();) {
    it->second.Remove(person);
    it = it->second.IsEmpty() ? v.exceptions.erase(it) : it + 1;
  }
}

AUDIENCE_FUNC void TagDimension::Assign(PersonId person, uint32_t value_id,
                                        std::optional<UnixSeconds> expires_at, SourceId source,
                                        WriteSeq seq) {
  assert(value_id < values_.size() && person != kNoPerson);
  if (kind_ == DimensionKind::kExclusive) {
    uint32_t cur = CurrentValue(person);
    if (cur != kNoValue && cur != value_id) RemoveOne(values_[cur], person);
    SetCurrent(person, value_id, seq);
  }
  AddOne(values_[value_id], person, expires_at, source);
}

AUDIENCE_FUNC void TagDimension::AssignMany(const Bitmap& people, uint32_t value_id,
                                            std::optional<UnixSeconds> expires_at,
                                            SourceId source, WriteSeq seq) {
  assert(value_id < values_.size() && !people.Contains(kNoPerson));
  if (people.IsEmpty()) return;
  if (kind_ == DimensionKind::kExclusive) {
    // The slots say which value each person leaves, so this costs O(people)
    // plus one small subtraction per value left, not a pass over every value.
    // Sizing the slots for the whole batch first keeps ascending fills from
    // looking sparse and spilling into the hash map.
    GrowDense(people.Maximum(), people.Cardinality());
    std::vector<std::vector<PersonId>> leaving(values_.size());
    people.ForEach([&](PersonId p) {
      const uint32_t cur = CurrentValue(p);
      if (cur != kNoValue && cur != value_id) leaving[cur].push_back(p);
      SetCurrent(p, value_id, seq);
    });
    for (uint32_t w = 0; w < values_.size(); ++w) {
      if (leaving[w].empty()) continue;
      ValueState& other = values_[w];
      if (!other.expiry.empty()) {
        for (PersonId p : leaving[w]) SetExpiry(other, p, std::nullopt);
      }
      const Bitmap gone = Bitmap::FromIds(leaving[w]);
      other.members -= gone;
      for (auto& e : other.exceptions) e.second -= gone;
      std::erase_if(other.exceptions, [](const auto& e) { return e.second.IsEmpty(); });
    }
  }
  ValueState& v = values_[value_id];
  if (v.members.IsEmpty()) {
    v.base_source = source;
    v.exceptions.clear();
  } else {
    bool placed = source == v.base_source;
    for (auto& e : v.exceptions) {
      if (e.first == source) {
        e.second |= people;
        placed = true;
      } else {
        e.second -= people;
      }
    }
    std::erase_if(v.exceptions, [](const auto& e) { return e.second.IsEmpty(); });
    if (!placed) v.exceptions.emplace_back(source, people);
  }
  if (expires_at) {
    people.ForEach([&](PersonId p) { SetExpiry(v, p, expires_at); });
  } else if (!v.expiry.empty()) {
    // Drop the old expiries of `people`: walk whichever side is smaller.
    if (v.expiry.size() < people.Cardinality()) {
      std::vector<PersonId> drop;
      for (const auto& [p, t] : v.expiry) {
        if (people.Contains(p)) drop.push_back(p);
      }
      for (PersonId p : drop) SetExpiry(v, p, std::nullopt);
    } else {
      people.ForEach([&](PersonId p) { SetExpiry(v, p, std::nullopt); });
    }
  }
  v.members |= people;
}

AUDIENCE_FUNC bool TagDimension::Unassign(PersonId person, uint32_t value_id) {
  assert(value_id < values_.size());
  ValueState& v = values_[value_id];
  if (!v.members.Contains(person)) return false;
  RemoveOne(v, person);
  if (kind_ == DimensionKind::kExclusive) SetCurrent(person, kNoValue, 0);
  return true;
}

AUDIENCE_FUNC void TagDimension::ClearValue(uint32_t value_id) {
  assert(value_id < values_.size());
  ValueState& v = values_[value_id];
  if (kind_ == DimensionKind::kExclusive) {
    v.members.ForEach([&](PersonId p) { SetCurrent(p, kNoValue, 0); });
  }
  std::string name = std::move(v.name);
  v = ValueState();
  v.name = std::move(name);
}

AUDIENCE_FUNC void TagDimension::RemovePerson(PersonId person) {
  if (kind_ == DimensionKind::kExclusive) {
    if (uint32_t cur = CurrentValue(person); cur != kNoValue) {
      RemoveOne(values_[cur], person);
      SetCurrent(person, kNoValue, 0);
    }
    return;
  }
  for (ValueState& v : values_) {
    if (v.members.Contains(person)) RemoveOne(v, person);
  }
}

AUDIENCE_FUNC void TagDimension::MergePerson(PersonId from, PersonId into) {
  if (from == into) return;
  if (kind_ == DimensionKind::kExclusive) {
    const Slot f = SlotOf(from);
    if (f.value == kNoValue) return;
    const TagAssignment moved = *Assignment(from, f.value);
    RemoveOne(values_[f.value], from);
    SetCurrent(from, kNoValue, 0);
    const Slot i = SlotOf(into);
    if (i.value == kNoValue || f.seq > i.seq) {
      Assign(into, f.value, moved.expires_at, moved.source, f.seq);
    }
    return;
  }
  for (ValueState& v : values_) {
    if (!v.members.Contains(from)) continue;
    std::optional<UnixSeconds> fe;
    if (auto it = v.expiry.find(from); it != v.expiry.end()) fe = it->second;
    const SourceId fs = SourceOf(v, from);
    RemoveOne(v, from);
    if (v.members.Contains(into)) {
      auto it = v.expiry.find(into);
      if (it != v.expiry.end() && (!fe || *fe > it->second)) SetExpiry(v, into, fe);
    } else {
      AddOne(v, into, fe, fs);
    }
  }
}

AUDIENCE_FUNC Bitmap TagDimension::ExpiredAt(const ValueState& v, UnixSeconds now) const {
  std::vector<PersonId> expired;
  for (const auto& [t, p] : v.by_expiry) {
    if (t > now) break;
    expired.push_back(p);
  }
  return Bitmap::FromIds(expired);
}

AUDIENCE_FUNC Bitmap TagDimension::MembersAt(uint32_t value_id, UnixSeconds now) const {
  assert(value_id < values_.size());
  const ValueState& v = values_[value_id];
  if (v.by_expiry.empty() || v.by_expiry.begin()->first > now) return v.members;
  return v.members - ExpiredAt(v, now);
}

AUDIENCE_FUNC Bitmap TagDimension::AnyAt(UnixSeconds now) const {
  // Values with nothing expired join the union by pointer (no copy).
  std::vector<Bitmap> trimmed;
  trimmed.reserve(values_.size());  // keeps the pointers below stable
  std::vector<const Bitmap*> inputs;
  inputs.reserve(values_.size());
  for (const ValueState& v : values_) {
    if (v.by_expiry.empty() || v.by_expiry.begin()->first > now) {
      inputs.push_back(&v.members);
    } else {
      inputs.push_back(&trimmed.emplace_back(v.members - ExpiredAt(v, now)));
    }
  }
  return Bitmap::OrMany(inputs);
}

AUDIENCE_FUNC uint64_t TagDimension::CountAt(uint32_t value_id, UnixSeconds now) const {
  const ValueState& v = values_[value_id];
  uint64_t expired = 0;
  for (const auto& entry : v.by_expiry) {
    if (entry.first > now) break;
    ++expired;
  }
  return v.members.Cardinality() - expired;
}

AUDIENCE_FUNC std::vector<std::pair<uint32_t, uint64_t>> TagDimension::ValuesByCount(
    UnixSeconds now) const {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (uint32_t i = 0; i < values_.size(); ++i) {
    if (uint64_t n = CountAt(i, now); n > 0) out.emplace_back(i, n);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

AUDIENCE_FUNC std::optional<TagAssignment> TagDimension::Assignment(PersonId person,
                                                                    uint32_t value_id) const {
  const ValueState& v = values_[value_id];
  if (!v.members.Contains(person)) return std::nullopt;
  TagAssignment a;
  a.value_id = value_id;
  if (auto it = v.expiry.find(person); it != v.expiry.end()) a.expires_at = it->second;
  a.source = SourceOf(v, person);
  return a;
}

AUDIENCE_FUNC std::vector<TagAssignment> TagDimension::PersonTags(PersonId person,
                                                                  UnixSeconds now) const {
  std::vector<TagAssignment> out;
  if (kind_ == DimensionKind::kExclusive) {
    const uint32_t cur = CurrentValue(person);
    if (cur == kNoValue) return out;
    TagAssignment a = *Assignment(person, cur);
    if (!a.expires_at || now < *a.expires_at) out.push_back(a);
    return out;
  }
  for (uint32_t i = 0; i < values_.size(); ++i) {
    std::optional<TagAssignment> a = Assignment(person, i);
    if (a && (!a->expires_at || now < *a->expires_at)) out.push_back(*a);
  }
  return out;
}

AUDIENCE_FUNC size_t TagDimension::Sweep(UnixSeconds now) {
  size_t purged = 0;
  for (uint32_t i = 0; i < values_.size(); ++i) {
    ValueState& v = values_[i];
    while (!v.by_expiry.empty() && v.by_expiry.begin()->first <= now) {
      PersonId p = v.by_expiry.begin()->second;
      RemoveOne(v, p);
      if (kind_ == DimensionKind::kExclusive && CurrentValue(p) == i) SetCurrent(p, kNoValue, 0);
      ++purged;
    }
  }
  return purged;
}

AUDIENCE_FUNC bool TagDimension::HasExpiring() const {
  for (const ValueState& v : values_) {
    if (!v.by_expiry.empty()) return true;
  }
  return false;
}

AUDIENCE_FUNC void TagDimension::Optimize() {
  for (ValueState& v : values_) {
    v.members.Optimize();
    for (auto& e : v.exceptions) e.second.Optimize();
  }
  sparse_.rehash(0);  // trims spare capacity
}

AUDIENCE_FUNC size_t TagDimension::MemoryBytes() const {
  size_t bytes = sizeof(*this) + dense_.capacity() * sizeof(Slot) +
                 sparse_.capacity() * (sizeof(std::pair<const PersonId, Slot>) + 1) +
                 values_.capacity() * sizeof(ValueState);
  for (const ValueState& v : values_) {
    bytes += v.name.capacity() + v.members.MemoryBytes();
    for (const auto& e : v.exceptions) bytes += e.second.MemoryBytes() + sizeof(e);
    // Hash entry plus a b-tree slot per expiring assignment.
    bytes += v.expiry.capacity() * (sizeof(std::pair<const PersonId, UnixSeconds>) + 1) +
             v.by_expiry.size() * (sizeof(UnixSeconds) + sizeof(PersonId)) * 3 / 2;
  }
  return bytes;
}

AUDIENCE_END_NAMESPACE

#include "audience/storage/tag_dimension_codec-inl.h"

#endif  // AUDIENCE_STORAGE_TAG_DIMENSION_INL_H_
