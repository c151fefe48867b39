// kill -9 during writes: every transition the store acknowledged must be in the database
// exactly once after a restart, with its notifications, and every hash chain must verify.
// The child (tests/support/crash_writer.cpp) prints each acknowledgement; we SIGKILL it at
// random moments.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "storage/operations.hpp"
#include "storage_test_support.hpp"
#include "tests/support/crash_harness.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

using investflow::testing::Ack;
using investflow::testing::CrashWriterMode;

TEST(Crash, AcknowledgedTransitionsSurviveKillNine) {
  TempDir dir;
  const auto db = dir.file("crash.db");
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::uniform_int_distribution<int> lifetime_ms(150, 900);

  std::size_t total_acks = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 0; round < 15; ++round) {
    const std::vector<Ack> acks = investflow::testing::run_and_kill(
        CrashWriterMode::store, db, round, std::chrono::milliseconds(lifetime_ms(random)));
    total_acks += acks.size();

    SQLite::Database check(db, SQLite::OPEN_READONLY);
    SQLite::Statement event(check,
                            "SELECT count(*), max(payload), max(id) FROM events "
                            "WHERE project_id = ? AND seq = ?");
    SQLite::Statement outbox(check, "SELECT count(*) FROM outbox WHERE event_id = ?");
    for (const Ack& ack : acks) {
      event.reset();
      event.bind(1, ack.project);
      event.bind(2, ack.version);
      ASSERT_TRUE(event.executeStep());
      ASSERT_EQ(event.getColumn(0).getInt(), 1)
          << "round " << round << ": acknowledged " << ack.project << " v" << ack.version
          << " is missing";
      if (ack.what != "create") {
        EXPECT_NE(event.getColumn(1).getString().find("\"transition\":\"" + ack.what + "\""),
                  std::string::npos);
      }
      if (ack.what == "submit") {  // entering review notifies by inbox and webhook
        outbox.reset();
        outbox.bind(1, event.getColumn(2).getInt64());
        ASSERT_TRUE(outbox.executeStep());
        EXPECT_EQ(outbox.getColumn(0).getInt(), 2);
      }
    }
  }
  EXPECT_GT(total_acks, 50u) << "the child hardly wrote anything; the test proves little";
  auto report = verify_database(db);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(45));
}

}  // namespace
}  // namespace investflow::storage
