#pragma once
// The PostgreSQL implementation of Store (issue 21): the same event log, hash chains,
// projections, outbox and idempotency keys as the SQLite store, in a PostgreSQL database
// that several `investflow` processes may write at once.
//
// Writes: one writer thread per process with group commit, as in the SQLite store. Each
// transaction first locks the one row of log_head, which holds the last link of the log
// chain: writers of every process take turns per transaction (never per command), so the
// chain is one line in commit order, and a writer knows whether another process wrote
// since its last transaction (then it forgets the projects it kept in memory). A project's
// row is updated only from the version it was read at, and (project, seq) is unique in the
// log, so a write behind the writers' back fails its transaction instead of forking a
// chain. A lost connection fails the transaction in flight (its commands answer
// Fault::unavailable: nothing of it stands, or the commit's fate is unknown and the
// command's idempotency key makes a retry safe); the next one connects again.
//
// Reads: a pool of connections, each opened when first needed.

#include <memory>
#include <string>

#include "storage/operations.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct PgOptions {
  int read_connections = 4;
  std::size_t max_batch = 1024;          // commands per transaction
  std::size_t projection_cache = 10000;  // projects the writer keeps in memory
  engine::Timestamp idempotency_ttl_ms = 24 * 3600 * 1000;
  std::shared_ptr<const engine::Clock> clock;  // null: the system clock
};

// Connects, creates or migrates the schema, and starts the writer.
Outcome<std::unique_ptr<Store>> open_pg_store(const std::string& uri,
                                              const PgOptions& options = {});

// Creates or migrates the schema and returns its version (`investflow init URI`).
Outcome<int> init_pg_database(const std::string& uri);

// Walks every project's hash chain, replays its events through the engine and compares
// with the stored projection, and walks the log chain over all events and the audit log's
// chain (verify_database's checks that apply to this store), in one snapshot; with
// `anchored` (a signed digest's heads), also that both chains hold those heads at the
// digest's sizes.
Outcome<VerifyReport> verify_pg_database(const std::string& uri, const ProgressFn& progress = {},
                                         const std::optional<LogHeads>& anchored = std::nullopt);

}  // namespace investflow::storage
