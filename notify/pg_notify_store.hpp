#pragma once
// NotifyStore on PostgreSQL (the tables of migration 3, storage/pg_schema.cpp), for
// several `investflow serve` processes on one database, each with its own dispatcher.
//
// Claims: pending_outbox and due_deliveries claim the rows they return (FOR UPDATE SKIP
// LOCKED, then claimed_by/claimed_until set on them), so another process's dispatcher does
// not see them until they are settled or the claim's lease (kClaimLeaseMs) lapses, when
// their dispatcher died. The claim holder is this store (a token of its own): within one
// process the dispatcher sees its own claimed rows again, as on SQLite, so a row it read
// and did not settle (a receiver in trouble, a robot's rate limit) is not held back until
// the lease lapses. Leases run on the database server's clock, which all processes share.
// Notifications stay idempotent across processes by the same unique keys as on SQLite
// (ON CONFLICT DO NOTHING).
//
// Connections: a small pool, each opened when first needed. A lost connection (the server
// restarted, is unreachable) answers Fault::unavailable; a read is tried once more on a
// fresh connection, a write never (it may have committed).

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "notify/notify_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_pool.hpp"

namespace investflow::notify {

class PgNotifyStore final : public NotifyStore {
 public:
  // How long a claim keeps rows from other processes' dispatchers (ms). A live dispatcher
  // claims its rows again on each pass (twice a second), which renews the claim; a dead
  // one's rows go to the server that takes the duty lease over within this time.
  static constexpr std::int64_t kClaimLeaseMs = 30 * 1000;

  // Connects once (an unreachable server fails here, Fault::unavailable). The schema is
  // the PostgreSQL store's (storage::open_pg_store or init_pg_database create it).
  static Outcome<std::shared_ptr<NotifyStore>> open(
      const std::string& uri, std::shared_ptr<const SecretBox> secrets = nullptr,
      int connections = 4);
  PgNotifyStore(std::string uri, std::shared_ptr<const SecretBox> secrets, int connections);

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
  // A query that changes nothing: tried once more on a fresh connection after a lost one.
  template <typename Fn>
  auto read(Fn fn) -> Outcome<decltype(fn(std::declval<storage::PgConnection&>()))>;
  // A change, in one transaction; never retried.
  template <typename Fn>
  auto write(Fn fn) -> Outcome<decltype(fn(std::declval<storage::PgConnection&>()))>;

  storage::PgPool pool_;
  const std::shared_ptr<const SecretBox> secrets_;
  const std::string claimer_;  // this store's claims (claimed_by)
};

}  // namespace investflow::notify
