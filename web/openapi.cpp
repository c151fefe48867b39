// The OpenAPI 3.1 document, built with Boost.JSON from one table of operations. Schemas
// mirror what the handlers write (api_*.cpp); errors share the Problem schema (problem.hpp).
#include "web/openapi.hpp"

#include <boost/json.hpp>
#include <string_view>
#include <utility>

namespace investflow::web {
namespace {

namespace json = boost::json;

json::object schema_ref(std::string_view schema) {
  return json::object{{"$ref", "#/components/schemas/" + std::string(schema)}};
}

json::object type(std::string_view name) {
  return json::object{{"type", name}};
}

json::object array_of(json::object items) {
  return json::object{{"type", "array"}, {"items", std::move(items)}};
}

// An object schema from (name, schema) pairs; `required` lists the members always present.
json::object object_of(std::initializer_list<std::pair<std::string_view, json::object>> members,
                       std::initializer_list<std::string_view> required = {}) {
  json::object properties;
  for (const auto& [name, schema] : members)
    properties[name] = schema;
  json::array names;
  for (const auto name : required)
    names.emplace_back(name);
  json::object object{{"type", "object"}, {"properties", std::move(properties)}};
  if (!names.empty()) object["required"] = std::move(names);
  return object;
}

json::object schemas() {
  const auto text = [] { return type("string"); };
  const auto integer = [] { return type("integer"); };
  const auto localized = object_of({{"zh-CN", type("string")}, {"en", type("string")}});
  json::object all;
  all["Problem"] = object_of(
      {{"type", text()},
       {"title", text()},
       {"status", integer()},
       {"detail", text()},
       {"code", text()},
       {"errors", array_of(object_of({{"field", text()}, {"message", text()}, {"code", text()}},
                                     {"field", "message"}))},
       {"request_id", text()},
       {"current_version", integer()}},
      {"type", "title", "status", "detail", "code", "errors"});
  all["User"] = object_of({{"id", text()},
                           {"display_name", text()},
                           {"roles", array_of(type("string"))},
                           {"disabled", type("boolean")},
                           {"csrf_token", text()}},
                          {"id", "roles"});
  all["LoginRequest"] =
      object_of({{"username", text()}, {"password", text()}}, {"username", "password"});
  all["FieldValues"] =
      json::object{{"type", "object"},
                   {"description", "Field values by name, typed by the workflow's field types."},
                   {"additionalProperties", json::object{}}};
  all["LocalizedText"] = localized;
  all["WorkflowSummary"] = object_of({{"id", text()},
                                      {"version", integer()},
                                      {"title", schema_ref("LocalizedText")},
                                      {"description", schema_ref("LocalizedText")}},
                                     {"id", "version"});
  json::object workflow = object_of({{"id", text()},
                                     {"version", integer()},
                                     {"title", schema_ref("LocalizedText")},
                                     {"description", schema_ref("LocalizedText")},
                                     {"calendar", text()},
                                     {"roles", array_of(type("string"))},
                                     {"initial", text()},
                                     {"fields", array_of(type("object"))},
                                     {"computed", array_of(type("object"))},
                                     {"states", array_of(type("object"))},
                                     {"transitions", array_of(type("object"))},
                                     {"mermaid", text()}},
                                    {"id", "version", "states", "transitions"});
  all["Workflow"] = std::move(workflow);
  all["Project"] = json::object{
      {"type", "object"},
      {"description", "A project's projection: id, workflow, state, version, owner, fields."},
      {"properties", json::object{{"id", text()},
                                  {"workflow", text()},
                                  {"workflow_version", integer()},
                                  {"state", text()},
                                  {"version", integer()},
                                  {"owner", text()},
                                  {"fields", schema_ref("FieldValues")}}},
      {"required", json::array{"id", "state", "version"}}};
  all["ProjectPage"] =
      object_of({{"projects", array_of(schema_ref("Project"))},
                 {"next_cursor", json::object{{"type", json::array{"string", "null"}}}}},
                {"projects"});
  all["Event"] = json::object{
      {"type", "object"},
      {"description", "One event of a project's log, with its global id and hash chain link."},
      {"properties", json::object{{"id", integer()},
                                  {"type", text()},
                                  {"project_id", text()},
                                  {"version", integer()},
                                  {"actor", text()},
                                  {"at", text()},
                                  {"hash", text()},
                                  {"previous_hash", text()}}},
      {"additionalProperties", true}};
  all["History"] = object_of({{"project_id", text()},
                              {"version", integer()},
                              {"chain_ok", type("boolean")},
                              {"events", array_of(schema_ref("Event"))}},
                             {"project_id", "version", "chain_ok", "events"});
  all["WriteResult"] = object_of(
      {{"project_id", text()}, {"version", integer()}, {"events", array_of(schema_ref("Event"))}},
      {"project_id", "version", "events"});
  all["Reason"] = object_of({{"code", text()}, {"field", text()}, {"message", text()}});
  all["TransitionOption"] = object_of(
      {{"id", text()},
       {"label", text()},
       {"to", text()},
       {"requires", array_of(type("string"))},
       {"comment", json::object{{"type", "string"}, {"enum", json::array{"optional", "required"}}}},
       {"available", type("boolean")},
       {"blocked_by", array_of(schema_ref("Reason"))}},
      {"id", "to", "available", "blocked_by"});
  all["TransitionOptions"] = object_of({{"project_id", text()},
                                        {"state", text()},
                                        {"version", integer()},
                                        {"transitions", array_of(schema_ref("TransitionOption"))}},
                                       {"project_id", "state", "version", "transitions"});
  all["CreateProject"] =
      object_of({{"workflow", text()}, {"owner", text()}, {"fields", schema_ref("FieldValues")}},
                {"workflow"});
  all["EditFields"] = object_of({{"fields", schema_ref("FieldValues")}}, {"fields"});
  all["TakeTransition"] = object_of(
      {{"transition", text()}, {"fields", schema_ref("FieldValues")}, {"comment", text()}},
      {"transition"});
  all["CastVote"] = object_of(
      {{"choice",
        json::object{{"type", "string"}, {"enum", json::array{"approve", "reject", "abstain"}}}},
       {"comment", text()}},
      {"choice"});
  json::object date{{"type", "string"}, {"format", "date"}};
  all["RecordMilestone"] = object_of(
      {{"milestone", text()}, {"planned_on", date}, {"done_on", date}, {"evidence", text()}},
      {"milestone"});
  all["RecordFollowup"] = object_of(
      {{"on", date}, {"summary", text()}, {"issues", array_of(type("string"))}}, {"on", "summary"});
  all["StreamEvent"] = json::object{
      {"type", "object"},
      {"description",
       "The data of one server-sent event; the SSE id is the event's global id and the SSE "
       "event name its type."},
      {"properties", json::object{{"project_id", text()},
                                  {"version", integer()},
                                  {"type", text()},
                                  {"actor", text()},
                                  {"at", text()},
                                  {"from", text()},
                                  {"to", text()}}}};
  // Notifications, webhooks, deliveries, deadline extensions (api_notify.cpp).
  const auto nullable_text = [] { return json::object{{"type", json::array{"string", "null"}}}; };
  const auto zh_en = object_of({{"zh", type("string")}, {"en", type("string")}});
  all["Notification"] = object_of({{"id", integer()},
                                   {"event_id", integer()},
                                   {"project_id", text()},
                                   {"project_name", text()},
                                   {"type", text()},
                                   {"triggers", array_of(type("string"))},
                                   {"title", zh_en},
                                   {"created_at", text()},
                                   {"read_at", nullable_text()}});
  all["NotificationPage"] = object_of({{"items", array_of(schema_ref("Notification"))},
                                       {"unread", integer()},
                                       {"next_cursor", nullable_text()}});
  all["NotificationRead"] =
      object_of({{"id", integer()}, {"read", type("boolean")}, {"unread", integer()}});
  all["NotificationsReadAll"] = object_of({{"marked", integer()}, {"unread", integer()}});
  json::object format = type("string");
  format["enum"] = json::array{"json", "wecom", "dingtalk"};
  all["WebhookRequest"] = object_of({{"url", text()},
                                     {"secret", text()},
                                     {"events", array_of(type("string"))},
                                     {"format", format}},
                                    {"url"});
  all["WebhookRequest"].as_object()["description"] =
      "events: \"*\", \"notify\" (what the workflow's notify rules route to webhooks), event "
      "types (transition_taken, deadline_fired, ...) or triggers (enter:STATE, leave:STATE, "
      "transition:ID, sla_warning, sla_overdue, milestone_overdue, followup_due). json bodies "
      "are signed: X-Investflow-Signature: sha256=<hex HMAC-SHA256(secret, body)>; dingtalk "
      "adds &timestamp=&sign= to the URL; wecom carries its key in the URL.";
  all["Webhook"] = object_of({{"id", integer()},
                              {"url", text()},
                              {"events", array_of(type("string"))},
                              {"format", format},
                              {"has_secret", type("boolean")},
                              {"created_by", text()},
                              {"created_at", text()}});
  all["WebhookList"] = object_of({{"items", array_of(schema_ref("Webhook"))}});
  json::object delivery_status = type("string");
  delivery_status["enum"] = json::array{"pending", "delivered", "dead"};
  all["Delivery"] =
      object_of({{"id", integer()},
                 {"webhook_id", integer()},
                 {"event_id", integer()},
                 {"status", delivery_status},
                 {"attempts", integer()},
                 {"next_attempt_at", nullable_text()},
                 {"last_error", nullable_text()},
                 {"last_status", json::object{{"type", json::array{"integer", "null"}}}},
                 {"created_at", text()},
                 {"delivered_at", nullable_text()}});
  all["DeliveryPage"] =
      object_of({{"items", array_of(schema_ref("Delivery"))}, {"next_cursor", nullable_text()}});
  json::object deadline_kind = type("string");
  deadline_kind["enum"] = json::array{"sla", "milestone", "followup"};
  all["ExtendDeadline"] =
      object_of({{"kind", deadline_kind},
                 {"name", text()},
                 {"due_on", json::object{{"type", "string"}, {"format", "date"}}},
                 {"reason", text()}},
                {"kind", "due_on", "reason"});
  // Pipeline reports (api_reports.cpp); labels are {zh, en}; rates are 0..1 or null.
  const auto number = [] { return type("number"); };
  const auto nullable_number = [] { return json::object{{"type", json::array{"number", "null"}}}; };
  const auto label = object_of({{"zh", type("string")}, {"en", type("string")}});
  all["ReportPipeline"] =
      object_of({{"workflow", text()},
                 {"stages", array_of(object_of({{"state", text()},
                                                {"label", label},
                                                {"count", integer()},
                                                {"investment_wan", number()}}))},
                 {"total", object_of({{"count", integer()}, {"investment_wan", number()}})}},
                {"workflow", "stages", "total"});
  all["ReportFunnel"] =
      object_of({{"workflow", text()},
                 {"from", text()},
                 {"to", text()},
                 {"cohort", integer()},
                 {"stages", array_of(object_of({{"state", text()},
                                                {"label", label},
                                                {"terminal", type("boolean")},
                                                {"reached", integer()},
                                                {"rate_from_previous", nullable_number()},
                                                {"rate_from_start", nullable_number()}}))}},
                {"workflow", "from", "to", "cohort", "stages"});
  all["ReportAging"] =
      object_of({{"workflow", text()},
                 {"from", text()},
                 {"to", text()},
                 {"stages", array_of(object_of({{"state", text()},
                                                {"label", label},
                                                {"samples", integer()},
                                                {"median_working_days", nullable_number()},
                                                {"p90_working_days", nullable_number()}}))},
                 {"longest_waiting", array_of(object_of({{"project_id", text()},
                                                         {"name", text()},
                                                         {"state", text()},
                                                         {"since", text()},
                                                         {"working_days", integer()}}))}},
                {"workflow", "stages", "longest_waiting"});
  json::object kpi_id = type("string");
  kpi_id["enum"] =
      json::array{"contract_performance_rate", "construction_start_rate", "funds_in_place_rate",
                  "completion_rate",           "sla_on_time_rate",        "milestone_on_time_rate"};
  all["ReportKpis"] = object_of({{"workflow", text()},
                                 {"from", text()},
                                 {"to", text()},
                                 {"kpis", array_of(object_of({{"id", kpi_id},
                                                              {"label", label},
                                                              {"numerator", number()},
                                                              {"denominator", number()},
                                                              {"rate", nullable_number()}}))}},
                                {"workflow", "kpis"});
  all["ReportPeriod"] =
      object_of({{"from", text()},
                 {"to", text()},
                 {"workflows", array_of(object_of({{"workflow", text()},
                                                   {"title", label},
                                                   {"new_projects", integer()},
                                                   {"new_investment_wan", number()},
                                                   {"signed", integer()},
                                                   {"signed_investment_wan", number()},
                                                   {"started", integer()},
                                                   {"completed", integer()},
                                                   {"in_production", integer()},
                                                   {"enterprises", integer()},
                                                   {"floor_area_m2", number()}}))},
                 {"text", label}},
                {"from", "to", "workflows", "text"});
  return all;
}

// What a route takes and answers, as the table below states it.
struct Spec {
  std::string method;
  std::string path;
  std::string tag;
  std::string summary;
  bool authenticated = true;
  std::string request_schema;  // empty: no body
  int success = 200;
  std::string success_schema;  // empty: no body; "text": text/plain
  std::vector<int> errors;
  std::vector<std::pair<std::string, std::string>> query;  // name, description
  bool etag = false;                                       // answers ETag / takes If-Match
};

std::vector<Spec> specs() {
  // Every authenticated route may answer 401 (no credentials) and 403 (CSRF or role).
  const std::vector<int> read = {401, 403, 404};
  const std::vector<int> write = {400, 401, 403, 404, 409, 412, 413, 422};
  return {
      {"POST",
       "/api/login",
       "auth",
       "Log in: sets the HttpOnly session cookie and returns the CSRF token",
       false,
       "LoginRequest",
       200,
       "User",
       {400, 401, 413, 429},
       {},
       false},
      {"POST",
       "/api/logout",
       "auth",
       "Log out: ends the session and clears the cookie",
       true,
       "",
       204,
       "",
       {401, 403},
       {},
       false},
      {"GET",
       "/api/me",
       "auth",
       "The calling user, with the CSRF token for cookie sessions",
       true,
       "",
       200,
       "User",
       {401},
       {},
       false},
      {"GET",
       "/api/users",
       "auth",
       "Every user (admins only)",
       true,
       "",
       200,
       "",
       {401, 403},
       {},
       false},
      {"GET",
       "/api/workflows",
       "workflows",
       "The workflows, latest version of each",
       true,
       "",
       200,
       "",
       {401},
       {},
       false},
      {"GET",
       "/api/workflows/{id}",
       "workflows",
       "One workflow: labels, fields, states, transitions and a Mermaid graph",
       true,
       "",
       200,
       "Workflow",
       read,
       {{"version", "a version other than the latest"}},
       false},
      {"GET",
       "/api/projects",
       "projects",
       "Projects, filtered, sorted, searched, cursor-paged",
       true,
       "",
       200,
       "ProjectPage",
       {400, 401},
       {{"workflow", "workflow id"},
        {"state", "current state"},
        {"industry", "industry"},
        {"owner", "owner's user id"},
        {"q", "text search"},
        {"overdue", "true, false or a date"},
        {"sort", "sort key, '-' prefix for descending"},
        {"limit", "1 to 500"},
        {"cursor", "next_cursor of the previous page"}},
       false},
      {"POST",
       "/api/projects",
       "projects",
       "Create a project in its workflow's initial state",
       true,
       "CreateProject",
       201,
       "WriteResult",
       write,
       {},
       true},
      {"GET",
       "/api/projects/{id}",
       "projects",
       "One project",
       true,
       "",
       200,
       "Project",
       read,
       {},
       true},
      {"PATCH",
       "/api/projects/{id}",
       "projects",
       "Edit a project's fields",
       true,
       "EditFields",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"GET",
       "/api/projects/{id}/transitions",
       "projects",
       "The transitions the caller may take now, and why the others are blocked",
       true,
       "",
       200,
       "TransitionOptions",
       read,
       {},
       true},
      {"POST",
       "/api/projects/{id}/transitions",
       "projects",
       "Take a transition, with field edits and a comment",
       true,
       "TakeTransition",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"POST",
       "/api/projects/{id}/votes",
       "projects",
       "Cast a review vote",
       true,
       "CastVote",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"POST",
       "/api/projects/{id}/milestones",
       "projects",
       "Record a milestone's dates",
       true,
       "RecordMilestone",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"POST",
       "/api/projects/{id}/followups",
       "projects",
       "Record a follow-up visit",
       true,
       "RecordFollowup",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"GET",
       "/api/projects/{id}/history",
       "projects",
       "A project's events with hash chain verification",
       true,
       "",
       200,
       "History",
       read,
       {},
       false},
      {"GET",
       "/api/stream",
       "live",
       "Server-sent events (text/event-stream) of every committed event; `id:` is the global "
       "event id, `event:` its type, `data:` a StreamEvent. Resume with Last-Event-ID; a "
       "comment line every 15 s keeps the connection alive",
       true,
       "",
       200,
       "stream",
       {400, 401},
       {},
       false},
      // Notifications (api_notify.cpp). `notification` SSE events on /api/stream carry
      // {"unread": N, "user": ID} for the caller.
      {"GET",
       "/api/notifications",
       "notifications",
       "The caller's inbox, newest first, with the unread count",
       true,
       "",
       200,
       "NotificationPage",
       {400, 401, 503},
       {{"unread", "true: only unread ones"},
        {"limit", "1 to 200 (default 50)"},
        {"cursor", "next_cursor of the previous page"}},
       false},
      {"POST",
       "/api/notifications/{id}/read",
       "notifications",
       "Mark one of the caller's notifications read",
       true,
       "",
       200,
       "NotificationRead",
       {401, 403, 404, 503},
       {},
       false},
      {"POST",
       "/api/notifications/read-all",
       "notifications",
       "Mark all of the caller's notifications read",
       true,
       "",
       200,
       "NotificationsReadAll",
       {401, 403, 503},
       {},
       false},
      {"GET",
       "/api/webhooks",
       "notifications",
       "Webhook subscriptions (admin)",
       true,
       "",
       200,
       "WebhookList",
       {401, 403, 503},
       {},
       false},
      {"POST",
       "/api/webhooks",
       "notifications",
       "Subscribe a webhook (admin); it receives events committed from now on",
       true,
       "WebhookRequest",
       201,
       "Webhook",
       {400, 401, 403, 413, 503},
       {},
       false},
      {"DELETE",
       "/api/webhooks/{id}",
       "notifications",
       "Remove a webhook (admin); its pending deliveries become dead",
       true,
       "",
       204,
       "",
       {401, 403, 404, 503},
       {},
       false},
      {"GET",
       "/api/deliveries",
       "notifications",
       "The webhook delivery log (admin), newest first",
       true,
       "",
       200,
       "DeliveryPage",
       {400, 401, 403, 503},
       {{"status", "pending, delivered or dead"},
        {"limit", "1 to 500 (default 50)"},
        {"cursor", "next_cursor of the previous page"}},
       false},
      {"POST",
       "/api/deliveries/{id}/replay",
       "notifications",
       "Deliver again (admin): back to pending, attempts reset, due now",
       true,
       "",
       200,
       "Delivery",
       {401, 403, 404, 503},
       {},
       false},
      {"POST",
       "/api/projects/{id}/deadlines",
       "projects",
       "Extend a deadline (an SLA: the state's escalate roles, else manager), with a reason; "
       "recorded as a deadline_extended event",
       true,
       "ExtendDeadline",
       200,
       "WriteResult",
       write,
       {},
       true},
      {"GET",
       "/api/reports/pipeline",
       "reports",
       "Projects and investment (万元) per stage now (manager, leader, admin); ?format=csv|xlsx "
       "downloads it with Chinese headers",
       true,
       "",
       200,
       "ReportPipeline",
       {400, 401, 403, 404},
       {{"workflow", "the workflow id (required)"},
        {"industry", "only this industry"},
        {"chain_role", "only this chain role"},
        {"owner", "only projects of this owner"},
        {"promoting_unit", "only projects of this promoting unit"},
        {"entered_from", "created on or after (YYYY-MM-DD)"},
        {"entered_to", "created on or before (YYYY-MM-DD)"},
        {"format", "json (default), csv or xlsx"}},
       false},
      {"GET",
       "/api/reports/funnel",
       "reports",
       "How far the projects created in the period got, with conversion rates",
       true,
       "",
       200,
       "ReportFunnel",
       {400, 401, 403, 404},
       {{"workflow", "the workflow id (required)"},
        {"from", "first day (YYYY-MM-DD)"},
        {"to", "last day (YYYY-MM-DD)"},
        {"format", "json (default), csv or xlsx"}},
       false},
      {"GET",
       "/api/reports/aging",
       "reports",
       "Median and 90th percentile working days in each stage (visits ended in the period); "
       "the longest-waiting projects now",
       true,
       "",
       200,
       "ReportAging",
       {400, 401, 403, 404},
       {{"workflow", "the workflow id (required)"},
        {"from", "first day (YYYY-MM-DD)"},
        {"to", "last day (YYYY-MM-DD)"},
        {"format", "json (default), csv or xlsx"}},
       false},
      {"GET",
       "/api/reports/kpis",
       "reports",
       "履约率, 开工率, 资金到位率, 竣工率, SLA and milestone on-time rates (README defines them)",
       true,
       "",
       200,
       "ReportKpis",
       {400, 401, 403, 404},
       {{"workflow", "the workflow id (required)"},
        {"from", "first day (YYYY-MM-DD)"},
        {"to", "last day (YYYY-MM-DD)"},
        {"format", "json (default), csv or xlsx"}},
       false},
      {"GET",
       "/api/reports/period",
       "reports",
       "A period's figures per workflow, with the summary text in Chinese and English",
       true,
       "",
       200,
       "ReportPeriod",
       {400, 401, 403},
       {{"from", "first day (YYYY-MM-DD, required)"},
        {"to", "last day (YYYY-MM-DD, required)"},
        {"format", "json (default), csv or xlsx"}},
       false},
      {"GET", "/api/openapi.json", "meta", "This document", false, "", 200, "", {}, {}, false},
      {"GET", "/healthz", "meta", "Liveness", false, "", 200, "", {}, {}, false},
      {"GET", "/metrics", "meta", "Prometheus metrics", false, "", 200, "text", {}, {}, false},
  };
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "Malformed request or wrong types (problem+json, errors name the field)";
    case 401:
      return "No or invalid credentials";
    case 403:
      return "Role not allowed, or CSRF token missing on an unsafe cookie request";
    case 404:
      return "No such resource";
    case 409:
      return "Stale version";
    case 412:
      return "If-Match does not match the current version";
    case 413:
      return "Body or header too large";
    case 422:
      return "Rule violation; every reason listed";
    case 429:
      return "Too many requests; see Retry-After";
    case 503:
      return "Notifications are not enabled on this server";
    default:
      return "Error";
  }
}

json::object problem_response(int status) {
  return json::object{{"description", reason_phrase(status)},
                      {"content", json::object{{"application/problem+json",
                                                json::object{{"schema", schema_ref("Problem")}}}}}};
}

json::object success_response(const Spec& spec) {
  json::object response{{"description", "Success"}};
  if (spec.success_schema == "stream") {
    response["content"] = json::object{
        {"text/event-stream",
         json::object{{"schema", json::object{{"type", "string"},
                                              {"description", "One event per StreamEvent"}}},
                      {"x-item-schema", schema_ref("StreamEvent")}}}};
  } else if (spec.success_schema == "text") {
    response["content"] = json::object{{"text/plain", json::object{{"schema", type("string")}}}};
  } else if (spec.success != 204) {
    json::object schema =
        spec.success_schema.empty() ? type("object") : schema_ref(spec.success_schema);
    response["content"] =
        json::object{{"application/json", json::object{{"schema", std::move(schema)}}}};
  }
  if (spec.etag) {
    response["headers"] =
        json::object{{"ETag", json::object{{"description", "The project's version, quoted"},
                                           {"schema", type("string")}}}};
  }
  return response;
}

json::array parameters(const Spec& spec) {
  json::array list;
  for (std::size_t at = spec.path.find('{'); at != std::string::npos;
       at = spec.path.find('{', at + 1)) {
    const auto end = spec.path.find('}', at);
    list.push_back(json::object{{"name", spec.path.substr(at + 1, end - at - 1)},
                                {"in", "path"},
                                {"required", true},
                                {"schema", type("string")}});
  }
  for (const auto& [name, description] : spec.query) {
    list.push_back(json::object{
        {"name", name}, {"in", "query"}, {"description", description}, {"schema", type("string")}});
  }
  const bool unsafe = spec.method != "GET";
  if (spec.etag && unsafe && spec.path != "/api/projects") {
    list.push_back(json::object{{"name", "If-Match"},
                                {"in", "header"},
                                {"description", "The expected version, e.g. \"3\" (412 if stale)"},
                                {"schema", type("string")}});
  }
  if (spec.path == "/api/stream") {
    list.push_back(json::object{{"name", "Last-Event-ID"},
                                {"in", "header"},
                                {"description", "Resume after this global event id"},
                                {"schema", type("integer")}});
  }
  if (unsafe && spec.authenticated) {
    list.push_back(json::object{{"name", "Idempotency-Key"},
                                {"in", "header"},
                                {"description", "A repeat returns the first response"},
                                {"schema", type("string")}});
  }
  return list;
}

json::object operation(const Spec& spec) {
  json::object op{{"summary", spec.summary},
                  {"operationId", spec.method + " " + spec.path},
                  {"tags", json::array{json::value(spec.tag)}}};
  if (auto list = parameters(spec); !list.empty()) op["parameters"] = std::move(list);
  if (!spec.request_schema.empty()) {
    op["requestBody"] = json::object{
        {"required", true},
        {"content", json::object{{"application/json",
                                  json::object{{"schema", schema_ref(spec.request_schema)}}}}}};
  }
  json::object responses;
  responses[std::to_string(spec.success)] = success_response(spec);
  for (const int status : spec.errors)
    responses[std::to_string(status)] = problem_response(status);
  op["responses"] = std::move(responses);
  op["security"] =
      spec.authenticated
          ? json::array{json::object{{"cookieAuth", json::array{}}, {"csrfToken", json::array{}}},
                        json::object{{"bearerAuth", json::array{}}}}
          : json::array{};
  return op;
}

json::object security_schemes() {
  return json::object{
      {"cookieAuth",
       json::object{{"type", "apiKey"},
                    {"in", "cookie"},
                    {"name", "investflow_session"},
                    {"description", "HttpOnly, SameSite=Strict; from POST /api/login"}}},
      {"csrfToken", json::object{{"type", "apiKey"},
                                 {"in", "header"},
                                 {"name", "X-CSRF-Token"},
                                 {"description", "Required with the cookie on unsafe methods"}}},
      {"bearerAuth", json::object{{"type", "http"},
                                  {"scheme", "bearer"},
                                  {"description", "Tokens from `investflow user token NAME`"}}}};
}

}  // namespace

std::vector<OpenApiOperation> openapi_operations() {
  std::vector<OpenApiOperation> list;
  for (const auto& spec : specs())
    list.push_back({spec.method, spec.path});
  return list;
}

std::string openapi_json() {
  json::object paths;
  for (const auto& spec : specs()) {
    std::string method = spec.method;
    for (char& c : method)
      c = static_cast<char>(c - 'A' + 'a');
    json::value& item = paths[spec.path];
    if (!item.is_object()) item = json::object{};
    item.as_object()[method] = operation(spec);
  }
  json::object document{
      {"openapi", "3.1.0"},
      {"info", json::object{{"title", "investflow API"},
                            {"version", "1"},
                            {"description",
                             "Investment project workflows. Errors are application/problem+json "
                             "(RFC 9457)."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{{"schemas", schemas()}, {"securitySchemes", security_schemes()}}}};
  return json::serialize(document);
}

}  // namespace investflow::web
