#include "storage/projection_columns.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <iterator>

#include "engine/deadlines.hpp"

namespace investflow::storage {
namespace {

const engine::Value* tagged_value(const engine::Workflow& workflow, const engine::Project& project,
                                  engine::FieldTag tag) {
  const engine::FieldDef* field = workflow.tagged(tag);
  if (field == nullptr) return nullptr;
  const auto found = project.fields.find(field->name);
  return found == project.fields.end() ? nullptr : &found->second;
}

std::string text_field(const engine::Workflow& workflow, const engine::Project& project,
                       engine::FieldTag tag) {
  const engine::Value* value = tagged_value(workflow, project, tag);
  if (value == nullptr) return {};
  if (const std::string* text = value->as_text()) return *text;
  return value->to_display();
}

}  // namespace

ProjectionColumns projection_columns(const engine::Workflow& workflow,
                                     const engine::Project& project) {
  using engine::FieldTag;
  ProjectionColumns columns;
  columns.name = text_field(workflow, project, FieldTag::name);
  columns.investor = text_field(workflow, project, FieldTag::enterprise);
  columns.industry = text_field(workflow, project, FieldTag::industry);
  if (const engine::Value* value = tagged_value(workflow, project, FieldTag::investment)) {
    if (const double* number = value->as_number()) columns.total_investment = *number;
  }
  columns.responsible_unit = text_field(workflow, project, FieldTag::responsible_unit);
  columns.problem_category = text_field(workflow, project, FieldTag::problem_category);
  columns.promoting_unit = text_field(workflow, project, FieldTag::promoting_unit);

  // A project that has ended has no open deadline (as engine::due_items says): a milestone
  // it never recorded done does not make it overdue.
  if (const engine::StateDef* state = workflow.find_state(project.state);
      state != nullptr && state->terminal) {
    columns.next_due_on = std::string(kNoDeadline);
    columns.next_alert_on = std::string(kNoDeadline);
    return columns;
  }
  const std::optional<engine::Date> alert = engine::earliest_unalerted_due(workflow, project);
  columns.next_alert_on = alert ? alert->to_string() : std::string(kNoDeadline);

  std::optional<engine::Date> earliest;
  auto consider = [&earliest](const std::optional<engine::Date>& date) {
    if (date && (!earliest || *date < *earliest)) earliest = date;
  };
  consider(project.sla_due_on);
  consider(project.followup_due_on);
  for (const auto& [id, milestone] : project.milestones) {
    if (!milestone.done_on) consider(milestone.due_on);
  }
  columns.next_due_on = earliest ? earliest->to_string() : std::string(kNoDeadline);
  return columns;
}

ProjectionRow projection_row(const engine::Workflow& workflow, const engine::Project& project) {
  return ProjectionRow{project.state,
                       project.owner,
                       projection_columns(workflow, project),
                       project.updated_at,
                       project.state_entered_at,
                       project.workflow_version};
}

unsigned changed_columns(const ProjectionRow& before, const ProjectionRow& after) {
  unsigned changed = 0;
  auto differ = [&changed](bool different, ProjectionColumn column) {
    if (different) changed |= column;
  };
  differ(before.state != after.state, kStateColumn);
  differ(before.owner != after.owner, kOwnerColumn);
  differ(before.columns.name != after.columns.name, kNameColumn);
  differ(before.columns.investor != after.columns.investor, kInvestorColumn);
  differ(before.columns.industry != after.columns.industry, kIndustryColumn);
  // Compared as stored: a REAL column gives back exactly the double written.
  differ(before.columns.total_investment != after.columns.total_investment, kInvestmentColumn);
  differ(before.updated_at != after.updated_at, kUpdatedAtColumn);
  differ(before.state_entered_at != after.state_entered_at, kStateEnteredAtColumn);
  differ(before.columns.next_due_on != after.columns.next_due_on, kNextDueOnColumn);
  differ(before.workflow_version != after.workflow_version, kWorkflowVersionColumn);
  differ(before.columns.responsible_unit != after.columns.responsible_unit, kResponsibleUnitColumn);
  differ(before.columns.problem_category != after.columns.problem_category, kProblemCategoryColumn);
  differ(before.columns.promoting_unit != after.columns.promoting_unit, kPromotingUnitColumn);
  differ(before.columns.next_alert_on != after.columns.next_alert_on, kNextAlertOnColumn);
  return changed;
}

std::string projection_update_sql(unsigned changed) {
  std::string sql = "UPDATE projects SET ";
  for (std::size_t i = 0; i < std::size(kProjectionRowColumns); ++i) {
    if ((changed & (1U << i)) == 0) continue;
    sql += kProjectionRowColumns[i];
    sql += " = ?, ";
  }
  sql += "version = ?, body = ?, head_hash = ? WHERE id = ? AND version = ?";
  return sql;
}

ProjectionRow read_projection_row(SQLite::Statement& select, int first) {
  auto text = [&select, first](int i) { return select.getColumn(first + i).getString(); };
  ProjectionRow row;
  row.state = text(0);
  row.owner = text(1);
  row.columns.name = text(2);
  row.columns.investor = text(3);
  row.columns.industry = text(4);
  row.columns.total_investment = select.getColumn(first + 5).getDouble();
  row.updated_at = select.getColumn(first + 6).getInt64();
  row.state_entered_at = select.getColumn(first + 7).getInt64();
  row.columns.next_due_on = text(8);
  row.workflow_version = select.getColumn(first + 9).getInt64();
  row.columns.responsible_unit = text(10);
  row.columns.problem_category = text(11);
  row.columns.promoting_unit = text(12);
  row.columns.next_alert_on = text(13);
  return row;
}

std::string projection_row_select() {
  std::string list;
  for (const std::string_view column : kProjectionRowColumns) {
    if (!list.empty()) list += ", ";
    list += column;
  }
  return list;
}

}  // namespace investflow::storage
