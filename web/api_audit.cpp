// GET /api/audit: the security audit log (storage/audit.hpp), for auditors and admins.
#include <boost/json.hpp>

#include "storage/audit.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

Parsed<std::optional<engine::Timestamp>> time_param(const Request& request, std::string_view name) {
  const auto text = request.query_param(name);
  if (!text || text->empty()) return std::optional<engine::Timestamp>();
  if (auto at = engine::parse_timestamp(*text)) return std::optional<engine::Timestamp>(*at);
  const std::string field(name);
  return engine::fail(
      bad_request({field + " 应为日期（2026-03-02）或时间（2026-03-02T09:30:00+08:00）",
                   field + " takes a date (2026-03-02) or a time (2026-03-02T09:30:00+08:00)"},
                  {FieldError{field, {"无效的日期或时间", "not a date or time"}}}, "invalid_time"));
}

}  // namespace

Response list_audit(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!caller->actor.has_role("auditor") && !caller->actor.has_role("admin")) {
    return problem(request, forbidden({"只有审计员和管理员可以查看审计日志",
                                       "only auditors and admins may read the audit log"},
                                      "role_not_allowed"));
  }
  if (!context.audit) {
    return problem(request, service_unavailable({"此服务器未启用审计日志",
                                                 "the audit log is not enabled on this server"}));
  }
  storage::AuditQuery query;
  auto from = time_param(request, "from");
  if (!from) return problem(request, from.error());
  auto to = time_param(request, "to");
  if (!to) return problem(request, to.error());
  query.from = *from;
  query.to = *to;
  // A date alone for `to` means the whole of that day.
  if (query.to && request.query_param("to")->size() == 10) *query.to += 24 * 3600 * 1000;
  query.actor = std::string(request.query_param("actor").value_or(""));
  query.action = std::string(request.query_param("action").value_or(""));
  if (!query.action.empty() && !storage::is_audit_action(query.action)) {
    std::string known;
    for (const std::string_view action : storage::kAuditActions)
      known += (known.empty() ? "" : ", ") + std::string(action);
    return problem(
        request,
        bad_request({"action 取值为：" + known, "action takes one of: " + known},
                    {FieldError{"action", {"未知的操作", "unknown action"}}}, "invalid_action"));
  }
  auto limit = limit_param(request, 100, 500);
  if (!limit) return problem(request, limit.error());
  auto cursor = cursor_param(request);
  if (!cursor) return problem(request, cursor.error());
  if (*cursor != INT64_MAX) query.before = *cursor;
  query.limit = *limit + 1;  // one more: is there a next page?
  std::vector<storage::AuditEntry> entries = context.audit->list(query);
  json::value next = nullptr;
  if (entries.size() > static_cast<std::size_t>(*limit)) {
    entries.pop_back();
    next = std::to_string(entries.back().id);
  }
  json::array items;
  for (const storage::AuditEntry& entry : entries)
    items.push_back(storage::audit_json(entry));
  return json_body(200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace investflow::web::api

namespace investflow::web {

std::function<void(const AccessRecord&, bool)> access_auditor(std::shared_ptr<ApiContext> context) {
  if (!context || !context->audit) return {};
  return
      [audit = context->audit, clock = context->clock](const AccessRecord& record, bool download) {
        const std::string action = !download                                  ? "denied"
                                   : record.route.starts_with("/api/reports") ? "report_download"
                                                                              : "export";
        audit->record(storage::AuditEntry{
            0, clock->now(), std::string(record.user), action,
            std::string(record.method) + " " + std::string(record.path),
            std::string(record.remote_address), std::string(record.request_id), "{}"});
      };
}

}  // namespace investflow::web
