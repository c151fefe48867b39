// SQLite's own memory as /metrics reports it: the page caches fill as pages are read, stop
// at the configured cache size, and are given back when a connection closes.

#include "storage/sqlite_memory.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "storage/sqlite_connection.hpp"
#include "tests/storage/storage_test_support.hpp"

namespace investflow::storage {
namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

std::int64_t cache_size_kib(Connection& connection) {
  return -connection.db().execAndGet("PRAGMA cache_size").getInt64();
}

// A table of `mebibytes` MiB, one row per page.
void fill(const std::filesystem::path& db, int mebibytes) {
  Connection writer(db, Connection::Mode::read_write, 5000, Synchronous::off);
  writer.db().exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, bytes BLOB)");
  writer.db().exec("BEGIN");
  auto insert = writer.statement("INSERT INTO filler (bytes) VALUES (randomblob(3500))");
  for (int row = 0; row < mebibytes * 300; ++row) {
    insert->exec();
    insert->reset();
  }
  writer.db().exec("COMMIT");
}

void read_everything(Connection& reader) {
  EXPECT_GT(reader.db().execAndGet("SELECT sum(length(bytes)) FROM filler").getInt64(), 0);
}

TEST(SqliteMemory, BudgetMatchesTheCacheSizeEveryConnectionIsOpenedWith) {
  testing::TempDir dir;
  Connection writer(dir.file("zone.db"), Connection::Mode::read_write, 5000);
  writer.db().exec("CREATE TABLE t (x)");
  Connection reader(dir.file("zone.db"), Connection::Mode::read_only, 5000);
  EXPECT_EQ(cache_size_kib(writer) * 1024, kWriterCacheBytes);
  EXPECT_EQ(cache_size_kib(reader) * 1024, kReaderCacheBytes);
  EXPECT_EQ(page_cache_budget(3, 6), 480 * kMiB);
}

TEST(SqliteMemory, PageCacheFillsAsPagesAreReadAndIsFreedOnClose) {
  testing::TempDir dir;
  fill(dir.file("zone.db"), 8);
  const SqliteMemory before = sqlite_memory();
  auto reader =
      std::make_unique<Connection>(dir.file("zone.db"), Connection::Mode::read_only, 5000);
  read_everything(*reader);
  const SqliteMemory full = sqlite_memory();
  EXPECT_GE(full.page_cache_bytes - before.page_cache_bytes, 7 * kMiB);
  EXPECT_GE(full.used_bytes - before.used_bytes, 7 * kMiB);
  EXPECT_LE(full.page_cache_bytes, full.used_bytes);
  EXPECT_GE(full.highwater_bytes, full.used_bytes);
  reader.reset();
  const SqliteMemory closed = sqlite_memory();
  EXPECT_LE(closed.used_bytes, before.used_bytes + kMiB);
  EXPECT_LE(closed.page_cache_bytes, before.page_cache_bytes + kMiB);
}

TEST(SqliteMemory, AReaderCachesNoMoreThanItsBudget) {
  testing::TempDir dir;
  fill(dir.file("zone.db"), 24);
  const SqliteMemory before = sqlite_memory();
  Connection reader(dir.file("zone.db"), Connection::Mode::read_only, 5000);
  read_everything(reader);
  read_everything(reader);
  const std::int64_t cached = sqlite_memory().page_cache_bytes - before.page_cache_bytes;
  EXPECT_GE(cached, kReaderCacheBytes * 9 / 10);
  EXPECT_LE(cached, kReaderCacheBytes * 11 / 10);
}

}  // namespace
}  // namespace investflow::storage
