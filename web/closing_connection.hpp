#pragma once
// Internal to web/: the end of a connection we are refusing or cutting short. It writes an
// optional farewell (the canned 503 at the connection cap), shuts down its sending side,
// then reads and discards whatever the client still sends until it closes or the linger
// time runs out. Closing with unread data would make the kernel send a reset, and the
// client could lose the response it was about to read (RFC 9112 section 9.6).

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <string>

#include "web/address_slots.hpp"

namespace investflow::web {

class ClosingConnection : public std::enable_shared_from_this<ClosingConnection> {
 public:
  // slot: the connection's place in its address's count, held until the socket closes.
  ClosingConnection(boost::asio::ip::tcp::socket socket, std::string farewell,
                    std::chrono::milliseconds linger, AddressSlots::Slot slot = {});
  void run();

 private:
  void on_write(boost::beast::error_code error, std::size_t bytes);
  void do_drain();
  void on_drain(boost::beast::error_code error, std::size_t bytes);

  boost::beast::tcp_stream stream_;
  std::string farewell_;
  std::chrono::steady_clock::time_point deadline_;
  std::array<char, 4096> discard_{};
  AddressSlots::Slot slot_;
};

}  // namespace investflow::web
