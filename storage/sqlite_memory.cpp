#include "storage/sqlite_memory.hpp"

#include <sqlite3.h>

namespace investflow::storage {

SqliteMemory sqlite_memory() {
  SqliteMemory memory;
  memory.used_bytes = sqlite3_memory_used();
  memory.highwater_bytes = sqlite3_memory_highwater(0);
  // Without SQLITE_CONFIG_PAGECACHE every cached page comes from the heap, and SQLite counts
  // those bytes as page-cache "overflow".
  sqlite3_int64 highwater = 0;
  sqlite3_int64 current = 0;
  if (sqlite3_status64(SQLITE_STATUS_PAGECACHE_OVERFLOW, &current, &highwater, 0) == SQLITE_OK) {
    memory.page_cache_bytes = current;
  }
  return memory;
}

}  // namespace investflow::storage
