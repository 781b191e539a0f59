// Early-return helpers for absl::Status / absl::StatusOr (Debian's Abseil
// 20220623 ships none).
//
//   absl::StatusOr<int> Parse(std::string_view s);
//   absl::Status Use(std::string_view s) {
//     AUDIENCE_ASSIGN_OR_RETURN(int v, Parse(s));
//     AUDIENCE_RETURN_IF_ERROR(Check(v));
//     return absl::OkStatus();
//   }
#ifndef AUDIENCE_BASE_STATUS_MACROS_H_
#define AUDIENCE_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define AUDIENCE_RETURN_IF_ERROR(expr)                 \
  do {                                                 \
    ::absl::Status audience_status_ = (expr);          \
    if (!audience_status_.ok()) return audience_status_; \
  } while (false)

#define AUDIENCE_STATUS_CONCAT_INNER_(a, b) a##b
#define AUDIENCE_STATUS_CONCAT_(a, b) AUDIENCE_STATUS_CONCAT_INNER_(a, b)

#define AUDIENCE_ASSIGN_OR_RETURN(lhs, rexpr)                                 \
  AUDIENCE_ASSIGN_OR_RETURN_IMPL_(                                            \
      AUDIENCE_STATUS_CONCAT_(audience_statusor_, __LINE__), lhs, rexpr)

#define AUDIENCE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

#endif  // AUDIENCE_BASE_STATUS_MACROS_H_
