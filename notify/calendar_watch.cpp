#include "notify/calendar_watch.hpp"

#include <spdlog/spdlog.h>

#include "storage/deployed_calendars.hpp"

namespace investflow::notify {
namespace {

constexpr std::string_view kNoticeType = "calendar_ends";

// "cn-mainland: official data end 2026-12-31 (29 days)", in both languages.
void describe(CalendarRunway& runway) {
  const std::string ends = runway.ends->to_string();
  if (runway.days_left >= 0) {
    runway.message_zh = "工作日历" + runway.name + "的官方数据截至" + ends + "（还剩" +
                        std::to_string(runway.days_left) +
                        "天）；此后的期限只按周末估算，请部署新一年的日历（investflow calendar "
                        "deploy）";
    runway.message_en = "calendar " + runway.name + " has official data until " + ends + " (" +
                        std::to_string(runway.days_left) +
                        " days left); deadlines past it are estimated on weekends alone: deploy "
                        "the next year's calendar (investflow calendar deploy)";
  } else {
    runway.message_zh = "工作日历" + runway.name + "的官方数据已于" + ends +
                        "结束；新计算的期限只按周末估算，请部署新一年的日历（investflow "
                        "calendar deploy）";
    runway.message_en = "calendar " + runway.name + " ran out of official data on " + ends +
                        "; new deadlines are estimated on weekends alone: deploy the next "
                        "year's calendar (investflow calendar deploy)";
  }
}

}  // namespace

CalendarWatch::CalendarWatch(storage::Store& store, std::shared_ptr<NotifyStore> notify_store,
                             std::shared_ptr<const engine::Clock> clock,
                             CalendarWatchOptions options)
    : store_(store),
      notify_store_(std::move(notify_store)),
      clock_(std::move(clock)),
      options_(options),
      ticker_(options_.tick, [this] { run_once(); }) {
}

CalendarWatch::~CalendarWatch() {
  stop();
}

CalendarPass CalendarWatch::run_once() {
  CalendarPass pass;
  const storage::TakenCalendars taken = take_deployed();
  pass.deployed = taken.taken;
  pass.refused = taken.refused;
  if (taken.taken > 0) spdlog::info("calendars: {} deployed calendars taken into use", taken.taken);
  // Admins are told once per calendar and year of data.
  const engine::Date today = engine::local_date(clock_->now());
  std::vector<std::string> admins;
  bool admins_read = false;
  for (const CalendarRunway& runway : runway(today)) {
    if (!runway.warning) continue;
    if (!admins_read) {
      auto users = notify_store_->users_with_role("admin");
      if (!users) {
        spdlog::error("calendars: listing admins failed: {}", users.error().message);
        pass.failed = true;
        break;
      }
      admins = std::move(*users);
      admins_read = true;
    }
    const std::string key =
        std::string(kNoticeType) + ":" + runway.name + ":" + runway.ends->to_string();
    auto told = notify_store_->post_notice(admins, key, std::string(kNoticeType), runway.message_zh,
                                           runway.message_en, clock_->now());
    if (!told) {
      spdlog::error("calendars: posting the notice failed: {}", told.error().message);
      pass.failed = true;
      continue;
    }
    pass.notified += static_cast<int>(told->size());
    if (!told->empty()) spdlog::warn("calendars: {}", runway.message_en);
  }
  return pass;
}

storage::TakenCalendars CalendarWatch::take_deployed() {
  storage::TakenCalendars taken = storage::take_deployed_calendars(store_, taken_);
  for (const std::string& problem : taken.problems)
    spdlog::error("calendars: {}", problem);
  return taken;
}

std::vector<CalendarRunway> CalendarWatch::runway(engine::Date today) const {
  std::vector<CalendarRunway> out;
  for (const auto& calendar : store_.calendars_in_use()) {
    CalendarRunway runway;
    runway.name = calendar->name();
    runway.ends = calendar->data_ends();
    if (runway.ends) {
      runway.days_left =
          static_cast<int>(runway.ends->days_since_epoch() - today.days_since_epoch());
      runway.warning = runway.days_left <= options_.warn_days;
      if (runway.warning) describe(runway);
    }
    out.push_back(std::move(runway));
  }
  return out;
}

}  // namespace investflow::notify
