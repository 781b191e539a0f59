// `audience report`: one self-contained HTML page of a snapshot.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/ops/report.h"
#include "audience/store/snapshot.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kReportUsage = R"(Usage: audience report STORE --out FILE.html [options]

Writes one self-contained HTML page (no network needed) of the snapshot
STORE: saved segment sizes, the RFM grid (R x F cells: customers and mean
monetary value), the lifecycle distribution and its transitions, and the
segment size history when --history is given.

Options:
  --out FILE        the page to write (required; replaced if it exists)
  --now TIME        the time the numbers are taken at (tag expiry, `now` in
                    saved segments): YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS',
                    YYYY-MM-DDTHH:MM:SSZ or Unix seconds. Default: the clock.
  --title TEXT      the page title (default: the store's file name)
  --history FILE    a size history (SizeHistory::Save) to chart
  --rfm-prefix P    the RFM dimensions P.r and P.f (default rfm)
  --lifecycle NAME  the stage model's dimension (default lifecycle)
  --monetary-event TYPE  the event type of the RFM cells' mean monetary
                    value (default purchase)
  -h, --help        this text

Example:
  audience report cdnow.aud --out cdnow.html --now 1998-07-01

Exit codes: 0 ok, 1 I/O error or corrupt store/history, 2 a saved segment
does not compile, 64 usage.
)";

struct Options {
  std::string store, out, title, history;
  aud::ReportOptions report;
  std::optional<absl::Time> now;
};

std::optional<int> Parse(ArgCursor& args, Options* o) {
  auto usage = [](const absl::Status& s) { return ReportUsage("report", s); };
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!o->store.empty()) {
        return ReportUsage("report", fmt::format("unexpected argument '{}'", t.text));
      }
      o->store = t.name;
      continue;
    }
    if (t.name == "help") {
      fmt::print("{}", kReportUsage);
      return kExitOk;
    }
    const bool takes_value = t.name == "out" || t.name == "now" || t.name == "title" ||
                             t.name == "history" || t.name == "rfm-prefix" ||
                             t.name == "lifecycle" || t.name == "monetary-event";
    if (!takes_value) return ReportUsage("report", fmt::format("unknown option '{}'", t.text));
    absl::StatusOr<std::string> v = args.Value(t);
    if (!v.ok()) return usage(v.status());
    if (t.name == "out") {
      o->out = *v;
    } else if (t.name == "now") {
      absl::StatusOr<absl::Time> now = ParseNow(*v);
      if (!now.ok()) return usage(now.status());
      o->now = *now;
    } else if (t.name == "title") {
      o->title = *v;
    } else if (t.name == "history") {
      o->history = *v;
    } else if (t.name == "rfm-prefix") {
      o->report.rfm_prefix = *v;
    } else if (t.name == "lifecycle") {
      o->report.lifecycle = *v;
    } else {
      o->report.monetary_event = *v;
    }
  }
  if (o->store.empty()) return ReportUsage("report", "expected STORE");
  if (o->out.empty()) return ReportUsage("report", "--out FILE is required");
  return std::nullopt;
}

int Run(Options& o) {
  absl::StatusOr<aud::Store> store = aud::OpenSnapshot(o.store);
  if (!store.ok()) return Report("report", store.status(), kExitRuntime);
  std::optional<aud::SizeHistory> history;
  if (!o.history.empty()) {
    absl::StatusOr<aud::SizeHistory> h = aud::SizeHistory::Open(o.history);
    if (!h.ok()) return Report("report", h.status(), kExitRuntime);
    history = *std::move(h);
    o.report.history = &*history;
  }
  o.report.now = o.now ? *o.now : absl::Now();
  absl::StatusOr<aud::ReportData> data = aud::CollectReport(*store, o.report);
  if (!data.ok()) return Report("report", data.status(), kExitQuery);
  const std::string title = o.title.empty() ? o.store : o.title;
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out << aud::RenderReportHtml(*data, title);
  out.close();
  if (!out) {
    return Report("report", absl::UnavailableError(fmt::format("cannot write '{}'", o.out)),
                  kExitRuntime);
  }
  fmt::print("wrote {}: {} people, {} saved segments, RFM grid {}, {} lifecycle stages, {} "
             "history series\n", o.out, data->people, data->segments.size(),
             data->rfm_bins > 0 ? fmt::format("{0}x{0}", data->rfm_bins) : "absent",
             data->lifecycle.size(), data->history.size());
  return kExitOk;
}

}  // namespace

std::string_view ReportCommandUsage() { return kReportUsage; }

int RunReportCommand(ArgCursor& args) {
  Options o;
  if (std::optional<int> code = Parse(args, &o)) return *code;
  return Run(o);
}

}  // namespace audience_cli
