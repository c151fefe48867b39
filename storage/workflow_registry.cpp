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

bool WorkflowRegistry::contains(std::string_view id, std::int64_t version) const {
  return find(id, version) != nullptr;
}

}  // namespace investflow::storage
