#pragma once
// What every API handler shares: who is calling (session cookie + CSRF token, or a bearer
// token), reading JSON bodies with errors that name the field, converting JSON to field
// values by the workflow's types, and turning store results into responses.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/command.hpp"
#include "engine/decide.hpp"
#include "engine/result.hpp"
#include "engine/workflow.hpp"
#include "storage/auth.hpp"
#include "storage/store.hpp"
#include "web/api.hpp"
#include "web/problem.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web::api {

inline constexpr std::string_view kSessionCookie = "investflow_session";
// The media type of an XLSX workbook, as answers send it.
inline constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Caller {
  storage::User user;
  engine::Actor actor;
  std::string csrf_token;  // empty for bearer tokens
  // What the caller may see (issue 19, `visibility:`): never null once authenticated.
  std::shared_ptr<const engine::DataScope> scope = std::make_shared<engine::DataScope>();
};

template <typename T>
using Parsed = engine::Result<T, Problem>;

// 401 without credentials; 403 for a cookie-authenticated unsafe request from another
// site's page (cross_origin) or without the session's CSRF token.
Parsed<Caller> authenticate(ApiContext& context, const Request& request);
// Reports show the whole zone's pipeline: for managers, leaders and admins (403
// role_not_allowed) who see every project (403 scope_not_whole); 503 without reports.
Parsed<Caller> report_reader(ApiContext& context, const Request& request);
// The data scope of a user under the registered workflow versions.
std::shared_ptr<const engine::DataScope> scope_of(ApiContext& context, const storage::User& user);
// 404 no_such_project (as for a project that does not exist, so that nothing tells an
// outsider it does) unless the caller's scope sees the project; a storage failure as such.
std::optional<Response> refuse_unseen(ApiContext& context, const Caller& caller,
                                      std::string_view project_id, const Request& request);
// A browser request made by another site's page: Origin names another scheme, host or port
// than the Host it was sent to (or is "null": a sandboxed or local page), or Sec-Fetch-Site
// says same-site or cross-site. Requests without either header (scripts, curl) are not.
bool is_cross_origin(const Request& request);
// 403 cross_origin, for is_cross_origin.
Problem cross_origin_refused();
std::optional<std::string> cookie(const Request& request, std::string_view name);
bool is_unsafe(std::string_view method);

// 400 invalid_type: `field` is not `expected` (e.g. {"数字", "a number"}).
Problem type_error(std::string_view field, const LocalizedText& expected);

Parsed<boost::json::object> parse_object(const Request& request);
// Optional members of a body object, type-checked (400 naming the member otherwise).
Parsed<std::string> string_member(const boost::json::object& body, std::string_view name,
                                  bool required = false);
// A JSON object of field values, converted by each field's type; unknown names pass
// through as they are, for the engine to reject with every other reason.
Parsed<engine::FieldMap> field_values(const engine::Workflow& workflow,
                                      const boost::json::value& fields, std::string_view where);

// The expected version from If-Match ("<n>" or n); 400 when malformed.
Parsed<std::optional<std::int64_t>> if_match(const Request& request);

// The problem in the request's language (problem.hpp).
Response problem(const Request& request, const Problem& problem);
// 404 no_such_project / no_such_workflow naming the id.
Problem no_such_project(std::string_view id);
Problem no_such_workflow(std::string_view id);
// 409 stale_version, 404 no_such_project, 403 when every reason is role_not_allowed or
// not_a_voter (a permission, not a rule),
// otherwise 422 listing every reason {field, message, code}.
Response rejection(const engine::Rejection& rejection, std::string_view lang);
// accepted: `success_status` with {project_id, version, events} and the ETag;
// rejected: rejection(); failed: reported_storage_problem (507 when the disk is full, ...).
Response write_result(const storage::WriteResult& result, int success_status, std::string_view lang,
                      const std::string& request_id);
Response json_body(int status, const boost::json::value& body);
// 412 for a write sent with If-Match that names another version; ETag: the current one.
Response version_mismatch(std::int64_t current_version, std::string_view lang);
// 400 for an invalid request, else reported_storage_problem (logged, with the request id).
Response storage_failure(const storage::Error& error, std::string_view lang,
                         const std::string& request_id);
Response storage_failure(const storage::Error& error, const Request& request);

boost::json::object user_json(const storage::User& user);

// A positive decimal id (a path's {id}, a cursor); nullopt otherwise.
std::optional<std::int64_t> parse_id(std::string_view text);
// ?limit=: 1..most, `fallback` when absent; 400 naming the range otherwise.
Parsed<int> limit_param(const Request& request, int fallback, int most);
// ?cursor=: a next_cursor an earlier page gave (INT64_MAX when absent: the first page);
// 400 invalid_cursor otherwise.
Parsed<std::int64_t> cursor_param(const Request& request);

// Records an entry in the security audit log when the server keeps one (context.audit):
// `action` (storage::kAuditActions) by `actor` ("" when nobody is signed in) on `target`,
// with the request's client address and id.
void audit(ApiContext& context, const Request& request, std::string actor, std::string action,
           std::string target, const boost::json::object& detail = {});

// Submits a write and answers the Reply from the writer thread.
void submit(ApiContext& context, const Request& request, const Caller& caller,
            engine::Command command, std::string workflow, int success_status, Reply reply);

}  // namespace investflow::web::api
