// `investflow report ...` in-process over a seeded database.

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "app/commands_storage.hpp"
#include "tests/support/cli_run.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;

class ReportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("investflow-report-cli-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    db_ = new std::string((*dir_ / "zone.db").string());
    const auto seeded = cli({"seed", *db_, "--projects", "30", "--seed", "7", "--now", "2026-03-02",
                             "--workflow", "qingyuan-investment"});
    ASSERT_EQ(seeded.code, 0) << seeded.err;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
    delete db_;
  }
  static inline fs::path* dir_ = nullptr;
  static inline std::string* db_ = nullptr;
};

TEST_F(ReportCli, PipelineAsJsonCountsEveryProject) {
  const auto run = cli({"report", "pipeline", "--workflow", "qingyuan-investment", "--db", *db_,
                        "--format", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto body = boost::json::parse(run.out).as_object();
  EXPECT_EQ(body.at("total").at("count").as_int64(), 30);
  EXPECT_EQ(body.at("workflow").as_string(), "qingyuan-investment");
}

TEST_F(ReportCli, TextTablesCarryChineseHeaders) {
  const auto pipeline =
      cli({"report", "pipeline", "--workflow", "qingyuan-investment", "--db", *db_});
  ASSERT_EQ(pipeline.code, 0) << pipeline.err;
  EXPECT_NE(pipeline.out.find("阶段\t项目数\t计划总投资（万元）"), std::string::npos);
  EXPECT_NE(pipeline.out.find("\n线索\t"), std::string::npos);
  EXPECT_EQ(pipeline.out.find("lead"), std::string::npos);  // labels, never ids
  for (const char* report : {"funnel", "aging", "kpis"}) {
    const auto run = cli({"report", report, "--workflow", "qingyuan-investment", "--db", *db_,
                          "--from", "2022-01-01", "--to", "2026-03-02", "--format", "csv"});
    EXPECT_EQ(run.code, 0) << report << ": " << run.err;
    EXPECT_EQ(run.out.rfind("\xEF\xBB\xBF", 0), 0u) << report;
  }
}

TEST_F(ReportCli, PeriodPrintsTheZonesText) {
  const auto zh =
      cli({"report", "period", "--db", *db_, "--from", "2022-01-01", "--to", "2026-03-02"});
  ASSERT_EQ(zh.code, 0) << zh.err;
  EXPECT_EQ(zh.out.rfind("2022年1月1日至2026年3月2日：", 0), 0u) << zh.out;
  EXPECT_NE(zh.out.find("招商引资项目：新增项目30个"), std::string::npos) << zh.out;
  const auto en = cli({"report", "period", "--db", *db_, "--from", "2022-01-01", "--to",
                       "2026-03-02", "--lang", "en"});
  ASSERT_EQ(en.code, 0);
  EXPECT_NE(en.out.find("30 new projects"), std::string::npos) << en.out;
}

TEST_F(ReportCli, XlsxGoesToTheOutputFile) {
  const std::string file = (*dir_ / "kpis.xlsx").string();
  const auto run = cli({"report", "kpis", "--workflow", "qingyuan-investment", "--db", *db_,
                        "--format", "xlsx", "--output", file});
  ASSERT_EQ(run.code, 0) << run.err;
  std::ifstream in(file, std::ios::binary);
  std::string magic(2, '\0');
  in.read(magic.data(), 2);
  EXPECT_EQ(magic, "PK");
}

// --output a directory: the default name in it (the report, the workflow, today).
TEST_F(ReportCli, XlsxIntoADirectoryTakesTheDefaultName) {
  const fs::path out = *dir_ / "reports";
  fs::create_directories(out);
  const auto run = cli({"report", "kpis", "--workflow", "qingyuan-investment", "--db", *db_,
                        "--format", "xlsx", "--output", out.string()});
  ASSERT_EQ(run.code, 0) << run.err;
  const std::string name = "关键指标-qingyuan-investment-" + app::today().to_string() + ".xlsx";
  EXPECT_TRUE(fs::exists(out / name)) << run.out;
  EXPECT_NE(run.out.find(name), std::string::npos) << run.out;
}

TEST_F(ReportCli, MistakesAreUsageErrors) {
  EXPECT_EQ(cli({"report"}).code, 2);
  EXPECT_EQ(cli({"report", "--help"}).code, 0);
  EXPECT_EQ(cli({"report", "funnel", "--help"}).code, 0);
  EXPECT_EQ(cli({"report", "forecast", "--db", *db_}).code, 2);
  const auto bad_date = cli({"report", "funnel", "--workflow", "qingyuan-investment", "--db", *db_,
                             "--from", "2026-13-01"});
  EXPECT_EQ(bad_date.code, 2);
  EXPECT_NE(bad_date.err.find("--from"), std::string::npos);
  EXPECT_EQ(cli({"report", "period", "--db", *db_, "--from", "2026-01-01"}).code, 2);
  EXPECT_EQ(cli({"report", "pipeline"}).code, 2);
  EXPECT_EQ(cli({"report", "pipeline", "--db", *db_}).code, 2);  // which workflow?
  EXPECT_EQ(cli({"report", "pipeline", "--workflow", "qingyuan-investment", "--db",
                 (*dir_ / "none.db").string()})
                .code,
            1);
  EXPECT_EQ(cli({"report", "pipeline", "--db", *db_, "--workflow", "no-such"}).code, 1);
}

}  // namespace
}  // namespace investflow::app
