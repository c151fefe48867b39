#pragma once
// Projects' wire JSON (wire_json.hpp) kept in memory, so GET /api/projects/{id} — the most
// frequent request — is answered without a database read or an encode (and, for a token
// already checked, on the I/O thread without a hop to the worker pool).
//
// Correctness rests on who may put what in:
//  - the writer publishes each project it commits, after COMMIT (never what a rolled-back
//    command wrote), so the cache never runs ahead of the database. It publishes the
//    canonical JSON it has just stored, which costs the write nothing; the first find() of
//    that version turns it into the wire form, once (concurrent finds wait for that one),
//    and later finds send the result as it is;
//  - a reader that missed fills in what it read only if nothing was published to that part
//    of the cache since before its read began (ticket()/fill()): a read that raced a commit
//    is not kept, so the cache never falls behind the writer either;
//  - a write from outside the writer (another process: `investflow import` next to the
//    server) is noticed through SQLite's data_version by the writer, which clears the cache.
// Memory is bounded by a byte budget; past it, arbitrary entries of the full shard go.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/store.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {

class ProjectJsonCache {
 public:
  explicit ProjectJsonCache(std::size_t budget_bytes);
  ProjectJsonCache(const ProjectJsonCache&) = delete;
  ProjectJsonCache& operator=(const ProjectJsonCache&) = delete;

  // The project's wire JSON; null when not cached (or when its published JSON does not
  // decode, which the database read then reports).
  std::shared_ptr<const ProjectJson> find(std::string_view id) const;

  // Before reading `id` from the database; hand the result, its wire JSON, to fill() with
  // this ticket.
  std::uint64_t ticket(std::string_view id) const;
  void fill(std::string_view id, std::uint64_t ticket, ProjectJson wire);

  // The writer, after a commit: `canonical` is now the project's stored (canonical) JSON.
  void publish(const std::string& id, ProjectJson canonical);
  // Forget everything (the database changed behind the writer's back).
  void clear();
  // Where the wire form finds a project's workflow, for its computed values (set once,
  // before use; may stay null).
  void set_workflows(const WorkflowRegistry* workflows) { workflows_ = workflows; }

  struct Stats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Stats stats() const;

 private:
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view id) const noexcept {
      return std::hash<std::string_view>{}(id);
    }
  };
  // One version of a project: its wire JSON, made from `canonical` on the first find() when
  // the writer published it (then `canonical` is released).
  struct Entry {
    std::int64_t version = 0;
    std::size_t cost = 0;  // what it counts against the budget, fixed when it is put in
    mutable std::once_flag converted;
    mutable std::string canonical;
    mutable ProjectJson wire;
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const Entry>, NameHash, std::equal_to<>>
        entries;
    std::size_t bytes = 0;
    std::uint64_t published = 0;  // publishes and clears so far: the tickets
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_of(std::string_view id) const;
  // REQUIRES(shard.mutex held exclusively)
  void put(Shard& shard, std::string_view id, std::shared_ptr<const Entry> entry);
  static std::size_t cost(std::string_view id, std::string_view body);

  std::size_t shard_budget_;
  const WorkflowRegistry* workflows_ = nullptr;
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
};

}  // namespace investflow::storage
