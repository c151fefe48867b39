#pragma once
// GET /api/reports/{pipeline,funnel,aging,kpis,period}: the managers' reports, as JSON or,
// with ?format=csv|xlsx, as a download with Chinese headers. Managers, leaders and admins
// only; dates are YYYY-MM-DD (400 naming the parameter otherwise).

#include "web/api.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web::api {

Response report_pipeline(ApiContext& context, const Request& request);
Response report_funnel(ApiContext& context, const Request& request);
Response report_aging(ApiContext& context, const Request& request);
Response report_kpis(ApiContext& context, const Request& request);
Response report_period(ApiContext& context, const Request& request);
Response report_monthly(ApiContext& context, const Request& request);  // kpis (issue 16)
// problems (issue 17): GET /api/reports/problems, the service desk's figures.
Response report_problems(ApiContext& context, const Request& request);

}  // namespace investflow::web::api
