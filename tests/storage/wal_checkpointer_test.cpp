#include "storage/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/storage/storage_test_support.hpp"

namespace investflow::storage::testing {
namespace {

bool wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

std::uintmax_t wal_bytes(const std::filesystem::path& db) {
  std::error_code error;
  const auto size = std::filesystem::file_size(db.string() + "-wal", error);
  return error ? 0 : size;
}

// Commits `rows` transactions of one page-sized row each: a page of WAL per commit at least.
void commit_rows(SQLite::Database& db, int first, int rows) {
  SQLite::Statement insert(db, "INSERT INTO pages (id, data) VALUES (?, zeroblob(3900))");
  for (int i = first; i < first + rows; ++i) {
    insert.bind(1, i);
    insert.exec();
    insert.reset();
  }
}

TEST(WalCheckpointer, CheckpointsOnItsOwnThreadOnceTheWalIsLarge) {
  TempDir dir;
  const auto path = dir.file("wal.db");
  // With a busy timeout, as the store's writer has: a checkpoint may hold the lock a moment.
  SQLite::Database writer(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
  writer.exec("PRAGMA journal_mode = WAL");
  writer.exec("PRAGMA synchronous = NORMAL");
  writer.exec("CREATE TABLE pages (id INTEGER PRIMARY KEY, data BLOB)");
  WalCheckpointer checkpointer(path, 5000);
  checkpointer.attach(writer);

  commit_rows(writer, 0, WalCheckpointer::kStartPages / 4);
  EXPECT_EQ(checkpointer.checkpoints(), 0) << "a small WAL is left alone";
  const auto before = std::filesystem::file_size(path);
  commit_rows(writer, 1000000, WalCheckpointer::kStartPages);
  ASSERT_TRUE(wait_for([&] { return checkpointer.checkpoints() > 0; }));
  // The rows reached the database file: the checkpoint copied them there.
  EXPECT_TRUE(wait_for([&] { return std::filesystem::file_size(path) > before + (1U << 20); }));

  // Once the writer pauses, a checkpoint catches up with it; then the writer's next
  // transaction starts the WAL over instead of growing it.
  long long seen = -1;
  for (int i = 0; i < 50 && checkpointer.checkpoints() != seen; ++i) {
    seen = checkpointer.checkpoints();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto reached = wal_bytes(path);
  commit_rows(writer, 2000000, WalCheckpointer::kStartPages / 2);
  EXPECT_LE(wal_bytes(path), reached + (1U << 20));
  checkpointer.detach(writer);
  EXPECT_EQ(writer.execAndGet("SELECT count(*) FROM pages").getInt(),
            WalCheckpointer::kStartPages / 4 + WalCheckpointer::kStartPages +
                WalCheckpointer::kStartPages / 2);
}

}  // namespace
}  // namespace investflow::storage::testing
