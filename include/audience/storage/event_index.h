// EventIndex: the events of one type ("purchase", "visit"): per-person
// timelines and aggregates, and day-bucketed bitmaps that answer windowed
// questions ("did X in the last 30 days", "at least 2 times", "spent > 100")
// without rescanning every event for every query.
//
//   EventIndex purchases(spec);                  // properties: category (indexed)
//   purchases.Add({.person = p, .time = t, .amount = 59, .properties = {"skincare"}});
//   WindowFilter last30{now - 30 * kSecondsPerDay, now,
//                       {{0, *purchases.FindPropertyValue(0, "skincare")}}};
//   Bitmap twice = purchases.SelectInWindow(last30,
//       [](const WindowStats& s) { return s.count >= 2; });
//
// Structure:
// - Per person: an aggregate (count, first, last, sum, max) updated on every
//   Add, and a timeline of points {time, count, amount, max amount, one
//   interned value id per property} sorted by time. A late (out-of-order)
//   event is inserted in place: O(events of that person) for the shift.
// - Per property, a dictionary value <-> dense value id (append-only: ids
//   stay valid for the index's lifetime, also after RemovePerson).
// - Per UTC day (day = floor(time / 86400), also before 1970), the bitmap of
//   people with >= 1 event that day; per value of an INDEXED property, its own
//   day bitmaps. Empty day bitmaps are dropped.
// Windowed reads (window = time in [from, to), AND of property equalities):
// - Candidates: OR of the day bitmaps of the window's days (those of each
//   indexed equality, intersected across equalities; all events' days when no
//   equality is indexed). With no equality, or a single one on an indexed
//   property, the days wholly inside the window answer exactly; only the
//   people of the two partial edge days are checked against their timelines.
//   Otherwise (non-indexed or several equalities) every candidate is checked.
// - A check searches the person's timeline for `from` (exponential search
//   from the newest point, so recent windows stay in the last cache lines)
//   and walks only the in-window points. So DidInWindow costs D bitmap ORs
//   (D = days in window) plus, per checked candidate, O(log n + in-window
//   points); SelectInWindow does the check for every candidate, in prefetched
//   batches. Never a scan of all events.
// Rules:
// - A non-empty event id is remembered for the index's lifetime (also across
//   compaction): a later event with the same id is ignored (Add returns false),
//   so replaying old input is harmless. Cost: each id's bytes twice (a global
//   set plus the owner's list) plus ~40 bytes of set/string overhead.
//   RemovePerson forgets the person's ids with the rest of their data.
// - Compact(horizon) collapses the points with time < horizon into one point
//   per (person, UTC day, property values) at the day's start (points of a day
//   ordered by value ids). Aggregates stay exact; history older than the
//   horizon has day resolution: a window whose edge falls inside a compacted
//   day sees that day's events at 00:00 UTC (included iff from <= day start).
//   WindowStats.first/last then report day starts.
// - An equality naming an unknown property or value id matches nothing.
// Thread-safety: const methods may run concurrently; writes need exclusion.
#ifndef AUDIENCE_STORAGE_EVENT_INDEX_H_
#define AUDIENCE_STORAGE_EVENT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "audience/base/byte_io.h"
#include "audience/base/config.h"
#include "audience/base/types.h"
#include "audience/schema/schema.h"
#include "audience/storage/bitmap.h"

AUDIENCE_BEGIN_NAMESPACE

struct EventInput {
  PersonId person = 0;
  UnixSeconds time = 0;
  double amount = 0;  // money for purchases; 0 for generic events
  // Aligned with the spec's properties; "" or missing (shorter vector) = absent.
  std::vector<std::string> properties{};
  std::string event_id{};  // "" = none
};

struct PersonAggregate {
  uint32_t count = 0;
  UnixSeconds first_time = 0;
  UnixSeconds last_time = 0;
  double sum = 0;
  double max = 0;
  friend bool operator==(const PersonAggregate&, const PersonAggregate&) = default;
};

struct PropertyEquals {
  uint32_t property = 0;  // index into the spec's properties
  uint32_t value_id = 0;  // from FindPropertyValue
};

// Events with time in [from, to) matching every equality. from >= to is empty.
struct WindowFilter {
  UnixSeconds from = 0;
  UnixSeconds to = 0;
  std::vector<PropertyEquals> equals{};
};

// Over the matching events: count, amount sum and max, first and last time.
// max/first/last are meaningful only when count > 0.
struct WindowStats {
  uint32_t count = 0;
  double sum = 0;
  double max = 0;
  UnixSeconds first = 0;
  UnixSeconds last = 0;
  friend bool operator==(const WindowStats&, const WindowStats&) = default;
};

// One stored point of a person's timeline: a single event, or after
// compaction all the events of one person, day and property values.
struct EventPoint {
  UnixSeconds time = 0;
  uint32_t count = 0;      // events the point stands for (1 unless compacted)
  double amount = 0;       // their amount sum
  double max_amount = 0;   // their largest amount
  // One value id per property (PropertyValueName), or EventIndex::kNoValue.
  absl::Span<const uint32_t> values{};
};

class EventIndex {
 public:
  // Value id of a property an event did not carry.
  static constexpr uint32_t kNoValue = UINT32_MAX;
  static constexpr size_t kMaxEventIdBytes = 128;
  // |time| beyond this (about year 5138 either way) is refused by Check.
  static constexpr UnixSeconds kMaxAbsTime = UnixSeconds{100'000'000'000};

  explicit EventIndex(const EventTypeSpec& spec);
  const std::string& name() const { return name_; }
  size_t property_count() const { return props_.size(); }

  // InvalidArgument, naming the event type, the field and the value, for: the
  // reserved person kNoPerson, |time| > kMaxAbsTime, a NaN/infinite amount,
  // more values than declared properties, a property value that is not 1..256
  // bytes of valid UTF-8 without control characters (Schema::ValidateValue),
  // an event id over kMaxEventIdBytes. Event ids may hold any bytes.
  absl::Status Check(const EventInput& e) const;
  // Precondition: Check(e).ok(). Returns false, changing nothing, when the
  // event id was seen before. Cost: O(log days) + O(shift) for late events.
  bool Add(const EventInput& e);
  bool HasEventId(std::string_view id) const;

  // nullptr if the person has no event. Valid until the next write.
  const PersonAggregate* Aggregate(PersonId person) const;
  // Everyone with >= 1 event (of this type).
  const Bitmap& People() const { return people_bitmap_; }
  // nullopt for an unknown property index or a value never seen.
  std::optional<uint32_t> FindPropertyValue(uint32_t property, std::string_view value) const;
  // Precondition: the ids are valid (from FindPropertyValue).
  const std::string& PropertyValueName(uint32_t property, uint32_t value_id) const {
    return props_[property].names[value_id];
  }
  // Number of distinct values seen for `property` (0 if unknown).
  size_t PropertyValueCount(uint32_t property) const {
    return property < props_.size() ? props_[property].names.size() : 0;
  }

  // Calls f(const EventPoint&) for each point of `person`, oldest first (for
  // export and test oracles; queries use the windowed reads below).
  template <typename F>
  void ForEachPoint(PersonId person, F&& f) const;

  // People with >= 1 matching event; only those in `within` when given
  // (the timelines of people outside it are never read).
  Bitmap DidInWindow(const WindowFilter& f, const Bitmap* within = nullptr) const;
  // People with >= 1 matching event whose stats satisfy pred(const
  // WindowStats&) -> bool. Only candidates are visited, so "0 times" must be
  // asked as (universe - DidInWindow), e.g. at-most-K = universe minus
  // SelectInWindow(count > K).
  template <typename Pred>
  Bitmap SelectInWindow(const WindowFilter& f, Pred pred, const Bitmap* within = nullptr) const;
  // O(log n + in-window points of the person).
  WindowStats StatsInWindow(PersonId person, const WindowFilter& f) const;

  // See "Rules" above. Returns the number of points removed (events held do
  // not change). O(people + points older than the horizon, x log of a day's
  // points): every call re-walks all old points, so call it occasionally.
  size_t Compact(UnixSeconds horizon);
  // Forgets the person's events, aggregate and event ids. No-op if none.
  void RemovePerson(PersonId person);
  // Moves `from`'s events and ids to `into`; aggregates combine (count and
  // sum add, first = min, last = max, max = max). No-op if from == into or
  // from has no events.
  void MergePerson(PersonId from, PersonId into);

  // Events held (a compacted point counts all its events).
  uint64_t event_count() const { return event_count_; }
  // Approximate heap bytes.
  size_t MemoryBytes() const;
  // Layout in event_index_codec-inl.h. Deserialize validates everything it
  // reads (DataLoss on damage, never a crash) against `spec`.
  void Serialize(ByteWriter& w) const;
  static absl::StatusOr<EventIndex> Deserialize(ByteReader& r, const EventTypeSpec& spec);
  // Same name, dictionaries, timelines, aggregates and event ids.
  friend bool operator==(const EventIndex& a, const EventIndex& b);

 private:
  static constexpr uint32_t kAbsent = kNoValue;
  using DayMap = absl::btree_map<int32_t, Bitmap>;
  struct Point {
    UnixSeconds time = 0;
    uint32_t count = 0;
    double amount = 0;      // sum over the point's events
    double max_amount = 0;  // max over the point's events
    friend bool operator==(const Point&, const Point&) = default;
  };
  struct PersonEvents {
    PersonAggregate aggregate;
    std::vector<Point> points;
    std::vector<uint32_t> values;  // points.size() x property count, row-major
    std::vector<std::string> event_ids;
  };
  struct Property {
    std::string name;
    bool indexed = false;
    std::vector<std::string> names;
    absl::flat_hash_map<std::string, uint32_t> ids;
    std::vector<DayMap> days;  // indexed only: per value id
  };
  // `sure` match for certain; `check` must be checked (disjoint from sure).
  struct Candidates {
    Bitmap sure;
    Bitmap check;
  };

  static int32_t DayOf(UnixSeconds t);
  bool Matches(const PersonEvents& pe, size_t point, const WindowFilter& f) const;
  // Index of the first point with time >= t.
  static size_t LowerBound(const PersonEvents& pe, UnixSeconds t);
  WindowStats Accumulate(const PersonEvents& pe, const WindowFilter& f) const;
  // visit(person, stats) for each person of `people` with >= 1 matching
  // event, ascending. Works in batches whose hash slots and timeline tails are
  // prefetched first, so the cache misses of a batch overlap.
  void ForEachStats(const Bitmap& people, const WindowFilter& f,
                    absl::FunctionRef<void(PersonId, const WindowStats&)> visit) const;
  Candidates FindCandidates(const WindowFilter& f) const;
  void IndexDays(PersonId person, const PersonEvents& pe, bool add);
  void InsertPoint(PersonEvents& pe, const Point& point, const uint32_t* values);
  static void CompactTimeline(PersonEvents& pe, size_t end, size_t n);

  std::string name_;
  std::vector<Property> props_;
  absl::flat_hash_map<PersonId, PersonEvents> people_;
  Bitmap people_bitmap_;
  DayMap days_;
  absl::flat_hash_set<std::string> event_ids_;
  uint64_t event_count_ = 0;
};

template <typename F>
void EventIndex::ForEachPoint(PersonId person, F&& f) const {
  auto it = people_.find(person);
  if (it == people_.end()) return;
  const PersonEvents& pe = it->second;
  const size_t n = props_.size();
  for (size_t i = 0; i < pe.points.size(); ++i) {
    const Point& p = pe.points[i];
    f(EventPoint{.time = p.time, .count = p.count, .amount = p.amount,
                 .max_amount = p.max_amount,
                 .values = absl::Span<const uint32_t>(pe.values.data() + i * n, n)});
  }
}

template <typename Pred>
Bitmap EventIndex::SelectInWindow(const WindowFilter& f, Pred pred, const Bitmap* within) const {
  Candidates c = FindCandidates(f);
  c.sure |= c.check;
  if (within != nullptr) c.sure &= *within;
  std::vector<PersonId> out;
  ForEachStats(c.sure, f, [&](PersonId p, const WindowStats& s) {
    if (pred(s)) out.push_back(p);
  });
  return Bitmap::FromIds(out);
}

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/storage/event_index-inl.h"
#endif

#endif  // AUDIENCE_STORAGE_EVENT_INDEX_H_
