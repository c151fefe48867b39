// Accounts and API tokens over HTTP, for admins (the console's 用户管理 page): GET/POST
// /api/users, PATCH/DELETE /api/users/{id}, POST /api/users/{id}/password, and GET/POST
// /api/tokens, DELETE /api/tokens/{id}. The rules are the command line's (storage/auth.hpp,
// password_policy.hpp, known_roles.hpp); every change is an audit entry with the admin as
// actor.
#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "storage/known_roles.hpp"
#include "storage/password_policy.hpp"
#include "storage/wire_json.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// How long a token made without expires_in_days works: `investflow user token`'s default.
constexpr std::int64_t kDefaultTokenDays = 365;
constexpr std::int64_t kMostTokenDays = 3650;
constexpr std::size_t kMostNameBytes = 200;   // a display name
constexpr std::size_t kMostLabelBytes = 100;  // a token's name

const LocalizedText kNotAdmin{"只有管理员可以管理用户和 API 令牌",
                              "only an admin may manage users and API tokens"};

Parsed<Caller> admin(ApiContext& context, const Request& request,
                     const LocalizedText& refusal = kNotAdmin) {
  auto caller = authenticate(context, request);
  if (!caller) return caller;
  if (!caller->actor.has_role("admin")) {
    return engine::fail(forbidden(refusal, "role_not_allowed"));
  }
  return caller;
}

Problem no_such_user(std::string_view id) {
  const std::string name(id);
  return not_found({"没有用户“" + name + "”", "no user '" + name + "'"}, "no_such_user");
}

Problem last_admin(std::string_view id) {
  const std::string name(id);
  return conflict({"“" + name +
                       "”是最后一个启用的管理员，不能停用、删除或取消其管理员角色；"
                       "请先让另一位用户成为管理员",
                   "'" + name +
                       "' is the last enabled admin: they cannot be disabled, deleted or lose "
                       "the admin role; make another user an admin first"},
                  "last_admin");
}

json::object account_json(const storage::User& user) {
  json::object item = user_json(user);
  item["disabled"] = user.disabled;
  return item;
}

json::object token_json(const storage::TokenInfo& token, engine::Timestamp now) {
  std::string state = "active";
  if (token.revoked_at) {
    state = "revoked";
  } else if (token.expires_at && *token.expires_at <= now) {
    state = "expired";
  }
  return {{"id", token.id},
          {"user", token.user_id},
          {"name", token.name},
          {"created_at", storage::wire_timestamp(token.created_at)},
          {"expires_at", storage::wire_timestamp(token.expires_at)},
          {"revoked_at", storage::wire_timestamp(token.revoked_at)},
          {"last_used_at", storage::wire_timestamp(token.last_used_at)},
          {"state", state}};
}

json::array strings_json(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items)
    array.emplace_back(item);
  return array;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// The roles a user may hold: those of the workflows this server has (or the shipped ones).
storage::Outcome<std::vector<std::string>> workflow_roles(ApiContext& context) {
  auto stored = context.store.stored_workflows();
  if (!stored) return engine::fail(std::move(stored.error()));
  std::vector<std::shared_ptr<const engine::Workflow>> workflows;
  for (const auto& each : *stored)
    workflows.push_back(context.store.workflow(each.id, each.version));
  return storage::known_roles(workflows);
}

// `roles` of a body: a non-empty array of role names some workflow has (each once).
Parsed<std::vector<std::string>> roles_member(const json::value& value,
                                              const std::vector<std::string>& known) {
  const json::array* array = value.if_array();
  if (array == nullptr || !std::all_of(array->begin(), array->end(),
                                       [](const json::value& item) { return item.is_string(); })) {
    return engine::fail(type_error("roles", {"角色名组成的数组", "an array of role names"}));
  }
  std::vector<std::string> roles;
  for (const json::value& item : *array) {
    std::string role(item.get_string());
    if (std::find(roles.begin(), roles.end(), role) == roles.end())
      roles.push_back(std::move(role));
  }
  if (roles.empty()) {
    return engine::fail(unprocessable({"请至少选择一个角色", "give at least one role"},
                                      {FieldError{"roles", {"至少一个角色", "at least one role"}}},
                                      "roles_required"));
  }
  std::vector<FieldError> errors;
  for (const std::string& role : storage::unknown_roles(roles, known)) {
    errors.push_back(FieldError{
        "roles",
        {"没有哪个流程使用角色“" + role + "”", "no workflow has the role '" + role + "'"}});
  }
  if (!errors.empty()) {
    LocalizedText detail = joined_messages(errors);
    return engine::fail(unprocessable(std::move(detail), std::move(errors), "unknown_role"));
  }
  return roles;
}

// A display name: trimmed, not empty, not too long.
Parsed<std::string> display_name_member(const json::value& value) {
  if (!value.is_string()) return engine::fail(type_error("display_name", {"字符串", "a string"}));
  std::string name = trimmed(value.get_string());
  if (name.empty() || name.size() > kMostNameBytes) {
    return engine::fail(unprocessable(
        {"请填写姓名（不超过 " + std::to_string(kMostNameBytes / 3) + " 个汉字）",
         "give a display name (at most " + std::to_string(kMostNameBytes) + " bytes)"},
        {FieldError{"display_name", {"请填写姓名", "required, not too long"}}},
        "invalid_display_name"));
  }
  return name;
}

// 422 weak_password naming why, in both languages, when the policy refuses `password`.
std::optional<Problem> weak(std::string_view password) {
  auto weakness = storage::password_weakness(password);
  if (!weakness) return std::nullopt;
  return unprocessable({weakness->zh, weakness->en},
                       {FieldError{"password", {weakness->zh, weakness->en}}}, "weak_password");
}

Response no_content() {
  return empty_response(204);
}

}  // namespace

// --- users ------------------------------------------------------------------------------------

Response list_users(ApiContext& context, const Request& request) {
  auto caller =
      admin(context, request, {"只有管理员可以查看用户列表", "only an admin may list users"});
  if (!caller) return problem(request, caller.error());
  auto users = context.auth.users();
  if (!users) return storage_failure(users.error(), request);
  auto roles = workflow_roles(context);
  if (!roles) return storage_failure(roles.error(), request);
  json::array list;
  for (const auto& user : *users)
    list.push_back(account_json(user));
  return json_body(200, json::object{{"users", std::move(list)}, {"roles", strings_json(*roles)}});
}

Response create_user(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto id = string_member(*body, "id", true);
  if (!id) return problem(request, id.error());
  auto password = string_member(*body, "password", true);
  if (!password) return problem(request, password.error());
  const json::value* roles_value = body->if_contains("roles");
  if (roles_value == nullptr || roles_value->is_null()) {
    return problem(request,
                   bad_request({"缺少 roles", "roles is required"},
                               {FieldError{"roles", {"必填", "required"}}}, "missing_member"));
  }
  std::string display_name = *id;
  if (const json::value* name = body->if_contains("display_name"); name && !name->is_null()) {
    auto given = display_name_member(*name);
    if (!given) return problem(request, given.error());
    display_name = std::move(*given);
  }
  if (!storage::valid_user_name(*id)) {
    return problem(
        request,
        unprocessable({"登录名应为 1–64 个小写字母、数字或 . _ -，以字母或数字开头",
                       "a login name is 1-64 of a-z 0-9 . _ -, starting with a letter or digit"},
                      {FieldError{"id", {"小写字母、数字或 . _ -", "a-z 0-9 . _ -"}}},
                      "invalid_user_name"));
  }
  auto known = workflow_roles(context);
  if (!known) return storage_failure(known.error(), request);
  auto roles = roles_member(*roles_value, *known);
  if (!roles) return problem(request, roles.error());
  if (auto refused = weak(*password)) return problem(request, *refused);
  auto existing = context.auth.user(*id);
  if (!existing) return storage_failure(existing.error(), request);
  const Problem taken =
      conflict({"登录名“" + *id + "”已被使用", "user '" + *id + "' exists"}, "user_exists");
  if (*existing) return problem(request, taken);
  auto unit = string_member(*body, "unit");
  if (!unit) return problem(request, unit.error());
  auto added = context.auth.add_user(*id, *roles, *password, display_name);
  if (!added) {
    // Everything else was checked above: only a user added meanwhile is left.
    if (added.error().kind == storage::Error::Kind::invalid_request) return problem(request, taken);
    return storage_failure(added.error(), request);
  }
  if (!unit->empty()) {
    if (auto set = context.auth.set_unit(added->id, *unit); !set)
      return storage_failure(set.error(), request);
    added->unit = *unit;
  }
  json::object detail{{"roles", strings_json(added->roles)}, {"display_name", added->display_name}};
  if (!unit->empty()) detail["unit"] = *unit;
  audit(context, request, caller->user.id, "user_created", added->id, detail);
  Response response = json_body(201, account_json(*added));
  response.headers.set("Location", "/api/users/" + added->id);
  return response;
}

Response update_user(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  storage::UserUpdate update;
  if (const json::value* name = body->if_contains("display_name"); name && !name->is_null()) {
    auto given = display_name_member(*name);
    if (!given) return problem(request, given.error());
    update.display_name = std::move(*given);
  }
  if (const json::value* disabled = body->if_contains("disabled");
      disabled && !disabled->is_null()) {
    if (!disabled->is_bool())
      return problem(request, type_error("disabled", {"布尔值", "a boolean"}));
    update.disabled = disabled->get_bool();
  }
  if (const json::value* unit = body->if_contains("unit"); unit && !unit->is_null()) {
    if (!unit->is_string()) return problem(request, type_error("unit", {"字符串", "a string"}));
    update.unit = std::string(unit->get_string());
  }
  const json::value* roles_value = body->if_contains("roles");
  if (!update.display_name && !update.disabled && !update.unit &&
      (roles_value == nullptr || roles_value->is_null())) {
    return problem(request, bad_request({"请给出要修改的 display_name、roles、unit 或 disabled",
                                         "give display_name, roles, unit or disabled to change"},
                                        {}, "nothing_to_change"));
  }
  auto before = context.auth.user(id);
  if (!before) return storage_failure(before.error(), request);
  if (!*before) return problem(request, no_such_user(id));
  if (roles_value != nullptr && !roles_value->is_null()) {
    auto known = workflow_roles(context);
    if (!known) return storage_failure(known.error(), request);
    auto roles = roles_member(*roles_value, *known);
    if (!roles) return problem(request, roles.error());
    update.roles = std::move(*roles);
  }
  auto changed = context.auth.update_user(id, update);
  if (!changed) return storage_failure(changed.error(), request);
  if (*changed == storage::AccountChange::no_such_user) return problem(request, no_such_user(id));
  if (*changed == storage::AccountChange::last_admin) return problem(request, last_admin(id));
  const storage::User& old = **before;
  json::object what;
  if (update.display_name && *update.display_name != old.display_name) {
    what["display_name"] = *update.display_name;
  }
  if (update.roles && *update.roles != old.roles) what["roles"] = strings_json(*update.roles);
  if (update.unit && *update.unit != old.unit) what["unit"] = *update.unit;
  if (!what.empty()) audit(context, request, caller->user.id, "user_changed", id, what);
  if (update.disabled && *update.disabled != old.disabled) {
    audit(context, request, caller->user.id, *update.disabled ? "user_disabled" : "user_enabled",
          id);
  }
  auto after = context.auth.user(id);
  if (!after) return storage_failure(after.error(), request);
  if (!*after) return problem(request, no_such_user(id));
  return json_body(200, account_json(**after));
}

Response set_user_password(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto password = string_member(*body, "password", true);
  if (!password) return problem(request, password.error());
  bool revoke_tokens = false;
  if (const json::value* revoke = body->if_contains("revoke_tokens");
      revoke && !revoke->is_null()) {
    if (!revoke->is_bool()) {
      return problem(request, type_error("revoke_tokens", {"布尔值", "a boolean"}));
    }
    revoke_tokens = revoke->get_bool();
  }
  auto found = context.auth.user(id);
  if (!found) return storage_failure(found.error(), request);
  if (!*found) return problem(request, no_such_user(id));
  if (auto refused = weak(*password)) return problem(request, *refused);
  auto set = context.auth.set_password(id, *password, revoke_tokens);
  if (!set) {
    if (set.error().kind == storage::Error::Kind::invalid_request) {
      return problem(request, no_such_user(id));  // deleted meanwhile
    }
    return storage_failure(set.error(), request);
  }
  audit(context, request, caller->user.id, "password_changed", id,
        {{"tokens_revoked", revoke_tokens}});
  return no_content();
}

Response delete_user(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto deleted = context.auth.delete_user(id);
  if (!deleted) return storage_failure(deleted.error(), request);
  if (*deleted == storage::AccountChange::no_such_user) return problem(request, no_such_user(id));
  if (*deleted == storage::AccountChange::last_admin) return problem(request, last_admin(id));
  audit(context, request, caller->user.id, "user_deleted", id);
  return no_content();
}

// --- API tokens -------------------------------------------------------------------------------

Response list_tokens(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string user(request.query_param("user").value_or(""));
  auto tokens =
      context.auth.tokens(user.empty() ? std::nullopt : std::optional<std::string_view>(user));
  if (!tokens) return storage_failure(tokens.error(), request);
  const engine::Timestamp now = context.clock->now();
  json::array items;
  for (const auto& token : *tokens)
    items.push_back(token_json(token, now));
  return json_body(200, json::object{{"items", std::move(items)}});
}

Response create_token(ApiContext& context, const Request& request) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto user = string_member(*body, "user", true);
  if (!user) return problem(request, user.error());
  auto label = string_member(*body, "name", true);
  if (!label) return problem(request, label.error());
  const std::string name = trimmed(*label);
  if (name.empty() || name.size() > kMostLabelBytes) {
    return problem(
        request,
        unprocessable(
            {"请填写令牌用途（不超过 " + std::to_string(kMostLabelBytes / 3) + " 个汉字）",
             "give what the token is for (at most " + std::to_string(kMostLabelBytes) + " bytes)"},
            {FieldError{"name", {"请填写令牌用途", "required, not too long"}}},
            "invalid_token_name"));
  }
  std::optional<std::int64_t> days = kDefaultTokenDays;
  if (const json::value* given = body->if_contains("expires_in_days"); given != nullptr) {
    if (given->is_null()) {
      days.reset();  // never
    } else if (!given->is_int64() || given->get_int64() < 1 ||
               given->get_int64() > kMostTokenDays) {
      const std::string range = "1–" + std::to_string(kMostTokenDays);
      return problem(
          request,
          bad_request(
              {"expires_in_days 应为 " + range + " 的整数，或 null（永不过期）",
               "expires_in_days takes a whole number " + range + ", or null (never)"},
              {FieldError{"expires_in_days",
                          {"应为 " + range + " 的整数或 null", "expected " + range + " or null"}}},
              "invalid_type"));
    } else {
      days = given->get_int64();
    }
  }
  auto found = context.auth.user(*user);
  if (!found) return storage_failure(found.error(), request);
  if (!*found) {
    return problem(request, unprocessable({"没有用户“" + *user + "”", "no user '" + *user + "'"},
                                          {FieldError{"user", {"没有这个用户", "no such user"}}},
                                          "no_such_user"));
  }
  const engine::Timestamp now = context.clock->now();
  std::optional<engine::Timestamp> expires_at;
  if (days) expires_at = now + *days * 24 * 3600 * 1000;
  auto made = context.auth.create_token(*user, name, expires_at);
  if (!made) {
    if (made.error().kind == storage::Error::Kind::invalid_request) {
      return problem(request, no_such_user(*user));  // deleted meanwhile
    }
    return storage_failure(made.error(), request);
  }
  audit(context, request, caller->user.id, "token_created", made->info.id,
        {{"user", made->info.user_id},
         {"name", made->info.name},
         {"expires_at",
          expires_at ? json::value(storage::wire_timestamp(*expires_at)) : json::value(nullptr)}});
  json::object answer = token_json(made->info, now);
  answer["secret"] = made->secret;  // shown once: only its hash is kept
  Response response = json_body(201, answer);
  response.headers.set("Location", "/api/tokens/" + made->info.id);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

Response revoke_token(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = admin(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  auto tokens = context.auth.tokens();
  if (!tokens) return storage_failure(tokens.error(), request);
  const auto token = std::find_if(tokens->begin(), tokens->end(),
                                  [&](const storage::TokenInfo& each) { return each.id == id; });
  const Problem none =
      not_found({"没有这个令牌，或已撤销", "no such token, or revoked already"}, "no_such_token");
  if (token == tokens->end() || token->revoked_at) return problem(request, none);
  auto revoked = context.auth.revoke_token(id);
  if (!revoked) return storage_failure(revoked.error(), request);
  if (!*revoked) return problem(request, none);
  audit(context, request, caller->user.id, "token_revoked", id,
        {{"user", token->user_id}, {"name", token->name}});
  return no_content();
}

}  // namespace investflow::web::api
