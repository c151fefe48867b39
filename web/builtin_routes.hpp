#pragma once
// GET /healthz and GET /metrics, which every server answers (unless the application
// registered its own under the same template, e.g. a /healthz that also checks storage).

#include "web/metrics.hpp"
#include "web/router.hpp"

namespace investflow::web {

// metrics must outlive the router.
void add_builtin_routes(Router& router, const Metrics& metrics);

}  // namespace investflow::web
