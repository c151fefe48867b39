#pragma once
// Typed values held in project fields and produced by expressions. Enum and user fields
// hold text; money, area and number fields hold numbers (their unit lives in the field
// definition, never in the value).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/date.hpp"
#include "engine/field_map.hpp"
#include "engine/names.hpp"

namespace investflow::engine {

class Value {
 public:
  // In the order of the alternatives of the variant below: kind() is its index.
  enum class Kind : std::uint8_t { null, boolean, number, text, date, list };
  using List = std::vector<Value>;

  Value() noexcept = default;  // null
  static Value boolean(bool v) { return Value(std::in_place_type<bool>, v); }
  static Value number(double v) { return Value(std::in_place_type<double>, v); }
  static Value text(std::string v) { return Value(std::in_place_type<std::string>, std::move(v)); }
  static Value date(Date v) { return Value(std::in_place_type<Date>, v); }
  static Value list(List v) { return Value(std::in_place_type<List>, std::move(v)); }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::null; }

  // Accessors return nullptr when the value is of another kind.
  const bool* as_boolean() const { return std::get_if<bool>(&data_); }
  const double* as_number() const { return std::get_if<double>(&data_); }
  const std::string* as_text() const { return std::get_if<std::string>(&data_); }
  const Date* as_date() const { return std::get_if<Date>(&data_); }
  const List* as_list() const { return std::get_if<List>(&data_); }

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

  // Same kind and equal (numbers by ==, so NaN equals nothing and 0 == -0).
  friend bool operator==(const Value&, const Value&) = default;

 private:
  using Data = std::variant<std::monostate, bool, double, std::string, Date, List>;
  static_assert(std::variant_size_v<Data> == static_cast<std::size_t>(Kind::list) + 1);
  static_assert(alternative_index<bool, Data>::value == std::size_t(Kind::boolean));
  static_assert(alternative_index<double, Data>::value == std::size_t(Kind::number));
  static_assert(alternative_index<std::string, Data>::value == std::size_t(Kind::text));
  static_assert(alternative_index<Date, Data>::value == std::size_t(Kind::date));
  static_assert(alternative_index<List, Data>::value == std::size_t(Kind::list));
  template <typename T, typename V>
  Value(std::in_place_type_t<T> type, V&& v) : data_(type, std::forward<V>(v)) {}

  Data data_;
};
std::string_view kind_name(Value::Kind kind);

// Field name -> value, in name order; lookups take string_view (engine/field_map.hpp).
using FieldMap = SortedNameMap<Value>;

// Number formatting shared by display and interpolation: up to `max_decimals` decimals,
// trailing zeros trimmed ("330", "1.5", "0.33").
std::string format_number(double value, int max_decimals = 4);

}  // namespace investflow::engine
