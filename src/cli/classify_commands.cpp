// `audience rfm` and `audience models`: run a classifier over a snapshot,
// print what a person reads, and save the results into the snapshot.
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/base/duration.h"
#include "audience/classify/model_run.h"
#include "audience/classify/rfm_run.h"
#include "audience/store/snapshot.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kRfmUsage = R"(Usage: audience rfm STORE [--preset NAME] [--method METHOD] [--now TIME]
                    [--window DURATION] [--frequency events|days] [--monetary sum|mean]
                    [--event-type NAME]

Scores every customer with a purchase on recency, frequency and monetary value
(1..5), names the groups, prints the group sizes and the moves since the last
run, and saves into STORE the tags rfm.r, rfm.f, rfm.m, rfm.code, rfm.segment
and rfm.segment_previous (docs/classifiers.md).

Options:
  --preset NAME     codes125 (default: the 11 groups over 125 R-F-M codes),
                    rf-grid, shopify, r-package, r-package-readme
  --method METHOD   quantile (default), r-package (the R rfm package's breaks)
  --now TIME        the analysis time (as --now of `audience query`); default:
                    the clock. Purchases after it are ignored.
  --window DURATION only purchases in the last DURATION (e.g. 365d)
  --frequency       events (default) or days (distinct purchase days)
  --monetary        sum (default) or mean per purchase
  --event-type NAME the purchase event type (default purchase)
  -h, --help        this text

Exit codes: 0 ok, 1 cannot open or save the store, 3 the data cannot be
scored (e.g. no purchases), 64 usage.
)";

constexpr std::string_view kModelsUsage = R"(Usage: audience models STORE [--now TIME] [--unit week|day] [--horizon N]
                       [--event-type NAME]

Fits BG/NBD and Gamma-Gamma on every purchase up to --now, prints the
parameters and the spread of P(alive), and saves into STORE the attributes
p_alive, expected_purchases (next --horizon units), expected_spend, clv and
models_computed_at (docs/classifiers.md).

Options:
  --now TIME        the calibration end (default: the clock)
  --unit week|day   the models' time unit (default week)
  --horizon N       units ahead for expected_purchases (default 52)
  --event-type NAME the purchase event type (default purchase)
  -h, --help        this text

Exit codes: 0 ok, 1 cannot open or save the store, 3 nothing to fit, 64 usage.
)";

// The value of a flag from a fixed list, or a usage error naming the choices.
std::optional<std::string> Choice(ArgCursor& args, const ArgCursor::Token& t,
                                  const std::vector<std::string>& choices, int* code,
                                  std::string_view command) {
  absl::StatusOr<std::string> v = args.Value(t);
  if (!v.ok()) {
    *code = ReportUsage(command, v.status());
    return std::nullopt;
  }
  for (const std::string& c : choices) {
    if (*v == c) return *v;
  }
  std::string known;
  for (const std::string& c : choices) known += (known.empty() ? "" : ", ") + c;
  *code = ReportUsage(command, fmt::format("--{} '{}': expected one of {}", t.name, *v, known));
  return std::nullopt;
}

absl::StatusOr<aud::RfmSegmenter> Preset(const std::string& name) {
  if (name == "codes125") return aud::RfmSegmenter::FromCodeTable(aud::PresetRfm125Codes());
  if (name == "rf-grid") return aud::RfmSegmenter::FromRules(aud::PresetRfGrid());
  if (name == "shopify") return aud::RfmSegmenter::FromRules(aud::PresetShopify());
  if (name == "r-package") return aud::RfmSegmenter::FromRules(aud::PresetRfmRPackage());
  return aud::RfmSegmenter::FromRules(aud::PresetRfmRPackageReadme());
}

int Save(std::string_view command, const aud::Store& store, const std::string& path) {
  if (absl::Status s = aud::SaveSnapshot(store, path); !s.ok()) {
    return Report(command, s, kExitRuntime);
  }
  return kExitOk;
}

void PrintRfm(const aud::RfmRun& run) {
  PrintGroups(fmt::format("{} customers scored", run.people.size()), run.segments, run.sizes,
              run.moves, "customers");
}

}  // namespace

std::string_view RfmUsage() { return kRfmUsage; }
std::string_view ModelsUsage() { return kModelsUsage; }

int RunRfmCommand(ArgCursor& args) {
  std::string store_path;
  std::string preset = "codes125";
  aud::RfmRunOptions o;
  std::optional<absl::Time> now;
  int code = kExitOk;
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!store_path.empty()) return ReportUsage("rfm", fmt::format("unexpected argument '{}'", t.text));
      store_path = t.name;
    } else if (t.name == "help") {
      fmt::print("{}", kRfmUsage);
      return kExitOk;
    } else if (t.name == "preset") {
      auto v = Choice(args, t, {"codes125", "rf-grid", "shopify", "r-package", "r-package-readme"},
                      &code, "rfm");
      if (!v) return code;
      preset = *v;
    } else if (t.name == "method") {
      auto v = Choice(args, t, {"quantile", "r-package"}, &code, "rfm");
      if (!v) return code;
      o.scoring.method = *v == "quantile" ? aud::RfmMethod::kQuantile : aud::RfmMethod::kRPackage;
    } else if (t.name == "frequency") {
      auto v = Choice(args, t, {"events", "days"}, &code, "rfm");
      if (!v) return code;
      o.inputs.frequency = *v == "events" ? aud::RfmStoreOptions::Frequency::kEvents
                                          : aud::RfmStoreOptions::Frequency::kDistinctDays;
    } else if (t.name == "monetary") {
      auto v = Choice(args, t, {"sum", "mean"}, &code, "rfm");
      if (!v) return code;
      o.inputs.monetary = *v == "sum" ? aud::RfmStoreOptions::Monetary::kSum
                                      : aud::RfmStoreOptions::Monetary::kMean;
    } else if (t.name == "now" || t.name == "window" || t.name == "event-type") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("rfm", v.status());
      if (t.name == "event-type") {
        o.inputs.event_type = *v;
      } else if (t.name == "now") {
        absl::StatusOr<absl::Time> parsed = ParseNow(*v);
        if (!parsed.ok()) return ReportUsage("rfm", parsed.status());
        now = *parsed;
      } else {
        absl::StatusOr<absl::Duration> d = aud::ParseDuration(*v);
        if (!d.ok()) return ReportUsage("rfm", fmt::format("--window '{}': {}", *v, d.status().message()));
        o.inputs.window = *d;
      }
    } else {
      return ReportUsage("rfm", fmt::format("unknown option '{}'", t.text));
    }
  }
  if (store_path.empty()) return ReportUsage("rfm", "expected STORE");
  o.inputs.now = now ? *now : absl::Now();
  absl::StatusOr<aud::RfmSegmenter> segments = Preset(preset);
  if (!segments.ok()) return Report("rfm", segments.status(), kExitRuntime);
  o.segments = *segments;
  absl::StatusOr<aud::Store> store = aud::OpenSnapshot(store_path);
  if (!store.ok()) return Report("rfm", store.status(), kExitRuntime);
  absl::StatusOr<aud::RfmRun> run = aud::RunRfm(*store, o);
  if (!run.ok()) return Report("rfm", run.status(), kExitData);
  PrintRfm(*run);
  return Save("rfm", *store, store_path);
}

int RunModelsCommand(ArgCursor& args) {
  std::string store_path;
  aud::ModelRunOptions o;
  std::optional<absl::Time> now;
  int code = kExitOk;
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!store_path.empty()) return ReportUsage("models", fmt::format("unexpected argument '{}'", t.text));
      store_path = t.name;
    } else if (t.name == "help") {
      fmt::print("{}", kModelsUsage);
      return kExitOk;
    } else if (t.name == "unit") {
      auto v = Choice(args, t, {"week", "day"}, &code, "models");
      if (!v) return code;
      o.unit = absl::Hours(*v == "week" ? 24 * 7 : 24);
      o.clv.units_per_month = *v == "week" ? 4.345 : 30.0;
    } else if (t.name == "horizon") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("models", v.status());
      absl::StatusOr<uint64_t> n = ParseCount("horizon", *v, 0, 100000);
      if (!n.ok()) return ReportUsage("models", n.status());
      o.horizon = static_cast<double>(*n);
    } else if (t.name == "now" || t.name == "event-type") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("models", v.status());
      if (t.name == "event-type") {
        o.event_type = *v;
      } else {
        absl::StatusOr<absl::Time> parsed = ParseNow(*v);
        if (!parsed.ok()) return ReportUsage("models", parsed.status());
        now = *parsed;
      }
    } else {
      return ReportUsage("models", fmt::format("unknown option '{}'", t.text));
    }
  }
  if (store_path.empty()) return ReportUsage("models", "expected STORE");
  o.now = now ? *now : absl::Now();
  absl::StatusOr<aud::Store> store = aud::OpenSnapshot(store_path);
  if (!store.ok()) return Report("models", store.status(), kExitRuntime);
  absl::StatusOr<aud::ModelRun> run = aud::RunModels(*store, o);
  if (!run.ok()) return Report("models", run.status(), kExitData);
  const aud::BgNbdParams& b = run->bgnbd.params;
  fmt::print("{} customers\nBG/NBD       r {:.4f}  alpha {:.4f}  a {:.4f}  b {:.4f}  "
             "log-likelihood {:.2f}\n",
             run->customers, b.r, b.alpha, b.a, b.b, run->bgnbd.log_likelihood);
  if (run->gamma_gamma) {
    const aud::GammaGammaParams& g = run->gamma_gamma->params;
    fmt::print("Gamma-Gamma  p {:.4f}  q {:.4f}  gamma {:.4f}\n", g.p, g.q, g.gamma);
  } else {
    fmt::print("Gamma-Gamma  not fitted ({}): no spend or CLV\n", run->gamma_gamma_skipped);
  }
  // The spread of P(alive), read back from the store.
  const aud::AttributeColumn& alive =
      store->attribute(*store->schema().AttributeIdOf(o.prefix + "p_alive"));
  std::map<int, uint64_t> deciles;
  alive.NotNull().ForEach([&](aud::PersonId p) {
    const double v = alive.Get(p).double_value();
    ++deciles[std::min(9, static_cast<int>(v * 10))];
  });
  fmt::print("\nP(alive)     customers\n");
  for (int d = 0; d < 10; ++d) {
    fmt::print("{:.1f}-{:.1f}    {:>10}\n", d / 10.0, (d + 1) / 10.0, deciles[d]);
  }
  return Save("models", *store, store_path);
}

}  // namespace audience_cli
