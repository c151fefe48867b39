// The expression language: lexing, precedence, evaluation semantics, parse errors and
// checker problems with their columns, static types, interpolation and suggestions.

#include "engine/expression.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/calendar.hpp"

namespace investflow::engine {
namespace {

Date ymd(int year, int month, int day) {
  return *Date::from_ymd(year, month, day);
}

// Names as a qingyuan-like workflow would declare them.
class TestNames final : public NameResolver {
 public:
  TestNames() {
    add("total_investment", ExprType::number);
    add("land_area", ExprType::number);
    add("investment_intensity", ExprType::number);
    add("industry", ExprType::text,
        {"new_materials", "electronics", "equipment", "biomedicine", "other"});
    add("land_type", ExprType::text, {"new_land", "existing_land", "leased_factory"});
    add("name", ExprType::text);
    add("priority", ExprType::boolean);
    add("signed_on", ExprType::date);
    add("registered_on", ExprType::date);
    add("tags", ExprType::list, {"chain_leader", "listed", "high_tech"});
    add("state", ExprType::text);
    add("review.passed", ExprType::boolean);
    add("approvals", ExprType::number);
    add("votes", ExprType::number);
    add("note", ExprType::any);
    info_["intensity_min"] = NameInfo{NameInfo::Kind::table, ExprType::number, {}};
  }

  std::optional<NameInfo> lookup(std::string_view name) const override {
    const auto found = info_.find(name);
    if (found == info_.end()) return std::nullopt;
    return found->second;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> all;
    for (const auto& [name, info] : info_)
      all.push_back(name);
    return all;
  }

 private:
  void add(std::string name, ExprType type, std::vector<std::string> options = {}) {
    info_[std::move(name)] = NameInfo{NameInfo::Kind::value, type, std::move(options)};
  }
  std::map<std::string, NameInfo, std::less<>> info_;
};

// Field values, one table, a fixed today; counts reads so tests can see short-circuiting.
class TestScope final : public Scope {
 public:
  TestScope() {
    fields_["total_investment"] = Value::number(50000);
    fields_["land_area"] = Value::number(150);
    fields_["zero"] = Value::number(0);
    fields_["industry"] = Value::text("electronics");
    fields_["land_type"] = Value::text("new_land");
    fields_["name"] = Value::text("清远新材料产业园");
    fields_["empty_text"] = Value::text("");
    fields_["priority"] = Value::boolean(true);
    fields_["signed_on"] = Value::date(ymd(2026, 2, 10));  // a Tuesday
    fields_["registered_on"] = Value::date(ymd(2026, 3, 2));
    fields_["tags"] = Value::list({Value::text("listed"), Value::text("high_tech")});
    fields_["review.passed"] = Value::boolean(true);
    fields_["intensity"] = Value::number(333.33333);
  }

  Value value_of(std::string_view name) const override {
    ++reads_[std::string(name)];
    const auto found = fields_.find(name);
    return found == fields_.end() ? Value() : found->second;
  }
  Value table_entry(std::string_view table, const Value& key) const override {
    if (table != "intensity_min") return {};
    const std::string* text = key.as_text();
    if (text != nullptr && *text == "new_materials") return Value::number(330);
    if (text != nullptr && *text == "electronics") return Value::number(350);
    return Value::number(300);
  }
  Date today() const override { return ymd(2026, 2, 12); }
  const Calendar* calendar() const override { return calendar_; }

  void set(std::string name, Value value) { fields_[std::move(name)] = std::move(value); }
  void use_calendar(const Calendar* calendar) { calendar_ = calendar; }
  int reads(const std::string& name) const {
    const auto found = reads_.find(name);
    return found == reads_.end() ? 0 : found->second;
  }

 private:
  FieldMap fields_;
  const Calendar* calendar_ = nullptr;
  mutable std::map<std::string, int> reads_;
};

class ExpressionTest : public ::testing::Test {
 protected:
  Value eval(std::string_view source) {
    const auto parsed = Expression::parse(source);
    EXPECT_TRUE(parsed.ok()) << source << ": " << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? parsed->evaluate(scope_) : Value();
  }
  double number(std::string_view source) {
    const Value value = eval(source);
    EXPECT_NE(value.as_number(), nullptr) << source << " gave " << kind_name(value.kind());
    return value.as_number() != nullptr ? *value.as_number() : -999999;
  }
  bool truth(std::string_view source) {
    const Value value = eval(source);
    EXPECT_NE(value.as_boolean(), nullptr) << source << " gave " << kind_name(value.kind());
    return value.is_true();
  }
  ExprType type(std::string_view source) {
    const auto parsed = Expression::parse(source);
    EXPECT_TRUE(parsed.ok()) << source;
    return parsed.ok() ? parsed->type(names_) : ExprType::any;
  }
  std::vector<ExpressionError> problems(std::string_view source) {
    const auto parsed = Expression::parse(source);
    EXPECT_TRUE(parsed.ok()) << source << ": " << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? parsed->check(names_) : std::vector<ExpressionError>{};
  }

  // `source` has exactly one problem, this one.
  void expect_problem(std::string_view source, int column, const std::string& message) {
    const std::vector<ExpressionError> found = problems(source);
    ASSERT_EQ(found.size(), 1u) << source;
    EXPECT_EQ(found[0].column, column) << source;
    EXPECT_EQ(found[0].message, message) << source;
  }

  TestScope scope_;
  TestNames names_;
};

// The one parse error of `source`.
ExpressionError parse_error(std::string_view source) {
  const auto parsed = Expression::parse(source);
  EXPECT_FALSE(parsed.ok()) << source << " parsed";
  return parsed.ok() ? ExpressionError{0, ""} : parsed.error();
}

void expect_parse_error(std::string_view source, int column, const std::string& message) {
  const ExpressionError error = parse_error(source);
  EXPECT_EQ(error.column, column) << source;
  EXPECT_EQ(error.message, message) << source;
}

// ---- literals and lexing ------------------------------------------------------------

TEST_F(ExpressionTest, NumberLiterals) {
  EXPECT_EQ(number("12"), 12);
  EXPECT_EQ(number("3.5"), 3.5);
  EXPECT_EQ(number("1e3"), 1000);
  EXPECT_EQ(number("2.5E-1"), 0.25);
  EXPECT_EQ(number("1e+2"), 100);
  EXPECT_EQ(number("0"), 0);
}

TEST_F(ExpressionTest, TextLiteralsWithEitherQuoteAndEscapes) {
  EXPECT_EQ(eval("'text'"), Value::text("text"));
  EXPECT_EQ(eval("\"text\""), Value::text("text"));
  EXPECT_EQ(eval(R"('it\'s')"), Value::text("it's"));
  EXPECT_EQ(eval(R"("say \"hi\"")"), Value::text("say \"hi\""));
  EXPECT_EQ(eval(R"('a\\b')"), Value::text("a\\b"));
  EXPECT_EQ(eval(R"('line\nnext')"), Value::text("line\nnext"));
  EXPECT_EQ(eval(R"("it's")"), Value::text("it's"));
  EXPECT_EQ(eval("'清远'"), Value::text("清远"));
  EXPECT_EQ(eval("''"), Value::text(""));
}

TEST_F(ExpressionTest, KeywordLiterals) {
  EXPECT_EQ(eval("true"), Value::boolean(true));
  EXPECT_EQ(eval("false"), Value::boolean(false));
  EXPECT_TRUE(eval("null").is_null());
}

TEST_F(ExpressionTest, DottedNameIsOneName) {
  const auto parsed = Expression::parse("review.passed");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->referenced_names(), std::vector<std::string>{"review.passed"});
  EXPECT_EQ(parsed->evaluate(scope_), Value::boolean(true));
  EXPECT_EQ(parsed->source(), "review.passed");
}

TEST_F(ExpressionTest, WhitespaceIsIgnored) {
  EXPECT_EQ(number(" \t1\n+\r\n2 "), 3);
  EXPECT_EQ(number("1+2*3"), 7);
}

TEST_F(ExpressionTest, DefaultExpressionIsNull) {
  const Expression expression;
  EXPECT_EQ(expression.source(), "null");
  EXPECT_TRUE(expression.evaluate(scope_).is_null());
  EXPECT_TRUE(expression.check(names_).empty());
  EXPECT_EQ(expression.type(names_), ExprType::null);
  EXPECT_TRUE(expression.referenced_names().empty());
}

TEST_F(ExpressionTest, CopiesEvaluateAlike) {
  auto parsed = Expression::parse("total_investment / land_area");
  ASSERT_TRUE(parsed.ok());
  const Expression copy = *parsed;
  EXPECT_EQ(copy.evaluate(scope_), parsed->evaluate(scope_));
  EXPECT_EQ(copy.source(), "total_investment / land_area");
}

// ---- arithmetic -----------------------------------------------------------------------

TEST_F(ExpressionTest, ArithmeticOnNumbers) {
  EXPECT_EQ(number("1 + 2"), 3);
  EXPECT_EQ(number("5 - 7"), -2);
  EXPECT_EQ(number("6 * 7"), 42);
  EXPECT_EQ(number("7 / 2"), 3.5);
  EXPECT_EQ(number("total_investment / land_area"), 50000.0 / 150);
  EXPECT_EQ(number("-land_area"), -150);
  EXPECT_EQ(number("- - 2"), 2);
  EXPECT_EQ(number("-(2 + 3)"), -5);
}

TEST_F(ExpressionTest, ArithmeticIsLeftAssociative) {
  EXPECT_EQ(number("10 - 4 - 3"), 3);
  EXPECT_EQ(number("24 / 4 / 3"), 2);
  EXPECT_EQ(number("2 - 3 + 4"), 3);
}

TEST_F(ExpressionTest, NullInArithmeticGivesNull) {
  EXPECT_TRUE(eval("null + 1").is_null());
  EXPECT_TRUE(eval("1 - null").is_null());
  EXPECT_TRUE(eval("absent * 2").is_null());
  EXPECT_TRUE(eval("2 / absent").is_null());
  EXPECT_TRUE(eval("-absent").is_null());
  EXPECT_TRUE(eval("'a' + null").is_null());
}

TEST_F(ExpressionTest, DivisionByZeroGivesNull) {
  EXPECT_TRUE(eval("7 / 0").is_null());
  EXPECT_TRUE(eval("0 / 0").is_null());
  EXPECT_TRUE(eval("total_investment / zero").is_null());
  EXPECT_EQ(number("0 / 5"), 0);
}

TEST_F(ExpressionTest, OverflowGivesNull) {
  EXPECT_TRUE(eval("1e308 * 10").is_null());
  EXPECT_TRUE(eval("1e308 + 1e308").is_null());
}

TEST_F(ExpressionTest, PlusConcatenatesTexts) {
  EXPECT_EQ(eval("'new' + '_' + industry"), Value::text("new_electronics"));
  EXPECT_TRUE(eval("'a' + 1").is_null());
  EXPECT_TRUE(eval("1 + 'a'").is_null());
}

TEST_F(ExpressionTest, DateArithmetic) {
  EXPECT_EQ(eval("signed_on + 30"), Value::date(ymd(2026, 3, 12)));
  EXPECT_EQ(eval("30 + signed_on"), Value::date(ymd(2026, 3, 12)));
  EXPECT_EQ(eval("signed_on - 10"), Value::date(ymd(2026, 1, 31)));
  EXPECT_EQ(eval("signed_on + 1.9"), Value::date(ymd(2026, 2, 11)));  // whole days only
  EXPECT_EQ(number("registered_on - signed_on"), 20);
  EXPECT_EQ(number("signed_on - registered_on"), -20);
  EXPECT_TRUE(eval("signed_on + registered_on").is_null());
  EXPECT_TRUE(eval("signed_on * 2").is_null());
  EXPECT_TRUE(eval("signed_on + 1e12").is_null());  // beyond year 9999
  EXPECT_TRUE(eval("signed_on + 'x'").is_null());
}

TEST_F(ExpressionTest, OperationsOnWrongKindsGiveNull) {
  EXPECT_TRUE(eval("true + 1").is_null());
  EXPECT_TRUE(eval("'a' * 2").is_null());
  EXPECT_TRUE(eval("tags - 1").is_null());
  EXPECT_TRUE(eval("-'a'").is_null());
}

// ---- comparison ---------------------------------------------------------------------

TEST_F(ExpressionTest, NumbersCompareNumerically) {
  EXPECT_TRUE(truth("2 < 3"));
  EXPECT_FALSE(truth("3 < 3"));
  EXPECT_TRUE(truth("3 <= 3"));
  EXPECT_TRUE(truth("4 > 3"));
  EXPECT_FALSE(truth("3 > 3"));
  EXPECT_TRUE(truth("3 >= 3"));
  EXPECT_TRUE(truth("1 == 1.0"));
  EXPECT_TRUE(truth("10 > 9"));  // not as texts
  EXPECT_TRUE(truth("1 != 2"));
}

TEST_F(ExpressionTest, TextsCompareBytewise) {
  EXPECT_TRUE(truth("'abc' < 'abd'"));
  EXPECT_TRUE(truth("'Z' < 'a'"));
  EXPECT_TRUE(truth("'10' < '9'"));
  EXPECT_TRUE(truth("'中' > 'z'"));  // UTF-8 bytes above ASCII
  EXPECT_TRUE(truth("'ab' < 'abc'"));
  EXPECT_TRUE(truth("industry == 'electronics'"));
  EXPECT_TRUE(truth("industry != 'equipment'"));
}

TEST_F(ExpressionTest, DatesCompareChronologically) {
  EXPECT_TRUE(truth("signed_on < registered_on"));
  EXPECT_TRUE(truth("signed_on <= signed_on"));
  EXPECT_FALSE(truth("signed_on > registered_on"));
  EXPECT_TRUE(truth("signed_on + 20 == registered_on"));
  EXPECT_TRUE(truth("today() >= signed_on"));
}

TEST_F(ExpressionTest, BooleansAreEqualOrNotButUnordered) {
  EXPECT_TRUE(truth("true == true"));
  EXPECT_TRUE(truth("true != false"));
  EXPECT_FALSE(truth("false < true"));
  EXPECT_FALSE(truth("true >= false"));
  EXPECT_FALSE(truth("true <= true"));
}

TEST_F(ExpressionTest, EqualityAcrossKindsIsFalse) {
  EXPECT_FALSE(truth("1 == '1'"));
  EXPECT_TRUE(truth("1 != '1'"));
  EXPECT_FALSE(truth("true == 1"));
  EXPECT_FALSE(truth("signed_on == '2026-02-10'"));
  EXPECT_FALSE(truth("null == 0"));
  EXPECT_FALSE(truth("null == ''"));
  EXPECT_FALSE(truth("null == false"));
}

TEST_F(ExpressionTest, NullEqualsOnlyNull) {
  EXPECT_TRUE(truth("null == null"));
  EXPECT_TRUE(truth("absent == null"));
  EXPECT_FALSE(truth("absent != null"));
  EXPECT_TRUE(truth("industry != null"));
}

TEST_F(ExpressionTest, OrderingWithNullOrMixedKindsIsFalse) {
  EXPECT_FALSE(truth("null < 1"));
  EXPECT_FALSE(truth("1 < null"));
  EXPECT_FALSE(truth("null <= null"));
  EXPECT_FALSE(truth("absent >= 0"));
  EXPECT_FALSE(truth("'a' < 1"));
  EXPECT_FALSE(truth("1 > 'a'"));
  EXPECT_FALSE(truth("signed_on > 5"));
  EXPECT_FALSE(truth("tags > tags"));
}

TEST_F(ExpressionTest, ListsCompareElementwise) {
  EXPECT_TRUE(truth("tags == ['listed', 'high_tech']"));
  EXPECT_FALSE(truth("tags == ['high_tech', 'listed']"));
}

// ---- logic and choice -------------------------------------------------------------------

TEST_F(ExpressionTest, LogicTreatsNullAsFalse) {
  EXPECT_TRUE(truth("true && true"));
  EXPECT_FALSE(truth("true && false"));
  EXPECT_TRUE(truth("false || true"));
  EXPECT_FALSE(truth("false || false"));
  EXPECT_FALSE(truth("null && true"));
  EXPECT_TRUE(truth("null || true"));
  EXPECT_FALSE(truth("null || null"));
  EXPECT_TRUE(truth("!null"));
  EXPECT_TRUE(truth("!false"));
  EXPECT_FALSE(truth("!true"));
  EXPECT_FALSE(truth("!!absent"));
}

TEST_F(ExpressionTest, OnlyBooleanTrueIsTrue) {
  EXPECT_FALSE(truth("1 && true"));
  EXPECT_FALSE(truth("'yes' || false"));
  EXPECT_TRUE(truth("!1"));
  EXPECT_EQ(number("1 ? 2 : 3"), 3);
}

TEST_F(ExpressionTest, AndOrShortCircuit) {
  EXPECT_FALSE(truth("false && probe_and"));
  EXPECT_EQ(scope_.reads("probe_and"), 0);
  EXPECT_TRUE(truth("true || probe_or"));
  EXPECT_EQ(scope_.reads("probe_or"), 0);
  EXPECT_FALSE(truth("absent && probe_null"));
  EXPECT_EQ(scope_.reads("probe_null"), 0);
  EXPECT_FALSE(truth("true && probe_read"));
  EXPECT_EQ(scope_.reads("probe_read"), 1);
}

TEST_F(ExpressionTest, ChoiceEvaluatesOnlyTheTakenBranch) {
  EXPECT_EQ(number("true ? 1 : probe_else"), 1);
  EXPECT_EQ(scope_.reads("probe_else"), 0);
  EXPECT_EQ(number("false ? probe_then : 2"), 2);
  EXPECT_EQ(scope_.reads("probe_then"), 0);
}

TEST_F(ExpressionTest, ChoiceTakesElseUnlessConditionIsTrue) {
  EXPECT_EQ(number("true ? 1 : 2"), 1);
  EXPECT_EQ(number("false ? 1 : 2"), 2);
  EXPECT_EQ(number("null ? 1 : 2"), 2);
  EXPECT_EQ(number("absent ? 1 : 2"), 2);
  EXPECT_EQ(number("land_area > 0 ? total_investment / land_area : 0"), 50000.0 / 150);
  EXPECT_EQ(number("zero > 0 ? total_investment / zero : 0"), 0);
}

TEST_F(ExpressionTest, ChoiceIsRightAssociative) {
  EXPECT_EQ(number("false ? 1 : true ? 2 : 3"), 2);
  EXPECT_EQ(number("false ? 1 : false ? 2 : 3"), 3);
  EXPECT_EQ(number("true ? false ? 1 : 2 : 3"), 2);
}

// ---- precedence -------------------------------------------------------------------------

TEST_F(ExpressionTest, Precedence) {
  EXPECT_EQ(number("1 + 2 * 3"), 7);
  EXPECT_EQ(number("(1 + 2) * 3"), 9);
  EXPECT_EQ(number("2 * 3 - 8 / 4"), 4);
  EXPECT_EQ(number("-2 * 3"), -6);
  EXPECT_EQ(number("-land_area + 200"), 50);
  EXPECT_TRUE(truth("1 + 1 == 2"));
  EXPECT_TRUE(truth("1 < 2 == 2 < 3"));          // relational binds tighter than equality
  EXPECT_TRUE(truth("true || false && false"));  // && binds tighter than ||
  EXPECT_FALSE(truth("(true || false) && false"));
  EXPECT_FALSE(truth("!1 == false"));  // (!1) == false; !(1 == false) would be true
  EXPECT_TRUE(truth("1 + 2 in [3]"));  // + binds tighter than in
  EXPECT_TRUE(truth("2 in [2] == true"));
  EXPECT_EQ(number("1 == 1 ? 10 : 20"), 10);
  EXPECT_EQ(number("false || true ? 1 : 2"), 1);
  EXPECT_EQ(number("true ? 1 + 1 : 0"), 2);
  EXPECT_FALSE(truth("3 > 2 > 1"));  // (3 > 2) > 1 compares a boolean with a number
}

// ---- membership, tables -------------------------------------------------------------

TEST_F(ExpressionTest, InListLiteral) {
  EXPECT_TRUE(truth("industry in ['electronics', 'equipment']"));
  EXPECT_FALSE(truth("industry in ['other']"));
  EXPECT_FALSE(truth("1 in []"));
  EXPECT_TRUE(truth("2 in [1, 1 + 1]"));
  EXPECT_TRUE(truth("null in [1, null]"));
  EXPECT_FALSE(truth("absent in [1, 2]"));
  EXPECT_FALSE(truth("'1' in [1]"));
  EXPECT_TRUE(truth("-1 in [-1]"));
}

TEST_F(ExpressionTest, InListValuedName) {
  EXPECT_TRUE(truth("'listed' in tags"));
  EXPECT_FALSE(truth("'chain_leader' in tags"));
  EXPECT_FALSE(truth("'x' in absent"));
  EXPECT_FALSE(truth("'e' in industry"));  // a text is not a list
}

TEST_F(ExpressionTest, ListLiteralIsAValue) {
  EXPECT_EQ(eval("[1, 'a', null]"), Value::list({Value::number(1), Value::text("a"), Value()}));
  EXPECT_EQ(eval("[]"), Value::list({}));
}

TEST_F(ExpressionTest, TableLookup) {
  EXPECT_EQ(number("intensity_min[industry]"), 350);
  EXPECT_EQ(number("intensity_min['new_materials']"), 330);
  EXPECT_EQ(number("intensity_min['unknown']"), 300);
  EXPECT_EQ(number("intensity_min['new_' + 'materials']"), 330);
  EXPECT_TRUE(truth("total_investment / land_area >= intensity_min[industry] || priority"));
}

// ---- functions ----------------------------------------------------------------------

TEST_F(ExpressionTest, Present) {
  EXPECT_TRUE(truth("present(industry)"));
  EXPECT_FALSE(truth("present(empty_text)"));
  EXPECT_FALSE(truth("present(absent)"));
  EXPECT_FALSE(truth("present(null)"));
  EXPECT_TRUE(truth("present(0)"));
  EXPECT_TRUE(truth("present(false)"));
  EXPECT_TRUE(truth("present(tags)"));
  EXPECT_FALSE(truth("present([])"));
}

TEST_F(ExpressionTest, Today) {
  EXPECT_EQ(eval("today()"), Value::date(ymd(2026, 2, 12)));
}

TEST_F(ExpressionTest, DaysBetween) {
  EXPECT_EQ(number("days_between(signed_on, registered_on)"), 20);
  EXPECT_EQ(number("days_between(registered_on, signed_on)"), -20);
  EXPECT_EQ(number("days_between(signed_on, today())"), 2);
  EXPECT_TRUE(eval("days_between(signed_on, absent)").is_null());
  EXPECT_TRUE(eval("days_between(1, 2)").is_null());
}

TEST_F(ExpressionTest, WorkingDaysBetweenWithoutCalendarCountsWeekdays) {
  scope_.set("fri", Value::date(ymd(2026, 2, 13)));
  scope_.set("sat", Value::date(ymd(2026, 2, 14)));
  scope_.set("mon", Value::date(ymd(2026, 2, 16)));
  scope_.set("next_mon", Value::date(ymd(2026, 2, 23)));
  EXPECT_EQ(number("working_days_between(fri, mon)"), 1);
  EXPECT_EQ(number("working_days_between(fri, sat)"), 0);
  EXPECT_EQ(number("working_days_between(mon, next_mon)"), 5);
  EXPECT_EQ(number("working_days_between(next_mon, mon)"), -5);
  EXPECT_EQ(number("working_days_between(mon, mon)"), 0);
  EXPECT_EQ(number("working_days_between(signed_on, registered_on)"), 14);
  // Far from the epoch, before and after it.
  scope_.set("old", Value::date(ymd(1900, 1, 1)));  // a Monday
  scope_.set("old_later", Value::date(ymd(1900, 1, 15)));
  EXPECT_EQ(number("working_days_between(old, old_later)"), 10);
  EXPECT_TRUE(eval("working_days_between(signed_on, 3)").is_null());
  EXPECT_TRUE(eval("working_days_between(null, signed_on)").is_null());
}

TEST_F(ExpressionTest, WorkingDaysBetweenUsesTheCalendar) {
  // 2026-02-11 (Wednesday) a holiday, 2026-02-14 (Saturday) a make-up working day.
  const Calendar calendar("test", {Holiday{ymd(2026, 2, 11), "test holiday"}}, {ymd(2026, 2, 14)},
                          2026, 2026);
  scope_.use_calendar(&calendar);
  scope_.set("mon", Value::date(ymd(2026, 2, 16)));
  EXPECT_EQ(number("working_days_between(signed_on, mon)"), 4);  // Thu Fri Sat Mon, not Wed
  EXPECT_EQ(number("working_days_between(mon, signed_on)"), -4);
}

TEST_F(ExpressionTest, MinAndMaxIgnoreNulls) {
  EXPECT_EQ(number("min(3, 1, 2)"), 1);
  EXPECT_EQ(number("max(3, 1, 2)"), 3);
  EXPECT_EQ(number("min(3, null, 1)"), 1);
  EXPECT_EQ(number("max(absent, -4)"), -4);
  EXPECT_EQ(number("min(7)"), 7);
  EXPECT_TRUE(eval("min(null)").is_null());
  EXPECT_TRUE(eval("max(absent, null)").is_null());
  EXPECT_EQ(number("max(total_investment / land_area, 300)"), 50000.0 / 150);
}

TEST_F(ExpressionTest, RoundHalfAwayFromZero) {
  EXPECT_EQ(number("round(2.5)"), 3);
  EXPECT_EQ(number("round(-2.5)"), -3);
  EXPECT_EQ(number("round(2.4)"), 2);
  EXPECT_EQ(number("round(-2.4)"), -2);
  EXPECT_EQ(number("round(0.5)"), 1);
  EXPECT_EQ(number("round(2.675, 2)"), 2.68);  // stored as 2.67499999...
  EXPECT_EQ(number("round(1.005, 2)"), 1.01);
  EXPECT_EQ(number("round(-1.005, 2)"), -1.01);
  EXPECT_EQ(number("round(333.33333, 2)"), 333.33);
  EXPECT_EQ(number("round(1234.5, -2)"), 1200);
  EXPECT_EQ(number("round(1250, -2)"), 1300);
  EXPECT_EQ(number("round(7, 0)"), 7);
  EXPECT_EQ(number("round(1e20, 2)"), 1e20);
  EXPECT_TRUE(eval("round(null)").is_null());
  EXPECT_TRUE(eval("round('a')").is_null());
  EXPECT_TRUE(eval("round(1.5, null)").is_null());
}

TEST_F(ExpressionTest, WrongArityOrUnknownFunctionEvaluatesToNull) {
  EXPECT_TRUE(eval("round()").is_null());
  EXPECT_TRUE(eval("round(1, 2, 3)").is_null());
  EXPECT_TRUE(eval("present()").is_null());
  EXPECT_TRUE(eval("today(1)").is_null());
  EXPECT_TRUE(eval("days_between(signed_on)").is_null());
  EXPECT_TRUE(eval("nonesuch(1)").is_null());
  EXPECT_TRUE(eval("min()").is_null());
}

// A Scope that fails: evaluation still returns (null) instead of throwing.
class ThrowingScope final : public Scope {
 public:
  Value value_of(std::string_view) const override { throw std::runtime_error("boom"); }
  Value table_entry(std::string_view, const Value&) const override {
    throw std::runtime_error("boom");
  }
  Date today() const override { throw std::runtime_error("boom"); }
  const Calendar* calendar() const override { return nullptr; }
};

TEST(ExpressionEvaluate, NeverThrowsEvenWhenTheScopeDoes) {
  const ThrowingScope scope;
  for (const char* source : {"a + 1", "t[1]", "today()", "1 + 2"}) {
    const auto parsed = Expression::parse(source);
    ASSERT_TRUE(parsed.ok());
    const Value value = parsed->evaluate(scope);
    if (std::string_view(source) == "1 + 2") {
      EXPECT_EQ(value, Value::number(3));
    } else {
      EXPECT_TRUE(value.is_null()) << source;
    }
  }
}

// ---- parse errors -----------------------------------------------------------------------

TEST(ExpressionParse, UnclosedParenthesis) {
  expect_parse_error("(a + b", 7, "expected ')' to close '(' at column 1");
  expect_parse_error("a + (b * c", 11, "expected ')' to close '(' at column 5");
  expect_parse_error("(a b)", 4, "expected ')' to close '(' at column 1");
}

TEST(ExpressionParse, UnclosedBrackets) {
  expect_parse_error("x in [1, 2", 11, "expected ']' to close '[' at column 6");
  expect_parse_error("t[1", 4, "expected ']' to close '[' at column 2");
  expect_parse_error("x in [1 2]", 9, "expected ']' to close '[' at column 6");
}

TEST(ExpressionParse, UnclosedCall) {
  expect_parse_error("round(1, 2", 11, "expected ')' to close '(' at column 6");
  expect_parse_error("min(1 2)", 7, "expected ')' to close '(' at column 4");
}

TEST(ExpressionParse, UnexpectedEnd) {
  expect_parse_error("a +", 4, "unexpected end of expression");
  expect_parse_error("a && !", 7, "unexpected end of expression");
  expect_parse_error("x in", 5, "unexpected end of expression");
  expect_parse_error("a ? b :", 8, "unexpected end of expression");
}

TEST(ExpressionParse, EmptyExpression) {
  expect_parse_error("", 1, "empty expression");
  expect_parse_error("   ", 1, "empty expression");
}

TEST(ExpressionParse, MissingColon) {
  expect_parse_error("a ? b", 6, "expected ':' to go with '?' at column 3");
  expect_parse_error("a ? b c", 7, "expected ':' to go with '?' at column 3");
}

TEST(ExpressionParse, UnterminatedString) {
  expect_parse_error("'abc", 1, "unterminated string");
  expect_parse_error("name == \"x", 9, "unterminated string");
  expect_parse_error("'abc\\'", 1, "unterminated string");
  expect_parse_error("'abc\\", 1, "unterminated string");
  expect_parse_error("'abc\"", 1, "unterminated string");
}

TEST(ExpressionParse, UnknownEscape) {
  expect_parse_error("'a\\qb'", 3,
                     "unknown escape 'q' after '\\' in string (use \\\\, \\', \\\" or \\n)");
}

TEST(ExpressionParse, UnknownCharacters) {
  expect_parse_error("a # b", 3, "unknown character '#'");
  expect_parse_error("a = b", 3, "unknown character '='; did you mean '=='?");
  expect_parse_error("a & b", 3, "unknown character '&'; did you mean '&&'?");
  expect_parse_error("a | b", 3, "unknown character '|'; did you mean '||'?");
  expect_parse_error("a 中 b", 3, "unknown character '中'");
  expect_parse_error("a\x01", 2, "unknown character byte 0x01");
  expect_parse_error("a \xff", 3, "unknown character byte 0xFF");
  expect_parse_error(".5", 1, "unknown character '.'");
  expect_parse_error("a % 2", 3, "unknown character '%'");
}

TEST(ExpressionParse, TheFirstProblemInTheSourceWins) {
  expect_parse_error("a b #", 3, "unexpected 'b'; expected an operator or the end");
  expect_parse_error("(a # (", 4, "unknown character '#'");
}

TEST(ExpressionParse, MalformedNumbers) {
  expect_parse_error("12abc", 1, "malformed number '12abc'");
  expect_parse_error("x + 1.", 5, "malformed number '1.'");
  expect_parse_error("1e", 1, "malformed number '1e'");
  expect_parse_error("1e+", 1, "malformed number '1e'");
  expect_parse_error("1.2.3", 1, "malformed number '1.2.3'");
  expect_parse_error("1e999", 1, "number '1e999' is out of range");
}

TEST(ExpressionParse, DanglingDot) {
  expect_parse_error("review.", 7, "expected a name after '.'");
  expect_parse_error("review..passed", 7, "expected a name after '.'");
  expect_parse_error("review.1", 7, "expected a name after '.'");
}

TEST(ExpressionParse, UnexpectedTokens) {
  expect_parse_error("a b", 3, "unexpected 'b'; expected an operator or the end");
  expect_parse_error("1 'x'", 3, "unexpected string 'x'; expected an operator or the end");
  expect_parse_error("a)", 2, "unmatched ')'");
  expect_parse_error("a]", 2, "unmatched ']'");
  expect_parse_error("* 2", 1, "expected a value, found '*'");
  expect_parse_error("1 + * 2", 5, "expected a value, found '*'");
  expect_parse_error("round(1,)", 9, "expected a value, found ')'");
  expect_parse_error("()", 2, "expected a value, found ')'");
  expect_parse_error("a ? : b", 5, "expected a value, found ':'");
  expect_parse_error("in", 1, "expected a value, found 'in'");
}

TEST(ExpressionParse, OnlyNamesTakeIndexOrArguments) {
  expect_parse_error("(t)[1]", 4, "only a table name can be indexed, as in table[key]");
  expect_parse_error("t[1][2]", 5, "only a table name can be indexed, as in table[key]");
  expect_parse_error("'a'[0]", 4, "only a table name can be indexed, as in table[key]");
  expect_parse_error("(f)(1)", 4, "only a function name can be called, as in round(x)");
  expect_parse_error("f(1)(2)", 5, "only a function name can be called, as in round(x)");
}

TEST(ExpressionParse, NestingIsLimited) {
  const std::string fine = std::string(50, '(') + "1" + std::string(50, ')');
  EXPECT_TRUE(Expression::parse(fine).ok());

  const std::string parens = std::string(1000, '(') + "1" + std::string(1000, ')');
  const ExpressionError deep = parse_error(parens);
  EXPECT_EQ(deep.column, 101);
  EXPECT_EQ(deep.message, "expression is nested too deeply (more than 100 levels)");

  const ExpressionError nots = parse_error(std::string(5000, '!') + "x");
  EXPECT_EQ(nots.column, 101);
  EXPECT_EQ(nots.message, "expression is nested too deeply (more than 100 levels)");

  const ExpressionError choices = parse_error([] {
    std::string s;
    for (int i = 0; i < 500; ++i)
      s += "a ? b : ";
    return s + "c";
  }());
  EXPECT_EQ(choices.message, "expression is nested too deeply (more than 100 levels)");
}

TEST(ExpressionParse, LongOperatorChainsAreLimited) {
  std::string moderate = "1";
  for (int i = 0; i < 200; ++i)
    moderate += " + 1";
  const auto parsed = Expression::parse(moderate);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->evaluate(TestScope()), Value::number(201));

  std::string chain = "1";
  for (int i = 0; i < 2000; ++i)
    chain += "+1";
  const ExpressionError error = parse_error(chain);
  EXPECT_EQ(error.message, "expression is nested too deeply (more than 256 levels of operations)");
  EXPECT_EQ(error.column, 2 + 2 * 255);  // the operator that makes level 257
}

TEST(ExpressionParse, LengthIsLimited) {
  const std::string long_text = "'" + std::string(20000, 'a') + "'";
  const ExpressionError error = parse_error(long_text);
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "expression is too long (20002 characters; at most 10000)");
}

// ---- checker ------------------------------------------------------------------------------

TEST_F(ExpressionTest, SoundExpressionsHaveNoProblems) {
  for (const char* source : {
           "land_type != 'new_land' || investment_intensity >= intensity_min[industry] || "
           "priority",
           "review.passed",
           "approvals * 3 >= votes * 2",
           "present(registered_on)",
           "land_area > 0 ? total_investment / land_area : 0",
           "industry in ['electronics', 'equipment']",
           "'listed' in tags",
           "days_between(signed_on, today()) > 30",
           "working_days_between(signed_on, registered_on) <= 5",
           "round(max(total_investment, 0) / 10000, 2)",
           "name + ' (' + industry + ')'",
           "signed_on + 30 < today()",
           "note * 2 + note",
           "state == 'lead' && !priority",
           "industry == null",
       }) {
    EXPECT_TRUE(problems(source).empty()) << source << ": " << problems(source).front().column
                                          << " " << problems(source).front().message;
  }
}

TEST_F(ExpressionTest, UnknownNameWithSuggestion) {
  expect_problem("totl_investment > 0", 1,
                 "unknown name 'totl_investment'; did you mean 'total_investment'?");
  expect_problem("1 + zzzzzz", 5, "unknown name 'zzzzzz'");
  expect_problem("review.pased", 1, "unknown name 'review.pased'; did you mean 'review.passed'?");
  expect_problem("intensity_mn[industry]", 1,
                 "unknown name 'intensity_mn'; did you mean 'intensity_min'?");
  expect_problem("today > signed_on", 1, "'today' is a function; call it as today()");
}

TEST_F(ExpressionTest, TableWithoutKey) {
  expect_problem("investment_intensity >= intensity_min", 25,
                 "'intensity_min' is a table; look up an entry with intensity_min[key]");
}

TEST_F(ExpressionTest, IndexOnANonTable) {
  expect_problem("industry[1] > 3", 1, "'industry' is not a table, so it cannot be indexed");
}

TEST_F(ExpressionTest, UnknownFunction) {
  expect_problem("rund(land_area)", 1, "unknown function 'rund'; did you mean 'round'?");
  expect_problem("1 + foo(2)", 5, "unknown function 'foo'");
}

TEST_F(ExpressionTest, WrongArgumentCount) {
  expect_problem("round(1, 2, 3)", 1, "round() takes 1 or 2 arguments, got 3");
  expect_problem("present()", 1, "present() takes 1 argument, got 0");
  expect_problem("priority || today(1) == signed_on", 13, "today() takes no arguments, got 1");
  expect_problem("min() > 1", 1, "min() takes at least 1 argument, got 0");
  expect_problem("days_between(signed_on)", 1, "days_between() takes 2 arguments, got 1");
}

TEST_F(ExpressionTest, OperandTypesThatNeverWork) {
  expect_problem("'text' * 2", 8, "'*' cannot be applied to text and number");
  expect_problem("signed_on < 5", 11, "'<' cannot be applied to date and number");
  expect_problem("name / note", 6, "'/' cannot be applied to text");
  expect_problem("'a' + 1", 5, "'+' cannot be applied to text and number");
  expect_problem("signed_on + registered_on", 11, "'+' cannot be applied to date and date");
  expect_problem("1 - signed_on", 3, "'-' cannot be applied to number and date");
  expect_problem("priority + 1", 10, "'+' cannot be applied to boolean and number");
  expect_problem("-name", 1, "'-' cannot be applied to text");
  expect_problem("priority < true", 10, "'<' cannot be applied to boolean and boolean");
  expect_problem("industry == 5", 10, "'==' compares text with number, which are never equal");
  expect_problem("1 in 2", 3, "'in' needs a list on its right, not number");
  expect_problem("land_area && priority", 11,
                 "'&&' needs true/false, not number (which is never true)");
  expect_problem("!name", 1, "'!' needs true/false, not text (which is never true)");
  expect_problem("land_area ? 1 : 2", 11,
                 "the condition of '?' needs true/false, not number (which is never true)");
  expect_problem("days_between(signed_on, 1 + 2)", 25,
                 "argument 2 of days_between() must be a date, not number");
  expect_problem("round(name)", 7, "argument 1 of round() must be a number, not text");
}

TEST_F(ExpressionTest, NullAndUnknownTypesAreNotFlagged) {
  EXPECT_TRUE(problems("null + 1").empty());
  EXPECT_TRUE(problems("industry == null").empty());
  EXPECT_TRUE(problems("note < 5").empty());
  EXPECT_TRUE(problems("note + signed_on").empty());
  EXPECT_TRUE(problems("round(note, 2)").empty());
}

TEST_F(ExpressionTest, EnumComparedWithALiteralOutsideItsOptions) {
  const std::string options = "new_materials, electronics, equipment, biomedicine, other";
  expect_problem("industry == 'electronic'", 13,
                 "'electronic' is not an option of 'industry' (options: " + options +
                     "); did you mean 'electronics'?");
  expect_problem("'mining' != industry", 1,
                 "'mining' is not an option of 'industry' (options: " + options + ")");
  expect_problem("industry in ['electronics', 'semiconductors']", 29,
                 "'semiconductors' is not an option of 'industry' (options: " + options + ")");
  expect_problem("'listd' in tags", 1,
                 "'listd' is not an option of 'tags' (options: chain_leader, listed, "
                 "high_tech); did you mean 'listed'?");
  EXPECT_TRUE(problems("industry == 'electronics' && land_type != 'leased_factory'").empty());
}

TEST_F(ExpressionTest, EveryProblemIsReportedInSourceOrder) {
  const std::vector<ExpressionError> found =
      problems("foo + bar * 'x' || land_area || industry == 'y'");
  ASSERT_EQ(found.size(), 5u);
  EXPECT_EQ(found[0].column, 1);  // foo
  EXPECT_EQ(found[0].message, "unknown name 'foo'");
  EXPECT_EQ(found[1].column, 7);  // bar
  EXPECT_EQ(found[2].column, 11);
  EXPECT_EQ(found[2].message, "'*' cannot be applied to text");
  EXPECT_EQ(found[3].column, 17);
  EXPECT_EQ(found[3].message, "'||' needs true/false, not number (which is never true)");
  EXPECT_EQ(found[4].column, 45);  // 'y'
}

// ---- types --------------------------------------------------------------------------------

TEST_F(ExpressionTest, StaticTypes) {
  EXPECT_EQ(type("1"), ExprType::number);
  EXPECT_EQ(type("'a'"), ExprType::text);
  EXPECT_EQ(type("true"), ExprType::boolean);
  EXPECT_EQ(type("null"), ExprType::null);
  EXPECT_EQ(type("[1, 2]"), ExprType::list);
  EXPECT_EQ(type("land_area"), ExprType::number);
  EXPECT_EQ(type("signed_on"), ExprType::date);
  EXPECT_EQ(type("tags"), ExprType::list);
  EXPECT_EQ(type("nonesuch"), ExprType::any);
  EXPECT_EQ(type("intensity_min[industry]"), ExprType::number);
  EXPECT_EQ(type("land_area < 3"), ExprType::boolean);
  EXPECT_EQ(type("a == b"), ExprType::boolean);
  EXPECT_EQ(type("1 in [1]"), ExprType::boolean);
  EXPECT_EQ(type("!land_area"), ExprType::boolean);
  EXPECT_EQ(type("a && b"), ExprType::boolean);
  EXPECT_EQ(type("total_investment / land_area"), ExprType::number);
  EXPECT_EQ(type("note * 2"), ExprType::number);
  EXPECT_EQ(type("-note"), ExprType::number);
  EXPECT_EQ(type("note + 2"), ExprType::any);  // number or date
  EXPECT_EQ(type("name + note"), ExprType::text);
  EXPECT_EQ(type("signed_on + 30"), ExprType::date);
  EXPECT_EQ(type("signed_on - 30"), ExprType::date);
  EXPECT_EQ(type("registered_on - signed_on"), ExprType::number);
  EXPECT_EQ(type("land_area + null"), ExprType::null);
  EXPECT_EQ(type("priority ? 1 : 2"), ExprType::number);
  EXPECT_EQ(type("priority ? 1 : null"), ExprType::number);
  EXPECT_EQ(type("priority ? null : 'a'"), ExprType::text);
  EXPECT_EQ(type("priority ? 1 : 'a'"), ExprType::any);
  EXPECT_EQ(type("present(x)"), ExprType::boolean);
  EXPECT_EQ(type("today()"), ExprType::date);
  EXPECT_EQ(type("days_between(a, b)"), ExprType::number);
  EXPECT_EQ(type("working_days_between(a, b)"), ExprType::number);
  EXPECT_EQ(type("min(1, 2)"), ExprType::number);
  EXPECT_EQ(type("round(1.5)"), ExprType::number);
  EXPECT_EQ(type("nonesuch(1)"), ExprType::any);
}

TEST(ExpressionTypeName, NamesEveryType) {
  EXPECT_EQ(type_name(ExprType::any), "any");
  EXPECT_EQ(type_name(ExprType::null), "null");
  EXPECT_EQ(type_name(ExprType::boolean), "boolean");
  EXPECT_EQ(type_name(ExprType::number), "number");
  EXPECT_EQ(type_name(ExprType::text), "text");
  EXPECT_EQ(type_name(ExprType::date), "date");
  EXPECT_EQ(type_name(ExprType::list), "list");
}

// ---- referenced names -------------------------------------------------------------------

TEST(ExpressionNames, EveryNameOnceInOrder) {
  const auto parsed =
      Expression::parse("a + b * a + t[c] + round(d, a) + (e ? review.passed : [f, b])");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->referenced_names(),
            (std::vector<std::string>{"a", "b", "t", "c", "d", "e", "review.passed", "f"}));
  const auto literal = Expression::parse("today() > '2026-01-01'");
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(literal->referenced_names().empty());
}

// ---- interpolation ----------------------------------------------------------------------

TEST_F(ExpressionTest, InterpolateReplacesNamesWithDisplayForms) {
  EXPECT_EQ(interpolate("投资强度 {intensity} 低于准入标准", scope_),
            "投资强度 333.33 低于准入标准");
  EXPECT_EQ(interpolate("{land_area} 亩", scope_), "150 亩");
  scope_.set("ratio", Value::number(1.5));
  scope_.set("third", Value::number(1.0 / 3));
  scope_.set("tiny", Value::number(0.001));
  EXPECT_EQ(interpolate("{ratio}/{third}/{tiny}", scope_), "1.5/0.33/0");
  EXPECT_EQ(interpolate("signed {signed_on}", scope_), "signed 2026-02-10");
  EXPECT_EQ(interpolate("{priority}", scope_), "true");
  EXPECT_EQ(interpolate("{review.passed}", scope_), "true");
  EXPECT_EQ(interpolate("{ industry }", scope_), "electronics");
  EXPECT_EQ(interpolate("{tags}", scope_),
            Value::list({Value::text("listed"), Value::text("high_tech")}).to_display());
}

TEST_F(ExpressionTest, InterpolateUnknownNamesBecomeEmpty) {
  EXPECT_EQ(interpolate("[{absent}]", scope_), "[]");
  EXPECT_EQ(interpolate("[{empty_text}]", scope_), "[]");
}

TEST_F(ExpressionTest, InterpolateBraces) {
  EXPECT_EQ(interpolate("{{land_area}}", scope_), "{land_area}");
  EXPECT_EQ(interpolate("{{{land_area}}}", scope_), "{150}");
  EXPECT_EQ(interpolate("a } b", scope_), "a } b");
  EXPECT_EQ(interpolate("a { b", scope_), "a { b");
  EXPECT_EQ(interpolate("{not closed", scope_), "{not closed");
  EXPECT_EQ(interpolate("{a + b}", scope_), "{a + b}");
  EXPECT_EQ(interpolate("{}", scope_), "{}");
  EXPECT_EQ(interpolate("", scope_), "");
  EXPECT_EQ(interpolate("no placeholders", scope_), "no placeholders");
  EXPECT_EQ(interpolate("{1x}{x.}{.x}", scope_), "{1x}{x.}{.x}");
}

// ---- closest_match ----------------------------------------------------------------------

TEST(ExpressionClosestMatch, SuggestsWithinAThirdOfTheLength) {
  const std::vector<std::string> names = {"industry", "land_area", "total_investment"};
  EXPECT_EQ(closest_match("industy", names), "industry");
  EXPECT_EQ(closest_match("land_aera", names), "land_area");  // two edits, limit 3
  EXPECT_EQ(closest_match("totl_invstment", names), "total_investment");
  EXPECT_EQ(closest_match("industry", names), "industry");
  EXPECT_EQ(closest_match("xyz", names), "");
  EXPECT_EQ(closest_match("", names), "");
  EXPECT_EQ(closest_match("anything", {}), "");
}

TEST(ExpressionClosestMatch, LimitIsAtLeastOne) {
  EXPECT_EQ(closest_match("ab", {"ac"}), "ac");  // 2 / 3 == 0, but one edit is allowed
  EXPECT_EQ(closest_match("ab", {"cd"}), "");
  // Swapped neighbours count as one edit.
  EXPECT_EQ(closest_match("lable", {"label", "help"}), "label");
  EXPECT_EQ(closest_match("opne", {"open", "closed"}), "open");
  EXPECT_EQ(closest_match("abcdef", {"abcxyz"}), "");        // 3 edits > 6 / 3
  EXPECT_EQ(closest_match("abcdef", {"abcdxy"}), "abcdxy");  // 2 edits
}

TEST(ExpressionClosestMatch, TiesGoToTheFirstCandidate) {
  EXPECT_EQ(closest_match("cat", {"bat", "hat", "cat_"}), "bat");
  EXPECT_EQ(closest_match("cat", {"hat", "bat"}), "hat");
  EXPECT_EQ(closest_match("cat", {"hat", "cat"}), "cat");  // closer wins
}

}  // namespace
}  // namespace investflow::engine
