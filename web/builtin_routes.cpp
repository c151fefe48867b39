#include "web/builtin_routes.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include <openssl/crypto.h>

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

bool same_secret(std::string_view given, std::string_view expected) {
  // The length is no secret worth hiding; the bytes are compared in constant time.
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

bool is_loopback(const std::string& address) {
  boost::system::error_code invalid;
  const auto parsed = boost::asio::ip::make_address(address, invalid);
  if (invalid) return false;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6())
        .is_loopback();
  }
  return parsed.is_loopback();
}

Response metrics_text(const ServerState& state, const Request& request) {
  return metrics_endpoint(state.metrics, state.options.metrics_token, state.options.metrics_open,
                          request, state.options.trusted_proxies);
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
               .description =
                   "The Prometheus text exposition format, version 0.0.4. With `serve "
                   "--metrics-token-file`, only with `Authorization: Bearer <token>` (401 "
                   "otherwise); without it, only to clients on a loopback address whose request "
                   "no proxy forwarded (403 otherwise). `serve --metrics-listen` serves it on a "
                   "separate address as well.",
               .responses = {{.status = 200,
                              .description = "The metrics",
                              .content = {{"text/plain", {}, {}}}}},
               .errors = {401, 403},
               .security = Security::none}},
  };
}

}  // namespace

Response metrics_endpoint(const Metrics& metrics, const std::string& token, bool open,
                          const Request& request, const TrustedProxies& proxies) {
  const std::string_view lang = language(request);
  if (!token.empty()) {
    const auto authorization = request.header("Authorization");
    const auto secret = authorization ? bearer_secret(*authorization) : std::nullopt;
    if (!secret || !same_secret(*secret, token)) {
      Response refused = to_response(
          unauthorized({"读取监控指标需要令牌：Authorization: Bearer <令牌>（serve "
                        "--metrics-token-file 所给文件中的令牌）",
                        "/metrics needs the token: Authorization: Bearer <token> (the one in "
                        "the file given to serve --metrics-token-file)"},
                       secret ? "invalid_token" : "unauthorized"),
          lang);
      refused.headers.set("WWW-Authenticate", R"(Bearer realm="metrics")");
      return refused;
    }
  } else if (!open &&
             (!is_loopback(request.remote_address) || proxies.contains(request.remote_address) ||
              request.headers.contains("X-Forwarded-For") ||
              request.headers.contains("Forwarded"))) {
    return to_response(
        forbidden({"监控指标只对本机开放；如需远程抓取，请为 serve 配置 --metrics-token-file 或 "
                   "--metrics-listen",
                   "/metrics answers only on this machine; to scrape it from elsewhere, give "
                   "serve --metrics-token-file or --metrics-listen"},
                  "metrics_local_only"),
        lang);
  }
  auto response = text_response(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  return response;
}

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
