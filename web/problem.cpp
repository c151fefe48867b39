#include "web/problem.hpp"

#include <spdlog/spdlog.h>

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

Problem insufficient_storage(LocalizedText detail) {
  return make(507, "storage_full", "Insufficient storage", std::move(detail));
}

Problem storage_problem(storage::Fault fault, std::string request_id) {
  Problem problem;
  switch (fault) {
    case storage::Fault::full:
      problem = insufficient_storage(
          {"存储空间不足：服务器磁盘已满，本次修改未保存。请联系管理员释放空间后重试。",
           "Insufficient storage: the server's disk is full and nothing was saved; ask the "
           "administrator to free space, then try again."});
      break;
    case storage::Fault::read_only:
      problem = service_unavailable({"数据库当前只读，本次修改未保存。请联系管理员。",
                                     "The database cannot be written (read-only); nothing was "
                                     "saved. Tell the administrator."},
                                    "storage_read_only");
      break;
    case storage::Fault::busy:
      problem = service_unavailable({"数据库被其他进程锁定，本次操作未完成，请稍后重试。",
                                     "The database is locked by another process; nothing was "
                                     "done. Try again shortly."},
                                    "storage_busy");
      break;
    case storage::Fault::unavailable:
      problem = service_unavailable({"数据库服务器暂时无法连接，本次操作未完成，请稍后重试。",
                                     "The database server cannot be reached; nothing was done. "
                                     "Try again shortly."},
                                    "storage_unavailable");
      break;
    case storage::Fault::io:
      problem = make(500, "storage_io_error", "Internal server error",
                     {"存储读写出错，本次操作未完成；报告问题时请提供请求编号。",
                      "The disk failed to read or write; nothing was done. Quote the request id "
                      "when reporting it."});
      break;
    case storage::Fault::corrupt:
      problem = make(500, "storage_corrupt", "Internal server error",
                     {"数据库文件损坏，本次操作未完成；请联系管理员（investflow verify 可检查）"
                      "并提供请求编号。",
                      "The database file is damaged; nothing was done. Tell the administrator "
                      "(investflow verify checks it) and quote the request id."});
      break;
    case storage::Fault::other:
      return internal_error(std::move(request_id));
  }
  problem.request_id = std::move(request_id);
  return problem;
}

Problem reported_storage_problem(spdlog::logger& log, storage::Fault fault, std::string_view what,
                                 std::string request_id) {
  log.error("request_id={} storage failure ({}): {}", request_id, storage::fault_name(fault), what);
  storage::note_write_failed(fault);
  return storage_problem(fault, std::move(request_id));
}

Problem no_such_resource(const std::string& path) {
  return not_found({"没有这个资源：" + path, "No such resource: " + path});
}

}  // namespace investflow::web
