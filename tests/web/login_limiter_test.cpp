// Failed logins: growing delays per account (never a lock), a window per address.
#include "web/login_limiter.hpp"

#include <gtest/gtest.h>

namespace investflow::web {
namespace {

constexpr engine::Timestamp kSecond = 1000;
constexpr engine::Timestamp kMinute = 60 * kSecond;

TEST(LoginLimiter, AnAccountsWaitGrowsWithEachFailurePastTheFreeOnesUpToTheCap) {
  LoginLimiter limiter(LoginLimits{3, std::chrono::seconds(30), 100, std::chrono::minutes(15)});
  engine::Timestamp now = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.retry_after("li", "10.0.0.1", now));
    limiter.record_failure("li", "10.0.0.1", now);
  }
  EXPECT_FALSE(limiter.retry_after("li", "10.0.0.1", now)) << "three failures are free";
  // Each further failure doubles the wait, from any address, up to 30 s.
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 8; ++i) {
    limiter.record_failure("li", "10.0.0.1", now);
    const auto wait = limiter.retry_after("li", "10.0.0.2", now);
    ASSERT_TRUE(wait);
    waits.push_back(*wait);
    now += *wait * kSecond;
    EXPECT_FALSE(limiter.retry_after("li", "10.0.0.2", now)) << "free again after the wait";
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{1, 2, 4, 8, 16, 30, 30, 30}));
  // Other accounts are not affected; the window forgets.
  limiter.record_failure("li", "10.0.0.1", now);
  EXPECT_FALSE(limiter.retry_after("wang", "10.0.0.3", now));
  EXPECT_TRUE(limiter.retry_after("li", "10.0.0.3", now));
  EXPECT_FALSE(limiter.retry_after("li", "10.0.0.3", now + 16 * kMinute));
}

TEST(LoginLimiter, RefusedTriesDoNotCountSoTheOwnerNeverWaitsLongerThanTheCap) {
  LoginLimiter limiter(LoginLimits{3, std::chrono::seconds(30), 1000, std::chrono::minutes(15)});
  // A guesser hammering an account as fast as it can: refused tries are not failures.
  engine::Timestamp now = 0;
  for (int i = 0; i < 10'000; ++i, now += 10) {
    if (!limiter.retry_after("admin", "203.0.113.9", now)) {
      limiter.record_failure("admin", "203.0.113.9", now);
    }
  }
  const auto wait = limiter.retry_after("admin", "198.51.100.7", now);
  ASSERT_TRUE(wait);
  EXPECT_LE(*wait, 30);
  EXPECT_FALSE(limiter.retry_after("admin", "198.51.100.7", now + 30 * kSecond));
}

TEST(LoginLimiter, BlocksAnAddressTryingManyUsersUntilTheOldestLeavesTheWindow) {
  LoginLimiter limiter(LoginLimits{100, std::chrono::seconds(30), 4, std::chrono::minutes(10)});
  for (int i = 0; i < 4; ++i)
    limiter.record_failure("user" + std::to_string(i), "10.0.0.9", i * kMinute);
  const auto wait = limiter.retry_after("someone", "10.0.0.9", 4 * kMinute);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 6 * 60);
  EXPECT_FALSE(limiter.retry_after("someone", "10.0.0.8", 4 * kMinute));
  EXPECT_FALSE(limiter.retry_after("someone", "10.0.0.9", 10 * kMinute));
}

TEST(LoginLimiter, SuccessClearsTheAccountsCount) {
  LoginLimiter limiter(LoginLimits{1, std::chrono::seconds(30), 100, std::chrono::minutes(10)});
  limiter.record_failure("li", "a", 0);
  limiter.record_success("li");
  limiter.record_failure("li", "a", 1);
  EXPECT_FALSE(limiter.retry_after("li", "a", 2));
  limiter.record_failure("li", "a", 3);
  EXPECT_TRUE(limiter.retry_after("li", "a", 4));
}

}  // namespace
}  // namespace investflow::web
