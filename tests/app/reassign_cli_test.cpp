// `investflow reassign` (issue 17): a departing service officer's open projects handed to
// another person, one line per holding; the usage and the refusals (exit 2 without the
// reason, exit 1 for an unknown new holder), and --help.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/auth.hpp"
#include "storage/open_store.hpp"
#include "storage/operations.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/scratch_dir.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

using testing::cli;
using testing::CliRun;

class ReassignCli : public investflow::testing::ScratchDirTest {
 protected:
  ReassignCli() : ScratchDirTest("investflow-reassign") {}

  // Three qingyuan-investment leads (owner zhang), two of them served by zhou, and users,
  // in `db` (a SQLite file or a postgresql:// URI; db_ by default).
  void fill(std::string db = {}) {
    if (db.empty()) db = db_;
    {
      auto auth = storage::AuthStore::open(db);
      ASSERT_TRUE(auth) << auth.error().message;
      for (const char* name : {"zhang", "zhou", "qian"})
        ASSERT_TRUE((*auth)->add_user(name, {"staff"}, "password-123456"));
    }
    storage::SqliteOptions options;
    options.synchronous = storage::Synchronous::normal;
    auto store = storage::open_store_at(db, options);
    ASSERT_TRUE(store) << store.error().message;
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/calendars", calendars);
    auto load = workflows::load_workflow_file(
        std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions/qingyuan-investment.yaml",
        calendars);
    ASSERT_TRUE(load.workflow);
    ASSERT_TRUE((*store)->register_workflow(load.workflow, load.source));
    for (const auto& [id, officer] :
         {std::pair{"QY-1", "zhou"}, {"QY-2", "zhou"}, {"QY-3", "qian"}}) {
      storage::WriteRequest create;
      create.command.project_id = id;
      create.command.body =
          engine::CreateProject{"",
                                {{"name", engine::Value::text(std::string("新材料项目") + id)},
                                 {"investor", engine::Value::text("广东新材科技有限公司")},
                                 {"contact", engine::Value::text("刘经理 138-0000-0002")},
                                 {"industry", engine::Value::text("new_materials")},
                                 {"total_investment", engine::Value::number(30000)},
                                 {"promoting_unit", engine::Value::text("招商一科")},
                                 {"service_officer", engine::Value::text(officer)}}};
      create.actor = engine::Actor{"zhang", {"staff"}};
      create.workflow = "qingyuan-investment";
      const storage::WriteResult result = (*store)->write(std::move(create)).get();
      ASSERT_TRUE(result.accepted())
          << (result.rejected() ? result.rejection.reasons.front().message.en : result.error);
    }
  }
};

TEST_F(ReassignCli, HandsOverEveryOpenHoldingAndListsEach) {
  fill();
  if (HasFatalFailure()) return;
  const CliRun run =
      cli({"reassign", db_, "--from", "zhou", "--to", "qian", "--reason", "周某调离"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("QY-1\tservice_officer\t新材料项目QY-1\t已转交\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("QY-2\tservice_officer\t新材料项目QY-2\t已转交\n"), std::string::npos);
  EXPECT_EQ(run.out.find("QY-3"), std::string::npos);
  EXPECT_NE(run.out.find("已转交 2 项，未转交 0 项"), std::string::npos);

  // The owner too; and in English.
  const CliRun owners = cli({"reassign", db_, "--from", "zhang", "--to", "zhou", "--reason",
                             "handover", "--holder", "owner", "--lang", "en"});
  EXPECT_EQ(owners.code, 0) << owners.err;
  EXPECT_NE(owners.out.find("3 moved, 0 refused"), std::string::npos) << owners.out;
  // Nothing left: an empty run is not an error.
  const CliRun again = cli({"reassign", db_, "--from", "zhou", "--to", "qian", "--reason",
                            "周某调离", "--holder", "service_officer"});
  EXPECT_EQ(again.code, 0);
  EXPECT_NE(again.out.find("已转交 0 项"), std::string::npos) << again.out;

  auto store = storage::open_sqlite_store(db_);
  ASSERT_TRUE(store);
  auto project = (*store)->project("QY-1");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->owner, "zhou");
  EXPECT_EQ((*project)->field("service_officer"), engine::Value::text("qian"));
  auto history = (*store)->history("QY-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ(engine::event_type(history->back().event), "reassigned");
}

// On PostgreSQL every handover is a command through the store's writer: in the project's
// history and the log chain, as on a SQLite file.
TEST_F(ReassignCli, HandsOverOnAPostgresqlDatabaseThroughTheWriter) {
  PG_DATABASE_OR_SKIP(uri);
  fill(uri);
  if (HasFatalFailure()) return;
  const CliRun run =
      cli({"reassign", uri, "--from", "zhou", "--to", "qian", "--reason", "周某调离"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("QY-1\tservice_officer\t新材料项目QY-1\t已转交\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("QY-2\tservice_officer\t新材料项目QY-2\t已转交\n"), std::string::npos);
  EXPECT_EQ(run.out.find("QY-3"), std::string::npos);
  const CliRun unknown =
      cli({"reassign", uri, "--from", "zhou", "--to", "nobody", "--reason", "x"});
  EXPECT_EQ(unknown.code, 1);

  auto store = storage::open_store_at(uri);
  ASSERT_TRUE(store) << store.error().message;
  auto project = (*store)->project("QY-2");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->field("service_officer"), engine::Value::text("qian"));
  auto history = (*store)->history("QY-2");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(engine::event_type(history->back().event), "reassigned");
  // The two handovers are the last two events of the log.
  auto events = (*store)->events_after(3, 10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  auto report = storage::verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
  EXPECT_EQ(report->events, 5);
}

TEST_F(ReassignCli, RefusesWhatCannotBeDone) {
  fill();
  if (HasFatalFailure()) return;
  const CliRun no_reason = cli({"reassign", db_, "--from", "zhou", "--to", "qian"});
  EXPECT_EQ(no_reason.code, 2);
  EXPECT_NE(no_reason.err.find("--reason is required"), std::string::npos) << no_reason.err;
  const CliRun unknown =
      cli({"reassign", db_, "--from", "zhou", "--to", "nobody", "--reason", "x"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("--to nobody：没有这个用户（或已停用）"), std::string::npos)
      << unknown.err;
  const CliRun same = cli({"reassign", db_, "--from", "zhou", "--to", "zhou", "--reason", "x"});
  EXPECT_EQ(same.code, 2);
  EXPECT_TRUE(same.out.empty());
  const CliRun help = cli({"reassign", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--holder"), std::string::npos) << help.out;
  EXPECT_EQ(
      cli({"reassign", (dir_ / "none.db").string(), "--from", "a", "--to", "b", "--reason", "x"})
          .code,
      1);
}

}  // namespace
}  // namespace investflow::app
