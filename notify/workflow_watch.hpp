#pragma once
// Takes workflow versions deployed into the database (`investflow workflow deploy` from
// another process) into the running server within one tick: new projects start on the
// newest version, existing projects keep theirs. Logs each version it takes.
//
//   WorkflowWatch watch(store, calendars);
//   watch.start();  // a pass now, then one every tick

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "notify/ticker.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/store.hpp"
#include "workflows/loader.hpp"

namespace investflow::notify {

class WorkflowWatch {
 public:
  // `calendars`: those deployed workflows may name besides the calendars in use.
  WorkflowWatch(storage::Store& store, workflows::CalendarRegistry calendars,
                std::chrono::milliseconds tick = std::chrono::seconds(2));
  ~WorkflowWatch();  // stop()
  WorkflowWatch(const WorkflowWatch&) = delete;
  WorkflowWatch& operator=(const WorkflowWatch&) = delete;

  void start() { ticker_.start(); }  // a pass now, then one every tick
  void stop() { ticker_.stop(); }
  storage::TakenWorkflows run_once();

 private:
  storage::Store& store_;
  const workflows::CalendarRegistry calendars_;
  std::set<std::pair<std::string, std::int64_t>> failed_;  // reported once (run_once only)
  Ticker ticker_;  // last: its thread uses the members above
};

}  // namespace investflow::notify
