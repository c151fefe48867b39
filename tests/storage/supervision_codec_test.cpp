// The service desk's events and commands in the canonical codec (issue 17): supervised
// (with and without a previous due date) and reassigned events read back equal, a project's
// supervision level is kept (and absent when none), and the commands encode their members.

#include <gtest/gtest.h>

#include "engine/command.hpp"
#include "engine/event.hpp"
#include "storage/codec.hpp"

namespace investflow::storage {
namespace {

engine::Date day(int y, int m, int d) {
  return *engine::Date::from_ymd(y, m, d);
}

TEST(SupervisionCodec, EventsReadBackEqual) {
  std::int64_t version = 1;
  for (const auto& body : std::vector<decltype(engine::Event::body)>{
           engine::Supervised{"red_card", "仍未签收", day(2026, 3, 9), day(2026, 3, 5), "leader"},
           engine::Supervised{"yellow_card", "逾期", std::nullopt, day(2026, 3, 6), "manager"},
           engine::Reassigned{"service_officer", "zhou", "qian", "调岗"},
           engine::Reassigned{"liaison_leader", "", "chen", "新任挂点领导"}}) {
    const engine::Event event{"P-1", ++version, 1772413200000, "li", body};
    const std::string text = encode_event(event);
    auto decoded = decode_event(text);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, event) << text;
  }
  const engine::Event none{
      "P-1", 2, 1772413200000, "li",
      engine::Supervised{"listed", "x", std::nullopt, day(2026, 3, 6), "leader"}};
  EXPECT_NE(encode_event(none).find(R"("previous_due_on":null)"), std::string::npos);
  EXPECT_NE(encode_event(none).find(R"("type":"supervised")"), std::string::npos);
}

TEST(SupervisionCodec, AProjectKeepsItsLevel) {
  engine::Project project;
  project.id = "Q-1";
  project.workflow = "desk-problem";
  project.workflow_version = 1;
  project.state = "handling";
  project.version = 3;
  project.owner = "zhang";
  EXPECT_EQ(encode_project(project).find("supervision_level"), std::string::npos);
  project.supervision_level = "red_card";
  auto decoded = decode_project(encode_project(project));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, project);
}

TEST(SupervisionCodec, CommandsEncodeTheirMembers) {
  engine::Command supervise{"Q-1", 3, engine::Supervise{"red_card", "逾期", day(2026, 3, 9)}};
  EXPECT_EQ(canonical_json(command_to_json(supervise)),
            R"({"body":{"level":"red_card","new_due_on":"2026-03-09","reason":"逾期"},)"
            R"("command":"supervise","expected_version":3,"project_id":"Q-1"})");
  engine::Command reassign{"Q-1", std::nullopt, engine::Reassign{"owner", "li", "调岗"}};
  EXPECT_EQ(canonical_json(command_to_json(reassign)),
            R"({"body":{"holder":"owner","reason":"调岗","to":"li"},"command":"reassign",)"
            R"("expected_version":null,"project_id":"Q-1"})");
}

}  // namespace
}  // namespace investflow::storage
