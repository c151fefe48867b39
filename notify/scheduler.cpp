#include "notify/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <vector>

#include "engine/deadlines.hpp"

namespace investflow::notify {

engine::Actor scheduler_actor() {
  return engine::Actor{"system", {std::string(engine::kSystemRole)}};
}

Scheduler::Scheduler(storage::Store& store, std::shared_ptr<const engine::Clock> clock,
                     SchedulerOptions options)
    : store_(store), clock_(std::move(clock)), options_(options), ticker_(options_.tick, [this] {
        if (options_.on_duty && !options_.on_duty()) return;  // another server's turn
        const SchedulerPass pass = run_once();
        if (pass.fired > 0) spdlog::info("scheduler: {} deadline alerts fired", pass.fired);
      }) {
}

Scheduler::~Scheduler() {
  stop();
}

SchedulerPass Scheduler::run_once() {
  SchedulerPass pass;
  const engine::Date today = engine::local_date(clock_->now());
  storage::ProjectQuery query;
  // Projects whose deadlines have all raised their last alert are not read again
  // (next_alert_on); the most urgent first.
  query.alert_before = today.plus_days(options_.horizon_days);
  query.sort = storage::SortKey::alert;
  query.descending = false;
  query.limit = 500;
  std::vector<std::future<storage::WriteResult>> writes;
  int submitted = 0;
  while (submitted < options_.max_fires_per_pass) {
    if (ticker_.stopping()) break;
    auto page = store_.list_projects(query);
    if (!page) {
      spdlog::error("scheduler: listing projects failed: {}", page.error().message);
      ++pass.failed;
      break;
    }
    pass.looked_at += static_cast<int>(page->projects.size());
    for (const engine::Project& project : page->projects) {
      const auto workflow = store_.workflow(project.workflow, project.workflow_version);
      if (!workflow) continue;
      for (engine::FireDeadline& fire : engine::deadlines_to_fire(*workflow, project, today)) {
        storage::WriteRequest request;
        request.command.project_id = project.id;
        request.command.body = std::move(fire);
        request.actor = scheduler_actor();
        writes.push_back(store_.write(std::move(request)));
        ++submitted;
      }
    }
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  for (auto& write : writes) {
    const storage::WriteResult result = write.get();
    if (result.accepted()) {
      ++pass.fired;
    } else if (result.rejected()) {
      ++pass.repeated;
    } else {
      ++pass.failed;
      spdlog::error("scheduler: firing a deadline failed: {}", result.error);
    }
  }
  return pass;
}

}  // namespace investflow::notify
