// engine::notify_deliveries: who a project's new events go to, on which channel, for which
// triggers — every trigger kind (with the wildcards), every recipient kind (a field read
// from the project after the events), duplicates merged per recipient and channel.

#include "engine/notify_route.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/notify_trigger.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::field;
using Kind = NotifyTrigger::Kind;
using R = NotifyRecipient::Kind;

// "inbox owner enter:review,transition:pass_screening @0": one delivery, readable.
std::vector<std::string> lines(const std::vector<NotifyDelivery>& deliveries) {
  std::vector<std::string> out;
  for (const NotifyDelivery& delivery : deliveries) {
    std::string line = std::string(channel_name(delivery.channel)) + " " +
                       recipient_name(delivery.recipient) + " ";
    for (std::size_t i = 0; i < delivery.triggers.size(); ++i)
      line += (i == 0 ? "" : ",") + trigger_name(delivery.triggers[i]);
    out.push_back(line + " @" + std::to_string(delivery.event));
  }
  return out;
}

NotifyRule rule(NotifyTrigger on, std::vector<std::string> to,
                std::vector<NotifyChannel> channels = {NotifyChannel::inbox}) {
  NotifyRule made{std::move(on), {}, std::move(channels)};
  for (const std::string& name : to)
    made.to.push_back(*parse_recipient_name(name));
  return made;
}

// The small test workflow with a service officer (user), a team (list of users), and
// `rules` as its notify rules.
std::shared_ptr<const Workflow> with_rules(std::vector<NotifyRule> rules) {
  WorkflowDefinition definition = *testing::small_workflow();
  definition.fields.push_back(field("service_officer", FieldType::user));
  FieldDef team = field("team", FieldType::list);
  team.items = FieldType::user;
  definition.fields.push_back(team);
  definition.notify = std::move(rules);
  return Workflow::make(std::move(definition));
}

Event transition(std::string id, std::string from, std::string to, std::int64_t version = 2) {
  Event event;
  event.project_id = "P-1";
  event.version = version;
  event.actor = "zhang";
  event.body = TransitionTaken{std::move(id), std::move(from), std::move(to), "", {}, {}, {}, {}};
  return event;
}

Event created(std::string state = "lead") {
  Event event;
  event.project_id = "P-1";
  event.version = 1;
  ProjectCreated body;
  body.workflow = "small";
  body.state = std::move(state);
  body.owner = "zhang";
  event.body = std::move(body);
  return event;
}

Event fired(DeadlineKind kind, std::string name, DeadlineAlert alert) {
  Event event;
  event.project_id = "P-1";
  event.version = 3;
  event.body = DeadlineFired{kind, std::move(name), alert, Date(20000)};
  return event;
}

Project project_with(FieldMap fields = {}) {
  Project project;
  project.id = "P-1";
  project.owner = "zhang";
  project.state = "review";
  project.version = 2;
  project.fields = std::move(fields);
  return project;
}

TEST(NotifyRoute, ANamedStateIsHeardOnEntryAndExit) {
  const auto workflow = with_rules({rule({Kind::enter, "review"}, {"owner"}),
                                    rule({Kind::leave, "screening"}, {"role:manager"}),
                                    rule({Kind::enter, "signed"}, {"role:staff"})});
  const std::vector<Event> events = {transition("pass_screening", "screening", "review")};
  EXPECT_EQ(lines(notify_deliveries(*workflow, project_with(), events)),
            (std::vector<std::string>{"inbox owner enter:review @0",
                                      "inbox role:manager leave:screening @0"}));
}

TEST(NotifyRoute, AnyStateIsHeardOnEveryEntryOrExitAndCreationEntersOne) {
  const auto workflow =
      with_rules({rule({Kind::enter, "*"}, {"owner"}), rule({Kind::leave, "*"}, {"role:manager"})});
  const std::vector<Event> events = {created(), transition("answer", "lead", "screening", 2),
                                     transition("pass_screening", "screening", "review", 3)};
  EXPECT_EQ(
      lines(notify_deliveries(*workflow, project_with(), events)),
      (std::vector<std::string>{"inbox owner enter:lead @0", "inbox owner enter:screening @1",
                                "inbox role:manager leave:lead @1", "inbox owner enter:review @2",
                                "inbox role:manager leave:screening @2"}));
}

TEST(NotifyRoute, ATransitionByIdOrAnyTransition) {
  const auto workflow = with_rules({rule({Kind::transition, "approve"}, {"role:leader"}),
                                    rule({Kind::transition, "*"}, {"owner"})});
  const std::vector<Event> events = {transition("answer", "lead", "screening"),
                                     transition("approve", "review", "signed", 3)};
  EXPECT_EQ(lines(notify_deliveries(*workflow, project_with(), events)),
            (std::vector<std::string>{"inbox owner transition:answer @0",
                                      "inbox owner transition:approve @1",
                                      "inbox role:leader transition:approve @1"}));
  // Creation is no transition.
  EXPECT_TRUE(notify_deliveries(*workflow, project_with(), std::vector<Event>{created()}).empty());
}

TEST(NotifyRoute, EveryTimer) {
  const auto workflow = with_rules({rule({Kind::sla_warning, ""}, {"user:li"}),
                                    rule({Kind::milestone_warning, ""}, {"user:wang"}),
                                    rule({Kind::milestone_overdue, ""}, {"role:manager"}),
                                    rule({Kind::followup_due, ""}, {"owner"})});
  const std::vector<Event> events = {
      fired(DeadlineKind::sla, "signed", DeadlineAlert::warning),
      fired(DeadlineKind::milestone, "register_company", DeadlineAlert::warning),
      fired(DeadlineKind::milestone, "register_company", DeadlineAlert::overdue),
      fired(DeadlineKind::followup, "followup", DeadlineAlert::due),
      fired(DeadlineKind::sla, "signed", DeadlineAlert::overdue)};  // no rule, no escalation
  EXPECT_EQ(lines(notify_deliveries(*workflow, project_with(), events)),
            (std::vector<std::string>{
                "inbox user:li sla_warning @0", "inbox user:wang milestone_warning @1",
                "inbox role:manager milestone_overdue @2", "inbox owner followup_due @3"}));
}

TEST(NotifyRoute, AnOverdueSlaEscalatesToTheOwnerAndTheStatesRoles) {
  // lead's SLA escalates to manager; the rule's owner on inbox merges with the escalation's.
  const auto workflow = with_rules({rule({Kind::sla_overdue, ""}, {"owner", "user:li"},
                                         {NotifyChannel::inbox, NotifyChannel::webhook})});
  const std::vector<Event> events = {fired(DeadlineKind::sla, "lead", DeadlineAlert::overdue)};
  EXPECT_EQ(
      lines(notify_deliveries(*workflow, project_with(), events)),
      (std::vector<std::string>{"inbox owner sla_overdue @0", "inbox role:manager sla_overdue @0",
                                "inbox user:li sla_overdue @0", "webhook owner sla_overdue @0",
                                "webhook user:li sla_overdue @0"}));
  // Without any rule, the escalation alone.
  EXPECT_EQ(lines(notify_deliveries(*with_rules({}), project_with(), events)),
            (std::vector<std::string>{"inbox owner sla_overdue @0",
                                      "inbox role:manager sla_overdue @0"}));
}

TEST(NotifyRoute, AFieldRecipientIsTheUserOrUsersItHoldsAfterTheEvents) {
  const auto workflow =
      with_rules({rule({Kind::enter, "*"}, {"field:service_officer", "field:team"})});
  const std::vector<Event> events = {transition("pass_screening", "screening", "review")};
  FieldMap fields;
  fields.insert_or_assign("service_officer", Value::text("chen"));
  fields.insert_or_assign("team", Value::list({Value::text("li"), Value::text(""),
                                               Value::text("wang"), Value::text("chen")}));
  EXPECT_EQ(
      lines(notify_deliveries(*workflow, project_with(fields), events)),
      (std::vector<std::string>{"inbox user:chen enter:review @0", "inbox user:li enter:review @0",
                                "inbox user:wang enter:review @0"}));
  // Another officer now: the same rule reaches the new one.
  fields.insert_or_assign("service_officer", Value::text("zhao"));
  fields.insert_or_assign("team", Value());
  EXPECT_EQ(lines(notify_deliveries(*workflow, project_with(fields), events)),
            (std::vector<std::string>{"inbox user:zhao enter:review @0"}));
}

TEST(NotifyRoute, AnEmptyOrAbsentUserFieldGivesNoDelivery) {
  const auto workflow = with_rules({rule({Kind::enter, "review"}, {"field:service_officer"}),
                                    rule({Kind::enter, "review"}, {"field:team"})});
  const std::vector<Event> events = {transition("pass_screening", "screening", "review")};
  EXPECT_TRUE(notify_deliveries(*workflow, project_with(), events).empty());
  FieldMap empty;
  empty.insert_or_assign("service_officer", Value::text(""));
  empty.insert_or_assign("team", Value::list({}));
  EXPECT_TRUE(notify_deliveries(*workflow, project_with(empty), events).empty());
}

TEST(NotifyRoute, DuplicatesMergePerRecipientAndChannel) {
  // Three rules hear one transition; owner on inbox is told once, with both triggers;
  // user:chen named directly and through the field is one delivery.
  const auto workflow =
      with_rules({rule({Kind::enter, "review"}, {"owner", "user:chen"},
                       {NotifyChannel::inbox, NotifyChannel::webhook}),
                  rule({Kind::transition, "*"}, {"owner", "owner", "field:service_officer"}),
                  rule({Kind::enter, "*"}, {"owner"})});
  const std::vector<Event> events = {transition("pass_screening", "screening", "review")};
  FieldMap fields;
  fields.insert_or_assign("service_officer", Value::text("chen"));
  EXPECT_EQ(lines(notify_deliveries(*workflow, project_with(fields), events)),
            (std::vector<std::string>{"inbox owner enter:review,transition:pass_screening @0",
                                      "inbox user:chen enter:review,transition:pass_screening @0",
                                      "webhook owner enter:review @0",
                                      "webhook user:chen enter:review @0"}));
}

TEST(NotifyRoute, EventsThatRaiseNothingGoNowhere) {
  const auto workflow =
      with_rules({rule({Kind::enter, "*"}, {"owner"}), rule({Kind::transition, "*"}, {"owner"})});
  Event edited;
  edited.version = 3;
  edited.body = FieldsEdited{};
  Event vote;
  vote.version = 4;
  vote.body = VoteCast{};
  EXPECT_TRUE(
      notify_deliveries(*workflow, project_with(), std::vector<Event>{edited, vote}).empty());
}

}  // namespace
}  // namespace investflow::engine
