#pragma once
// Moving a project to another version of its workflow (`investflow workflow migrate`):
// whether it can move, and what happens to each part of it. Pure, like decide: the store
// submits a MigrateWorkflow command, decide plans it with plan_migration and appends the
// plan's WorkflowMigrated event; a dry run shows the same plan without a command.
//
// A project can move when
//   - its state, mapped (same name unless the map names it), is a state of the target;
//   - every field it holds is a field of the target, and its value fits the target's
//     definition (type, bounds, enum options);
//   - it has every field the target requires at creation, and every field each transition
//     of the target into the mapped state requires (a project that reached that state
//     under the target's rules would have them, whichever way it came).
// Otherwise every reason is listed and the project is left alone.
//
// Each running part is carried over or recomputed, with a note saying which and why:
//   - the state keeps the day it was entered (a rename is the same stage);
//   - the open review's votes are carried when the target state has a review of the same
//     voters' role (they are counted under the target's quorum and pass rule), else they
//     no longer count;
//   - the SLA is carried when the target state's SLA has the same rule (same count or
//     expression, same calendar): the stored date, its extensions and alerts stand,
//     because a deadline people were told does not move on its own (as with a calendar
//     deploy). A changed rule is recomputed from the day the state was entered, so the
//     project neither gains nor loses the time it has already spent; extensions granted
//     on the old date lapse. A target state without an SLA clears it;
//   - a milestone recorded done is carried as it is (a record); an open milestone with the
//     same `within` and start is carried; with a changed `within` its due date is counted
//     again from the day its clock started; one the target does not have is dropped.
//     Milestones the target starts on entering the mapped state (or from a date field
//     already set) that are not running are started as of that entry (or that date);
//   - follow-up visits keep their due date when the target schedules them in the mapped
//     state every same period; a changed period counts again from the last visit (or the
//     state's entry); a state without visits in the target clears it.

#include <map>
#include <string>
#include <vector>

#include "engine/decide.hpp"
#include "engine/event.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

namespace reason {
inline constexpr std::string_view kUnknownState = "unknown_state";
inline constexpr std::string_view kWrongWorkflow = "wrong_workflow";
}  // namespace reason

struct MigrationPlan {
  std::vector<Reason> reasons;  // empty: the project can move
  // The move, as the event records it (its notes say what was carried or recomputed).
  // Filled as far as it could be planned, also when there are reasons.
  WorkflowMigrated migrated;
  bool ok() const { return reasons.empty(); }
};

// `from` is the version the project is on, `to` the target, `today` the day of the move.
// `state_map` maps states of `from` to states of `to` (OLD -> NEW); a state it does not
// name keeps its name.
MigrationPlan plan_migration(const Workflow& from, const Workflow& to, const Project& project,
                             const std::map<std::string, std::string>& state_map, Date today);

// The WorkflowMigrated event's effect on the projection besides its field changes (apply
// dispatches here after applying those).
void apply_workflow_migrated(Project& project, const WorkflowMigrated& migrated);

namespace detail {
// decide.cpp's rules, for the planner: a deadline `duration` after `start` counted with
// `workflow`'s calendar (expressions read `project` as `workflow` defines it), and
// whether an open milestone counts as done.
struct DueDate {
  Date on;
  bool estimated = false;
};
DueDate due_under(const Workflow& workflow, const Project& project, const Duration& duration,
                  Date start, Date today);
bool milestone_done_under(const Workflow& workflow, const Project& project, const MilestoneDef* def,
                          const MilestoneState& state, Date today);
bool followup_in_state(const Workflow& workflow, std::string_view state);
}  // namespace detail

}  // namespace investflow::engine
