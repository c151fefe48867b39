#pragma once
// Live inbox counts for GET /api/stream: each stream is registered under its user and gets
// its user's count at once; then, when the dispatcher writes notifications for some users,
// each of their open streams gets it again: an SSE event named `notification` with
// {"unread": N, "user": ID}. The event carries no
// `id:` line, so it leaves the stream's Last-Event-ID (a position in the event log) alone.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "web/stream_sink.hpp"

namespace investflow::web {

class NotificationFeed {
 public:
  // How many unread notifications a user has (nullopt: could not tell).
  using UnreadCount = std::function<std::optional<std::int64_t>(const std::string& user)>;

  explicit NotificationFeed(UnreadCount unread);

  void subscribe(const std::string& user, std::shared_ptr<StreamSink> sink);
  // Sends each of these users' open streams their unread count.
  void notify(const std::vector<std::string>& users);

 private:
  UnreadCount unread_;
  std::mutex mutex_;
  std::multimap<std::string, std::weak_ptr<StreamSink>> sinks_;  // GUARDED_BY(mutex_)
};

std::string notification_event(const std::string& user, std::int64_t unread);

}  // namespace investflow::web
