// The contract checker itself (contract.hpp): what conforms passes, and a response that
// breaks the document fails naming the route, the status, the JSON pointer and the rule.
#include "tests/web/contract.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/event.hpp"
#include "notify/message.hpp"
#include "notify/webhook_format.hpp"
#include "storage/store.hpp"
#include "web/event_feed.hpp"

namespace investflow::web::testing {
namespace {

ClientResponse response(int status, std::string body,
                        std::string content_type = "application/json") {
  ClientResponse out;
  out.status = status;
  out.headers.add("Content-Type", std::move(content_type));
  out.body = std::move(body);
  return out;
}

// A project as GET /api/projects/{id} sends it; `replace` swaps one member's text.
std::string project(const std::string& created_at = R"("2026-03-02T09:00:00.000+08:00")",
                    const std::string& fields = R"({"name":"项目","signed_on":"2026-03-02"})") {
  return R"({"created_at":)" + created_at + R"(,"fields":)" + fields +
         R"(,"followup_due_on":null,"id":"P-1","milestones":{"contract":{"done_on":null,)"
         R"("due_on":"2026-06-01","evidence":"","id":"contract","planned_on":null,)"
         R"("started_on":"2026-03-02"}},"owner":"zhang","sla_due_on":"2026-03-09",)"
         R"("state":"lead","state_entered_at":"2026-03-02T09:00:00.000+08:00",)"
         R"("updated_at":"2026-03-02T09:00:00.000+08:00","version":1,"visits":[],)"
         R"("votes":[{"at":"2026-03-02T10:00:00.000+08:00","choice":"approve",)"
         R"("comment":"","voter":"r1"}],"workflow":"qingyuan-investment","workflow_version":1})";
}

TEST(Contract, AConformingProjectPasses) {
  EXPECT_EQ(contract_violation("GET", "/api/projects/P-1", response(200, project())), "");
  EXPECT_EQ(contract_violation("HEAD", "/api/projects/P-1", response(200, "")), "");
}

TEST(Contract, EpochMillisecondsWhereATimestampBelongsFail) {
  const auto violation =
      contract_violation("GET", "/api/projects/P-1", response(200, project("1772413200000")));
  EXPECT_NE(violation.find("GET /api/projects/{id} 200"), std::string::npos) << violation;
  EXPECT_NE(violation.find("/created_at"), std::string::npos) << violation;
  EXPECT_NE(violation.find("type"), std::string::npos) << violation;
}

TEST(Contract, ATimestampWithoutItsOffsetFailsTheFormat) {
  const auto violation = contract_violation("GET", "/api/projects/P-1",
                                            response(200, project(R"("2026-03-02 09:00")")));
  EXPECT_NE(violation.find("/created_at"), std::string::npos) << violation;
  EXPECT_NE(violation.find("format date or date-time"), std::string::npos) << violation;
  // Nor a month that does not exist; dates are checked too.
  EXPECT_NE(contract_violation("GET", "/api/projects/P-1",
                               response(200, project(R"("2026-13-02T09:00:00.000+08:00")"))),
            "");
  std::string bad_date = project();
  bad_date.replace(bad_date.find("2026-06-01"), 10, "2026-6-1");
  EXPECT_NE(contract_violation("GET", "/api/projects/P-1", response(200, bad_date))
                .find("/milestones/contract/due_on"),
            std::string::npos);
}

TEST(Contract, ATaggedDateFieldValueFails) {
  const auto violation =
      contract_violation("GET", "/api/projects/P-1",
                         response(200, project(R"("2026-03-02T09:00:00.000+08:00")",
                                               R"({"signed_on":{"date":"2026-03-02"}})")));
  EXPECT_NE(violation.find("/fields/signed_on"), std::string::npos) << violation;
}

TEST(Contract, AMissingRequiredMemberFails) {
  std::string body = project();
  body.replace(body.find(R"("state":"lead",)"), 15, "");
  const auto violation = contract_violation("GET", "/api/projects/P-1", response(200, body));
  EXPECT_NE(violation.find("state"), std::string::npos) << violation;
  EXPECT_NE(violation.find("required"), std::string::npos) << violation;
}

TEST(Contract, AValueOutsideItsEnumFails) {
  std::string body = project();
  body.replace(body.find("approve"), 7, "maybe");
  const auto violation = contract_violation("GET", "/api/projects/P-1", response(200, body));
  EXPECT_NE(violation.find("/votes/0/choice"), std::string::npos) << violation;
  EXPECT_NE(violation.find("enum"), std::string::npos) << violation;
}

TEST(Contract, AnUndocumentedStatusOrMediaTypeFails) {
  EXPECT_NE(contract_violation("GET", "/api/me", response(418, "{}")).find("not documented"),
            std::string::npos);
  EXPECT_NE(contract_violation("GET", "/api/me", response(200, "a,b", "text/csv"))
                .find("media type 'text/csv' not documented"),
            std::string::npos);
  // A report may answer CSV.
  EXPECT_EQ(contract_violation("GET", "/api/reports/kpis?workflow=x&format=csv",
                               response(200, "a,b", "text/csv; charset=utf-8")),
            "");
}

TEST(Contract, ProblemsAreChecked) {
  const std::string problem =
      R"({"type":"urn:investflow:problem:not_found","title":"Not found","status":404,)"
      R"("detail":"no project 'x'","code":"no_such_project","errors":[]})";
  EXPECT_EQ(contract_violation("GET", "/api/projects/x",
                               response(404, problem, "application/problem+json")),
            "");
  const std::string without_code =
      R"({"type":"urn:investflow:problem:not_found","title":"Not found","status":404,)"
      R"("detail":"no project 'x'","errors":[]})";
  const auto violation = contract_violation(
      "GET", "/api/projects/x", response(404, without_code, "application/problem+json"));
  EXPECT_NE(violation.find("code"), std::string::npos) << violation;
  // A method the route does not take: 405 as a problem.
  EXPECT_EQ(contract_violation("PUT", "/api/projects/x",
                               response(405,
                                        R"({"type":"t","title":"t","status":405,"detail":"",)"
                                        R"("code":"method_not_allowed","errors":[]})",
                                        "application/problem+json")),
            "");
}

// What the server sends outside HTTP responses: server-sent events and webhook bodies.
std::vector<engine::Event> sample_events() {
  const engine::Date day = *engine::Date::parse("2026-03-02");
  const engine::Timestamp at = engine::start_of_day(day) + 9 * 3600 * 1000;
  engine::Event created{
      "P-1", 1, at, "zhang",
      engine::ProjectCreated{
          "qingyuan-investment", 1, "lead", "zhang", engine::FieldMap{}, day, {}, std::nullopt}};
  engine::TransitionTaken taken;
  taken.transition = "accept_lead";
  taken.from = "lead";
  taken.to = "screening";
  taken.changes = {{"signed_on", engine::Value(), engine::Value::date(day)},
                   {"total_investment", engine::Value::number(100), engine::Value::number(120)}};
  taken.sla_due_on = day;
  engine::Event transition{"P-1", 2, at + 1000, "wang", taken};
  return {created, transition};
}

TEST(Contract, ServerSentEventsAreStreamEvents) {
  std::int64_t id = 0;
  for (const auto& event : sample_events()) {
    const std::string text = server_sent_event(storage::StoredEvent{++id, event, {}, {}});
    const auto data = text.find("\ndata: ");
    ASSERT_NE(data, std::string::npos) << text;
    const auto end = text.find('\n', data + 1);
    EXPECT_EQ(schema_violation("StreamEvent", text.substr(data + 7, end - data - 7)), "") << text;
  }
  EXPECT_NE(schema_violation("StreamEvent", R"({"id":1,"project_id":"P-1"})"), "");
}

TEST(Contract, WebhookBodiesAreDescribedUnderWebhooks) {
  std::int64_t id = 0;
  for (const auto& event : sample_events()) {
    const std::string body = notify::json_body(notify::make_message(++id, event, nullptr, "项目"));
    EXPECT_EQ(schema_violation("WebhookBody", body), "") << body;
  }
}

}  // namespace
}  // namespace investflow::web::testing
