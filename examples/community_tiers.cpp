// A member community over 12 simulated weeks: members earn points by
// posting, tiers bronze / silver / gold follow the points (a preset stage
// model, rerun weekly), roles are administrators / core / ordinary members.
// Saved segments are measured every week into a size history, and a
// baseline check flags the week whose activity falls outside its band.
// Prints the weekly sizes, the tier moves of the last week and the alerts;
// exits non-zero if a check fails.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "audience/audience.h"
#include "fmt/format.h"

using namespace audience;

namespace {

const absl::Time kStart = absl::FromCivil(absl::CivilDay(2026, 9, 7), absl::UTCTimeZone());
constexpr int kWeeks = 12;
constexpr int kMembers = 1500;
constexpr int kQuietWeek = 9;  // a holiday week: a third of the usual activity

const char* Role(int id) { return id <= 10 ? "admin" : id <= 110 ? "core" : "ordinary"; }

}  // namespace

int main() {
  Schema schema;
  const bool declared =
      schema.AddDimension({.name = "role", .kind = DimensionKind::kExclusive,
                           .values = {"admin", "core", "ordinary"}}).ok() &&
      schema.AddAttribute({.name = "points", .type = AttributeType::kInt64}).ok() &&
      schema.AddEventType({.name = "post"}).ok();
  absl::StatusOr<Store> store = Store::Create(schema);
  if (!declared || !store.ok()) return 1;
  const std::vector<std::pair<std::string, std::string>> segments = {
      {"gold", "tier:gold"},
      {"silver", "tier:silver"},
      {"bronze", "tier:bronze"},
      {"admins", "role:admin"},
      {"core", "role:core"},
      {"active_this_week", "did(post, within = 7d)"},
      {"core_gone_quiet", "role:core AND NOT did(post, within = 14d)"}};
  for (const auto& [name, text] : segments) {
    if (!store->PutSegment(name, text).ok()) return 1;
  }
  const StageModel tiers = PresetTiers({.attribute = "points", .silver = 200, .gold = 600});

  std::mt19937 rng(12);
  std::vector<int64_t> points(kMembers + 1, 0);
  SizeHistory history;
  StageRun last_run;
  for (int week = 0; week < kWeeks; ++week) {
    const absl::Time monday = kStart + absl::Hours(24 * 7 * week);
    WriteBatch b(monday);
    for (int id = 1; id <= kMembers; ++id) {
      const auto who = ExternalId::Int(id);
      if (week == 0) b.Tag(who, "role", Role(id));
      // Admins and core members post most; everyone posts less in the quiet week.
      int rate = id <= 10 ? 8 : id <= 110 ? 5 : static_cast<int>(rng() % 3);
      if (week == kQuietWeek) rate /= 3;
      const int posts = static_cast<int>(rng() % static_cast<unsigned>(rate + 1));
      for (int k = 0; k < posts; ++k) {
        b.AddEvent(who, "post", monday + absl::Minutes(static_cast<int64_t>(rng() % (7 * 24 * 60))));
      }
      points[static_cast<size_t>(id)] += 15 * posts;
      b.SetAttribute(who, "points", Value::Int(points[static_cast<size_t>(id)]));
    }
    if (!store->Apply(b).ok()) return 1;
    const absl::Time sunday_night = monday + absl::Hours(24 * 7);
    absl::StatusOr<StageRun> run = RunStages(*store, tiers, {.now = sunday_night});
    if (!run.ok() || !history.RecordSavedSegments(*store, sunday_night).ok()) return 1;
    last_run = *std::move(run);
  }

  fmt::print("Community of {} members over {} weeks: saved segment sizes each week\n\n",
             kMembers, kWeeks);
  const std::vector<std::string> names = history.Names();
  fmt::print("{:>4}", "week");
  for (const std::string& n : names) fmt::print(" {:>{}}", n, std::max<size_t>(n.size(), 6));
  fmt::print("\n");
  for (size_t w = 0; w < static_cast<size_t>(kWeeks); ++w) {
    fmt::print("{:>4}", w + 1);
    for (const std::string& n : names) {
      fmt::print(" {:>{}}", history.Series(n)[w].size, std::max<size_t>(n.size(), 6));
    }
    fmt::print("\n");
  }
  fmt::print("\nTier moves in the last week (rows: before, columns: now):\n{:>10}", "");
  for (const std::string& s : last_run.stages) fmt::print(" {:>7}", s);
  fmt::print("\n");
  for (size_t a = 0; a < last_run.stages.size(); ++a) {
    fmt::print("{:>10}", last_run.stages[a]);
    for (size_t b = 0; b < last_run.stages.size(); ++b) fmt::print(" {:>7}", last_run.moves[a][b]);
    fmt::print("\n");
  }
  const std::vector<BaselineAlert> alerts = CheckBaseline(history.Series("active_this_week"), {});
  fmt::print("\nBaseline check of active_this_week (mean of the 4 weeks before, +/- max(3 sd, 10 %)):\n");
  for (const BaselineAlert& a : alerts) {
    fmt::print("  week {}: {} active, expected {:.0f} (band {:.0f}..{:.0f})\n", a.index + 1,
               a.value, a.expected, a.low, a.high);
  }
  const bool ok = !alerts.empty() && alerts[0].index == static_cast<size_t>(kQuietWeek) &&
                  history.Series("gold").back().size > 0;
  if (!ok) {
    fmt::print(stderr, "a check failed\n");
    return 1;
  }
  return 0;
}
