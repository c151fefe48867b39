// Text as people type it (engine/typed_text.hpp): blanks, list separators, yes and no,
// option labels, grouped numbers and dates. Field coercion and CSV import both read
// through these, so one case here is one rule everywhere.

#include "engine/typed_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace investflow::engine {
namespace {

using Items = std::vector<std::string_view>;

constexpr std::string_view kNbsp = "\u00A0";
constexpr std::string_view kIdeographicSpace = "\u3000";

FieldDef industry_field() {
  FieldDef field;
  field.name = "industry";
  field.type = FieldType::enumeration;
  field.options = {"electronics", "biomedicine"};
  field.option_labels["electronics"] = LocalizedText{"电子信息", "Electronics"};
  field.option_labels["biomedicine"] = LocalizedText{"生物医药", ""};
  return field;
}

TEST(TypedText, TrimRemovesAsciiWhitespaceNbspAndIdeographicSpace) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(trim("\r\n电子信息\n"), "电子信息");
  EXPECT_EQ(trim(std::string(kNbsp) + "12,500" + std::string(kNbsp)), "12,500");
  EXPECT_EQ(trim(std::string(kIdeographicSpace) + "电子信息" + std::string(kIdeographicSpace)),
            "电子信息");
  const std::string mixed = " " + std::string(kIdeographicSpace) + std::string(kNbsp) + "\t";
  EXPECT_EQ(trim(mixed + "x" + mixed), "x");
  EXPECT_EQ(trim(mixed), "");
  EXPECT_EQ(trim(""), "");
  // Blanks inside the text stay.
  EXPECT_EQ(trim("张" + std::string(kIdeographicSpace) + "三"),
            "张" + std::string(kIdeographicSpace) + "三");
}

TEST(TypedText, TrimLeavesOtherMultiByteCharactersWhole) {
  // U+00A0 is C2 A0 and U+3000 is E3 80 80: text ending in other bytes keeps them.
  EXPECT_EQ(trim("亩"), "亩");  // E4 BA A9
  EXPECT_EQ(trim("m²"), "m²");  // C2 B2
  EXPECT_EQ(trim("。"), "。");  // E3 80 82
}

TEST(TypedText, EverySeparatorSplitsAList) {
  for (const std::string_view separator : {",", "，", "、", ";", "；", "\n"}) {
    SCOPED_TRACE(std::string(separator));
    EXPECT_EQ(split_list("a" + std::string(separator) + "b"), (Items{"a", "b"}));
  }
  EXPECT_EQ(split_list("a, b；c、d\ne，f;g"), (Items{"a", "b", "c", "d", "e", "f", "g"}));
  EXPECT_EQ(split_list("a\r\nb"), (Items{"a", "b"}));  // Windows line ends
}

TEST(TypedText, ListItemsAreTrimmedAndEmptyOnesDropped) {
  const std::string item = std::string(kIdeographicSpace) + "生物医药" + std::string(kNbsp);
  EXPECT_EQ(split_list(" 电子信息 ；" + item), (Items{"电子信息", "生物医药"}));
  EXPECT_EQ(split_list("a,,b;；、"), (Items{"a", "b"}));
  EXPECT_EQ(split_list(" , ，" + std::string(kIdeographicSpace)), Items{});
  EXPECT_EQ(split_list(""), Items{});
  EXPECT_EQ(split_list("one"), (Items{"one"}));
}

TEST(TypedText, YesAndNo) {
  for (const std::string_view yes : {"是", "true", "TRUE", "True", "yes", "Yes", "Y", "y", "1"}) {
    EXPECT_EQ(parse_yes_no(yes), true) << yes;
  }
  for (const std::string_view no : {"否", "false", "FALSE", "no", "No", "N", "n", "0"}) {
    EXPECT_EQ(parse_yes_no(no), false) << no;
  }
  EXPECT_EQ(parse_yes_no(std::string(kIdeographicSpace) + "是"), true);
  for (const std::string_view neither : {"", "maybe", "2", "是的", "yess"}) {
    EXPECT_EQ(parse_yes_no(neither), std::nullopt) << neither;
  }
}

TEST(TypedText, OptionsByIdOrLabel) {
  const FieldDef field = industry_field();
  EXPECT_EQ(option_named(field, "electronics"), "electronics");
  EXPECT_EQ(option_named(field, "电子信息"), "electronics");
  EXPECT_EQ(option_named(field, "Electronics"), "electronics");
  EXPECT_EQ(option_named(field, std::string(kIdeographicSpace) + "生物医药 "), "biomedicine");
  EXPECT_EQ(option_named(field, "农业"), std::nullopt);
  EXPECT_EQ(option_named(field, ""), std::nullopt);  // the empty en label names nothing
  EXPECT_EQ(option_named(field, "ELECTRONICS"), std::nullopt);
}

TEST(TypedText, OptionsByFormerLabel) {
  FieldDef field = industry_field();
  field.option_aliases["biomedicine"] = {"生物医药与高性能医疗器械"};
  EXPECT_EQ(option_named(field, "生物医药与高性能医疗器械"), "biomedicine");
  EXPECT_EQ(option_named(field, " 生物医药与高性能医疗器械 "), "biomedicine");
  EXPECT_EQ(option_named(industry_field(), "生物医药与高性能医疗器械"), std::nullopt);
}

TEST(TypedText, NumbersWithDigitGrouping) {
  EXPECT_EQ(parse_typed_number(" 12,500.5 "), 12500.5);
  EXPECT_EQ(parse_typed_number(std::string(kNbsp) + "-3"), -3.0);
  EXPECT_EQ(parse_typed_number("1 000"), 1000.0);
  for (const std::string_view bad : {"", ",", "一万", "12a", "inf", "nan", "1e999"}) {
    EXPECT_EQ(parse_typed_number(bad), std::nullopt) << bad;
  }
}

TEST(TypedText, DatesAsPeopleWriteThem) {
  const std::optional<Date> march_2 = Date::from_ymd(2026, 3, 2);
  for (const std::string_view text :
       {"2026-03-02", "2026-3-2", "2026/3/2", "2026.03.02", "\u30002026/03/02 "}) {
    EXPECT_EQ(parse_typed_date(text), march_2) << text;
  }
  for (const std::string_view bad :
       {"", "2026", "2026-3", "2026-02-30", "2026/3-2", "2026-3-2x", "2026--2", "-2026-3-2"}) {
    EXPECT_EQ(parse_typed_date(bad), std::nullopt) << bad;
  }
}

TEST(TypedText, FieldCoercionReadsThroughIt) {
  FieldDef industries = industry_field();
  industries.type = FieldType::list;
  const Result<Value, FieldValueError> list =
      coerce_field_value(industries, Value::text("电子信息、\u3000生物医药\n"));
  ASSERT_TRUE(list);
  EXPECT_EQ(list.value(), Value::list({Value::text("electronics"), Value::text("biomedicine")}));

  const Result<Value, FieldValueError> option =
      coerce_field_value(industry_field(), Value::text("\u00A0电子信息\u3000"));
  ASSERT_TRUE(option);
  EXPECT_EQ(option.value(), Value::text("electronics"));

  FieldDef priority;
  priority.name = "priority";
  priority.type = FieldType::boolean;
  EXPECT_EQ(coerce_field_value(priority, Value::text("Y")).value(), Value::boolean(true));
}

}  // namespace
}  // namespace investflow::engine
