#include "engine/deadlines.hpp"

#include "engine/names.hpp"

#include <algorithm>

namespace investflow::engine {
namespace {

Reason make(std::string_view code, std::string field, std::string zh, std::string en) {
  return {std::string(code), std::move(field), {std::move(zh), std::move(en)}};
}

DeadlineKind kind_of(DueItem::Kind kind) {
  switch (kind) {
    case DueItem::Kind::sla:
      return DeadlineKind::sla;
    case DueItem::Kind::milestone:
      return DeadlineKind::milestone;
    case DueItem::Kind::followup:
      return DeadlineKind::followup;
  }
  return DeadlineKind::sla;
}

// The open deadline (kind, name) at `today`, with its status.
std::optional<DueItem> find_deadline(const Workflow& workflow, const Project& project,
                                     DeadlineKind kind, std::string_view name, Date today) {
  for (DueItem& item : due_items(workflow, project, today)) {
    if (kind_of(item.kind) == kind && item.name == name) return std::move(item);
  }
  return std::nullopt;
}

// Whether `alert` is what the deadline's clock says at `today`.
bool alert_in_effect(const DueItem& item, DeadlineAlert alert, Date today) {
  switch (alert) {
    case DeadlineAlert::warning:
      return item.status == DueItem::Status::warning;
    case DeadlineAlert::overdue:
      return item.status == DueItem::Status::overdue;
    case DeadlineAlert::due:
      return today >= item.due_on;
  }
  return false;
}

// Whether the milestone has a `warn_before` (only those raise milestone_warning).
bool milestone_warns(const Workflow& workflow, std::string_view name) {
  const MilestoneDef* def = workflow.find_milestone(name);
  return def != nullptr && def->warn_before.has_value();
}

// The alert a deadline owes at `today`, if any: overdue wins over the warning it replaces.
std::optional<DeadlineAlert> owed_alert(const Workflow& workflow, const DueItem& item, Date today) {
  switch (item.kind) {
    case DueItem::Kind::sla:
      if (item.status == DueItem::Status::overdue) return DeadlineAlert::overdue;
      if (item.status == DueItem::Status::warning) return DeadlineAlert::warning;
      return std::nullopt;
    case DueItem::Kind::milestone:
      if (item.status == DueItem::Status::overdue) return DeadlineAlert::overdue;
      if (item.status == DueItem::Status::warning && milestone_warns(workflow, item.name)) {
        return DeadlineAlert::warning;
      }
      return std::nullopt;
    case DueItem::Kind::followup:
      if (today >= item.due_on) return DeadlineAlert::due;
      return std::nullopt;
  }
  return std::nullopt;
}

// How Project::deadline_extensions names a running deadline: "sla:lead".
std::string extension_key(DeadlineKind kind, std::string_view name) {
  return std::string(deadline_kind_name(kind)) + ":" + std::string(name);
}

// v1.1 `deadlines.extend`: the limits an extension from `due_on` to `new_due_on` breaks.
void check_extension_limits(const Workflow& workflow, const Project& project,
                            const ExtendDeadline& extend, Date due_on,
                            std::vector<Reason>& reasons) {
  const WorkflowDefinition::ExtendLimits& limits = workflow.deadline_extend;
  if (limits.max_times) {
    const auto granted = project.deadline_extensions.find(extension_key(extend.kind, extend.name));
    const int times = granted == project.deadline_extensions.end() ? 0 : granted->second;
    if (times >= *limits.max_times) {
      const std::string max = std::to_string(*limits.max_times);
      reasons.push_back(make(reason::kExtensionLimitReached, "due_on",
                             "该期限已延期" + std::to_string(times) + "次，最多可延期" + max + "次",
                             "this deadline has been extended " + std::to_string(times) +
                                 " time(s); at most " + max + " extension(s) are allowed"));
    }
  }
  if (limits.max_working_days) {
    const int added = workflow.calendar->working_days_between(due_on, extend.new_due_on);
    if (added > *limits.max_working_days) {
      const std::string max = std::to_string(*limits.max_working_days);
      reasons.push_back(
          make(reason::kExtensionTooLong, "due_on",
               "延期" + std::to_string(added) + "个工作日，超过上限" + max + "个工作日",
               "the extension adds " + std::to_string(added) + " working days; at most " + max +
                   " are allowed"));
    }
  }
}

std::string kind_label_zh(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::sla:
      return "办理时限";
    case DeadlineKind::milestone:
      return "节点期限";
    case DeadlineKind::followup:
      return "跟踪走访";
  }
  return "期限";
}

}  // namespace

namespace {
constexpr EnumName<DeadlineKind> kDeadlineKinds[] = {{DeadlineKind::sla, "sla"},
                                                     {DeadlineKind::milestone, "milestone"},
                                                     {DeadlineKind::followup, "followup"}};
static_assert(in_order(kDeadlineKinds));
constexpr EnumName<DeadlineAlert> kDeadlineAlerts[] = {{DeadlineAlert::warning, "warning"},
                                                       {DeadlineAlert::overdue, "overdue"},
                                                       {DeadlineAlert::due, "due"}};
static_assert(in_order(kDeadlineAlerts));
}  // namespace

std::string_view deadline_kind_name(DeadlineKind kind) {
  return name_in(kDeadlineKinds, kind);
}
std::optional<DeadlineKind> parse_deadline_kind(std::string_view name) {
  return value_named(kDeadlineKinds, name);
}
std::string_view deadline_alert_name(DeadlineAlert alert) {
  return name_in(kDeadlineAlerts, alert);
}
std::optional<DeadlineAlert> parse_deadline_alert(std::string_view name) {
  return value_named(kDeadlineAlerts, name);
}

std::string deadline_trigger(DeadlineKind kind, DeadlineAlert alert) {
  return std::string(deadline_kind_name(kind)) + "_" + std::string(deadline_alert_name(alert));
}

std::string fired_deadline_key(DeadlineKind kind, std::string_view name, DeadlineAlert alert,
                               Date due_on) {
  std::string key(deadline_kind_name(kind));
  key += ':';
  key += name;
  key += ':';
  key += deadline_alert_name(alert);
  key += ':';
  key += due_on.to_string();
  return key;
}

std::vector<FireDeadline> deadlines_to_fire(const Workflow& workflow, const Project& project,
                                            Date today) {
  std::vector<FireDeadline> out;
  for (const DueItem& item : due_items(workflow, project, today)) {
    const std::optional<DeadlineAlert> alert = owed_alert(workflow, item, today);
    if (!alert) continue;
    const DeadlineKind kind = kind_of(item.kind);
    if (project.deadlines_fired.contains(fired_deadline_key(kind, item.name, *alert, item.due_on)))
      continue;
    out.push_back(FireDeadline{kind, item.name, *alert, item.due_on});
  }
  return out;
}

std::optional<Date> earliest_unalerted_due(const Workflow& workflow, const Project& project) {
  const StateDef* state = workflow.find_state(project.state);
  if (!project.exists() || (state != nullptr && state->terminal)) return std::nullopt;
  // As due_items lists them, except that a milestone counts as open until its day is
  // recorded (whatever its done_when says today): at worst the scheduler looks once more.
  std::optional<Date> earliest;
  const auto consider = [&](DeadlineKind kind, std::string_view name, Date due_on) {
    const DeadlineAlert last =
        kind == DeadlineKind::followup ? DeadlineAlert::due : DeadlineAlert::overdue;
    if (project.deadlines_fired.contains(fired_deadline_key(kind, name, last, due_on))) return;
    if (!earliest || due_on < *earliest) earliest = due_on;
  };
  if (project.sla_due_on) consider(DeadlineKind::sla, project.state, *project.sla_due_on);
  for (const auto& [id, milestone] : project.milestones) {
    if (!milestone.done_on) consider(DeadlineKind::milestone, id, milestone.due_on);
  }
  if (project.followup_due_on) {
    consider(DeadlineKind::followup, "followup", *project.followup_due_on);
  }
  return earliest;
}

std::vector<std::string> extension_roles(const Workflow& workflow, const Project& project,
                                         DeadlineKind kind) {
  if (kind == DeadlineKind::sla) {
    const StateDef* state = workflow.find_state(project.state);
    if (state != nullptr && state->sla && !state->sla->escalate.empty()) {
      return state->sla->escalate;
    }
  }
  return {"manager"};
}

std::optional<DeadlineFired> decide_fire_deadline(const Workflow& workflow, const Project& project,
                                                  const FireDeadline& fire, const Actor& actor,
                                                  Date today, std::vector<Reason>& reasons) {
  if (!actor.has_role(kSystemRole)) {
    reasons.push_back(make(reason::kRoleNotAllowed, "", "只有系统调度可以触发期限提醒",
                           "only the scheduler fires deadlines"));
    return std::nullopt;
  }
  const std::optional<DueItem> item = find_deadline(workflow, project, fire.kind, fire.name, today);
  if (!item || item->due_on != fire.due_on) {
    reasons.push_back(make(reason::kNoSuchDeadline, "", "该期限已不存在或已变更",
                           "no such open deadline (it was met, moved or replaced)"));
    return std::nullopt;
  }
  if (!alert_in_effect(*item, fire.alert, today) ||
      (fire.kind == DeadlineKind::milestone && fire.alert == DeadlineAlert::warning &&
       !milestone_warns(workflow, fire.name))) {
    reasons.push_back(make(reason::kDeadlineNotDue, "", "尚未到提醒时间",
                           "the deadline does not call for this alert today"));
    return std::nullopt;
  }
  if (project.deadlines_fired.contains(
          fired_deadline_key(fire.kind, fire.name, fire.alert, fire.due_on))) {
    reasons.push_back(
        make(reason::kNothingToDo, "", "该提醒已发出", "this alert has already been raised"));
    return std::nullopt;
  }
  return DeadlineFired{fire.kind, fire.name, fire.alert, fire.due_on};
}

std::optional<DeadlineExtended> decide_extend_deadline(const Workflow& workflow,
                                                       const Project& project,
                                                       const ExtendDeadline& extend,
                                                       const Actor& actor, Date today,
                                                       std::vector<Reason>& reasons) {
  const std::vector<std::string> roles = extension_roles(workflow, project, extend.kind);
  if (std::none_of(roles.begin(), roles.end(),
                   [&](const std::string& role) { return actor.has_role(role); })) {
    std::string list;
    for (const std::string& role : roles)
      list += (list.empty() ? "" : ", ") + role;
    reasons.push_back(make(reason::kRoleNotAllowed, "", "延期需要以下角色之一：" + list,
                           "extending a deadline needs one of the roles: " + list));
  }
  const std::optional<DueItem> item =
      find_deadline(workflow, project, extend.kind, extend.name, today);
  if (!item) {
    reasons.push_back(make(reason::kNoSuchDeadline, "name",
                           "没有进行中的" + kind_label_zh(extend.kind) + "“" + extend.name + "”",
                           "no open " + std::string(deadline_kind_name(extend.kind)) +
                               " deadline '" + extend.name + "'"));
  } else if (extend.new_due_on <= item->due_on) {
    reasons.push_back(make(reason::kInvalidField, "due_on",
                           "新的期限须晚于原期限 " + item->due_on.to_string(),
                           "the new due date must be after " + item->due_on.to_string()));
  } else {
    check_extension_limits(workflow, project, extend, item->due_on, reasons);
  }
  if (extend.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    reasons.push_back(
        make(reason::kMissingField, "reason", "请填写延期理由", "an extension needs a reason"));
  }
  if (!reasons.empty() || !item) return std::nullopt;
  return DeadlineExtended{extend.kind, extend.name, item->due_on, extend.new_due_on, extend.reason};
}

void apply_deadline_fired(Project& project, const DeadlineFired& fired) {
  project.deadlines_fired.insert(
      fired_deadline_key(fired.kind, fired.name, fired.alert, fired.due_on));
}

// A date a person chose is not an estimate.
void apply_deadline_extended(Project& project, const DeadlineExtended& extended) {
  ++project.deadline_extensions[extension_key(extended.kind, extended.name)];
  switch (extended.kind) {
    case DeadlineKind::sla:
      project.sla_due_on = extended.new_due_on;
      project.sla_due_estimated = false;
      break;
    case DeadlineKind::milestone:
      if (auto it = project.milestones.find(extended.name); it != project.milestones.end()) {
        it->second.due_on = extended.new_due_on;
        it->second.estimated = false;
      }
      break;
    case DeadlineKind::followup:
      project.followup_due_on = extended.new_due_on;
      project.followup_due_estimated = false;
      break;
  }
}

void forget_replaced_deadlines(Project& project, const Event& event) {
  if (project.deadlines_fired.empty() && project.deadline_extensions.empty()) return;
  // Fired keys are "kind:name:alert:date", extension keys "kind:name".
  const auto forget = [&](const std::string& prefix) {
    std::erase_if(project.deadlines_fired,
                  [&](const std::string& key) { return key.starts_with(prefix); });
    std::erase_if(project.deadline_extensions,
                  [&](const auto& entry) { return (entry.first + ":").starts_with(prefix); });
  };
  const auto forget_milestones = [&](const std::vector<MilestoneStarted>& started) {
    for (const MilestoneStarted& milestone : started)
      forget("milestone:" + milestone.milestone + ":");
  };
  if (const auto* taken = std::get_if<TransitionTaken>(&event.body)) {
    forget("sla:");
    forget_milestones(taken->milestones_started);
  } else if (const auto* edited = std::get_if<FieldsEdited>(&event.body)) {
    forget_milestones(edited->milestones_started);
  } else if (const auto* recorded = std::get_if<MilestoneRecorded>(&event.body)) {
    forget_milestones(recorded->milestones_started);
  } else if (std::holds_alternative<FollowupRecorded>(event.body)) {
    forget("followup:");
  } else if (const auto* migrated = std::get_if<WorkflowMigrated>(&event.body)) {
    if (migrated->sla_recomputed) forget("sla:");
    forget_milestones(migrated->milestones_started);
    for (const std::string& id : migrated->milestones_dropped)
      forget("milestone:" + id + ":");
    if (migrated->followup_recomputed) forget("followup:");
  }
}

}  // namespace investflow::engine
