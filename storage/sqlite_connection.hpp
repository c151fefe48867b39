#pragma once
// SQLite connections as the store uses them: the pragmas every connection needs, a cache of
// prepared statements per connection, and a pool of read-only connections.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "engine/names.hpp"

namespace investflow::storage {

// PRAGMA synchronous, by the name the pragma and --synchronous take.
enum class Synchronous { off, normal, full };
inline constexpr engine::EnumName<Synchronous> kSynchronousNames[] = {
    {Synchronous::off, "off"},
    {Synchronous::normal, "normal"},
    {Synchronous::full, "full"},
};
static_assert(engine::in_order(kSynchronousNames));

// A cached statement in use; resets it when it goes out of scope, which ends the read a
// stepped SELECT holds open (an open read would pin its snapshot and the WAL with it).
class StatementInUse {
 public:
  explicit StatementInUse(SQLite::Statement& statement) : statement_(statement) {}
  ~StatementInUse() { statement_.tryReset(); }
  StatementInUse(const StatementInUse&) = delete;
  StatementInUse& operator=(const StatementInUse&) = delete;
  SQLite::Statement* operator->() { return &statement_; }
  SQLite::Statement& operator*() { return statement_; }

 private:
  SQLite::Statement& statement_;
};

class Connection {
 public:
  enum class Mode { read_only, read_write };
  Connection(const std::filesystem::path& path, Mode mode, int busy_timeout_ms,
             Synchronous synchronous = Synchronous::full);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  SQLite::Database& db() { return db_; }
  // A prepared statement for `sql`, with its bindings cleared. Prepared once per
  // connection. Do not ask for the same text again while the statement is still in use.
  StatementInUse statement(const std::string& sql);

  // What a reader keeps on this connection from one request to the next (reports keep
  // figures of whole months), one object per type. The connection reads one database, so
  // the user need only check an entry against that database's data before using it.
  template <class T>
  T& kept() {
    std::shared_ptr<void>& slot = kept_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

 private:
  SQLite::Database db_;  // declared first: destroyed after the statements that use it
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> kept_;
};

// Read-only connections, opened on demand up to `size`, lent one at a time.
class ReadPool {
 public:
  ReadPool(std::filesystem::path path, int size, int busy_timeout_ms);

  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits while every connection is lent out.
  Lease borrow();

 private:
  void give_back(std::unique_ptr<Connection> connection);

  const std::filesystem::path path_;
  const int size_;
  const int busy_timeout_ms_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
  int open_ = 0;                                   // GUARDED_BY(mutex_)
};

}  // namespace investflow::storage
