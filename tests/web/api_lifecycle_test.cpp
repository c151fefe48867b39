// The investment lifecycle end to end over HTTP: log in, create, fail a guard (422 with the
// Chinese message), fix and advance, three reviewers vote, approve.
#include "tests/web/api_test_support.hpp"

#include <map>
#include <string>

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

std::string transition(const std::string& id, const std::string& fields = "{}",
                       const std::string& comment = "") {
  return R"({"transition":")" + id + R"(","fields":)" + fields + R"(,"comment":")" + comment +
         R"("})";
}

TEST_F(ApiTest, InvestmentProjectFromLeadToApproval) {
  const Login zhang = login("zhang");
  const Login li = login("li");
  const Login wang = login("wang");

  // Created by the staff member who logged in, owned by her.
  const auto created = call(zhang, "POST", "/api/projects", R"({
    "workflow": "qingyuan-investment",
    "fields": {"name": "新型显示材料项目", "investor": "广东新材科技有限公司",
               "contact": "刘经理 138-0000-0002", "industry": "new_materials",
               "total_investment": 30000, "promoting_unit": "招商一科"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(parse(created).at("project_id").as_string());
  EXPECT_EQ(created.header("Location").value_or(""), "/api/projects/" + id);
  const std::string path = "/api/projects/" + id;

  auto accepted = call(zhang, "POST", path + "/transitions", transition("accept_lead"));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.header("ETag").value_or(""), "\"2\"");

  // Screening figures, but no land area yet.
  auto edited = call(zhang, "PATCH", path, R"({"fields": {
    "chain_role": "strengthen", "project_kind": "manufacturing", "land_type": "new_land",
    "fixed_asset_investment": 27000, "expected_output": 90000, "expected_tax": 3000}})",
                     {{"If-Match", "\"2\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;

  // The manager may pass screening, but the land-area guard fails: 422, in Chinese.
  const auto blocked = call(li, "POST", path + "/transitions", transition("pass_screening"));
  ASSERT_EQ(blocked.status, 422) << blocked.body;
  EXPECT_EQ(blocked.header("Content-Type").value_or(""), "application/problem+json");
  const auto problem = parse(blocked);
  EXPECT_EQ(problem.at("status").as_int64(), 422);
  EXPECT_EQ(problem.at("code").as_string(), "guard_failed");
  const auto& errors = problem.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u) << blocked.body;
  EXPECT_EQ(errors[0].at("field").as_string(), "land_area");
  EXPECT_EQ(errors[0].at("code").as_string(), "guard_failed");
  EXPECT_EQ(errors[0].at("message").as_string(), "用地项目须填写用地面积（亩）");

  // The same transition lists the reason before anyone tries it.
  const auto options = parse(call(li, "GET", path + "/transitions"));
  bool listed = false;
  for (const auto& option : options.at("transitions").as_array()) {
    if (option.at("id").as_string() != "pass_screening") continue;
    listed = true;
    EXPECT_FALSE(option.at("available").as_bool());
    EXPECT_EQ(option.at("blocked_by").as_array()[0].at("field").as_string(), "land_area");
  }
  EXPECT_TRUE(listed) << json::serialize(options);

  // 27000 / 75 = 360 万元/亩 >= 330; 1200 and 40 per 亩 meet the thresholds too.
  ASSERT_EQ(call(zhang, "PATCH", path, R"({"fields": {"land_area": 75}})").status, 200);
  const auto passed =
      call(li, "POST", path + "/transitions", transition("pass_screening", "{}", "指标达标"));
  ASSERT_EQ(passed.status, 200) << passed.body;
  // New land: the file for review carries the planning indicators and the energy use.
  ASSERT_EQ(call(zhang, "PATCH", path, R"({"fields": {"plot_ratio": 2.2, "building_coverage": 45,
    "office_share": 6, "green_ratio": 15, "energy_consumption": 500}})")
                .status,
            200);
  ASSERT_EQ(call(zhang, "POST", path + "/transitions", transition("submit_for_review")).status,
            200);
  // The meeting two working days ahead: the materials arrive in time.
  const auto to_committee =
      call(wang, "POST", path + "/transitions", transition("pass_preliminary", R"({
    "outside_red_line": true, "complies_sanxian_yidan": true, "not_forbidden_category": true,
    "emissions_ok": true, "safety_ok": true, "review_meeting_on": "2026-03-04"})"));
  ASSERT_EQ(to_committee.status, 200) << to_committee.body;

  // Before the votes the review has not passed.
  const auto early = call(wang, "POST", path + "/transitions", transition("approve"));
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(parse(early).at("code").as_string(), "review_not_passed") << early.body;

  for (const std::string reviewer : {"r1", "r2", "r3"}) {
    const Login session = login(reviewer);
    const auto vote =
        call(session, "POST", path + "/votes", R"({"choice":"approve","comment":"同意"})");
    ASSERT_EQ(vote.status, 200) << reviewer << ": " << vote.body;
  }
  const auto approved = call(wang, "POST", path + "/transitions", transition("approve"));
  ASSERT_EQ(approved.status, 200) << approved.body;

  const auto project = call(zhang, "GET", path);
  ASSERT_EQ(project.status, 200);
  const auto body = parse(project);
  EXPECT_EQ(body.at("state").as_string(), "approved");
  EXPECT_EQ(body.at("owner").as_string(), "zhang");
  EXPECT_EQ(project.header("ETag").value_or(""),
            "\"" + std::to_string(body.at("version").as_int64()) + "\"");

  const auto history = parse(call(zhang, "GET", path + "/history"));
  EXPECT_TRUE(history.at("chain_ok").as_bool());
  EXPECT_EQ(static_cast<std::int64_t>(history.at("events").as_array().size()),
            body.at("version").as_int64());
}

// The committee's quorum is two thirds of the reviewers holding the role (3 here), minus
// recusals; the server counts them, so one approval alone is short of the quorum.
TEST_F(ApiTest, RecusalAndAQuorumOfTheEligiblePanel) {
  const std::string path = "/api/projects/" + create_lead();
  ASSERT_EQ(call_as("zhang", "POST", path + "/transitions", transition("accept_lead")).status, 200);
  ASSERT_EQ(call_as("zhang", "PATCH", path, R"({"fields": {
    "chain_role": "strengthen", "project_kind": "manufacturing", "land_type": "existing_land",
    "fixed_asset_investment": 27000, "land_area": 75, "expected_output": 90000,
    "expected_tax": 3000, "energy_consumption": 500}})")
                .status,
            200);
  ASSERT_EQ(call_as("li", "POST", path + "/transitions", transition("pass_screening")).status, 200);
  ASSERT_EQ(call_as("zhang", "POST", path + "/transitions", transition("submit_for_review")).status,
            200);
  ASSERT_EQ(call_as("wang", "POST", path + "/transitions", transition("pass_preliminary", R"({
    "outside_red_line": true, "complies_sanxian_yidan": true, "not_forbidden_category": true,
    "emissions_ok": true, "safety_ok": true, "review_meeting_on": "2026-03-04"})"))
                .status,
            200);
  ASSERT_EQ(call_as("r1", "POST", path + "/votes", R"({"choice":"approve"})").status, 200);
  const auto short_of_quorum =
      call_as("wang", "POST", path + "/transitions", transition("approve"));
  EXPECT_EQ(short_of_quorum.status, 422);
  EXPECT_EQ(parse(short_of_quorum).at("code").as_string(), "review_not_passed")
      << short_of_quorum.body;
  // The options list it blocked for the same reason.
  const auto options = parse(call_as("wang", "GET", path + "/transitions"));
  for (const auto& option : options.at("transitions").as_array()) {
    if (option.at("id").as_string() == "approve") {
      EXPECT_FALSE(option.at("available").as_bool());
    }
  }
  // r2 recuses: 2 eligible, 2 votes needed; r3 approves.
  const auto recused =
      call_as("r2", "POST", path + "/votes", R"({"choice":"recuse","comment":"存在关联关系"})");
  ASSERT_EQ(recused.status, 200) << recused.body;
  EXPECT_EQ(call_as("wang", "POST", path + "/transitions", transition("approve")).status, 422);
  ASSERT_EQ(call_as("r3", "POST", path + "/votes", R"({"choice":"approve"})").status, 200);
  const auto approved = call_as("wang", "POST", path + "/transitions", transition("approve"));
  ASSERT_EQ(approved.status, 200) << approved.body;

  const auto workflow = parse(call_as("audit", "GET", "/api/workflows/qingyuan-investment"));
  for (const auto& state : workflow.at("states").as_array()) {
    if (state.at("id").as_string() != "committee_review") continue;
    EXPECT_EQ(state.at("review").at("quorum_fraction").as_string(), "2/3");
  }
}

TEST_F(ApiTest, WorkflowsDescribeFieldsStatesTransitionsAndGraph) {
  const auto list = call_as("audit", "GET", "/api/workflows");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto list_body = parse(list);
  const auto& workflows = list_body.at("workflows").as_array();
  ASSERT_EQ(workflows.size(), 1u);
  EXPECT_EQ(workflows[0].at("id").as_string(), "qingyuan-investment");

  const auto one = call_as("audit", "GET", "/api/workflows/qingyuan-investment");
  ASSERT_EQ(one.status, 200);
  const auto body = parse(one);
  EXPECT_EQ(body.at("title").at("zh-CN").as_string(), "招商引资项目");
  EXPECT_EQ(body.at("initial").as_string(), "lead");
  EXPECT_EQ(body.at("fields").as_array().size(), workflow_->fields.size());
  EXPECT_EQ(body.at("states").as_array().size(), workflow_->states.size());
  EXPECT_EQ(body.at("transitions").as_array().size(), workflow_->transitions.size());
  EXPECT_EQ(std::string(body.at("mermaid").as_string()).rfind("stateDiagram-v2", 0), 0u);
  // Report tags (language v1.1): what each state and field means to reports, or null.
  auto tags_of = [&body](const char* items, const char* key) {
    std::map<std::string, std::string> tags;
    for (const auto& item : body.at(items).as_array()) {
      const auto& tag = item.at("report");
      if (!tag.is_null()) tags[std::string(item.at(key).as_string())] = tag.as_string();
    }
    return tags;
  };
  const auto state_tags = tags_of("states", "id");
  EXPECT_EQ(state_tags.at("signed"), "signed");
  EXPECT_EQ(state_tags.at("under_construction"), "construction_started");
  EXPECT_EQ(state_tags.count("screening"), 0u);
  const auto field_tags = tags_of("fields", "name");
  EXPECT_EQ(field_tags.at("total_investment"), "investment");
  EXPECT_EQ(field_tags.at("investor"), "enterprise");
  EXPECT_EQ(field_tags.count("contact"), 0u);

  EXPECT_EQ(call_as("audit", "GET", "/api/workflows/nope").status, 404);
}

TEST_F(ApiTest, ListFiltersAndPages) {
  const std::string first = create_lead();
  create_lead();
  create_lead();
  ASSERT_EQ(
      call_as("zhang", "POST", "/api/projects/" + first + "/transitions", transition("accept_lead"))
          .status,
      200);
  const auto screening = parse(call_as("audit", "GET", "/api/projects?state=screening"));
  ASSERT_EQ(screening.at("projects").as_array().size(), 1u);
  EXPECT_EQ(screening.at("projects").as_array()[0].at("id").as_string(), first);

  const auto page = parse(call_as("audit", "GET", "/api/projects?limit=2&sort=-created"));
  EXPECT_EQ(page.at("projects").as_array().size(), 2u);
  ASSERT_TRUE(page.at("next_cursor").is_string());
  const auto rest = parse(call_as("audit", "GET",
                                  "/api/projects?limit=2&sort=-created&cursor=" +
                                      std::string(page.at("next_cursor").as_string())));
  EXPECT_EQ(rest.at("projects").as_array().size(), 1u);
  EXPECT_TRUE(rest.at("next_cursor").is_null());

  // Substring search on the name (trigram index: three characters or more).
  EXPECT_EQ(parse(call_as("audit", "GET", "/api/projects?q=%E6%98%BE%E7%A4%BA%E6%9D%90"))
                .at("projects")
                .as_array()
                .size(),
            3u);  // 显示材
  EXPECT_EQ(parse(call_as("audit", "GET", "/api/projects?q=%E7%94%B5%E6%B1%A0%E5%8E%82"))
                .at("projects")
                .as_array()
                .size(),
            0u);  // 电池厂
  // Every lead is due within a working day; nothing is overdue today, all are in a week.
  EXPECT_EQ(
      parse(call_as("audit", "GET", "/api/projects?overdue=true")).at("projects").as_array().size(),
      0u);
  EXPECT_EQ(parse(call_as("audit", "GET", "/api/projects?overdue=2026-03-20"))
                .at("projects")
                .as_array()
                .size(),
            3u);
  EXPECT_EQ(call_as("audit", "GET", "/api/projects?overdue=maybe").status, 400);
  EXPECT_EQ(call_as("audit", "GET", "/api/projects?sort=height").status, 400);
  EXPECT_EQ(call_as("audit", "GET", "/api/projects?limit=0").status, 400);
}

}  // namespace
}  // namespace investflow::web::testing
