// Helpers shared by the classifiers that write into the store (RunRfm,
// RunModels, RunStages): the dimensions and attributes they own, created
// when missing and refused when the schema holds them with another kind,
// and the values a dimension holds before a run replaces them.
//
//   AUDIENCE_RETURN_IF_ERROR(EnsureExclusiveDimension(store, "lifecycle", "RunStages"));
//   for (const auto& [value, members] : HeldValues(store, "lifecycle")) ...
#ifndef AUDIENCE_CLASSIFY_STORE_WRITES_H_
#define AUDIENCE_CLASSIFY_STORE_WRITES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "audience/base/status_macros.h"
#include "audience/store/store.h"
#include "fmt/format.h"

AUDIENCE_BEGIN_NAMESPACE

namespace classify_internal {

// The dimension `name`, created exclusive (described as written by `by`)
// when missing; FailedPrecondition when it exists with another kind.
inline absl::StatusOr<DimensionId> EnsureExclusiveDimension(Store& store,
                                                            const std::string& name,
                                                            std::string_view by) {
  if (std::optional<DimensionId> d = store.schema().DimensionIdOf(name)) {
    if (store.dimension(*d).kind() != DimensionKind::kExclusive) {
      return absl::FailedPreconditionError(fmt::format(
          "dimension '{}' exists and is not exclusive; {} writes one value per person", name,
          by));
    }
    return *d;
  }
  return store.AddDimension({.name = name,
                             .kind = DimensionKind::kExclusive,
                             .description = fmt::format("written by {}", by)});
}

// Checks that none of `attributes` exists with another type, then creates
// the missing ones: a clash leaves the schema untouched.
inline absl::Status EnsureAttributes(
    Store& store, const std::vector<std::pair<std::string, AttributeType>>& attributes,
    std::string_view by) {
  for (const auto& [name, type] : attributes) {
    AUDIENCE_RETURN_IF_ERROR(Schema::ValidateName("attribute name", name));
    std::optional<AttributeId> a = store.schema().AttributeIdOf(name);
    if (a && store.attribute(*a).type() != type) {
      return absl::FailedPreconditionError(
          fmt::format("attribute '{}' exists with type {}; {} writes {}", name,
                      AttributeTypeName(store.attribute(*a).type()), by,
                      AttributeTypeName(type)));
    }
  }
  for (const auto& [name, type] : attributes) {
    if (store.schema().AttributeIdOf(name)) continue;
    AUDIENCE_RETURN_IF_ERROR(store
                                 .AddAttribute({.name = name,
                                                .type = type,
                                                .description = fmt::format("written by {}", by)})
                                 .status());
  }
  return absl::OkStatus();
}

// Value name -> members of every non-empty value of dimension `name` (none
// if it is missing). The pointers are valid until the store changes.
inline std::vector<std::pair<std::string, const Bitmap*>> HeldValues(const Store& store,
                                                                     const std::string& name) {
  std::vector<std::pair<std::string, const Bitmap*>> out;
  std::optional<DimensionId> d = store.schema().DimensionIdOf(name);
  if (!d) return out;
  const TagDimension& dim = store.dimension(*d);
  for (uint32_t v = 0; v < dim.value_count(); ++v) {
    if (!dim.Members(v).IsEmpty()) out.emplace_back(dim.ValueName(v), &dim.Members(v));
  }
  return out;
}

}  // namespace classify_internal

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_CLASSIFY_STORE_WRITES_H_
