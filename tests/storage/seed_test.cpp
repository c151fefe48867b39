#include "storage/seed.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "storage/operations.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

ShippedWorkflow qingyuan() {
  return shipped_workflow("qingyuan-investment");
}

SeedReport seed_into(const std::filesystem::path& path, int projects, std::uint64_t seed) {
  ShippedWorkflow shipped = qingyuan();
  EXPECT_TRUE(shipped.workflow);
  if (!shipped.workflow) return {};
  auto store = open_sqlite_store(path);
  EXPECT_TRUE(store);
  EXPECT_TRUE((*store)->register_workflow(shipped.workflow, shipped.source));
  SeedOptions options;
  options.projects = projects;
  options.seed = seed;
  options.now = kMonday;
  auto report = seed_projects(**store, *shipped.workflow, options);
  EXPECT_TRUE(report);
  return report ? *report : SeedReport{};
}

TEST(Seed, MakesARealisticPipelineThroughTheRealWritePath) {
  TempDir dir;
  const auto path = dir.file("seed.db");
  SeedReport report = seed_into(path, 300, 7);
  EXPECT_EQ(report.failed, 0) << report.first_failure;
  EXPECT_EQ(report.projects, 300);
  // Spread over the pipeline: early stages, landing stages and ends all present.
  EXPECT_GE(report.by_state.size(), 10u);
  for (const char* state : {"negotiating", "under_construction", "rejected"}) {
    EXPECT_GT(report.by_state[state], 0) << state;
  }
  EXPECT_GT(report.commands, 300 * 4);

  SQLite::Database db(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM events").getInt64(), report.commands);
  EXPECT_GT(db.execAndGet("SELECT count(*) FROM events WHERE type = 'vote_cast'").getInt(), 0);
  EXPECT_GT(db.execAndGet("SELECT count(*) FROM events WHERE type = 'followup_recorded'").getInt(),
            0);
  EXPECT_GT(
      db.execAndGet("SELECT count(*) FROM events WHERE payload LIKE '%\"escalate\"%'").getInt(), 0);
  EXPECT_GT(db.execAndGet("SELECT count(*) FROM outbox").getInt(), 0);
  EXPECT_GT(db.execAndGet("SELECT count(DISTINCT industry) FROM projects").getInt(), 3);
  // Histories end before "now".
  EXPECT_LT(db.execAndGet("SELECT max(at) FROM events").getInt64(), kMonday);

  auto verified = verify_database(path);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problems.front().message;
}

TEST(Seed, TheSameSeedGivesTheSameData) {
  TempDir dir;
  SeedReport a = seed_into(dir.file("a.db"), 40, 11);
  SeedReport b = seed_into(dir.file("b.db"), 40, 11);
  EXPECT_EQ(a.by_state, b.by_state);
  EXPECT_EQ(a.commands, b.commands);
  SQLite::Database db_a(dir.file("a.db"), SQLite::OPEN_READONLY);
  SQLite::Database db_b(dir.file("b.db"), SQLite::OPEN_READONLY);
  const char* digest =
      "SELECT group_concat(hex(head_hash), '') FROM (SELECT head_hash FROM projects ORDER BY id)";
  EXPECT_EQ(db_a.execAndGet(digest).getString(), db_b.execAndGet(digest).getString());
}

}  // namespace
}  // namespace investflow::storage
