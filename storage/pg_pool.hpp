#pragma once
// A pool of PostgreSQL connections (pg_connection.hpp) for the stores' reads and short
// writes: each opened when first needed, at most `size` at once (callers past that wait).
// A connection found broken is dropped and the next call opens another; a read (a query
// that changes nothing) is run once more on a fresh connection after a lost one, a write
// never, as it may have committed. Failures come back as storage errors (a lost server:
// Fault::unavailable, HTTP 503).
//
//   PgPool pool(uri, 4);
//   auto count = pool.read([](PgConnection& c) { return c.exec("SELECT 1").number(0, 0); });

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/pg_connection.hpp"
#include "storage/storage_fault.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

class PgPool {
 public:
  PgPool(std::string uri, int size) : uri_(std::move(uri)), size_(size < 1 ? 1 : size) {}
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  template <typename Query>
  auto read(Query query) -> Outcome<decltype(query(std::declval<PgConnection&>()))> {
    for (int attempt = 0;; ++attempt) {
      auto outcome = once(query);
      if (outcome || attempt > 0 || outcome.error().fault != Fault::unavailable) return outcome;
    }
  }

  // `body(connection)` in one transaction, tried once.
  template <typename Body>
  auto write(Body body) -> Outcome<decltype(body(std::declval<PgConnection&>()))> {
    auto transaction = [&body](PgConnection& connection) {
      return in_transaction(connection, [&] { return body(connection); });
    };
    return once(transaction);
  }

  // `fn(connection)` once, on a connection of the pool.
  template <typename Fn>
  auto once(Fn& fn) -> Outcome<decltype(fn(std::declval<PgConnection&>()))> {
    std::unique_ptr<PgConnection> connection;
    try {
      connection = borrow();
      connection->ensure();
      auto result = fn(*connection);
      give_back(std::move(connection));
      return result;
    } catch (const std::exception& error) {
      // A broken connection is dropped; the next call opens another. (When borrow threw,
      // it gave its slot back itself.)
      if (connection && connection->ok()) {
        give_back(std::move(connection));
      } else if (connection) {
        connection.reset();
        release_slot();
      }
      return engine::fail(storage_error(error));
    }
  }

  const std::string& uri() const { return uri_; }

 private:
  std::unique_ptr<PgConnection> borrow();
  void give_back(std::unique_ptr<PgConnection> connection);
  void release_slot();

  const std::string uri_;
  const int size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;  // GUARDED_BY(mutex_)
  int open_ = 0;                                     // GUARDED_BY(mutex_)
};

}  // namespace investflow::storage
