// The OpenAPI 3.1 document, built with Boost.JSON from the route tables (route_table.hpp);
// the components are in openapi_schemas.cpp.
#include "web/openapi.hpp"

#include <boost/json.hpp>
#include <string_view>
#include <utility>

#include "web/openapi_schemas.hpp"
#include "web/route_table.hpp"

namespace investflow::web {
namespace {

namespace json = boost::json;

json::object schema_ref(std::string_view schema) {
  return json::object{{"$ref", "#/components/schemas/" + std::string(schema)}};
}

json::array declared_tags() {
  const auto tag = [](std::string_view name, std::string_view description) {
    return json::object{{"name", name}, {"description", description}};
  };
  return json::array{
      tag("auth", "Log in and out, the calling user, the audit log"),
      tag("users", "Accounts and API tokens (admins)"),
      tag("workflows", "The workflow definitions: fields, states, transitions"),
      tag("projects", "Projects and everything done to them; every write is an event"),
      tag("live", "Server-sent events of committed events"),
      tag("notifications", "Each user's inbox"),
      tag("webhooks", "Webhook subscriptions and their delivery log (admins)"),
      tag("reports", "Managers' reports, as JSON, CSV or XLSX"),
      tag("meta", "This document, liveness and metrics")};
}

std::string_view error_description(int status) {
  switch (status) {
    case 400:
      return "Malformed request or wrong types; errors name the member or parameter";
    case 401:
      return "No or invalid credentials";
    case 403:
      return "Role not allowed, the CSRF token missing on an unsafe cookie request, or (/metrics) "
             "a client not on this machine";
    case 404:
      return "No such resource";
    case 409:
      return "Stale version (the body's version is not the project's)";
    case 412:
      return "If-Match does not match the project's version";
    case 413:
      return "Body or header too large";
    case 415:
      return "The body's Content-Type is not one this operation reads";
    case 422:
      return "Rule violation; every reason listed in errors";
    case 429:
      return "Too many failed attempts, or too many streams open; see Retry-After";
    case 503:
      return "Not enabled on this server, not ready (readiness), or the database cannot be "
             "written now (code storage_read_only, storage_busy or storage_unavailable)";
    case 507:
      return "The server's disk is full (code storage_full); nothing was saved";
    case 500:
      return "The server failed; request_id names the log line";
    default:
      return "Error";
  }
}

std::string_view header_description(std::string_view name) {
  if (name == "ETag") return "The project's version, quoted, e.g. \"3\"";
  if (name == "Location") return "The new resource";
  if (name == "Set-Cookie") return "The session cookie (investflow_session), HttpOnly";
  if (name == "Content-Disposition") {
    return "attachment; filename=\"pipeline-WORKFLOW-YYYY-MM-DD.csv\"; "
           "filename*=UTF-8''<the Chinese name, e.g. 项目储备-WORKFLOW-YYYY-MM-DD.csv, "
           "percent-encoded> for csv and xlsx";
  }
  return "";
}

json::object content_json(const std::vector<Content>& contents) {
  json::object content;
  for (const auto& each : contents) {
    json::object schema;
    if (!each.schema.empty()) {
      schema = schema_ref(each.schema);
    } else {
      schema = json::object{{"type", "string"}};
      if (!each.format.empty()) schema["format"] = each.format;
    }
    json::object media{{"schema", std::move(schema)}};
    if (each.media_type == "text/event-stream") {
      // OpenAPI 3.1 cannot type the events of a stream: the data's schemas, by reference.
      media["x-event-data"] = json::object{
          {"oneOf", json::array{schema_ref("StreamEvent"), schema_ref("NotificationCount")}}};
    }
    content[each.media_type] = std::move(media);
  }
  return content;
}

json::object answer_json(const Answer& answer) {
  json::object response{{"description", answer.description}};
  if (!answer.headers.empty()) {
    json::object headers;
    for (const auto name : answer.headers) {
      headers[name] = json::object{{"description", header_description(name)},
                                   {"schema", json::object{{"type", "string"}}}};
    }
    response["headers"] = std::move(headers);
  }
  if (!answer.content.empty()) response["content"] = content_json(answer.content);
  return response;
}

json::object problem_response(int status) {
  return json::object{{"description", error_description(status)},
                      {"content", json::object{{"application/problem+json",
                                                json::object{{"schema", schema_ref("Problem")}}}}}};
}

json::object parameter_json(const Parameter& parameter) {
  json::object schema{{"type", parameter.type}};
  if (!parameter.format.empty()) schema["format"] = parameter.format;
  if (!parameter.values.empty()) {
    json::array values;
    for (const auto value : parameter.values)
      values.emplace_back(value);
    schema["enum"] = std::move(values);
  }
  if (parameter.minimum) schema["minimum"] = *parameter.minimum;
  if (parameter.maximum) schema["maximum"] = *parameter.maximum;
  json::object object{{"name", parameter.name}, {"in", parameter.in}};
  if (!parameter.description.empty()) object["description"] = parameter.description;
  if (parameter.required) object["required"] = true;
  object["schema"] = std::move(schema);
  return object;
}

json::object operation_json(std::string_view method, std::string_view path,
                            const Operation& route) {
  json::object op{{"operationId", route.operation_id},
                  {"tags", json::array{json::value(route.tag)}},
                  {"summary", route.summary}};
  if (!route.description.empty()) op["description"] = route.description;
  json::array parameters;
  for (auto at = path.find('{'); at != std::string_view::npos; at = path.find('{', at + 1)) {
    const auto end = path.find('}', at);
    parameters.push_back(json::object{{"name", path.substr(at + 1, end - at - 1)},
                                      {"in", "path"},
                                      {"required", true},
                                      {"schema", json::object{{"type", "string"}}}});
  }
  for (const auto& parameter : route.parameters)
    parameters.push_back(parameter_json(parameter));
  if (!parameters.empty()) op["parameters"] = std::move(parameters);
  if (!route.request.empty()) {
    op["requestBody"] = json::object{{"required", true}, {"content", content_json(route.request)}};
  }
  json::object responses;
  for (const auto& answer : route.responses)
    responses[std::to_string(answer.status)] = answer_json(answer);
  for (const int status : route.errors)
    responses[std::to_string(status)] = problem_response(status);
  // What any write may meet in storage (problem.hpp storage_problem): the database read-only
  // or locked by another process, the disk full. Listed here, once, for every write.
  if (method != "GET" && method != "HEAD") {
    responses["503"] = problem_response(503);
    responses["507"] = problem_response(507);
  }
  responses["500"] = problem_response(500);
  op["responses"] = std::move(responses);
  op["security"] =
      route.security == Security::user
          ? json::array{json::object{{"cookieAuth", json::array{}}, {"csrfToken", json::array{}}},
                        json::object{{"bearerAuth", json::array{}}}}
          : json::array{};
  return op;
}

std::string lower(std::string_view method) {
  std::string text(method);
  for (char& c : text)
    c = static_cast<char>(c - 'A' + 'a');
  return text;
}

template <class Context>
void add_paths(json::object& paths, const std::vector<RouteDef<Context>>& table) {
  for (const auto& route : table) {
    json::value& item = paths[route.path];
    if (!item.is_object()) item = json::object{};
    item.as_object()[lower(route.method)] = operation_json(route.method, route.path, route.doc);
  }
}

}  // namespace

std::vector<OpenApiOperation> openapi_operations() {
  std::vector<OpenApiOperation> list;
  for (const auto& route : api_route_table())
    list.push_back({std::string(route.method), std::string(route.path)});
  for (const auto& route : builtin_route_table())
    list.push_back({std::string(route.method), std::string(route.path)});
  return list;
}

json::object openapi_document() {
  json::object paths;
  add_paths(paths, api_route_table());
  add_paths(paths, builtin_route_table());
  return json::object{
      {"openapi", "3.1.0"},
      {"info",
       json::object{{"title", "investflow API"},
                    {"version", "1"},
                    {"description",
                     "Investment project workflows. Errors are application/problem+json (RFC "
                     "9457); timestamps are RFC 3339 with their offset, dates YYYY-MM-DD."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"tags", declared_tags()},
      {"paths", std::move(paths)},
      {"webhooks", openapi_webhooks()},
      {"components", json::object{{"schemas", openapi_schemas()},
                                  {"securitySchemes", openapi_security_schemes()}}}};
}

std::string openapi_json() {
  return json::serialize(openapi_document());
}

}  // namespace investflow::web
