#include "storage/system_clock.hpp"
#include "web/api.hpp"
#include "web/api_handlers.hpp"
#include "web/api_notify.hpp"
#include "web/api_reports.hpp"
#include "web/openapi.hpp"

namespace investflow::web {

ApiContext::ApiContext(storage::Store& store_in, storage::AuthStore& auth_in,
                       std::shared_ptr<const engine::Clock> clock_in)
    : store(store_in),
      auth(auth_in),
      clock(clock_in ? std::move(clock_in) : std::make_shared<storage::SystemClock>()),
      feed(std::make_shared<EventFeed>(store_in)) {
}

void add_api_routes(Router& router, std::shared_ptr<ApiContext> context) {
  // Handlers take the context by reference; the router's copies of `context` keep it alive.
  const auto plain = [&](std::string_view method, std::string_view pattern,
                         Response (*handler)(ApiContext&, const Request&)) {
    router.add(method, pattern, [context, handler](const Request& request, const RouteParams&) {
      return handler(*context, request);
    });
  };
  const auto with_params =
      [&](std::string_view method, std::string_view pattern,
          Response (*handler)(ApiContext&, const Request&, const RouteParams&)) {
        router.add(method, pattern,
                   [context, handler](const Request& request, const RouteParams& params) {
                     return handler(*context, request, params);
                   });
      };
  const auto write = [&](std::string_view pattern,
                         void (*handler)(ApiContext&, const Request&, const RouteParams&, Reply),
                         std::string_view method = "POST") {
    router.add_async(
        method, pattern,
        [context, handler](const Request& request, const RouteParams& params, Reply reply) {
          handler(*context, request, params, std::move(reply));
        });
  };

  plain("POST", "/api/login", api::login);
  plain("POST", "/api/logout", api::logout);
  plain("GET", "/api/me", api::me);
  plain("GET", "/api/users", api::list_users);
  plain("GET", "/api/workflows", api::list_workflows);
  with_params("GET", "/api/workflows/{id}", api::get_workflow);
  plain("GET", "/api/projects", api::list_projects);
  router.add_async("POST", "/api/projects",
                   [context](const Request& request, const RouteParams&, Reply reply) {
                     api::create_project(*context, request, std::move(reply));
                   });
  router.add(
      "GET", "/api/projects/{id}",
      [context](const Request& request, const RouteParams& params) {
        return api::get_project(*context, request, params);
      },
      [context](const Request& request, const RouteParams& params) {
        return api::get_project_from_memory(*context, request, params);
      });
  write("/api/projects/{id}", api::edit_project, "PATCH");
  with_params("GET", "/api/projects/{id}/transitions", api::transition_options);
  write("/api/projects/{id}/transitions", api::take_transition);
  write("/api/projects/{id}/votes", api::cast_vote);
  write("/api/projects/{id}/milestones", api::record_milestone);
  write("/api/projects/{id}/followups", api::record_followup);
  with_params("GET", "/api/projects/{id}/history", api::project_history);
  plain("GET", "/api/stream", api::stream_events);
  // Notifications, webhooks, deliveries, deadline extensions (api_notify.cpp).
  plain("GET", "/api/notifications", api::list_notifications);
  plain("POST", "/api/notifications/read-all", api::read_all_notifications);
  with_params("POST", "/api/notifications/{id}/read", api::read_notification);
  plain("GET", "/api/webhooks", api::list_webhooks);
  plain("POST", "/api/webhooks", api::create_webhook);
  with_params("DELETE", "/api/webhooks/{id}", api::delete_webhook);
  plain("GET", "/api/deliveries", api::list_deliveries);
  with_params("POST", "/api/deliveries/{id}/replay", api::replay_delivery);
  write("/api/projects/{id}/deadlines", api::extend_deadline);
  // Pipeline reports (api_reports.cpp).
  plain("GET", "/api/reports/pipeline", api::report_pipeline);
  plain("GET", "/api/reports/funnel", api::report_funnel);
  plain("GET", "/api/reports/aging", api::report_aging);
  plain("GET", "/api/reports/kpis", api::report_kpis);
  plain("GET", "/api/reports/period", api::report_period);

  // Built once: the document only changes with the program.
  auto openapi = std::make_shared<const std::string>(openapi_json());
  router.add(
      "GET", "/api/openapi.json",
      [openapi](const Request&, const RouteParams&) { return json_response(200, *openapi); },
      Execution::io_thread);
}

}  // namespace investflow::web
