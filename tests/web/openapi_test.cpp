// The OpenAPI document stays in step with the router: every route is described, every
// described operation is routed, and the document is served, parses and has the basics.
#include "web/openapi.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "tests/web/api_test_support.hpp"
#include "web/builtin_routes.hpp"
#include "web/metrics.hpp"

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
    add_builtin_routes(router, metrics_);
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

  Metrics metrics_;
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
    if (path.find('{') != std::string::npos) {
      bool has_id = false;
      for (const auto& parameter : op->at("parameters").as_array()) {
        has_id = has_id || (parameter.at("in").as_string() == "path" &&
                            parameter.at("name").as_string() == "id");
      }
      EXPECT_TRUE(has_id) << method << " " << path;
    }
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
