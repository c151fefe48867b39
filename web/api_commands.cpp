// Writes: create a project, edit its fields, take a transition, vote, record a milestone or
// a follow-up visit, comment. Each parses its body into an engine::Command and submits it; the
// store decides it with the engine, and the reply comes from the writer thread.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "storage/auth.hpp"
#include "web/api_handlers.hpp"
#include "web/api_supervise.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

struct Target {
  Caller caller;
  std::shared_ptr<const engine::Workflow> workflow;
  json::object body;
  engine::Command command;
};

// Authenticates, reads the body (and, when it edits fields, the project's workflow), and
// starts the command with the project id and If-Match. On failure the reply has been sent.
std::optional<Target> prepare(ApiContext& context, const Request& request,
                              const RouteParams& params, Reply& reply) {
  auto caller = authenticate(context, request);
  if (!caller) {
    reply(problem(request, caller.error()));
    return std::nullopt;
  }
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request)) {
    reply(std::move(*unseen));
    return std::nullopt;
  }
  auto body = parse_object(request);
  if (!body) {
    reply(problem(request, body.error()));
    return std::nullopt;
  }
  auto expected = if_match(request);
  if (!expected) {
    reply(problem(request, expected.error()));
    return std::nullopt;
  }
  const std::string& id = params.at("id");
  Target target{std::move(*caller), nullptr, std::move(*body), {}};
  target.command.project_id = id;
  target.command.expected_version = *expected;
  // A body may name the version it was edited from instead: a stale one is then 409.
  if (const json::value* version = target.body.if_contains("version");
      version != nullptr && !version->is_null() && !*expected) {
    if (!version->is_int64() || version->get_int64() < 0) {
      reply(problem(
          request,
          bad_request(
              {"version 应为项目版本号（整数）", "version must be a project version (an integer)"},
              {FieldError{"version", {"应为整数", "expected an integer"}}}, "invalid_type")));
      return std::nullopt;
    }
    target.command.expected_version = version->get_int64();
  }
  // Field values are typed by the project's workflow, which takes a read; without fields
  // the store alone decides (and says no_such_project itself), so the I/O thread need not
  // touch SQLite.
  const auto fields = target.body.find("fields");
  if (fields == target.body.end() || fields->value().is_null()) return target;
  auto project = context.store.project(id);
  if (!project) {
    reply(storage_failure(project.error(), request));
    return std::nullopt;
  }
  if (!*project) {
    reply(problem(request, no_such_project(id)));
    return std::nullopt;
  }
  target.workflow = context.store.workflow((*project)->workflow, (*project)->workflow_version);
  if (!target.workflow) {
    reply(problem(request, internal_error(request.request_id)));
    return std::nullopt;
  }
  return target;
}

const json::value& member(const json::object& body, std::string_view name) {
  static const json::value kNull;
  const json::value* found = body.if_contains(name);
  return found == nullptr ? kNull : *found;
}

Parsed<std::optional<engine::Date>> date_member(const json::object& body, std::string_view name) {
  const json::value& value = member(body, name);
  if (value.is_null()) return std::optional<engine::Date>();
  if (value.is_string()) {
    if (auto date = engine::Date::parse(value.get_string())) return std::optional(*date);
  }
  return engine::fail(bad_request(
      {std::string(name) + " 应为日期（YYYY-MM-DD）",
       std::string(name) + " must be a date \"YYYY-MM-DD\""},
      {FieldError{std::string(name), {"应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"}}},
      "invalid_type"));
}

// The body's field edits, typed by the workflow (none when the body has no fields).
Parsed<engine::FieldMap> target_fields(const Target& target) {
  if (!target.workflow) return engine::FieldMap{};
  return field_values(*target.workflow, member(target.body, "fields"), "fields");
}

// A new project's id: derived from the Idempotency-Key when there is one, so that a repeat
// is the same command (the store then replays the first result instead of refusing a
// reused key); random otherwise.
std::string new_project_id(const Request& request, const Caller& caller) {
  const auto key = request.header("Idempotency-Key");
  const std::string seed = key ? storage::sha256_hex(caller.user.id + '\n' + std::string(*key))
                               : storage::random_secret();
  std::string id = "P-" + seed.substr(0, 12);
  for (char& c : id)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

// A client-chosen project id must be addressable as one path segment of
// /api/projects/{id} and safe in the Location header: letters, digits, '-', '_', '.'.
bool is_project_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id == "." || id == "..") return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

void create_project(ApiContext& context, const Request& request, Reply reply) {
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  auto body = parse_object(request);
  if (!body) return reply(problem(request, body.error()));
  auto workflow_id = string_member(*body, "workflow", true);
  if (!workflow_id) return reply(problem(request, workflow_id.error()));
  auto owner = string_member(*body, "owner");
  if (!owner) return reply(problem(request, owner.error()));
  auto id = string_member(*body, "id");
  if (!id) return reply(problem(request, id.error()));
  auto parent = string_member(*body, "parent");
  if (!parent) return reply(problem(request, parent.error()));
  if (!id->empty() && !is_project_id(*id)) {
    return reply(problem(
        request, bad_request({"项目编号应为 1 到 64 个字母、数字、“-”、“_”或“.”",
                              "id takes 1 to 64 letters, digits, '-', '_' or '.'"},
                             {FieldError{"id", {"不是有效的项目编号", "not a valid project id"}}},
                             "invalid_type")));
  }
  auto workflow = context.store.workflow(*workflow_id);
  if (!workflow) {
    return reply(problem(
        request,
        unprocessable({"没有流程“" + *workflow_id + "”", "no workflow '" + *workflow_id + "'"},
                      {FieldError{"workflow", {"未知的流程", "unknown workflow"}}},
                      "no_such_workflow")));
  }
  auto fields = field_values(*workflow, member(*body, "fields"), "fields");
  if (!fields) return reply(problem(request, fields.error()));
  engine::Command command;
  command.project_id = id->empty() ? new_project_id(request, *caller) : *id;
  command.body = engine::CreateProject{*owner, std::move(*fields), std::move(*parent)};
  submit(context, request, *caller, std::move(command), *workflow_id, 201, std::move(reply));
}

void edit_project(ApiContext& context, const Request& request, const RouteParams& params,
                  Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto fields = target_fields(*target);
  if (!fields) return reply(problem(request, fields.error()));
  target->command.body = engine::EditFields{std::move(*fields)};
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

void take_transition(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto transition = string_member(target->body, "transition", true);
  if (!transition) return reply(problem(request, transition.error()));
  auto comment = string_member(target->body, "comment");
  if (!comment) return reply(problem(request, comment.error()));
  auto fields = target_fields(*target);
  if (!fields) return reply(problem(request, fields.error()));
  target->command.body = engine::TakeTransition{*transition, std::move(*fields), *comment};
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

void cast_vote(ApiContext& context, const Request& request, const RouteParams& params,
               Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto choice_name = string_member(target->body, "choice", true);
  if (!choice_name) return reply(problem(request, choice_name.error()));
  const auto choice = engine::parse_vote_choice(*choice_name);
  if (!choice) {
    return reply(
        problem(request, bad_request({"choice 取值为 approve、reject、abstain 或 recuse",
                                      "choice takes approve, reject, abstain or recuse"},
                                     {FieldError{"choice",
                                                 {"应为 approve、reject、abstain 或 recuse",
                                                  "expected approve, reject, abstain or recuse"}}},
                                     "invalid_type")));
  }
  auto comment = string_member(target->body, "comment");
  if (!comment) return reply(problem(request, comment.error()));
  target->command.body = engine::CastVote{*choice, *comment};
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

void record_milestone(ApiContext& context, const Request& request, const RouteParams& params,
                      Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto milestone = string_member(target->body, "milestone", true);
  if (!milestone) return reply(problem(request, milestone.error()));
  auto planned_on = date_member(target->body, "planned_on");
  if (!planned_on) return reply(problem(request, planned_on.error()));
  auto done_on = date_member(target->body, "done_on");
  if (!done_on) return reply(problem(request, done_on.error()));
  auto evidence = string_member(target->body, "evidence");
  if (!evidence) return reply(problem(request, evidence.error()));
  target->command.body = engine::RecordMilestone{*milestone, *planned_on, *done_on, *evidence};
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

void record_followup(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto on = date_member(target->body, "on");
  if (!on) return reply(problem(request, on.error()));
  if (!*on) {
    return reply(
        problem(request, bad_request({"缺少 on（日期）", "on is required"},
                                     {FieldError{"on", {"必填", "required"}}}, "missing_member")));
  }
  auto summary = string_member(target->body, "summary", true);
  if (!summary) return reply(problem(request, summary.error()));
  std::vector<std::string> issues;
  const json::value& raw_issues = member(target->body, "issues");
  if (!raw_issues.is_null()) {
    const auto* array = raw_issues.if_array();
    bool ok = array != nullptr;
    if (ok) {
      for (const auto& issue : *array) {
        if (!issue.is_string()) {
          ok = false;
          break;
        }
        issues.emplace_back(issue.get_string());
      }
    }
    if (!ok) {
      return reply(problem(
          request,
          bad_request({"issues 应为字符串数组", "issues must be an array of strings"},
                      {FieldError{"issues", {"应为字符串数组", "expected an array of strings"}}},
                      "invalid_type")));
    }
  }
  target->command.body = engine::RecordFollowup{**on, *summary, std::move(issues)};
  if (const json::value* problems = target->body.if_contains("problems");
      problems != nullptr && !problems->is_null()) {
    // issue 17: the visit raises problems, each a new item, all written together.
    return submit_followup_with_problems(context, request, target->caller,
                                         std::move(target->command), target->body,
                                         std::move(reply));
  }
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

// POST /api/projects/{id}/comments: {text, mentions: [login, ...]}. Every mentioned user must
// be a known, enabled one (422 unknown_user); the engine decides who may comment.
void comment_project(ApiContext& context, const Request& request, const RouteParams& params,
                     Reply reply) {
  auto target = prepare(context, request, params, reply);
  if (!target) return;
  auto text = string_member(target->body, "text", true);
  if (!text) return reply(problem(request, text.error()));
  std::vector<std::string> mentions;
  const json::value& raw = member(target->body, "mentions");
  if (!raw.is_null()) {
    const json::array* array = raw.if_array();
    const bool strings =
        array != nullptr && std::all_of(array->begin(), array->end(),
                                        [](const json::value& item) { return item.is_string(); });
    if (!strings) {
      return reply(problem(
          request,
          bad_request({"mentions 应为用户名的数组", "mentions must be an array of user ids"},
                      {FieldError{"mentions", {"应为字符串数组", "expected an array of strings"}}},
                      "invalid_type")));
    }
    for (const json::value& item : *array) {
      mentions.emplace_back(item.get_string());
      if (auto unknown = unknown_user(context, mentions.back(), "mentions")) {
        return reply(refuse(*unknown, language(request)));
      }
    }
  }
  target->command.body = engine::CommentProject{std::move(*text), std::move(mentions)};
  submit(context, request, target->caller, std::move(target->command), "", 200, std::move(reply));
}

}  // namespace investflow::web::api
