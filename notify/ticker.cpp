#include "notify/ticker.hpp"

#include <utility>

namespace investflow::notify {

Ticker::Ticker(std::chrono::milliseconds tick, std::function<void()> pass)
    : tick_(tick), pass_(std::move(pass)) {
}

Ticker::~Ticker() {
  stop();
}

void Ticker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    while (true) {
      pass_();
      std::unique_lock waiting(mutex_);
      if (wake_.wait_for(waiting, tick_, [this] { return stopping_; })) return;
    }
  });
}

void Ticker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Ticker::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace investflow::notify
