// Value: one typed attribute value (or null) as the host passes it in.
//
//   Value age = Value::Int(31);
//   Value seen = Value::Time(absl::FromUnixSeconds(1700000000));
//   Value tier = Value::Enum("gold");
//   if (age.is_null()) ...
#ifndef AUDIENCE_SCHEMA_VALUE_H_
#define AUDIENCE_SCHEMA_VALUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "absl/time/time.h"
#include "audience/base/config.h"

AUDIENCE_BEGIN_NAMESPACE

enum class AttributeType : uint8_t { kInt64, kDouble, kEnum, kTimestamp, kBool };

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Int(int64_t v) { return Value(Rep(std::in_place_index<1>, v)); }
  static Value Double(double v) { return Value(Rep(std::in_place_index<2>, v)); }
  static Value Enum(std::string v) { return Value(Rep(std::in_place_index<3>, std::move(v))); }
  static Value Time(absl::Time v) { return Value(Rep(std::in_place_index<4>, v)); }
  static Value Bool(bool v) { return Value(Rep(std::in_place_index<5>, v)); }

  bool is_null() const { return rep_.index() == 0; }
  // The type this value carries; undefined for null.
  AttributeType type() const {
    static constexpr AttributeType kByIndex[] = {
        AttributeType::kInt64, AttributeType::kInt64, AttributeType::kDouble,
        AttributeType::kEnum,  AttributeType::kTimestamp, AttributeType::kBool};
    return kByIndex[rep_.index()];
  }
  // Accessors require the matching type.
  int64_t int_value() const { return std::get<1>(rep_); }
  double double_value() const { return std::get<2>(rep_); }
  const std::string& enum_value() const { return std::get<3>(rep_); }
  absl::Time time_value() const { return std::get<4>(rep_); }
  bool bool_value() const { return std::get<5>(rep_); }

  friend bool operator==(const Value& a, const Value& b) { return a.rep_ == b.rep_; }

 private:
  using Rep = std::variant<std::monostate, int64_t, double, std::string, absl::Time, bool>;
  explicit Value(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

AUDIENCE_END_NAMESPACE

#endif  // AUDIENCE_SCHEMA_VALUE_H_
