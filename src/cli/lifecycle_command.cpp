// `audience lifecycle`: run a rule-stage model (a preset or a JSON file) over
// a snapshot, print the stage sizes and the moves since the last run, and
// save the stages and their history into the snapshot.
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/clock.h"
#include "args.h"
#include "audience/classify/stage_model.h"
#include "audience/classify/stage_presets.h"
#include "audience/store/snapshot.h"
#include "commands.h"
#include "fmt/format.h"

namespace audience_cli {
namespace {

namespace aud = audience;

constexpr std::string_view kLifecycleUsage = R"(Usage: audience lifecycle STORE [--preset NAME | --model FILE] [--now TIME]
                          [--event-type NAME] [--engagement NAME]... [--registered ATTR]
                          [--attribute ATTR]

Puts every person into a stage (first matching rule wins), prints the stage
sizes and the moves since the last run, and saves into STORE the stage, the
stage before it, when it began and one change event per change
(docs/classifiers.md, "Rule stages").

Options:
  --preset NAME     lifecycle (default), tiers, car-funnel
  --model FILE      a JSON stage model instead of a preset:
                    {"name": "club", "rules": [{"stage": "vip",
                     "condition": "points >= 5000"}], "default": "member"}
  --now TIME        the analysis time (as --now of `audience query`); default:
                    the clock
  --event-type NAME lifecycle: the purchase event type (default purchase)
  --engagement NAME lifecycle: an engagement event type (repeatable)
  --registered ATTR lifecycle: the registration time attribute
  --attribute ATTR  tiers: the points attribute (default points)
  -h, --help        this text

Exit codes: 0 ok, 1 cannot open or save the store, 3 the model is invalid or
a rule does not compile (the message names the rule), 64 usage.
)";

// The JSON model file; errors name the file, and the line and column or the
// field.
absl::StatusOr<aud::StageModel> ReadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("{}: cannot open", path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions for the position of the first error.
    try {
      const nlohmann::json again = nlohmann::json::parse(text.str());
      (void)again;
    } catch (const nlohmann::json::parse_error& e) {
      return absl::InvalidArgumentError(fmt::format("{}: {}", path, e.what()));
    }
    return absl::InvalidArgumentError(fmt::format("{}: not JSON", path));
  }
  auto field_error = [&](const std::string& field, std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("{}: {}: {}", path, field, what));
  };
  if (!j.is_object()) return field_error("(top)", "expected an object");
  aud::StageModel m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (key == "name" || key == "default") {
      if (!it->is_string()) return field_error(key, "expected a string");
      (key == "name" ? m.name : m.default_stage) = it->get<std::string>();
    } else if (key == "rules") {
      if (!it->is_array()) return field_error(key, "expected an array");
      for (size_t r = 0; r < it->size(); ++r) {
        const nlohmann::json& rule = (*it)[r];
        const std::string at = fmt::format("rules[{}]", r);
        if (!rule.is_object()) return field_error(at, "expected an object");
        aud::StageRule sr;
        for (auto f = rule.begin(); f != rule.end(); ++f) {
          if (f.key() != "stage" && f.key() != "condition") {
            return field_error(at + "." + f.key(), "unknown key (expected stage, condition)");
          }
          if (!f->is_string()) return field_error(at + "." + f.key(), "expected a string");
          (f.key() == "stage" ? sr.stage : sr.condition) = f->get<std::string>();
        }
        m.rules.push_back(std::move(sr));
      }
    } else {
      return field_error(key, "unknown key (expected name, rules, default)");
    }
  }
  if (m.name.empty()) return field_error("name", "missing");
  return m;
}

void PrintRun(const aud::StageModel& m, const aud::StageRun& run) {
  uint64_t total = 0;
  for (uint64_t s : run.sizes) total += s;
  PrintGroups(fmt::format("{}: {} people in a stage, {} changed stage", m.name, total,
                          run.changed),
              run.stages, run.sizes, run.moves, "people");
}

}  // namespace

std::string_view LifecycleUsage() { return kLifecycleUsage; }

int RunLifecycleCommand(ArgCursor& args) {
  std::string store_path, preset = "lifecycle", model_path;
  aud::LifecycleOptions life;
  aud::TierOptions tiers;
  std::optional<absl::Time> now;
  while (!args.Done()) {
    ArgCursor::Token t = args.Next();
    if (!t.is_flag) {
      if (!store_path.empty()) {
        return ReportUsage("lifecycle", fmt::format("unexpected argument '{}'", t.text));
      }
      store_path = t.name;
      continue;
    }
    if (t.name == "help") {
      fmt::print("{}", kLifecycleUsage);
      return kExitOk;
    }
    if (t.name != "preset" && t.name != "model" && t.name != "now" && t.name != "event-type" &&
        t.name != "engagement" && t.name != "registered" && t.name != "attribute") {
      return ReportUsage("lifecycle", fmt::format("unknown option '{}'", t.text));
    }
    absl::StatusOr<std::string> v = args.Value(t);
    if (!v.ok()) return ReportUsage("lifecycle", v.status());
    if (t.name == "preset") {
      if (*v != "lifecycle" && *v != "tiers" && *v != "car-funnel") {
        return ReportUsage("lifecycle", fmt::format("--preset '{}': expected one of lifecycle, "
                                                    "tiers, car-funnel",
                                                    *v));
      }
      preset = *v;
    } else if (t.name == "model") {
      model_path = *v;
    } else if (t.name == "now") {
      absl::StatusOr<absl::Time> parsed = ParseNow(*v);
      if (!parsed.ok()) return ReportUsage("lifecycle", parsed.status());
      now = *parsed;
    } else if (t.name == "event-type") {
      life.purchase_event = *v;
    } else if (t.name == "engagement") {
      life.engagement_events.push_back(*v);
    } else if (t.name == "registered") {
      life.registered_attribute = *v;
    } else {
      tiers.attribute = *v;
    }
  }
  if (store_path.empty()) return ReportUsage("lifecycle", "expected STORE");
  aud::StageModel model;
  if (!model_path.empty()) {
    absl::StatusOr<aud::StageModel> read = ReadModel(model_path);
    if (!read.ok()) return Report("lifecycle", read.status(), kExitData);
    model = *std::move(read);
  } else if (preset == "tiers") {
    model = aud::PresetTiers(tiers);
  } else if (preset == "car-funnel") {
    model = aud::PresetCarFunnel();
  } else {
    model = aud::PresetLifecycle(life);
  }
  absl::StatusOr<aud::Store> store = aud::OpenSnapshot(store_path);
  if (!store.ok()) return Report("lifecycle", store.status(), kExitRuntime);
  const absl::Time at = now ? *now : absl::Now();
  absl::StatusOr<aud::StageRun> run = aud::RunStages(*store, model, {.now = at});
  if (!run.ok()) return Report("lifecycle", run.status(), kExitData);
  PrintRun(model, *run);
  if (model_path.empty() && preset == "car-funnel") {
    absl::StatusOr<std::vector<aud::FunnelStep>> steps =
        aud::FunnelConversion(*store, model.name, aud::CarFunnelOrder(), at);
    if (steps.ok()) {
      fmt::print("\nconversion (reached the stage or a later one)\n");
      for (const aud::FunnelStep& s : *steps) {
        fmt::print("{:<20} -> {:<20} {:>8} -> {:>8}  {:>5.1f}%\n", s.from, s.to, s.reached_from,
                   s.reached_to, 100.0 * s.conversion);
      }
    }
  }
  if (absl::Status s = aud::SaveSnapshot(*store, store_path); !s.ok()) {
    return Report("lifecycle", s, kExitRuntime);
  }
  return kExitOk;
}

}  // namespace audience_cli
