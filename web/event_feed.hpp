#pragma once
// Live updates for GET /api/stream: committed events, read from the store's global log,
// pushed to every subscribed server-sent-event stream. One thread per feed (started by
// the first subscriber) reads the log after the lowest position any subscriber has reached,
// when a write through the API wakes it or at the latest every `poll` (events written by
// other processes: the CLI, imports). Each subscriber gets every event once, in id order,
// so a client resuming with Last-Event-ID misses nothing.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/store.hpp"
#include "web/stream_sink.hpp"

namespace investflow::web {

// One event in text/event-stream form: `id: <global id>`, `event: <type>`, and `data:` a
// JSON object {project_id, version, type, actor, at} plus {transition, from, to} for a
// transition taken.
std::string server_sent_event(const storage::StoredEvent& stored);

class EventFeed {
 public:
  explicit EventFeed(storage::Store& store,
                     std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~EventFeed();  // stops and joins the thread
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // Sends `sink` every committed event with a global id above `after`, then each new one,
  // until the sink closes; with a restricted `scope`, only those of projects it sees.
  void subscribe(std::shared_ptr<StreamSink> sink, std::int64_t after,
                 std::shared_ptr<const engine::DataScope> scope = nullptr);
  // Something was committed: look now rather than at the next poll.
  void wake();

 private:
  // What the thread uses, shared with it: the last owner of the feed may be the feed thread
  // itself (a subscriber's sink can hold the server, which holds the router, which holds
  // the feed), and then the thread must outlive this object rather than join itself.
  struct Core;

  std::shared_ptr<Core> core_;
  std::thread thread_;
  std::mutex thread_mutex_;
};

}  // namespace investflow::web
