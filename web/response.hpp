#pragma once
// What a handler returns: a status, header fields and a body. The server adds the framing
// (Content-Length, Connection, Date), X-Request-Id and the security headers.

#include <memory>
#include <string>
#include <string_view>

#include "web/headers.hpp"
#include "web/stream_sink.hpp"

namespace investflow::web {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Set for a streaming response (text/event-stream): the server sends the status and
  // headers without a length and with Connection: close, then hands `stream` a sink for the
  // body, which lasts until either side closes. `body` is ignored. HEAD gets the headers.
  StreamStart stream;
  // Held by the connection while the stream is open and let go when it closes (a place in
  // a per-user limit, user_streams.hpp); let go at once when no stream starts (HEAD, an
  // error, the server stopping).
  std::shared_ptr<void> stream_lease;
  // Set to send a file's content as the body (a download), read as it is written rather
  // than loaded into memory; `body` is ignored. A file that cannot be opened is a 500.
  std::string file;
};

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kProblemJsonType = "application/problem+json";
inline constexpr std::string_view kPlainTextType = "text/plain; charset=utf-8";

Response text_response(int status, std::string body,
                       std::string_view content_type = kPlainTextType);
// body must already be serialized JSON.
Response json_response(int status, std::string body);
Response empty_response(int status);

}  // namespace investflow::web
