#pragma once
// Internal to web/: the byte stream of one connection, plain TCP or TLS over it
// (ServerOptions::tls_certificate). Either way it is a Beast AsyncStream, so the session's
// reads and writes are the same code; the timeouts are the TCP stream's (tcp()).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <utility>

namespace investflow::web {

class SessionStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  // `tls` null: plain TCP. The context is held for the connection's life, so a
  // certificate reloaded meanwhile (Server::reload_tls) serves the next connections.
  SessionStream(boost::asio::ip::tcp::socket&& socket,
                std::shared_ptr<boost::asio::ssl::context> tls)
      : context_(std::move(tls)) {
    if (context_) {
      tls_.emplace(std::move(socket), *context_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  bool is_tls() const { return tls_.has_value(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  executor_type get_executor() { return tcp().get_executor(); }

  // The server's side of the TLS handshake; completes at once on plain TCP.
  template <class Handler>
  void async_handshake(Handler&& handler) {
    if (tls_) {
      tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
      return;
    }
    boost::asio::post(get_executor(), [handler = std::forward<Handler>(handler)]() mutable {
      handler(boost::system::error_code());
    });
  }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
      return;
    }
    plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
      return;
    }
    plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

}  // namespace investflow::web
