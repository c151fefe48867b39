#pragma once
// GET /api/me/work (issue 22, 我的待办): what the caller has to do, in one call — the next
// actions on their projects, deadlines due soon or overdue, the votes they owe, the
// problems they hold and the comments that mention them.

#include "web/api.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web::api {

Response my_work(ApiContext& context, const Request& request);

}  // namespace investflow::web::api
