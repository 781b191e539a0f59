// Sources: who made a tag assignment (manual, rule, import, a classifier).
//
// Storage records a small SourceId per assignment; the store keeps the names.
//
//   SourceRegistry sources;
//   SourceId rfm = sources.Intern("rfm");   // 3, stable for the store's life
//   sources.Name(kSourceImport);            // "import"
#ifndef AUDIENCE_STORAGE_SOURCE_H_
#define AUDIENCE_STORAGE_SOURCE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "audience/base/config.h"
#include "audience/base/strings.h"

AUDIENCE_BEGIN_NAMESPACE

using SourceId = uint16_t;
inline constexpr SourceId kSourceManual = 0;
inline constexpr SourceId kSourceRule = 1;
inline constexpr SourceId kSourceImport = 2;

class SourceRegistry {
 public:
  SourceRegistry() {
    for (const char* n : {"manual", "rule", "import"}) Intern(n);
  }
  // Returns the id for `name`, creating it if new. At most 65,536 sources;
  // returns false via `ok` past that (the store turns it into an error).
  SourceId Intern(std::string_view name, bool* ok = nullptr) {
    if (auto it = ids_.find(AbslView(name)); it != ids_.end()) {
      if (ok) *ok = true;
      return it->second;
    }
    if (names_.size() > UINT16_MAX) {
      if (ok) *ok = false;
      return kSourceManual;
    }
    auto id = static_cast<SourceId>(names_.size());
    names_.emplace_back(name);
    ids_.emplace(names_.back(), id);
    if (ok) *ok = true;
    return id;
  }
  const std::string* Find(SourceId id) const {
    return id < names_.size() ? &names_[id] : nullptr;
  }
  const std::string& Name(SourceId id) const { return names_.at(id); }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, SourceId> ids_;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_STORAGE_SOURCE_H_
