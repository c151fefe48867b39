// The notification vocabulary of engine/notify_trigger.hpp: what an event raises (the
// outbox and the webhook message both read triggers_of), the names of triggers, recipients,
// channels and webhook filters, each read back by the one reader, and what a filter takes.

#include "engine/notify_trigger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace investflow::engine {
namespace {

using Names = std::vector<std::string>;
using Kind = NotifyTrigger::Kind;

Names names_of(const std::vector<NotifyTrigger>& triggers) {
  Names names;
  for (const NotifyTrigger& trigger : triggers)
    names.push_back(trigger_name(trigger));
  return names;
}

Event event_with(decltype(Event::body) body) {
  Event event;
  event.project_id = "P-1";
  event.body = std::move(body);
  return event;
}

TEST(NotifyTrigger, CreationEntersItsState) {
  ProjectCreated created;
  created.state = "lead";
  EXPECT_EQ(triggers_of(event_with(created)), (std::vector<NotifyTrigger>{{Kind::enter, "lead"}}));
}

TEST(NotifyTrigger, ATransitionLeavesEntersAndNamesItself) {
  TransitionTaken taken;
  taken.transition = "submit";
  taken.from = "lead";
  taken.to = "review";
  EXPECT_EQ(names_of(triggers_of(event_with(taken))),
            (Names{"leave:lead", "enter:review", "transition:submit"}));
}

TEST(NotifyTrigger, AFiredDeadlineRaisesItsTimer) {
  const auto fired = [](DeadlineKind kind, DeadlineAlert alert) {
    return names_of(triggers_of(event_with(DeadlineFired{kind, "lead", alert, Date(20000)})));
  };
  EXPECT_EQ(fired(DeadlineKind::sla, DeadlineAlert::warning), (Names{"sla_warning"}));
  EXPECT_EQ(fired(DeadlineKind::sla, DeadlineAlert::overdue), (Names{"sla_overdue"}));
  EXPECT_EQ(fired(DeadlineKind::milestone, DeadlineAlert::warning), (Names{"milestone_warning"}));
  EXPECT_EQ(fired(DeadlineKind::milestone, DeadlineAlert::overdue), (Names{"milestone_overdue"}));
  EXPECT_EQ(fired(DeadlineKind::followup, DeadlineAlert::due), (Names{"followup_due"}));
}

TEST(NotifyTrigger, OtherEventsRaiseNone) {
  EXPECT_TRUE(triggers_of(event_with(FieldsEdited{})).empty());
  EXPECT_TRUE(triggers_of(event_with(VoteCast{})).empty());
  EXPECT_TRUE(triggers_of(event_with(DeadlineExtended{})).empty());
}

TEST(NotifyTrigger, ARuleNamesTheTriggersAnEventRaises) {
  EXPECT_EQ(trigger_name({Kind::enter, "review"}), "enter:review");
  EXPECT_EQ(trigger_name({Kind::leave, "lead"}), "leave:lead");
  EXPECT_EQ(trigger_name({Kind::transition, "submit"}), "transition:submit");
  EXPECT_EQ(trigger_name({Kind::sla_warning, ""}), "sla_warning");
  EXPECT_EQ(trigger_name({Kind::sla_overdue, ""}), "sla_overdue");
  EXPECT_EQ(trigger_name({Kind::milestone_overdue, ""}), "milestone_overdue");
  EXPECT_EQ(trigger_name({Kind::followup_due, ""}), "followup_due");
  for (const auto& timer : kTimerTriggerNames) {
    EXPECT_EQ(value_named(kTimerTriggerNames, timer.name), timer.value);
    EXPECT_EQ(trigger_name({timer.value, ""}), timer.name);
  }
}

TEST(NotifyTrigger, EveryNameReadsBackAsItsTrigger) {
  for (const char* name :
       {"enter:lead", "enter:*", "leave:x", "leave:*", "transition:submit", "transition:*",
        "sla_warning", "sla_overdue", "milestone_warning", "milestone_overdue", "followup_due"}) {
    const std::optional<NotifyTrigger> trigger = parse_trigger_name(name);
    ASSERT_TRUE(trigger) << name;
    EXPECT_EQ(trigger_name(*trigger), name);
  }
  EXPECT_EQ(parse_trigger_name("enter:*"), (NotifyTrigger{Kind::enter, "*"}));
  EXPECT_EQ(parse_trigger_name("transition:submit"), (NotifyTrigger{Kind::transition, "submit"}));
  for (const char* name : {"", "enter:", "transition:", "enter", "sla", "owner", "*"}) {
    EXPECT_FALSE(parse_trigger_name(name)) << name;
  }
}

TEST(NotifyTrigger, AnyStateOrTransitionHearsEveryOneOfItsKind) {
  const NotifyTrigger any_entry{Kind::enter, "*"};
  EXPECT_TRUE(any_entry.hears({Kind::enter, "lead"}));
  EXPECT_TRUE(any_entry.hears({Kind::enter, "signed"}));
  EXPECT_FALSE(any_entry.hears({Kind::leave, "lead"}));
  const NotifyTrigger any_transition{Kind::transition, "*"};
  EXPECT_TRUE(any_transition.hears({Kind::transition, "submit"}));
  EXPECT_FALSE(any_transition.hears({Kind::enter, "submit"}));
  const NotifyTrigger one{Kind::leave, "lead"};
  EXPECT_TRUE(one.hears({Kind::leave, "lead"}));
  EXPECT_FALSE(one.hears({Kind::leave, "review"}));
  EXPECT_TRUE(NotifyTrigger({Kind::sla_overdue, ""}).hears({Kind::sla_overdue, ""}));
  EXPECT_FALSE(NotifyTrigger({Kind::sla_overdue, ""}).hears({Kind::sla_warning, ""}));
}

TEST(NotifyTrigger, RecipientNamesReadBack) {
  using R = NotifyRecipient::Kind;
  const std::vector<std::pair<const char*, NotifyRecipient>> known = {
      {"owner", {R::owner, ""}},
      {"role:manager", {R::role, "manager"}},
      {"user:zhang.san", {R::user, "zhang.san"}},
      {"field:service_officer", {R::field, "service_officer"}}};
  for (const auto& [name, recipient] : known) {
    EXPECT_EQ(parse_recipient_name(name), recipient) << name;
    EXPECT_EQ(recipient_name(recipient), name);
  }
  for (const char* name : {"", "role:", "user:", "field:", "owners", "group:x", "Owner"}) {
    EXPECT_FALSE(parse_recipient_name(name)) << name;
  }
  EXPECT_EQ(parse_channel_name("inbox"), NotifyChannel::inbox);
  EXPECT_EQ(parse_channel_name("webhook"), NotifyChannel::webhook);
  EXPECT_FALSE(parse_channel_name("email"));
  EXPECT_EQ(channel_name(NotifyChannel::webhook), "webhook");
}

TEST(NotifyTrigger, FilterNames) {
  for (const char* name :
       {"*", "notify", "transition_taken", "deadline_fired", "enter:lead", "enter:*", "leave:x",
        "transition:submit", "transition:*", "sla_warning", "sla_overdue", "milestone_warning",
        "milestone_overdue", "followup_due"}) {
    const std::optional<EventFilter> filter = parse_event_filter(name);
    ASSERT_TRUE(filter) << name;
    EXPECT_EQ(event_filter_name(*filter), name);
  }
  for (const char* name : {"", "enter:", "transition:", "enter", "sla", "nonsense", "owner"}) {
    EXPECT_FALSE(parse_event_filter(name)) << name;
  }
}

TEST(NotifyTrigger, WhatAFilterTakes) {
  const std::vector<NotifyTrigger> raised = {
      {Kind::leave, "lead"}, {Kind::enter, "review"}, {Kind::transition, "submit"}};
  const auto takes = [&](const char* name) {
    return filter_takes(*parse_event_filter(name), "transition_taken", raised);
  };
  EXPECT_TRUE(takes("*"));
  EXPECT_TRUE(takes("transition_taken"));
  EXPECT_TRUE(takes("enter:review"));
  EXPECT_TRUE(takes("enter:*"));
  EXPECT_TRUE(takes("transition:*"));
  EXPECT_TRUE(takes("leave:lead"));
  EXPECT_FALSE(takes("enter:lead"));
  EXPECT_FALSE(takes("project_created"));
  EXPECT_FALSE(takes("sla_overdue"));
  EXPECT_FALSE(takes("notify"));  // only the outbox knows what the rules sent
}

}  // namespace
}  // namespace investflow::engine
