#pragma once
// One HTTP(S) POST with a deadline: the webhook client. Blocking, for a delivery lane's
// own thread (dispatcher.hpp); each call has its own io_context, so one hung receiver
// holds up nothing but its own lane. HTTPS verifies the peer against the system's CA
// store and the host name (SNI set).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace investflow::notify {

struct PostRequest {
  std::string url;  // http://host[:port]/path?query or https://...
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};  // connect + TLS + write + read, in total
};

struct PostOutcome {
  int status = 0;     // HTTP status; 0 when no response came
  std::string body;   // the response body (first 64 KiB)
  std::string error;  // transport error (timeout, refused, TLS); empty when a response came
};

struct ParsedUrl {
  bool https = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, at least "/"
};
// Nullopt for anything but http:// and https:// URLs with a host.
std::optional<ParsedUrl> parse_url(std::string_view url);

PostOutcome http_post(const PostRequest& request);

}  // namespace investflow::notify
