// POST /api/projects/{id}/funds, GET /api/reports/funds, GET|PUT /api/targets,
// GET /api/reports/targets and the computed values of GET /api/projects/{id} (issue 16).
// Every response is checked against the OpenAPI document.

#include <boost/json.hpp>

#include "storage/funds_report.hpp"
#include "storage/reports.hpp"
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

class FundsApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    auto context = std::make_shared<ApiContext>(*store_, *auth_, clock_);
    context->reports = std::make_shared<storage::ReportReader>(database_);
    context->targets = std::make_shared<storage::TargetWriter>(database_);
    server_.reset();
    Router router;
    add_api_routes(router, context);
    server_ = std::make_unique<RunningServer>(std::move(router));
  }

  ClientResponse record(const std::string& id, const std::string& body,
                        const std::string& as = "zhang", Headers headers = {}) {
    return call_as(as, "POST", "/api/projects/" + id + "/funds", body, std::move(headers));
  }
};

TEST_F(FundsApi, AnEntryIsRecordedAndTheProjectShowsItWithItsComputedValues) {
  const std::string id = create_lead();
  const auto recorded =
      record(id, R"({"month": "2026-02", "amount": 6000, "source": "other_province",
                                      "evidence": "银行回单", "comment": ""})");
  ASSERT_EQ(recorded.status, 200) << recorded.body;
  const auto result = parse(recorded);
  EXPECT_EQ(result.at("events").at(0).at("type").as_string(), "funds_recorded");
  EXPECT_EQ(result.at("events").at(0).at("body").at("source").as_string(), "other_province");

  const auto project = parse(call_as("zhang", "GET", "/api/projects/" + id));
  ASSERT_EQ(project.at("funds").as_array().size(), 1u);
  EXPECT_EQ(project.at("funds").at(0).at("month").as_string(), "2026-02");
  EXPECT_EQ(project.at("funds").at(0).at("actor").as_string(), "zhang");
  EXPECT_EQ(project.at("fields").at("funds_in_place").to_number<double>(), 6000);
  // 资金到位率: over the planned investment (nothing committed): 6000 / 30000, in percent.
  EXPECT_EQ(project.at("computed").at("funds_in_place_rate").to_number<double>(), 20);
  EXPECT_EQ(project.at("computed").at("size_class").as_string(), "medium");  // 1亿 to 5亿

  // The history shows the event too.
  const auto history = parse(call_as("zhang", "GET", "/api/projects/" + id + "/history"));
  EXPECT_EQ(history.at("events").as_array().back().at("type").as_string(), "funds_recorded");
}

TEST_F(FundsApi, BadEntriesAreRefusedWithEveryReasonInChinese) {
  const std::string id = create_lead();
  const auto refused = record(id, R"({"month": "2026-4", "amount": 0, "source": "mars"})");
  ASSERT_EQ(refused.status, 422) << refused.body;
  const auto problem = parse(refused);
  ASSERT_EQ(problem.at("errors").as_array().size(), 3u);
  EXPECT_EQ(problem.at("errors").at(0).at("field").as_string(), "month");
  EXPECT_EQ(problem.at("errors").at(1).at("message").as_string(), "到位金额不能为零");
  EXPECT_EQ(problem.at("errors").at(2).at("field").as_string(), "source");
  const auto english = record(id, R"({"month": "2026-04", "amount": 5, "source": "local"})",
                              "zhang", {{"Accept-Language", "en"}});
  ASSERT_EQ(english.status, 422);
  EXPECT_EQ(parse(english).at("errors").at(0).at("message").as_string(),
            "the month cannot be later than the current month");
  EXPECT_EQ(record(id, R"({"month": "2026-02", "amount": "5", "source": "local"})").status, 400);
  EXPECT_EQ(record(id, R"({"month": "2026-02", "source": "local"})").status, 400);
  EXPECT_EQ(record("NO-SUCH", R"({"month": "2026-02", "amount": 5, "source": "local"})").status,
            404);
  // An auditor may not; a correction needs a comment.
  EXPECT_EQ(record(id, R"({"month": "2026-02", "amount": 5, "source": "local"})", "audit").status,
            403);
  ASSERT_EQ(record(id, R"({"month": "2026-02", "amount": 5, "source": "local"})").status, 200);
  const auto correction = record(id, R"({"month": "2026-02", "amount": -5, "source": "local"})");
  ASSERT_EQ(correction.status, 422);
  EXPECT_EQ(parse(correction).at("code").as_string(), "comment_required");
  // The field itself is now the ledger's.
  const auto edit =
      call_as("zhang", "PATCH", "/api/projects/" + id, R"({"fields": {"funds_in_place": 100}})");
  ASSERT_EQ(edit.status, 422) << edit.body;
  EXPECT_EQ(parse(edit).at("code").as_string(), "funds_by_ledger");
}

TEST_F(FundsApi, TheFundsReportByMonthSourceWorkflowAndUnit) {
  const std::string first = create_lead();
  const std::string second = create_lead("zhang", 10000);
  ASSERT_EQ(record(first, R"({"month": "2026-03", "amount": 300, "source": "local"})").status, 200);
  ASSERT_EQ(record(first, R"({"month": "2026-01", "amount": 50.5, "source": "abroad"})").status,
            200);
  ASSERT_EQ(record(second, R"({"month": "2025-03", "amount": 100, "source": "local"})").status,
            200);
  const auto response = call_as("li", "GET", "/api/reports/funds?month=2026-03");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = parse(response);
  EXPECT_EQ(report.at("month").as_string(), "2026-03");
  EXPECT_TRUE(report.at("workflow").is_null());
  const auto& total = report.at("total");
  EXPECT_EQ(total.at("month").to_number<double>(), 300);
  EXPECT_EQ(total.at("cumulative").to_number<double>(), 350.5);
  EXPECT_EQ(total.at("month_last_year").to_number<double>(), 100);
  EXPECT_EQ(total.at("month_growth").to_number<double>(), 2);
  EXPECT_EQ(report.at("by_source").as_array().size(), 4u);
  EXPECT_EQ(report.at("by_source").at(0).at("label").at("zh").as_string(), "本市");
  EXPECT_EQ(report.at("by_workflow").at(0).at("key").as_string(), "qingyuan-investment");
  EXPECT_EQ(report.at("by_unit").at(0).at("key").as_string(), "招商一科");

  for (const char* format : {"csv", "xlsx"}) {
    const auto file =
        call_as("li", "GET", std::string("/api/reports/funds?month=2026-03&format=") + format);
    EXPECT_EQ(file.status, 200) << format;
    EXPECT_NE(std::string(file.header("Content-Disposition").value_or("")).find("funds-2026-03"),
              std::string::npos);
  }
  EXPECT_EQ(call_as("li", "GET", "/api/reports/funds?month=2026-3").status, 400);
  EXPECT_EQ(call_as("li", "GET", "/api/reports/funds?workflow=nope").status, 404);
  EXPECT_EQ(call_as("zhang", "GET", "/api/reports/funds").status, 403);
}

TEST_F(FundsApi, ManagersSetTargetsAndEveryoneWhoReadsReportsSeesTheRanking) {
  const auto put =
      call_as("li", "PUT", "/api/targets",
              R"({"year": 2026, "unit": "招商一科", "figure": "funds", "value": 1000})");
  ASSERT_EQ(put.status, 200) << put.body;
  const auto set = parse(put);
  EXPECT_EQ(set.at("target").at("value").to_number<double>(), 1000);
  EXPECT_TRUE(set.at("change").at("before").is_null());
  const auto again =
      parse(call_as("li", "PUT", "/api/targets",
                    R"({"year": 2026, "unit": "招商一科", "figure": "funds", "value": 1000})"));
  EXPECT_TRUE(again.at("change").is_null());

  const auto bad = call_as("li", "PUT", "/api/targets",
                           R"({"year": 2026, "unit": "", "figure": "money", "value": -1})");
  ASSERT_EQ(bad.status, 422) << bad.body;
  const auto problem = parse(bad);
  EXPECT_EQ(problem.at("code").as_string(), "invalid_target");
  EXPECT_EQ(problem.at("errors").at(0).at("message").as_string(), "请填写招商单位");
  EXPECT_EQ(call_as("zhang", "PUT", "/api/targets",
                    R"({"year": 2026, "unit": "a", "figure": "funds", "value": 1})")
                .status,
            403);
  EXPECT_EQ(call_as("li", "PUT", "/api/targets", R"({"unit": "a", "figure": "funds", "value": 1})")
                .status,
            400);

  const std::string id = create_lead();
  ASSERT_EQ(record(id, R"({"month": "2026-02", "amount": 250, "source": "local"})").status, 200);
  const auto targets = parse(call_as("chen", "GET", "/api/targets?year=2026"));
  EXPECT_EQ(targets.at("targets").as_array().size(), 1u);
  EXPECT_EQ(targets.at("history").at(0).at("by").as_string(), "li");
  EXPECT_EQ(targets.at("figures").as_array().size(), 4u);
  bool listed = false;
  for (const auto& unit : targets.at("units").as_array())
    listed = listed || unit.at("id").as_string() == "招商一科";
  EXPECT_TRUE(listed);

  const auto response = call_as("chen", "GET", "/api/reports/targets?year=2026");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = parse(response);
  EXPECT_EQ(report.at("through").as_string(), "2026-03-02");
  const auto& first = report.at("units").at(0);
  EXPECT_EQ(first.at("unit").as_string(), "招商一科");
  EXPECT_EQ(first.at("rank").as_int64(), 1);
  EXPECT_EQ(first.at("figures").at(2).at("actual").to_number<double>(), 250);
  EXPECT_EQ(first.at("figures").at(2).at("rate").to_number<double>(), 0.25);
  EXPECT_EQ(first.at("score").to_number<double>(), 0.25);
  EXPECT_EQ(call_as("chen", "GET", "/api/reports/targets?year=2026&format=xlsx").status, 200);
  EXPECT_EQ(call_as("chen", "GET", "/api/reports/targets?year=99").status, 400);
  EXPECT_EQ(call_as("zhang", "GET", "/api/targets").status, 403);
}

}  // namespace
}  // namespace investflow::web::testing
