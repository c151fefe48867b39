// The PostgreSQL store (issue 21) on a real PostgreSQL 15 that the test starts itself
// (tests/support/pg_server.hpp): writes and reads through the Store interface, the log's
// append-only rules, several stores (servers) writing the same projects at once, kill -9,
// and `investflow init` / `verify` with a URI. Skipped, saying why, where PostgreSQL
// cannot start.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "app/commands_storage.hpp"
#include "storage/audit.hpp"
#include "storage/codec.hpp"
#include "storage/list_cursor.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_lease.hpp"
#include "storage/pg_schema.hpp"
#include "storage_test_support.hpp"
#include "tests/support/crash_harness.hpp"
#include "tests/support/pg_server.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

std::unique_ptr<Store> open_pg_test_store(const std::string& uri) {
  PgOptions options;
  options.clock = std::make_shared<engine::FixedClock>(kMonday);
  auto store = open_pg_store(uri, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  auto registered = (*store)->register_workflow(mini_workflow(), kMiniWorkflow);
  if (!registered) ADD_FAILURE() << registered.error().message;
  return std::move(*store);
}

TEST(PgStore, InitCreatesTheSchemaOnceAndRefusesANewerOne) {
  PG_DATABASE_OR_SKIP(uri);
  auto first = init_pg_database(uri);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, kPgSchemaVersion);
  auto again = init_pg_database(uri);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, kPgSchemaVersion);
  PgConnection connection(uri);
  connection.exec("UPDATE investflow_schema SET version = 99");
  auto newer = init_pg_database(uri);
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos) << newer.error().message;
}

TEST(PgStore, CommandsAreDecidedWrittenAndReadBackWithTheirChainsAndNotifications) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_test_store(uri);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(create_request("P-1", "光电项目")).get().accepted());
  const WriteResult submitted =
      store->write(transition_request("P-1", "submit", staff(), submit_fields(), 1)).get();
  ASSERT_TRUE(submitted.accepted()) << submitted.error;
  EXPECT_EQ(submitted.version, 2);
  // A stale expected version and a missing required field are the engine's rejections.
  const WriteResult stale = store->write(transition_request("P-1", "back", manager(), {}, 1)).get();
  ASSERT_TRUE(stale.rejected());
  EXPECT_EQ(stale.version, 2);
  ASSERT_TRUE(store->write(create_request("P-2", "新材料")).get().accepted());
  EXPECT_TRUE(store->write(transition_request("P-2", "submit", staff())).get().rejected());
  EXPECT_TRUE(store->write(transition_request("NOPE", "submit", staff())).get().rejected());

  auto project = store->project("P-1");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->state, "review");
  EXPECT_EQ((*project)->version, 2);
  EXPECT_EQ((*project)->field("industry"), engine::Value::text("electronics"));

  auto history = store->history("P-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].previous_hash, kGenesisHash);
  EXPECT_EQ((*history)[1].previous_hash, (*history)[0].hash);
  EXPECT_EQ((*history)[1].hash, chain_hash((*history)[0].hash, encode_event((*history)[1].event)));

  auto last = store->last_event_id();
  ASSERT_TRUE(last);
  auto all = store->events_after(0, 100);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(all->back().id, *last);

  // Entering review notifies by inbox and webhook: two outbox rows with the event.
  PgConnection connection(uri);
  PgResult outbox = connection.exec(
      "SELECT channel FROM outbox JOIN events ON events.id = outbox.event_id "
      "WHERE events.project_id = 'P-1' AND events.seq = 2 ORDER BY channel");
  ASSERT_EQ(outbox.rows(), 2);
  EXPECT_EQ(outbox.text(0, 0), "inbox");
  EXPECT_EQ(outbox.text(1, 0), "webhook");

  auto counts = store->projects_by_version("mini");
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].state, "lead");
  EXPECT_EQ((*counts)[1].state, "review");

  store.reset();
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
  EXPECT_EQ(report->projects, 2);
  EXPECT_EQ(report->events, 3);
}

TEST(PgStore, IdempotencyKeysAndAtomicBatches) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_test_store(uri);
  ASSERT_TRUE(store);
  WriteRequest create = create_request("P-1", "一号");
  create.idempotency_key = "k-1";
  const WriteResult first = store->write(create).get();
  ASSERT_TRUE(first.accepted());
  const WriteResult repeat = store->write(create).get();
  EXPECT_TRUE(repeat.accepted());
  EXPECT_TRUE(repeat.replayed);
  EXPECT_EQ(repeat.version, first.version);
  WriteRequest other = create_request("P-9", "另一个");
  other.idempotency_key = "k-1";
  const WriteResult reused = store->write(other).get();
  ASSERT_TRUE(reused.rejected());
  EXPECT_EQ(reused.rejection.reasons.front().code, reason::kIdempotencyKeyReused);

  // All or nothing: the second command is rejected, so the first is not written either.
  std::vector<WriteRequest> batch;
  batch.push_back(create_request("P-2", "二号"));
  batch.push_back(transition_request("P-1", "sign", manager()));
  const auto results = store->write_atomic(std::move(batch)).get();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].rejected());
  EXPECT_EQ(results[0].rejection.reasons.front().code, reason::kBatchAborted);
  EXPECT_TRUE(results[1].rejected());
  auto missing = store->project("P-2");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  std::vector<WriteRequest> good;
  good.push_back(create_request("P-2", "二号"));
  good.push_back(transition_request("P-1", "submit", staff(), submit_fields()));
  for (const WriteResult& result : store->write_atomic(std::move(good)).get()) {
    EXPECT_TRUE(result.accepted())
        << result.error << (result.rejected() ? result.rejection.reasons.front().code : "");
  }
  store.reset();
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
}

TEST(PgStore, TheEventLogIsAppendOnlyAndTheServersRoleMayOnlyInsertIntoIt) {
  PG_DATABASE_OR_SKIP(uri);
  {
    auto store = open_pg_test_store(uri);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write(create_request("P-1", "一号")).get().accepted());
  }
  PgConnection connection(uri);
  for (const std::string sql :
       {"UPDATE events SET actor = 'x'", "DELETE FROM events", "TRUNCATE events CASCADE"}) {
    try {
      connection.exec(sql);
      ADD_FAILURE() << sql << " was allowed";
    } catch (const PgError& error) {
      EXPECT_NE(std::string(error.what()).find("append-only"), std::string::npos) << error.what();
    }
  }
  // The role a server connects as: SELECT and INSERT on the log, nothing more, even with
  // the triggers out of the way.
  connection.exec("BEGIN");
  connection.exec("ALTER TABLE events DISABLE TRIGGER USER");
  connection.exec("SET LOCAL ROLE " + std::string(kPgServerRole));
  EXPECT_EQ(connection.exec("SELECT count(*) FROM events").number(0, 0), 1);
  try {
    connection.exec("UPDATE events SET actor = 'x'");
    ADD_FAILURE() << "the server's role could update the log";
  } catch (const PgError& error) {
    EXPECT_EQ(error.sqlstate(), "42501") << error.what();  // insufficient_privilege
  }
  connection.exec("ROLLBACK");
}

TEST(PgStore, VerifyFindsAnEventChangedBehindTheStoresBack) {
  PG_DATABASE_OR_SKIP(uri);
  {
    auto store = open_pg_test_store(uri);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write(create_request("P-1", "一号")).get().accepted());
    ASSERT_TRUE(store->write(transition_request("P-1", "submit", staff(), submit_fields()))
                    .get()
                    .accepted());
  }
  PgConnection connection(uri);
  connection.exec("ALTER TABLE events DISABLE TRIGGER events_no_update");
  connection.exec("UPDATE events SET payload = replace(payload, 'electronics', 'other')");
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_FALSE(report->ok());
  bool bad_hash = false;
  for (const VerifyProblem& problem : report->problems)
    bad_hash = bad_hash || (problem.kind == VerifyProblem::Kind::bad_hash && problem.seq == 2);
  EXPECT_TRUE(bad_hash) << report->problems.front().message;
}

// Two stores on one database are two servers: each decides against the project as stored
// and only one of two commands on the same version commits. Every accepted command is in
// the log exactly once, in a chain that verifies.
TEST(PgStore, SeveralStoresWritingTheSameProjectsLoseNoUpdate) {
  PG_DATABASE_OR_SKIP(uri);
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < 3; ++i) {
    stores.push_back(open_pg_test_store(uri));
    ASSERT_TRUE(stores.back());
  }
  constexpr int kProjects = 4;
  for (int p = 0; p < kProjects; ++p) {
    ASSERT_TRUE(
        stores[0]->write(create_request("P-" + std::to_string(p), "项目")).get().accepted());
  }
  std::atomic<int> accepted{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Store& store = *stores[static_cast<std::size_t>(t) % stores.size()];
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 40; ++i) {
        const std::string id = "P-" + std::to_string(random() % kProjects);
        auto current = store.project(id);
        if (!current || !*current) {
          ++failed;
          continue;
        }
        const bool in_review = (*current)->state == "review";
        const WriteResult result =
            store
                .write(transition_request(
                    id, in_review ? "back" : "submit", in_review ? manager() : staff(),
                    in_review ? engine::FieldMap{} : submit_fields(), (*current)->version))
                .get();
        if (result.accepted()) {
          ++accepted;
        } else if (!result.rejected()) {
          ++failed;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failed.load(), 0);
  std::int64_t versions = 0;
  for (int p = 0; p < kProjects; ++p) {
    auto project = stores[1]->project("P-" + std::to_string(p));
    ASSERT_TRUE(project && *project);
    versions += (*project)->version - 1;
  }
  EXPECT_GT(accepted.load(), 10);
  EXPECT_EQ(versions, accepted.load()) << "an accepted transition is missing, or one too many";
  stores.clear();
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
}

// A writer decides its batch and writes its projects' rows before it takes its turn on the
// log. One that read a project another server then changed runs its batch again, with the
// turn first, and so decides on what that server wrote: here it refuses a command made for
// the version both read.
TEST(PgStore, AWriterThatLostARaceRunsItsBatchAgainOnWhatTheOtherWrote) {
  PG_DATABASE_OR_SKIP(uri);
  auto first = open_pg_test_store(uri);
  auto second = open_pg_test_store(uri);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->write(create_request("P-1", "项目")).get().accepted());
  PgConnection watch(uri);
  const auto waiting = [&watch] {
    return watch
        .exec(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
            "datname = current_database()")
        .number(0, 0);
  };
  const auto wait_for = [&](std::int64_t count) {
    for (int i = 0; i < 500 && waiting() < count; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return waiting() == count;
  };
  // Nobody gets the turn until `hold` commits: both writers are caught between their
  // decision and the log.
  PgConnection hold(uri);
  hold.exec("BEGIN");
  hold.exec("SELECT last_id FROM log_head FOR UPDATE");
  auto won = second->write(transition_request("P-1", "submit", staff(), submit_fields(), 1));
  ASSERT_TRUE(wait_for(1)) << "the second writer never waited for its turn";
  auto lost = first->write(transition_request("P-1", "submit", staff(), submit_fields(), 1));
  ASSERT_TRUE(wait_for(2)) << "the first writer never waited for the project's row";
  hold.exec("COMMIT");
  const WriteResult winner = won.get();
  const WriteResult loser = lost.get();
  EXPECT_TRUE(winner.accepted()) << winner.error;
  ASSERT_TRUE(loser.rejected()) << "the command was decided on the version it no longer has";
  EXPECT_EQ(loser.version, 2);
  EXPECT_EQ(first->stats().batches_run_again, 1);
  EXPECT_EQ(second->stats().batches_run_again, 0);
  auto project = first->project("P-1");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->version, 2);
  first.reset();
  second.reset();
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
}

// The login the servers use, granted investflow_server (docs/operations.md), on the
// database `uri` names; dropped with the test's database server.
std::string server_login_uri(PgConnection& admin, const std::string& uri) {
  const std::string login =
      "app_" + std::string(admin.exec("SELECT current_database()").text(0, 0));
  admin.exec("CREATE ROLE " + login + " LOGIN IN ROLE " + std::string(kPgServerRole));
  return std::regex_replace(uri, std::regex("user=postgres"), "user=" + login);
}

// A server on that login opens a database `init` made (no DDL: it may create nothing) and
// writes through it; an older schema it cannot migrate is refused, saying why.
TEST(PgStore, AServerOnTheServerRolesLoginOpensTheDatabaseAndWrites) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_TRUE(open_pg_test_store(uri));
  PgConnection admin(uri);
  const std::string app_uri = server_login_uri(admin, uri);
  {
    auto app = open_pg_test_store(app_uri);
    ASSERT_TRUE(app);
    ASSERT_TRUE(app->write(create_request("P-1", "项目")).get().accepted());
    EXPECT_TRUE(app->write(transition_request("P-1", "submit", staff(), submit_fields(), 1))
                    .get()
                    .accepted());
  }
  admin.exec("UPDATE investflow_schema SET version = version - 1");
  auto older = open_pg_store(app_uri, PgOptions{});
  ASSERT_FALSE(older);
  EXPECT_NE(older.error().message.find("permission denied"), std::string::npos)
      << older.error().message;
}

// A batch is answered once its commit is on disk: the commit gives up the log's turn
// without waiting for the disk, and a flush (a message committed to the WAL) follows it.
// When that flush fails, the batch stands but its caller hears "unavailable" (503): it is
// neither refused nor run again, and the project moves once.
TEST(PgStore, ABatchWhoseFlushFailsIsAnsweredUnavailableAndNotRunAgain) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_TRUE(open_pg_test_store(uri));  // the schema, made by the tables' owner
  PgConnection admin(uri);
  const std::string app_uri = server_login_uri(admin, uri);
  {
    auto app = open_pg_test_store(app_uri);
    ASSERT_TRUE(app);
    ASSERT_TRUE(app->write(create_request("P-1", "项目")).get().accepted());
    admin.exec(
        "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_logical_emit_message(boolean, text, text) "
        "FROM PUBLIC");
    const WriteResult unknown =
        app->write(transition_request("P-1", "submit", staff(), submit_fields(), 1)).get();
    EXPECT_FALSE(unknown.accepted());
    EXPECT_FALSE(unknown.rejected());
    EXPECT_EQ(unknown.fault, Fault::unavailable) << unknown.error;
    EXPECT_EQ(app->stats().batches_run_again, 0);
    EXPECT_EQ(admin.exec("SELECT count(*) FROM events WHERE project_id = 'P-1'").number(0, 0), 2);
    admin.exec(
        "GRANT EXECUTE ON FUNCTION pg_catalog.pg_logical_emit_message(boolean, text, text) TO "
        "PUBLIC");
    // The writer reads again what it wrote: the project is at version 2.
    const WriteResult again =
        app->write(transition_request("P-1", "submit", staff(), submit_fields(), 1)).get();
    ASSERT_TRUE(again.rejected()) << again.error;
    EXPECT_EQ(again.version, 2);
    EXPECT_TRUE(app->write(create_request("P-2", "二号")).get().accepted());
  }
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
}

// A writer keeps the children lists it read (a parent's guards count its open children)
// until a child changes: here on another server, which it learns from the log.
TEST(PgStore, AChildChangedOnAnotherServerCountsForItsParentAtOnce) {
  PG_DATABASE_OR_SKIP(uri);
  const std::filesystem::path pair = std::filesystem::path(INVESTFLOW_TEST_DATA) / "parent";
  auto loads =
      workflows::load_workflow_set({pair / "venture.yaml", pair / "issue.yaml"}, test_calendars());
  auto first = open_pg_test_store(uri);
  auto second = open_pg_test_store(uri);
  ASSERT_TRUE(first && second);
  for (auto& load : loads) {
    ASSERT_TRUE(load.workflow);
    ASSERT_TRUE(first->register_workflow(load.workflow, load.source));
    ASSERT_TRUE(second->register_workflow(load.workflow, load.source));
  }
  const auto create = [](const std::string& workflow, const std::string& id,
                         engine::FieldMap fields, const std::string& parent) {
    WriteRequest request;
    request.command.project_id = id;
    request.command.body = engine::CreateProject{"", std::move(fields), parent};
    request.actor = workflow == "venture" ? manager() : staff();
    request.workflow = workflow;
    return request;
  };
  ASSERT_TRUE(
      first
          ->write(create(
              "venture", "V-1",
              {{"name", engine::Value::text("项目")}, {"budget", engine::Value::number(100)}}, ""))
          .get()
          .accepted());
  ASSERT_TRUE(first->write(create("issue", "I-1", {{"title", engine::Value::text("问题")}}, "V-1"))
                  .get()
                  .accepted());
  // The first server reads V-1's children (one open) and refuses to close it.
  EXPECT_TRUE(first->write(transition_request("V-1", "close", manager())).get().rejected());
  // The second resolves the child; the first's next decision counts none open.
  ASSERT_TRUE(second->write(transition_request("I-1", "resolve", staff())).get().accepted());
  const WriteResult closed = first->write(transition_request("V-1", "close", manager())).get();
  EXPECT_TRUE(closed.accepted()) << "decided on the children list from before the change";
}

TEST(PgStore, AcknowledgedTransitionsSurviveKillNine) {
  PG_DATABASE_OR_SKIP(uri);
  std::random_device device;
  const unsigned seed = device();
  std::mt19937 random(seed);
  SCOPED_TRACE("random seed " + std::to_string(seed));
  std::uniform_int_distribution<int> lifetime_ms(150, 700);
  std::size_t total = 0;
  for (int round = 0; round < 6; ++round) {
    const auto acks =
        investflow::testing::run_and_kill(investflow::testing::CrashWriterMode::store, uri, round,
                                          std::chrono::milliseconds(lifetime_ms(random)));
    total += acks.size();
    PgConnection check(uri);
    for (const auto& ack : acks) {
      PgResult row = check.exec("SELECT count(*) FROM events WHERE project_id = $1 AND seq = $2",
                                PgParams().text(ack.project).number(ack.version));
      ASSERT_EQ(row.number(0, 0), 1) << "round " << round << ": acknowledged " << ack.project
                                     << " v" << ack.version << " is missing";
    }
  }
  EXPECT_GT(total, 30u) << "the child hardly wrote anything; the test proves little";
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
}

TEST(PgStore, TheCliInitsAndVerifiesAPostgresDatabase) {
  PG_DATABASE_OR_SKIP(uri);
  std::ostringstream out;
  std::ostringstream err;
  app::Io io{out, err};
  auto run = [&io](auto command, std::vector<std::string> args) { return command(args, io); };
  EXPECT_EQ(run(app::run_init, {uri}), 0) << err.str();
  EXPECT_NE(out.str().find("schema version " + std::to_string(kPgSchemaVersion)), std::string::npos)
      << out.str();
  {
    auto store = open_pg_test_store(uri);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write(create_request("P-1", "一号")).get().accepted());
  }
  out.str("");
  EXPECT_EQ(run(app::run_verify, {uri}), 0) << err.str() << out.str();
  EXPECT_NE(out.str().find("1 projects, 1 events: ok"), std::string::npos) << out.str();
  PgConnection connection(uri);
  connection.exec("ALTER TABLE events DISABLE TRIGGER events_no_update");
  connection.exec("UPDATE events SET actor = 'someone-else'");
  out.str("");
  EXPECT_EQ(run(app::run_verify, {uri}), 1) << out.str();
  EXPECT_NE(out.str().find("unreadable_event"), std::string::npos) << out.str();
  // A server that is not there: a clear error naming it, exit 1.
  err.str("");
  EXPECT_EQ(run(app::run_init, {"postgresql:///none?host=/nonexistent&user=x"}), 1);
  EXPECT_NE(err.str().find("cannot connect to PostgreSQL"), std::string::npos) << err.str();
}

// `investflow seed`, `export` and `import` on a URI: the same seed exports the same ledger
// from PostgreSQL as from a SQLite file, and an import creates projects through the engine.
TEST(PgStore, TheCliSeedsExportsAndImportsLikeOnASqliteFile) {
  PG_DATABASE_OR_SKIP(uri);
  TempDir dir;
  const std::string file = dir.file("same.db").string();
  std::ostringstream out;
  std::ostringstream err;
  app::Io io{out, err};
  auto run = [&io](auto command, std::vector<std::string> args) { return command(args, io); };
  for (const std::string& db : {uri, file}) {
    ASSERT_EQ(run(app::run_init, {db}), 0) << err.str();
    ASSERT_EQ(run(app::run_seed, {db, "--projects", "40", "--problems", "8", "--seed", "7", "--now",
                                  "2026-11-02"}),
              0)
        << err.str();
  }
  const auto exported = [&](const std::string& db) {
    out.str("");
    EXPECT_EQ(run(app::run_export, {db, "--workflow", "qingyuan-investment"}), 0) << err.str();
    return out.str();
  };
  const std::string from_pg = exported(uri);
  EXPECT_GT(std::count(from_pg.begin(), from_pg.end(), '\n'), 3) << from_pg;
  EXPECT_EQ(from_pg, exported(file));
  const auto csv = dir.file("new.csv");
  std::ofstream(csv) << "项目名称,投资主体,投资方联系人,所属产业,计划总投资（万元）,招商单位\n"
                        "导入项目一,某公司,张三,electronics,1000,招商一科\n";
  out.str("");
  ASSERT_EQ(run(app::run_import, {uri, csv.string(), "--workflow", "qingyuan-investment"}), 0)
      << err.str() << out.str();
  EXPECT_NE(exported(uri).find("导入项目一"), std::string::npos);
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok());
}

// PostgreSQL restarted under a store: writes meanwhile fail as unavailable (a 503, not a
// 500), nothing acknowledged is lost, and the store reconnects by itself.
TEST(PgStore, AStoreRidesOutARestartOfTheServer) {
  std::string why;
  auto server = investflow::testing::PgServer::start(&why);  // its own: this one restarts
  if (!server) GTEST_SKIP() << "PostgreSQL 15 cannot start here: " << why;
  const std::string uri = server->create_database("restart");
  auto store = open_pg_test_store(uri);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write(create_request("P-1", "一号")).get().accepted());
  server->stop_fast();
  const WriteResult away =
      store->write(transition_request("P-1", "submit", staff(), submit_fields())).get();
  ASSERT_EQ(away.status, WriteResult::Status::failed);
  EXPECT_EQ(away.fault, Fault::unavailable) << away.error;
  auto read = store->project("P-1");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().fault, Fault::unavailable) << read.error().message;
  ASSERT_TRUE(server->restart(&why)) << why;
  const WriteResult back =
      store->write(transition_request("P-1", "submit", staff(), submit_fields())).get();
  EXPECT_TRUE(back.accepted()) << back.error;
  auto project = store->project("P-1");
  ASSERT_TRUE(project && *project) << (project ? "" : project.error().message);
  EXPECT_EQ((*project)->version, 2);
}

// The list: filters, every sort, and pages that follow each other without a gap or a
// repeat, with the SQLite store's cursors.
TEST(PgStore, ListsFilterSortAndPage) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_test_store(uri);
  ASSERT_TRUE(store);
  for (int i = 0; i < 23; ++i) {
    const std::string id = "P-" + std::to_string(100 + i);
    engine::FieldMap fields{{"investor", engine::Value::text(i % 2 ? "光电集团" : "材料公司")}};
    ASSERT_TRUE(
        store->write(create_request(id, "项目" + std::to_string(i % 5), fields)).get().accepted());
    if (i % 3 == 0) {
      ASSERT_TRUE(
          store
              ->write(transition_request(id, "submit", staff(),
                                         {{"industry", engine::Value::text("electronics")},
                                          {"total_investment", engine::Value::number(i * 10)}}))
              .get()
              .accepted());
    }
  }
  for (const SortKey sort :
       {SortKey::updated, SortKey::created, SortKey::name, SortKey::investment, SortKey::due}) {
    for (const bool descending : {true, false}) {
      ProjectQuery query;
      query.sort = sort;
      query.descending = descending;
      query.limit = 5;
      std::set<std::string> seen;
      int pages = 0;
      do {
        auto page = store->list_projects(query);
        ASSERT_TRUE(page) << page.error().message;
        for (const auto& project : page->projects)
          EXPECT_TRUE(seen.insert(project.id).second) << project.id << " twice";
        query.cursor = page->next_cursor;
        ++pages;
      } while (!query.cursor.empty() && pages < 10);
      EXPECT_EQ(seen.size(), 23u) << sort_key_name(sort) << (descending ? " desc" : " asc");
    }
  }
  ProjectQuery by_state;
  by_state.state = "review";
  by_state.industry = "electronics";
  by_state.sort = SortKey::investment;
  by_state.descending = false;
  auto review = store->list_projects(by_state);
  ASSERT_TRUE(review);
  ASSERT_EQ(review->projects.size(), 8u);
  EXPECT_EQ(review->projects.front().id, "P-100");
  EXPECT_EQ(review->projects.back().id, "P-121");
  ProjectQuery text;
  text.text = "光电";
  auto found = store->list_projects(text);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->projects.size(), 11u);
  text.text = "p-105";
  found = store->list_projects(text);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->projects.size(), 1u);
  EXPECT_EQ(found->projects.front().id, "P-105");
  ProjectQuery bad;
  bad.cursor = "not-a-cursor";
  auto refused = store->list_projects(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Error::Kind::invalid_request);
}

// The mini workflow as another one, with a user field and data scope: staff see what they
// own or serve as officer, managers everything.
std::shared_ptr<const engine::Workflow> scoped_workflow(std::string* yaml) {
  std::string text = kMiniWorkflow;
  text.replace(text.find("workflow: mini"), 14, "workflow: scoped");
  text.insert(text.find("fields:\n") + 8,
              "  officer: {type: user, label: {zh-CN: 专员, en: Officer}}\n");
  text += "visibility:\n  staff:\n    owner: true\n    users: [officer]\n  manager: all\n";
  *yaml = text;
  auto load = workflows::load_workflow_text(text, "scoped.yaml", test_calendars());
  EXPECT_TRUE(load.workflow) << (load.diagnostics.empty() ? "" : load.diagnostics.front().message);
  return load.workflow;
}

std::set<std::string> listed(Store& store, ProjectQuery query) {
  std::set<std::string> ids;
  query.limit = 7;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = store.list_projects(query);
    EXPECT_TRUE(page) << page.error().message;
    if (!page) break;
    for (const auto& project : page->projects)
      ids.insert(project.id);
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  return ids;
}

// Lists by data scope and by holder (我的待办) answer from the keys the writer keeps, as on
// SQLite: the same commands on both stores list the same projects for every viewer, also
// after the officer changes hands, and verify compares the keys.
TEST(PgStore, DataScopeAndHolderListsMatchTheSqliteStore) {
  PG_DATABASE_OR_SKIP(uri);
  TempDir dir;
  auto sqlite = open_test_store(dir.file("scoped.db"));
  auto pg = open_pg_test_store(uri);
  ASSERT_TRUE(sqlite && pg);
  std::string yaml;
  auto workflow = scoped_workflow(&yaml);
  ASSERT_TRUE(workflow);
  for (Store* store : {sqlite.get(), pg.get()})
    ASSERT_TRUE(store->register_workflow(workflow, yaml));
  const std::vector<std::string> people = {"bob", "carol", "dave"};
  const auto run = [&](WriteRequest request) {
    for (Store* store : {sqlite.get(), pg.get()}) {
      const WriteResult result = store->write(request).get();
      ASSERT_TRUE(result.accepted()) << result.error;
    }
  };
  for (int i = 0; i < 15; ++i) {
    WriteRequest create =
        create_request("S-" + std::to_string(100 + i), "项目" + std::to_string(i),
                       {{"officer", engine::Value::text(people[static_cast<std::size_t>(i) % 3])}});
    create.workflow = "scoped";
    create.actor = staff(people[static_cast<std::size_t>(i + 1) % 3]);
    run(create);
  }
  const auto compare = [&](const std::string& when) {
    for (const std::string& person : people) {
      ProjectQuery scoped;
      scoped.scope = std::make_shared<const engine::DataScope>(
          engine::DataScope::of(engine::Viewer{person, {"staff"}, ""}, pg->registered_workflows()));
      const std::set<std::string> seen = listed(*pg, scoped);
      EXPECT_EQ(seen, listed(*sqlite, scoped)) << person << " " << when;
      EXPECT_GE(seen.size(), 5u) << person << " " << when;
      EXPECT_LT(seen.size(), 15u) << person << " " << when;
      ProjectQuery held;
      held.holder_field = "officer";
      held.holder = person;
      EXPECT_EQ(listed(*pg, held), listed(*sqlite, held)) << person << " " << when;
      for (const std::string& id : listed(*pg, held))
        EXPECT_TRUE(seen.count(id)) << person << " holds " << id << " but does not see it";
    }
    ProjectQuery everything;
    everything.scope = std::make_shared<const engine::DataScope>(
        engine::DataScope::of(engine::Viewer{"mgr", {"manager"}, ""}, pg->registered_workflows()));
    EXPECT_EQ(listed(*pg, everything).size(), 15u + 0u) << when;
  };
  compare("as created");
  ProjectQuery malformed;  // refused alike, before anything is read
  malformed.holder_field = "officer'; --";
  for (Store* store : {sqlite.get(), pg.get()}) {
    auto refused = store->list_projects(malformed);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, Error::Kind::invalid_request);
    EXPECT_EQ(refused.error().message, "holder_field must be a field name");
  }
  ProjectQuery carols;
  carols.holder_field = "officer";
  carols.holder = "carol";
  ASSERT_EQ(listed(*pg, carols).size(), 5u);
  // carol's projects pass to dave: her keys go, his come.
  for (const std::string& id : listed(*sqlite, carols)) {
    WriteRequest edit;
    edit.command.project_id = id;
    edit.command.body = engine::EditFields{{{"officer", engine::Value::text("dave")}}};
    edit.actor = manager();
    run(edit);
  }
  EXPECT_TRUE(listed(*pg, carols).empty());
  compare("after the hand-over");
  auto report = verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok());
  // A key added behind the store's back is found, as on SQLite.
  PgConnection(uri).exec(
      "INSERT INTO project_access (key, project_id) VALUES ('staff|u:mallory', "
      "'S-101')");
  report = verify_pg_database(uri);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
}

// The audit log on PostgreSQL: two servers' logs appending at once extend one chain, with
// ids in order and no gaps; lists filter as on SQLite; entries cannot be changed.
TEST(PgStore, TwoServersAuditLogsExtendOneChain) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_TRUE(init_pg_database(uri));
  {
    AuditLog first(uri);
    AuditLog second(uri);
    std::thread a([&] {
      for (int i = 0; i < 40; ++i)
        first.record(AuditEntry{0, 1000 + i, "alice", "login", "", "10.0.0.1",
                                "r" + std::to_string(i), "{}"});
    });
    std::thread b([&] {
      for (int i = 0; i < 40; ++i)
        second.record(
            AuditEntry{0, 2000 + i, "bob", "denied", "GET /api/audit", "10.0.0.2", "", "{}"});
    });
    a.join();
    b.join();
    first.flush();
    second.flush();
    EXPECT_EQ(first.written() + second.written(), 80);
    AuditQuery denied;
    denied.action = "denied";
    denied.limit = 1000;
    EXPECT_EQ(first.list(denied).size(), 40u);
    AuditQuery page;
    page.actor = "alice";
    page.limit = 10;
    const auto newest = second.list(page);
    ASSERT_EQ(newest.size(), 10u);
    page.before = newest.back().id;
    const auto older = second.list(page);
    ASSERT_EQ(older.size(), 10u);
    EXPECT_LT(older.front().id, newest.back().id);
  }
  EXPECT_EQ(
      append_audit_entry(uri, AuditEntry{0, 3000, "cli:root", "backup", "x", "cli", "", "{}"}), 81);
  AuditQuery every;
  every.limit = 1000;
  const std::vector<AuditEntry> all = list_audit_entries(uri, every);
  ASSERT_EQ(all.size(), 81u);
  PgConnection connection(uri);
  PgResult rows = connection.exec("SELECT id, prev_hash, hash FROM audit_log ORDER BY id");
  ASSERT_EQ(rows.rows(), 81);
  Hash previous = kGenesisHash;
  for (int i = 0; i < rows.rows(); ++i) {
    const AuditEntry& entry = all[all.size() - 1 - static_cast<std::size_t>(i)];  // newest first
    ASSERT_EQ(entry.id, i + 1);
    const std::string prev = rows.bytes(i, 1);
    const std::string hash = rows.bytes(i, 2);
    EXPECT_EQ(prev, std::string(previous.begin(), previous.end())) << "entry " << entry.id;
    previous = chain_hash(previous, audit_canonical(entry));
    EXPECT_EQ(hash, std::string(previous.begin(), previous.end())) << "entry " << entry.id;
  }
  try {
    connection.exec("UPDATE audit_log SET actor = 'mallory' WHERE id = 1");
    ADD_FAILURE() << "the audit log took an UPDATE";
  } catch (const PgError& error) {
    EXPECT_EQ(error.sqlstate(), "42501");
  }
}

// The duty lease: one of two servers holds it; when the holder goes, the other takes it
// within a few checks, and a server restart takes it from nobody for long.
TEST(PgStore, OneServerHoldsTheDutyLeaseAndAnotherTakesItOver) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_TRUE(init_pg_database(uri));
  const auto within = [](auto condition) {
    for (int i = 0; i < 100 && !condition(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return condition();
  };
  auto first = std::make_unique<PgLease>(uri, kPgDutyLease, std::chrono::milliseconds(100));
  PgLease second(uri, kPgDutyLease, std::chrono::milliseconds(100));
  first->start();
  ASSERT_TRUE(within([&] { return first->held(); }));
  second.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(first->held());
  EXPECT_FALSE(second.held()) << "two servers hold the lease";
  first.reset();  // the holder stops (or dies: its session ends either way)
  EXPECT_TRUE(within([&] { return second.held(); }));
  EXPECT_EQ(second.times_taken(), 1);
}

// Commits through another store (another server) are heard through LISTEN/NOTIFY: the
// callback comes without any polling of the log, and only for commits that append events.
TEST(PgStore, AStoreHearsOfAnotherStoresCommits) {
  PG_DATABASE_OR_SKIP(uri);
  auto listener = open_pg_test_store(uri);
  auto writer = open_pg_test_store(uri);
  ASSERT_TRUE(listener && writer);
  std::atomic<int> heard{0};
  listener->watch_commits([&heard] { ++heard; });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // LISTEN is in place
  EXPECT_EQ(heard.load(), 0);
  ASSERT_TRUE(writer->write(create_request("P-1", "一号")).get().accepted());
  for (int i = 0; i < 100 && heard.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_GE(heard.load(), 1) << "no NOTIFY heard within 2 s of the commit";
}

}  // namespace
}  // namespace investflow::storage
