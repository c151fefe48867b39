#include "tests/notify/webhook_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <thread>

namespace investflow::notify::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct WebhookReceiver::Impl {
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable arrived;
  std::vector<ReceivedRequest> received;  // GUARDED_BY(mutex)
  std::deque<int> statuses;               // GUARDED_BY(mutex)
  int fallback = 200;                     // GUARDED_BY(mutex)
  std::string body = R"({"errcode":0,"errmsg":"ok"})";
  std::vector<std::shared_ptr<tcp::socket>> hung;  // io thread only

  int next_status() {
    std::lock_guard lock(mutex);
    if (statuses.empty()) return fallback;
    const int status = statuses.front();
    statuses.pop_front();
    return status;
  }

  void accept() {
    acceptor.async_accept([self = this](beast::error_code error, tcp::socket socket) {
      if (error) return;
      self->serve(std::make_shared<tcp::socket>(std::move(socket)));
      self->accept();
    });
  }

  void serve(std::shared_ptr<tcp::socket> socket) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    http::async_read(*socket, *buffer, *request,
                     [self = this, socket, buffer, request](beast::error_code error, std::size_t) {
                       if (error) return;
                       self->record(*request);
                       self->answer(socket, *request);
                     });
  }

  void record(const http::request<http::string_body>& request) {
    ReceivedRequest item;
    item.target = std::string(request.target());
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      item.headers[name] = std::string(field.value());
    }
    item.body = request.body();
    item.at = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex);
      received.push_back(std::move(item));
    }
    arrived.notify_all();
  }

  void answer(const std::shared_ptr<tcp::socket>& socket,
              const http::request<http::string_body>& request) {
    const int status = next_status();
    if (status == kHang) {
      hung.push_back(socket);  // kept open, never answered
      return;
    }
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), request.version());
    response->set(http::field::content_type, "application/json");
    response->body() = status >= 200 && status < 300 ? body : R"({"error":"test"})";
    response->keep_alive(false);
    response->prepare_payload();
    http::async_write(*socket, *response, [socket, response](beast::error_code, std::size_t) {
      beast::error_code ignored;
      socket->shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
};

WebhookReceiver::WebhookReceiver() : impl_(std::make_shared<Impl>()) {
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  // Handlers hold the Impl by plain pointer: the io_context, destroyed with it after the
  // thread ends, takes every pending handler (and hung socket) down with it.
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t WebhookReceiver::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

void WebhookReceiver::respond(std::vector<int> statuses) {
  std::lock_guard lock(impl_->mutex);
  impl_->statuses.assign(statuses.begin(), statuses.end());
}

void WebhookReceiver::set_fallback(int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = status;
}

void WebhookReceiver::set_body(std::string body) {
  std::lock_guard lock(impl_->mutex);
  impl_->body = std::move(body);
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::size_t WebhookReceiver::count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received.size();
}

bool WebhookReceiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->arrived.wait_for(lock, timeout, [&] { return impl_->received.size() >= n; });
}

}  // namespace investflow::notify::testing
