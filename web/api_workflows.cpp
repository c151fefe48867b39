// GET /api/workflows, GET /api/workflows/{id}: what the console needs to draw forms,
// stage lists and the state diagram.
#include <boost/json.hpp>
#include <map>
#include <variant>

#include "engine/graph.hpp"
#include "storage/codec.hpp"
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
                                : json::value(nullptr)}};
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
  return object;
}

}  // namespace

Response list_workflows(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(caller.error());
  auto stored = context.store.stored_workflows();
  if (!stored) return storage_failure(stored.error(), request.request_id);
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
  if (!caller) return problem(caller.error());
  std::int64_t version = 0;
  if (const auto asked = request.query_param("version")) {
    try {
      version = std::stoll(std::string(*asked));
    } catch (const std::exception&) {
      return problem(bad_request("version must be an integer",
                                 {FieldError{"version", "expected an integer"}}));
    }
  }
  auto workflow = context.store.workflow(params.at("id"), version);
  if (!workflow)
    return problem(not_found("no workflow '" + params.at("id") + "'", "no_such_workflow"));
  return json_body(200, workflow_json(*workflow, language(request)));
}

}  // namespace investflow::web::api
