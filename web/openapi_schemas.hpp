#pragma once
// The OpenAPI document's components (schemas, security schemes) and its `webhooks`
// section (openapi_schemas.cpp). Schemas describe what the handlers send, in the subset of
// JSON Schema that draft 7 validators understand: type (arrays for nullable), properties,
// required, items, enum, anyOf, additionalProperties, format, $ref.

#include <boost/json/object.hpp>

namespace investflow::web {

boost::json::object openapi_schemas();
boost::json::object openapi_security_schemes();
boost::json::object openapi_webhooks();

}  // namespace investflow::web
