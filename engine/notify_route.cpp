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
std::vector<std::string> users_in(const Project& project, const FieldMap* parent_fields,
                                  const std::string& field) {
  std::vector<std::string> users;
  Value value;
  if (field.starts_with(kParentPrefix)) {
    if (parent_fields == nullptr) return users;
    const auto found = parent_fields->find(std::string_view(field).substr(kParentPrefix.size()));
    if (found != parent_fields->end()) value = found->second;
  } else {
    value = project.field(field);
  }
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

// previous_holder / new_holder: the people a reassigned event moved a holding from and to
// (none for other events, or when the field was empty before).
std::vector<std::string> holders(const Event& event, NotifyRecipient::Kind kind) {
  const auto* reassigned = std::get_if<Reassigned>(&event.body);
  if (reassigned == nullptr) return {};
  const std::string& user =
      kind == NotifyRecipient::Kind::previous_holder ? reassigned->from : reassigned->to;
  if (user.empty()) return {};
  return {user};
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

// A comment tells each user it mentions (not the author), whatever the rules say.
void mention(Routes& routes, const Event& event, const NotifyTrigger& trigger) {
  const auto* comment = std::get_if<Commented>(&event.body);
  if (comment == nullptr || trigger.kind != NotifyTrigger::Kind::mentioned) return;
  for (const std::string& user : comment->mentions) {
    if (user == event.actor) continue;
    route(routes, NotifyChannel::inbox, NotifyRecipient{NotifyRecipient::Kind::user, user},
          trigger);
  }
}

}  // namespace

std::vector<NotifyDelivery> notify_deliveries(const Workflow& workflow, const Project& project,
                                              std::span<const Event> events,
                                              const FieldMap* parent_fields) {
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
            if (recipient.kind == NotifyRecipient::Kind::previous_holder ||
                recipient.kind == NotifyRecipient::Kind::new_holder) {
              for (std::string& user : holders(events[index], recipient.kind)) {
                route(routes, channel,
                      NotifyRecipient{NotifyRecipient::Kind::user, std::move(user)}, trigger);
              }
              continue;
            }
            if (recipient.kind != NotifyRecipient::Kind::field) {
              route(routes, channel, recipient, trigger);
              continue;
            }
            for (std::string& user : users_in(project, parent_fields, recipient.name)) {
              route(routes, channel, NotifyRecipient{NotifyRecipient::Kind::user, std::move(user)},
                    trigger);
            }
          }
        }
      }
      escalate(routes, workflow, events[index], trigger);
      mention(routes, events[index], trigger);
    }
    for (auto& [key, triggers] : routes) {
      out.push_back(NotifyDelivery{key.second, key.first, std::move(triggers), index});
    }
  }
  return out;
}

}  // namespace investflow::engine
