#pragma once
// Checkpoints of the WAL on a thread of their own. SQLite's automatic checkpoint runs on
// the connection that commits, after COMMIT: the writer thread would copy pages into the
// database file and fsync it while commands queue up behind it. Here the writer's WAL hook
// only asks, and this thread checkpoints (PASSIVE: it never blocks the writer or readers)
// on its own connection. A checkpoint flushes the WAL before it copies anything into the
// database, so it never writes a commit that is not yet durable.
//
// A PASSIVE checkpoint cannot restart the WAL while the writer keeps appending; the writer
// does that itself once the WAL is fully checkpointed and it begins its next transaction.
// Should the WAL still outgrow `inline_pages` (the writer never paused), the writer
// checkpoints inline as SQLite would have, which bounds the file.

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

namespace investflow::storage {

class WalCheckpointer {
 public:
  // Checkpoints run back to back while the WAL holds this many pages (SQLite's own
  // default threshold): the sooner one catches up with the writer, the sooner the writer
  // can start the WAL over.
  static constexpr int kStartPages = 1000;
  static constexpr int kInlinePages = 16000;  // 64 MiB of 4 KiB pages: the writer steps in

  WalCheckpointer(std::filesystem::path db_file, int busy_timeout_ms);
  // Stops without a last checkpoint: the writer's connection checkpoints as it closes.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Installs the WAL hook on the writer's connection (which must outlive this object's use
  // of it: call detach before closing it).
  void attach(SQLite::Database& writer);
  void detach(SQLite::Database& writer);

  // Checkpoints run so far on this thread (for tests).
  long long checkpoints() const;

 private:
  static int on_commit(void* context, ::sqlite3* db, const char* schema, int pages);
  void request();
  void run();

  const std::filesystem::path db_file_;
  const int busy_timeout_ms_;
  std::unique_ptr<SQLite::Database> db_;  // the checkpointer thread's only
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;      // GUARDED_BY(mutex_)
  long long checkpoints_ = 0;  // GUARDED_BY(mutex_)
  std::thread thread_;         // started last
};

}  // namespace investflow::storage
