#pragma once
// The SQLite implementation of Store: one database file in WAL mode, one writer thread with
// group commit (sqlite_writer.hpp), a pool of read-only connections.

#include <cstddef>
#include <filesystem>
#include <memory>

#include "engine/date.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct SqliteOptions {
  // FULL: an acknowledged command survives power loss. NORMAL survives a crash of the
  // process but may lose the last commits on power loss.
  Synchronous synchronous = Synchronous::full;
  int read_connections = 4;
  int busy_timeout_ms = 10000;
  std::size_t max_batch = 1024;          // commands per transaction
  std::size_t projection_cache = 10000;  // projects the writer keeps in memory
  // With FULL: flush the WAL on its own thread, overlapping the next batch; acknowledge a
  // command only after the flush. Off: SQLite flushes inside every COMMIT.
  bool overlap_flush = true;
  std::shared_ptr<const engine::Clock> clock;  // null: the system clock
  // Memory for projects' JSON (project_json_cache.hpp), so reads of one project skip the
  // database; 0 turns it off. 64 MiB holds some 25,000 projects.
  std::size_t json_cache_bytes = std::size_t{64} << 20;
};

// Creates the database if it does not exist, migrates it, and starts the writer.
Outcome<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                  const SqliteOptions& options = {});

// Creates or migrates the database and returns its schema version (`investflow init`).
Outcome<int> init_sqlite_database(const std::filesystem::path& path);
// Whether the database can be written now: takes its write lock, changes a page and rolls
// back. Refuses, saying why and naming what to fix (storage_fault.hpp open_failure), a
// database whose file, directory or filesystem is read-only, or whose write lock another
// process holds past the busy timeout. open_sqlite_store and AuthStore::open check this, so
// a command that cannot write fails at start-up instead of at every write.
Outcome<Ok> check_writable(const std::filesystem::path& path, int busy_timeout_ms);

}  // namespace investflow::storage
