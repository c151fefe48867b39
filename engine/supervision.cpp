#include "engine/supervision.hpp"

#include <algorithm>

#include "engine/names.hpp"

namespace investflow::engine {
namespace {

Reason make(std::string_view code, std::string field, std::string zh, std::string en) {
  return {std::string(code), std::move(field), {std::move(zh), std::move(en)}};
}

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string level_label_zh(const SupervisionLevel& level) {
  return level.label.zh.empty() ? level.id : level.label.zh;
}

std::string level_label_en(const SupervisionLevel& level) {
  return level.label.en.empty() ? level.id : level.label.en;
}

constexpr EnumName<Light> kLightNames[] = {
    {Light::green, "green"}, {Light::yellow, "yellow"}, {Light::red, "red"}};
static_assert(in_order(kLightNames));

}  // namespace

int SupervisionDef::rank(std::string_view id) const {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

bool may_reassign(const Actor& actor) {
  return std::any_of(std::begin(kReassignRoles), std::end(kReassignRoles),
                     [&](std::string_view role) { return actor.has_role(role); });
}

std::optional<Supervised> decide_supervise(const Workflow& workflow, const Project& project,
                                           const Supervise& supervise, const Actor& actor,
                                           Date today, std::vector<Reason>& reasons) {
  if (!workflow.supervision) {
    reasons.push_back(make(reason::kNoSupervision, "level", "该流程未设督办",
                           "workflow '" + workflow.id + "' has no supervision levels"));
    return std::nullopt;
  }
  const SupervisionDef& supervision = *workflow.supervision;
  const int rank = supervision.rank(supervise.level);
  std::string by;
  if (rank < 0) {
    std::string known;
    for (const SupervisionLevel& level : supervision.levels)
      known += (known.empty() ? "" : ", ") + level.id;
    reasons.push_back(make(reason::kInvalidField, "level", "没有督办级别“" + supervise.level + "”",
                           "no supervision level '" + supervise.level + "' (" + known + ")"));
  } else {
    const SupervisionLevel& level = supervision.levels[static_cast<std::size_t>(rank)];
    const auto held = std::find_if(level.roles.begin(), level.roles.end(),
                                   [&](const std::string& role) { return actor.has_role(role); });
    if (held == level.roles.end()) {
      std::string list;
      for (const std::string& role : level.roles)
        list += (list.empty() ? "" : ", ") + role;
      reasons.push_back(make(reason::kRoleNotAllowed, "",
                             "无权发起" + level_label_zh(level) + "督办（需要角色：" + list + "）",
                             level_label_en(level) + " needs one of the roles: " + list));
    } else {
      by = *held;
    }
    const int current = supervision.rank(project.supervision_level);
    if (current >= rank) {
      const SupervisionLevel& now = supervision.levels[static_cast<std::size_t>(current)];
      reasons.push_back(make(
          reason::kLevelNotHigher, "level", "督办级别只能升高：当前已是" + level_label_zh(now),
          "a supervision level only rises: the item is at " + level_label_en(now) + " already"));
    }
  }
  if (supervise.new_due_on <= today) {
    reasons.push_back(make(reason::kInvalidField, "due_on",
                           "新的办理期限须晚于今天（" + today.to_string() + "）",
                           "the new due date must be after today (" + today.to_string() + ")"));
  }
  if (blank(supervise.reason)) {
    reasons.push_back(
        make(reason::kMissingField, "reason", "请填写督办理由", "a supervision needs a reason"));
  }
  if (!reasons.empty()) return std::nullopt;
  return Supervised{supervise.level, supervise.reason, project.sla_due_on, supervise.new_due_on,
                    by};
}

std::optional<Reassigned> decide_reassign(const Workflow& workflow, const Project& project,
                                          const Reassign& reassign, const Actor& actor,
                                          std::vector<Reason>& reasons) {
  if (!may_reassign(actor)) {
    reasons.push_back(make(reason::kRoleNotAllowed, "", "只有科室负责人或管理员可以转交",
                           "reassigning needs one of the roles: manager, admin"));
  }
  std::string from;
  bool holder_ok = true;
  if (reassign.holder == kOwnerHolder) {
    from = project.owner;
  } else if (const FieldDef* field = workflow.find_field(reassign.holder);
             field != nullptr && field->type == FieldType::user) {
    const Value held = project.field(reassign.holder);
    if (const std::string* user = held.as_text()) from = *user;
  } else {
    holder_ok = false;
    reasons.push_back(make(
        reason::kInvalidField, "holder", "“" + reassign.holder + "”不是可转交的负责人或人员字段",
        "holder '" + reassign.holder + "' is neither owner nor a user field of workflow '" +
            workflow.id + "'"));
  }
  if (blank(reassign.to)) {
    reasons.push_back(make(reason::kMissingField, "to", "请选择接手人", "name the new holder"));
  } else if (holder_ok && reassign.to == from) {
    reasons.push_back(make(reason::kNothingToDo, "to", "已由“" + from + "”负责，无需转交",
                           "'" + from + "' holds it already"));
  }
  if (blank(reassign.reason)) {
    reasons.push_back(
        make(reason::kMissingField, "reason", "请填写转交理由", "a reassignment needs a reason"));
  }
  if (!reasons.empty()) return std::nullopt;
  return Reassigned{reassign.holder, from, reassign.to, reassign.reason};
}

void apply_supervised(Project& project, const Supervised& supervised) {
  project.supervision_level = supervised.level;
  project.sla_due_on = supervised.new_due_on;
  project.sla_due_estimated = false;  // a date a person chose
}

void apply_reassigned(Project& project, const Reassigned& reassigned) {
  if (reassigned.holder == kOwnerHolder) {
    project.owner = reassigned.to;
  } else {
    project.fields.insert_or_assign(reassigned.holder, Value::text(reassigned.to));
  }
}

std::string_view light_name(Light light) {
  return name_in(kLightNames, light);
}

std::optional<Date> earliest_open_due(const Project& project) {
  std::optional<Date> earliest;
  const auto consider = [&earliest](const std::optional<Date>& date) {
    if (date && (!earliest || *date < *earliest)) earliest = date;
  };
  consider(project.sla_due_on);
  consider(project.followup_due_on);
  for (const auto& [id, milestone] : project.milestones) {
    if (!milestone.done_on) consider(milestone.due_on);
  }
  return earliest;
}

Light light_of(Date due_on, Date today, const Calendar& calendar) {
  if (due_on < today) return Light::red;
  // Three working days never span a month, whatever the holidays: no count needed.
  if (days_between(today, due_on) > 31) return Light::green;
  return calendar.working_days_between(today, due_on) <= kLightWarnWorkingDays ? Light::yellow
                                                                               : Light::green;
}

std::optional<Light> project_light(const Workflow& workflow, const Project& project, Date today) {
  if (!project.exists()) return std::nullopt;
  if (const StateDef* state = workflow.find_state(project.state); state && state->terminal) {
    return std::nullopt;
  }
  const std::optional<Date> due = earliest_open_due(project);
  if (!due) return std::nullopt;
  return light_of(*due, today, *workflow.calendar);
}

}  // namespace investflow::engine
