// Definitions for stage_presets.h.
#ifndef AUDIENCE_CLASSIFY_STAGE_PRESETS_INL_H_
#define AUDIENCE_CLASSIFY_STAGE_PRESETS_INL_H_

#include <string>
#include <vector>

#include "audience/classify/stage_presets.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace stage_presets_internal {

// "did(a, within = 30d) OR did(b, within = 30d)"; `within` 0: all history.
inline std::string AnyOf(const std::vector<std::string>& events, int within_days) {
  std::string out;
  for (const std::string& e : events) {
    if (!out.empty()) out += " OR ";
    out += within_days > 0 ? fmt::format("did({}, within = {}d)", e, within_days)
                           : fmt::format("did({})", e);
  }
  return out;
}

}  // namespace stage_presets_internal

AUDIENCE_FUNC StageModel PresetLifecycle(const LifecycleOptions& o) {
  using stage_presets_internal::AnyOf;
  std::vector<std::string> activity = {o.purchase_event};
  for (const std::string& e : o.engagement_events) activity.push_back(e);
  const std::string active = "(" + AnyOf(activity, o.active_days) + ")";
  StageModel m{.name = o.name, .default_stage = "prospect"};
  std::string fresh = fmt::format("first({}) >= now - {}d", o.purchase_event, o.new_days);
  if (!o.registered_attribute.empty()) {
    fresh += fmt::format(" OR ({} >= now - {}d AND NOT did({}))", o.registered_attribute,
                         o.new_days, o.purchase_event);
  }
  m.rules.push_back({"new", fresh});
  m.rules.push_back(
      {"reactivated",
       fmt::format("({0} IN ('dormant', 'churned') OR ({0}:reactivated AND "
                   "{0}.entered_at >= now - {1}d)) AND {2}",
                   o.name, o.active_days, active)});
  std::string engaged = o.engagement_events.empty()
                            ? std::string()
                            : " AND (" + AnyOf(o.engagement_events, o.active_days) + ")";
  if (!engaged.empty()) {
    m.rules.push_back({"at_risk", fmt::format("did({0}) AND NOT did({0}, within = {1}d){2}",
                                              o.purchase_event, o.at_risk_days, engaged)});
  }
  m.rules.push_back({"active", active});
  m.rules.push_back({"dormant", AnyOf(activity, o.churn_days)});
  m.rules.push_back({"churned", AnyOf(activity, 0)});
  return m;
}

AUDIENCE_FUNC StageModel PresetTiers(const TierOptions& o) {
  StageModel m{.name = o.name, .default_stage = "bronze"};
  m.rules.push_back({"gold", fmt::format("{} >= {}", o.attribute, o.gold)});
  m.rules.push_back({"silver", fmt::format("{} >= {}", o.attribute, o.silver)});
  return m;
}

AUDIENCE_FUNC StageModel PresetFunnel(
    std::string name, std::string entry,
    const std::vector<std::pair<std::string, std::string>>& steps) {
  StageModel m{.name = std::move(name), .default_stage = std::move(entry)};
  for (size_t i = steps.size(); i-- > 0;) {
    m.rules.push_back({steps[i].first, fmt::format("did({})", steps[i].second)});
  }
  return m;
}

AUDIENCE_FUNC std::vector<std::string> CarFunnelOrder() {
  return {"lead", "store_visit", "chat_contact_added", "test_drive",
          "deposit", "delivery", "after_sales"};
}

AUDIENCE_FUNC StageModel PresetCarFunnel() {
  const std::vector<std::string> order = CarFunnelOrder();
  std::vector<std::pair<std::string, std::string>> steps;
  for (size_t i = 1; i < order.size(); ++i) steps.emplace_back(order[i], order[i]);
  return PresetFunnel("funnel", order[0], steps);
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_STAGE_PRESETS_INL_H_
