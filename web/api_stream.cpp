// GET /api/stream: server-sent events of every committed event of the projects the caller
// sees (data scope), resumable with Last-Event-ID; at most
// ApiContext::user_streams' limit open per user at a time.
#include <charconv>

#include "web/api_handlers.hpp"
#include "web/api_support.hpp"
#include "web/event_feed.hpp"
#include "web/notification_feed.hpp"

namespace investflow::web::api {
namespace {

// When a user at the stream limit may try again: a stream closed in another tab frees its
// place at once, so soon.
constexpr int kStreamRetryAfterSeconds = 10;

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
  auto lease = context.user_streams.open(caller->user.id);
  if (!lease) {
    const std::string most = std::to_string(context.user_streams.limit());
    Response refused = problem(
        request, too_many_requests({"您打开的实时更新连接已达上限（" + most +
                                        " 个）。请关闭其他标签页或窗口中的控制台，稍后再试。",
                                    "You have " + most +
                                        " live update streams open already, the most allowed; "
                                        "close the console in other tabs or windows and retry."},
                                   "too_many_streams"));
    refused.headers.set("Retry-After", std::to_string(kStreamRetryAfterSeconds));
    return refused;
  }

  Response response;
  response.status = 200;
  response.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("X-Accel-Buffering", "no");  // proxies: do not buffer the stream
  response.stream_lease = std::move(lease);
  response.stream = [feed = context.feed, after = *after, notifications = context.notifications,
                     user = caller->user.id,
                     scope = caller->scope](std::shared_ptr<StreamSink> sink) {
    // Browsers reconnect after this long, sending Last-Event-ID.
    sink->send("retry: 3000\n\n");
    // The caller's inbox count changes arrive as `notification` events (notification_feed.hpp).
    if (notifications) notifications->subscribe(user, sink);
    feed->subscribe(std::move(sink), after, scope);
  };
  return response;
}

}  // namespace investflow::web::api
