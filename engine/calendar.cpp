#include "engine/calendar.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace investflow::engine {
namespace {

// Day numbers are widened to 64 bits inside this file so that spans between any two Dates,
// and searches that run past the last representable Date, cannot overflow.
using DayNumber = std::int64_t;

constexpr DayNumber kFirstDay = std::numeric_limits<std::int32_t>::min();
constexpr DayNumber kLastDay = std::numeric_limits<std::int32_t>::max();

DayNumber day_number(Date date) {
  return date.days_since_epoch();
}

Date saturated_date(DayNumber day) {
  return Date(static_cast<std::int32_t>(std::clamp(day, kFirstDay, kLastDay)));
}

// Saturates at INT_MAX so that a reversed span is always exactly the negation.
int saturated_count(std::int64_t count) {
  constexpr std::int64_t kMax = std::numeric_limits<int>::max();
  return static_cast<int>(std::min(count, kMax));
}

DayNumber floor_div(DayNumber numerator, DayNumber denominator) {
  const DayNumber quotient = numerator / denominator;
  const bool rounded_up = (numerator % denominator != 0) && ((numerator < 0) != (denominator < 0));
  return rounded_up ? quotient - 1 : quotient;
}

// Monday to Friday among the days before `day`, counted from Monday 1969-12-29 (day -3;
// 1970-01-01 was a Thursday). Only differences are used, so it may be negative.
DayNumber weekdays_before(DayNumber day) {
  const DayNumber since_monday = day + 3;
  const DayNumber weeks = floor_div(since_monday, 7);
  const DayNumber into_week = since_monday - weeks * 7;  // 0 = Monday ... 6 = Sunday
  return weeks * 5 + std::min<DayNumber>(into_week, 5);
}

// 0 = Monday ... 6 = Sunday.
int weekday_of(DayNumber day) {
  const DayNumber since_monday = day + 3;
  return static_cast<int>(since_monday - floor_div(since_monday, 7) * 7);
}

// How far to search to be sure of `wanted` working days: every 7 consecutive days hold
// 5 weekdays, and each listed correction removes at most one of them.
DayNumber search_span(std::int64_t wanted, std::size_t corrections) {
  const std::int64_t weekdays_needed = wanted + static_cast<std::int64_t>(corrections);
  return 7 * ((weekdays_needed + 4) / 5);
}

// The `wanted`-th working day after `start`, given `through(day)`, the running count of
// working days (Calendar::working_days_through). The count only grows with the day, so a
// binary search needs about log2(span) counts, not a walk.
template <typename Through>
DayNumber nth_working_day_after(const Through& through, DayNumber span, DayNumber start,
                                std::int64_t wanted) {
  const std::int64_t target = through(start) + wanted;
  DayNumber short_of = start;
  DayNumber enough = std::min(start + span, kLastDay);
  if (through(enough) < target) return kLastDay;  // beyond the last representable Date
  while (enough - short_of > 1) {
    const DayNumber middle = short_of + (enough - short_of) / 2;
    (through(middle) >= target ? enough : short_of) = middle;
  }
  return enough;
}

// The `wanted`-th working day before `start`: the latest day with `wanted` working days
// in [day, start).
template <typename Through>
DayNumber nth_working_day_before(const Through& through, DayNumber span, DayNumber start,
                                 std::int64_t wanted) {
  const std::int64_t target = through(start - 1) - wanted;  // reached: through(day - 1) <= it
  DayNumber short_of = start;
  DayNumber enough = std::max(start - span, kFirstDay);
  if (through(enough - 1) > target) return kFirstDay;  // before the first representable Date
  while (short_of - enough > 1) {
    const DayNumber middle = enough + (short_of - enough) / 2;
    (through(middle - 1) <= target ? enough : short_of) = middle;
  }
  return enough;
}

}  // namespace

Calendar::Calendar(std::string name, std::vector<Holiday> holidays,
                   std::vector<Date> make_up_working_days, int first_year, int last_year)
    : name_(std::move(name)),
      make_up_working_days_(make_up_working_days.begin(), make_up_working_days.end()),
      first_year_(first_year),
      last_year_(last_year) {
  for (Holiday& holiday : holidays) {
    holidays_.emplace(holiday.date,
                      std::move(holiday.name));  // a repeated date keeps its first name
  }
  // Both sets are in date order; merge them into the running corrections.
  std::set<Date> listed(make_up_working_days_.begin(), make_up_working_days_.end());
  for (const auto& holiday : holidays_)
    listed.insert(holiday.first);
  std::int32_t running = 0;
  for (const Date date : listed) {
    int change = 0;
    if (holidays_.contains(date)) {
      change = date.is_weekend() ? 0 : -1;  // a holiday that is also a make-up day rests
    } else if (date.is_weekend()) {
      change = 1;  // a make-up working day
    }
    if (change == 0) continue;
    running += change;
    correction_days_.push_back(date.days_since_epoch());
    corrections_through_.push_back(running);
  }
}

std::int64_t Calendar::working_days_through(std::int64_t day) const {
  const auto after = std::upper_bound(correction_days_.begin(), correction_days_.end(), day);
  const std::int64_t correction =
      after == correction_days_.begin()
          ? 0
          : corrections_through_[static_cast<std::size_t>(after - correction_days_.begin() - 1)];
  return weekdays_before(day + 1) + correction;
}

Calendar Calendar::weekends_only(std::string name) {
  // first_year > last_year: no year is covered, so `covers` is false for every date.
  return Calendar(std::move(name), {}, {}, 0, -1);
}

bool Calendar::covers(Date date) const {
  const int year = date.year();
  return first_year_ <= year && year <= last_year_;
}

std::optional<Date> Calendar::data_ends() const {
  if (first_year_ > last_year_) return std::nullopt;
  return Date::from_ymd(last_year_, 12, 31);  // nullopt only for an absurd year
}

bool Calendar::estimates(Date from, Date to) const {
  if (first_year_ > last_year_) return false;
  return !covers(from) || !covers(to);
}

bool Calendar::is_holiday(Date date) const {
  return holidays_.contains(date);
}

bool Calendar::is_make_up_working_day(Date date) const {
  return make_up_working_days_.contains(date);
}

// A date listed both as holiday and as make-up day is a rest day: resting is the safer
// reading of contradictory data.
bool Calendar::is_working_day(Date date) const {
  if (is_holiday(date)) return false;
  if (is_make_up_working_day(date)) return true;
  return !date.is_weekend();
}

std::string Calendar::holiday_name(Date date) const {
  const auto found = holidays_.find(date);
  return found == holidays_.end() ? std::string() : found->second;
}

// Spans longer than INT_MAX working days (about 8 million years) saturate, keeping
// working_days_between(b, a) == -working_days_between(a, b).
int Calendar::working_days_between(Date a, Date b) const {
  const std::int64_t count =
      working_days_through(day_number(b)) - working_days_through(day_number(a));
  return count < 0 ? -saturated_count(-count) : saturated_count(count);
}

Date Calendar::add_working_days(Date from, int n) const {
  if (n == 0) return from;
  const std::int64_t wanted = n > 0 ? std::int64_t{n} : -std::int64_t{n};
  const DayNumber span = search_span(wanted, correction_days_.size());
  const DayNumber start = day_number(from);
  // Deadlines are mostly a few working days away (SLAs): stepping day by day, flipping the
  // weekday rule on the listed corrections met on the way, beats the search below.
  constexpr int kStepLimit = 20;
  if (n > 0 && n <= kStepLimit && start + span < kLastDay) {
    auto correction = std::upper_bound(correction_days_.begin(), correction_days_.end(), start);
    DayNumber day = start;
    int weekday = weekday_of(day);
    for (int left = n; left > 0;) {
      ++day;
      weekday = weekday == 6 ? 0 : weekday + 1;
      bool working = weekday < 5;
      if (correction != correction_days_.end() && *correction == day) {
        working = !working;
        ++correction;
      }
      left -= working ? 1 : 0;
    }
    return Date(static_cast<std::int32_t>(day));
  }
  const auto through = [this](DayNumber day) { return working_days_through(day); };
  const DayNumber found = n > 0 ? nth_working_day_after(through, span, start, wanted)
                                : nth_working_day_before(through, span, start, wanted);
  return saturated_date(found);
}

}  // namespace investflow::engine
