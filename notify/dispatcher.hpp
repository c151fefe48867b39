#pragma once
// The outbox dispatcher: turns committed events into notifications, at least once.
//
// One thread polls (and is woken after writes): it resolves the outbox's `inbox` rows to
// users (the owner, a role's members, a user) and writes their notifications; it fans every new
// event out to each webhook whose filter takes it (a delivery row per webhook and event,
// written in one transaction with the webhook's position in the log). Each webhook then
// has its own delivery lane, a thread that posts its due deliveries in order, so a slow or
// hung receiver holds up only itself. A failed attempt is retried after an exponential
// backoff with jitter; after `max_attempts` the delivery is dead until replayed.
//
// Events older than `historical_after` when first seen (a seeded or imported history) are
// settled without being sent: nobody is waiting for them.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/date.hpp"
#include "notify/http_post.hpp"
#include "notify/message.hpp"
#include "notify/notify_store.hpp"
#include "storage/store.hpp"

namespace investflow::notify {

struct DispatchOptions {
  std::chrono::milliseconds poll{500};  // at the latest, look for new work this often
  int max_attempts = 12;                // then dead
  // Delay before attempt n+1: a random point in [d/2, d], d = min(cap, base * 2^(n-1)).
  // The defaults retry for a little over an hour before giving up.
  std::chrono::milliseconds backoff_base{2000};
  std::chrono::milliseconds backoff_cap{std::chrono::minutes(15)};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds historical_after{std::chrono::hours(24)};
  int batch = 200;
};

// The delay before retrying after `attempts` failed attempts (attempts >= 1).
std::chrono::milliseconds backoff_delay(const DispatchOptions& options, int attempts,
                                        std::mt19937_64& random);

// What one attempt achieved: delivered, or why not (a WeCom/DingTalk 200 with a non-zero
// errcode is a failure too).
struct AttemptResult {
  bool delivered = false;
  std::optional<int> http_status;
  std::string error;
};
AttemptResult judge_response(const std::string& format, const PostOutcome& outcome);

// Builds the request for one delivery (body, signature or signed URL).
PostRequest delivery_request(const Webhook& webhook, const Message& message, engine::Timestamp now,
                             std::chrono::milliseconds timeout);

class Dispatcher {
 public:
  using InboxListener = std::function<void(const std::vector<std::string>& users)>;

  Dispatcher(storage::Store& store, std::shared_ptr<NotifyStore> notify,
             std::shared_ptr<const engine::Clock> clock, DispatchOptions options = {},
             InboxListener on_inbox = {});
  ~Dispatcher();  // stop()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  // Ends the thread and every lane; a post in flight ends within its timeout.
  void stop();
  // Something was committed (or a webhook added, a delivery replayed): look now.
  void wake();

  // One pass of the main loop, for tests that drive it by hand: inbox rows resolved plus
  // events fanned out into deliveries (posted only by a started dispatcher's lanes).
  int run_once();

 private:
  struct Lane;

  void run();
  int dispatch_inbox();
  int fan_out();
  void sync_lanes(const std::vector<Webhook>& webhooks);
  void run_lane(Lane& lane);
  // Delivers what is due; returns when nothing is, or after a transport failure.
  void deliver_due(Lane& lane);
  std::vector<std::string> resolve(const OutboxItem& item,
                                   std::map<std::string, std::vector<std::string>>& roles);

  storage::Store& store_;
  std::shared_ptr<NotifyStore> notify_;
  std::shared_ptr<const engine::Clock> clock_;
  const DispatchOptions options_;
  InboxListener on_inbox_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;     // GUARDED_BY(mutex_)
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  bool started_ = false;   // GUARDED_BY(mutex_): delivery lanes run only once started
  std::thread thread_;
  std::map<std::int64_t, std::unique_ptr<Lane>> lanes_;  // main thread (and stop) only
  std::mutex lanes_mutex_;
};

}  // namespace investflow::notify
