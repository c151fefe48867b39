#pragma once
// What a handler sees of an HTTP request: plain strings, no socket, no Beast.

#include <optional>
#include <string>
#include <string_view>

#include "web/headers.hpp"
#include "web/request_target.hpp"

namespace investflow::web {

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // raw request-target, e.g. "/api/projects?stage=lead"
  std::string path;    // decoded and validated (see request_target.hpp)
  QueryParams query;   // decoded
  Headers headers;
  std::string body;  // at most ServerOptions::body_limit bytes
  // Taken from a well-formed X-Request-Id sent by the client (a proxy), else generated;
  // echoed in the X-Request-Id response header and in the access log.
  std::string request_id;
  std::string remote_address;  // peer IP address

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  // The first value of a query parameter.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

}  // namespace investflow::web
