// The follow-up service desk over HTTP (issue 17), with the test pair in tests/data/service/:
// 督办 at rising levels (POST /api/projects/{id}/supervisions) reaching the handler, the
// project's service officer and liaison leader; 转交 of the owner or a user field and the bulk
// handover (POST /api/reassignments) telling the old and the new holder; refusals with
// Chinese messages; the read-time light on GET one and on the list, across a holiday.
#include "tests/web/notifying_api_test.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

class ApiSuperviseTest : public NotifyingApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const std::filesystem::path definitions =
        std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "definitions";
    workflows::CalendarRegistry calendars;
    (void)workflows::load_calendar_directory(
        workflows::calendars_directory_for(definitions / "x.yaml"), calendars);
    const std::filesystem::path pair = std::filesystem::path(INVESTFLOW_TEST_DATA) / "service";
    for (auto& load : workflows::load_workflow_set(
             {pair / "desk-project.yaml", pair / "desk-problem.yaml"}, calendars)) {
      ASSERT_TRUE(load.workflow) << load.source;
      ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));
    }
    // The named people: service officers, a unit's handler, a liaison leader.
    for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
             {"zhou", "staff"}, {"qian", "staff"}, {"wu", "staff"}, {"sun", "leader"}}) {
      ASSERT_TRUE(auth_->add_user(name, {role}, password(name)));
      auto token = auth_->issue_token(name, "test");
      ASSERT_TRUE(token);
      tokens_[name] = *token;
    }
    serve_with_notifications();
  }

  void today(const char* date) {
    clock_->set(engine::start_of_day(*engine::Date::parse(date)) + 9 * 3600 * 1000);
  }
  // A desk project (managers register it) with its service officer and liaison leader.
  void desk_project(const std::string& id, const std::string& officer = "zhou") {
    const auto response = call_as("li", "POST", "/api/projects",
                                  R"({"workflow":"desk-project","id":")" + id +
                                      R"(","fields":{"name":"新材料产业园","service_officer":")" +
                                      officer + R"(","liaison_leader":"sun"}})");
    ASSERT_EQ(response.status, 201) << response.body;
  }
  // A problem of that project, handled by wu: SLA 5 working days.
  void problem(const std::string& id, const std::string& parent) {
    const auto response =
        call_as("zhang", "POST", "/api/projects",
                R"({"workflow":"desk-problem","id":")" + id + R"(","parent":")" + parent +
                    R"(","fields":{"title":"用电接入","handler":"wu"}})");
    ASSERT_EQ(response.status, 201) << response.body;
  }
  ClientResponse supervise(const std::string& user, const std::string& id, const std::string& level,
                           const std::string& due, const std::string& reason = "逾期未办结") {
    return call_as(
        user, "POST", "/api/projects/" + id + "/supervisions",
        R"({"level":")" + level + R"(","due_on":")" + due + R"(","reason":")" + reason + R"("})");
  }
  json::value light(const std::string& id) {
    return parse(call_as("li", "GET", "/api/projects/" + id)).at("light");
  }
  // The types and zh titles in a user's inbox, oldest first.
  std::vector<std::string> inbox(const std::string& user) {
    const auto page = call_as(user, "GET", "/api/notifications");
    EXPECT_EQ(page.status, 200) << page.body;
    std::vector<std::string> out;
    const json::object body = parse(page);
    for (const auto& item : body.at("items").as_array()) {
      out.push_back(std::string(item.at("type").as_string()) + " " +
                    std::string(item.at("title").at("zh").as_string()));
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  static std::string first_message(const ClientResponse& response) {
    const auto body = json::parse(response.body).as_object();
    return std::string(body.at("errors").as_array().at(0).at("message").as_string());
  }
};

TEST_F(ApiSuperviseTest, SupervisionRisesAndReachesTheHandlerOfficerAndLeader) {
  desk_project("D-1");
  problem("Q-1", "D-1");
  ASSERT_EQ(supervise("li", "Q-1", "yellow_card", "2026-03-06").status, 200);
  // A manager may not give a red card; a leader may.
  const auto manager_red = supervise("li", "Q-1", "red_card", "2026-03-06");
  EXPECT_EQ(manager_red.status, 403) << manager_red.body;
  EXPECT_EQ(first_message(manager_red), "无权发起红牌督办（需要角色：leader）");
  const auto red = supervise("chen", "Q-1", "red_card", "2026-03-05", "仍未签收");
  ASSERT_EQ(red.status, 200) << red.body;
  const auto lower = supervise("chen", "Q-1", "yellow_card", "2026-03-06");
  EXPECT_EQ(lower.status, 422);
  EXPECT_EQ(first_message(lower), "督办级别只能升高：当前已是红牌");
  const auto no_reason = supervise("chen", "Q-1", "listed", "2026-03-06", "");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(first_message(no_reason), "请填写督办理由");
  EXPECT_EQ(first_message(supervise("chen", "Q-1", "listed", "2026-03-02")),
            "新的办理期限须晚于今天（2026-03-02）");
  EXPECT_EQ(supervise("chen", "Q-1", "listed", "soon").status, 400);

  const auto project = parse(call_as("li", "GET", "/api/projects/Q-1"));
  EXPECT_EQ(project.at("supervision_level").as_string(), "red_card");
  EXPECT_EQ(project.at("sla_due_on").as_string(), "2026-03-05");
  const auto history = parse(call_as("li", "GET", "/api/projects/Q-1/history"));
  std::vector<std::string> levels;
  for (const auto& event : history.at("events").as_array()) {
    if (event.at("type").as_string() != "supervised") continue;
    levels.push_back(std::string(event.at("body").at("level").as_string()) + " " +
                     std::string(event.at("body").at("previous_due_on").as_string()) + "→" +
                     std::string(event.at("body").at("new_due_on").as_string()) + " " +
                     std::string(event.at("body").at("reason").as_string()));
  }
  EXPECT_EQ(levels, (std::vector<std::string>{"yellow_card 2026-03-09→2026-03-06 逾期未办结",
                                              "red_card 2026-03-06→2026-03-05 仍未签收"}));

  dispatch();
  const std::vector<std::string> told = {
      "supervised 【黄牌】“用电接入”被督办，须于 2026-03-06 前办结",
      "supervised 【红牌】“用电接入”被督办，须于 2026-03-05 前办结"};
  EXPECT_EQ(inbox("wu"), told);    // the unit's handler (field:handler)
  EXPECT_EQ(inbox("zhou"), told);  // the project's service officer (field:parent.…)
  EXPECT_EQ(inbox("sun"), told);   // the project's liaison leader
  EXPECT_TRUE(inbox("zhang").empty());
}

TEST_F(ApiSuperviseTest, LightsFollowTheCalendarAcrossTheNationalDayHoliday) {
  desk_project("D-1");
  problem("Q-1", "D-1");  // Monday 2 March: due Monday 9 March
  EXPECT_EQ(light("Q-1"), json::value("green"));
  EXPECT_TRUE(light("D-1").is_null());  // no open deadline
  today("2026-03-04");
  EXPECT_EQ(light("Q-1"), json::value("yellow"));
  const auto listed = parse(call_as("li", "GET", "/api/projects?workflow=desk-problem"));
  EXPECT_EQ(listed.at("projects").as_array().at(0).at("light"), json::value("yellow"));
  today("2026-03-10");
  EXPECT_EQ(light("Q-1"), json::value("red"));
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects?overdue=true&workflow=desk-problem"))
                .at("projects")
                .as_array()
                .at(0)
                .at("light"),
            json::value("red"));

  // Wednesday 30 September, before the 1–7 October holiday: Friday 9 October is only two
  // working days away (yellow); Monday 12 October is four, Saturday 10 October counted.
  today("2026-09-30");
  ASSERT_EQ(supervise("li", "Q-1", "yellow_card", "2026-10-09").status, 200);
  EXPECT_EQ(light("Q-1"), json::value("yellow"));
  ASSERT_EQ(supervise("chen", "Q-1", "red_card", "2026-10-12").status, 200);
  EXPECT_EQ(light("Q-1"), json::value("green"));

  ASSERT_EQ(
      call_as("zhang", "POST", "/api/projects/Q-1/transitions", R"({"transition":"close"})").status,
      200);
  EXPECT_TRUE(light("Q-1").is_null());  // closed
}

TEST_F(ApiSuperviseTest, ReassigningTellsTheOldAndTheNewHolder) {
  desk_project("D-1");
  const std::string target = "/api/projects/D-1/reassignments";
  const auto staff = call_as("zhang", "POST", target,
                             R"({"holder":"service_officer","to":"qian","reason":"调岗"})");
  EXPECT_EQ(staff.status, 403);
  EXPECT_EQ(first_message(staff), "只有科室负责人或管理员可以转交");
  const auto unknown = call_as("li", "POST", target,
                               R"({"holder":"service_officer","to":"nobody","reason":"调岗"})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(first_message(unknown), "没有用户“nobody”（或已停用）");
  const auto no_reason =
      call_as("li", "POST", target, R"({"holder":"service_officer","to":"qian"})");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(first_message(no_reason), "请填写转交理由");
  EXPECT_EQ(
      first_message(call_as("li", "POST", target, R"({"holder":"name","to":"qian","reason":"x"})")),
      "“name”不是可转交的负责人或人员字段");

  const auto moved =
      call_as("li", "POST", target, R"({"holder":"service_officer","to":"qian","reason":"调岗"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto owner = call_as("root", "POST", target, R"({"to":"chen","reason":"领导牵头"})");
  ASSERT_EQ(owner.status, 200) << owner.body;
  const auto project = parse(call_as("li", "GET", "/api/projects/D-1"));
  EXPECT_EQ(project.at("fields").at("service_officer").as_string(), "qian");
  EXPECT_EQ(project.at("owner").as_string(), "chen");

  dispatch();
  EXPECT_EQ(inbox("zhou"),
            std::vector<std::string>{"reassigned “新材料产业园”的服务专员由 zhou 转交给 qian"});
  EXPECT_EQ(inbox("qian"),
            std::vector<std::string>{"reassigned “新材料产业园”的服务专员由 zhou 转交给 qian"});
  EXPECT_EQ(inbox("chen"),
            std::vector<std::string>{"reassigned “新材料产业园”的负责人由 li 转交给 chen"});
  // role:manager heard both; the manager is not told of what he did himself.
  EXPECT_EQ(inbox("li"),
            std::vector<std::string>{"reassigned “新材料产业园”的负责人由 li 转交给 chen"});
}

TEST_F(ApiSuperviseTest, BulkHandoverMovesEveryOpenHoldingAndListsEach) {
  desk_project("D-1");
  desk_project("D-2");
  desk_project("D-3", "qian");
  desk_project("D-4");
  ASSERT_EQ(
      call_as("li", "POST", "/api/projects/D-4/transitions", R"({"transition":"finish"})").status,
      200);
  problem("Q-1", "D-1");
  const std::string handover = R"({"from":"zhou","to":"qian","reason":"周某调离"})";
  const auto staff = call_as("zhang", "POST", "/api/reassignments", handover);
  EXPECT_EQ(staff.status, 403);
  EXPECT_EQ(first_message(staff), "只有科室负责人或管理员可以办理人员交接");
  const auto unknown = call_as("root", "POST", "/api/reassignments",
                               R"({"from":"zhou","to":"nobody","reason":"x"})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(first_message(unknown), "没有用户“nobody”（或已停用）");
  EXPECT_EQ(call_as("root", "POST", "/api/reassignments", R"({"from":"zhou","to":"qian"})").status,
            400);

  const auto done = call_as("root", "POST", "/api/reassignments", handover);
  ASSERT_EQ(done.status, 200) << done.body;
  const auto body = parse(done);
  EXPECT_EQ(body.at("moved").as_int64(), 2);
  EXPECT_EQ(body.at("refused").as_int64(), 0);
  std::vector<std::string> results;
  for (const auto& item : body.at("results").as_array()) {
    results.push_back(std::string(item.at("project").as_string()) + " " +
                      std::string(item.at("holder").as_string()) + " " +
                      std::string(item.at("name").as_string()) + " " +
                      (item.at("ok").as_bool() ? "ok" : "refused"));
  }
  // D-3 is qian's already, D-4 is finished: neither is a holding of zhou's.
  EXPECT_EQ(results, (std::vector<std::string>{"D-1 service_officer 新材料产业园 ok",
                                               "D-2 service_officer 新材料产业园 ok"}));
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects/D-2")).at("fields").at("service_officer"),
            json::value("qian"));
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects/D-4")).at("fields").at("service_officer"),
            json::value("zhou"));
  // Nothing left to move: an empty list, not an error.
  const auto again = call_as("li", "POST", "/api/reassignments", handover);
  ASSERT_EQ(again.status, 200);
  EXPECT_TRUE(parse(again).at("results").as_array().empty());

  // Owner only, and a refusal listed with its reason (owner zhang cannot be reassigned to
  // zhang): each project is decided by the engine.
  const auto owners = call_as("li", "POST", "/api/reassignments",
                              R"({"from":"zhang","to":"wu","reason":"交接","holders":["owner"]})");
  ASSERT_EQ(owners.status, 200) << owners.body;
  const json::object owned_body = parse(owners);
  const json::array& owned = owned_body.at("results").as_array();
  ASSERT_EQ(owned.size(), 1u);
  EXPECT_EQ(owned.at(0).at("project"), json::value("Q-1"));
  EXPECT_TRUE(owned.at(0).at("ok").as_bool());
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects/Q-1")).at("owner"), json::value("wu"));
}

}  // namespace
}  // namespace investflow::web::testing
