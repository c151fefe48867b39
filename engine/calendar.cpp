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

// The first element of a sorted Date container strictly after `day`.
template <typename SortedDates>
auto first_after(const SortedDates& dates, DayNumber day) {
  if (day < kFirstDay) return dates.begin();
  if (day >= kLastDay) return dates.end();
  return dates.upper_bound(Date(static_cast<std::int32_t>(day)));
}

// The calendar's listed dates, seen as corrections to a plain Monday-to-Friday week.
class Corrections {
 public:
  Corrections(const std::map<Date, std::string>& holidays, const std::set<Date>& make_up_days)
      : holidays_(holidays), make_up_days_(make_up_days) {}

  // Working days in (after, through], after <= through: the weekdays, minus holidays on
  // weekdays, plus make-up days on weekends. Only the listed dates inside the span are
  // visited, so the cost does not grow with the length of the span.
  std::int64_t working_days(DayNumber after, DayNumber through) const {
    std::int64_t count = weekdays_before(through + 1) - weekdays_before(after + 1);
    const auto holidays_end = first_after(holidays_, through);
    for (auto it = first_after(holidays_, after); it != holidays_end; ++it) {
      if (!it->first.is_weekend()) --count;
    }
    const auto make_up_end = first_after(make_up_days_, through);
    for (auto it = first_after(make_up_days_, after); it != make_up_end; ++it) {
      if (it->is_weekend() && !holidays_.contains(*it)) ++count;
    }
    return count;
  }

  // How far to search to be sure of `wanted` working days: every 7 consecutive days hold
  // 5 weekdays, and each listed holiday removes at most one of them.
  DayNumber search_span(std::int64_t wanted) const {
    const std::int64_t weekdays_needed = wanted + static_cast<std::int64_t>(holidays_.size());
    return 7 * ((weekdays_needed + 4) / 5);
  }

 private:
  const std::map<Date, std::string>& holidays_;
  const std::set<Date>& make_up_days_;
};

// The `wanted`-th working day after `start`. The count of working days in (start, day] only
// grows with `day`, so a binary search needs about log2(1.4 * wanted) counts, not a walk.
DayNumber nth_working_day_after(const Corrections& corrections, DayNumber start,
                                std::int64_t wanted) {
  const auto reached = [&](DayNumber day) {
    return corrections.working_days(start, day) >= wanted;
  };
  DayNumber short_of = start;
  DayNumber enough = std::min(start + corrections.search_span(wanted), kLastDay);
  if (!reached(enough)) return kLastDay;  // beyond the last representable Date
  while (enough - short_of > 1) {
    const DayNumber middle = short_of + (enough - short_of) / 2;
    if (reached(middle)) {
      enough = middle;
    } else {
      short_of = middle;
    }
  }
  return enough;
}

// The `wanted`-th working day before `start`, by the same search on [day, start).
DayNumber nth_working_day_before(const Corrections& corrections, DayNumber start,
                                 std::int64_t wanted) {
  const auto reached = [&](DayNumber day) {
    return corrections.working_days(day - 1, start - 1) >= wanted;
  };
  DayNumber short_of = start;
  DayNumber enough = std::max(start - corrections.search_span(wanted), kFirstDay);
  if (!reached(enough)) return kFirstDay;  // before the first representable Date
  while (short_of - enough > 1) {
    const DayNumber middle = enough + (short_of - enough) / 2;
    if (reached(middle)) {
      enough = middle;
    } else {
      short_of = middle;
    }
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
}

Calendar Calendar::weekends_only(std::string name) {
  // first_year > last_year: no year is covered, so `covers` is false for every date.
  return Calendar(std::move(name), {}, {}, 0, -1);
}

bool Calendar::covers(Date date) const {
  const int year = date.year();
  return first_year_ <= year && year <= last_year_;
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
  const Corrections corrections(holidays_, make_up_working_days_);
  if (b < a) return -saturated_count(corrections.working_days(day_number(b), day_number(a)));
  return saturated_count(corrections.working_days(day_number(a), day_number(b)));
}

Date Calendar::add_working_days(Date from, int n) const {
  if (n == 0) return from;
  // Deadlines are mostly a few working days away (SLAs): stepping day by day is cheaper
  // than the counting search below, and gives the same answer.
  constexpr int kStepLimit = 20;
  if (n > 0 && n <= kStepLimit && from.days_since_epoch() < kLastDay - 7 * kStepLimit) {
    // The listed dates ahead are walked alongside the days instead of searched for each
    // day; the answer is is_working_day's.
    auto holiday = holidays_.upper_bound(from);
    auto make_up = make_up_working_days_.upper_bound(from);
    Date day = from;
    for (int left = n; left > 0;) {
      day = day.plus_days(1);
      while (holiday != holidays_.end() && holiday->first < day)
        ++holiday;
      while (make_up != make_up_working_days_.end() && *make_up < day)
        ++make_up;
      const bool rest = holiday != holidays_.end() && holiday->first == day;
      const bool make_up_day = make_up != make_up_working_days_.end() && *make_up == day;
      if (!rest && (make_up_day || !day.is_weekend())) --left;
    }
    return day;
  }
  const Corrections corrections(holidays_, make_up_working_days_);
  const std::int64_t wanted = n > 0 ? std::int64_t{n} : -std::int64_t{n};
  const DayNumber found = n > 0 ? nth_working_day_after(corrections, day_number(from), wanted)
                                : nth_working_day_before(corrections, day_number(from), wanted);
  return saturated_date(found);
}

}  // namespace investflow::engine
