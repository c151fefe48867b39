#pragma once
// What changed between two versions of a workflow, as sentences a manager can read: states,
// transitions, fields, tables, roles and rules (guards, requires, SLAs, deadlines,
// milestones, notify rules, reviews, computed values, report tags) added, removed or
// changed. Chinese and English, with labels rather than ids where the workflow has labels:
//   状态“项目洽谈”更名为“洽谈对接”。 / State "Negotiation" is renamed "Matchmaking".
// Used by `investflow workflow diff`, GET /api/workflows/{id}/diff and the console.

#include <string>
#include <string_view>
#include <vector>

#include "engine/names.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

struct WorkflowChange {
  enum class Kind { state, transition, field, table, role, rule, milestone, notify, review, other };
  enum class Change { added, removed, changed };
  Kind kind = Kind::other;
  Change change = Change::changed;
  std::string id;      // the state, transition, field, table, role, ... it is about
  LocalizedText text;  // one sentence in each language
};

inline constexpr EnumName<WorkflowChange::Kind> kChangeKindNames[] = {
    {WorkflowChange::Kind::state, "state"},
    {WorkflowChange::Kind::transition, "transition"},
    {WorkflowChange::Kind::field, "field"},
    {WorkflowChange::Kind::table, "table"},
    {WorkflowChange::Kind::role, "role"},
    {WorkflowChange::Kind::rule, "rule"},
    {WorkflowChange::Kind::milestone, "milestone"},
    {WorkflowChange::Kind::notify, "notify"},
    {WorkflowChange::Kind::review, "review"},
    {WorkflowChange::Kind::other, "other"},
};
static_assert(in_order(kChangeKindNames));
inline constexpr EnumName<WorkflowChange::Change> kChangeNames[] = {
    {WorkflowChange::Change::added, "added"},
    {WorkflowChange::Change::removed, "removed"},
    {WorkflowChange::Change::changed, "changed"},
};
static_assert(in_order(kChangeNames));

// Every difference from `from` to `to`, in the order of the file's sections (workflow,
// roles, fields, tables, computed values, states, transitions, milestones, follow-up,
// notify rules, deadlines). Empty when they mean the same.
std::vector<WorkflowChange> diff_workflows(const WorkflowDefinition& from,
                                           const WorkflowDefinition& to);

}  // namespace investflow::engine
