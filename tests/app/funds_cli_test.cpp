// `investflow funds add`, `target set|list`, `report funds|targets` in-process (issue 16).

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>

#include "engine/date.hpp"
#include "engine/funds.hpp"
#include "tests/support/cli_run.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;

std::string this_month() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const engine::Date today = engine::local_date(now);
  return engine::funds_month_text(today.year() * 100 + today.ymd().month);
}

class FundsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("investflow-funds-cli-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    db_ = new std::string((*dir_ / "zone.db").string());
    const auto seeded =
        cli({"seed", *db_, "--projects", "12", "--seed", "7", "--workflow", "qingyuan-investment"});
    ASSERT_EQ(seeded.code, 0) << seeded.err;
    // The first project that takes an entry (one in a final state refuses it).
    SQLite::Database db(*db_, SQLite::OPEN_READONLY);
    SQLite::Statement select(db, "SELECT id FROM projects ORDER BY id");
    std::vector<std::string> ids;
    while (select.executeStep())
      ids.push_back(select.getColumn(0).getString());
    project_ = new std::string();
    for (const auto& id : ids) {
      const auto run = cli({"funds", "add", *db_, id, "--month", this_month(), "--amount", "1234.5",
                            "--source", "abroad", "--evidence", "银行回单"});
      if (run.code == 0) {
        *project_ = id;
        EXPECT_NE(run.out.find("已登记"), std::string::npos) << run.out;
        break;
      }
    }
    ASSERT_FALSE(project_->empty());
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
    delete db_;
    delete project_;
  }
  static inline fs::path* dir_ = nullptr;
  static inline std::string* db_ = nullptr;
  static inline std::string* project_ = nullptr;
};

TEST_F(FundsCli, HelpAndUsage) {
  for (const char* command : {"funds", "target"}) {
    const auto help = cli({command, "--help"});
    EXPECT_EQ(help.code, 0) << command;
    EXPECT_EQ(cli({command}).code, 2) << command;
  }
  const auto add_help = cli({"funds", "add", "--help"});
  EXPECT_EQ(add_help.code, 0);
  EXPECT_NE(add_help.out.find("--source"), std::string::npos);
  EXPECT_EQ(cli({"target", "set", "--help"}).code, 0);
  EXPECT_EQ(cli({"report", "funds", "--help"}).code, 0);
  EXPECT_EQ(cli({"report", "targets", "--help"}).code, 0);
  const auto missing = cli({"funds", "add", *db_, *project_, "--month", "2026-01"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--amount is required"), std::string::npos);
}

TEST_F(FundsCli, BadEntriesAreRefusedInChineseAndWriteNothing) {
  const auto bad = cli(
      {"funds", "add", *db_, *project_, "--month", "2026-13", "--amount", "0", "--source", "mars"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("到位月份“2026-13”格式不对"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("到位金额不能为零"), std::string::npos);
  EXPECT_NE(bad.err.find("未知的资金来源“mars”"), std::string::npos);
  EXPECT_EQ(cli({"funds", "add", *db_, "NO-SUCH", "--month", "2026-01", "--amount", "1", "--source",
                 "local"})
                .code,
            1);
  EXPECT_EQ(cli({"funds", "add", *db_, *project_, "--month", "2026-01", "--amount", "ten",
                 "--source", "local"})
                .code,
            2);
}

TEST_F(FundsCli, TheFundsReportCountsTheEntry) {
  const auto run =
      cli({"report", "funds", "--db", *db_, "--month", this_month(), "--format", "json"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto body = boost::json::parse(run.out).as_object();
  EXPECT_EQ(body.at("month").as_string(), this_month());
  EXPECT_DOUBLE_EQ(body.at("total").at("month").to_number<double>(), 1234.5);
  EXPECT_EQ(body.at("total").at("entries").as_int64(), 1);
  for (const auto& line : body.at("by_source").as_array()) {
    const double expected = line.at("key").as_string() == "abroad" ? 1234.5 : 0;
    EXPECT_DOUBLE_EQ(line.at("month").to_number<double>(), expected);
  }
  const auto text = cli({"report", "funds", "--db", *db_, "--month", this_month()});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("月到位资金 "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("境外"), std::string::npos);
  const auto csv =
      cli({"report", "funds", "--db", *db_, "--month", this_month(), "--format", "csv"});
  ASSERT_EQ(csv.code, 0);
  EXPECT_EQ(csv.out.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(csv.out.find("资金来源"), std::string::npos);
  const std::string file = (*dir_ / "funds.xlsx").string();
  const auto xlsx = cli({"report", "funds", "--db", *db_, "--month", this_month(), "--format",
                         "xlsx", "--out", file});
  ASSERT_EQ(xlsx.code, 0) << xlsx.err;
  EXPECT_GT(fs::file_size(file), 1000u);
  EXPECT_EQ(cli({"report", "funds", "--db", *db_, "--month", "2026-1"}).code, 2);
}

TEST_F(FundsCli, TargetsAreSetListedAndReported) {
  const auto set = cli({"target", "set", *db_, "--year", "2026", "--unit", "招商一科", "--figure",
                        "signed_projects", "--value", "4", "--as", "li"});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("签约项目数"), std::string::npos);
  EXPECT_EQ(cli({"target", "set", *db_, "--year", "2026", "--unit", "招商一科", "--figure",
                 "signed_projects", "--value", "4"})
                .out,
            "unchanged\n");
  const auto bad = cli({"target", "set", *db_, "--year", "2026", "--unit", "招商一科", "--figure",
                        "money", "--value", "1"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("未知的目标指标“money”"), std::string::npos) << bad.err;
  EXPECT_EQ(cli({"target", "set", *db_, "--year", "1990", "--unit", "x", "--figure", "funds",
                 "--value", "1"})
                .code,
            2);

  const auto list =
      cli({"target", "list", *db_, "--year", "2026", "--format", "json", "--history"});
  ASSERT_EQ(list.code, 0) << list.err;
  const auto body = boost::json::parse(list.out).as_object();
  ASSERT_EQ(body.at("targets").as_array().size(), 1u);
  EXPECT_EQ(body.at("targets").at(0).at("unit").as_string(), "招商一科");
  EXPECT_DOUBLE_EQ(body.at("targets").at(0).at("value").to_number<double>(), 4);
  EXPECT_EQ(body.at("targets").at(0).at("set_by").as_string(), "li");
  EXPECT_EQ(body.at("history").as_array().size(), 1u);
  const auto text = cli({"target", "list", *db_, "--year", "2026"});
  EXPECT_NE(text.out.find("招商一科\t签约项目数\t4个\tli"), std::string::npos) << text.out;

  const auto report =
      cli({"report", "targets", "--db", *db_, "--year", "2026", "--format", "json"});
  ASSERT_EQ(report.code, 0) << report.err;
  const auto progress = boost::json::parse(report.out).as_object();
  bool found = false;
  for (const auto& unit : progress.at("units").as_array()) {
    if (unit.at("unit").as_string() != "招商一科") continue;
    found = true;
    EXPECT_EQ(unit.at("rank").as_int64(), 1);
    EXPECT_DOUBLE_EQ(unit.at("figures").at(0).at("target").to_number<double>(), 4);
  }
  EXPECT_TRUE(found) << report.out;
  EXPECT_EQ(cli({"report", "targets", "--db", *db_, "--year", "2026"}).code, 0);
}

}  // namespace
}  // namespace investflow::app
