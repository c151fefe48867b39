// Enum <-> name conversions: each name reads back as its value, unknown names as nothing,
// and the names of commands and events are those of their variant alternatives.

#include <gtest/gtest.h>

#include "engine/command.hpp"
#include "engine/deadline.hpp"
#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {
namespace {

TEST(Names, EveryNameReadsBackAsItsValue) {
  for (DeadlineKind kind : {DeadlineKind::sla, DeadlineKind::milestone, DeadlineKind::followup}) {
    EXPECT_EQ(parse_deadline_kind(deadline_kind_name(kind)), kind);
  }
  for (DeadlineAlert alert : {DeadlineAlert::warning, DeadlineAlert::overdue, DeadlineAlert::due}) {
    EXPECT_EQ(parse_deadline_alert(deadline_alert_name(alert)), alert);
  }
  for (VoteChoice choice : {VoteChoice::approve, VoteChoice::reject, VoteChoice::abstain}) {
    EXPECT_EQ(parse_vote_choice(vote_choice_name(choice)), choice);
  }
  for (FieldType type :
       {FieldType::text, FieldType::number, FieldType::money, FieldType::area, FieldType::date,
        FieldType::boolean, FieldType::enumeration, FieldType::user, FieldType::list}) {
    EXPECT_EQ(parse_field_type(field_type_name(type)), type);
  }
  EXPECT_EQ(deadline_kind_name(DeadlineKind::milestone), "milestone");
  EXPECT_EQ(deadline_alert_name(DeadlineAlert::due), "due");
  EXPECT_EQ(vote_choice_name(VoteChoice::abstain), "abstain");
  EXPECT_EQ(field_type_name(FieldType::enumeration), "enum");
  EXPECT_EQ(field_type_name(FieldType::boolean), "bool");
  EXPECT_EQ(due_kind_name(DueItem::Kind::followup), "followup");
  EXPECT_EQ(due_status_name(DueItem::Status::warning), "warning");
  EXPECT_EQ(kind_name(Value::Kind::boolean), "bool");
  EXPECT_EQ(kind_name(Value::Kind::list), "list");
  EXPECT_EQ(type_name(ExprType::boolean), "boolean");
}

TEST(Names, UnknownNamesReadAsNothing) {
  EXPECT_EQ(parse_deadline_kind("SLA"), std::nullopt);
  EXPECT_EQ(parse_deadline_alert(""), std::nullopt);
  EXPECT_EQ(parse_vote_choice("yes"), std::nullopt);
  EXPECT_EQ(parse_field_type("enumeration"), std::nullopt);
}

TEST(Names, CommandsAndEventsAreNamedByTheirAlternative) {
  EXPECT_EQ(command_name(Command{"P-1", std::nullopt, CreateProject{}}), "create");
  EXPECT_EQ(command_name(Command{"P-1", std::nullopt, TakeTransition{}}), "transition");
  EXPECT_EQ(command_name(Command{"P-1", std::nullopt, ExtendDeadline{}}), "extend_deadline");
  Event event;
  event.body = ProjectCreated{};
  EXPECT_EQ(event_type(event), "project_created");
  event.body = VoteCast{};
  EXPECT_EQ(event_type(event), "vote_cast");
  event.body = DeadlineExtended{};
  EXPECT_EQ(event_type(event), "deadline_extended");
}

}  // namespace
}  // namespace investflow::engine
