#include "web/event_feed.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <type_traits>
#include <variant>
#include <vector>

#include "storage/wire_json.hpp"

namespace investflow::web {
namespace {

namespace json = boost::json;

// Events read per store query; a subscriber far behind catches up over several reads.
constexpr int kBatch = 500;

}  // namespace

std::string server_sent_event(const storage::StoredEvent& stored) {
  const engine::Event& event = stored.event;
  const std::string type(engine::event_type(event));
  json::object data{{"id", stored.id},          {"project_id", event.project_id},
                    {"version", event.version}, {"type", type},
                    {"actor", event.actor},     {"at", storage::wire_timestamp(event.at)}};
  if (const auto* taken = std::get_if<engine::TransitionTaken>(&event.body)) {
    data["transition"] = taken->transition;
    data["from"] = taken->from;
    data["to"] = taken->to;
  } else if (const auto* created = std::get_if<engine::ProjectCreated>(&event.body)) {
    data["workflow"] = created->workflow;
    data["to"] = created->state;
  } else if (const auto* migrated = std::get_if<engine::WorkflowMigrated>(&event.body)) {
    data["workflow"] = migrated->workflow;
    data["from"] = migrated->from_state;
    data["to"] = migrated->to_state;
    data["workflow_version"] = migrated->to_version;
  }
  // Serialized JSON has no raw line breaks, so one data line carries it.
  return "id: " + std::to_string(stored.id) + "\nevent: " + type +
         "\ndata: " + json::serialize(data) + "\n\n";
}

struct EventFeed::Core {
  struct Subscriber {
    std::shared_ptr<StreamSink> sink;
    std::int64_t after = 0;  // the last id it was sent (or passed over, unseen)
    std::shared_ptr<const engine::DataScope> scope;  // null: sees everything
  };

  Core(storage::Store& store_in, std::chrono::milliseconds poll_in)
      : store(store_in), poll(poll_in) {}

  void run();
  // One pass: read what is new for the furthest-behind subscriber, send each its part.
  void deliver(std::vector<Subscriber>& subscribers);
  bool stopped() {
    std::lock_guard lock(mutex);
    return stopping;
  }

  storage::Store& store;
  const std::chrono::milliseconds poll;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Subscriber> joining;  // handed to the thread on its next pass
  bool woken = false;
  bool stopping = false;
};

EventFeed::EventFeed(storage::Store& store, std::chrono::milliseconds poll)
    : core_(std::make_shared<Core>(store, poll)) {
}

EventFeed::~EventFeed() {
  {
    std::lock_guard lock(core_->mutex);
    core_->stopping = true;
  }
  core_->changed.notify_all();
  std::lock_guard lock(thread_mutex_);
  if (!thread_.joinable()) return;
  // On the feed thread itself the thread ends on its own: it sees `stopping` before it
  // touches the store again.
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

void EventFeed::subscribe(std::shared_ptr<StreamSink> sink, std::int64_t after,
                          std::shared_ptr<const engine::DataScope> scope) {
  {
    std::lock_guard lock(core_->mutex);
    if (core_->stopping) return;
    core_->joining.push_back(Core::Subscriber{std::move(sink), after, std::move(scope)});
    core_->woken = true;
  }
  {
    std::lock_guard lock(thread_mutex_);
    if (!thread_.joinable()) thread_ = std::thread([core = core_] { core->run(); });
  }
  core_->changed.notify_all();
}

void EventFeed::wake() {
  {
    std::lock_guard lock(core_->mutex);
    core_->woken = true;
  }
  core_->changed.notify_all();
}

void EventFeed::Core::run() {
  std::vector<Subscriber> subscribers;  // only this thread touches them
  while (true) {
    {
      std::unique_lock lock(mutex);
      changed.wait_for(lock, poll, [this] { return woken || stopping; });
      if (stopping) return;
      woken = false;
      for (auto& subscriber : joining)
        subscribers.push_back(std::move(subscriber));
      joining.clear();
    }
    std::erase_if(subscribers, [](const Subscriber& s) { return !s.sink->is_open(); });
    if (!subscribers.empty()) deliver(subscribers);
  }
}

void EventFeed::Core::deliver(std::vector<Subscriber>& subscribers) {
  while (!stopped()) {
    const auto behind = std::min_element(
        subscribers.begin(), subscribers.end(),
        [](const Subscriber& a, const Subscriber& b) { return a.after < b.after; });
    auto events = store.events_after(behind->after, kBatch);
    if (!events) {
      spdlog::error("event feed: reading the log failed: {}", events.error().message);
      return;
    }
    if (events->empty()) return;
    bool progressed = false;  // a sink refusing while still open (server stopping) ends it
    for (const auto& stored : *events) {
      const std::string text = server_sent_event(stored);
      for (auto& subscriber : subscribers) {
        if (stored.id <= subscriber.after) continue;
        if (subscriber.scope && !subscriber.scope->unrestricted()) {
          // Data scope: an event of a project the subscriber does not see is passed over
          // (and so is one whose check failed: never sent by mistake).
          const auto seen = store.visible(stored.event.project_id, *subscriber.scope);
          if (!seen || !*seen) {
            subscriber.after = stored.id;
            progressed = true;
            continue;
          }
        }
        if (!subscriber.sink->send(text)) continue;
        subscriber.after = stored.id;
        progressed = true;
      }
    }
    std::erase_if(subscribers, [](const Subscriber& s) { return !s.sink->is_open(); });
    if (!progressed || subscribers.empty() || static_cast<int>(events->size()) < kBatch) return;
  }
}

}  // namespace investflow::web
