// Definitions for suggest.h.
#ifndef AUDIENCE_QUERY_SUGGEST_INL_H_
#define AUDIENCE_QUERY_SUGGEST_INL_H_

#include <algorithm>

#include "audience/base/strings.h"
#include "audience/query/suggest.h"

AUDIENCE_BEGIN_NAMESPACE

AUDIENCE_FUNC size_t EditDistance(std::string_view a, std::string_view b, size_t cap) {
  auto lower = [](char c) { return AsciiLower(c); };
  size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > cap) return cap + 1;
  // Three rows of the dynamic-programming table (OSA needs two back).
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], cap + 1);
}

AUDIENCE_FUNC std::optional<std::string> ClosestName(std::string_view typed,
                                                     absl::Span<const std::string> candidates) {
  size_t limit = std::max<size_t>(1, typed.size() / 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(typed, c, limit);
    if (d < best_distance && d > 0) {
      best_distance = d;
      best = c;
    } else if (d == 0 && c != typed) {
      return c;  // differs only in case
    }
  }
  return best;
}

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_QUERY_SUGGEST_INL_H_
