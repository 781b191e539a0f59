// Definitions for audience/ids/id_map.h (included by it in header-only mode,
// by src/ids/id_map.cpp in compiled mode).
#ifndef AUDIENCE_IDS_ID_MAP_INL_H_
#define AUDIENCE_IDS_ID_MAP_INL_H_

#include <algorithm>
#include <cassert>
#include <iterator>
#include <utility>

#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/ids/id_map.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace id_map_internal {

// Heap bytes behind a string (0 while it fits the small-string buffer).
inline size_t HeapBytes(const std::string& s) {
  static const size_t kInline = std::string().capacity();
  return s.capacity() > kInline ? s.capacity() + 1 : 0;
}

// Slots plus control bytes of an absl swiss table.
template <typename Table>
size_t TableBytes(const Table& t) {
  if (t.capacity() == 0) return 0;
  return t.capacity() * (sizeof(typename Table::value_type) + 1) + 16;
}

// An id for a message: long strings are cut, the kind is visible.
inline std::string Describe(const ExternalId& id) {
  if (id.is_int()) return id.ToString();
  const std::string& s = id.str_value();
  return s.size() <= 40 ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, 40));
}

inline void PutId(ByteWriter& w, const ExternalId& id) {
  if (id.is_int()) {
    w.PutU8(0);
    w.PutI64(id.int_value());
  } else {
    w.PutU8(1);
    w.PutString(id.str_value());
  }
}

inline absl::StatusOr<ExternalId> GetId(ByteReader& r) {
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t kind, r.GetU8("external id kind"));
  if (kind == 0) {
    AUDIENCE_ASSIGN_OR_RETURN(int64_t v, r.GetI64("external id"));
    return ExternalId::Int(v);
  }
  if (kind != 1) return r.Corrupt("external id kind", fmt::format("{} (expected 0 or 1)", kind));
  AUDIENCE_ASSIGN_OR_RETURN(std::string s, r.GetString("external id"));
  return ExternalId::Str(std::move(s));
}

}  // namespace id_map_internal

AUDIENCE_FUNC absl::Status IdMap::ValidateId(const ExternalId& id) {
  if (id.is_int()) return absl::OkStatus();
  const size_t n = id.str_value().size();
  if (n == 0) return absl::InvalidArgumentError("external id must not be an empty string");
  if (n > kMaxExternalIdBytes) {
    return absl::InvalidArgumentError(
        fmt::format("external id {} is {} bytes; the limit is {}",
                    id_map_internal::Describe(id), n, kMaxExternalIdBytes));
  }
  return absl::OkStatus();
}

AUDIENCE_FUNC std::optional<PersonId> IdMap::Find(const ExternalId& id) const {
  if (id.is_int()) {
    auto it = int_ids_.find(id.int_value());
    if (it == int_ids_.end()) return std::nullopt;
    return it->person;
  }
  auto it = str_ids_.find(AbslView(id.str_value()));
  if (it == str_ids_.end()) return std::nullopt;
  return it->second;
}

AUDIENCE_FUNC absl::StatusOr<PersonId> IdMap::GetOrCreate(const ExternalId& id, bool* created) {
  bool made = false;
  AUDIENCE_ASSIGN_OR_RETURN(const PersonId p, Insert(id, &made));
  if (made) {
    live_.Add(p);
    ++live_count_;
  }
  if (created != nullptr) *created = made;
  return p;
}

AUDIENCE_FUNC absl::StatusOr<uint64_t> IdMap::GetOrCreateMany(absl::Span<const ExternalId> ids,
                                                              absl::Span<PersonId> out) {
  assert(out.size() == ids.size());
  // Far enough ahead for the probe's lines to arrive (a 10M-id table is
  // ~200 MB: most probes miss the caches), near enough to stay cached.
  constexpr size_t kAhead = 16;
  const PersonId first = next_;
  absl::Status status;
  size_t r = 0;
  for (; r < ids.size(); ++r) {
    if (r + kAhead < ids.size() && ids[r + kAhead].is_int()) {
      int_ids_.prefetch(ids[r + kAhead].int_value());
    }
    bool made = false;
    absl::StatusOr<PersonId> p = Insert(ids[r], &made);
    if (!p.ok()) {
      status = p.status();
      break;
    }
    out[r] = *p;
  }
  // Persons created here are first..next_-1, none deleted since.
  live_.AddRange(first, next_);
  live_count_ += next_ - first;
  if (!status.ok()) return status;
  return uint64_t{next_ - first};
}

AUDIENCE_FUNC absl::StatusOr<PersonId> IdMap::Insert(const ExternalId& id, bool* created) {
  AUDIENCE_RETURN_IF_ERROR(ValidateId(id));
  *created = false;
  if (next_ == kNoPerson) {
    if (std::optional<PersonId> p = Find(id)) return *p;
    return absl::ResourceExhaustedError(fmt::format(
        "cannot create a person for external id {}: all {} internal ids are issued",
        id_map_internal::Describe(id), kNoPerson));
  }
  // Grow the reverse table by 1/4 rather than doubling: it holds 8 bytes per
  // person, and doubling would waste up to as much again.
  if (primary_.size() == primary_.capacity()) {
    primary_.reserve(primary_.size() + primary_.size() / 4 + 64);
  }
  // One probe: insert with the next id, keep what was there if anything.
  const PersonId p = next_;
  if (id.is_int()) {
    auto [it, inserted] = int_ids_.insert(id_map_internal::IntEntry(id.int_value(), p));
    if (!inserted) return it->person;
    primary_.push_back(id.int_value());
  } else {
    auto [it, inserted] = str_ids_.try_emplace(id.str_value(), p);
    if (!inserted) return it->second;
    string_heap_bytes_ += id_map_internal::HeapBytes(it->first);
    primary_.push_back(0);
    auto s = str_primary_.try_emplace(p, id.str_value()).first;
    string_heap_bytes_ += id_map_internal::HeapBytes(s->second);
  }
  ++next_;
  *created = true;
  return p;
}

AUDIENCE_FUNC void IdMap::PointAt(const ExternalId& id, PersonId p) {
  if (id.is_int()) {
    auto [it, inserted] = int_ids_.insert(id_map_internal::IntEntry(id.int_value(), p));
    if (!inserted) it->person = p;
    return;
  }
  auto [it, inserted] = str_ids_.try_emplace(id.str_value(), p);
  if (inserted) {
    string_heap_bytes_ += id_map_internal::HeapBytes(it->first);
  } else {
    it->second = p;
  }
}

AUDIENCE_FUNC void IdMap::EraseForward(const ExternalId& id) {
  if (id.is_int()) {
    int_ids_.erase(id.int_value());
    return;
  }
  auto it = str_ids_.find(AbslView(id.str_value()));
  if (it == str_ids_.end()) return;
  string_heap_bytes_ -= id_map_internal::HeapBytes(it->first);
  str_ids_.erase(it);
}

AUDIENCE_FUNC absl::StatusOr<IdMap::LinkResult> IdMap::Link(const ExternalId& primary,
                                                           const ExternalId& alias) {
  AUDIENCE_RETURN_IF_ERROR(ValidateId(primary));
  AUDIENCE_RETURN_IF_ERROR(ValidateId(alias));
  LinkResult r;
  if (primary == alias) {
    AUDIENCE_ASSIGN_OR_RETURN(r.survivor, GetOrCreate(primary));
    return r;
  }
  const std::optional<PersonId> pp = Find(primary);
  const std::optional<PersonId> pa = Find(alias);
  if (pp) {
    r.survivor = *pp;
  } else {
    AUDIENCE_ASSIGN_OR_RETURN(r.survivor, GetOrCreate(primary));
  }
  if (!pa) {
    PointAt(alias, r.survivor);
    aliases_[r.survivor].push_back(alias);
    r.alias_created = true;
  } else if (*pa != r.survivor) {
    Merge(*pa, r.survivor);
    r.merged_away = *pa;
  }
  return r;
}

AUDIENCE_FUNC void IdMap::Merge(PersonId from, PersonId into) {
  std::vector<ExternalId> moved;
  ForEachIdOf(from, [&](const ExternalId& id) { moved.push_back(id); });
  for (const ExternalId& id : moved) PointAt(id, into);
  primary_[Slot(from)] = 0;
  if (auto s = str_primary_.find(from); s != str_primary_.end()) {
    string_heap_bytes_ -= id_map_internal::HeapBytes(s->second);
    str_primary_.erase(s);
  }
  aliases_.erase(from);
  std::vector<ExternalId>& dst = aliases_[into];
  dst.insert(dst.end(), std::make_move_iterator(moved.begin()),
             std::make_move_iterator(moved.end()));
  live_.Remove(from);
  --live_count_;
  // Keep forwards flat: everyone merged into `from` now points at `into`.
  std::vector<PersonId> earlier;
  if (auto it = absorbed_.find(from); it != absorbed_.end()) {
    earlier = std::move(it->second);
    absorbed_.erase(it);
  }
  for (PersonId x : earlier) merged_into_[x] = into;
  merged_into_[from] = into;
  std::vector<PersonId>& into_absorbed = absorbed_[into];
  into_absorbed.insert(into_absorbed.end(), earlier.begin(), earlier.end());
  into_absorbed.push_back(from);
}

AUDIENCE_FUNC PersonId IdMap::Canonical(PersonId p) const {
  if (live_.Contains(p)) return p;
  auto it = merged_into_.find(p);
  return it == merged_into_.end() ? kNoPerson : it->second;
}

AUDIENCE_FUNC absl::Status IdMap::Delete(PersonId p) {
  if (!IsLive(p)) {
    const char* why = !Issued(p)                ? "was never issued"
                      : merged_into_.contains(p) ? "was merged into another person"
                                                 : "was deleted";
    return absl::NotFoundError(fmt::format("cannot delete person {}: it {}", p, why));
  }
  std::vector<ExternalId> ids;
  ForEachIdOf(p, [&](const ExternalId& id) { ids.push_back(id); });
  for (const ExternalId& id : ids) EraseForward(id);
  primary_[Slot(p)] = 0;
  if (auto s = str_primary_.find(p); s != str_primary_.end()) {
    string_heap_bytes_ -= id_map_internal::HeapBytes(s->second);
    str_primary_.erase(s);
  }
  aliases_.erase(p);
  if (auto it = absorbed_.find(p); it != absorbed_.end()) {
    for (PersonId x : it->second) merged_into_.erase(x);
    absorbed_.erase(it);
  }
  live_.Remove(p);
  --live_count_;
  return absl::OkStatus();
}

AUDIENCE_FUNC std::vector<ExternalId> IdMap::IdsOf(PersonId p) const {
  std::vector<ExternalId> out;
  if (IsLive(p)) ForEachIdOf(p, [&](const ExternalId& id) { out.push_back(id); });
  return out;
}

AUDIENCE_FUNC std::optional<ExternalId> IdMap::PrimaryId(PersonId p) const {
  if (!IsLive(p)) return std::nullopt;
  if (auto s = str_primary_.find(p); s != str_primary_.end()) return ExternalId::Str(s->second);
  return ExternalId::Int(primary_[Slot(p)]);
}

AUDIENCE_FUNC void IdMap::Reserve(size_t people) {
  int_ids_.reserve(people);
  primary_.reserve(people);
}

AUDIENCE_FUNC void IdMap::ReserveStrings(size_t people) {
  str_ids_.reserve(people);
  str_primary_.reserve(people);
  primary_.reserve(people);
}

AUDIENCE_FUNC size_t IdMap::MemoryBytes() const {
  using id_map_internal::HeapBytes;
  using id_map_internal::TableBytes;
  size_t n = TableBytes(int_ids_) + TableBytes(str_ids_) + TableBytes(str_primary_) +
             TableBytes(aliases_) + TableBytes(merged_into_) + TableBytes(absorbed_) +
             primary_.capacity() * sizeof(int64_t) + string_heap_bytes_ + live_.MemoryBytes();
  for (const auto& [p, ids] : aliases_) {
    n += ids.capacity() * sizeof(ExternalId);
    for (const ExternalId& id : ids) n += HeapBytes(id.str_value());
  }
  for (const auto& [p, merged] : absorbed_) n += merged.capacity() * sizeof(PersonId);
  return n;
}

AUDIENCE_FUNC IdMap IdMap::ForTestingStartAt(PersonId first) {
  IdMap m;
  m.base_ = first;
  m.next_ = first;
  return m;
}

AUDIENCE_FUNC bool operator==(const IdMap& a, const IdMap& b) {
  if (a.base_ != b.base_ || a.next_ != b.next_ || a.live_count_ != b.live_count_ ||
      !(a.live_ == b.live_) || a.merged_into_ != b.merged_into_) {
    return false;
  }
  bool same = true;
  a.live_.ForEach([&](PersonId p) {
    same = a.IdsOf(p) == b.IdsOf(p);
    return same;
  });
  return same;
}

AUDIENCE_FUNC void IdMap::Serialize(ByteWriter& w) const {
  auto sorted_keys = [](const auto& table) {
    std::vector<PersonId> keys;
    keys.reserve(table.size());
    for (const auto& entry : table) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  w.PutU8(1);
  w.PutU32(base_);
  w.PutU32(next_);
  w.PutArray(primary_);
  w.PutBitmap(live_);
  const std::vector<PersonId> str_people = sorted_keys(str_primary_);
  w.PutU64(str_people.size());
  for (PersonId p : str_people) {
    w.PutU32(p);
    w.PutString(str_primary_.at(p));
  }
  std::vector<PersonId> alias_people = sorted_keys(aliases_);
  alias_people.erase(std::remove_if(alias_people.begin(), alias_people.end(),
                                    [&](PersonId p) { return aliases_.at(p).empty(); }),
                     alias_people.end());
  w.PutU64(alias_people.size());
  for (PersonId p : alias_people) {
    const std::vector<ExternalId>& ids = aliases_.at(p);
    w.PutU32(p);
    w.PutU32(static_cast<uint32_t>(ids.size()));
    for (const ExternalId& id : ids) id_map_internal::PutId(w, id);
  }
  const std::vector<PersonId> merged = sorted_keys(merged_into_);
  w.PutU64(merged.size());
  for (PersonId p : merged) {
    w.PutU32(p);
    w.PutU32(merged_into_.at(p));
  }
}

AUDIENCE_FUNC absl::StatusOr<IdMap> IdMap::Deserialize(ByteReader& r) {
  IdMap m;
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t version, r.GetU8("id map version"));
  if (version != 1) return r.Corrupt("id map version", fmt::format("{} (expected 1)", version));
  AUDIENCE_ASSIGN_OR_RETURN(m.base_, r.GetU32("first person id"));
  AUDIENCE_ASSIGN_OR_RETURN(m.next_, r.GetU32("person id capacity"));
  if (m.base_ > m.next_) {
    return r.Corrupt("person id capacity",
                     fmt::format("{} is below the first id {}", m.next_, m.base_));
  }
  AUDIENCE_ASSIGN_OR_RETURN(m.primary_, r.GetArray<int64_t>("int primaries"));
  if (m.primary_.size() != static_cast<size_t>(m.next_ - m.base_)) {
    return r.Corrupt("int primaries", fmt::format("{} entries for {} issued ids",
                                                  m.primary_.size(), m.next_ - m.base_));
  }
  AUDIENCE_ASSIGN_OR_RETURN(m.live_, r.GetBitmap("live people"));
  m.live_count_ = m.live_.Cardinality();
  if (m.live_count_ > 0 && (m.live_.Minimum() < m.base_ || m.live_.Maximum() >= m.next_)) {
    return r.Corrupt("live people", fmt::format("ids {}..{} outside the issued range [{}, {})",
                                                m.live_.Minimum(), m.live_.Maximum(),
                                                m.base_, m.next_));
  }
  // Reads a person id that must be live and above the previous one.
  int64_t previous = -1;
  auto get_person = [&](std::string_view what) -> absl::StatusOr<PersonId> {
    AUDIENCE_ASSIGN_OR_RETURN(PersonId p, r.GetU32(what));
    if (static_cast<int64_t>(p) <= previous) {
      return r.Corrupt(what, fmt::format("{} is not above the previous {}", p, previous));
    }
    if (!m.IsLive(p)) return r.Corrupt(what, fmt::format("person {} is not live", p));
    previous = p;
    return p;
  };
  auto add_forward = [&](const ExternalId& id, PersonId p, std::string_view what) {
    if (absl::Status s = ValidateId(id); !s.ok()) return r.Corrupt(what, StdView(s.message()));
    // Int ids (the bulk) take one probe; strings keep PointAt's accounting.
    const bool fresh = id.is_int()
                           ? m.int_ids_.insert(id_map_internal::IntEntry(id.int_value(), p)).second
                           : !m.Find(id);
    if (!fresh) {
      return r.Corrupt(what, fmt::format("duplicate external id {}", id_map_internal::Describe(id)));
    }
    if (!id.is_int()) m.PointAt(id, p);
    return absl::OkStatus();
  };

  AUDIENCE_ASSIGN_OR_RETURN(uint64_t str_count, r.GetU64("string primary count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(str_count, 9, "string primary count"));
  m.str_primary_.reserve(str_count);
  for (uint64_t i = 0; i < str_count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(PersonId p, get_person("string primary owner"));
    AUDIENCE_ASSIGN_OR_RETURN(std::string s, r.GetString("string primary"));
    if (m.primary_[m.Slot(p)] != 0) {
      return r.Corrupt("int primaries", fmt::format("person {} also has a string primary", p));
    }
    AUDIENCE_RETURN_IF_ERROR(add_forward(ExternalId::Str(s), p, "string primary"));
    auto it = m.str_primary_.try_emplace(p, std::move(s)).first;
    m.string_heap_bytes_ += id_map_internal::HeapBytes(it->second);
  }
  // Int primaries of the other live people; slots of dead people hold 0.
  m.int_ids_.reserve(m.live_count_ - str_count);
  absl::Status status;
  PersonId expected = m.base_;  // next slot not yet checked
  auto check_dead_until = [&](uint64_t end) {
    for (; expected < end; ++expected) {
      if (m.primary_[m.Slot(expected)] != 0) {
        status = r.Corrupt("int primaries", fmt::format("dead person {} keeps an id", expected));
        return false;
      }
    }
    return true;
  };
  m.live_.ForEach([&](PersonId p) {
    if (!check_dead_until(p)) return false;
    expected = p + 1;
    if (m.str_primary_.contains(p)) return true;
    status = add_forward(ExternalId::Int(m.primary_[m.Slot(p)]), p, "int primary");
    return status.ok();
  });
  AUDIENCE_RETURN_IF_ERROR(status);
  if (!check_dead_until(m.next_)) return status;

  AUDIENCE_ASSIGN_OR_RETURN(uint64_t alias_count, r.GetU64("alias owner count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(alias_count, 14, "alias owner count"));
  previous = -1;
  for (uint64_t i = 0; i < alias_count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(PersonId p, get_person("alias owner"));
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t k, r.GetU32("alias count"));
    if (k == 0) return r.Corrupt("alias count", fmt::format("person {} has 0 aliases", p));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(k, 6, "alias count"));
    std::vector<ExternalId>& ids = m.aliases_[p];
    ids.reserve(k);
    for (uint32_t j = 0; j < k; ++j) {
      AUDIENCE_ASSIGN_OR_RETURN(ExternalId id, id_map_internal::GetId(r));
      AUDIENCE_RETURN_IF_ERROR(add_forward(id, p, "alias"));
      ids.push_back(std::move(id));
    }
  }

  AUDIENCE_ASSIGN_OR_RETURN(uint64_t forward_count, r.GetU64("merge forward count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(forward_count, 8, "merge forward count"));
  previous = -1;
  for (uint64_t i = 0; i < forward_count; ++i) {
    AUDIENCE_ASSIGN_OR_RETURN(PersonId from, r.GetU32("merged person"));
    AUDIENCE_ASSIGN_OR_RETURN(PersonId into, r.GetU32("merge survivor"));
    // Forwards are flat: from a dead issued id to a live one, so no chain or
    // cycle can be encoded.
    if (static_cast<int64_t>(from) <= previous || !m.Issued(from) || m.IsLive(from)) {
      return r.Corrupt("merged person", fmt::format("{} (must be ascending, issued and dead)", from));
    }
    if (!m.IsLive(into)) {
      return r.Corrupt("merge survivor", fmt::format("{} -> {} is not a live person", from, into));
    }
    previous = from;
    m.merged_into_.emplace(from, into);
    m.absorbed_[into].push_back(from);
  }
  return m;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IDS_ID_MAP_INL_H_
