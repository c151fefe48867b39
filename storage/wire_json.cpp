#include "storage/wire_json.hpp"

#include <boost/json.hpp>

#include "engine/decide.hpp"
#include "engine/supervision.hpp"
#include "storage/codec.hpp"

namespace investflow::storage {
namespace json = boost::json;

namespace {

json::value timestamp_json(engine::Timestamp at) {
  return json::string(wire_timestamp(at));
}

const Encoding kWire{&wire_value, &timestamp_json};

}  // namespace

std::string wire_timestamp(engine::Timestamp at) {
  return engine::format_timestamp(at, engine::kChinaUtcOffsetMinutes);
}

json::value wire_timestamp(const std::optional<engine::Timestamp>& at) {
  if (!at) return nullptr;
  return timestamp_json(*at);
}

json::value wire_value(const engine::Value& value) {
  if (const engine::Date* date = value.as_date()) return json::string(date->to_string());
  if (const engine::Value::List* items = value.as_list()) {
    json::array array;
    array.reserve(items->size());
    for (const auto& item : *items)
      array.push_back(wire_value(item));
    return array;
  }
  return value_to_json(value);  // null, booleans, numbers and text look the same
}

json::value wire_fields(const engine::FieldMap& fields) {
  return fields_to_json(fields, kWire);
}

json::value event_to_wire(const engine::Event& event) {
  return event_to_json(event, kWire);
}

json::value project_to_wire(const engine::Project& project) {
  return project_to_json(project, kWire);
}

std::string encode_project_wire(const engine::Project& project, const engine::Workflow* workflow) {
  json::value wire = project_to_wire(project);
  if (workflow != nullptr && !workflow->computed.empty()) {
    wire.as_object()["computed"] = computed_to_wire(*workflow, project);
  }
  return canonical_json(wire);
}

json::object computed_to_wire(const engine::Workflow& workflow, const engine::Project& project) {
  json::object computed;
  const engine::Date day = engine::local_date(project.updated_at);
  for (const engine::ComputedDef& definition : workflow.computed) {
    const engine::Value value = engine::evaluate_name(workflow, project, definition.name, day);
    if (!value.is_null()) computed[definition.name] = wire_value(value);
  }
  return computed;
}

ProjectJson project_wire_json(const engine::Project& project, const engine::Workflow* workflow) {
  return ProjectJson{project.version,  encode_project_wire(project, workflow),
                     project.workflow, project.workflow_version,
                     project.state,    engine::earliest_open_due(project)};
}

json::value write_result_to_wire(const WriteResult& result) {
  json::array events;
  events.reserve(result.events.size());
  for (const auto& event : result.events)
    events.push_back(event_to_wire(event));
  const std::string project_id = result.events.empty() ? "" : result.events.front().project_id;
  return json::object{
      {"project_id", project_id}, {"version", result.version}, {"events", std::move(events)}};
}

}  // namespace investflow::storage
