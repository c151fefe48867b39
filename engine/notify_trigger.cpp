#include "engine/notify_trigger.hpp"

#include <variant>

#include "engine/deadline.hpp"

namespace investflow::engine {
namespace {

using Kind = NotifyTrigger::Kind;

constexpr EnumName<Kind> kNamedTriggerPrefixes[] = {
    {Kind::enter, "enter:"},
    {Kind::leave, "leave:"},
    {Kind::transition, "transition:"},
};
static_assert(in_order(kNamedTriggerPrefixes));

using RecipientKind = NotifyRecipient::Kind;
constexpr std::string_view kOwner = "owner";
constexpr EnumName<RecipientKind> kRecipientPrefixes[] = {
    {RecipientKind::role, "role:"},
    {RecipientKind::user, "user:"},
    {RecipientKind::field, "field:"},
};
static_assert(in_order(kRecipientPrefixes, RecipientKind::role));

// "prefix:NAME" -> the prefix's value and NAME, when NAME is not empty.
template <typename Enum, std::size_t N>
std::optional<std::pair<Enum, std::string_view>> split_prefixed(const EnumName<Enum> (&prefixes)[N],
                                                                std::string_view name) {
  for (const EnumName<Enum>& prefix : prefixes) {
    if (name.starts_with(prefix.name) && name.size() > prefix.name.size()) {
      return std::pair{prefix.value, name.substr(prefix.name.size())};
    }
  }
  return std::nullopt;
}

constexpr std::string_view kEveryEvent = "*";
constexpr std::string_view kNotifyFilter = "notify";

}  // namespace

std::string trigger_name(const NotifyTrigger& trigger) {
  const std::string_view prefix = name_in(kNamedTriggerPrefixes, trigger.kind);
  if (!prefix.empty()) return std::string(prefix) + trigger.name;
  if (const std::string_view event = name_in(kEventTriggerNames, trigger.kind); !event.empty()) {
    return std::string(event);
  }
  return std::string(name_in(kTimerTriggerNames, trigger.kind));
}

std::optional<NotifyTrigger> parse_trigger_name(std::string_view name) {
  if (const std::optional<Kind> timer = value_named(kTimerTriggerNames, name)) {
    return NotifyTrigger{*timer, ""};
  }
  if (const std::optional<Kind> event = value_named(kEventTriggerNames, name)) {
    return NotifyTrigger{*event, ""};
  }
  if (const auto named = split_prefixed(kNamedTriggerPrefixes, name)) {
    return NotifyTrigger{named->first, std::string(named->second)};
  }
  return std::nullopt;
}

std::string recipient_name(const NotifyRecipient& recipient) {
  if (recipient.kind == RecipientKind::owner) return std::string(kOwner);
  if (recipient.kind == RecipientKind::previous_holder) return std::string(kPreviousHolder);
  if (recipient.kind == RecipientKind::new_holder) return std::string(kNewHolder);
  return std::string(name_in(kRecipientPrefixes, recipient.kind)) + recipient.name;
}

std::optional<NotifyRecipient> parse_recipient_name(std::string_view name) {
  if (name == kOwner) return NotifyRecipient{};
  if (name == kPreviousHolder) return NotifyRecipient{RecipientKind::previous_holder, ""};
  if (name == kNewHolder) return NotifyRecipient{RecipientKind::new_holder, ""};
  if (const auto named = split_prefixed(kRecipientPrefixes, name)) {
    return NotifyRecipient{named->first, std::string(named->second)};
  }
  return std::nullopt;
}

std::string_view channel_name(NotifyChannel channel) {
  return name_in(kNotifyChannelNames, channel);
}

std::optional<NotifyChannel> parse_channel_name(std::string_view name) {
  return value_named(kNotifyChannelNames, name);
}

std::vector<NotifyTrigger> triggers_of(const Event& event) {
  if (const auto* created = std::get_if<ProjectCreated>(&event.body)) {
    return {NotifyTrigger{Kind::enter, created->state}};
  }
  if (const auto* taken = std::get_if<TransitionTaken>(&event.body)) {
    return {NotifyTrigger{Kind::leave, taken->from}, NotifyTrigger{Kind::enter, taken->to},
            NotifyTrigger{Kind::transition, taken->transition}};
  }
  if (std::holds_alternative<Supervised>(event.body)) return {NotifyTrigger{Kind::supervised, ""}};
  if (std::holds_alternative<Reassigned>(event.body)) return {NotifyTrigger{Kind::reassigned, ""}};
  if (const auto* vote = std::get_if<VoteCast>(&event.body);
      vote != nullptr && vote->quorum_reached) {
    return {NotifyTrigger{Kind::quorum, ""}};
  }
  if (const auto* comment = std::get_if<Commented>(&event.body)) {
    if (comment->mentions.empty()) return {NotifyTrigger{Kind::commented, ""}};
    return {NotifyTrigger{Kind::commented, ""}, NotifyTrigger{Kind::mentioned, ""}};
  }
  // The scheduler's events (engine/deadlines.hpp).
  if (const auto* fired = std::get_if<DeadlineFired>(&event.body)) {
    if (const std::optional<Kind> timer =
            value_named(kTimerTriggerNames, deadline_trigger(fired->kind, fired->alert))) {
      return {NotifyTrigger{*timer, ""}};
    }
  }
  return {};
}

std::string event_filter_name(const EventFilter& filter) {
  switch (filter.kind) {
    case EventFilter::Kind::every:
      return std::string(kEveryEvent);
    case EventFilter::Kind::notify:
      return std::string(kNotifyFilter);
    case EventFilter::Kind::event_type:
      return filter.event_type;
    case EventFilter::Kind::trigger:
      return trigger_name(filter.trigger);
  }
  return {};
}

std::optional<EventFilter> parse_event_filter(std::string_view name) {
  if (name == kEveryEvent) return EventFilter{};
  if (name == kNotifyFilter) return EventFilter{EventFilter::Kind::notify, {}, {}};
  if (is_event_type(name)) return EventFilter{EventFilter::Kind::event_type, std::string(name), {}};
  if (std::optional<NotifyTrigger> trigger = parse_trigger_name(name)) {
    return EventFilter{EventFilter::Kind::trigger, {}, std::move(*trigger)};
  }
  return std::nullopt;
}

bool filter_takes(const EventFilter& filter, std::string_view type,
                  const std::vector<NotifyTrigger>& raised) {
  switch (filter.kind) {
    case EventFilter::Kind::every:
      return true;
    case EventFilter::Kind::notify:
      return false;
    case EventFilter::Kind::event_type:
      return filter.event_type == type;
    case EventFilter::Kind::trigger:
      for (const NotifyTrigger& trigger : raised) {
        if (filter.trigger.hears(trigger)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace investflow::engine
