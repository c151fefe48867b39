#pragma once
// Internal to web/: the open connections (chat-multi's shared_state), for the connection cap
// and for graceful shutdown. Holds weak references: a session lives as long as its I/O.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace investflow::web {

class HttpSession;

class SessionRegistry {
 public:
  void add(const std::shared_ptr<HttpSession>& session);
  void remove(const HttpSession* session);
  std::size_t size() const;
  std::vector<std::shared_ptr<HttpSession>> snapshot() const;
  // True when the last session went away before the deadline.
  bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mutex_;
  std::condition_variable emptied_;
  std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>>
      sessions_;  // GUARDED_BY(mutex_)
};

}  // namespace investflow::web
