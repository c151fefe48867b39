#pragma once
// The deadline scheduler: fires sla_warning, sla_overdue, milestone_warning,
// milestone_overdue and followup_due as events through the store's normal write path, as the
// `system` actor.
//
// Each pass lists the projects with an open deadline whose last alert has not fired within
// the warning horizon (the projection's next_alert_on column) and submits
// engine::deadlines_to_fire for each. The engine remembers what fired in the project
// itself, so every alert fires exactly once: a repeat (two passes racing, a restart) is
// rejected as nothing_to_do. A server that was down over a deadline fires it on its first
// pass.

#include <chrono>
#include <functional>
#include <memory>

#include "engine/date.hpp"
#include "notify/ticker.hpp"
#include "storage/store.hpp"

namespace investflow::notify {

struct SchedulerOptions {
  std::chrono::milliseconds tick{std::chrono::seconds(30)};
  // Warnings come at most this many calendar days ahead of a deadline (SLAs warn a few
  // working days ahead; this only bounds the scan).
  int horizon_days = 31;
  int max_fires_per_pass = 1000;  // a large backlog is worked off over several passes
  // Whether this server's passes run now (several servers on one PostgreSQL database: the
  // one holding the duty lease, storage/pg_lease.hpp); empty: always.
  std::function<bool()> on_duty;
};

struct SchedulerPass {
  int looked_at = 0;  // projects listed and read (those with an alert still to raise)
  int fired = 0;      // alerts accepted
  int repeated = 0;   // alerts the engine refused as already fired or no longer due
  int failed = 0;     // storage failures (retried next pass)
};

class Scheduler {
 public:
  Scheduler(storage::Store& store, std::shared_ptr<const engine::Clock> clock,
            SchedulerOptions options = {});
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start() { ticker_.start(); }  // a pass now, then one every tick
  void stop() { ticker_.stop(); }

  // One pass, blocking until its writes are durable.
  SchedulerPass run_once();

 private:
  storage::Store& store_;
  std::shared_ptr<const engine::Clock> clock_;
  const SchedulerOptions options_;
  Ticker ticker_;  // last: its thread uses the members above
};

// The actor the scheduler writes as.
engine::Actor scheduler_actor();

}  // namespace investflow::notify
