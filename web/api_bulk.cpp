#include "web/api_bulk.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <set>

#include "storage/projection_columns.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

Problem not_a_list() {
  return bad_request({"projects 应为项目编号的数组", "projects must be an array of project ids"},
                     {FieldError{"projects", {"应为字符串数组", "expected an array of strings"}}},
                     "invalid_type");
}

// One chosen project: its name for the result, and its write (none when it does not exist).
struct Chosen {
  std::string id;
  std::string name;
  std::optional<storage::WriteRequest> write;
};

}  // namespace

Parsed<std::vector<std::string>> chosen_projects(const json::object& body) {
  const json::value* raw = body.if_contains("projects");
  if (raw == nullptr || raw->is_null()) {
    return engine::fail(bad_request({"缺少 projects（要办理的项目）", "projects is required"},
                                    {FieldError{"projects", {"必填", "required"}}},
                                    "missing_member"));
  }
  const json::array* list = raw->if_array();
  if (list == nullptr) return engine::fail(not_a_list());
  if (list->empty()) {
    return engine::fail(bad_request(
        {"未选择项目：请至少选择一个项目", "projects is empty: choose at least one project"},
        {FieldError{"projects", {"请至少选择一个项目", "choose at least one project"}}},
        "missing_member"));
  }
  if (list->size() > kMostBulkProjects) {
    const std::string most = std::to_string(kMostBulkProjects);
    return engine::fail(bad_request(
        {"一次最多办理 " + most + " 个项目（本次 " + std::to_string(list->size()) + " 个）",
         "at most " + most + " projects in one request (" + std::to_string(list->size()) +
             " given)"},
        {FieldError{"projects", {"最多 " + most + " 个", "at most " + most}}}, "too_many"));
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const json::value& item : *list) {
    if (!item.is_string() || item.get_string().empty()) return engine::fail(not_a_list());
    std::string id(item.get_string());
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

json::array result_errors(const storage::WriteResult& result, std::string_view lang) {
  json::array errors;
  for (const engine::Reason& reason : result.rejection.reasons) {
    errors.push_back(json::object{
        {"code", reason.code}, {"field", reason.field}, {"message", reason.message.in(lang)}});
  }
  if (result.status == storage::WriteResult::Status::failed) {
    errors.push_back(json::object{
        {"code", "storage_error"},
        {"field", ""},
        {"message", lang == "en" ? "not written (storage error)" : "未能保存（存储错误）"}});
  }
  return errors;
}

std::string item_key(const Request& request, std::string_view project, std::string_view part) {
  const auto key = request.header("Idempotency-Key");
  if (!key || key->empty()) return {};
  std::string item = std::string(*key) + "\nbulk " + std::string(project);
  if (!part.empty()) item += "\n" + std::string(part);
  return item;
}

std::string bulk_batch_id(std::string_view kind) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::string(kind) + ":" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

Response bulk_transitions(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto ids = chosen_projects(*body);
  if (!ids) return problem(request, ids.error());
  auto transition = string_member(*body, "transition", true);
  if (!transition) return problem(request, transition.error());
  auto comment = string_member(*body, "comment");
  if (!comment) return problem(request, comment.error());
  const json::value* fields = body->if_contains("fields");
  if (fields != nullptr && !fields->is_null() && !fields->is_object()) {
    return problem(
        request,
        bad_request({"fields 应为字段值的对象", "fields must be an object of field values"},
                    {FieldError{"fields", {"应为对象", "expected an object"}}}, "invalid_type"));
  }
  const std::string_view lang = language(request);
  const std::string batch = bulk_batch_id("bulk");

  // Every project is read (and its field values typed by its own workflow) before anything
  // is written: a value no workflow can read is the request's fault, answered 400 alone.
  std::vector<Chosen> chosen;
  for (const std::string& id : *ids) {
    auto project = context.store.project_seen(id, caller->scope.get());  // unseen: not found
    if (!project) return storage_failure(project.error(), request);
    Chosen item{id, "", std::nullopt};
    if (*project) {
      const auto workflow =
          context.store.workflow((*project)->workflow, (*project)->workflow_version);
      if (!workflow) return problem(request, internal_error(request.request_id));
      item.name = storage::projection_columns(*workflow, **project).name;
      engine::FieldMap values;
      if (fields != nullptr && !fields->is_null()) {
        auto typed = field_values(*workflow, *fields, "fields");
        if (!typed) return problem(request, typed.error());
        values = std::move(*typed);
      }
      storage::WriteRequest write;
      write.command.project_id = id;
      write.command.body = engine::TakeTransition{*transition, std::move(values), *comment};
      write.actor = caller->actor;
      write.batch = batch;
      write.idempotency_key = item_key(request, id);
      item.write = std::move(write);
    }
    chosen.push_back(std::move(item));
  }

  // All in flight at once (the writer commits them together), each decided on its own.
  std::vector<std::optional<std::future<storage::WriteResult>>> pending;
  for (Chosen& item : chosen) {
    pending.push_back(item.write ? std::optional(context.store.write(std::move(*item.write)))
                                 : std::nullopt);
  }
  json::array results;
  std::int64_t done = 0;
  std::int64_t refused = 0;
  bool wrote = false;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    json::object item{{"project", chosen[i].id}, {"name", chosen[i].name}};
    storage::WriteResult result;
    if (pending[i]) {
      result = pending[i]->get();
    } else {
      result.status = storage::WriteResult::Status::rejected;
      result.rejection.reasons.push_back(
          {std::string(engine::reason::kNoSuchProject), "",
           engine::LocalizedText{"没有项目“" + chosen[i].id + "”",
                                 "no project '" + chosen[i].id + "'"}});
    }
    item["ok"] = result.accepted();
    if (result.accepted()) {
      ++done;
      wrote = wrote || !result.replayed;
      item["version"] = result.version;
    } else {
      ++refused;
      item["errors"] = result_errors(result, lang);
    }
    results.push_back(std::move(item));
  }
  if (wrote && context.feed) context.feed->wake();
  return json_body(
      200, json::object{{"results", std::move(results)}, {"done", done}, {"refused", refused}});
}

}  // namespace investflow::web::api
