#include "engine/date.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace investflow::engine {
namespace {

// Howard Hinnant's civil-date algorithms (public domain): exact for the proleptic
// Gregorian calendar over the whole int32 day range we use.
constexpr std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

// In 64 bits: shifting a day near INT32_MAX to the algorithm's epoch (0000-03-01) would
// overflow an int.
constexpr YearMonthDay civil_from_days(std::int32_t days) {
  const std::int64_t z = std::int64_t{days} + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe + era * 400);  // |y| < 5.9 million
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), static_cast<int>(m), static_cast<int>(d)};
}

constexpr bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(int y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::int64_t kMsPerMinute = 60'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Parses exactly `width` decimal digits at `text[pos]`.
bool parse_digits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::optional<Date> Date::from_ymd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12) return std::nullopt;
  if (day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return Date(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

std::optional<Date> Date::parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!parse_digits(text, 0, 4, y) || !parse_digits(text, 5, 2, m) ||
      !parse_digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  return from_ymd(y, m, d);
}

YearMonthDay Date::ymd() const {
  return civil_from_days(days_);
}

int Date::iso_weekday() const {
  // 1970-01-01 was a Thursday (ISO 4).
  const int w = static_cast<int>(((static_cast<std::int64_t>(days_) + 3) % 7 + 7) % 7);
  return w + 1;
}

Date Date::plus_months(int months) const {
  const YearMonthDay date = ymd();
  const int index = date.year * 12 + (date.month - 1) + months;
  const int year = static_cast<int>(floor_div(index, 12));
  const int month = index - year * 12 + 1;
  const int day = std::min(date.day, days_in_month(year, month));
  return Date(days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

std::string Date::to_string() const {
  const YearMonthDay date = ymd();
  char buffer[40];  // room for any int, so the compiler can prove no truncation
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buffer;
}

Date local_date(Timestamp at, int utc_offset_minutes) {
  const std::int64_t local = at + static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
  return Date(static_cast<std::int32_t>(floor_div(local, kMsPerDay)));
}

Timestamp start_of_day(Date date, int utc_offset_minutes) {
  return static_cast<Timestamp>(date.days_since_epoch()) * kMsPerDay -
         static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
}

std::string format_timestamp(Timestamp at, int utc_offset_minutes) {
  const std::int64_t local = at + static_cast<std::int64_t>(utc_offset_minutes) * kMsPerMinute;
  const Date date(static_cast<std::int32_t>(floor_div(local, kMsPerDay)));
  const std::int64_t ms_of_day = local - floor_div(local, kMsPerDay) * kMsPerDay;
  const int hours = static_cast<int>(ms_of_day / 3'600'000);
  const int minutes = static_cast<int>(ms_of_day / 60'000 % 60);
  const int seconds = static_cast<int>(ms_of_day / 1000 % 60);
  const int millis = static_cast<int>(ms_of_day % 1000);
  const int offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d.%03d%c%02d:%02d",
                date.to_string().c_str(), hours, minutes, seconds, millis,
                utc_offset_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return buffer;
}

std::optional<Timestamp> parse_timestamp(std::string_view text, int utc_offset_minutes) {
  const std::optional<Date> date = Date::parse(text.substr(0, 10));
  if (!date) return std::nullopt;
  if (text.size() == 10) return start_of_day(*date, utc_offset_minutes);
  // YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM)
  if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
  int hour = 0, minute = 0, second = 0, millis = 0;
  if (!parse_digits(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' ||
      !parse_digits(text, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!parse_digits(text, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      std::size_t digits = 0;
      int fraction = 0;
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) fraction = fraction * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (std::size_t i = digits; i < 3; ++i)
        fraction *= 10;
      millis = fraction;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int offset = utc_offset_minutes;
  if (pos == text.size()) {
    // No zone designator: local time in the given offset.
  } else if (text[pos] == 'Z' && pos + 1 == text.size()) {
    offset = 0;
  } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() &&
             text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!parse_digits(text, pos + 1, 2, oh) || !parse_digits(text, pos + 4, 2, om)) {
      return std::nullopt;
    }
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  const std::int64_t local_ms = static_cast<std::int64_t>(date->days_since_epoch()) * kMsPerDay +
                                hour * 3'600'000LL + minute * 60'000LL + second * 1000LL + millis;
  return local_ms - static_cast<std::int64_t>(offset) * kMsPerMinute;
}

}  // namespace investflow::engine
