#pragma once
// The names notify rules and webhook filters match an event by: enter:STATE, leave:STATE,
// transition:ID, and the timers' sla_warning, sla_overdue, milestone_warning,
// milestone_overdue, followup_due.
// The outbox (storage) and the message a webhook receives (notify) both take an event's
// triggers from triggers_of, so a rule and a filter naming the same trigger see the same
// events.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/names.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// The timer kinds a workflow's notify rule may name, by name.
inline constexpr EnumName<NotifyTrigger::Kind> kTimerTriggerNames[] = {
    {NotifyTrigger::Kind::sla_warning, "sla_warning"},
    {NotifyTrigger::Kind::sla_overdue, "sla_overdue"},
    {NotifyTrigger::Kind::milestone_warning, "milestone_warning"},
    {NotifyTrigger::Kind::milestone_overdue, "milestone_overdue"},
    {NotifyTrigger::Kind::followup_due, "followup_due"},
};
static_assert(in_order(kTimerTriggerNames, NotifyTrigger::Kind::sla_warning));

// "enter:lead", "transition:submit", "sla_overdue".
std::string trigger_name(const NotifyTrigger& trigger);

// Whether `name` is a trigger a rule or a filter can name: a timer, or enter:, leave: or
// transition: followed by a name.
bool is_trigger_name(std::string_view name);

// The triggers an event raises: creation enters its state, a transition leaves one state,
// enters another and names itself, a fired deadline raises its timer (sla_warning,
// sla_overdue, milestone_warning, milestone_overdue, followup_due). Other events raise none.
std::vector<std::string> triggers_of(const Event& event);

}  // namespace investflow::engine
