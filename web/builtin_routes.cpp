#include "web/builtin_routes.hpp"

#include <boost/json.hpp>

#include "web/problem.hpp"
#include "web/route_table.hpp"
#include "web/server_state.hpp"

namespace investflow::web {
namespace {

Response healthz(const ServerState& state, const Request&) {
  boost::json::object body{{"status", "ok"}};
  if (state.options.health) state.options.health(body);
  auto response = json_response(200, boost::json::serialize(body));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

// Ready for traffic: started, not draining, and whatever the application checks
// (ServerOptions::ready). A load balancer stops sending here on 503 (a problem, code
// not_ready, saying why); /healthz stays 200.
Response readyz(const ServerState& state, const Request& request) {
  engine::LocalizedText reason;
  if (state.stopping) {
    reason = {"服务正在停止", "the server is stopping"};
  } else if (state.options.ready) {
    reason = state.options.ready();
  }
  Response response =
      reason.empty() ? json_response(200, R"({"status":"ready"})")
                     : to_response(service_unavailable(reason, "not_ready"), language(request));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

Response metrics_text(const ServerState& state, const Request&) {
  auto response =
      text_response(200, state.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

std::vector<RouteDef<const ServerState>> make_table() {
  return {
      {.method = "GET",
       .path = "/healthz",
       .plain = healthz,
       .execution = Execution::io_thread,
       .doc = {.operation_id = "getHealth",
               .tag = "meta",
               .summary = "Liveness",
               .description =
                   "Answers while the server runs; no-store. `calendars` gives each working-day "
                   "calendar in use and the last day of its official data (`calendar_ends`: the "
                   "earliest); `warnings` says, in Chinese and English, when one ends within 90 "
                   "days or has ended (deadlines past it are estimated on weekends alone).",
               .responses = {{.status = 200, .description = "Alive", .content = {json("Health")}}},
               .security = Security::none}},
      {.method = "GET",
       .path = "/readyz",
       .plain = readyz,
       .execution = Execution::worker_pool,  // the application's check may read the database
       .doc =
           {.operation_id = "getReadiness",
            .tag = "meta",
            .summary = "Readiness",
            .description =
                "200 while the server takes traffic; 503 (a problem, code `not_ready`, its "
                "`detail` saying why) while it drains (SIGTERM) or when the storage writer is "
                "far behind. Liveness is /healthz. no-store.",
            .responses = {{.status = 200, .description = "Ready", .content = {json("Readiness")}}},
            .errors = {503},
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

const std::vector<RouteDef<const ServerState>>& builtin_route_table() {
  static const std::vector<RouteDef<const ServerState>> table = make_table();
  return table;
}

void add_builtin_routes(Router& router, const ServerState& state) {
  for (const auto& route : builtin_route_table()) {
    if (!router.has(route.method, route.path)) bind_route(router, route, &state);
  }
}

}  // namespace investflow::web
