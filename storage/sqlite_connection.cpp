#include "storage/sqlite_connection.hpp"

#include <string_view>

namespace investflow::storage {
namespace {

int open_flags(Connection::Mode mode) {
  // NOMUTEX: a connection is used by one thread at a time (the writer's by the writer
  // thread, a reader by whoever borrowed it), so SQLite need not lock on every call.
  return SQLite::OPEN_NOMUTEX |
         (mode == Connection::Mode::read_only ? SQLite::OPEN_READONLY
                                              : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

std::string synchronous_pragma(Synchronous synchronous) {
  return "PRAGMA synchronous = " + std::string(engine::name_in(kSynchronousNames, synchronous));
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, Mode mode, int busy_timeout_ms,
                       Synchronous synchronous)
    : db_(path, open_flags(mode), busy_timeout_ms) {
  // Page cache: 128 MiB for the writer, whose batches touch index pages all over a large
  // database (events by time, projects by state and dates), 16 MiB per reader (allocated
  // as pages are used, so an idle server stays small).
  db_.exec(mode == Mode::read_write ? "PRAGMA cache_size = -131072" : "PRAGMA cache_size = -16384");
  db_.exec("PRAGMA temp_store = MEMORY");
  if (mode == Mode::read_write) {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec(synchronous_pragma(synchronous));
    db_.exec("PRAGMA foreign_keys = ON");
    // Keep the WAL file from growing without bound after a burst of writes.
    db_.exec("PRAGMA journal_size_limit = 67108864");
  } else {
    db_.exec("PRAGMA query_only = ON");
  }
}

Connection::~Connection() = default;

StatementInUse Connection::statement(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    found->second->clearBindings();
  }
  return StatementInUse(*found->second);
}

ReadPool::ReadPool(std::filesystem::path path, int size, int busy_timeout_ms)
    : path_(std::move(path)), size_(size < 1 ? 1 : size), busy_timeout_ms_(busy_timeout_ms) {
}

ReadPool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_));
}

ReadPool::Lease ReadPool::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(
        *this, std::make_unique<Connection>(path_, Connection::Mode::read_only, busy_timeout_ms_));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void ReadPool::give_back(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace investflow::storage
