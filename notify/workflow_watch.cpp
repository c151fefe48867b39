#include "notify/workflow_watch.hpp"

#include <spdlog/spdlog.h>

namespace investflow::notify {

WorkflowWatch::WorkflowWatch(storage::Store& store, workflows::CalendarRegistry calendars,
                             std::chrono::milliseconds tick)
    : store_(store), calendars_(std::move(calendars)), ticker_(tick, [this] { run_once(); }) {
}

WorkflowWatch::~WorkflowWatch() {
  stop();
}

storage::TakenWorkflows WorkflowWatch::run_once() {
  storage::TakenWorkflows taken = storage::take_deployed_workflows(store_, calendars_, failed_);
  for (const auto& [id, version] : taken.taken) {
    const auto newest = store_.workflow(id);
    if (newest && newest->version == version) {
      spdlog::info("workflows: took {} v{} from the database; new projects start on it", id,
                   version);
    } else {
      spdlog::info("workflows: took {} v{} from the database (v{} stays the newest)", id, version,
                   newest ? newest->version : version);
    }
  }
  for (const std::string& problem : taken.problems)
    spdlog::error("workflows: a deployed version does not load, skipped: {}", problem);
  return taken;
}

}  // namespace investflow::notify
