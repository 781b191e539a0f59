// TagDimension snapshot encoding (version 1):
//   u8 version, u8 kind, u32 value count, then per value:
//   string name, bitmap members, u16 base source, u32 exception count,
//   per exception (u16 source, bitmap people), u64 expiry count,
//   per expiry (u32 person, i64 expires_at) ascending by person, and for
//   exclusive dimensions an array of u32 WriteSeq, one per member in order.
// Deserialize checks every invariant the writer guarantees.
#ifndef AUDIENCE_STORAGE_TAG_DIMENSION_CODEC_INL_H_
#define AUDIENCE_STORAGE_TAG_DIMENSION_CODEC_INL_H_

#include <algorithm>

#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/storage/tag_dimension.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace tag_dimension_internal {
inline constexpr uint8_t kCodecVersion = 1;
}  // namespace tag_dimension_internal

AUDIENCE_FUNC void TagDimension::Serialize(ByteWriter& w) const {
  w.PutU8(tag_dimension_internal::kCodecVersion);
  w.PutU8(static_cast<uint8_t>(kind_));
  w.PutU32(static_cast<uint32_t>(values_.size()));
  for (const ValueState& v : values_) {
    w.PutString(v.name);
    w.PutBitmap(v.members);
    w.PutU16(v.base_source);
    w.PutU32(static_cast<uint32_t>(v.exceptions.size()));
    for (const auto& [source, people] : v.exceptions) {
      w.PutU16(source);
      w.PutBitmap(people);
    }
    std::vector<std::pair<PersonId, UnixSeconds>> expiries(v.expiry.begin(), v.expiry.end());
    std::sort(expiries.begin(), expiries.end());
    w.PutU64(expiries.size());
    for (const auto& [p, t] : expiries) {
      w.PutU32(p);
      w.PutI64(t);
    }
    if (kind_ == DimensionKind::kExclusive) {
      std::vector<WriteSeq> seqs;
      seqs.reserve(v.members.Cardinality());
      v.members.ForEach([&](PersonId p) { seqs.push_back(ExclusiveSeq(p)); });
      w.PutArray(seqs);
    }
  }
}

AUDIENCE_FUNC absl::StatusOr<TagDimension> TagDimension::Deserialize(ByteReader& r,
                                                                     const DimensionSpec& spec) {
  TagDimension d(spec);
  auto corrupt = [&](std::string_view what) {
    return r.Corrupt(fmt::format("dimension '{}'", spec.name), what);
  };
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t version, r.GetU8("tag dimension version"));
  if (version != tag_dimension_internal::kCodecVersion) {
    return corrupt(fmt::format("unknown encoding version {}", version));
  }
  AUDIENCE_ASSIGN_OR_RETURN(uint8_t kind, r.GetU8("dimension kind"));
  if (kind != static_cast<uint8_t>(spec.kind)) return corrupt("kind differs from the schema");
  AUDIENCE_ASSIGN_OR_RETURN(uint32_t count, r.GetU32("value count"));
  AUDIENCE_RETURN_IF_ERROR(r.CheckCount(count, 4 + 8 + 2 + 4 + 8, "value count"));
  if (d.closed_ && count != d.values_.size()) return corrupt("closed value list differs");
  d.values_.resize(count);
  Bitmap seen;  // exclusive: members of earlier values
  for (uint32_t i = 0; i < count; ++i) {
    ValueState& v = d.values_[i];
    AUDIENCE_ASSIGN_OR_RETURN(std::string name, r.GetString("value name"));
    if (d.closed_) {
      if (name != spec.values[i]) return corrupt(fmt::format("value {} is not '{}'", i, spec.values[i]));
    } else {
      if (absl::Status valid = Schema::ValidateValue("tag value", name); !valid.ok()) {
        return corrupt(StdView(valid.message()));
      }
      if (!d.value_ids_.emplace(name, i).second) {
        return corrupt(fmt::format("value '{}' listed twice", name));
      }
    }
    v.name = std::move(name);
    AUDIENCE_ASSIGN_OR_RETURN(v.members, r.GetBitmap("members"));
    if (v.members.Contains(kNoPerson)) return corrupt("reserved person id");
    AUDIENCE_ASSIGN_OR_RETURN(v.base_source, r.GetU16("base source"));
    AUDIENCE_ASSIGN_OR_RETURN(uint32_t exceptions, r.GetU32("exception count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(exceptions, 2 + 8, "exception count"));
    Bitmap covered;
    for (uint32_t e = 0; e < exceptions; ++e) {
      AUDIENCE_ASSIGN_OR_RETURN(SourceId source, r.GetU16("exception source"));
      AUDIENCE_ASSIGN_OR_RETURN(Bitmap people, r.GetBitmap("exception people"));
      if (source == v.base_source || people.IsEmpty() || !people.IsSubsetOf(v.members) ||
          people.Intersects(covered)) {
        return corrupt(fmt::format("inconsistent sources of value '{}'", v.name));
      }
      for (const auto& other : v.exceptions) {
        if (other.first == source) return corrupt("source listed twice");
      }
      covered |= people;
      v.exceptions.emplace_back(source, std::move(people));
    }
    AUDIENCE_ASSIGN_OR_RETURN(uint64_t expiries, r.GetU64("expiry count"));
    AUDIENCE_RETURN_IF_ERROR(r.CheckCount(expiries, 12, "expiry count"));
    PersonId last = 0;
    for (uint64_t e = 0; e < expiries; ++e) {
      AUDIENCE_ASSIGN_OR_RETURN(PersonId p, r.GetU32("expiry person"));
      AUDIENCE_ASSIGN_OR_RETURN(UnixSeconds t, r.GetI64("expires at"));
      if ((e > 0 && p <= last) || !v.members.Contains(p)) {
        return corrupt(fmt::format("expiry entry for person {}", p));
      }
      last = p;
      v.expiry.emplace(p, t);
      v.by_expiry.insert({t, p});
    }
    if (d.kind_ == DimensionKind::kExclusive) {
      if (v.members.Intersects(seen)) return corrupt("a person holds two exclusive values");
      seen |= v.members;
      AUDIENCE_ASSIGN_OR_RETURN(std::vector<WriteSeq> seqs, r.GetArray<WriteSeq>("write seqs"));
      if (seqs.size() != v.members.Cardinality()) return corrupt("write seq count");
      if (!v.members.IsEmpty()) d.GrowDense(v.members.Maximum(), v.members.Cardinality());
      size_t k = 0;
      v.members.ForEach([&](PersonId p) { d.SetCurrent(p, i, seqs[k++]); });
    }
  }
  return d;
}

AUDIENCE_FUNC bool operator==(const TagDimension& a, const TagDimension& b) {
  if (a.name_ != b.name_ || a.kind_ != b.kind_ || a.closed_ != b.closed_ ||
      a.values_.size() != b.values_.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values_.size(); ++i) {
    const auto& va = a.values_[i];
    const auto& vb = b.values_[i];
    if (va.name != vb.name || !(va.members == vb.members) || va.expiry != vb.expiry) return false;
    if (va.members.IsEmpty()) continue;
    // Sources compared per member set, independent of representation.
    bool same = true;
    va.members.ForEach([&](PersonId p) {
      same = a.SourceOf(va, p) == b.SourceOf(vb, p);
      return same;
    });
    if (!same) return false;
    if (a.kind_ == DimensionKind::kExclusive) {
      va.members.ForEach([&](PersonId p) {
        same = a.ExclusiveSeq(p) == b.ExclusiveSeq(p);
        return same;
      });
      if (!same) return false;
    }
  }
  return true;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_TAG_DIMENSION_CODEC_INL_H_
