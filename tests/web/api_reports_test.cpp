// GET /api/reports/...: shapes, formats, dates that name their parameter, and who may look.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <random>

#include "storage/auth.hpp"
#include "storage/reports.hpp"
#include "storage/seed.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/tabular.hpp"
#include "tests/web/contract.hpp"
#include "tests/web/http_client.hpp"
#include "tests/web/test_server.hpp"
#include "web/api.hpp"
#include "workflows/loader.hpp"

namespace investflow::web::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// A seeded zone of 40 projects behind the real server, reports enabled.
class ReportsApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("investflow-reports-api-" + std::to_string(std::random_device()())));
    fs::create_directories(*dir_);
    const fs::path db = *dir_ / "zone.db";
    const auto now = engine::start_of_day(*engine::Date::parse("2026-03-02")) + 9 * 3600 * 1000;
    clock_ = new std::shared_ptr<const engine::Clock>(std::make_shared<engine::FixedClock>(now));
    storage::SqliteOptions options;
    options.clock = *clock_;
    options.synchronous = storage::Synchronous::off;
    auto store = storage::open_sqlite_store(db, options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = store->release();
    const fs::path definitions = fs::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    auto load = workflows::load_workflow_file(definitions / "qingyuan-investment.yaml", calendars);
    ASSERT_TRUE(load.workflow);
    ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));
    storage::SeedOptions seed;
    seed.projects = 40;
    seed.now = now;
    ASSERT_TRUE(storage::seed_projects(*store_, *load.workflow, seed));

    auto auth =
        storage::AuthStore::open(db, storage::AuthOptions{std::chrono::hours(8), 10000, *clock_});
    ASSERT_TRUE(auth) << auth.error().message;
    auth_ = auth->release();
    tokens_ = new std::map<std::string, std::string>();
    for (const char* role : {"staff", "auditor", "manager", "leader", "admin"}) {
      ASSERT_TRUE(auth_->add_user(role, {role}, "password-" + std::string(role)));
      (*tokens_)[role] = *auth_->issue_token(role, "test");
    }
    auto context = std::make_shared<ApiContext>(*store_, *auth_, *clock_);
    context->reports = std::make_shared<storage::ReportReader>(db);
    Router router;
    add_api_routes(router, context);
    server_ = new RunningServer(std::move(router));
  }

  static void TearDownTestSuite() {
    delete server_;
    delete store_;
    delete auth_;
    delete tokens_;
    delete clock_;
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    delete dir_;
  }

  static ClientResponse get(const std::string& target, const std::string& role = "manager") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!role.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_->at(role));
    auto response = fetch(server_->port(), "GET", target, "", headers);
    EXPECT_TRUE(response) << target;
    return response.value_or(ClientResponse{});
  }

  static json::object object(const ClientResponse& response) {
    auto value = json::parse(response.body);
    return value.as_object();
  }

  // Every response is checked against the OpenAPI document (contract.hpp).
  ContractChecks contract_checks_;

  static inline fs::path* dir_ = nullptr;
  static inline std::shared_ptr<const engine::Clock>* clock_ = nullptr;
  static inline storage::Store* store_ = nullptr;
  static inline storage::AuthStore* auth_ = nullptr;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
  static inline RunningServer* server_ = nullptr;
};

TEST_F(ReportsApi, PipelineCountsEverySeededProject) {
  const auto response = get("/api/reports/pipeline?workflow=qingyuan-investment");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = object(response);
  EXPECT_EQ(body.at("workflow").as_string(), "qingyuan-investment");
  EXPECT_EQ(body.at("total").at("count").as_int64(), 40);
  std::int64_t sum = 0;
  for (const auto& stage : body.at("stages").as_array()) {
    sum += stage.at("count").as_int64();
    EXPECT_TRUE(stage.at("label").as_object().contains("zh"));
  }
  EXPECT_EQ(sum, 40);
  EXPECT_EQ(body.at("stages").as_array().front().at("state").as_string(), "lead");
}

// The dashboard's breakdowns: grouped by a dimension, each value's projects are the
// pipeline filtered to it, and the groups add up to the total; a period of entry narrows
// both alike.
TEST_F(ReportsApi, PipelineGroupedByADimensionAgreesWithItsFilters) {
  for (const std::string dated : {"", "&entered_from=2025-01-01&entered_to=2026-03-02"}) {
    for (const std::string by : {"industry", "chain_role", "owner", "promoting_unit"}) {
      const auto grouped =
          object(get("/api/reports/pipeline?workflow=qingyuan-investment&by=" + by + dated));
      const auto plain = object(get("/api/reports/pipeline?workflow=qingyuan-investment" + dated));
      EXPECT_EQ(grouped.at("stages"), plain.at("stages")) << by << dated;
      EXPECT_EQ(grouped.at("total"), plain.at("total")) << by << dated;
      EXPECT_FALSE(plain.contains("groups"));
      const auto& groups = grouped.at("groups").as_array();
      std::int64_t count = 0;
      double investment = 0;
      for (const auto& group : groups) {
        const std::string value(group.at("value").as_string());
        count += group.at("count").as_int64();
        investment += group.at("investment_wan").to_number<double>();
        if (value.empty()) continue;  // no filter finds "no value"
        const auto filtered = object(
            get("/api/reports/pipeline?workflow=qingyuan-investment&" + by + "=" + value + dated));
        EXPECT_EQ(group.at("count").as_int64(), filtered.at("total").at("count").as_int64())
            << by << "=" << value << dated;
        EXPECT_NEAR(group.at("investment_wan").to_number<double>(),
                    filtered.at("total").at("investment_wan").to_number<double>(), 1e-6);
      }
      EXPECT_GT(groups.size(), by == "chain_role" ? 0u : 1u) << by << dated;
      EXPECT_EQ(count, plain.at("total").at("count").as_int64()) << by << dated;
      EXPECT_NEAR(investment, plain.at("total").at("investment_wan").to_number<double>(), 1e-6);
    }
  }
  const auto bad = get("/api/reports/pipeline?workflow=qingyuan-investment&by=state");
  EXPECT_EQ(bad.status, 400);
  const auto problem = object(bad);
  EXPECT_EQ(problem.at("errors").as_array().front().at("field").as_string(), "by");
  EXPECT_NE(std::string(problem.at("detail").as_string()).find("取值为"), std::string::npos)
      << bad.body;
}

TEST_F(ReportsApi, EveryReportAnswersJsonForEveryReadingRole) {
  for (const char* role : {"manager", "leader", "admin"}) {
    for (const char* target :
         {"/api/reports/pipeline?workflow=qingyuan-investment&industry=electronics",
          "/api/reports/funnel?workflow=qingyuan-investment&from=2022-01-01&to=2026-03-02",
          "/api/reports/aging?workflow=qingyuan-investment&from=2022-01-01",
          "/api/reports/kpis?workflow=qingyuan-investment&to=2026-03-02",
          "/api/reports/period?from=2025-01-01&to=2025-12-31"}) {
      const auto response = get(target, role);
      EXPECT_EQ(response.status, 200) << role << " " << target << ": " << response.body;
    }
  }
  const auto funnel =
      object(get("/api/reports/funnel?workflow=qingyuan-investment&from=2020-01-01&to=2026-03-02"));
  EXPECT_EQ(funnel.at("cohort").as_int64(), 40);
  const auto kpis = object(get("/api/reports/kpis?workflow=qingyuan-investment"));
  EXPECT_EQ(kpis.at("kpis").as_array().size(), 9u);
  EXPECT_EQ(kpis.at("kpis").as_array().front().at("id").as_string(), "contract_performance_rate");
  const auto period = object(get("/api/reports/period?from=2020-01-01&to=2026-03-02"));
  EXPECT_NE(std::string(period.at("text").at("zh").as_string()).find("新引进投资项目"),
            std::string::npos);
}

// kpis (issue 16): every KPI's numerator and denominator list exactly their projects.
TEST_F(ReportsApi, FigureFilterListsExactlyTheProjectsAKpiCounts) {
  const std::string scope = "&from=2020-01-01&to=2026-03-02&workflow=qingyuan-investment";
  const auto kpis = object(get("/api/reports/kpis?workflow=qingyuan-investment" + scope));
  const auto count = [&](const json::value& figure) -> double {
    const auto response =
        get("/api/projects?limit=500&figure=" + std::string(figure.as_string()) + scope);
    EXPECT_EQ(response.status, 200) << response.body;
    return static_cast<double>(object(response).at("projects").as_array().size());
  };
  int checked = 0;
  for (const auto& kpi : kpis.at("kpis").as_array()) {
    if (kpi.at("numerator_figure").is_null()) continue;
    EXPECT_EQ(count(kpi.at("numerator_figure")), kpi.at("numerator").to_number<double>())
        << kpi.at("id");
    EXPECT_EQ(count(kpi.at("denominator_figure")), kpi.at("denominator").to_number<double>())
        << kpi.at("id");
    ++checked;
  }
  EXPECT_EQ(checked, 6);
  EXPECT_EQ(count(json::value("signed")), kpis.at("signed_projects").to_number<double>());
  EXPECT_EQ(count(json::value("overdue_start")),
            kpis.at("overdue_start_count").to_number<double>());
  const auto bad = get("/api/projects?figure=nonsense");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("figure"), std::string::npos);
}

TEST_F(ReportsApi, MonthlyReportAsXlsxJsonAndText) {
  const auto xlsx = get("/api/reports/monthly?month=2026-02&format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_NE(
      std::string(xlsx.header("Content-Disposition").value_or("")).find("monthly-2026-02.xlsx"),
      std::string::npos);
  storage::TabularOptions options;
  auto summary = storage::read_xlsx_table(xlsx.body, options);
  ASSERT_TRUE(summary) << summary.error().message.en;
  ASSERT_GE(summary->sheets.size(), 6u);
  EXPECT_EQ(summary->sheets.front(), "汇总");
  EXPECT_EQ(summary->sheets[1], "新签约项目");
  EXPECT_EQ(summary->rows[1].cells[0].text, "文字摘要");
  bool number = false;
  bool percent = false;
  for (const auto& row : summary->rows) {
    for (const auto& cell : row.cells) {
      number = number || (cell.kind == storage::TabularCell::Kind::number && !cell.percent);
      percent = percent || (cell.kind == storage::TabularCell::Kind::number && cell.percent);
    }
  }
  EXPECT_TRUE(number);
  EXPECT_TRUE(percent);
  options.sheet = "在建项目";
  auto building = storage::read_xlsx_table(xlsx.body, options);
  ASSERT_TRUE(building);
  EXPECT_EQ(building->rows.front().cells[8].text, "开工日期");
  for (std::size_t i = 1; i < building->rows.size(); ++i) {
    EXPECT_EQ(building->rows[i].cells[8].kind, storage::TabularCell::Kind::date);
  }

  const auto body = object(get("/api/reports/monthly?month=2026-02"));
  EXPECT_EQ(body.at("month").as_string(), "2026-02");
  EXPECT_EQ(body.at("to").as_string(), "2026-02-28");
  EXPECT_EQ(body.at("sheets").as_array().front().at("name").as_string(), "汇总");
  const auto text = get("/api/reports/monthly?month=2026-02&format=text");
  ASSERT_EQ(text.status, 200);
  EXPECT_EQ(text.body.rfind("2026年2月：", 0), 0u) << text.body.substr(0, 200);

  EXPECT_EQ(get("/api/reports/monthly?month=2026-13").status, 400);
  EXPECT_EQ(get("/api/reports/monthly").status, 400);
  EXPECT_EQ(get("/api/reports/monthly?month=2026-02&format=csv").status, 400);
  EXPECT_EQ(get("/api/reports/monthly?month=2026-02", "staff").status, 403);
}

TEST_F(ReportsApi, OthersMayNotLook) {
  EXPECT_EQ(get("/api/reports/pipeline?workflow=qingyuan-investment", "").status, 401);
  for (const char* role : {"staff", "auditor"}) {
    const auto response = get("/api/reports/pipeline?workflow=qingyuan-investment", role);
    EXPECT_EQ(response.status, 403) << role;
    EXPECT_EQ(object(response).at("code").as_string(), "role_not_allowed");
  }
}

TEST_F(ReportsApi, BadQueriesAreProblemsNamingTheParameter) {
  const auto bad_date = get("/api/reports/funnel?workflow=qingyuan-investment&from=2026-02-30");
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_EQ(bad_date.header("Content-Type").value_or(""), "application/problem+json");
  EXPECT_EQ(object(bad_date).at("errors").as_array().front().at("field").as_string(), "from");
  const auto entered =
      get("/api/reports/pipeline?workflow=qingyuan-investment&entered_to=yesterday");
  EXPECT_EQ(entered.status, 400);
  EXPECT_EQ(object(entered).at("errors").as_array().front().at("field").as_string(), "entered_to");
  const auto backwards =
      get("/api/reports/kpis?workflow=qingyuan-investment&from=2026-03-02&to=2026-01-01");
  EXPECT_EQ(backwards.status, 400);
  EXPECT_EQ(get("/api/reports/period?from=2026-01-01").status, 400);
  EXPECT_EQ(get("/api/reports/pipeline").status, 400);
  EXPECT_EQ(get("/api/reports/pipeline?workflow=no-such").status, 404);
  EXPECT_EQ(get("/api/reports/pipeline?workflow=qingyuan-investment&format=pdf").status, 400);
}

TEST_F(ReportsApi, CsvAndXlsxDownloadsWithChineseHeaders) {
  const auto csv = get("/api/reports/pipeline?workflow=qingyuan-investment&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF阶段,项目数,计划总投资（万元）\r\n线索,", 0), 0u)
      << csv.body;
  EXPECT_NE(csv.body.find("合计,40,"), std::string::npos);
  // The name carries the report, the workflow and the day: in Chinese (RFC 8187) and ASCII.
  EXPECT_EQ(csv.header("Content-Disposition").value_or(""),
            "attachment; filename=\"pipeline-qingyuan-investment-2026-03-02.csv\"; "
            "filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%82%A8%E5%A4%87-qingyuan-investment-2026-03-"
            "02.csv");
  const auto xlsx = get("/api/reports/period?from=2020-01-01&to=2026-03-02&format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.header("Content-Type").value_or(""),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip, as every XLSX file is
  EXPECT_EQ(xlsx.header("Content-Disposition").value_or(""),
            "attachment; filename=\"period-2026-03-02.xlsx\"; "
            "filename*=UTF-8''%E6%9C%9F%E9%97%B4%E6%B1%87%E6%80%BB-2026-03-02.xlsx");
}

// --- GET /api/board (issue 22): every open state's first cards in one answer, the
// column's count from the pipeline summaries, the board's filters and their choices. ---
class BoardApi : public ReportsApi {
 protected:
  // The non-final states, in the workflow's order.
  static std::vector<std::string> open_states() {
    std::vector<std::string> states;
    for (const auto& state : store_->workflow("qingyuan-investment", 0)->states) {
      if (!state.terminal) states.push_back(state.id);
    }
    return states;
  }

  // How many projects GET /api/projects lists under these filters (every page).
  static std::int64_t listed(const std::string& filters) {
    std::int64_t count = 0;
    std::string cursor;
    do {
      const auto response = get("/api/projects?workflow=qingyuan-investment&limit=500" + filters +
                                (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(response.status, 200) << response.body;
      const auto body = object(response);
      count += static_cast<std::int64_t>(body.at("projects").as_array().size());
      cursor = body.at("next_cursor").is_null() ? "" : body.at("next_cursor").as_string().c_str();
    } while (!cursor.empty());
    return count;
  }
};

TEST_F(BoardApi, OneAnswerHoldsEveryOpenColumnWithItsCountAndCards) {
  const auto response = get("/api/board?workflow=qingyuan-investment&limit=2", "staff");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = object(response);
  EXPECT_EQ(body.at("workflow").as_string(), "qingyuan-investment");
  const auto& columns = body.at("columns").as_array();
  std::vector<std::string> states;
  std::int64_t shown_somewhere = 0;
  for (const auto& value : columns) {
    const auto& column = value.as_object();
    const std::string state(column.at("state").as_string());
    states.push_back(state);
    const auto& projects = column.at("projects").as_array();
    ASSERT_LE(projects.size(), 2U) << state;
    for (const auto& project : projects)
      EXPECT_EQ(project.at("state").as_string(), state);
    // The count is the list's, the cards are its first ones, `more` says whether it goes on.
    const std::int64_t count = column.at("count").as_int64();
    EXPECT_EQ(count, listed("&state=" + state)) << state;
    EXPECT_EQ(column.at("more").as_bool(), count > 2) << state;
    EXPECT_EQ(static_cast<std::int64_t>(projects.size()), std::min<std::int64_t>(count, 2));
    EXPECT_TRUE(column.at("investment_wan").is_number()) << state;
    shown_somewhere += count;
  }
  EXPECT_EQ(states, open_states());
  EXPECT_GT(shown_somewhere, 0);
}

TEST_F(BoardApi, FiltersNarrowCardsAndCountsAlike) {
  const auto all = object(get("/api/board?workflow=qingyuan-investment"));
  const auto& owners = all.at("owners").as_array();
  const auto& units = all.at("promoting_units").as_array();
  ASSERT_FALSE(owners.empty());
  ASSERT_FALSE(units.empty());
  EXPECT_TRUE(std::is_sorted(owners.begin(), owners.end(), [](const auto& a, const auto& b) {
    return a.as_string() < b.as_string();
  }));
  const std::string owner(owners.front().as_string());
  const std::string unit(units.front().as_string());
  std::string unit_query;
  for (unsigned char c : unit) {
    static const char* kHex = "0123456789ABCDEF";
    unit_query += '%';
    unit_query += kHex[c >> 4];
    unit_query += kHex[c & 15];
  }
  for (const std::string& filter :
       {"&owner=" + owner, "&promoting_unit=" + unit_query, std::string("&industry=electronics")}) {
    const auto response = get("/api/board?workflow=qingyuan-investment" + filter, "manager");
    ASSERT_EQ(response.status, 200) << response.body;
    std::int64_t total = 0;
    const auto body = object(response);
    for (const auto& value : body.at("columns").as_array()) {
      const auto& column = value.as_object();
      const std::string state(column.at("state").as_string());
      EXPECT_EQ(column.at("count").as_int64(), listed("&state=" + state + filter))
          << filter << " " << state;
      total += column.at("count").as_int64();
      for (const auto& project : column.at("projects").as_array()) {
        if (filter.starts_with("&owner=")) {
          EXPECT_EQ(project.at("owner").as_string(), owner);
        }
        if (filter.starts_with("&promoting_unit=")) {
          EXPECT_EQ(project.at("fields").at("promoting_unit").as_string(), unit);
        }
      }
    }
    EXPECT_GT(total, 0) << filter;
  }
}

TEST_F(BoardApi, ASearchLeavesTheCountsOut) {
  const auto response = get("/api/board?workflow=qingyuan-investment&q=%E9%A1%B9%E7%9B%AE");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto body = object(response);
  for (const auto& column : body.at("columns").as_array()) {
    EXPECT_TRUE(column.at("count").is_null());
  }
}

TEST_F(BoardApi, BadRequestsNameTheParameter) {
  const auto missing = get("/api/board");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("workflow"), std::string::npos);
  EXPECT_EQ(get("/api/board?workflow=nope").status, 404);
  const auto many = get("/api/board?workflow=qingyuan-investment&limit=101");
  EXPECT_EQ(many.status, 400);
  EXPECT_NE(many.body.find("limit"), std::string::npos);
  EXPECT_EQ(get("/api/board?workflow=qingyuan-investment&sort=sideways").status, 400);
}

}  // namespace
}  // namespace investflow::web::testing
