#pragma once
// Login rate limiting: failed attempts per user name and per client address, in a sliding
// window. Past the limit a login is refused without checking the password (so guessing
// costs the attacker time, not the server argon2 runs) and the client is told when to
// retry. A successful login clears the user's count.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engine/date.hpp"

namespace investflow::web {

struct LoginLimits {
  int max_failures_per_user = 5;
  int max_failures_per_address = 20;
  std::chrono::milliseconds window = std::chrono::minutes(15);
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}

  // Seconds until a login for (user, address) may be tried again; nullopt: now.
  std::optional<std::int64_t> retry_after(std::string_view user, std::string_view address,
                                          engine::Timestamp now);
  void record_failure(std::string_view user, std::string_view address, engine::Timestamp now);
  void record_success(std::string_view user);

 private:
  using Failures = std::deque<engine::Timestamp>;
  std::optional<std::int64_t> blocked(Failures& failures, int limit, engine::Timestamp now) const;
  void forget_expired(std::map<std::string, Failures, std::less<>>& failures,
                      engine::Timestamp now) const;
  static constexpr std::size_t kSweepAt = 10000;

  const LoginLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Failures, std::less<>> by_user_;     // GUARDED_BY(mutex_)
  std::map<std::string, Failures, std::less<>> by_address_;  // GUARDED_BY(mutex_)
};

}  // namespace investflow::web
