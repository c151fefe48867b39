#include "storage/import_values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "engine/typed_text.hpp"
#include "engine/value.hpp"

namespace investflow::storage {
namespace {

using engine::Date;
using engine::LocalizedText;

// Invisible characters removed wherever they are: zero-width space, word joiner, BOM
// (zero-width no-break space). ZWNJ and ZWJ stay inside text (they join emoji and
// scripts); engine::trim drops them at the ends with the other blanks.
constexpr std::string_view kInvisible[] = {"\u200B", "\u2060", "\uFEFF"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoted_zh(std::string_view text) {
  return "「" + std::string(text) + "」";
}
std::string quoted_en(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// The digits at the start of `text` (ASCII), removed from it.
std::string_view take_digits(std::string_view& text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n]))
    ++n;
  const std::string_view digits = text.substr(0, n);
  text.remove_prefix(n);
  return digits;
}

int to_int(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

bool take(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

bool is_blank_start(std::string_view text) {
  return text.starts_with(" ") || text.starts_with("\t");
}

// A time of day after a date (H:MM, H:MM:SS, H:MM:SS.fff): what Excel's CSV writes for a
// date-time cell. The time itself is dropped (the field is a date).
bool is_time_of_day(std::string_view text) {
  const std::string_view hours = take_digits(text);
  if (hours.empty() || hours.size() > 2 || to_int(hours) > 23 || !take(text, ":")) return false;
  std::string_view minutes = take_digits(text);
  if (minutes.size() != 2 || to_int(minutes) > 59) return false;
  if (take(text, ":")) {
    const std::string_view seconds = take_digits(text);
    if (seconds.size() != 2 || to_int(seconds) > 59) return false;
    if (take(text, ".") && take_digits(text).empty()) return false;
  }
  return text.empty();
}

LocalizedText not_a_date(std::string_view text) {
  return {quoted_zh(text) + "不是日期（请写成 2026-03-02、2026/3/2 或 2026年3月2日）",
          quoted_en(text) + " is not a date (write 2026-03-02, 2026/3/2 or 2026年3月2日)"};
}

constexpr int kFirstYear = 1900;
constexpr int kLastYear = 2999;

// The largest serial Excel has (9999-12-31).
constexpr double kLastSerial = 2958465;

// A decimal number's digits with the decimal point moved `exponent` places to the right
// (exact, unlike multiplying a double by a power of ten): "1.2", 4 -> "12000".
std::string shift_decimal(std::string_view digits, int exponent) {
  bool negative = false;
  if (!digits.empty() && digits.front() == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  std::string whole(digits.substr(0, digits.find('.')));
  std::string fraction;
  if (const std::size_t dot = digits.find('.'); dot != std::string_view::npos) {
    fraction = std::string(digits.substr(dot + 1));
  }
  for (; exponent > 0; --exponent) {
    whole.push_back(fraction.empty() ? '0' : fraction.front());
    if (!fraction.empty()) fraction.erase(fraction.begin());
  }
  for (; exponent < 0; ++exponent) {
    fraction.insert(fraction.begin(), whole.empty() ? '0' : whole.back());
    if (!whole.empty()) whole.pop_back();
  }
  if (whole.empty()) whole = "0";
  return (negative ? "-" : "") + whole + (fraction.empty() ? "" : "." + fraction);
}

std::optional<double> decimal_value(const std::string& digits) {
  double value = 0;
  const char* const end = digits.data() + digits.size();
  const auto [stop, error] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || error != std::errc() || stop != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// A magnitude written before a unit: 百万, 千万, 亿, 万, 千 (the power of ten).
struct Magnitude {
  std::string_view word;
  int exponent;
};
// Units people write after numbers in the shipped workflows' columns (and 元 for money).
constexpr std::string_view kUnits[] = {"元", "元/年", "亩",     "m²",          "平方米", "人",
                                       "月", "年",    "tce/年", "吨标准煤/年", "%"};
constexpr Magnitude kMagnitudes[] = {{"百万", 6}, {"千万", 7}, {"亿", 8}, {"万", 4}, {"千", 3}};

// A unit split into its magnitude and the rest: "万元/年" -> 4, "元/年"; "亩" -> 0, "亩".
struct SplitUnit {
  int exponent = 0;
  std::string_view magnitude;
  std::string_view base;
};

SplitUnit split_unit(std::string_view unit) {
  for (const Magnitude& magnitude : kMagnitudes) {
    if (unit.starts_with(magnitude.word)) {
      return {magnitude.exponent, magnitude.word, unit.substr(magnitude.word.size())};
    }
  }
  return {0, {}, unit};
}

}  // namespace

std::string clean_cell_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool invisible = false;
    for (const std::string_view mark : kInvisible) {
      if (text.substr(i).starts_with(mark)) {
        i += mark.size();
        invisible = true;
        break;
      }
    }
    if (!invisible) out.push_back(text[i++]);
  }
  return std::string(engine::trim(out));
}

std::string ascii_width(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    // U+FF01..U+FF5E: EF BC 81..EF BC BF, EF BD 80..EF BD 9E.
    if (i + 2 < text.size() && byte(i) == 0xEF && (byte(i + 1) == 0xBC || byte(i + 1) == 0xBD)) {
      const unsigned code = 0xFF00u + ((byte(i + 1) & 0x03u) << 6) + (byte(i + 2) & 0x3Fu);
      if (code >= 0xFF01 && code <= 0xFF5E && (byte(i + 2) & 0xC0) == 0x80) {
        out.push_back(static_cast<char>(code - 0xFF01 + 0x21));
        i += 2;
        continue;
      }
    }
    // U+3000, the ideographic space: E3 80 80.
    if (i + 2 < text.size() && byte(i) == 0xE3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) {
      out.push_back(' ');
      i += 2;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::optional<Date> excel_serial_date(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < (date1904 ? 0 : 1) || serial >= kLastSerial + 1) {
    return std::nullopt;
  }
  const int whole = static_cast<int>(std::floor(serial));
  if (date1904) {
    const Date date = Date::from_ymd(1904, 1, 1)->plus_days(whole);
    return date.year() <= 9999 ? std::optional<Date>(date) : std::nullopt;
  }
  if (whole == 60) return std::nullopt;  // 1900-02-29, which Excel keeps from Lotus 1-2-3
  // Serial 1 is 1900-01-01; after the phantom 29 February every serial is one day ahead.
  const Date date = whole < 60 ? Date::from_ymd(1899, 12, 31)->plus_days(whole)
                               : Date::from_ymd(1899, 12, 30)->plus_days(whole);
  return date.year() <= 9999 ? std::optional<Date>(date) : std::nullopt;
}

engine::Result<ReadValue<Date>, LocalizedText> read_date_text(std::string_view raw, bool date1904) {
  const std::string cleaned = clean_cell_text(raw);
  const std::string ascii = ascii_width(cleaned);
  std::string_view text = ascii;
  if (text.empty()) return engine::fail(not_a_date(cleaned));

  // A number alone: 20260302, or a five-digit Excel serial (46083; with a time: 46083.5).
  if (std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; }) &&
      std::count(text.begin(), text.end(), '.') <= 1) {
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const bool has_fraction = dot != std::string_view::npos;
    if (whole.size() == 8 && !has_fraction) {
      const int y = to_int(whole.substr(0, 4));
      if (const auto date = Date::from_ymd(y, to_int(whole.substr(4, 2)), to_int(whole.substr(6)));
          date && y >= kFirstYear && y <= kLastYear) {
        return ReadValue<Date>{
            *date, {cleaned + " → " + date->to_string(), cleaned + " → " + date->to_string()}};
      }
      return engine::fail(
          LocalizedText{quoted_zh(cleaned) + "不是存在的日期（按年月日 YYYYMMDD 读）",
                        quoted_en(cleaned) + " is not a real date (read as YYYYMMDD)"});
    }
    if (whole.size() == 5 && (!has_fraction || dot + 1 < text.size())) {
      double serial = 0;
      std::from_chars(text.data(), text.data() + text.size(), serial);
      if (const auto date = excel_serial_date(serial, date1904)) {
        return ReadValue<Date>{*date,
                               {"Excel 日期序号 " + cleaned + " → " + date->to_string(),
                                "Excel date serial " + cleaned + " → " + date->to_string()}};
      }
    }
    return engine::fail(not_a_date(cleaned));
  }

  // Year, month, day: separated by one of - / . (the same twice), or 年 月 日.
  std::string_view rest = text;
  const std::string_view year = take_digits(rest);
  if (year.empty()) return engine::fail(not_a_date(cleaned));
  std::string_view separator;
  for (const std::string_view s : {"-", "/", ".", "年"}) {
    if (take(rest, s)) {
      separator = s;
      break;
    }
  }
  if (separator.empty()) return engine::fail(not_a_date(cleaned));
  const std::string_view month = take_digits(rest);
  if (month.empty() || !take(rest, separator == "年" ? "月" : separator)) {
    return engine::fail(not_a_date(cleaned));
  }
  const std::string_view day = take_digits(rest);
  if (day.empty()) return engine::fail(not_a_date(cleaned));
  if (separator == "年" && !take(rest, "日")) take(rest, "号");

  if (year.size() != 4) {
    if (day.size() == 4 && year.size() <= 2) {
      return engine::fail(
          LocalizedText{quoted_zh(cleaned) + "的年份不在最前：请按年/月/日书写，如 2026/3/2",
                        quoted_en(cleaned) +
                            " does not start with the year: write year/month/day, e.g. 2026/3/2"});
    }
    if (year.size() <= 2) {
      return engine::fail(LocalizedText{
          quoted_zh(cleaned) + "的年份只有两位：请写四位年份，如 2026/3/2",
          quoted_en(cleaned) + " has a two-digit year: write the year in full, e.g. 2026/3/2"});
    }
    return engine::fail(not_a_date(cleaned));
  }
  if (month.size() > 2 || day.size() > 2) return engine::fail(not_a_date(cleaned));
  if (!rest.empty()) {
    std::string_view time = rest;
    bool blank = take(time, "T");  // ISO 8601: 2026-03-02T09:30:00
    while (!blank && is_blank_start(time)) {
      while (is_blank_start(time))
        time.remove_prefix(1);
      blank = true;
    }
    if (!blank || !is_time_of_day(time)) {
      return engine::fail(
          LocalizedText{quoted_zh(cleaned) + "在日期后面还有多余的内容" + quoted_zh(rest),
                        quoted_en(cleaned) + " has " + quoted_en(rest) + " after the date"});
    }
  }
  const int y = to_int(year);
  const auto date = Date::from_ymd(y, to_int(month), to_int(day));
  if (!date) {
    return engine::fail(LocalizedText{quoted_zh(cleaned) + "不是存在的日期",
                                      quoted_en(cleaned) + " is not a real date"});
  }
  if (y < kFirstYear || y > kLastYear) {
    return engine::fail(LocalizedText{
        quoted_zh(cleaned) + "的年份 " + std::to_string(y) + " 不在 1900 至 2999 年之间",
        quoted_en(cleaned) + ": the year " + std::to_string(y) + " is not between 1900 and 2999"});
  }
  LocalizedText how;
  if (cleaned != date->to_string()) {
    how = {cleaned + " → " + date->to_string(), cleaned + " → " + date->to_string()};
  }
  return ReadValue<Date>{*date, std::move(how)};
}

engine::Result<ReadValue<double>, LocalizedText> read_amount_text(std::string_view raw,
                                                                  std::string_view unit) {
  const std::string cleaned = clean_cell_text(raw);
  const std::string ascii = ascii_width(cleaned);
  std::string_view text = ascii;
  const auto not_a_number = [&] {
    return engine::fail(
        LocalizedText{quoted_zh(cleaned) + "不是数字", quoted_en(cleaned) + " is not a number"});
  };
  // A sign and a currency sign, in either order (-￥1,200 and ￥-1,200).
  std::string digits;
  const auto take_sign = [&] {
    if (take(text, "-"))
      digits = "-";
    else
      take(text, "+");
  };
  take_sign();
  if (take(text, "\uFFE5") || take(text, "\u00A5")) {
    while (is_blank_start(text))
      text.remove_prefix(1);
    if (digits.empty()) take_sign();
  }
  // Digits, grouped in threes by commas before the decimal point.
  const std::string_view first = take_digits(text);
  if (first.empty() && !text.starts_with(".")) return not_a_number();
  digits += first.empty() ? std::string_view("0") : first;
  while (text.starts_with(",")) {
    text.remove_prefix(1);
    const std::string_view group = take_digits(text);
    if (first.empty() || first.size() > 3 || group.size() != 3) {
      return engine::fail(LocalizedText{
          quoted_zh(cleaned) + "的千位分隔不对（每三位一个逗号；小数请用小数点，如 1.5）",
          quoted_en(cleaned) + " has digit grouping that is not in threes (write a decimal with a "
                               "point, e.g. 1.5)"});
    }
    digits += group;
  }
  if (take(text, ".")) {
    const std::string_view fraction = take_digits(text);
    if (fraction.empty() && first.empty()) return not_a_number();
    digits += ".";
    digits += fraction;
  }
  while (is_blank_start(text))
    text.remove_prefix(1);
  const std::optional<double> number = decimal_value(digits);
  if (!number) return not_a_number();

  const std::string_view suffix = text;
  if (suffix.empty()) return ReadValue<double>{*number, {}};
  // What follows the number is a unit (known, or the column's own), else the text is no
  // number (2026-3-2 in an amount column, 1200左右).
  const SplitUnit written = split_unit(suffix);
  const SplitUnit field = split_unit(unit);
  const bool known_unit =
      !written.magnitude.empty() || suffix == "%" ||
      (!written.base.empty() && field.base.starts_with(written.base)) ||
      std::find(std::begin(kUnits), std::end(kUnits), written.base) != std::end(kUnits);
  if (!known_unit) {
    return engine::fail(
        LocalizedText{quoted_zh(cleaned) + "不是数字" +
                          (std::any_of(suffix.begin(), suffix.end(), is_digit)
                               ? std::string()
                               : "（数字后面的" + quoted_zh(suffix) + "不是单位）"),
                      quoted_en(cleaned) + " is not a number" +
                          (std::any_of(suffix.begin(), suffix.end(), is_digit)
                               ? std::string()
                               : " (" + quoted_en(suffix) + " after the number is no unit)")});
  }
  const auto wrong_unit = [&] {
    const std::string expected = unit.empty() ? "无单位" : std::string(unit);
    const std::string expected_en = unit.empty() ? "none" : std::string(unit);
    return engine::fail(LocalizedText{
        quoted_zh(cleaned) + "的单位" + quoted_zh(suffix) + "与此栏的单位（" + expected + "）不符",
        quoted_en(cleaned) + ": the unit " + quoted_en(suffix) +
            " does not fit the column's unit (" + expected_en + ")"});
  };
  if (suffix == "%") {
    if (unit == "%") return ReadValue<double>{*number, {}};
    return wrong_unit();
  }
  if (unit == "%") return wrong_unit();
  // The rest of the written unit names the field's base unit, or a start of it (元 for
  // 元/年), or nothing (1200万 in a 万元 column).
  if (!written.base.empty() && !field.base.starts_with(written.base)) return wrong_unit();
  if (written.magnitude.empty() && written.base.empty()) return wrong_unit();
  const int exponent = written.exponent - field.exponent;
  if (exponent == 0) return ReadValue<double>{*number, {}};
  const std::optional<double> converted = decimal_value(shift_decimal(digits, exponent));
  if (!converted) return not_a_number();
  const std::string how =
      cleaned + " → " + amount_text(*converted) + (unit.empty() ? "" : " ") + std::string(unit);
  return ReadValue<double>{*converted, {how, how}};
}

ReadValue<double> read_amount_number(double number, bool percent, std::string_view unit) {
  if (!percent || unit != "%" || !std::isfinite(number)) return {number, {}};
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  if (error != std::errc()) return {number * 100, {}};
  std::string digits(buffer, end);
  if (digits.find_first_of("eE") != std::string::npos) return {number * 100, {}};
  return {decimal_value(shift_decimal(digits, 2)).value_or(number * 100), {}};
}

std::string amount_text(double number) {
  return engine::format_number(number, 6);
}

}  // namespace investflow::storage
