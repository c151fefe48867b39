#include "web/login_limiter.hpp"

#include <algorithm>

namespace investflow::web {

std::optional<std::int64_t> LoginLimiter::blocked(Failures& failures, int limit,
                                                  engine::Timestamp now) const {
  const engine::Timestamp window = limits_.window.count();
  while (!failures.empty() && failures.front() <= now - window)
    failures.pop_front();
  if (static_cast<int>(failures.size()) < limit) return std::nullopt;
  // The oldest failure in the window leaves it first.
  const engine::Timestamp wait_ms = failures.front() + window - now;
  return std::max<std::int64_t>(1, (wait_ms + 999) / 1000);
}

std::optional<std::int64_t> LoginLimiter::retry_after(std::string_view user,
                                                      std::string_view address,
                                                      engine::Timestamp now) {
  const std::lock_guard lock(mutex_);
  std::optional<std::int64_t> wait;
  if (auto found = by_user_.find(user); found != by_user_.end()) {
    wait = blocked(found->second, limits_.max_failures_per_user, now);
  }
  if (auto found = by_address_.find(address); found != by_address_.end()) {
    if (auto address_wait = blocked(found->second, limits_.max_failures_per_address, now)) {
      wait = std::max(wait.value_or(0), *address_wait);
    }
  }
  return wait;
}

void LoginLimiter::forget_expired(std::map<std::string, Failures, std::less<>>& failures,
                                  engine::Timestamp now) const {
  const engine::Timestamp window = limits_.window.count();
  std::erase_if(failures, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() <= now - window;
  });
}

void LoginLimiter::record_failure(std::string_view user, std::string_view address,
                                  engine::Timestamp now) {
  const std::lock_guard lock(mutex_);
  // Guessing with ever new names must not grow memory without bound.
  if (by_user_.size() >= kSweepAt) forget_expired(by_user_, now);
  if (by_address_.size() >= kSweepAt) forget_expired(by_address_, now);
  by_user_[std::string(user)].push_back(now);
  by_address_[std::string(address)].push_back(now);
}

void LoginLimiter::record_success(std::string_view user) {
  const std::lock_guard lock(mutex_);
  if (auto found = by_user_.find(user); found != by_user_.end()) by_user_.erase(found);
}

}  // namespace investflow::web
