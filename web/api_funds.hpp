#pragma once
// 到位资金 and targets (issue 16; docs/api.md "Funds in place and targets"):
//   POST /api/projects/{id}/funds     a ledger entry (a RecordFunds command)
//   GET  /api/reports/funds           month, 1–N月, 同比, by source, workflow and unit
//   GET  /api/targets                 a year's targets, the units, the change history
//   PUT  /api/targets                 set (or, value null, remove) one target: managers, admins
//   GET  /api/reports/targets         progress against the targets, units ranked

#include "web/api.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

void record_funds(ApiContext& context, const Request& request, const RouteParams& params,
                  Reply reply);
Response report_funds(ApiContext& context, const Request& request);
Response get_targets(ApiContext& context, const Request& request);
Response put_target(ApiContext& context, const Request& request);
Response report_targets(ApiContext& context, const Request& request);

}  // namespace investflow::web::api
