#pragma once
// Errors as RFC 9457 problem details (application/problem+json):
//   {"type", "title", "status", "detail", "code", "errors": [{"field", "message"}]}
// `code` is the stable, machine-readable name a client switches on (snake_case); `type` is
// derived from it ("urn:investflow:problem:<code>"); `title` is the same for every
// occurrence of a code, `detail` explains this one. A client mistake is always a 4xx.
//
// `detail` and every `errors[].message` are written in both languages the console speaks
// (engine::LocalizedText, as the engine's reasons are) and answered in the request's
// language(): zh-CN unless Accept-Language asks for English. Write both where the error is:
//   return problem(request, not_found({"没有项目“" + id + "”", "no project '" + id + "'"},
//                                     "no_such_project"));
//   bad_request({"limit 取值为 1 到 500", "limit takes 1 to 500"},
//               {FieldError{"limit", {"应为 1 到 500", "expected 1 to 500"}}});
// A plain string does not convert: an untranslated detail is a compile error.

#include <string>
#include <string_view>
#include <vector>

#include "engine/workflow.hpp"
#include "storage/storage_fault.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace spdlog {
class logger;
}

namespace investflow::web {

using engine::LocalizedText;

// The language answers are written in: "en" when Accept-Language starts with en, otherwise
// "zh-CN" (also kDefaultLanguage, for answers given before a request is read).
inline constexpr std::string_view kDefaultLanguage = "zh-CN";
std::string_view language(const Request& request);
std::string_view language(std::string_view accept_language);

struct FieldError {
  std::string field;  // a field of the workflow, or "" for the body as a whole
  LocalizedText message;
};

struct Problem {
  int status = 500;
  std::string code;
  std::string title;  // English, one per code
  LocalizedText detail;
  std::vector<FieldError> errors;  // always serialized, empty when there is nothing per field
  std::string request_id;          // serialized when set (500s carry it)

  std::string type() const;
};

// The problem with `detail` and the messages in `lang` ("zh-CN" or "en").
std::string to_json(const Problem& problem, std::string_view lang);
// The problem as a response with Content-Type application/problem+json.
Response to_response(const Problem& problem, std::string_view lang);

// The errors' messages joined, for a `detail` that lists them all.
LocalizedText joined_messages(const std::vector<FieldError>& errors);

// The shapes docs/api.md lists; `code` may be made more specific by the caller.
Problem bad_request(LocalizedText detail, std::vector<FieldError> errors = {},
                    std::string code = "bad_request");
Problem unauthorized(LocalizedText detail, std::string code = "unauthorized");
Problem forbidden(LocalizedText detail, std::string code = "forbidden");
Problem not_found(LocalizedText detail, std::string code = "not_found");
Problem method_not_allowed(LocalizedText detail);
Problem conflict(LocalizedText detail, std::string code = "conflict");
Problem precondition_failed(LocalizedText detail, std::string code = "precondition_failed");
Problem payload_too_large(LocalizedText detail);
Problem unsupported_media_type(LocalizedText detail);
Problem unprocessable(LocalizedText detail, std::vector<FieldError> errors,
                      std::string code = "rule_violation");
Problem too_many_requests(LocalizedText detail, std::string code = "too_many_requests");
Problem internal_error(std::string request_id);
Problem service_unavailable(LocalizedText detail, std::string code = "service_unavailable");
Problem insufficient_storage(LocalizedText detail);  // 507, code storage_full
// A storage failure as the client sees it, with the request id (the log line's):
//   full       507 storage_full        存储空间不足: nothing was saved
//   read_only  503 storage_read_only   the database cannot be written
//   busy       503 storage_busy        another process holds the database's lock
//   io         500 storage_io_error    the disk failed a read or write
//   corrupt    500 storage_corrupt     the database's pages are damaged
//   other      500 internal_error
Problem storage_problem(storage::Fault fault, std::string request_id);
// storage_problem, after logging the failure to `log` ("request_id=… storage failure (full):
// database or disk is full (SQLite code 13, SQLITE_FULL)") and noting it for /readyz
// (storage::note_write_failed). Every storage failure a client is answered goes through here.
Problem reported_storage_problem(spdlog::logger& log, storage::Fault fault, std::string_view what,
                                 std::string request_id);
// 404 for a path no route or file answers.
Problem no_such_resource(const std::string& path);

}  // namespace investflow::web
