#include "engine/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace investflow::engine {
namespace {

Date day(int year, int month, int day_of_month) {
  return Date::from_ymd(year, month, day_of_month).value();
}

// One block of rest days as a State Council notice states it, with the weekend days worked
// in exchange. `days` is the notice's own "共N天", kept to check the table against it.
struct HolidayBlock {
  std::string name;
  Date from;
  Date to;
  int days;
  std::vector<Date> make_up;
};

// Hard-coded from the notices (not from workflows/calendars/cn-mainland.yaml, which a
// workflows test loads and compares separately):
//   国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
//   国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
std::vector<HolidayBlock> official_blocks() {
  return {
      {"元旦", day(2025, 1, 1), day(2025, 1, 1), 1, {}},
      {"春节", day(2025, 1, 28), day(2025, 2, 4), 8, {day(2025, 1, 26), day(2025, 2, 8)}},
      {"清明节", day(2025, 4, 4), day(2025, 4, 6), 3, {}},
      {"劳动节", day(2025, 5, 1), day(2025, 5, 5), 5, {day(2025, 4, 27)}},
      {"端午节", day(2025, 5, 31), day(2025, 6, 2), 3, {}},
      {"国庆节、中秋节",
       day(2025, 10, 1),
       day(2025, 10, 8),
       8,
       {day(2025, 9, 28), day(2025, 10, 11)}},
      {"元旦", day(2026, 1, 1), day(2026, 1, 3), 3, {day(2026, 1, 4)}},
      {"春节", day(2026, 2, 15), day(2026, 2, 23), 9, {day(2026, 2, 14), day(2026, 2, 28)}},
      {"清明节", day(2026, 4, 4), day(2026, 4, 6), 3, {}},
      {"劳动节", day(2026, 5, 1), day(2026, 5, 5), 5, {day(2026, 5, 9)}},
      {"端午节", day(2026, 6, 19), day(2026, 6, 21), 3, {}},
      {"中秋节", day(2026, 9, 25), day(2026, 9, 27), 3, {}},
      {"国庆节", day(2026, 10, 1), day(2026, 10, 7), 7, {day(2026, 9, 20), day(2026, 10, 10)}},
  };
}

Calendar calendar_from(const std::vector<HolidayBlock>& blocks, int first_year, int last_year) {
  std::vector<Holiday> holidays;
  std::vector<Date> make_up;
  for (const HolidayBlock& block : blocks) {
    for (Date date = block.from; date <= block.to; date = date.plus_days(1)) {
      holidays.push_back({date, block.name});
    }
    make_up.insert(make_up.end(), block.make_up.begin(), block.make_up.end());
  }
  return Calendar("cn-mainland", std::move(holidays), std::move(make_up), first_year, last_year);
}

Calendar cn_mainland() {
  return calendar_from(official_blocks(), 2025, 2026);
}

// The definitions, day by day: what the fast paths must agree with.
int naive_working_days_between(const Calendar& calendar, Date a, Date b) {
  if (b < a) return -naive_working_days_between(calendar, b, a);
  int count = 0;
  for (Date date = a.plus_days(1); date <= b; date = date.plus_days(1)) {
    if (calendar.is_working_day(date)) ++count;
  }
  return count;
}

Date naive_add_working_days(const Calendar& calendar, Date from, int n) {
  const int step = n > 0 ? 1 : -1;
  Date date = from;
  for (int remaining = n > 0 ? n : -n; remaining > 0;) {
    date = date.plus_days(step);
    if (calendar.is_working_day(date)) --remaining;
  }
  return date;
}

TEST(CalendarData, TableAgreesWithTheNotices) {
  int weekday_holidays_2025 = 0;
  int weekday_holidays_2026 = 0;
  for (const HolidayBlock& block : official_blocks()) {
    SCOPED_TRACE(block.name + " " + block.from.to_string());
    EXPECT_EQ(days_between(block.from, block.to) + 1, block.days);
    for (Date make_up : block.make_up)
      EXPECT_TRUE(make_up.is_weekend()) << make_up.to_string();
    for (Date date = block.from; date <= block.to; date = date.plus_days(1)) {
      if (date.is_weekend()) continue;
      if (date.year() == 2025) {
        ++weekday_holidays_2025;
      } else {
        ++weekday_holidays_2026;
      }
    }
  }
  // 261 weekdays in each year; 261 - 18 + 5 make-up days = 248 in 2025 and
  // 261 - 19 + 6 = 248 in 2026, i.e. 365 - 104 weekend days - 13 statutory holiday days.
  EXPECT_EQ(weekday_holidays_2025, 18);
  EXPECT_EQ(weekday_holidays_2026, 19);
}

TEST(Calendar, HolidaysAreRestDaysEvenOnWeekdays) {
  const Calendar calendar = cn_mainland();
  for (Date date : {day(2025, 1, 1), day(2025, 1, 28), day(2025, 2, 4), day(2025, 10, 8),
                    day(2026, 1, 2), day(2026, 2, 16), day(2026, 2, 23), day(2026, 10, 7)}) {
    SCOPED_TRACE(date.to_string());
    EXPECT_FALSE(date.is_weekend());
    EXPECT_TRUE(calendar.is_holiday(date));
    EXPECT_FALSE(calendar.is_working_day(date));
  }
  // Weekend days inside a holiday block are holidays too (and rest days either way).
  EXPECT_TRUE(calendar.is_holiday(day(2026, 1, 3)));
  EXPECT_FALSE(calendar.is_working_day(day(2026, 1, 3)));
}

TEST(Calendar, MakeUpWeekendDaysAreWorkingDays) {
  const Calendar calendar = cn_mainland();
  for (Date date : {day(2025, 1, 26), day(2025, 2, 8), day(2025, 4, 27), day(2025, 9, 28),
                    day(2025, 10, 11), day(2026, 1, 4), day(2026, 2, 14), day(2026, 2, 28),
                    day(2026, 5, 9), day(2026, 9, 20), day(2026, 10, 10)}) {
    SCOPED_TRACE(date.to_string());
    EXPECT_TRUE(date.is_weekend());
    EXPECT_TRUE(calendar.is_make_up_working_day(date));
    EXPECT_FALSE(calendar.is_holiday(date));
    EXPECT_TRUE(calendar.is_working_day(date));
  }
}

TEST(Calendar, OrdinaryWeekendsRestAndOrdinaryWeekdaysWork) {
  const Calendar calendar = cn_mainland();
  EXPECT_FALSE(calendar.is_working_day(day(2025, 3, 8)));    // Saturday
  EXPECT_FALSE(calendar.is_working_day(day(2025, 3, 9)));    // Sunday
  EXPECT_FALSE(calendar.is_working_day(day(2026, 2, 7)));    // Saturday before the make-up one
  EXPECT_FALSE(calendar.is_working_day(day(2025, 10, 12)));  // Sunday after the 10-11 make-up
  EXPECT_TRUE(calendar.is_working_day(day(2025, 3, 10)));    // Monday
  EXPECT_TRUE(calendar.is_working_day(day(2026, 2, 13)));    // Friday before Spring Festival
  EXPECT_FALSE(calendar.is_make_up_working_day(day(2025, 3, 8)));
  EXPECT_FALSE(calendar.is_holiday(day(2025, 3, 8)));
}

TEST(Calendar, HolidayNames) {
  const Calendar calendar = cn_mainland();
  EXPECT_EQ(calendar.holiday_name(day(2025, 10, 5)), "国庆节、中秋节");
  EXPECT_EQ(calendar.holiday_name(day(2026, 2, 17)), "春节");
  EXPECT_EQ(calendar.holiday_name(day(2026, 9, 25)), "中秋节");
  EXPECT_EQ(calendar.holiday_name(day(2026, 2, 14)), "");  // a make-up day is no holiday
  EXPECT_EQ(calendar.holiday_name(day(2025, 3, 10)), "");
}

TEST(Calendar, CoversOnlyItsYears) {
  const Calendar calendar = cn_mainland();
  EXPECT_EQ(calendar.name(), "cn-mainland");
  EXPECT_EQ(calendar.first_year(), 2025);
  EXPECT_EQ(calendar.last_year(), 2026);
  EXPECT_FALSE(calendar.covers(day(2024, 12, 31)));
  EXPECT_TRUE(calendar.covers(day(2025, 1, 1)));
  EXPECT_TRUE(calendar.covers(day(2026, 12, 31)));
  EXPECT_FALSE(calendar.covers(day(2027, 1, 1)));
}

TEST(Calendar, OutsideCoveredYearsOnlyWeekendsRest) {
  const Calendar calendar = cn_mainland();
  // 2027-01-01 is a Friday; without a 2027 notice it is an ordinary working day.
  EXPECT_TRUE(calendar.is_working_day(day(2027, 1, 1)));
  EXPECT_FALSE(calendar.is_holiday(day(2027, 1, 1)));
  EXPECT_TRUE(calendar.is_working_day(day(2024, 10, 1)));  // Tuesday, no 2024 data
  EXPECT_FALSE(calendar.is_working_day(day(2027, 1, 2)));  // Saturday
}

TEST(Calendar, WeekendsOnlyCalendar) {
  const Calendar calendar = Calendar::weekends_only();
  EXPECT_EQ(calendar.name(), "weekends");
  EXPECT_EQ(Calendar::weekends_only("plain").name(), "plain");
  EXPECT_FALSE(calendar.covers(day(2025, 6, 1)));
  EXPECT_FALSE(calendar.covers(day(1970, 1, 1)));
  EXPECT_FALSE(calendar.is_holiday(day(2025, 1, 1)));
  EXPECT_TRUE(calendar.is_working_day(day(2025, 1, 1)));    // Wednesday
  EXPECT_TRUE(calendar.is_working_day(day(2025, 10, 1)));   // Wednesday
  EXPECT_FALSE(calendar.is_working_day(day(2025, 1, 26)));  // Sunday, not made up here
  // Friday 2025-01-03 plus one working day is Monday 2025-01-06.
  EXPECT_EQ(calendar.add_working_days(day(2025, 1, 3), 1), day(2025, 1, 6));
  EXPECT_EQ(calendar.add_working_days(day(2025, 1, 6), -1), day(2025, 1, 3));
  EXPECT_EQ(calendar.working_days_between(day(2025, 1, 3), day(2025, 1, 6)), 1);
}

// 2025 National Day + Mid-Autumn: Wed 10-01 .. Wed 10-08 rest; Sun 09-28 and Sat 10-11 worked.
// September 2025: Fri 26, Sat 27 (rest), Sun 28 (worked), Mon 29, Tue 30.
// October 2025: 1..8 holiday, Thu 9, Fri 10, Sat 11 (worked), Sun 12 (rest), Mon 13.
TEST(Calendar, AddWorkingDaysAcrossNationalDay2025) {
  const Calendar calendar = cn_mainland();
  // Friday's next working day is the make-up Sunday, not Monday.
  EXPECT_EQ(calendar.add_working_days(day(2025, 9, 26), 1), day(2025, 9, 28));
  // 28 (Sun, worked), 29, 30.
  EXPECT_EQ(calendar.add_working_days(day(2025, 9, 26), 3), day(2025, 9, 30));
  // Eight holiday days are skipped: the day after Tue 09-30 is Thu 10-09.
  EXPECT_EQ(calendar.add_working_days(day(2025, 9, 30), 1), day(2025, 10, 9));
  // Counting from inside the holiday works the same.
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 1), 1), day(2025, 10, 9));
  // 9, 10, 11 (Sat, worked).
  EXPECT_EQ(calendar.add_working_days(day(2025, 9, 30), 3), day(2025, 10, 11));
  // The 4th is Monday 10-13: Sunday 10-12 is an ordinary rest day.
  EXPECT_EQ(calendar.add_working_days(day(2025, 9, 30), 4), day(2025, 10, 13));
  // Backwards: 30, 29, 28 (Sun, worked), then 26 (Sat 27 rests).
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 9), -1), day(2025, 9, 30));
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 9), -3), day(2025, 9, 28));
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 9), -4), day(2025, 9, 26));
  // Backwards from Monday 10-13: Sat 10-11 (worked), then Fri 10-10.
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 13), -1), day(2025, 10, 11));
  EXPECT_EQ(calendar.add_working_days(day(2025, 10, 13), -2), day(2025, 10, 10));
}

// 2026 Spring Festival: Sun 02-15 .. Mon 02-23 rest; Sat 02-14 and Sat 02-28 worked.
// February 2026 starts on a Sunday: Fri 13, Sat 14 (worked), 15..23 holiday, Tue 24 .. Fri 27,
// Sat 28 (worked), then Sun 03-01 (rest), Mon 03-02.
TEST(Calendar, AddWorkingDaysAcrossSpringFestival2026) {
  const Calendar calendar = cn_mainland();
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 12), 1), day(2026, 2, 13));
  // A 1-working-day licence filed on Friday 02-13 is due on the make-up Saturday.
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 13), 1), day(2026, 2, 14));
  // Filed on that Saturday, it is due on Tuesday 02-24, after nine days of holiday.
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 14), 1), day(2026, 2, 24));
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 12), 3), day(2026, 2, 24));
  // 25, 26, 27, 28 (Sat, worked); the 5th is Monday 03-02.
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 24), 4), day(2026, 2, 28));
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 24), 5), day(2026, 3, 2));
  // 14, 24, 25, 26, 27, 28, 03-02.
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 13), 7), day(2026, 3, 2));
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 24), -1), day(2026, 2, 14));
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 24), -2), day(2026, 2, 13));
  EXPECT_EQ(calendar.add_working_days(day(2026, 3, 2), -1), day(2026, 2, 28));
  EXPECT_EQ(calendar.add_working_days(day(2026, 3, 2), -7), day(2026, 2, 13));
}

TEST(Calendar, AddZeroWorkingDaysReturnsTheSameDay) {
  const Calendar calendar = cn_mainland();
  // Even when that day is a holiday or a weekend.
  EXPECT_EQ(calendar.add_working_days(day(2026, 2, 17), 0), day(2026, 2, 17));
  EXPECT_EQ(calendar.add_working_days(day(2025, 3, 8), 0), day(2025, 3, 8));
}

TEST(Calendar, AddWorkingDaysAcrossYearEnds) {
  const Calendar calendar = cn_mainland();
  // Wed 2025-12-31, then 2026-01-01..03 holiday and Sun 01-04 worked.
  EXPECT_EQ(calendar.add_working_days(day(2025, 12, 31), 1), day(2026, 1, 4));
  EXPECT_EQ(calendar.add_working_days(day(2026, 1, 4), -1), day(2025, 12, 31));
  // Tue 2024-12-31 (no 2024 data), Wed 2025-01-01 holiday, Thu 01-02.
  EXPECT_EQ(calendar.add_working_days(day(2024, 12, 31), 1), day(2025, 1, 2));
  // Thu 2026-12-31, then Fri 2027-01-01 is a working day: 2027 is not covered.
  EXPECT_EQ(calendar.add_working_days(day(2026, 12, 31), 1), day(2027, 1, 1));
}

TEST(Calendar, WorkingDaysBetween) {
  const Calendar calendar = cn_mainland();
  EXPECT_EQ(calendar.working_days_between(day(2025, 9, 30), day(2025, 9, 30)), 0);
  EXPECT_EQ(calendar.working_days_between(day(2025, 10, 3), day(2025, 10, 3)), 0);
  // (09-30, 10-09]: only 10-09 works.
  EXPECT_EQ(calendar.working_days_between(day(2025, 9, 30), day(2025, 10, 9)), 1);
  EXPECT_EQ(calendar.working_days_between(day(2025, 10, 9), day(2025, 9, 30)), -1);
  // (Fri 09-26, Mon 10-13]: 28, 29, 30, 9, 10, 11, 13.
  EXPECT_EQ(calendar.working_days_between(day(2025, 9, 26), day(2025, 10, 13)), 7);
  EXPECT_EQ(calendar.working_days_between(day(2025, 10, 13), day(2025, 9, 26)), -7);
  // Inside one holiday block nothing works.
  EXPECT_EQ(calendar.working_days_between(day(2026, 2, 15), day(2026, 2, 23)), 0);
  EXPECT_EQ(calendar.working_days_between(day(2026, 2, 23), day(2026, 2, 15)), 0);
  // A plain weekend: (Sat, Sun] holds nothing.
  EXPECT_EQ(calendar.working_days_between(day(2025, 3, 8), day(2025, 3, 9)), 0);
}

TEST(Calendar, WorkingDaysBetweenAcrossYearEndsAndOutsideCoveredYears) {
  const Calendar calendar = cn_mainland();
  // (Wed 2025-12-31, Mon 2026-01-05]: 01-04 (Sun, worked) and 01-05.
  EXPECT_EQ(calendar.working_days_between(day(2025, 12, 31), day(2026, 1, 5)), 2);
  // (Tue 2024-12-31, Fri 2025-01-03]: 01-01 rests, 02 and 03 work.
  EXPECT_EQ(calendar.working_days_between(day(2024, 12, 31), day(2025, 1, 3)), 2);
  // (Thu 2026-12-31, Fri 2027-01-08]: no 2027 data, so Fri 01-01 and Mon..Fri 01-04..08.
  EXPECT_EQ(calendar.working_days_between(day(2026, 12, 31), day(2027, 1, 8)), 6);
  EXPECT_EQ(calendar.working_days_between(day(2027, 1, 8), day(2026, 12, 31)), -6);
  // Whole years, see TableAgreesWithTheNotices: 248 each.
  EXPECT_EQ(calendar.working_days_between(day(2024, 12, 31), day(2025, 12, 31)), 248);
  EXPECT_EQ(calendar.working_days_between(day(2025, 12, 31), day(2026, 12, 31)), 248);
  // 2027 starts on a Friday and has 365 days: 52 weeks and one more Friday, 261 weekdays.
  EXPECT_EQ(calendar.working_days_between(day(2026, 12, 31), day(2027, 12, 31)), 261);
  // 2024 (leap, starts on Monday): 52 weeks and Mon 12-30, Tue 12-31: 262.
  EXPECT_EQ(calendar.working_days_between(day(2023, 12, 31), day(2024, 12, 31)), 262);
}

TEST(Calendar, TenThousandWorkingDays) {
  const Calendar plain = Calendar::weekends_only();
  // 10,000 working days from a Monday are exactly 2,000 weeks: the answer is a Monday.
  const Date monday = day(2025, 1, 6);
  EXPECT_EQ(plain.add_working_days(monday, 10'000), monday.plus_days(14'000));
  // Going back, [answer, monday) must hold the 10,000: again exactly 2,000 weeks.
  EXPECT_EQ(plain.add_working_days(monday, -10'000), monday.plus_days(-14'000));
  EXPECT_EQ(plain.working_days_between(monday, monday.plus_days(14'000)), 10'000);

  // With the official data: a span covering 2025 and 2026 loses what those years lose
  // against plain weeks (2 * 261 - 2 * 248 = 26 days).
  const Calendar calendar = cn_mainland();
  const Date start = day(2024, 6, 3);
  const Date end = calendar.add_working_days(start, 10'000);
  EXPECT_EQ(calendar.working_days_between(start, end), 10'000);
  EXPECT_EQ(plain.working_days_between(start, end), 10'026);
  EXPECT_EQ(calendar.add_working_days(end, -10'000), start);
}

TEST(Calendar, ExtremeCountsSaturateInsteadOfOverflowing) {
  const Calendar calendar = cn_mainland();
  constexpr int kMax = std::numeric_limits<int>::max();
  constexpr int kMin = std::numeric_limits<int>::min();
  const Date first(std::numeric_limits<std::int32_t>::min());
  const Date last(std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(calendar.add_working_days(day(2025, 1, 1), kMax), last);
  EXPECT_EQ(calendar.add_working_days(day(2025, 1, 1), kMin), first);
  EXPECT_EQ(calendar.working_days_between(first, last), kMax);
  EXPECT_EQ(calendar.working_days_between(last, first), -kMax);
  // About 1.5 billion working days fit in an int: no saturation there.
  const Date epoch(0);
  EXPECT_EQ(calendar.working_days_between(epoch, calendar.add_working_days(epoch, 1'500'000'000)),
            1'500'000'000);
}

TEST(Calendar, ContradictoryListingsRestAndWeekdayMakeUpsChangeNothing) {
  // 2025-03-08 is a Saturday listed both ways; 2025-03-12 is a Wednesday "made up".
  const Calendar calendar("odd", {{day(2025, 3, 8), "x"}}, {day(2025, 3, 8), day(2025, 3, 12)},
                          2025, 2025);
  EXPECT_FALSE(calendar.is_working_day(day(2025, 3, 8)));
  EXPECT_TRUE(calendar.is_working_day(day(2025, 3, 12)));
  // (Fri 03-07, Fri 03-14]: Mon..Fri 10..14.
  EXPECT_EQ(calendar.working_days_between(day(2025, 3, 7), day(2025, 3, 14)), 5);
  EXPECT_EQ(calendar.add_working_days(day(2025, 3, 7), 1), day(2025, 3, 10));
}

// Random dates within a few years either side of the covered ones, so spans start and end
// inside and outside the data. Fixed seeds keep failures reproducible.
Date random_date(std::mt19937& random, Date low, Date high) {
  std::uniform_int_distribution<std::int32_t> pick(low.days_since_epoch(), high.days_since_epoch());
  return Date(pick(random));
}

TEST(CalendarProperty, FastCountsMatchTheDayByDayDefinition) {
  const Calendar calendar = cn_mainland();
  std::mt19937 random(20251104);
  for (int i = 0; i < 2000; ++i) {
    const Date a = random_date(random, day(2022, 1, 1), day(2029, 12, 31));
    const Date b = random_date(random, day(2022, 1, 1), day(2029, 12, 31));
    ASSERT_EQ(calendar.working_days_between(a, b), naive_working_days_between(calendar, a, b))
        << a.to_string() << " .. " << b.to_string();
  }
}

TEST(CalendarProperty, FastAddMatchesTheDayByDayDefinition) {
  const Calendar calendar = cn_mainland();
  std::mt19937 random(20241112);
  std::uniform_int_distribution<int> count(-800, 800);
  for (int i = 0; i < 2000; ++i) {
    const Date from = random_date(random, day(2023, 1, 1), day(2028, 12, 31));
    const int n = count(random);
    ASSERT_EQ(calendar.add_working_days(from, n), naive_add_working_days(calendar, from, n))
        << from.to_string() << " + " << n;
  }
}

// Calendars with random listings, including weekday make-ups, weekend holidays and dates
// listed both ways, must still agree with the definition.
TEST(CalendarProperty, RandomCalendarsMatchTheDayByDayDefinition) {
  std::mt19937 random(7);
  const Date low = day(2025, 1, 1);
  const Date high = day(2025, 12, 31);
  for (int round = 0; round < 50; ++round) {
    std::vector<Holiday> holidays;
    std::vector<Date> make_up;
    for (int i = 0; i < 40; ++i)
      holidays.push_back({random_date(random, low, high), "h"});
    for (int i = 0; i < 40; ++i)
      make_up.push_back(random_date(random, low, high));
    const Calendar calendar("random", std::move(holidays), std::move(make_up), 2025, 2025);
    std::uniform_int_distribution<int> count(-300, 300);
    for (int i = 0; i < 100; ++i) {
      const Date a = random_date(random, day(2024, 6, 1), day(2026, 6, 30));
      const Date b = random_date(random, day(2024, 6, 1), day(2026, 6, 30));
      ASSERT_EQ(calendar.working_days_between(a, b), naive_working_days_between(calendar, a, b))
          << a.to_string() << " .. " << b.to_string();
      const int n = count(random);
      ASSERT_EQ(calendar.add_working_days(a, n), naive_add_working_days(calendar, a, n))
          << a.to_string() << " + " << n;
    }
  }
}

// Counting the days added gives back the count. For n < 0 this needs a working day to start
// from: the n-th working day before a rest day r is counted from r's previous working day.
TEST(CalendarProperty, WorkingDaysBetweenInvertsAddWorkingDays) {
  const Calendar calendar = cn_mainland();
  std::mt19937 random(248);
  std::uniform_int_distribution<int> count(-20'000, 20'000);
  for (int i = 0; i < 5000; ++i) {
    const Date from = random_date(random, day(1990, 1, 1), day(2060, 12, 31));
    const int n = count(random);
    const Date to = calendar.add_working_days(from, n);
    EXPECT_TRUE(n == 0 || calendar.is_working_day(to)) << from.to_string() << " + " << n;
    if (n >= 0 || calendar.is_working_day(from)) {
      ASSERT_EQ(calendar.working_days_between(from, to), n) << from.to_string() << " + " << n;
    } else {
      // From a rest day, (to, from] holds one working day fewer than [to, from).
      ASSERT_EQ(calendar.working_days_between(from, to), n + 1) << from.to_string() << " + " << n;
    }
  }
}

}  // namespace
}  // namespace investflow::engine
