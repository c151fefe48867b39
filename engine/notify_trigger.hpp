#pragma once
// The notification vocabulary: triggers (enter:STATE, leave:STATE, transition:ID, with "*"
// for any state or transition, and the timers sla_warning, sla_overdue, milestone_warning,
// milestone_overdue, followup_due), recipients (owner, role:NAME, user:NAME, field:NAME), channels,
// and the filters a webhook subscribes with. Each has one name and one reader here: the outbox, the
// inbox, webhook subscriptions and the messages a webhook receives store and show these names, and
// nothing else parses them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/names.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// The timer kinds, by name: what a fired deadline raises (engine::deadline_trigger).
inline constexpr EnumName<NotifyTrigger::Kind> kTimerTriggerNames[] = {
    {NotifyTrigger::Kind::sla_warning, "sla_warning"},
    {NotifyTrigger::Kind::sla_overdue, "sla_overdue"},
    {NotifyTrigger::Kind::milestone_warning, "milestone_warning"},
    {NotifyTrigger::Kind::milestone_overdue, "milestone_overdue"},
    {NotifyTrigger::Kind::followup_due, "followup_due"},
};
static_assert(in_order(kTimerTriggerNames, NotifyTrigger::Kind::sla_warning));

// v1.1: the triggers of the service desk's events, by name (a supervised event raises
// `supervised`, a reassigned event `reassigned`); issue 22: a vote reaching the quorum
// raises `quorum`, a comment `commented` (and `mentioned` for each user it mentions).
inline constexpr EnumName<NotifyTrigger::Kind> kEventTriggerNames[] = {
    {NotifyTrigger::Kind::supervised, "supervised"},
    {NotifyTrigger::Kind::reassigned, "reassigned"},
    {NotifyTrigger::Kind::quorum, "quorum"},
    {NotifyTrigger::Kind::commented, "commented"},
    {NotifyTrigger::Kind::mentioned, "mentioned"},
};
static_assert(in_order(kEventTriggerNames, NotifyTrigger::Kind::supervised));
// The recipient words of a reassignment: who held it before, who holds it now.
inline constexpr std::string_view kPreviousHolder = "previous_holder";
inline constexpr std::string_view kNewHolder = "new_holder";

// "enter:lead", "enter:*", "transition:submit", "transition:*", "sla_overdue".
std::string trigger_name(const NotifyTrigger& trigger);
// The trigger `name` names (the reverse of trigger_name): a timer, or enter:, leave: or
// transition: followed by a name or "*". Nullopt for anything else.
std::optional<NotifyTrigger> parse_trigger_name(std::string_view name);

// "owner", "role:manager", "user:zhang", "field:service_officer".
std::string recipient_name(const NotifyRecipient& recipient);
// The reverse of recipient_name; nullopt for anything else ("role:" without a name too).
std::optional<NotifyRecipient> parse_recipient_name(std::string_view name);

std::string_view channel_name(NotifyChannel channel);  // inbox, webhook
std::optional<NotifyChannel> parse_channel_name(std::string_view name);

// The triggers an event raises: creation enters its state, a transition leaves one state,
// enters another and names itself, a fired deadline raises its timer (sla_warning,
// sla_overdue, milestone_warning, milestone_overdue, followup_due). Other events raise none. A
// raised trigger always names its state or transition, never "*".
std::vector<NotifyTrigger> triggers_of(const Event& event);

// What a webhook subscribes to: every event ("*"), what the workflows' notify rules send
// to the webhook channel ("notify"), an event type ("transition_taken"), or a trigger
// (which may be "enter:*" and the like).
struct EventFilter {
  enum class Kind { every, notify, event_type, trigger };
  Kind kind = Kind::every;
  std::string event_type;  // for event_type
  NotifyTrigger trigger;   // for trigger
  friend bool operator==(const EventFilter&, const EventFilter&) = default;
};
std::string event_filter_name(const EventFilter& filter);
std::optional<EventFilter> parse_event_filter(std::string_view name);
// Whether `filter` takes an event of `type` raising `raised` (a `notify` filter takes
// nothing here: only the outbox knows what the rules sent).
bool filter_takes(const EventFilter& filter, std::string_view type,
                  const std::vector<NotifyTrigger>& raised);

}  // namespace investflow::engine
