#pragma once
// Bulk actions on projects chosen in the list (issue 22 item 11). POST /api/bulk/transitions
// takes one transition on each chosen project, each its own command decided by the engine
// against that project as it is, and answers one result per project (done, or refused with
// the engine's reasons in the request's language). Reassigning chosen projects is
// POST /api/reassignments with `projects` (api_supervise.cpp), which shares the limits and
// the result shape here.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store.hpp"
#include "web/api.hpp"
#include "web/api_support.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace investflow::web::api {

// The most projects one bulk request may name: a page of the list, with room to spare.
inline constexpr std::size_t kMostBulkProjects = 200;

Response bulk_transitions(ApiContext& context, const Request& request);

// The body's `projects`: 1 to kMostBulkProjects project ids, in order, a repeat dropped.
Parsed<std::vector<std::string>> chosen_projects(const boost::json::object& body);

// Why a write of a bulk action was not done, as its result lists it: the engine's reasons
// in `lang`, or a storage error.
boost::json::array result_errors(const storage::WriteResult& result, std::string_view lang);

// The idempotency key of one project's write within a bulk request's key ("" without one).
std::string item_key(const Request& request, std::string_view project, std::string_view part = "");

// A batch id for the writes of one bulk request (robots get one digest for it).
std::string bulk_batch_id(std::string_view kind);

}  // namespace investflow::web::api
