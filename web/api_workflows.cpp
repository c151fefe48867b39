// GET /api/workflows, GET /api/workflows/{id}: what the console needs to draw forms,
// stage lists and the state diagram. POST /api/workflows, GET /api/workflows/{id}/versions
// and /diff: deploying new versions and seeing what changed (issue 15).
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <variant>

#include "engine/graph.hpp"
#include "engine/workflow_diff.hpp"
#include "storage/codec.hpp"
#include "storage/deployed_workflows.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

json::object text_json(const engine::LocalizedText& text) {
  return json::object{{"zh-CN", text.zh}, {"en", text.en}};
}

json::array strings(const std::vector<std::string>& values) {
  json::array array;
  for (const auto& value : values)
    array.emplace_back(value);
  return array;
}

json::object field_json(const engine::FieldDef& field) {
  json::object option_labels;
  for (const auto& [option, label] : field.option_labels)
    option_labels[option] = text_json(label);
  json::object object{{"name", field.name},
                      {"type", engine::field_type_name(field.type)},
                      {"required", field.required},
                      {"label", text_json(field.label)},
                      {"help", text_json(field.help)},
                      {"group", field.group},
                      {"unit", field.unit},
                      {"options", strings(field.options)},
                      {"option_labels", std::move(option_labels)}};
  object["min"] = field.min ? json::value(*field.min) : json::value(nullptr);
  object["max"] = field.max ? json::value(*field.max) : json::value(nullptr);
  object["report"] = field.report
                         ? json::value(engine::name_in(engine::kFieldTagNames, *field.report))
                         : json::value(nullptr);
  return object;
}

json::object state_json(const engine::StateDef& state) {
  json::object object{
      {"id", state.id}, {"label", text_json(state.label)}, {"terminal", state.terminal}};
  object["sla"] = nullptr;
  if (state.sla) {
    const auto& days = state.sla->working_days.amount;
    object["sla"] = json::object{
        {"working_days", std::holds_alternative<int>(days)
                             ? json::value(std::get<int>(days))
                             : json::value(std::get<engine::Expression>(days).source())},
        {"escalate", strings(state.sla->escalate)}};
  }
  object["review"] = nullptr;
  if (const auto& review = state.review) {
    object["review"] = json::object{
        {"voters", review->voters},
        {"quorum", review->quorum},
        {"quorum_fraction", review->quorum_denominator > 0
                                ? json::value(std::to_string(review->quorum_numerator) + "/" +
                                              std::to_string(review->quorum_denominator))
                                : json::value(nullptr)},
        {"blind", review->blind}};
  }
  object["report"] = state.report
                         ? json::value(engine::name_in(engine::kStateTagNames, *state.report))
                         : json::value(nullptr);
  return object;
}

json::object transition_json(const engine::TransitionDef& transition) {
  return json::object{
      {"id", transition.id},
      {"label", text_json(transition.label)},
      {"from", transition.from_any ? json::value("*") : json::value(strings(transition.from))},
      {"to", transition.to},
      {"roles", strings(transition.roles)},
      {"requires", strings(transition.requires_fields)},
      {"comment", transition.comment == engine::CommentRule::required ? "required" : "optional"}};
}

json::object summary_json(const engine::Workflow& workflow) {
  return json::object{{"id", workflow.id},
                      {"version", workflow.version},
                      {"title", text_json(workflow.title)},
                      {"description", text_json(workflow.description)}};
}

json::object workflow_json(const engine::Workflow& workflow, std::string_view lang) {
  json::object object = summary_json(workflow);
  object["calendar"] = workflow.calendar_name;
  object["roles"] = strings(workflow.roles);
  object["initial"] = workflow.initial;
  json::array fields, states, transitions, computed;
  for (const auto& field : workflow.fields)
    fields.push_back(field_json(field));
  for (const auto& state : workflow.states)
    states.push_back(state_json(state));
  for (const auto& transition : workflow.transitions)
    transitions.push_back(transition_json(transition));
  for (const auto& value : workflow.computed)
    computed.push_back(json::object{{"name", value.name}, {"label", text_json(value.label)}});
  object["fields"] = std::move(fields);
  object["computed"] = std::move(computed);
  object["states"] = std::move(states);
  object["transitions"] = std::move(transitions);
  object["mermaid"] = engine::mermaid_state_diagram(workflow, lang);
  // Language v1.1 parent links: the workflows its items' parents may be of (none: empty).
  object["parent_workflows"] =
      strings(workflow.parent ? workflow.parent->workflows : std::vector<std::string>{});
  // Language v1.1 supervision levels (督办), lowest first; null without a `supervision:`.
  object["supervision"] = nullptr;
  if (workflow.supervision) {
    json::array levels;
    for (const auto& level : workflow.supervision->levels) {
      levels.push_back(json::object{
          {"id", level.id}, {"label", text_json(level.label)}, {"roles", strings(level.roles)}});
    }
    object["supervision"] = json::object{{"levels", std::move(levels)}};
  }
  // Milestones by id with their labels: the console names them (issue 22 item 6).
  json::array milestones;
  for (const auto& milestone : workflow.milestones) {
    milestones.push_back(json::object{{"id", milestone.id}, {"label", text_json(milestone.label)}});
  }
  object["milestones"] = std::move(milestones);
  return object;
}

}  // namespace

Response list_workflows(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto stored = context.store.stored_workflows();
  if (!stored) return storage_failure(stored.error(), request);
  std::map<std::string, std::int64_t> latest;
  for (const auto& workflow : *stored) {
    auto& version = latest[workflow.id];
    version = std::max(version, workflow.version);
  }
  json::array workflows;
  for (const auto& [id, version] : latest) {
    if (auto workflow = context.store.workflow(id, version)) {
      workflows.push_back(summary_json(*workflow));
    }
  }
  return json_body(200, json::object{{"workflows", std::move(workflows)}});
}

Response get_workflow(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  std::int64_t version = 0;
  if (const auto asked = request.query_param("version")) {
    try {
      version = std::stoll(std::string(*asked));
    } catch (const std::exception&) {
      return problem(request,
                     bad_request({"version 应为整数", "version must be an integer"},
                                 {FieldError{"version", {"应为整数", "expected an integer"}}}));
    }
  }
  auto workflow = context.store.workflow(params.at("id"), version);
  if (!workflow) return problem(request, no_such_workflow(params.at("id")));
  return json_body(200, workflow_json(*workflow, language(request)));
}

}  // namespace investflow::web::api

// --- deployed versions (issue 15) ------------------------------------------------------

namespace investflow::web::api {
namespace {

bool yaml_media_type(std::string_view type) {
  const std::string_view media = type.substr(0, type.find(';'));
  for (const std::string_view accepted :
       {"application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml", "text/plain"}) {
    if (media.size() == accepted.size() &&
        std::equal(media.begin(), media.end(), accepted.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

// 422 listing every load error with its line and column.
Response load_errors(const std::vector<workflows::Diagnostic>& diagnostics, std::string_view lang) {
  json::array errors;
  std::string detail;
  for (const workflows::Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity != workflows::Diagnostic::Severity::error) continue;
    errors.push_back(json::object{{"field", ""},
                                  {"line", diagnostic.line},
                                  {"column", diagnostic.column},
                                  {"message", diagnostic.message}});
    if (detail.empty()) {
      detail = std::to_string(diagnostic.line) + ":" + std::to_string(diagnostic.column) + ": " +
               diagnostic.message;
    }
  }
  const std::string more = std::to_string(errors.size() - 1);
  const bool english = lang == "en";
  if (errors.size() > 1)
    detail += english ? " (and " + more + " more)" : "（另有 " + more + " 处）";
  json::object body{
      {"type", "urn:investflow:problem:invalid_workflow"},
      {"title", "Rule violation"},
      {"status", 422},
      {"detail", (english ? "the workflow does not load: " : "流程无法加载：") + detail},
      {"code", "invalid_workflow"},
      {"errors", std::move(errors)}};
  Response response = json_body(422, body);
  response.headers.set("Content-Type", std::string(kProblemJsonType));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

std::optional<std::int64_t> version_param(const Request& request, std::string_view name) {
  const auto text = request.query_param(name);
  if (!text) return std::nullopt;
  std::int64_t version = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), version);
  if (error != std::errc() || end != text->data() + text->size() || version < 1) {
    return std::nullopt;
  }
  return version;
}

}  // namespace

Response deploy_workflow(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!caller->actor.has_role("admin")) {
    return problem(request,
                   forbidden({"只有管理员可以部署流程", "only an admin may deploy workflows"},
                             "role_not_allowed"));
  }
  const auto type = request.header("Content-Type");
  if (type && !yaml_media_type(*type)) {
    return problem(
        request,
        unsupported_media_type(
            {"请求体应为流程的 YAML：Content-Type 为 application/yaml、text/yaml 或 text/plain",
             "the body is the workflow's YAML: Content-Type application/yaml, text/yaml or "
             "text/plain"}));
  }
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return problem(request,
                   bad_request({"请求体应为流程的 YAML，但它是空的",
                                "the body is the workflow's YAML, and it is empty"},
                               {FieldError{"", {"应为流程的 YAML", "expected a workflow's YAML"}}},
                               "empty_body"));
  }
  const workflows::CalendarRegistry calendars = storage::with_calendars_in_use(
      context.store, context.calendars ? *context.calendars : workflows::CalendarRegistry{});
  const storage::WorkflowDeploy deploy =
      storage::deploy_workflow_texts(context.store, {request.body}, {"request body"}, calendars);
  if (!deploy.valid) return load_errors(deploy.loads.front().diagnostics, language(request));
  if (!deploy.refused.empty())
    return problem(request, conflict({"拒绝部署此版本：" + deploy.refused, deploy.refused},
                                     "workflow_version_refused"));
  if (!deploy.failed.empty()) {
    return storage_failure(storage::Error{storage::Error::Kind::storage, deploy.failed}, request);
  }
  const engine::Workflow& workflow = *deploy.loads.front().workflow;
  const storage::DeployResult& result = deploy.results.front();
  if (result.stored) {
    audit(context, request, caller->user.id, "workflow_deployed",
          workflow.id + "@" + std::to_string(workflow.version));
  }
  return json_body(result.stored ? 201 : 200,
                   json::object{{"id", workflow.id},
                                {"version", workflow.version},
                                {"deployed_at", engine::format_timestamp(result.deployed_at)}});
}

Response workflow_versions(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto stored = context.store.stored_workflows();
  if (!stored) return storage_failure(stored.error(), request);
  auto counts = context.store.projects_by_version(id);
  if (!counts) return storage_failure(counts.error(), request);
  std::int64_t newest = 0;
  for (const auto& workflow : *stored) {
    if (workflow.id == id) newest = std::max(newest, workflow.version);
  }
  if (newest == 0) return problem(request, no_such_workflow(id));
  json::array versions;
  for (auto it = stored->rbegin(); it != stored->rend(); ++it) {
    if (it->id != id) continue;
    const auto definition = context.store.workflow(id, it->version);
    std::int64_t total = 0;
    json::array by_state;
    for (const storage::VersionStateCount& count : *counts) {
      if (count.workflow != id || count.version != it->version) continue;
      const engine::StateDef* state = definition ? definition->find_state(count.state) : nullptr;
      by_state.push_back(json::object{
          {"state", count.state},
          {"label", state != nullptr && !state->label.zh.empty() ? state->label.zh : count.state},
          {"count", count.count}});
      total += count.count;
    }
    versions.push_back(json::object{
        {"version", it->version},
        {"deployed_at", engine::format_timestamp(it->loaded_at)},
        {"latest", it->version == newest},
        {"projects", json::object{{"total", total}, {"by_state", std::move(by_state)}}}});
  }
  return json_body(200, json::object{{"workflow", id}, {"versions", std::move(versions)}});
}

Response workflow_diff(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  const auto from = version_param(request, "from");
  const auto to = version_param(request, "to");
  if (!from || !to) {
    std::vector<FieldError> errors;
    const LocalizedText expected{"应为版本号（不小于 1）", "expected a version number (1 or more)"};
    if (!from) errors.push_back({"from", expected});
    if (!to) errors.push_back({"to", expected});
    return problem(request, bad_request({"from 和 to 是要比较的两个版本",
                                         "from and to are the versions to compare"},
                                        std::move(errors)));
  }
  const auto before = context.store.workflow(id, *from);
  const auto after = context.store.workflow(id, *to);
  if (!before || !after) {
    return problem(
        request,
        not_found({"流程“" + id + "”没有第 " + std::to_string(before ? *to : *from) + " 版",
                   "no workflow '" + id + "' version " + std::to_string(before ? *to : *from)},
                  "no_such_workflow"));
  }
  json::array changes;
  for (const engine::WorkflowChange& change : engine::diff_workflows(*before, *after)) {
    changes.push_back(json::object{{"kind", engine::name_in(engine::kChangeKindNames, change.kind)},
                                   {"change", engine::name_in(engine::kChangeNames, change.change)},
                                   {"id", change.id},
                                   {"text", change.text.zh},
                                   {"text_en", change.text.en}});
  }
  return json_body(
      200, json::object{
               {"workflow", id}, {"from", *from}, {"to", *to}, {"changes", std::move(changes)}});
}

}  // namespace investflow::web::api
