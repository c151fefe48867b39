#pragma once
// The PostgreSQL store's schema (pg_store.hpp), versioned like the SQLite one
// (schema.hpp): migration N brings a database from version N-1 to N, all pending ones in
// one transaction, under an advisory lock so that servers starting together migrate once.

#include <cstdint>
#include <string>

#include "storage/pg_connection.hpp"

namespace investflow::storage {

inline constexpr int kPgSchemaVersion = 6;

// The role a server may connect as (docs/operations.md): everything it needs, but on the
// event log only SELECT and INSERT, so that even a compromised server cannot rewrite
// history. (The log's triggers refuse UPDATE, DELETE and TRUNCATE to every role too.)
inline constexpr std::string_view kPgServerRole = "investflow_server";

// Advisory lock keys (one vocabulary: pg_locks shows them as objid). The migration, the
// audit log's appenders and changes to accounts (auth_rows.hpp) hold theirs for a
// transaction, and so do changes to targets (funds_report.hpp); the duty lease (pg_lease.hpp)
// for as long as its server runs the scheduler and the dispatcher.
inline constexpr std::int64_t kPgMigrationLock = 7264801;
inline constexpr std::int64_t kPgAuditLock = 7264802;
inline constexpr std::int64_t kPgDutyLease = 7264803;
inline constexpr std::int64_t kPgAuthLock = 7264804;
inline constexpr std::int64_t kPgTargetsLock = 7264805;

// Creates or migrates the schema; returns its version. Refuses a database whose schema is
// newer than this build's (written by a newer investflow).
int migrate_pg(PgConnection& connection);

}  // namespace investflow::storage
