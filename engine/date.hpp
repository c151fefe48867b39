#pragma once
// Calendar dates and instants. A Date is a civil day (proleptic Gregorian), counted from
// 1970-01-01; a Timestamp is milliseconds since the Unix epoch (UTC). The zone runs on
// China Standard Time (UTC+8, no daylight saving), which is what `local_date` assumes
// unless told otherwise.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace investflow::engine {

struct YearMonthDay {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(std::int32_t days_since_epoch) : days_(days_since_epoch) {}

  // Returns nullopt for impossible dates such as 2026-02-30.
  static std::optional<Date> from_ymd(int year, int month, int day);
  // Accepts exactly YYYY-MM-DD.
  static std::optional<Date> parse(std::string_view text);

  constexpr std::int32_t days_since_epoch() const { return days_; }
  YearMonthDay ymd() const;
  int year() const { return ymd().year; }
  // ISO weekday: 1 = Monday ... 7 = Sunday.
  int iso_weekday() const;
  bool is_weekend() const { return iso_weekday() >= 6; }

  Date plus_days(int days) const { return Date(days_ + days); }
  // Same day of the month `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28).
  Date plus_months(int months) const;

  std::string to_string() const;  // YYYY-MM-DD

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  std::int32_t days_ = 0;
};

inline int days_between(Date from, Date to) {
  return to.days_since_epoch() - from.days_since_epoch();
}

using Timestamp = std::int64_t;  // milliseconds since the Unix epoch, UTC

inline constexpr int kChinaUtcOffsetMinutes = 8 * 60;

Date local_date(Timestamp at, int utc_offset_minutes = kChinaUtcOffsetMinutes);
// The instant local midnight starts `date` in the given offset.
Timestamp start_of_day(Date date, int utc_offset_minutes = kChinaUtcOffsetMinutes);
// RFC 3339 with the offset, e.g. 2026-02-10T09:30:00.000+08:00.
std::string format_timestamp(Timestamp at, int utc_offset_minutes = kChinaUtcOffsetMinutes);
// Accepts RFC 3339 (with Z or an offset) and plain YYYY-MM-DD (local midnight).
std::optional<Timestamp> parse_timestamp(std::string_view text,
                                         int utc_offset_minutes = kChinaUtcOffsetMinutes);

// The source of "now". Injected everywhere so that tests and simulations never sleep.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp now) : now_(now) {}
  Timestamp now() const override { return now_; }
  void set(Timestamp now) { now_ = now; }
  void advance_ms(Timestamp delta) { now_ += delta; }

 private:
  Timestamp now_;
};

}  // namespace investflow::engine
