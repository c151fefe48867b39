// The project list's tools over HTTP (issue 22 item 11): a transition taken on chosen
// projects (POST /api/bulk/transitions), each decided by the engine with its own result;
// chosen projects reassigned (POST /api/reassignments with projects); limits, bad input,
// roles and Idempotency-Key; saved filters per user; the export taking the list's filters;
// search by the project's id.
#include <algorithm>
#include <set>
#include <sstream>

#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

bool has_cjk(std::string_view text) {
  // Any character of U+3000..U+9FFF is three UTF-8 bytes starting 0xE3..0xE9.
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0xE3 && byte <= 0xE9;
  });
}

class ApiListTest : public ApiTest {
 protected:
  json::object bulk(const std::string& user, const std::string& body, Headers headers = {}) {
    const auto response = call_as(user, "POST", "/api/bulk/transitions", body, std::move(headers));
    EXPECT_EQ(response.status, 200) << response.body;
    return parse(response);
  }
  std::string state_of(const std::string& id) {
    return std::string(
        parse(call_as("zhang", "GET", "/api/projects/" + id)).at("state").as_string());
  }
  std::int64_t version_of(const std::string& id) {
    return parse(call_as("zhang", "GET", "/api/projects/" + id)).at("version").as_int64();
  }
  static std::string ids(std::initializer_list<std::string> list) {
    json::array array;
    for (const auto& id : list)
      array.emplace_back(id);
    return json::serialize(array);
  }
};

TEST_F(ApiListTest, BulkTransitionDecidesEachProjectAndListsEveryResult) {
  const std::string a = create_lead();
  const std::string b = create_lead();
  const std::string moved = create_lead();
  ASSERT_EQ(call_as("zhang", "POST", "/api/projects/" + moved + "/transitions",
                    R"({"transition":"accept_lead"})")
                .status,
            200);
  const auto body = bulk("zhang", R"({"projects":)" + ids({a, moved, "NOPE-1", b, a}) +
                                      R"(,"transition":"accept_lead","comment":"批量受理"})");
  const auto& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 4u);  // the repeated id once
  EXPECT_EQ(body.at("done").as_int64(), 2);
  EXPECT_EQ(body.at("refused").as_int64(), 2);
  const auto item = [&](std::size_t i) -> const json::object& { return results[i].as_object(); };
  EXPECT_EQ(item(0).at("project").as_string(), a);
  EXPECT_EQ(item(0).at("name").as_string(), "新型显示材料项目");
  EXPECT_TRUE(item(0).at("ok").as_bool());
  EXPECT_EQ(item(0).at("version").as_int64(), version_of(a));
  // Already past the lead: the engine's reason, in Chinese.
  EXPECT_FALSE(item(1).at("ok").as_bool());
  const auto& reason = item(1).at("errors").as_array().at(0).as_object();
  EXPECT_TRUE(has_cjk(reason.at("message").as_string())) << reason;
  EXPECT_FALSE(item(2).at("ok").as_bool());
  EXPECT_EQ(item(2).at("errors").as_array().at(0).at("code").as_string(), "no_such_project");
  EXPECT_EQ(item(2).at("errors").as_array().at(0).at("message").as_string(), "没有项目“NOPE-1”");
  EXPECT_TRUE(item(3).at("ok").as_bool());
  EXPECT_EQ(state_of(a), "screening");
  EXPECT_EQ(state_of(b), "screening");
  // The comment is each project's own history.
  const auto history = parse(call_as("zhang", "GET", "/api/projects/" + a + "/history"));
  EXPECT_EQ(history.at("events").as_array().back().at("body").at("comment").as_string(),
            "批量受理");
}

TEST_F(ApiListTest, BulkTransitionRefusesRolesPerProjectAndNeedsALogin) {
  const std::string a = create_lead();
  const std::string b = create_lead();
  const std::string body = R"({"projects":)" + ids({a, b}) + R"(,"transition":"accept_lead"})";
  const auto refused = bulk("audit", body);
  EXPECT_EQ(refused.at("done").as_int64(), 0);
  for (const auto& result : refused.at("results").as_array()) {
    EXPECT_FALSE(result.at("ok").as_bool());
    EXPECT_EQ(result.at("errors").as_array().at(0).at("code").as_string(), "role_not_allowed");
  }
  EXPECT_EQ(state_of(a), "lead");
  EXPECT_EQ(
      fetch(port(), "POST", "/api/bulk/transitions", body, {{"Content-Type", "application/json"}})
          ->status,
      401);
  // A manager may decline leads, a staff member too; a reviewer may not.
  const auto declined =
      bulk("li", R"({"projects":)" + ids({a}) +
                     R"(,"transition":"decline_lead","comment":"不属于招商范围"})");
  EXPECT_TRUE(declined.at("results").as_array().at(0).at("ok").as_bool());
  const auto reviewer =
      bulk("r1", R"({"projects":)" + ids({b}) + R"(,"transition":"decline_lead","comment":"x"})");
  EXPECT_FALSE(reviewer.at("results").as_array().at(0).at("ok").as_bool());
}

TEST_F(ApiListTest, BulkTransitionRefusesBadInputBeforeWritingAnything) {
  const std::string a = create_lead();
  const auto status = [&](const std::string& body) {
    return call_as("zhang", "POST", "/api/bulk/transitions", body).status;
  };
  EXPECT_EQ(status(R"({"transition":"accept_lead"})"), 400);
  EXPECT_EQ(status(R"({"projects":[],"transition":"accept_lead"})"), 400);
  EXPECT_EQ(status(R"({"projects":"P-1","transition":"accept_lead"})"), 400);
  EXPECT_EQ(status(R"({"projects":[1],"transition":"accept_lead"})"), 400);
  EXPECT_EQ(status(R"({"projects":)" + ids({a}) + "}"), 400);
  EXPECT_EQ(status(R"({"projects":)" + ids({a}) + R"(,"transition":"accept_lead","fields":[1]})"),
            400);
  EXPECT_EQ(status("not json"), 400);
  // A value the workflow cannot read: 400, and the good project is not moved either.
  EXPECT_EQ(status(R"({"projects":)" + ids({a}) +
                   R"(,"transition":"accept_lead","fields":{"total_investment":"很多"}})"),
            400);
  EXPECT_EQ(state_of(a), "lead");
  // Too many: the limit is said.
  json::array many;
  for (int i = 0; i < 201; ++i)
    many.emplace_back("P-" + std::to_string(i));
  const auto too_many =
      call_as("zhang", "POST", "/api/bulk/transitions",
              R"({"projects":)" + json::serialize(many) + R"(,"transition":"accept_lead"})");
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(parse(too_many).at("code").as_string(), "too_many");
  EXPECT_NE(parse(too_many).at("detail").as_string().find("200"), std::string::npos);
}

TEST_F(ApiListTest, BulkTransitionWithTheSameIdempotencyKeyReturnsTheFirstResults) {
  const std::string a = create_lead();
  const std::string b = create_lead();
  const std::string body = R"({"projects":)" + ids({a, b}) + R"(,"transition":"accept_lead"})";
  const auto first = bulk("zhang", body, {{"Idempotency-Key", "bulk-1"}});
  EXPECT_EQ(first.at("done").as_int64(), 2);
  const std::int64_t version = version_of(a);
  const auto again = bulk("zhang", body, {{"Idempotency-Key", "bulk-1"}});
  EXPECT_EQ(again.at("results"), first.at("results"));
  EXPECT_EQ(version_of(a), version);
  // Another key is another request: now refused, the projects being past the lead.
  const auto other = bulk("zhang", body, {{"Idempotency-Key", "bulk-2"}});
  EXPECT_EQ(other.at("refused").as_int64(), 2);
}

TEST_F(ApiListTest, ChosenProjectsAreReassignedEachWithItsResult) {
  const std::string a = create_lead();
  const std::string b = create_lead("li");
  const std::string body =
      R"({"projects":)" + ids({a, b, "NOPE-1"}) + R"(,"to":"wang","reason":"调整分工"})";
  EXPECT_EQ(call_as("zhang", "POST", "/api/reassignments", body).status, 403);
  EXPECT_EQ(call_as("li", "POST", "/api/reassignments",
                    R"({"projects":)" + ids({a}) + R"(,"to":"wang","reason":" "})")
                .status,
            422);
  const auto done = call_as("li", "POST", "/api/reassignments", body, {{"Idempotency-Key", "r-1"}});
  ASSERT_EQ(done.status, 200) << done.body;
  const auto answer = parse(done);
  EXPECT_EQ(answer.at("moved").as_int64(), 2);
  EXPECT_EQ(answer.at("refused").as_int64(), 1);
  const auto& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("project").as_string(), a);
  EXPECT_EQ(results[0].at("holder").as_string(), "owner");
  EXPECT_EQ(results[0].at("name").as_string(), "新型显示材料项目");
  EXPECT_FALSE(results[2].at("ok").as_bool());
  EXPECT_EQ(parse(call_as("li", "GET", "/api/projects/" + b)).at("owner").as_string(), "wang");
  // The same key again: the first results, nothing written twice.
  const std::int64_t version = version_of(a);
  const auto again =
      call_as("li", "POST", "/api/reassignments", body, {{"Idempotency-Key", "r-1"}});
  EXPECT_EQ(parse(again).at("results"), answer.at("results"));
  EXPECT_EQ(version_of(a), version);
  // `from` keeps only what that person holds: wang holds both now, zhang neither.
  const auto from_zhang =
      call_as("li", "POST", "/api/reassignments",
              R"({"projects":)" + ids({a, b}) + R"(,"from":"zhang","to":"li","reason":"交回"})");
  EXPECT_EQ(parse(from_zhang).at("results").as_array().size(), 0u);
  EXPECT_EQ(call_as("li", "POST", "/api/reassignments", R"({"projects":[],"to":"li","reason":"x"})")
                .status,
            400);
}

TEST_F(ApiListTest, SavedFiltersBelongToTheirUser) {
  EXPECT_EQ(fetch(port(), "GET", "/api/saved-filters")->status, 401);
  const auto saved = call_as("zhang", "POST", "/api/saved-filters",
                             R"({"name":" 我的线索 ","params":{"workflow":"qingyuan-investment",
                                 "state":"lead","q":""}})");
  ASSERT_EQ(saved.status, 200) << saved.body;
  const auto filter = parse(saved);
  EXPECT_EQ(filter.at("name").as_string(), "我的线索");
  EXPECT_EQ(filter.at("params"),
            (json::object{{"workflow", "qingyuan-investment"}, {"state", "lead"}}));
  const std::string id = std::to_string(filter.at("id").as_int64());
  // The same name replaces.
  const auto replaced = parse(call_as("zhang", "POST", "/api/saved-filters",
                                      R"({"name":"我的线索","params":{"state":"screening"}})"));
  EXPECT_EQ(replaced.at("id"), filter.at("id"));
  const auto mine = parse(call_as("zhang", "GET", "/api/saved-filters")).at("filters").as_array();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].at("params"), (json::object{{"state", "screening"}}));
  // Another user sees none of them and cannot remove them.
  EXPECT_TRUE(parse(call_as("li", "GET", "/api/saved-filters")).at("filters").as_array().empty());
  EXPECT_EQ(call_as("li", "DELETE", "/api/saved-filters/" + id).status, 404);
  EXPECT_EQ(call_as("zhang", "DELETE", "/api/saved-filters/x").status, 404);
  EXPECT_EQ(call_as("zhang", "DELETE", "/api/saved-filters/" + id).status, 204);
  EXPECT_EQ(call_as("zhang", "DELETE", "/api/saved-filters/" + id).status, 404);
  EXPECT_TRUE(
      parse(call_as("zhang", "GET", "/api/saved-filters")).at("filters").as_array().empty());
}

TEST_F(ApiListTest, SavedFiltersRefuseBadInputInChinese) {
  const auto status = [&](const std::string& body) {
    return call_as("zhang", "POST", "/api/saved-filters", body).status;
  };
  EXPECT_EQ(status(R"({"name":"x"})"), 400);
  EXPECT_EQ(status(R"({"name":"x","params":{"cursor":"abc"}})"), 400);
  EXPECT_EQ(status(R"({"name":"x","params":{"state":3}})"), 400);
  EXPECT_EQ(status(R"({"params":{}})"), 400);
  const auto blank = call_as("zhang", "POST", "/api/saved-filters", R"({"name":"  ","params":{}})");
  EXPECT_EQ(blank.status, 422);
  EXPECT_EQ(parse(blank).at("errors").as_array().at(0).at("message").as_string(), "请填写筛选名称");
  EXPECT_EQ(status(R"({"name":")" + std::string(41, 'a') + R"(","params":{}})"), 422);
  for (std::size_t i = 0; i < storage::kMostSavedFilters; ++i) {
    ASSERT_EQ(status(R"({"name":"筛选)" + std::to_string(i) + R"(","params":{}})"), 200);
  }
  const auto full =
      call_as("zhang", "POST", "/api/saved-filters", R"({"name":"再一个","params":{}})");
  EXPECT_EQ(full.status, 422);
  EXPECT_TRUE(has_cjk(parse(full).at("errors").as_array().at(0).at("message").as_string()));
  // Replacing one of them is no new one.
  EXPECT_EQ(status(R"({"name":"筛选0","params":{"state":"lead"}})"), 200);
}

// The export is the list: the same filters give the same projects (the ids in column 1).
TEST_F(ApiListTest, ExportTakesTheListsFiltersAndSearchFindsAnId) {
  const std::string a = create_lead();
  const std::string b = create_lead();
  const std::string c = create_lead("li");
  ASSERT_EQ(call_as("zhang", "POST", "/api/projects/" + a + "/transitions",
                    R"({"transition":"accept_lead"})")
                .status,
            200);
  const auto listed = [&](const std::string& query) {
    std::set<std::string> found;
    const auto page = parse(call_as("zhang", "GET", "/api/projects?" + query));
    for (const auto& project : page.at("projects").as_array()) {
      found.insert(std::string(project.at("id").as_string()));
    }
    return found;
  };
  const auto exported = [&](const std::string& query) {
    const auto response = call_as("zhang", "GET", "/api/projects/export?format=csv&" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    std::set<std::string> found;
    std::istringstream lines(response.body);
    std::string line;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) {
      if (!line.empty()) found.insert(line.substr(0, line.find(',')));
    }
    return found;
  };
  for (const std::string& query : std::vector<std::string>{
           "workflow=qingyuan-investment&state=lead", "workflow=qingyuan-investment&owner=li",
           "workflow=qingyuan-investment&q=" + b, "workflow=qingyuan-investment&state=screening"}) {
    EXPECT_EQ(exported(query), listed(query)) << query;
    EXPECT_FALSE(listed(query).empty()) << query;
  }
  EXPECT_EQ(listed("q=" + b), std::set<std::string>{b});
  EXPECT_EQ(listed("owner=li"), std::set<std::string>{c});
}

}  // namespace
}  // namespace investflow::web::testing
