#pragma once
// The JSON API under /api/ (conventions: docs/api.md): login and sessions,
// workflows, projects and everything done to them. Handlers parse the request, call the
// store (or the auth store) and translate the answer; every rule comes from the engine.
//
//   auto api = std::make_shared<web::ApiContext>(store, auth);
//   web::Router router;
//   web::add_api_routes(router, api);

#include <cstdint>
#include <functional>
#include <memory>

#include "engine/date.hpp"
#include "notify/http_post.hpp"
#include "storage/auth.hpp"
#include "storage/store.hpp"
#include "web/access_log.hpp"
#include "web/event_feed.hpp"
#include "web/login_limiter.hpp"
#include "web/router.hpp"
#include "web/user_streams.hpp"

namespace investflow::notify {
class NotifyStore;
}
namespace investflow::storage {
class AttachmentFiles;
class ReportReader;
class TargetWriter;
class AuditLog;
}  // namespace investflow::storage
namespace investflow::workflows {
class CalendarRegistry;
}

namespace investflow::web {

class NotificationFeed;

struct ApiContext {
  ApiContext(storage::Store& store_in, storage::AuthStore& auth_in,
             std::shared_ptr<const engine::Clock> clock_in = nullptr);

  storage::Store& store;
  storage::AuthStore& auth;
  std::shared_ptr<const engine::Clock> clock;  // never null
  LoginLimiter login_limiter;
  // Live updates for GET /api/stream; writes through the API wake it.
  std::shared_ptr<EventFeed> feed;
  // The streams each user holds open (serve --max-streams-per-user); past the limit,
  // GET /api/stream answers 429.
  UserStreams user_streams;
  // Cookies without Secure work over plain http://127.0.0.1; set true behind a TLS proxy
  // the server cannot recognise (requests over HTTPS get Secure anyway: Request::https).
  bool secure_cookies = false;
  // The addresses webhooks may reach (serve refuses internal ones): a webhook whose URL
  // names one is refused when it is saved, not only when it is delivered.
  notify::AddressPolicy webhook_addresses;
  // Notifications (notify/): inboxes, webhooks, deliveries. Null: those routes answer 503.
  std::shared_ptr<notify::NotifyStore> notify;
  // Live unread counts on /api/stream (event `notification`); may be null.
  std::shared_ptr<NotificationFeed> notifications;
  // Tells the dispatcher to look now (a webhook added, a delivery replayed); may be empty.
  std::function<void()> wake_dispatcher;
  // Pipeline reports (storage/reports.hpp). Null: /api/reports/... answer 503.
  std::shared_ptr<storage::ReportReader> reports;
  // Where PUT /api/targets writes (storage/funds_report.hpp). Null: it answers 503.
  std::shared_ptr<storage::TargetWriter> targets;
  // The calendars a workflow deployed over the API may name besides those in use; may be
  // null.
  std::shared_ptr<const workflows::CalendarRegistry> calendars;
  // Files attached to projects (storage/attachment_files.hpp). Null: the attachment routes
  // answer 503. The server's ServerOptions::upload_dir should be its upload_dir().
  std::shared_ptr<storage::AttachmentFiles> attachments;
  // The largest attachment taken (serve --attachment-limit), in bytes; larger is 413.
  std::uint64_t attachment_limit = 50 * 1024 * 1024;
  // The security audit log (storage/audit.hpp): logins, refusals, changes, downloads. Null:
  // nothing is recorded and GET /api/audit answers 503.
  std::shared_ptr<storage::AuditLog> audit;
};

void add_api_routes(Router& router, std::shared_ptr<ApiContext> context);

// ServerOptions::audit for a server answering this API: a refused request becomes a
// `denied` entry in context->audit, a downloaded file an `export` (a `report_download`
// under /api/reports). Empty when the context keeps no audit log.
std::function<void(const AccessRecord&, bool)> access_auditor(std::shared_ptr<ApiContext> context);

}  // namespace investflow::web
