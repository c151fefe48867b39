#pragma once
// kpis (issue 16): one definition per figure. Every count the reports show (a KPI's
// numerator or denominator, a period figure, a funnel stage) has an id here, and the
// project list (GET /api/projects?figure=ID&from=&to=[&workflow=&promoting_unit=]) returns
// exactly the projects it counts, through the same condition over report_projects
// (reports_ledger.hpp). docs/reports.md ("Figures") lists them.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/workflow.hpp"
#include "storage/reports.hpp"
#include "storage/sql_statement.hpp"

namespace investflow::storage {

struct FigureDef {
  std::string_view id;
  engine::LocalizedText label;
};

// The figures, in the order docs/reports.md gives them. `reached:STATE` (a funnel stage:
// created in the period and ever entered STATE) is a figure too, for any state id.
const std::vector<FigureDef>& figure_defs();
bool is_figure(std::string_view id);

struct FigureQuery {
  std::string figure;
  ReportPeriod period;
  std::string workflow;        // empty: every workflow
  std::string promoting_unit;  // empty: any (the field tagged promoting_unit)
  engine::Date today;          // "so far" figures (履约, 按期, 超时限) are as of this day
};

// The condition over report_projects (no WHERE), with its text parameters in order; days
// are written into the text. nullopt for an unknown figure.
struct FigureSql {
  std::string condition;
  std::vector<std::string> parameters;
};
std::optional<FigureSql> figure_sql(const FigureQuery& query);

// How many projects a figure counts.
Outcome<std::int64_t> figure_count(SqlDatabase& connection, const FigureQuery& query);

// What a sheet shows of a counted project (from report_projects).
struct FigureProject {
  std::string project_id;
  std::string workflow;
  std::string name;
  std::string enterprise;
  std::string promoting_unit;
  std::string state;
  double investment = 0;  // 万元 (tag investment)
  std::int32_t created_day = 0;
  std::optional<std::int32_t> signed_day;
  std::optional<std::int32_t> started_day;
  std::optional<std::int32_t> completed_day;
  std::optional<std::int32_t> production_day;
  std::optional<std::int32_t> start_due_day;
};
// The projects a figure counts, by workflow then project id, each handed to `each` as it is
// read (one FigureProject, overwritten row by row); at most `limit`. Answers how many.
Outcome<std::int64_t> for_each_figure_project(SqlDatabase& connection, const FigureQuery& query,
                                              const std::function<void(const FigureProject&)>& each,
                                              int limit = 10000000);

// 新签约: projects that first entered the state
// tagged `signed` on a day in the period.
Outcome<std::int64_t> signed_projects(SqlDatabase& connection, const std::string& workflow,
                                      const ReportPeriod& period,
                                      const std::string& promoting_unit = "");
// The same rules by promoting unit, for targets (funds_report.hpp):
//   新签约 (signed in a period): the project first entered the state tagged `signed` in it;
//   新开工 (started in a period): it first entered the state tagged `construction_started`.
// Both are read from report_unit_reached (reports_ledger.hpp), by promoting unit.
struct ReachedSum {
  std::int64_t projects = 0;
  double investment = 0;  // the investment-tagged field when the state was entered, 万元
};

// Per promoting unit ("" for projects without one): the projects of `workflows` that first
// entered the state carrying `tag` between `from` and `to` (inclusive). A workflow without
// that tag adds nothing. Throws what SQLite throws.
std::map<std::string, ReachedSum> reached_by_unit(
    SqlDatabase& connection, const std::vector<std::shared_ptr<const engine::Workflow>>& workflows,
    engine::StateTag tag, engine::Date from, engine::Date to);

}  // namespace investflow::storage
