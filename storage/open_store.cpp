#include "storage/open_store.hpp"

#include "storage/pg_connection.hpp"

namespace investflow::storage {

Outcome<std::unique_ptr<Store>> open_store_at(const std::string& location,
                                              const SqliteOptions& sqlite, const PgOptions& pg) {
  if (is_postgres_uri(location)) return open_pg_store(location, pg);
  return open_sqlite_store(location, sqlite);
}

Outcome<int> init_database_at(const std::string& location) {
  if (is_postgres_uri(location)) return init_pg_database(location);
  return init_sqlite_database(location);
}

}  // namespace investflow::storage
