#include "engine/notify_route.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <variant>

#include "engine/notify_trigger.hpp"

namespace investflow::engine {
namespace {

using Routes = std::map<std::pair<NotifyChannel, NotifyRecipient>, std::vector<NotifyTrigger>>;

void route(Routes& routes, NotifyChannel channel, NotifyRecipient recipient,
           const NotifyTrigger& trigger) {
  std::vector<NotifyTrigger>& triggers = routes[{channel, std::move(recipient)}];
  if (std::find(triggers.begin(), triggers.end(), trigger) == triggers.end()) {
    triggers.push_back(trigger);
  }
}

// The users a field recipient names now: a user field's value, or the items of a list of
// users; none when it is empty or absent.
std::vector<std::string> users_in(const Project& project, const std::string& field) {
  std::vector<std::string> users;
  const Value value = project.field(field);
  if (const std::string* user = value.as_text(); user != nullptr && !user->empty()) {
    users.push_back(*user);
  } else if (const Value::List* list = value.as_list()) {
    for (const Value& item : *list) {
      if (const std::string* id = item.as_text(); id != nullptr && !id->empty()) {
        users.push_back(*id);
      }
    }
  }
  return users;
}

// An overdue SLA escalates to the state's `escalate` roles (and the owner).
void escalate(Routes& routes, const Workflow& workflow, const Event& event,
              const NotifyTrigger& trigger) {
  const auto* fired = std::get_if<DeadlineFired>(&event.body);
  if (fired == nullptr || trigger.kind != NotifyTrigger::Kind::sla_overdue) return;
  const StateDef* state = workflow.find_state(fired->name);
  if (state == nullptr || !state->sla || state->sla->escalate.empty()) return;
  route(routes, NotifyChannel::inbox, NotifyRecipient{}, trigger);
  for (const std::string& role : state->sla->escalate) {
    route(routes, NotifyChannel::inbox, NotifyRecipient{NotifyRecipient::Kind::role, role},
          trigger);
  }
}

}  // namespace

std::vector<NotifyDelivery> notify_deliveries(const Workflow& workflow, const Project& project,
                                              std::span<const Event> events) {
  std::vector<NotifyDelivery> out;
  for (std::size_t index = 0; index < events.size(); ++index) {
    const std::vector<NotifyTrigger> raised = triggers_of(events[index]);
    if (raised.empty()) continue;
    Routes routes;
    for (const NotifyTrigger& trigger : raised) {
      for (const NotifyRule& rule : workflow.notify) {
        if (!rule.on.hears(trigger)) continue;
        for (const NotifyChannel channel : rule.channels) {
          for (const NotifyRecipient& recipient : rule.to) {
            if (recipient.kind != NotifyRecipient::Kind::field) {
              route(routes, channel, recipient, trigger);
              continue;
            }
            for (std::string& user : users_in(project, recipient.name)) {
              route(routes, channel, NotifyRecipient{NotifyRecipient::Kind::user, std::move(user)},
                    trigger);
            }
          }
        }
      }
      escalate(routes, workflow, events[index], trigger);
    }
    for (auto& [key, triggers] : routes) {
      out.push_back(NotifyDelivery{key.second, key.first, std::move(triggers), index});
    }
  }
  return out;
}

}  // namespace investflow::engine
