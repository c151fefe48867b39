#pragma once
// Handlers of the notification routes (api_notify.cpp); api_routes.cpp binds them.

#include "web/api.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

Response list_notifications(ApiContext& context, const Request& request);
Response read_notification(ApiContext& context, const Request& request, const RouteParams& params);
Response read_all_notifications(ApiContext& context, const Request& request);
// GET / PUT /api/me/notification-settings (issue 22): the caller's inbox settings.
Response notification_settings(ApiContext& context, const Request& request);
Response save_notification_settings(ApiContext& context, const Request& request);
// Admins only.
Response list_webhooks(ApiContext& context, const Request& request);
Response create_webhook(ApiContext& context, const Request& request);
Response delete_webhook(ApiContext& context, const Request& request, const RouteParams& params);
Response list_deliveries(ApiContext& context, const Request& request);
Response replay_delivery(ApiContext& context, const Request& request, const RouteParams& params);
// A manager's extension: an ExtendDeadline command through the store.
void extend_deadline(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply);

}  // namespace investflow::web::api
