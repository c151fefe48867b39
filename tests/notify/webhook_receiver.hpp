#pragma once
// A webhook receiver for tests: an HTTP server on 127.0.0.1 (an ephemeral port) that
// records every request and answers as told: a queue of statuses (then `fallback`), or
// never (hang) for as long as the receiver lives.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace investflow::notify::testing {

struct ReceivedRequest {
  std::string target;                          // path and query
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::steady_clock::time_point at;
};

class WebhookReceiver {
 public:
  static constexpr int kHang = -1;  // a status that means: never answer

  WebhookReceiver();
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path = "/hook") const;

  // Answers the next requests with these statuses, in order, then with `fallback`.
  void respond(std::vector<int> statuses);
  void set_fallback(int status);
  // The response body for 2xx answers (default {"errcode":0,"errmsg":"ok"}).
  void set_body(std::string body);

  std::vector<ReceivedRequest> requests() const;
  std::size_t count() const;
  // Waits until at least `n` requests arrived; false on timeout.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace investflow::notify::testing
