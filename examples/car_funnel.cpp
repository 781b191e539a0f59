// A car dealer's funnel on generated leads with realistic delays:
// lead -> store visit -> chat contact added -> test drive -> deposit ->
// delivery -> after-sales. Each step is an event; the preset stage model
// places every lead in its furthest stage (written back as the `funnel`
// dimension, so queries reach it). Prints the stage sizes, conversion per
// step with the median delay, and who is stuck: a test drive done, no
// deposit 14 days later. Exits non-zero if a check fails.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

const absl::Time kStart = absl::FromCivil(absl::CivilDay(2026, 1, 5), absl::UTCTimeZone());
const absl::Time kNow = kStart + absl::Hours(24 * 240);  // about eight months of leads
const char* const kSources[] = {"douyin", "wechat", "dealer_site", "walk_in"};

absl::Duration Days(std::mt19937& rng, int lo, int hi) {
  return absl::Hours(24 * lo) +
         absl::Minutes(static_cast<int64_t>(rng() % static_cast<unsigned>((hi - lo) * 24 * 60 + 1)));
}

// One lead's path; each step happens with some probability after a delay.
void Simulate(std::mt19937& rng, int id, WriteBatch& b) {
  const auto who = ExternalId::Int(id);
  absl::Time t = kStart + Days(rng, 0, 235);
  b.Tag(who, "source", kSources[rng() % std::size(kSources)]);
  b.AddEvent(who, "lead", t);
  struct Step {
    const char* event;
    int percent, min_days, max_days;
  };
  const Step steps[] = {{"store_visit", 55, 1, 10},  {"chat_contact_added", 80, 0, 3},
                        {"test_drive", 55, 2, 14},   {"deposit", 40, 7, 14},
                        {"delivery", 95, 30, 90},    {"after_sales", 60, 30, 120}};
  for (const Step& s : steps) {
    if (static_cast<int>(rng() % 100) >= s.percent) return;
    t += Days(rng, s.min_days, s.max_days);
    if (t > kNow) return;  // has not happened yet
    b.AddEvent(who, s.event, t);
  }
}

}  // namespace

int main() {
  Schema schema;
  bool declared = schema.AddDimension({.name = "source"}).ok();
  for (const char* e : {"lead", "store_visit", "chat_contact_added", "test_drive", "deposit",
                        "delivery", "after_sales"}) {
    declared = declared && schema.AddEventType({.name = e}).ok();
  }
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok()) return 1;
  std::mt19937 rng(42);
  WriteBatch leads(kStart);
  for (int id = 1; id <= 5000; ++id) Simulate(rng, id, leads);
  if (!store->Apply(leads).ok()) return 1;

  // Stages written back as tags, then conversion from the stage history.
  absl::StatusOr<StageRun> run = RunStages(*store, PresetCarFunnel(), {.now = kNow});
  if (!run.ok()) {
    fmt::print(stderr, "{}\n", run.status().message());
    return 1;
  }
  fmt::print("Car funnel: 5,000 leads, as of {}\n\nPeople in each stage now:\n",
             absl::FormatTime("%F", kNow, absl::UTCTimeZone()));
  for (size_t s = 0; s < run->stages.size(); ++s) {
    fmt::print("  {:<20} {:>6}\n", run->stages[s], run->sizes[s]);
  }

  // Conversion per step with the median delay, from the events.
  const std::vector<std::string> order = CarFunnelOrder();
  std::vector<FunnelStage> stages;
  for (const std::string& stage : order) {
    stages.push_back({.name = stage, .query = fmt::format("did({})", stage), .event = stage});
  }
  absl::StatusOr<std::vector<FunnelRow>> funnel = Funnel(*store, stages, {.now = kNow});
  if (!funnel.ok()) return 1;
  fmt::print("\n{:<20} {:>7} {:>11} {:>13}\n", "step", "reached", "conversion", "median delay");
  bool ok = true;
  for (const FunnelRow& row : *funnel) {
    const std::string delay =
        row.median_time ? fmt::format("{:.1f} days", absl::ToDoubleHours(*row.median_time) / 24) : "";
    fmt::print("{:<20} {:>7} {:>10.1f}% {:>13}\n", row.name, row.reached, 100 * row.rate, delay);
  }
  // The stage history agrees with the events (both count "reached or later").
  absl::StatusOr<std::vector<FunnelStep>> history =
      FunnelConversion(*store, "funnel", order, kNow);
  ok = ok && history.ok() && history->size() + 1 == funnel->size();
  for (size_t i = 0; ok && i < history->size(); ++i) {
    ok = (*history)[i].reached_to == (*funnel)[i + 1].reached;
  }

  // Who is stuck: a test drive more than 14 days ago, no deposit since.
  const std::string stuck =
      "funnel:test_drive AND NOT did(test_drive, within = 14d) AND NOT did(deposit)";
  absl::StatusOr<Segment> stuck_people = Evaluate(*store, stuck, {.now = kNow});
  if (!stuck_people.ok()) return 1;
  fmt::print("\nStuck after a test drive (no deposit within 14 days): {} people\n  {}\n",
             stuck_people->count(), stuck);
  const EventIndex& drives = store->event_type(*schema.EventTypeIdOf("test_drive"));
  for (PersonId p : stuck_people->Page(0, 5)) {
    const int64_t days = (absl::ToUnixSeconds(kNow) - drives.Aggregate(p)->last_time) / 86400;
    fmt::print("  lead {:>4}: test drive {} days ago\n",
               store->ids().IdsOf(p).front().ToString(), days);
  }
  absl::StatusOr<uint64_t> by_source =
      Count(*store, "(" + stuck + ") AND source:douyin", {.now = kNow});
  if (by_source.ok()) fmt::print("  of whom from douyin: {}\n", *by_source);
  ok = ok && stuck_people->count() > 0;
  if (!ok) {
    fmt::print(stderr, "a check failed\n");
    return 1;
  }
  return 0;
}
