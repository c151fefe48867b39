#pragma once
// A blocking client of GET /api/stream over a real socket, for the tests: it keeps reading
// one streaming response and parses the server-sent events received.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace investflow::web::testing {

struct SseEvent {
  std::string id;
  std::string type;
  boost::json::object data;
};

// A blocking client that keeps reading one streaming response.
class SseClient {
 public:
  SseClient() = default;
  ~SseClient() { close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  bool open(std::uint16_t port, const std::string& token, const std::string& last_event_id = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    timeval timeout{0, 100'000};  // reads wake every 100 ms to check the deadline
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return false;
    }
    std::string request =
        "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
        "text/event-stream\r\nAuthorization: Bearer " +
        token + "\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    request += "\r\n";
    return ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(request.size());
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads until `text` has arrived (true) or the time is up or the server closed (false).
  bool read_until(const std::string& text,
                  std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (received_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || !read_some()) return false;
    }
    return true;
  }
  // Reads whatever comes for `period`; false if the server closed the connection.
  bool read_for(std::chrono::milliseconds period) {
    const auto deadline = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!read_some()) return false;
    }
    return true;
  }

  std::string head() const { return received_.substr(0, received_.find("\r\n\r\n")); }

  // The complete events received so far (comments and retry lines skipped).
  std::vector<SseEvent> events() const {
    std::vector<SseEvent> list;
    const auto body_start = received_.find("\r\n\r\n");
    if (body_start == std::string::npos) return list;
    std::string body = received_.substr(body_start + 4);
    std::size_t at = 0;
    for (auto end = body.find("\n\n"); end != std::string::npos; end = body.find("\n\n", at)) {
      std::istringstream block(body.substr(at, end - at));
      at = end + 2;
      SseEvent event;
      for (std::string line; std::getline(block, line);) {
        if (line.rfind("id: ", 0) == 0) event.id = line.substr(4);
        if (line.rfind("event: ", 0) == 0) event.type = line.substr(7);
        if (line.rfind("data: ", 0) == 0)
          event.data = boost::json::parse(line.substr(6)).as_object();
      }
      if (!event.id.empty()) list.push_back(std::move(event));
    }
    return list;
  }

 private:
  // False when the server closed the connection.
  bool read_some() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      received_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }

  int fd_ = -1;
  std::string received_;
};

}  // namespace investflow::web::testing
