#pragma once
// Typed values held in project fields and produced by expressions. Enum and user fields
// hold text; money, area and number fields hold numbers (their unit lives in the field
// definition, never in the value).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/field_map.hpp"

namespace investflow::engine {

class Value {
 public:
  enum class Kind : std::uint8_t { null, boolean, number, text, date, list };
  using List = std::vector<Value>;

  Value() noexcept {}  // null
  static Value boolean(bool v) {
    Value out;
    out.boolean_ = v;
    out.kind_ = Kind::boolean;
    return out;
  }
  static Value number(double v) {
    Value out;
    out.number_ = v;
    out.kind_ = Kind::number;
    return out;
  }
  static Value text(std::string v) {
    Value out;
    std::construct_at(&out.text_, std::move(v));
    out.kind_ = Kind::text;
    return out;
  }
  static Value date(Date v) {
    Value out;
    out.date_ = v;
    out.kind_ = Kind::date;
    return out;
  }
  static Value list(List v) {
    Value out;
    std::construct_at(&out.list_, std::move(v));
    out.kind_ = Kind::list;
    return out;
  }

  // A tagged union rather than std::variant: values are copied, moved and destroyed all
  // through expression evaluation, and here those are a test of the tag and, for the
  // kinds that own nothing, a plain copy, instead of a dispatch through a table.
  Value(const Value& other) { take(other); }
  Value(Value&& other) noexcept { take(std::move(other)); }
  Value& operator=(const Value& other) {
    if (this != &other) {
      Value copy(other);
      reset();
      take(std::move(copy));
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      reset();
      take(std::move(other));
    }
    return *this;
  }
  ~Value() {
    if (owns()) release();
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }

  // Accessors return nullptr when the value is of another kind.
  const bool* as_boolean() const { return kind_ == Kind::boolean ? &boolean_ : nullptr; }
  const double* as_number() const { return kind_ == Kind::number ? &number_ : nullptr; }
  const std::string* as_text() const { return kind_ == Kind::text ? &text_ : nullptr; }
  const Date* as_date() const { return kind_ == Kind::date ? &date_ : nullptr; }
  const List* as_list() const { return kind_ == Kind::list ? &list_ : nullptr; }

  // true only for boolean true; guards and conditions use this, so null never passes.
  bool is_true() const { return kind_ == Kind::boolean && boolean_; }
  // Not null, and not an empty text or list: what `present(x)` tests.
  bool is_present() const;

  // How a person reads the value: numbers without trailing zeros, dates as YYYY-MM-DD,
  // lists comma-separated, null as the empty string.
  std::string to_display() const;

  // Same kind and equal (numbers by ==, so NaN equals nothing and 0 == -0).
  friend bool operator==(const Value& a, const Value& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
      case Kind::null:
        return true;
      case Kind::boolean:
        return a.boolean_ == b.boolean_;
      case Kind::number:
        return a.number_ == b.number_;
      case Kind::text:
        return a.text_ == b.text_;
      case Kind::date:
        return a.date_ == b.date_;
      case Kind::list:
        return a.list_ == b.list_;
    }
    return false;
  }

 private:
  bool owns() const { return kind_ == Kind::text || kind_ == Kind::list; }
  // Kept apart from the test in reset() so that the test inlines everywhere (destroying a
  // list destroys values, so this part cannot be).
  void release() noexcept {
    if (kind_ == Kind::text) {
      std::destroy_at(&text_);
    } else {
      std::destroy_at(&list_);
    }
  }
  void reset() noexcept {
    if (owns()) release();
    kind_ = Kind::null;
  }
  // Into a null value, from a Value& (moved: the source keeps its kind, holding a
  // moved-from text or list) or a const Value& (copied: if that throws, this stays null).
  template <typename Source>
  void take(Source&& other) {
    switch (other.kind_) {
      case Kind::null:
        break;
      case Kind::boolean:
        boolean_ = other.boolean_;
        break;
      case Kind::number:
        number_ = other.number_;
        break;
      case Kind::text:
        std::construct_at(&text_, std::forward<Source>(other).text_);
        break;
      case Kind::date:
        date_ = other.date_;
        break;
      case Kind::list:
        std::construct_at(&list_, std::forward<Source>(other).list_);
        break;
    }
    kind_ = other.kind_;
  }

  union {
    bool boolean_;
    double number_;
    Date date_;
    std::string text_;
    List list_;
  };
  Kind kind_ = Kind::null;
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
