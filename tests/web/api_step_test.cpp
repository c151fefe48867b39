// Issue 22: problem details in the request's language, and what
// GET /api/projects/{id}/transitions says a form can fill and the caller may do.
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

const ClientResponse& expect_status(const ClientResponse& response, int status) {
  EXPECT_EQ(response.status, status) << response.body;
  return response;
}

boost::json::object option(const boost::json::object& options, std::string_view id) {
  for (const auto& entry : options.at("transitions").as_array()) {
    if (entry.at("id").as_string() == id) return entry.as_object();
  }
  ADD_FAILURE() << "no transition " << id;
  return {};
}

TEST_F(ApiTest, ProblemDetailsAreChineseByDefaultAndEnglishWhenAsked) {
  const auto chinese = parse(expect_status(call_as("zhang", "GET", "/api/projects/NOPE-1"), 404));
  EXPECT_EQ(chinese.at("detail").as_string(), "没有项目“NOPE-1”");
  EXPECT_EQ(chinese.at("code").as_string(), "no_such_project");
  const auto english = parse(expect_status(
      call_as("zhang", "GET", "/api/projects/NOPE-1", {}, {{"Accept-Language", "en-GB,en;q=0.9"}}),
      404));
  EXPECT_EQ(english.at("detail").as_string(), "no project 'NOPE-1'");
  EXPECT_EQ(english.at("title").as_string(), chinese.at("title").as_string());

  // Per-field messages follow too.
  const auto limit = parse(expect_status(call_as("zhang", "GET", "/api/projects?limit=0"), 400));
  EXPECT_EQ(limit.at("detail").as_string(), "limit 取值为 1 到 500");
  EXPECT_EQ(limit.at("errors").as_array()[0].at("message").as_string(), "应为 1 到 500");
  const auto limit_en = parse(expect_status(
      call_as("zhang", "GET", "/api/projects?limit=0", {}, {{"Accept-Language", "en"}}), 400));
  EXPECT_EQ(limit_en.at("errors").as_array()[0].at("message").as_string(), "expected 1 to 500");

  // Before any credentials, and for a path no route answers.
  const auto anonymous = fetch(port(), "GET", "/api/projects");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(parse(*anonymous).at("detail").as_string(), "请先登录");
  const auto missing = fetch(port(), "GET", "/api/nothing-here", {}, {{"Accept-Language", "en"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(parse(*missing).at("detail").as_string(), "No such resource: /api/nothing-here");
}

TEST_F(ApiTest, AConflictingIfMatchSaysSoInChinese) {
  const std::string id = create_lead();
  const auto stale =
      parse(expect_status(call_as("zhang", "PATCH", "/api/projects/" + id,
                                  R"({"fields":{"contact":"王经理"}})", {{"If-Match", "\"7\""}}),
                          412));
  EXPECT_EQ(stale.at("detail").as_string(), "项目已被他人修改（现为第 1 版），您的修改尚未保存");
  const auto english = parse(expect_status(
      call_as("zhang", "PATCH", "/api/projects/" + id, R"({"fields":{"contact":"王经理"}})",
              {{"If-Match", "\"7\""}, {"Accept-Language", "en"}}),
      412));
  EXPECT_EQ(english.at("detail").as_string(), "If-Match does not match the project's version 1");
}

TEST_F(ApiTest, TransitionsSayWhichRequiredFieldsTheFormCanFill) {
  const auto created = call_as(
      "zhang", "POST", "/api/projects",
      R"({"workflow":"qingyuan-investment","fields":{"name":"缺字段项目","investor":"某公司"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(parse(created).at("project_id").as_string());
  const auto options =
      parse(expect_status(call_as("zhang", "GET", "/api/projects/" + id + "/transitions"), 200));
  const auto accept = option(options, "accept_lead");
  EXPECT_FALSE(accept.at("available").as_bool());
  EXPECT_TRUE(accept.at("fillable").as_bool());
  std::vector<std::string> fill;
  for (const auto& name : accept.at("fill").as_array())
    fill.emplace_back(name.as_string());
  EXPECT_EQ(fill, (std::vector<std::string>{"contact", "industry", "total_investment",
                                            "promoting_unit"}));
  // Filled with the transition, it is taken.
  expect_status(call_as("zhang", "POST", "/api/projects/" + id + "/transitions",
                        R"({"transition":"accept_lead","fields":{"contact":"刘经理",
                            "industry":"new_materials","total_investment":12000,
                            "promoting_unit":"招商一科"}})"),
                200);
}

TEST_F(ApiTest, AGuardKeepsATransitionBlockedForTheForm) {
  const std::string id = create_lead();
  expect_status(call_as("zhang", "POST", "/api/projects/" + id + "/transitions",
                        R"({"transition":"accept_lead"})"),
                200);
  expect_status(call_as("li", "PATCH", "/api/projects/" + id,
                        R"({"fields":{"chain_role":"strengthen","project_kind":"manufacturing",
                            "land_type":"new_land","fixed_asset_investment":15000,
                            "expected_output":60000,"expected_tax":2000}})"),
                200);
  const auto options =
      parse(expect_status(call_as("li", "GET", "/api/projects/" + id + "/transitions"), 200));
  const auto pass = option(options, "pass_screening");
  EXPECT_FALSE(pass.at("available").as_bool());
  EXPECT_FALSE(pass.at("fillable").as_bool());
  EXPECT_TRUE(pass.at("fill").as_array().empty());
  EXPECT_EQ(pass.at("blocked_by").as_array()[0].at("code").as_string(), "guard_failed");
}

TEST_F(ApiTest, TransitionsSayWhetherTheCallerMayEditOrRecordAVisit) {
  const std::string id = create_lead();
  const auto may = [&](const std::string& user) {
    return parse(expect_status(call_as(user, "GET", "/api/projects/" + id + "/transitions"), 200))
        .at("may")
        .as_object();
  };
  // The owner may edit a lead; nobody records a visit at a stage that takes none.
  EXPECT_TRUE(may("zhang").at("edit").as_bool());
  EXPECT_FALSE(may("zhang").at("followup").as_bool());
  // A reviewer and the auditor may not edit it, as the write itself would answer.
  EXPECT_FALSE(may("r1").at("edit").as_bool());
  EXPECT_FALSE(may("audit").at("edit").as_bool());
  expect_status(call_as("r1", "PATCH", "/api/projects/" + id, R"({"fields":{"contact":"x"}})"),
                403);
  // A project that has ended takes no edit from anyone.
  expect_status(call_as("zhang", "POST", "/api/projects/" + id + "/transitions",
                        R"({"transition":"decline_lead","comment":"不在招商范围"})"),
                200);
  EXPECT_FALSE(may("zhang").at("edit").as_bool());
}

TEST_F(ApiTest, EnglishGuardMessagesKeepTheirValuesInEnglish) {
  const auto created = call_as("zhang", "POST", "/api/projects", R"({
      "workflow": "qingyuan-investment",
      "fields": {"name": "租赁厂房项目", "investor": "某公司", "contact": "刘经理",
                 "industry": "new_materials", "total_investment": 300, "promoting_unit": "招商一科",
                 "chain_role": "strengthen", "project_kind": "manufacturing",
                 "land_type": "leased_factory", "floor_area": 20000,
                 "fixed_asset_investment": 100, "expected_output": 100, "expected_tax": 1}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(parse(created).at("project_id").as_string());
  expect_status(call_as("zhang", "POST", "/api/projects/" + id + "/transitions",
                        R"({"transition":"accept_lead"})"),
                200);
  const auto reason = [&](const std::string& language) {
    const auto options =
        parse(expect_status(call_as("li", "GET", "/api/projects/" + id + "/transitions", {},
                                    {{"Accept-Language", language}}),
                            200));
    const auto pass = option(options, "pass_screening");
    for (const auto& blocked : pass.at("blocked_by").as_array()) {
      if (blocked.at("field").as_string() == "fixed_asset_investment") {
        return std::string(blocked.at("message").as_string());
      }
    }
    return std::string();
  };
  EXPECT_EQ(reason("en"), "Investment 5 万元 per 1,000 m² is below the required 200 万元");
  EXPECT_EQ(reason("zh-CN"), "每千平方米投资5万元，低于准入标准200万元");
}

TEST_F(ApiTest, WorkflowsNameTheirMilestones) {
  const auto workflow =
      parse(expect_status(call_as("zhang", "GET", "/api/workflows/qingyuan-investment"), 200));
  bool found = false;
  for (const auto& milestone : workflow.at("milestones").as_array()) {
    if (milestone.at("id").as_string() != "sign_agreement") continue;
    found = true;
    EXPECT_EQ(milestone.at("label").at("zh-CN").as_string(), "签订投资协议");
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace investflow::web::testing
