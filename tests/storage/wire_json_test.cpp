// The wire form: what the server sends. Plain field values, "YYYY-MM-DD" dates and RFC 3339
// timestamps in China Standard Time; everything else as in the canonical form.
#include "storage/wire_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "storage/codec.hpp"
#include "tests/support/wire_shapes.hpp"

namespace investflow::storage {
namespace {

namespace json = boost::json;
using engine::Date;
using engine::Value;

constexpr engine::Timestamp kMondayNine = 1772413200000;  // 2026-03-02 09:00 in China

Date day(int y, int m, int d) {
  return *Date::from_ymd(y, m, d);
}

std::string text_of(const json::value& value) {
  return canonical_json(value);
}

TEST(WireJson, TimestampsAreRfc3339InChinaStandardTime) {
  EXPECT_EQ(wire_timestamp(kMondayNine), "2026-03-02T09:00:00.000+08:00");
  EXPECT_EQ(wire_timestamp(0), "1970-01-01T08:00:00.000+08:00");
  EXPECT_EQ(wire_timestamp(std::optional<engine::Timestamp>(kMondayNine + 1)),
            json::value("2026-03-02T09:00:00.001+08:00"));
  EXPECT_TRUE(wire_timestamp(std::optional<engine::Timestamp>()).is_null());
}

TEST(WireJson, FieldValuesHaveThePlainShapesClientsSend) {
  EXPECT_EQ(text_of(wire_value(Value::date(day(2026, 3, 2)))), R"("2026-03-02")");
  EXPECT_EQ(text_of(wire_value(Value::text("2026-03-02"))), R"("2026-03-02")");
  EXPECT_EQ(text_of(wire_value(Value::number(12500))), "12500");
  EXPECT_EQ(text_of(wire_value(Value::number(0.5))), "0.5");
  EXPECT_EQ(text_of(wire_value(Value::boolean(true))), "true");
  EXPECT_EQ(text_of(wire_value(Value())), "null");
  EXPECT_EQ(text_of(wire_value(Value::list({Value::text("a"), Value::date(day(2026, 1, 1))}))),
            R"(["a","2026-01-01"])");
  const engine::FieldMap fields = {{"signed_on", Value::date(day(2026, 3, 2))},
                                   {"name", Value::text("华创")}};
  EXPECT_EQ(text_of(wire_fields(fields)), R"({"name":"华创","signed_on":"2026-03-02"})");
}

TEST(WireJson, AnEventWithADateChange) {
  engine::TransitionTaken taken;
  taken.transition = "sign";
  taken.from = "review";
  taken.to = "signed";
  taken.changes = {{"signed_on", Value::date(day(2026, 3, 2)), Value::date(day(2026, 3, 5))}};
  taken.sla_due_on = day(2026, 3, 6);
  const engine::Event event{"P-1", 3, kMondayNine, "manager-1", taken};

  EXPECT_EQ(text_of(event_to_wire(event)),
            R"({"actor":"manager-1","at":"2026-03-02T09:00:00.000+08:00","body":{"changes":)"
            R"([{"after":"2026-03-05","before":"2026-03-02","field":"signed_on"}],"comment":"",)"
            R"("followup_due_on":null,"from":"review","milestones_started":[],)"
            R"("sla_due_on":"2026-03-06","to":"signed","transition":"sign"},"project_id":"P-1",)"
            R"("type":"transition_taken","version":3})");
  // The stored form is untouched.
  EXPECT_NE(encode_event(event).find(R"("after":{"date":"2026-03-05"})"), std::string::npos);
  EXPECT_NE(encode_event(event).find(R"("at":1772413200000)"), std::string::npos);
}

TEST(WireJson, EveryEventKindIsPlain) {
  engine::ProjectCreated created;
  created.workflow = "mini";
  created.state = "lead";
  created.fields = {{"signed_on", Value::date(day(2026, 3, 2))}};
  engine::FieldsEdited edited;
  edited.changes = {{"signed_on", Value(), Value::date(day(2026, 3, 2))}};
  engine::MilestoneRecorded milestone;
  milestone.changes = {{"registered_on", Value::date(day(2026, 3, 1)), Value()}};
  milestone.planned_on = day(2026, 3, 20);
  engine::FollowupRecorded followup;
  followup.on = day(2026, 3, 31);
  engine::DeadlineFired fired;
  fired.due_on = day(2026, 3, 3);
  engine::DeadlineExtended extended;
  extended.previous_due_on = day(2026, 3, 3);
  extended.new_due_on = day(2026, 3, 10);
  engine::VoteCast vote;
  vote.voter = "reviewer-1";
  std::int64_t version = 0;
  for (const auto& body : std::vector<decltype(engine::Event::body)>{
           created, edited, engine::TransitionTaken{}, vote, milestone, followup, fired, extended,
           engine::Supervised{"red_card", "逾期", day(2026, 3, 3), day(2026, 3, 9), "leader"},
           engine::Reassigned{"owner", "zhang", "li", "调岗"}}) {
    const engine::Event event{"P-1", ++version, kMondayNine, "staff-1", body};
    const json::value wire = event_to_wire(event);
    SCOPED_TRACE(text_of(wire));
    wire_testing::expect_wire_shapes(wire);
    EXPECT_EQ(wire.at("at"), json::value("2026-03-02T09:00:00.000+08:00"));
    // Same members as the canonical event: only the shapes of values differ.
    const json::value canonical = event_to_json(event);
    ASSERT_EQ(wire.at("body").as_object().size(), canonical.at("body").as_object().size());
    for (const auto& member : canonical.at("body").as_object())
      EXPECT_TRUE(wire.at("body").as_object().contains(member.key())) << member.key();
  }
}

TEST(WireJson, AProject) {
  engine::Project project;
  project.id = "P-7";
  project.workflow = "mini";
  project.workflow_version = 1;
  project.state = "signed";
  project.version = 4;
  project.owner = "staff-1";
  project.created_at = kMondayNine;
  project.updated_at = kMondayNine + 60'000;
  project.state_entered_at = kMondayNine + 60'000;
  project.fields = {{"name", Value::text("项目")}, {"signed_on", Value::date(day(2026, 3, 5))}};
  project.votes = {{"reviewer-1", engine::VoteChoice::approve, "同意", kMondayNine + 1}};
  project.milestones["pay_bond"] = {"pay_bond",   day(2026, 1, 5), day(2026, 2, 4),
                                    std::nullopt, day(2026, 2, 1), "回单"};
  project.sla_due_on = day(2026, 3, 16);

  const json::value wire = project_to_wire(project);
  wire_testing::expect_wire_shapes(wire);
  EXPECT_EQ(wire.at("created_at"), json::value("2026-03-02T09:00:00.000+08:00"));
  EXPECT_EQ(wire.at("updated_at"), json::value("2026-03-02T09:01:00.000+08:00"));
  EXPECT_EQ(wire.at("state_entered_at"), json::value("2026-03-02T09:01:00.000+08:00"));
  EXPECT_EQ(wire.at("votes").at(0).at("at"), json::value("2026-03-02T09:00:00.001+08:00"));
  EXPECT_EQ(wire.at("fields").at("signed_on"), json::value("2026-03-05"));
  EXPECT_EQ(wire.at("sla_due_on"), json::value("2026-03-16"));
  EXPECT_EQ(wire.at("milestones").at("pay_bond").at("done_on"), json::value("2026-02-01"));
  EXPECT_EQ(encode_project_wire(project), text_of(wire));
  EXPECT_EQ(wire.as_object().size(), project_to_json(project).as_object().size());
}

TEST(WireJson, AWriteResult) {
  WriteResult result;
  result.status = WriteResult::Status::accepted;
  result.version = 2;
  engine::FieldsEdited edited;
  edited.changes = {{"signed_on", Value(), Value::date(day(2026, 3, 2))}};
  result.events.push_back({"P-1", 2, kMondayNine, "staff-1", edited});
  EXPECT_EQ(text_of(write_result_to_wire(result)),
            R"({"events":[{"actor":"staff-1","at":"2026-03-02T09:00:00.000+08:00","body":)"
            R"({"changes":[{"after":"2026-03-02","before":null,"field":"signed_on"}]},)"
            R"("project_id":"P-1","type":"fields_edited","version":2}],"project_id":"P-1",)"
            R"("version":2})");
}

}  // namespace
}  // namespace investflow::storage
