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

// The whole 503 response, written without a session: the server is at its cap.
std::string refusal_bytes() {
  auto response = to_response(
      service_unavailable({"服务器当前连接过多，请稍后再试",
                           "The server has too many open connections; try again shortly."}),
      kDefaultLanguage);
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
      refusal_(refusal_bytes()) {
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
    // Over TLS the canned 503 would be bytes outside any TLS record: close instead.
    std::make_shared<ClosingConnection>(std::move(socket),
                                        state_->over_tls() ? std::string() : refusal_,
                                        state_->options.linger_timeout)
        ->run();
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), state_);
    state_->sessions.add(session);
    session->run();
  }
  do_accept();
}

void Listener::on_backoff(beast::error_code error) {
  if (error == net::error::operation_aborted) return;
  do_accept();
}

}  // namespace investflow::web
