// libFuzzer target for the expression language: every input is parsed; what parses is
// checked against a fixed set of names, typed and evaluated against a fixed scope. The
// input also goes through interpolate() and closest_match(), which read message text.
// Seeds: tests/fuzz/corpus/expression/.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.hpp"
#include "engine/expression.hpp"
#include "tests/support/declared_names.hpp"

namespace {

using investflow::engine::Calendar;
using investflow::engine::Date;
using investflow::engine::ExprType;
using investflow::engine::NameInfo;
using investflow::engine::NameResolver;
using investflow::engine::Scope;
using investflow::engine::Value;
using investflow::engine::testing::Declarations;
using investflow::engine::testing::DeclaredNames;
using investflow::engine::testing::DeclaredScope;

Declarations declarations() {
  using Kind = NameInfo::Kind;
  const Date signed_on = *Date::from_ymd(2026, 2, 10);
  Declarations all;
  all["total_investment"] = {{Kind::value, ExprType::number, {}}, Value::number(50000)};
  all["land_area"] = {{Kind::value, ExprType::number, {}}, Value::number(0)};
  all["industry"] = {{Kind::value, ExprType::text, {"new_materials", "electronics", "other"}},
                     Value::text("electronics")};
  all["land_type"] = {{Kind::value, ExprType::text, {"new_land", "leased_factory"}}, Value()};
  all["name"] = {{Kind::value, ExprType::text, {}}, Value::text("清远")};
  all["priority"] = {{Kind::value, ExprType::boolean, {}}, Value::boolean(true)};
  all["signed_on"] = {{Kind::value, ExprType::date, {}}, Value::date(signed_on)};
  all["registered_on"] = {{Kind::value, ExprType::date, {}}, Value()};
  all["tags"] = {{Kind::value, ExprType::list, {"listed", "high_tech"}},
                 Value::list({Value::text("listed")})};
  all["review.passed"] = {{Kind::value, ExprType::boolean, {}}, Value::boolean(false)};
  all["approvals"] = {{Kind::value, ExprType::number, {}}, Value::number(2)};
  all["votes"] = {{Kind::value, ExprType::number, {}}, Value::number(3)};
  all["intensity_min"] = {{Kind::table, ExprType::number, {}}, Value()};
  return all;
}

Value intensity_min(std::string_view table, const Value& key) {
  if (table != "intensity_min") return {};
  const std::string* text = key.as_text();
  return Value::number(text != nullptr && *text == "electronics" ? 350 : 300);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const DeclaredNames names(declarations());
  static const Calendar calendar = Calendar::weekends_only();
  static const Date today = *Date::from_ymd(2026, 2, 12);
  static const DeclaredScope with_calendar(declarations(), intensity_min, today, &calendar);
  static const DeclaredScope without_calendar(declarations(), intensity_min, today, nullptr);

  const std::string_view source(reinterpret_cast<const char*>(data), size);
  const auto parsed = investflow::engine::Expression::parse(source);
  if (parsed.ok()) {
    for (const auto& problem : parsed->check(names)) {
      if (problem.column < 1 || problem.column > static_cast<int>(size) + 1) __builtin_trap();
    }
    (void)parsed->type(names);
    (void)parsed->referenced_names();
    (void)parsed->evaluate(with_calendar);
    (void)parsed->evaluate(without_calendar);
  } else if (parsed.error().column < 1 || parsed.error().column > static_cast<int>(size) + 1) {
    __builtin_trap();
  }
  (void)investflow::engine::interpolate(source, without_calendar);
  if (size < 256) (void)investflow::engine::closest_match(source, names.names());
  return 0;
}
