#pragma once
// The follow-up service desk's routes (issue 17): 督办 (POST /api/projects/{id}/supervisions),
// 转交 (POST /api/projects/{id}/reassignments), the bulk handover (POST /api/reassignments),
// and the read-time red/yellow/green light on projects (engine/supervision.hpp).

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "engine/decide.hpp"
#include "engine/project.hpp"
#include "storage/store.hpp"
#include "web/api.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

void supervise_project(ApiContext& context, const Request& request, const RouteParams& params,
                       Reply reply);
void reassign_project(ApiContext& context, const Request& request, const RouteParams& params,
                      Reply reply);
Response bulk_reassign(ApiContext& context, const Request& request);

// Why `login` cannot be named as a person (unknown or disabled), as a reason about `field`;
// nullopt when it is a known, enabled user or empty (the engine says it is missing).
std::optional<engine::Reason> unknown_user(ApiContext& context, const std::string& login,
                                           std::string field);
// A 422 with that one reason.
Response refuse(const engine::Reason& reason, std::string_view lang);

// The light of a project at the context's today, as JSON (null when it has none).
class Lights {
 public:
  explicit Lights(ApiContext& context);
  void add_to(boost::json::object& wire, const engine::Project& project);
  // The wire JSON text with "light" added.
  std::string add_to(const storage::ProjectJson& json);

 private:
  boost::json::value light(const std::string& workflow, std::int64_t version,
                           const std::string& state, const std::optional<engine::Date>& due);
  ApiContext& context_;
  engine::Date today_;
};

}  // namespace investflow::web::api
