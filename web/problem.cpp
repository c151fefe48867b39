#include "web/problem.hpp"

#include <boost/json.hpp>

namespace investflow::web {
namespace {

Problem make(int status, std::string code, std::string title, LocalizedText detail,
             std::vector<FieldError> errors = {}) {
  return Problem{status, std::move(code), std::move(title), std::move(detail), std::move(errors),
                 {}};
}

}  // namespace

std::string_view language(std::string_view accept_language) {
  return accept_language.substr(0, 2) == "en" ? "en" : kDefaultLanguage;
}

std::string_view language(const Request& request) {
  return language(request.header("Accept-Language").value_or(""));
}

std::string Problem::type() const {
  return "urn:investflow:problem:" + code;
}

std::string to_json(const Problem& problem, std::string_view lang) {
  boost::json::array errors;
  for (const auto& error : problem.errors) {
    errors.push_back(
        boost::json::object{{"field", error.field}, {"message", error.message.in(lang)}});
  }
  boost::json::object body{{"type", problem.type()},   {"title", problem.title},
                           {"status", problem.status}, {"detail", problem.detail.in(lang)},
                           {"code", problem.code},     {"errors", std::move(errors)}};
  if (!problem.request_id.empty()) body["request_id"] = problem.request_id;
  return boost::json::serialize(body);
}

Response to_response(const Problem& problem, std::string_view lang) {
  auto response = text_response(problem.status, to_json(problem, lang), kProblemJsonType);
  // A problem describes this request only; caches must not replay it.
  response.headers.set("Cache-Control", "no-store");
  return response;
}

LocalizedText joined_messages(const std::vector<FieldError>& errors) {
  LocalizedText joined;
  for (const auto& error : errors) {
    joined.zh += (joined.zh.empty() ? "" : "；") + error.message.zh;
    joined.en += (joined.en.empty() ? "" : "; ") + error.message.en;
  }
  return joined;
}

Problem bad_request(LocalizedText detail, std::vector<FieldError> errors, std::string code) {
  return make(400, std::move(code), "Bad request", std::move(detail), std::move(errors));
}

Problem unauthorized(LocalizedText detail, std::string code) {
  return make(401, std::move(code), "Authentication required", std::move(detail));
}

Problem forbidden(LocalizedText detail, std::string code) {
  return make(403, std::move(code), "Forbidden", std::move(detail));
}

Problem not_found(LocalizedText detail, std::string code) {
  return make(404, std::move(code), "Not found", std::move(detail));
}

Problem method_not_allowed(LocalizedText detail) {
  return make(405, "method_not_allowed", "Method not allowed", std::move(detail));
}

Problem conflict(LocalizedText detail, std::string code) {
  return make(409, std::move(code), "Conflict", std::move(detail));
}

Problem precondition_failed(LocalizedText detail, std::string code) {
  return make(412, std::move(code), "Precondition failed", std::move(detail));
}

Problem payload_too_large(LocalizedText detail) {
  return make(413, "payload_too_large", "Payload too large", std::move(detail));
}

Problem unsupported_media_type(LocalizedText detail) {
  return make(415, "unsupported_media_type", "Unsupported media type", std::move(detail));
}

Problem unprocessable(LocalizedText detail, std::vector<FieldError> errors, std::string code) {
  return make(422, std::move(code), "Rule violation", std::move(detail), std::move(errors));
}

Problem too_many_requests(LocalizedText detail, std::string code) {
  return make(429, std::move(code), "Too many requests", std::move(detail));
}

Problem internal_error(std::string request_id) {
  auto problem = make(500, "internal_error", "Internal server error",
                      {"服务器未能完成请求；报告问题时请提供请求编号。",
                       "The server failed to answer; quote the request id when reporting it."});
  problem.request_id = std::move(request_id);
  return problem;
}

Problem service_unavailable(LocalizedText detail, std::string code) {
  return make(503, std::move(code), "Service unavailable", std::move(detail));
}

Problem no_such_resource(const std::string& path) {
  return not_found({"没有这个资源：" + path, "No such resource: " + path});
}

}  // namespace investflow::web
