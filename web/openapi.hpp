#pragma once
// The OpenAPI 3.1 description of the HTTP API (GET /api/openapi.json), made from the route
// tables (route_table.hpp) that also build the router: every route is described because
// the description is where the route is declared. Every operation also lists 500 (a
// handler that fails) as a problem.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace investflow::web {

struct OpenApiOperation {
  std::string method;   // upper case, as the router has it
  std::string pattern;  // the router's template, e.g. "/api/projects/{id}"
};

// The (method, path) pairs the document describes, in document order.
std::vector<OpenApiOperation> openapi_operations();

// The whole document, and serialized.
boost::json::object openapi_document();
std::string openapi_json();

}  // namespace investflow::web
