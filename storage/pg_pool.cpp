#include "storage/pg_pool.hpp"

namespace investflow::storage {

std::unique_ptr<PgConnection> PgPool::borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
  }
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<PgConnection>(uri_);
  } catch (...) {
    release_slot();
    throw;
  }
}

void PgPool::give_back(std::unique_ptr<PgConnection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

void PgPool::release_slot() {
  {
    std::lock_guard lock(mutex_);
    --open_;
  }
  available_.notify_one();
}

}  // namespace investflow::storage
