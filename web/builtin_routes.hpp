#pragma once
// GET /healthz and GET /metrics, which every server answers (unless the application
// registered its own under the same template, e.g. a /healthz that also checks storage).

#include "web/router.hpp"

namespace investflow::web {

struct ServerState;

// `state` (its metrics and options.health) must outlive the router.
void add_builtin_routes(Router& router, const ServerState& state);

}  // namespace investflow::web
