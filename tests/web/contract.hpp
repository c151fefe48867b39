#pragma once
// The API's contract checked on every response the web API tests receive: the response of
// a documented route must have a documented status and media type, and a JSON or
// problem+json body must validate (valijson, draft 7) against the schema the OpenAPI
// document gives for that route and status. Routes are matched by the router's templates.
//
// ApiTest (api_test_support.hpp) holds a ContractChecks, so every request() and fetch()
// it makes is checked: a violation is a test failure naming the route, the status, the
// JSON pointer and the rule.

#include <string>
#include <string_view>

#include "tests/web/http_client.hpp"

namespace investflow::web::testing {

// "" when the response conforms; otherwise what is wrong, e.g.
// "GET /api/projects/{id} 200: /created_at: Value type not permitted by 'type' constraint."
std::string contract_violation(std::string_view method, std::string_view target,
                               const ClientResponse& response);

// "" when the JSON text is a valid #/components/schemas/<schema>; otherwise what is wrong.
std::string schema_violation(std::string_view schema, std::string_view json_text);

// While alive, every response the HTTP client reads is checked (ADD_FAILURE on a violation).
class ContractChecks {
 public:
  ContractChecks();
  ~ContractChecks();
  ContractChecks(const ContractChecks&) = delete;
  ContractChecks& operator=(const ContractChecks&) = delete;
};

}  // namespace investflow::web::testing
