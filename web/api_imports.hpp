#pragma once
// POST /api/workflows/{id}/imports: a CSV or XLSX file (the raw body) checked row by row and,
// unless it is a dry run, imported: projects created, or updated through the engine when a
// key column finds them. Answers the report (every row's action, problems and converted
// values). For whoever may create projects of the workflow.

#include <cstdint>

#include "web/api.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

// The largest file the route takes (the server's own limit for other bodies is smaller):
// a spreadsheet of tens of thousands of projects.
inline constexpr std::uint64_t kImportBodyLimit = 20 * 1024 * 1024;

Response import_projects(ApiContext& context, const Request& request, const RouteParams& params);

}  // namespace investflow::web::api
