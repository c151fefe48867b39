#pragma once
// The columns of the projects table that copy parts of a projection so they can be indexed:
// the fields carrying the report tags name, enterprise, industry, investment,
// responsible_unit, problem_category and promoting_unit (language v1.1; empty or 0 in a
// workflow without the tag; the last three are NULL in the table then, so their partial
// indexes hold only the projects that have them) and the earliest open deadline (none in a
// terminal state). The projection's JSON body stays the source of truth.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace SQLite {
class Statement;
}

namespace investflow::storage {

// next_due_on of a project with no open deadline: sorts after every real date.
inline constexpr std::string_view kNoDeadline = "9999-12-31";

struct ProjectionColumns {
  std::string name;             // tag name
  std::string investor;         // tag enterprise
  std::string industry;         // tag industry
  double total_investment = 0;  // tag investment, 万元
  std::string next_due_on;      // YYYY-MM-DD
  // The earliest due day of an open deadline whose last alert has not fired
  // (engine::earliest_unalerted_due): what the scheduler looks at. kNoDeadline: none.
  std::string next_alert_on;
  std::string responsible_unit;  // tag responsible_unit (the service desk's ledger)
  std::string problem_category;  // tag problem_category
  std::string promoting_unit;    // tag promoting_unit; copied to its children's rows
  bool operator==(const ProjectionColumns&) const = default;
};

// `workflow` is the version the project was decided with.
ProjectionColumns projection_columns(const engine::Workflow& workflow,
                                     const engine::Project& project);

// The columns of a projects row that a later event may change (not id, workflow,
// created_at), as written for a projection or as read back. workflow_version changes only
// with a workflow_migrated event.
struct ProjectionRow {
  std::string state;
  std::string owner;
  ProjectionColumns columns;
  engine::Timestamp updated_at = 0;
  engine::Timestamp state_entered_at = 0;
  std::int64_t workflow_version = 0;
  bool operator==(const ProjectionRow&) const = default;
};

ProjectionRow projection_row(const engine::Workflow& workflow, const engine::Project& project);

// The changeable columns, one bit each, in the order of kProjectionRowColumns.
enum ProjectionColumn : unsigned {
  kStateColumn = 1U << 0,
  kOwnerColumn = 1U << 1,
  kNameColumn = 1U << 2,
  kInvestorColumn = 1U << 3,
  kIndustryColumn = 1U << 4,
  kInvestmentColumn = 1U << 5,
  kUpdatedAtColumn = 1U << 6,
  kStateEnteredAtColumn = 1U << 7,
  kNextDueOnColumn = 1U << 8,
  kWorkflowVersionColumn = 1U << 9,
  kResponsibleUnitColumn = 1U << 10,
  kProblemCategoryColumn = 1U << 11,
  kPromotingUnitColumn = 1U << 12,
  kNextAlertOnColumn = 1U << 13,
};
inline constexpr unsigned kAllProjectionColumns = (1U << 14) - 1;
inline constexpr std::string_view kProjectionRowColumns[] = {"state",
                                                             "owner",
                                                             "name",
                                                             "investor",
                                                             "industry",
                                                             "total_investment",
                                                             "updated_at",
                                                             "state_entered_at",
                                                             "next_due_on",
                                                             "workflow_version",
                                                             "responsible_unit",
                                                             "problem_category",
                                                             "promoting_unit",
                                                             "next_alert_on"};

// The changeable columns as a projects row holds them (NULL read as ""), from `select`'s
// column `first` on, in the order of kProjectionRowColumns (projection_row_select()).
ProjectionRow read_projection_row(SQLite::Statement& select, int first);
// kProjectionRowColumns joined by commas, for a SELECT list.
std::string projection_row_select();

// The columns whose values differ between two rows.
unsigned changed_columns(const ProjectionRow& before, const ProjectionRow& after);

// UPDATE of a project's row that sets only `changed` (ProjectionColumn bits) besides
// version, body and head_hash. SQLite rewrites an index entry (and fires the full-text
// trigger) only for columns in the SET list, so an edit of an unindexed field touches the
// indexes on updated_at alone. Parameters: the changed columns' values in the order of
// kProjectionRowColumns, then version, body, head_hash, id, the expected old version.
std::string projection_update_sql(unsigned changed);

}  // namespace investflow::storage
