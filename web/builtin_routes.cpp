#include "web/builtin_routes.hpp"

#include "web/route_table.hpp"

namespace investflow::web {
namespace {

Response healthz(const Metrics&, const Request&) {
  auto response = json_response(200, R"({"status":"ok"})");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

Response metrics_text(const Metrics& metrics, const Request&) {
  auto response = text_response(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

std::vector<RouteDef<const Metrics>> make_table() {
  return {
      {.method = "GET",
       .path = "/healthz",
       .plain = healthz,
       .execution = Execution::io_thread,
       .doc = {.operation_id = "getHealth",
               .tag = "meta",
               .summary = "Liveness",
               .description = "Answers while the server runs; no-store.",
               .responses = {{.status = 200, .description = "Alive", .content = {json("Health")}}},
               .security = Security::none}},
      {.method = "GET",
       .path = "/metrics",
       .plain = metrics_text,
       .execution = Execution::worker_pool,  // samples may wait on other modules' locks
       .doc = {.operation_id = "getMetrics",
               .tag = "meta",
               .summary = "Prometheus metrics",
               .description = "The Prometheus text exposition format, version 0.0.4.",
               .responses = {{.status = 200,
                              .description = "The metrics",
                              .content = {{"text/plain", {}, {}}}}},
               .security = Security::none}},
  };
}

}  // namespace

const std::vector<RouteDef<const Metrics>>& builtin_route_table() {
  static const std::vector<RouteDef<const Metrics>> table = make_table();
  return table;
}

void add_builtin_routes(Router& router, const Metrics& metrics) {
  for (const auto& route : builtin_route_table()) {
    if (!router.has(route.method, route.path)) bind_route(router, route, &metrics);
  }
}

}  // namespace investflow::web
