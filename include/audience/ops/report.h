// The report: one self-contained HTML page (inline CSS, script and SVG; no
// network) with what an operations team looks at first: saved segment
// sizes, the RFM grid (R x F cells with counts and mean monetary), the
// lifecycle distribution and its transitions, and segment size history.
//
//   ReportOptions o{.now = now, .history = &history};
//   AUDIENCE_ASSIGN_OR_RETURN(ReportData data, CollectReport(store, o));
//   std::string html = RenderReportHtml(data, "CDNOW, July 1998");
//
// The page renders the numbers from an embedded JSON copy of ReportData;
// every number shown carries data-metric="<key>" with the keys of
// ReportMetrics, so a browser test can compare what is shown with the
// library (tests/ops/report_test.cpp does, in headless Chromium).
#ifndef AUDIENCE_OPS_REPORT_H_
#define AUDIENCE_OPS_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/ops/metrics.h"

AUDIENCE_BEGIN_NAMESPACE

class Store;

struct ReportOptions {
  absl::Time now = absl::UnixEpoch();
  // RFM scores as written by RunRfm: dimensions <prefix>.r and <prefix>.f
  // with values "1".."k". No grid when they are missing.
  std::string rfm_prefix = "rfm";
  // Mean monetary of a cell: its people's total amount of this event type.
  std::string monetary_event = "purchase";
  // A stage model's dimension and <name>.previous (RunStages). No lifecycle
  // section when missing.
  std::string lifecycle = "lifecycle";
  const SizeHistory* history = nullptr;  // no history section when null
};

struct ReportData {
  absl::Time now;
  uint64_t people = 0;
  std::vector<std::pair<std::string, uint64_t>> segments;  // saved segments, by name
  int rfm_bins = 0;                                        // 0: no grid
  std::vector<uint64_t> rfm_count;      // [(r - 1) * bins + (f - 1)]
  std::vector<double> rfm_mean;         // mean monetary per cell (0 when empty)
  std::vector<std::pair<std::string, uint64_t>> lifecycle;  // stages, most people first
  std::vector<std::string> stages;                          // transition rows/columns
  std::vector<std::vector<uint64_t>> transitions;           // [previous][current]
  std::vector<std::pair<std::string, std::vector<SizePoint>>> history;
};

// The error of a saved segment that no longer evaluates (SavedSegmentSizes).
absl::StatusOr<ReportData> CollectReport(const Store& store, const ReportOptions& options);

// The page. Names are escaped; the page needs nothing beyond itself.
std::string RenderReportHtml(const ReportData& data, std::string_view title);

// Every number the page shows, as (data-metric key, value): "people",
// "segment:<name>", "rfm:<r>:<f>:count", "rfm:<r>:<f>:mean",
// "lifecycle:<stage>", "transition:<from>:<to>", "history:<name>:last".
std::vector<std::pair<std::string, double>> ReportMetrics(const ReportData& data);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/ops/report-inl.h"
#endif

#endif  // AUDIENCE_OPS_REPORT_H_
