// Preset stage models (stage_model.h): the generic customer lifecycle,
// member tiers by points or spend, and an event-driven funnel. Each returns
// an ordinary StageModel (rules in the query language) that a host may
// print, edit or extend before RunStages.
//
//   StageModel life = PresetLifecycle({.engagement_events = {"visit"}});
//   StageModel tiers = PresetTiers({.attribute = "points", .silver = 1000, .gold = 5000});
//   StageModel car = PresetCarFunnel();
#ifndef AUDIENCE_CLASSIFY_STAGE_PRESETS_H_
#define AUDIENCE_CLASSIFY_STAGE_PRESETS_H_

#include <string>
#include <utility>
#include <vector>

#include "audience/base/config.h"
#include "audience/classify/stage_model.h"

AUDIENCE_BEGIN_NAMESPACE

// The lifecycle, first match wins (d = days; "activity" = a purchase or an
// engagement event):
//   new          first purchase within new_days, or registered within
//                new_days without a purchase
//   reactivated  was dormant or churned at the last run and has activity
//                within active_days (stays reactivated while active, for
//                up to active_days after the change)
//   at_risk      a past buyer with no purchase within at_risk_days who is
//                still engaging within active_days
//   active       activity within active_days
//   dormant      no activity within active_days, some within churn_days
//   churned      activity before, none within churn_days
//   prospect     (default) no purchase or engagement ever
// Event types named here must exist in the schema (RunStages reports the
// rule otherwise); registered_attribute may be empty.
struct LifecycleOptions {
  std::string name = "lifecycle";
  std::string purchase_event = "purchase";
  std::vector<std::string> engagement_events = {};
  std::string registered_attribute = "";
  int new_days = 7;
  int active_days = 30;
  int at_risk_days = 60;
  int churn_days = 90;
};
StageModel PresetLifecycle(const LifecycleOptions& options = {});

// Tiers by a numeric attribute: gold at >= gold, silver at >= silver,
// bronze (default) for everyone else, people without a value included.
struct TierOptions {
  std::string name = "tier";
  std::string attribute = "points";
  double silver = 1000;
  double gold = 5000;
};
StageModel PresetTiers(const TierOptions& options = {});

// A funnel whose stages are entered by events: `steps` in funnel order as
// (stage, event type). A person is in the furthest stage whose event they
// ever did, else in `entry` (the default stage).
StageModel PresetFunnel(std::string name, std::string entry,
                        const std::vector<std::pair<std::string, std::string>>& steps);
// lead -> store_visit -> chat_contact_added -> test_drive -> deposit ->
// delivery -> after_sales, each entered by the event type of the same name.
StageModel PresetCarFunnel();
// The car funnel's stages in funnel order (for FunnelConversion).
std::vector<std::string> CarFunnelOrder();

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/classify/stage_presets-inl.h"
#endif

#endif  // AUDIENCE_CLASSIFY_STAGE_PRESETS_H_
