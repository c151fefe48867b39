#include "notify/notify_store.hpp"

#include <SQLiteCpp/Transaction.h>

#include <algorithm>

#include "notify/message.hpp"
#include "notify/notify_rows.hpp"
#include "notify/pg_notify_store.hpp"
#include "storage/auth.hpp"
#include "storage/codec.hpp"
#include "storage/pg_connection.hpp"

namespace investflow::notify {

namespace {

constexpr int kBusyTimeoutMs = 10000;

using rows::event_from;
using rows::names_from;
using rows::names_to;
using rows::strings_from;

std::optional<std::int64_t> optional_int(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

Delivery delivery_from(SQLite::Statement& row) {
  Delivery delivery;
  delivery.id = row.getColumn(0).getInt64();
  delivery.webhook_id = row.getColumn(1).getInt64();
  delivery.event_id = row.getColumn(2).getInt64();
  delivery.status = rows::delivery_status(row.getColumn(3).getString());
  delivery.attempts = row.getColumn(4).getInt();
  delivery.next_attempt_at = row.getColumn(5).getInt64();
  delivery.last_error = row.getColumn(6).getString();
  if (auto status = optional_int(row.getColumn(7)))
    delivery.last_status = static_cast<int>(*status);
  delivery.created_at = row.getColumn(8).getInt64();
  delivery.delivered_at = optional_int(row.getColumn(9));
  delivery.digest = optional_int(row.getColumn(10));
  return delivery;
}

constexpr const char* kDeliveryColumns =
    "d.id, d.webhook_id, d.event_id, d.status, d.attempts, d.next_attempt_at, "
    "COALESCE(d.last_error, ''), d.last_status, d.created_at, d.delivered_at, d.digest";

}  // namespace

Webhook SqliteNotifyStore::webhook_from(SQLite::Statement& row) const {
  Webhook webhook;
  webhook.id = row.getColumn(0).getInt64();
  webhook.url = row.getColumn(1).getString();
  webhook.secret = row.getColumn(2).getString();
  rows::open_secret(webhook, secrets_.get());
  webhook.events = names_from(row.getColumn(3).getString(), engine::parse_event_filter);
  webhook.format = row.getColumn(4).getString();
  webhook.created_by = row.getColumn(5).getString();
  webhook.created_at = row.getColumn(6).getInt64();
  webhook.after_event_id = row.getColumn(7).getInt64();
  return webhook;
}

bool webhook_matches(const std::vector<engine::EventFilter>& filter, std::string_view type,
                     const std::vector<engine::NotifyTrigger>& triggers) {
  return std::any_of(filter.begin(), filter.end(), [&](const engine::EventFilter& wanted) {
    return engine::filter_takes(wanted, type, triggers);
  });
}

Outcome<std::shared_ptr<NotifyStore>> NotifyStore::open(const std::filesystem::path& database,
                                                        std::shared_ptr<const SecretBox> secrets) {
  if (storage::is_postgres_uri(database.string())) {
    return PgNotifyStore::open(database.string(), std::move(secrets));
  }
  try {
    return std::shared_ptr<NotifyStore>(
        std::make_shared<SqliteNotifyStore>(database, std::move(secrets)));
  } catch (const std::exception& error) {
    return engine::fail(storage::storage_error(error));
  }
}

SqliteNotifyStore::SqliteNotifyStore(const std::filesystem::path& path,
                                     std::shared_ptr<const SecretBox> secrets)
    // NORMAL: a notification lost to a power cut is simply sent again (at least once).
    : connection_(path, storage::Connection::Mode::read_write, kBusyTimeoutMs,
                  storage::Synchronous::normal),
      readers_(path, kReaders, kBusyTimeoutMs),
      secrets_(std::move(secrets)) {
}

template <typename T, typename Fn>
Outcome<T> SqliteNotifyStore::read(Fn&& fn) {
  try {
    auto lease = readers_.borrow();
    return fn(*lease);
  } catch (const std::exception& error) {
    return engine::fail(storage::storage_error(error));
  }
}

template <typename T, typename Fn>
Outcome<T> SqliteNotifyStore::run(Fn&& fn) {
  std::lock_guard lock(mutex_);
  try {
    return fn();
  } catch (const std::exception& error) {
    return engine::fail(storage::storage_error(error));
  }
}

// ---------------------------------------------------------------------------------------
// Inbox

Outcome<std::vector<OutboxItem>> SqliteNotifyStore::pending_outbox(std::string_view channel,
                                                                   int limit) {
  return run<std::vector<OutboxItem>>([&] {
    auto select = connection_.statement(std::string(kPendingOutboxQuery));
    select->bind(1, std::string(channel));
    select->bind(2, limit);
    std::vector<OutboxItem> items;
    while (select->executeStep()) {
      OutboxItem item;
      item.id = select->getColumn(0).getInt64();
      item.event_id = select->getColumn(1).getInt64();
      item.channel = select->getColumn(2).getString();
      item.triggers = names_from(select->getColumn(3).getString(), engine::parse_trigger_name);
      item.recipients = names_from(select->getColumn(4).getString(), engine::parse_recipient_name);
      item.event = event_from(select->getColumn(5).getString());
      item.project_owner = select->getColumn(6).getString();
      item.project_name = select->getColumn(7).getString();
      item.workflow = select->getColumn(8).getString();
      item.workflow_version = select->getColumn(9).getInt64();
      items.push_back(std::move(item));
    }
    return items;
  });
}

Outcome<std::vector<std::string>> SqliteNotifyStore::users_with_role(const std::string& role) {
  return run<std::vector<std::string>>([&] {
    auto select = connection_.statement(
        "SELECT u.id FROM users u, json_each(u.roles) r "
        "WHERE r.value = ? AND u.disabled = 0 ORDER BY u.id");
    select->bind(1, role);
    std::vector<std::string> users;
    while (select->executeStep())
      users.push_back(select->getColumn(0).getString());
    return users;
  });
}

Outcome<std::optional<engine::Viewer>> SqliteNotifyStore::viewer(const std::string& id) {
  return run<std::optional<engine::Viewer>>([&]() -> std::optional<engine::Viewer> {
    auto select = connection_.statement("SELECT roles, unit FROM users WHERE id = ?");
    select->bind(1, id);
    if (!select->executeStep()) return std::nullopt;
    return engine::Viewer{id, storage::roles_from_json(select->getColumn(0).getString()),
                          select->getColumn(1).getString()};
  });
}

Outcome<bool> SqliteNotifyStore::user_exists(const std::string& id) {
  return run<bool>([&] {
    auto select = connection_.statement("SELECT 1 FROM users WHERE id = ? AND disabled = 0");
    select->bind(1, id);
    return select->executeStep();
  });
}

Outcome<storage::Ok> SqliteNotifyStore::settle_inbox(const std::vector<InboxEntry>& entries) {
  return run<storage::Ok>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    for (const InboxEntry& entry : entries) {
      if (!entry.skip) {
        for (const std::string& user : entry.users) {
          const bool held = entry.type == kDigestedEventType &&
                            rows::held_for_digest(entry.type, deadlines_of(user));
          // A held alert is stored read (it is not news on its own) and counted in the day's
          // digest, which becomes unread again.
          auto insert = connection_.statement(
              "INSERT OR IGNORE INTO notifications (user_id, event_id, project_id, type, "
              "triggers, title_zh, title_en, created_at, held, read_at) "
              "VALUES (?,?,?,?,?,?,?,?,?,?)");
          insert->bind(1, user);
          insert->bind(2, entry.event_id);
          insert->bind(3, entry.project_id);
          insert->bind(4, entry.type);
          insert->bind(5, names_to(entry.triggers, engine::trigger_name));
          insert->bind(6, entry.title_zh);
          insert->bind(7, entry.title_en);
          insert->bind(8, entry.created_at);
          insert->bind(9, held ? 1 : 0);
          if (held) {
            insert->bind(10, entry.created_at);
          } else {
            insert->bind(10);
          }
          if (insert->exec() > 0 && held) count_in_digest(user, entry.created_at);
        }
      }
      auto settle = connection_.statement(
          "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, last_error = ? "
          "WHERE id = ?");
      if (entry.skip) {
        settle->bind(1, std::string(rows::kSkippedHistorical));
      } else {
        settle->bind(1);
      }
      settle->bind(2, entry.outbox_id);
      settle->exec();
    }
    transaction.commit();
    return storage::Ok{};
  });
}

std::string SqliteNotifyStore::deadlines_of(const std::string& user) {
  auto select =
      connection_.statement("SELECT deadlines FROM notification_settings WHERE user_id = ?");
  select->bind(1, user);
  return select->executeStep() ? select->getColumn(0).getString() : std::string(kDeadlinesEach);
}

// The day's digest for `user` (one notice a day, keyed by the day): created with the first
// held alert, counted up with each next one (its `held` column is the count), unread again.
void SqliteNotifyStore::count_in_digest(const std::string& user, engine::Timestamp at) {
  const std::string key = rows::digest_key(at);
  auto upsert = connection_.statement(
      "INSERT INTO notifications (user_id, event_id, project_id, type, triggers, title_zh, "
      "title_en, created_at, notice, held) VALUES (?, NULL, '', ?, '[]', '', '', ?, ?, 1) "
      "ON CONFLICT (user_id, notice) DO UPDATE SET held = held + 1, read_at = NULL, "
      "created_at = excluded.created_at RETURNING held");
  upsert->bind(1, user);
  upsert->bind(2, std::string(kDigestType));
  upsert->bind(3, at);
  upsert->bind(4, key);
  upsert->executeStep();
  const std::int64_t count = upsert->getColumn(0).getInt64();
  upsert->reset();
  auto title = connection_.statement(
      "UPDATE notifications SET title_zh = ?, title_en = ? WHERE user_id = ? AND notice = ?");
  title->bind(1, rows::digest_title_zh(at, count));
  title->bind(2, rows::digest_title_en(at, count));
  title->bind(3, user);
  title->bind(4, key);
  title->exec();
}

Outcome<std::vector<Notification>> SqliteNotifyStore::mentions(const std::string& user, int limit) {
  return read<std::vector<Notification>>([&](storage::Connection& connection) {
    // notifications_user_type (schema migration 15): this user's comment notifications,
    // newest first, read from the index.
    auto select = connection.statement(
        "SELECT n.id, n.project_id, COALESCE(p.name, ''), n.triggers, n.title_zh, n.title_en, "
        "n.created_at, n.read_at FROM notifications n LEFT JOIN projects p ON p.id = "
        "n.project_id WHERE n.user_id = ? AND n.type = 'commented' ORDER BY n.id DESC LIMIT ?");
    select->bind(1, user);
    select->bind(2, limit * 4);
    std::vector<Notification> found;
    while (select->executeStep() && static_cast<int>(found.size()) < limit) {
      Notification item;
      item.id = select->getColumn(0).getInt64();
      item.user_id = user;
      item.type = "commented";
      item.project_id = select->getColumn(1).getString();
      item.project_name = select->getColumn(2).getString();
      item.triggers = strings_from(select->getColumn(3).getString());
      if (!rows::mentioned(item.triggers)) continue;  // told by a rule, not mentioned
      item.title_zh = select->getColumn(4).getString();
      item.title_en = select->getColumn(5).getString();
      item.created_at = select->getColumn(6).getInt64();
      item.read_at = optional_int(select->getColumn(7));
      found.push_back(std::move(item));
    }
    return found;
  });
}

Outcome<NotificationSettings> SqliteNotifyStore::settings(const std::string& user) {
  return read<NotificationSettings>([&](storage::Connection& connection) {
    NotificationSettings settings;
    auto select =
        connection.statement("SELECT deadlines FROM notification_settings WHERE user_id = ?");
    select->bind(1, user);
    if (select->executeStep()) settings.deadlines = select->getColumn(0).getString();
    return settings;
  });
}

Outcome<storage::Ok> SqliteNotifyStore::save_settings(const std::string& user,
                                                      const NotificationSettings& settings) {
  return run<storage::Ok>([&] {
    auto upsert = connection_.statement(
        "INSERT INTO notification_settings (user_id, deadlines) VALUES (?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET deadlines = excluded.deadlines");
    upsert->bind(1, user);
    upsert->bind(2, settings.deadlines);
    upsert->exec();
    return storage::Ok{};
  });
}

Outcome<storage::Ok> SqliteNotifyStore::settle_historical_outbox(engine::Timestamp before) {
  return run<storage::Ok>([&] {
    // next_attempt_at is the event's time for rows never attempted: the partial index
    // outbox_pending finds them.
    {
      auto pending = connection_.statement(std::string(kPendingHistoricalOutboxQuery));
      pending->bind(1, before);
      if (!pending->executeStep()) return storage::Ok{};
    }  // reset: an UPDATE under a stepped SELECT upgrades its snapshot, and fails with
       // SQLITE_BUSY_SNAPSHOT (no waiting) once the writer has committed since
    auto settle = connection_.statement(std::string(kSettleHistoricalOutboxUpdate));
    settle->bind(1, before);
    settle->exec();
    return storage::Ok{};
  });
}

Outcome<std::vector<std::string>> SqliteNotifyStore::post_notice(
    const std::vector<std::string>& users, const std::string& key, const std::string& type,
    const std::string& title_zh, const std::string& title_en, engine::Timestamp now) {
  return run<std::vector<std::string>>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<std::string> told;
    for (const std::string& user : users) {
      auto insert = connection_.statement(
          "INSERT OR IGNORE INTO notifications (user_id, event_id, project_id, type, triggers, "
          "title_zh, title_en, created_at, notice) VALUES (?, NULL, '', ?, '[]', ?, ?, ?, ?)");
      insert->bind(1, user);
      insert->bind(2, type);
      insert->bind(3, title_zh);
      insert->bind(4, title_en);
      insert->bind(5, now);
      insert->bind(6, key);
      if (insert->exec() > 0) told.push_back(user);
    }
    transaction.commit();
    return told;
  });
}

Outcome<storage::Ok> SqliteNotifyStore::settle_webhook_outbox(std::int64_t up_to_event_id) {
  return run<storage::Ok>([&] {
    // Look before writing: every write from this connection makes the store's writer
    // drop its cache of projects (another connection committed).
    auto pending = connection_.statement(std::string(kPendingWebhookOutboxQuery));
    pending->bind(1, up_to_event_id);
    if (!pending->executeStep()) return storage::Ok{};
    pending->reset();  // a read held open would pin its snapshot under the UPDATE
    auto settle = connection_.statement(std::string(kSettleWebhookOutboxUpdate));
    settle->bind(1, up_to_event_id);
    settle->exec();
    return storage::Ok{};
  });
}

Outcome<NotificationPage> SqliteNotifyStore::notifications(const std::string& user,
                                                           bool unread_only, int limit,
                                                           const std::string& cursor,
                                                           const std::string& type) {
  return read<NotificationPage>([&](storage::Connection& connection) {
    const std::int64_t before = rows::page_before(cursor);
    auto select = connection.statement(
        "SELECT n.id, n.event_id, n.project_id, COALESCE(p.name, ''), n.type, n.triggers, "
        "n.title_zh, n.title_en, n.created_at, n.read_at FROM notifications n "
        "LEFT JOIN projects p ON p.id = n.project_id WHERE n.user_id = ? AND n.id < ? "
        "AND (? = 0 OR n.read_at IS NULL) AND (? = '' OR n.type = ?) "
        "AND (? <> '' OR n.held = 0 OR n.notice IS NOT NULL) ORDER BY n.id DESC LIMIT ?");
    select->bind(1, user);
    select->bind(2, before);
    select->bind(3, unread_only ? 1 : 0);
    select->bind(4, type);
    select->bind(5, type);
    select->bind(6, type);
    select->bind(7, limit + 1);
    NotificationPage page;
    while (select->executeStep()) {
      Notification item;
      item.id = select->getColumn(0).getInt64();
      item.user_id = user;
      item.event_id = optional_int(select->getColumn(1));
      item.project_id = select->getColumn(2).getString();
      item.project_name = select->getColumn(3).getString();
      item.type = select->getColumn(4).getString();
      item.triggers = strings_from(select->getColumn(5).getString());
      item.title_zh = select->getColumn(6).getString();
      item.title_en = select->getColumn(7).getString();
      item.created_at = select->getColumn(8).getInt64();
      item.read_at = optional_int(select->getColumn(9));
      page.items.push_back(std::move(item));
    }
    rows::close_page(page, limit);
    auto count = connection.statement(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL");
    count->bind(1, user);
    count->executeStep();
    page.unread = count->getColumn(0).getInt64();
    return page;
  });
}

Outcome<std::int64_t> SqliteNotifyStore::unread_count(const std::string& user) {
  return read<std::int64_t>([&](storage::Connection& connection) {
    auto count = connection.statement(
        "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL");
    count->bind(1, user);
    count->executeStep();
    return count->getColumn(0).getInt64();
  });
}

Outcome<bool> SqliteNotifyStore::mark_read(const std::string& user, std::int64_t id,
                                           engine::Timestamp now) {
  return run<bool>([&] {
    auto exists =
        connection_.statement("SELECT read_at FROM notifications WHERE id = ? AND user_id = ?");
    exists->bind(1, id);
    exists->bind(2, user);
    if (!exists->executeStep()) return false;
    const bool unread = exists->getColumn(0).isNull();
    exists->reset();
    if (unread) {
      auto update = connection_.statement(
          "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL");
      update->bind(1, now);
      update->bind(2, id);
      update->bind(3, user);
      update->exec();
    }
    return true;
  });
}

Outcome<std::int64_t> SqliteNotifyStore::mark_all_read(const std::string& user,
                                                       engine::Timestamp now) {
  return run<std::int64_t>([&] {
    auto update = connection_.statement(
        "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL");
    update->bind(1, now);
    update->bind(2, user);
    return static_cast<std::int64_t>(update->exec());
  });
}

// ---------------------------------------------------------------------------------------
// Webhooks

Outcome<Webhook> SqliteNotifyStore::add_webhook(Webhook webhook) {
  return run<Webhook>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    webhook.after_event_id =
        connection_.db().execAndGet("SELECT COALESCE(MAX(id), 0) FROM events").getInt64();
    auto insert = connection_.statement(
        "INSERT INTO webhooks (url, secret, events, format, created_by, created_at, "
        "after_event_id) VALUES (?,?,?,?,?,?,?)");
    insert->bind(1, webhook.url);
    insert->bind(2, rows::stored_secret(secrets_.get(), webhook.secret));
    insert->bind(3, names_to(webhook.events, engine::event_filter_name));
    insert->bind(4, webhook.format);
    insert->bind(5, webhook.created_by);
    insert->bind(6, webhook.created_at);
    insert->bind(7, webhook.after_event_id);
    insert->exec();
    webhook.id = connection_.db().getLastInsertRowid();
    transaction.commit();
    return webhook;
  });
}

Outcome<std::vector<Webhook>> SqliteNotifyStore::webhooks() {
  return read<std::vector<Webhook>>([&](storage::Connection& connection) {
    auto select = connection.statement(
        "SELECT id, url, secret, events, format, created_by, created_at, after_event_id "
        "FROM webhooks WHERE deleted_at IS NULL ORDER BY id");
    std::vector<Webhook> out;
    while (select->executeStep())
      out.push_back(webhook_from(*select));
    return out;
  });
}

Outcome<int> SqliteNotifyStore::seal_plain_secrets() {
  if (!secrets_) {
    return engine::fail(rows::no_secret_key());
  }
  return run<int>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<std::pair<std::int64_t, std::string>> plain;
    {
      auto select = connection_.statement(
          "SELECT id, secret FROM webhooks WHERE secret <> '' AND secret NOT LIKE 'sb1:%'");
      while (select->executeStep())
        plain.emplace_back(select->getColumn(0).getInt64(), select->getColumn(1).getString());
    }
    for (const auto& [id, secret] : plain) {
      auto update = connection_.statement("UPDATE webhooks SET secret = ? WHERE id = ?");
      update->bind(1, secrets_->seal(secret));
      update->bind(2, id);
      update->exec();
    }
    transaction.commit();
    return static_cast<int>(plain.size());
  });
}

Outcome<bool> SqliteNotifyStore::delete_webhook(std::int64_t id, engine::Timestamp now) {
  return run<bool>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto update = connection_.statement(
        "UPDATE webhooks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
    update->bind(1, now);
    update->bind(2, id);
    if (update->exec() == 0) return false;
    // Nobody will try them again: say so in the log rather than leave them pending.
    auto bury = connection_.statement(
        "UPDATE deliveries SET status = 'dead', last_error = ? "
        "WHERE webhook_id = ? AND status = 'pending'");
    bury->bind(1, std::string(rows::kWebhookDeleted));
    bury->bind(2, id);
    bury->exec();
    transaction.commit();
    return true;
  });
}

Outcome<int> SqliteNotifyStore::fan_out(const Webhook& webhook, int limit, engine::Timestamp now,
                                        engine::Timestamp historical_before) {
  return run<int>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto position = connection_.statement(
        "SELECT after_event_id FROM webhooks WHERE id = ? AND deleted_at IS NULL");
    position->bind(1, webhook.id);
    if (!position->executeStep()) return 0;
    const std::int64_t after = position->getColumn(0).getInt64();
    position->reset();

    auto select = connection_.statement(
        "SELECT id, type, at, payload FROM events WHERE id > ? ORDER BY id LIMIT ?");
    select->bind(1, after);
    select->bind(2, limit);
    struct Row {
      std::int64_t id;
      std::string type;
      engine::Timestamp at;
      std::string payload;
    };
    std::vector<Row> rows;
    while (select->executeStep()) {
      rows.push_back({select->getColumn(0).getInt64(), select->getColumn(1).getString(),
                      select->getColumn(2).getInt64(), select->getColumn(3).getString()});
    }
    select->reset();
    if (rows.empty()) return 0;
    const bool wants_notify = rows::takes_routed(webhook);
    for (const Row& row : rows) {
      if (row.at < historical_before) continue;
      bool matches = rows::takes_event(webhook, row.type, row.payload);
      if (!matches && wants_notify) {
        // "notify": what the workflow's notify rules send to the webhook channel.
        auto routed = connection_.statement(
            "SELECT 1 FROM outbox WHERE event_id = ? AND channel = 'webhook'");
        routed->bind(1, row.id);
        matches = routed->executeStep();
      }
      if (!matches) continue;
      auto insert = connection_.statement(
          "INSERT OR IGNORE INTO deliveries (webhook_id, event_id, next_attempt_at, created_at) "
          "VALUES (?,?,?,?)");
      insert->bind(1, webhook.id);
      insert->bind(2, row.id);
      insert->bind(3, now);
      insert->bind(4, now);
      insert->exec();
    }
    auto advance = connection_.statement("UPDATE webhooks SET after_event_id = ? WHERE id = ?");
    advance->bind(1, rows.back().id);
    advance->bind(2, webhook.id);
    advance->exec();
    transaction.commit();
    return static_cast<int>(rows.size());
  });
}

// ---------------------------------------------------------------------------------------
// Deliveries

Outcome<std::vector<DueDelivery>> SqliteNotifyStore::due_deliveries(std::int64_t webhook_id,
                                                                    engine::Timestamp now,
                                                                    int limit) {
  return run<std::vector<DueDelivery>>([&] {
    auto select = connection_.statement(
        std::string("SELECT ") + kDeliveryColumns +
        ", e.payload, COALESCE(p.name, ''), COALESCE(p.workflow, ''), "
        "COALESCE(p.workflow_version, 0), COALESCE(b.batch, '') FROM deliveries d "
        "JOIN events e ON e.id = d.event_id LEFT JOIN projects p ON p.id = e.project_id "
        "LEFT JOIN event_batches b ON b.event_id = d.event_id WHERE d.webhook_id = ? AND "
        "d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.id LIMIT ?");
    select->bind(1, webhook_id);
    select->bind(2, now);
    select->bind(3, limit);
    std::vector<DueDelivery> out;
    while (select->executeStep()) {
      DueDelivery due;
      due.delivery = delivery_from(*select);
      due.event = event_from(select->getColumn(11).getString());
      due.project_name = select->getColumn(12).getString();
      due.workflow = select->getColumn(13).getString();
      due.workflow_version = select->getColumn(14).getInt64();
      due.batch = select->getColumn(15).getString();
      out.push_back(std::move(due));
    }
    return out;
  });
}

Outcome<storage::Ok> SqliteNotifyStore::record_delivered(std::int64_t id, int http_status,
                                                         engine::Timestamp now) {
  return run<storage::Ok>([&] {
    auto update = connection_.statement(
        "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, "
        "last_status = ?, last_error = NULL, delivered_at = ?, digest = NULL WHERE id = ?");
    update->bind(1, http_status);
    update->bind(2, now);
    update->bind(3, id);
    update->exec();
    return storage::Ok{};
  });
}

Outcome<storage::Ok> SqliteNotifyStore::record_digest_delivered(
    const std::vector<std::int64_t>& ids, int http_status, engine::Timestamp now) {
  return run<storage::Ok>([&] {
    if (ids.empty()) return storage::Ok{};
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto update = connection_.statement(
        "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, "
        "last_status = ?, last_error = NULL, delivered_at = ?, digest = ? WHERE id = ?");
    for (const std::int64_t id : ids) {
      update->bind(1, http_status);
      update->bind(2, now);
      update->bind(3, ids.front());
      update->bind(4, id);
      update->exec();
      update->reset();
    }
    transaction.commit();
    return storage::Ok{};
  });
}

Outcome<storage::Ok> SqliteNotifyStore::record_failures(const std::vector<FailedAttempt>& failed,
                                                        const std::string& error,
                                                        std::optional<int> http_status) {
  return run<storage::Ok>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto update = connection_.statement(
        "UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, last_status = ?, "
        "next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?");
    for (const FailedAttempt& attempt : failed) {
      const DeliveryStatus status =
          attempt.retry_at ? DeliveryStatus::pending : DeliveryStatus::dead;
      update->bind(1, std::string(engine::name_in(kDeliveryStatusNames, status)));
      update->bind(2, attempt.attempts);
      update->bind(3, error);
      if (http_status) {
        update->bind(4, *http_status);
      } else {
        update->bind(4);
      }
      if (attempt.retry_at) {
        update->bind(5, *attempt.retry_at);
      } else {
        update->bind(5);
      }
      update->bind(6, attempt.id);
      update->exec();
      update->reset();
    }
    transaction.commit();
    return storage::Ok{};
  });
}

Outcome<std::vector<Delivery>> SqliteNotifyStore::deliveries(std::optional<DeliveryStatus> wanted,
                                                             int limit, std::int64_t before_id) {
  return read<std::vector<Delivery>>([&](storage::Connection& connection) {
    const std::string status(wanted ? engine::name_in(kDeliveryStatusNames, *wanted) : "");
    auto select = connection.statement(std::string("SELECT ") + kDeliveryColumns +
                                       " FROM deliveries d WHERE (? = '' OR d.status = ?) "
                                       "AND d.id < ? ORDER BY d.id DESC LIMIT ?");
    select->bind(1, status);
    select->bind(2, status);
    select->bind(3, before_id);
    select->bind(4, limit);
    std::vector<Delivery> out;
    while (select->executeStep())
      out.push_back(delivery_from(*select));
    return out;
  });
}

Outcome<std::optional<Delivery>> SqliteNotifyStore::delivery(std::int64_t id) {
  return read<std::optional<Delivery>>(
      [&](storage::Connection& connection) -> std::optional<Delivery> {
        auto select = connection.statement(std::string("SELECT ") + kDeliveryColumns +
                                           " FROM deliveries d WHERE d.id = ?");
        select->bind(1, id);
        if (!select->executeStep()) return std::nullopt;
        return delivery_from(*select);
      });
}

Outcome<bool> SqliteNotifyStore::replay(std::int64_t id, engine::Timestamp now) {
  return run<bool>([&] {
    auto update = connection_.statement(
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, "
        "delivered_at = NULL, digest = NULL WHERE id = ? AND webhook_id IN "
        "(SELECT id FROM webhooks WHERE deleted_at IS NULL)");
    update->bind(1, now);
    update->bind(2, id);
    return update->exec() == 1;
  });
}

Outcome<std::optional<engine::Timestamp>> SqliteNotifyStore::next_attempt(std::int64_t webhook_id) {
  return run<std::optional<engine::Timestamp>>([&]() -> std::optional<engine::Timestamp> {
    auto select = connection_.statement(
        "SELECT MIN(next_attempt_at) FROM deliveries WHERE webhook_id = ? AND status = 'pending'");
    select->bind(1, webhook_id);
    select->executeStep();
    return optional_int(select->getColumn(0));
  });
}

// ---------------------------------------------------------------------------------------
// Chat robots' posts

Outcome<std::vector<engine::Timestamp>> SqliteNotifyStore::robot_posts(const std::string& url,
                                                                       engine::Timestamp since) {
  return run<std::vector<engine::Timestamp>>([&] {
    auto select =
        connection_.statement("SELECT at FROM robot_posts WHERE url = ? AND at >= ? ORDER BY at");
    select->bind(1, url);
    select->bind(2, since);
    std::vector<engine::Timestamp> out;
    while (select->executeStep())
      out.push_back(select->getColumn(0).getInt64());
    return out;
  });
}

Outcome<storage::Ok> SqliteNotifyStore::record_robot_post(const std::string& url,
                                                          engine::Timestamp at,
                                                          engine::Timestamp forget_before) {
  return run<storage::Ok>([&] {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    auto forget = connection_.statement("DELETE FROM robot_posts WHERE url = ? AND at < ?");
    forget->bind(1, url);
    forget->bind(2, forget_before);
    forget->exec();
    auto insert = connection_.statement("INSERT INTO robot_posts (url, at) VALUES (?, ?)");
    insert->bind(1, url);
    insert->bind(2, at);
    insert->exec();
    transaction.commit();
    return storage::Ok{};
  });
}

}  // namespace investflow::notify
