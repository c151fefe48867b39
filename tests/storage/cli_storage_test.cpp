// The database commands of the CLI, run in-process: init, seed, verify, backup, export,
// import, and the progress bar they draw.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <span>
#include <sstream>

#include "app/commands_report.hpp"
#include "app/commands_storage.hpp"
#include "app/progress.hpp"
#include "storage_test_support.hpp"

namespace investflow::app {
namespace {

using storage::testing::TempDir;

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

CliRun run(std::vector<std::string> args, bool terminal = false) {
  std::ostringstream out;
  std::ostringstream err;
  Io io{out, err, terminal};
  using Command = int (*)(std::span<const std::string>, Io&);
  const std::map<std::string, Command> commands = {{"init", run_init},     {"verify", run_verify},
                                                   {"backup", run_backup}, {"import", run_import},
                                                   {"export", run_export}, {"seed", run_seed},
                                                   {"report", run_report}};
  CliRun result;
  result.code = commands.at(args.front())(std::span(args).subspan(1), io);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(CliStorage, InitSeedVerifyBackupExport) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  CliRun init = run({"init", db});
  EXPECT_EQ(init.code, 0) << init.err;
  EXPECT_NE(init.out.find("schema version"), std::string::npos);

  CliRun seed = run({"seed", db, "--projects", "48", "--seed", "5", "--now", "2026-03-02"});
  ASSERT_EQ(seed.code, 0) << seed.err;
  EXPECT_NE(seed.out.find("seeded 48 projects"), std::string::npos) << seed.out;

  CliRun verify = run({"verify", db});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("48 projects"), std::string::npos);
  EXPECT_NE(verify.out.find(": ok"), std::string::npos);

  const std::string copy = dir.file("copy.db").string();
  CliRun backup = run({"backup", db, copy});
  EXPECT_EQ(backup.code, 0) << backup.err;
  EXPECT_EQ(run({"verify", copy}).code, 0);
  EXPECT_EQ(run({"backup", db, copy}).code, 1);  // never overwrites

  // The seed spread the 48 projects over the six shipped workflows.
  EXPECT_EQ(run({"export", db}).code, 2);  // which workflow?
  CliRun csv = run({"export", db, "--workflow", "qingyuan-investment"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_NE(csv.out.find("项目编号,状态,负责人,项目名称"), std::string::npos);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 9);  // header + 8 rows
  EXPECT_NE(csv.out.find("QI-000008"), std::string::npos);

  const std::string xlsx = dir.file("projects.xlsx").string();
  CliRun excel =
      run({"export", db, "--workflow", "tech-renovation", "--format", "xlsx", "--out", xlsx});
  EXPECT_EQ(excel.code, 0) << excel.err;
  EXPECT_TRUE(std::filesystem::exists(xlsx));
  // --out a directory: the default name, with the workflow's title, its id and today.
  CliRun into_directory = run({"export", db, "--workflow", "tech-renovation", "--format", "xlsx",
                               "--out", dir.path().string()});
  EXPECT_EQ(into_directory.code, 0) << into_directory.err;
  const std::string name = "技术改造项目台账-tech-renovation-" + today().to_string() + ".xlsx";
  EXPECT_TRUE(std::filesystem::exists(dir.path() / name)) << into_directory.out;
}

TEST(CliStorage, VerifyExitsOneOnTampering) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  ASSERT_EQ(run({"seed", db, "--projects", "5", "--now", "2026-03-02", "--workflow",
                 "qingyuan-investment"})
                .code,
            0);
  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    raw.exec(
        "UPDATE projects SET owner = 'mallory', body = json_set(body, '$.owner', 'mallory') "
        "WHERE id = 'QY-000003'");
  }
  CliRun verify = run({"verify", db});
  EXPECT_EQ(verify.code, 1);
  EXPECT_NE(verify.out.find("QY-000003: projection_differs"), std::string::npos) << verify.out;
}

// Demo data for every shipped workflow: each one's reports have something to show, read
// through its report tags; what a workflow has no tag for is null, never 0.
TEST(CliStorage, SeedingEveryWorkflowGivesEachOneReports) {
  TempDir dir;
  const std::string db = dir.file("demo.db").string();
  CliRun seed = run({"seed", db, "--projects", "180", "--seed", "3", "--now", "2026-03-02"});
  ASSERT_EQ(seed.code, 0) << seed.err;
  CliRun period = run({"report", "period", "--db", db, "--from", "2020-01-01", "--to", "2026-03-02",
                       "--format", "json"});
  ASSERT_EQ(period.code, 0) << period.err;
  const auto body = boost::json::parse(period.out);
  const auto& rows = body.at("workflows").as_array();
  ASSERT_EQ(rows.size(), 6u);  // every shipped workflow
  for (const auto& value : rows) {
    const auto& row = value.as_object();
    const std::string workflow(row.at("workflow").as_string());
    EXPECT_EQ(row.at("new_projects").as_int64(), 30) << workflow;
    for (const char* figure : {"new_investment_wan", "signed", "started", "enterprises"}) {
      if (!row.at(figure).is_null()) {
        EXPECT_GT(row.at(figure).to_number<double>(), 0) << workflow << " " << figure;
      }
    }
    CliRun pipeline =
        run({"report", "pipeline", "--db", db, "--workflow", workflow, "--format", "json"});
    ASSERT_EQ(pipeline.code, 0) << pipeline.err;
    EXPECT_EQ(boost::json::parse(pipeline.out).at("total").at("count").as_int64(), 30) << workflow;
    if (workflow == "qingyuan-investment") {
      EXPECT_GT(row.at("signed").as_int64(), 0);
      EXPECT_GT(row.at("started").as_int64(), 0);
    }
    if (workflow == "tech-renovation") {
      EXPECT_TRUE(row.at("signed").is_null());                 // no agreement to sign
      EXPECT_GT(row.at("new_investment_wan").as_double(), 0);  // its money is in `investment`
    }
  }
}

TEST(CliStorage, ImportReportsBadRowsAndWritesNothing) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  const std::string csv = dir.file("leads.csv").string();
  std::ofstream(csv) << "项目名称,投资主体,所属产业,计划总投资（万元）\n"
                        "新材料产业园,广东华创集团,新材料,12000\n"
                        "电子项目,深圳鹏芯,电子信息,很多\n";
  CliRun import = run({"import", db, csv, "--workflow", "qingyuan-investment"});
  EXPECT_EQ(import.code, 1);
  EXPECT_NE(import.err.find("leads.csv:3:"), std::string::npos) << import.err;
  EXPECT_NE(import.err.find("所属产业"), std::string::npos) << import.err;  // 电子信息 is no option
  EXPECT_NE(import.out.find("nothing written"), std::string::npos);
  SQLite::Database check(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("SELECT count(*) FROM projects").getInt(), 0);

  CliRun partial = run({"import", db, csv, "--workflow", "qingyuan-investment", "--partial"});
  EXPECT_EQ(partial.code, 1);  // some rows were bad
  EXPECT_NE(partial.out.find("1 of 2 rows imported"), std::string::npos) << partial.out;
}

TEST(CliStorage, UsageMistakesExitTwo) {
  EXPECT_EQ(run({"import", "x.db", "y.csv"}).code, 2);  // no --workflow
  EXPECT_EQ(run({"export", "x.db", "--format", "pdf"}).code, 2);
  EXPECT_EQ(run({"seed", "x.db", "--projects", "many"}).code, 2);
  EXPECT_EQ(run({"verify"}).code, 2);
  CliRun help = run({"backup", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("online backup"), std::string::npos);
  TempDir dir;
  EXPECT_EQ(run({"verify", dir.file("missing.db").string()}).code, 1);
}

TEST(Progress, DrawsOnATerminalOnly) {
  std::ostringstream out;
  std::ostringstream err;
  {
    Io io{out, err, false};
    Progress progress(io, "seeding");
    progress.update(5, 10);
    progress.finish();
  }
  EXPECT_TRUE(err.str().empty());
  {
    Io io{out, err, true};
    Progress progress(io, "seeding");
    progress.update(5, 10);
    progress.finish();
  }
  EXPECT_NE(err.str().find("seeding ["), std::string::npos);
  EXPECT_NE(err.str().find("5/10"), std::string::npos);
  EXPECT_EQ(err.str().back(), '\n');
}

TEST(Progress, ShowsRateAndEta) {
  const std::string line = Progress::render("importing", 250, 1000, 2.0);
  EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
  EXPECT_NE(line.find("125/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:06"), std::string::npos) << line;
  const std::string unknown = Progress::render("exporting", 300, 0, 3.0);
  EXPECT_EQ(unknown, "exporting 300  100/s");
}

}  // namespace
}  // namespace investflow::app
