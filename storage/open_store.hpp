#pragma once
// A database argument as users give it: a SQLite file, or a postgresql:// (postgres://)
// URI naming a PostgreSQL database (pg_store.hpp).

#include <memory>
#include <string>

#include "storage/pg_store.hpp"
#include "storage/sqlite_store.hpp"

namespace investflow::storage {

// Opens the store `location` names: SQLite with `sqlite`, PostgreSQL with `pg`.
Outcome<std::unique_ptr<Store>> open_store_at(const std::string& location,
                                              const SqliteOptions& sqlite = {},
                                              const PgOptions& pg = {});
// Creates or migrates the database `location` names; returns its schema version.
Outcome<int> init_database_at(const std::string& location);

}  // namespace investflow::storage
