#pragma once
// Saved filters of the project list (issue 22 item 11), per user and name:
//   GET    /api/saved-filters        the caller's, in name order
//   POST   /api/saved-filters        {name, params}: save (the same name replaces)
//   DELETE /api/saved-filters/{id}   remove one of the caller's
// `params` are the list's query parameters (GET /api/projects), checked by name here; the
// list checks their values when it is opened with them.

#include "web/api.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

Response list_saved_filters(ApiContext& context, const Request& request);
Response save_filter(ApiContext& context, const Request& request);
Response delete_saved_filter(ApiContext& context, const Request& request,
                             const RouteParams& params);

}  // namespace investflow::web::api
