#pragma once
// The read side of the SQLite store: each function runs on one (read-only) connection.
// SQLite errors propagate as SQLite::Exception; the store turns them into storage::Error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/list_cursor.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/store.hpp"
#include "storage/workflow_registry.hpp"

namespace investflow::storage {

std::optional<engine::Project> query_project(Connection& connection, std::string_view id);
// The stored (canonical) projection, decoded and encoded in the wire form.
// With `workflows`, the JSON carries the project's computed values (wire_json.hpp).
std::optional<ProjectJson> query_project_json(Connection& connection, std::string_view id,
                                              const WorkflowRegistry* workflows = nullptr);

// Keyset paging: the cursor carries the sort, the direction and the last row's sort value
// and id, so a page starts exactly after the previous one whatever was inserted meanwhile.
Outcome<ProjectPage> query_projects(Connection& connection, const ProjectQuery& query);

// The SELECT query_projects runs for `query` and the values it binds, in order: each row is
// (body, sort value, id), one more than query.limit (whether there is a next page). A
// search text is looked up first on `connection` (its few matches go into the SQL). Fails
// as query_projects does on a query the list refuses. (Also for tests of SQLite's plan.)
struct ProjectListSql {
  using Value = ListCursor::Value;
  std::string sql;
  std::vector<Value> parameters;
  void bind(SQLite::Statement& statement) const;  // every parameter, from index 1
};
Outcome<ProjectListSql> project_list_sql(Connection& connection, const ProjectQuery& query);

std::vector<StoredEvent> query_history(Connection& connection, std::string_view project_id);
// Every project's events with id > after_id, in id order, at most limit.
std::vector<StoredEvent> query_events_after(Connection& connection, std::int64_t after_id,
                                            int limit);
std::int64_t query_last_event_id(Connection& connection);
// Whether `scope` sees the project (scope_sql.hpp); false when there is none.
bool query_visible(Connection& connection, std::string_view project_id,
                   const engine::DataScope& scope);
// The projects a file_attached event of this attachment id belongs to, by id.
std::vector<std::string> query_projects_with_attachment(Connection& connection,
                                                        std::string_view attachment_id);

std::vector<StoredCalendar> query_calendars(Connection& connection);
std::vector<StoredWorkflow> query_workflows(Connection& connection);

}  // namespace investflow::storage
