// Segment: the result of a query: a set of people plus the store version it
// was computed from. A value: copying it copies the bitmap; later writes to
// the store do not change it.
//
//   Segment s = *Evaluate(store, "interest:fashion AND age < 30", {.now = now});
//   uint64_t n = s.count();
//   for (PersonId p : s.Page(/*offset=*/0, /*limit=*/100)) ...
//   SegmentPage page = s.PageFrom(cursor, 1000);   // resumable; page.next
//   SegmentDiff d = Diff(yesterday, today);          // d.entered, d.left
//
// Order: people come in ascending internal id, which is the order in which
// the store first saw them; ExternalIds() maps ids back to the host's ids.
#ifndef AUDIENCE_QUERY_SEGMENT_H_
#define AUDIENCE_QUERY_SEGMENT_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/ids/external_id.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

// One page of a segment and where the next one starts (nullopt: no more).
// A cursor is the next person id to return, so it stays meaningful across
// versions: resuming on a newer result continues after the last id seen.
struct SegmentPage {
  std::vector<PersonId> people;
  std::optional<uint64_t> next;
};

class Segment {
 public:
  Segment() = default;
  Segment(Bitmap people, uint64_t version) : people_(std::move(people)), version_(version) {}

  uint64_t count() const { return people_.Cardinality(); }
  bool empty() const { return people_.IsEmpty(); }
  const Bitmap& people() const { return people_; }
  uint64_t version() const { return version_; }
  bool Contains(PersonId p) const { return people_.Contains(p); }

  // Up to `limit` people from position `offset` (0-based, id order).
  // O(log containers + limit).
  std::vector<PersonId> Page(uint64_t offset, size_t limit) const;
  // Up to `limit` people with id >= cursor (start with cursor 0).
  SegmentPage PageFrom(uint64_t cursor, size_t limit) const;
  // A uniform random sample of min(k, count()) distinct people, in id order;
  // the same seed gives the same sample of the same set.
  std::vector<PersonId> Sample(size_t k, uint64_t seed) const;

  // Set algebra; the result carries the larger of the two versions.
  friend Segment operator&(const Segment& a, const Segment& b);
  friend Segment operator|(const Segment& a, const Segment& b);
  friend Segment operator-(const Segment& a, const Segment& b);
  friend bool operator==(const Segment& a, const Segment& b) {
    return a.people_ == b.people_;
  }

 private:
  Bitmap people_;
  uint64_t version_ = 0;
};

// Who entered and who left between two results of the same query (what a
// timed follow-up triggers on: "entered the dormant segment today").
struct SegmentDiff {
  Segment entered;  // in `after`, not in `before`
  Segment left;     // in `before`, not in `after`
};
SegmentDiff Diff(const Segment& before, const Segment& after);

// The primary external id of each person (people merged away or deleted
// since the segment was computed come back as nullopt).
std::vector<std::optional<ExternalId>> ExternalIds(const Store& store,
                                                   absl::Span<const PersonId> people);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/segment-inl.h"
#endif

#endif  // AUDIENCE_QUERY_SEGMENT_H_
