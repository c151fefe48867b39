#pragma once
// GET /healthz and GET /metrics, which every server answers (unless the application
// registered its own under the same template, e.g. a /healthz that also checks storage).

#include <string>

#include "web/forwarded.hpp"
#include "web/metrics.hpp"
#include "web/router.hpp"

namespace investflow::web {

struct ServerState;

// GET /metrics: `metrics` in the Prometheus text format, to whoever may read them. With a
// token, only a request with `Authorization: Bearer <token>` (compared in constant time;
// 401 otherwise); without one, anyone when `open`, else only a client on a loopback address
// whose request no proxy passed on (no X-Forwarded-For, no Forwarded, not from one of
// `proxies`: a proxy on this machine may not add those headers; 403 otherwise). Serves a
// separate metrics listener too (serve --metrics-listen).
Response metrics_endpoint(const Metrics& metrics, const std::string& token, bool open,
                          const Request& request, const TrustedProxies& proxies = {});

// `state` (its metrics and options.health) must outlive the router.
void add_builtin_routes(Router& router, const ServerState& state);

}  // namespace investflow::web
