#pragma once
// A small blocking HTTP/1.1 client for the web tests, on Beast. Every operation has a
// timeout, so a broken server fails a test instead of hanging it. Raw bytes can be sent to
// play malformed, slow or pipelining clients.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/headers.hpp"

namespace investflow::web::testing {

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  bool keep_alive = false;

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

class HttpClient {
 public:
  explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // To 127.0.0.1:port; from `from` (another loopback address, such as 127.0.0.2, to play a
  // second client) when given.
  bool connect(std::uint16_t port, std::string_view from = {});
  // Sends a request (Host, Content-Length added) and reads the response; nullopt on an I/O
  // error or timeout.
  std::optional<ClientResponse> request(
      std::string_view method, std::string_view target, std::string body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});

  bool send_raw(std::string_view bytes);
  std::optional<ClientResponse> read_response(bool head_request = false);
  // True when the server closes the connection (end of stream or reset) within the timeout;
  // anything it sends first is discarded.
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A check of every response request() reads, given the request's method and target; the
// API tests install the OpenAPI contract's (contract.hpp). nullptr: none.
using ResponseCheck = void (*)(std::string_view method, std::string_view target,
                               const ClientResponse& response);
void set_response_check(ResponseCheck check);

// Connects, sends one request and returns the response.
std::optional<ClientResponse> fetch(
    std::uint16_t port, std::string_view method, std::string_view target, std::string body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace investflow::web::testing
