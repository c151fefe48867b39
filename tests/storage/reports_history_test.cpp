// Reports over a hand-built history with known answers: skipped and optional stages, a
// return to an earlier stage, a withdrawn and an exited project, periods that cut through
// projects' lives, SLAs and milestones met on time and late.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "storage/reports.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/reports_output.hpp"
#include "storage/schema.hpp"
#include "tests/storage/reports_test_support.hpp"

namespace investflow::storage::testing {
namespace {

using engine::Value;

// Run twice: with the names of kPipeWorkflow, and with every state, field, transition and
// milestone renamed (names no shipped workflow uses): reports read the report tags, so the
// figures are the same.
class ReportsHistoryTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    store_ = open_pipe_store(path_, GetParam() ? renamed_pipe_workflow() : kPipeWorkflow);
    ASSERT_NE(store_, nullptr);
    workflow_ = store_->workflow("pipe", 0);
    build_history();
  }

  void write(WriteRequest request) {
    const std::string what = request.command.project_id;
    const WriteResult result = store_->write(std::move(request)).get();
    ASSERT_TRUE(result.accepted())
        << what << ": " << result.error
        << (result.rejection.reasons.empty() ? "" : result.rejection.reasons.front().code);
  }

  // A name of the workflow under test.
  static std::string n(std::string_view name) {
    return GetParam() ? odd_name(name) : std::string(name);
  }

  static engine::FieldMap basics(double investment, const char* industry, const char* investor) {
    return {{n("total_investment"), Value::number(investment)},
            {n("industry"), Value::text(industry)},
            {n("investor"), Value::text(investor)},
            {n("chain_role"), Value::text("build")},
            {n("promoting_unit"), Value::text("一科")}};
  }

  void build_history() {
    // P1: the whole way to capacity, past the optional escalation.
    auto p1 = basics(5000, "electronics", "甲公司");
    p1[n("floor_area")] = Value::number(12000);
    write(create_at("P1", on(3, 2), p1, n("name")));
    write(take_at("P1", n("submit"), on(3, 3)));
    write(take_at("P1", n("approve"), on(3, 4)));
    write(take_at("P1", n("sign"), on(3, 5),
                  {{n("committed_investment"), Value::number(4000)},
                   {n("funds_in_place"), Value::number(1000)}}));
    write(take_at("P1", n("start"), on(3, 9)));
    write(milestone_at("P1", n("start_construction"), on(3, 9), date(3, 9)));  // due 4-04
    write(milestone_at("P1", n("pay_bond"), on(3, 12), date(3, 12)));          // due 3-10
    write(take_at("P1", n("complete"), on(3, 16)));
    write(take_at("P1", n("produce"), on(3, 17)));
    write(take_at("P1", n("reach_capacity"), on(3, 18)));
    write(edit_at("P1", on(3, 20), {{n("funds_in_place"), Value::number(3000)}}));
    // P2: escalated, signed, then exited.
    write(create_at("P2", on(3, 2), basics(20000, "new_materials", "乙公司"), n("name")));
    write(take_at("P2", n("submit"), on(3, 3)));
    write(take_at("P2", n("escalate"), on(3, 4)));
    write(take_at("P2", n("approve"), on(3, 6)));
    write(take_at("P2", n("sign"), on(3, 9),
                  {{n("committed_investment"), Value::number(2000)},
                   {n("funds_in_place"), Value::number(500)}}));
    write(take_at("P2", n("exit"), on(3, 10)));
    // P3: a lead that waited a week past its SLA, then withdrawn.
    write(create_at("P3", on(3, 3), basics(100, "electronics", "甲公司"), n("name")));
    write(take_at("P3", n("withdraw"), on(3, 10)));
    // P4: sent back once, still in review; its investment revised.
    write(create_at("P4", on(3, 4), basics(300, "electronics", "丙公司"), n("name")));
    write(take_at("P4", n("submit"), on(3, 5)));
    write(take_at("P4", n("back"), on(3, 6)));
    write(take_at("P4", n("submit"), on(3, 9)));
    write(edit_at("P4", on(3, 11), {{n("total_investment"), Value::number(800)}}));
    // P5: after the period.
    write(create_at("P5", on(4, 1), basics(700, "other", "丁公司"), n("name")));
  }

  template <class Query>
  auto query(Query body) {
    ReportReader reader(path_);
    return reader.run(body);
  }

  static const PipelineStage& stage(const PipelineReport& report, std::string_view state) {
    for (const auto& stage : report.stages) {
      if (stage.state == state) return stage;
    }
    throw std::logic_error("no stage " + std::string(state));
  }
  static const FunnelStage& stage(const FunnelReport& report, std::string_view state) {
    for (const auto& stage : report.stages) {
      if (stage.state == state) return stage;
    }
    throw std::logic_error("no stage " + std::string(state));
  }
  static const AgingStage& stage(const AgingReport& report, std::string_view state) {
    for (const auto& stage : report.stages) {
      if (stage.state == state) return stage;
    }
    throw std::logic_error("no stage " + std::string(state));
  }
  static const Kpi& kpi(const KpiReport& report, std::string_view id) {
    for (const auto& kpi : report.kpis) {
      if (kpi.id == id) return kpi;
    }
    throw std::logic_error("no kpi " + std::string(id));
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.file("reports.db");
  std::unique_ptr<Store> store_;
  std::shared_ptr<const engine::Workflow> workflow_;
  const ReportPeriod march_{date(3, 1), date(3, 31)};
};

TEST_P(ReportsHistoryTest, PipelineCountsEveryProjectAtItsCurrentStage) {
  auto report = query([&](SqlDatabase& c) { return pipeline_report(c, *workflow_, {}); });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->stages.size(), workflow_->states.size());
  EXPECT_EQ(stage(*report, n("lead")).count, 1);  // P5
  EXPECT_DOUBLE_EQ(*stage(*report, n("lead")).investment, 700);
  EXPECT_EQ(stage(*report, n("review")).count, 1);  // P4, after its edit
  EXPECT_DOUBLE_EQ(*stage(*report, n("review")).investment, 800);
  EXPECT_EQ(stage(*report, n("at_capacity")).count, 1);
  EXPECT_EQ(stage(*report, n("exited")).count, 1);
  EXPECT_EQ(stage(*report, n("withdrawn")).count, 1);
  EXPECT_EQ(stage(*report, n("signed")).count, 0);
  EXPECT_EQ(report->total_count, 5);
  EXPECT_DOUBLE_EQ(*report->total_investment, 5000 + 20000 + 100 + 800 + 700);
  EXPECT_EQ(stage(*report, n("lead")).label.zh, "线索");
}

TEST_P(ReportsHistoryTest, PipelineFiltersByDimensionsAndPeriodOfEntry) {
  PipelineFilter electronics;
  electronics.industry = "electronics";
  auto by_industry =
      query([&](SqlDatabase& c) { return pipeline_report(c, *workflow_, electronics); });
  ASSERT_TRUE(by_industry);
  EXPECT_EQ(by_industry->total_count, 3);  // P1, P3, P4
  EXPECT_DOUBLE_EQ(*by_industry->total_investment, 5000 + 100 + 800);

  PipelineFilter march;
  march.entered_from = date(3, 1);
  march.entered_to = date(3, 31);
  auto by_period = query([&](SqlDatabase& c) { return pipeline_report(c, *workflow_, march); });
  ASSERT_TRUE(by_period);
  EXPECT_EQ(by_period->total_count, 4);  // not P5
  EXPECT_EQ(stage(*by_period, n("lead")).count, 0);

  march.industry = "electronics";
  march.entered_from = date(3, 3);  // P3 and P4; P1 entered on 3-02
  auto both = query([&](SqlDatabase& c) { return pipeline_report(c, *workflow_, march); });
  ASSERT_TRUE(both);
  EXPECT_EQ(both->total_count, 2);
  EXPECT_EQ(stage(*both, n("withdrawn")).count, 1);
  EXPECT_EQ(stage(*both, n("review")).count, 1);

  PipelineFilter unit;
  unit.promoting_unit = "二科";
  auto none = query([&](SqlDatabase& c) { return pipeline_report(c, *workflow_, unit); });
  ASSERT_TRUE(none);
  EXPECT_EQ(none->total_count, 0);
}

TEST_P(ReportsHistoryTest, FunnelFollowsTheCohortCreatedInThePeriod) {
  auto report = query([&](SqlDatabase& c) { return funnel_report(c, *workflow_, march_); });
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->cohort, 4);
  EXPECT_EQ(stage(*report, n("lead")).reached, 4);
  EXPECT_FALSE(stage(*report, n("lead")).rate_from_previous.has_value());
  EXPECT_EQ(stage(*report, n("review")).reached, 3);  // P4 counted once though it came twice
  EXPECT_DOUBLE_EQ(*stage(*report, n("review")).rate_from_previous, 0.75);
  EXPECT_EQ(stage(*report, n("escalated")).reached, 1);
  EXPECT_DOUBLE_EQ(*stage(*report, n("escalated")).rate_from_previous, 1.0 / 3);
  // Measured against review, not the optional escalation that P1 skipped.
  EXPECT_EQ(stage(*report, n("approved")).reached, 2);
  EXPECT_DOUBLE_EQ(*stage(*report, n("approved")).rate_from_previous, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*stage(*report, n("signed")).rate_from_previous, 1.0);
  EXPECT_EQ(stage(*report, n("under_construction")).reached, 1);
  EXPECT_DOUBLE_EQ(*stage(*report, n("under_construction")).rate_from_previous, 0.5);
  EXPECT_DOUBLE_EQ(*stage(*report, n("at_capacity")).rate_from_start, 0.25);
  EXPECT_TRUE(stage(*report, n("exited")).terminal);
  EXPECT_EQ(stage(*report, n("exited")).reached, 1);
  EXPECT_EQ(stage(*report, n("withdrawn")).reached, 1);
  EXPECT_FALSE(stage(*report, n("withdrawn")).rate_from_previous.has_value());

  auto april = query([&](SqlDatabase& c) {
    return funnel_report(c, *workflow_, ReportPeriod{date(4, 1), date(4, 30)});
  });
  ASSERT_TRUE(april);
  EXPECT_EQ(april->cohort, 1);
  EXPECT_EQ(stage(*april, n("review")).reached, 0);
  EXPECT_DOUBLE_EQ(*stage(*april, n("review")).rate_from_previous, 0);

  auto empty = query([&](SqlDatabase& c) {
    return funnel_report(c, *workflow_, ReportPeriod{date(5, 1), date(5, 31)});
  });
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->cohort, 0);
  EXPECT_FALSE(stage(*empty, n("review")).rate_from_start.has_value());
}

TEST_P(ReportsHistoryTest, AgingCountsWorkingDaysOfVisitsThatEndedInThePeriod) {
  auto report =
      query([&](SqlDatabase& c) { return aging_report(c, *workflow_, march_, date(4, 2)); });
  ASSERT_TRUE(report) << report.error().message;
  // Lead visits: P1, P2, P4 (twice, the second over a weekend) 1 working day; P3 5.
  EXPECT_EQ(stage(*report, n("lead")).samples, 5);
  EXPECT_DOUBLE_EQ(*stage(*report, n("lead")).median_working_days, 1);
  EXPECT_DOUBLE_EQ(*stage(*report, n("lead")).p90_working_days, 5);
  // Signed: P1 Thursday to Monday (2), P2 Monday to Tuesday (1).
  EXPECT_EQ(stage(*report, n("signed")).samples, 2);
  EXPECT_DOUBLE_EQ(*stage(*report, n("signed")).median_working_days, 1);
  EXPECT_DOUBLE_EQ(*stage(*report, n("signed")).p90_working_days, 2);
  EXPECT_EQ(stage(*report, n("escalated")).samples, 1);
  EXPECT_DOUBLE_EQ(*stage(*report, n("escalated")).median_working_days, 2);
  EXPECT_EQ(stage(*report, n("at_capacity")).samples, 0);
  EXPECT_FALSE(stage(*report, n("at_capacity")).median_working_days.has_value());

  // Waiting now: P4 in review since 3-09, P5 in lead since 4-01. P1 at capacity can only
  // exit from there: it stays, it does not wait; terminal projects do not wait either.
  ASSERT_EQ(report->longest_waiting.size(), 2u);
  EXPECT_EQ(report->longest_waiting[0].project_id, "P4");
  EXPECT_EQ(report->longest_waiting[0].state, n("review"));
  EXPECT_EQ(report->longest_waiting[0].working_days, 18);  // 3-10 .. 4-02, weekdays
  EXPECT_EQ(report->longest_waiting[1].project_id, "P5");

  // A period that ends before most visits do.
  auto early = query([&](SqlDatabase& c) {
    return aging_report(c, *workflow_, ReportPeriod{date(3, 1), date(3, 4)}, date(4, 2), 1);
  });
  ASSERT_TRUE(early);
  EXPECT_EQ(stage(*early, n("lead")).samples, 2);    // P1, P2 left on 3-03
  EXPECT_EQ(stage(*early, n("review")).samples, 2);  // P1, P2 left on 3-04
  EXPECT_EQ(early->longest_waiting.size(), 1u);
}

TEST_P(ReportsHistoryTest, KpisOfTheProjectsSignedInThePeriod) {
  auto report =
      query([&](SqlDatabase& c) { return kpi_report(c, *workflow_, march_, date(12, 31)); });
  ASSERT_TRUE(report) << report.error().message;
  // Signed in March: P1 and P2.
  const Kpi& start = kpi(*report, "construction_start_rate");
  EXPECT_EQ(start.numerator, 1);
  EXPECT_EQ(start.denominator, 2);
  EXPECT_DOUBLE_EQ(*start.rate, 0.5);
  EXPECT_DOUBLE_EQ(*kpi(*report, "completion_rate").rate, 1.0);
  const Kpi& performance = kpi(*report, "contract_performance_rate");
  // No milestone carries an obligation tag here: keeping the agreement is not exiting.
  EXPECT_EQ(performance.numerator, 1);    // P1
  EXPECT_EQ(performance.denominator, 2);  // P1, and P2 exited
  EXPECT_EQ(kpi(*report, "production_rate").numerator, 1);
  EXPECT_FALSE(kpi(*report, "on_time_start_rate").numerator);  // no construction_start tag
  EXPECT_EQ(performance.label.zh, "履约率");
  const Kpi& funds = kpi(*report, "funds_in_place_rate");
  EXPECT_DOUBLE_EQ(*funds.numerator, 3000 + 500);
  EXPECT_DOUBLE_EQ(*funds.denominator, 4000 + 2000);
  // Lead SLA (2 working days): P3 waited 5, the other four visits 1.
  const Kpi& sla = kpi(*report, "sla_on_time_rate");
  EXPECT_EQ(sla.numerator, 4);
  EXPECT_EQ(sla.denominator, 5);
  // P1: construction started in time, the bond paid two days late.
  const Kpi& milestones = kpi(*report, "milestone_on_time_rate");
  EXPECT_EQ(milestones.numerator, 1);
  EXPECT_EQ(milestones.denominator, 2);

  auto april = query([&](SqlDatabase& c) {
    return kpi_report(c, *workflow_, ReportPeriod{date(4, 1), date(4, 30)}, date(12, 31));
  });
  ASSERT_TRUE(april);
  for (const Kpi& each : april->kpis) {
    EXPECT_EQ(each.denominator.value_or(0), 0) << each.id;
    EXPECT_FALSE(each.rate.has_value()) << each.id;
  }
}

TEST_P(ReportsHistoryTest, PeriodSummaryInTheZonesStyle) {
  auto report =
      query([&](SqlDatabase& c) { return period_report(c, Workflows{workflow_}, march_); });
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->workflows.size(), 1u);
  const PeriodFigures& figures = report->workflows.front();
  EXPECT_EQ(figures.new_projects, 4);
  EXPECT_DOUBLE_EQ(*figures.new_investment, 25900);
  EXPECT_EQ(figures.signed_count, 2);
  EXPECT_DOUBLE_EQ(*figures.signed_investment, 25000);
  EXPECT_EQ(figures.started, 1);
  EXPECT_EQ(figures.completed, 1);
  EXPECT_EQ(figures.in_production, 1);
  EXPECT_EQ(figures.enterprises, 3);  // 甲 twice
  EXPECT_DOUBLE_EQ(*figures.floor_area, 12000);
  EXPECT_NE(report->text.zh.find("招商引资项目：新增项目4个（涉及企业3家），总投资2.59亿元，"
                                 "建筑面积1.2万平方米，签约2个（总投资2.5亿元），开工1个，"
                                 "竣工1个，投产1个。"),
            std::string::npos)
      << report->text.zh;
  EXPECT_NE(report->text.en.find("4 new projects of 3 enterprises, 259 million yuan in total"),
            std::string::npos)
      << report->text.en;

  // Cutting through lives: 3-05..3-09 creates nothing but signs two and starts one.
  auto cut = query([&](SqlDatabase& c) {
    return period_report(c, Workflows{workflow_}, ReportPeriod{date(3, 5), date(3, 9)});
  });
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->workflows.front().new_projects, 0);
  EXPECT_EQ(cut->workflows.front().signed_count, 2);
  EXPECT_EQ(cut->workflows.front().started, 1);
  EXPECT_EQ(cut->workflows.front().completed, 0);
}

// Two summaries kept for speed at scale (issue 22), over projects created, moved on and
// edited in batches with refused commands among them:
//  - the enterprises of a period are summed from report_enterprises (each enterprise's day
//    counted against its previous one): every period agrees with a distinct count over the
//    projects;
//  - the pipeline filtered or grouped by one dimension is read from report_pipeline_by: it
//    agrees with the same report over the projects themselves (a period of entry covering
//    them all reads report_projects).
// A rebuild from the log gives the same summaries.
TEST(ReportsSummaries, EnterprisesAndOneDimensionPipelinesAgreeWithTheProjects) {
  TempDir dir;
  const auto path = dir.file("summaries.db");
  auto store = open_pipe_store(path);
  ASSERT_NE(store, nullptr);
  const auto workflow = store->workflow("pipe", 0);
  std::mt19937 random(7);
  const auto pick = [&](const std::vector<std::string>& values) {
    return values[random() % values.size()];
  };
  const std::vector<std::string> investors = {"甲公司", "乙公司", "丙公司", "丁公司", ""};
  const std::vector<std::string> industries = {"electronics", "new_materials", "other"};
  const std::vector<std::string> roles = {"build", "strengthen", "extend"};
  const std::vector<std::string> units = {"一科", "二科", ""};
  const std::vector<std::string> transitions = {"submit", "withdraw"};
  const auto when = [&] {  // 1 March .. 30 April, several projects a day
    const int offset = static_cast<int>(random() % 61);
    return engine::start_of_day(date(3, 1).plus_days(offset)) + 9 * 3600 * 1000;
  };
  const auto text = [](const std::string& value) {
    return value.empty() ? Value{} : Value::text(value);
  };
  int created = 0;
  for (int round = 0; round < 12; ++round) {
    // Sent together, so the writer takes them in one batch; some are refused.
    std::vector<std::future<WriteResult>> pending;
    for (int i = 0; i < 25; ++i) {
      const int kind = static_cast<int>(random() % 5);
      const std::string some = "E" + std::to_string(1 + random() % (created + 3));  // or none
      if (kind < 3 || created == 0) {
        engine::FieldMap fields{{"total_investment", Value::number(100 + random() % 900)},
                                {"industry", Value::text(pick(industries))},
                                {"chain_role", Value::text(pick(roles))}};
        if (const std::string unit = pick(units); !unit.empty()) {
          fields["promoting_unit"] = Value::text(unit);
        }
        if (const std::string investor = pick(investors); !investor.empty()) {
          fields["investor"] = Value::text(investor);
        }
        pending.push_back(
            store->write(create_at("E" + std::to_string(++created), when(), std::move(fields))));
      } else if (kind == 3) {
        pending.push_back(store->write(edit_at(some, on(5, 1),
                                               {{"investor", text(pick(investors))},
                                                {"industry", Value::text(pick(industries))},
                                                {"promoting_unit", text(pick(units))}})));
      } else {
        pending.push_back(store->write(take_at(some, pick(transitions), on(5, 1))));
      }
    }
    for (auto& result : pending)
      result.get();
  }
  ASSERT_GT(created, 120);
  store.reset();

  ReportReader reader(path);
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  SQLite::Statement distinct(
      db,
      "SELECT COUNT(DISTINCT investor) FROM report_projects WHERE "
      "workflow = 'pipe' AND created_day BETWEEN ? AND ? AND investor <> ''");
  int checked = 0;
  for (int from = 0; from < 63; from += 2) {
    for (int to = from; to < 63; to += 3) {
      const ReportPeriod period{date(2, 28).plus_days(from), date(2, 28).plus_days(to)};
      distinct.bind(1, period.from.days_since_epoch());
      distinct.bind(2, period.to.days_since_epoch());
      ASSERT_TRUE(distinct.executeStep());
      const std::int64_t expected = distinct.getColumn(0).getInt64();
      distinct.reset();
      auto report =
          reader.run([&](SqlDatabase& c) { return period_report(c, Workflows{workflow}, period); });
      ASSERT_TRUE(report) << report.error().message;
      ASSERT_EQ(report->workflows.front().enterprises, expected)
          << period.from.to_string() << ".." << period.to.to_string();
      checked += expected > 0 ? 1 : 0;
    }
  }
  EXPECT_GT(checked, 300);

  // Every filter on one dimension (and none), grouped by nothing, by that dimension or, for
  // no filter, by each: summary by one dimension against the projects one by one.
  std::vector<PipelineFilter> filters(1);
  for (const std::string& dimension : pipeline_dimensions()) {
    PipelineFilter grouped;
    grouped.by = dimension;
    filters.push_back(grouped);
    SQLite::Statement values(db, "SELECT DISTINCT " + dimension + " FROM report_projects");
    while (values.executeStep()) {
      PipelineFilter one;
      (dimension == "industry"     ? one.industry
       : dimension == "chain_role" ? one.chain_role
       : dimension == "owner"      ? one.owner
                                   : one.promoting_unit) = values.getColumn(0).getString();
      if (one.industry.empty() && one.chain_role.empty() && one.owner.empty() &&
          one.promoting_unit.empty()) {
        continue;  // '' is no filter
      }
      filters.push_back(one);
      one.by = dimension;
      filters.push_back(one);
    }
  }
  ASSERT_GT(filters.size(), 15u);
  std::int64_t seen = 0;
  for (PipelineFilter filter : filters) {
    auto summed = reader.run([&](SqlDatabase& c) { return pipeline_report(c, *workflow, filter); });
    filter.entered_from = date(1, 1);
    filter.entered_to = date(12, 31);
    auto counted =
        reader.run([&](SqlDatabase& c) { return pipeline_report(c, *workflow, filter); });
    ASSERT_TRUE(summed && counted);
    const std::string what = filter.by + " " + filter.industry + filter.chain_role + filter.owner +
                             filter.promoting_unit;
    ASSERT_EQ(summed->stages.size(), counted->stages.size());
    for (std::size_t i = 0; i < summed->stages.size(); ++i) {
      EXPECT_EQ(summed->stages[i].count, counted->stages[i].count) << what;
      EXPECT_NEAR(*summed->stages[i].investment, *counted->stages[i].investment, 1e-6) << what;
    }
    ASSERT_EQ(summed->groups.has_value(), !filter.by.empty()) << what;
    if (summed->groups) {
      ASSERT_EQ(summed->groups->size(), counted->groups->size()) << what;
      for (std::size_t i = 0; i < summed->groups->size(); ++i) {
        EXPECT_EQ((*summed->groups)[i].value, (*counted->groups)[i].value) << what;
        EXPECT_EQ((*summed->groups)[i].count, (*counted->groups)[i].count) << what;
      }
    }
    seen += summed->total_count;
  }
  EXPECT_GT(seen, 1000);

  const Snapshot kept = snapshot_reports(path);
  EXPECT_GT(kept.at("report_enterprises").size(), 40u);
  EXPECT_GT(kept.at("report_pipeline_by").size(), 20u);
  {
    SQLite::Database writable(path.string(), SQLite::OPEN_READWRITE);
    EXPECT_TRUE(ReportLedger::differences_from_log(writable).empty());
    ReportLedger::rebuild(writable);
  }
  EXPECT_EQ(snapshot_reports(path), kept);
}

// Long periods read whole months from the summaries by month and only the days at their ends
// from the daily ones; time in stage keeps each whole month's figures on the connection. Over
// histories from January to June, every period (whole months, parts of months, one day) gives
// what the daily rows and the projects say; and so it does again, on the same connection, after
// more stage visits are written into months already read.
TEST(ReportsSummaries, WholeMonthsAgreeWithTheirDays) {
  TempDir dir;
  const auto path = dir.file("months.db");
  auto store = open_pipe_store(path);
  ASSERT_NE(store, nullptr);
  const auto workflow = store->workflow("pipe", 0);
  const std::string signing = workflow->tagged(engine::StateTag::signing)->id;
  std::mt19937 random(11);
  const std::vector<std::string> investors = {"甲公司", "乙公司", "丙公司", "丁公司", "戊公司"};
  const std::vector<std::vector<std::string>> walks = {
      {"submit", "approve", "sign", "start", "complete"},
      {"submit", "back", "submit", "escalate", "approve", "sign"},
      {"submit", "withdraw"}};
  int created = 0;
  // Projects created from `first` over `days` days, each walked a few days at a time.
  const auto history = [&](engine::Date first, int days, int projects) {
    for (int i = 0; i < projects; ++i) {
      const std::string id = "M" + std::to_string(++created);
      engine::Date day = first.plus_days(static_cast<int>(random() % days));
      const auto at = [&day] { return engine::start_of_day(day) + 10 * 3600 * 1000; };
      const WriteResult made =
          store
              ->write(create_at(id, at(),
                                {{"total_investment", Value::number(100 + random() % 900)},
                                 {"investor", Value::text(investors[random() % 5])}}))
              .get();
      ASSERT_TRUE(made.accepted()) << made.error;
      const auto& walk = walks[random() % walks.size()];
      const std::size_t steps = random() % (walk.size() + 1);
      for (std::size_t step = 0; step < steps; ++step) {
        day = day.plus_days(static_cast<int>(random() % 12));
        engine::FieldMap fields;
        if (walk[step] == "sign") {
          fields = {{"committed_investment", Value::number(500)},
                    {"funds_in_place", Value::number(100)}};
        }
        const WriteResult taken = store->write(take_at(id, walk[step], at(), fields)).get();
        ASSERT_TRUE(taken.accepted()) << id << " " << walk[step] << ": " << taken.error;
      }
    }
  };
  history(date(1, 1), 150, 240);
  if (::testing::Test::HasFatalFailure()) return;

  std::vector<ReportPeriod> periods;
  for (const engine::Date from : {date(1, 1), date(1, 17), date(2, 1), date(3, 31), date(4, 30)}) {
    for (const engine::Date to :
         {date(1, 31), date(2, 14), date(3, 31), date(4, 1), date(5, 31), date(6, 30)}) {
      if (!(to < from)) periods.push_back({from, to});
    }
  }
  periods.push_back({date(3, 14), date(3, 14)});
  periods.push_back({date(1, 1), date(12, 31)});

  ReportReader reader(path, 1);  // one connection: what it keeps is used again
  const auto check = [&](const std::string& round) {
    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
    std::int64_t samples = 0;
    for (const ReportPeriod& period : periods) {
      const std::string what = round + " " + period.from.to_string() + ".." + period.to.to_string();
      const auto sum = [&](const std::string& sql) {
        SQLite::Statement select(db, sql);
        select.bind(1, period.from.days_since_epoch());
        select.bind(2, period.to.days_since_epoch());
        select.executeStep();
        return select.getColumn(0).getInt64();
      };
      auto summary =
          reader.run([&](SqlDatabase& c) { return period_report(c, Workflows{workflow}, period); });
      ASSERT_TRUE(summary) << summary.error().message;
      const PeriodFigures& figures = summary->workflows.front();
      EXPECT_EQ(figures.new_projects,
                sum("SELECT COUNT(*) FROM report_projects WHERE created_day BETWEEN ? AND ?"))
          << what;
      EXPECT_EQ(figures.signed_count,
                sum("SELECT COUNT(*) FROM report_projects WHERE signed_day BETWEEN ? AND ?"))
          << what;
      EXPECT_EQ(figures.enterprises, sum("SELECT COUNT(DISTINCT investor) FROM report_projects "
                                         "WHERE created_day BETWEEN ? AND ?"))
          << what;
      auto kpis =
          reader.run([&](SqlDatabase& c) { return kpi_report(c, *workflow, period, date(7, 1)); });
      ASSERT_TRUE(kpis) << kpis.error().message;
      EXPECT_EQ(kpis->signed_projects, figures.signed_count) << what;

      auto aging = reader.run(
          [&](SqlDatabase& c) { return aging_report(c, *workflow, period, date(7, 1)); });
      ASSERT_TRUE(aging) << aging.error().message;
      for (const AgingStage& stage : aging->stages) {
        // Nearest rank over the visits' working days, from the daily rows.
        std::vector<int> days;
        SQLite::Statement visits(db,
                                 "SELECT entered_day, left_day, visits FROM report_durations "
                                 "WHERE state = ? AND left_day BETWEEN ? AND ?");
        visits.bind(1, stage.state);
        visits.bind(2, period.from.days_since_epoch());
        visits.bind(3, period.to.days_since_epoch());
        while (visits.executeStep()) {
          const int worked = std::max(0, workflow->calendar->working_days_between(
                                             engine::Date(visits.getColumn(0).getInt()),
                                             engine::Date(visits.getColumn(1).getInt())));
          days.insert(days.end(), visits.getColumn(2).getInt(), worked);
        }
        std::sort(days.begin(), days.end());
        ASSERT_EQ(stage.samples, static_cast<std::int64_t>(days.size())) << what << stage.state;
        samples += stage.samples;
        if (days.empty()) {
          EXPECT_FALSE(stage.median_working_days) << what << stage.state;
          continue;
        }
        const auto rank = [&days](double p) {
          return static_cast<double>(
              days[static_cast<std::size_t>(std::ceil(p * static_cast<double>(days.size()))) - 1]);
        };
        EXPECT_EQ(stage.median_working_days, rank(0.5)) << what << stage.state;
        EXPECT_EQ(stage.p90_working_days, rank(0.9)) << what << stage.state;
      }
    }
    EXPECT_GT(samples, 1000) << round;
  };
  check("first");
  // The same again, from what the connection kept.
  check("kept");
  // More visits that ended in January to May, months the connection has kept figures of.
  history(date(1, 5), 120, 60);
  if (::testing::Test::HasFatalFailure()) return;
  check("after more visits");
  store.reset();

  const Snapshot kept = snapshot_reports(path);
  EXPECT_GT(kept.at("report_duration_months").size(), 10u);
  {
    SQLite::Database writable(path.string(), SQLite::OPEN_READWRITE);
    EXPECT_TRUE(ReportLedger::differences_from_log(writable).empty());
    ReportLedger::rebuild(writable);
  }
  EXPECT_EQ(snapshot_reports(path), kept);
}

TEST(ReportsFormat, AmountsAsTheZoneWritesThem) {
  EXPECT_EQ(money_zh(643000), "64.3亿元");
  EXPECT_EQ(money_zh(54500), "5.45亿元");
  EXPECT_EQ(money_zh(1571600), "157.16亿元");
  EXPECT_EQ(money_zh(5450), "5450万元");
  EXPECT_EQ(money_zh(0.5), "0.5万元");
  EXPECT_EQ(money_en(643000), "6.43 billion yuan");
  EXPECT_EQ(money_en(54500), "545 million yuan");
  EXPECT_EQ(area_zh(5074800), "507.48万平方米");
  EXPECT_EQ(area_zh(8000), "8000平方米");
  EXPECT_EQ(area_en(5074800), "5.07 million m²");
}

TEST_P(ReportsHistoryTest, RebuildFromTheEventLogGivesTheSameSummaries) {
  store_.reset();
  const Snapshot kept = snapshot_reports(path_);
  {
    SQLite::Database db(path_.string(), SQLite::OPEN_READWRITE);
    ReportLedger::rebuild(db);
  }
  EXPECT_EQ(snapshot_reports(path_), kept);
}

TEST_P(ReportsHistoryTest, UpgradingAnOldDatabaseFillsTheSummariesFromItsEvents) {
  store_.reset();
  const Snapshot kept = snapshot_reports(path_);
  {
    // What a database before the kpis migration (issue 16) looks like: report_projects
    // without the days of the tagged stages and milestones, every summary stale. (And
    // without the monthly lists' indexes on them, 20.)
    SQLite::Database db(path_.string(), SQLite::OPEN_READWRITE);
    db.exec("DROP INDEX report_projects_started_list");
    db.exec("DROP INDEX report_projects_start_open_list");
    for (const char* index :
         {"report_projects_signed", "report_projects_start_open", "report_projects_start_open_all",
          "report_projects_signed_all", "report_projects_started", "report_projects_completed",
          "report_projects_production", "report_projects_exited", "report_projects_created_all"}) {
      db.exec(std::string("DROP INDEX ") + index);
    }
    for (const char* column : {"started_day", "completed_day", "production_day", "exited_day",
                               "start_due_day", "start_done_day", "completion_due_day",
                               "completion_done_day", "breach_day", "start_open_due_day"}) {
      db.exec(std::string("ALTER TABLE report_projects DROP COLUMN ") + column);
    }
    for (const char* table :
         {"report_projects", "report_pipeline", "report_created", "report_reached", "report_funnel",
          "report_durations", "report_deadlines", "report_signed", "report_signed_funds"}) {
      db.exec(std::string("DELETE FROM ") + table);
    }
    // And the funds ledger's tables of the migration after it (12), and the attachments'
    // index of the one after that (13); 14 rebuilds the owner index as it finds it.
    for (const char* table : {"report_funds", "report_unit_reached", "target_history", "targets"}) {
      db.exec(std::string("DROP TABLE ") + table);
    }
    db.exec("DROP INDEX events_attachment");
    // The inbox settings, held alerts and 我的待办's indexes (15), the list's saved filters (16),
    // the tokens' expiry (17), the log chain and the audit log (18).
    db.exec("DROP TABLE notification_settings");
    db.exec("DROP INDEX notifications_user_type");
    db.exec("DROP INDEX projects_owner_due");
    db.exec("ALTER TABLE notifications DROP COLUMN held");
    db.exec("DROP TABLE saved_filters");
    db.exec("ALTER TABLE api_tokens DROP COLUMN expires_at");
    db.exec("DROP TABLE audit_log");
    db.exec("ALTER TABLE events DROP COLUMN log_hash");
    // Data scope (19): the users' unit and the projects' access keys.
    db.exec("DROP TABLE project_access");
    db.exec("ALTER TABLE users DROP COLUMN unit");
    // The problems' summaries (21) and the list's industry and stage index (22).
    for (const char* column :
         {"problem_status", "problem_unit", "problem_category", "problem_on_time"}) {
      db.exec(std::string("ALTER TABLE report_projects DROP COLUMN ") + column);
    }
    for (const char* table :
         {"report_problems", "report_problem_months", "report_problem_closings"}) {
      db.exec(std::string("DROP TABLE ") + table);
    }
    db.exec("DROP INDEX projects_industry_state");
    // The enterprises by day (23).
    db.exec("DROP TABLE report_enterprise_days");
    db.exec("DROP TABLE report_enterprises");
    db.exec("DROP TABLE report_pipeline_by");
    db.exec("DROP TABLE report_enterprise_marks");
    // The scheduler's column (25).
    db.exec("DROP INDEX projects_alert");
    db.exec("ALTER TABLE projects DROP COLUMN next_alert_on");
    // The daily summaries by month (24).
    for (const char* table : {"report_created_months", "report_reached_months",
                              "report_duration_months", "report_enterprise_mark_months"}) {
      db.exec(std::string("DROP TABLE ") + table);
    }
    db.exec("PRAGMA user_version = 10");  // before 11, 12 and 13
    auto version = migrate(db, kSchemaVersion);
    ASSERT_TRUE(version) << version.error();
    EXPECT_EQ(*version, kSchemaVersion);
  }
  EXPECT_EQ(snapshot_reports(path_), kept);
}

// The same kind of workflow without report tags: every figure that reads a tag is not
// applicable (null in JSON, "—" in sheets, left out of the text), never zero; what needs no
// tag (stages, SLAs) is counted as ever.
TEST(ReportsWithoutTags, FiguresAreNotApplicableNeverZero) {
  TempDir dir;
  const auto path = dir.file("untagged.db");
  auto store = open_pipe_store(path, untagged_pipe_workflow());
  ASSERT_NE(store, nullptr);
  const auto workflow = store->workflow("pipe", 0);
  ASSERT_NE(workflow, nullptr);
  EXPECT_EQ(workflow->tagged(engine::StateTag::signing), nullptr);
  EXPECT_EQ(workflow->tagged(engine::FieldTag::investment), nullptr);
  auto write = [&store](WriteRequest request) {
    const WriteResult result = store->write(std::move(request)).get();
    ASSERT_TRUE(result.accepted()) << result.error;
  };
  write(create_at("P1", on(3, 2),
                  {{"total_investment", Value::number(5000)},
                   {"investor", Value::text("甲公司")},
                   {"floor_area", Value::number(1000)}}));
  write(take_at("P1", "submit", on(3, 3)));
  write(take_at("P1", "approve", on(3, 4)));
  write(take_at(
      "P1", "sign", on(3, 5),
      {{"committed_investment", Value::number(4000)}, {"funds_in_place", Value::number(1000)}}));
  write(take_at("P1", "start", on(3, 9)));
  store.reset();

  ReportReader reader(path);
  const ReportPeriod march{date(3, 1), date(3, 31)};
  auto pipeline = reader.run([&](SqlDatabase& c) { return pipeline_report(c, *workflow, {}); });
  ASSERT_TRUE(pipeline);
  EXPECT_EQ(pipeline->total_count, 1);
  EXPECT_FALSE(pipeline->total_investment.has_value());
  for (const PipelineStage& stage : pipeline->stages)
    EXPECT_FALSE(stage.investment.has_value()) << stage.state;

  auto kpis =
      reader.run([&](SqlDatabase& c) { return kpi_report(c, *workflow, march, date(12, 31)); });
  ASSERT_TRUE(kpis);
  for (const Kpi& kpi : kpis->kpis) {
    const bool needs_tags = kpi.id != "sla_on_time_rate" && kpi.id != "milestone_on_time_rate";
    EXPECT_EQ(kpi.numerator.has_value(), !needs_tags) << kpi.id;
    EXPECT_EQ(kpi.denominator.has_value(), !needs_tags) << kpi.id;
    if (needs_tags) {
      EXPECT_FALSE(kpi.rate.has_value()) << kpi.id;
    }
  }

  auto period =
      reader.run([&](SqlDatabase& c) { return period_report(c, Workflows{workflow}, march); });
  ASSERT_TRUE(period);
  const PeriodFigures& figures = period->workflows.front();
  EXPECT_EQ(figures.new_projects, 1);
  EXPECT_FALSE(figures.new_investment.has_value());
  EXPECT_FALSE(figures.signed_count.has_value());
  EXPECT_FALSE(figures.signed_investment.has_value());
  EXPECT_FALSE(figures.started.has_value());
  EXPECT_FALSE(figures.completed.has_value());
  EXPECT_FALSE(figures.in_production.has_value());
  EXPECT_FALSE(figures.enterprises.has_value());
  EXPECT_FALSE(figures.floor_area.has_value());
  EXPECT_NE(period->text.zh.find("招商引资项目：新增项目1个。"), std::string::npos)
      << period->text.zh;

  const auto json = report_json(*period);
  const auto& row = json.at("workflows").as_array().front().as_object();
  EXPECT_TRUE(row.at("signed").is_null());
  EXPECT_TRUE(row.at("new_investment_wan").is_null());
  EXPECT_EQ(row.at("new_projects").as_int64(), 1);
  const auto sheets = report_sheets(*period);
  EXPECT_EQ(sheets.front().rows.front()[3].text, "—");  // 签约项目数
  EXPECT_FALSE(sheets.front().rows.front()[3].number.has_value());
}

INSTANTIATE_TEST_SUITE_P(Names, ReportsHistoryTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Renamed" : "AsTagged";
                         });

}  // namespace
}  // namespace investflow::storage::testing
