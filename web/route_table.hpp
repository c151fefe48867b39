#pragma once
// A route declared once: its method, template and handler, and what the OpenAPI document
// says about it. Both the Router (bind_route) and GET /api/openapi.json (openapi.cpp) are
// made from the tables of these: api_route_table() (api_routes.cpp) and
// builtin_route_table() (builtin_routes.cpp).
//
//   {.method = "GET",
//    .path = "/api/projects/{id}/history",
//    .with_params = api::project_history,
//    .doc = {.operation_id = "getProjectHistory",
//            .tag = "projects",
//            .summary = "A project's events with hash chain verification",
//            .responses = {{.status = 200, .description = "The events",
//                           .content = {json("History")}}},
//            .errors = {401, 404}}},
//
// Exactly one handler member is set. `plain` and `with_params` run on the worker pool (or
// in place with Execution::io_thread), optionally after a `fast` path tried on the I/O
// thread; `async` runs on the I/O thread and answers through its Reply (router.hpp).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web {

// Who may call: `user` is a session cookie (with X-CSRF-Token on unsafe methods) or a
// bearer token; `none` is anyone.
enum class Security { none, user };

// A query or header parameter; path parameters come from the template's {name}s.
struct Parameter {
  std::string_view name;
  std::string_view in = "query";  // "query" or "header"
  std::string_view description = {};
  std::string_view type = "string";           // JSON Schema type
  std::string_view format = {};               // "date", ...
  std::vector<std::string_view> values = {};  // enum
  std::optional<int> minimum = std::nullopt;
  std::optional<int> maximum = std::nullopt;
  bool required = false;
};

// A body of one media type: `schema` names a component (#/components/schemas/...); empty
// is a string (text, CSV; `format` "binary" for files).
struct Content {
  std::string_view media_type;
  std::string_view schema = {};
  std::string_view format = {};
};

inline Content json(std::string_view schema) {
  return Content{"application/json", schema};
}
inline const Content kCsv{"text/csv", {}, {}};
inline const Content kXlsx{
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {}, "binary"};

// A success (or 304) answer; errors are listed by status in RouteDef::errors and are all
// application/problem+json bodies of the Problem schema.
struct Answer {
  int status = 200;
  std::string_view description;
  std::vector<Content> content = {};           // empty: no body
  std::vector<std::string_view> headers = {};  // "ETag", "Location", "Set-Cookie"
};

// What the OpenAPI document says about a route.
struct Operation {
  std::string_view operation_id;  // camelCase
  std::string_view tag;           // one of openapi.cpp's declared tags
  std::string_view summary;
  std::string_view description = {};
  std::vector<Parameter> parameters = {};
  std::vector<Content> request = {};  // the request body's media types; empty: none
  std::vector<Answer> responses = {};
  std::vector<int> errors = {};  // 4XX and 503 statuses the route may answer
  Security security = Security::user;
};

template <class Context>
struct RouteDef {
  std::string_view method;  // upper case
  std::string_view path;    // the router's template, e.g. "/api/projects/{id}"
  // The handler: exactly one of these.
  Response (*plain)(Context&, const Request&) = nullptr;
  Response (*with_params)(Context&, const Request&, const RouteParams&) = nullptr;
  void (*async)(Context&, const Request&, const RouteParams&, Reply) = nullptr;
  // plain / with_params only: tried first on the I/O thread (router.hpp FastPath).
  std::optional<Response> (*fast)(Context&, const Request&, const RouteParams&) = nullptr;
  Execution execution = Execution::worker_pool;
  // File uploads: the most the body may hold, in bytes, when more than the server's
  // limit; 0: the server's limit (ServerOptions::body_limit).
  std::uint64_t body_limit = 0;
  // File uploads: the body goes to a file as it arrives (Router::spool_body).
  bool spool_body = false;
  Operation doc;
};

// The handler of one route added to the router, bound to *holder (a pointer or shared_ptr
// to the Context, copied into the handler so it lives as long as the route).
template <class Context, class Holder>
void bind_handler(Router& router, const RouteDef<Context>& def, Holder holder) {
  if (def.async != nullptr) {
    router.add_async(
        def.method, def.path,
        [holder, run = def.async](const Request& request, const RouteParams& params, Reply reply) {
          run(*holder, request, params, std::move(reply));
        });
    return;
  }
  Handler handler;
  if (def.plain != nullptr) {
    handler = [holder, run = def.plain](const Request& request, const RouteParams&) {
      return run(*holder, request);
    };
  } else if (def.with_params != nullptr) {
    handler = [holder, run = def.with_params](const Request& request, const RouteParams& params) {
      return run(*holder, request, params);
    };
  } else {
    throw std::invalid_argument("route without a handler: " + std::string(def.path));
  }
  if (def.fast != nullptr) {
    router.add(
        def.method, def.path, std::move(handler),
        FastPath([holder, run = def.fast](const Request& request, const RouteParams& params) {
          return run(*holder, request, params);
        }));
    return;
  }
  router.add(def.method, def.path, std::move(handler), def.execution);
}

// Adds one route to the router: its handler (bind_handler) and its own body limit.
template <class Context, class Holder>
void bind_route(Router& router, const RouteDef<Context>& def, Holder holder) {
  bind_handler(router, def, std::move(holder));
  if (def.body_limit != 0) router.allow_body(def.method, def.path, def.body_limit);
  if (def.spool_body) router.spool_body(def.method, def.path);
}

struct ApiContext;
struct ServerState;

// The API's routes (api_routes.cpp) and the ones every server answers (builtin_routes.cpp).
const std::vector<RouteDef<ApiContext>>& api_route_table();
const std::vector<RouteDef<const ServerState>>& builtin_route_table();

}  // namespace investflow::web
