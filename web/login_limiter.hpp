#pragma once
// Login rate limiting that slows guessing without letting anyone lock a user out.
//
// Per account: the first LoginLimits::free_failures_per_user failures in the window cost
// nothing; each further one doubles the wait before the next try (1 s, 2 s, 4 s, ... up to
// max_user_delay), counted from the latest failure. A login tried during the wait is refused
// without checking the password and without counting, so a guesser gets at most one try per
// max_user_delay per account, and the account's owner never waits longer than that.
//
// Per client address (the real one behind a trusted proxy, forwarded.hpp): past
// max_failures_per_address failures in the window, that address waits until the oldest
// leaves it, whatever names it tries (password spraying); other addresses are not affected.
//
// Refused logins are answered 429 with Retry-After. A successful login clears the
// account's count.

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
  int free_failures_per_user = 3;
  std::chrono::seconds max_user_delay{30};
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
  void forget_old(Failures& failures, engine::Timestamp now) const;
  std::optional<std::int64_t> user_wait(Failures& failures, engine::Timestamp now) const;
  std::optional<std::int64_t> address_wait(Failures& failures, engine::Timestamp now) const;
  void forget_expired(std::map<std::string, Failures, std::less<>>& failures,
                      engine::Timestamp now) const;
  static constexpr std::size_t kSweepAt = 10000;

  const LoginLimits limits_;
  std::mutex mutex_;
  std::map<std::string, Failures, std::less<>> by_user_;     // GUARDED_BY(mutex_)
  std::map<std::string, Failures, std::less<>> by_address_;  // GUARDED_BY(mutex_)
};

}  // namespace investflow::web
