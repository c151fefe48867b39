// coerce_field_value: text given for number fields must read exactly as std::from_chars
// reads it, and text fields take text as given, within their length bounds.

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "engine/workflow.hpp"

namespace investflow::engine {
namespace {

FieldDef number_field() {
  FieldDef field;
  field.name = "total_investment";
  field.type = FieldType::money;
  return field;
}

// What the engine read numbers with before the fast path: the whole text, finite.
std::optional<double> by_from_chars(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> coerced(const FieldDef& field, const std::string& text) {
  const Result<Value, FieldValueError> result = coerce_field_value(field, Value::text(text));
  if (!result) return std::nullopt;
  const double* number = result.value().as_number();
  return number != nullptr ? std::optional<double>(*number) : std::nullopt;
}

void expect_same_bits(const std::string& text) {
  const std::optional<double> expected = by_from_chars(text);
  const std::optional<double> actual = coerced(number_field(), text);
  ASSERT_EQ(expected.has_value(), actual.has_value()) << "'" << text << "'";
  if (!expected) return;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, &*expected, sizeof a);
  std::memcpy(&b, &*actual, sizeof b);
  EXPECT_EQ(a, b) << "'" << text << "': " << *expected << " vs " << *actual;
}

TEST(FieldValue, NumbersFromTextReadExactlyAsFromChars) {
  for (const char* text : {"0",
                           "-0",
                           "60000",
                           "54000",
                           "0.1",
                           "0.3",
                           "2.675",
                           "-1.25",
                           "123456789012345",
                           "1234567890123456",
                           "12345678901234567890",
                           "0.000000000000001",
                           "9007199254740993",
                           "1.",
                           ".5",
                           "-",
                           "-.5",
                           "+5",
                           "1e3",
                           "1E-2",
                           "00012",
                           "1..2",
                           "1.2.3",
                           "12a",
                           "inf",
                           "nan",
                           "0x10",
                           "--1",
                           "1-",
                           "999999999999999.9",
                           "0.123456789012345"}) {
    expect_same_bits(text);
  }
}

TEST(FieldValue, SurroundingSpacesAreTrimmed) {
  EXPECT_EQ(coerced(number_field(), " 150 "), 150.0);
  EXPECT_EQ(coerced(number_field(), "\t-2.5"), -2.5);
}

TEST(FieldValue, NumberBoundsApply) {
  FieldDef field = number_field();
  field.min = 0;
  field.max = 100;
  EXPECT_EQ(coerced(field, "100"), 100.0);
  EXPECT_FALSE(coerced(field, "100.5").has_value());
  const Result<Value, FieldValueError> below = coerce_field_value(field, Value::number(-1));
  ASSERT_FALSE(below);
  EXPECT_NE(below.error().message.en.find("at least 0"), std::string::npos);
}

TEST(FieldValue, TextIsTakenAsGivenWithinItsLength) {
  FieldDef field;
  field.name = "name";
  field.type = FieldType::text;
  field.max = 4;
  const Result<Value, FieldValueError> fits = coerce_field_value(field, Value::text(" 招商 "));
  ASSERT_TRUE(fits);
  EXPECT_EQ(*fits.value().as_text(), " 招商 ");  // four characters, spaces kept
  const Result<Value, FieldValueError> long_text =
      coerce_field_value(field, Value::text("高新区招商局"));
  ASSERT_FALSE(long_text);
  EXPECT_NE(long_text.error().message.en.find("length must be at most 4"), std::string::npos);
  const Result<Value, FieldValueError> from_number = coerce_field_value(field, Value::number(12));
  ASSERT_TRUE(from_number);
  EXPECT_EQ(*from_number.value().as_text(), "12");
}

TEST(FieldValue, UserNamesAreTrimmed) {
  FieldDef field;
  field.name = "owner";
  field.type = FieldType::user;
  const Result<Value, FieldValueError> user = coerce_field_value(field, Value::text("  zhang "));
  ASSERT_TRUE(user);
  EXPECT_EQ(*user.value().as_text(), "zhang");
}

}  // namespace
}  // namespace investflow::engine
