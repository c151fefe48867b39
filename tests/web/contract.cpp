#include "tests/web/contract.hpp"

#include <gtest/gtest.h>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "web/openapi.hpp"
#include "web/request_target.hpp"
#include "web/router.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

bool is_json(std::string_view media_type) {
  return media_type == "application/json" || media_type == "application/problem+json";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string media_type_of(const ClientResponse& response) {
  const std::string_view type = response.header("Content-Type").value_or("");
  std::string_view bare = type.substr(0, type.find(';'));
  while (!bare.empty() && bare.back() == ' ')
    bare.remove_suffix(1);
  return lower(bare);
}

// valijson's context ("<root>", "[events]", "[0]", ...) as a JSON pointer: "/events/0".
std::string json_pointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& step : context) {
    if (step.size() >= 2 && step.front() == '[' && step.back() == ']') {
      std::string name = step.substr(1, step.size() - 2);
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      pointer += "/" + name;
    }
  }
  return pointer.empty() ? "/" : pointer;
}

// valijson checks `format` with a std::regex built on every visit, slow under the
// sanitizers; as a `pattern` the validator caches it. Both formats the document uses:
constexpr std::string_view kDatePattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
constexpr std::string_view kTimePattern =
    "T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]"
    ")";

void formats_as_patterns(json::value& value) {
  if (auto* object = value.if_object()) {
    const auto* format = object->if_contains("format");
    const std::string name = format != nullptr && format->is_string()
                                 ? std::string(format->get_string())
                                 : std::string();
    if (name == "date" || name == "date-time") {
      object->erase("format");
      std::string pattern(kDatePattern);
      if (name == "date-time") pattern += kTimePattern;
      object->insert_or_assign("pattern", pattern + "$");
    }
    for (auto& member : *object)
      formats_as_patterns(member.value());
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array)
      formats_as_patterns(item);
  }
}

class Contract {
 public:
  Contract() : document_(openapi_document()) {
    for (const auto& operation : openapi_operations()) {
      router_.add(operation.method, operation.pattern,
                  [](const Request&, const RouteParams&) { return empty_response(204); });
    }
    json::value components = document_.at("components");
    formats_as_patterns(components);
    components_ = std::move(components.as_object());
  }

  std::string violation(std::string_view method, std::string_view target,
                        const ClientResponse& response) {
    auto parsed = parse_request_target(target);
    const std::string media_type = media_type_of(response);
    const std::string status = std::to_string(response.status);
    if (!parsed) return problem_only("(malformed target)", response, media_type);
    const std::string_view asked = method == "HEAD" ? std::string_view("GET") : method;
    const auto match = router_.match(asked, parsed->path);
    if (const auto* wrong = std::get_if<RouteMethodNotAllowed>(&match)) {
      const std::string route = std::string(method) + " " + wrong->pattern;
      if (response.status != 405) return route + " " + status + ": not 405 for an unrouted method";
      return problem_only(route, response, media_type);
    }
    const auto* found = std::get_if<RouteFound>(&match);
    if (found == nullptr) return problem_only("(no route)", response, media_type);
    const std::string route = std::string(method) + " " + found->route->pattern;
    const json::object& operation =
        document_.at("paths").at(found->route->pattern).at(lower(found->route->method)).as_object();
    const json::value* documented = operation.at("responses").as_object().if_contains(status);
    if (documented == nullptr) return route + " " + status + ": status not documented";
    const json::object* content = documented->as_object().if_contains("content") != nullptr
                                      ? &documented->at("content").as_object()
                                      : nullptr;
    if (method == "HEAD" || response.body.empty()) return "";
    if (content == nullptr) return route + " " + status + ": a body where none is documented";
    const json::value* media = content->if_contains(media_type);
    if (media == nullptr) {
      return route + " " + status + ": media type '" + media_type + "' not documented";
    }
    if (!is_json(media_type)) return "";
    auto violation = validate(route + " " + status, media->at("schema").as_object(), response.body);
    if (violation.empty())
      record(operation.at("operationId").as_string(), status, media_type, response.body);
    return violation;
  }

  std::string schema_violation(std::string_view schema, std::string_view json_text) {
    return validate(std::string(schema),
                    json::object{{"$ref", "#/components/schemas/" + std::string(schema)}},
                    std::string(json_text));
  }

 private:
  // Answers of no documented route (or of the wrong method): problem+json when JSON.
  std::string problem_only(const std::string& route, const ClientResponse& response,
                           const std::string& media_type) {
    if (!is_json(media_type) || response.body.empty()) return "";
    const std::string where = route + " " + std::to_string(response.status);
    if (media_type != "application/problem+json") return where + ": an error that is not a problem";
    return validate(where, json::object{{"$ref", "#/components/schemas/Problem"}}, response.body);
  }

  // With INVESTFLOW_RECORD_RESPONSES=DIR, the first conforming body of each operation,
  // status and media type goes to DIR/<operationId>.<status>.<json|problem>.json
  // (tools/openapi/typecheck.sh type-checks them against a generated client).
  void record(std::string_view operation_id, const std::string& status,
              const std::string& media_type, const std::string& body) {
    const char* dir = std::getenv("INVESTFLOW_RECORD_RESPONSES");
    if (dir == nullptr || *dir == '\0') return;
    const std::string kind = media_type == "application/json" ? "json" : "problem";
    const auto file = std::filesystem::path(dir) /
                      (std::string(operation_id) + "." + status + "." + kind + ".json");
    std::lock_guard lock(mutex_);
    if (std::filesystem::exists(file)) return;
    std::error_code ignored;  // a directory that cannot be made shows as a file not written
    std::filesystem::create_directories(file.parent_path(), ignored);
    std::ofstream(file) << body;
  }

  std::string validate(const std::string& where, const json::object& schema_json,
                       const std::string& body) {
    boost::system::error_code error;
    const json::value value = json::parse(body, error);
    if (error) return where + ": the body is not JSON: " + error.message();
    const valijson::Schema& schema = compiled(schema_json);
    thread_local valijson::Validator validator;  // keeps its compiled patterns
    valijson::ValidationResults results;
    if (validator.validate(schema, valijson::adapters::BoostJsonAdapter(value), &results)) {
      return "";
    }
    std::string message = where + ":";
    valijson::ValidationResults::Error each;
    while (results.popError(each)) {
      message += "\n  " + json_pointer(each.context) + ": " + each.description;
      if (each.description.find("'pattern'") != std::string::npos) {
        message += " (format date or date-time)";
      }
    }
    return message;
  }

  // One compiled schema per distinct response schema, with the components to resolve
  // "#/components/schemas/..." against.
  const valijson::Schema& compiled(const json::object& schema_json) {
    const std::string key = json::serialize(schema_json);
    std::lock_guard lock(mutex_);
    auto& slot = schemas_[key];
    if (!slot) {
      json::value root = schema_json;
      formats_as_patterns(root);
      root.as_object()["components"] = components_;
      slot = std::make_unique<Compiled>();
      slot->root = std::move(root);
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      parser.populateSchema(valijson::adapters::BoostJsonAdapter(slot->root), slot->schema);
    }
    return slot->schema;
  }

  struct Compiled {
    json::value root;
    valijson::Schema schema;
  };

  json::object document_;
  json::object components_;
  Router router_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Compiled>> schemas_;
};

Contract& contract() {
  static Contract instance;
  return instance;
}

void check(std::string_view method, std::string_view target, const ClientResponse& response) {
  const std::string violation = contract_violation(method, target, response);
  if (!violation.empty()) ADD_FAILURE() << "contract: " << violation << "\nbody: " << response.body;
}

}  // namespace

std::string contract_violation(std::string_view method, std::string_view target,
                               const ClientResponse& response) {
  return contract().violation(method, target, response);
}

std::string schema_violation(std::string_view schema, std::string_view json_text) {
  return contract().schema_violation(schema, json_text);
}

ContractChecks::ContractChecks() {
  set_response_check(&check);
}

ContractChecks::~ContractChecks() {
  set_response_check(nullptr);
}

}  // namespace investflow::web::testing
