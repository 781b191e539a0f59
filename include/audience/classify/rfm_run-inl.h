// Definitions for rfm_run.h.
#ifndef AUDIENCE_CLASSIFY_RFM_RUN_INL_H_
#define AUDIENCE_CLASSIFY_RFM_RUN_INL_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audience/base/status_macros.h"
#include "audience/classify/rfm_run.h"
#include "audience/classify/store_writes.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC std::string SegmentSlug(std::string_view name) {
  std::string out;
  bool gap = false;
  for (char c : name) {
    const bool digit = c >= '0' && c <= '9';
    const bool upper = c >= 'A' && c <= 'Z';
    if (!digit && !upper && !(c >= 'a' && c <= 'z')) {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += '_';
    gap = false;
    out += upper ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<RfmRun> RunRfm(Store& store, const RfmRunOptions& options) {
  return RunRfm(store, options, nullptr);
}

AUDIENCE_FUNC absl::StatusOr<RfmRun> RunRfm(Store& store, const RfmRunOptions& options,
                                            RfmInputsCache* cache) {
  using classify_internal::HeldValues;
  absl::StatusOr<RfmSegmenter> made = options.segments
                                          ? absl::StatusOr<RfmSegmenter>(*options.segments)
                                          : RfmSegmenter::FromCodeTable(PresetRfm125Codes());
  AUDIENCE_RETURN_IF_ERROR(made.status());
  const RfmSegmenter& segmenter = *made;
  if (segmenter.bins() != options.scoring.bins) {
    return absl::InvalidArgumentError(fmt::format(
        "the segments are defined for {} bins but scoring uses {}", segmenter.bins(),
        options.scoring.bins));
  }
  RfmRun run;
  absl::flat_hash_map<std::string, size_t> slot;  // slug -> segment index
  for (const std::string& name : segmenter.names()) {
    std::string slug = SegmentSlug(name);
    if (slug.empty() || !slot.emplace(slug, run.segments.size()).second) {
      return absl::InvalidArgumentError(fmt::format(
          "segment '{}' has an empty or repeated slug '{}'", name, slug));
    }
    run.segments.push_back(std::move(slug));
  }

  // Everything that can fail on input happens before the store changes.
  RfmStoreInputs read;
  const std::vector<RfmInput>* inputs = &read.inputs;
  if (cache == nullptr) {
    AUDIENCE_ASSIGN_OR_RETURN(read, RfmInputsFromStore(store, options.inputs));
    run.people = std::move(read.people);
  } else {
    if (!cache->built() || !cache->SameScope(options.inputs) ||
        options.inputs.now < cache->options().now) {
      AUDIENCE_ASSIGN_OR_RETURN(*cache, RfmInputsCache::Build(store, options.inputs));
    } else {
      AUDIENCE_RETURN_IF_ERROR(cache->Advance(store, options.inputs.now).status());
    }
    run.people = cache->inputs().people;
    inputs = &cache->inputs().inputs;
  }
  std::vector<uint16_t> segment_of;
  if (!run.people.empty()) {
    AUDIENCE_ASSIGN_OR_RETURN(run.result, ScoreRfm(*inputs, options.scoring));
    segmenter.Classify(run.result.scores, &segment_of);
  }
  const std::string p = options.prefix;
  const std::string names[] = {p + ".r", p + ".f", p + ".m", p + ".code", p + ".segment",
                               p + ".segment_previous"};
  for (const std::string& name : names) {
    AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("dimension name", name));
  }
  for (const std::string& name : names) {
    AUDIENCE_RETURN_IF_ERROR(
        classify_internal::EnsureExclusiveDimension(store, name, "RunRfm").status());
  }

  // Members of each new value, and the transition counts.
  const size_t k = static_cast<size_t>(options.scoring.bins);
  std::vector<std::vector<uint32_t>> by_score[3] = {std::vector<std::vector<uint32_t>>(k + 1),
                                                    std::vector<std::vector<uint32_t>>(k + 1),
                                                    std::vector<std::vector<uint32_t>>(k + 1)};
  std::vector<std::vector<uint32_t>> by_segment(run.segments.size());
  absl::btree_map<int, std::vector<uint32_t>> by_code;
  for (size_t i = 0; i < run.people.size(); ++i) {
    const RfmScores s = run.result.scores[i];
    by_score[0][s.r].push_back(run.people[i]);
    by_score[1][s.f].push_back(run.people[i]);
    by_score[2][s.m].push_back(run.people[i]);
    by_code[RfmCode(s)].push_back(run.people[i]);
    by_segment[segment_of[i]].push_back(run.people[i]);
  }
  std::vector<Bitmap> now(run.segments.size());
  run.sizes.resize(run.segments.size());
  for (size_t j = 0; j < now.size(); ++j) {
    now[j] = Bitmap::FromIds(by_segment[j]);
    run.sizes[j] = by_segment[j].size();
  }
  const size_t none = run.segments.size();
  run.moves.assign(none + 1, std::vector<uint64_t>(none + 1, 0));
  const auto before = HeldValues(store, names[4]);
  Bitmap had_segment;
  for (const auto& [name, members] : before) {
    auto it = slot.find(name);
    const size_t i = it == slot.end() ? none : it->second;
    uint64_t kept = 0;
    for (size_t j = 0; j < now.size(); ++j) {
      const uint64_t c = members->AndCardinality(now[j]);
      run.moves[i][j] += c;
      kept += c;
    }
    run.moves[i][none] += members->Cardinality() - kept;
    had_segment |= *members;
  }
  for (size_t j = 0; j < now.size(); ++j) {
    run.moves[none][j] += now[j].AndNotCardinality(had_segment);
  }

  // One batch: clear the old run, move the current groups to "previous",
  // write the new one.
  WriteBatch batch(options.inputs.now);
  const TagOptions tag{.source = options.source};
  for (const std::string& name : names) {
    for (const auto& [value, members] : HeldValues(store, name)) batch.ClearValue(name, value);
  }
  for (const auto& [value, members] : before) {
    batch.AssignBitmap(names[5], value, *members, tag);
  }
  for (int axis = 0; axis < 3; ++axis) {
    for (size_t s = 1; s <= k; ++s) {
      if (by_score[axis][s].empty()) continue;
      batch.AssignBitmap(names[axis], std::to_string(s), Bitmap::FromIds(by_score[axis][s]), tag);
    }
  }
  for (const auto& [code, people] : by_code) {
    batch.AssignBitmap(names[3], std::to_string(code), Bitmap::FromIds(people), tag);
  }
  for (size_t j = 0; j < now.size(); ++j) {
    if (!now[j].IsEmpty()) batch.AssignBitmap(names[4], run.segments[j], now[j], tag);
  }
  AUDIENCE_ASSIGN_OR_RETURN(ApplyResult applied, store.Apply(batch));
  run.version = applied.version;
  return run;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_RFM_RUN_INL_H_
