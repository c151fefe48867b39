#pragma once
// The follow-up service desk's two people-facing commands (language v1.1), and the
// red/yellow/green light of a project's deadlines.
//
// 督办 (Supervise): an open item of a workflow with a `supervision:` section is raised to a
// level by a holder of one of that level's roles. Rules: the level only rises (a higher
// position in the list than the item's current level); a reason is required; the new due
// date must be after today. The item's current deadline is the state's SLA: it moves to the
// new date (set even when the state had none running), and the next transition replaces it
// with the next state's SLA as usual. The level stays until the item is closed.
//
// 转交 (Reassign): the project's owner, or the user a `user` field holds (service officer,
// liaison leader), is handed to another person with a reason, by a manager or an admin
// (kReassignRoles). The caller checks that the new holder is a known user.

#include <optional>
#include <string_view>
#include <vector>

#include "engine/command.hpp"
#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

namespace reason {
inline constexpr std::string_view kNoSupervision = "no_supervision";
inline constexpr std::string_view kLevelNotHigher = "level_not_higher";
}  // namespace reason

// Who may reassign: 科室负责人 (manager) and 管理员 (admin).
inline constexpr std::string_view kReassignRoles[] = {"manager", "admin"};
// The holder word for the project's owner.
inline constexpr std::string_view kOwnerHolder = "owner";

// Whether `actor` holds one of kReassignRoles.
bool may_reassign(const Actor& actor);

// Rule checks; on failure the reasons are appended and nullopt returned. The project exists
// and is not in a final state (decide checks that first).
std::optional<Supervised> decide_supervise(const Workflow& workflow, const Project& project,
                                           const Supervise& supervise, const Actor& actor,
                                           Date today, std::vector<Reason>& reasons);
std::optional<Reassigned> decide_reassign(const Workflow& workflow, const Project& project,
                                          const Reassign& reassign, const Actor& actor,
                                          std::vector<Reason>& reasons);

void apply_supervised(Project& project, const Supervised& supervised);
void apply_reassigned(Project& project, const Reassigned& reassigned);

// The light of a project's open deadlines at `today`: red when the earliest is overdue,
// yellow when it is due within kLightWarnWorkingDays working days (today included), green
// otherwise; nullopt in a final state or with no open deadline (SLA, open milestones, next
// follow-up visit: the same deadlines as the list's `due` sort and `overdue` filter).
enum class Light { green, yellow, red };
inline constexpr int kLightWarnWorkingDays = 3;
std::string_view light_name(Light light);  // green, yellow, red
std::optional<Date> earliest_open_due(const Project& project);
Light light_of(Date due_on, Date today, const Calendar& calendar);
std::optional<Light> project_light(const Workflow& workflow, const Project& project, Date today);

}  // namespace investflow::engine
