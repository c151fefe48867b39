#include "web/login_limiter.hpp"

#include <algorithm>

namespace investflow::web {
namespace {

std::int64_t whole_seconds(engine::Timestamp milliseconds) {
  return std::max<std::int64_t>(1, (milliseconds + 999) / 1000);
}

}  // namespace

void LoginLimiter::forget_old(Failures& failures, engine::Timestamp now) const {
  const engine::Timestamp window = limits_.window.count();
  while (!failures.empty() && failures.front() <= now - window)
    failures.pop_front();
}

std::optional<std::int64_t> LoginLimiter::user_wait(Failures& failures,
                                                    engine::Timestamp now) const {
  forget_old(failures, now);
  const int over = static_cast<int>(failures.size()) - limits_.free_failures_per_user;
  if (over <= 0) return std::nullopt;
  const engine::Timestamp cap = std::chrono::milliseconds(limits_.max_user_delay).count();
  const engine::Timestamp delay =
      over > 20 ? cap : std::min<engine::Timestamp>(cap, 1000LL << (over - 1));
  const engine::Timestamp wait = failures.back() + delay - now;
  if (wait <= 0) return std::nullopt;
  return whole_seconds(wait);
}

std::optional<std::int64_t> LoginLimiter::address_wait(Failures& failures,
                                                       engine::Timestamp now) const {
  forget_old(failures, now);
  if (static_cast<int>(failures.size()) < limits_.max_failures_per_address) return std::nullopt;
  // The oldest failure in the window leaves it first.
  return whole_seconds(failures.front() + limits_.window.count() - now);
}

std::optional<std::int64_t> LoginLimiter::retry_after(std::string_view user,
                                                      std::string_view address,
                                                      engine::Timestamp now) {
  const std::lock_guard lock(mutex_);
  std::optional<std::int64_t> wait;
  if (auto found = by_user_.find(user); found != by_user_.end()) {
    wait = user_wait(found->second, now);
  }
  if (auto found = by_address_.find(address); found != by_address_.end()) {
    if (auto waited = address_wait(found->second, now)) {
      wait = std::max(wait.value_or(0), *waited);
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
