#include "engine/notify_trigger.hpp"

#include <variant>

namespace investflow::engine {
namespace {

using Kind = NotifyTrigger::Kind;

constexpr EnumName<Kind> kNamedTriggerPrefixes[] = {
    {Kind::enter, "enter:"},
    {Kind::leave, "leave:"},
    {Kind::transition, "transition:"},
};
static_assert(in_order(kNamedTriggerPrefixes));

}  // namespace

std::string trigger_name(const NotifyTrigger& trigger) {
  const std::string_view prefix = name_in(kNamedTriggerPrefixes, trigger.kind);
  if (!prefix.empty()) return std::string(prefix) + trigger.name;
  return std::string(name_in(kTimerTriggerNames, trigger.kind));
}

bool is_trigger_name(std::string_view name) {
  if (value_named(kTimerTriggerNames, name)) return true;
  for (const EnumName<Kind>& prefix : kNamedTriggerPrefixes) {
    if (name.starts_with(prefix.name) && name.size() > prefix.name.size()) return true;
  }
  return false;
}

std::vector<std::string> triggers_of(const Event& event) {
  const auto named = [](Kind kind, const std::string& name) {
    return trigger_name(NotifyTrigger{kind, name});
  };
  if (const auto* created = std::get_if<ProjectCreated>(&event.body)) {
    return {named(Kind::enter, created->state)};
  }
  if (const auto* taken = std::get_if<TransitionTaken>(&event.body)) {
    return {named(Kind::leave, taken->from), named(Kind::enter, taken->to),
            named(Kind::transition, taken->transition)};
  }
  // The scheduler's events (engine/deadlines.hpp).
  if (const auto* fired = std::get_if<DeadlineFired>(&event.body)) {
    return {deadline_trigger(fired->kind, fired->alert)};
  }
  return {};
}

}  // namespace investflow::engine
