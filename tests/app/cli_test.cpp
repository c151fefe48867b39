// The CLI as a user meets it: exit codes 0 / 1 / 2, errors on stderr, --help everywhere.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "app/cli.hpp"
#include "tests/support/cli_run.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

using testing::cli;
using testing::CliRun;

std::string source(const std::string& relative) {
  return (fs::path(INVESTFLOW_SOURCE_DIR) / relative).string();
}

// A temporary directory laid out like workflows/: definitions/ beside calendars/.
class TempWorkflows : public ::testing::Test {
 protected:
  fs::path root =
      fs::temp_directory_path() / ("investflow-cli-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    fs::create_directories(root / "definitions");
    fs::create_directories(root / "calendars");
    fs::copy(source("workflows/calendars"), root / "calendars",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  void TearDown() override { fs::remove_all(root); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = root / name;
    std::ofstream(path) << text;
    return path.string();
  }
};

constexpr const char* kTinyWorkflow = R"(workflow: tiny
version: 1
title: {zh-CN: 小流程, en: Tiny}
calendar: cn-mainland
roles: [staff]
fields:
  name: {type: text, required: true, label: {zh-CN: 名称, en: Name}}
  amount: {type: money, unit: 万元, min: 0}
initial: open
states:
  open: {label: {zh-CN: 办理中, en: Open}, sla: {working_days: 1}}
  closed: {label: {zh-CN: 已办结, en: Closed}, terminal: true}
transitions:
  - id: close
    label: {zh-CN: 办结, en: Close}
    from: open
    to: closed
    roles: [staff]
    requires: [amount]
    guards:
      - check: "amount >= 10"
        message: {zh-CN: "金额 {amount} 万元不足 10 万元", en: "amount {amount} is below 10"}
)";

TEST(Cli, HelpAndUsageErrors) {
  CliRun run = cli({"--help"});
  EXPECT_EQ(run.code, 0);
  EXPECT_NE(run.out.find("validate"), std::string::npos);
  run = cli({});
  EXPECT_EQ(run.code, 2);
  run = cli({"frobnicate"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("unknown command 'frobnicate'"), std::string::npos);
  for (const char* command : {"validate", "graph", "simulate", "calendar"}) {
    run = cli({command, "--help"});
    EXPECT_EQ(run.code, 0) << command;
    EXPECT_NE(run.out.find("Usage: investflow " + std::string(command)), std::string::npos);
    EXPECT_TRUE(run.err.empty());
  }
  run = cli({"validate"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("missing argument FILE"), std::string::npos);
  run = cli({"graph", "--lang", "fr", "x.yaml"});
  EXPECT_EQ(run.code, 2);
  run = cli({"graph", "--colour", "x.yaml"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("unknown option '--colour'"), std::string::npos);
}

TEST(Cli, CalendarArithmeticAcrossTheSpringFestival2026) {
  // Friday 13 Feb 2026; Saturday 14 Feb is a make-up working day; 15-23 Feb is the
  // Spring Festival holiday; Tuesday 24 Feb is the next working day.
  CliRun run = cli({"calendar", "add", "2026-02-13", "1"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "2026-02-14\n");
  EXPECT_EQ(cli({"calendar", "add", "2026-02-13", "2"}).out, "2026-02-24\n");
  EXPECT_EQ(cli({"calendar", "between", "2026-02-13", "2026-02-24"}).out, "2\n");
  EXPECT_EQ(cli({"calendar", "between", "2026-02-24", "2026-02-13"}).out, "-2\n");
  run = cli({"calendar", "add", "2030-01-04", "1"});  // a Friday, beyond the official data
  EXPECT_EQ(run.out, "2030-01-07\n");
  EXPECT_NE(run.err.find("warning"), std::string::npos);
  EXPECT_EQ(cli({"calendar", "add", "2026-02-30", "1"}).code, 2);
  EXPECT_EQ(cli({"calendar", "add", "2026-02-13", "0"}).code, 2);
  EXPECT_EQ(cli({"calendar", "sum", "2026-02-13", "1"}).code, 2);
  run = cli({"calendar", "--calendar", "mars", "add", "2026-02-13", "1"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("no calendar 'mars'"), std::string::npos);
}

TEST(Cli, ValidatesEveryShippedWorkflow) {
  std::vector<std::string> args{"validate"};
  for (const auto& entry : fs::directory_iterator(source("workflows/definitions"))) {
    args.push_back(entry.path().string());
  }
  ASSERT_GE(args.size(), 6u);
  const CliRun run = cli(args);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("qingyuan-investment v"), std::string::npos);
}

TEST(Cli, ValidatesParentLinksAmongTheFilesGivenTogether) {
  const std::string venture = source("tests/data/parent/venture.yaml");
  const std::string issue = source("tests/data/parent/issue.yaml");
  CliRun run = cli({"validate", venture, issue});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("issue v1"), std::string::npos) << run.out;
  // Alone, the child's parent workflow is not among the files, and the parent counts a
  // workflow that is not loaded.
  run = cli({"validate", issue});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(issue + ":7:22: error: parent workflow 'venture' is not among the "
                                 "workflows loaded with this one"),
            std::string::npos)
      << run.err;
  run = cli({"validate", venture});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(venture + ":23:31: error: no workflow 'issue' is loaded"),
            std::string::npos)
      << run.err;
}

TEST_F(TempWorkflows, ValidateReportsFileLineColumnAndExitsOne) {
  std::string broken = kTinyWorkflow;
  broken.replace(broken.find("amount >= 10"), 12, "amont >= 10");
  const std::string path = write("definitions/tiny.yaml", broken);
  const CliRun run = cli({"validate", path});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(path + ":21:17: error: unknown name 'amont'"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("amont"), std::string::npos);
  EXPECT_NE(run.err.find("amount"), std::string::npos);  // did you mean
  EXPECT_TRUE(run.out.empty());
  EXPECT_EQ(cli({"validate", (root / "missing.yaml").string()}).code, 1);
}

TEST_F(TempWorkflows, GraphPrintsMermaidInBothLanguages) {
  const std::string path = write("definitions/tiny.yaml", kTinyWorkflow);
  CliRun run = cli({"graph", path});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("stateDiagram-v2"), std::string::npos);
  EXPECT_NE(run.out.find("open --> closed : 办结"), std::string::npos);
  run = cli({"graph", "--lang", "en", path});
  EXPECT_NE(run.out.find("open --> closed : Close"), std::string::npos);
}

TEST_F(TempWorkflows, SimulateRunsStepsAndChecksExpectations) {
  const std::string workflow = write("definitions/tiny.yaml", kTinyWorkflow);
  const std::string good = write("good.yaml", R"(workflow: tiny
project: T-1
actors: {zhang: [staff], wang: [auditor]}
expect_state: closed
steps:
  - at: 2026-02-13
    actor: zhang
    create: {name: 测试}
  - transition: close
    fields: {amount: 5}
    expect: rejected
    reasons: [guard_failed]
  - actor: wang
    transition: close
    fields: {amount: 12}
    expect: rejected
    reasons: [role_not_allowed]
  - at: 2026-02-24
    actor: zhang
    transition: close
    fields: {amount: 12}
)");
  CliRun run = cli({"simulate", workflow, good});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("金额 5 万元不足 10 万元"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("final state: 已办结 (closed), version 2"), std::string::npos) << run.out;
  run = cli({"simulate", "--lang", "en", workflow, good});
  EXPECT_NE(run.out.find("amount 5 is below 10"), std::string::npos);

  // A step that goes otherwise than expected fails the run.
  const std::string bad = write("bad.yaml", R"(workflow: tiny
actors: {zhang: [staff]}
steps:
  - {at: 2026-02-13, actor: zhang, create: {name: x}}
  - {transition: close, fields: {amount: 1}}
)");
  run = cli({"simulate", workflow, bad});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.out.find("UNEXPECTED"), std::string::npos);
  EXPECT_NE(run.err.find("1 step(s) did not go as expected"), std::string::npos);
}

TEST_F(TempWorkflows, SimulateReportsScenarioMistakesWithPositions) {
  const std::string workflow = write("definitions/tiny.yaml", kTinyWorkflow);
  const std::string bad = write("bad.yaml", R"(workflow: tiny
actors: {zhang: [staff]}
steps:
  - at: 2026-02-30
    actor: zhang
    create: {name: x}
  - transiton: close
  - vote: maybe
)");
  const CliRun run = cli({"simulate", workflow, bad});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find(bad + ":4:9: error: at must be a date"), std::string::npos) << run.err;
  EXPECT_NE(
      run.err.find(bad +
                   ":7:5: error: unknown key 'transiton' in a step (did you mean 'transition'?)"),
      std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(bad + ":8:11: error: vote must be approve, reject, abstain or recuse"),
            std::string::npos)
      << run.err;
  const std::string garbage = write("garbage.yaml", "steps: [\n  {");
  EXPECT_EQ(cli({"simulate", workflow, garbage}).code, 1);
}

}  // namespace
}  // namespace investflow::app
