#pragma once
// The service desk's figures (issue 17; definitions in docs/service-desk.md): over the items
// of the workflows with a state tagged `resolved` (language v1.1 report tags; the shipped
// one is service-problem.yaml), the problems raised in a period and what became of them:
//
//   诉求办结率   resolved ÷ raised: of the problems raised in the period, those now in the
//               state tagged `resolved`
//   按期办结率   on time ÷ resolved: resolved on or before the due date of every milestone
//               the problem has (its deadline, extensions included; none: on time)
//   average working days to close: from the day raised (created) to the day it entered
//               the `resolved` state, on the workflow's calendar, over the resolved ones
//   open by unit and by category: problems not in a terminal state now (any period), by
//               the value of the field tagged responsible_unit / problem_category
//
// Every figure reads tags, never a state or field name. The monthly report calls
// problem_report() for its 问题台账 sheet; the API (GET /api/reports/problems) and the CLI
// (`investflow report problems`) hand it out as JSON, CSV or XLSX.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/workflow.hpp"
#include "storage/reports.hpp"
#include "storage/sheet_output.hpp"
#include "storage/sql_statement.hpp"

namespace investflow::storage {

// One department's (or category's) line. The label is the option's label (zh, en); a value
// that is no option of the field (or none: "") is shown as it is.
struct ProblemGroup {
  std::string key;  // the field's value, "" when absent
  engine::LocalizedText label;
  std::int64_t raised = 0;  // in the period
  std::int64_t resolved = 0;
  std::int64_t on_time = 0;
  std::optional<double> resolution_rate;  // resolved ÷ raised; null when raised is 0
  std::optional<double> on_time_rate;     // on_time ÷ resolved; null when resolved is 0
  std::int64_t open = 0;                  // open now, whenever raised
};

struct ProblemReport {
  std::vector<std::string> workflows;  // the workflows counted
  ReportPeriod period;
  std::int64_t raised = 0;           // created in the period
  std::int64_t resolved = 0;         // of those, now in the state tagged resolved
  std::int64_t on_time = 0;          // of those, resolved on or before every milestone's due date
  std::int64_t ended_otherwise = 0;  // of those, in another terminal state (not solved)
  std::optional<double> resolution_rate;       // 诉求办结率
  std::optional<double> on_time_rate;          // 按期办结率
  std::optional<double> average_working_days;  // to close, over the resolved ones
  std::int64_t open = 0;                       // open now, whenever raised
  std::vector<ProblemGroup> by_unit;           // every unit with a problem raised or open
  std::vector<ProblemGroup> by_category;
};

// The workflows of `all` that the figures read: those with a state tagged resolved.
Workflows problem_workflows(const Workflows& all);

// `workflows` are the latest versions: states (terminal, tagged), labels and the calendar
// are read through them.
Outcome<ProblemReport> problem_report(SqlDatabase& connection, const Workflows& workflows,
                                      const ReportPeriod& period);

boost::json::value report_json(const ProblemReport& report);
// 问题台账 (the totals), 按责任单位, 按问题类别.
std::vector<Sheet> report_sheets(const ProblemReport& report);

}  // namespace investflow::storage
