// POST /api/workflows/{id}/migrations: move a workflow's projects to another version, or
// preview the move (storage/migration.hpp; the CLI's `workflow migrate`).
#include <algorithm>
#include <boost/json.hpp>

#include "storage/migration.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// The body: {"to": N, "map": {OLD: NEW}, "projects": [ID], "dry_run": bool}; 400 naming
// each member of the wrong type.
const LocalizedText kProjectIdsExpected{"应为项目编号组成的数组",
                                        "expected an array of project ids"};

Parsed<storage::MigrationRequest> migration_request(const json::object& body) {
  storage::MigrationRequest request;
  std::vector<FieldError> errors;
  const json::value* to = body.if_contains("to");
  if (to == nullptr || !to->is_int64() || to->get_int64() < 1) {
    if (to != nullptr && to->is_uint64()) {
      errors.push_back({"to", {"目标版本号过大", "the target version is too large"}});
    } else {
      errors.push_back({"to",
                        {"应为目标版本号（不小于 1 的整数）",
                         "expected the target version (a whole number, 1 or more)"}});
    }
  } else {
    request.to = to->get_int64();
  }
  if (const json::value* map = body.if_contains("map"); map != nullptr && !map->is_null()) {
    if (!map->is_object()) {
      errors.push_back(
          {"map",
           {"应为“旧状态 → 新状态”组成的对象", "expected an object of old state -> new state"}});
    } else {
      for (const auto& entry : map->get_object()) {
        if (!entry.value().is_string() || entry.value().get_string().empty()) {
          const std::string state(entry.key());
          errors.push_back({"map",
                            {"状态“" + state + "”映射到的不是状态编号",
                             "the state '" + state + "' maps to something other than a state id"}});
          continue;
        }
        request.state_map.emplace(std::string(entry.key()),
                                  std::string(entry.value().get_string()));
      }
    }
  }
  if (const json::value* projects = body.if_contains("projects");
      projects != nullptr && !projects->is_null()) {
    if (!projects->is_array()) {
      errors.push_back({"projects", kProjectIdsExpected});
    } else {
      for (const json::value& id : projects->get_array()) {
        if (!id.is_string() || id.get_string().empty()) {
          errors.push_back({"projects", kProjectIdsExpected});
          break;
        }
        request.projects.emplace_back(id.get_string());
      }
    }
  }
  if (const json::value* dry = body.if_contains("dry_run"); dry != nullptr && !dry->is_null()) {
    if (!dry->is_bool()) {
      errors.push_back({"dry_run", {"应为 true 或 false", "expected true or false"}});
    } else {
      request.dry_run = dry->get_bool();
    }
  }
  if (!errors.empty())
    return engine::fail(
        bad_request({"迁移请求格式有误", "the migration request is malformed"}, errors));
  return request;
}

json::object row_json(const storage::MigrationRow& row) {
  json::array reasons;
  for (const engine::Reason& reason : row.reasons) {
    reasons.push_back(json::object{
        {"code", reason.code}, {"message", reason.message.zh}, {"message_en", reason.message.en}});
  }
  json::array notes;
  for (const engine::MigrationNote& note : row.notes) {
    notes.push_back(json::object{{"item", note.item},
                                 {"action", note.action},
                                 {"message", note.zh},
                                 {"message_en", note.en}});
  }
  json::value to_state = nullptr;
  if (row.to_state) to_state = json::string(*row.to_state);
  return json::object{
      {"project", row.project},           {"name", row.name},
      {"from_version", row.from_version}, {"from_state", row.from_state},
      {"to_state", std::move(to_state)},  {"outcome", storage::migration_outcome_name(row.outcome)},
      {"reasons", std::move(reasons)},    {"notes", std::move(notes)}};
}

}  // namespace

Response migrate_workflow(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (!caller->actor.has_role("admin")) {
    return problem(request,
                   forbidden({"只有管理员可以迁移项目", "only an admin may migrate projects"},
                             "role_not_allowed"));
  }
  const std::string& id = params.at("id");
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto parsed = migration_request(*body);
  if (!parsed) return problem(request, parsed.error());
  storage::MigrationRequest& migration = *parsed;
  migration.workflow = id;
  migration.actor = caller->actor;
  migration.now = context.clock->now();

  auto stored = context.store.stored_workflows();
  if (!stored) return storage_failure(stored.error(), request);
  if (std::none_of(stored->begin(), stored->end(),
                   [&](const storage::StoredWorkflow& each) { return each.id == id; })) {
    return problem(request, no_such_workflow(id));
  }
  const std::vector<engine::LocalizedText> problems =
      storage::check_migration_request(context.store, migration);
  if (!problems.empty()) {
    std::vector<FieldError> errors;
    for (const engine::LocalizedText& each : problems)
      errors.push_back({"", each});
    LocalizedText detail = joined_messages(errors);
    return problem(request,
                   unprocessable(std::move(detail), std::move(errors), "migration_invalid"));
  }
  auto report = storage::migrate_projects(context.store, migration);
  if (!report) return storage_failure(report.error(), request);
  json::array rows;
  for (const storage::MigrationRow& row : report->rows)
    rows.push_back(row_json(row));
  if (!migration.dry_run) {
    audit(context, request, caller->user.id, "projects_migrated", id,
          {{"to", migration.to}, {"moved", report->moved}, {"refused", report->refused}});
  }
  return json_body(200, json::object{{"workflow", id},
                                     {"to", migration.to},
                                     {"dry_run", migration.dry_run},
                                     {"moved", report->moved},
                                     {"refused", report->refused},
                                     {"unchanged", report->unchanged},
                                     {"terminal", report->terminal},
                                     {"rows", std::move(rows)}});
}

}  // namespace investflow::web::api
