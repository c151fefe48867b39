// `investflow workflow migrate` and POST /api/workflows/{id}/migrations (issue 15): a
// migration killed midway and run again, and the issue's end-to-end test against a running
// server (deploy v2 with a renamed state and a new field, a project on v2 without a restart,
// the v1 projects migrated with a map, verify, a dry run that changes no row).

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/sqlite_store.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/db_dump.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/web/http_client.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

using testing::cli;
using testing::CliRun;

std::string shipped(const std::string& name) {
  std::ifstream in(std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The shipped admin-licence's version (kBase) and the one this test deploys next (kNext).
int shipped_version() {
  const std::string yaml = shipped("admin-licence.yaml");
  const auto at = yaml.find("\nversion: ");
  return at == std::string::npos ? 0 : std::stoi(yaml.substr(at + 10));
}
const int kBase = shipped_version();
const int kNext = kBase + 1;
const std::string kNextText = std::to_string(kNext);

// The shipped admin-licence as its next version: the stage "correction" renamed
// "supplement" (its id, not only its label), and a new field.
std::string admin_licence_v4() {
  std::string yaml = shipped("admin-licence.yaml");
  const auto replace = [&yaml](const std::string& from, const std::string& to) {
    const auto at = yaml.find(from);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no '" << from << "' in admin-licence.yaml";
      return;
    }
    yaml.replace(at, from.size(), to);
  };
  replace("\nversion: " + std::to_string(kBase) + "\n",
          "\nversion: " + std::to_string(kNext) + "\n");
  replace("\n  correction:\n", "\n  supplement:\n");
  replace("to: correction\n", "to: supplement\n");
  replace("from: correction\n", "from: supplement\n");
  replace("\nfields:\n",
          "\nfields:\n  contact_phone:\n    type: text\n    max: 50\n    group: basic\n"
          "    label: {zh-CN: 联系电话, en: Contact phone}\n");
  return yaml;
}

std::string dump(const std::string& db, bool quiet_only = false) {
  return investflow::testing::dump_tables(db, quiet_only);
}

std::int64_t count(const std::string& db, const std::string& sql) {
  SQLite::Database read(db, SQLite::OPEN_READONLY, 10000);
  return read.execAndGet(sql).getInt64();
}

class WorkflowMigrate : public investflow::testing::ScratchDirTest {
 protected:
  WorkflowMigrate() : ScratchDirTest("investflow-migrate") {}
};

// `projects` admin-licence v3 applications, every fourth in correction, written through
// the store; v4 deployed beside them.
void fill(const std::string& db, int projects) {
  storage::SqliteOptions options;
  options.synchronous = storage::Synchronous::normal;
  auto store = storage::open_sqlite_store(db, options);
  ASSERT_TRUE(store) << store.error().message;
  workflows::CalendarRegistry calendars;
  (void)workflows::load_calendar_directory(
      std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/calendars", calendars);
  const std::string v3 = shipped("admin-licence.yaml");
  auto load = workflows::load_workflow_text(v3, "admin-licence.yaml", calendars);
  ASSERT_TRUE(load.workflow);
  ASSERT_TRUE((*store)->register_workflow(load.workflow, v3));
  const engine::Actor staff{"zhang", {"staff"}};
  std::vector<storage::WriteRequest> batch;
  for (int i = 0; i < projects; ++i) {
    const std::string id = "XK-" + std::to_string(1000 + i);
    storage::WriteRequest create;
    create.command.project_id = id;
    create.command.body =
        engine::CreateProject{"",
                              {{"name", engine::Value::text("施工许可申请" + std::to_string(i))},
                               {"applicant", engine::Value::text("清远某新材料有限公司")},
                               {"licence_type", engine::Value::text("construction_permit")}}};
    create.actor = staff;
    create.workflow = "admin-licence";
    batch.push_back(std::move(create));
    if (i % 4 == 0) {
      storage::WriteRequest correct;
      correct.command.project_id = id;
      correct.command.body = engine::TakeTransition{
          "request_correction", {{"correction_items", engine::Value::text("营业执照副本")}}, ""};
      correct.actor = staff;
      batch.push_back(std::move(correct));
    }
    if (batch.size() >= 200 || i + 1 == projects) {
      for (const storage::WriteResult& result : (*store)->write_atomic(std::move(batch)).get())
        ASSERT_TRUE(result.accepted()) << result.error;
      batch.clear();
    }
  }
  const std::string v4 = admin_licence_v4();
  auto next = workflows::load_workflow_text(v4, "admin-licence-4.yaml", calendars);
  for (const auto& diagnostic : next.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  ASSERT_TRUE(next.workflow);
  ASSERT_TRUE((*store)->register_workflow(next.workflow, v4));
}

// Each project is on one version or the other, whole: its row, its version and its log
// agree (a moved one's last event is its migration).
void expect_whole(const std::string& db) {
  SQLite::Database read(db, SQLite::OPEN_READONLY, 10000);
  SQLite::Statement select(
      read,
      "SELECT p.id, p.workflow_version, p.state, p.version, "
      "(SELECT count(*) FROM events e WHERE e.project_id = p.id), "
      "(SELECT count(*) FROM events e WHERE e.project_id = p.id AND e.type = "
      "'workflow_migrated'), "
      "(SELECT e.type FROM events e WHERE e.project_id = p.id ORDER BY seq DESC LIMIT 1) "
      "FROM projects p");
  while (select.executeStep()) {
    const std::string id = select.getColumn(0).getString();
    const std::int64_t version = select.getColumn(1).getInt64();
    const std::string state = select.getColumn(2).getString();
    EXPECT_EQ(select.getColumn(3).getInt64(), select.getColumn(4).getInt64()) << id;
    if (version == kNext) {
      EXPECT_EQ(select.getColumn(5).getInt64(), 1) << id;
      EXPECT_EQ(select.getColumn(6).getString(), "workflow_migrated") << id;
      EXPECT_NE(state, "correction") << id;
    } else {
      EXPECT_EQ(version, kBase) << id;
      EXPECT_EQ(select.getColumn(5).getInt64(), 0) << id;
      EXPECT_NE(state, "supplement") << id;
    }
  }
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST_F(WorkflowMigrate, AMigrationKilledMidwayLeavesEachProjectWholeAndARerunFinishesIt) {
  constexpr int kProjects = 600;
  fill(db_, kProjects);
  if (HasFatalFailure()) return;
  const std::string out = (dir_ / "migrate.out").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(out.c_str(), "a", stderr);
    ::execl(INVESTFLOW_BINARY, "investflow", "workflow", "migrate", db_.c_str(), "--workflow",
            "admin-licence", "--to", kNextText.c_str(), "--map", "correction:supplement", "--lang",
            "en", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Killed once some projects have moved and before all have.
  bool exited = false;
  std::int64_t moved = 0;
  for (int i = 0; i < 6000 && moved < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    try {
      moved = count(
          db_, "SELECT count(*) FROM projects WHERE workflow_version = " + std::to_string(kNext));
    } catch (const std::exception&) {
      // the database is being opened or migrated: look again
    }
  }
  if (!exited) {
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  ASSERT_FALSE(exited) << "the migration finished before it could be killed";
  const std::int64_t before_rerun =
      count(db_, "SELECT count(*) FROM projects WHERE workflow_version = " + std::to_string(kNext));
  EXPECT_GE(before_rerun, 40);
  EXPECT_LT(before_rerun, kProjects) << "killed too late to test anything";
  expect_whole(db_);
  CliRun verify = cli({"verify", db_});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;

  const CliRun rerun = cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to",
                            kNextText, "--map", "correction:supplement", "--lang", "en"});
  EXPECT_EQ(rerun.code, 0) << rerun.err;
  EXPECT_EQ(occurrences(rerun.out, "\talready\n"), static_cast<std::size_t>(before_rerun));
  EXPECT_EQ(occurrences(rerun.out, "\tmoved\n"),
            static_cast<std::size_t>(kProjects - before_rerun));
  EXPECT_NE(
      rerun.out.find(std::to_string(kProjects - before_rerun) + " moved, 0 refused, " +
                     std::to_string(before_rerun) + " already on version " + std::to_string(kNext)),
      std::string::npos)
      << rerun.out.substr(rerun.out.size() > 300 ? rerun.out.size() - 300 : 0);
  EXPECT_EQ(
      count(db_, "SELECT count(*) FROM projects WHERE workflow_version = " + std::to_string(kNext)),
      kProjects);
  EXPECT_EQ(count(db_, "SELECT count(*) FROM projects WHERE state = 'supplement'"), kProjects / 4);
  expect_whole(db_);
  verify = cli({"verify", db_});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
}

TEST_F(WorkflowMigrate, TheCommandRefusesUnmappedStagesAndBadArguments) {
  fill(db_, 8);
  if (HasFatalFailure()) return;
  CliRun run = cli({"workflow", "migrate", "--help"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("--dry-run"), std::string::npos);
  EXPECT_EQ(cli({"workflow", "migrate", db_, "--to", kNextText}).code, 2);  // no --workflow
  EXPECT_EQ(cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", kNextText,
                 "--map", "correction"})
                .code,
            2);
  run = cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", "9"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("没有已部署的第9版"), std::string::npos) << run.err;
  run = cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", kNextText, "--map",
             "correction:nowhere", "--lang", "en"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("'nowhere', which is no stage of version " + std::to_string(kNext)),
            std::string::npos)
      << run.err;

  // Without the map the projects in correction cannot move; the others do.
  const std::string before = dump(db_);
  run = cli(
      {"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", kNextText, "--dry-run"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(dump(db_), before);
  EXPECT_EQ(occurrences(run.out, "\t不能迁移\n"), 2u) << run.out;
  EXPECT_EQ(occurrences(run.out, "\t可迁移\n"), 6u) << run.out;
  EXPECT_NE(run.out.find("✗ 阶段“correction”在第" + kNextText + "版中不存在"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("试运行，未做任何修改"), std::string::npos) << run.out;
  run = cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", kNextText});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(
      count(db_, "SELECT count(*) FROM projects WHERE workflow_version = " + std::to_string(kNext)),
      6);
  run = cli({"workflow", "migrate", db_, "--workflow", "admin-licence", "--to", kNextText, "--map",
             "correction:supplement"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_EQ(
      count(db_, "SELECT count(*) FROM projects WHERE workflow_version = " + std::to_string(kNext)),
      8);
  EXPECT_EQ(cli({"verify", db_}).code, 0);
}

// The issue's test, against a running server.
TEST_F(WorkflowMigrate, DeployMigrateAndVerifyAgainstARunningServer) {
  for (const auto& [user, role] : {std::pair{"zhang", "staff"}, std::pair{"root", "admin"}}) {
    ASSERT_EQ(cli({"user", "add", user, "--role", role, "--password",
                   std::string(user) + "-password-1", "--db", db_})
                  .code,
              0);
  }
  const auto bearer = [&](const std::string& user) {
    const CliRun token = cli({"user", "token", user, "--db", db_});
    EXPECT_EQ(token.code, 0) << token.err;
    return "Bearer " + token.out.substr(0, 64);
  };
  const std::string staff = bearer("zhang");
  const std::string admin = bearer("root");
  const investflow::testing::ServedChild served = investflow::testing::start_serve(
      INVESTFLOW_BINARY, db_, dir_, std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions");
  const int port = served.port;
  ASSERT_GT(port, 0) << "serve did not start";
  const auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                        const std::string& who) {
    return web::testing::fetch(static_cast<std::uint16_t>(port), method, path, body,
                               {{"Authorization", who}, {"Content-Type", "application/json"}});
  };
  const auto create = [&](const std::string& id) {
    auto response = call("POST", "/api/projects",
                         R"({"workflow":"admin-licence","id":")" + id +
                             R"(","fields":{"name":"施工许可申请","applicant":"清远某公司",)"
                             R"("licence_type":"construction_permit"}})",
                         staff);
    EXPECT_TRUE(response && response->status == 201) << (response ? response->body : "no answer");
  };
  const auto project = [&](const std::string& id) {
    auto response = call("GET", "/api/projects/" + id, "", staff);
    EXPECT_TRUE(response && response->status == 200);
    return response ? json::parse(response->body).as_object() : json::object{};
  };
  create("XK-1");
  create("XK-2");
  auto moved = call(
      "POST", "/api/projects/XK-2/transitions",
      R"({"transition":"request_correction","fields":{"correction_items":"营业执照"}})", staff);
  ASSERT_TRUE(moved && moved->status == 200) << (moved ? moved->body : "no answer");
  EXPECT_EQ(project("XK-2").at("state").as_string(), "correction");

  // v4 deployed into the running server's database; a project created on it at once.
  const CliRun deployed =
      cli({"workflow", "deploy", db_, write("admin-licence-4.yaml", admin_licence_v4())});
  ASSERT_EQ(deployed.code, 0) << deployed.err;
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    auto response = call("GET", "/api/workflows/admin-licence", "", staff);
    taken = response && response->status == 200 &&
            json::parse(response->body).at("version").as_int64() == kNext;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(taken) << "the server did not take v4 without a restart";
  create("XK-NEW");
  EXPECT_EQ(project("XK-NEW").at("workflow_version").as_int64(), kNext);

  // Not an admin; a bad body; a target that does not exist.
  const std::string path = "/api/workflows/admin-licence/migrations";
  auto answer = call("POST", path, R"({"to":)" + kNextText + R"(,"dry_run":true})", staff);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 403);
  answer = call("POST", path, R"({"to":"four"})", admin);
  EXPECT_EQ(answer->status, 400) << answer->body;
  answer = call("POST", path, R"({"to":9})", admin);
  EXPECT_EQ(answer->status, 422) << answer->body;
  answer =
      call("POST", path, R"({"to":)" + kNextText + R"(,"map":{"correction":"nowhere"}})", admin);
  EXPECT_EQ(answer->status, 422) << answer->body;
  answer = call("POST", "/api/workflows/no-such/migrations", R"({"to":)" + kNextText + "}", admin);
  EXPECT_EQ(answer->status, 404) << answer->body;

  // The dry run changes no row, and says what would happen.
  const std::string before = dump(db_, true);
  answer = call("POST", path,
                R"({"to":)" + kNextText + R"(,"map":{"correction":"supplement"},"dry_run":true})",
                admin);
  ASSERT_TRUE(answer && answer->status == 200) << (answer ? answer->body : "no answer");
  EXPECT_EQ(dump(db_, true), before);
  json::object report = json::parse(answer->body).as_object();
  EXPECT_EQ(report.at("dry_run").as_bool(), true);
  EXPECT_EQ(report.at("moved").as_int64(), 2);
  EXPECT_EQ(report.at("refused").as_int64(), 0);
  EXPECT_GE(report.at("unchanged").as_int64(), 1);  // the project made on v4
  for (const json::value& row : report.at("rows").as_array()) {
    if (row.at("project").as_string() == "XK-2") {
      EXPECT_EQ(row.at("outcome").as_string(), "would_move");
      EXPECT_EQ(row.at("to_state").as_string(), "supplement");
      EXPECT_FALSE(row.at("notes").as_array().empty());
    }
  }

  answer =
      call("POST", path, R"({"to":)" + kNextText + R"(,"map":{"correction":"supplement"}})", admin);
  ASSERT_TRUE(answer && answer->status == 200) << (answer ? answer->body : "no answer");
  report = json::parse(answer->body).as_object();
  EXPECT_EQ(report.at("moved").as_int64(), 2);
  const json::object xk2 = project("XK-2");
  EXPECT_EQ(xk2.at("workflow_version").as_int64(), kNext);
  EXPECT_EQ(xk2.at("state").as_string(), "supplement");
  EXPECT_EQ(project("XK-1").at("workflow_version").as_int64(), kNext);
  // The running server decides the moved project with v4: "resubmit" now leaves supplement.
  moved = call("POST", "/api/projects/XK-2/transitions", R"({"transition":"resubmit"})", staff);
  ASSERT_TRUE(moved && moved->status == 200) << (moved ? moved->body : "no answer");
  EXPECT_EQ(project("XK-2").at("state").as_string(), "submitted");
  auto history = call("GET", "/api/projects/XK-2/history", "", staff);
  ASSERT_TRUE(history && history->status == 200);
  EXPECT_NE(history->body.find(R"("type":"workflow_migrated")"), std::string::npos);
  EXPECT_NE(history->body.find(R"("chain_ok":true)"), std::string::npos);

  const CliRun verify = cli({"verify", db_});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;

  const int status = served.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace investflow::app
