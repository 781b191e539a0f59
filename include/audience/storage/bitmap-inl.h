// Definitions for bitmap.h; the only place that touches CRoaring.
#ifndef AUDIENCE_STORAGE_BITMAP_INL_H_
#define AUDIENCE_STORAGE_BITMAP_INL_H_

#include <roaring/roaring.h>

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "audience/storage/bitmap.h"
#include "audience/storage/bitmap_chunks-inl.h"
#include "audience/storage/bitmap_merge-inl.h"
#include "audience/storage/dense_kernels.h"

AUDIENCE_BEGIN_NAMESPACE

namespace bitmap_internal {

// CRoaring returns null when malloc fails; we cannot continue meaningfully.
inline roaring_bitmap_t* Checked(roaring_bitmap_t* r) {
  if (r == nullptr) std::abort();
  return r;
}

// Releases an empty result so that empty bitmaps own no memory.
inline roaring_bitmap_t* NullIfEmpty(roaring_bitmap_t* r) {
  if (r != nullptr && roaring_bitmap_is_empty(r)) {
    roaring_bitmap_free(r);
    return nullptr;
  }
  return r;
}

}  // namespace bitmap_internal

AUDIENCE_FUNC Bitmap::Bitmap(const Bitmap& other)
    : r_(other.r_ == nullptr
             ? nullptr
             : bitmap_internal::Checked(roaring_bitmap_copy(other.r_))) {}

AUDIENCE_FUNC Bitmap& Bitmap::operator=(const Bitmap& other) {
  if (this == &other) return *this;
  if (other.r_ == nullptr) {
    Clear();
  } else if (r_ == nullptr) {
    r_ = bitmap_internal::Checked(roaring_bitmap_copy(other.r_));
  } else if (!roaring_bitmap_overwrite(r_, other.r_)) {
    std::abort();
  }
  return *this;
}

AUDIENCE_FUNC Bitmap& Bitmap::operator=(Bitmap&& other) noexcept {
  if (this != &other) {
    if (r_ != nullptr) roaring_bitmap_free(r_);
    r_ = std::exchange(other.r_, nullptr);
  }
  return *this;
}

AUDIENCE_FUNC Bitmap::~Bitmap() {
  if (r_ != nullptr) roaring_bitmap_free(r_);
}

AUDIENCE_FUNC roaring_bitmap_s* Bitmap::Mutable() {
  if (r_ == nullptr) r_ = bitmap_internal::Checked(roaring_bitmap_create());
  return r_;
}

AUDIENCE_FUNC Bitmap Bitmap::Of(std::initializer_list<uint32_t> ids) {
  // A handful of ids: added one by one (FromIds' chunk path, inlined on a
  // one-element list, trips GCC 12's -Wmaybe-uninitialized).
  Bitmap b;
  for (uint32_t id : ids) b.Add(id);
  return b;
}

AUDIENCE_FUNC Bitmap Bitmap::FromIds(absl::Span<const uint32_t> ids) {
  Bitmap b;
  if (std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) != ids.end()) {
    b.AddMany(ids);
    return b;
  }
  // Strictly ascending (what most callers pass): each chunk's container is
  // made in one pass, several times faster than adding the ids one by one.
  for (size_t begin = 0; begin < ids.size();) {
    const uint32_t key = ids[begin] >> 16;
    const size_t end = static_cast<size_t>(
        std::partition_point(ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.end(),
                             [key](uint32_t id) { return (id >> 16) == key; }) -
        ids.begin());
    uint8_t type = 0;
    void* c = bitmap_internal::ContainerFromSortedIds(ids.data() + begin, end - begin, &type);
    ra_append(&b.Mutable()->high_low_container, static_cast<uint16_t>(key), c, type);
    begin = end;
  }
  return b;
}

AUDIENCE_FUNC Bitmap Bitmap::FromRange(uint64_t begin, uint64_t end) {
  Bitmap b;
  b.AddRange(begin, end);
  return b;
}

AUDIENCE_FUNC Bitmap Bitmap::FromWords(absl::Span<const uint64_t> words) {
  using bitmap_internal::kBitsetWords;
  constexpr size_t kMaxWords = size_t{1} << 26;  // 2^32 ids
  assert(words.size() <= kMaxWords);
  const size_t n = std::min(words.size(), kMaxWords);
  Bitmap b;
  for (size_t begin = 0; begin < n; begin += kBitsetWords) {
    const size_t len = std::min(kBitsetWords, n - begin);
    const uint64_t* w = words.data() + begin;
    const uint64_t card = dense::Popcount(w, len);
    if (card == 0) continue;
    uint8_t type = 0;
    void* c = bitmap_internal::ContainerFromWords(w, len, card, &type);
    ra_append(&b.Mutable()->high_low_container, static_cast<uint16_t>(begin / kBitsetWords), c,
              type);
  }
  return b;
}

AUDIENCE_FUNC void Bitmap::Add(uint32_t id) { roaring_bitmap_add(Mutable(), id); }

AUDIENCE_FUNC bool Bitmap::AddChecked(uint32_t id) {
  return roaring_bitmap_add_checked(Mutable(), id);
}

AUDIENCE_FUNC void Bitmap::AddMany(absl::Span<const uint32_t> ids) {
  if (ids.empty()) return;
  roaring_bitmap_add_many(Mutable(), ids.size(), ids.data());
}

AUDIENCE_FUNC void Bitmap::AddRange(uint64_t begin, uint64_t end) {
  if (end > (uint64_t{1} << 32)) end = uint64_t{1} << 32;
  if (begin >= end) return;
  roaring_bitmap_add_range_closed(Mutable(), static_cast<uint32_t>(begin),
                                  static_cast<uint32_t>(end - 1));
}

AUDIENCE_FUNC void Bitmap::Remove(uint32_t id) {
  if (r_ != nullptr) roaring_bitmap_remove(r_, id);
}

AUDIENCE_FUNC bool Bitmap::RemoveChecked(uint32_t id) {
  return r_ != nullptr && roaring_bitmap_remove_checked(r_, id);
}

AUDIENCE_FUNC void Bitmap::RemoveRange(uint64_t begin, uint64_t end) {
  if (r_ == nullptr) return;
  if (end > (uint64_t{1} << 32)) end = uint64_t{1} << 32;
  if (begin >= end) return;
  roaring_bitmap_remove_range_closed(r_, static_cast<uint32_t>(begin),
                                     static_cast<uint32_t>(end - 1));
}

AUDIENCE_FUNC void Bitmap::Clear() {
  if (r_ != nullptr) {
    roaring_bitmap_free(r_);
    r_ = nullptr;
  }
}

AUDIENCE_FUNC bool Bitmap::Contains(uint32_t id) const {
  return r_ != nullptr && roaring_bitmap_contains(r_, id);
}

AUDIENCE_FUNC uint64_t Bitmap::Cardinality() const {
  return r_ == nullptr ? 0 : roaring_bitmap_get_cardinality(r_);
}

AUDIENCE_FUNC bool Bitmap::IsEmpty() const {
  return r_ == nullptr || roaring_bitmap_is_empty(r_);
}

AUDIENCE_FUNC uint32_t Bitmap::Minimum() const {
  assert(!IsEmpty());
  return roaring_bitmap_minimum(r_);
}

AUDIENCE_FUNC uint32_t Bitmap::Maximum() const {
  assert(!IsEmpty());
  return roaring_bitmap_maximum(r_);
}

AUDIENCE_FUNC uint64_t Bitmap::Rank(uint32_t id) const {
  return r_ == nullptr ? 0 : roaring_bitmap_rank(r_, id);
}

AUDIENCE_FUNC bool Bitmap::Select(uint64_t rank, uint32_t* id) const {
  if (r_ == nullptr || rank > UINT32_MAX) return false;
  return roaring_bitmap_select(r_, static_cast<uint32_t>(rank), id);
}

AUDIENCE_FUNC Bitmap& Bitmap::operator&=(const Bitmap& other) {
  if (r_ == nullptr) return *this;
  if (other.r_ == nullptr) {
    Clear();
    return *this;
  }
  if (this == &other) return *this;
  roaring_bitmap_t* result =
      bitmap_internal::Merge(bitmap_internal::SetOp::kAnd, r_, other.r_, /*consume=*/true);
  roaring_bitmap_free(r_);
  r_ = bitmap_internal::NullIfEmpty(result);
  return *this;
}

AUDIENCE_FUNC Bitmap& Bitmap::operator|=(const Bitmap& other) {
  if (other.r_ == nullptr || this == &other) return *this;
  if (r_ == nullptr) {
    r_ = bitmap_internal::Checked(roaring_bitmap_copy(other.r_));
  } else {
    roaring_bitmap_t* result =
        bitmap_internal::Merge(bitmap_internal::SetOp::kOr, r_, other.r_, /*consume=*/true);
    roaring_bitmap_free(r_);
    r_ = result;
  }
  return *this;
}

AUDIENCE_FUNC Bitmap& Bitmap::operator-=(const Bitmap& other) {
  if (r_ == nullptr || other.r_ == nullptr) return *this;
  if (this == &other) {
    Clear();
    return *this;
  }
  roaring_bitmap_t* result =
      bitmap_internal::Merge(bitmap_internal::SetOp::kAndNot, r_, other.r_, /*consume=*/true);
  roaring_bitmap_free(r_);
  r_ = bitmap_internal::NullIfEmpty(result);
  return *this;
}

AUDIENCE_FUNC Bitmap& Bitmap::operator^=(const Bitmap& other) {
  if (other.r_ == nullptr) return *this;
  if (this == &other) {
    Clear();
    return *this;
  }
  if (r_ == nullptr) {
    r_ = bitmap_internal::Checked(roaring_bitmap_copy(other.r_));
  } else {
    roaring_bitmap_xor_inplace(r_, other.r_);
    r_ = bitmap_internal::NullIfEmpty(r_);
  }
  return *this;
}

AUDIENCE_FUNC Bitmap operator&(const Bitmap& a, const Bitmap& b) {
  Bitmap out;
  if (a.r_ != nullptr && b.r_ != nullptr) {
    out.r_ = bitmap_internal::NullIfEmpty(
        bitmap_internal::Merge(bitmap_internal::SetOp::kAnd, a.r_, b.r_, /*consume=*/false));
  }
  return out;
}

AUDIENCE_FUNC Bitmap operator|(const Bitmap& a, const Bitmap& b) {
  if (a.r_ == nullptr) return b;
  if (b.r_ == nullptr) return a;
  Bitmap out;
  out.r_ = bitmap_internal::Merge(bitmap_internal::SetOp::kOr, a.r_, b.r_, /*consume=*/false);
  return out;
}

AUDIENCE_FUNC Bitmap operator-(const Bitmap& a, const Bitmap& b) {
  if (a.r_ == nullptr) return Bitmap();
  if (b.r_ == nullptr) return a;
  Bitmap out;
  out.r_ = bitmap_internal::NullIfEmpty(
      bitmap_internal::Merge(bitmap_internal::SetOp::kAndNot, a.r_, b.r_, /*consume=*/false));
  return out;
}

AUDIENCE_FUNC Bitmap operator^(const Bitmap& a, const Bitmap& b) {
  if (a.r_ == nullptr) return b;
  if (b.r_ == nullptr) return a;
  Bitmap out;
  out.r_ = bitmap_internal::NullIfEmpty(
      bitmap_internal::Checked(roaring_bitmap_xor(a.r_, b.r_)));
  return out;
}

AUDIENCE_FUNC bool operator==(const Bitmap& a, const Bitmap& b) {
  if (a.IsEmpty() || b.IsEmpty()) return a.IsEmpty() == b.IsEmpty();
  return roaring_bitmap_equals(a.r_, b.r_);
}

AUDIENCE_FUNC uint64_t Bitmap::AndCardinality(const Bitmap& other) const {
  if (r_ == nullptr || other.r_ == nullptr) return 0;
  return bitmap_internal::AndCount(r_, other.r_);
}

AUDIENCE_FUNC uint64_t Bitmap::OrCardinality(const Bitmap& other) const {
  if (r_ == nullptr) return other.Cardinality();
  if (other.r_ == nullptr) return Cardinality();
  return Cardinality() + other.Cardinality() - bitmap_internal::AndCount(r_, other.r_);
}

AUDIENCE_FUNC uint64_t Bitmap::AndNotCardinality(const Bitmap& other) const {
  if (r_ == nullptr) return 0;
  if (other.r_ == nullptr) return Cardinality();
  return Cardinality() - bitmap_internal::AndCount(r_, other.r_);
}

AUDIENCE_FUNC bool Bitmap::Intersects(const Bitmap& other) const {
  return r_ != nullptr && other.r_ != nullptr &&
         roaring_bitmap_intersect(r_, other.r_);
}

AUDIENCE_FUNC bool Bitmap::IsSubsetOf(const Bitmap& other) const {
  if (IsEmpty()) return true;
  return other.r_ != nullptr && roaring_bitmap_is_subset(r_, other.r_);
}

AUDIENCE_FUNC Bitmap Bitmap::OrMany(absl::Span<const Bitmap* const> inputs) {
  std::vector<const roaring_bitmap_t*> raw;
  raw.reserve(inputs.size());
  for (const Bitmap* b : inputs) {
    if (b != nullptr && b->r_ != nullptr) raw.push_back(b->r_);
  }
  Bitmap out;
  if (raw.empty()) return out;
  if (raw.size() == 1) {
    out.r_ = bitmap_internal::Checked(roaring_bitmap_copy(raw[0]));
  } else if (raw.size() <= bitmap_internal::kMaxMergeInputs) {
    out.r_ = bitmap_internal::Checked(bitmap_internal::UnionMany(raw));
  } else {
    out.r_ = bitmap_internal::NullIfEmpty(
        bitmap_internal::Checked(roaring_bitmap_or_many(raw.size(), raw.data())));
  }
  return out;
}

AUDIENCE_FUNC std::vector<uint32_t> Bitmap::ToVector() const {
  std::vector<uint32_t> out(Cardinality());
  if (!out.empty()) roaring_bitmap_to_uint32_array(r_, out.data());
  return out;
}

AUDIENCE_FUNC void Bitmap::CollectFrom(uint32_t from, size_t limit,
                                       std::vector<uint32_t>* out) const {
  if (r_ == nullptr || limit == 0) return;
  roaring_uint32_iterator_t it;
  roaring_init_iterator(r_, &it);
  if (!roaring_move_uint32_iterator_equalorlarger(&it, from)) return;
  size_t old = out->size();
  out->resize(old + limit);
  uint32_t got = roaring_read_uint32_iterator(
      &it, out->data() + old, static_cast<uint32_t>(limit > UINT32_MAX ? UINT32_MAX : limit));
  out->resize(old + got);
}

AUDIENCE_FUNC void Bitmap::Optimize() {
  if (r_ == nullptr) return;
  roaring_bitmap_run_optimize(r_);
  roaring_bitmap_shrink_to_fit(r_);
}

AUDIENCE_FUNC void Bitmap::ShrinkToFit() {
  if (r_ != nullptr) roaring_bitmap_shrink_to_fit(r_);
}

AUDIENCE_FUNC size_t Bitmap::MemoryBytes() const {
  if (r_ == nullptr) return 0;
  roaring_statistics_t st;
  roaring_bitmap_statistics(r_, &st);
  // Per container: key, type code and pointer in the high-level array plus
  // the container struct itself.
  constexpr size_t kPerContainer = 2 + 1 + sizeof(void*) + 16;
  return sizeof(roaring_bitmap_t) + size_t{st.n_containers} * kPerContainer +
         st.n_bytes_array_containers + st.n_bytes_run_containers +
         st.n_bytes_bitset_containers;
}

AUDIENCE_FUNC size_t Bitmap::SerializedSize() const {
  if (r_ == nullptr) return 8;  // cookie + zero container count
  return roaring_bitmap_portable_size_in_bytes(r_);
}

AUDIENCE_FUNC void Bitmap::Serialize(char* out) const {
  if (r_ == nullptr) {
    // The portable encoding of an empty bitmap: SERIAL_COOKIE_NO_RUNCONTAINER
    // (12346) followed by a 32-bit container count of zero.
    const uint32_t words[2] = {12346u, 0u};
    std::memcpy(out, words, sizeof(words));
    return;
  }
  roaring_bitmap_portable_serialize(r_, out);
}

AUDIENCE_FUNC void Bitmap::AppendSerialized(std::string* out) const {
  size_t old = out->size();
  out->resize(old + SerializedSize());
  Serialize(out->data() + old);
}

AUDIENCE_FUNC absl::StatusOr<Bitmap> Bitmap::Deserialize(const char* data,
                                                         size_t size,
                                                         size_t* consumed) {
  // CRoaring trusts the container count of the no-run format and allocates
  // for it before checking the length; a 32-bit key space has at most 2^16
  // containers, so refuse anything larger first.
  if (size >= 8) {
    uint32_t cookie = 0, containers = 0;
    std::memcpy(&cookie, data, 4);
    std::memcpy(&containers, data + 4, 4);
    if (cookie == 12346u && containers > 65536u) {
      return absl::InvalidArgumentError(
          fmt::format("malformed bitmap: {} containers (at most 65536)", containers));
    }
  }
  size_t need = roaring_bitmap_portable_deserialize_size(data, size);
  if (need == 0 || need > size) {
    return absl::InvalidArgumentError(
        fmt::format("malformed or truncated bitmap ({} bytes available)", size));
  }
  roaring_bitmap_t* r = roaring_bitmap_portable_deserialize_safe(data, need);
  if (r == nullptr) {
    return absl::InvalidArgumentError("malformed bitmap");
  }
  Bitmap out;
  out.r_ = bitmap_internal::NullIfEmpty(r);
  if (consumed != nullptr) *consumed = need;
  return out;
}

AUDIENCE_FUNC std::string Bitmap::DebugString(size_t max_ids) const {
  std::vector<uint32_t> ids;
  CollectFrom(0, max_ids, &ids);
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(ids[i]);
  }
  uint64_t n = Cardinality();
  if (n > ids.size()) s += fmt::format(", ... ({} ids)", n);
  s += "}";
  return s;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_BITMAP_INL_H_
