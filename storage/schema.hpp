#pragma once
// The database schema and its migrations. The schema version lives in PRAGMA user_version;
// opening a database applies every missing migration, each in its own transaction, and
// refuses a database written by a newer binary (its schema version is above ours).

#include <string>

#include "engine/result.hpp"

namespace SQLite {
class Database;
}

namespace investflow::storage {

// 1: workflows, projects, events, outbox, idempotency keys
// 2: read model: list indexes and full-text search on name and investor (FTS5, trigram)
// 3: users, sessions, api tokens
// 4: report summaries (reports_ledger.hpp), filled from the event log on upgrade
// 5: notifications (inboxes), webhooks and their deliveries
// 6: the index the dispatcher reads pending outbox rows by
// 7: deployed calendars; notifications may be notices from the server (no event)
// 8: parent links: projects.parent and its index (parent, workflow)
// 9: event batches, digests, robot posts
// 10: report-tag columns for the service desk's ledger (responsible_unit, problem_category,
//     promoting_unit, parent_promoting_unit) and their partial indexes
// 11: report_projects gains the days of the tagged stages and milestones (KPIs of zones,
//     drill-down to the projects a figure counts), refilled from the log
// 12: funds ledger summaries (report_funds, report_unit_reached), targets and their history
// 13: the index that finds the projects holding an attachment (file_attached events)
// 14: projects_owner (owner, updated_at, id)
// 15: notification settings (digest), notifications.held, the indexes of 我的待办
// 16: saved filters of the project list (saved_filters), per user
// 17: api_tokens.expires_at
// 18: events.log_hash (the chain over all events in commit order), the audit log
// 19: data scope: users.unit, project_access (the keys of each project's visibility)
// 20: covering indexes of report_projects for the lists 在建项目 and 超时限未开工
// 21: the problems' report summaries (report_problems, report_problem_closings)
// 22: projects_industry_state (the list filtered by industry and stage, by investment),
//     projects_workflow (workflow, workflow_version, state), holder keys in project_access
// 23: distinct enterprises by day (report_enterprise_days, report_enterprises), the
//     pipeline by one dimension at a time (report_pipeline_by)
// 24: daily report summaries by month too (report_created_months, report_reached_months,
//     report_duration_months, report_enterprise_mark_months)
// 25: projects.next_alert_on (the scheduler's column) and its index projects_alert
inline constexpr int kSchemaVersion = 25;

// PRAGMA application_id of an investflow database ("INVF").
inline constexpr int kApplicationId = 0x494E5646;

// Reads PRAGMA user_version.
int schema_version(SQLite::Database& db);

// Applies the migrations after the current version up to `target` (tests migrate to an
// earlier version to build an old database). Returns the version reached, or why not.
engine::Result<int, std::string> migrate(SQLite::Database& db, int target = kSchemaVersion);

}  // namespace investflow::storage
