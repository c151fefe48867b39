#include "web/stream_budget.hpp"

#include <algorithm>
#include <utility>

namespace investflow::web {

struct StreamBudget::Shared {
  explicit Shared(std::size_t bytes) : budget(bytes) {}

  std::size_t fair_share() const {
    const std::size_t open = std::max<std::size_t>(1, streams.load());
    return std::max(budget / open, std::min(kMinimumShare, budget));
  }

  const std::size_t budget;
  std::atomic<std::size_t> used{0};
  std::atomic<std::size_t> streams{0};
};

StreamBudget::StreamBudget(std::size_t budget) : shared_(std::make_shared<Shared>(budget)) {
}

StreamBudget::Account StreamBudget::open() {
  ++shared_->streams;
  return Account(shared_);
}

std::size_t StreamBudget::budget() const {
  return shared_->budget;
}

std::size_t StreamBudget::used() const {
  return shared_->used.load();
}

std::size_t StreamBudget::streams() const {
  return shared_->streams.load();
}

std::size_t StreamBudget::fair_share() const {
  return shared_->fair_share();
}

StreamBudget::Account& StreamBudget::Account::operator=(Account&& other) noexcept {
  if (this != &other) {
    close();
    shared_ = std::move(other.shared_);
    queued_ = std::exchange(other.queued_, 0);
  }
  return *this;
}

StreamBudget::Account::~Account() {
  close();
}

bool StreamBudget::Account::reserve(std::size_t bytes) {
  if (!shared_) return false;
  if (queued_ + bytes > shared_->fair_share()) return false;
  // Compare and swap: streams on other threads reserve at the same time, and the budget
  // holds for their sum.
  std::size_t used = shared_->used.load();
  do {
    if (used + bytes > shared_->budget) return false;
  } while (!shared_->used.compare_exchange_weak(used, used + bytes));
  queued_ += bytes;
  return true;
}

void StreamBudget::Account::release(std::size_t bytes) {
  if (!shared_) return;
  bytes = std::min(bytes, queued_);
  queued_ -= bytes;
  shared_->used -= bytes;
}

void StreamBudget::Account::close() {
  if (!shared_) return;
  shared_->used -= queued_;
  queued_ = 0;
  --shared_->streams;
  shared_.reset();
}

}  // namespace investflow::web
