// ExternalId: a person's id in the host's systems, either a 64-bit integer
// (a customer number) or a string (an email hash, a device id, "wx:openid").
//
// The two kinds are distinct: Int(42) and Str("42") are different ids and
// may name different people. ExternalId is a plain value (copyable,
// hashable with absl::Hash, ordered: every integer before every string).
//
//   ExternalId a = ExternalId::Int(42);
//   ExternalId b = ExternalId::Str("phone:555");
//   a == ExternalId::Str("42");   // false
//   b.ToString();                 // "phone:555"
//
// Which ids the IdMap accepts (non-empty strings of at most
// kMaxExternalIdBytes bytes, any int64) is checked there
// (IdMap::ValidateId), not here.
#ifndef AUDIENCE_IDS_EXTERNAL_ID_H_
#define AUDIENCE_IDS_EXTERNAL_ID_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

// Longest string id, in bytes.
inline constexpr size_t kMaxExternalIdBytes = 256;

class ExternalId {
 public:
  // The empty string id, which every IdMap operation rejects; it exists so
  // that ExternalId can be a member of default-constructed structs.
  ExternalId() = default;

  static ExternalId Int(int64_t v) {
    ExternalId id;
    id.is_int_ = true;
    id.int_ = v;
    return id;
  }
  static ExternalId Str(std::string v) {
    ExternalId id;
    id.str_ = std::move(v);
    return id;
  }

  bool is_int() const { return is_int_; }
  bool is_string() const { return !is_int_; }
  // 0 for a string id.
  int64_t int_value() const { return int_; }
  // Empty for an integer id.
  const std::string& str_value() const { return str_; }

  // "42" for Int(42), the string itself for Str(...). Two ids of different
  // kinds can print alike; use is_int() to tell them apart.
  std::string ToString() const { return is_int_ ? std::to_string(int_) : str_; }

  friend bool operator==(const ExternalId& a, const ExternalId& b) {
    return a.is_int_ == b.is_int_ && (a.is_int_ ? a.int_ == b.int_ : a.str_ == b.str_);
  }
  friend bool operator!=(const ExternalId& a, const ExternalId& b) { return !(a == b); }
  // Integers (numerically) before strings (bytewise).
  friend bool operator<(const ExternalId& a, const ExternalId& b) {
    if (a.is_int_ != b.is_int_) return a.is_int_;
    return a.is_int_ ? a.int_ < b.int_ : a.str_ < b.str_;
  }

  template <typename H>
  friend H AbslHashValue(H h, const ExternalId& id) {
    if (id.is_int_) return H::combine(std::move(h), true, id.int_);
    return H::combine(std::move(h), false, id.str_);
  }

 private:
  std::string str_;
  int64_t int_ = 0;
  bool is_int_ = false;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_IDS_EXTERNAL_ID_H_
