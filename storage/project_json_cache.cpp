#include "storage/project_json_cache.hpp"

#include <exception>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "storage/codec.hpp"
#include "storage/wire_json.hpp"

namespace investflow::storage {

ProjectJsonCache::ProjectJsonCache(std::size_t budget_bytes)
    : shard_budget_(budget_bytes / kShards) {
}

ProjectJsonCache::Shard& ProjectJsonCache::shard_of(std::string_view id) const {
  return shards_[NameHash{}(id) % kShards];
}

std::size_t ProjectJsonCache::cost(std::string_view id, std::string_view body) {
  constexpr std::size_t kOverhead = 160;  // map node, control block, once_flag, strings' headers
  return id.size() + body.size() + kOverhead;
}

std::shared_ptr<const ProjectJson> ProjectJsonCache::find(std::string_view id) const {
  std::shared_ptr<const Entry> entry;
  {
    Shard& shard = shard_of(id);
    const std::shared_lock lock(shard.mutex);
    if (const auto it = shard.entries.find(id); it != shard.entries.end()) entry = it->second;
  }
  if (!entry) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  try {
    // Outside the shard's lock: the conversion does not hold up other projects' readers
    // or the writer.
    std::call_once(entry->converted, [&entry, this] {
      auto project = decode_project(entry->canonical);
      if (!project) throw std::runtime_error(project.error().to_string());
      const auto workflow = workflows_ != nullptr
                                ? workflows_->find(project->workflow, project->workflow_version)
                                : nullptr;
      entry->wire = project_wire_json(*project, workflow.get());
      std::string().swap(entry->canonical);
    });
  } catch (const std::exception&) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  const ProjectJson* wire = &entry->wire;
  return std::shared_ptr<const ProjectJson>(std::move(entry), wire);
}

std::uint64_t ProjectJsonCache::ticket(std::string_view id) const {
  Shard& shard = shard_of(id);
  const std::shared_lock lock(shard.mutex);
  return shard.published;
}

void ProjectJsonCache::fill(std::string_view id, std::uint64_t ticket, ProjectJson wire) {
  if (shard_budget_ == 0) return;
  auto entry = std::make_shared<Entry>();
  entry->version = wire.version;
  entry->cost = cost(id, wire.body);
  entry->wire = std::move(wire);
  std::call_once(entry->converted, [] {});  // already in the wire form
  Shard& shard = shard_of(id);
  const std::unique_lock lock(shard.mutex);
  if (shard.published != ticket) return;  // a commit raced the read: what was read may be old
  if (const auto it = shard.entries.find(id);
      it != shard.entries.end() && it->second->version >= entry->version) {
    return;
  }
  put(shard, id, std::move(entry));
}

void ProjectJsonCache::publish(const std::string& id, ProjectJson canonical) {
  auto entry = std::make_shared<Entry>();
  entry->version = canonical.version;
  entry->cost = cost(id, canonical.body);
  entry->canonical = std::move(canonical.body);
  Shard& shard = shard_of(id);
  const std::unique_lock lock(shard.mutex);
  ++shard.published;
  if (shard_budget_ == 0) return;
  put(shard, id, std::move(entry));
}

void ProjectJsonCache::put(Shard& shard, std::string_view id, std::shared_ptr<const Entry> entry) {
  const std::size_t added = entry->cost;
  if (const auto it = shard.entries.find(id); it != shard.entries.end()) {
    shard.bytes -= it->second->cost;
    it->second = std::move(entry);
  } else {
    shard.entries.emplace(std::string(id), std::move(entry));
  }
  shard.bytes += added;
  // Over the budget: drop whatever the table holds first (its order has nothing to do with
  // age or use, which is as good as random and costs no bookkeeping), never the new entry.
  while (shard.bytes > shard_budget_ && shard.entries.size() > 1) {
    auto victim = shard.entries.begin();
    if (victim->first == id) ++victim;
    shard.bytes -= victim->second->cost;
    shard.entries.erase(victim);
  }
}

void ProjectJsonCache::clear() {
  for (Shard& shard : shards_) {
    const std::unique_lock lock(shard.mutex);
    ++shard.published;
    shard.entries.clear();
    shard.bytes = 0;
  }
}

ProjectJsonCache::Stats ProjectJsonCache::stats() const {
  Stats stats;
  for (const Shard& shard : shards_) {
    const std::shared_lock lock(shard.mutex);
    stats.entries += shard.entries.size();
    stats.bytes += shard.bytes;
  }
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace investflow::storage
