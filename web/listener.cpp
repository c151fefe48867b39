#include "web/listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <cerrno>

#include "web/closing_connection.hpp"
#include "web/http_session.hpp"
#include "web/problem.hpp"
#include "web/security_headers.hpp"
#include "web/server_state.hpp"

namespace investflow::web {

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

// A whole 503 response, written without a session: the server, or the client's address,
// is at its cap.
std::string refusal_bytes(const Problem& problem) {
  auto response = to_response(problem, kDefaultLanguage);
  add_security_headers(response);
  response.headers.set("Retry-After", "1");
  std::string bytes = "HTTP/1.1 503 Service Unavailable\r\n";
  for (const auto& [name, value] : response.headers) {
    bytes += name + ": " + value + "\r\n";
  }
  bytes += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  bytes += "Connection: close\r\n\r\n";
  bytes += response.body;
  return bytes;
}

// Failures that say the process or the system is out of something; accepting again at
// once would fail the same way, in a busy loop.
bool is_resource_exhaustion(beast::error_code error) {
  if (error.category() != boost::system::system_category()) return false;
  const int code = error.value();
  return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

}  // namespace

Listener::Listener(net::io_context& io_context, net::ip::tcp::acceptor acceptor,
                   std::shared_ptr<ServerState> state)
    : io_context_(io_context),
      acceptor_(std::move(acceptor)),
      backoff_(acceptor_.get_executor()),
      state_(std::move(state)),
      refusal_(refusal_bytes(
          service_unavailable({"服务器当前连接过多，请稍后再试",
                               "The server has too many open connections; try again shortly."}))),
      address_refusal_(refusal_bytes(service_unavailable(
          {"来自您所在地址的连接过多，请关闭不用的页面或连接后再试",
           "Too many open connections from your address; close some and try again shortly."},
          "too_many_connections"))) {
}

void Listener::run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(io_context_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code error, net::ip::tcp::socket socket) {
  if (error == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (error) {
    state_->metrics.accept_failed();
    if (is_resource_exhaustion(error)) {
      state_->log->warn("accept failed: {}; retrying in {} ms", error.message(),
                        state_->options.accept_backoff.count());
      backoff_.expires_after(state_->options.accept_backoff);
      backoff_.async_wait(beast::bind_front_handler(&Listener::on_backoff, shared_from_this()));
      return;
    }
    state_->log->debug("accept failed: {}", error.message());
    return do_accept();
  }
  if (state_->stopping) return;
  if (state_->sessions.size() >= state_->options.max_connections) {
    state_->metrics.connection_rejected();
    refuse(std::move(socket), refusal_);
    return do_accept();
  }
  // Counted per peer address; a trusted proxy speaks for many clients and is not.
  beast::error_code ignored;
  const auto peer = socket.remote_endpoint(ignored);
  AddressSlots::Slot slot;
  if (!ignored) {
    const std::string address = peer.address().to_string();
    if (!state_->options.trusted_proxies.contains(address)) {
      slot = state_->address_slots.acquire(address);
      if (!slot) {
        state_->metrics.address_connection_rejected();
        refuse(std::move(socket), address_refusal_);
        return do_accept();
      }
    }
  }
  auto session = std::make_shared<HttpSession>(std::move(socket), state_, std::move(slot));
  state_->sessions.add(session);
  session->run();
  do_accept();
}

void Listener::refuse(net::ip::tcp::socket socket, const std::string& refusal) {
  // Over TLS the canned 503 would be bytes outside any TLS record: close instead.
  std::make_shared<ClosingConnection>(std::move(socket),
                                      state_->over_tls() ? std::string() : refusal,
                                      state_->options.linger_timeout)
      ->run();
}

void Listener::on_backoff(beast::error_code error) {
  if (error == net::error::operation_aborted) return;
  do_accept();
}

}  // namespace investflow::web
