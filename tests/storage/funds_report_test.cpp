// 到位资金 and targets (issue 16) over a hand-built history written through the store: every
// figure of the funds report (month, 1–N月, 同比, by source, workflow and unit) and of the
// targets report (progress, score, ranking) checked exactly; the summaries rebuilt from the
// events give the same; targets keep their history.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <boost/json.hpp>

#include "storage/codec.hpp"
#include "storage/figures.hpp"
#include "storage/funds_report.hpp"
#include "storage/monthly_report.hpp"
#include "storage/reports.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/wire_json.hpp"
#include "tests/storage/reports_test_support.hpp"

namespace investflow::storage::testing {
namespace {

using engine::Value;

engine::Timestamp at(int year, int month, int day) {
  return engine::start_of_day(*engine::Date::from_ymd(year, month, day)) + 9 * 3600 * 1000;
}

WriteRequest funds_at(const std::string& id, engine::Timestamp when, std::string month,
                      double amount, std::string source, std::string comment = "") {
  WriteRequest request;
  request.command.project_id = id;
  request.command.body =
      engine::RecordFunds{std::move(month), amount, std::move(source), "回单", std::move(comment)};
  return dated(std::move(request), when);
}

class FundsReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_pipe_store(path_);
    ASSERT_NE(store_, nullptr);
    workflows_ = {store_->workflow("pipe", 0)};
    build_history();
  }

  void write(WriteRequest request) {
    const std::string what = request.command.project_id;
    const WriteResult result = store_->write(std::move(request)).get();
    ASSERT_TRUE(result.accepted())
        << what << ": " << result.error
        << (result.rejection.reasons.empty() ? "" : result.rejection.reasons.front().message.zh);
  }

  static engine::FieldMap basics(double investment, const char* unit) {
    engine::FieldMap fields{{"total_investment", Value::number(investment)}};
    if (unit[0] != '\0') fields["promoting_unit"] = Value::text(unit);
    return fields;
  }

  void sign(const std::string& id, engine::Timestamp when) {
    write(take_at(id, "submit", when));
    write(take_at(id, "approve", when));
    write(take_at(id, "sign", when));
  }

  void build_history() {
    // P1 (一科): signed in 2025; funds in March 2025, January and March 2026.
    write(create_at("P1", at(2025, 1, 10), basics(5000, "一科")));
    sign("P1", at(2025, 2, 3));
    write(funds_at("P1", at(2025, 3, 20), "2025-03", 100, "other_province"));
    write(funds_at("P1", at(2026, 2, 1), "2026-01", 50, "abroad"));
    write(funds_at("P1", at(2026, 3, 5), "2026-03", 300, "local"));
    // P2 (二科): signed and started in 2026; an entry and its correction in March.
    write(create_at("P2", at(2026, 1, 5), basics(20000, "二科")));
    sign("P2", at(2026, 2, 10));
    write(take_at("P2", "start", at(2026, 3, 2)));
    write(funds_at("P2", at(2026, 3, 9), "2026-03", 200, "other_city"));
    write(funds_at("P2", at(2026, 3, 10), "2026-03", -20, "other_city", "重复登记更正"));
    // P3: no promoting unit; funds in February.
    write(create_at("P3", at(2026, 2, 2), basics(100, "")));
    write(funds_at("P3", at(2026, 2, 20), "2026-02", 10, "local"));
    // P4 (一科): signed in March 2026, no funds.
    write(create_at("P4", at(2026, 3, 2), basics(3000, "一科")));
    sign("P4", at(2026, 3, 3));
    // After the report's month: not counted in March's figures.
    write(funds_at("P4", at(2026, 4, 2), "2026-04", 999, "local"));
  }

  FundsReport funds(int month, const std::string& workflow = "") {
    ReportReader reader(path_);
    auto report = reader.run([&](SqlDatabase& connection) {
      return funds_report(connection, workflows_, month, workflow);
    });
    EXPECT_TRUE(report) << (report ? "" : report.error().message);
    return report ? *report : FundsReport{};
  }

  TargetsReport targets(int year, engine::Date through) {
    ReportReader reader(path_);
    auto report = reader.run([&](SqlDatabase& connection) {
      return targets_report(connection, workflows_, year, through);
    });
    EXPECT_TRUE(report) << (report ? "" : report.error().message);
    return report ? *report : TargetsReport{};
  }

  void target(const std::string& unit, const std::string& figure, std::optional<double> value) {
    SQLite::Database db(path_.string(), SQLite::OPEN_READWRITE);
    SqliteDatabase sql(db);
    ASSERT_TRUE(check_target(2026, unit, figure, value).empty());
    auto change = set_target(sql, 2026, unit, figure, value, "li", at(2026, 1, 2));
    ASSERT_TRUE(change) << change.error().message;
  }

  static const FundsLine& line(const std::vector<FundsLine>& lines, std::string_view key) {
    for (const auto& line : lines) {
      if (line.key == key) return line;
    }
    throw std::logic_error("no line " + std::string(key));
  }

  static void expect_figures(const FundsFigures& figures, double month, double cumulative,
                             double month_last_year, double cumulative_last_year) {
    EXPECT_DOUBLE_EQ(figures.month, month);
    EXPECT_DOUBLE_EQ(figures.cumulative, cumulative);
    EXPECT_DOUBLE_EQ(figures.month_last_year, month_last_year);
    EXPECT_DOUBLE_EQ(figures.cumulative_last_year, cumulative_last_year);
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.file("funds.db");
  std::unique_ptr<Store> store_;
  FundsWorkflows workflows_;
};

TEST_F(FundsReportTest, TheMonthItsYearToDateAndTheSameMonthsLastYear) {
  const FundsReport report = funds(202603);
  EXPECT_EQ(report.month, 202603);
  expect_figures(report.total, 480, 540, 100, 100);
  EXPECT_DOUBLE_EQ(*report.total.month_growth, 3.8);
  EXPECT_DOUBLE_EQ(*report.total.cumulative_growth, 4.4);
  EXPECT_EQ(report.total.entries, 3);
}

TEST_F(FundsReportTest, BySourceInTheirOrderEvenWhenEmpty) {
  const FundsReport report = funds(202603);
  ASSERT_EQ(report.by_source.size(), 4u);
  EXPECT_EQ(report.by_source[0].key, "local");
  EXPECT_EQ(report.by_source[0].label.zh, "本市");
  EXPECT_EQ(report.by_source[3].label.zh, "境外");
  expect_figures(line(report.by_source, "local").figures, 300, 310, 0, 0);
  EXPECT_FALSE(line(report.by_source, "local").figures.cumulative_growth);  // nothing last year
  expect_figures(line(report.by_source, "other_city").figures, 180, 180, 0, 0);
  expect_figures(line(report.by_source, "other_province").figures, 0, 0, 100, 100);
  EXPECT_DOUBLE_EQ(*line(report.by_source, "other_province").figures.cumulative_growth, -1);
  expect_figures(line(report.by_source, "abroad").figures, 0, 50, 0, 0);
}

TEST_F(FundsReportTest, ByWorkflowAndByPromotingUnitLargestFirst) {
  const FundsReport report = funds(202603);
  ASSERT_EQ(report.by_workflow.size(), 1u);
  EXPECT_EQ(report.by_workflow[0].key, "pipe");
  EXPECT_EQ(report.by_workflow[0].label.zh, "招商引资项目");
  expect_figures(report.by_workflow[0].figures, 480, 540, 100, 100);
  ASSERT_EQ(report.by_unit.size(), 3u);
  EXPECT_EQ(report.by_unit[0].key, "一科");
  expect_figures(report.by_unit[0].figures, 300, 350, 100, 100);
  EXPECT_DOUBLE_EQ(*report.by_unit[0].figures.month_growth, 2.0);
  EXPECT_DOUBLE_EQ(*report.by_unit[0].figures.cumulative_growth, 2.5);
  EXPECT_EQ(report.by_unit[1].key, "二科");
  expect_figures(report.by_unit[1].figures, 180, 180, 0, 0);
  EXPECT_EQ(report.by_unit[2].key, "");
  EXPECT_EQ(report.by_unit[2].label.zh, "未填招商单位");
  expect_figures(report.by_unit[2].figures, 0, 10, 0, 0);
}

TEST_F(FundsReportTest, OtherMonthsAndWorkflows) {
  const FundsReport february = funds(202602);
  expect_figures(february.total, 10, 60, 0, 0);  // January's 50 and February's 10
  const FundsReport april = funds(202604);
  expect_figures(april.total, 999, 1539, 0, 100);
  expect_figures(funds(202503).total, 100, 100, 0, 0);
  const FundsReport none = funds(202603, "no-such-workflow");
  expect_figures(none.total, 0, 0, 0, 0);
  EXPECT_TRUE(none.by_workflow.empty());
}

TEST_F(FundsReportTest, TheProjectKeepsItsEntriesAndTheFieldTheirSum) {
  auto project = store_->project("P2");
  ASSERT_TRUE(project && *project);
  ASSERT_EQ((*project)->funds.size(), 2u);
  EXPECT_EQ((*project)->funds[1].comment, "重复登记更正");
  EXPECT_EQ((*project)->field("funds_in_place"), Value::number(180));
  // The stored projection round-trips through the codec.
  auto decoded = decode_project(encode_project(**project));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, **project);
  // A hand edit of the field is refused now.
  const WriteResult edit =
      store_->write(edit_at("P2", at(2026, 3, 11), {{"funds_in_place", Value::number(1)}})).get();
  ASSERT_TRUE(edit.rejected());
  EXPECT_EQ(edit.rejection.reasons.front().code, engine::reason::kFundsByLedger);
}

TEST_F(FundsReportTest, SummariesRebuiltFromTheEventsAreTheSame) {
  const Snapshot before = snapshot_reports(path_);
  const auto funds_rows = [&] {
    SQLite::Database db(path_.string(), SQLite::OPEN_READONLY);
    SQLite::Statement select(db,
                             "SELECT workflow, month, source, promoting_unit, entries, amount "
                             "FROM report_funds WHERE entries <> 0 ORDER BY 1, 2, 3, 4");
    std::vector<std::string> rows;
    while (select.executeStep()) {
      std::string row;
      for (int i = 0; i < 6; ++i)
        row += select.getColumn(i).getString() + "|";
      rows.push_back(row);
    }
    return rows;
  };
  const auto rows = funds_rows();
  EXPECT_EQ(rows.size(), 6u);
  {
    SQLite::Database db(path_.string(), SQLite::OPEN_READWRITE);
    SQLite::Transaction transaction(db);
    ReportLedger::rebuild(db);
    transaction.commit();
  }
  EXPECT_EQ(funds_rows(), rows);
  EXPECT_EQ(snapshot_reports(path_), before);
  expect_figures(funds(202603).total, 480, 540, 100, 100);
}

// The monthly report's 到位资金 sheet: the funds report's three parts one below the other,
// after 新投产 and before 超时限未开工.
TEST_F(FundsReportTest, TheMonthlyReportCarriesTheFundsSheet) {
  ReportReader reader(path_);
  auto monthly = reader.run([&](SqlDatabase& connection) {
    return monthly_report(connection, workflows_, ReportMonth{2026, 3},
                          *engine::Date::parse("2026-03-31"));
  });
  ASSERT_TRUE(monthly) << monthly.error().message;
  std::vector<std::string> names;
  for (const Sheet& sheet : monthly->sheets)
    names.push_back(sheet.name);
  const auto at = std::find(names.begin(), names.end(), "到位资金");
  ASSERT_NE(at, names.end());
  ASSERT_NE(at, names.begin());
  EXPECT_EQ(*(at - 1), "新投产");
  EXPECT_EQ(*(at + 1), "超时限未开工");
  const Sheet& sheet = monthly->sheets[static_cast<std::size_t>(at - names.begin())];
  const std::vector<Sheet> parts = funds_report_sheets(funds(202603));
  std::size_t expected_rows = 0;
  for (const Sheet& part : parts)
    expected_rows += part.rows.size();
  // Each part after the first is under a blank row and its own header row.
  EXPECT_EQ(sheet.rows.size(), expected_rows + 2 * (parts.size() - 1));
  EXPECT_EQ(sheet.header, parts.front().header);
  // The total row: 合计, the month 480, 1–N月 540 (as TheMonthItsYearToDate… above).
  const auto total = std::find_if(sheet.rows.begin(), sheet.rows.end(), [](const auto& row) {
    return !row.empty() && row.front().text == "合计";
  });
  ASSERT_NE(total, sheet.rows.end());
  EXPECT_DOUBLE_EQ(*(*total)[1].number, 480);
  EXPECT_DOUBLE_EQ(*(*total)[2].number, 540);
}

TEST_F(FundsReportTest, SignedAndStartedByUnitFollowTheSharedRule) {
  ReportReader reader(path_);
  const auto signed_2026 = reader.run([&](SqlDatabase& connection) {
    return reached_by_unit(connection, workflows_, engine::StateTag::signing,
                           *engine::Date::from_ymd(2026, 1, 1),
                           *engine::Date::from_ymd(2026, 12, 31));
  });
  ASSERT_EQ(signed_2026.size(), 2u);
  EXPECT_EQ(signed_2026.at("一科").projects, 1);  // P4; P1 signed in 2025
  EXPECT_DOUBLE_EQ(signed_2026.at("一科").investment, 3000);
  EXPECT_EQ(signed_2026.at("二科").projects, 1);
  EXPECT_DOUBLE_EQ(signed_2026.at("二科").investment, 20000);
  const auto started = reader.run([&](SqlDatabase& connection) {
    return reached_by_unit(connection, workflows_, engine::StateTag::construction_started,
                           *engine::Date::from_ymd(2026, 1, 1),
                           *engine::Date::from_ymd(2026, 12, 31));
  });
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(started.at("二科").projects, 1);
}

TEST_F(FundsReportTest, ProgressAgainstTargetsAndTheRanking) {
  target("一科", "signed_projects", 2);
  target("一科", "funds", 500);
  target("一科", "funds", 700);  // changed: the history keeps both
  target("二科", "signed_projects", 1);
  target("二科", "signed_amount", 40000);
  target("二科", "started_projects", 2);
  target("三科", "signed_projects", 0);
  const TargetsReport report = targets(2026, *engine::Date::from_ymd(2026, 3, 31));
  EXPECT_EQ(report.through, *engine::Date::from_ymd(2026, 3, 31));
  ASSERT_EQ(report.units.size(), 3u);
  const UnitProgress& first = report.units[0];
  EXPECT_EQ(first.unit, "二科");
  EXPECT_EQ(first.rank, 1);
  EXPECT_DOUBLE_EQ(*first.score, (1.0 + 0.5 + 0.5) / 3);
  ASSERT_EQ(first.figures.size(), 4u);
  EXPECT_EQ(first.figures[0].figure, "signed_projects");
  EXPECT_DOUBLE_EQ(first.figures[0].actual, 1);
  EXPECT_DOUBLE_EQ(*first.figures[0].rate, 1);
  EXPECT_DOUBLE_EQ(first.figures[1].actual, 20000);
  EXPECT_DOUBLE_EQ(*first.figures[1].rate, 0.5);
  EXPECT_DOUBLE_EQ(first.figures[2].actual, 180);  // funds, no target
  EXPECT_FALSE(first.figures[2].target);
  EXPECT_FALSE(first.figures[2].rate);
  EXPECT_DOUBLE_EQ(first.figures[3].actual, 1);
  EXPECT_DOUBLE_EQ(*first.figures[3].rate, 0.5);
  const UnitProgress& second = report.units[1];
  EXPECT_EQ(second.unit, "一科");
  EXPECT_EQ(second.rank, 2);
  EXPECT_DOUBLE_EQ(second.figures[0].actual, 1);
  EXPECT_DOUBLE_EQ(*second.figures[0].rate, 0.5);
  EXPECT_DOUBLE_EQ(second.figures[2].actual, 350);
  EXPECT_DOUBLE_EQ(*second.figures[2].target, 700);
  EXPECT_DOUBLE_EQ(*second.figures[2].rate, 0.5);
  EXPECT_DOUBLE_EQ(*second.score, 0.5);
  const UnitProgress& third = report.units[2];  // a target of 0 gives no rate: unranked
  EXPECT_EQ(third.unit, "三科");
  EXPECT_FALSE(third.score);
  EXPECT_FALSE(third.rank);
  // Counting up to February: P4 was not signed yet, 一科 had 50 of funds.
  const TargetsReport february = targets(2026, *engine::Date::from_ymd(2026, 2, 28));
  EXPECT_EQ(february.units[0].unit, "二科");
  EXPECT_DOUBLE_EQ(february.units[1].figures[0].actual, 0);
  EXPECT_DOUBLE_EQ(february.units[1].figures[2].actual, 50);
}

TEST_F(FundsReportTest, EqualScoresShareARank) {
  target("一科", "signed_projects", 2);  // 1 of 2
  target("二科", "signed_projects", 2);  // 1 of 2
  const TargetsReport report = targets(2026, *engine::Date::from_ymd(2026, 12, 31));
  ASSERT_GE(report.units.size(), 2u);
  EXPECT_EQ(report.units[0].rank, 1);
  EXPECT_EQ(report.units[1].rank, 1);
}

TEST_F(FundsReportTest, TargetsKeepWhoChangedWhatWhen) {
  target("一科", "funds", 500);
  target("一科", "funds", 700);
  {
    SQLite::Database db(path_.string(), SQLite::OPEN_READWRITE);
    SqliteDatabase sql(db);
    auto same = set_target(sql, 2026, "一科", "funds", 700, "li", at(2026, 1, 3));
    ASSERT_TRUE(same);
    EXPECT_FALSE(*same);  // unchanged: no history row
  }
  target("一科", "funds", std::nullopt);  // removed
  ReportReader reader(path_);
  auto history = reader.run([&](SqlDatabase& c) { return target_history(c, 2026); });
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_FALSE((*history)[0].after);  // newest first
  EXPECT_DOUBLE_EQ(*(*history)[0].before, 700);
  EXPECT_DOUBLE_EQ(*(*history)[1].before, 500);
  EXPECT_DOUBLE_EQ(*(*history)[1].after, 700);
  EXPECT_FALSE((*history)[2].before);
  EXPECT_EQ((*history)[2].by, "li");
  auto targets = reader.run([&](SqlDatabase& c) { return list_targets(c, 2026); });
  ASSERT_TRUE(targets);
  EXPECT_TRUE(targets->empty());
}

TEST(TargetChecks, NamesTheFieldInChinese) {
  EXPECT_TRUE(check_target(2026, "一科", "funds", 10.5).empty());
  const auto problems = check_target(1999, " ", "money", -1);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].field, "year");
  EXPECT_EQ(problems[1].field, "unit");
  EXPECT_EQ(problems[1].zh, "请填写招商单位");
  EXPECT_EQ(problems[2].field, "figure");
  EXPECT_EQ(problems[3].field, "value");
  const auto whole = check_target(2026, "一科", "signed_projects", 1.5);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].zh, "项目数目标须为整数");
}

TEST(ComputedOnTheWire, TheProjectJsonCarriesItsComputedValues) {
  const auto workflow = pipe_workflow(R"yaml(
workflow: rated
version: 1
title: {zh-CN: 项目, en: Project}
calendar: weekends
roles: [staff]
fields:
  name: {type: text, required: true, label: {zh-CN: 名称, en: Name}}
  total_investment: {type: money, label: {zh-CN: 总投资, en: Investment}, report: investment}
  funds_in_place: {type: money, label: {zh-CN: 到位资金, en: Funds}, report: funds_in_place}
  land_area: {type: area, label: {zh-CN: 用地面积, en: Land area}}
computed:
  rate:
    expr: "round(funds_in_place * 100 / total_investment, 2)"
    label: {zh-CN: 资金到位率（%）, en: Funds-in-place rate (%)}
  missing:
    expr: "funds_in_place / land_area"
    label: {zh-CN: 无, en: None}
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}}
  done: {label: {zh-CN: 完成, en: Done}, terminal: true}
transitions:
  - {id: finish, from: lead, to: done, roles: [staff]}
)yaml");
  ASSERT_TRUE(workflow);
  engine::Project project;
  project.id = "P-1";
  project.workflow = "rated";
  project.version = 1;
  project.state = "lead";
  project.fields["total_investment"] = Value::number(800);
  project.fields["funds_in_place"] = Value::number(200);
  const auto wire = boost::json::parse(encode_project_wire(project, workflow.get()));
  ASSERT_TRUE(wire.as_object().contains("computed"));
  const auto& computed = wire.at("computed").as_object();
  EXPECT_EQ(computed.at("rate").to_number<double>(), 25);
  EXPECT_FALSE(computed.contains("missing"));  // null values are left out
  EXPECT_FALSE(boost::json::parse(encode_project_wire(project)).as_object().contains("computed"));
}

}  // namespace
}  // namespace investflow::storage::testing
