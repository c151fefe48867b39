// ExpressionRandomized robustness of the expression language: token soups, mutated real expressions
// and generated well-formed ones go through parse, check, type and evaluate. Nothing may
// crash, every error must point inside the source, and the static type must never lie.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "engine/expression.hpp"
#include "tests/support/declared_names.hpp"

namespace investflow::engine {
namespace {

Date ymd(int year, int month, int day) {
  return *Date::from_ymd(year, month, day);
}

using testing::Declarations;

// One source of truth for both the checker and the evaluator, so that static types can be
// compared with the kinds of evaluated values.
Declarations declarations() {
  using Kind = NameInfo::Kind;
  Declarations all;
  all["amount"] = {{Kind::value, ExprType::number, {}}, Value::number(1234.5)};
  all["zero"] = {{Kind::value, ExprType::number, {}}, Value::number(0)};
  all["missing"] = {{Kind::value, ExprType::number, {}}, Value()};
  all["industry"] = {{Kind::value, ExprType::text, {"electronics", "equipment", "other"}},
                     Value::text("equipment")};
  all["title"] = {{Kind::value, ExprType::text, {}}, Value::text("园区")};
  all["flag"] = {{Kind::value, ExprType::boolean, {}}, Value::boolean(true)};
  all["signed_on"] = {{Kind::value, ExprType::date, {}}, Value::date(ymd(2026, 2, 10))};
  all["tags"] = {{Kind::value, ExprType::list, {}},
                 Value::list({Value::text("listed"), Value::number(3)})};
  all["review.passed"] = {{Kind::value, ExprType::boolean, {}}, Value::boolean(false)};
  all["anything"] = {{Kind::value, ExprType::any, {}}, Value::text("x")};
  all["limits"] = {{Kind::table, ExprType::number, {}}, Value()};
  return all;
}

Value limits(std::string_view table, const Value& key) {
  if (table != "limits") return {};
  return key.as_text() != nullptr ? Value::number(330) : Value();
}

bool kind_matches(ExprType type, Value::Kind kind) {
  switch (type) {
    case ExprType::any:
      return true;
    case ExprType::null:
      return kind == Value::Kind::null;
    case ExprType::boolean:
      return kind == Value::Kind::boolean || kind == Value::Kind::null;
    case ExprType::number:
      return kind == Value::Kind::number || kind == Value::Kind::null;
    case ExprType::text:
      return kind == Value::Kind::text || kind == Value::Kind::null;
    case ExprType::date:
      return kind == Value::Kind::date || kind == Value::Kind::null;
    case ExprType::list:
      return kind == Value::Kind::list || kind == Value::Kind::null;
  }
  return false;
}

const std::vector<std::string>& seeds() {
  static const std::vector<std::string> kSeeds = {
      "land_type != 'new_land' || amount / zero >= limits[industry] || flag",
      "review.passed && !(amount < 100)",
      "amount > 0 ? round(amount / 3, 2) : null",
      "industry in ['electronics', \"equipment\"] && present(title)",
      "days_between(signed_on, today()) > 30 || working_days_between(signed_on, today()) < 2",
      "min(amount, missing, 1e3) + max(-1, 2.5E-1) * -amount",
      "title + ' (' + industry + ')'",
      "'listed' in tags ? signed_on + 30 : signed_on - 1",
      "limits['x\\'y\\n'] == 330 != false",
      "((((amount)))) * limits[title]",
  };
  return kSeeds;
}

const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> kWords = {
      "amount",
      "zero",
      "missing",
      "industry",
      "title",
      "flag",
      "signed_on",
      "tags",
      "review.passed",
      "anything",
      "limits",
      "unknown",
      "present",
      "today",
      "days_between",
      "working_days_between",
      "min",
      "max",
      "round",
      "true",
      "false",
      "null",
      "in",
      "0",
      "12",
      "3.5",
      "1e3",
      "-1",
      "'text'",
      "\"dq\"",
      "'electronics'",
      "'a\\'b'",
      "+",
      "-",
      "*",
      "/",
      "==",
      "!=",
      "<",
      "<=",
      ">",
      ">=",
      "&&",
      "||",
      "!",
      "?",
      ":",
      "(",
      ")",
      "[",
      "]",
      ",",
      "'",
      "\"",
      "\\",
      ".",
      "=",
      "&",
      "|",
      "#",
      "1.",
      "1e",
      "中",
      "\x01",
      "\xff",
  };
  return kWords;
}

class ExpressionRandomized : public ::testing::Test {
 protected:
  std::size_t pick(std::size_t count) {
    return std::uniform_int_distribution<std::size_t>(0, count - 1)(random_);
  }

  std::string token_soup() {
    std::string source;
    const std::size_t length = pick(20);
    for (std::size_t i = 0; i < length; ++i) {
      source += vocabulary()[pick(vocabulary().size())];
      if (pick(3) != 0) source += ' ';
    }
    return source;
  }

  std::string mutated() {
    std::string source = seeds()[pick(seeds().size())];
    const std::size_t edits = 1 + pick(4);
    for (std::size_t i = 0; i < edits; ++i) {
      const std::size_t at = pick(source.size() + 1);
      switch (pick(5)) {
        case 0:
          if (at < source.size()) source.erase(at, 1 + pick(3));
          break;
        case 1:
          source.insert(at, 1, static_cast<char>(pick(256)));
          break;
        case 2:
          source.insert(at, vocabulary()[pick(vocabulary().size())]);
          break;
        case 3:
          if (at < source.size()) source[at] = static_cast<char>(32 + pick(95));
          break;
        default:
          source = source.substr(0, at);
          break;
      }
    }
    return source;
  }

  // A well-formed expression over the declared names, `depth` levels deep at most.
  std::string generated(int depth) {
    static const char* const kLeaves[] = {"amount",
                                          "zero",
                                          "missing",
                                          "industry",
                                          "title",
                                          "flag",
                                          "signed_on",
                                          "tags",
                                          "review.passed",
                                          "anything",
                                          "nowhere",
                                          "1",
                                          "0",
                                          "2.5",
                                          "-3",
                                          "'electronics'",
                                          "'园区'",
                                          "true",
                                          "false",
                                          "null",
                                          "today()",
                                          "limits[industry]"};
    static const char* const kBinary[] = {" + ",  " - ", " * ",  " / ",  " == ", " != ", " < ",
                                          " <= ", " > ", " >= ", " && ", " || ", " in "};
    if (depth <= 0 || pick(4) == 0) return kLeaves[pick(std::size(kLeaves))];
    switch (pick(8)) {
      case 0:
        return "!" + generated(depth - 1);
      case 1:
        return "-(" + generated(depth - 1) + ")";
      case 2:
        return "(" + generated(depth - 1) + " ? " + generated(depth - 1) + " : " +
               generated(depth - 1) + ")";
      case 3:
        return "[" + generated(depth - 1) + ", " + generated(depth - 1) + "]";
      case 4: {
        static const char* const kCalls[] = {"present(", "days_between(", "min(",
                                             "max(",     "round(",        "working_days_between("};
        const std::string call = kCalls[pick(std::size(kCalls))];
        const bool single = call == "present(" || (call == "round(" && pick(2) == 0);
        return call + generated(depth - 1) + (single ? "" : ", " + generated(depth - 1)) + ")";
      }
      default:
        return "(" + generated(depth - 1) + kBinary[pick(std::size(kBinary))] +
               generated(depth - 1) + ")";
    }
  }

  // Runs one source through everything; returns whether it parsed.
  bool exercise(const std::string& source) {
    const auto parsed = Expression::parse(source);
    const int end_column = static_cast<int>(source.size()) + 1;
    if (!parsed.ok()) {
      EXPECT_GE(parsed.error().column, 1) << source;
      EXPECT_LE(parsed.error().column, end_column) << source;
      EXPECT_FALSE(parsed.error().message.empty()) << source;
      return false;
    }
    for (const ExpressionError& problem : parsed->check(names_)) {
      EXPECT_GE(problem.column, 1) << source << ": " << problem.message;
      EXPECT_LE(problem.column, end_column) << source << ": " << problem.message;
      EXPECT_FALSE(problem.message.empty()) << source;
    }
    const ExprType type = parsed->type(names_);
    const Value value = parsed->evaluate(values_);
    EXPECT_TRUE(kind_matches(type, value.kind()))
        << source << ": typed " << type_name(type) << ", evaluated to " << kind_name(value.kind());
    EXPECT_EQ(parsed->evaluate(values_), value) << source;  // deterministic
    for (const std::string& name : parsed->referenced_names()) {
      EXPECT_NE(source.find(name), std::string::npos) << source << ": " << name;
    }
    return true;
  }

  std::mt19937 random_{20260210};
  testing::DeclaredNames names_{declarations()};
  testing::DeclaredScope values_{declarations(), limits, ymd(2026, 2, 12), nullptr};
};

TEST_F(ExpressionRandomized, TokenSoupNeverCrashes) {
  int parsed = 0;
  for (int i = 0; i < 10000; ++i)
    parsed += exercise(token_soup()) ? 1 : 0;
  EXPECT_GT(parsed, 50);  // some soups are valid, so evaluation was exercised too
}

TEST_F(ExpressionRandomized, MutatedExpressionsNeverCrash) {
  for (const std::string& seed : seeds())
    EXPECT_TRUE(exercise(seed)) << seed;
  for (int i = 0; i < 10000; ++i)
    exercise(mutated());
}

TEST_F(ExpressionRandomized, GeneratedExpressionsParseAndKeepTheirStaticType) {
  for (int i = 0; i < 3000; ++i) {
    const std::string source = generated(6);
    EXPECT_TRUE(exercise(source)) << source;
  }
}

TEST_F(ExpressionRandomized, RandomBytesNeverCrash) {
  for (int i = 0; i < 3000; ++i) {
    std::string source(pick(40), '\0');
    for (char& c : source)
      c = static_cast<char>(pick(256));
    exercise(source);
  }
}

}  // namespace
}  // namespace investflow::engine
