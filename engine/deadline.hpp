#pragma once
// The vocabulary of timers: which deadline (a state's SLA, a milestone, the next follow-up
// visit) and what its clock says (a warning ahead of it, overdue, a visit due). Commands and
// events name deadlines with these; engine/deadlines.hpp holds the rules.

#include <optional>
#include <string>
#include <string_view>

#include "engine/date.hpp"

namespace investflow::engine {

enum class DeadlineKind { sla, milestone, followup };
enum class DeadlineAlert { warning, overdue, due };

std::string_view deadline_kind_name(DeadlineKind kind);  // sla, milestone, followup
std::optional<DeadlineKind> parse_deadline_kind(std::string_view name);
std::string_view deadline_alert_name(DeadlineAlert alert);  // warning, overdue, due
std::optional<DeadlineAlert> parse_deadline_alert(std::string_view name);

// The notify trigger a fired deadline raises: sla_warning, sla_overdue, milestone_warning,
// milestone_overdue, followup_due (all nameable in a workflow's notify rules).
std::string deadline_trigger(DeadlineKind kind, DeadlineAlert alert);

// How a project remembers that an alert fired: "sla:lead:warning:2026-02-10". The due date
// is part of it, so an extended deadline can warn again.
std::string fired_deadline_key(DeadlineKind kind, std::string_view name, DeadlineAlert alert,
                               Date due_on);

}  // namespace investflow::engine
