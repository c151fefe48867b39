#pragma once
// Internal to web/: accepts connections and starts a session for each, or refuses one past
// the connection cap, or past its address's (ServerOptions::max_connections_per_address),
// with a canned 503. It keeps accepting after failures: when the process
// runs out of file descriptors (EMFILE), it logs, waits ServerOptions::accept_backoff, and
// tries again, so the server recovers as soon as connections close.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <memory>
#include <string>

namespace investflow::web {

struct ServerState;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // acceptor: open, bound and listening.
  Listener(boost::asio::io_context& io_context, boost::asio::ip::tcp::acceptor acceptor,
           std::shared_ptr<ServerState> state);

  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(boost::beast::error_code error, boost::asio::ip::tcp::socket socket);
  void on_backoff(boost::beast::error_code error);
  void refuse(boost::asio::ip::tcp::socket socket, const std::string& refusal);

  boost::asio::io_context& io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  std::shared_ptr<ServerState> state_;
  const std::string refusal_;          // the canned 503 at the cap, as bytes
  const std::string address_refusal_;  // and at an address's cap
};

}  // namespace investflow::web
