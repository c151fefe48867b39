#pragma once
// Timers: which alerts a project's deadlines owe at a given day, and the rules of the two
// timer commands. `decide` and `apply` dispatch FireDeadline / ExtendDeadline here.
//
//   for (const FireDeadline& fire : deadlines_to_fire(workflow, project, today))
//     store.submit(...fire...);   // the scheduler, as the `system` actor
//
// An alert fires once per (deadline, alert, due date): the project remembers it in
// `deadlines_fired`, so a repeated FireDeadline is rejected with `nothing_to_do`, also
// after a restart. A server that was down over a deadline fires the alert it owes now
// (overdue), not the warning it missed.

#include <optional>
#include <string>
#include <vector>

#include "engine/command.hpp"
#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// The pseudo-role of the scheduler; only it may fire deadlines.
inline constexpr std::string_view kSystemRole = "system";

namespace reason {
inline constexpr std::string_view kNoSuchDeadline = "no_such_deadline";
inline constexpr std::string_view kDeadlineNotDue = "deadline_not_due";
// v1.1 `deadlines.extend` limits.
inline constexpr std::string_view kExtensionLimitReached = "extension_limit_reached";
inline constexpr std::string_view kExtensionTooLong = "extension_too_long";
}  // namespace reason

// The alerts due at `today` and not yet fired, at most one per deadline (the most urgent).
std::vector<FireDeadline> deadlines_to_fire(const Workflow& workflow, const Project& project,
                                            Date today);

// The earliest due day of the open deadlines whose last alert (overdue; due for a follow-up)
// has not fired: nothing can fire for the others until they change (met, moved, replaced).
// The scheduler looks only at projects where this falls within its horizon. nullopt: none.
std::optional<Date> earliest_unalerted_due(const Workflow& workflow, const Project& project);

// Roles that may extend a deadline: the SLA's `escalate` roles for an SLA, else manager.
std::vector<std::string> extension_roles(const Workflow& workflow, const Project& project,
                                         DeadlineKind kind);

// Rule checks for the two commands; on failure the reasons are appended and nullopt returned.
std::optional<DeadlineFired> decide_fire_deadline(const Workflow& workflow, const Project& project,
                                                  const FireDeadline& fire, const Actor& actor,
                                                  Date today, std::vector<Reason>& reasons);
std::optional<DeadlineExtended> decide_extend_deadline(const Workflow& workflow,
                                                       const Project& project,
                                                       const ExtendDeadline& extend,
                                                       const Actor& actor, Date today,
                                                       std::vector<Reason>& reasons);

void apply_deadline_fired(Project& project, const DeadlineFired& fired);
void apply_deadline_extended(Project& project, const DeadlineExtended& extended);
// After an event that restarts deadlines (a transition, a follow-up visit), the fired
// alerts of the replaced ones are forgotten so that the set stays small.
void forget_replaced_deadlines(Project& project, const Event& event);

}  // namespace investflow::engine
