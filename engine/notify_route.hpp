#pragma once
// Who is told about what: the one function that routes a project's new events through its
// workflow's notify rules (and the SLA escalations) to recipients and channels. Storage
// writes its answer to the outbox in the transaction that appends the events.

#include <cstddef>
#include <span>
#include <vector>

#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

struct NotifyDelivery {
  // owner, role:NAME or user:NAME: a field:NAME recipient is resolved to the user(s) the
  // field holds, and gives no delivery when it holds none.
  NotifyRecipient recipient;
  NotifyChannel channel = NotifyChannel::inbox;
  // What the event raised that the rules heard, in order, each once.
  std::vector<NotifyTrigger> triggers;
  std::size_t event = 0;  // the index of the event in `events`
  friend bool operator==(const NotifyDelivery&, const NotifyDelivery&) = default;
};

// The deliveries `events` (appended in one go, in order) owe under `workflow`'s notify
// rules, with `project` as it is after them (field recipients read its values): for each
// event in order, one delivery per channel and recipient, in channel then recipient order.
// An overdue SLA also goes to the owner and the state's `escalate` roles in their inboxes,
// whether or not a rule names sla_overdue.
// v1.1: a `field:parent.NAME` recipient (an item of a workflow with `parent:`, e.g. a service
// problem telling its project's service officer) reads `parent_fields`, the parent
// project's fields (none when null).
std::vector<NotifyDelivery> notify_deliveries(const Workflow& workflow, const Project& project,
                                              std::span<const Event> events,
                                              const FieldMap* parent_fields = nullptr);

}  // namespace investflow::engine
