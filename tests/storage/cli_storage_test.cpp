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
#include "storage/auth.hpp"
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

// --problems raises service problems under open projects already in the database, through
// the write path: each has a parent, the ledger's columns, and the states spread over the
// workflow's steps (most of them closed).
TEST(CliStorage, SeedRaisesProblemsUnderOpenProjects) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  ASSERT_EQ(run({"seed", db, "--projects", "60", "--seed", "4", "--now", "2026-03-02", "--workflow",
                 "qingyuan-investment"})
                .code,
            0);
  CliRun seed = run(
      {"seed", db, "--projects", "0", "--problems", "200", "--seed", "4", "--now", "2026-03-02"});
  ASSERT_EQ(seed.code, 0) << seed.err;
  EXPECT_NE(seed.out.find("seeded 200 projects"), std::string::npos) << seed.out << seed.err;
  EXPECT_NE(seed.out.find("service-problem: 200"), std::string::npos) << seed.out;
  SQLite::Database raw(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("SELECT COUNT(*) FROM projects WHERE workflow = 'service-problem' AND "
                           "parent IS NOT NULL AND responsible_unit IS NOT NULL AND "
                           "problem_category IS NOT NULL AND parent_promoting_unit IS NOT NULL")
                .getInt(),
            200);
  // Every parent is an open project of a parent workflow.
  EXPECT_EQ(raw.execAndGet("SELECT COUNT(*) FROM projects p JOIN projects c ON c.parent = p.id "
                           "WHERE p.workflow <> 'qingyuan-investment'")
                .getInt(),
            0);
  const int closed = raw.execAndGet(
                            "SELECT COUNT(*) FROM projects WHERE workflow = 'service-problem' AND "
                            "state = 'closed'")
                         .getInt();
  const int states = raw.execAndGet(
                            "SELECT COUNT(DISTINCT state) FROM projects WHERE "
                            "workflow = 'service-problem'")
                         .getInt();
  EXPECT_GT(closed, 60);
  EXPECT_LT(closed, 200);
  EXPECT_GE(states, 4);
  CliRun verify = run({"verify", db});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  // Without a project to raise them under, nothing is seeded.
  const std::string empty = dir.file("empty.db").string();
  CliRun none = run({"seed", empty, "--projects", "0", "--problems", "5"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no open project"), std::string::npos) << none.err;
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
  // Row and column label, in Chinese.
  EXPECT_NE(import.err.find("leads.csv: 第 3 行，所属产业："), std::string::npos) << import.err;
  EXPECT_NE(import.out.find("新建 1，更新 0，未变 0，拒绝 1；未写入任何数据"), std::string::npos)
      << import.out;
  SQLite::Database check(db, SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("SELECT count(*) FROM projects").getInt(), 0);

  CliRun english = run({"import", db, csv, "--workflow", "qingyuan-investment", "--lang", "en"});
  EXPECT_EQ(english.code, 1);
  EXPECT_NE(english.err.find("leads.csv: row 3, "), std::string::npos) << english.err;
  EXPECT_NE(english.out.find("created 1, updated 0, unchanged 0, refused 1; nothing written"),
            std::string::npos)
      << english.out;

  CliRun partial = run({"import", db, csv, "--workflow", "qingyuan-investment", "--partial"});
  EXPECT_EQ(partial.code, 1);  // some rows were bad
  EXPECT_NE(partial.out.find("新建 1，更新 0，未变 0，拒绝 1"), std::string::npos) << partial.out;
  EXPECT_EQ(check.execAndGet("SELECT count(*) FROM projects").getInt(), 1);
}

TEST(CliStorage, ImportDryRunKeyOwnersAndColumns) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  ASSERT_EQ(run({"init", db}).code, 0);
  {
    auto auth = storage::AuthStore::open(db);
    ASSERT_TRUE(auth);
    ASSERT_TRUE((*auth)->add_user("zhang", {"staff"}, "long-password-1"));
  }
  const std::string csv = dir.file("projects.csv").string();
  std::ofstream(csv) << "序号,项目编号,项目名称,计划总投资,负责人,备注\n"
                        "1,Q-1,甲项目,1200,zhang,x\n"
                        "2,Q-2,乙项目,800,zhang,y\n";
  const std::vector<std::string> base = {"import", db, csv, "--workflow", "qingyuan-investment"};
  auto with = [&](std::initializer_list<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra);
    return args;
  };
  SQLite::Database check(db, SQLite::OPEN_READONLY);
  const auto projects = [&] { return check.execAndGet("SELECT count(*) FROM projects").getInt(); };

  // 备注 is no field: the file is refused, with the hint.
  CliRun unknown = run(base);
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("“备注”"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("--ignore-columns"), std::string::npos) << unknown.err;

  CliRun dry = run(with({"--ignore-columns", "备注", "--dry-run"}));
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_NE(dry.out.find("新建 2，更新 0，未变 0，拒绝 0（试运行，未写入任何数据）"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("未导入的列：序号、备注"), std::string::npos) << dry.out;
  EXPECT_EQ(projects(), 0);

  CliRun first = run(with({"--ignore-columns", "备注", "--key", "项目编号"}));
  EXPECT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(projects(), 2);
  CliRun again = run(with({"--ignore-columns", "备注", "--key", "项目编号"}));
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("新建 0，更新 0，未变 2，拒绝 0"), std::string::npos) << again.out;
  EXPECT_EQ(projects(), 2);

  std::ofstream(csv) << "项目编号,项目名称,负责人\nQ-3,丙项目,nobody-xyz\n";
  CliRun owner = run(base);
  EXPECT_EQ(owner.code, 1);
  EXPECT_NE(owner.err.find("第 2 行，负责人：没有用户“nobody-xyz”"), std::string::npos)
      << owner.err;
  EXPECT_EQ(run(with({"--owner", "nobody-xyz"})).code, 1);

  EXPECT_EQ(run(with({"--lang", "fr"})).code, 2);
  EXPECT_EQ(
      run({"import", db, dir.file("missing.csv").string(), "--workflow", "qingyuan-investment"})
          .code,
      1);
  CliRun help = run({"import", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--key"), std::string::npos);
  EXPECT_NE(help.out.find("--dry-run"), std::string::npos);
}

// A GB18030 CSV as Excel on Chinese Windows saves it, and an XLSX (tests/data/import/).
TEST(CliStorage, ImportReadsExcelsFiles) {
  TempDir dir;
  const std::string db = dir.file("zone.db").string();
  const std::string data = std::string(INVESTFLOW_TEST_DATA) + "/import/";
  CliRun gb18030 = run(
      {"import", db, data + "gb18030_crlf.csv", "--workflow", "qingyuan-investment", "--dry-run"});
  EXPECT_EQ(gb18030.code, 0) << gb18030.err;
  EXPECT_NE(gb18030.out.find("新建 5，更新 0，未变 0，拒绝 0（试运行"), std::string::npos)
      << gb18030.out;
  CliRun forced = run({"import", db, data + "gb18030_crlf.csv", "--workflow", "qingyuan-investment",
                       "--encoding", "utf-8", "--dry-run"});
  EXPECT_EQ(forced.code, 1);
  EXPECT_FALSE(forced.err.empty());
  CliRun xlsx = run({"import", db, data + "libreoffice.xlsx", "--workflow", "qingyuan-investment",
                     "--lang", "en"});
  EXPECT_EQ(xlsx.code, 0) << xlsx.err;
  EXPECT_NE(xlsx.out.find("created 4, updated 0, unchanged 0, refused 0"), std::string::npos)
      << xlsx.out;
  CliRun sheet = run({"import", db, data + "libreoffice.xlsx", "--workflow", "qingyuan-investment",
                      "--sheet", "没有这张表"});
  EXPECT_EQ(sheet.code, 1);
  EXPECT_NE(sheet.err.find("没有这张表"), std::string::npos) << sheet.err;
}

TEST(CliStorage, UsageMistakesExitTwo) {
  EXPECT_EQ(run({"import", "x.db", "y.csv"}).code, 2);  // no --workflow
  EXPECT_EQ(run({"export", "x.db", "--format", "pdf"}).code, 2);
  EXPECT_EQ(run({"seed", "x.db", "--projects", "many"}).code, 2);
  EXPECT_EQ(run({"seed", "x.db", "--problems", "-1"}).code, 2);
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
