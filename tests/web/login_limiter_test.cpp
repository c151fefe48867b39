// Failed logins per user and per address, in a sliding window.
#include "web/login_limiter.hpp"

#include <gtest/gtest.h>

namespace investflow::web {
namespace {

constexpr engine::Timestamp kMinute = 60 * 1000;

TEST(LoginLimiter, BlocksAUserAfterTooManyFailuresUntilTheOldestLeavesTheWindow) {
  LoginLimiter limiter(LoginLimits{3, 100, std::chrono::minutes(10)});
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.retry_after("li", "10.0.0.1", i * kMinute));
    limiter.record_failure("li", "10.0.0.1", i * kMinute);
  }
  // Blocked from any address; the first failure (t=0) leaves the window at t=10 min.
  const auto wait = limiter.retry_after("li", "10.0.0.2", 3 * kMinute);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 7 * 60);
  EXPECT_FALSE(limiter.retry_after("wang", "10.0.0.2", 3 * kMinute));
  EXPECT_FALSE(limiter.retry_after("li", "10.0.0.2", 10 * kMinute));
}

TEST(LoginLimiter, BlocksAnAddressTryingManyUsers) {
  LoginLimiter limiter(LoginLimits{100, 4, std::chrono::minutes(10)});
  for (int i = 0; i < 4; ++i)
    limiter.record_failure("user" + std::to_string(i), "10.0.0.9", 0);
  EXPECT_TRUE(limiter.retry_after("someone", "10.0.0.9", kMinute));
  EXPECT_FALSE(limiter.retry_after("someone", "10.0.0.8", kMinute));
}

TEST(LoginLimiter, SuccessClearsTheUsersCount) {
  LoginLimiter limiter(LoginLimits{2, 100, std::chrono::minutes(10)});
  limiter.record_failure("li", "a", 0);
  limiter.record_success("li");
  limiter.record_failure("li", "a", 1);
  EXPECT_FALSE(limiter.retry_after("li", "a", 2));
  limiter.record_failure("li", "a", 3);
  EXPECT_TRUE(limiter.retry_after("li", "a", 4));
}

}  // namespace
}  // namespace investflow::web
