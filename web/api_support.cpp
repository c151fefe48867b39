#include "web/api_support.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <charconv>

#include "storage/audit.hpp"
#include "storage/codec.hpp"
#include "storage/wire_json.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// One JSON value as the field's type; nullopt when the JSON kind cannot be that type.
std::optional<engine::Value> typed_value(const engine::FieldDef& field, const json::value& raw) {
  using engine::FieldType;
  using engine::Value;
  if (raw.is_null()) return Value();
  switch (field.type) {
    case FieldType::number:
    case FieldType::money:
    case FieldType::area:
      if (!raw.is_number()) return std::nullopt;
      return Value::number(raw.to_number<double>());
    case FieldType::boolean:
      if (!raw.is_bool()) return std::nullopt;
      return Value::boolean(raw.get_bool());
    case FieldType::date: {
      // "YYYY-MM-DD" (what responses carry), or the tagged {"date": "YYYY-MM-DD"} that
      // responses carried before the wire form (wire_json.hpp): old clients still send it.
      const json::value* text = &raw;
      if (const auto* tagged = raw.if_object(); tagged && tagged->size() == 1) {
        if (const json::value* inner = tagged->if_contains("date")) text = inner;
      }
      if (!text->is_string()) return std::nullopt;
      const auto date = engine::Date::parse(text->get_string());
      if (!date) return std::nullopt;
      return Value::date(*date);
    }
    case FieldType::text:
    case FieldType::user:
    case FieldType::enumeration:
      if (!raw.is_string()) return std::nullopt;
      return Value::text(std::string(raw.get_string()));
    case FieldType::list: {
      if (!raw.is_array()) return std::nullopt;
      Value::List items;
      for (const auto& item : raw.get_array()) {
        if (!item.is_string()) return std::nullopt;
        items.push_back(Value::text(std::string(item.get_string())));
      }
      return Value::list(std::move(items));
    }
  }
  return std::nullopt;
}

LocalizedText expected_type(engine::FieldType type) {
  switch (type) {
    case engine::FieldType::number:
    case engine::FieldType::money:
    case engine::FieldType::area:
      return {"数字", "a number"};
    case engine::FieldType::boolean:
      return {"true 或 false", "true or false"};
    case engine::FieldType::date:
      return {"日期（YYYY-MM-DD）", "a date \"YYYY-MM-DD\""};
    case engine::FieldType::list:
      return {"字符串数组", "an array of strings"};
    default:
      return {"字符串", "a string"};
  }
}

int rejection_status(const engine::Rejection& rejection) {
  if (rejection.has(engine::reason::kNoSuchProject)) return 404;
  if (rejection.has(engine::reason::kStaleVersion)) return 409;
  if (rejection.has(storage::reason::kIdempotencyKeyReused)) return 422;
  const bool only_role = !rejection.reasons.empty() &&
                         std::all_of(rejection.reasons.begin(), rejection.reasons.end(),
                                     [](const engine::Reason& reason) {
                                       return reason.code == engine::reason::kRoleNotAllowed ||
                                              reason.code == engine::reason::kNotAVoter;
                                     });
  return only_role ? 403 : 422;
}

}  // namespace

Problem type_error(std::string_view field, const LocalizedText& expected) {
  const std::string name(field);
  return bad_request({name + " 应为" + expected.zh, name + " must be " + expected.en},
                     {FieldError{name, {"应为" + expected.zh, "expected " + expected.en}}},
                     "invalid_type");
}

bool is_unsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// host[:port] without the scheme's default port.
std::string without_default_port(std::string authority, std::string_view scheme) {
  const std::string_view port = scheme == "https" ? ":443" : ":80";
  if (authority.ends_with(port)) authority.resize(authority.size() - port.size());
  return authority;
}

}  // namespace

bool is_cross_origin(const Request& request) {
  if (const auto site = request.header("Sec-Fetch-Site")) {
    const std::string value = lower(trim_ows(*site));
    if (value == "cross-site" || value == "same-site") return true;
  }
  const auto origin = request.header("Origin");
  if (!origin) return false;
  const std::string text = lower(trim_ows(*origin));
  const auto separator = text.find("://");
  if (separator == std::string::npos) return true;  // "null", or not an origin at all
  const std::string scheme = text.substr(0, separator);
  if (scheme != "http" && scheme != "https") return true;
  const std::string authority = text.substr(separator + 3);
  if (authority.empty() || authority.find('/') != std::string::npos) return true;
  const auto host = request.header("Host");
  if (!host) return true;
  return without_default_port(authority, scheme) !=
         without_default_port(lower(trim_ows(*host)), scheme);
}

Problem cross_origin_refused() {
  return forbidden({"拒绝来自其他网站页面的请求，请在本系统的页面中操作",
                    "refused: the request came from another site's page (Origin)"},
                   "cross_origin");
}

std::optional<std::string> cookie(const Request& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (!equals_ignoring_case(header, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      const std::string_view pair = trim_ows(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const std::size_t equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return std::string(pair.substr(equals + 1));
      }
    }
  }
  return std::nullopt;
}

Parsed<Caller> authenticate(ApiContext& context, const Request& request) {
  if (const auto authorization = request.header("Authorization")) {
    const auto secret = bearer_secret(*authorization);
    if (!secret)
      return engine::fail(unauthorized(
          {"Authorization 请求头应为“Bearer <令牌>”", "Authorization must be 'Bearer <token>'"}));
    auto user = context.auth.token_user(*secret);
    if (!user) return engine::fail(internal_error(request.request_id));
    if (!*user)
      return engine::fail(
          unauthorized({"令牌无效或已被吊销", "unknown or revoked token"}, "invalid_token"));
    Caller caller{**user, engine::Actor{(*user)->id, (*user)->roles}, "",
                  scope_of(context, **user)};
    if (request.user) *request.user = caller.user.id;  // for the access log
    return caller;
  }
  const auto session_id = cookie(request, kSessionCookie);
  if (!session_id)
    return engine::fail(unauthorized({"请先登录", "log in first (POST /api/login)"}));
  auto session = context.auth.session(*session_id);
  if (!session) return engine::fail(internal_error(request.request_id));
  if (!*session) {
    return engine::fail(unauthorized(
        {"登录已过期，请重新登录", "the session has expired; log in again"}, "session_expired"));
  }
  // The cookie rides along on cross-site requests too; only our own pages know the token,
  // and browsers say which page a request came from.
  if (is_unsafe(request.method) && is_cross_origin(request)) {
    return engine::fail(cross_origin_refused());
  }
  if (is_unsafe(request.method)) {
    const auto sent = request.header("X-CSRF-Token");
    if (!sent || *sent != (*session)->csrf_token) {
      return engine::fail(
          forbidden({"页面的安全令牌已失效，请刷新页面后重试", "missing or wrong X-CSRF-Token"},
                    "csrf_token_invalid"));
    }
  }
  const storage::Session& found = **session;
  Caller caller{found.user, engine::Actor{found.user.id, found.user.roles}, found.csrf_token,
                scope_of(context, found.user)};
  if (request.user) *request.user = caller.user.id;  // for the access log
  return caller;
}

Parsed<Caller> report_reader(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return caller;
  const engine::Actor& actor = caller->actor;
  if (!actor.has_role("manager") && !actor.has_role("leader") && !actor.has_role("admin")) {
    return engine::fail(forbidden(
        {"报表仅供经理、领导和管理员查看", "reports are for managers, leaders and admins"},
        "role_not_allowed"));
  }
  // Reports add up every project: not for a caller whose data scope hides some.
  if (!caller->scope->unrestricted()) {
    return engine::fail(forbidden({"报表汇总全区项目，仅供可查看全部项目的人员查看",
                                   "reports add up every project: they are for those who may "
                                   "see every project"},
                                  "scope_not_whole"));
  }
  if (!context.reports)
    return engine::fail(service_unavailable({"此服务器未启用报表", "reports are not enabled"}));
  return caller;
}

std::shared_ptr<const engine::DataScope> scope_of(ApiContext& context, const storage::User& user) {
  return std::make_shared<const engine::DataScope>(engine::DataScope::of(
      engine::Viewer{user.id, user.roles, user.unit}, context.store.registered_workflows()));
}

std::optional<Response> refuse_unseen(ApiContext& context, const Caller& caller,
                                      std::string_view project_id, const Request& request) {
  if (caller.scope->unrestricted()) return std::nullopt;
  auto seen = context.store.visible(project_id, *caller.scope);
  if (!seen) return storage_failure(seen.error(), request);
  if (!*seen) return problem(request, no_such_project(project_id));
  return std::nullopt;
}

Parsed<json::object> parse_object(const Request& request) {
  boost::system::error_code error;
  json::value body = json::parse(request.body, error);
  if (error) {
    return engine::fail(bad_request({"请求体不是合法的 JSON：" + error.message(),
                                     "the body is not valid JSON: " + error.message()},
                                    {FieldError{"", {error.message(), error.message()}}},
                                    "malformed_json"));
  }
  if (!body.is_object()) {
    return engine::fail(bad_request({"请求体应为 JSON 对象", "the body must be a JSON object"},
                                    {FieldError{"", {"应为对象", "expected an object"}}},
                                    "malformed_json"));
  }
  return std::move(body.get_object());
}

Parsed<std::string> string_member(const json::object& body, std::string_view name, bool required) {
  const json::value* member = body.if_contains(name);
  if (member == nullptr || member->is_null()) {
    if (!required) return std::string();
    const std::string missing(name);
    return engine::fail(bad_request({"缺少 " + missing, missing + " is required"},
                                    {FieldError{missing, {"必填", "required"}}}, "missing_member"));
  }
  if (!member->is_string()) return engine::fail(type_error(name, {"字符串", "a string"}));
  return std::string(member->get_string());
}

Parsed<engine::FieldMap> field_values(const engine::Workflow& workflow, const json::value& fields,
                                      std::string_view where) {
  if (fields.is_null()) return engine::FieldMap{};
  if (!fields.is_object()) {
    return engine::fail(type_error(where, {"字段值组成的对象", "an object of field values"}));
  }
  engine::FieldMap::Entries values;
  values.reserve(fields.get_object().size());
  for (const auto& [name, raw] : fields.get_object()) {
    const engine::FieldDef* field = workflow.find_field(name);
    if (field == nullptr) {
      // Unknown: let the engine report it with the other reasons (422 unknown_field).
      auto value = storage::value_from_json(raw);
      values.emplace_back(std::string(name), value ? *value : engine::Value());
      continue;
    }
    auto value = typed_value(*field, raw);
    if (!value) return engine::fail(type_error(name, expected_type(field->type)));
    values.emplace_back(std::string(name), std::move(*value));
  }
  return engine::FieldMap::from_entries(std::move(values));
}

Parsed<std::optional<std::int64_t>> if_match(const Request& request) {
  const auto header = request.header("If-Match");
  if (!header) return std::optional<std::int64_t>();
  std::string_view text = trim_ows(*header);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  std::int64_t version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (error != std::errc() || end != text.data() + text.size() || version < 0) {
    return engine::fail(bad_request(
        {"If-Match 应为项目版本号，例如 \"3\"", "If-Match must be a project version such as \"3\""},
        {FieldError{"If-Match", {"应为 \"<版本号>\"", "expected \"<version>\""}}},
        "invalid_if_match"));
  }
  return std::optional<std::int64_t>(version);
}

Response problem(const Request& request, const Problem& problem) {
  return to_response(problem, language(request));
}

Problem no_such_project(std::string_view id) {
  const std::string name(id);
  return not_found({"没有项目“" + name + "”", "no project '" + name + "'"}, "no_such_project");
}

Problem no_such_workflow(std::string_view id) {
  const std::string name(id);
  return not_found({"没有流程“" + name + "”", "no workflow '" + name + "'"}, "no_such_workflow");
}

// Canonical text (codec.hpp): sorted keys, whole numbers without exponents, so the same
// answer is the same bytes (an idempotent repeat, an ETag-guarded read).
Response json_body(int status, const json::value& body) {
  return json_response(status, storage::canonical_json(body));
}

Response rejection(const engine::Rejection& rejection, std::string_view lang) {
  const int status = rejection_status(rejection);
  json::array errors;
  std::string detail;
  for (const auto& reason : rejection.reasons) {
    const std::string& message = reason.message.in(lang);
    errors.push_back(
        json::object{{"field", reason.field}, {"message", message}, {"code", reason.code}});
    if (!detail.empty()) detail += "; ";
    detail += message.empty() ? reason.code : message;
  }
  std::string code = status == 422 ? "rule_violation" : "rejected";
  if (status != 422 || rejection.reasons.size() == 1) {
    code = rejection.reasons.empty() ? code : rejection.reasons.front().code;
  }
  const std::string_view title = status == 404   ? "Not found"
                                 : status == 409 ? "Conflict"
                                 : status == 403 ? "Forbidden"
                                                 : "Rule violation";
  json::object body{{"type", "urn:investflow:problem:" + code},
                    {"title", title},
                    {"status", status},
                    {"detail", detail},
                    {"code", code},
                    {"errors", std::move(errors)},
                    {"current_version", rejection.current_version}};
  Response response = json_body(status, body);
  response.headers.set("Content-Type", std::string(kProblemJsonType));
  response.headers.set("Cache-Control", "no-store");  // as every problem (problem.cpp)
  if (rejection.current_version > 0) {
    response.headers.set("ETag", "\"" + std::to_string(rejection.current_version) + "\"");
  }
  return response;
}

Response version_mismatch(std::int64_t current_version, std::string_view lang) {
  const std::string current = std::to_string(current_version);
  Response response = to_response(
      precondition_failed({"项目已被他人修改（现为第 " + current + " 版），您的修改尚未保存",
                           "If-Match does not match the project's version " + current}),
      lang);
  response.headers.set("ETag", "\"" + current + "\"");
  return response;
}

Response storage_failure(const storage::Error& error, std::string_view lang,
                         const std::string& request_id) {
  if (error.kind == storage::Error::Kind::invalid_request) {
    return to_response(bad_request({"请求无效：" + error.message, error.message}), lang);
  }
  return to_response(
      reported_storage_problem(*spdlog::default_logger(), error.fault, error.message, request_id),
      lang);
}

Response storage_failure(const storage::Error& error, const Request& request) {
  return storage_failure(error, language(request), request.request_id);
}

Response write_result(const storage::WriteResult& result, int success_status, std::string_view lang,
                      const std::string& request_id) {
  if (result.rejected()) return rejection(result.rejection, lang);
  if (!result.accepted()) {
    return to_response(
        reported_storage_problem(*spdlog::default_logger(), result.fault, result.error, request_id),
        lang);
  }
  Response response = json_body(success_status, storage::write_result_to_wire(result));
  response.headers.set("ETag", "\"" + std::to_string(result.version) + "\"");
  if (success_status == 201 && !result.events.empty()) {
    response.headers.set("Location", "/api/projects/" + result.events.front().project_id);
  }
  return response;
}

json::object user_json(const storage::User& user) {
  json::array roles;
  for (const auto& role : user.roles)
    roles.emplace_back(role);
  return json::object{{"id", user.id},
                      {"display_name", user.display_name},
                      {"roles", std::move(roles)},
                      {"unit", user.unit}};
}

void submit(ApiContext& context, const Request& request, const Caller& caller,
            engine::Command command, std::string workflow, int success_status, Reply reply) {
  storage::WriteRequest write;
  write.command = std::move(command);
  write.actor = caller.actor;
  write.workflow = std::move(workflow);
  if (const auto key = request.header("Idempotency-Key")) write.idempotency_key = *key;
  // With If-Match the client asked for a precondition: a stale version is 412, not 409.
  const bool if_match_given = request.header("If-Match").has_value();
  context.store.submit(std::move(write),
                       [reply = std::move(reply), feed = context.feed,
                        lang = std::string(language(request)), request_id = request.request_id,
                        success_status, if_match_given](const storage::WriteResult& result) {
                         if (result.accepted() && !result.replayed) feed->wake();
                         if (if_match_given && result.rejected() &&
                             result.rejection.has(engine::reason::kStaleVersion)) {
                           reply(version_mismatch(result.rejection.current_version, lang));
                           return;
                         }
                         reply(write_result(result, success_status, lang, request_id));
                       });
}

void audit(ApiContext& context, const Request& request, std::string actor, std::string action,
           std::string target, const boost::json::object& detail) {
  if (!context.audit) return;
  context.audit->record(storage::AuditEntry{
      0, context.clock->now(), std::move(actor), std::move(action), std::move(target),
      request.remote_address, request.request_id, storage::canonical_json(detail)});
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id < 1) return std::nullopt;
  return id;
}

Parsed<int> limit_param(const Request& request, int fallback, int most) {
  const auto limit = request.query_param("limit");
  if (!limit) return fallback;
  const auto value = parse_id(*limit);
  if (!value || *value > most) {
    const std::string range = "1 to " + std::to_string(most);
    return engine::fail(bad_request({"limit 取值为 " + range, "limit takes " + range},
                                    {FieldError{"limit", {"应为 " + range, "expected " + range}}}));
  }
  return static_cast<int>(*value);
}

Parsed<std::int64_t> cursor_param(const Request& request) {
  const auto cursor = request.query_param("cursor");
  if (!cursor || cursor->empty()) return INT64_MAX;
  const auto value = parse_id(*cursor);
  if (!value) {
    return engine::fail(bad_request(
        {"cursor 应为前一页返回的 next_cursor", "cursor must be a next_cursor of an earlier page"},
        {FieldError{"cursor", {"无效的游标", "invalid cursor"}}}, "invalid_cursor"));
  }
  return *value;
}

}  // namespace investflow::web::api
