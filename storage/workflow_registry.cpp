#include "storage/workflow_registry.hpp"

#include <mutex>

namespace investflow::storage {

void WorkflowRegistry::add(std::shared_ptr<const engine::Workflow> workflow) {
  std::unique_lock lock(mutex_);
  Key key{workflow->id, workflow->version};
  workflows_.insert_or_assign(std::move(key), std::move(workflow));
}

std::shared_ptr<const engine::Workflow> WorkflowRegistry::find(std::string_view id,
                                                               std::int64_t version) const {
  std::shared_lock lock(mutex_);
  if (version > 0) {
    auto found = workflows_.find(Key{std::string(id), version});
    return found == workflows_.end() ? nullptr : found->second;
  }
  // The last key with this id is its highest version.
  auto after = workflows_.lower_bound(Key{std::string(id) + '\0', 0});
  if (after == workflows_.begin()) return nullptr;
  --after;
  return after->first.first == id ? after->second : nullptr;
}

int WorkflowRegistry::use_calendar(const std::shared_ptr<const engine::Calendar>& calendar) {
  std::unique_lock lock(mutex_);
  int replaced = 0;
  for (auto& [key, workflow] : workflows_) {
    if (workflow->calendar_name != calendar->name() || workflow->calendar == calendar) continue;
    engine::WorkflowDefinition definition = *workflow;
    definition.calendar = calendar;
    workflow = engine::Workflow::make(std::move(definition));
    ++replaced;
  }
  return replaced;
}

std::vector<std::shared_ptr<const engine::Calendar>> WorkflowRegistry::calendars() const {
  std::shared_lock lock(mutex_);
  std::map<std::string_view, std::shared_ptr<const engine::Calendar>> by_name;
  for (const auto& entry : workflows_) {
    const auto& calendar = entry.second->calendar;
    if (calendar) by_name.emplace(calendar->name(), calendar);
  }
  std::vector<std::shared_ptr<const engine::Calendar>> out;
  for (auto& entry : by_name)
    out.push_back(std::move(entry.second));
  return out;
}

bool WorkflowRegistry::contains(std::string_view id, std::int64_t version) const {
  return find(id, version) != nullptr;
}

std::vector<std::shared_ptr<const engine::Workflow>> WorkflowRegistry::all() const {
  const std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const engine::Workflow>> every;
  every.reserve(workflows_.size());
  for (const auto& [key, workflow] : workflows_)
    every.push_back(workflow);
  return every;
}

}  // namespace investflow::storage
