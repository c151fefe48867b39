// Notifications and timers over HTTP: each user's inbox (/api/notifications), webhook
// subscriptions and their delivery log (/api/webhooks, /api/deliveries: admins only), and
// deadline extensions (POST /api/projects/{id}/deadlines, an event like any other write).
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "engine/deadlines.hpp"
#include "engine/notify_trigger.hpp"
#include "notify/http_post.hpp"
#include "notify/notify_store.hpp"
#include "notify/webhook_format.hpp"
#include "storage/wire_json.hpp"
#include "web/api_notify.hpp"
#include "web/api_support.hpp"
#include "web/notification_feed.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

const LocalizedText kNotificationsOff{"此服务器未启用通知", "notifications are not enabled"};

// The caller, who must be an admin; and the notification tables must be there.
Parsed<Caller> admin(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return caller;
  if (!caller->actor.has_role("admin")) {
    return engine::fail(forbidden(
        {"只有管理员可以管理 Webhook", "only an admin may manage webhooks"}, "role_not_allowed"));
  }
  if (!context.notify) return engine::fail(service_unavailable(kNotificationsOff));
  return caller;
}

json::array strings_json(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items)
    array.emplace_back(item);
  return array;
}

json::array filters_json(const std::vector<engine::EventFilter>& filters) {
  json::array array;
  for (const engine::EventFilter& filter : filters)
    array.emplace_back(engine::event_filter_name(filter));
  return array;
}

json::object notification_json(const notify::Notification& item) {
  return {{"id", item.id},
          {"event_id", item.event_id ? json::value(*item.event_id) : json::value(nullptr)},
          {"project_id", item.project_id},
          {"project_name", item.project_name},
          {"type", item.type},
          {"triggers", strings_json(item.triggers)},
          {"title", json::object{{"zh", item.title_zh}, {"en", item.title_en}}},
          {"created_at", storage::wire_timestamp(item.created_at)},
          {"read_at", storage::wire_timestamp(item.read_at)}};
}

json::object webhook_json(const notify::Webhook& webhook) {
  // The secret is write-only: it signs, it is never shown again.
  return {{"id", webhook.id},
          {"url", webhook.url},
          {"events", filters_json(webhook.events)},
          {"format", webhook.format},
          {"has_secret", !webhook.secret.empty()},
          {"created_by", webhook.created_by},
          {"created_at", storage::wire_timestamp(webhook.created_at)}};
}

json::object delivery_json(const notify::Delivery& delivery) {
  json::value last_status = nullptr;
  if (delivery.last_status) last_status = *delivery.last_status;
  return {{"id", delivery.id},
          {"webhook_id", delivery.webhook_id},
          {"event_id", delivery.event_id},
          {"status", engine::name_in(notify::kDeliveryStatusNames, delivery.status)},
          {"attempts", delivery.attempts},
          {"next_attempt_at", delivery.status == notify::DeliveryStatus::pending
                                  ? json::value(storage::wire_timestamp(delivery.next_attempt_at))
                                  : json::value(nullptr)},
          {"last_error",
           delivery.last_error.empty() ? json::value(nullptr) : json::value(delivery.last_error)},
          {"last_status", std::move(last_status)},
          {"created_at", storage::wire_timestamp(delivery.created_at)},
          {"delivered_at", storage::wire_timestamp(delivery.delivered_at)},
          // A chat robot got the event in a digest message: the digest's first delivery.
          {"digest", delivery.digest ? json::value(*delivery.digest) : json::value(nullptr)}};
}

// What a webhook subscribes to, read once here: a non-empty array of filter names (400
// otherwise); a name that is no filter is a 422 naming it.
Parsed<std::vector<engine::EventFilter>> event_filter(const json::object& body) {
  const json::value* events = body.if_contains("events");
  if (events == nullptr || events->is_null()) return std::vector<engine::EventFilter>{{}};
  const json::array* array = events->if_array();
  const bool strings = array != nullptr && !array->empty() &&
                       std::all_of(array->begin(), array->end(),
                                   [](const json::value& item) { return item.is_string(); });
  if (!strings) {
    return engine::fail(bad_request(
        {"events 应为非空数组，元素为 \"*\"、\"notify\"、事件类型或触发条件"
         "（sla_overdue、enter:STATE、transition:ID 等）",
         "events must be a non-empty array of \"*\", \"notify\", event types or triggers "
         "(sla_overdue, enter:STATE, transition:ID, ...)"},
        {FieldError{"events",
                    {"应为事件类型或触发条件组成的数组",
                     "expected an array of event types or trigger names"}}},
        "invalid_type"));
  }
  std::vector<engine::EventFilter> out;
  std::vector<FieldError> unknown;
  std::string names;  // the unknown ones, quoted
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string_view name = (*array)[i].get_string();
    if (std::optional<engine::EventFilter> filter = engine::parse_event_filter(name)) {
      out.push_back(std::move(*filter));
      continue;
    }
    const std::string quoted = "\"" + std::string(name) + "\"";
    unknown.push_back(FieldError{"events[" + std::to_string(i) + "]",
                                 {"未知的事件筛选 " + quoted, "unknown event filter " + quoted}});
    names += (names.empty() ? "" : ", ") + quoted;
  }
  if (!unknown.empty()) {
    return engine::fail(unprocessable(
        {"未知的事件筛选 " + names +
             "：每项应为 \"*\"、\"notify\"、事件类型（transition_taken 等）或触发条件"
             "（enter:STATE、leave:STATE、transition:ID、enter:*、sla_overdue 等）",
         "unknown event filter " + names +
             ": each must be \"*\", \"notify\", an event type (transition_taken, ...) or a "
             "trigger (enter:STATE, leave:STATE, transition:ID, enter:*, sla_overdue, ...)"},
        std::move(unknown), "unknown_event_filter"));
  }
  return out;
}

}  // namespace

// --- inbox ----------------------------------------------------------------------------------

Response list_notifications(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!context.notify) return problem(request, service_unavailable(kNotificationsOff));
  auto limit = limit_param(request, 50, 200);
  if (!limit) return problem(request, limit.error());
  auto cursor = cursor_param(request);
  if (!cursor) return problem(request, cursor.error());
  const auto unread = request.query_param("unread");
  if (unread && *unread != "true" && *unread != "false" && !unread->empty()) {
    return problem(
        request,
        bad_request({"unread 取值为 true 或 false", "unread takes true or false"},
                    {FieldError{"unread", {"应为 true 或 false", "expected true or false"}}}));
  }
  const std::string type(request.query_param("type").value_or(""));
  if (!type.empty() && type != notify::kDigestType && !engine::is_event_type(type)) {
    return problem(
        request,
        bad_request({"type 应为事件类型（如 deadline_fired）或 digest",
                     "type takes an event type (such as deadline_fired) or digest"},
                    {FieldError{"type", {"未知的通知类型", "unknown notification type"}}}));
  }
  auto page = context.notify->notifications(
      caller->user.id, unread && *unread == "true", *limit,
      *cursor == INT64_MAX ? std::string() : std::to_string(*cursor), type);
  if (!page) return storage_failure(page.error(), request);
  json::array items;
  for (const auto& item : page->items)
    items.push_back(notification_json(item));
  return json_body(200, json::object{{"items", std::move(items)},
                                     {"unread", page->unread},
                                     {"next_cursor", page->next_cursor.empty()
                                                         ? json::value(nullptr)
                                                         : json::value(page->next_cursor)}});
}

namespace {
json::object settings_json(const notify::NotificationSettings& settings) {
  return json::object{{"deadlines", settings.deadlines}};
}
}  // namespace

Response notification_settings(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!context.notify)
    return problem(request, service_unavailable({"未启用通知", "notifications are not enabled"}));
  auto settings = context.notify->settings(caller->user.id);
  if (!settings) return storage_failure(settings.error(), request);
  return json_body(200, settings_json(*settings));
}

Response save_notification_settings(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!context.notify)
    return problem(request, service_unavailable({"未启用通知", "notifications are not enabled"}));
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto deadlines = string_member(*body, "deadlines", true);
  if (!deadlines) return problem(request, deadlines.error());
  if (*deadlines != notify::kDeadlinesEach && *deadlines != notify::kDeadlinesDigest) {
    return problem(
        request,
        bad_request({"deadlines 取值为 each（逐条）或 digest（每日汇总）",
                     "deadlines takes each or digest"},
                    {FieldError{"deadlines", {"应为 each 或 digest", "expected each or digest"}}},
                    "invalid_type"));
  }
  notify::NotificationSettings settings{*deadlines};
  auto saved = context.notify->save_settings(caller->user.id, settings);
  if (!saved) return storage_failure(saved.error(), request);
  return json_body(200, settings_json(settings));
}

Response read_notification(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!context.notify) return problem(request, service_unavailable(kNotificationsOff));
  const auto id = parse_id(params.at("id"));
  if (!id) return problem(request, not_found({"没有这条通知", "no such notification"}));
  auto marked = context.notify->mark_read(caller->user.id, *id, context.clock->now());
  if (!marked) return storage_failure(marked.error(), request);
  if (!*marked) return problem(request, not_found({"没有这条通知", "no such notification"}));
  auto unread = context.notify->unread_count(caller->user.id);
  if (!unread) return storage_failure(unread.error(), request);
  if (context.notifications) context.notifications->notify({caller->user.id});
  return json_body(200, json::object{{"id", *id}, {"read", true}, {"unread", *unread}});
}

Response read_all_notifications(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!context.notify) return problem(request, service_unavailable(kNotificationsOff));
  auto marked = context.notify->mark_all_read(caller->user.id, context.clock->now());
  if (!marked) return storage_failure(marked.error(), request);
  if (context.notifications) context.notifications->notify({caller->user.id});
  return json_body(200, json::object{{"marked", *marked}, {"unread", 0}});
}

// --- webhooks -------------------------------------------------------------------------------

Response list_webhooks(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  auto webhooks = context.notify->webhooks();
  if (!webhooks) return storage_failure(webhooks.error(), request);
  json::array items;
  for (const auto& webhook : *webhooks)
    items.push_back(webhook_json(webhook));
  return json_body(200, json::object{{"items", std::move(items)}});
}

Response create_webhook(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto url = string_member(*body, "url", true);
  if (!url) return problem(request, url.error());
  const auto parsed_url = notify::parse_url(*url);
  if (parsed_url) {
    if (auto refused = notify::refused_host(parsed_url->host, context.webhook_addresses)) {
      return problem(request,
                     unprocessable({"不能向本机或内部网络地址推送（" + parsed_url->host +
                                        "）；如确需要，请管理员在服务设置中放行",
                                    *refused},
                                   {FieldError{"url", {"内部网络地址", "an internal address"}}},
                                   "webhook_address_refused"));
    }
  }
  if (!parsed_url) {
    return problem(
        request,
        bad_request({"url 应为 http:// 或 https:// 网址，不含空格和控制字符",
                     "url must be an http:// or https:// URL without spaces or control characters"},
                    {FieldError{"url",
                                {"应为 http(s) 网址，不含空格和控制字符",
                                 "expected an http(s) URL without spaces or control "
                                 "characters"}}},
                    "invalid_url"));
  }
  auto secret = string_member(*body, "secret");
  if (!secret) return problem(request, secret.error());
  auto format = string_member(*body, "format");
  if (!format) return problem(request, format.error());
  if (format->empty()) *format = "json";
  if (!notify::parse_webhook_format(*format)) {
    return problem(
        request,
        bad_request(
            {"format 取值为 json、wecom 或 dingtalk", "format takes json, wecom or dingtalk"},
            {FieldError{"format",
                        {"应为 json、wecom 或 dingtalk", "expected json, wecom or dingtalk"}}},
            "invalid_format"));
  }
  auto events = event_filter(*body);
  if (!events) return problem(request, events.error());
  notify::Webhook webhook;
  webhook.url = *url;
  webhook.secret = *secret;
  webhook.format = *format;
  webhook.events = std::move(*events);
  webhook.created_by = caller->user.id;
  webhook.created_at = context.clock->now();
  auto added = context.notify->add_webhook(std::move(webhook));
  if (!added) return storage_failure(added.error(), request);
  if (context.wake_dispatcher) context.wake_dispatcher();
  audit(context, request, caller->user.id, "webhook_created", std::to_string(added->id),
        {{"url", added->url}, {"format", added->format}});
  Response response = json_body(201, webhook_json(*added));
  response.headers.set("Location", "/api/webhooks/" + std::to_string(added->id));
  return response;
}

Response delete_webhook(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const auto id = parse_id(params.at("id"));
  if (!id) return problem(request, not_found({"没有这个 Webhook", "no such webhook"}));
  auto deleted = context.notify->delete_webhook(*id, context.clock->now());
  if (!deleted) return storage_failure(deleted.error(), request);
  if (!*deleted) return problem(request, not_found({"没有这个 Webhook", "no such webhook"}));
  if (context.wake_dispatcher) context.wake_dispatcher();
  audit(context, request, caller->user.id, "webhook_deleted", std::to_string(*id));
  Response response;
  response.status = 204;
  return response;
}

// --- deliveries -----------------------------------------------------------------------------

Response list_deliveries(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string status(request.query_param("status").value_or(""));
  const auto wanted = engine::value_named(notify::kDeliveryStatusNames, status);
  if (!status.empty() && !wanted) {
    return problem(request, bad_request({"status 取值为 pending、delivered 或 dead",
                                         "status takes pending, delivered or dead"},
                                        {FieldError{"status",
                                                    {"应为 pending、delivered 或 dead",
                                                     "expected pending, delivered or dead"}}}));
  }
  auto limit = limit_param(request, 50, 500);
  if (!limit) return problem(request, limit.error());
  auto cursor = cursor_param(request);
  if (!cursor) return problem(request, cursor.error());
  auto deliveries = context.notify->deliveries(wanted, *limit + 1, *cursor);
  if (!deliveries) return storage_failure(deliveries.error(), request);
  json::value next = nullptr;
  if (static_cast<int>(deliveries->size()) > *limit) {
    deliveries->resize(static_cast<std::size_t>(*limit));
    next = std::to_string(deliveries->back().id);
  }
  json::array items;
  for (const auto& delivery : *deliveries)
    items.push_back(delivery_json(delivery));
  return json_body(200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

Response replay_delivery(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const auto id = parse_id(params.at("id"));
  if (!id) return problem(request, not_found({"没有这次投递", "no such delivery"}));
  auto replayed = context.notify->replay(*id, context.clock->now());
  if (!replayed) return storage_failure(replayed.error(), request);
  if (!*replayed)
    return problem(request, not_found({"没有这次投递（或其 Webhook 已删除）",
                                       "no such delivery (or its webhook was deleted)"}));
  if (context.wake_dispatcher) context.wake_dispatcher();
  auto delivery = context.notify->delivery(*id);
  if (!delivery || !*delivery) return problem(request, internal_error(request.request_id));
  return json_body(200, delivery_json(**delivery));
}

// --- deadlines ------------------------------------------------------------------------------

void extend_deadline(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply) {
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return reply(std::move(*unseen));
  auto body = parse_object(request);
  if (!body) return reply(problem(request, body.error()));
  auto kind_text = string_member(*body, "kind", true);
  if (!kind_text) return reply(problem(request, kind_text.error()));
  const auto kind = engine::parse_deadline_kind(*kind_text);
  if (!kind) {
    return reply(problem(request, bad_request({"kind 取值为 sla、milestone 或 followup",
                                               "kind takes sla, milestone or followup"},
                                              {FieldError{"kind",
                                                          {"应为 sla、milestone 或 followup",
                                                           "expected sla, milestone or followup"}}},
                                              "invalid_type")));
  }
  auto name = string_member(*body, "name");
  if (!name) return reply(problem(request, name.error()));
  auto due_text = string_member(*body, "due_on", true);
  if (!due_text) return reply(problem(request, due_text.error()));
  const auto due_on = engine::Date::parse(*due_text);
  if (!due_on) {
    return reply(problem(
        request,
        bad_request({"due_on 应为日期（YYYY-MM-DD）", "due_on must be a date \"YYYY-MM-DD\""},
                    {FieldError{"due_on", {"应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"}}},
                    "invalid_type")));
  }
  auto reason = string_member(*body, "reason");
  if (!reason) return reply(problem(request, reason.error()));
  auto expected = if_match(request);
  if (!expected) return reply(problem(request, expected.error()));
  engine::Command command;
  command.project_id = params.at("id");
  command.expected_version = *expected;
  // An SLA is named by its state and the follow-up by "followup"; both may be left out.
  std::string deadline = *name;
  if (deadline.empty() && *kind == engine::DeadlineKind::followup) deadline = "followup";
  if (deadline.empty() && *kind == engine::DeadlineKind::sla) {
    auto project = context.store.project(command.project_id);
    if (project && *project) deadline = (*project)->state;
  }
  command.body = engine::ExtendDeadline{*kind, deadline, *due_on, *reason};
  submit(context, request, *caller, std::move(command), "", 200, std::move(reply));
}

}  // namespace investflow::web::api
