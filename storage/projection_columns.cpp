#include "storage/projection_columns.hpp"

namespace investflow::storage {
namespace {

std::string text_field(const engine::Project& project, std::string_view name) {
  const auto found = project.fields.find(name);
  if (found == project.fields.end()) return {};
  if (const std::string* text = found->second.as_text()) return *text;
  return found->second.to_display();
}

}  // namespace

ProjectionColumns projection_columns(const engine::Project& project) {
  ProjectionColumns columns;
  columns.name = text_field(project, kNameField);
  columns.investor = text_field(project, kInvestorField);
  columns.industry = text_field(project, kIndustryField);
  if (const auto found = project.fields.find(kInvestmentField); found != project.fields.end()) {
    if (const double* number = found->second.as_number()) columns.total_investment = *number;
  }

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

}  // namespace investflow::storage
