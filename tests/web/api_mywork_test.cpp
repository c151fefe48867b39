// Issue 22 over HTTP: comments with @mentions (who may comment, unknown users refused, the
// mentioned user told), a blind committee review (others' ballots hidden in the project and
// its history until one has voted; the tally and decision kept after it closes), the
// secretariat told at quorum, the inbox's pages, type filter and daily digest of deadline
// alerts, and 我的待办 (GET /api/me/work).
#include "engine/deadlines.hpp"
#include "tests/web/notifying_api_test.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

std::string transition(const std::string& id, const std::string& fields = "{}") {
  return R"({"transition":")" + id + R"(","fields":)" + fields + R"(,"comment":""})";
}

class ApiMyWorkTest : public NotifyingApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    serve_with_notifications();
  }
  // A lead brought to the committee's review (three reviewers, a quorum of 2/3).
  std::string at_committee() {
    const std::string path = "/api/projects/" + create_lead();
    EXPECT_EQ(call_as("zhang", "POST", path + "/transitions", transition("accept_lead")).status,
              200);
    EXPECT_EQ(call_as("zhang", "PATCH", path, R"({"fields": {
      "chain_role": "strengthen", "project_kind": "manufacturing", "land_type": "existing_land",
      "fixed_asset_investment": 27000, "land_area": 75, "expected_output": 90000,
      "expected_tax": 3000, "energy_consumption": 500}})")
                  .status,
              200);
    EXPECT_EQ(call_as("li", "POST", path + "/transitions", transition("pass_screening")).status,
              200);
    EXPECT_EQ(
        call_as("zhang", "POST", path + "/transitions", transition("submit_for_review")).status,
        200);
    EXPECT_EQ(call_as("wang", "POST", path + "/transitions", transition("pass_preliminary", R"({
      "outside_red_line": true, "complies_sanxian_yidan": true, "not_forbidden_category": true,
      "emissions_ok": true, "safety_ok": true, "review_meeting_on": "2026-03-04"})"))
                  .status,
              200);
    return path;
  }
  std::vector<std::string> types_in_inbox(const std::string& user, const std::string& query = "") {
    return listed_texts(user, "/api/notifications" + query, "items", "type");
  }
};

TEST_F(ApiMyWorkTest, CommentsByRoleWithMentionsThatReachTheInboxAndMyWork) {
  const std::string path = "/api/projects/" + create_lead();
  // The auditor reads but may not comment; an unknown mention is refused before writing.
  const auto auditor = call_as("audit", "POST", path + "/comments", R"({"text":"看一下"})");
  EXPECT_EQ(auditor.status, 403) << auditor.body;
  const auto unknown = call_as("zhang", "POST", path + "/comments",
                               R"({"text":"@nobody 请看","mentions":["nobody"]})");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(call_as("zhang", "POST", path + "/comments", R"({"text":"  "})").status, 422);
  // A reviewer (a role that votes in this workflow) may; the mentioned manager is told.
  const auto posted = call_as("r1", "POST", path + "/comments",
                              R"({"text":"@li 请安排预审","mentions":["li","li"]})");
  ASSERT_EQ(posted.status, 200) << posted.body;
  const json::object written = parse(posted);
  const auto& event = written.at("events").as_array().at(0);
  EXPECT_EQ(event.at("type").as_string(), "commented");
  EXPECT_EQ(event.at("body").at("mentions").as_array().size(), 1u);  // each once
  dispatch();
  EXPECT_EQ(types_in_inbox("li", "?type=commented"), std::vector<std::string>{"commented"});
  const auto work = parse(call_as("li", "GET", "/api/me/work"));
  ASSERT_EQ(work.at("mentions").as_array().size(), 1u) << json::serialize(work);
  EXPECT_EQ(work.at("mentions").as_array()[0].at("project_id").as_string(), path.substr(14));
  // The history shows the comment.
  const auto history = parse(call_as("audit", "GET", path + "/history"));
  EXPECT_EQ(history.at("events").as_array().back().at("body").at("text").as_string(),
            "@li 请安排预审");
}

TEST_F(ApiMyWorkTest, BlindReviewHidesBallotsUntilVotedAndKeepsTheTallyAfter) {
  const std::string path = at_committee();
  // r2 owes a vote: it is in their work.
  EXPECT_EQ(parse(call_as("r2", "GET", "/api/me/work")).at("counts").at("votes").as_int64(), 1);
  ASSERT_EQ(
      call_as("r1", "POST", path + "/votes", R"({"choice":"reject","comment":"风险高"})").status,
      200);
  // r2 has not voted: no ballot shown, one counted; nor in the history.
  auto seen = parse(call_as("r2", "GET", path));
  EXPECT_TRUE(seen.at("votes").as_array().empty());
  EXPECT_EQ(seen.at("votes_hidden").as_int64(), 1);
  auto history = parse(call_as("r2", "GET", path + "/history"));
  EXPECT_EQ(history.at("hidden_votes").as_int64(), 1);
  for (const auto& item : history.at("events").as_array())
    EXPECT_NE(item.at("type").as_string(), "vote_cast");
  // The list hides them too.
  const auto list = parse(call_as("r2", "GET", "/api/projects?state=committee_review"));
  EXPECT_TRUE(list.at("projects").as_array().at(0).at("votes").as_array().empty());
  // r1 sees their own; after voting r2 sees both.
  EXPECT_EQ(parse(call_as("r1", "GET", path)).at("votes").as_array().size(), 1u);
  ASSERT_EQ(call_as("r2", "POST", path + "/votes", R"({"choice":"approve"})").status, 200);
  seen = parse(call_as("r2", "GET", path));
  EXPECT_EQ(seen.at("votes").as_array().size(), 2u);
  EXPECT_FALSE(seen.contains("votes_hidden"));
  EXPECT_EQ(parse(call_as("r2", "GET", "/api/me/work")).at("counts").at("votes").as_int64(), 0);
  // Two of three reviewers: the quorum (2/3) is reached; the secretariat is told.
  dispatch();
  const auto told = parse(call_as("wang", "GET", "/api/notifications?type=vote_cast"));
  ASSERT_EQ(told.at("items").as_array().size(), 1u) << json::serialize(told);
  EXPECT_EQ(told.at("items").as_array()[0].at("triggers").as_array()[0].as_string(), "quorum");
  // 1 of 2 approvals does not pass: the secretariat returns it; the tally stays.
  ASSERT_EQ(call_as("r3", "POST", path + "/votes", R"({"choice":"reject"})").status, 200);
  const auto rejected = call_as("wang", "POST", path + "/transitions",
                                R"({"transition":"reject","comment":"多数不同意"})");
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  const auto closed = parse(call_as("zhang", "GET", path));
  ASSERT_EQ(closed.at("closed_reviews").as_array().size(), 1u) << json::serialize(closed);
  const auto& review = closed.at("closed_reviews").as_array()[0];
  EXPECT_EQ(review.at("state").as_string(), "committee_review");
  EXPECT_EQ(review.at("transition").as_string(), "reject");
  EXPECT_EQ(review.at("votes").as_array().size(), 3u);
}

TEST_F(ApiMyWorkTest, InboxPagesTypesAndADailyDigestOfDeadlineAlerts) {
  ASSERT_EQ(parse(call_as("zhang", "GET", "/api/me/notification-settings")).at("deadlines"),
            "each");
  EXPECT_EQ(
      call_as("zhang", "PUT", "/api/me/notification-settings", R"({"deadlines":"weekly"})").status,
      400);
  // Another officer registers and accepts three leads for zhang: zhang is told of each.
  ASSERT_TRUE(auth_->add_user("zhou", {"staff"}, password("zhou")));
  auto token = auth_->issue_token("zhou", "test");
  ASSERT_TRUE(token);
  tokens_["zhou"] = *token;
  for (int i = 0; i < 3; ++i) {
    const auto created = call_as("zhou", "POST", "/api/projects", R"({
      "workflow": "qingyuan-investment", "owner": "zhang",
      "fields": {"name": "新型显示材料项目", "investor": "广东新材科技有限公司",
                 "contact": "刘经理 138-0000-0002", "industry": "new_materials",
                 "total_investment": 30000, "promoting_unit": "招商一科"}})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string path =
        "/api/projects/" + std::string(parse(created).at("project_id").as_string());
    ASSERT_EQ(call_as("zhou", "POST", path + "/transitions", transition("accept_lead")).status,
              200);
  }
  dispatch();
  // Pages of two, by cursor, until none is left.
  auto first = parse(call_as("zhang", "GET", "/api/notifications?limit=2"));
  ASSERT_EQ(first.at("items").as_array().size(), 2u);
  ASSERT_TRUE(first.at("next_cursor").is_string());
  const auto second = parse(call_as(
      "zhang", "GET",
      "/api/notifications?limit=2&cursor=" + std::string(first.at("next_cursor").as_string())));
  EXPECT_GE(second.at("items").as_array().size(), 1u);
  EXPECT_LT(second.at("items").as_array()[0].at("id").as_int64(),
            first.at("items").as_array()[1].at("id").as_int64());
  EXPECT_EQ(call_as("zhang", "GET", "/api/notifications?type=nonsense").status, 400);
  // Deadline alerts as a digest: the SLA of the screening stage runs out.
  ASSERT_EQ(
      call_as("zhang", "PUT", "/api/me/notification-settings", R"({"deadlines":"digest"})").status,
      200);
  ASSERT_EQ(call_as("zhang", "POST", "/api/notifications/read-all").status, 200);
  clock_->set(clock_->now() + 40LL * 24 * 3600 * 1000);
  const auto open = store_->list_projects({});
  ASSERT_TRUE(open);
  const engine::Date today = engine::local_date(clock_->now());
  int alerts = 0;
  for (const engine::Project& project : open->projects) {
    for (const engine::DueItem& due : engine::due_items(*workflow_, project, today)) {
      if (due.kind != engine::DueItem::Kind::sla) continue;
      storage::WriteRequest write;
      write.actor = engine::Actor{"system", {std::string(engine::kSystemRole)}};
      write.command.project_id = project.id;
      write.command.body = engine::FireDeadline{engine::DeadlineKind::sla, due.name,
                                                engine::DeadlineAlert::overdue, due.due_on};
      if (store_->write(std::move(write)).get().accepted()) ++alerts;
    }
  }
  ASSERT_GT(alerts, 1);
  dispatch();
  // One unread digest stands for the alerts; the type filter lists them (read).
  const auto inbox = parse(call_as("zhang", "GET", "/api/notifications?unread=true"));
  ASSERT_EQ(inbox.at("items").as_array().size(), 1u) << json::serialize(inbox);
  EXPECT_EQ(inbox.at("items").as_array()[0].at("type").as_string(), "digest");
  EXPECT_EQ(inbox.at("unread").as_int64(), 1);
  const auto held = parse(call_as("zhang", "GET", "/api/notifications?type=deadline_fired"));
  EXPECT_GE(held.at("items").as_array().size(), 2u);
  // My work lists the overdue deadlines of my open projects.
  const auto work = parse(call_as("zhang", "GET", "/api/me/work"));
  EXPECT_GE(work.at("counts").at("deadlines").as_int64(), 1) << json::serialize(work);
}

}  // namespace
}  // namespace investflow::web::testing
