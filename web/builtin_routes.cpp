#include "web/builtin_routes.hpp"

namespace investflow::web {

void add_builtin_routes(Router& router, const Metrics& metrics) {
  if (!router.has("GET", "/healthz")) {
    router.add(
        "GET", "/healthz",
        [](const Request&, const RouteParams&) {
          auto response = json_response(200, R"({"status":"ok"})");
          response.headers.set("Cache-Control", "no-store");
          return response;
        },
        Execution::io_thread);
  }
  if (!router.has("GET", "/metrics")) {
    router.add(
        "GET", "/metrics",
        [&metrics](const Request&, const RouteParams&) {
          auto response =
              text_response(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
          response.headers.set("Cache-Control", "no-store");
          return response;
        },
        Execution::worker_pool);  // samples may wait on other modules' locks
  }
}

}  // namespace investflow::web
