// `investflow workflow deploy | list | diff` (issue 15), and a version deployed into the
// database of a running `investflow serve` taken without a restart.

#include <gtest/gtest.h>

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

#include "app/cli.hpp"
#include "storage/open_store.hpp"
#include "storage/operations.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/web/http_client.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

using testing::cli;
using testing::CliRun;

constexpr const char* kTiny = R"(workflow: tiny
version: 1
title: {zh-CN: 小流程, en: Tiny}
calendar: cn-mainland
roles: [staff]
fields:
  name: {type: text, required: true, label: {zh-CN: 名称, en: Name}}
initial: open
states:
  open: {label: {zh-CN: 办理中, en: Open}}
  closed: {label: {zh-CN: 已办结, en: Closed}, terminal: true}
transitions:
  - {id: close, label: {zh-CN: 办结, en: Close}, from: open, to: closed, roles: [staff]}
)";

// tiny v2: the state "open" renamed, and a field more.
std::string tiny_v2() {
  std::string text = kTiny;
  text.replace(text.find("version: 1"), 10, "version: 2");
  text.replace(text.find("办理中, en: Open"), 19, "受理中, en: Received");
  text.replace(text.find("initial:"), 0,
               "  amount: {type: money, unit: 万元, label: {zh-CN: 金额, en: Amount}}\n");
  return text;
}

class WorkflowCommands : public investflow::testing::ScratchDirTest {
 protected:
  WorkflowCommands() : ScratchDirTest("investflow-workflow-cli") {}
};

TEST_F(WorkflowCommands, DeployListAndDiff) {
  const std::string v1 = write("tiny-1.yaml", kTiny);
  const std::string v2 = write("tiny-2.yaml", tiny_v2());
  CliRun run = cli({"workflow", "deploy", "--help"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("without a restart"), std::string::npos) << run.out;
  EXPECT_EQ(cli({"workflow", "deploy", db_}).code, 2);  // FILE missing
  EXPECT_EQ(cli({"workflow"}).code, 2);
  EXPECT_EQ(cli({"workflow", "frobnicate"}).code, 2);
  // A mistyped database is not created.
  run = cli({"workflow", "deploy", (dir_ / "nowhere.db").string(), v1});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("no database at"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "nowhere.db"));
  ASSERT_EQ(cli({"init", db_}).code, 0);

  run = cli({"workflow", "deploy", db_, v1});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("deployed tiny v1"), std::string::npos) << run.out;
  run = cli({"workflow", "deploy", db_, v1});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("nothing changed"), std::string::npos) << run.out;
  // The same version with other text, and an invalid file beside a valid one: nothing stored.
  run = cli({"workflow", "deploy", db_, write("tiny-1b.yaml", std::string(kTiny) + "# x\n")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("version 1 is already stored with a different definition"),
            std::string::npos)
      << run.err;
  std::string broken = tiny_v2();
  broken.replace(broken.find("to: closed"), 10, "to: nowhere");
  run = cli({"workflow", "deploy", db_, v2, write("broken.yaml", broken)});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("broken.yaml:14:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing stored"), std::string::npos) << run.err;
  run = cli({"workflow", "list", db_});
  EXPECT_EQ(run.out.find("tiny\tv2"), std::string::npos) << run.out;

  run = cli({"workflow", "deploy", db_, v2});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("deployed tiny v2"), std::string::npos) << run.out;
  run = cli({"workflow", "deploy", db_, v1});
  EXPECT_EQ(run.code, 0) << run.err;  // stored already with this text
  run = cli({"workflow", "list", db_});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("tiny\tv1\t"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\t-\t0个项目\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("tiny\tv2\t"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\t最新\t0个项目\n"), std::string::npos) << run.out;
  run = cli({"workflow", "list", db_, "--lang", "en"});
  EXPECT_NE(run.out.find("\tnewest\t0 projects\n"), std::string::npos) << run.out;

  run = cli({"workflow", "diff", "--db", db_, "tiny@1", "tiny@2"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "新增字段“金额”（金额）。\n状态“办理中”更名为“受理中”。\n");
  run = cli({"workflow", "diff", "--db", db_, "--lang", "en", "tiny@1", "tiny@2"});
  EXPECT_EQ(run.out,
            "Field \"Amount\" (money) is added.\nState \"Open\" is renamed \"Received\".\n");
  run = cli({"workflow", "diff", "--db", db_, "tiny@2", v2});  // a file against a stored one
  EXPECT_EQ(run.out, "两个版本没有差别。\n");
  run = cli({"workflow", "diff", v1, v2});  // two files
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("更名为“受理中”"), std::string::npos);
  run = cli({"workflow", "diff", "--db", db_, "tiny@9", "tiny@2"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("no tiny version 9"), std::string::npos) << run.err;
  run = cli({"workflow", "diff", "tiny@1", "tiny@2"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("give --db"), std::string::npos) << run.err;
}

TEST_F(WorkflowCommands, DeployListDiffAndMigrateOnAPostgresqlDatabase) {
  PG_DATABASE_OR_SKIP(uri);
  const std::string v1 = write("tiny-1.yaml", kTiny);
  const std::string v2 = write("tiny-2.yaml", tiny_v2());
  ASSERT_EQ(cli({"init", uri}).code, 0);
  CliRun run = cli({"workflow", "deploy", uri, v1});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("deployed tiny v1; servers on " + uri), std::string::npos) << run.out;
  {
    // Two projects on v1, as a server on the database would write them.
    auto store = storage::open_store_at(uri);
    ASSERT_TRUE(store) << store.error().message;
    const auto calendars = workflows::CalendarRegistry::with_stand_ins();
    auto load = workflows::load_workflow_text(kTiny, "tiny-1.yaml", calendars);
    ASSERT_TRUE(load.workflow);
    ASSERT_TRUE((*store)->register_workflow(load.workflow, kTiny));
    for (const char* id : {"T-1", "T-2"}) {
      storage::WriteRequest create;
      create.command.project_id = id;
      create.command.body = engine::CreateProject{"", {{"name", engine::Value::text(id)}}};
      create.actor = engine::Actor{"zhang", {"staff"}};
      create.workflow = "tiny";
      const storage::WriteResult result = (*store)->write(std::move(create)).get();
      ASSERT_TRUE(result.accepted()) << result.error;
    }
  }
  run = cli({"workflow", "deploy", uri, v2});
  ASSERT_EQ(run.code, 0) << run.err;
  run = cli({"workflow", "list", uri, "--lang", "en"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("\t-\t2 projects: Open 2\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\tnewest\t0 projects\n"), std::string::npos) << run.out;
  run = cli({"workflow", "diff", "--db", uri, "--lang", "en", "tiny@1", "tiny@2"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "Field \"Amount\" (money) is added.\nState \"Open\" is renamed \"Received\".\n");

  run = cli(
      {"workflow", "migrate", uri, "--workflow", "tiny", "--to", "2", "--dry-run", "--lang", "en"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("2 would move"), std::string::npos) << run.out;
  run = cli({"workflow", "migrate", uri, "--workflow", "tiny", "--to", "2", "--lang", "en"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("2 moved, 0 refused"), std::string::npos) << run.out;
  run = cli({"workflow", "list", uri, "--lang", "en"});
  EXPECT_NE(run.out.find("\tnewest\t2 projects: Received 2\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\t-\t0 projects\n"), std::string::npos) << run.out;
  // Through the writer: each move an event in the log and its chains.
  auto report = storage::verify_pg_database(uri);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << report->problems.front().message;
  EXPECT_EQ(report->events, 4);
  run = cli({"audit", uri});
  EXPECT_NE(run.out.find("workflow_deployed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("projects_migrated"), std::string::npos) << run.out;
}

std::string shipped_qingyuan() {
  std::ifstream in(std::string(INVESTFLOW_SOURCE_DIR) +
                   "/workflows/definitions/qingyuan-investment.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
// The shipped version (kOld) and the one the test deploys (kNew).
const int kOld = [] {
  const std::string yaml = shipped_qingyuan();
  return std::stoi(yaml.substr(yaml.find("\nversion: ") + 10));
}();
const int kNew = kOld + 1;
const std::string kOldText = std::to_string(kOld);
const std::string kNewText = std::to_string(kNew);

// The shipped qingyuan-investment as the next version, its lead state renamed and a field
// added.
std::string qingyuan_next() {
  std::string yaml = shipped_qingyuan();
  const std::string line = "\nversion: " + kOldText + "\n";
  yaml.replace(yaml.find(line), line.size(), "\nversion: " + kNewText + "\n");
  const std::string lead = "label: {zh-CN: 线索, en: Lead}";
  yaml.replace(yaml.find(lead), lead.size(), "label: {zh-CN: 项目线索, en: Project lead}");
  yaml.replace(yaml.find("\nfields:\n"), 9,
               "\nfields:\n  site_visit_note: {type: text, label: {zh-CN: 考察记录, en: Site "
               "visit note}}\n");
  return yaml;
}

TEST_F(WorkflowCommands, ARunningServerTakesADeployedVersionWithoutARestart) {
  ASSERT_EQ(
      cli({"user", "add", "zhang", "--role", "staff", "--password", "zhang-pass-1", "--db", db_})
          .code,
      0);
  const CliRun token = cli({"user", "token", "zhang", "--db", db_});
  ASSERT_EQ(token.code, 0) << token.err;
  const std::string bearer = "Bearer " + token.out.substr(0, 64);
  const investflow::testing::ServedChild served = investflow::testing::start_serve(
      INVESTFLOW_BINARY, db_, dir_, std::string(INVESTFLOW_SOURCE_DIR) + "/workflows/definitions");
  const int port = served.port;
  const std::string& out = served.out;
  const std::string& err = served.err;
  ASSERT_GT(port, 0) << "serve did not start";
  const auto create = [&](const std::string& id) {
    const std::string body = R"({"workflow":"qingyuan-investment","id":")" + id +
                             R"(","fields":{"name":"新型显示材料项目"}})";
    auto response =
        web::testing::fetch(static_cast<std::uint16_t>(port), "POST", "/api/projects", body,
                            {{"Authorization", bearer}, {"Content-Type", "application/json"}});
    EXPECT_TRUE(response && response->status == 201) << (response ? response->body : "no answer");
    response = web::testing::fetch(static_cast<std::uint16_t>(port), "GET", "/api/projects/" + id,
                                   "", {{"Authorization", bearer}});
    if (!response || response->status != 200) return std::int64_t{0};
    return boost::json::parse(response->body).at("workflow_version").as_int64();
  };
  EXPECT_EQ(create("QY-OLD"), kOld);

  CliRun deployed = cli({"workflow", "deploy", db_, write("qingyuan-next.yaml", qingyuan_next())});
  ASSERT_EQ(deployed.code, 0) << deployed.err;
  EXPECT_NE(deployed.out.find("deployed qingyuan-investment v" + kNewText), std::string::npos);
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    auto response = web::testing::fetch(static_cast<std::uint16_t>(port), "GET", "/api/workflows",
                                        "", {{"Authorization", bearer}});
    taken = response &&
            response->body.find(R"("id":"qingyuan-investment","title")") != std::string::npos &&
            response->body.find(R"("version":)" + kNewText) != std::string::npos;
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(taken) << "the server did not take v" << kNewText << " within 10 s";
  EXPECT_EQ(create("QY-NEW"), kNew);
  const CliRun list = cli({"workflow", "list", db_});
  EXPECT_NE(list.out.find("qingyuan-investment\tv" + kOldText + "\t"), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("\t-\t1个项目：线索 1\n"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\t最新\t1个项目：项目线索 1\n"), std::string::npos) << list.out;

  const int status = served.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // spdlog writes to stdout, the rest to stderr.
  std::ostringstream text;
  for (const std::string& file : {out, err}) {
    std::ifstream log(file);
    text << log.rdbuf();
  }
  EXPECT_NE(text.str().find("took qingyuan-investment v" + kNewText +
                            " from the database; new projects start on it"),
            std::string::npos)
      << text.str();
}

}  // namespace
}  // namespace investflow::app
