#pragma once
// Errors as RFC 9457 problem details (application/problem+json):
//   {"type", "title", "status", "detail", "code", "errors": [{"field", "message"}]}
// `code` is the stable, machine-readable name a client switches on (snake_case); `type` is
// derived from it ("urn:investflow:problem:<code>"); `title` is the same for every
// occurrence of a code, `detail` explains this one. A client mistake is always a 4xx.

#include <string>
#include <vector>

#include "web/response.hpp"

namespace investflow::web {

struct FieldError {
  std::string field;  // a field of the workflow, or "" for the body as a whole
  std::string message;
};

struct Problem {
  int status = 500;
  std::string code;
  std::string title;
  std::string detail;
  std::vector<FieldError> errors;  // always serialized, empty when there is nothing per field
  std::string request_id;          // serialized when set (500s carry it)

  std::string type() const;
};

std::string to_json(const Problem& problem);
// The problem as a response with Content-Type application/problem+json.
Response to_response(const Problem& problem);

// The shapes docs/api.md lists; `code` may be made more specific by the caller.
Problem bad_request(std::string detail, std::vector<FieldError> errors = {},
                    std::string code = "bad_request");
Problem unauthorized(std::string detail, std::string code = "unauthorized");
Problem forbidden(std::string detail, std::string code = "forbidden");
Problem not_found(std::string detail, std::string code = "not_found");
Problem method_not_allowed(std::string detail);
Problem conflict(std::string detail, std::string code = "conflict");
Problem precondition_failed(std::string detail, std::string code = "precondition_failed");
Problem payload_too_large(std::string detail);
Problem unsupported_media_type(std::string detail);
Problem unprocessable(std::string detail, std::vector<FieldError> errors,
                      std::string code = "rule_violation");
Problem too_many_requests(std::string detail);
Problem internal_error(std::string request_id);
Problem service_unavailable(std::string detail);

}  // namespace investflow::web
