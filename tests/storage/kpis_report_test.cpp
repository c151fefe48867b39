// kpis (issue 16): the zones' KPIs, the period sentence, the drill-down and the monthly
// report over a hand-built history with known answers, on a workflow whose states, fields,
// transitions and milestones have names no shipped workflow uses: only the report tags
// (states, fields, milestones) and the workflow's `report: sentence` give them meaning.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "storage/figures.hpp"
#include "storage/monthly_report.hpp"
#include "storage/reports.hpp"
#include "storage/reports_output.hpp"
#include "storage/tabular.hpp"
#include "tests/storage/reports_test_support.hpp"

namespace investflow::storage::testing {
namespace {

using engine::Value;

constexpr const char* kOddWorkflow = R"yaml(
workflow: pipe
version: 1
title: {zh-CN: 奇异项目, en: Odd project}
calendar: weekends
roles: [staff, manager]
fields:
  zx_title: {type: text, required: true, label: {zh-CN: 名称, en: Title}, report: name}
  zx_firm: {type: text, label: {zh-CN: 企业, en: Firm}, report: enterprise}
  zx_unit: {type: text, label: {zh-CN: 单位, en: Unit}, report: promoting_unit}
  zx_money: {type: money, unit: 万元, min: 0, label: {zh-CN: 投资, en: Money}, report: investment}
initial: zx_seed
states:
  zx_seed: {label: {zh-CN: 种子, en: Seed}, report: lead}
  zx_inked: {label: {zh-CN: 已落笔, en: Inked}, report: signed}
  zx_digging: {label: {zh-CN: 挖掘中, en: Digging}, report: construction_started}
  zx_roofed: {label: {zh-CN: 封顶, en: Roofed}, report: completed}
  zx_humming: {label: {zh-CN: 运转中, en: Humming}, report: in_production}
  zx_gone: {label: {zh-CN: 离场, en: Gone}, terminal: true, report: exited}
  zx_dropped: {label: {zh-CN: 放弃, en: Dropped}, terminal: true}
transitions:
  - {id: zx_ink, from: zx_seed, to: zx_inked, roles: [manager]}
  - {id: zx_dig, from: zx_inked, to: zx_digging, roles: [staff]}
  - {id: zx_cap, from: zx_digging, to: zx_roofed, roles: [staff]}
  - {id: zx_hum, from: zx_roofed, to: zx_humming, roles: [staff]}
  - {id: zx_leave, from: [zx_inked, zx_digging, zx_roofed, zx_humming], to: zx_gone, roles: [manager]}
  - {id: zx_drop, from: "*", to: zx_dropped, roles: [manager]}
milestones:
  zx_paper: {after: zx_inked, within: {days: 30}, report: registration}
  zx_spade: {after: zx_inked, within: {days: 60}, report: construction_start}
  zx_coin: {after: zx_inked, within: {days: 10}, report: funds}
  zx_lid: {after: zx_digging, within: {days: 90}, report: completion}
report:
  sentence:
    zh-CN: "新引进奇异项目{signed}个，投资{signed_investment}；新开工{started}个；现有{stages}"
    en: "{signed} odd projects signed, {signed_investment}; {started} started; now {stages}"
)yaml";

engine::FieldMap money(double wan, const char* unit = "一科") {
  return {{"zx_money", Value::number(wan)},
          {"zx_firm", Value::text("企业")},
          {"zx_unit", Value::text(unit)}};
}

class KpisReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_pipe_store(path_, kOddWorkflow);
    ASSERT_NE(store_, nullptr);
    workflow_ = store_->workflow("pipe", 0);
    ASSERT_NE(workflow_, nullptr);
    // A: signed 3-05, every obligation kept, started, completed, in production.
    write(create_at("A", on(3, 2), money(5000), "zx_title"));
    write(take_at("A", "zx_ink", on(3, 5)));
    write(milestone_at("A", "zx_paper", on(3, 10), date(3, 10)));  // due 4-04
    write(milestone_at("A", "zx_coin", on(3, 12), date(3, 12)));   // due 3-15
    write(take_at("A", "zx_dig", on(3, 20)));
    write(milestone_at("A", "zx_spade", on(3, 20), date(3, 20)));  // due 5-04
    write(take_at("A", "zx_cap", on(4, 10)));
    write(milestone_at("A", "zx_lid", on(4, 10), date(4, 10)));  // due 6-18
    write(take_at("A", "zx_hum", on(4, 15)));
    // B: signed 3-06, the first funds never paid (due 3-16), started late (due 5-05).
    write(create_at("B", on(3, 2), money(20000, "二科"), "zx_title"));
    write(take_at("B", "zx_ink", on(3, 6)));
    write(milestone_at("B", "zx_paper", on(3, 8), date(3, 8)));
    write(take_at("B", "zx_dig", on(5, 20)));
    write(milestone_at("B", "zx_spade", on(5, 20), date(5, 20)));
    // C: signed 3-09, exited 3-25 (its start due 5-08, never started).
    write(create_at("C", on(3, 3), money(300), "zx_title"));
    write(take_at("C", "zx_ink", on(3, 9)));
    write(take_at("C", "zx_leave", on(3, 25)));
    // D: signed 4-02, nothing since: its start was due 6-01.
    write(create_at("D", on(3, 4), money(800), "zx_title"));
    write(take_at("D", "zx_ink", on(4, 2)));
    // E: never signed, dropped.
    write(create_at("E", on(3, 5), money(100), "zx_title"));
    write(take_at("E", "zx_drop", on(3, 6)));
    store_.reset();
  }

  void write(WriteRequest request) {
    const std::string what = request.command.project_id;
    const WriteResult result = store_->write(std::move(request)).get();
    ASSERT_TRUE(result.accepted())
        << what << ": " << result.error
        << (result.rejection.reasons.empty() ? "" : result.rejection.reasons.front().code);
  }

  template <class Query>
  auto query(Query body) {
    ReportReader reader(path_);
    return reader.run(body);
  }

  static const Kpi& kpi(const KpiReport& report, std::string_view id) {
    for (const auto& kpi : report.kpis) {
      if (kpi.id == id) return kpi;
    }
    throw std::logic_error("no kpi " + std::string(id));
  }

  // The ids of the projects a figure counts, through the project list's filter.
  std::vector<std::string> listed(const std::string& figure, ReportPeriod period,
                                  const std::string& unit = "") {
    SqliteOptions options;
    auto store = open_sqlite_store(path_, options);
    EXPECT_TRUE(store);
    ProjectQuery query;
    query.figure = figure;
    query.figure_from = period.from;
    query.figure_to = period.to;
    query.figure_promoting_unit = unit;
    query.figure_today = today_;
    query.sort = SortKey::name;
    query.descending = false;
    auto page = (*store)->list_projects(query);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> ids;
    for (const auto& project : page->projects)
      ids.push_back(project.id);
    return ids;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.file("kpis.db");
  std::unique_ptr<Store> store_;
  std::shared_ptr<const engine::Workflow> workflow_;
  const ReportPeriod march_{date(3, 1), date(3, 31)};
  const engine::Date today_ = date(6, 15);
};

TEST_F(KpisReportTest, EveryKpiOfTheCohortSignedInMarch) {
  auto report = query([&](SqlDatabase& c) { return kpi_report(c, *workflow_, march_, today_); });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->signed_projects, 3);
  EXPECT_DOUBLE_EQ(*report->signed_investment, 25300);
  const auto expect = [&](std::string_view id, double numerator, double denominator) {
    const Kpi& k = kpi(*report, id);
    ASSERT_TRUE(k.numerator && k.denominator) << id;
    EXPECT_DOUBLE_EQ(*k.numerator, numerator) << id;
    EXPECT_DOUBLE_EQ(*k.denominator, denominator) << id;
  };
  expect("contract_performance_rate", 1, 3);  // A; B broke the funds date, C exited
  expect("construction_start_rate", 2, 3);    // A, B
  expect("on_time_start_rate", 1, 3);         // A on time; B late; C past due, open
  expect("production_rate", 1, 3);            // A
  expect("completion_rate", 1, 2);            // A of A, B
  expect("on_time_completion_rate", 1, 1);    // A; B's not yet due
  // No field tagged committed_investment or funds_in_place: not applicable, never 0.
  EXPECT_FALSE(kpi(*report, "funds_in_place_rate").numerator);
  EXPECT_FALSE(kpi(*report, "funds_in_place_rate").rate);
  // 超时限未开工: D (due 6-01, open, live); C has exited.
  EXPECT_EQ(report->overdue_start_count, 1);
  ASSERT_EQ(report->overdue_start.size(), 1U);
  EXPECT_EQ(report->overdue_start[0].project_id, "D");
  EXPECT_EQ(report->overdue_start[0].due_on, date(6, 1));
  EXPECT_EQ(report->overdue_start[0].days_overdue, 14);
  EXPECT_EQ(report->overdue_start[0].state_label.zh, "已落笔");

  // The same cohort as of 3-16: B had not yet broken the funds date (due 3-16), C had not
  // yet exited (3-25) nor missed its own (due 3-19).
  auto earlier =
      query([&](SqlDatabase& c) { return kpi_report(c, *workflow_, march_, date(3, 16)); });
  ASSERT_TRUE(earlier);
  EXPECT_DOUBLE_EQ(*kpi(*earlier, "contract_performance_rate").numerator, 3);
  auto later =
      query([&](SqlDatabase& c) { return kpi_report(c, *workflow_, march_, date(3, 17)); });
  ASSERT_TRUE(later);
  EXPECT_DOUBLE_EQ(*kpi(*later, "contract_performance_rate").numerator, 2);  // A, C
}

TEST_F(KpisReportTest, DrillDownListsExactlyTheCountedProjects) {
  auto report = query([&](SqlDatabase& c) { return kpi_report(c, *workflow_, march_, today_); });
  ASSERT_TRUE(report);
  for (const Kpi& k : report->kpis) {
    if (k.numerator_figure.empty()) continue;
    EXPECT_EQ(static_cast<double>(listed(k.numerator_figure, march_).size()), *k.numerator) << k.id;
    EXPECT_EQ(static_cast<double>(listed(k.denominator_figure, march_).size()), *k.denominator)
        << k.id;
  }
  using Ids = std::vector<std::string>;
  EXPECT_EQ(listed("cohort_performing", march_), Ids{"A"});
  EXPECT_EQ(listed("cohort_started_on_time", march_), Ids{"A"});
  EXPECT_EQ(listed("cohort_start_due", march_), (Ids{"A", "B", "C"}));
  EXPECT_EQ(listed("signed", march_), (Ids{"A", "B", "C"}));
  EXPECT_EQ(listed("signed", march_, "二科"), Ids{"B"});
  EXPECT_EQ(listed("new_projects", march_), (Ids{"A", "B", "C", "D", "E"}));
  EXPECT_EQ(listed("started", march_), Ids{"A"});
  EXPECT_EQ(listed("exited", march_), Ids{"C"});
  EXPECT_EQ(listed("under_construction", march_), Ids{"A"});
  EXPECT_EQ(listed("overdue_start", march_), Ids{"D"});
  EXPECT_EQ(listed("reached:zx_digging", march_), (Ids{"A", "B"}));
  EXPECT_EQ(listed("in_production", {date(4, 1), date(4, 30)}), Ids{"A"});

  // The funnel's stages and the period's figures count what their figures list.
  auto funnel = query([&](SqlDatabase& c) { return funnel_report(c, *workflow_, march_); });
  ASSERT_TRUE(funnel);
  for (const FunnelStage& stage : funnel->stages) {
    EXPECT_EQ(static_cast<std::int64_t>(listed("reached:" + stage.state, march_).size()),
              stage.reached)
        << stage.state;
  }
  const Workflows workflows = {workflow_};
  auto period = query([&](SqlDatabase& c) { return period_report(c, workflows, march_); });
  ASSERT_TRUE(period);
  const PeriodFigures& figures = period->workflows.at(0);
  EXPECT_EQ(static_cast<std::int64_t>(listed("new_projects", march_).size()), figures.new_projects);
  EXPECT_EQ(static_cast<std::int64_t>(listed("signed", march_).size()), *figures.signed_count);
  EXPECT_EQ(static_cast<std::int64_t>(listed("started", march_).size()), *figures.started);
  EXPECT_EQ(static_cast<std::int64_t>(listed("completed", march_).size()), *figures.completed);
  EXPECT_EQ(static_cast<std::int64_t>(listed("in_production", march_).size()),
            *figures.in_production);
  auto count = query([&](SqlDatabase& c) { return signed_projects(c, "pipe", march_); });
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 3);
}

TEST_F(KpisReportTest, ThePeriodTextIsTheWorkflowsSentence) {
  const Workflows workflows = {workflow_};
  auto period = query([&](SqlDatabase& c) { return period_report(c, workflows, march_); });
  ASSERT_TRUE(period);
  EXPECT_EQ(period->text.zh,
            "2026年3月1日至2026年3月31日：\n"
            "新引进奇异项目3个，投资2.53亿元；新开工1个；现有已落笔1个、挖掘中1个、运转中1个。");
  EXPECT_EQ(period->text.en,
            "2026-03-01 to 2026-03-31:\n"
            "3 odd projects signed, 253 million yuan; 1 started; now 1 Inked, 1 Digging, 1 "
            "Humming.");
}

TEST_F(KpisReportTest, TheMonthlyReportHasItsSheetsWithTypedCells) {
  const Workflows workflows = {workflow_};
  auto report = query([&](SqlDatabase& c) {
    return monthly_report(c, workflows, ReportMonth{2026, 3}, today_);
  });
  ASSERT_TRUE(report) << report.error().message;
  std::vector<std::string> names;
  for (const Sheet& sheet : report->sheets)
    names.push_back(sheet.name);
  EXPECT_EQ(names, (std::vector<std::string>{"汇总", "新签约项目", "在建项目", "新开工", "新投产",
                                             "超时限未开工"}));
  EXPECT_EQ(report->sheets[1].rows.size(), 3U);  // A, B, C
  EXPECT_EQ(report->sheets[2].rows.size(), 1U);  // A, on 3-31
  EXPECT_EQ(report->sheets[3].rows.size(), 1U);  // A
  EXPECT_EQ(report->sheets[4].rows.size(), 0U);
  EXPECT_EQ(report->sheets[5].rows.size(), 1U);  // D
  EXPECT_NE(report->text.zh.find("2026年3月：\n新引进奇异项目3个"), std::string::npos)
      << report->text.zh;
  EXPECT_NE(report->text.zh.find("2026年1–3月累计："), std::string::npos);

  const auto file = dir_.file("monthly.xlsx");
  ASSERT_TRUE(write_xlsx(file, report->sheets));
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TabularOptions options;
  auto summary = read_xlsx_table(bytes, options);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->sheets, names);
  // The summary first: the written text, then the figures as numbers and rates.
  ASSERT_GE(summary->rows.size(), 4U);
  EXPECT_EQ(summary->rows[1].cells[0].text, "文字摘要");
  bool signed_row = false;
  bool rate_row = false;
  for (const TabularRow& row : summary->rows) {
    if (row.cells.size() < 4) continue;
    if (row.cells[1].text == "新签约项目数") {
      signed_row = true;
      EXPECT_EQ(row.cells[2].kind, TabularCell::Kind::number);
      EXPECT_DOUBLE_EQ(row.cells[2].number, 3);  // March
      EXPECT_DOUBLE_EQ(row.cells[3].number, 3);  // 1–3月 (D signed 4-02: not in it)
    }
    if (row.cells[1].text == "履约率") {
      rate_row = true;
      EXPECT_EQ(row.cells[2].kind, TabularCell::Kind::number);
      EXPECT_TRUE(row.cells[2].percent);
      EXPECT_NEAR(row.cells[2].number, 1.0 / 3, 1e-4);
    }
  }
  EXPECT_TRUE(signed_row);
  EXPECT_TRUE(rate_row);
  options.sheet = "新签约项目";
  auto signed_sheet = read_xlsx_table(bytes, options);
  ASSERT_TRUE(signed_sheet);
  ASSERT_EQ(signed_sheet->rows.size(), 4U);  // header and A, B, C
  EXPECT_EQ(signed_sheet->rows[1].cells[0].text, "A");
  EXPECT_EQ(signed_sheet->rows[1].cells[6].kind, TabularCell::Kind::number);  // 投资额
  EXPECT_EQ(signed_sheet->rows[1].cells[7].kind, TabularCell::Kind::date);    // 签约日期
  EXPECT_EQ(signed_sheet->rows[1].cells[7].date, date(3, 5));
}

TEST(KpisLanguage, TheLoaderChecksMilestoneTagsAndSentences) {
  const auto errors = [](const std::string& yaml) {
    auto load = workflows::load_workflow_text(yaml, "odd.yaml", test_calendars());
    std::string all;
    for (const auto& diagnostic : load.diagnostics)
      all += diagnostic.to_string() + "\n";
    return all;
  };
  const std::string base = kOddWorkflow;
  EXPECT_EQ(errors(base), "");
  std::string unknown = base;
  unknown.replace(unknown.find("{started}个；"), 11, "{begun}个；");
  EXPECT_NE(errors(unknown).find("unknown figure 'begun'"), std::string::npos) << errors(unknown);
  std::string untagged = base;
  untagged.replace(untagged.find(", report: construction_started"), 30, "");
  EXPECT_NE(errors(untagged).find("needs a state tagged 'construction_started'"), std::string::npos)
      << errors(untagged);
  std::string twice = base;
  twice.replace(twice.find("report: registration"), 20, "report: funds");
  EXPECT_NE(errors(twice).find("report tag 'funds' is used twice"), std::string::npos)
      << errors(twice);
  std::string wrong = base;
  wrong.replace(wrong.find("report: registration"), 20, "report: registrated");
  EXPECT_NE(errors(wrong).find("unknown milestone report tag 'registrated'"), std::string::npos)
      << errors(wrong);
}

}  // namespace
}  // namespace investflow::storage::testing
