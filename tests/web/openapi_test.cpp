// The OpenAPI document stays in step with the router: every route is described, every
// described operation is routed, and the document is served, parses and has the basics.
#include "web/openapi.hpp"

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/web/api_test_support.hpp"
#include "web/builtin_routes.hpp"
#include "web/metrics.hpp"
#include "web/server_state.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;

using Operation = std::pair<std::string, std::string>;  // method, path

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

class OpenApiTest : public ApiTest {
 protected:
  // The routes the real server has: the API's and the built-in ones.
  std::set<Operation> routed() {
    Router router;
    add_api_routes(router, std::make_shared<ApiContext>(*store_, *auth_, clock_));
    add_builtin_routes(router, state_);
    std::set<Operation> operations;
    for (const auto& route : router.routes())
      operations.emplace(route.method, route.pattern);
    return operations;
  }

  json::object document() {
    const auto response = fetch(port(), "GET", "/api/openapi.json");
    EXPECT_TRUE(response);
    if (!response) return {};
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("Content-Type").value_or(""), "application/json");
    return parse(*response);
  }

  ServerState state_{ServerOptions{}, Router{}, StaticFiles{}};
};

TEST_F(OpenApiTest, EveryRouteIsDescribedAndEveryDescriptionRouted) {
  const auto routes = routed();
  std::set<Operation> described;
  for (const auto& operation : openapi_operations()) {
    EXPECT_TRUE(described.emplace(operation.method, operation.pattern).second)
        << "described twice: " << operation.method << " " << operation.pattern;
  }
  for (const auto& [method, path] : routes) {
    EXPECT_TRUE(described.count({method, path}))
        << "route without a description: " << method << " " << path;
  }
  for (const auto& [method, path] : described) {
    EXPECT_TRUE(routes.count({method, path}))
        << "description without a route: " << method << " " << path;
  }
}

TEST_F(OpenApiTest, ServedDocumentHasEveryRouteWithResponses) {
  const auto doc = document();
  ASSERT_FALSE(doc.empty());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
  const auto& paths = doc.at("paths").as_object();
  for (const auto& [method, path] : routed()) {
    const auto* item = paths.if_contains(path);
    ASSERT_NE(item, nullptr) << path;
    const auto* op = item->as_object().if_contains(lower(method));
    ASSERT_NE(op, nullptr) << method << " " << path;
    EXPECT_FALSE(op->at("summary").as_string().empty()) << method << " " << path;
    EXPECT_FALSE(op->at("responses").as_object().empty()) << method << " " << path;
    // Path parameters are declared for every {name} in the template.
    for (auto at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      const std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
      bool declared = false;
      for (const auto& parameter : op->at("parameters").as_array()) {
        declared = declared ||
                   (parameter.at("in").as_string() == "path" &&
                    parameter.at("name").as_string() == name && parameter.at("required").as_bool());
      }
      EXPECT_TRUE(declared) << method << " " << path << ": {" << name << "}";
    }
  }
}

// Every operation of the document with its method and path, webhooks excluded.
std::vector<std::tuple<std::string, std::string, json::object>> operations_of(
    const json::object& doc) {
  std::vector<std::tuple<std::string, std::string, json::object>> list;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object())
      list.emplace_back(std::string(method), std::string(path), op.as_object());
  }
  return list;
}

TEST_F(OpenApiTest, OperationIdsAreUniqueCamelCaseAndTagsDeclared) {
  const auto doc = document();
  ASSERT_FALSE(doc.empty());
  std::set<std::string> tags;
  for (const auto& tag : doc.at("tags").as_array()) {
    EXPECT_FALSE(tag.at("description").as_string().empty()) << tag.at("name").as_string();
    tags.emplace(tag.at("name").as_string());
  }
  const std::regex camel_case("[a-z][a-zA-Z0-9]*");
  std::set<std::string> ids;
  for (const auto& [method, path, op] : operations_of(doc)) {
    const std::string id(op.at("operationId").as_string());
    EXPECT_TRUE(std::regex_match(id, camel_case)) << method << " " << path << ": " << id;
    EXPECT_TRUE(ids.insert(id).second) << "operationId twice: " << id;
    const auto& op_tags = op.at("tags").as_array();
    ASSERT_EQ(op_tags.size(), 1u) << method << " " << path;
    EXPECT_TRUE(tags.count(std::string(op_tags[0].as_string())))
        << method << " " << path << ": undeclared tag " << op_tags[0].as_string();
  }
}

TEST_F(OpenApiTest, EveryOperationListsTheErrorsItCanAnswer) {
  const auto doc = document();
  ASSERT_FALSE(doc.empty());
  for (const auto& [method, path, op] : operations_of(doc)) {
    const auto& responses = op.at("responses").as_object();
    const std::string where = method + " " + path;
    std::vector<std::string> expected = {"500"};  // a handler that fails
    const bool authenticated = !op.at("security").as_array().empty();
    if (authenticated) expected.emplace_back("401");
    // Cookie sessions need the CSRF token on unsafe methods.
    if (authenticated && method != "get") expected.emplace_back("403");
    if (path.find('{') != std::string::npos) expected.emplace_back("404");
    if (op.contains("requestBody")) {
      expected.emplace_back("400");  // malformed JSON, wrong types
      expected.emplace_back("413");  // over the body limit
    }
    bool checked_query = false;
    for (const auto& parameter :
         op.if_contains("parameters") != nullptr ? op.at("parameters").as_array() : json::array{}) {
      const auto& schema = parameter.at("schema").as_object();
      checked_query = checked_query || (parameter.at("in").as_string() == "query" &&
                                        (schema.contains("enum") || schema.contains("format") ||
                                         schema.at("type").as_string() != "string" ||
                                         parameter.as_object().contains("required")));
    }
    if (checked_query) expected.emplace_back("400");  // a query value of the wrong kind
    for (const auto& status : expected)
      EXPECT_TRUE(responses.contains(status)) << where << " lacks " << status;
    bool success = false;
    for (const auto& [status, response] : responses) {
      if (status.front() == '2' || status == "304") {
        success = true;
        continue;
      }
      const auto* content = response.as_object().if_contains("content");
      ASSERT_NE(content, nullptr) << where << " " << status;
      EXPECT_EQ(content->at("application/problem+json").at("schema").at("$ref").as_string(),
                "#/components/schemas/Problem")
          << where << " " << status;
    }
    EXPECT_TRUE(success) << where;
  }
}

TEST_F(OpenApiTest, BuiltinRoutesAnswerAsDocumented) {
  // The contract checks (contract.hpp) validate what they answer: a Health, text/plain.
  const auto health = fetch(port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto metrics = fetch(port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(contract_violation("GET", "/healthz", *health), "");
  EXPECT_EQ(contract_violation("GET", "/metrics", *metrics), "");
  // Readiness (issue 20): distinct from liveness, documented the same way.
  const auto ready = fetch(port(), "GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_NE(ready->body.find("\"ready\""), std::string::npos);
  EXPECT_EQ(contract_violation("GET", "/readyz", *ready), "");
}

TEST_F(OpenApiTest, NotReadyIsAProblemSayingWhyInTheCallersLanguage) {
  ServerOptions options = test_options();
  options.ready = [] {
    return engine::LocalizedText{"存储写入积压", "the storage writer is behind"};
  };
  RunningServer behind(Router{}, options);
  const auto zh = fetch(behind.port(), "GET", "/readyz");
  ASSERT_TRUE(zh);
  EXPECT_EQ(zh->status, 503);
  EXPECT_EQ(zh->header("Content-Type").value_or(""), "application/problem+json");
  EXPECT_NE(zh->body.find("\"code\":\"not_ready\""), std::string::npos) << zh->body;
  EXPECT_NE(zh->body.find("存储写入积压"), std::string::npos) << zh->body;
  EXPECT_EQ(contract_violation("GET", "/readyz", *zh), "");
  const auto en = fetch(behind.port(), "GET", "/readyz", {}, {{"Accept-Language", "en"}});
  ASSERT_TRUE(en);
  EXPECT_NE(en->body.find("the storage writer is behind"), std::string::npos) << en->body;
  // Healthy all the same: liveness is another question.
  const auto health = fetch(behind.port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

// Every $ref resolves, so the document stands alone.
void expect_refs_resolve(const json::value& value, const json::object& schemas) {
  if (const auto* object = value.if_object()) {
    if (const auto* ref = object->if_contains("$ref")) {
      const std::string_view target = ref->as_string();
      constexpr std::string_view kPrefix = "#/components/schemas/";
      ASSERT_TRUE(target.starts_with(kPrefix)) << target;
      EXPECT_TRUE(schemas.contains(target.substr(kPrefix.size()))) << target;
    }
    for (const auto& [key, member] : *object)
      expect_refs_resolve(member, schemas);
  } else if (const auto* array = value.if_array()) {
    for (const auto& item : *array)
      expect_refs_resolve(item, schemas);
  }
}

TEST_F(OpenApiTest, EveryReferenceResolvesAndTheWebhookBodyIsDescribed) {
  const auto doc = document();
  ASSERT_FALSE(doc.empty());
  const auto& schemas = doc.at("components").at("schemas").as_object();
  expect_refs_resolve(doc, schemas);
  EXPECT_EQ(doc.at("webhooks")
                .at("projectEvent")
                .at("post")
                .at("requestBody")
                .at("content")
                .at("application/json")
                .at("schema")
                .at("$ref")
                .as_string(),
            "#/components/schemas/WebhookBody");
  // Reports answer CSV and XLSX too.
  const auto& kpis = doc.at("paths").at("/api/reports/kpis").at("get").at("responses").at("200");
  for (const char* media : {"application/json", "text/csv",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}) {
    EXPECT_TRUE(kpis.at("content").as_object().contains(media)) << media;
  }
}

TEST_F(OpenApiTest, ErrorsAreProblemJsonAndSecuritySchemesExist) {
  const auto doc = document();
  ASSERT_FALSE(doc.empty());
  const auto& components = doc.at("components").as_object();
  const auto& schemas = components.at("schemas").as_object();
  for (const char* name : {"Problem", "Project", "Event", "WorkflowSummary", "Workflow",
                           "TransitionOption", "WriteResult"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  const auto& problem_required = schemas.at("Problem").at("required").as_array();
  for (const char* member : {"type", "title", "status", "detail", "code", "errors"}) {
    EXPECT_NE(std::find(problem_required.begin(), problem_required.end(), json::value(member)),
              problem_required.end())
        << member;
  }
  const auto& security = components.at("securitySchemes").as_object();
  EXPECT_EQ(security.at("cookieAuth").at("in").as_string(), "cookie");
  EXPECT_EQ(security.at("csrfToken").at("name").as_string(), "X-CSRF-Token");
  EXPECT_EQ(security.at("bearerAuth").at("scheme").as_string(), "bearer");

  // A transition's errors: 409 stale, 412 If-Match, 422 rules, each as problem+json.
  const auto& take =
      doc.at("paths").at("/api/projects/{id}/transitions").at("post").at("responses").as_object();
  for (const char* status : {"400", "401", "403", "404", "409", "412", "413", "422"}) {
    ASSERT_TRUE(take.contains(status)) << status;
    EXPECT_EQ(take.at(status)
                  .at("content")
                  .at("application/problem+json")
                  .at("schema")
                  .at("$ref")
                  .as_string(),
              "#/components/schemas/Problem");
  }
  EXPECT_TRUE(
      doc.at("paths").at("/api/login").at("post").at("responses").as_object().contains("429"));
}

}  // namespace
}  // namespace investflow::web::testing
