#include "audience/ops/report.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <string>

#include "scoped_temp_path.h"
#include "store/test_store_util.h"

using namespace audience;
using audience_test::Day;
using audience_test::FullStore;
using audience_test::MustApply;

namespace {

// 400 people with purchases over a year, RFM and two lifecycle runs (so
// that transitions exist), saved segments and a size history.
struct Fixture {
  Store store = FullStore();
  SizeHistory history;
  absl::Time now = Day(2026, 6, 1);

  Fixture() {
    std::mt19937 rng(21);
    WriteBatch b(Day(2025, 6, 1));
    for (int i = 0; i < 400; ++i) {
      const auto id = ExternalId::Int(i);
      const int orders = static_cast<int>(rng() % 6);
      for (int k = 0; k < orders; ++k) {
        b.Purchase(id, Day(2025, 6, 1) + absl::Hours(24 * static_cast<int>(rng() % 360)),
                   5 + static_cast<double>(rng() % 200));
      }
      b.AddEvent(id, "visit", Day(2025, 6, 1) + absl::Hours(24 * static_cast<int>(rng() % 365)));
      if (i % 3 == 0) b.Tag(id, "interest", "fashion");
    }
    MustApply(store, b);
    RfmRunOptions rfm;
    rfm.inputs.now = now;
    REQUIRE(RunRfm(store, rfm).ok());
    const StageModel life = PresetLifecycle({.engagement_events = {"visit"}});
    REQUIRE(RunStages(store, life, {.now = now - absl::Hours(24 * 60)}).ok());
    REQUIRE(RunStages(store, life, {.now = now}).ok());
    REQUIRE(store.PutSegment("fashion", "interest:fashion").ok());
    REQUIRE(store.PutSegment("champions", "rfm.segment:champions").ok());
    for (int w = 0; w < 5; ++w) {
      REQUIRE(history.Record("fashion", now - absl::Hours(24 * 7 * (4 - w)), 100 + 3 * w).ok());
    }
  }
};

// Runs headless Chromium on `html_path` and returns the DOM after scripts.
std::string DumpDom(const std::string& html_path) {
  const std::string command = "chromium --headless --no-sandbox --disable-gpu --dump-dom file://" +
                              html_path + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string dom;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) dom.append(buffer, n);
  const int rc = ::pclose(pipe);
  INFO("chromium exit status " << rc << " (scripts/install-deps installs Debian's chromium)");
  REQUIRE(rc == 0);
  return dom;
}

}  // namespace

TEST_CASE("the report collects what the store holds", "[ops][report]") {
  Fixture fx;
  absl::StatusOr<ReportData> data =
      CollectReport(fx.store, {.now = fx.now, .history = &fx.history});
  REQUIRE(data.ok());
  CHECK(data->people == 400);
  REQUIRE(data->segments.size() == 2);
  CHECK(data->segments[1] == std::pair<std::string, uint64_t>{
                                 "fashion", *Count(fx.store, "interest:fashion", {.now = fx.now})});
  REQUIRE(data->rfm_bins == 5);
  uint64_t scored = 0;
  for (uint64_t n : data->rfm_count) scored += n;
  CHECK(scored == *Count(fx.store, "has(rfm.r)", {.now = fx.now}));
  // One cell by query, with its mean monetary from the event aggregates.
  const Segment cell = *Evaluate(fx.store, "rfm.r:'5' AND rfm.f:'4'", {.now = fx.now});
  CHECK(data->rfm_count[(5 - 1) * 5 + (4 - 1)] == cell.count());
  double sum = 0;
  const EventIndex& purchases = fx.store.event_type(*fx.store.schema().EventTypeIdOf("purchase"));
  cell.people().ForEach([&](PersonId p) {
    sum += purchases.Aggregate(p)->sum;
    return true;
  });
  CHECK(data->rfm_mean[(5 - 1) * 5 + (4 - 1)] ==
        Approx(cell.count() ? sum / static_cast<double>(cell.count()) : 0));
  uint64_t staged = 0;
  for (const auto& [stage, n] : data->lifecycle) {
    CHECK(n == *Count(fx.store, "lifecycle:'" + stage + "'", {.now = fx.now}));
    staged += n;
  }
  CHECK(staged == 400);
  REQUIRE_FALSE(data->stages.empty());
  for (size_t a = 0; a < data->stages.size(); ++a) {
    for (size_t b = 0; b < data->stages.size(); ++b) {
      CHECK(data->transitions[a][b] ==
            *Count(fx.store,
                   "lifecycle.previous:'" + data->stages[a] + "' AND lifecycle:'" + data->stages[b] + "'",
                   {.now = fx.now}));
    }
  }
  REQUIRE(data->history.size() == 1);
  CHECK(data->history[0].second.back().size == 112);
}

TEST_CASE("a browser shows the library's numbers in the report", "[ops][report][browser]") {
  Fixture fx;
  const ReportData data = *CollectReport(fx.store, {.now = fx.now, .history = &fx.history});
  const audience_test::ScopedTempPath tmp("report.html");
  const std::string& path = tmp.path();
  std::ofstream(path) << RenderReportHtml(data, "Test <shop> & \"friends\"");
  const std::string dom = DumpDom(path);
  CHECK_THAT(dom, Catch::Contains("Test &lt;shop&gt; &amp; \"friends\""));
  std::map<std::string, std::string> shown;
  const std::regex metric(R"re(data-metric="([^"]*)"[^>]*>([^<]*)<)re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), metric); it != std::sregex_iterator(); ++it) {
    shown[(*it)[1].str()] = (*it)[2].str();
  }
  const auto expected = ReportMetrics(data);
  CHECK(expected.size() > 60);
  CHECK(shown.size() == expected.size());
  for (const auto& [key, value] : expected) {
    INFO(key);
    REQUIRE(shown.contains(key));
    CHECK(std::stod(shown[key]) == Approx(value).margin(0.006));
  }
}
