#pragma once
// The OpenAPI 3.1 description of the HTTP API (GET /api/openapi.json). Every route the
// server registers has one entry in openapi_operations(); tests/web/openapi_test.cpp
// compares that list with Router::routes() in both directions, so a new route without a
// description (or a description without a route) fails the build's tests.

#include <string>
#include <vector>

namespace investflow::web {

struct OpenApiOperation {
  std::string method;   // upper case, as the router has it
  std::string pattern;  // the router's template, e.g. "/api/projects/{id}"
};

// The (method, path) pairs the document describes, in document order.
std::vector<OpenApiOperation> openapi_operations();

// The whole document, serialized.
std::string openapi_json();

}  // namespace investflow::web
