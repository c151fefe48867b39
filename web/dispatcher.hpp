#pragma once
// Internal to web/: decides what answers a parsed request — a route's handler (in place or
// on the worker pool), a static file, or a problem (404, 405) — and turns a handler's
// exception into a 500 whose request id is logged. Holds no socket.

#include <memory>
#include <string>

#include "web/reply.hpp"
#include "web/request.hpp"

namespace investflow::web {

struct ServerState;

// The response goes to sink exactly once, perhaps later and from another thread. Returns
// the route label for metrics and the access log.
std::string dispatch(const std::shared_ptr<ServerState>& state,
                     std::shared_ptr<const Request> request, Reply::Sink sink);

}  // namespace investflow::web
