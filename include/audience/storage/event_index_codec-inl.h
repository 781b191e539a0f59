// Definitions for event_index.h: the snapshot codec and operator==.
// Encoding (version 1):
//   u8 version, u32 property count, per property: u64 value count and the
//   value strings; u64 person count, then per person in ascending id order:
//   u32 person, aggregate (u32 count, i64 first, i64 last, f64 sum, f64 max),
//   u64 point count, per point (i64 time, u32 count, f64 amount, f64 max),
//   the u32 property value ids (points x properties), u32 event id count and
//   the ids. Day bitmaps are rebuilt on load, so they match by construction.
// Deserialize checks: version, property count against the spec, each value
// valid and unique, people strictly ascending and != kNoPerson, aggregates
// finite with first <= last and times in range, points in time order with
// count >= 1 and finite amounts, point counts summing to the aggregate count,
// every value id < its dictionary size, event ids 1..128 bytes and unique.
#ifndef AUDIENCE_STORAGE_EVENT_INDEX_CODEC_INL_H_
#define AUDIENCE_STORAGE_EVENT_INDEX_CODEC_INL_H_

#include <algorithm>
#include <cmath>

#include "audience/base/status_macros.h"
#include "audience/storage/event_index.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace event_index_internal {
inline constexpr uint8_t kCodecVersion = 1;
}  // namespace event_index_internal

AUDIENCE_FUNC void EventIndex::Serialize(ByteWriter& w) const {
  w.PutU8(event_index_internal::kCodecVersion);
  w.PutU32(static_cast<uint32_t>(props_.size()));
  for (const Property& prop : props_) {
    w.PutU64(prop.names.size());
    for (const std::string& s : prop.names) w.PutString(s);
  }
  std::vector<PersonId> order;
  order.reserve(people_.size());
  for (const auto& entry : people_) order.push_back(entry.first);
  std::sort(order.begin(), order.end());
  w.PutU64(order.size());
  for (PersonId p : order) {
    const PersonEvents& pe = people_.at(p);
    w.PutU32(p);
    w.PutU32(pe.aggregate.count);
    w.PutI64(pe.aggregate.first_time);
    w.PutI64(pe.aggregate.last_time);
    w.PutDouble(pe.aggregate.sum);
    w.PutDouble(pe.aggregate.max);
    w.PutU64(pe.points.size());
    for (const Point& pt : pe.points) {
      w.PutI64(pt.time);
      w.PutU32(pt.count);
      w.PutDouble(pt.amount);
      w.PutDouble(pt.max_amount);
    }
    w.PutArray(pe.values);
    w.PutU32(static_cast<uint32_t>(pe.event_ids.size()));
    for (const std::string& id : pe.event_ids) w.PutString(id);
  }
}

AUDIENCE_FUNC absl::StatusOr<EventIndex> EventIndex::Deserialize(ByteReader& r,
                                                                 const EventTypeSpec& spec) {
  EventIndex e(spec);
  auto corrupt = [&](std::string_view what) {
    return r.Corrupt(fmt::format("event type '{}'", spec.name), what);
  };
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t version, r.GetU8("event index version"));
  if (version != event_index_internal::kCodecVersion) {
    return corrupt(fmt::format("unknown encoding version {}", version));
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t nprops, r.GetU32("property count"));
  if (nprops != e.props_.size()) return corrupt("property count differs from the schema");
  for (Property& prop : e.props_) {
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t count, r.GetU64("property value count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(count, 5, "property value count"));
    for (uint64_t i = 0; i < count; ++i) {
      AUDIENCE_ASSIGN_OR_RETURN(std::string s, r.GetString("property value"));
      if (absl::Status bad = Schema::ValidateValue("property value", s); !bad.ok()) {
        return corrupt(std::string(bad.message()));
      }
      if (!prop.ids.emplace(s, static_cast<uint32_t>(i)).second) {
        return corrupt(fmt::format("property value '{}' listed twice", schema_internal::Shown(s)));
      }
      prop.names.push_back(std::move(s));
      if (prop.indexed) prop.days.emplace_back();
    }
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint64_t npeople, r.GetU64("person count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(npeople, 48, "person count"));
  size_t n = e.props_.size();
  int64_t last_person = -1;
  for (uint64_t k = 0; k < npeople; ++k) {
    AUDIENCE_ASSIGN_OR_RETURN(PersonId p, r.GetU32("person"));
    if (int64_t{p} <= last_person || p == kNoPerson) return corrupt("people out of order");
    last_person = p;
    PersonEvents pe;
    PersonAggregate& agg = pe.aggregate;
    AUDIENCE_ASSIGN_OR_RETURN(agg.count, r.GetU32("count"));
    AUDIENCE_ASSIGN_OR_RETURN(agg.first_time, r.GetI64("first time"));
    AUDIENCE_ASSIGN_OR_RETURN(agg.last_time, r.GetI64("last time"));
    AUDIENCE_ASSIGN_OR_RETURN(agg.sum, r.GetDouble("sum"));
    AUDIENCE_ASSIGN_OR_RETURN(agg.max, r.GetDouble("max"));
    if (agg.count == 0 || agg.first_time > agg.last_time || agg.first_time < -kMaxAbsTime ||
        agg.last_time > kMaxAbsTime || !std::isfinite(agg.sum) || !std::isfinite(agg.max)) {
      return corrupt(fmt::format("aggregate of person {}", p));
    }
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t npoints, r.GetU64("point count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(npoints, 28, "point count"));
    uint64_t total = 0;
    for (uint64_t i = 0; i < npoints; ++i) {
      Point pt;
      AUDIENCE_ASSIGN_OR_RETURN(pt.time, r.GetI64("point time"));
      AUDIENCE_ASSIGN_OR_RETURN(pt.count, r.GetU32("point count"));
      AUDIENCE_ASSIGN_OR_RETURN(pt.amount, r.GetDouble("point amount"));
      AUDIENCE_ASSIGN_OR_RETURN(pt.max_amount, r.GetDouble("point max"));
      if (pt.count == 0 || pt.time > kMaxAbsTime || pt.time < -kMaxAbsTime ||
          !std::isfinite(pt.amount) || !std::isfinite(pt.max_amount) ||
          (!pe.points.empty() && pt.time < pe.points.back().time)) {
        return corrupt(fmt::format("timeline of person {}", p));
      }
      total += pt.count;
      pe.points.push_back(pt);
    }
    if (total != agg.count) return corrupt(fmt::format("count of person {}", p));
    AUDIENCE_ASSIGN_OR_RETURN(pe.values, r.GetArray<uint32_t>("property values"));
    if (pe.values.size() != npoints * n) return corrupt("property value count");
    for (size_t i = 0; i < pe.values.size(); ++i) {
      uint32_t v = pe.values[i];
      if (v != kAbsent && v >= e.props_[i % n].names.size()) {
        return corrupt(fmt::format("property value id {} of person {}", v, p));
      }
    }
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t nids, r.GetU32("event id count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(nids, 5, "event id count"));
    for (uint32_t i = 0; i < nids; ++i) {
      AUDIENCE_ASSIGN_OR_RETURN(std::string id, r.GetString("event id"));
      if (id.empty() || id.size() > kMaxEventIdBytes || !e.event_ids_.insert(id).second) {
        return corrupt(fmt::format("event id '{}' (empty, too long or repeated)",
                                   schema_internal::Shown(id)));
      }
      pe.event_ids.push_back(std::move(id));
    }
    e.event_count_ += agg.count;
    e.IndexDays(p, pe, /*add=*/true);
    e.people_bitmap_.Add(p);
    e.people_.emplace(p, std::move(pe));
  }
  return e;
}

AUDIENCE_FUNC bool operator==(const EventIndex& a, const EventIndex& b) {
  if (a.name_ != b.name_ || a.props_.size() != b.props_.size() ||
      a.people_.size() != b.people_.size() || a.event_count_ != b.event_count_ ||
      a.event_ids_ != b.event_ids_) {
    return false;
  }
  for (size_t i = 0; i < a.props_.size(); ++i) {
    if (a.props_[i].names != b.props_[i].names) return false;
  }
  for (const auto& [p, pa] : a.people_) {
    auto it = b.people_.find(p);
    if (it == b.people_.end()) return false;
    const auto& pb = it->second;
    if (!(pa.aggregate == pb.aggregate) || pa.points != pb.points || pa.values != pb.values) {
      return false;
    }
    if (pa.event_ids != pb.event_ids) {  // arrival order does not matter
      std::vector<std::string> ia = pa.event_ids, ib = pb.event_ids;
      std::sort(ia.begin(), ia.end());
      std::sort(ib.begin(), ib.end());
      if (ia != ib) return false;
    }
  }
  return true;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_EVENT_INDEX_CODEC_INL_H_
