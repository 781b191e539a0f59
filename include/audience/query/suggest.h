// "Did you mean ...?" for misspelt names (dimensions, values of closed
// dimensions, attributes, functions, saved segments).
//
//   std::optional<std::string> s = ClosestName("intrest", {"interest", "income"});
//   // "interest"
//
// Distance is the optimal-string-alignment edit distance (insert, delete,
// substitute, swap two neighbours), case-insensitive for ASCII. A candidate
// is suggested when its distance is at most max(1, len/3) of the typed name
// (so "ag" finds "age" but "x" finds nothing); ties go to the earlier
// candidate, so callers list the most likely names first.
#ifndef AUDIENCE_QUERY_SUGGEST_H_
#define AUDIENCE_QUERY_SUGGEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Edit distance, capped: returns cap + 1 as soon as it must exceed `cap`.
size_t EditDistance(std::string_view a, std::string_view b, size_t cap = 64);

std::optional<std::string> ClosestName(std::string_view typed,
                                       absl::Span<const std::string> candidates);

AUDIENCE_END_NAMESPACE

#ifdef AUDIENCE_HEADER_ONLY
#include "audience/query/suggest-inl.h"
#endif

#endif  // AUDIENCE_QUERY_SUGGEST_H_
