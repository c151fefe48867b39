#pragma once
// Typed values held in project fields and produced by expressions. Enum and user fields
// hold text; money, area and number fields hold numbers (their unit lives in the field
// definition, never in the value).

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/field_map.hpp"

namespace investflow::engine {

class Value {
 public:
  enum class Kind { null, boolean, number, text, date, list };
  using List = std::vector<Value>;

  Value() = default;  // null
  static Value boolean(bool v) { return Value(Data(std::in_place_index<1>, v)); }
  static Value number(double v) { return Value(Data(std::in_place_index<2>, v)); }
  static Value text(std::string v) { return Value(Data(std::in_place_index<3>, std::move(v))); }
  static Value date(Date v) { return Value(Data(std::in_place_index<4>, v)); }
  static Value list(List v) { return Value(Data(std::in_place_index<5>, std::move(v))); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::null; }

  // Accessors return nullptr when the value is of another kind.
  const bool* as_boolean() const { return std::get_if<1>(&data_); }
  const double* as_number() const { return std::get_if<2>(&data_); }
  const std::string* as_text() const { return std::get_if<3>(&data_); }
  const Date* as_date() const { return std::get_if<4>(&data_); }
  const List* as_list() const { return std::get_if<5>(&data_); }

  // true only for boolean true; guards and conditions use this, so null never passes.
  bool is_true() const {
    const bool* b = as_boolean();
    return b != nullptr && *b;
  }
  // Not null, and not an empty text or list: what `present(x)` tests.
  bool is_present() const;

  // How a person reads the value: numbers without trailing zeros, dates as YYYY-MM-DD,
  // lists comma-separated, null as the empty string.
  std::string to_display() const;

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  using Data = std::variant<std::monostate, bool, double, std::string, Date, List>;
  explicit Value(Data data) : data_(std::move(data)) {}
  Data data_;
};

std::string_view kind_name(Value::Kind kind);

// Field name -> value, in name order; lookups take string_view (engine/field_map.hpp).
using FieldMap = SortedNameMap<Value>;

// `text` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view text);

// Number formatting shared by display and interpolation: up to `max_decimals` decimals,
// trailing zeros trimmed ("330", "1.5", "0.33").
std::string format_number(double value, int max_decimals = 4);

}  // namespace investflow::engine
