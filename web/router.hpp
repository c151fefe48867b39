#pragma once
// Maps a method and a decoded path to a handler through route templates such as
// "/api/projects/{id}/transitions". A `{name}` segment matches one non-empty path segment;
// where several templates match, the one with a literal segment earliest wins
// ("/api/projects/export" beats "/api/projects/{id}"). GET routes also answer HEAD.
//
// Handlers hold no socket. Two kinds, chosen per route:
//  - Handler, a plain function `Response(const Request&, const RouteParams&)`. It runs on
//    the server's worker pool by default, so a slow one (SQLite reads) never stalls the
//    I/O threads; Execution::io_thread runs it in place, for handlers that only touch
//    memory and must be fast.
//    A Handler may come with a FastPath: tried first on the I/O thread, touching memory
//    only (caches); when it answers, the hop to the worker pool is saved, and when it
//    cannot (nullopt), the Handler runs on the pool as usual.
//  - AsyncHandler, `void(const Request&, const RouteParams&, Reply)`. It runs on an I/O
//    thread and must return quickly; it hands the Reply to whoever answers later (the
//    storage writer queue), which calls it from any thread.
// Either may throw: the server answers 500 with a logged request id.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web {

class RouteParams {
 public:
  void add(std::string name, std::string value);
  std::optional<std::string_view> find(std::string_view name) const;
  // The value of a parameter the route template declares; throws std::out_of_range for a
  // name it does not (a programming error, answered with a 500).
  const std::string& at(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using Handler = std::function<Response(const Request&, const RouteParams&)>;
using AsyncHandler = std::function<void(const Request&, const RouteParams&, Reply)>;
using FastPath = std::function<std::optional<Response>(const Request&, const RouteParams&)>;

enum class Execution { worker_pool, io_thread };

struct Route {
  std::string method;                 // upper case, e.g. "POST"
  std::string pattern;                // the template, also the metrics label
  std::vector<std::string> segments;  // "{id}" for a parameter
  AsyncHandler handler;
  Execution execution = Execution::worker_pool;
  FastPath fast;  // may be empty
  // The most a request body may hold, in bytes, when more than the server's limit
  // (ServerOptions::body_limit); 0: the server's limit.
  std::uint64_t body_limit = 0;
  // The body is written to a file as it arrives instead of held in memory (Request::spooled;
  // ServerOptions::upload_dir): file uploads.
  bool spool_body = false;
};

struct RouteFound {
  const Route* route;
  RouteParams params;
};
struct RouteMethodNotAllowed {
  std::string pattern;
  std::vector<std::string> allow;  // sorted, includes HEAD when GET is allowed
};
struct RouteNotFound {};
using RouteMatch = std::variant<RouteFound, RouteMethodNotAllowed, RouteNotFound>;

class Router {
 public:
  // Throws std::invalid_argument for a malformed template or a duplicate route: both are
  // mistakes in the program, found at start-up.
  Router& add(std::string_view method, std::string_view pattern, Handler handler,
              Execution execution = Execution::worker_pool);
  // A worker-pool Handler with a FastPath tried first on the I/O thread.
  Router& add(std::string_view method, std::string_view pattern, Handler handler, FastPath fast);
  Router& add_async(std::string_view method, std::string_view pattern, AsyncHandler handler);

  // Lets the route METHOD PATTERN (added before) take bodies of up to `bytes` (file
  // uploads); throws std::invalid_argument when there is no such route.
  Router& allow_body(std::string_view method, std::string_view pattern, std::uint64_t bytes);
  // The body limit of the route a request goes to, when it has its own; 0 otherwise (no
  // such route, or the server's limit applies).
  std::uint64_t body_limit(std::string_view method, std::string_view path) const;
  // Lets the route METHOD PATTERN (added before) receive its body in a file
  // (Route::spool_body); throws std::invalid_argument when there is no such route.
  Router& spool_body(std::string_view method, std::string_view pattern);
  // The route a request goes to, or null.
  const Route* find(std::string_view method, std::string_view path) const;
  // The largest of the routes' own body limits (0 when none has one).
  std::uint64_t largest_body_limit() const { return largest_body_limit_; }

  bool has(std::string_view method, std::string_view pattern) const;
  RouteMatch match(std::string_view method, std::string_view path) const;
  // Every route, in registration order (the OpenAPI test walks these).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Router& add_route(Route route);

  std::vector<Route> routes_;
  std::uint64_t largest_body_limit_ = 0;
};

// "Allow" header value for a 405: "GET, HEAD, POST".
std::string allow_header(const std::vector<std::string>& methods);

}  // namespace investflow::web
