#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>

namespace investflow::web::testing {

namespace {
std::atomic<ResponseCheck> response_check{nullptr};
}  // namespace

void set_response_check(ResponseCheck check) {
  response_check = check;
}

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}

  // Runs one asynchronous operation to completion or until the timeout; true on success.
  template <typename Start>
  bool run(Start start, std::chrono::milliseconds limit, beast::error_code* error = nullptr) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code e, std::size_t) {
      done = true;
      result = e;
    });
    io_context.restart();
    io_context.run_for(limit);
    if (!done) {
      beast::error_code ignored;
      socket.cancel(ignored);
      io_context.restart();
      io_context.run();
      result = net::error::timed_out;
    }
    if (error != nullptr) *error = result;
    return !result;
  }

  std::chrono::milliseconds timeout;
  net::io_context io_context{1};
  tcp::socket socket{io_context};
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(std::chrono::milliseconds timeout) : impl_(std::make_unique<Impl>(timeout)) {
}

HttpClient::~HttpClient() = default;

bool HttpClient::connect(std::uint16_t port, std::string_view from) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  if (!from.empty()) {
    beast::error_code error;
    impl_->socket.open(tcp::v4(), error);
    if (!error) impl_->socket.bind(tcp::endpoint(net::ip::make_address(from), 0), error);
    if (error) return false;
  }
  bool done = false;
  beast::error_code result;
  impl_->socket.async_connect(endpoint, [&](beast::error_code e) {
    done = true;
    result = e;
  });
  impl_->io_context.restart();
  impl_->io_context.run_for(impl_->timeout);
  return done && !result;
}

bool HttpClient::send_raw(std::string_view bytes) {
  return impl_->run(
      [&](auto handler) { net::async_write(impl_->socket, net::buffer(bytes), handler); },
      impl_->timeout);
}

std::optional<ClientResponse> HttpClient::read_response(bool head_request) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head_request);
  const bool ok = impl_->run(
      [&](auto handler) { http::async_read(impl_->socket, impl_->buffer, parser, handler); },
      impl_->timeout);
  if (!ok) return std::nullopt;
  auto message = parser.release();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  response.keep_alive = message.keep_alive();
  return response;
}

std::optional<ClientResponse> HttpClient::request(
    std::string_view method, std::string_view target, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    message.insert(name, value);
  }
  message.body() = std::move(body);
  if (!message.body().empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    message.prepare_payload();
  }
  const bool sent = impl_->run(
      [&](auto handler) { http::async_write(impl_->socket, message, handler); }, impl_->timeout);
  if (!sent) return std::nullopt;
  auto response = read_response(method == "HEAD");
  if (const ResponseCheck check = response_check; check != nullptr && response) {
    check(method, target, *response);
  }
  return response;
}

bool HttpClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Bytes already buffered from earlier reads do not count.
  impl_->buffer.consume(impl_->buffer.size());
  std::array<char, 4096> scratch{};
  while (std::chrono::steady_clock::now() < deadline) {
    beast::error_code error;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    impl_->run([&](auto handler) { impl_->socket.async_read_some(net::buffer(scratch), handler); },
               left, &error);
    if (error == net::error::timed_out) return false;
    if (error) return true;  // end of stream, reset
  }
  return false;
}

std::optional<ClientResponse> fetch(
    std::uint16_t port, std::string_view method, std::string_view target, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpClient client;
  if (!client.connect(port)) return std::nullopt;
  return client.request(method, target, std::move(body), headers);
}

}  // namespace investflow::web::testing
