// The API's route table: every route under /api/ declared once, with its handler and its
// OpenAPI operation (route_table.hpp). add_api_routes() registers it; openapi.cpp describes it.
#include "engine/names.hpp"
#include "notify/notify_store.hpp"
#include "storage/audit.hpp"
#include "storage/reports.hpp"
#include "storage/system_clock.hpp"
#include "web/api.hpp"
#include "web/api_attachments.hpp"
#include "web/api_bulk.hpp"
#include "web/api_funds.hpp"
#include "web/api_handlers.hpp"
#include "web/api_imports.hpp"
#include "web/api_mywork.hpp"
#include "web/api_notify.hpp"
#include "web/api_reports.hpp"
#include "web/api_saved_filters.hpp"
#include "web/api_supervise.hpp"
#include "web/openapi.hpp"
#include "web/route_table.hpp"

namespace investflow::web {

ApiContext::ApiContext(storage::Store& store_in, storage::AuthStore& auth_in,
                       std::shared_ptr<const engine::Clock> clock_in)
    : store(store_in),
      auth(auth_in),
      clock(clock_in ? std::move(clock_in) : std::make_shared<storage::SystemClock>()),
      feed(std::make_shared<EventFeed>(store_in)) {
}

namespace {

// Built once, when the routes are added: the document only changes with the program.
const std::string& openapi_text() {
  static const std::string document = openapi_json();
  return document;
}

Response serve_openapi(ApiContext&, const Request&) {
  return json_response(200, openapi_text());
}

void create_project(ApiContext& context, const Request& request, const RouteParams&, Reply reply) {
  api::create_project(context, request, std::move(reply));
}

const Parameter kIfMatch{.name = "If-Match",
                         .in = "header",
                         .description = "The expected version, e.g. \"3\" (412 when stale)"};
const Parameter kIdempotencyKey{.name = "Idempotency-Key",
                                .in = "header",
                                .description =
                                    "A repeat with the same key returns the first "
                                    "response"};
const Parameter kCursor{.name = "cursor", .description = "next_cursor of the previous page"};

Parameter limit(int most, std::string_view description) {
  return Parameter{.name = "limit",
                   .description = description,
                   .type = "integer",
                   .minimum = 1,
                   .maximum = most};
}

Parameter day(std::string_view name, std::string_view description, bool required = false) {
  return Parameter{
      .name = name, .description = description, .format = "date", .required = required};
}

// problems (issue 17): the service desk's ledger filters, by report tags.
const Parameter kResponsibleUnit{
    .name = "responsible_unit",
    .description = "Only items whose field tagged `report: responsible_unit` has this value"};
const Parameter kProblemCategory{
    .name = "problem_category",
    .description = "Only items whose field tagged `report: problem_category` has this value"};
const Parameter kParentPromotingUnit{
    .name = "parent_promoting_unit",
    .description =
        "Only items whose parent's field tagged `report: promoting_unit` has this "
        "value"};

const Parameter kReportWorkflow{
    .name = "workflow", .description = "The workflow's id", .required = true};
const Parameter kReportFormat{.name = "format",
                              .description =
                                  "json (default), or a download with Chinese "
                                  "headers: csv or xlsx",
                              .values = {"json", "csv", "xlsx"}};

// kpis (issue 16): the monthly report's text format.
const Content kPlainText{"text/plain", {}, {}};

// A report in JSON, or as CSV or XLSX with ?format=.
std::vector<Answer> report_answer(std::string_view schema) {
  return {{.status = 200,
           .description = "The report (JSON), or the file (format=csv or xlsx)",
           .content = {json(schema), kCsv, kXlsx},
           .headers = {"Content-Disposition"}}};
}

// What every project write answers: the new version and the events it recorded.
std::vector<Answer> write_answer(int status = 200) {
  std::vector<std::string_view> headers = {"ETag"};
  if (status == 201) headers.push_back("Location");
  return {{.status = status,
           .description = "Accepted: the new version and the events recorded",
           .content = {json("WriteResult")},
           .headers = std::move(headers)}};
}

// A project write: the store decides with the engine (409 stale, 412 If-Match, 422 rules).
const std::vector<int> kWriteErrors = {400, 401, 403, 404, 409, 412, 413, 422};
// Notifications need the notify tables; admin routes need the role.
const std::vector<int> kAdminErrors = {401, 403, 503};
const std::vector<int> kReportErrors = {400, 401, 403, 404, 503};

std::vector<RouteDef<ApiContext>> make_table() {
  return {
      // --- auth -------------------------------------------------------------------------
      {.method = "POST",
       .path = "/api/login",
       .plain = api::login,
       .doc = {.operation_id = "login",
               .tag = "auth",
               .summary = "Log in",
               .description =
                   "Checks the password, sets the HttpOnly session cookie and returns the "
                   "user with the CSRF token to send on unsafe requests. The body must be "
                   "JSON (415 otherwise), and a browser's Origin must be the server's own "
                   "(403 cross_origin). Failures past three for an account make its next try "
                   "wait 1, 2, 4 ... up to 30 seconds, and twenty from one address in 15 "
                   "minutes make that address wait: 429 with Retry-After.",
               .request = {json("LoginRequest")},
               .responses = {{.status = 200,
                              .description = "Logged in",
                              .content = {json("LoginResult")},
                              .headers = {"Set-Cookie"}}},
               .errors = {400, 401, 403, 413, 415, 429},
               .security = Security::none}},
      {.method = "POST",
       .path = "/api/logout",
       .plain = api::logout,
       .doc =
           {.operation_id = "logout",
            .tag = "auth",
            .summary = "Log out",
            .description = "Ends the session and clears the cookie.",
            .responses = {{.status = 204, .description = "Logged out", .headers = {"Set-Cookie"}}},
            .errors = {401, 403}}},
      {.method = "GET",
       .path = "/api/me",
       .plain = api::me,
       .doc = {.operation_id = "getMe",
               .tag = "auth",
               .summary = "The calling user",
               .description = "With the CSRF token when the caller uses a session cookie.",
               .responses = {{.status = 200, .description = "The user", .content = {json("User")}}},
               .errors = {401}}},
      {.method = "GET",
       .path = "/api/me/work",
       .plain = api::my_work,
       .doc = {.operation_id = "getMyWork",
               .tag = "auth",
               .summary =
                   "我的待办: the caller's next actions, deadlines, votes, problems, mentions",
               .description =
                   "Next actions: transitions the caller may take now on their open projects "
                   "(soonest deadline first). Deadlines: open deadlines of those projects in "
                   "their warning period or overdue (never a terminal project's). Votes: open "
                   "reviews whose voters' role the caller holds and where they have not voted. "
                   "Problems: open items of workflows with parent: that the caller owns or "
                   "holds in a user field. Mentions: comments that mention the caller. At most "
                   "50 of each.",
               .responses = {{.status = 200,
                              .description = "The caller's work",
                              .content = {json("MyWork")}}},
               .errors = {401}}},
      {.method = "GET",
       .path = "/api/users/directory",
       .plain = api::user_directory,
       .doc = {.operation_id = "userDirectory",
               .tag = "auth",
               .summary = "Enabled users' ids and display names (for @mentions)",
               .responses = {{.status = 200,
                              .description = "The users",
                              .content = {json("UserDirectory")}}},
               .errors = {401}}},
      {.method = "GET",
       .path = "/api/me/notification-settings",
       .plain = api::notification_settings,
       .doc = {.operation_id = "getNotificationSettings",
               .tag = "notifications",
               .summary = "The caller's inbox settings",
               .responses = {{.status = 200,
                              .description = "The settings",
                              .content = {json("NotificationSettings")}}},
               .errors = {401, 503}}},
      {.method = "PUT",
       .path = "/api/me/notification-settings",
       .plain = api::save_notification_settings,
       .doc = {.operation_id = "saveNotificationSettings",
               .tag = "notifications",
               .summary = "Change the caller's inbox settings",
               .description = "deadlines: each (one notification per deadline alert) or digest "
                              "(the alerts are kept read and counted in one notification a day, "
                              "which becomes unread again with each new alert).",
               .request = {json("NotificationSettings")},
               .responses = {{.status = 200,
                              .description = "The settings saved",
                              .content = {json("NotificationSettings")}}},
               .errors = {400, 401, 403, 413, 503}}},
      // --- users and API tokens (admins; the console's 用户管理) ------------------------
      {.method = "GET",
       .path = "/api/users",
       .plain = api::list_users,
       .doc = {.operation_id = "listUsers",
               .tag = "users",
               .summary = "Every user, and the roles a user may hold (admins only)",
               .description = "roles: the roles some workflow names (the stored workflows', or "
                              "the shipped ones while none is stored).",
               .responses =
                   {{.status = 200, .description = "The users", .content = {json("UserList")}}},
               .errors = {401, 403}}},
      {.method = "POST",
       .path = "/api/users",
       .plain = api::create_user,
       .doc = {.operation_id = "createUser",
               .tag = "users",
               .summary = "Add a user (admins only)",
               .description =
                   "As `investflow user add`. 422: invalid_user_name, weak_password (the "
                   "password policy: at least 12 characters, not a common one, not a run or "
                   "a repeat), roles_required, unknown_role (a role no workflow has), "
                   "invalid_display_name; 409 user_exists. Audited as user_created.",
               .request = {json("NewUser")},
               .responses = {{.status = 201,
                              .description = "Added",
                              .content = {json("User")},
                              .headers = {"Location"}}},
               .errors = {400, 401, 403, 409, 413, 422}}},
      {.method = "PATCH",
       .path = "/api/users/{id}",
       .with_params = api::update_user,
       .doc = {.operation_id = "updateUser",
               .tag = "users",
               .summary = "Change a user's name, roles or state (admins only)",
               .description =
                   "Members absent stay as they are. Disabling ends the user's sessions and "
                   "stops their API tokens (enabling gives the tokens back). 409 last_admin: "
                   "the last enabled admin cannot be disabled or lose the admin role. "
                   "Audited as user_changed, user_disabled, user_enabled.",
               .request = {json("UserChange")},
               .responses = {{.status = 200,
                              .description = "The user as changed",
                              .content = {json("User")}}},
               .errors = {400, 401, 403, 404, 409, 413, 422}}},
      {.method = "POST",
       .path = "/api/users/{id}/password",
       .with_params = api::set_user_password,
       .doc = {.operation_id = "setUserPassword",
               .tag = "users",
               .summary = "Set a user's password (admins only)",
               .description =
                   "As `investflow user passwd`: the user's sessions end; with revoke_tokens "
                   "their API tokens are revoked too. 422 weak_password. Audited as "
                   "password_changed.",
               .request = {json("PasswordChange")},
               .responses = {{.status = 204, .description = "Changed"}},
               .errors = {400, 401, 403, 404, 413, 422}}},
      {.method = "DELETE",
       .path = "/api/users/{id}",
       .with_params = api::delete_user,
       .doc = {.operation_id = "deleteUser",
               .tag = "users",
               .summary = "Delete a user (admins only)",
               .description =
                   "As `investflow user delete`: the account, its sessions, API tokens, saved "
                   "filters and inbox go; projects and their history keep the login name. 409 "
                   "last_admin for the last enabled admin. Audited as user_deleted.",
               .responses = {{.status = 204, .description = "Deleted"}},
               .errors = {401, 403, 404, 409}}},
      {.method = "GET",
       .path = "/api/tokens",
       .plain = api::list_tokens,
       .doc = {.operation_id = "listTokens",
               .tag = "users",
               .summary = "API tokens, newest first, never their secrets (admins only)",
               .parameters = {{.name = "user", .description = "Only this user's tokens"}},
               .responses =
                   {{.status = 200, .description = "The tokens", .content = {json("TokenList")}}},
               .errors = {401, 403}}},
      {.method = "POST",
       .path = "/api/tokens",
       .plain = api::create_token,
       .doc = {.operation_id = "createToken",
               .tag = "users",
               .summary = "Make an API token for a user (admins only)",
               .description =
                   "As `investflow user token`. The answer carries the secret, once: only "
                   "its hash is kept. expires_in_days absent: 365; null: never. 422 "
                   "no_such_user, invalid_token_name. Audited as token_created.",
               .request = {json("NewTokenRequest")},
               .responses = {{.status = 201,
                              .description = "Made: the token with its secret",
                              .content = {json("NewToken")},
                              .headers = {"Location"}}},
               .errors = {400, 401, 403, 413, 422}}},
      {.method = "DELETE",
       .path = "/api/tokens/{id}",
       .with_params = api::revoke_token,
       .doc = {.operation_id = "revokeToken",
               .tag = "users",
               .summary = "Revoke an API token (admins only)",
               .description = "It stops working at once. 404 when there is no such token or it "
                              "was revoked already. Audited as token_revoked.",
               .responses = {{.status = 204, .description = "Revoked"}},
               .errors = {401, 403, 404}}},
      {.method = "GET",
       .path = "/api/audit",
       .plain = api::list_audit,
       .doc = {.operation_id = "listAudit",
               .tag = "auth",
               .summary = "The security audit log (auditors and admins), newest first",
               .description =
                   "Logins and failed logins with the client's address, logouts, refused "
                   "requests (403), changes to users, tokens and webhooks, downloads, workflow "
                   "deploys and migrations, backups. Append-only and chained; signed digests "
                   "cover it.",
               .parameters = {{.name = "from",
                               .description = "Entries at or after this date or time (RFC 3339)"},
                              {.name = "to",
                               .description =
                                   "Entries before this time, or to the end of this date"},
                              {.name = "actor", .description = "Only this user's entries"},
                              {.name = "action",
                               .description = "Only entries of this action",
                               .values = {std::begin(storage::kAuditActions),
                                          std::end(storage::kAuditActions)}},
                              limit(500, "1 to 500 (default 100)"),
                              kCursor},
               .responses = {{.status = 200,
                              .description = "One page of entries",
                              .content = {json("AuditPage")}}},
               .errors = {400, 401, 403, 503}}},
      // --- workflows --------------------------------------------------------------------
      {.method = "GET",
       .path = "/api/workflows",
       .plain = api::list_workflows,
       .doc = {.operation_id = "listWorkflows",
               .tag = "workflows",
               .summary = "The workflows, latest version of each",
               .responses = {{.status = 200,
                              .description = "The workflows",
                              .content = {json("WorkflowList")}}},
               .errors = {401}}},
      {.method = "GET",
       .path = "/api/workflows/{id}",
       .with_params = api::get_workflow,
       .doc = {.operation_id = "getWorkflow",
               .tag = "workflows",
               .summary = "One workflow",
               .description =
                   "Labels, fields, states, transitions and a Mermaid state diagram: what "
                   "the console needs to draw forms, stage lists and the graph.",
               .parameters = {{.name = "version",
                               .description = "A version other than the latest",
                               .type = "integer"}},
               .responses =
                   {{.status = 200, .description = "The workflow", .content = {json("Workflow")}}},
               .errors = {400, 401, 404}}},
      {.method = "POST",
       .path = "/api/workflows/{id}/imports",
       .with_params = api::import_projects,
       .body_limit = api::kImportBodyLimit,
       .doc = {.operation_id = "importProjects",
               .tag = "workflows",
               .summary = "Import projects from a CSV or XLSX file (preview with dry_run)",
               .description =
                   "The file is the raw body (CSV in UTF-8 or GB18030, or XLSX, told apart by "
                   "content). Each row creates a project, or, when `key` names a column whose "
                   "value finds a stored project, updates it through the engine (edit-fields, "
                   "with history). Answers every row's action, problems (column label and "
                   "message, in the request's language) and converted values. All or nothing "
                   "unless partial=true; nothing is written unless dry_run=false. For whoever "
                   "may create projects of the workflow. 422 when the file as a whole is "
                   "unusable (unreadable, no header, unknown columns listed in errors).",
               .parameters = {{.name = "dry_run",
                               .description = "true (default): check and report only; false: "
                                              "import",
                               .values = {"true", "false"}},
                              {.name = "partial",
                               .description = "true: import the good rows even when some are "
                                              "refused; false (default): all or nothing",
                               .values = {"true", "false"}},
                              {.name = "key",
                               .description = "The column that identifies a project (e.g. 项目编号 "
                                              "or a field's label): matching rows update it"},
                              {.name = "sheet",
                               .description = "XLSX: the sheet (default: the first)"},
                              {.name = "encoding",
                               .description = "CSV: utf-8 or gb18030 (default: detected)"},
                              {.name = "ignore_columns",
                               .description = "Headers to leave out, comma-separated"}},
               .request = {kCsv, kXlsx},
               .responses = {{.status = 200,
                              .description = "The report (written tells whether anything was "
                                             "written)",
                              .content = {json("ImportReport")}}},
               .errors = {400, 401, 403, 404, 413, 415, 422}}},
      {.method = "POST",
       .path = "/api/workflows",
       .plain = api::deploy_workflow,
       .doc = {.operation_id = "deployWorkflow",
               .tag = "workflows",
               .summary = "Deploy a new version of a workflow (admins only)",
               .description =
                   "The body is the workflow's YAML. It is checked as `investflow validate` "
                   "does (parent links against the stored workflows), stored and registered at "
                   "once: new projects start on it, existing ones keep their version. 422 lists "
                   "every load error with its line and column; 409 when the version is not "
                   "above the newest stored, or is stored with other text. The same text again "
                   "answers 200 and changes nothing.",
               .request = {{"application/yaml"}, {"text/yaml"}, {"text/plain"}},
               .responses = {{.status = 201,
                              .description = "Deployed",
                              .content = {json("WorkflowDeployed")}},
                             {.status = 200,
                              .description = "Deployed already with this text; nothing changed",
                              .content = {json("WorkflowDeployed")}}},
               .errors = {400, 401, 403, 409, 413, 415, 422}}},
      {.method = "GET",
       .path = "/api/workflows/{id}/versions",
       .with_params = api::workflow_versions,
       .doc = {.operation_id = "getWorkflowVersions",
               .tag = "workflows",
               .summary = "A workflow's deployed versions, newest first, with their projects",
               .responses = {{.status = 200,
                              .description = "The versions",
                              .content = {json("WorkflowVersions")}}},
               .errors = {401, 404}}},
      {.method = "GET",
       .path = "/api/workflows/{id}/diff",
       .with_params = api::workflow_diff,
       .doc = {.operation_id = "getWorkflowDiff",
               .tag = "workflows",
               .summary = "What changed between two versions, in sentences",
               .description =
                   "States, transitions, fields, tables, roles and rules (guards, requires, "
                   "SLAs, deadlines, milestones, notify rules, reviews, computed values, report "
                   "tags) added, removed or changed, each as a Chinese and an English sentence "
                   "naming things by their labels.",
               .parameters = {{.name = "from",
                               .description = "The older version",
                               .type = "integer",
                               .minimum = 1,
                               .required = true},
                              {.name = "to",
                               .description = "The newer version",
                               .type = "integer",
                               .minimum = 1,
                               .required = true}},
               .responses = {{.status = 200,
                              .description = "The changes",
                              .content = {json("WorkflowDiff")}}},
               .errors = {400, 401, 404}}},
      {.method = "POST",
       .path = "/api/workflows/{id}/migrations",
       .with_params = api::migrate_workflow,
       .doc = {.operation_id = "migrateWorkflow",
               .tag = "workflows",
               .summary = "Move projects to another version (admins only), or preview it",
               .description =
                   "Each chosen project's stage is mapped (same id unless `map` renames it), "
                   "its fields checked against the target, and its review, SLA, milestones "
                   "and follow-up carried over or recomputed (`notes` say which). Each project "
                   "moves in its own transaction as a workflow_migrated event; those that "
                   "cannot move are listed with every reason and left alone. Without "
                   "`projects`, every project of the workflow not in a final state is chosen "
                   "(`terminal` counts those left alone). With `dry_run` nothing is written "
                   "and the rows say would_move. 422 for a target version not deployed, a map "
                   "naming unknown states, or a named project not of the workflow.",
               .request = {json("MigrationRequest")},
               .responses = {{.status = 200,
                              .description = "What happened to each project",
                              .content = {json("MigrationReport")}}},
               .errors = {400, 401, 403, 404, 413, 422}}},
      // --- projects ---------------------------------------------------------------------
      {.method = "GET",
       .path = "/api/projects",
       .plain = api::list_projects,
       .doc = {.operation_id = "listProjects",
               .tag = "projects",
               .summary = "Projects, filtered, sorted, searched, cursor-paged",
               .parameters =
                   {{.name = "workflow", .description = "Only this workflow's projects"},
                    {.name = "state", .description = "Only projects in this state"},
                    {.name = "industry",
                     .description = "Only projects whose field tagged `report: industry` has "
                                    "this value"},
                    {.name = "owner", .description = "Only this owner's projects (user id)"},
                    {.name = "parent",
                     .description = "Only the children of this project (its items of workflows "
                                    "with parent:)"},
                    {.name = "q", .description = "Text search: ID start, name or investor"},
                    {.name = "overdue",
                     .description = "true (overdue today), false, or a date YYYY-MM-DD"},
                    kResponsibleUnit,
                    kProblemCategory,
                    kParentPromotingUnit,
                    {.name = "sort",
                     .description = "updated, created, name, investment or due; prefix - for "
                                    "descending (the default), + for ascending"},
                    {.name = "figure",
                     .description = "Only the projects a report figure counts (docs/reports.md, "
                                    "Figures): new_projects, signed, started, completed, "
                                    "in_production, exited, under_construction, cohort, "
                                    "cohort_performing, cohort_started, cohort_start_due, "
                                    "cohort_started_on_time, cohort_in_production, "
                                    "cohort_completed, cohort_completion_due, "
                                    "cohort_completed_on_time, overdue_start, reached:STATE"},
                    day("from", "With figure: first day of its period"),
                    day("to", "With figure: last day of its period"),
                    {.name = "promoting_unit",
                     .description = "Only this value of the field tagged promoting_unit (with "
                                    "figure: of the figure's projects)"},
                    limit(500, "1 to 500"),
                    kCursor},
               .responses = {{.status = 200,
                              .description = "One page of projects",
                              .content = {json("ProjectPage")}}},
               .errors = {400, 401}}},
      {.method = "GET",
       .path = "/api/board",
       .plain = api::board,
       .doc = {.operation_id = "getBoard",
               .tag = "projects",
               .summary = "The board: the first cards of every open state, with its count",
               .description =
                   "One column per non-final state, in the workflow's order: its most "
                   "recently updated projects (as GET /api/projects would list them), whether "
                   "there are more, and the column's count and investment (万元) under the "
                   "board's filters (null when reports are off or with q, overdue or figure). "
                   "owners and promoting_units: the values that hold some project now, for "
                   "the filters.",
               .parameters = {kReportWorkflow,
                              {.name = "industry",
                               .description = "Only this value of the field tagged industry"},
                              {.name = "owner", .description = "Only this owner's projects"},
                              {.name = "promoting_unit",
                               .description = "Only this value of the field tagged "
                                              "promoting_unit"},
                              {.name = "q", .description = "Text search"},
                              {.name = "overdue",
                               .description = "true (overdue today), false, or a date YYYY-MM-DD"},
                              limit(100, "Cards per column, 1 to 100 (default 30)")},
               .responses =
                   {{.status = 200, .description = "The columns", .content = {json("Board")}}},
               .errors = {400, 401, 404}}},
      {.method = "GET",
       .path = "/api/projects/export",
       .plain = api::export_project_list,
       .doc = {.operation_id = "exportProjectList",
               .tag = "projects",
               .summary = "The filtered list of one workflow as XLSX or CSV (the ledger export)",
               .description =
                   "Every project GET /api/projects would list with the same filters (sort, "
                   "cursor and limit aside), oldest first, in the columns of `investflow "
                   "export`.",
               .parameters = {{.name = "workflow",
                               .description = "The workflow (its fields are the columns)",
                               .required = true},
                              {.name = "format",
                               .description = "xlsx (default) or csv",
                               .values = {"xlsx", "csv"}},
                              {.name = "state", .description = "Only projects in this state"},
                              {.name = "industry",
                               .description = "Only this value of the field tagged industry"},
                              {.name = "owner", .description = "Only this owner's projects"},
                              {.name = "parent",
                               .description = "Only the children of this project"},
                              {.name = "q", .description = "Text search"},
                              {.name = "overdue",
                               .description = "true (overdue today), false, or a date YYYY-MM-DD"},
                              kResponsibleUnit,
                              kProblemCategory,
                              kParentPromotingUnit},
               .responses = {{.status = 200,
                              .description = "The sheet",
                              .content = {kXlsx, kCsv},
                              .headers = {"Content-Disposition"}}},
               .errors = {400, 401, 404}}},
      {.method = "POST",
       .path = "/api/projects",
       .async = create_project,
       .doc = {.operation_id = "createProject",
               .tag = "projects",
               .summary = "Create a project in its workflow's initial state",
               .description =
                   "The id is derived from the Idempotency-Key when there is one (a repeat "
                   "is the same project), random otherwise, or given in the body. An item of "
                   "a workflow with parent: names the project it belongs to in parent (422 "
                   "parent_required, parent_not_allowed, no_such_parent, "
                   "parent_wrong_workflow, parent_closed).",
               .parameters = {kIdempotencyKey},
               .request = {json("CreateProject")},
               .responses = write_answer(201),
               .errors = {400, 401, 403, 409, 413, 422}}},
      {.method = "GET",
       .path = "/api/projects/{id}",
       .with_params = api::get_project,
       .fast = api::get_project_from_memory,
       .doc = {.operation_id = "getProject",
               .tag = "projects",
               .summary = "One project",
               .parameters =
                   {{.name = "If-None-Match",
                     .in = "header",
                     .description = "The ETag of a copy the client holds (304 when current)"}},
               .responses = {{.status = 200,
                              .description = "The project",
                              .content = {json("Project")},
                              .headers = {"ETag"}},
                             {.status = 304,
                              .description = "The client's copy is current",
                              .headers = {"ETag"}}},
               .errors = {401, 404}}},
      {.method = "PATCH",
       .path = "/api/projects/{id}",
       .async = api::edit_project,
       .doc = {.operation_id = "editProject",
               .tag = "projects",
               .summary = "Edit a project's fields",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("EditFields")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "GET",
       .path = "/api/projects/{id}/transitions",
       .with_params = api::transition_options,
       .doc = {.operation_id = "listTransitionOptions",
               .tag = "projects",
               .summary = "The transitions the caller may take now, and why the others are blocked",
               .responses = {{.status = 200,
                              .description = "The options",
                              .content = {json("TransitionOptions")},
                              .headers = {"ETag"}}},
               .errors = {401, 404}}},
      {.method = "POST",
       .path = "/api/projects/{id}/transitions",
       .async = api::take_transition,
       .doc = {.operation_id = "takeTransition",
               .tag = "projects",
               .summary = "Take a transition, with field edits and a comment",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("TakeTransition")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/projects/{id}/votes",
       .async = api::cast_vote,
       .doc = {.operation_id = "castVote",
               .tag = "projects",
               .summary = "Cast a review vote",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("CastVote")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/projects/{id}/comments",
       .async = api::comment_project,
       .doc = {.operation_id = "commentProject",
               .tag = "projects",
               .summary = "Comment on a project, mentioning users",
               .description =
                   "Recorded as a commented event (in the history). Each mentioned user gets an "
                   "inbox notification (trigger mentioned). The owner and every role that acts "
                   "somewhere in the workflow (a transition's roles, a review's voters) may "
                   "comment; a read-only role (auditor) may not (403). A mentioned user must be "
                   "known and enabled (422 unknown_user).",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("CommentProject")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/projects/{id}/milestones",
       .async = api::record_milestone,
       .doc = {.operation_id = "recordMilestone",
               .tag = "projects",
               .summary = "Record a milestone's dates",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("RecordMilestone")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/projects/{id}/followups",
       .async = api::record_followup,
       .doc = {.operation_id = "recordFollowup",
               .tag = "projects",
               .summary = "Record a follow-up visit, raising problems",
               .description =
                   "With `problems`, each object (field values of the problem workflow: the "
                   "one named in problem_workflow, else the only one whose parent: names this "
                   "project's workflow and that has a state tagged resolved) becomes a new item "
                   "of this project, written with the visit all or nothing; a refusal names "
                   "problems[i].FIELD.",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("RecordFollowup")},
               .responses = {{.status = 200,
                              .description = "Accepted: the visit's new version and events, and "
                                             "the problems created",
                              .content = {json("FollowupResult")},
                              .headers = {"ETag"}}},
               .errors = kWriteErrors}},
      {.method = "GET",
       .path = "/api/projects/{id}/history",
       .with_params = api::project_history,
       .doc = {.operation_id = "getProjectHistory",
               .tag = "projects",
               .summary = "A project's events with hash chain verification",
               .responses =
                   {{.status = 200, .description = "The events", .content = {json("History")}}},
               .errors = {401, 404}}},
      {.method = "POST",
       .path = "/api/projects/{id}/attachments",
       .async = api::upload_attachment,
       .body_limit = api::kAttachmentBodyLimit,
       .spool_body = true,
       .doc = {.operation_id = "uploadAttachment",
               .tag = "projects",
               .summary = "Attach a file (evidence) to a project",
               .description =
                   "The file is the raw body; the server writes it to disk as it arrives. Its "
                   "type is detected from its content: PDF, JPEG, PNG, OFD, DOCX, XLSX or ZIP "
                   "(anything else, and any HTML, SVG or script, is 415). Stored once per "
                   "content (by SHA-256, which is the attachment's id) beside the database; "
                   "a file_attached event puts it in the project's hash chain. At most 50 MiB "
                   "unless the server says otherwise (serve --attachment-limit), else 413. "
                   "For whoever may change the project. 200 with the attachment when the "
                   "project holds that file already.",
               .parameters = {{.name = "filename",
                               .description = "The file's name (a path is cut off)",
                               .required = true},
                              {.name = "milestone",
                               .description = "The milestone the file is evidence for"}},
               .request = {{"application/octet-stream", {}, "binary"}},
               .responses = {{.status = 201,
                              .description = "Attached",
                              .content = {json("Attachment")},
                              .headers = {"Location", "ETag"}},
                             {.status = 200,
                              .description = "The project holds this file already",
                              .content = {json("Attachment")}}},
               .errors = {400, 401, 403, 404, 413, 415, 422, 503}}},
      {.method = "GET",
       .path = "/api/projects/{id}/attachments",
       .with_params = api::list_attachments,
       .doc = {.operation_id = "listAttachments",
               .tag = "projects",
               .summary = "A project's attached files, oldest first",
               .responses = {{.status = 200,
                              .description = "The attachments",
                              .content = {json("AttachmentList")}}},
               .errors = {401, 404}}},
      {.method = "GET",
       .path = "/api/attachments/{id}",
       .with_params = api::download_attachment,
       .doc = {.operation_id = "downloadAttachment",
               .tag = "projects",
               .summary = "An attached file's bytes",
               .description =
                   "Sent with Content-Disposition: attachment (the name as uploaded, RFC 8187) "
                   "and X-Content-Type-Options: nosniff; with inline=true an image or PDF is "
                   "shown by the browser instead. The Content-Type is the detected one.",
               .parameters = {{.name = "project",
                               .description = "The project whose name for the file to use "
                                              "(default: the first holding it)"},
                              {.name = "inline",
                               .description = "true: show an image or PDF in the browser",
                               .values = {"true", "false"}}},
               .responses = {{.status = 200,
                              .description = "The file",
                              .content = {{"application/pdf", {}, "binary"},
                                          {"image/jpeg", {}, "binary"},
                                          {"image/png", {}, "binary"},
                                          {"application/ofd", {}, "binary"},
                                          {"application/vnd.openxmlformats-officedocument."
                                           "wordprocessingml.document",
                                           {},
                                           "binary"},
                                          kXlsx,
                                          {"application/zip", {}, "binary"}},
                              .headers = {"Content-Disposition", "ETag"}}},
               .errors = {400, 401, 404, 503}}},
      {.method = "POST",
       .path = "/api/projects/{id}/deadlines",
       .async = api::extend_deadline,
       .doc = {.operation_id = "extendDeadline",
               .tag = "projects",
               .summary = "Extend a deadline, with a reason",
               .description =
                   "An SLA may be extended by the state's escalate roles, else a manager; "
                   "recorded as a deadline_extended event. The workflow's deadlines.extend "
                   "limits refuse (422) a further extension of the same deadline "
                   "(extension_limit_reached) or one adding too many working days "
                   "(extension_too_long).",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("ExtendDeadline")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      // --- follow-up service desk (issue 17) ------------------------------------------
      {.method = "POST",
       .path = "/api/projects/{id}/supervisions",
       .async = api::supervise_project,
       .doc = {.operation_id = "superviseProject",
               .tag = "projects",
               .summary = "Supervise (督办) an item at a level, with a reason and a new due date",
               .description =
                   "The workflow's supervision: levels say who may raise an item to which "
                   "level. A level only rises (level_not_higher), the reason is required and "
                   "the new due date (after today) replaces the current state's SLA. Recorded "
                   "as a supervised event; notify rules `on: supervised` tell the unit, the "
                   "service officer and the liaison leader.",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("Supervise")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/projects/{id}/reassignments",
       .async = api::reassign_project,
       .doc = {.operation_id = "reassignProject",
               .tag = "projects",
               .summary = "Hand the project (owner) or a user field to another person (转交)",
               .description =
                   "Managers and admins; a reason is required and the new holder must be a "
                   "known, enabled user (422 unknown_user). Recorded as a reassigned event; "
                   "notify rules `on: reassigned` may name previous_holder and new_holder.",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("Reassign")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "POST",
       .path = "/api/reassignments",
       .plain = api::bulk_reassign,
       .doc = {.operation_id = "bulkReassign",
               .tag = "projects",
               .summary = "Bulk handover (人员交接): every open project a person holds",
               .description =
                   "Managers and admins. Finds the open projects whose owner (or user field, "
                   "per holders) is `from` and reassigns each to `to` as its own command, "
                   "decided by the engine; lists every result. A wrong request as a whole "
                   "(unknown user, no reason) is 422 before anything is written. With "
                   "`projects` (issue 22, chosen in the list): those projects' owner (or "
                   "holders) instead; a repeat with the same Idempotency-Key returns the "
                   "first results.",
               .parameters = {kIdempotencyKey},
               .request = {json("BulkReassign")},
               .responses = {{.status = 200,
                              .description = "One result per holding",
                              .content = {json("BulkReassignResult")}}},
               .errors = {400, 401, 403, 413, 422}}},
      // list (issue 22 item 11): bulk actions on chosen projects, saved filters.
      {.method = "POST",
       .path = "/api/bulk/transitions",
       .plain = api::bulk_transitions,
       .doc = {.operation_id = "bulkTransitions",
               .tag = "projects",
               .summary = "Take one transition on each chosen project (bulk action)",
               .description =
                   "1 to 200 projects. Each is its own command, decided by the engine against "
                   "the project as it is (roles, state, required fields, guards); one result "
                   "per project, in order, with the reasons in the request's language when "
                   "refused. `fields` are typed by each project's workflow (400 before "
                   "anything is written when a value cannot be read). A repeat with the same "
                   "Idempotency-Key returns the first results.",
               .parameters = {kIdempotencyKey},
               .request = {json("BulkTransitions")},
               .responses = {{.status = 200,
                              .description = "One result per project",
                              .content = {json("BulkTransitionResult")}}},
               .errors = {400, 401, 403, 413}}},
      {.method = "GET",
       .path = "/api/saved-filters",
       .plain = api::list_saved_filters,
       .doc = {.operation_id = "listSavedFilters",
               .tag = "projects",
               .summary = "The caller's saved filters of the project list",
               .responses = {{.status = 200,
                              .description = "The filters, in name order",
                              .content = {json("SavedFilterList")}}},
               .errors = {401}}},
      {.method = "POST",
       .path = "/api/saved-filters",
       .plain = api::save_filter,
       .doc = {.operation_id = "saveFilter",
               .tag = "projects",
               .summary = "Save a filter of the project list under a name",
               .description = "`params` are GET /api/projects's query parameters (paging aside); a "
                              "filter of the same name is replaced. At most 50 per user (422).",
               .request = {json("SaveFilter")},
               .responses = {{.status = 200,
                              .description = "The filter as saved",
                              .content = {json("SavedFilter")}}},
               .errors = {400, 401, 403, 413, 422}}},
      {.method = "DELETE",
       .path = "/api/saved-filters/{id}",
       .with_params = api::delete_saved_filter,
       .doc = {.operation_id = "deleteSavedFilter",
               .tag = "projects",
               .summary = "Remove one of the caller's saved filters",
               .responses = {{.status = 204, .description = "Removed"}},
               .errors = {401, 403, 404}}},
      // --- live -------------------------------------------------------------------------
      {.method = "GET",
       .path = "/api/stream",
       .plain = api::stream_events,
       .doc = {.operation_id = "streamEvents",
               .tag = "live",
               .summary = "Server-sent events of every committed event",
               .description =
                   "`id:` is the global event id, `event:` its type, `data:` a StreamEvent; "
                   "`notification` events carry a NotificationCount for the caller. Resume "
                   "with Last-Event-ID; a comment line every 15 s keeps the connection alive. "
                   "A user may hold 8 streams open (`serve --max-streams-per-user`); past that "
                   "429 (code `too_many_streams`) with Retry-After. A client that reads too "
                   "slowly for the server's stream memory is disconnected and resumes with "
                   "Last-Event-ID.",
               .parameters = {{.name = "Last-Event-ID",
                               .in = "header",
                               .description = "Resume after this global event id",
                               .type = "integer"}},
               .responses = {{.status = 200,
                              .description = "The stream",
                              .content = {{"text/event-stream", {}, {}}}}},
               .errors = {400, 401, 429}}},
      // --- notifications ----------------------------------------------------------------
      {.method = "GET",
       .path = "/api/notifications",
       .plain = api::list_notifications,
       .doc = {.operation_id = "listNotifications",
               .tag = "notifications",
               .summary = "The caller's inbox, newest first, with the unread count",
               .parameters = {{.name = "unread",
                               .description = "true: only unread ones",
                               .values = {"true", "false"}},
                              {.name = "type",
                               .description = "Only this event type (deadline_fired, commented, "
                                              "...) or digest; deadline_fired includes the "
                                              "alerts a digest holds, which are otherwise left "
                                              "out"},
                              limit(200, "1 to 200 (default 50)"),
                              kCursor},
               .responses = {{.status = 200,
                              .description = "One page of notifications",
                              .content = {json("NotificationPage")}}},
               .errors = {400, 401, 503}}},
      {.method = "POST",
       .path = "/api/notifications/read-all",
       .plain = api::read_all_notifications,
       .doc = {.operation_id = "readAllNotifications",
               .tag = "notifications",
               .summary = "Mark all of the caller's notifications read",
               .responses = {{.status = 200,
                              .description = "How many were marked",
                              .content = {json("NotificationsReadAll")}}},
               .errors = {401, 403, 503}}},
      {.method = "POST",
       .path = "/api/notifications/{id}/read",
       .with_params = api::read_notification,
       .doc = {.operation_id = "readNotification",
               .tag = "notifications",
               .summary = "Mark one of the caller's notifications read",
               .responses = {{.status = 200,
                              .description = "Marked",
                              .content = {json("NotificationRead")}}},
               .errors = {401, 403, 404, 503}}},
      {.method = "GET",
       .path = "/api/webhooks",
       .plain = api::list_webhooks,
       .doc = {.operation_id = "listWebhooks",
               .tag = "webhooks",
               .summary = "Webhook subscriptions (admins only)",
               .responses = {{.status = 200,
                              .description = "The webhooks",
                              .content = {json("WebhookList")}}},
               .errors = kAdminErrors}},
      {.method = "POST",
       .path = "/api/webhooks",
       .plain = api::create_webhook,
       .doc = {.operation_id = "createWebhook",
               .tag = "webhooks",
               .summary = "Subscribe a webhook (admins only)",
               .description =
                   "It receives the events committed from now on; the JSON format's body "
                   "is described under `webhooks`.",
               .request = {json("WebhookRequest")},
               .responses = {{.status = 201,
                              .description = "Subscribed",
                              .content = {json("Webhook")},
                              .headers = {"Location"}}},
               .errors = {400, 401, 403, 413, 422, 503}}},
      {.method = "DELETE",
       .path = "/api/webhooks/{id}",
       .with_params = api::delete_webhook,
       .doc = {.operation_id = "deleteWebhook",
               .tag = "webhooks",
               .summary = "Remove a webhook (admins only)",
               .description = "Its pending deliveries become dead.",
               .responses = {{.status = 204, .description = "Removed"}},
               .errors = {401, 403, 404, 503}}},
      {.method = "GET",
       .path = "/api/deliveries",
       .plain = api::list_deliveries,
       .doc = {.operation_id = "listDeliveries",
               .tag = "webhooks",
               .summary = "The webhook delivery log (admins only), newest first",
               .parameters = {{.name = "status",
                               .description = "Only deliveries in this status",
                               .values = engine::names_of(notify::kDeliveryStatusNames)},
                              limit(500, "1 to 500 (default 50)"),
                              kCursor},
               .responses = {{.status = 200,
                              .description = "One page of deliveries",
                              .content = {json("DeliveryPage")}}},
               .errors = {400, 401, 403, 503}}},
      {.method = "POST",
       .path = "/api/deliveries/{id}/replay",
       .with_params = api::replay_delivery,
       .doc = {.operation_id = "replayDelivery",
               .tag = "webhooks",
               .summary = "Deliver again (admins only)",
               .description = "Back to pending, attempts reset, due now.",
               .responses =
                   {{.status = 200, .description = "The delivery", .content = {json("Delivery")}}},
               .errors = {401, 403, 404, 503}}},
      // --- reports ----------------------------------------------------------------------
      {.method = "GET",
       .path = "/api/reports/pipeline",
       .plain = api::report_pipeline,
       .doc = {.operation_id = "getPipelineReport",
               .tag = "reports",
               .summary = "Projects and investment (万元) per stage now",
               .description = "Managers, leaders and admins.",
               .parameters = {kReportWorkflow,
                              {.name = "industry",
                               .description = "Only this value of the field tagged industry"},
                              {.name = "chain_role",
                               .description = "Only this value of the field tagged chain_role"},
                              {.name = "owner", .description = "Only this owner's projects"},
                              {.name = "promoting_unit",
                               .description = "Only this value of the field tagged promoting_unit"},
                              day("entered_from", "Created on or after"),
                              day("entered_to", "Created on or before"),
                              {.name = "by",
                               .description = "Also sum per value of this dimension (groups): "
                                              "industry, chain_role, owner or promoting_unit",
                               .values = {storage::pipeline_dimensions().begin(),
                                          storage::pipeline_dimensions().end()}},
                              kReportFormat},
               .responses = report_answer("ReportPipeline"),
               .errors = kReportErrors}},
      {.method = "GET",
       .path = "/api/reports/funnel",
       .plain = api::report_funnel,
       .doc = {.operation_id = "getFunnelReport",
               .tag = "reports",
               .summary = "How far the projects created in the period got, with conversion rates",
               .description = "Managers, leaders and admins.",
               .parameters = {kReportWorkflow, day("from", "First day"), day("to", "Last day"),
                              kReportFormat},
               .responses = report_answer("ReportFunnel"),
               .errors = kReportErrors}},
      {.method = "GET",
       .path = "/api/reports/aging",
       .plain = api::report_aging,
       .doc = {.operation_id = "getAgingReport",
               .tag = "reports",
               .summary = "Working days in each stage, and the longest-waiting projects",
               .description = "Median and 90th percentile working days in each stage (visits ended "
                              "in the period); the longest-waiting projects now. Managers, leaders "
                              "and admins.",
               .parameters = {kReportWorkflow, day("from", "First day"), day("to", "Last day"),
                              kReportFormat},
               .responses = report_answer("ReportAging"),
               .errors = kReportErrors}},
      {.method = "GET",
       .path = "/api/reports/kpis",
       .plain = api::report_kpis,
       .doc =
           {.operation_id = "getKpiReport",
            .tag =
                "reports",
            .summary =
                "新签约, 履约率, 开工率, 按期开工率, 投产率, 竣工率, 按期竣工率, 资金到位率, "
                "超时限未开工",
            .description =
                "Managers, leaders and admins. Cohort: the projects that first entered the state "
                "tagged "
                "`signed` on a day in the period (新签约); `today` is the server's day for the "
                "so-far figures. signed_projects / signed_investment_wan: 新签约项目数 and 签约额 "
                "(investment when signed, 万元). 履约率 = cohort projects keeping their agreement "
                "so far (every obligation milestone tagged registration, construction_start or "
                "funds kept by its due day or not yet due, and not exited) / cohort (a city "
                "scorecard: 履约项目数 ÷ 新签合同项目数). 开工率 = cohort started / cohort. "
                "按期开工率 = cohort started by the construction_start milestone's due day / "
                "cohort whose start is done or past due. 投产率 = cohort in production / cohort. "
                "竣工率 = cohort completed / cohort started. 按期竣工率 = cohort completed by the "
                "completion milestone's due day / cohort whose completion is done or past due "
                "(a provincial report: 履约率95%, 开工率86%, 投产率30%). 资金到位率, SLA and "
                "milestone on-time rates as before. numerator_figure / denominator_figure: the "
                "figure ids for GET /api/projects?figure=. overdue_start: 超时限未开工, live "
                "projects past the construction_start milestone's due day. A KPI whose tags the "
                "workflow lacks is null, never 0. Definitions and sources: docs/reports.md.",
            .parameters = {kReportWorkflow, day("from", "First day"), day("to", "Last day"),
                           kReportFormat},
            .responses = report_answer("ReportKpis"),
            .errors = kReportErrors}},
      {.method = "GET",
       .path = "/api/reports/period",
       .plain = api::report_period,
       .doc = {.operation_id = "getPeriodReport",
               .tag = "reports",
               .summary = "A period's figures per workflow, with a summary in Chinese and English",
               .description = "Managers, leaders and admins.",
               .parameters = {day("from", "First day", true), day("to", "Last day", true),
                              kReportFormat},
               .responses = report_answer("ReportPeriod"),
               .errors = {400, 401, 403, 503}}},
      // kpis (issue 16): the monthly report (月报).
      {.method = "GET",
       .path = "/api/reports/monthly",
       .plain = api::report_monthly,
       .doc = {.operation_id = "getMonthlyReport",
               .tag = "reports",
               .summary = "The monthly report (月报): summary, 1–N月 and 同比, project lists",
               .description =
                   "Managers, leaders and admins. Sheets in a fixed order: 汇总 (the written "
                   "summary, then per workflow its figures for the month, 1–N月 and the same "
                   "months of last year with 同比, and its KPIs), 新签约项目, 在建项目 (as of the "
                   "month's last day), 新开工, 新投产, 超时限未开工 (as of today); 到位资金 and "
                   "问题台账 when those reports are present. xlsx: typed cells (numbers, "
                   "percentages, dates); text: the summary and tab-separated sheets.",
               .parameters =
                   {{.name = "month", .description = "The month, YYYY-MM", .required = true},
                    {.name = "format",
                     .description = "json (default), xlsx or text",
                     .values = {"json", "xlsx", "text"}}},
               .responses = {{.status = 200,
                              .description = "The report (JSON), or the file",
                              .content = {json("ReportMonthly"), kXlsx, kPlainText},
                              .headers = {"Content-Disposition"}}},
               .errors = {400, 401, 403, 503}}},
      // --- funds and targets (issue 16) ---------------------------------------------------
      {.method = "POST",
       .path = "/api/projects/{id}/funds",
       .async = api::record_funds,
       .doc = {.operation_id = "recordFunds",
               .tag = "projects",
               .summary = "Record funds in place (到位资金): one ledger entry",
               .description =
                   "Anyone who may edit the project. Recorded as a funds_recorded event that "
                   "also sets the field tagged funds_in_place to the ledger's new sum. 422: "
                   "month not YYYY-MM or later than this month, amount zero, unknown source, "
                   "a negative amount (a correction) without a comment or below a zero sum "
                   "(invalid_field, comment_required); no_funds_field for a workflow without "
                   "that field.",
               .parameters = {kIfMatch, kIdempotencyKey},
               .request = {json("RecordFunds")},
               .responses = write_answer(),
               .errors = kWriteErrors}},
      {.method = "GET",
       .path = "/api/reports/funds",
       .plain = api::report_funds,
       .doc = {.operation_id = "getFundsReport",
               .tag = "reports",
               .summary = "到位资金: the month, 1–N月 cumulative and 同比, by source, workflow and "
                          "promoting unit",
               .description = "Managers, leaders and admins.",
               .parameters = {{.name = "month", .description = "YYYY-MM (default: this month)"},
                              {.name = "workflow", .description = "Only this workflow"},
                              kReportFormat},
               .responses = report_answer("ReportFunds"),
               .errors = kReportErrors}},
      {.method = "GET",
       .path = "/api/targets",
       .plain = api::get_targets,
       .doc = {.operation_id = "getTargets",
               .tag = "reports",
               .summary = "A year's targets per promoting unit, the units and the change history",
               .description = "Managers, leaders and admins.",
               .parameters = {{.name = "year",
                               .description = "Default: this year",
                               .type = "integer",
                               .minimum = 2000,
                               .maximum = 2100}},
               .responses =
                   {{.status = 200, .description = "The targets", .content = {json("Targets")}}},
               .errors = {400, 401, 403, 503}}},
      {.method = "PUT",
       .path = "/api/targets",
       .plain = api::put_target,
       .doc = {.operation_id = "setTarget",
               .tag = "reports",
               .summary = "Set (or, value null, remove) one promoting unit's annual target",
               .description =
                   "Managers and admins. Every change is kept in the history with who and "
                   "when. 422 invalid_target names the member (year 2000–2100, unit, figure, "
                   "value ≥ 0, whole for counts).",
               .request = {json("SetTarget")},
               .responses = {{.status = 200,
                              .description = "The target as it now stands, and the change",
                              .content = {json("TargetSet")}}},
               .errors = {400, 401, 403, 413, 422, 503}}},
      {.method = "GET",
       .path = "/api/reports/targets",
       .plain = api::report_targets,
       .doc = {.operation_id = "getTargetsReport",
               .tag = "reports",
               .summary = "Progress against the promoting units' targets, and their ranking",
               .description = "Managers, leaders and admins. Actuals from 1 January to today "
                              "(or the year's end).",
               .parameters = {{.name = "year",
                               .description = "Default: this year",
                               .type = "integer",
                               .minimum = 2000,
                               .maximum = 2100},
                              kReportFormat},
               .responses = report_answer("ReportTargets"),
               .errors = {400, 401, 403, 503}}},
      {.method = "GET",
       .path = "/api/reports/problems",
       .plain = api::report_problems,
       .doc = {.operation_id = "getProblemReport",
               .tag = "reports",
               .summary = "The service desk: 诉求办结率, 按期办结率, working days to close, open "
                          "problems by unit and by category",
               .description = "Over the problems raised in the period, of the workflows with a "
                              "state tagged resolved (or the one named); docs/service-desk.md "
                              "defines each figure. Managers, leaders and admins.",
               .parameters = {{.name = "workflow",
                               .description = "Only this workflow (default: every workflow with "
                                              "a state tagged resolved)"},
                              day("from", "First day"),
                              day("to", "Last day"),
                              kReportFormat},
               .responses = report_answer("ReportProblems"),
               .errors = kReportErrors}},
      // --- meta -------------------------------------------------------------------------
      {.method = "GET",
       .path = "/api/openapi.json",
       .plain = serve_openapi,
       .execution = Execution::io_thread,
       .doc = {.operation_id = "getOpenApiDocument",
               .tag = "meta",
               .summary = "This document",
               .responses = {{.status = 200,
                              .description = "The OpenAPI document",
                              .content = {json("OpenApiDocument")}}},
               .security = Security::none}},
  };
}

}  // namespace

const std::vector<RouteDef<ApiContext>>& api_route_table() {
  static const std::vector<RouteDef<ApiContext>> table = make_table();
  return table;
}

void add_api_routes(Router& router, std::shared_ptr<ApiContext> context) {
  // Handlers take the context by reference; the router's copies of `context` keep it alive.
  for (const auto& route : api_route_table())
    bind_route(router, route, context);
  router.allow_body("POST", "/api/projects/{id}/attachments", context->attachment_limit);
  (void)openapi_text();
}

}  // namespace investflow::web
