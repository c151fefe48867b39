#include "web/dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "web/problem.hpp"
#include "web/server_state.hpp"

namespace investflow::web {
namespace {

// What a handler's references point into; kept alive by the Reply.
struct Exchange {
  std::shared_ptr<const Request> request;
  RouteParams params;
};

void answer_failure(const Reply& reply, const Request& request, const Route& route,
                    spdlog::logger& log, std::string_view what) {
  log.error("request_id={} route={} handler failed: {}", request.request_id, route.pattern, what);
  reply(to_response(internal_error(request.request_id), language(request)));
}

// A storage failure a handler let through (a SQLite or file system exception): answered
// as what it is (507 when the disk is full, ...), not as a bare 500.
void answer_failure(const Reply& reply, const Request& request, const Route& route,
                    spdlog::logger& log, const std::exception& error) {
  const storage::Fault fault = storage::fault_of(error);
  if (fault == storage::Fault::other)
    return answer_failure(reply, request, route, log, error.what());
  reply(to_response(
      reported_storage_problem(log, fault,
                               "route=" + route.pattern + " " + storage::describe_failure(error),
                               request.request_id),
      language(request)));
}

void invoke(const Route& route, const std::shared_ptr<const Exchange>& exchange, const Reply& reply,
            spdlog::logger& log) noexcept {
  try {
    route.handler(*exchange->request, exchange->params, reply);
  } catch (const std::exception& error) {
    answer_failure(reply, *exchange->request, route, log, error);
  } catch (...) {
    answer_failure(reply, *exchange->request, route, log, "unknown exception");
  }
}

void run_route(const std::shared_ptr<ServerState>& state, RouteFound found,
               std::shared_ptr<const Request> request, Reply::Sink sink) {
  auto exchange =
      std::make_shared<const Exchange>(Exchange{std::move(request), std::move(found.params)});
  Reply reply(std::move(sink), exchange);
  const Route& route = *found.route;
  if (route.execution == Execution::io_thread) {
    invoke(route, exchange, reply, *state->log);
    return;
  }
  if (route.fast) {
    std::optional<Response> answer;
    try {
      answer = route.fast(*exchange->request, exchange->params);
    } catch (...) {
      answer.reset();  // the full handler on the pool answers, and reports what is wrong
    }
    if (answer) {
      reply(std::move(*answer));
      return;
    }
  }
  boost::asio::post(*state->workers, [state, &route, exchange, reply] {
    invoke(route, exchange, reply, *state->log);
  });
}

Response not_allowed(const std::vector<std::string>& allow, std::string_view lang) {
  const std::string methods = allow_header(allow);
  auto response = to_response(
      method_not_allowed({"此处只允许 " + methods, "Allowed here: " + methods + "."}), lang);
  response.headers.set("Allow", allow_header(allow));
  return response;
}

bool is_read(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

}  // namespace

std::string dispatch(const std::shared_ptr<ServerState>& state,
                     std::shared_ptr<const Request> request, Reply::Sink sink) {
  auto match = state->router.match(request->method, request->path);
  if (auto* found = std::get_if<RouteFound>(&match)) {
    std::string label = found->route->pattern;
    run_route(state, std::move(*found), std::move(request), std::move(sink));
    return label;
  }
  if (auto* wrong_method = std::get_if<RouteMethodNotAllowed>(&match)) {
    sink(not_allowed(wrong_method->allow, language(*request)));
    return wrong_method->pattern;
  }
  if (state->static_files.find(request->path) != nullptr) {
    sink(is_read(request->method) ? state->static_files.serve(*request)
                                  : not_allowed({"GET", "HEAD"}, language(*request)));
    return "static";
  }
  sink(to_response(no_such_resource(request->path), language(*request)));
  return "unmatched";
}

}  // namespace investflow::web
