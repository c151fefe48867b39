#pragma once
// SQLite's own heap, as SQLite counts it, so that a reader of the process's RSS can tell the
// page caches filling up (bounded by PRAGMA cache_size) from memory that is never given back.

#include <cstdint>

namespace investflow::storage {

// The page cache each connection may fill, as sqlite_connection.cpp configures it with
// PRAGMA cache_size (a test keeps the two in step). SQLite allocates pages as they are read,
// so a cache reaches its limit only once that much of the database has been touched.
inline constexpr std::int64_t kWriterCacheBytes = std::int64_t{128} << 20;
inline constexpr std::int64_t kReaderCacheBytes = std::int64_t{16} << 20;

struct SqliteMemory {
  std::int64_t used_bytes = 0;        // everything SQLite holds now (sqlite3_memory_used)
  std::int64_t highwater_bytes = 0;   // the most it has held since the process started
  std::int64_t page_cache_bytes = 0;  // of used_bytes, pages cached by the connections
};

// Process-wide: every connection in the process counts.
SqliteMemory sqlite_memory();

// The most the page caches of this many connections may hold together.
constexpr std::int64_t page_cache_budget(int read_write_connections, int read_only_connections) {
  return read_write_connections * kWriterCacheBytes + read_only_connections * kReaderCacheBytes;
}

}  // namespace investflow::storage
