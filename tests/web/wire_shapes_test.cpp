// One shape for values on the wire: a project with a date field, its timestamps and an
// event that changes the date, read every way the server sends them (GET project, the
// list, the history, a write's result, server-sent events and a webhook body).
#include "tests/support/wire_shapes.hpp"
#include "notify/message.hpp"
#include "notify/webhook_format.hpp"
#include "tests/web/api_test_support.hpp"
#include "web/event_feed.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;
using wire_testing::expect_wire_shapes;

constexpr std::string_view kNine = "2026-03-02T09:00:00.000+08:00";  // the test clock

class WireShapesTest : public ApiTest {};

TEST_F(WireShapesTest, ADateFieldAndItsChangeArePlainEverywhere) {
  const std::string id = create_lead();
  const std::string path = "/api/projects/" + id;
  // The date as clients send it, then in the tagged form old clients still send.
  const auto first =
      call_as("zhang", "PATCH", path, R"({"fields":{"review_meeting_on":"2026-03-04"}})");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto second =
      call_as("zhang", "PATCH", path, R"({"fields":{"review_meeting_on":{"date":"2026-03-06"}}})");
  ASSERT_EQ(second.status, 200) << second.body;

  // The write's result: its event, with the change in plain shapes.
  const json::value written = json::parse(second.body);
  expect_wire_shapes(written);
  const json::value& event = written.at("events").at(0);
  EXPECT_EQ(event.at("at"), json::value(kNine));
  const json::value& change = event.at("body").at("changes").at(0);
  EXPECT_EQ(change.at("field"), json::value("review_meeting_on"));
  EXPECT_EQ(change.at("before"), json::value("2026-03-04"));
  EXPECT_EQ(change.at("after"), json::value("2026-03-06"));

  // GET project, from the database and from memory (the writer's cached wire JSON), with a
  // bearer token and a session: the same bytes.
  const auto read = call_as("zhang", "GET", path);
  ASSERT_EQ(read.status, 200) << read.body;
  const Login session = login("zhang");
  const auto again = call(session, "GET", path);
  EXPECT_EQ(again.body, read.body);
  const json::value project = json::parse(read.body);
  expect_wire_shapes(project);
  EXPECT_EQ(project.at("fields").at("review_meeting_on"), json::value("2026-03-06"));
  EXPECT_EQ(project.at("created_at"), json::value(kNine));
  EXPECT_EQ(project.at("updated_at"), json::value(kNine));
  EXPECT_EQ(project.at("state_entered_at"), json::value(kNine));
  EXPECT_TRUE(project.at("sla_due_on").is_string());

  // The list.
  const auto list = call_as("zhang", "GET", "/api/projects");
  ASSERT_EQ(list.status, 200);
  const json::value listed = json::parse(list.body);
  expect_wire_shapes(listed);
  // The same project, but for `computed`, which only GET /api/projects/{id} carries.
  json::value single = project;
  EXPECT_TRUE(single.as_object().erase("computed"));
  EXPECT_EQ(listed.at("projects").at(0), single);

  // The history: every event, the chain still checked against the stored form.
  const auto history = call_as("zhang", "GET", path + "/history");
  ASSERT_EQ(history.status, 200);
  const json::value events = json::parse(history.body);
  expect_wire_shapes(events);
  EXPECT_TRUE(events.at("chain_ok").as_bool());
  ASSERT_EQ(events.at("events").as_array().size(), 3u);
  json::value from_history = events.at("events").at(2);
  for (const char* key : {"id", "hash", "previous_hash"})
    from_history.as_object().erase(key);
  EXPECT_EQ(from_history, event);
  EXPECT_EQ(events.at("events").at(0).at("body").at("fields").at("name"),
            json::value("新型显示材料项目"));

  // Server-sent events and the JSON webhook body of the same stored event.
  auto stored = store_->history(id);
  ASSERT_TRUE(stored && stored->size() == 3u);
  const storage::StoredEvent& last = stored->back();
  const std::string sse = server_sent_event(last);
  const std::size_t data = sse.find("data: ");
  ASSERT_NE(data, std::string::npos) << sse;
  const json::value streamed = json::parse(sse.substr(data + 6));
  expect_wire_shapes(streamed);
  EXPECT_EQ(streamed.at("at"), json::value(kNine));

  const json::value webhook = json::parse(
      notify::json_body(notify::make_message(last.id, last.event, workflow_.get(), "")));
  expect_wire_shapes(webhook);
  EXPECT_EQ(webhook.at("at"), json::value(kNine));
  EXPECT_EQ(webhook.at("event"), event);
}

TEST_F(WireShapesTest, LoginSaysWhenTheSessionExpiresInChinaTime) {
  const auto response = fetch(port(), "POST", "/api/login",
                              R"({"username":"zhang","password":")" + password("zhang") + R"("})",
                              {{"Content-Type", "application/json"}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  // Sessions last eight hours here (api_test_support.hpp).
  EXPECT_EQ(json::parse(response->body).at("expires_at"),
            json::value("2026-03-02T17:00:00.000+08:00"));
}

}  // namespace
}  // namespace investflow::web::testing
