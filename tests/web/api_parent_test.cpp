// Parent links over HTTP, with the test pair in tests/data/parent/: POST /api/projects with
// "parent", the project's `parent`, GET /api/projects?parent=ID, the bad-parent refusals,
// and a parent's guard on its open children refusing, then allowing once they are closed.
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

class ApiParentTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::filesystem::path pair = std::filesystem::path(INVESTFLOW_TEST_DATA) / "parent";
    for (auto& load : workflows::load_workflow_set({pair / "venture.yaml", pair / "issue.yaml"},
                                                   workflows::CalendarRegistry{})) {
      ASSERT_TRUE(load.workflow);
      ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));
    }
  }

  // Staff raise issues; managers register ventures (they act in its first state).
  ClientResponse create(const std::string& body, const std::string& user = "zhang") {
    return call_as(user, "POST", "/api/projects", body);
  }
  std::string venture(const std::string& id) {
    const auto response = create(R"({"workflow":"venture","id":")" + id +
                                     R"(","fields":{"name":"新材料项目","budget":100}})",
                                 "li");
    EXPECT_EQ(response.status, 201) << response.body;
    return id;
  }
  ClientResponse issue(const std::string& id, const std::string& parent) {
    return create(R"({"workflow":"issue","id":")" + id + R"(","parent":")" + parent +
                  R"(","fields":{"title":"用电接入","cost":20}})");
  }
  ClientResponse take(const std::string& user, const std::string& id,
                      const std::string& transition) {
    return call_as(user, "POST", "/api/projects/" + id + "/transitions",
                   R"({"transition":")" + transition + R"("})");
  }
  static std::string code(const ClientResponse& response) {
    const auto body = json::parse(response.body).as_object();
    return std::string(body.at("code").as_string());
  }
};

TEST_F(ApiParentTest, ChildrenAreCreatedUnderTheirParentAndListedByIt) {
  venture("V-1");
  venture("V-2");
  const auto created = issue("I-1", "V-1");
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_EQ(issue("I-2", "V-1").status, 201);
  ASSERT_EQ(issue("I-3", "V-2").status, 201);

  const auto child = call_as("zhang", "GET", "/api/projects/I-1");
  ASSERT_EQ(child.status, 200);
  EXPECT_EQ(parse(child).at("parent").as_string(), "V-1");
  const auto parent = call_as("zhang", "GET", "/api/projects/V-1");
  EXPECT_FALSE(parse(parent).contains("parent"));

  const auto listed = call_as("zhang", "GET", "/api/projects?parent=V-1&sort=created");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json::array projects = parse(listed).at("projects").as_array();
  ASSERT_EQ(projects.size(), 2u);
  EXPECT_EQ(projects[0].as_object().at("id").as_string(), "I-1");
  EXPECT_EQ(projects[1].as_object().at("id").as_string(), "I-2");
}

TEST_F(ApiParentTest, BadParentsAreRefusedWithTheirReasons) {
  venture("V-1");
  ASSERT_EQ(issue("I-0", "V-1").status, 201);
  const auto missing = create(R"({"workflow":"issue","fields":{"title":"x"}})");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(code(missing), "parent_required");
  const auto unknown = issue("I-1", "V-404");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(code(unknown), "no_such_parent");
  const auto wrong = issue("I-2", "I-0");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(code(wrong), "parent_wrong_workflow");
  const auto orphan =
      create(R"({"workflow":"venture","parent":"V-1","fields":{"name":"子项目"}})", "li");
  EXPECT_EQ(orphan.status, 422);
  EXPECT_EQ(code(orphan), "parent_not_allowed");
  const auto not_text = create(R"({"workflow":"issue","parent":7,"fields":{"title":"x"}})");
  EXPECT_EQ(not_text.status, 400);

  ASSERT_EQ(take("zhang", "I-0", "withdraw").status, 200);
  ASSERT_EQ(take("li", "V-1", "close").status, 200);
  const auto closed = issue("I-3", "V-1");
  EXPECT_EQ(closed.status, 422);
  EXPECT_EQ(code(closed), "parent_closed");
  const auto errors = parse(closed).at("errors").as_array();
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].as_object().at("field").as_string(), "parent");
}

TEST_F(ApiParentTest, AParentClosesOnceItsChildrenAreClosed) {
  venture("V-1");
  ASSERT_EQ(issue("I-1", "V-1").status, 201);

  const auto refused = take("li", "V-1", "close");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("尚有未办结的问题"), std::string::npos) << refused.body;
  // "What can I do now" says the same, with the reason.
  const auto options = call_as("li", "GET", "/api/projects/V-1/transitions");
  ASSERT_EQ(options.status, 200);
  bool close_blocked = false;
  const json::array transitions = parse(options).at("transitions").as_array();
  for (const auto& item : transitions) {
    const auto& option = item.as_object();
    if (option.at("id").as_string() == "close") close_blocked = !option.at("available").as_bool();
  }
  EXPECT_TRUE(close_blocked);

  // The child reads its parent: the venture is open and its budget covers the cost.
  ASSERT_EQ(take("zhang", "I-1", "resolve").status, 200);
  const auto allowed = take("li", "V-1", "close");
  EXPECT_EQ(allowed.status, 200) << allowed.body;
}

}  // namespace
}  // namespace investflow::web::testing
