// Issue 19 item 8, data scope over HTTP: a workflow version with `visibility:` shows staff the
// projects they own, serve or whose promoting unit is theirs, reviewers those in their
// reviews, a restricted leader only what it owns; managers see all. Every path is checked:
// each /api/projects/{id} route of the route table (404 as for no project), the list,
// search, board and export, reports (403), the live stream and the inbox.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/operations.hpp"
#include "storage/reports.hpp"
#include "tests/web/notifying_api_test.hpp"
#include "tests/web/sse_client.hpp"
#include "web/route_table.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

// The shipped workflow, as a newer version with data scope.
constexpr std::string_view kVisibility = R"yaml(
visibility:
  staff:
    owner: true
    users: [service_officer, liaison_leader]
    unit: promoting_unit
  reviewer:
    reviews: true
  leader:
    owner: true
  secretariat: all
  manager: all
  auditor: all
  admin: all
)yaml";

std::string transition(const std::string& id, const std::string& fields = "{}") {
  return R"({"transition":")" + id + R"(","fields":)" + fields + R"(,"comment":""})";
}

class DataScopeTest : public NotifyingApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    std::string source = workflow_source();
    const auto version = source.find("\nversion: ");
    ASSERT_NE(version, std::string::npos);
    source.replace(version, source.find('\n', version + 1) - version, "\nversion: 90");
    source += kVisibility;
    const std::filesystem::path definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    auto load = workflows::load_workflow_text(source, "scoped.yaml", calendars);
    ASSERT_TRUE(load.workflow) << (load.diagnostics.empty() ? "" : load.diagnostics[0].message);
    ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));

    // zhou: staff of 招商二科; zhang: staff of another unit (sees what he owns or serves).
    ASSERT_TRUE(auth_->add_user("zhou", {"staff"}, password("zhou")));
    auto token = auth_->issue_token("zhou", "test");
    ASSERT_TRUE(token);
    tokens_["zhou"] = *token;
    ASSERT_TRUE(auth_->set_unit("zhou", "招商二科"));
    ASSERT_TRUE(auth_->set_unit("zhang", "招商三科"));

    serve_with_notifications();
  }

  static std::string workflow_source() {
    std::ifstream file(std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions" /
                       "qingyuan-investment.yaml");
    return std::string(std::istreambuf_iterator<char>(file), {});
  }

  // A lead created by `as` for `unit`.
  std::string lead(const std::string& as, const std::string& unit, const std::string& name) {
    const auto response = call_as(as, "POST", "/api/projects",
                                  R"({
      "workflow": "qingyuan-investment",
      "fields": {"name": ")" + name + R"(", "investor": "广东新材科技有限公司",
                 "contact": "刘经理 138-0000-0002", "industry": "new_materials",
                 "total_investment": 30000, "promoting_unit": ")" +
                                      unit + R"("}})");
    EXPECT_EQ(response.status, 201) << response.body;
    return std::string(parse(response).at("project_id").as_string());
  }

  std::vector<std::string> listed(const std::string& as, const std::string& query) {
    const auto response = call_as(as, "GET", "/api/projects?workflow=qingyuan-investment" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<std::string> ids;
    const json::object body = parse(response);
    for (const auto& project : body.at("projects").as_array())
      ids.emplace_back(project.at("id").as_string());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::vector<std::string> inbox_projects(const std::string& user) {
    return listed_texts(user, "/api/notifications", "items", "project_id");
  }
};

TEST_F(DataScopeTest, EveryProjectRouteAnswersAnUnseenProjectAsNone) {
  const std::string mine = lead("zhang", "招商一科", "张的项目");
  const std::string theirs = lead("li", "招商二科", "二科的项目");

  int checked = 0;
  for (const auto& route : api_route_table()) {
    const std::string path(route.path);
    const bool project_route = path.rfind("/api/projects/{id}", 0) == 0;
    if (!project_route) continue;
    std::string target = path;
    target.replace(target.find("{id}"), 4, mine);
    if (route.method == "POST" && path.ends_with("/attachments")) target += "?filename=a.pdf";
    const auto unseen = call_as("zhou", route.method, target, "{}");
    EXPECT_EQ(unseen.status, 404) << route.method << " " << target << ": " << unseen.body;
    EXPECT_EQ(parse(unseen).at("code").as_string(), "no_such_project")
        << route.method << " " << target;
    ++checked;
  }
  EXPECT_GE(checked, 15);

  // What each sees: the owner his own; zhou the unit's; the manager both; the leader none.
  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/" + mine).status, 200);
  EXPECT_EQ(call_as("zhang", "GET", "/api/projects/" + theirs).status, 404);
  EXPECT_EQ(call_as("zhou", "GET", "/api/projects/" + theirs).status, 200);
  EXPECT_EQ(call_as("zhou", "GET", "/api/projects/" + theirs + "/history").status, 200);
  EXPECT_EQ(call_as("li", "GET", "/api/projects/" + mine).status, 200);
  EXPECT_EQ(call_as("chen", "GET", "/api/projects/" + mine).status, 404);
  // A session cookie is checked the same way as a token.
  EXPECT_EQ(call(login("zhou"), "GET", "/api/projects/" + mine).status, 404);
  // A write to an unseen project changes nothing.
  EXPECT_EQ(call_as("zhou", "PATCH", "/api/projects/" + mine, R"({"fields":{"name":"x"}})").status,
            404);
  EXPECT_EQ(parse(call_as("zhang", "GET", "/api/projects/" + mine)).at("version").as_int64(), 1);

  // Serving a project (a user field) shows it: zhou becomes the service officer.
  EXPECT_EQ(
      call_as("zhang", "PATCH", "/api/projects/" + mine, R"({"fields":{"service_officer":"zhou"}})")
          .status,
      200);
  EXPECT_EQ(call_as("zhou", "GET", "/api/projects/" + mine).status, 200);

  // The keys the writer kept are those the rules give (verify recomputes them).
  auto report = on_postgres() ? storage::verify_pg_database(database_)
                              : storage::verify_database(dir_ / "api.db");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->problems.empty()) << report->problems[0].message;
}

TEST_F(DataScopeTest, ListsSearchesBoardsAndExportsHoldOnlyWhatTheCallerSees) {
  const std::string mine = lead("zhang", "招商一科", "张的显示材料项目");
  const std::string theirs = lead("li", "招商二科", "二科的显示材料项目");
  const std::string other = lead("li", "招商一科", "一科的显示材料项目");

  std::vector<std::string> all{mine, theirs, other};
  std::sort(all.begin(), all.end());
  EXPECT_EQ(listed("li", ""), all);
  EXPECT_EQ(listed("audit", ""), all);
  EXPECT_EQ(listed("zhang", ""), std::vector<std::string>{mine});
  EXPECT_EQ(listed("zhou", ""), std::vector<std::string>{theirs});
  EXPECT_EQ(listed("chen", ""), std::vector<std::string>{});
  EXPECT_EQ(listed("r1", ""), std::vector<std::string>{});
  // Search and paging.
  EXPECT_EQ(listed("zhou", "&q=" + std::string("显示材料")), std::vector<std::string>{theirs});
  EXPECT_EQ(listed("zhou", "&q=" + other), std::vector<std::string>{});
  EXPECT_EQ(listed("zhou", "&limit=1"), std::vector<std::string>{theirs});

  // The board: only the cards seen, and no zone-wide counts or facets.
  const auto board = call_as("zhou", "GET", "/api/board?workflow=qingyuan-investment");
  ASSERT_EQ(board.status, 200) << board.body;
  EXPECT_NE(board.body.find(theirs), std::string::npos);
  EXPECT_EQ(board.body.find(mine), std::string::npos);
  EXPECT_EQ(board.body.find(other), std::string::npos);
  EXPECT_EQ(board.body.find("招商一科"), std::string::npos) << board.body;

  // The export.
  const auto sheet =
      call_as("zhou", "GET", "/api/projects/export?workflow=qingyuan-investment&format=csv");
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_NE(sheet.body.find("二科的显示材料项目"), std::string::npos);
  EXPECT_EQ(sheet.body.find("张的显示材料项目"), std::string::npos);
  EXPECT_EQ(sheet.body.find("一科的显示材料项目"), std::string::npos);

  // An admin moves zhou to 招商一科 (the API): his next request sees that unit's projects.
  const auto moved = call_as("root", "PATCH", "/api/users/zhou", R"({"unit":"招商一科"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved).at("unit").as_string(), "招商一科");
  std::vector<std::string> first_unit{mine, other};
  std::sort(first_unit.begin(), first_unit.end());
  EXPECT_EQ(listed("zhou", ""), first_unit);
  ASSERT_EQ(call_as("root", "PATCH", "/api/users/zhou", R"({"unit":"招商二科"})").status, 200);

  // My work: only projects seen.
  const auto work = call_as("zhou", "GET", "/api/me/work");
  ASSERT_EQ(work.status, 200) << work.body;
  EXPECT_EQ(work.body.find(mine), std::string::npos);
  EXPECT_EQ(work.body.find(other), std::string::npos);
}

TEST_F(DataScopeTest, ReportsAreForThoseWhoSeeEveryProject) {
  lead("li", "招商一科", "项目");
  context_->reports = std::make_shared<storage::ReportReader>(database_);
  EXPECT_EQ(call_as("li", "GET", "/api/reports/pipeline?workflow=qingyuan-investment").status, 200);
  const auto leader = call_as("chen", "GET", "/api/reports/pipeline?workflow=qingyuan-investment");
  EXPECT_EQ(leader.status, 403) << leader.body;
  EXPECT_EQ(parse(leader).at("code").as_string(), "scope_not_whole");
  EXPECT_NE(parse(leader).at("detail").as_string().find("全部项目"), std::string::npos);
  EXPECT_EQ(call_as("chen", "GET", "/api/reports/funds").status, 403);
  EXPECT_EQ(call_as("chen", "GET", "/api/reports/monthly?month=2026-03").status, 403);
}

TEST_F(DataScopeTest, ReviewersSeeProjectsInTheirReviewsAndThoseTheyVotedOn) {
  const std::string path = "/api/projects/" + lead("zhang", "招商一科", "评审项目");
  EXPECT_EQ(call_as("r1", "GET", path).status, 404);
  EXPECT_EQ(call_as("zhang", "POST", path + "/transitions", transition("accept_lead")).status, 200);
  EXPECT_EQ(call_as("zhang", "PATCH", path, R"({"fields": {
      "chain_role": "strengthen", "project_kind": "manufacturing", "land_type": "existing_land",
      "fixed_asset_investment": 27000, "land_area": 75, "expected_output": 90000,
      "expected_tax": 3000, "energy_consumption": 500}})")
                .status,
            200);
  EXPECT_EQ(call_as("li", "POST", path + "/transitions", transition("pass_screening")).status, 200);
  EXPECT_EQ(call_as("zhang", "POST", path + "/transitions", transition("submit_for_review")).status,
            200);
  EXPECT_EQ(call_as("r1", "GET", path).status, 404);  // not yet in the committee's review
  EXPECT_EQ(call_as("wang", "POST", path + "/transitions", transition("pass_preliminary", R"({
      "outside_red_line": true, "complies_sanxian_yidan": true, "not_forbidden_category": true,
      "emissions_ok": true, "safety_ok": true, "review_meeting_on": "2026-03-04"})"))
                .status,
            200);
  // In review: every reviewer sees it, votes on it, and keeps seeing what he voted on.
  EXPECT_EQ(call_as("r1", "GET", path).status, 200);
  EXPECT_EQ(listed("r1", "").size(), 1u);
  EXPECT_EQ(call_as("r1", "POST", path + "/votes", R"({"choice":"approve","comment":""})").status,
            200);
  EXPECT_EQ(call_as("li", "POST", path + "/transitions",
                    R"({"transition":"withdraw","fields":{},"comment":"投资方撤回"})")
                .status,
            200);
  EXPECT_EQ(call_as("r1", "GET", path).status, 200);
  EXPECT_EQ(call_as("r2", "GET", path).status, 404);
}

TEST_F(DataScopeTest, TheLiveStreamAndTheInboxCarryOnlyProjectsSeen) {
  const std::string mine = lead("zhang", "招商一科", "张的项目");
  const std::string theirs = lead("li", "招商二科", "二科的项目");
  // Mentions tell the mentioned: zhou is told of the project he sees only.
  EXPECT_EQ(call_as("li", "POST", "/api/projects/" + mine + "/comments",
                    R"({"text":"@zhou 请看","mentions":["zhou"]})")
                .status,
            200);
  EXPECT_EQ(call_as("li", "POST", "/api/projects/" + theirs + "/comments",
                    R"({"text":"@zhou 请看","mentions":["zhou"]})")
                .status,
            200);
  dispatch();
  EXPECT_EQ(inbox_projects("zhou"), std::vector<std::string>{theirs});
  EXPECT_EQ(inbox_projects("li").size(), 0u);  // not told of what he did himself

  // The stream from the start of the log: zhou gets the events of theirs only (both
  // projects' creations and comments are in the log before his stream opens).
  SseClient stream;
  ASSERT_TRUE(stream.open(port(), tokens_.at("zhou"), "0"));
  ASSERT_TRUE(stream.read_until("\"" + theirs + "\""));
  ASSERT_TRUE(stream.read_for(std::chrono::milliseconds(1500)));
  // A live event of each project after the stream opened.
  EXPECT_EQ(call_as("li", "PATCH", "/api/projects/" + mine, R"({"fields":{"contact":"x"}})").status,
            200);
  EXPECT_EQ(
      call_as("li", "PATCH", "/api/projects/" + theirs, R"({"fields":{"contact":"y"}})").status,
      200);
  context_->feed->wake();
  ASSERT_TRUE(stream.read_until("\"version\":3"));
  ASSERT_TRUE(stream.read_for(std::chrono::milliseconds(1500)));
  int of_theirs = 0;
  for (const auto& event : stream.events()) {
    EXPECT_EQ(event.data.at("project_id").as_string(), theirs) << event.type;
    ++of_theirs;
  }
  EXPECT_EQ(of_theirs, 3);  // created, commented, edited
}

}  // namespace
}  // namespace investflow::web::testing
