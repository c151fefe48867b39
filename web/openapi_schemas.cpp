#include "web/openapi_schemas.hpp"

#include <boost/json.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/names.hpp"
#include "engine/project.hpp"
#include "engine/workflow.hpp"
#include "engine/workflow_diff.hpp"
#include "notify/notify_store.hpp"
#include "notify/webhook_format.hpp"
#include "storage/audit.hpp"

namespace investflow::web {
namespace {

namespace json = boost::json;

json::object ref(std::string_view schema) {
  return json::object{{"$ref", "#/components/schemas/" + std::string(schema)}};
}

json::object type(std::string_view name) {
  return json::object{{"type", name}};
}

// An object whose members this document does not describe.
json::object any_object() {
  return json::object{{"type", "object"}, {"additionalProperties", true}};
}

json::object text() {
  return type("string");
}
json::object integer() {
  return type("integer");
}
json::object boolean() {
  return type("boolean");
}

// A nullable one is anyOf [string, null]: validators apply `format` to null otherwise.
json::object formatted(std::string_view format, bool nullable = false) {
  json::object schema{{"type", "string"}, {"format", format}};
  if (!nullable) return schema;
  return json::object{{"anyOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
}
// RFC 3339 with the offset, e.g. "2026-03-02T09:00:00.000+08:00".
json::object date_time() {
  return formatted("date-time");
}
json::object optional_date_time() {
  return formatted("date-time", true);
}
// "YYYY-MM-DD".
json::object date() {
  return formatted("date");
}
json::object optional_date() {
  return formatted("date", true);
}

json::object nullable(std::string_view type_name) {
  return json::object{{"type", json::array{json::value(type_name), "null"}}};
}

json::object one_of_values(const std::vector<std::string_view>& values) {
  json::array list;
  for (const auto value : values)
    list.emplace_back(value);
  return json::object{{"type", "string"}, {"enum", std::move(list)}};
}

// One of `values`, or null.
json::object nullable_one_of(const std::vector<std::string_view>& values) {
  json::array list;
  for (const auto value : values)
    list.emplace_back(value);
  list.emplace_back(nullptr);
  return json::object{{"type", json::array{"string", "null"}}, {"enum", std::move(list)}};
}

json::object array_of(json::object items) {
  return json::object{{"type", "array"}, {"items", std::move(items)}};
}

json::object strings() {
  return array_of(text());
}

// An object schema from (name, schema) pairs; `required` lists the members always present.
json::object object_of(std::initializer_list<std::pair<std::string_view, json::object>> members,
                       std::initializer_list<std::string_view> required = {},
                       std::string_view description = {}) {
  json::object properties;
  for (const auto& [name, schema] : members)
    properties[name] = schema;
  json::object object{{"type", "object"}};
  if (!description.empty()) object["description"] = description;
  object["properties"] = std::move(properties);
  if (required.size() > 0) {
    json::array names;
    for (const auto name : required)
      names.emplace_back(name);
    object["required"] = std::move(names);
  }
  return object;
}

// Every member listed is always present.
json::object record(std::initializer_list<std::pair<std::string_view, json::object>> members,
                    std::string_view description = {}) {
  json::object object = object_of(members, {}, description);
  json::array names;
  for (const auto& member : members)
    names.emplace_back(member.first);
  object["required"] = std::move(names);
  return object;
}

json::object with_description(json::object schema, std::string_view description) {
  schema["description"] = description;
  return schema;
}

// `schema` with members that are present only sometimes.
json::object with_optional(
    json::object schema, std::initializer_list<std::pair<std::string_view, json::object>> members) {
  json::object& properties = schema["properties"].as_object();
  for (const auto& [name, member] : members)
    properties[name] = member;
  return schema;
}

// The flag beside a deadline counted past the calendar's official data.
json::object estimated_flag() {
  return with_description(boolean(),
                          "Present (true) only when the date was counted past the calendar's "
                          "official data: an estimate, with weekends as the only rest days");
}

void add_errors(json::object& all) {
  all["Problem"] = object_of(
      {{"type", with_description(text(), "urn:investflow:problem:<code>")},
       {"title", with_description(text(), "The same for every occurrence of a code")},
       {"status", integer()},
       {"detail", with_description(text(), "What went wrong this time")},
       {"code", with_description(text(), "Stable snake_case name a client switches on")},
       {"errors",
        array_of(object_of({{"field", with_description(text(), "\"\": the whole body")},
                            {"message", text()},
                            {"code", text()},
                            {"line", with_description(integer(), "A YAML body's line (1-based)")},
                            {"column", with_description(integer(), "A YAML body's column")}},
                           {"field", "message"}))},
       {"request_id", with_description(text(), "On 500s: the id to find in the server log")},
       {"current_version", with_description(integer(), "On rejected writes")}},
      {"type", "title", "status", "detail", "code", "errors"},
      "An RFC 9457 problem (application/problem+json).");
}

void add_users(json::object& all) {
  all["User"] =
      object_of({{"id", text()},
                 {"display_name", text()},
                 {"roles", strings()},
                 {"unit", with_description(text(),
                                           "The unit (部门/招商单位) the user works in; \"\" "
                                           "for none. Data scope's `unit:` rules compare "
                                           "with it")},
                 {"disabled", with_description(boolean(), "In the answers of /api/users")},
                 {"csrf_token", with_description(text(), "In GET /api/me with a session cookie")}},
                {"id", "display_name", "roles"});
  all["UserList"] = record(
      {{"users", array_of(ref("User"))},
       {"roles", with_description(strings(), "The roles a user may hold: some workflow's")}});
  all["NewUser"] = object_of(
      {{"id", with_description(text(), "The login name: 1-64 of a-z 0-9 . _ -")},
       {"display_name", with_description(text(), "Default: the login name")},
       {"roles", strings()},
       {"unit", with_description(text(), "The unit (部门/招商单位) the user works in")},
       {"password", with_description(text(), "At least 12 characters, not a common one")}},
      {"id", "roles", "password"});
  all["UserChange"] = object_of(
      {{"display_name", text()},
       {"roles", strings()},
       {"unit", with_description(text(), "The unit (部门/招商单位); \"\" for none")},
       {"disabled", with_description(boolean(), "true: no login; sessions end; tokens stop")}});
  all["PasswordChange"] = object_of(
      {{"password", text()},
       {"revoke_tokens", with_description(boolean(), "Revoke the user's API tokens too")}},
      {"password"});
  const auto token_members = [] {
    return std::vector<std::pair<std::string_view, json::object>>{
        {"id", with_description(text(), "Public: for DELETE /api/tokens/{id}")},
        {"user", text()},
        {"name", with_description(text(), "What it is for")},
        {"created_at", date_time()},
        {"expires_at", with_description(optional_date_time(), "null: never")},
        {"revoked_at", optional_date_time()},
        {"last_used_at", with_description(optional_date_time(),
                                          "When a request last presented it, noted at most once "
                                          "a minute; null: never used")},
        {"state", one_of_values({"active", "expired", "revoked"})}};
  };
  json::object token = record({});
  for (const auto& [name, schema] : token_members()) {
    token["properties"].as_object()[name] = schema;
    token["required"].as_array().emplace_back(name);
  }
  all["Token"] = token;
  all["TokenList"] = record({{"items", array_of(ref("Token"))}});
  json::object made = token;
  made["properties"].as_object()["secret"] =
      with_description(text(), "Authorization: Bearer <secret>. Shown this once only");
  made["required"].as_array().emplace_back("secret");
  all["NewToken"] = made;
  all["NewTokenRequest"] =
      object_of({{"user", text()},
                 {"name", with_description(text(), "What the token is for")},
                 {"expires_in_days",
                  with_description(nullable("integer"), "1 to 3650; null: never; absent: 365")}},
                {"user", "name"});
  all["AuditEntry"] = record(
      {{"id", integer()},
       {"at", date_time()},
       {"actor", with_description(text(), "The user; \"\" when nobody was signed in")},
       {"action",
        one_of_values({std::begin(storage::kAuditActions), std::end(storage::kAuditActions)})},
       {"target", with_description(text(), "What it concerned: a user, token, webhook, path")},
       {"address", with_description(text(), "The client's address; \"cli\" from the command line")},
       {"request_id", text()},
       {"detail", any_object()}});
  all["AuditPage"] =
      record({{"items", array_of(ref("AuditEntry"))}, {"next_cursor", nullable("string")}});
  all["LoginRequest"] = record({{"username", text()}, {"password", text()}});
  all["LoginResult"] =
      record({{"user", ref("User")},
              {"csrf_token", with_description(text(), "Send as X-CSRF-Token on unsafe requests")},
              {"expires_at", with_description(date_time(), "When the session ends")}});
}

void add_workflows(json::object& all) {
  all["LocalizedText"] = record({{"zh-CN", text()}, {"en", text()}});
  all["Label"] = record({{"zh", text()}, {"en", text()}});
  all["WorkflowSummary"] = record({{"id", text()},
                                   {"version", integer()},
                                   {"title", ref("LocalizedText")},
                                   {"description", ref("LocalizedText")}});
  all["WorkflowList"] = record({{"workflows", array_of(ref("WorkflowSummary"))}});
  json::object option_labels = type("object");
  option_labels["additionalProperties"] = ref("LocalizedText");
  all["WorkflowField"] =
      record({{"name", text()},
              {"type", one_of_values(engine::names_of(engine::kFieldTypeNames))},
              {"required", boolean()},
              {"label", ref("LocalizedText")},
              {"help", ref("LocalizedText")},
              {"group", text()},
              {"unit", text()},
              {"options", strings()},
              {"option_labels", std::move(option_labels)},
              {"min", nullable("number")},
              {"max", nullable("number")},
              {"report", with_description(nullable_one_of(engine::names_of(engine::kFieldTagNames)),
                                          "What the field means to reports (its `report:` "
                                          "tag), or null")}});
  json::object sla =
      record({{"working_days",
               with_description(json::object{{"type", json::array{"integer", "string"}}},
                                "A whole number, or the expression giving it (language v1.1)")},
              {"escalate", strings()}});
  sla["type"] = json::array{"object", "null"};
  json::object review =
      record({{"voters", with_description(text(), "The role that votes")},
              {"quorum", with_description(integer(), "Votes needed (without quorum_fraction)")},
              {"quorum_fraction",
               with_description(nullable("string"),
                                "Votes needed as a fraction of the eligible panel, e.g. 2/3")},
              {"blind", with_description(boolean(),
                                         "Others' ballots hidden from a voter until they have "
                                         "voted or the review has closed")}});
  review["type"] = json::array{"object", "null"};
  all["WorkflowState"] =
      record({{"id", text()},
              {"label", ref("LocalizedText")},
              {"terminal", boolean()},
              {"sla", std::move(sla)},
              {"review", std::move(review)},
              {"report", with_description(nullable_one_of(engine::names_of(engine::kStateTagNames)),
                                          "What the state means to reports (its `report:` "
                                          "tag), or null")}});
  json::object from{{"type", json::array{"string", "array"}},
                    {"items", text()},
                    {"description", "\"*\" (any state) or the states it leaves"}};
  all["WorkflowTransition"] = record({{"id", text()},
                                      {"label", ref("LocalizedText")},
                                      {"from", std::move(from)},
                                      {"to", text()},
                                      {"roles", strings()},
                                      {"requires", strings()},
                                      {"comment", one_of_values({"optional", "required"})}});
  all["Workflow"] = record(
      {{"id", text()},
       {"version", integer()},
       {"title", ref("LocalizedText")},
       {"description", ref("LocalizedText")},
       {"calendar", text()},
       {"roles", strings()},
       {"initial", text()},
       {"fields", array_of(ref("WorkflowField"))},
       {"computed", array_of(record({{"name", text()}, {"label", ref("LocalizedText")}}))},
       {"states", array_of(ref("WorkflowState"))},
       {"transitions", array_of(ref("WorkflowTransition"))},
       {"mermaid", text()},
       {"parent_workflows", with_description(strings(),
                                             "Its items belong to a project of one of these "
                                             "(parent:); empty for a workflow without parent:")},
       {"supervision",
        with_description(
            json::object{{"type", json::array{"object", "null"}},
                         {"properties",
                          json::object{{"levels", array_of(record({{"id", text()},
                                                                   {"label", ref("LocalizedText")},
                                                                   {"roles", strings()}}))}}},
                         {"required", json::array{"levels"}}},
            "Supervision levels (督办), lowest first; null without supervision:")},
       {"milestones",
        with_description(array_of(record({{"id", text()}, {"label", ref("LocalizedText")}})),
                         "The workflow's milestones, in the file's order")}});
}

// Deployed versions (issue 15): POST /api/workflows, .../versions, .../diff.
void add_workflow_versions(json::object& all) {
  all["WorkflowDeployed"] = record({{"id", text()},
                                    {"version", integer()},
                                    {"deployed_at", with_description(date_time(), "When stored")}});
  all["WorkflowVersions"] = record(
      {{"workflow", text()},
       {"versions",
        array_of(
            record({{"version", integer()},
                    {"deployed_at", date_time()},
                    {"latest", with_description(boolean(), "The version new projects start on")},
                    {"projects",
                     record({{"total", integer()},
                             {"by_state",
                              array_of(record(
                                  {{"state", text()},
                                   {"label", with_description(text(), "The state's label (zh-CN)")},
                                   {"count", integer()}}))}})}}))}},
      "Newest first");
  all["WorkflowDiff"] = record(
      {{"workflow", text()},
       {"from", integer()},
       {"to", integer()},
       {"changes",
        array_of(record({{"kind", one_of_values(engine::names_of(engine::kChangeKindNames))},
                         {"change", one_of_values(engine::names_of(engine::kChangeNames))},
                         {"id", with_description(text(), "What it is about: a state, field, ...")},
                         {"text", with_description(text(), "The change in Chinese")},
                         {"text_en", with_description(text(), "The change in English")}}))}});
}

// POST /api/workflows/{id}/migrations (issue 15).
void add_migrations(json::object& all) {
  all["MigrationRequest"] = object_of(
      {{"to", with_description(integer(), "The target version")},
       {"map", with_description(json::object{{"type", "object"}, {"additionalProperties", text()}},
                                "Renamed stages: old state -> new state; others keep their id")},
       {"projects", with_description(strings(), "Only these projects (even in a final state)")},
       {"dry_run", with_description(boolean(), "Plan every move and write nothing")}},
      {"to"});
  all["MigrationReport"] = record(
      {{"workflow", text()},
       {"to", integer()},
       {"dry_run", boolean()},
       {"moved", with_description(integer(), "Moved, or (dry run) would move")},
       {"refused", integer()},
       {"unchanged", with_description(integer(), "Already on the target version")},
       {"terminal", with_description(integer(), "In a final state and not named: left alone")},
       {"rows",
        array_of(record(
            {{"project", text()},
             {"name", text()},
             {"from_version", integer()},
             {"from_state", text()},
             {"to_state", with_description(nullable("string"),
                                           "null when the stage maps to none of the target")},
             {"outcome", one_of_values({"moved", "would_move", "refused", "already"})},
             {"reasons",
              array_of(record({{"code", text()}, {"message", text()}, {"message_en", text()}}))},
             {"notes", array_of(record({{"item", with_description(text(),
                                                                  "state, field:NAME, review, sla, "
                                                                  "milestone:ID or followup")},
                                        {"action", text()},
                                        {"message", text()},
                                        {"message_en", text()}}))}}))}});
}

void add_projects(json::object& all) {
  all["FieldValue"] = json::object{
      {"description",
       "A field value as clients send it: text, user and enum fields a string, number, money "
       "and area a number, boolean true or false, date \"YYYY-MM-DD\", list an array of "
       "strings; null when unset."},
      {"type", json::array{"string", "number", "boolean", "array", "null"}},
      {"items", text()}};
  all["FieldValues"] = json::object{{"type", "object"},
                                    {"description", "Field values by name, typed by the workflow."},
                                    {"additionalProperties", ref("FieldValue")}};
  all["Milestone"] = with_optional(record({{"id", text()},
                                           {"started_on", date()},
                                           {"due_on", date()},
                                           {"planned_on", optional_date()},
                                           {"done_on", optional_date()},
                                           {"evidence", text()}}),
                                   {{"estimated", estimated_flag()}});
  json::object milestones = type("object");
  milestones["description"] = "The milestones started, by id";
  milestones["additionalProperties"] = ref("Milestone");
  all["Visit"] =
      record({{"actor", text()}, {"on", date()}, {"summary", text()}, {"issues", strings()}});
  all["Vote"] = record({{"voter", text()},
                        {"choice", one_of_values(engine::names_of(engine::kVoteChoiceNames))},
                        {"comment", text()},
                        {"at", date_time()}});
  all["ClosedReview"] =
      record({{"state", with_description(text(), "The review's state")},
              {"transition", with_description(text(), "The decision: the transition taken")},
              {"to", text()},
              {"closed_at", date_time()},
              {"votes", array_of(ref("Vote"))}},
             "A review that has closed: its ballots and its decision.");
  all["ProjectAttachment"] = object_of({{"id", text()},
                                        {"filename", text()},
                                        {"size", integer()},
                                        {"media_type", text()},
                                        {"milestone", text()},
                                        {"by", text()},
                                        {"at", date_time()}},
                                       {"id", "filename", "size", "media_type", "by", "at"},
                                       "A file attached to a project (its SHA-256 is its id).");
  all["Attachment"] =
      object_of({{"id", with_description(text(), "The file's SHA-256 (hex): the attachment's id")},
                 {"sha256", text()},
                 {"size", integer()},
                 {"media_type", with_description(text(), "Detected from the content")},
                 {"filename", text()},
                 {"project", text()},
                 {"milestone", text()},
                 {"created_at", date_time()},
                 {"created_by", text()},
                 {"url", with_description(text(), "Where to download it")}},
                {"id", "sha256", "size", "media_type", "filename", "project", "created_at",
                 "created_by", "url"},
                "A file attached to a project.");
  all["AttachmentList"] =
      record({{"project", text()}, {"attachments", array_of(ref("Attachment"))}});
  all["Project"] = object_of(
      {{"id", text()},
       {"workflow", text()},
       {"workflow_version", integer()},
       {"state", text()},
       {"version", integer()},
       {"owner", text()},
       {"parent", with_description(text(),
                                   "The project it belongs to (present for items of a "
                                   "workflow with parent:)")},
       {"fields", ref("FieldValues")},
       {"created_at", date_time()},
       {"updated_at", date_time()},
       {"state_entered_at", date_time()},
       {"sla_due_on", with_description(optional_date(), "The current state's SLA, if any")},
       {"followup_due_on", with_description(optional_date(), "The next follow-up visit, if due")},
       {"milestones", std::move(milestones)},
       {"visits", array_of(ref("Visit"))},
       {"votes", array_of(ref("Vote"))},
       {"deadlines_fired",
        with_description(strings(), "Alerts already fired (present once one has)")},
       {"sla_due_estimated", estimated_flag()},
       {"followup_due_estimated", estimated_flag()},
       {"deadline_extensions",
        with_description(json::object{{"type", "object"}, {"additionalProperties", integer()}},
                         "Extensions granted to each running deadline, by \"kind:name\" "
                         "(present once one has been)")},
       {"funds", with_description(array_of(ref("FundsEntry")),
                                  "The 到位资金 ledger, oldest first (present once an entry is)")},
       {"computed", with_description(json::object{{"type", "object"},
                                                  {"additionalProperties", ref("FieldValue")}},
                                     "The workflow's computed values that have a value, by name "
                                     "(GET /api/projects/{id} only)")},
       {"supervision_level",
        with_description(text(),
                         "The highest supervision level (督办) reached, a level id of "
                         "the workflow's supervision: (present once supervised)")},
       {"light", with_description(nullable_one_of({"green", "yellow", "red"}),
                                  "Computed at read time from the open deadlines and the "
                                  "calendar: red overdue, yellow due within 3 working days, "
                                  "green on time; null in a final state or with no open "
                                  "deadline (on list items and GET /api/projects/{id})")},
       {"attachments", with_description(array_of(ref("ProjectAttachment")),
                                        "Files attached, oldest first (present once one is)")},
       {"closed_reviews",
        with_description(array_of(ref("ClosedReview")),
                         "Reviews closed with ballots, oldest first (present once one is)")},
       {"votes_hidden", with_description(integer(),
                                         "A blind review's ballots not shown to the caller, who "
                                         "has not voted yet (present then)")}},
      {"id", "workflow", "workflow_version", "state", "version", "owner", "fields", "created_at",
       "updated_at", "state_entered_at", "sla_due_on", "followup_due_on", "milestones", "visits",
       "votes"},
      "A project: its workflow, state, version, owner, fields and timers.");
  all["ProjectPage"] =
      record({{"projects", array_of(ref("Project"))},
              {"next_cursor", with_description(nullable("string"), "null on the last page")}});
  all["Board"] = record(
      {{"workflow", text()},
       {"columns",
        array_of(record(
            {{"state", text()},
             {"count", with_description(nullable("integer"),
                                        "Projects in the state under the filters; null: not "
                                        "summarised (reports off, or q, overdue or figure)")},
             {"investment_wan", with_description(nullable("number"),
                                                 "Their investment; null: not summarised or no "
                                                 "field tagged investment")},
             {"more", with_description(boolean(), "More projects than the cards sent")},
             {"projects", array_of(ref("Project"))}}))},
       {"owners", strings()},
       {"promoting_units", strings()}});
}

void add_events(json::object& all) {
  all["FieldChange"] =
      record({{"field", text()}, {"before", ref("FieldValue")}, {"after", ref("FieldValue")}});
  all["MilestoneStarted"] =
      with_optional(record({{"milestone", text()}, {"started_on", date()}, {"due_on", date()}}),
                    {{"estimated", estimated_flag()}});
  const auto estimates = [](json::object body) {
    return with_optional(std::move(body), {{"sla_due_estimated", estimated_flag()},
                                           {"followup_due_estimated", estimated_flag()}});
  };
  const auto changes = [] { return array_of(ref("FieldChange")); };
  const auto started = [] { return array_of(ref("MilestoneStarted")); };
  const auto kind = [] { return one_of_values({"sla", "milestone", "followup"}); };
  // v1.1: on the events that may set a date field a milestone's clock starts from.
  const auto started_by_date = [&] {
    return with_description(started(), "Clocks started from a date field (present when any)");
  };
  all["ProjectCreatedBody"] = estimates(record({{"workflow", text()},
                                                {"workflow_version", integer()},
                                                {"state", text()},
                                                {"owner", text()},
                                                {"fields", ref("FieldValues")},
                                                {"sla_due_on", optional_date()},
                                                {"followup_due_on", optional_date()},
                                                {"milestones_started", started()}}));
  all["FieldsEditedBody"] =
      object_of({{"changes", changes()}, {"milestones_started", started_by_date()}}, {"changes"});
  all["TransitionTakenBody"] = estimates(record({{"transition", text()},
                                                 {"from", text()},
                                                 {"to", text()},
                                                 {"comment", text()},
                                                 {"changes", changes()},
                                                 {"sla_due_on", optional_date()},
                                                 {"followup_due_on", optional_date()},
                                                 {"milestones_started", started()}}));
  all["VoteCastBody"] =
      with_optional(record({{"voter", text()},
                            {"choice", one_of_values(engine::names_of(engine::kVoteChoiceNames))},
                            {"comment", text()},
                            {"changed", boolean()}}),
                    {{"quorum_reached", with_description(boolean(),
                                                         "This vote brought the review to its "
                                                         "quorum (present then)")}});
  all["CommentedBody"] =
      record({{"text", text()}, {"mentions", with_description(strings(), "The users told")}});
  all["MilestoneRecordedBody"] =
      object_of({{"milestone", text()},
                 {"planned_on", optional_date()},
                 {"done_on", optional_date()},
                 {"evidence", text()},
                 {"changes", changes()},
                 {"milestones_started", started_by_date()}},
                {"milestone", "planned_on", "done_on", "evidence", "changes"});
  all["FollowupRecordedBody"] = with_optional(record({{"on", date()},
                                                      {"summary", text()},
                                                      {"issues", strings()},
                                                      {"next_due_on", optional_date()}}),
                                              {{"next_due_estimated", estimated_flag()}});
  all["DeadlineFiredBody"] = record({{"kind", kind()},
                                     {"name", text()},
                                     {"alert", one_of_values({"warning", "overdue", "due"})},
                                     {"due_on", date()}});
  all["DeadlineExtendedBody"] = record({{"kind", kind()},
                                        {"name", text()},
                                        {"previous_due_on", date()},
                                        {"new_due_on", date()},
                                        {"reason", text()}});
  all["SupervisedBody"] =
      record({{"level", with_description(text(), "The supervision level reached")},
              {"reason", text()},
              {"previous_due_on", with_description(optional_date(), "The SLA before (null: none)")},
              {"new_due_on", with_description(date(), "The SLA from now on")},
              {"by", with_description(text(), "The role of the level's roles the actor used")}});
  all["ReassignedBody"] =
      record({{"holder", with_description(text(), "owner, or the user field reassigned")},
              {"from", with_description(text(), "The previous holder (\"\": the field was empty)")},
              {"to", text()},
              {"reason", text()}});
  all["FileAttachedBody"] = object_of({{"attachment_id", text()},
                                       {"filename", text()},
                                       {"size", integer()},
                                       {"media_type", text()},
                                       {"milestone", text()}},
                                      {"attachment_id", "filename", "size", "media_type"});
  all["MigrationNote"] =
      record({{"item", text()},
              {"action", one_of_values({"renamed", "converted", "carried", "recomputed", "started",
                                        "cleared", "dropped"})},
              {"zh", text()},
              {"en", text()}});
  all["WorkflowMigratedBody"] = with_optional(
      estimates(record({{"workflow", text()},
                        {"from_version", integer()},
                        {"to_version", integer()},
                        {"from_state", text()},
                        {"to_state", text()},
                        {"map", with_description(json::object{{"type", "object"},
                                                              {"additionalProperties", text()}},
                                                 "The state map given (old state -> new state)")},
                        {"changes", changes()},
                        {"sla_due_on", optional_date()},
                        {"followup_due_on", optional_date()},
                        {"milestones_started", started()},
                        {"milestones_dropped", strings()},
                        {"notes", array_of(ref("MigrationNote"))}})),
      {{"review_cleared", boolean()},
       {"sla_recomputed", boolean()},
       {"followup_recomputed", boolean()}});
  json::array bodies;
  for (const char* name :
       {"ProjectCreatedBody", "FieldsEditedBody", "TransitionTakenBody", "VoteCastBody",
        "MilestoneRecordedBody", "FollowupRecordedBody", "DeadlineFiredBody",
        "DeadlineExtendedBody", "WorkflowMigratedBody", "FundsRecordedBody", "SupervisedBody",
        "ReassignedBody", "FileAttachedBody", "CommentedBody"}) {
    bodies.push_back(ref(name));
  }
  all["Event"] = object_of(
      {{"type", one_of_values({"project_created", "fields_edited", "transition_taken", "vote_cast",
                               "milestone_recorded", "followup_recorded", "deadline_fired",
                               "deadline_extended", "workflow_migrated", "funds_recorded",
                               "supervised", "reassigned", "file_attached", "commented"})},
       {"project_id", text()},
       {"version", with_description(integer(), "The project's version this event made")},
       {"actor", text()},
       {"at", date_time()},
       {"body", json::object{{"description", "The <type>Body of the event's type"},
                             {"anyOf", std::move(bodies)}}},
       {"id", with_description(integer(), "The global event id (in history)")},
       {"hash", with_description(text(), "SHA-256 of the chain link, hex (in history)")},
       {"previous_hash", with_description(text(), "The previous link's hash (in history)")}},
      {"type", "project_id", "version", "actor", "at", "body"}, "One event of a project's log.");
  all["History"] = with_optional(
      record({{"project_id", text()},
              {"version", integer()},
              {"chain_ok", boolean()},
              {"events", array_of(ref("Event"))}}),
      {{"hidden_votes", with_description(integer(),
                                         "A blind review's ballots left out: the "
                                         "caller has not voted yet (present then)")}});
  all["WriteResult"] =
      record({{"project_id", text()}, {"version", integer()}, {"events", array_of(ref("Event"))}});
  all["FollowupResult"] = with_optional(
      record({{"project_id", text()}, {"version", integer()}, {"events", array_of(ref("Event"))}}),
      {{"problems",
        with_description(array_of(record({{"project_id", text()}, {"version", integer()}})),
                         "The problems raised with the visit (present when `problems` was "
                         "sent)")}});
  all["Reason"] = object_of({{"code", text()}, {"field", text()}, {"message", text()}},
                            {"code", "field", "message"});
  all["TransitionOption"] = record({{"id", text()},
                                    {"label", with_description(text(), "In the caller's language")},
                                    {"to", text()},
                                    {"requires", strings()},
                                    {"comment", one_of_values({"optional", "required"})},
                                    {"available", boolean()},
                                    {"blocked_by", array_of(ref("Reason"))},
                                    {"fill", with_description(strings(),
                                                              "The required fields still empty, "
                                                              "to fill in with the transition")},
                                    {"fillable", with_description(boolean(),
                                                                  "Blocked only by what the "
                                                                  "transition's form can supply "
                                                                  "(the `fill` fields, a "
                                                                  "comment)")}});
  all["TransitionOptions"] =
      record({{"project_id", text()},
              {"state", text()},
              {"version", integer()},
              {"transitions", array_of(ref("TransitionOption"))},
              {"may", with_description(record({{"edit", boolean()}, {"followup", boolean()}}),
                                       "Whether the engine would take the caller's "
                                       "field edits and follow-up visits here")}});
  all["StreamEvent"] = object_of(
      {{"id", integer()},
       {"project_id", text()},
       {"version", integer()},
       {"type", text()},
       {"actor", text()},
       {"at", date_time()},
       {"transition", text()},
       {"from", text()},
       {"to", text()},
       {"workflow", text()}},
      {"id", "project_id", "version", "type", "actor", "at"},
      "The data of one server-sent event on /api/stream; transition_taken adds transition, "
      "from and to; project_created workflow and to.");
  all["NotificationCount"] =
      record({{"user", text()}, {"unread", integer()}},
             "The data of a `notification` server-sent event: the caller's unread count.");
}

void add_commands(json::object& all) {
  all["CreateProject"] = object_of({{"workflow", text()},
                                    {"id", with_description(text(), "1 to 64 of [A-Za-z0-9._-]")},
                                    {"owner", text()},
                                    {"fields", ref("FieldValues")},
                                    {"parent", with_description(text(),
                                                                "The id of the project it "
                                                                "belongs to (parent:)")}},
                                   {"workflow"});
  all["EditFields"] =
      object_of({{"fields", ref("FieldValues")},
                 {"version", with_description(integer(), "The version edited (409 when stale)")}},
                {"fields"});
  all["TakeTransition"] = object_of({{"transition", text()},
                                     {"fields", ref("FieldValues")},
                                     {"comment", text()},
                                     {"version", integer()}},
                                    {"transition"});
  all["CastVote"] =
      object_of({{"choice", one_of_values(engine::names_of(engine::kVoteChoiceNames))},
                 {"comment", text()},
                 {"version", integer()}},
                {"choice"});
  all["CommentProject"] =
      object_of({{"text", with_description(text(), "The comment (at most 4,000 bytes)")},
                 {"mentions", with_description(strings(), "User ids told of it (@mentions)")},
                 {"version", integer()}},
                {"text"});
  all["RecordMilestone"] = object_of({{"milestone", text()},
                                      {"planned_on", date()},
                                      {"done_on", date()},
                                      {"evidence", text()},
                                      {"version", integer()}},
                                     {"milestone"});
  all["RecordFollowup"] = object_of(
      {{"on", date()},
       {"summary", text()},
       {"issues", strings()},
       {"version", integer()},
       {"problems", with_description(array_of(ref("FieldValues")),
                                     "Problems raised: each the fields of a new item of the "
                                     "problem workflow (issue 17)")},
       {"problem_workflow", with_description(text(),
                                             "The problem workflow, when several "
                                             "could take this project's problems")}},
      {"on", "summary"});
  all["ExtendDeadline"] = object_of(
      {{"kind", one_of_values({"sla", "milestone", "followup"})},
       {"name", with_description(text(), "The milestone; an SLA defaults to the current state")},
       {"due_on", date()},
       {"reason", text()}},
      {"kind", "due_on"});
  all["Supervise"] =
      object_of({{"level", with_description(text(), "A level id of the workflow's supervision:")},
                 {"reason", text()},
                 {"due_on", with_description(date(), "The new due date (after today)")}},
                {"level", "reason", "due_on"});
  all["Reassign"] =
      object_of({{"holder", with_description(text(), "owner (the default) or a user field's name")},
                 {"to", with_description(text(), "The new holder's login")},
                 {"reason", text()}},
                {"to", "reason"});
  all["BulkReassign"] = object_of(
      {{"from", with_description(text(), "The login of the person handing over")},
       {"to", text()},
       {"reason", text()},
       {"holders", with_description(strings(),
                                    "owner and/or user field names; absent: owner "
                                    "and every user field")},
       {"workflow", with_description(text(), "Only projects of this workflow")},
       {"projects", with_description(strings(),
                                     "1 to 200 chosen project ids instead (open or not): their "
                                     "owner (or holders) go to `to`; `from` then optional, "
                                     "keeping the holdings it holds")}},
      {"to", "reason"});
  all["BulkReassignResult"] = record(
      {{"results",
        array_of(with_optional(
            record({{"project", text()},
                    {"holder", text()},
                    {"name", with_description(text(), "The project's name (\"\": none)")},
                    {"ok", boolean()}}),
            {{"version", with_description(integer(), "The project's new version (when ok)")},
             {"errors", with_description(array_of(ref("Reason")), "Why not (when not ok)")}}))},
       {"moved", with_description(integer(), "How many holdings moved")},
       {"refused", with_description(integer(), "How many were refused")}});
  // list (issue 22 item 11): bulk transitions, saved filters.
  all["BulkTransitions"] = object_of(
      {{"projects", with_description(strings(), "1 to 200 project ids")},
       {"transition", text()},
       {"fields", with_description(ref("FieldValues"), "Edits sent with each transition")},
       {"comment", text()}},
      {"projects", "transition"});
  all["BulkTransitionResult"] = record(
      {{"results",
        array_of(with_optional(
            record({{"project", text()},
                    {"name", with_description(text(), "The project's name (\"\": none)")},
                    {"ok", boolean()}}),
            {{"version", with_description(integer(), "The project's new version (when ok)")},
             {"errors", with_description(array_of(ref("Reason")), "Why not (when not ok)")}}))},
       {"done", with_description(integer(), "How many projects took the transition")},
       {"refused", with_description(integer(), "How many were refused")}});
  all["SavedFilter"] =
      record({{"id", integer()},
              {"name", text()},
              {"params", with_description(any_object(),
                                          "GET /api/projects's query parameters, each a string")},
              {"updated_at", date_time()}});
  all["SavedFilterList"] = record({{"filters", array_of(ref("SavedFilter"))}});
  all["SaveFilter"] = object_of(
      {{"name", with_description(text(), "1 to 40 characters; the same name replaces")},
       {"params", with_description(any_object(),
                                   "workflow, state, industry, owner, q, overdue, sort, parent, "
                                   "responsible_unit, problem_category, parent_promoting_unit, "
                                   "figure, from, to, promoting_unit: strings")}},
      {"name", "params"});
}

// POST /api/workflows/{id}/imports.
void add_imports(json::object& all) {
  const auto column_text = [](std::string_view name, std::string_view description) {
    return record({{"column", with_description(text(), "The column's label; \"\": the row")},
                   {name, with_description(text(), description)}});
  };
  all["ImportRow"] = record(
      {{"row", with_description(integer(), "The row number in the file")},
       {"action", one_of_values({"create", "update", "unchanged", "refused"})},
       {"project_id", with_description(text(), "The project created or updated (\"\": none)")},
       {"problems", array_of(column_text("message", "In the request's language"))},
       {"values", array_of(with_optional(
                      column_text("value", "As stored, in the field's unit (12000 万元)"),
                      {{"note", with_description(text(),
                                                 "How the cell was converted (1.2亿 → 12000 万元), "
                                                 "or \"\"")}}))}});
  all["ImportReport"] = record(
      {{"workflow", text()},
       {"dry_run", boolean()},
       {"partial", boolean()},
       {"written", with_description(boolean(), "Whether anything was written")},
       {"key", with_description(nullable("string"), "The key column's label, or null")},
       {"summary", record({{"rows", integer()},
                           {"created", integer()},
                           {"updated", integer()},
                           {"unchanged", integer()},
                           {"refused", integer()}},
                          "What each row does (or would do: dry run, or refused rows without "
                          "partial)")},
       {"ignored_columns", with_description(strings(), "Headers left out (序号, ...)")},
       {"message", with_description(text(), "The summary as a sentence")},
       {"rows", array_of(ref("ImportRow"))}});
}

void add_notifications(json::object& all) {
  all["Notification"] = record({{"id", integer()},
                                {"event_id", with_description(nullable("integer"),
                                                              "null for a notice from the "
                                                              "server itself (no event)")},
                                {"project_id", with_description(text(), "\"\" for a notice")},
                                {"project_name", text()},
                                {"type", text()},
                                {"triggers", strings()},
                                {"title", ref("Label")},
                                {"created_at", date_time()},
                                {"read_at", optional_date_time()}});
  all["NotificationPage"] = record({{"items", array_of(ref("Notification"))},
                                    {"unread", integer()},
                                    {"next_cursor", nullable("string")}});
  all["NotificationRead"] = record({{"id", integer()}, {"read", boolean()}, {"unread", integer()}});
  all["NotificationsReadAll"] = record({{"marked", integer()}, {"unread", integer()}});
  all["UserDirectory"] =
      record({{"users", array_of(record({{"id", text()}, {"display_name", text()}}))}},
             "Enabled users, for naming colleagues (@mentions).");
  all["NotificationSettings"] =
      record({{"deadlines", with_description(one_of_values({"each", "digest"}),
                                             "Deadline alerts one by one, or one digest a day")}});
  const auto ref_item = [] {
    return json::object{{"project_id", text()},
                        {"name", text()},
                        {"workflow", text()},
                        {"state", text()},
                        {"state_label", text()}};
  };
  const auto item = [&](std::initializer_list<std::pair<std::string_view, json::object>> more) {
    json::object schema = object_of({}, {"project_id", "name", "workflow", "state", "state_label"});
    json::object& properties = schema["properties"].as_object();
    for (const auto& [name, member] : ref_item())
      properties[name] = member;
    for (const auto& [name, member] : more)
      properties[name] = member;
    return schema;
  };
  all["MyWork"] =
      record({{"user", text()},
              {"today", date()},
              {"total", integer()},
              {"counts", record({{"actions", integer()},
                                 {"deadlines", integer()},
                                 {"votes", integer()},
                                 {"problems", integer()},
                                 {"mentions", integer()}})},
              {"actions",
               array_of(item({{"transition", text()}, {"label", text()}, {"to_label", text()}}))},
              {"deadlines", array_of(item({{"kind", text()},
                                           {"deadline", text()},
                                           {"due_on", date()},
                                           {"status", one_of_values({"warning", "overdue"})},
                                           {"working_days_left", integer()}}))},
              {"votes", array_of(item({{"votes_cast", integer()}}))},
              {"problems", array_of(item({{"parent", text()}, {"due_on", optional_date()}}))},
              {"mentions", array_of(record({{"notification_id", integer()},
                                            {"project_id", text()},
                                            {"name", text()},
                                            {"title", text()},
                                            {"at", date_time()},
                                            {"read", boolean()}}))}},
             "我的待办: what the caller has to do now.");
  const auto format = [] { return one_of_values(engine::names_of(notify::kWebhookFormatNames)); };
  all["WebhookRequest"] = object_of(
      {{"url", with_description(text(), "http:// or https://")},
       {"secret", with_description(text(), "Signs json bodies; never shown again")},
       {"events", strings()},
       {"format", format()}},
      {"url"},
      "events: \"*\" (the default), \"notify\" (what the workflow's notify rules route to "
      "webhooks), event types (transition_taken, deadline_fired, ...) or triggers "
      "(enter:STATE, leave:STATE, transition:ID, where STATE or ID may be * for any; "
      "sla_warning, sla_overdue, milestone_warning, milestone_overdue, followup_due); an "
      "unknown one is a 422 naming it. json bodies are signed: X-Investflow-Signature: "
      "sha256=<hex HMAC-SHA256(secret, body)>; dingtalk adds &timestamp=&sign= to the URL; "
      "wecom carries its key in the URL.");
  all["Webhook"] = record({{"id", integer()},
                           {"url", text()},
                           {"events", strings()},
                           {"format", format()},
                           {"has_secret", boolean()},
                           {"created_by", text()},
                           {"created_at", date_time()}});
  all["WebhookList"] = record({{"items", array_of(ref("Webhook"))}});
  all["Delivery"] =
      record({{"id", integer()},
              {"webhook_id", integer()},
              {"event_id", integer()},
              {"status", one_of_values(engine::names_of(notify::kDeliveryStatusNames))},
              {"attempts", integer()},
              {"next_attempt_at", optional_date_time()},
              {"last_error", nullable("string")},
              {"last_status", nullable("integer")},
              {"created_at", date_time()},
              {"delivered_at", optional_date_time()},
              {"digest", nullable("integer")}});
  all["DeliveryPage"] =
      record({{"items", array_of(ref("Delivery"))}, {"next_cursor", nullable("string")}});
  all["WebhookBody"] =
      record({{"event_id", integer()},
              {"type", text()},
              {"project", record({{"id", text()}, {"name", text()}, {"workflow", text()}})},
              {"from", nullable("string")},
              {"to", nullable("string")},
              {"transition", nullable("string")},
              {"actor", text()},
              {"at", date_time()},
              {"triggers", strings()},
              {"title", ref("Label")},
              {"event", json::object{{"anyOf", json::array{ref("Event"), type("null")}}}}},
             "The body POSTed to a webhook of format json.");
}

void add_reports(json::object& all) {
  const auto rate = [] {
    return with_description(nullable("number"), "0 to 1; null when nothing to divide by");
  };
  const auto days = [] { return nullable("number"); };
  // A figure read from a report tag the workflow does not have (docs/reports.md).
  const auto tagged = [](std::string_view type_name) {
    return with_description(nullable(type_name),
                            "null: not applicable (the workflow has no report tag for it)");
  };
  all["ReportPipeline"] = object_of(
      {{"workflow", text()},
       {"stages", array_of(record({{"state", text()},
                                   {"label", ref("Label")},
                                   {"count", integer()},
                                   {"investment_wan", tagged("number")}}))},
       {"total", record({{"count", integer()}, {"investment_wan", tagged("number")}})},
       {"groups", with_description(array_of(record({{"value", text()},
                                                    {"count", integer()},
                                                    {"investment_wan", tagged("number")}})),
                                   "With by=: per value of that dimension present, in order "
                                   "(\"\": projects without one)")}},
      {"workflow", "stages", "total"});
  all["ReportFunnel"] = record({{"workflow", text()},
                                {"from", date()},
                                {"to", date()},
                                {"cohort", integer()},
                                {"stages", array_of(record({{"state", text()},
                                                            {"label", ref("Label")},
                                                            {"terminal", boolean()},
                                                            {"reached", integer()},
                                                            {"rate_from_previous", rate()},
                                                            {"rate_from_start", rate()}}))}});
  all["ReportAging"] =
      record({{"workflow", text()},
              {"from", date()},
              {"to", date()},
              {"stages", array_of(record({{"state", text()},
                                          {"label", ref("Label")},
                                          {"samples", integer()},
                                          {"median_working_days", days()},
                                          {"p90_working_days", days()}}))},
              {"longest_waiting", array_of(record({{"project_id", text()},
                                                   {"name", text()},
                                                   {"state", text()},
                                                   {"since", date_time()},
                                                   {"working_days", integer()}}))}});
  // kpis (issue 16): the zones' KPIs (docs/reports.md, KPIs).
  const auto figure_id = [] {
    return with_description(nullable("string"),
                            "The figure whose projects GET /api/projects?figure= lists; null when "
                            "not applicable or not a count of projects");
  };
  all["ReportKpis"] = record(
      {{"workflow", text()},
       {"from", date()},
       {"to", date()},
       {"today", date()},
       {"signed_projects", tagged("integer")},
       {"signed_investment_wan", tagged("number")},
       {"kpis",
        array_of(record(
            {{"id", one_of_values({"contract_performance_rate", "construction_start_rate",
                                   "on_time_start_rate", "production_rate", "completion_rate",
                                   "on_time_completion_rate", "funds_in_place_rate",
                                   "sla_on_time_rate", "milestone_on_time_rate"})},
             {"label", ref("Label")},
             {"numerator", tagged("number")},
             {"denominator", tagged("number")},
             {"rate", rate()},
             {"numerator_figure", figure_id()},
             {"denominator_figure", figure_id()}}))},
       {"overdue_start_count", tagged("integer")},
       {"overdue_start", array_of(record({{"project_id", text()},
                                          {"name", text()},
                                          {"state", text()},
                                          {"state_label", ref("Label")},
                                          {"due_on", date()},
                                          {"days_overdue", integer()}}))}});
  all["ReportMonthly"] =
      record({{"month", text()},
              {"from", date()},
              {"to", date()},
              {"today", date()},
              {"text", ref("Label")},
              {"sheets",
               array_of(record(
                   {{"name", text()},
                    {"header", strings()},
                    {"rows", array_of(array_of(json::object{
                                 {"anyOf", json::array{type("string"), type("number")}}}))}}))}});
  all["ReportPeriod"] =
      record({{"from", date()},
              {"to", date()},
              {"workflows", array_of(record({{"workflow", text()},
                                             {"title", ref("Label")},
                                             {"new_projects", integer()},
                                             {"new_investment_wan", tagged("number")},
                                             {"signed", tagged("integer")},
                                             {"signed_investment_wan", tagged("number")},
                                             {"started", tagged("integer")},
                                             {"completed", tagged("integer")},
                                             {"in_production", tagged("integer")},
                                             {"enterprises", tagged("integer")},
                                             {"floor_area_m2", tagged("number")}}))},
              {"text", ref("Label")}});
  // problems (issue 17): docs/service-desk.md.
  const auto group = [&rate] {
    return record({{"key", with_description(text(), "The field's value (\"\": none)")},
                   {"label", text()},
                   {"label_en", text()},
                   {"raised", integer()},
                   {"resolved", integer()},
                   {"on_time", integer()},
                   {"resolution_rate", rate()},
                   {"on_time_rate", rate()},
                   {"open", with_description(integer(), "Open now, whenever raised")}});
  };
  all["ReportProblems"] = record({{"workflows", strings()},
                                  {"from", date()},
                                  {"to", date()},
                                  {"raised", integer()},
                                  {"resolved", integer()},
                                  {"on_time", integer()},
                                  {"ended_otherwise", integer()},
                                  {"resolution_rate", rate()},
                                  {"on_time_rate", rate()},
                                  {"average_working_days", nullable("number")},
                                  {"open", integer()},
                                  {"by_unit", array_of(group())},
                                  {"by_category", array_of(group())}});
}

// funds (issue 16): the 到位资金 ledger and the promoting units' targets.
void add_funds(json::object& all) {
  const auto money = [] { return with_description(type("number"), "万元"); };
  const auto source = [] { return one_of_values(engine::names_of(engine::kFundsSourceNames)); };
  const auto month = [] { return with_description(text(), "YYYY-MM"); };
  const auto growth = [] {
    return with_description(nullable("number"),
                            "同比: (this − last year) ÷ last year; null when last year had 0");
  };
  const auto figure = [] {
    return one_of_values({"signed_projects", "signed_amount", "funds", "started_projects"});
  };
  all["FundsEntry"] = record({{"month", month()},
                              {"amount", money()},
                              {"source", source()},
                              {"evidence", text()},
                              {"comment", text()},
                              {"actor", text()},
                              {"at", date_time()}});
  all["FundsRecordedBody"] = record({{"month", month()},
                                     {"amount", money()},
                                     {"source", source()},
                                     {"evidence", text()},
                                     {"comment", text()},
                                     {"changes", array_of(ref("FieldChange"))}});
  all["RecordFunds"] = object_of({{"month", month()},
                                  {"amount", with_description(type("number"),
                                                              "万元; negative: a correction "
                                                              "(needs a comment)")},
                                  {"source", source()},
                                  {"evidence", text()},
                                  {"comment", text()},
                                  {"version", integer()}},
                                 {"month", "amount", "source"});
  const auto figures = [&](std::initializer_list<std::pair<std::string_view, json::object>> more) {
    json::object schema = record({{"month", money()},
                                  {"cumulative", money()},
                                  {"month_last_year", money()},
                                  {"cumulative_last_year", money()},
                                  {"month_growth", growth()},
                                  {"cumulative_growth", growth()},
                                  {"entries", integer()}});
    json::object& properties = schema["properties"].as_object();
    json::array& required = schema["required"].as_array();
    for (const auto& [name, member] : more) {
      properties[name] = member;
      required.emplace_back(name);
    }
    return schema;
  };
  const json::object line = figures({{"key", text()}, {"label", ref("Label")}});
  all["ReportFunds"] = record({{"month", month()},
                               {"workflow", nullable("string")},
                               {"total", figures({})},
                               {"by_source", array_of(line)},
                               {"by_workflow", array_of(line)},
                               {"by_unit", array_of(line)}});
  all["TargetFigure"] = record({{"id", figure()}, {"label", ref("Label")}, {"unit", text()}});
  all["Target"] = record({{"year", integer()},
                          {"unit", text()},
                          {"figure", figure()},
                          {"value", type("number")},
                          {"set_by", text()},
                          {"set_at", date_time()}});
  all["TargetChange"] = record({{"id", integer()},
                                {"year", integer()},
                                {"unit", text()},
                                {"figure", figure()},
                                {"before", nullable("number")},
                                {"after", nullable("number")},
                                {"by", text()},
                                {"at", date_time()}});
  all["Targets"] = record(
      {{"year", integer()},
       {"figures", array_of(ref("TargetFigure"))},
       {"units", array_of(record({{"id", text()}, {"label", ref("Label")}}))},
       {"targets", array_of(ref("Target"))},
       {"history", with_description(array_of(ref("TargetChange")), "Newest first (at most 200)")}});
  all["SetTarget"] = object_of({{"year", integer()},
                                {"unit", text()},
                                {"figure", figure()},
                                {"value", with_description(nullable("number"),
                                                           "≥ 0 (a count, or 万元); null "
                                                           "removes the target")}},
                               {"year", "unit", "figure", "value"});
  all["TargetSet"] =
      record({{"target", json::object{{"anyOf", json::array{ref("Target"), type("null")}}}},
              {"change", json::object{{"anyOf", json::array{ref("TargetChange"), type("null")}},
                                      {"description", "null: the value was already that"}}}});
  all["ReportTargets"] = record(
      {{"year", integer()},
       {"through", date()},
       {"figures", array_of(ref("TargetFigure"))},
       {"units",
        array_of(record({{"unit", text()},
                         {"label", ref("Label")},
                         {"figures", array_of(record({{"figure", figure()},
                                                      {"target", nullable("number")},
                                                      {"actual", type("number")},
                                                      {"rate", nullable("number")}}))},
                         {"score", with_description(nullable("number"),
                                                    "Mean of the rates of the figures with a "
                                                    "target; null: no target")},
                         {"rank", nullable("integer")}}))}});
}

}  // namespace

json::object openapi_schemas() {
  json::object all;
  add_errors(all);
  add_users(all);
  add_workflows(all);
  add_workflow_versions(all);
  add_migrations(all);
  add_projects(all);
  add_events(all);
  add_commands(all);
  add_imports(all);
  add_notifications(all);
  add_reports(all);
  add_funds(all);
  all["CalendarRunway"] = object_of(
      {{"name", text()},
       {"ends", with_description(optional_date(), "The last day of official data; null: none")},
       {"days_left", with_description(integer(), "Negative once the data have ended")}},
      {"name", "ends", "days_left"});
  all["Health"] = object_of(
      {{"status", one_of_values({"ok"})},
       {"calendar_ends",
        with_description(optional_date(),
                         "The earliest last day of official data among the calendars in use")},
       {"calendars", array_of(ref("CalendarRunway"))},
       {"warnings", with_description(array_of(ref("Label")),
                                     "Present when some calendar ends within 90 days or has "
                                     "ended")}},
      {"status"});
  all["Readiness"] = object_of({{"status", one_of_values({"ready"})}}, {"status"});
  all["OpenApiDocument"] =
      object_of({{"openapi", text()}, {"info", any_object()}, {"paths", any_object()}},
                {"openapi", "info", "paths"}, "An OpenAPI 3.1 document (this one).");
  all["OpenApiDocument"].as_object()["additionalProperties"] = true;
  return all;
}

json::object openapi_security_schemes() {
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

json::object openapi_webhooks() {
  json::object post{
      {"operationId", "projectEvent"},
      {"tags", json::array{"webhooks"}},
      {"summary", "An event committed, to a webhook of format json"},
      {"description",
       "POSTed to each subscribed URL with X-Investflow-Signature: sha256=<hex "
       "HMAC-SHA256(secret, body)> when the webhook has a secret. Any 2XX is delivered; "
       "anything else is retried with backoff until the delivery is dead."},
      {"requestBody",
       json::object{{"required", true},
                    {"content", json::object{{"application/json",
                                              json::object{{"schema", ref("WebhookBody")}}}}}}},
      {"responses", json::object{{"2XX", json::object{{"description", "Delivered"}}}}},
      {"security", json::array{}}};
  return json::object{{"projectEvent", json::object{{"post", std::move(post)}}}};
}

}  // namespace investflow::web
