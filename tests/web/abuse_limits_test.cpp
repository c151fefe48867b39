// The accounting behind the abuse limits, without sockets: connections per address, event
// streams per user, and the one memory budget all streams share.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "web/address_slots.hpp"
#include "web/stream_budget.hpp"
#include "web/user_streams.hpp"

namespace investflow::web {
namespace {

TEST(AddressSlots, RefusesPastTheLimitPerAddressAndFreesOnDestruction) {
  AddressSlots slots(2);
  auto first = slots.acquire("198.51.100.7");
  auto second = slots.acquire("198.51.100.7");
  EXPECT_TRUE(first);
  EXPECT_TRUE(second);
  EXPECT_FALSE(slots.acquire("198.51.100.7"));
  EXPECT_EQ(slots.open("198.51.100.7"), 2u);  // the refusal took nothing
  // Another address is counted on its own.
  EXPECT_TRUE(slots.acquire("198.51.100.8"));
  EXPECT_EQ(slots.open("198.51.100.8"), 0u);  // that slot is gone again

  // Moved along (session to lingering close), still one place; destroyed, place free.
  AddressSlots::Slot moved = std::move(first);
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(slots.open("198.51.100.7"), 2u);
  moved = AddressSlots::Slot();
  EXPECT_EQ(slots.open("198.51.100.7"), 1u);
  EXPECT_TRUE(slots.acquire("198.51.100.7"));
}

TEST(AddressSlots, ZeroMeansNoLimit) {
  AddressSlots slots(0);
  std::vector<AddressSlots::Slot> held;
  for (int i = 0; i < 1000; ++i) {
    held.push_back(slots.acquire("::1"));
    ASSERT_TRUE(held.back());
  }
  EXPECT_EQ(slots.open("::1"), 1000u);
  held.clear();
  EXPECT_EQ(slots.open("::1"), 0u);
}

TEST(UserStreams, RefusesTheStreamPastTheLimitUntilOneCloses) {
  UserStreams streams(8);
  std::vector<std::shared_ptr<void>> leases;
  for (int i = 0; i < 8; ++i) {
    leases.push_back(streams.open("zhang"));
    ASSERT_NE(leases.back(), nullptr);
  }
  EXPECT_EQ(streams.open("zhang"), nullptr);
  EXPECT_EQ(streams.refused(), 1u);
  EXPECT_NE(streams.open("li"), nullptr);  // other users are not affected
  auto copy = leases.front();              // a lease shared is still one stream
  leases.erase(leases.begin());
  EXPECT_EQ(streams.open("zhang"), nullptr);
  copy.reset();
  EXPECT_EQ(streams.open_count("zhang"), 7u);
  EXPECT_NE(streams.open("zhang"), nullptr);
}

TEST(StreamBudget, AStreamMayHoldItsFairShare) {
  StreamBudget budget(4 * 1024 * 1024);
  auto only = budget.open();
  EXPECT_EQ(budget.fair_share(), 4u * 1024 * 1024);  // alone: the whole budget
  auto second = budget.open();
  EXPECT_EQ(budget.fair_share(), 2u * 1024 * 1024);
  EXPECT_TRUE(only.reserve(2 * 1024 * 1024));
  EXPECT_FALSE(only.reserve(1));  // past its share
  EXPECT_EQ(only.queued(), 2u * 1024 * 1024);
  only.release(1024 * 1024);  // written
  EXPECT_TRUE(only.reserve(1));
  EXPECT_EQ(budget.used(), 1024u * 1024 + 1);
  second = StreamBudget::Account();  // closed: its share goes to the others
  EXPECT_EQ(budget.streams(), 1u);
  EXPECT_TRUE(only.reserve(2 * 1024 * 1024));
}

TEST(StreamBudget, ManyStalledStreamsStayWithinTheBudget) {
  // A thousand readers that never read, each offered events until refused: together they
  // hold no more than the budget, however the shares fall.
  constexpr std::size_t kBudget = 8 * 1024 * 1024;
  StreamBudget budget(kBudget);
  std::vector<StreamBudget::Account> stalled;
  const std::size_t event = 300;
  std::size_t refusals = 0;
  for (int i = 0; i < 1000; ++i) {
    stalled.push_back(budget.open());
    for (auto& account : stalled) {
      if (!account) continue;
      if (!account.reserve(event)) {
        account = StreamBudget::Account();  // the server closes it
        ++refusals;
      }
      ASSERT_LE(budget.used(), kBudget);
    }
  }
  for (int round = 0; round < 100'000 && budget.streams() > 0; ++round) {
    for (auto& account : stalled) {
      if (account && !account.reserve(64 * 1024)) {
        account = StreamBudget::Account();
        ++refusals;
      }
    }
    ASSERT_LE(budget.used(), kBudget);
  }
  EXPECT_GT(refusals, 0u);
  EXPECT_EQ(budget.streams(), 0u);
  EXPECT_EQ(budget.used(), 0u);  // every closed stream gave its bytes back
}

TEST(StreamBudget, OneCatchUpBatchAlwaysFitsAStreamsShare) {
  // However many streams are open, each may hold kMinimumShare (when the budget has room):
  // a stream resuming far behind gets its first batch rather than being closed forever.
  StreamBudget budget(64 * 1024 * 1024);
  std::vector<StreamBudget::Account> open;
  for (int i = 0; i < 2000; ++i)
    open.push_back(budget.open());
  EXPECT_EQ(budget.fair_share(), StreamBudget::kMinimumShare);
  EXPECT_TRUE(open.back().reserve(500 * 400));  // 500 events of 400 bytes
  // A budget smaller than the minimum share is the most one stream may hold.
  StreamBudget tiny(1000);
  auto alone = tiny.open();
  EXPECT_EQ(tiny.fair_share(), 1000u);
  EXPECT_FALSE(alone.reserve(1001));
  EXPECT_TRUE(alone.reserve(1000));
}

}  // namespace
}  // namespace investflow::web
