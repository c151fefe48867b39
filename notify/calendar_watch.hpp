#pragma once
// The calendars' runway. Official holidays are published a year at a time, so a calendar
// file holds a few years of data and then runs out; past it, working days are counted on
// weekends alone and the engine marks such deadlines estimated. The watch:
//   - takes calendars deployed into the database (`investflow calendar deploy`) into the
//     running server within one tick: the workflows naming them decide with them from then
//     on, and deadlines already stored stay as they are;
//   - tells every admin once, in the inbox, when a calendar in use has `warn_days` or fewer
//     days of data left;
//   - answers /healthz with each calendar's last day of data.
//
//   CalendarWatch watch(store, notify_store, clock);
//   watch.start();             // a pass now, then one every tick
//   watch.runway(today);       // for /healthz

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/date.hpp"
#include "notify/notify_store.hpp"
#include "notify/ticker.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/store.hpp"

namespace investflow::notify {

struct CalendarWatchOptions {
  std::chrono::milliseconds tick{std::chrono::seconds(5)};
  int warn_days = 90;  // warn when a calendar's data end within this many days
};

// One calendar in use: the last day of its official data and what to say about it.
struct CalendarRunway {
  std::string name;
  std::optional<engine::Date> ends;  // none: a calendar without official data (weekends)
  int days_left = 0;                 // from today to `ends`; negative once past it
  bool warning = false;              // within warn_days, or past
  std::string message_zh;            // when warning
  std::string message_en;
};

struct CalendarPass {
  int deployed = 0;  // deployed calendars taken into use
  int refused = 0;   // deployed texts that do not load (logged), or cover less than in use
  int notified = 0;  // admins told of a calendar running out
  bool failed = false;
};

class CalendarWatch {
 public:
  CalendarWatch(storage::Store& store, std::shared_ptr<NotifyStore> notify_store,
                std::shared_ptr<const engine::Clock> clock, CalendarWatchOptions options = {});
  ~CalendarWatch();  // stop()
  CalendarWatch(const CalendarWatch&) = delete;
  CalendarWatch& operator=(const CalendarWatch&) = delete;

  void start() { ticker_.start(); }  // a pass now, then one every tick
  void stop() { ticker_.stop(); }
  CalendarPass run_once();  // take_deployed(), then tell the admins what runs out
  // Takes the calendars deployed since the last pass into use; logs only what went wrong
  // (so that a server can call it before it starts serving).
  storage::TakenCalendars take_deployed();

  std::vector<CalendarRunway> runway(engine::Date today) const;

 private:
  storage::Store& store_;
  std::shared_ptr<NotifyStore> notify_store_;
  std::shared_ptr<const engine::Clock> clock_;
  const CalendarWatchOptions options_;
  std::map<std::string, std::string> taken_;  // deployed calendar -> source hash seen (run_once)
  Ticker ticker_;                             // last: its thread uses the members above
};

}  // namespace investflow::notify
