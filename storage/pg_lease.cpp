#include "storage/pg_lease.hpp"

#include <memory>
#include <utility>

#include "storage/pg_connection.hpp"

namespace investflow::storage {

PgLease::PgLease(std::string uri, std::int64_t key, std::chrono::milliseconds check,
                 Change on_change)
    : uri_(std::move(uri)), key_(key), check_(check), on_change_(std::move(on_change)) {
}

PgLease::~PgLease() {
  stop();
}

void PgLease::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void PgLease::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PgLease::run() {
  std::unique_ptr<PgConnection> connection;
  for (;;) {
    try {
      if (!connection) connection = std::make_unique<PgConnection>(uri_);
      if (!held_) {
        const PgResult taken =
            connection->exec("SELECT pg_try_advisory_lock($1)", PgParams().number(key_));
        if (taken.text(0, 0) == "t") {
          held_ = true;
          ++taken_;
          if (on_change_) on_change_(true, {});
        }
      } else {
        // The lock lives as long as the session: a live connection still holds it.
        connection->exec("SELECT 1");
      }
    } catch (const std::exception& error) {
      connection.reset();
      if (held_) {
        held_ = false;
        if (on_change_) on_change_(false, error.what());
      }
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, check_, [this] { return stopping_; })) break;
  }
  held_ = false;
  connection.reset();  // ends the session, and the lock with it
}

}  // namespace investflow::storage
