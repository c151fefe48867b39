#include "web/api_supervise.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "engine/supervision.hpp"
#include "storage/reassign.hpp"
#include "web/api_bulk.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

Parsed<engine::Date> date_member(const json::object& body, std::string_view name) {
  auto text = string_member(body, name, true);
  if (!text) return engine::fail(text.error());
  const auto date = engine::Date::parse(*text);
  if (!date) {
    return engine::fail(bad_request(
        {std::string(name) + " 应为日期（YYYY-MM-DD）",
         std::string(name) + " must be a date \"YYYY-MM-DD\""},
        {FieldError{std::string(name), {"应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"}}},
        "invalid_type"));
  }
  return *date;
}

}  // namespace

// The new holder must be a known, enabled user: the engine does not know the directory.
std::optional<engine::Reason> unknown_user(ApiContext& context, const std::string& login,
                                           std::string field) {
  if (login.empty()) return std::nullopt;  // the engine says it is missing
  auto user = context.auth.user(login);
  if (user && *user && !(*user)->disabled) return std::nullopt;
  return engine::Reason{"unknown_user", std::move(field),
                        engine::LocalizedText{"没有用户“" + login + "”（或已停用）",
                                              "no user '" + login + "' (or the user is disabled)"}};
}

Response refuse(const engine::Reason& reason, std::string_view lang) {
  engine::Rejection refused;
  refused.reasons.push_back(reason);
  return rejection(refused, lang);
}

void supervise_project(ApiContext& context, const Request& request, const RouteParams& params,
                       Reply reply) {
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return reply(std::move(*unseen));
  auto body = parse_object(request);
  if (!body) return reply(problem(request, body.error()));
  auto level = string_member(*body, "level", true);
  if (!level) return reply(problem(request, level.error()));
  auto reason = string_member(*body, "reason");
  if (!reason) return reply(problem(request, reason.error()));
  auto due_on = date_member(*body, "due_on");
  if (!due_on) return reply(problem(request, due_on.error()));
  auto expected = if_match(request);
  if (!expected) return reply(problem(request, expected.error()));
  engine::Command command;
  command.project_id = params.at("id");
  command.expected_version = *expected;
  command.body = engine::Supervise{*level, *reason, *due_on};
  submit(context, request, *caller, std::move(command), "", 200, std::move(reply));
}

void reassign_project(ApiContext& context, const Request& request, const RouteParams& params,
                      Reply reply) {
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return reply(std::move(*unseen));
  auto body = parse_object(request);
  if (!body) return reply(problem(request, body.error()));
  auto holder = string_member(*body, "holder");
  if (!holder) return reply(problem(request, holder.error()));
  auto to = string_member(*body, "to", true);
  if (!to) return reply(problem(request, to.error()));
  auto reason = string_member(*body, "reason");
  if (!reason) return reply(problem(request, reason.error()));
  auto expected = if_match(request);
  if (!expected) return reply(problem(request, expected.error()));
  if (auto unknown = unknown_user(context, *to, "to")) {
    return reply(refuse(*unknown, language(request)));
  }
  engine::Command command;
  command.project_id = params.at("id");
  command.expected_version = *expected;
  command.body =
      engine::Reassign{holder->empty() ? std::string(engine::kOwnerHolder) : *holder, *to, *reason};
  submit(context, request, *caller, std::move(command), "", 200, std::move(reply));
}

Response bulk_reassign(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string_view lang = language(request);
  if (!engine::may_reassign(caller->actor)) {
    return refuse(engine::Reason{std::string(engine::reason::kRoleNotAllowed), "",
                                 engine::LocalizedText{"只有科室负责人或管理员可以办理人员交接",
                                                       "a handover needs the manager or admin "
                                                       "role"}},
                  lang);
  }
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  storage::BulkReassign bulk;
  bulk.scope = caller->scope;
  // issue 22: projects chosen in the list instead of everything `from` holds.
  if (const json::value* projects = body->if_contains("projects");
      projects != nullptr && !projects->is_null()) {
    auto chosen = chosen_projects(*body);
    if (!chosen) return problem(request, chosen.error());
    bulk.projects = std::move(*chosen);
  }
  for (auto [name, out] : {std::pair{"from", &bulk.from}, std::pair{"to", &bulk.to},
                           std::pair{"reason", &bulk.reason}}) {
    auto value =
        string_member(*body, name, name != std::string_view("from") || bulk.projects.empty());
    if (!value) return problem(request, value.error());
    *out = std::move(*value);
  }
  bulk.idempotency_key = std::string(request.header("Idempotency-Key").value_or(""));
  auto workflow = string_member(*body, "workflow");
  if (!workflow) return problem(request, workflow.error());
  bulk.workflow = std::move(*workflow);
  if (const json::value* holders = body->if_contains("holders")) {
    const json::array* list = holders->if_array();
    if (list == nullptr) {
      return problem(request, type_error("holders", {"姓名组成的数组", "an array of names"}));
    }
    for (const json::value& item : *list) {
      if (!item.is_string()) {
        return problem(request, type_error("holders", {"姓名组成的数组", "an array of names"}));
      }
      bulk.holders.emplace_back(item.get_string());
    }
  }
  // What is wrong with the request as a whole is said once, not once per project.
  engine::Rejection wrong;
  if (bulk.from.empty() && bulk.projects.empty()) {
    wrong.reasons.push_back({"missing_field", "from", {"请选择交出人", "name who hands over"}});
  } else if (bulk.from == bulk.to) {
    wrong.reasons.push_back(
        {"invalid_field", "to", {"交出人和接手人不能是同一人", "from and to are the same user"}});
  }
  if (auto unknown = unknown_user(context, bulk.to, "to")) wrong.reasons.push_back(*unknown);
  if (bulk.to.empty()) {
    wrong.reasons.push_back({"missing_field", "to", {"请选择接手人", "name the new holder"}});
  }
  if (bulk.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    wrong.reasons.push_back(
        {"missing_field", "reason", {"请填写交接理由", "a handover needs a reason"}});
  }
  if (!wrong.reasons.empty()) return rejection(wrong, lang);

  auto outcomes = storage::bulk_reassign(context.store, bulk, caller->actor);
  if (!outcomes) return storage_failure(outcomes.error(), request);
  json::array results;
  std::int64_t moved = 0;
  std::int64_t refused = 0;
  bool wrote = false;
  for (const storage::ReassignOutcome& outcome : *outcomes) {
    json::object item{{"project", outcome.project},
                      {"holder", outcome.holder},
                      {"name", outcome.name},
                      {"ok", outcome.result.accepted()}};
    if (outcome.result.accepted()) {
      ++moved;
      wrote = wrote || !outcome.result.replayed;
      item["version"] = outcome.result.version;
    } else {
      ++refused;
      item["errors"] = result_errors(outcome.result, lang);
    }
    results.push_back(std::move(item));
  }
  if (wrote && context.feed) context.feed->wake();
  return json_body(
      200, json::object{{"results", std::move(results)}, {"moved", moved}, {"refused", refused}});
}

Lights::Lights(ApiContext& context)
    : context_(context), today_(engine::local_date(context.clock->now())) {
}

json::value Lights::light(const std::string& workflow_id, std::int64_t version,
                          const std::string& state, const std::optional<engine::Date>& due) {
  if (!due) return nullptr;
  const auto workflow = context_.store.workflow(workflow_id, version);
  if (workflow == nullptr) return nullptr;
  if (const engine::StateDef* def = workflow->find_state(state); def && def->terminal) {
    return nullptr;
  }
  return json::value(engine::light_name(engine::light_of(*due, today_, *workflow->calendar)));
}

void Lights::add_to(json::object& wire, const engine::Project& project) {
  wire["light"] = light(project.workflow, project.workflow_version, project.state,
                        engine::earliest_open_due(project));
}

std::string Lights::add_to(const storage::ProjectJson& stored) {
  std::string body = stored.body;
  const std::size_t end = body.rfind('}');
  if (end == std::string::npos) return body;
  const json::value value =
      light(stored.workflow, stored.workflow_version, stored.state, stored.next_due);
  body.insert(end, std::string(body.size() > 2 ? "," : "") + "\"light\":" + json::serialize(value));
  return body;
}

}  // namespace investflow::web::api
