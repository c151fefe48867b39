#include "engine/date.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

namespace investflow::engine {
namespace {

Date ymd(int y, int m, int d) {
  return *Date::from_ymd(y, m, d);
}

// to_string prints "%04d-%02d-%02d" of ymd() for every day an int32 holds (ymd() must not
// overflow near the ends), and parse reads back every date of years 1..9999.
TEST(Date, ToStringIsPrintfsFormatEverywhere) {
  for (std::int64_t days = std::numeric_limits<std::int32_t>::min();
       days <= std::numeric_limits<std::int32_t>::max(); days += 65'537) {
    const Date date(static_cast<std::int32_t>(days));
    const YearMonthDay parts = date.ymd();
    char expected[48];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02d", parts.year, parts.month, parts.day);
    ASSERT_EQ(date.to_string(), expected) << days;
  }
  for (int days = -719'528; days < 2'932'897; ++days) {  // 0000-01-01 .. 9999-12-31, each day
    const Date date(days);
    const std::string text = date.to_string();
    ASSERT_EQ(text.size(), 10u) << days;
    if (days >= -719'162) {
      ASSERT_EQ(Date::parse(text), date) << text;
    }
  }
}

TEST(Date, RoundTripsCivilDates) {
  EXPECT_EQ(ymd(1970, 1, 1).days_since_epoch(), 0);
  EXPECT_EQ(ymd(2026, 2, 17).to_string(), "2026-02-17");
  // Years 1..9999, the range from_ymd accepts.
  for (int days = -719'162; days < 2'932'896; days += 997) {
    const Date date(days);
    const YearMonthDay parts = date.ymd();
    EXPECT_EQ(Date::from_ymd(parts.year, parts.month, parts.day), date) << days;
  }
}

TEST(Date, RejectsImpossibleDates) {
  EXPECT_FALSE(Date::from_ymd(2026, 2, 29));
  EXPECT_TRUE(Date::from_ymd(2024, 2, 29));
  EXPECT_FALSE(Date::from_ymd(1900, 2, 29));
  EXPECT_FALSE(Date::from_ymd(2026, 13, 1));
  EXPECT_FALSE(Date::from_ymd(2026, 4, 31));
  EXPECT_FALSE(Date::parse("2026-2-1"));
  EXPECT_FALSE(Date::parse("2026-02-1x"));
  EXPECT_FALSE(Date::parse("2026/02/10"));
  EXPECT_EQ(Date::parse("2026-02-10"), ymd(2026, 2, 10));
}

TEST(Date, IsoWeekdays) {
  EXPECT_EQ(ymd(1970, 1, 1).iso_weekday(), 4);   // Thursday
  EXPECT_EQ(ymd(2026, 2, 14).iso_weekday(), 6);  // Saturday
  EXPECT_EQ(ymd(2026, 2, 15).iso_weekday(), 7);  // Sunday
  EXPECT_EQ(ymd(2026, 2, 16).iso_weekday(), 1);  // Monday
  EXPECT_EQ(Date(-1).iso_weekday(), 3);          // 1969-12-31, Wednesday
  EXPECT_TRUE(ymd(2026, 2, 14).is_weekend());
  EXPECT_FALSE(ymd(2026, 2, 13).is_weekend());
}

TEST(Date, PlusMonthsClampsToMonthEnd) {
  EXPECT_EQ(ymd(2026, 1, 31).plus_months(1), ymd(2026, 2, 28));
  EXPECT_EQ(ymd(2024, 1, 31).plus_months(1), ymd(2024, 2, 29));
  EXPECT_EQ(ymd(2026, 3, 15).plus_months(6), ymd(2026, 9, 15));
  EXPECT_EQ(ymd(2026, 11, 30).plus_months(3), ymd(2027, 2, 28));
  EXPECT_EQ(ymd(2026, 1, 15).plus_months(-2), ymd(2025, 11, 15));
}

TEST(Timestamp, LocalDateUsesChinaStandardTime) {
  // 2026-02-16T16:30Z is 2026-02-17T00:30+08:00.
  const Timestamp at = *parse_timestamp("2026-02-16T16:30:00Z");
  EXPECT_EQ(local_date(at), ymd(2026, 2, 17));
  EXPECT_EQ(local_date(at, 0), ymd(2026, 2, 16));
  EXPECT_EQ(format_timestamp(at), "2026-02-17T00:30:00.000+08:00");
  EXPECT_EQ(start_of_day(ymd(2026, 2, 17)), *parse_timestamp("2026-02-17T00:00:00+08:00"));
  EXPECT_EQ(parse_timestamp("2026-02-17"), start_of_day(ymd(2026, 2, 17)));
  EXPECT_EQ(local_date(start_of_day(ymd(1969, 12, 31))), ymd(1969, 12, 31));
}

TEST(Timestamp, ParsesFractionsAndOffsetsAndRejectsJunk) {
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00.5Z"), 500);
  EXPECT_EQ(parse_timestamp("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00-01:00"), 3'600'000);
  EXPECT_FALSE(parse_timestamp("1970-01-01T25:00Z"));
  EXPECT_FALSE(parse_timestamp("1970-01-01T10:00:00+0800"));
  EXPECT_FALSE(parse_timestamp("1970-01-01X10:00"));
  EXPECT_FALSE(parse_timestamp(""));
  EXPECT_FALSE(parse_timestamp("1970-01-01T10:00:00."));
}

}  // namespace
}  // namespace investflow::engine
