#include "notify/pg_notify_store.hpp"

#include <cstdio>
#include <random>
#include <utility>

#include "notify/notify_rows.hpp"
#include "storage/auth.hpp"

namespace investflow::notify {
namespace {

using storage::PgArray;
using storage::PgConnection;
using storage::PgParams;
using storage::PgResult;

// The database server's clock in ms since the epoch: claims' leases, which every process
// compares against the same clock.
constexpr std::string_view kServerNowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

std::string text_of(const PgResult& result, int row, int column) {
  return std::string(result.text(row, column));
}

std::optional<std::int64_t> optional_number(const PgResult& result, int row, int column) {
  if (result.null(row, column)) return std::nullopt;
  return result.number(row, column);
}

PgParams& optional(PgParams& params, std::optional<std::int64_t> value) {
  return value ? params.number(*value) : params.null();
}

std::string random_claimer() {
  std::random_device random;
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08x%08x%08x", random(), random(), random());
  return buffer;
}

constexpr std::string_view kDeliveryColumns =
    "d.id, d.webhook_id, d.event_id, d.status, d.attempts, d.next_attempt_at, "
    "COALESCE(d.last_error, ''), d.last_status, d.created_at, d.delivered_at, d.digest";

Delivery delivery_from(const PgResult& result, int row) {
  Delivery delivery;
  delivery.id = result.number(row, 0);
  delivery.webhook_id = result.number(row, 1);
  delivery.event_id = result.number(row, 2);
  delivery.status = rows::delivery_status(result.text(row, 3));
  delivery.attempts = static_cast<int>(result.number(row, 4));
  delivery.next_attempt_at = result.number(row, 5);
  delivery.last_error = text_of(result, row, 6);
  if (auto status = optional_number(result, row, 7))
    delivery.last_status = static_cast<int>(*status);
  delivery.created_at = result.number(row, 8);
  delivery.delivered_at = optional_number(result, row, 9);
  delivery.digest = optional_number(result, row, 10);
  return delivery;
}

Notification notification_from(const PgResult& result, int row, const std::string& user) {
  // id, event_id, project_id, project name, type, triggers, title_zh, title_en, created_at,
  // read_at
  Notification item;
  item.id = result.number(row, 0);
  item.user_id = user;
  item.event_id = optional_number(result, row, 1);
  item.project_id = text_of(result, row, 2);
  item.project_name = text_of(result, row, 3);
  item.type = text_of(result, row, 4);
  item.triggers = rows::strings_from(text_of(result, row, 5));
  item.title_zh = text_of(result, row, 6);
  item.title_en = text_of(result, row, 7);
  item.created_at = result.number(row, 8);
  item.read_at = optional_number(result, row, 9);
  return item;
}

constexpr std::string_view kNotificationColumns =
    "n.id, n.event_id, n.project_id, COALESCE(p.name, ''), n.type, n.triggers, n.title_zh, "
    "n.title_en, n.created_at, n.read_at FROM notifications n LEFT JOIN projects p ON p.id = "
    "n.project_id";

std::string count_unread_sql() {
  return "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
}

// The day's digest for `user` (one notice a day, keyed by the day): created with the first
// held alert, counted up with each next one (its `held` column is the count), unread again.
void count_in_digest(PgConnection& connection, const std::string& user, engine::Timestamp at) {
  const std::string key = rows::digest_key(at);
  PgResult counted = connection.exec(
      "INSERT INTO notifications (user_id, event_id, project_id, type, triggers, title_zh, "
      "title_en, created_at, notice, held) VALUES ($1, NULL, '', $2, '[]', '', '', $3, $4, 1) "
      "ON CONFLICT (user_id, notice) DO UPDATE SET held = notifications.held + 1, "
      "read_at = NULL, created_at = excluded.created_at RETURNING held",
      PgParams().text(user).text(std::string(kDigestType)).number(at).text(key));
  const std::int64_t count = counted.number(0, 0);
  connection.exec(
      "UPDATE notifications SET title_zh = $1, title_en = $2 WHERE user_id = $3 AND notice = $4",
      PgParams()
          .text(rows::digest_title_zh(at, count))
          .text(rows::digest_title_en(at, count))
          .text(user)
          .text(key));
}

}  // namespace

Outcome<std::shared_ptr<NotifyStore>> PgNotifyStore::open(const std::string& uri,
                                                          std::shared_ptr<const SecretBox> secrets,
                                                          int connections) {
  auto store = std::make_shared<PgNotifyStore>(uri, std::move(secrets), connections);
  // Connect now: a wrong URI or an unreachable server is said at start-up.
  auto reached = store->read([](PgConnection& connection) {
    connection.exec("SELECT 1 FROM notifications LIMIT 1");
    return true;
  });
  if (!reached) {
    reached.error().message = storage::redact_uri(uri) + ": " + reached.error().message;
    return engine::fail(std::move(reached.error()));
  }
  return std::shared_ptr<NotifyStore>(std::move(store));
}

PgNotifyStore::PgNotifyStore(std::string uri, std::shared_ptr<const SecretBox> secrets,
                             int connections)
    : pool_(std::move(uri), connections), secrets_(std::move(secrets)), claimer_(random_claimer()) {
}

// ---------------------------------------------------------------------------------------
// Connections

template <typename Fn>
auto PgNotifyStore::read(Fn fn) -> Outcome<decltype(fn(std::declval<PgConnection&>()))> {
  return pool_.read(std::move(fn));
}

template <typename Fn>
auto PgNotifyStore::write(Fn fn) -> Outcome<decltype(fn(std::declval<PgConnection&>()))> {
  return pool_.write(std::move(fn));
}

// ---------------------------------------------------------------------------------------
// Inbox

Outcome<std::vector<OutboxItem>> PgNotifyStore::pending_outbox(std::string_view channel,
                                                               int limit) {
  return write([&](PgConnection& connection) {
    // Claim the rows, then read them with their events and projects.
    const std::string now(kServerNowMs);
    PgResult result = connection.exec(
        "WITH claimed AS (UPDATE outbox SET claimed_by = $3, claimed_until = " + now +
            " + $4 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND channel = $1 "
            "AND (claimed_until IS NULL OR claimed_until < " +
            now +
            " OR claimed_by = $3) ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) "
            "RETURNING id, event_id, channel, triggers, recipients, project_id) "
            "SELECT c.id, c.event_id, c.channel, c.triggers, c.recipients, e.payload, p.owner, "
            "p.name, p.workflow, p.workflow_version FROM claimed c JOIN events e ON e.id = "
            "c.event_id JOIN projects p ON p.id = c.project_id ORDER BY c.id",
        PgParams().text(std::string(channel)).number(limit).text(claimer_).number(kClaimLeaseMs));
    std::vector<OutboxItem> items;
    for (int row = 0; row < result.rows(); ++row) {
      OutboxItem item;
      item.id = result.number(row, 0);
      item.event_id = result.number(row, 1);
      item.channel = text_of(result, row, 2);
      item.triggers = rows::names_from(text_of(result, row, 3), engine::parse_trigger_name);
      item.recipients = rows::names_from(text_of(result, row, 4), engine::parse_recipient_name);
      item.event = rows::event_from(text_of(result, row, 5));
      item.project_owner = text_of(result, row, 6);
      item.project_name = text_of(result, row, 7);
      item.workflow = text_of(result, row, 8);
      item.workflow_version = result.number(row, 9);
      items.push_back(std::move(item));
    }
    return items;
  });
}

Outcome<std::vector<std::string>> PgNotifyStore::users_with_role(const std::string& role) {
  return read([&](PgConnection& connection) {
    PgResult result = connection.exec(
        "SELECT id FROM users WHERE roles ? $1 AND disabled = 0 ORDER BY id COLLATE \"C\"",
        PgParams().text(role));
    std::vector<std::string> users;
    for (int row = 0; row < result.rows(); ++row)
      users.push_back(text_of(result, row, 0));
    return users;
  });
}

Outcome<std::optional<engine::Viewer>> PgNotifyStore::viewer(const std::string& id) {
  return read([&](PgConnection& connection) -> std::optional<engine::Viewer> {
    PgResult result = connection.exec(
        "SELECT roles::text, COALESCE(unit, '') FROM users WHERE id = $1", PgParams().text(id));
    if (result.rows() == 0) return std::nullopt;
    return engine::Viewer{id, storage::roles_from_json(text_of(result, 0, 0)),
                          text_of(result, 0, 1)};
  });
}

Outcome<bool> PgNotifyStore::user_exists(const std::string& id) {
  return read([&](PgConnection& connection) {
    return connection
               .exec("SELECT 1 FROM users WHERE id = $1 AND disabled = 0", PgParams().text(id))
               .rows() > 0;
  });
}

Outcome<storage::Ok> PgNotifyStore::settle_inbox(const std::vector<InboxEntry>& entries) {
  return write([&](PgConnection& connection) {
    for (const InboxEntry& entry : entries) {
      if (!entry.skip) {
        for (const std::string& user : entry.users) {
          std::string deadlines(kDeadlinesEach);
          if (entry.type == kDigestedEventType) {
            PgResult chosen =
                connection.exec("SELECT deadlines FROM notification_settings WHERE user_id = $1",
                                PgParams().text(user));
            if (chosen.rows() > 0) deadlines = text_of(chosen, 0, 0);
          }
          const bool held = rows::held_for_digest(entry.type, deadlines);
          // A held alert is stored read (it is not news on its own) and counted in the
          // day's digest, which becomes unread again.
          PgParams params;
          params.text(user)
              .number(entry.event_id)
              .text(entry.project_id)
              .text(entry.type)
              .text(rows::names_to(entry.triggers, engine::trigger_name))
              .text(entry.title_zh)
              .text(entry.title_en)
              .number(entry.created_at)
              .number(held ? 1 : 0);
          optional(params, held ? std::optional<std::int64_t>(entry.created_at) : std::nullopt);
          PgResult inserted = connection.exec(
              "INSERT INTO notifications (user_id, event_id, project_id, type, triggers, "
              "title_zh, title_en, created_at, held, read_at) "
              "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING",
              params);
          if (inserted.affected() > 0 && held) count_in_digest(connection, user, entry.created_at);
        }
      }
      PgParams settle;
      if (entry.skip) {
        settle.text(std::string(rows::kSkippedHistorical));
      } else {
        settle.null();
      }
      settle.number(entry.outbox_id);
      connection.exec(
          "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = $1, "
          "claimed_by = NULL, claimed_until = NULL WHERE id = $2",
          settle);
    }
    return storage::Ok{};
  });
}

Outcome<std::vector<std::string>> PgNotifyStore::post_notice(
    const std::vector<std::string>& users, const std::string& key, const std::string& type,
    const std::string& title_zh, const std::string& title_en, engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    // (user_id, notice) is unique: of two servers posting at once, one inserts and the
    // other's insert waits for it, then does nothing.
    std::vector<std::string> told;
    for (const std::string& user : users) {
      PgResult inserted = connection.exec(
          "INSERT INTO notifications (user_id, event_id, project_id, type, triggers, title_zh, "
          "title_en, created_at, notice) VALUES ($1, NULL, '', $2, '[]', $3, $4, $5, $6) "
          "ON CONFLICT DO NOTHING",
          PgParams().text(user).text(type).text(title_zh).text(title_en).number(now).text(key));
      if (inserted.affected() > 0) told.push_back(user);
    }
    return told;
  });
}

Outcome<storage::Ok> PgNotifyStore::settle_historical_outbox(engine::Timestamp before) {
  return write([&](PgConnection& connection) {
    // next_attempt_at is the event's time for rows never attempted: the partial index
    // outbox_pending finds them.
    connection.exec(
        "UPDATE outbox SET status = 'delivered', last_error = $2, claimed_by = NULL, "
        "claimed_until = NULL WHERE status = 'pending' AND next_attempt_at < $1",
        PgParams().number(before).text(std::string(rows::kSkippedHistorical)));
    return storage::Ok{};
  });
}

Outcome<storage::Ok> PgNotifyStore::settle_webhook_outbox(std::int64_t up_to_event_id) {
  return write([&](PgConnection& connection) {
    connection.exec(
        "UPDATE outbox SET status = 'delivered', claimed_by = NULL, claimed_until = NULL "
        "WHERE channel = 'webhook' AND status = 'pending' AND event_id <= $1",
        PgParams().number(up_to_event_id));
    return storage::Ok{};
  });
}

Outcome<NotificationPage> PgNotifyStore::notifications(const std::string& user, bool unread_only,
                                                       int limit, const std::string& cursor,
                                                       const std::string& type) {
  return read([&](PgConnection& connection) {
    const std::int64_t before = rows::page_before(cursor);
    PgResult result = connection.exec(
        "SELECT " + std::string(kNotificationColumns) +
            " WHERE n.user_id = $1 AND n.id < $2 AND ($3::integer = 0 OR n.read_at IS NULL) "
            "AND ($4::text = '' OR n.type = $4) AND ($4::text <> '' OR n.held = 0 OR "
            "n.notice IS NOT NULL) ORDER BY n.id DESC LIMIT $5",
        PgParams()
            .text(user)
            .number(before)
            .number(unread_only ? 1 : 0)
            .text(type)
            .number(limit + 1));
    NotificationPage page;
    for (int row = 0; row < result.rows(); ++row)
      page.items.push_back(notification_from(result, row, user));
    rows::close_page(page, limit);
    page.unread = connection.exec(count_unread_sql(), PgParams().text(user)).number(0, 0);
    return page;
  });
}

Outcome<std::vector<Notification>> PgNotifyStore::mentions(const std::string& user, int limit) {
  return read([&](PgConnection& connection) {
    // notifications_user_type: this user's comment notifications, newest first.
    PgResult result = connection.exec(
        "SELECT " + std::string(kNotificationColumns) +
            " WHERE n.user_id = $1 AND n.type = 'commented' ORDER BY n.id DESC LIMIT $2",
        PgParams().text(user).number(static_cast<std::int64_t>(limit) * 4));
    std::vector<Notification> found;
    for (int row = 0; row < result.rows() && static_cast<int>(found.size()) < limit; ++row) {
      Notification item = notification_from(result, row, user);
      if (!rows::mentioned(item.triggers)) continue;  // told by a rule, not mentioned
      found.push_back(std::move(item));
    }
    return found;
  });
}

Outcome<NotificationSettings> PgNotifyStore::settings(const std::string& user) {
  return read([&](PgConnection& connection) {
    NotificationSettings settings;
    PgResult result = connection.exec(
        "SELECT deadlines FROM notification_settings WHERE user_id = $1", PgParams().text(user));
    if (result.rows() > 0) settings.deadlines = text_of(result, 0, 0);
    return settings;
  });
}

Outcome<storage::Ok> PgNotifyStore::save_settings(const std::string& user,
                                                  const NotificationSettings& settings) {
  return write([&](PgConnection& connection) {
    connection.exec(
        "INSERT INTO notification_settings (user_id, deadlines) VALUES ($1, $2) "
        "ON CONFLICT (user_id) DO UPDATE SET deadlines = excluded.deadlines",
        PgParams().text(user).text(settings.deadlines));
    return storage::Ok{};
  });
}

Outcome<std::int64_t> PgNotifyStore::unread_count(const std::string& user) {
  return read([&](PgConnection& connection) {
    return connection.exec(count_unread_sql(), PgParams().text(user)).number(0, 0);
  });
}

Outcome<bool> PgNotifyStore::mark_read(const std::string& user, std::int64_t id,
                                       engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    PgResult found =
        connection.exec("SELECT read_at FROM notifications WHERE id = $1 AND user_id = $2",
                        PgParams().number(id).text(user));
    if (found.rows() == 0) return false;
    connection.exec(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS "
        "NULL",
        PgParams().number(now).number(id).text(user));
    return true;
  });
}

Outcome<std::int64_t> PgNotifyStore::mark_all_read(const std::string& user, engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    return connection
        .exec("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
              PgParams().number(now).text(user))
        .affected();
  });
}

// ---------------------------------------------------------------------------------------
// Webhooks

Outcome<Webhook> PgNotifyStore::add_webhook(Webhook webhook) {
  return write([&](PgConnection& connection) {
    PgResult inserted = connection.exec(
        "INSERT INTO webhooks (url, secret, events, format, created_by, created_at, "
        "after_event_id) SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, "
        "COALESCE(MAX(id), 0) FROM events "
        "RETURNING id, after_event_id",
        PgParams()
            .text(webhook.url)
            .text(rows::stored_secret(secrets_.get(), webhook.secret))
            .text(rows::names_to(webhook.events, engine::event_filter_name))
            .text(webhook.format)
            .text(webhook.created_by)
            .number(webhook.created_at));
    webhook.id = inserted.number(0, 0);
    webhook.after_event_id = inserted.number(0, 1);
    return webhook;
  });
}

Outcome<std::vector<Webhook>> PgNotifyStore::webhooks() {
  return read([&](PgConnection& connection) {
    PgResult result = connection.exec(
        "SELECT id, url, secret, events, format, created_by, created_at, after_event_id "
        "FROM webhooks WHERE deleted_at IS NULL ORDER BY id");
    std::vector<Webhook> out;
    for (int row = 0; row < result.rows(); ++row) {
      Webhook webhook;
      webhook.id = result.number(row, 0);
      webhook.url = text_of(result, row, 1);
      webhook.secret = text_of(result, row, 2);
      rows::open_secret(webhook, secrets_.get());
      webhook.events = rows::names_from(text_of(result, row, 3), engine::parse_event_filter);
      webhook.format = text_of(result, row, 4);
      webhook.created_by = text_of(result, row, 5);
      webhook.created_at = result.number(row, 6);
      webhook.after_event_id = result.number(row, 7);
      out.push_back(std::move(webhook));
    }
    return out;
  });
}

Outcome<int> PgNotifyStore::seal_plain_secrets() {
  if (!secrets_) return engine::fail(rows::no_secret_key());
  return write([&](PgConnection& connection) {
    PgResult plain = connection.exec(
        "SELECT id, secret FROM webhooks WHERE secret <> '' AND secret NOT LIKE 'sb1:%' "
        "ORDER BY id FOR UPDATE");
    for (int row = 0; row < plain.rows(); ++row) {
      connection.exec(
          "UPDATE webhooks SET secret = $1 WHERE id = $2",
          PgParams().text(secrets_->seal(text_of(plain, row, 1))).number(plain.number(row, 0)));
    }
    return plain.rows();
  });
}

Outcome<bool> PgNotifyStore::delete_webhook(std::int64_t id, engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    PgResult deleted =
        connection.exec("UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
                        PgParams().number(now).number(id));
    if (deleted.affected() == 0) return false;
    // Nobody will try them again: say so in the log rather than leave them pending.
    connection.exec(
        "UPDATE deliveries SET status = 'dead', last_error = $1, claimed_by = NULL, "
        "claimed_until = NULL WHERE webhook_id = $2 AND status = 'pending'",
        PgParams().text(std::string(rows::kWebhookDeleted)).number(id));
    return true;
  });
}

Outcome<int> PgNotifyStore::fan_out(const Webhook& webhook, int limit, engine::Timestamp now,
                                    engine::Timestamp historical_before) {
  return write([&](PgConnection& connection) {
    // The webhook's row is locked: two servers fanning out the same webhook take turns, and
    // the second starts where the first left off.
    PgResult position = connection.exec(
        "SELECT after_event_id FROM webhooks WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        PgParams().number(webhook.id));
    if (position.rows() == 0) return 0;
    PgResult events = connection.exec(
        "SELECT id, type, at, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2",
        PgParams().number(position.number(0, 0)).number(limit));
    if (events.rows() == 0) return 0;
    const bool wants_routed = rows::takes_routed(webhook);
    PgArray taken;
    for (int row = 0; row < events.rows(); ++row) {
      if (events.number(row, 2) < historical_before) continue;
      const std::int64_t event_id = events.number(row, 0);
      bool matches = rows::takes_event(webhook, events.text(row, 1), text_of(events, row, 3));
      if (!matches && wants_routed) {
        // "notify": what the workflow's notify rules send to the webhook channel.
        matches = connection
                      .exec("SELECT 1 FROM outbox WHERE event_id = $1 AND channel = 'webhook'",
                            PgParams().number(event_id))
                      .rows() > 0;
      }
      if (matches) taken.number(event_id);
    }
    if (!taken.empty()) {
      connection.exec(
          "INSERT INTO deliveries (webhook_id, event_id, next_attempt_at, created_at) "
          "SELECT $1::bigint, event_id, $2::bigint, $2::bigint FROM unnest($3::bigint[]) AS t "
          "(event_id) "
          "ON CONFLICT DO NOTHING",
          PgParams().number(webhook.id).number(now).text(taken.literal()));
    }
    connection.exec("UPDATE webhooks SET after_event_id = $1 WHERE id = $2",
                    PgParams().number(events.number(events.rows() - 1, 0)).number(webhook.id));
    return events.rows();
  });
}

// ---------------------------------------------------------------------------------------
// Deliveries

Outcome<std::vector<DueDelivery>> PgNotifyStore::due_deliveries(std::int64_t webhook_id,
                                                                engine::Timestamp now, int limit) {
  return write([&](PgConnection& connection) {
    const std::string server_now(kServerNowMs);
    PgResult result = connection.exec(
        "WITH claimed AS (UPDATE deliveries SET claimed_by = $4, claimed_until = " + server_now +
            " + $5 WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = $1 AND status = "
            "'pending' AND next_attempt_at <= $2 AND (claimed_until IS NULL OR claimed_until < " +
            server_now +
            " OR claimed_by = $4) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *) "
            "SELECT " +
            std::string(kDeliveryColumns) +
            ", e.payload, COALESCE(p.name, ''), COALESCE(p.workflow, ''), "
            "COALESCE(p.workflow_version, 0), COALESCE(b.batch, '') FROM claimed d "
            "JOIN events e ON e.id = d.event_id LEFT JOIN projects p ON p.id = e.project_id "
            "LEFT JOIN event_batches b ON b.event_id = d.event_id ORDER BY d.id",
        PgParams()
            .number(webhook_id)
            .number(now)
            .number(limit)
            .text(claimer_)
            .number(kClaimLeaseMs));
    std::vector<DueDelivery> out;
    for (int row = 0; row < result.rows(); ++row) {
      DueDelivery due;
      due.delivery = delivery_from(result, row);
      due.event = rows::event_from(text_of(result, row, 11));
      due.project_name = text_of(result, row, 12);
      due.workflow = text_of(result, row, 13);
      due.workflow_version = result.number(row, 14);
      due.batch = text_of(result, row, 15);
      out.push_back(std::move(due));
    }
    return out;
  });
}

Outcome<storage::Ok> PgNotifyStore::record_delivered(std::int64_t id, int http_status,
                                                     engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    connection.exec(
        "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $1, "
        "last_error = NULL, delivered_at = $2, digest = NULL, claimed_by = NULL, "
        "claimed_until = NULL WHERE id = $3",
        PgParams().number(http_status).number(now).number(id));
    return storage::Ok{};
  });
}

Outcome<storage::Ok> PgNotifyStore::record_digest_delivered(const std::vector<std::int64_t>& ids,
                                                            int http_status,
                                                            engine::Timestamp now) {
  if (ids.empty()) return storage::Ok{};
  return write([&](PgConnection& connection) {
    PgArray all;
    for (const std::int64_t id : ids)
      all.number(id);
    connection.exec(
        "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $1, "
        "last_error = NULL, delivered_at = $2, digest = $3, claimed_by = NULL, "
        "claimed_until = NULL WHERE id = ANY($4::bigint[])",
        PgParams().number(http_status).number(now).number(ids.front()).text(all.literal()));
    return storage::Ok{};
  });
}

Outcome<storage::Ok> PgNotifyStore::record_failures(const std::vector<FailedAttempt>& failed,
                                                    const std::string& error,
                                                    std::optional<int> http_status) {
  return write([&](PgConnection& connection) {
    for (const FailedAttempt& attempt : failed) {
      const DeliveryStatus status =
          attempt.retry_at ? DeliveryStatus::pending : DeliveryStatus::dead;
      PgParams params;
      params.text(std::string(engine::name_in(kDeliveryStatusNames, status)))
          .number(attempt.attempts)
          .text(error);
      optional(params, http_status ? std::optional<std::int64_t>(*http_status) : std::nullopt);
      optional(params, attempt.retry_at);
      params.number(attempt.id);
      connection.exec(
          "UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, last_status = $4, "
          "next_attempt_at = COALESCE($5, next_attempt_at), claimed_by = NULL, "
          "claimed_until = NULL WHERE id = $6",
          params);
    }
    return storage::Ok{};
  });
}

Outcome<std::vector<Delivery>> PgNotifyStore::deliveries(std::optional<DeliveryStatus> wanted,
                                                         int limit, std::int64_t before_id) {
  return read([&](PgConnection& connection) {
    const std::string status(wanted ? engine::name_in(kDeliveryStatusNames, *wanted) : "");
    PgResult result =
        connection.exec("SELECT " + std::string(kDeliveryColumns) +
                            " FROM deliveries d WHERE ($1::text = '' OR d.status = $1) "
                            "AND d.id < $2 ORDER BY d.id DESC LIMIT $3",
                        PgParams().text(status).number(before_id).number(limit));
    std::vector<Delivery> out;
    for (int row = 0; row < result.rows(); ++row)
      out.push_back(delivery_from(result, row));
    return out;
  });
}

Outcome<std::optional<Delivery>> PgNotifyStore::delivery(std::int64_t id) {
  return read([&](PgConnection& connection) -> std::optional<Delivery> {
    PgResult result = connection.exec(
        "SELECT " + std::string(kDeliveryColumns) + " FROM deliveries d WHERE d.id = $1",
        PgParams().number(id));
    if (result.rows() == 0) return std::nullopt;
    return delivery_from(result, 0);
  });
}

Outcome<bool> PgNotifyStore::replay(std::int64_t id, engine::Timestamp now) {
  return write([&](PgConnection& connection) {
    return connection
               .exec(
                   "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, "
                   "delivered_at = NULL, digest = NULL, claimed_by = NULL, claimed_until = NULL "
                   "WHERE id = $2 AND webhook_id IN (SELECT id FROM webhooks WHERE deleted_at IS "
                   "NULL)",
                   PgParams().number(now).number(id))
               .affected() == 1;
  });
}

Outcome<std::optional<engine::Timestamp>> PgNotifyStore::next_attempt(std::int64_t webhook_id) {
  return read([&](PgConnection& connection) {
    PgResult result = connection.exec(
        "SELECT MIN(next_attempt_at) FROM deliveries WHERE webhook_id = $1 AND status = "
        "'pending'",
        PgParams().number(webhook_id));
    return optional_number(result, 0, 0);
  });
}

// ---------------------------------------------------------------------------------------
// Chat robots' posts

Outcome<std::vector<engine::Timestamp>> PgNotifyStore::robot_posts(const std::string& url,
                                                                   engine::Timestamp since) {
  return read([&](PgConnection& connection) {
    PgResult result =
        connection.exec("SELECT at FROM robot_posts WHERE url = $1 AND at >= $2 ORDER BY at",
                        PgParams().text(url).number(since));
    std::vector<engine::Timestamp> out;
    for (int row = 0; row < result.rows(); ++row)
      out.push_back(result.number(row, 0));
    return out;
  });
}

Outcome<storage::Ok> PgNotifyStore::record_robot_post(const std::string& url, engine::Timestamp at,
                                                      engine::Timestamp forget_before) {
  return write([&](PgConnection& connection) {
    connection.exec("DELETE FROM robot_posts WHERE url = $1 AND at < $2",
                    PgParams().text(url).number(forget_before));
    connection.exec("INSERT INTO robot_posts (url, at) VALUES ($1, $2)",
                    PgParams().text(url).number(at));
    return storage::Ok{};
  });
}

}  // namespace investflow::notify
