// POST /api/login, POST /api/logout, GET /api/me.
#include <boost/json.hpp>

#include "storage/wire_json.hpp"
#include "web/api_handlers.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;

// Secure when the server is told so (a proxy it cannot see says nothing), or when this
// request came over HTTPS: the server's own TLS, or a trusted proxy's X-Forwarded-Proto.
std::string session_cookie(const ApiContext& context, const Request& request,
                           const std::string& value, std::int64_t max_age_seconds) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + value +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (context.secure_cookies || request.https) cookie += "; Secure";
  return cookie;
}

}  // namespace

Response login(ApiContext& context, const Request& request) {
  // Login CSRF: another site's page must not log a browser in as someone else. A form can
  // post only text/plain or form data without asking first, so only JSON is taken, and a
  // browser's Origin must be ours.
  if (is_cross_origin(request)) return problem(request, cross_origin_refused());
  const auto type = request.header("Content-Type");
  if (!type ||
      !equals_ignoring_case(trim_ows(type->substr(0, type->find(';'))), "application/json")) {
    return problem(request, unsupported_media_type(
                                {"登录请求应为 JSON（Content-Type: application/json）",
                                 "log in with a JSON body (Content-Type: application/json)"}));
  }
  auto body = parse_object(request);
  if (!body) return problem(request, body.error());
  auto username = string_member(*body, "username", true);
  if (!username) return problem(request, username.error());
  auto password = string_member(*body, "password", true);
  if (!password) return problem(request, password.error());

  const engine::Timestamp now = context.clock->now();
  if (auto wait = context.login_limiter.retry_after(*username, request.remote_address, now)) {
    Response response = problem(
        request,
        too_many_requests({"登录失败次数过多，请稍后再试", "too many failed logins; retry later"}));
    response.headers.set("Retry-After", std::to_string(*wait));
    audit(context, request, "", "login_failed", *username, {{"reason", "throttled"}});
    return response;
  }
  auto user = context.auth.check_password(*username, *password);
  if (!user) return problem(request, internal_error(request.request_id));
  if (!*user) {
    context.login_limiter.record_failure(*username, request.remote_address, now);
    audit(context, request, "", "login_failed", *username, {{"reason", "invalid_credentials"}});
    return problem(request, unauthorized({"用户名或密码错误", "wrong user name or password"},
                                         "invalid_credentials"));
  }
  context.login_limiter.record_success(*username);
  auto started = context.auth.start_session((*user)->id);
  if (!started) return storage_failure(started.error(), request);
  Response response = json_body(
      200, json::object{{"csrf_token", started->session.csrf_token},
                        {"user", user_json(started->session.user)},
                        {"expires_at", storage::wire_timestamp(started->session.expires_at)}});
  const std::int64_t max_age = (started->session.expires_at - now) / 1000;
  response.headers.add("Set-Cookie", session_cookie(context, request, started->id, max_age));
  response.headers.set("Cache-Control", "no-store");
  audit(context, request, (*user)->id, "login", (*user)->id);
  return response;
}

Response logout(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  if (const auto session_id = cookie(request, kSessionCookie)) {
    auto ended = context.auth.end_session(*session_id);
    if (!ended) return storage_failure(ended.error(), request);
  }
  audit(context, request, caller->user.id, "logout", caller->user.id);
  Response response = empty_response(204);
  response.headers.add("Set-Cookie", session_cookie(context, request, "", 0));
  return response;
}

Response me(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  json::object body = user_json(caller->user);
  if (!caller->csrf_token.empty()) body["csrf_token"] = caller->csrf_token;
  return json_body(200, body);
}

}  // namespace investflow::web::api

namespace investflow::web::api {

// Every signed-in user may name colleagues (@mentions, issue 22): the enabled users' ids and
// display names only (roles and the disabled stay with GET /api/users, for admins).
Response user_directory(ApiContext& context, const Request& request) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  auto users = context.auth.users();
  if (!users) return storage_failure(users.error(), request);
  boost::json::array list;
  for (const auto& user : *users) {
    if (user.disabled) continue;
    list.push_back(boost::json::object{{"id", user.id}, {"display_name", user.display_name}});
  }
  return json_body(200, boost::json::object{{"users", std::move(list)}});
}

}  // namespace investflow::web::api
