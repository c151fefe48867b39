// GET /api/stream: server-sent events of every committed event (any authenticated user may
// read every project, auditors included), resumable with Last-Event-ID.
#include <charconv>

#include "web/api_handlers.hpp"
#include "web/api_support.hpp"
#include "web/event_feed.hpp"
#include "web/notification_feed.hpp"

namespace investflow::web::api {
namespace {

// Where the stream starts: after the client's Last-Event-ID, or after the log's end now.
engine::Result<std::int64_t, Response> start_after(ApiContext& context, const Request& request) {
  const auto last = request.header("Last-Event-ID");
  if (!last || last->empty()) {
    auto tail = context.store.last_event_id();
    if (!tail) return engine::fail(storage_failure(tail.error(), request));
    return *tail;
  }
  std::int64_t id = -1;
  const auto [end, error] = std::from_chars(last->data(), last->data() + last->size(), id);
  if (error != std::errc() || end != last->data() + last->size() || id < 0) {
    return engine::fail(problem(
        request,
        bad_request(
            {"Last-Event-ID 应为事件编号，例如 42", "Last-Event-ID must be an event id such as 42"},
            {FieldError{"Last-Event-ID", {"应为非负整数", "expected a non-negative integer"}}},
            "invalid_last_event_id")));
  }
  return id;
}

}  // namespace

Response stream_events(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto after = start_after(context, request);
  if (!after) return std::move(after.error());

  Response response;
  response.status = 200;
  response.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Accel-Buffering", "no");  // proxies: do not buffer the stream
  response.stream = [feed = context.feed, after = *after, notifications = context.notifications,
                     user = caller->user.id](std::shared_ptr<StreamSink> sink) {
    // Browsers reconnect after this long, sending Last-Event-ID.
    sink->send("retry: 3000\n\n");
    // The caller's inbox count changes arrive as `notification` events (notification_feed.hpp).
    if (notifications) notifications->subscribe(user, sink);
    feed->subscribe(std::move(sink), after);
  };
  return response;
}

}  // namespace investflow::web::api
