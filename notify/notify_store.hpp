#pragma once
// The notification tables (schema migration 5; PostgreSQL migration 3) and the outbox.
// NotifyStore is the interface, with an implementation over SQLite (SqliteNotifyStore,
// below) and one over PostgreSQL (PgNotifyStore, pg_notify_store.hpp); what they share
// beyond SQL is in notify_rows.hpp. Every member is thread-safe: the dispatcher, the
// delivery lanes and the HTTP handlers share one NotifyStore.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "engine/event.hpp"
#include "engine/names.hpp"
#include "engine/notify_trigger.hpp"
#include "engine/visibility.hpp"
#include "notify/secret_box.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/store.hpp"

namespace investflow::notify {

using storage::Outcome;

// An outbox row with what resolving it needs.
struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string channel;
  std::vector<engine::NotifyTrigger> triggers;
  std::vector<engine::NotifyRecipient> recipients;  // owner, role:NAME or user:NAME
  engine::Event event;
  std::string project_owner;
  std::string project_name;
  std::string workflow;
  std::int64_t workflow_version = 0;
};

struct Notification {
  std::int64_t id = 0;
  std::string user_id;
  std::optional<std::int64_t> event_id;  // none for a notice from the server itself
  std::string project_id;                // empty for such a notice
  std::string project_name;
  std::string type;
  std::vector<std::string> triggers;
  std::string title_zh;
  std::string title_en;
  engine::Timestamp created_at = 0;
  std::optional<engine::Timestamp> read_at;
};

// Each user's choices for their inbox (issue 22; schema migration 15). `deadlines`: the
// alerts of deadlines (deadline_fired) one by one ("each", the default), or held back and
// counted in one digest notification a day ("digest").
struct NotificationSettings {
  std::string deadlines = "each";
  friend bool operator==(const NotificationSettings&, const NotificationSettings&) = default;
};
inline constexpr std::string_view kDeadlinesEach = "each";
inline constexpr std::string_view kDeadlinesDigest = "digest";
// The type of a digest notification, and the event type a digest holds back.
inline constexpr std::string_view kDigestType = "digest";
inline constexpr std::string_view kDigestedEventType = "deadline_fired";

struct NotificationPage {
  std::vector<Notification> items;
  std::int64_t unread = 0;
  std::string next_cursor;  // empty on the last page
};

struct Webhook {
  std::int64_t id = 0;
  std::string url;
  std::string secret;  // plain text here; sealed in the database (secret_box.hpp)
  // Set when the stored secret cannot be unsealed (another key file, no key): deliveries
  // to this webhook fail with it, recorded in the delivery log, instead of going unsigned.
  std::string secret_error;
  std::vector<engine::EventFilter> events;
  std::string format;  // json | wecom | dingtalk
  std::string created_by;
  engine::Timestamp created_at = 0;
  std::int64_t after_event_id = 0;
};

enum class DeliveryStatus { pending, delivered, dead };
inline constexpr engine::EnumName<DeliveryStatus> kDeliveryStatusNames[] = {
    {DeliveryStatus::pending, "pending"},
    {DeliveryStatus::delivered, "delivered"},
    {DeliveryStatus::dead, "dead"},
};
static_assert(engine::in_order(kDeliveryStatusNames));

struct Delivery {
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::int64_t event_id = 0;
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;
  engine::Timestamp next_attempt_at = 0;
  std::string last_error;
  std::optional<int> last_status;
  engine::Timestamp created_at = 0;
  std::optional<engine::Timestamp> delivered_at;
  // Set when a chat robot got the event in a digest message rather than on its own: the id
  // of the digest's first delivery (the same on every delivery of that digest).
  std::optional<std::int64_t> digest;
};

// A delivery due now, with its event.
struct DueDelivery {
  Delivery delivery;
  engine::Event event;
  std::string project_name;
  std::string workflow;
  std::int64_t workflow_version = 0;
  std::string batch;  // the bulk operation that wrote the event (storage::WriteRequest::batch)
};

// A failed attempt at one delivery: its attempts so far, and when to try again (none: dead).
struct FailedAttempt {
  std::int64_t id = 0;
  int attempts = 0;
  std::optional<engine::Timestamp> retry_at;
};

// A resolved inbox row: the users it goes to, and the titles.
struct InboxEntry {
  std::int64_t outbox_id = 0;
  std::int64_t event_id = 0;
  std::string project_id;
  std::string type;
  std::vector<engine::NotifyTrigger> triggers;
  std::vector<std::string> users;
  std::string title_zh;
  std::string title_en;
  engine::Timestamp created_at = 0;
  bool skip = false;  // historical: settle without notifying anyone
};

// Whether a webhook's filter takes an event of `type` raising `triggers` (a `notify` filter
// aside: what the rules routed to the webhook channel is in the outbox).
bool webhook_matches(const std::vector<engine::EventFilter>& filter, std::string_view type,
                     const std::vector<engine::NotifyTrigger>& triggers);

// SqliteNotifyStore's statements on the pending outbox rows, which the dispatcher runs on
// every pass (PgNotifyStore claims rows instead, pg_notify_store.hpp). Each
// names the partial index of the pending rows (outbox_pending_channel, schema migration 6;
// outbox_pending): left to the planner, statistics taken while a seeded or imported history
// was pending (millions of rows, since settled) made it scan every outbox row on every pass,
// a core busy all the time at 1,000,000 projects (tests/notify/dispatcher_test.cpp).
//
// A channel's pending rows, oldest first, with their events and projects.
inline constexpr std::string_view kPendingOutboxQuery =
    "SELECT o.id, o.event_id, o.channel, o.triggers, o.recipients, e.payload, p.owner, "
    "p.name, p.workflow, p.workflow_version FROM outbox o INDEXED BY outbox_pending_channel "
    "JOIN events e ON e.id = o.event_id JOIN projects p ON p.id = o.project_id "
    "WHERE o.status = 'pending' AND o.channel = ? ORDER BY o.id LIMIT ?";
// Rows of events older than a time (next_attempt_at is the event's time for rows never
// attempted): whether there are any, and settling them unsent.
inline constexpr std::string_view kPendingHistoricalOutboxQuery =
    "SELECT 1 FROM outbox INDEXED BY outbox_pending WHERE status = 'pending' AND "
    "next_attempt_at < ? LIMIT 1";
inline constexpr std::string_view kSettleHistoricalOutboxUpdate =
    "UPDATE outbox INDEXED BY outbox_pending SET status = 'delivered', last_error = "
    "'skipped: historical event (seeded or imported)' WHERE status = 'pending' AND "
    "next_attempt_at < ?";

// Webhook-channel rows up to an event: whether any are still pending, and settling them.
inline constexpr std::string_view kPendingWebhookOutboxQuery =
    "SELECT 1 FROM outbox INDEXED BY outbox_pending_channel WHERE channel = 'webhook' AND "
    "status = 'pending' AND event_id <= ? LIMIT 1";
inline constexpr std::string_view kSettleWebhookOutboxUpdate =
    "UPDATE outbox INDEXED BY outbox_pending_channel SET status = 'delivered' "
    "WHERE channel = 'webhook' AND status = 'pending' AND event_id <= ?";

class NotifyStore {
 public:
  // `database`: a SQLite file (SqliteNotifyStore) or a postgresql:// URI (PgNotifyStore,
  // pg_notify_store.hpp), as storage::is_postgres_uri tells.
  // `secrets`: seals webhook secrets as they are stored and unseals them as they are read
  // (serve always gives one). Without it secrets are stored as given, and a sealed one reads
  // back with Webhook::secret_error set.
  static Outcome<std::shared_ptr<NotifyStore>> open(
      const std::filesystem::path& database, std::shared_ptr<const SecretBox> secrets = nullptr);
  virtual ~NotifyStore() = default;

  // --- inbox ---
  virtual Outcome<std::vector<OutboxItem>> pending_outbox(std::string_view channel, int limit) = 0;
  virtual Outcome<std::vector<std::string>> users_with_role(const std::string& role) = 0;
  // A user as data scope sees them (roles and unit); nullopt for an unknown login.
  virtual Outcome<std::optional<engine::Viewer>> viewer(const std::string& id) = 0;
  virtual Outcome<bool> user_exists(const std::string& id) = 0;
  // One transaction: the notifications inserted (a repeat is ignored), the rows settled.
  virtual Outcome<storage::Ok> settle_inbox(const std::vector<InboxEntry>& entries) = 0;
  // A notice from the server itself (no event, no project) into these users' inboxes;
  // each user gets a notice `key` once, however often it is posted. Returns the users
  // who got it now.
  virtual Outcome<std::vector<std::string>> post_notice(
      const std::vector<std::string>& users, const std::string& key, const std::string& type,
      const std::string& title_zh, const std::string& title_en, engine::Timestamp now) = 0;
  // Outbox rows of events older than `before` (a seeded or imported history) are settled
  // unsent, in one statement.
  virtual Outcome<storage::Ok> settle_historical_outbox(engine::Timestamp before) = 0;
  // Webhook-channel outbox rows of events every webhook has fanned out are settled.
  virtual Outcome<storage::Ok> settle_webhook_outbox(std::int64_t up_to_event_id) = 0;

  // Newest first. `type`: only notifications of that (event) type, digested ones included;
  // empty: all but those a digest holds (it stands for them).
  virtual Outcome<NotificationPage> notifications(const std::string& user, bool unread_only,
                                                  int limit, const std::string& cursor,
                                                  const std::string& type = {}) = 0;
  // The caller's latest notifications about comments that mention them (我的待办).
  virtual Outcome<std::vector<Notification>> mentions(const std::string& user, int limit) = 0;
  virtual Outcome<NotificationSettings> settings(const std::string& user) = 0;
  virtual Outcome<storage::Ok> save_settings(const std::string& user,
                                             const NotificationSettings& settings) = 0;
  virtual Outcome<std::int64_t> unread_count(const std::string& user) = 0;
  // False when the user has no such notification.
  virtual Outcome<bool> mark_read(const std::string& user, std::int64_t id,
                                  engine::Timestamp now) = 0;
  virtual Outcome<std::int64_t> mark_all_read(const std::string& user, engine::Timestamp now) = 0;

  // --- webhooks ---
  // Starts after the log's current end.
  virtual Outcome<Webhook> add_webhook(Webhook webhook) = 0;
  virtual Outcome<std::vector<Webhook>> webhooks() = 0;
  // Seals every secret still stored in plain text (written before secrets were sealed, or
  // without a key), deleted webhooks' too, in one transaction; returns how many. serve runs
  // it at start. Needs the SecretBox.
  virtual Outcome<int> seal_plain_secrets() = 0;
  virtual Outcome<bool> delete_webhook(std::int64_t id, engine::Timestamp now) = 0;
  // Creates the deliveries of up to `limit` events after the webhook's position; returns
  // how many events it looked at (0: caught up). Events older than `historical_before` are
  // passed over (seeded or imported history).
  virtual Outcome<int> fan_out(const Webhook& webhook, int limit, engine::Timestamp now,
                               engine::Timestamp historical_before) = 0;

  // --- deliveries ---
  virtual Outcome<std::vector<DueDelivery>> due_deliveries(std::int64_t webhook_id,
                                                           engine::Timestamp now, int limit) = 0;
  virtual Outcome<storage::Ok> record_delivered(std::int64_t id, int http_status,
                                                engine::Timestamp now) = 0;
  // A digest message (several deliveries in one post) delivered, or failed: every one of
  // its deliveries settled in one transaction; a delivered one records the digest (its
  // first id).
  virtual Outcome<storage::Ok> record_digest_delivered(const std::vector<std::int64_t>& ids,
                                                       int http_status, engine::Timestamp now) = 0;
  virtual Outcome<storage::Ok> record_failures(const std::vector<FailedAttempt>& failed,
                                               const std::string& error,
                                               std::optional<int> http_status) = 0;
  // Newest first; all of them when `status` is nullopt.
  virtual Outcome<std::vector<Delivery>> deliveries(std::optional<DeliveryStatus> status, int limit,
                                                    std::int64_t before_id) = 0;
  virtual Outcome<std::optional<Delivery>> delivery(std::int64_t id) = 0;
  // A dead (or any) delivery back to pending, due now. False when there is none.
  virtual Outcome<bool> replay(std::int64_t id, engine::Timestamp now) = 0;
  // The earliest next attempt of the webhook's pending deliveries.
  virtual Outcome<std::optional<engine::Timestamp>> next_attempt(std::int64_t webhook_id) = 0;

  // --- chat robots' rate limit (dispatcher.hpp) ---
  // The times of the posts made to the robot at `url` since `since`, oldest first.
  virtual Outcome<std::vector<engine::Timestamp>> robot_posts(const std::string& url,
                                                              engine::Timestamp since) = 0;
  // Records a post to the robot at `url`; forgets its posts before `forget_before`.
  virtual Outcome<storage::Ok> record_robot_post(const std::string& url, engine::Timestamp at,
                                                 engine::Timestamp forget_before) = 0;

  // One failed attempt (record_failures with one).
  Outcome<storage::Ok> record_failure(std::int64_t id, int attempts, const std::string& error,
                                      std::optional<int> http_status,
                                      std::optional<engine::Timestamp> retry_at) {
    return record_failures({FailedAttempt{id, attempts, retry_at}}, error, http_status);
  }
};

// The SQLite implementation, on the dispatcher's own connection: writes take one connection
// behind a mutex; what the console reads (inboxes, unread counts, settings, webhooks,
// deliveries) comes from a pool of read connections, so a long fan-out of alerts never
// keeps a page waiting. One process dispatches, so the pending rows need no claims.
class SqliteNotifyStore final : public NotifyStore {
 public:
  explicit SqliteNotifyStore(const std::filesystem::path& path,
                             std::shared_ptr<const SecretBox> secrets = nullptr);

  // --- inbox ---
  Outcome<std::vector<OutboxItem>> pending_outbox(std::string_view channel, int limit) override;
  Outcome<std::vector<std::string>> users_with_role(const std::string& role) override;
  Outcome<std::optional<engine::Viewer>> viewer(const std::string& id) override;
  Outcome<bool> user_exists(const std::string& id) override;
  Outcome<storage::Ok> settle_inbox(const std::vector<InboxEntry>& entries) override;
  Outcome<std::vector<std::string>> post_notice(const std::vector<std::string>& users,
                                                const std::string& key, const std::string& type,
                                                const std::string& title_zh,
                                                const std::string& title_en,
                                                engine::Timestamp now) override;
  Outcome<storage::Ok> settle_historical_outbox(engine::Timestamp before) override;
  Outcome<storage::Ok> settle_webhook_outbox(std::int64_t up_to_event_id) override;
  Outcome<NotificationPage> notifications(const std::string& user, bool unread_only, int limit,
                                          const std::string& cursor,
                                          const std::string& type) override;
  Outcome<std::vector<Notification>> mentions(const std::string& user, int limit) override;
  Outcome<NotificationSettings> settings(const std::string& user) override;
  Outcome<storage::Ok> save_settings(const std::string& user,
                                     const NotificationSettings& settings) override;
  Outcome<std::int64_t> unread_count(const std::string& user) override;
  Outcome<bool> mark_read(const std::string& user, std::int64_t id, engine::Timestamp now) override;
  Outcome<std::int64_t> mark_all_read(const std::string& user, engine::Timestamp now) override;
  // --- webhooks ---
  Outcome<Webhook> add_webhook(Webhook webhook) override;
  Outcome<std::vector<Webhook>> webhooks() override;
  Outcome<int> seal_plain_secrets() override;
  Outcome<bool> delete_webhook(std::int64_t id, engine::Timestamp now) override;
  Outcome<int> fan_out(const Webhook& webhook, int limit, engine::Timestamp now,
                       engine::Timestamp historical_before) override;
  // --- deliveries ---
  Outcome<std::vector<DueDelivery>> due_deliveries(std::int64_t webhook_id, engine::Timestamp now,
                                                   int limit) override;
  Outcome<storage::Ok> record_delivered(std::int64_t id, int http_status,
                                        engine::Timestamp now) override;
  Outcome<storage::Ok> record_digest_delivered(const std::vector<std::int64_t>& ids,
                                               int http_status, engine::Timestamp now) override;
  Outcome<storage::Ok> record_failures(const std::vector<FailedAttempt>& failed,
                                       const std::string& error,
                                       std::optional<int> http_status) override;
  Outcome<std::vector<Delivery>> deliveries(std::optional<DeliveryStatus> status, int limit,
                                            std::int64_t before_id) override;
  Outcome<std::optional<Delivery>> delivery(std::int64_t id) override;
  Outcome<bool> replay(std::int64_t id, engine::Timestamp now) override;
  Outcome<std::optional<engine::Timestamp>> next_attempt(std::int64_t webhook_id) override;
  // --- chat robots' rate limit (dispatcher.hpp) ---
  Outcome<std::vector<engine::Timestamp>> robot_posts(const std::string& url,
                                                      engine::Timestamp since) override;
  Outcome<storage::Ok> record_robot_post(const std::string& url, engine::Timestamp at,
                                         engine::Timestamp forget_before) override;

 private:
  // Runs `fn` under the mutex; an SQLite exception becomes a storage error.
  template <typename T, typename Fn>
  Outcome<T> run(Fn&& fn);
  // Runs `fn(connection)` on a read connection of the pool, without the mutex.
  template <typename T, typename Fn>
  Outcome<T> read(Fn&& fn);
  // Inside settle_inbox (the mutex held): how the user takes deadline alerts, and counting
  // one in the day's digest.
  std::string deadlines_of(const std::string& user);
  void count_in_digest(const std::string& user, engine::Timestamp at);

  Webhook webhook_from(SQLite::Statement& row) const;

  static constexpr int kReaders = 2;
  std::mutex mutex_;
  storage::Connection connection_;  // GUARDED_BY(mutex_)
  storage::ReadPool readers_;
  const std::shared_ptr<const SecretBox> secrets_;
};

}  // namespace investflow::notify
