#include "web/closing_connection.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace investflow::web {

namespace net = boost::asio;
namespace beast = boost::beast;

ClosingConnection::ClosingConnection(net::ip::tcp::socket socket, std::string farewell,
                                     std::chrono::milliseconds linger, AddressSlots::Slot slot)
    : stream_(std::move(socket)),
      farewell_(std::move(farewell)),
      deadline_(std::chrono::steady_clock::now() + linger),
      slot_(std::move(slot)) {
}

void ClosingConnection::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->farewell_.empty()) return self->on_write({}, 0);
    self->stream_.expires_at(self->deadline_);
    net::async_write(self->stream_, net::buffer(self->farewell_),
                     beast::bind_front_handler(&ClosingConnection::on_write, self));
  });
}

void ClosingConnection::on_write(beast::error_code error, std::size_t /*bytes*/) {
  if (error) return;  // the socket closes with this object
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  do_drain();
}

void ClosingConnection::do_drain() {
  stream_.expires_at(deadline_);
  stream_.async_read_some(
      net::buffer(discard_),
      beast::bind_front_handler(&ClosingConnection::on_drain, shared_from_this()));
}

void ClosingConnection::on_drain(beast::error_code error, std::size_t /*bytes*/) {
  if (error) return;  // end of stream, timeout or reset: done
  do_drain();
}

}  // namespace investflow::web
