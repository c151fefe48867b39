#pragma once
// The workflow definitions a store can decide commands with, by id and version. Projects
// keep the version they started on, so old versions stay registered next to new ones.

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/workflow.hpp"

namespace investflow::storage {

class WorkflowRegistry {
 public:
  void add(std::shared_ptr<const engine::Workflow> workflow);
  // version 0: the latest. Null when unknown.
  std::shared_ptr<const engine::Workflow> find(std::string_view id, std::int64_t version = 0) const;
  bool contains(std::string_view id, std::int64_t version) const;
  // Every registered version, by id and version.
  std::vector<std::shared_ptr<const engine::Workflow>> all() const;

  // Every registered version that names calendar->name() decides with `calendar` from now
  // on (commands deciding meanwhile keep the one they hold). Returns how many.
  int use_calendar(const std::shared_ptr<const engine::Calendar>& calendar);
  // The calendars the registered workflows decide with, one per name.
  std::vector<std::shared_ptr<const engine::Calendar>> calendars() const;

 private:
  using Key = std::pair<std::string, std::int64_t>;
  mutable std::shared_mutex mutex_;
  std::map<Key, std::shared_ptr<const engine::Workflow>> workflows_;  // GUARDED_BY(mutex_)
};

}  // namespace investflow::storage
