#pragma once
// Working-day arithmetic on an official calendar: weekends are rest days, except make-up
// working days (调休) the notice names, and public holidays are rest days even on weekdays.
// The data come from workflows/calendars/*.yaml; the arithmetic is pure.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/date.hpp"

namespace investflow::engine {

struct Holiday {
  Date date;
  std::string name;  // e.g. 春节 / Spring Festival
};

class Calendar {
 public:
  // `first_year`..`last_year` are the years the official data cover; outside them only
  // weekends are rest days (and `covers` says so, so callers can warn).
  Calendar(std::string name, std::vector<Holiday> holidays, std::vector<Date> make_up_working_days,
           int first_year, int last_year);
  // Weekends only; for tests and workflows that name no calendar.
  static Calendar weekends_only(std::string name = "weekends");

  const std::string& name() const { return name_; }
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  bool covers(Date date) const;
  // The last day of official data (31 December of last_year); nullopt for a calendar with
  // none (weekends_only).
  std::optional<Date> data_ends() const;
  // Whether counting working days from `from` to `to` leaves the official data, so the
  // count is an estimate (weekends only past the data). Never for a calendar without data.
  bool estimates(Date from, Date to) const;

  bool is_working_day(Date date) const;
  bool is_holiday(Date date) const;
  bool is_make_up_working_day(Date date) const;
  // The holiday's name, or empty.
  std::string holiday_name(Date date) const;

  // The n-th working day strictly after `from` (n >= 1). n == 0 returns `from`;
  // n < 0 counts backwards (the n-th working day strictly before `from`).
  Date add_working_days(Date from, int n) const;
  // Working days d with a < d <= b; negative (-count of b < d <= a) when b < a.
  int working_days_between(Date a, Date b) const;

 private:
  // Working days through `day`, up to a constant: weekdays plus the corrections of the
  // listed dates up to `day`. Counting is a difference of two of these.
  std::int64_t working_days_through(std::int64_t day) const;

  std::string name_;
  std::map<Date, std::string> holidays_;
  std::set<Date> make_up_working_days_;
  // The listed dates that change a plain Monday-to-Friday count (a holiday on a weekday: -1,
  // a make-up day on a weekend: +1), in order, with the running sum of those changes.
  std::vector<std::int32_t> correction_days_;
  std::vector<std::int32_t> corrections_through_;
  int first_year_;
  int last_year_;
};

}  // namespace investflow::engine
