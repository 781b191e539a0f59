// TagOptions: how a tag assignment expires and who made it; shared by the
// row operations of WriteBatch and the tag columns of a ColumnBlock.
//
//   batch.Tag(id, "campaign", "spring", {.expires_at = now + absl::Hours(48),
//                                        .source = "rule"});
#ifndef AUDIENCE_STORE_TAG_OPTIONS_H_
#define AUDIENCE_STORE_TAG_OPTIONS_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

struct TagOptions {
  // Explicit expiry; when absent the dimension's default TTL (if any) counts
  // from the batch time.
  std::optional<absl::Time> expires_at{};
  // "manual", "rule", "import" or a classifier's name.
  std::string source = "manual";
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORE_TAG_OPTIONS_H_
