// Definitions for segment.h.
#ifndef AUDIENCE_QUERY_SEGMENT_INL_H_
#define AUDIENCE_QUERY_SEGMENT_INL_H_

#include <algorithm>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "audience/query/segment.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC std::vector<PersonId> Segment::Page(uint64_t offset, size_t limit) const {
  std::vector<PersonId> out;
  uint32_t first = 0;
  if (limit == 0 || !people_.Select(offset, &first)) return out;
  people_.CollectFrom(first, limit, &out);
  return out;
}

AUDIENCE_FUNC SegmentPage Segment::PageFrom(uint64_t cursor, size_t limit) const {
  SegmentPage page;
  if (cursor > UINT32_MAX) return page;
  people_.CollectFrom(static_cast<uint32_t>(cursor), limit, &page.people);
  if (!page.people.empty() && page.people.size() == limit) {
    uint64_t next = uint64_t{page.people.back()} + 1;
    if (next <= people_.Maximum()) page.next = next;
  }
  return page;
}

AUDIENCE_FUNC std::vector<PersonId> Segment::Sample(size_t k, uint64_t seed) const {
  const uint64_t n = count();
  std::vector<PersonId> out;
  if (k >= n) {
    out = people_.ToVector();
    return out;
  }
  // Floyd's algorithm: k distinct ranks in O(k) draws, then Select each.
  std::mt19937_64 rng(seed);
  absl::flat_hash_set<uint64_t> ranks;
  for (uint64_t j = n - k; j < n; ++j) {
    uint64_t r = std::uniform_int_distribution<uint64_t>(0, j)(rng);
    if (!ranks.insert(r).second) ranks.insert(j);
  }
  out.reserve(k);
  for (uint64_t r : ranks) {
    uint32_t id = 0;
    if (people_.Select(r, &id)) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

AUDIENCE_FUNC Segment operator&(const Segment& a, const Segment& b) {
  return Segment(a.people_ & b.people_, std::max(a.version_, b.version_));
}
AUDIENCE_FUNC Segment operator|(const Segment& a, const Segment& b) {
  return Segment(a.people_ | b.people_, std::max(a.version_, b.version_));
}
AUDIENCE_FUNC Segment operator-(const Segment& a, const Segment& b) {
  return Segment(a.people_ - b.people_, std::max(a.version_, b.version_));
}

AUDIENCE_FUNC SegmentDiff Diff(const Segment& before, const Segment& after) {
  return SegmentDiff{.entered = after - before, .left = Segment(before.people() - after.people(), after.version())};
}

AUDIENCE_FUNC std::vector<std::optional<ExternalId>> ExternalIds(
    const Store& store, absl::Span<const PersonId> people) {
  std::vector<std::optional<ExternalId>> out;
  out.reserve(people.size());
  for (PersonId p : people) {
    out.push_back(store.universe().Contains(p) ? store.ids().PrimaryId(p) : std::nullopt);
  }
  return out;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_SEGMENT_INL_H_
