#include "web/notification_feed.hpp"

#include <boost/json.hpp>

namespace investflow::web {

std::string notification_event(const std::string& user, std::int64_t unread) {
  const boost::json::object data{{"unread", unread}, {"user", user}};
  return "event: notification\ndata: " + boost::json::serialize(data) + "\n\n";
}

NotificationFeed::NotificationFeed(UnreadCount unread) : unread_(std::move(unread)) {
}

void NotificationFeed::subscribe(const std::string& user, std::shared_ptr<StreamSink> sink) {
  {
    std::lock_guard lock(mutex_);
    std::erase_if(sinks_, [](const auto& entry) {
      const auto open = entry.second.lock();
      return open == nullptr || !open->is_open();
    });
    sinks_.emplace(user, sink);
  }
  // The count as the stream starts: what arrived while the page loaded, or while the
  // connection was down, shows at once instead of with the next notification.
  if (!sink->is_open()) return;
  if (const std::optional<std::int64_t> unread = unread_(user)) {
    sink->send(notification_event(user, *unread));
  }
}

void NotificationFeed::notify(const std::vector<std::string>& users) {
  for (const std::string& user : users) {
    std::vector<std::shared_ptr<StreamSink>> open;
    {
      std::lock_guard lock(mutex_);
      const auto [begin, end] = sinks_.equal_range(user);
      for (auto it = begin; it != end; ++it) {
        if (auto sink = it->second.lock(); sink != nullptr && sink->is_open()) open.push_back(sink);
      }
    }
    if (open.empty()) continue;
    const std::optional<std::int64_t> unread = unread_(user);
    if (!unread) continue;
    const std::string text = notification_event(user, *unread);
    for (const auto& sink : open)
      sink->send(text);
  }
}

}  // namespace investflow::web
