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
//
// Chat robots (formats wecom and dingtalk) are people's group chats, and both platforms
// allow a robot 20 messages a minute. A robot's lane posts each event on its own while
// its window allows; what is beyond the limit waits and goes as one digest message (every
// event listed, up to the size limit, the rest counted) when the window has room again.
// The window counts every post to the robot's URL (two webhooks on one robot share it)
// and is kept in the database (robot_posts), so a restart does not start a new burst.
// A bulk operation's events (storage::WriteRequest::batch) go to each robot as one digest
// once the batch has been quiet for `batch_quiet`. A delivery sent in a digest records it
// (Delivery::digest); retries, dead letters and replays work per delivery as before.
// Plain JSON webhooks are programs: no rate limit, no digests, one post per event.

#include <atomic>
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
#include "notify/webhook_format.hpp"
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
  // Chat robots: at most `robot_limit` posts to one robot URL in any `robot_window`.
  int robot_limit = 20;
  std::chrono::milliseconds robot_window{std::chrono::minutes(1)};
  // A bulk operation's digest is sent once no new event of it has come for this long.
  std::chrono::milliseconds batch_quiet{std::chrono::seconds(5)};
  // Events that have waited this long for a robot (held by its limit, or retried after a
  // failure) go to it together, as one digest, instead of one by one.
  std::chrono::milliseconds robot_backlog_after{std::chrono::seconds(5)};
  // Outbound proxies (serve: from HTTP(S)_PROXY/NO_PROXY) and the CA bundle that replaces
  // the system's store for HTTPS (serve --webhook-ca-file); empty: none, the system's.
  ProxySettings proxy;
  std::string ca_file;
  // The addresses webhooks may reach (serve: internal ones refused, --webhook-allow).
  AddressPolicy webhook_addresses;
  // Whether this server resolves inboxes and posts webhooks now (several servers on one
  // PostgreSQL database: the one holding the duty lease, storage/pg_lease.hpp); empty:
  // always. Off duty, the loop and the lanes only wait.
  std::function<bool()> on_duty;
};

// Whether webhooks of this format are chat robots (rate-limited, sent digests).
bool is_chat_robot(std::string_view format);

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
                             const DispatchOptions& options);
// The request for a digest of several events to a chat robot.
PostRequest digest_request(const Webhook& webhook, const Digest& digest, engine::Timestamp now,
                           const DispatchOptions& options);

// What a chat robot's lane posts next from its due deliveries (oldest first) when its
// window allows `free` more posts: each bulk operation's deliveries as one digest once the
// newest is `batch_quiet` old (until then they wait); the others all in one digest when
// more than one of them has waited `robot_backlog_after`, else one post each when they
// all fit, else one post each for all but the room's last post, which carries the rest as
// a digest. At most `free` posts, in the order of their first delivery.
struct PlannedPost {
  std::vector<std::size_t> items;  // indexes into the due deliveries
  bool digest = false;
  std::string batch;  // a bulk operation's digest
};
std::vector<PlannedPost> plan_robot_posts(const std::vector<DueDelivery>& due, int free,
                                          engine::Timestamp now, const DispatchOptions& options);

// Posts made to each chat robot in the last window, kept with the database so that a
// restart knows them. Thread-safe: every lane of the dispatcher shares one.
class RobotWindows {
 public:
  RobotWindows(std::shared_ptr<NotifyStore> notify, int limit, std::chrono::milliseconds window);
  // How many posts the robot may still make at `now`.
  int free(const std::string& url, engine::Timestamp now);
  // Counts a post at `now`; false (nothing counted) when the window is full.
  bool take(const std::string& url, engine::Timestamp now);
  // When the robot may post again (`now` when it may now).
  engine::Timestamp next_free(const std::string& url, engine::Timestamp now);

 private:
  std::vector<engine::Timestamp>& posts(const std::string& url, engine::Timestamp now);

  std::shared_ptr<NotifyStore> notify_;
  const int limit_;
  const std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::map<std::string, std::vector<engine::Timestamp>> posts_;  // GUARDED_BY(mutex_)
};

// What the delivery lanes did since start, for /metrics.
struct DispatchCounts {
  std::int64_t posts_delivered = 0;  // webhook posts a receiver accepted (digests included)
  std::int64_t posts_failed = 0;     // posts that failed (retried later, or dead)
  std::int64_t digests = 0;          // digest messages a chat robot accepted
  std::int64_t digest_events = 0;    // the events those digests carried
};

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
  // What a lane does when woken, for tests that drive it by hand (not on a started
  // dispatcher): posts the webhook's due deliveries as far as its rate window allows.
  void deliver_once(const Webhook& webhook);

  DispatchCounts counts() const;
  // Posts by the webhook's format (json, wecom, dingtalk) and outcome (delivered, failed:
  // retried later, dead: out of attempts), for /metrics.
  std::map<std::pair<std::string, std::string>, std::int64_t> posts_by_format() const;

 private:
  struct Lane;

  void run();
  int dispatch_inbox();
  int fan_out();
  void sync_lanes(const std::vector<Webhook>& webhooks);
  void run_lane(Lane& lane);
  // Delivers what is due; returns when nothing is, or after a transport failure.
  void deliver_due(Lane& lane);
  // A chat robot's: as its window allows, merging the rest into digests.
  void deliver_robot(Lane& lane);
  // One post of one delivery; false when it failed.
  bool post_one(Lane& lane, const DueDelivery& item);
  // One post of several deliveries; false when it failed.
  bool post_digest(Lane& lane, const std::vector<DueDelivery>& due, const PlannedPost& post);
  // Settles one attempt at these deliveries; false when it failed.
  bool settle_attempt(Lane& lane, const std::vector<const DueDelivery*>& items,
                      const AttemptResult& result);
  std::vector<std::string> resolve(const OutboxItem& item,
                                   std::map<std::string, std::vector<std::string>>& roles);
  // Of `users`, those whose data scope sees the project (issue 19): nobody is told of a
  // project they may not open. `scopes` keeps each user's scope for one pass.
  std::vector<std::string> seeing(
      const std::string& project_id, std::vector<std::string> users,
      std::map<std::string, std::shared_ptr<const engine::DataScope>>& scopes);

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
  RobotWindows robots_;
  std::atomic<std::int64_t> posts_delivered_{0};
  std::atomic<std::int64_t> posts_failed_{0};
  mutable std::mutex outcomes_mutex_;
  std::map<std::pair<std::string, std::string>, std::int64_t>
      outcomes_;  // GUARDED_BY(outcomes_mutex_)
  void count_outcome(const std::string& format, const char* outcome);
  std::atomic<std::int64_t> digests_{0};
  std::atomic<std::int64_t> digest_events_{0};
  std::map<std::int64_t, std::unique_ptr<Lane>> lanes_;  // main thread (and stop) only
  std::mutex lanes_mutex_;
};

}  // namespace investflow::notify
