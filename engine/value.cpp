#include "engine/value.hpp"

#include <cmath>
#include <cstdio>

#include "engine/names.hpp"

namespace investflow::engine {

bool Value::is_present() const {
  switch (kind()) {
    case Kind::null:
      return false;
    case Kind::text:
      return !as_text()->empty();
    case Kind::list:
      return !as_list()->empty();
    case Kind::boolean:
    case Kind::number:
    case Kind::date:
      return true;
  }
  return false;
}

std::string Value::to_display() const {
  switch (kind()) {
    case Kind::null:
      return "";
    case Kind::boolean:
      return *as_boolean() ? "true" : "false";
    case Kind::number:
      return format_number(*as_number());
    case Kind::text:
      return *as_text();
    case Kind::date:
      return as_date()->to_string();
    case Kind::list: {
      std::string out;
      for (const Value& item : *as_list()) {
        if (!out.empty()) out += ", ";
        out += item.to_display();
      }
      return out;
    }
  }
  return "";
}

namespace {
constexpr EnumName<Value::Kind> kKindNames[] = {
    {Value::Kind::null, "null"}, {Value::Kind::boolean, "bool"}, {Value::Kind::number, "number"},
    {Value::Kind::text, "text"}, {Value::Kind::date, "date"},    {Value::Kind::list, "list"}};
static_assert(in_order(kKindNames));
}  // namespace

std::string_view kind_name(Value::Kind kind) {
  return name_in(kKindNames, kind);
}

std::string format_number(double value, int max_decimals) {
  if (!std::isfinite(value))
    return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
  if (max_decimals < 0) max_decimals = 0;
  if (max_decimals > 12) max_decimals = 12;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", max_decimals, value);
  std::string out(buffer);
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0')
      out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

}  // namespace investflow::engine
