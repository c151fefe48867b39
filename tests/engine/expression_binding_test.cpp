// Expression::bind and Expression::holds: the engine's fast paths must mean exactly what
// evaluate() means.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expression.hpp"

namespace investflow::engine {
namespace {

// Values by name; records the slot each read arrives with.
class SlotScope final : public Scope {
 public:
  SlotScope() {
    values_["a"] = Value::number(3);
    values_["b"] = Value::number(0);
    values_["kind"] = Value::text("new_land");
    values_["flag"] = Value::boolean(true);
    values_["empty"] = Value::text("");
  }
  Value value_of(std::string_view name) const override {
    const auto found = values_.find(name);
    return found == values_.end() ? Value() : found->second;
  }
  Value table_entry(std::string_view table, const Value& key) const override {
    if (table != "limits") return {};
    const std::string* text = key.as_text();
    return Value::number(text != nullptr && *text == "new_land" ? 330 : 300);
  }
  Date today() const override { return Date(20000); }
  const Calendar* calendar() const override { return nullptr; }

  const Value& value_at(int slot, std::string_view name, Value& storage) const override {
    slots_[std::string(name)] = slot;
    return Scope::value_at(slot, name, storage);
  }
  Value table_entry_at(int slot, std::string_view table, const Value& key) const override {
    slots_[std::string(table)] = slot;
    return Scope::table_entry_at(slot, table, key);
  }

  mutable std::map<std::string, int, std::less<>> slots_;

 private:
  std::map<std::string, Value, std::less<>> values_;
};

Expression parsed(std::string_view source) {
  auto expression = Expression::parse(source);
  EXPECT_TRUE(expression.ok()) << source;
  return expression.ok() ? std::move(expression).value() : Expression();
}

int slot_by_length(std::string_view name) {
  return static_cast<int>(name.size());
}

TEST(ExpressionBinding, BoundNamesReachTheScopeWithTheirSlots) {
  Expression expression = parsed("a + limits[kind]");
  expression.bind(slot_by_length);
  SlotScope scope;
  EXPECT_EQ(expression.evaluate(scope), Value::number(333));
  EXPECT_EQ(scope.slots_.at("a"), 1);
  EXPECT_EQ(scope.slots_.at("kind"), 4);
  EXPECT_EQ(scope.slots_.at("limits"), 6);
}

TEST(ExpressionBinding, CopiesMadeBeforeBindingStayUnbound) {
  Expression original = parsed("a * 2");
  const Expression copy = original;
  original.bind([](std::string_view) { return 7; });
  SlotScope scope;
  EXPECT_EQ(copy.evaluate(scope), Value::number(6));
  EXPECT_EQ(scope.slots_.at("a"), -1);
  EXPECT_EQ(original.evaluate(scope), Value::number(6));
  EXPECT_EQ(scope.slots_.at("a"), 7);
}

TEST(ExpressionBinding, HoldsAgreesWithEvaluate) {
  const std::vector<std::string> sources = {
      "a > 2",
      "a > 2 && b",
      "a / b > 1",
      "!(a / b > 1)",
      "null",
      "flag",
      "!flag || a == 3",
      "kind in ['new_land', 'leased_factory']",
      "kind in []",
      "present(empty)",
      "present(kind) && !present(missing)",
      "a > 2 ? kind : flag",
      "a > 5 ? kind : flag",
      "a > 2 ? b : flag",
      "kind",
      "limits[kind] >= 330",
      "missing == null",
      "missing != null || a <= 3",
      "round(a / 7, 2) < 0.5",
      "'b' > 'a' && today() > today() - 1",
  };
  SlotScope scope;
  for (const std::string& source : sources) {
    Expression expression = parsed(source);
    EXPECT_EQ(expression.holds(scope), expression.evaluate(scope).is_true()) << source;
    expression.bind(slot_by_length);
    EXPECT_EQ(expression.holds(scope), expression.evaluate(scope).is_true()) << source;
  }
  EXPECT_FALSE(Expression().holds(scope));
}

}  // namespace
}  // namespace investflow::engine
