// `investflow report ...` in-process over a seeded database.

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "app/commands_storage.hpp"
#include "storage/tabular.hpp"
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
  // The workflow's own sentence (report: sentence), in the zone's words.
  EXPECT_NE(zh.out.find("\n新引进投资项目"), std::string::npos) << zh.out;
  const auto en = cli({"report", "period", "--db", *db_, "--from", "2022-01-01", "--to",
                       "2026-03-02", "--lang", "en"});
  ASSERT_EQ(en.code, 0);
  EXPECT_NE(en.out.find("new investment projects signed"), std::string::npos) << en.out;
}

// kpis (issue 16): the monthly report (月报).
TEST_F(ReportCli, MonthlyReportAsXlsxTextAndJson) {
  const fs::path out = *dir_ / "monthly";
  fs::create_directories(out);
  const auto run = cli({"report", "monthly", "--db", *db_, "--month", "2026-02", "--out",
                        out.string(), "--today", "2026-03-02"});
  ASSERT_EQ(run.code, 0) << run.err;
  const fs::path file = out / "月报-2026-02.xlsx";
  ASSERT_TRUE(fs::exists(file)) << run.out;
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto table = storage::read_xlsx_table(bytes);
  ASSERT_TRUE(table) << table.error().message.en;
  // The fixed sheets; 到位资金 and 问题台账 because the shipped workflows keep funds and
  // problems.
  EXPECT_EQ(table->sheets,
            (std::vector<std::string>{"汇总", "新签约项目", "在建项目", "新开工", "新投产",
                                      "到位资金", "超时限未开工", "问题台账"}));
  EXPECT_EQ(table->rows[0].cells[2].text, "本月");
  bool count = false;
  for (const auto& row : table->rows) {
    if (row.cells.size() > 3 && row.cells[1].text == "新增项目数") {
      count = true;
      EXPECT_EQ(row.cells[2].kind, storage::TabularCell::Kind::number);
    }
  }
  EXPECT_TRUE(count);

  const auto text = cli({"report", "monthly", "--db", *db_, "--month", "2026-02", "--format",
                         "text", "--today", "2026-03-02"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("2026年2月：", 0), 0u) << text.out.substr(0, 200);
  EXPECT_NE(text.out.find("\n新签约项目\n项目编号\t"), std::string::npos);
  const auto json =
      cli({"report", "monthly", "--db", *db_, "--month", "2026-02", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(boost::json::parse(json.out).at("month").as_string(), "2026-02");

  EXPECT_EQ(cli({"report", "monthly", "--help"}).code, 0);
  EXPECT_EQ(cli({"report", "monthly", "--db", *db_}).code, 2);  // which month?
  const auto bad = cli({"report", "monthly", "--db", *db_, "--month", "2026-2"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--month"), std::string::npos);
  EXPECT_EQ(cli({"report", "monthly", "--db", *db_, "--month", "2026-02", "--format", "csv"}).code,
            2);
  EXPECT_EQ(
      cli({"report", "monthly", "--db", (*dir_ / "none.db").string(), "--month", "2026-02"}).code,
      1);
}

TEST_F(ReportCli, XlsxGoesToTheOutputFile) {
  const std::string file = (*dir_ / "kpis.xlsx").string();
  const auto run = cli({"report", "kpis", "--workflow", "qingyuan-investment", "--db", *db_,
                        "--format", "xlsx", "--out", file});
  ASSERT_EQ(run.code, 0) << run.err;
  std::ifstream in(file, std::ios::binary);
  std::string magic(2, '\0');
  in.read(magic.data(), 2);
  EXPECT_EQ(magic, "PK");
}

// --out a directory: the default name in it (the report, the workflow, today).
TEST_F(ReportCli, XlsxIntoADirectoryTakesTheDefaultName) {
  const fs::path out = *dir_ / "reports";
  fs::create_directories(out);
  const auto run = cli({"report", "kpis", "--workflow", "qingyuan-investment", "--db", *db_,
                        "--format", "xlsx", "--out", out.string()});
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
