// Rule stages: a stage model is an ordered list of (stage, condition in the
// query language); each person gets the stage of the first rule whose
// condition holds, else the default stage. RunStages evaluates the model on
// the store and writes the result back, with the history a person's stage
// went through, so that queries reach it:
//
//   StageModel m = PresetLifecycle();             // or your own rules
//   AUDIENCE_ASSIGN_OR_RETURN(StageRun run, RunStages(store, m, {.now = now}));
//   // lifecycle:dormant AND lifecycle.entered_at < now - 14d   (stuck > 14 days)
//   // did(lifecycle.change, from_stage = 'dormant', to_stage = 'reactivated', within = 30d)
//
// Written, for a model named "lifecycle" (created when missing):
//   lifecycle               exclusive dimension: the current stage
//   lifecycle.previous      exclusive dimension: the stage held before the
//                           current one (kept until the stage changes again)
//   lifecycle.entered_at    timestamp attribute: when the current stage began
//   lifecycle.change        event type with indexed properties `from_stage`
//                           and `to_stage` ('none' for no stage): one event per change, at
//                           `now` (the history: entered at = the event's
//                           time, left at = the next one's)
// Conditions see the store as it was before the run, so a rule may refer to
// the stage a person is leaving ("reactivated": `lifecycle IN ('dormant',
// 'churned') AND did(purchase, within = 30d)`). The whole run is one write
// batch; the same store, model and `now` give the same stages.
#ifndef AUDIENCE_CLASSIFY_STAGE_MODEL_H_
#define AUDIENCE_CLASSIFY_STAGE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audience/base/config.h"
#include "audience/store/store.h"

AUDIENCE_BEGIN_NAMESPACE

struct StageRule {
  std::string stage{};      // a tag value name, e.g. "dormant"; not "none"
  std::string condition{};  // query text, e.g. "NOT did(purchase, within = 90d)"
};

struct StageModel {
  std::string name{};              // the dimension written, e.g. "lifecycle"
  std::vector<StageRule> rules{};  // first match wins
  std::string default_stage{};     // everyone no rule matches; empty: no stage

  // Distinct stages in order of first appearance (rules, then the default).
  std::vector<std::string> Stages() const;
};

struct StageRunOptions {
  absl::Time now = absl::UnixEpoch();
  std::string source = "stages";  // the tag source of every assignment
  bool record_changes = true;     // write `<name>.change` events
};

struct StageRun {
  std::vector<std::string> stages;  // StageModel::Stages()
  std::vector<uint64_t> sizes;      // people per stage now
  // moves[a][b]: people in stage a before and b now. Index stages.size() is
  // "no stage" (a row for people new to the model, a column for people who
  // left it); a stage held before that the model no longer names counts as
  // "no stage".
  std::vector<std::vector<uint64_t>> moves;
  uint64_t changed = 0;  // people whose stage changed
  uint64_t version = 0;  // store version after the run
};

// Errors (nothing written): an invalid model (empty or invalid names, an
// empty rule), a condition that does not compile (the message names the
// rule and its stage), or an existing dimension/attribute/event type of the
// wrong kind.
absl::StatusOr<StageRun> RunStages(Store& store, const StageModel& model,
                                   const StageRunOptions& options);

// Conversion along a funnel: `order` is its stages, first to last. A person
// reached stage i if the model's change events (up to `now`) show them
// entering stage i or any later one, so skipping a stage between two runs
// still counts as passing it. Step i is order[i] -> order[i + 1].
struct FunnelStep {
  std::string from{}, to{};
  uint64_t reached_from = 0, reached_to = 0;
  double conversion = 0;  // reached_to / reached_from (0 when nobody reached `from`)
};
absl::StatusOr<std::vector<FunnelStep>> FunnelConversion(const Store& store,
                                                         const std::string& model_name,
                                                         const std::vector<std::string>& order,
                                                         absl::Time now);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/stage_model-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_STAGE_MODEL_H_
