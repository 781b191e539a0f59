// Definitions for stage_model.h.
#ifndef AUDIENCE_CLASSIFY_STAGE_MODEL_INL_H_
#define AUDIENCE_CLASSIFY_STAGE_MODEL_INL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/classify/stage_model.h"
#include "audience/classify/store_writes.h"
#include "audience/query/query.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace stage_model_internal {

struct Names {
  std::string stage, previous, entered_at, change;
  explicit Names(const std::string& name)
      : stage(name),
        previous(name + ".previous"),
        entered_at(name + ".entered_at"),
        change(name + ".change") {}
};

// Creates what the run writes, when missing; refuses one of another kind.
inline absl::Status EnsureSchema(Store& store, const Names& n) {
  for (const std::string* dim : {&n.stage, &n.previous}) {
    AUDIENCE_RETURN_IF_ERROR(
        classify_internal::EnsureExclusiveDimension(store, *dim, "RunStages").status());
  }
  AUDIENCE_RETURN_IF_ERROR(classify_internal::EnsureAttributes(
      store, {{n.entered_at, AttributeType::kTimestamp}}, "RunStages"));
  if (const EventTypeSpec* e = store.schema().FindEventType(n.change)) {
    for (const char* p : {"from_stage", "to_stage"}) {
      bool found = false;
      for (const PropertySpec& spec : e->properties) found = found || spec.name == p;
      if (!found) {
        return absl::FailedPreconditionError(
            fmt::format("event type '{}' exists without the property '{}'", n.change, p));
      }
    }
    return absl::OkStatus();
  }
  return store
      .AddEventType({.name = n.change,
                     .properties = {{.name = "from_stage", .indexed = true},
                                    {.name = "to_stage", .indexed = true}},
                     .description = "stage changes written by RunStages"})
      .status();
}

inline absl::Status CheckModel(const StageModel& m) {
  AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("stage model name", m.name));
  // The derived names must fit too.
  AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("stage model name", m.name + ".entered_at"));
  if (m.default_stage == "none") {
    return absl::InvalidArgumentError(fmt::format(
        "stage model '{}': the default stage 'none' is reserved (it stands for no stage in the "
        "change events)",
        m.name));
  }
  if (m.rules.empty() && m.default_stage.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("stage model '{}' has no rules and no default stage", m.name));
  }
  for (size_t i = 0; i < m.rules.size(); ++i) {
    if (m.rules[i].stage.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("stage model '{}', rule {}: the stage name is empty", m.name, i + 1));
    }
    if (m.rules[i].stage == "none") {
      return absl::InvalidArgumentError(fmt::format(
          "stage model '{}', rule {}: 'none' is reserved (it stands for no stage in the "
          "change events)",
          m.name, i + 1));
    }
    if (m.rules[i].condition.empty()) {
      return absl::InvalidArgumentError(fmt::format(
          "stage model '{}', rule {} (stage '{}'): the condition is empty", m.name, i + 1,
          m.rules[i].stage));
    }
  }
  return absl::OkStatus();
}

}  // namespace stage_model_internal

AUDIENCE_FUNC std::vector<std::string> StageModel::Stages() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    if (s.empty()) return;
    for (const std::string& have : out) {
      if (have == s) return;
    }
    out.push_back(s);
  };
  for (const StageRule& r : rules) add(r.stage);
  add(default_stage);
  return out;
}

AUDIENCE_FUNC absl::StatusOr<StageRun> RunStages(Store& store, const StageModel& model,
                                                 const StageRunOptions& options) {
  using namespace stage_model_internal;
  AUDIENCE_RETURN_IF_ERROR(CheckModel(model));
  const Names names(model.name);
  // Created first, so that conditions may refer to the model's own names.
  AUDIENCE_RETURN_IF_ERROR(EnsureSchema(store, names));
  StageRun run;
  run.stages = model.Stages();
  absl::flat_hash_map<std::string, size_t> slot;
  for (size_t s = 0; s < run.stages.size(); ++s) slot.emplace(run.stages[s], s);

  // Evaluate every rule on the store as it is now; first match wins.
  const QueryOptions query_options{.now = options.now};
  std::vector<Bitmap> now(run.stages.size());
  Bitmap remaining = store.universe();
  for (size_t i = 0; i < model.rules.size(); ++i) {
    const StageRule& rule = model.rules[i];
    absl::StatusOr<Query> q = Query::Compile(store, rule.condition, query_options);
    if (!q.ok()) {
      return absl::InvalidArgumentError(fmt::format("stage model '{}', rule {} (stage '{}'): {}",
                                                    model.name, i + 1, rule.stage,
                                                    StdView(q.status().message())));
    }
    Bitmap matched = Evaluate(store, *q).people() & remaining;
    remaining -= matched;
    now[slot.at(rule.stage)] |= matched;
  }
  if (!model.default_stage.empty()) now[slot.at(model.default_stage)] |= remaining;

  // Transitions against the stages held before.
  const size_t none = run.stages.size();
  run.sizes.resize(none);
  for (size_t s = 0; s < none; ++s) run.sizes[s] = now[s].Cardinality();
  run.moves.assign(none + 1, std::vector<uint64_t>(none + 1, 0));
  const auto before = classify_internal::HeldValues(store, names.stage);
  // Before, by this model's stage index (read in place: nothing below
  // changes the store until the batch is applied).
  const Bitmap nobody;
  std::vector<const Bitmap*> old(none, &nobody);
  Bitmap had, old_unknown;
  for (const auto& [value, members] : before) {
    auto it = slot.find(value);
    if (it != slot.end()) {
      old[it->second] = members;
    } else {
      old_unknown |= *members;
    }
    had |= *members;
  }
  Bitmap staged_now;
  for (const Bitmap& b : now) staged_now |= b;
  for (size_t a = 0; a <= none; ++a) {
    const Bitmap& from = a < none ? *old[a] : old_unknown;
    const bool no_stage_row = a == none;
    for (size_t b = 0; b < none; ++b) {
      run.moves[a][b] += from.AndCardinality(now[b]);
      if (no_stage_row) run.moves[a][b] += now[b].AndNotCardinality(had);
    }
    run.moves[a][none] += from.AndNotCardinality(staged_now);
  }

  // Who changed: in a stage now that they did not hold, or out of all.
  Bitmap changed = had - staged_now;  // left the model
  for (size_t s = 0; s < none; ++s) changed |= now[s] - *old[s];
  run.changed = changed.Cardinality();

  WriteBatch batch(options.now);
  const TagOptions tag{.source = options.source};
  for (const auto& [value, members] : before) batch.ClearValue(names.stage, value);
  for (size_t s = 0; s < none; ++s) {
    if (!now[s].IsEmpty()) batch.AssignBitmap(names.stage, run.stages[s], now[s], tag);
  }
  // previous: the stage a changed person held (people new to the model keep
  // whatever they had, i.e. the stage before they left it).
  for (const auto& [value, members] : before) {
    Bitmap left = *members & changed;
    if (!left.IsEmpty()) batch.AssignBitmap(names.previous, value, std::move(left), tag);
  }
  // entered_at and the change events, one row per changed person.
  ColumnBlock block;
  ColumnValues& at = block.AddAttribute(names.entered_at, AttributeType::kTimestamp);
  const std::string none_name = "none";
  changed.ForEach([&](PersonId person) {
    std::optional<ExternalId> id = store.ids().PrimaryId(person);
    if (!id) return;
    const std::string* from = &none_name;
    const std::string* to = &none_name;
    for (const auto& [value, members] : before) {
      if (members->Contains(person)) from = &value;
    }
    for (size_t s = 0; s < none; ++s) {
      if (now[s].Contains(person)) to = &run.stages[s];
    }
    if (to == &none_name) {
      at.AppendNull();
    } else {
      at.AppendTime(absl::ToUnixSeconds(options.now));
    }
    if (options.record_changes) {
      batch.AddEvent(*id, names.change, options.now, 0,
                     {{"from_stage", *from}, {"to_stage", *to}});
    }
    block.AddRow(*std::move(id));
  });
  batch.SetColumns(std::move(block));
  AUDIENCE_ASSIGN_OR_RETURN(ApplyResult applied, store.Apply(batch));
  run.version = applied.version;
  return run;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<FunnelStep>> FunnelConversion(
    const Store& store, const std::string& model_name, const std::vector<std::string>& order,
    absl::Time now) {
  const stage_model_internal::Names names(model_name);
  if (store.schema().FindEventType(names.change) == nullptr) {
    return absl::FailedPreconditionError(fmt::format(
        "no event type '{}': run the stage model '{}' first", names.change, model_name));
  }
  // reached[i]: entered order[i] or a later stage; built from the last.
  std::vector<Bitmap> reached(order.size());
  Bitmap later;
  for (size_t i = order.size(); i-- > 0;) {
    std::string literal;
    for (char c : order[i]) {
      if (c == '\\' || c == '\'') literal += '\\';
      literal += c;
    }
    AUDIENCE_ASSIGN_OR_RETURN(
        Segment s, Evaluate(store, fmt::format("did({}, to_stage = '{}')", names.change, literal),
                            QueryOptions{.now = now}));
    later |= s.people();
    reached[i] = later;
  }
  std::vector<FunnelStep> steps;
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    FunnelStep step{.from = order[i], .to = order[i + 1]};
    step.reached_from = reached[i].Cardinality();
    step.reached_to = reached[i + 1].Cardinality();
    step.conversion = step.reached_from == 0 ? 0.0
                                             : static_cast<double>(step.reached_to) /
                                                   static_cast<double>(step.reached_from);
    steps.push_back(std::move(step));
  }
  return steps;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_STAGE_MODEL_INL_H_
