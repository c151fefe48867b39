#pragma once
// The API's handlers, one plain function per route (api_routes.cpp binds them). Reads
// return a Response; writes hand a Reply to the store's writer queue.

#include <optional>

#include "web/api.hpp"
#include "web/api_support.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

// api_auth.cpp
Response login(ApiContext& context, const Request& request);
Response logout(ApiContext& context, const Request& request);
Response me(ApiContext& context, const Request& request);
// api_users.cpp: accounts and API tokens, admins only. Every change is audited.
Response list_users(ApiContext& context, const Request& request);
Response create_user(ApiContext& context, const Request& request);
Response update_user(ApiContext& context, const Request& request, const RouteParams& params);
Response set_user_password(ApiContext& context, const Request& request, const RouteParams& params);
Response delete_user(ApiContext& context, const Request& request, const RouteParams& params);
Response list_tokens(ApiContext& context, const Request& request);
Response create_token(ApiContext& context, const Request& request);
Response revoke_token(ApiContext& context, const Request& request, const RouteParams& params);
// api_audit.cpp: GET /api/audit, auditors and admins.
Response list_audit(ApiContext& context, const Request& request);
// GET /api/users/directory: enabled users' ids and names, for any signed-in user.
Response user_directory(ApiContext& context, const Request& request);

// api_workflows.cpp
Response list_workflows(ApiContext& context, const Request& request);
Response get_workflow(ApiContext& context, const Request& request, const RouteParams& params);
// Admins only: the YAML body deployed as a new version, registered at once.
Response deploy_workflow(ApiContext& context, const Request& request);
Response workflow_versions(ApiContext& context, const Request& request, const RouteParams& params);
Response workflow_diff(ApiContext& context, const Request& request, const RouteParams& params);
// api_migrations.cpp. Admins only: projects moved (or, dry, planned) to another version.
Response migrate_workflow(ApiContext& context, const Request& request, const RouteParams& params);

// api_projects.cpp
// The list's filters, sort and page from the query string (also the export's); `today`
// for overdue=true.
Parsed<storage::ProjectQuery> project_query(ApiContext& context, const Request& request,
                                            engine::Date today);
Response list_projects(ApiContext& context, const Request& request);
// GET /api/board: every open state's first cards with its count (issue 22).
Response board(ApiContext& context, const Request& request);
Response get_project(ApiContext& context, const Request& request, const RouteParams& params);
// get_project's fast path (Router FastPath): answers from memory on the I/O thread, or
// nullopt.
std::optional<Response> get_project_from_memory(ApiContext& context, const Request& request,
                                                const RouteParams& params);
Response project_history(ApiContext& context, const Request& request, const RouteParams& params);
Response transition_options(ApiContext& context, const Request& request, const RouteParams& params);

// api_stream.cpp: server-sent events.
Response stream_events(ApiContext& context, const Request& request);

// api_commands.cpp
void create_project(ApiContext& context, const Request& request, Reply reply);
void edit_project(ApiContext& context, const Request& request, const RouteParams& params,
                  Reply reply);
void take_transition(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply);
void cast_vote(ApiContext& context, const Request& request, const RouteParams& params, Reply reply);
void record_milestone(ApiContext& context, const Request& request, const RouteParams& params,
                      Reply reply);
void record_followup(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply);
void comment_project(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply);

// api_problems.cpp (issue 17, the service desk)
// GET /api/projects/export: the filtered list (GET /api/projects's filters) of one workflow
// as CSV or XLSX, every page.
Response export_project_list(ApiContext& context, const Request& request);
// POST /api/projects/{id}/followups with `problems`: the visit (`followup`, parsed by
// record_followup) and one new item per problem, all or nothing.
void submit_followup_with_problems(ApiContext& context, const Request& request,
                                   const Caller& caller, engine::Command followup,
                                   const boost::json::object& body, Reply reply);

}  // namespace investflow::web::api
