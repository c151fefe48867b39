#include "storage/store.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "storage/codec.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/wire_json.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

int count_rows(const std::filesystem::path& db_path, const std::string& sql) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  return db.execAndGet(sql).getInt();
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_test_store(db_path()); }
  std::filesystem::path db_path() const { return dir_.file("store.db"); }
  WriteResult write(WriteRequest request) { return store_->write(std::move(request)).get(); }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, CreatesAProjectAndStoresItsProjectionAndHistory) {
  WriteResult created = write(create_request("P-1", "清远华创新材料项目"));
  ASSERT_TRUE(created.accepted()) << created.error;
  EXPECT_EQ(created.version, 1);
  ASSERT_EQ(created.events.size(), 1u);

  auto project = store_->project("P-1");
  ASSERT_TRUE(project);
  ASSERT_TRUE(project->has_value());
  EXPECT_EQ((*project)->state, "lead");
  EXPECT_EQ((*project)->workflow, "mini");
  EXPECT_EQ((*project)->version, 1);
  EXPECT_EQ((*project)->field("name"), engine::Value::text("清远华创新材料项目"));

  auto history = store_->history("P-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ(history->front().event, created.events.front());
  EXPECT_EQ(history->front().previous_hash, kGenesisHash);

  auto missing = store_->project("P-404");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, TransitionsAppendChainedEventsAndOutboxRows) {
  ASSERT_TRUE(write(create_request("P-1", "项目一")).accepted());
  WriteResult submitted = write(transition_request("P-1", "submit", staff(), submit_fields()));
  ASSERT_TRUE(submitted.accepted()) << submitted.error;
  EXPECT_EQ(submitted.version, 2);

  auto history = store_->history("P-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].previous_hash, (*history)[0].hash);
  EXPECT_EQ((*history)[1].event.version, 2);

  // Entering `review` notifies by inbox and by webhook: one outbox row per channel.
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM outbox"), 2);
  EXPECT_EQ(count_rows(db_path(),
                       "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND "
                       "recipients = '[\"owner\",\"role:manager\"]' AND "
                       "triggers = '[\"enter:review\"]'"),
            1);
  auto project = store_->project("P-1");
  ASSERT_TRUE(project && project->has_value());
  EXPECT_EQ((*project)->state, "review");
  EXPECT_EQ((*project)->field("total_investment"), engine::Value::number(5000));
}

TEST_F(StoreTest, ARejectionListsItsReasonsAndWritesNothing) {
  ASSERT_TRUE(write(create_request("P-1", "项目一")).accepted());
  ASSERT_TRUE(write(transition_request("P-1", "submit", staff(),
                                       {{"industry", engine::Value::text("other")},
                                        {"total_investment", engine::Value::number(10)}}))
                  .accepted());
  WriteResult sign = write(transition_request("P-1", "sign", manager()));
  ASSERT_TRUE(sign.rejected());
  EXPECT_EQ(sign.version, 2);
  EXPECT_TRUE(sign.rejection.has(engine::reason::kMissingField));  // signed_on
  EXPECT_TRUE(sign.rejection.has(engine::reason::kGuardFailed));   // total_investment < 1000
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM events"), 2);

  WriteResult wrong_role = write(transition_request("P-1", "back", staff()));
  ASSERT_TRUE(wrong_role.rejected());
  EXPECT_TRUE(wrong_role.rejection.has(engine::reason::kRoleNotAllowed));
}

TEST_F(StoreTest, AStaleExpectedVersionIsRejectedWithTheCurrentVersion) {
  ASSERT_TRUE(write(create_request("P-1", "项目一")).accepted());
  ASSERT_TRUE(write(transition_request("P-1", "submit", staff(), submit_fields(), 1)).accepted());
  WriteResult stale = write(transition_request("P-1", "back", manager(), {}, 1));
  ASSERT_TRUE(stale.rejected());
  EXPECT_TRUE(stale.rejection.has(engine::reason::kStaleVersion));
  EXPECT_EQ(stale.version, 2);
  EXPECT_TRUE(write(transition_request("P-1", "back", manager(), {}, 2)).accepted());
}

TEST_F(StoreTest, UnknownProjectsAndWorkflowsAreRejected) {
  WriteResult no_project = write(transition_request("P-404", "submit", staff()));
  ASSERT_TRUE(no_project.rejected());
  EXPECT_TRUE(no_project.rejection.has(engine::reason::kNoSuchProject));

  WriteRequest request = create_request("P-1", "项目一");
  request.workflow = "no-such-workflow";
  WriteResult no_workflow = write(std::move(request));
  ASSERT_TRUE(no_workflow.rejected());
  EXPECT_TRUE(no_workflow.rejection.has(reason::kNoSuchWorkflow));

  ASSERT_TRUE(write(create_request("P-1", "项目一")).accepted());
  WriteResult duplicate = write(create_request("P-1", "项目一"));
  ASSERT_TRUE(duplicate.rejected());
  EXPECT_TRUE(duplicate.rejection.has(engine::reason::kProjectExists));
}

TEST_F(StoreTest, ARepeatedIdempotencyKeyReturnsTheFirstResult) {
  WriteRequest request = create_request("P-1", "项目一");
  request.idempotency_key = "key-1";
  WriteResult first = write(request);
  ASSERT_TRUE(first.accepted());
  EXPECT_FALSE(first.replayed);

  WriteResult again = write(request);
  ASSERT_TRUE(again.accepted());
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.version, first.version);
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM events"), 1);

  // The same key for a different request is refused, not replayed.
  WriteRequest other = create_request("P-2", "项目二");
  other.idempotency_key = "key-1";
  WriteResult reused = write(other);
  ASSERT_TRUE(reused.rejected());
  EXPECT_TRUE(reused.rejection.has(reason::kIdempotencyKeyReused));

  // Keys are per actor.
  other.actor = staff("staff-2");
  EXPECT_TRUE(write(other).accepted());

  // A rejection is remembered too: the repeat gets the same rejection even after the
  // project has changed so that the command would now be accepted.
  WriteRequest sign = transition_request("P-1", "submit", staff());
  sign.idempotency_key = "key-2";
  WriteResult rejected = write(sign);
  ASSERT_TRUE(rejected.rejected());
  WriteResult rejected_again = write(sign);
  ASSERT_TRUE(rejected_again.rejected());
  EXPECT_TRUE(rejected_again.replayed);
}

TEST_F(StoreTest, IdempotencyKeysSurviveAReopen) {
  WriteRequest request = create_request("P-1", "项目一");
  request.idempotency_key = "key-1";
  WriteResult first = write(request);
  ASSERT_TRUE(first.accepted());
  store_.reset();
  store_ = open_test_store(db_path());
  WriteResult again = write(request);
  ASSERT_TRUE(again.accepted());
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.events, first.events);
}

TEST_F(StoreTest, AnAtomicBatchIsAllOrNothing) {
  std::vector<WriteRequest> batch;
  batch.push_back(create_request("P-1", "项目一"));
  batch.push_back(create_request("P-2", "项目二"));
  batch.push_back(create_request("P-3", "项目三", {{"no_such_field", engine::Value::number(1)}}));
  std::vector<WriteResult> results = store_->write_atomic(batch).get();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].rejection.has(reason::kBatchAborted));
  EXPECT_TRUE(results[1].rejection.has(reason::kBatchAborted));
  EXPECT_TRUE(results[2].rejected());
  EXPECT_FALSE(results[2].rejection.has(reason::kBatchAborted));
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM projects"), 0);
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM events"), 0);

  batch.pop_back();
  batch.push_back(transition_request("P-1", "submit", staff(), submit_fields()));
  results = store_->write_atomic(batch).get();
  for (const auto& result : results)
    EXPECT_TRUE(result.accepted()) << result.error;
  EXPECT_EQ(count_rows(db_path(), "SELECT count(*) FROM events"), 3);
}

TEST_F(StoreTest, ARegisteredWorkflowVersionCannotChangeItsText) {
  auto changed = store_->register_workflow(mini_workflow(), std::string(kMiniWorkflow) + "\n# x");
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().kind, Error::Kind::invalid_request);
  // The same text again is fine (every start of the server registers its workflows).
  EXPECT_TRUE(store_->register_workflow(mini_workflow(), kMiniWorkflow));
  auto stored = store_->stored_workflows();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().source, kMiniWorkflow);
}

TEST_F(StoreTest, CommandsQueuedTogetherEachGetTheirOwnResult) {
  ASSERT_TRUE(write(create_request("P-1", "项目一")).accepted());
  std::vector<std::future<WriteResult>> futures;
  // Interleaved accepted and rejected commands on one project, queued at once.
  for (int i = 0; i < 50; ++i) {
    futures.push_back(store_->write(transition_request("P-1", "submit", staff(), submit_fields())));
    futures.push_back(store_->write(transition_request("P-1", "back", manager())));
    futures.push_back(store_->write(transition_request("P-1", "no_such_transition", staff())));
  }
  for (int i = 0; i < 150; ++i) {
    WriteResult result = futures[static_cast<std::size_t>(i)].get();
    if (i % 3 == 2) {
      EXPECT_TRUE(result.rejected());
    } else {
      EXPECT_TRUE(result.accepted()) << i << " " << result.error;
    }
  }
  auto project = store_->project("P-1");
  ASSERT_TRUE(project && project->has_value());
  EXPECT_EQ((*project)->version, 101);
  EXPECT_EQ((*project)->state, "lead");
}

}  // namespace
}  // namespace investflow::storage

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

// Every durability setting acknowledges the same commands and keeps them across a reopen.
TEST(StoreSettings, EveryFlushModeAcknowledgesAndKeepsCommands) {
  struct Mode {
    Synchronous synchronous;
    bool overlap_flush;
  };
  for (const Mode mode : {Mode{Synchronous::full, true}, Mode{Synchronous::full, false},
                          Mode{Synchronous::normal, true}, Mode{Synchronous::off, false}}) {
    TempDir dir;
    SqliteOptions options;
    options.synchronous = mode.synchronous;
    options.overlap_flush = mode.overlap_flush;
    {
      auto store = open_test_store(dir.file("modes.db"), options);
      ASSERT_TRUE(store);
      std::vector<std::future<WriteResult>> results;
      for (int i = 0; i < 20; ++i) {
        results.push_back(store->write(create_request("P-" + std::to_string(i), "项目")));
      }
      for (auto& result : results)
        EXPECT_TRUE(result.get().accepted());
    }
    auto reopened = open_test_store(dir.file("modes.db"), options);
    ASSERT_TRUE(reopened);
    ProjectQuery query;
    query.limit = 100;
    auto page = reopened->list_projects(query);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->projects.size(), 20u);
  }
}

}  // namespace
}  // namespace investflow::storage

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST(StoreSettings, IdempotencyKeysExpireAfterADay) {
  TempDir dir;
  auto clock = std::make_shared<engine::FixedClock>(kMonday);
  SqliteOptions options;
  options.clock = clock;
  auto store = open_test_store(dir.file("expiry.db"), options);
  ASSERT_TRUE(store);
  WriteRequest request = create_request("P-1", "项目一");
  request.idempotency_key = "key-1";
  ASSERT_TRUE(store->write(request).get().accepted());
  clock->advance_ms(23LL * 3600 * 1000);
  ASSERT_TRUE(store->write(create_request("P-2", "项目二")).get().accepted());
  EXPECT_TRUE(store->write(request).get().replayed);  // still remembered

  clock->advance_ms(2LL * 3600 * 1000);  // 25 hours after the first request
  ASSERT_TRUE(store->write(create_request("P-3", "项目三")).get().accepted());
  WriteResult late = store->write(request).get();
  EXPECT_FALSE(late.replayed);  // forgotten: decided afresh, and P-1 exists by now
  EXPECT_TRUE(late.rejection.has(engine::reason::kProjectExists));
}

}  // namespace
}  // namespace investflow::storage

namespace investflow::storage {
namespace {

TEST(StoreStatsTest, CountCommitsTransitionsAndTheOutboxWithoutReplays) {
  TempDir dir;
  auto store = open_test_store(dir.file("stats.db"));
  const StoreStats fresh = store->stats();
  EXPECT_EQ(fresh.queued_commands, 0);
  EXPECT_EQ(fresh.commands_committed, 0);
  EXPECT_EQ(fresh.transitions_committed, 0);
  EXPECT_EQ(fresh.outbox_pending, 0);

  ASSERT_TRUE(store->write(create_request("P-1", "项目一")).get().accepted());
  WriteRequest submit = transition_request("P-1", "submit", staff(), submit_fields());
  submit.idempotency_key = "k-1";
  ASSERT_TRUE(store->write(submit).get().accepted());
  // A repeat of the key changes nothing, so it counts nothing; a rejection neither.
  EXPECT_TRUE(store->write(submit).get().replayed);
  EXPECT_TRUE(store->write(transition_request("P-404", "submit", staff(), {})).get().rejected());

  const StoreStats after = store->stats();
  EXPECT_EQ(after.queued_commands, 0);
  EXPECT_EQ(after.commands_committed, 2);
  EXPECT_EQ(after.transitions_committed, 1);
  EXPECT_GE(after.batches_committed, 2);
  SQLite::Database db(dir.file("stats.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(after.outbox_pending,
            db.execAndGet("SELECT count(*) FROM outbox WHERE status = 'pending'").getInt64());
  EXPECT_GT(after.outbox_pending, 0);
}

TEST(StoreProjectJson, IsTheWireJsonOfTheStoredProjection) {
  TempDir dir;
  auto store = open_test_store(dir.file("json.db"));
  ASSERT_TRUE(store->write(create_request("P-1", "项目一")).get().accepted());
  ASSERT_TRUE(
      store->write(transition_request("P-1", "submit", staff(), submit_fields())).get().accepted());
  auto project = store->project("P-1");
  auto stored = store->project_json("P-1");
  ASSERT_TRUE(project && project->has_value());
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->version, 2);
  EXPECT_EQ((*stored)->body, encode_project_wire(**project));
  auto missing = store->project_json("P-404");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace investflow::storage
