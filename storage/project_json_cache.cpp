#include "storage/project_json_cache.hpp"

#include <mutex>
#include <utility>

namespace investflow::storage {

ProjectJsonCache::ProjectJsonCache(std::size_t budget_bytes)
    : shard_budget_(budget_bytes / kShards) {
}

ProjectJsonCache::Shard& ProjectJsonCache::shard_of(std::string_view id) const {
  return shards_[NameHash{}(id) % kShards];
}

std::size_t ProjectJsonCache::cost(std::string_view id, const ProjectJson& json) {
  constexpr std::size_t kOverhead = 96;  // map node, control block, the two strings' headers
  return id.size() + json.body.size() + kOverhead;
}

std::shared_ptr<const ProjectJson> ProjectJsonCache::find(std::string_view id) const {
  Shard& shard = shard_of(id);
  const std::shared_lock lock(shard.mutex);
  if (const auto it = shard.entries.find(id); it != shard.entries.end()) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second;
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

std::uint64_t ProjectJsonCache::ticket(std::string_view id) const {
  Shard& shard = shard_of(id);
  const std::shared_lock lock(shard.mutex);
  return shard.published;
}

void ProjectJsonCache::fill(std::string_view id, std::uint64_t ticket, ProjectJson json) {
  if (shard_budget_ == 0) return;
  auto entry = std::make_shared<const ProjectJson>(std::move(json));
  Shard& shard = shard_of(id);
  const std::unique_lock lock(shard.mutex);
  if (shard.published != ticket) return;  // a commit raced the read: what was read may be old
  if (const auto it = shard.entries.find(id);
      it != shard.entries.end() && it->second->version >= entry->version) {
    return;
  }
  put(shard, id, std::move(entry));
}

void ProjectJsonCache::publish(const std::string& id, ProjectJson json) {
  auto entry = std::make_shared<const ProjectJson>(std::move(json));
  Shard& shard = shard_of(id);
  const std::unique_lock lock(shard.mutex);
  ++shard.published;
  if (shard_budget_ == 0) return;
  put(shard, id, std::move(entry));
}

void ProjectJsonCache::put(Shard& shard, std::string_view id,
                           std::shared_ptr<const ProjectJson> json) {
  const std::size_t added = cost(id, *json);
  if (const auto it = shard.entries.find(id); it != shard.entries.end()) {
    shard.bytes -= cost(id, *it->second);
    it->second = std::move(json);
  } else {
    shard.entries.emplace(std::string(id), std::move(json));
  }
  shard.bytes += added;
  // Over the budget: drop whatever the table holds first (its order has nothing to do with
  // age or use, which is as good as random and costs no bookkeeping), never the new entry.
  while (shard.bytes > shard_budget_ && shard.entries.size() > 1) {
    auto victim = shard.entries.begin();
    if (victim->first == id) ++victim;
    shard.bytes -= cost(victim->first, *victim->second);
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
