#include "storage/wal_checkpointer.hpp"

#include <sqlite3.h>

#include <utility>

namespace investflow::storage {

WalCheckpointer::WalCheckpointer(std::filesystem::path db_file, int busy_timeout_ms)
    : db_file_(std::move(db_file)), busy_timeout_ms_(busy_timeout_ms), thread_([this] { run(); }) {
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WalCheckpointer::attach(SQLite::Database& writer) {
  sqlite3_wal_hook(writer.getHandle(), &WalCheckpointer::on_commit, this);
}

void WalCheckpointer::detach(SQLite::Database& writer) {
  // Back to SQLite's automatic checkpoint, for the checkpoint-on-close and any later use.
  sqlite3_wal_autocheckpoint(writer.getHandle(), kStartPages);
}

long long WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

int WalCheckpointer::on_commit(void* context, sqlite3* db, const char* schema, int pages) {
  if (pages >= kInlinePages) {
    // The background checkpoints never caught up with the writer: do what SQLite's own
    // hook does, so the WAL stays bounded. Most of it is checkpointed already, so this
    // copies little; the next transaction then starts the WAL over.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kStartPages) {
    static_cast<WalCheckpointer*>(context)->request();
  }
  return SQLITE_OK;
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || requested_; });
      if (stopping_) return;
      requested_ = false;
    }
    try {
      if (!db_) {
        db_ = std::make_unique<SQLite::Database>(
            db_file_, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, busy_timeout_ms_);
        // FULL: the checkpoint flushes the WAL before copying from it, and the database
        // file after.
        db_->exec("PRAGMA synchronous = FULL");
      }
      sqlite3_wal_checkpoint_v2(db_->getHandle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
    } catch (const std::exception&) {
      // Cannot open the database now: the writer's inline checkpoint still bounds the WAL.
    }
    std::lock_guard lock(mutex_);
    ++checkpoints_;
  }
}

}  // namespace investflow::storage
