// The trigger names of engine/notify_trigger.hpp: what an event raises (the outbox and the
// webhook message both read triggers_of), how a rule's trigger is named, and which names
// a filter may use.

#include "engine/notify_trigger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace investflow::engine {
namespace {

using Names = std::vector<std::string>;
using Kind = NotifyTrigger::Kind;

Event event_with(decltype(Event::body) body) {
  Event event;
  event.project_id = "P-1";
  event.body = std::move(body);
  return event;
}

TEST(NotifyTrigger, CreationEntersItsState) {
  ProjectCreated created;
  created.state = "lead";
  EXPECT_EQ(triggers_of(event_with(created)), (Names{"enter:lead"}));
}

TEST(NotifyTrigger, ATransitionLeavesEntersAndNamesItself) {
  TransitionTaken taken;
  taken.transition = "submit";
  taken.from = "lead";
  taken.to = "review";
  EXPECT_EQ(triggers_of(event_with(taken)),
            (Names{"leave:lead", "enter:review", "transition:submit"}));
}

TEST(NotifyTrigger, AFiredDeadlineRaisesItsTimer) {
  const auto fired = [](DeadlineKind kind, DeadlineAlert alert) {
    return triggers_of(event_with(DeadlineFired{kind, "lead", alert, Date(20000)}));
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

TEST(NotifyTrigger, FilterNames) {
  for (const char* name :
       {"enter:lead", "leave:x", "transition:submit", "sla_warning", "sla_overdue",
        "milestone_warning", "milestone_overdue", "followup_due"}) {
    EXPECT_TRUE(is_trigger_name(name)) << name;
  }
  for (const char* name : {"", "enter:", "transition:", "enter", "milestone_warn", "sla"}) {
    EXPECT_FALSE(is_trigger_name(name)) << name;
  }
}

}  // namespace
}  // namespace investflow::engine
