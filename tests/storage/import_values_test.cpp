// Dates and amounts as people write them (storage/import_values.hpp) and the field values
// read from text and typed cells (storage/field_text.hpp read_field_text/read_field_cell),
// issue 18.

#include "storage/import_values.hpp"

#include <gtest/gtest.h>

#include <string>

#include "storage/field_text.hpp"

namespace investflow::storage {
namespace {

using engine::Date;
using engine::FieldDef;
using engine::FieldType;
using engine::Value;

Date ymd(int y, int m, int d) {
  return *Date::from_ymd(y, m, d);
}

TEST(ImportValues, CleaningTrimsInvisibleCharacters) {
  EXPECT_EQ(clean_cell_text("\u00A0\u3000 清远\u00A0"), "清远");
  EXPECT_EQ(clean_cell_text("\uFEFF\u200B清\u200B远\u2060\u200D"), "清远");
  EXPECT_EQ(clean_cell_text("a\u200Db"), "a\u200Db");  // ZWJ inside joins: kept
  EXPECT_EQ(clean_cell_text(" \u200B "), "");
  EXPECT_EQ(ascii_width("１２００．５，（％）ＡＢ　x"), "1200.5,(%)AB x");
  EXPECT_EQ(ascii_width("￥一"), "￥一");
}

TEST(ImportValues, DatesAsPeopleWriteThem) {
  const Date march_2 = ymd(2026, 3, 2);
  for (const char* text :
       {"2026-03-02", "2026-3-2", "2026/3/2", "2026.3.2", "2026年3月2日", "2026年3月2号",
        "2026年03月02日", "２０２６年３月２日", "２０２６／３／２", " 2026/3/2\u00A0", "20260302",
        "46083", "46083.75", "2026/3/2 0:00", "2026-03-02 14:30:05", "2026/3/2  9:05",
        "2026-03-02T09:30:00"}) {
    auto date = read_date_text(text);
    ASSERT_TRUE(date) << text << ": " << date.error().en;
    EXPECT_EQ(date->value, march_2) << text;
  }
  // The preview says how when the text was not already the date.
  EXPECT_TRUE(read_date_text("2026-03-02")->how.empty());
  EXPECT_EQ(read_date_text("2026年3月2日")->how.zh, "2026年3月2日 → 2026-03-02");
  EXPECT_EQ(read_date_text("46083")->how.zh, "Excel 日期序号 46083 → 2026-03-02");
  EXPECT_EQ(read_date_text("46083")->how.en, "Excel date serial 46083 → 2026-03-02");
  // The 1904 system counts from 1904-01-01.
  EXPECT_EQ(read_date_text("44621", true)->value, march_2);
}

TEST(ImportValues, DatesThatCouldBeReadTwoWaysOrOnlyInPartAreRefused) {
  struct Case {
    const char* text;
    const char* zh;
    const char* en;
  };
  const Case cases[] = {
      {"26/3/2", "「26/3/2」的年份只有两位：请写四位年份，如 2026/3/2",
       "'26/3/2' has a two-digit year: write the year in full, e.g. 2026/3/2"},
      {"2026-3-2abc", "「2026-3-2abc」在日期后面还有多余的内容「abc」",
       "'2026-3-2abc' has 'abc' after the date"},
      {"2026-02-30", "「2026-02-30」不是存在的日期", "'2026-02-30' is not a real date"},
      {"2/3/2026", "「2/3/2026」的年份不在最前：请按年/月/日书写，如 2026/3/2",
       "'2/3/2026' does not start with the year: write year/month/day, e.g. 2026/3/2"},
      {"0026-03-02", "「0026-03-02」的年份 26 不在 1900 至 2999 年之间",
       "'0026-03-02': the year 26 is not between 1900 and 2999"},
      {"20260230", "「20260230」不是存在的日期（按年月日 YYYYMMDD 读）",
       "'20260230' is not a real date (read as YYYYMMDD)"},
      {"明天", "「明天」不是日期（请写成 2026-03-02、2026/3/2 或 2026年3月2日）",
       "'明天' is not a date (write 2026-03-02, 2026/3/2 or 2026年3月2日)"},
  };
  for (const Case& c : cases) {
    auto date = read_date_text(c.text);
    ASSERT_FALSE(date) << c.text;
    EXPECT_EQ(date.error().zh, c.zh);
    EXPECT_EQ(date.error().en, c.en);
  }
  for (const char* bad :
       {"", "2026", "2026-3", "2026/3-2", "2026--2", "-2026-3-2", "2026-3-2 25:00", "2026-3-2 9:5",
        "123", "2026.3", "4608", "460830", "2026年3月", "2026-003-02", "2026/3/2 0:00 x"}) {
    EXPECT_FALSE(read_date_text(bad)) << bad;
  }
}

TEST(ImportValues, ExcelSerialsWithTheLeapYearBug) {
  EXPECT_EQ(excel_serial_date(1), ymd(1900, 1, 1));
  EXPECT_EQ(excel_serial_date(59), ymd(1900, 2, 28));
  EXPECT_EQ(excel_serial_date(60), std::nullopt);  // 29 Feb 1900 never was
  EXPECT_EQ(excel_serial_date(61), ymd(1900, 3, 1));
  EXPECT_EQ(excel_serial_date(46083), ymd(2026, 3, 2));
  EXPECT_EQ(excel_serial_date(46083.99), ymd(2026, 3, 2));
  EXPECT_EQ(excel_serial_date(2958465), ymd(9999, 12, 31));
  EXPECT_EQ(excel_serial_date(2958466), std::nullopt);
  EXPECT_EQ(excel_serial_date(0), std::nullopt);
  EXPECT_EQ(excel_serial_date(-1), std::nullopt);
  EXPECT_EQ(excel_serial_date(0, true), ymd(1904, 1, 1));
  EXPECT_EQ(excel_serial_date(44621, true), ymd(2026, 3, 2));
}

TEST(ImportValues, AmountsConvertedIntoTheFieldsUnit) {
  struct Case {
    const char* text;
    const char* unit;
    double value;
    const char* how;  // "" when the text was the value
  };
  const Case cases[] = {
      {"1.2亿", "万元", 12000, "1.2亿 → 12000 万元"},
      {"1.2亿元", "万元", 12000, "1.2亿元 → 12000 万元"},
      {"1200万", "万元", 1200, ""},
      {"1200万元", "万元", 1200, ""},
      {"1200 万元", "万元", 1200, ""},
      {"1200", "万元", 1200, ""},
      {"￥1,200.50", "万元", 1200.5, ""},
      {"¥ 1,200.50", "万元", 1200.5, ""},
      {"-￥1,200", "万元", -1200, ""},
      {"￥-1,200", "万元", -1200, ""},
      {"1，200", "万元", 1200, ""},
      {"１２００．５", "万元", 1200.5, ""},
      {"１，２００万元", "万元", 1200, ""},
      {"12,500,000元", "万元", 1250, "12,500,000元 → 1250 万元"},
      {"1200.50元", "万元", 0.12005, "1200.50元 → 0.12005 万元"},
      {"0.3亿", "万元/年", 3000, "0.3亿 → 3000 万元/年"},
      {"3000万元/年", "万元/年", 3000, ""},
      {"3000万元", "万元/年", 3000, ""},
      {"1.5万", "亩", 15000, "1.5万 → 15000 亩"},
      {"120亩", "亩", 120, ""},
      {"2万", "", 20000, "2万 → 20000"},
      {"68.15%", "%", 68.15, ""},
      {"68.15", "%", 68.15, ""},
      {".5", "", 0.5, ""},
      {"\u00A01200\u3000", "万元", 1200, ""},
  };
  for (const Case& c : cases) {
    auto amount = read_amount_text(c.text, c.unit);
    ASSERT_TRUE(amount) << c.text << " in " << c.unit << ": " << amount.error().en;
    EXPECT_DOUBLE_EQ(amount->value, c.value) << c.text << " in " << c.unit;
    EXPECT_EQ(amount->how.zh, c.how) << c.text;
    EXPECT_EQ(amount->how.en, c.how) << c.text;
  }
}

TEST(ImportValues, AmountsThatAreNoNumberOrInAnotherUnitAreRefused) {
  struct Case {
    const char* text;
    const char* unit;
    const char* zh;
    const char* en;
  };
  const Case cases[] = {
      {"1,2", "万元", "「1,2」的千位分隔不对（每三位一个逗号；小数请用小数点，如 1.5）",
       "'1,2' has digit grouping that is not in threes (write a decimal with a point, e.g. 1.5)"},
      {"68%", "万元", "「68%」的单位「%」与此栏的单位（万元）不符",
       "'68%': the unit '%' does not fit the column's unit (万元)"},
      {"120亩", "万元", "「120亩」的单位「亩」与此栏的单位（万元）不符",
       "'120亩': the unit '亩' does not fit the column's unit (万元)"},
      {"5万", "%", "「5万」的单位「万」与此栏的单位（%）不符",
       "'5万': the unit '万' does not fit the column's unit (%)"},
      {"1200左右", "万元", "「1200左右」不是数字（数字后面的「左右」不是单位）",
       "'1200左右' is not a number ('左右' after the number is no unit)"},
      {"2026-3-2", "万元", "「2026-3-2」不是数字", "'2026-3-2' is not a number"},
      {"一万", "万元", "「一万」不是数字", "'一万' is not a number"},
  };
  for (const Case& c : cases) {
    auto amount = read_amount_text(c.text, c.unit);
    ASSERT_FALSE(amount) << c.text;
    EXPECT_EQ(amount.error().zh, c.zh);
    EXPECT_EQ(amount.error().en, c.en);
  }
  for (const char* bad : {"", ",", ".", "12a", "inf", "nan", "1e999", "1e3", "1,2345", "1234,567",
                          "1,234.5,6", "+-1", "￥", "--1", "1 000", "0x10"}) {
    EXPECT_FALSE(read_amount_text(bad, "万元")) << bad;
  }
}

TEST(ImportValues, PercentCellsReadInPercentFields) {
  EXPECT_DOUBLE_EQ(read_amount_number(0.6815, true, "%").value, 68.15);
  EXPECT_EQ(read_amount_number(0.6815, true, "%").value, 68.15);  // exactly, not 68.149999
  EXPECT_DOUBLE_EQ(read_amount_number(0.6815, false, "%").value, 0.6815);
  EXPECT_DOUBLE_EQ(read_amount_number(0.6815, true, "万元").value, 0.6815);
  EXPECT_DOUBLE_EQ(read_amount_number(1e-7, true, "%").value, 1e-5);
}

FieldDef field(FieldType type, std::string unit = {}) {
  FieldDef def;
  def.name = "f";
  def.type = type;
  def.unit = std::move(unit);
  return def;
}

TEST(FieldInput, TextReadAsPeopleWriteIt) {
  auto money = read_field_text(field(FieldType::money, "万元"), "1.2亿");
  ASSERT_TRUE(money);
  EXPECT_EQ(money->value, Value::number(12000));
  EXPECT_EQ(money->how.zh, "1.2亿 → 12000 万元");

  auto date = read_field_text(field(FieldType::date), "2026年3月2日");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->value, Value::date(ymd(2026, 3, 2)));

  auto name = read_field_text(field(FieldType::text), "清远新材料产业园项目\u00A0\u200B");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->value, Value::text("清远新材料产业园项目"));
  EXPECT_TRUE(read_field_text(field(FieldType::money, "万元"), " \u3000")->value.is_null());

  auto two_digit = read_field_text(field(FieldType::date), "26/3/2");
  ASSERT_FALSE(two_digit);
  EXPECT_NE(two_digit.error().zh.find("两位"), std::string::npos);
  auto not_yes = read_field_text(field(FieldType::boolean), "也许");
  ASSERT_FALSE(not_yes);
  EXPECT_EQ(not_yes.error().zh, "「也许」不是“是”或“否”");

  // field_from_text, for older callers: the same reading, the English message.
  EXPECT_EQ(*field_from_text(field(FieldType::money, "万元"), "1200万"), Value::number(1200));
  EXPECT_EQ(field_from_text(field(FieldType::date), "2026-3-2abc").error(),
            "'2026-3-2abc' has 'abc' after the date");
}

TEST(FieldInput, TypedCellsGoStraightToTheValue) {
  const FieldDef date_field = field(FieldType::date);
  const FieldDef money_field = field(FieldType::money, "万元");
  const FieldDef rate_field = field(FieldType::number, "%");
  const FieldDef yes_field = field(FieldType::boolean);
  const FieldDef text_field = field(FieldType::text);

  EXPECT_EQ(read_field_cell(date_field, TabularCell::of_date(ymd(2026, 3, 2), "46083"))->value,
            Value::date(ymd(2026, 3, 2)));
  // A number in a date column is an Excel serial, in the workbook's date system.
  auto serial = read_field_cell(date_field, TabularCell::of_number(46083, "46083"));
  ASSERT_TRUE(serial);
  EXPECT_EQ(serial->value, Value::date(ymd(2026, 3, 2)));
  EXPECT_EQ(serial->how.zh, "Excel 日期序号 46083 → 2026-03-02");
  EXPECT_EQ(read_field_cell(date_field, TabularCell::of_number(44621, "44621"), true)->value,
            Value::date(ymd(2026, 3, 2)));
  EXPECT_FALSE(read_field_cell(date_field, TabularCell::of_number(60, "60")));
  EXPECT_FALSE(read_field_cell(date_field, TabularCell::of_number(-3, "-3")));

  EXPECT_EQ(read_field_cell(money_field, TabularCell::of_number(1200.5, "1200.5"))->value,
            Value::number(1200.5));
  TabularCell rate = TabularCell::of_number(0.385, "0.385");
  rate.percent = true;
  EXPECT_EQ(read_field_cell(rate_field, rate)->value, Value::number(38.5));
  EXPECT_EQ(read_field_cell(yes_field, TabularCell::of_boolean(true, "1"))->value,
            Value::boolean(true));
  EXPECT_EQ(read_field_cell(text_field, TabularCell::of_boolean(false, "0"))->value,
            Value::text("否"));
  EXPECT_EQ(read_field_cell(text_field, TabularCell::of_number(12, "12"))->value,
            Value::text("12"));
  EXPECT_EQ(read_field_cell(text_field, TabularCell::of_date(ymd(2026, 3, 2)))->value,
            Value::text("2026-03-02"));
  EXPECT_EQ(read_field_cell(money_field, TabularCell::of_text("1.2亿"))->value,
            Value::number(12000));
  EXPECT_TRUE(read_field_cell(money_field, TabularCell{})->value.is_null());

  TabularCell na = TabularCell::of_text("#N/A");
  na.error = true;
  auto error = read_field_cell(text_field, na);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().zh, "单元格是公式错误 #N/A，请在表格中改正后再导入");
}

}  // namespace
}  // namespace investflow::storage
