// Definitions for matching.h.
#ifndef AUDIENCE_OPS_MATCHING_INL_H_
#define AUDIENCE_OPS_MATCHING_INL_H_

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "audience/base/status_macros.h"
#include "audience/base/strings.h"
#include "audience/ops/matching.h"
#include "audience/query/query.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace matching_internal {

// Best first: higher score, then lower id.
inline bool Better(const Match& a, const Match& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// Inserts m into the sorted `top` (size n, padded with score 0) if it is
// better than the last entry.
inline void Offer(Match* top, size_t n, Match m) {
  if (n == 0 || !Better(m, top[n - 1])) return;
  size_t i = n - 1;
  while (i > 0 && Better(m, top[i - 1])) {
    top[i] = top[i - 1];
    --i;
  }
  top[i] = m;
}

// The words of `b`'s chunk `key` (scratch filled for non-bitset containers),
// or null when `b` has none there.
inline const uint64_t* ChunkOf(const Bitmap& b, uint32_t key, uint64_t* scratch) {
  const size_t c = b.SeekChunk(key, 0);
  if (c == b.ChunkCount() || b.ChunkKey(c) != key) return nullptr;
  return b.ChunkWords(c, scratch);
}

// Adds `weight` to the score of every id of `words` (& `mask` when not
// null) in one chunk, and marks those ids in `touched`.
inline void AddTerm(const uint64_t* words, const uint64_t* mask, float weight, uint64_t* touched,
                    float* scores) {
  for (size_t i = 0; i < Bitmap::kChunkWords; ++i) {
    uint64_t bits = mask != nullptr ? words[i] & mask[i] : words[i];
    touched[i] |= bits;
    for (; bits != 0; bits &= bits - 1) {
      scores[i * 64 + static_cast<size_t>(std::countr_zero(bits))] += weight;
    }
  }
}

// Calls f(slot, score) for every touched slot of the chunk, ascending, and
// clears the touched marks and scores for the next product.
template <typename F>
void Drain(uint64_t* touched, float* scores, F&& f) {
  for (size_t i = 0; i < Bitmap::kChunkWords; ++i) {
    for (uint64_t bits = touched[i]; bits != 0; bits &= bits - 1) {
      const size_t slot = i * 64 + static_cast<size_t>(std::countr_zero(bits));
      f(slot, scores[slot]);
      scores[slot] = 0;
    }
    touched[i] = 0;
  }
}

}  // namespace matching_internal

AUDIENCE_FUNC absl::StatusOr<Matcher> Matcher::Create(const Store& store,
                                                      std::vector<Product> products,
                                                      std::vector<Scene> scenes, absl::Time now) {
  Matcher m;
  absl::flat_hash_set<std::string> scene_names;
  for (const Scene& s : scenes) {
    const bool minutes_ok = s.from_minute >= 0 && s.from_minute <= 1440 && s.to_minute >= 0 &&
                            s.to_minute <= 1440;
    if (s.name.empty() || !scene_names.insert(s.name).second || !minutes_ok ||
        (s.weekdays & ~kEveryDay) != 0) {
      return absl::InvalidArgumentError(fmt::format(
          "scene '{}': empty or duplicate name, minutes outside 0..1440 or bad weekdays", s.name));
    }
  }
  absl::flat_hash_map<std::string, uint32_t> term_ids;
  for (const Product& p : products) {
    if (p.terms.empty()) {
      return absl::InvalidArgumentError(fmt::format("product '{}': no terms", p.id));
    }
    for (const std::string& scene : p.scenes) {
      if (!scene_names.contains(scene)) {
        return absl::InvalidArgumentError(
            fmt::format("product '{}': unknown scene '{}'", p.id, scene));
      }
    }
    double total = 0;
    for (const MatchTerm& t : p.terms) {
      if (!(t.weight > 0) || !std::isfinite(t.weight)) {
        return absl::InvalidArgumentError(
            fmt::format("product '{}': term '{}': weight {} is not > 0", p.id, t.query, t.weight));
      }
      total += t.weight;
    }
    std::vector<Weighted> weighted;
    for (const MatchTerm& t : p.terms) {
      auto [it, fresh] = term_ids.try_emplace(t.query, static_cast<uint32_t>(m.terms_.size()));
      if (fresh) {
        absl::StatusOr<Segment> members = Evaluate(store, t.query, {.now = now});
        if (!members.ok()) {
          return absl::InvalidArgumentError(fmt::format("product '{}': term '{}': {}", p.id,
                                                        t.query, members.status().message()));
        }
        m.terms_.push_back(members->people());
      }
      weighted.push_back({it->second, static_cast<float>(t.weight / total)});
    }
    m.weighted_.push_back(std::move(weighted));
  }
  m.products_ = std::move(products);
  m.scenes_ = std::move(scenes);
  return m;
}

AUDIENCE_FUNC std::vector<std::string> Matcher::ScenesAt(absl::Time t, const absl::TimeZone& zone,
                                                         std::string_view channel) const {
  const absl::CivilSecond local = absl::ToCivilSecond(t, zone);
  const int minute = local.hour() * 60 + local.minute();
  const int day = WeekdayBit(absl::GetWeekday(absl::CivilDay(local)));
  std::vector<std::string> out;
  for (const Scene& s : scenes_) {
    if (!s.channel.empty() && s.channel != channel) continue;
    if (((s.weekdays >> day) & 1) == 0) continue;
    if (InMinuteWindow(minute, s.from_minute, s.to_minute)) out.push_back(s.name);
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<uint32_t>> Matcher::ProductsFor(
    std::string_view scene) const {
  if (!scene.empty() &&
      std::none_of(scenes_.begin(), scenes_.end(), [&](const Scene& s) { return s.name == scene; })) {
    return absl::NotFoundError(fmt::format("unknown scene '{}'", scene));
  }
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < products_.size(); ++i) {
    const std::vector<std::string>& fits = products_[i].scenes;
    if (scene.empty() || fits.empty() || std::find(fits.begin(), fits.end(), scene) != fits.end()) {
      out.push_back(i);
    }
  }
  return out;
}

AUDIENCE_FUNC absl::StatusOr<std::vector<Match>> Matcher::TopProducts(PersonId person,
                                                                      std::string_view scene,
                                                                      size_t n) const {
  AUDIENCE_ASSIGN_OR_RETURN(std::vector<uint32_t> candidates, ProductsFor(scene));
  std::vector<int8_t> holds(terms_.size(), -1);  // -1 unknown, 0 no, 1 yes
  std::vector<Match> top(n);
  for (uint32_t i : candidates) {
    float score = 0;
    for (const Weighted& w : weighted_[i]) {
      if (holds[w.term] < 0) holds[w.term] = terms_[w.term].Contains(person) ? 1 : 0;
      if (holds[w.term] == 1) score += w.weight;
    }
    if (score > 0) matching_internal::Offer(top.data(), n, {i, score});
  }
  while (!top.empty() && top.back().score == 0) top.pop_back();
  return top;
}

AUDIENCE_FUNC std::vector<Match> Matcher::TopPeople(size_t product, size_t n,
                                                    const Bitmap* within) const {
  using matching_internal::Better;
  // A heap of the best n so far, the worst on top (Better orders best first).
  std::vector<Match> heap;
  auto offer = [&](Match m) {
    if (heap.size() < n) {
      heap.push_back(m);
      std::push_heap(heap.begin(), heap.end(), Better);
    } else if (Better(m, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), Better);
      heap.back() = m;
      std::push_heap(heap.begin(), heap.end(), Better);
    }
  };
  if (product >= weighted_.size() || n == 0) return {};
  const std::vector<Weighted>& terms = weighted_[product];
  // Every chunk key any term has, ascending.
  std::vector<uint32_t> keys;
  for (const Weighted& w : terms) {
    const Bitmap& b = terms_[w.term];
    for (size_t c = 0; c < b.ChunkCount(); ++c) keys.push_back(b.ChunkKey(c));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  constexpr size_t kWords = Bitmap::kChunkWords;
  std::vector<uint64_t> scratch(kWords), mask(kWords), touched(kWords, 0);
  std::vector<float> scores(kWords * 64, 0);
  for (uint32_t key : keys) {
    const uint64_t* in_scope = nullptr;
    if (within != nullptr) {
      in_scope = matching_internal::ChunkOf(*within, key, mask.data());
      if (in_scope == nullptr) continue;
    }
    for (const Weighted& w : terms) {
      const uint64_t* words = matching_internal::ChunkOf(terms_[w.term], key, scratch.data());
      if (words != nullptr) {
        matching_internal::AddTerm(words, in_scope, w.weight, touched.data(), scores.data());
      }
    }
    matching_internal::Drain(touched.data(), scores.data(), [&](size_t slot, float score) {
      offer({static_cast<uint32_t>((uint64_t{key} << 16) | slot), score});
    });
  }
  std::sort_heap(heap.begin(), heap.end(), Better);
  return heap;
}

AUDIENCE_FUNC absl::StatusOr<MatchTable> Matcher::TopProductsForAll(const Bitmap& people,
                                                                    std::string_view scene,
                                                                    size_t n) const {
  AUDIENCE_ASSIGN_OR_RETURN(std::vector<uint32_t> candidates, ProductsFor(scene));
  MatchTable table;
  table.per_person = n;
  table.people = people.ToVector();
  table.best.assign(table.people.size() * n, Match{});
  if (n == 0) return table;
  // The terms the candidates use; each is expanded once per chunk.
  std::vector<uint32_t> used;
  for (uint32_t i : candidates) {
    for (const Weighted& w : weighted_[i]) used.push_back(w.term);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  constexpr size_t kWords = Bitmap::kChunkWords;
  std::vector<std::vector<uint64_t>> buffers(terms_.size());
  std::vector<const uint64_t*> words(terms_.size(), nullptr);  // null: no ids in the chunk
  std::vector<uint64_t> mask_buffer(kWords), touched(kWords, 0);
  std::vector<float> scores(kWords * 64, 0);
  std::vector<Match> tops(kWords * 64 * n);  // per slot of the chunk
  size_t row = 0;  // first row of the chunk in the table
  for (size_t pc = 0; pc < people.ChunkCount(); ++pc) {
    const uint32_t key = people.ChunkKey(pc);
    const uint64_t* mask = people.ChunkWords(pc, mask_buffer.data());
    for (uint32_t t : used) {
      buffers[t].resize(kWords);
      words[t] = matching_internal::ChunkOf(terms_[t], key, buffers[t].data());
    }
    std::fill(tops.begin(), tops.end(), Match{});
    for (uint32_t product : candidates) {
      for (const Weighted& w : weighted_[product]) {
        if (words[w.term] != nullptr) {
          matching_internal::AddTerm(words[w.term], mask, w.weight, touched.data(), scores.data());
        }
      }
      matching_internal::Drain(touched.data(), scores.data(), [&](size_t slot, float score) {
        matching_internal::Offer(tops.data() + slot * n, n, {product, score});
      });
    }
    for (size_t i = 0; i < kWords; ++i) {
      for (uint64_t bits = mask[i]; bits != 0; bits &= bits - 1, ++row) {
        const size_t slot = i * 64 + static_cast<size_t>(std::countr_zero(bits));
        std::copy_n(tops.begin() + static_cast<std::ptrdiff_t>(slot * n), n,
                    table.best.begin() + static_cast<std::ptrdiff_t>(row * n));
      }
    }
  }
  return table;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_OPS_MATCHING_INL_H_
