// libFuzzer target: any bytes as one raw HTTP/1.1 request, the way a session reads it —
// Beast's request parser with the server's header and body limits, the request-target
// parser, then web::dispatch over the real API routes, the built-in /healthz and /metrics,
// and static files, on an SQLite store in tmpfs (tests/fuzz/api_world.hpp).
//
// Invariants: no crash, leak, hang or dropped reply; a target the server accepts is a valid
// path with no traversal segment; every answer is well formed (see check_response) and,
// framed the way the session frames it, parses back as one HTTP response with no field
// added or split by client text.
//
// "@TOKEN@" in the input becomes the real bearer token. Seeds: tests/fuzz/corpus/http_router/.
//
//   build/fuzz/tests/fuzz/http_router_fuzz tests/fuzz/corpus/http_router

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "tests/fuzz/api_world.hpp"
#include "web/request_target.hpp"
#include "web/security_headers.hpp"

namespace {

namespace http = boost::beast::http;
using investflow::fuzz::fail;

// The server's default limits (docs/api.md), as ServerOptions has them.
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kBodyLimit = 1024 * 1024;

// Feeds the bytes to the parser as a socket would deliver them; true when a whole request
// was read.
bool parse_request(std::string_view bytes, http::request_parser<http::string_body>& parser) {
  parser.header_limit(kHeaderLimit);
  parser.body_limit(kBodyLimit);
  parser.eager(true);
  boost::beast::error_code error;
  while (!bytes.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
    if (error == http::error::need_more) break;
    if (error) return false;
    if (used == 0) break;
    bytes.remove_prefix(used);
  }
  if (!parser.is_done()) {
    parser.put_eof(error);
    if (error) return false;
  }
  return parser.is_done();
}

void check_path(std::string_view path) {
  if (path.empty() || path.front() != '/') fail("an accepted path that does not start with /");
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
    fail("an accepted path with a backslash or NUL");
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") fail("an accepted path with a dot segment");
    start = end + 1;
  }
}

// Frames the response as HttpSession::do_write does (fields with CR, LF or NUL dropped,
// framing fields the session's own) and reads it back.
void check_wire(investflow::web::Response response) {
  investflow::web::add_security_headers(response);
  http::response<http::string_body> message;
  message.version(11);
  message.result(static_cast<unsigned>(response.status));
  std::size_t fields = 0;
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || name.find_first_of(std::string_view("\r\n\0:", 4)) != std::string::npos ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      continue;
    }
    if (investflow::web::equals_ignoring_case(name, "Content-Length") ||
        investflow::web::equals_ignoring_case(name, "Transfer-Encoding") ||
        investflow::web::equals_ignoring_case(name, "Connection")) {
      continue;
    }
    message.insert(name, value);
    ++fields;
  }
  const bool has_body = response.status >= 200 && response.status != 204 && response.status != 304;
  if (has_body) {
    message.body() = response.body;
    message.prepare_payload();
  }
  std::ostringstream wire;
  wire << message;

  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.eager(true);
  boost::beast::error_code error;
  const std::string bytes = wire.str();
  parser.put(boost::asio::buffer(bytes), error);
  if (error || !parser.is_done()) fail("a response that does not parse back");
  const auto& read = parser.get();
  if (read.result_int() != static_cast<unsigned>(response.status)) fail("the status changed");
  std::size_t read_fields = 0;
  for (const auto& field : read) {
    read_fields += !investflow::web::equals_ignoring_case(field.name_string(), "Content-Length");
  }
  if (read_fields != fields) fail("client text added or split a response field");
  if (has_body && read.body() != response.body) fail("the body changed on the wire");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& api = investflow::fuzz::world();
  const std::string bytes = api.with_token(std::string(reinterpret_cast<const char*>(data), size));
  http::request_parser<http::string_body> parser;
  if (!parse_request(bytes, parser)) return 0;  // the session answers 400/413 and closes

  auto& message = parser.get();
  investflow::web::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  auto target = investflow::web::parse_request_target(request.target);
  if (!target) return 0;  // 400 invalid_target
  check_path(target->path);
  request.path = std::move(target->path);
  request.query = std::move(target->query);

  investflow::web::Response response = api.call(std::move(request));
  investflow::fuzz::check_response(response);
  if (!response.stream) check_wire(std::move(response));
  return 0;
}
