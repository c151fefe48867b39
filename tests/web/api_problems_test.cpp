// The service desk (issue 17) over HTTP with the shipped workflows: a problem's life in
// service-problem.yaml, the parent guard of qingyuan-investment (no aftercare with an open
// problem), a follow-up visit raising problems all or nothing, the ledger's filters and
// export, and the figures of GET /api/reports/problems, all built through the write path.
#include <SQLiteCpp/Database.h>

#include "storage/reports.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/seed.hpp"
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

class ProblemsApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::filesystem::path definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    auto load = workflows::load_workflow_file(definitions / "service-problem.yaml", calendars);
    ASSERT_TRUE(load.workflow) << "service-problem.yaml does not load";
    ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));
    // The same server, with reports enabled.
    server_.reset();
    auto context = std::make_shared<ApiContext>(*store_, *auth_, clock_);
    context->reports = std::make_shared<storage::ReportReader>(database_);
    Router router;
    add_api_routes(router, context);
    server_ = std::make_unique<RunningServer>(std::move(router));
  }

  // A lead of another promoting unit than create_lead's 招商一科.
  std::string lead_of(const std::string& unit) {
    const auto response = call_as("zhang", "POST", "/api/projects",
                                  R"({"workflow":"qingyuan-investment","fields":{"name":"项目",)"
                                  R"("promoting_unit":")" +
                                      unit + R"("}})");
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(parse(response).at("project_id").as_string());
  }

  ClientResponse raise(const std::string& parent, const std::string& title,
                       const std::string& category = "approval",
                       const std::string& unit = "administrative_approval",
                       const std::string& raised_on = "2026-03-02") {
    return call_as("zhang", "POST", "/api/projects",
                   R"({"workflow":"service-problem","parent":")" + parent +
                       R"(","fields":{"title":")" + title + R"(","category":")" + category +
                       R"(","responsible_unit":")" + unit + R"(","raised_on":")" + raised_on +
                       R"(","enterprise_contact":"刘经理"}})");
  }
  std::string raised(const std::string& parent, const std::string& title,
                     const std::string& category = "approval",
                     const std::string& unit = "administrative_approval",
                     const std::string& raised_on = "2026-03-02") {
    const auto response = raise(parent, title, category, unit, raised_on);
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(parse(response).at("project_id").as_string());
  }

  ClientResponse take(const std::string& id, const std::string& transition,
                      const std::string& fields = "{}", const std::string& user = "zhang",
                      const std::string& comment = "") {
    return call_as(user, "POST", "/api/projects/" + id + "/transitions",
                   R"({"transition":")" + transition + R"(","fields":)" + fields +
                       R"(,"comment":")" + comment + R"("})");
  }
  // Through every step to closed.
  void close(const std::string& id) {
    ASSERT_EQ(take(id, "accept").status, 200);
    ASSERT_EQ(take(id, "start").status, 200);
    ASSERT_EQ(take(id, "answer", R"({"resolution":"已协调办理"})").status, 200);
    ASSERT_EQ(take(id, "review").status, 200);
    const auto closed = take(id, "close", R"({"enterprise_feedback":"satisfied"})");
    ASSERT_EQ(closed.status, 200) << closed.body;
  }

  std::vector<std::string> listed(const std::string& query) {
    std::vector<std::string> ids =
        listed_texts("zhang", "/api/projects?" + query, "projects", "id");
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::string state_of(const std::string& id) {
    const auto response = call_as("zhang", "GET", "/api/projects/" + id);
    return std::string(parse(response).at("state").as_string());
  }

  // A seeded project (full history through the write path) in `state`.
  std::string seeded_in(const std::string& state) {
    // A few small seeds until one leaves a project there (the seeder spreads stages like a
    // real funnel, so a late stage is rare).
    for (std::uint64_t attempt = 1; attempt <= 8; ++attempt) {
      storage::SeedOptions seed;
      seed.projects = 40;
      seed.seed = attempt;
      seed.now = clock_->now();
      seed.id_prefix = "SD" + std::to_string(attempt);
      EXPECT_TRUE(storage::seed_projects(*store_, *workflow_, seed));
      const auto ids = listed("workflow=qingyuan-investment&state=" + state + "&limit=1");
      if (!ids.empty()) return ids.front();
    }
    ADD_FAILURE() << "the seeder made no project in " << state;
    return "";
  }

  void advance_days(int days) {
    clock_->advance_ms(static_cast<engine::Timestamp>(days) * 24 * 3600 * 1000);
  }
};

TEST_F(ProblemsApi, AProblemGoesFromAssignedToClosedWithItsDeadlineByCategory) {
  const std::string parent = create_lead();
  const auto created = raise(parent, "施工许可审批慢");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(parse(created).at("project_id").as_string());

  const auto problem = parse(call_as("zhang", "GET", "/api/projects/" + id));
  EXPECT_EQ(problem.at("parent").as_string(), parent);
  EXPECT_EQ(problem.at("state").as_string(), "assigned");
  // 审批服务: 5 working days from Monday 2026-03-02.
  EXPECT_EQ(problem.at("milestones").as_object().at("resolve").as_object().at("due_on").as_string(),
            "2026-03-09");

  ASSERT_EQ(take(id, "accept").status, 200);
  ASSERT_EQ(take(id, "start").status, 200);
  const auto no_answer = take(id, "answer");
  EXPECT_EQ(no_answer.status, 422);
  EXPECT_NE(no_answer.body.find("resolution"), std::string::npos);
  ASSERT_EQ(take(id, "answer", R"({"resolution":"已协调行政审批局加快办理"})").status, 200);
  ASSERT_EQ(take(id, "review").status, 200);
  // The enterprise is not satisfied: back to the unit, with a reason.
  EXPECT_EQ(take(id, "reopen").status, 422);
  ASSERT_EQ(take(id, "reopen", "{}", "zhang", "企业反映仍未办结").status, 200);
  EXPECT_EQ(state_of(id), "in_progress");
  ASSERT_EQ(take(id, "answer", R"({"resolution":"许可证已核发"})").status, 200);
  ASSERT_EQ(take(id, "review").status, 200);
  ASSERT_EQ(take(id, "close", R"({"enterprise_feedback":"satisfied"})").status, 200);
  EXPECT_EQ(state_of(id), "closed");

  // Sent back by the unit, assigned again, and declined with a reason (managers only).
  const std::string other = raised(parent, "用工招聘", "talent", "human_resources");
  ASSERT_EQ(take(other, "send_back", "{}", "zhang", "非本单位职责").status, 200);
  ASSERT_EQ(take(other, "assign_again", R"({"responsible_unit":"enterprise_service"})").status,
            200);
  EXPECT_EQ(
      take(other, "decline", R"({"unsolvable_reason":"政策不允许"})", "zhang", "不予解决").status,
      403);
  const auto declined =
      take(other, "decline", R"({"unsolvable_reason":"政策不允许"})", "li", "不予解决");
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_EQ(state_of(other), "unsolvable");

  EXPECT_EQ(listed("parent=" + parent + "&workflow=service-problem"),
            (std::vector<std::string>{std::min(id, other), std::max(id, other)}));
}

TEST_F(ProblemsApi, AProjectReachesAftercareOnlyWithItsProblemsClosed) {
  const std::string parent = seeded_in("at_capacity");
  ASSERT_FALSE(parent.empty());
  const std::string problem = raised(parent, "扩产用电增容");

  const auto refused = take(parent, "begin_aftercare");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("尚有未办结的企业诉求"), std::string::npos) << refused.body;
  EXPECT_EQ(state_of(parent), "at_capacity");

  close(problem);
  const auto allowed = take(parent, "begin_aftercare");
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(state_of(parent), "aftercare");
}

TEST_F(ProblemsApi, AVisitRaisesProblemsAllOrNothing) {
  const std::string parent = seeded_in("under_construction");
  ASSERT_FALSE(parent.empty());
  const auto before = parse(call_as("zhang", "GET", "/api/projects/" + parent));
  const std::int64_t version = before.at("version").as_int64();
  const std::size_t visits = before.at("visits").as_array().size();

  // The second problem lacks its category: nothing is written, the reason names it.
  const auto refused = call_as("zhang", "POST", "/api/projects/" + parent + "/followups", R"({
      "on": "2026-03-02", "summary": "月度走访",
      "problems": [
        {"title": "临时用电", "category": "utilities", "responsible_unit": "utilities_supply",
         "raised_on": "2026-03-02"},
        {"title": "贷款贴息", "responsible_unit": "finance", "raised_on": "2026-03-02"}]})");
  EXPECT_EQ(refused.status, 422) << refused.body;
  bool names_it = false;
  const json::object refusal = parse(refused);
  for (const auto& error : refusal.at("errors").as_array()) {
    names_it = names_it || error.as_object().at("field").as_string() == "problems[1].category";
  }
  EXPECT_TRUE(names_it) << refused.body;
  EXPECT_EQ(parse(call_as("zhang", "GET", "/api/projects/" + parent)).at("version").as_int64(),
            version);
  EXPECT_TRUE(listed("parent=" + parent).empty());

  const auto accepted = call_as("zhang", "POST", "/api/projects/" + parent + "/followups", R"({
      "on": "2026-03-02", "summary": "月度走访", "issues": ["进度正常"],
      "problems": [
        {"title": "临时用电", "category": "utilities", "responsible_unit": "utilities_supply",
         "raised_on": "2026-03-02"},
        {"title": "贷款贴息", "category": "financing", "responsible_unit": "finance",
         "raised_on": "2026-03-02"}]})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const auto body = parse(accepted);
  ASSERT_EQ(body.at("problems").as_array().size(), 2u);
  const auto after = parse(call_as("zhang", "GET", "/api/projects/" + parent));
  EXPECT_EQ(after.at("visits").as_array().size(), visits + 1);
  const auto children = listed("parent=" + parent + "&workflow=service-problem");
  ASSERT_EQ(children.size(), 2u);
  for (const auto& item : body.at("problems").as_array()) {
    const std::string child(item.as_object().at("project_id").as_string());
    EXPECT_TRUE(std::find(children.begin(), children.end(), child) != children.end()) << child;
  }

  // A bad body is 400 and writes nothing either.
  const auto malformed = call_as("zhang", "POST", "/api/projects/" + parent + "/followups",
                                 R"({"on":"2026-03-02","summary":"x","problems":{}})");
  EXPECT_EQ(malformed.status, 400);
}

TEST_F(ProblemsApi, TheLedgerFiltersByUnitCategoryStateOverdueAndTheParentsPromotingUnit) {
  const std::string first = create_lead();  // 招商一科
  const std::string second = lead_of("招商二科");
  const std::string a = raised(first, "用地指标", "land", "natural_resources");
  const std::string b = raised(first, "环评批复", "environment_energy", "ecology_environment");
  const std::string c = raised(second, "规划许可", "planning", "natural_resources");
  // Raised long ago: its deadline (10 working days, 其他) has passed.
  const std::string d = raised(second, "历史遗留问题", "other", "enterprise_service", "2026-01-05");
  ASSERT_EQ(take(b, "accept").status, 200);

  const std::string ledger = "workflow=service-problem";
  EXPECT_EQ(listed(ledger).size(), 4u);
  EXPECT_EQ(listed(ledger + "&responsible_unit=natural_resources"),
            (std::vector<std::string>{std::min(a, c), std::max(a, c)}));
  EXPECT_EQ(listed(ledger + "&problem_category=environment_energy"), std::vector<std::string>{b});
  EXPECT_EQ(listed(ledger + "&state=accepted"), std::vector<std::string>{b});
  EXPECT_EQ(listed(ledger + "&overdue=true"), std::vector<std::string>{d});
  EXPECT_EQ(listed(ledger +
                   "&parent_promoting_unit=" + std::string("%E6%8B%9B%E5%95%86%E4%BA%8C%E7%A7%91")),
            (std::vector<std::string>{std::min(c, d), std::max(c, d)}));
  EXPECT_EQ(listed(ledger + "&responsible_unit=natural_resources&parent_promoting_unit=" +
                   std::string("%E6%8B%9B%E5%95%86%E4%BA%8C%E7%A7%91")),
            std::vector<std::string>{c});

  // The parent's promoting unit changes: its problems follow.
  const auto edited = call_as("zhang", "PATCH", "/api/projects/" + first,
                              R"({"fields":{"promoting_unit":"招商二科"}})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(listed(ledger +
                   "&parent_promoting_unit=" + std::string("%E6%8B%9B%E5%95%86%E4%BA%8C%E7%A7%91"))
                .size(),
            4u);

  // A closed problem is never overdue.
  close(d);
  EXPECT_TRUE(listed(ledger + "&overdue=true").empty());
}

// 我的待办 finds the problems a user handles (the user field `assignee`) through the holder
// keys the writer keeps: they follow an edit of the field, and a closed one leaves.
TEST_F(ProblemsApi, MyWorkListsTheProblemsAUserHandlesAsTheFieldChanges) {
  const std::string parent = create_lead();
  const std::string id = raised(parent, "审批一");
  const auto held = [this](const std::string& user) {
    return listed_texts(user, "/api/me/work", "problems", "project_id");
  };
  EXPECT_TRUE(held("li").empty());
  const auto assign = [&](const std::string& user) {
    const auto edited = call_as("zhang", "PATCH", "/api/projects/" + id,
                                R"({"fields":{"assignee":")" + user + R"("}})");
    ASSERT_EQ(edited.status, 200) << edited.body;
  };
  assign("li");
  EXPECT_EQ(held("li"), std::vector<std::string>{id});
  assign("chen");
  EXPECT_TRUE(held("li").empty());
  EXPECT_EQ(held("chen"), std::vector<std::string>{id});
  close(id);
  EXPECT_TRUE(held("chen").empty());
}

TEST_F(ProblemsApi, TheLedgerExportsTheFilteredList) {
  const std::string parent = create_lead();
  raised(parent, "用地指标", "land", "natural_resources");
  raised(parent, "环评批复", "environment_energy", "ecology_environment");

  const auto csv =
      call_as("zhang", "GET",
              "/api/projects/"
              "export?workflow=service-problem&responsible_unit=natural_resources&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.header("Content-Type").value_or("").find("text/csv"), std::string::npos);
  EXPECT_NE(csv.body.find("责任单位"), std::string::npos);
  EXPECT_NE(csv.body.find("用地指标"), std::string::npos);
  EXPECT_NE(csv.body.find("自然资源局"), std::string::npos);
  EXPECT_EQ(csv.body.find("环评批复"), std::string::npos);

  const auto xlsx = call_as("zhang", "GET", "/api/projects/export?workflow=service-problem");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_NE(xlsx.header("Content-Disposition").value_or("").find(".xlsx"), std::string::npos);

  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/export?format=csv").status, 400);
  EXPECT_EQ(
      call_as("zhang", "GET", "/api/projects/export?workflow=service-problem&format=pdf").status,
      400);
  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/export?workflow=nope").status, 404);
}

TEST_F(ProblemsApi, TheFiguresCountWhatHappenedExactly) {
  const std::string parent = create_lead();
  // Raised Monday 2026-03-02. 审批服务 is due in 5 working days (2026-03-09).
  const std::string on_time = raised(parent, "审批一", "approval", "administrative_approval");
  // Raised on 2026-02-02: due 5 working days later, long before it closes.
  const std::string late =
      raised(parent, "审批二", "approval", "administrative_approval", "2026-02-02");
  const std::string declined = raised(parent, "融资", "financing", "finance");
  const std::string still_open = raised(parent, "用地", "land", "natural_resources");
  advance_days(2);  // Wednesday 2026-03-04
  close(on_time);
  close(late);
  ASSERT_EQ(
      take(declined, "decline", R"({"unsolvable_reason":"不符合政策"})", "li", "不予解决").status,
      200);

  const auto response = call_as("li", "GET", "/api/reports/problems?from=2026-03-01&to=2026-03-31");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto report = parse(response);
  EXPECT_EQ(report.at("raised").as_int64(), 4);
  EXPECT_EQ(report.at("resolved").as_int64(), 2);
  EXPECT_EQ(report.at("on_time").as_int64(), 1);
  EXPECT_EQ(report.at("ended_otherwise").as_int64(), 1);
  EXPECT_DOUBLE_EQ(report.at("resolution_rate").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report.at("on_time_rate").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(report.at("average_working_days").to_number<double>(), 2.0);
  EXPECT_EQ(report.at("open").as_int64(), 1);  // still_open
  EXPECT_EQ(state_of(still_open), "assigned");
  const auto group = [&](const char* list, const char* key) {
    for (const auto& item : report.at(list).as_array()) {
      if (item.as_object().at("key").as_string() == key) return item.as_object();
    }
    ADD_FAILURE() << "no " << key << " in " << list;
    return json::object{};
  };
  const auto approval = group("by_unit", "administrative_approval");
  EXPECT_EQ(approval.at("label").as_string(), "行政审批局");
  EXPECT_EQ(approval.at("raised").as_int64(), 2);
  EXPECT_EQ(approval.at("resolved").as_int64(), 2);
  EXPECT_EQ(approval.at("on_time").as_int64(), 1);
  EXPECT_EQ(approval.at("open").as_int64(), 0);
  EXPECT_EQ(group("by_unit", "natural_resources").at("open").as_int64(), 1);
  EXPECT_EQ(group("by_category", "land").at("label").as_string(), "用地");
  EXPECT_EQ(group("by_category", "land").at("open").as_int64(), 1);
  EXPECT_TRUE(group("by_category", "financing").at("resolution_rate").to_number<double>() == 0.0);

  // Another period counts none of them; the open ones are open whenever raised.
  const auto february =
      parse(call_as("li", "GET", "/api/reports/problems?from=2026-02-01&to=2026-02-28"));
  EXPECT_EQ(february.at("raised").as_int64(), 0);
  EXPECT_TRUE(february.at("resolution_rate").is_null());
  EXPECT_EQ(february.at("open").as_int64(), 1);

  const auto xlsx = call_as("li", "GET", "/api/reports/problems?format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(call_as("zhang", "GET", "/api/reports/problems").status, 403);
}

// The figures come from summaries the writer keeps (report_problems, report_problem_closings);
// they say what the event log does, and migration 21 fills them from the projections alone.
TEST_F(ProblemsApi, TheFiguresSummariesAgreeWithTheLogAndRefillFromTheProjections) {
  if (on_postgres()) GTEST_SKIP() << "migration 21 of a SQLite file (PgReportsCli covers ours)";
  const std::string parent = create_lead();
  const std::string on_time = raised(parent, "审批一", "approval", "administrative_approval");
  const std::string late =
      raised(parent, "审批二", "approval", "administrative_approval", "2026-02-02");
  const std::string declined = raised(parent, "融资", "financing", "finance");
  (void)raised(parent, "用地", "land", "natural_resources");
  advance_days(2);
  close(on_time);
  close(late);
  ASSERT_EQ(
      take(declined, "decline", R"({"unsolvable_reason":"不符合政策"})", "li", "不予解决").status,
      200);
  const std::string path = "/api/reports/problems?from=2026-03-01&to=2026-03-31";
  const auto before = call_as("li", "GET", path);
  ASSERT_EQ(before.status, 200) << before.body;

  const auto summaries = [this] {
    SQLite::Database db((dir_ / "api.db").string(), SQLite::OPEN_READONLY);
    std::vector<std::string> rows;
    for (const char* sql :
         {"SELECT workflow, terminal, created_day, resolved, unit, category, problems, on_time "
          "FROM report_problems WHERE problems <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
          "SELECT workflow, terminal, month, resolved, unit, category, problems, on_time "
          "FROM report_problem_months WHERE problems <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
          "SELECT workflow, created_day, resolved_day, problems FROM report_problem_closings "
          "WHERE problems <> 0 ORDER BY 1, 2, 3",
          "SELECT project_id, problem_status, problem_unit, problem_category, problem_on_time "
          "FROM report_projects ORDER BY 1"}) {
      SQLite::Statement select(db, sql);
      while (select.executeStep()) {
        std::string row;
        for (int i = 0; i < select.getColumnCount(); ++i)
          row += (select.getColumn(i).isNull() ? "NULL" : select.getColumn(i).getString()) + "|";
        rows.push_back(row);
      }
    }
    return rows;
  };
  const auto kept = summaries();
  // Four problems in three units: one resolved on time, one late, one declined, one open.
  EXPECT_NE(std::find(kept.begin(), kept.end(),
                      "service-problem|1|" +
                          std::to_string(engine::Date::parse("2026-03-02")->days_since_epoch()) +
                          "|1|administrative_approval|approval|2|1|"),
            kept.end());
  {
    SQLite::Database db((dir_ / "api.db").string(), SQLite::OPEN_READWRITE);
    EXPECT_TRUE(storage::ReportLedger::differences_from_log(db).empty());
    // As migration 21 finds a database: the columns empty, the tables too.
    db.exec(
        "UPDATE report_projects SET problem_status = NULL, problem_unit = '', "
        "problem_category = '', problem_on_time = NULL");
    db.exec("DELETE FROM report_problems");
    db.exec("DELETE FROM report_problem_closings");
    db.exec("DELETE FROM report_problem_months");
    EXPECT_NE(summaries(), kept);
    storage::ReportLedger::fill_problems(db);
  }
  EXPECT_EQ(summaries(), kept);
  EXPECT_EQ(call_as("li", "GET", path).body, before.body);

  // Periods read as whole months and the days at either end: all four were raised on
  // 2026-03-02 (the test clock), whatever the split.
  const auto raised_in = [this](const std::string& from, const std::string& to) {
    const auto response = call_as("li", "GET", "/api/reports/problems?from=" + from + "&to=" + to);
    EXPECT_EQ(response.status, 200) << response.body;
    return parse(response).at("raised").as_int64();
  };
  EXPECT_EQ(raised_in("2026-02-15", "2026-03-03"), 4);  // days only
  EXPECT_EQ(raised_in("2026-02-27", "2026-04-02"), 4);  // days, March, days
  EXPECT_EQ(raised_in("2026-03-02", "2026-03-02"), 4);
  EXPECT_EQ(raised_in("2026-01-01", "2026-12-31"), 4);  // whole months
  EXPECT_EQ(raised_in("2026-03-03", "2026-04-30"), 0);
  EXPECT_EQ(raised_in("2026-02-01", "2026-03-01"), 0);
}

}  // namespace
}  // namespace investflow::web::testing
