// `audience rfm` and `audience models`: run a classifier over a snapshot,
// print what a person reads, and save the results into the snapshot.
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

constexpr std::string_view kModelsUsage = R"(Usage: audience models STORE [--fit bgnbd|pareto|gg] [--calibration-end TIME]
                       [--unit week|day] [--horizon N] [--event-type NAME]

Fits customer-base models on every purchase up to the calibration end: a
purchase model (BG/NBD or Pareto/NBD) and/or Gamma-Gamma spend per purchase.
Prints a table per fitted model (parameters, log-likelihood, customers
fitted) and the spread of P(alive), and saves into STORE the attributes
(docs/classifiers.md):
  with a purchase model          p_alive, expected_purchases (next --horizon units)
  with Gamma-Gamma               expected_spend
  with both                      clv (12 months, discounted 1% a month)
  always                         models_computed_at
Attributes the chosen models do not produce are left as they are.

Options:
  --fit MODELS      bgnbd, pareto, gg: repeat the flag or separate by commas
                    (--fit pareto,gg); at most one of bgnbd and pareto.
                    Default bgnbd,gg.
  --calibration-end TIME
                    purchases up to TIME are fitted, later ones ignored (as
                    --now of `audience query`); default: the clock
  --now TIME        the same as --calibration-end
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

constexpr std::string_view kFitChoices = "bgnbd, pareto, gg";

// Adds the comma-separated items of one --fit value; usage error for an
// unknown or empty item.
absl::Status AddFitItems(std::string_view value, std::vector<std::string>* items) {
  size_t begin = 0;
  while (true) {
    const size_t comma = value.find(',', begin);
    const std::string item(value.substr(begin, comma == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : comma - begin));
    if (item != "bgnbd" && item != "pareto" && item != "gg") {
      return absl::InvalidArgumentError(
          fmt::format("--fit '{}': expected one of {} (or several, separated by commas)",
                      item.empty() ? std::string(value) : item, kFitChoices));
    }
    items->push_back(item);
    if (comma == std::string_view::npos) return absl::OkStatus();
    begin = comma + 1;
  }
}

// The --fit items as model choices: at most one purchase model.
absl::Status ApplyFit(const std::vector<std::string>& items, aud::ModelRunOptions* o) {
  o->purchase_model = aud::PurchaseModel::kNone;
  o->gamma_gamma = false;
  for (const std::string& item : items) {
    if (item == "gg") {
      o->gamma_gamma = true;
      continue;
    }
    const aud::PurchaseModel m =
        item == "bgnbd" ? aud::PurchaseModel::kBgNbd : aud::PurchaseModel::kParetoNbd;
    if (o->purchase_model != aud::PurchaseModel::kNone && o->purchase_model != m) {
      return absl::InvalidArgumentError(
          "--fit: bgnbd and pareto are both purchase models; choose one");
    }
    o->purchase_model = m;
  }
  return absl::OkStatus();
}

// One fitted model as a table: parameters, log-likelihood, customers fitted.
void PrintFit(std::string_view title, const std::vector<std::pair<std::string, double>>& params,
              double log_likelihood, size_t customers, bool converged) {
  fmt::print("\n{}\n  {:<18} {:>12}\n", title, "parameter", "value");
  for (const auto& [name, value] : params) fmt::print("  {:<18} {:>12.4f}\n", name, value);
  fmt::print("  {:<18} {:>12.2f}\n  {:<18} {:>12}\n", "log-likelihood", log_likelihood,
             "customers fitted", customers);
  if (!converged) fmt::print("  (the search stopped before converging)\n");
}

void PrintModels(const aud::ModelRun& run, const aud::ModelRunOptions& o, std::string_view unit,
                 const aud::Store& store) {
  fmt::print("{} customers with a purchase up to {}, unit {}\n", run.customers,
             absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", o.now, absl::UTCTimeZone()), unit);
  if (run.bgnbd) {
    const aud::BgNbdParams& b = run.bgnbd->params;
    PrintFit("BG/NBD", {{"r", b.r}, {"alpha", b.alpha}, {"a", b.a}, {"b", b.b}},
             run.bgnbd->log_likelihood, run.customers, run.bgnbd->converged);
  }
  if (run.pareto_nbd) {
    const aud::ParetoNbdParams& p = run.pareto_nbd->params;
    PrintFit("Pareto/NBD", {{"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}},
             run.pareto_nbd->log_likelihood, run.customers, run.pareto_nbd->converged);
  }
  if (run.gamma_gamma) {
    const aud::GammaGammaParams& g = run.gamma_gamma->params;
    PrintFit("Gamma-Gamma (repeat buyers with spend)", {{"p", g.p}, {"q", g.q}, {"gamma", g.gamma}},
             run.gamma_gamma->log_likelihood, run.gamma_gamma_customers,
             run.gamma_gamma->converged);
  } else if (o.gamma_gamma) {
    fmt::print("\nGamma-Gamma  not fitted ({}): no spend or CLV\n", run.gamma_gamma_skipped);
  }
  const bool purchase = o.purchase_model != aud::PurchaseModel::kNone;
  std::string written;
  if (purchase) {
    written = fmt::format("p_alive, expected_purchases (next {} {}s), ", o.horizon, unit);
  }
  if (o.gamma_gamma) written += purchase ? "expected_spend, clv, " : "expected_spend, ";
  fmt::print("\nattributes written: {}models_computed_at\n", written);
  if (!purchase) return;
  // The spread of P(alive), read back from the store.
  const aud::AttributeColumn& alive =
      store.attribute(*store.schema().AttributeIdOf(o.prefix + "p_alive"));
  std::map<int, uint64_t> deciles;
  alive.NotNull().ForEach([&](aud::PersonId p) {
    const double v = alive.Get(p).double_value();
    ++deciles[std::min(9, static_cast<int>(v * 10))];
  });
  fmt::print("\nP(alive)     customers\n");
  for (int d = 0; d < 10; ++d) {
    fmt::print("{:.1f}-{:.1f}    {:>10}\n", d / 10.0, (d + 1) / 10.0, deciles[d]);
  }
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
  std::optional<std::vector<std::string>> fit;  // --fit items, in order
  std::string unit = "week";
  int code = kExitOk;
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!store_path.empty()) return ReportUsage("models", fmt::format("unexpected argument '{}'", t.text));
      store_path = t.name;
    } else if (t.name == "help") {
      fmt::print("{}", kModelsUsage);
      return kExitOk;
    } else if (t.name == "fit") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("models", v.status());
      if (!fit) fit.emplace();
      if (absl::Status s = AddFitItems(*v, &*fit); !s.ok()) return ReportUsage("models", s);
    } else if (t.name == "unit") {
      auto v = Choice(args, t, {"week", "day"}, &code, "models");
      if (!v) return code;
      unit = *v;
      o.unit = absl::Hours(*v == "week" ? 24 * 7 : 24);
      o.clv.units_per_month = *v == "week" ? 4.345 : 30.0;
    } else if (t.name == "horizon") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("models", v.status());
      absl::StatusOr<uint64_t> n = ParseCount("horizon", *v, 0, 100000);
      if (!n.ok()) return ReportUsage("models", n.status());
      o.horizon = static_cast<double>(*n);
    } else if (t.name == "calibration-end" || t.name == "now" || t.name == "event-type") {
      absl::StatusOr<std::string> v = args.Value(t);
      if (!v.ok()) return ReportUsage("models", v.status());
      if (t.name == "event-type") {
        o.event_type = *v;
      } else {
        absl::StatusOr<absl::Time> parsed = ParseNow(*v);
        if (!parsed.ok()) {
          // ParseNow names --now; say which flag was given.
          std::string message(parsed.status().message());
          if (message.rfind("--now", 0) == 0) message = "--" + t.name + message.substr(5);
          return ReportUsage("models", message);
        }
        now = *parsed;
      }
    } else {
      return ReportUsage("models", fmt::format("unknown option '{}'", t.text));
    }
  }
  if (store_path.empty()) return ReportUsage("models", "expected STORE");
  if (fit) {
    if (absl::Status s = ApplyFit(*fit, &o); !s.ok()) return ReportUsage("models", s);
  }
  o.now = now ? *now : absl::Now();
  absl::StatusOr<aud::Store> store = aud::OpenSnapshot(store_path);
  if (!store.ok()) return Report("models", store.status(), kExitRuntime);
  absl::StatusOr<aud::ModelRun> run = aud::RunModels(*store, o);
  if (!run.ok()) return Report("models", run.status(), kExitData);
  PrintModels(*run, o, unit, *store);
  return Save("models", *store, store_path);
}

}  // namespace audience_cli
