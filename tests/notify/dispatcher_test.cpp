// The dispatcher against real HTTP receivers on 127.0.0.1: signatures, retries, a hung
// receiver, dead letters and replay, the chat-robot formats, inboxes.
#include <SQLiteCpp/Database.h>

#include <sys/stat.h>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <set>

#include "engine/notify_trigger.hpp"
#include "notify/dispatcher.hpp"
#include "notify/webhook_format.hpp"
#include "storage/system_clock.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/notify/webhook_receiver.hpp"
#include "tests/support/wire_shapes.hpp"

namespace investflow::notify::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A SQLite file, or with INVESTFLOW_TEST_STORE=postgresql a PostgreSQL database.
    database_ = test_database(dir_, "d.db");
    if (database_.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason();
    ASSERT_EQ(storage::is_postgres_uri(database_), on_postgres()) << database_;
    store_ = open_store(database_, clock_);
    ASSERT_TRUE(store_);
    auto notify = NotifyStore::open(database_);
    ASSERT_TRUE(notify) << notify.error().message;
    notify_ = *notify;
    exec_sql(database_,
             "INSERT INTO users (id, display_name, roles, created_at, updated_at, disabled) VALUES "
             "('zhang', '张', '[\"staff\"]', 0, 0, 0), ('li', '李', '[\"manager\"]', 0, 0, 0), "
             "('wang', '王', '[\"manager\",\"leader\"]', 0, 0, 0), "
             "('zhao', '赵', '[\"manager\"]', 0, 0, 1)");
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->stop();
  }

  Dispatcher& start(DispatchOptions options = fast()) {
    dispatcher_ = std::make_unique<Dispatcher>(
        *store_, notify_, clock_, options, [this](const std::vector<std::string>& users) {
          std::lock_guard lock(told_mutex_);
          told_.insert(told_.end(), users.begin(), users.end());
        });
    dispatcher_->start();
    return *dispatcher_;
  }

  static DispatchOptions fast() {
    DispatchOptions options;
    options.poll = milliseconds(20);
    options.backoff_base = milliseconds(20);
    options.backoff_cap = milliseconds(200);
    options.request_timeout = milliseconds(2000);
    options.max_attempts = 5;
    return options;
  }

  Webhook subscribe(const std::string& url, std::vector<std::string> events,
                    const std::string& format = "json", const std::string& secret = "") {
    Webhook webhook;
    webhook.url = url;
    webhook.secret = secret;
    for (const std::string& name : events)
      webhook.events.push_back(*engine::parse_event_filter(name));
    webhook.format = format;
    webhook.created_by = "admin";
    webhook.created_at = clock_->now();
    auto added = notify_->add_webhook(webhook);
    EXPECT_TRUE(added);
    if (dispatcher_) dispatcher_->wake();
    return *added;
  }

  // The global id of a project's last event.
  std::int64_t last_event_id(const std::string& project) {
    auto history = store_->history(project);
    EXPECT_TRUE(history && !history->empty());
    return history->back().id;
  }

  std::vector<Delivery> deliveries(std::optional<DeliveryStatus> status = std::nullopt) {
    auto out = notify_->deliveries(status, 500, INT64_MAX);
    EXPECT_TRUE(out);
    return out ? *out : std::vector<Delivery>{};
  }

  TempDir dir_;
  std::string database_;  // a SQLite file in dir_, or a postgresql:// URI
  std::shared_ptr<const engine::Clock> clock_ = std::make_shared<storage::SystemClock>();
  std::unique_ptr<storage::Store> store_;
  std::shared_ptr<NotifyStore> notify_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::mutex told_mutex_;
  std::vector<std::string> told_;
};

const engine::Actor kZhang{"zhang", {"staff"}};

// Every dispatcher pass reads the pending outbox: the plan must start from its index, not
// walk the event log (which grows without end).
TEST_F(DispatcherTest, PendingOutboxIsReadThroughItsIndexNotTheEventLog) {
  if (on_postgres())
    GTEST_SKIP()
        << "EXPLAIN QUERY PLAN of SQLite's outbox queries (PostgreSQL's have no plan test)";
  SQLite::Database db(database_);
  SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + std::string(kPendingOutboxQuery));
  plan.bind(1, "inbox");
  plan.bind(2, 100);
  std::string steps;
  while (plan.executeStep())
    steps += plan.getColumn(3).getString() + "\n";
  EXPECT_NE(steps.find("outbox_pending_channel"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("SCAN e"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

// Every dispatcher pass reads the pending outbox rows. With the statistics of a database
// whose seeded history once had 3.7 million outbox rows pending (since settled), the planner
// scanned every outbox row on each pass (a core busy all the time at 1,000,000 projects):
// the pending rows' indexes are the plan, whatever the statistics.
TEST_F(DispatcherTest, PendingRowsAreFoundThroughTheirIndexesWhateverTheStatistics) {
  if (on_postgres())
    GTEST_SKIP() << "sqlite_stat1 and EXPLAIN QUERY PLAN of SQLite's queries (PostgreSQL's have no "
                    "plan test)";
  {
    SQLite::Database db(database_, SQLite::OPEN_READWRITE);
    db.exec("ANALYZE sqlite_schema");
    db.exec("DELETE FROM sqlite_stat1 WHERE tbl = 'outbox'");
    db.exec(
        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
        "('outbox', 'outbox_pending', '3669246 4'), "
        "('outbox', 'outbox_pending_channel', '3669246 1834623 1')");
  }
  SQLite::Database db(database_);
  const std::pair<std::string_view, const char*> statements[] = {
      {kPendingOutboxQuery, "outbox_pending_channel"},
      {kPendingWebhookOutboxQuery, "outbox_pending_channel"},
      {kSettleWebhookOutboxUpdate, "outbox_pending_channel"},
      {kPendingHistoricalOutboxQuery, "outbox_pending"},
      {kSettleHistoricalOutboxUpdate, "outbox_pending"}};
  for (const auto& [sql, index] : statements) {
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + std::string(sql));
    if (sql == kPendingOutboxQuery) {
      plan.bind(1, "inbox");
      plan.bind(2, 100);
    } else {
      plan.bind(1, 1000000);
    }
    std::string steps;
    while (plan.executeStep())
      steps += plan.getColumn(3).getString() + "\n";
    EXPECT_NE(steps.find(std::string("USING INDEX ") + index), std::string::npos) << sql << "\n"
                                                                                  << steps;
    EXPECT_EQ(steps.find("SCAN o"), std::string::npos) << sql << "\n" << steps;
  }
  ASSERT_TRUE(notify_->settle_webhook_outbox(1000000));
  ASSERT_TRUE(notify_->settle_historical_outbox(1000000));
  ASSERT_TRUE(notify_->pending_outbox("inbox", 100));
}

TEST_F(DispatcherTest, SignedJsonCarriesTheEventId) {
  WebhookReceiver receiver;
  subscribe(receiver.url(), {"transition_taken"}, "json", "whsec-1");
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(receiver.wait_for(1, milliseconds(10000)));
  const ReceivedRequest request = receiver.requests().at(0);
  EXPECT_EQ(request.headers.at("x-investflow-signature"),
            signature_header_value("whsec-1", request.body));
  const auto body = json::parse(request.body).as_object();
  EXPECT_EQ(body.at("event_id").as_int64(), last_event_id("P-1"));
  EXPECT_EQ(request.headers.at("x-investflow-event-id"), std::to_string(last_event_id("P-1")));
  EXPECT_EQ(body.at("type").as_string(), "transition_taken");
  EXPECT_EQ(body.at("to").as_string(), "signed");
  // The event as every client reads it: RFC 3339 times, dates as "YYYY-MM-DD".
  EXPECT_TRUE(body.at("event").at("at").is_string());
  EXPECT_TRUE(body.at("event").at("body").at("milestones_started").at(0).at("due_on").is_string());
  wire_testing::expect_wire_shapes(body);
  EXPECT_TRUE(eventually([&] { return deliveries(DeliveryStatus::delivered).size() == 1; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(receiver.count(), 1u);  // the creation was filtered out; nothing twice
}

// Webhook secrets at rest (secret_box.hpp): sealed in the database, unsealed to sign.
std::string stored_secret(const std::string& db) {
  return query_text(db, "SELECT secret FROM webhooks ORDER BY id LIMIT 1");
}

TEST_F(DispatcherTest, SecretsAreSealedInTheDatabaseAndStillSign) {
  auto box = SecretBox::open(dir_.file("d.db.secret-key"), true);
  ASSERT_TRUE(box) << box.error();
  notify_ = *NotifyStore::open(database_, *box);
  WebhookReceiver receiver;
  subscribe(receiver.url(), {"transition_taken"}, "json", "whsec-sealed");
  const std::string stored = stored_secret(database_);
  EXPECT_TRUE(stored.starts_with("sb1:")) << stored;
  EXPECT_EQ(stored.find("whsec-sealed"), std::string::npos);
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(receiver.wait_for(1, milliseconds(10000)));
  const ReceivedRequest request = receiver.requests().at(0);
  EXPECT_EQ(request.headers.at("x-investflow-signature"),
            signature_header_value("whsec-sealed", request.body));
}

TEST_F(DispatcherTest, APlainSecretFromBeforeIsSealedAtStart) {
  subscribe("http://127.0.0.1:9/", {"transition_taken"}, "json", "whsec-old");  // no key
  EXPECT_EQ(stored_secret(database_), "whsec-old");
  auto box = SecretBox::open(dir_.file("d.db.secret-key"), true);
  ASSERT_TRUE(box) << box.error();
  notify_ = *NotifyStore::open(database_, *box);
  auto sealed = notify_->seal_plain_secrets();
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*sealed, 1);
  EXPECT_TRUE(stored_secret(database_).starts_with("sb1:"));
  EXPECT_EQ(*notify_->seal_plain_secrets(), 0);  // once
  auto webhooks = notify_->webhooks();
  ASSERT_TRUE(webhooks && webhooks->size() == 1);
  EXPECT_EQ(webhooks->at(0).secret, "whsec-old");
  EXPECT_EQ(webhooks->at(0).secret_error, "");
}

TEST_F(DispatcherTest, ASecretTheKeyCannotOpenFailsItsDeliveriesSayingWhy) {
  auto sealing = SecretBox::open(dir_.file("first.key"), true);
  ASSERT_TRUE(sealing);
  notify_ = *NotifyStore::open(database_, *sealing);
  WebhookReceiver receiver;
  subscribe(receiver.url(), {"transition_taken"}, "json", "whsec-lost");
  auto other = SecretBox::open(dir_.file("second.key"), true);
  ASSERT_TRUE(other);
  notify_ = *NotifyStore::open(database_, *other);
  auto webhooks = notify_->webhooks();
  ASSERT_TRUE(webhooks && webhooks->size() == 1);
  EXPECT_EQ(webhooks->at(0).secret, "");
  EXPECT_NE(webhooks->at(0).secret_error.find(dir_.file("second.key").string()), std::string::npos)
      << webhooks->at(0).secret_error;
  DispatchOptions options = fast();
  options.max_attempts = 2;
  start(options);
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::dead).size() == 1; }));
  EXPECT_NE(deliveries(DeliveryStatus::dead).at(0).last_error.find("does not decrypt"),
            std::string::npos);
  EXPECT_EQ(receiver.count(), 0u);  // never sent unsigned
}

TEST(SecretBox, TheKeyFileIsMadeOnceTheOwnersAloneAndRefusedWhenItIsNotAKey) {
  TempDir dir;
  const auto file = dir.file("zone.db.secret-key");
  EXPECT_FALSE(SecretBox::open(file, false));  // not made unless asked
  auto box = SecretBox::open(file, true);
  ASSERT_TRUE(box) << box.error();
  struct stat status {};
  ASSERT_EQ(::stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  auto again = SecretBox::open(file, true);  // the same key, not a new one
  ASSERT_TRUE(again);
  const std::string sealed = (*box)->seal("s3cret");
  EXPECT_NE(sealed, (*box)->seal("s3cret"));  // a new nonce each time
  EXPECT_EQ(*(*again)->unseal(sealed), "s3cret");
  EXPECT_EQ(*(*box)->unseal((*box)->seal("")), "");
  EXPECT_FALSE((*box)->unseal("sb1:AAAA"));
  EXPECT_FALSE((*box)->unseal(sealed.substr(0, sealed.size() - 4) + "AAA="));

  std::ofstream(dir.file("bad.key")) << "not a key\n";
  auto bad = SecretBox::open(dir.file("bad.key"), true);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find(dir.file("bad.key").string() + ": not a key"), std::string::npos)
      << bad.error();
  EXPECT_EQ(default_secret_key_file("/srv/zone.db"), "/srv/zone.db.secret-key");
}

TEST_F(DispatcherTest, A500ThenA200DeliversOnRetryWhileTheTransitionIsAcknowledgedAtOnce) {
  WebhookReceiver receiver;
  receiver.respond({500});
  subscribe(receiver.url(), {"*"});
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(receiver.wait_for(2, milliseconds(10000)));  // the creation: 500, then 200
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  const auto acknowledged = std::chrono::steady_clock::now() - started;
  EXPECT_LT(acknowledged, milliseconds(1000));
  ASSERT_TRUE(receiver.wait_for(3, milliseconds(10000)));
  const auto requests = receiver.requests();
  const auto id_of = [](const ReceivedRequest& r) {
    return json::parse(r.body).at("event_id").as_int64();
  };
  EXPECT_EQ(id_of(requests[0]), id_of(requests[1]));  // the same event, retried
  EXPECT_EQ(id_of(requests[2]), last_event_id("P-1"));
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::delivered).size() == 2; }));
  const auto delivered = deliveries(DeliveryStatus::delivered);
  const auto first = std::find_if(delivered.begin(), delivered.end(), [&](const Delivery& d) {
    return d.event_id == id_of(requests[0]);
  });
  ASSERT_NE(first, delivered.end());
  EXPECT_EQ(first->attempts, 2);
  EXPECT_EQ(first->last_status, 200);
}

TEST_F(DispatcherTest, AHungReceiverSlowsNeitherTransitionsNorOtherReceivers) {
  constexpr int kProjects = 20;
  for (int i = 0; i < 2 * kProjects; ++i)
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
  const auto median_sign_ms = [&](int from) {
    std::vector<double> latencies;
    for (int i = from; i < from + kProjects; ++i) {
      const auto started = std::chrono::steady_clock::now();
      EXPECT_TRUE(transition(*store_, "P-" + std::to_string(i), "sign", kZhang).accepted());
      latencies.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count());
    }
    std::sort(latencies.begin(), latencies.end());
    return latencies[latencies.size() / 2];
  };
  DispatchOptions options = fast();
  options.request_timeout = milliseconds(5000);
  start(options);
  const double baseline = median_sign_ms(0);

  WebhookReceiver hung;
  hung.set_fallback(WebhookReceiver::kHang);
  WebhookReceiver healthy;
  subscribe(hung.url(), {"transition_taken"});
  subscribe(healthy.url(), {"transition_taken"});
  const double with_hung = median_sign_ms(kProjects);
  // Within noise: the dispatcher never sits on the write path.
  EXPECT_LT(with_hung, baseline * 3 + 25) << "baseline " << baseline << " ms";
  // The healthy receiver gets every event while the hung one still holds its first.
  EXPECT_TRUE(healthy.wait_for(kProjects, milliseconds(10000)));
  EXPECT_LE(hung.count(), 2u);
}

TEST_F(DispatcherTest, DeadAfterTheLimitThenReplayed) {
  WebhookReceiver receiver;
  receiver.set_fallback(500);
  subscribe(receiver.url(), {"transition_taken"});
  DispatchOptions options = fast();
  options.max_attempts = 3;
  start(options);
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::dead).size() == 1; }));
  Delivery dead = deliveries(DeliveryStatus::dead).at(0);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.last_status, 500);
  EXPECT_EQ(dead.last_error, "HTTP 500");
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_EQ(receiver.count(), 3u);  // no attempt after the limit

  receiver.set_fallback(200);
  auto replayed = notify_->replay(dead.id, clock_->now());
  ASSERT_TRUE(replayed && *replayed);
  dispatcher_->wake();
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::delivered).size() == 1; }));
  EXPECT_EQ(receiver.count(), 4u);
  EXPECT_EQ(json::parse(receiver.requests().back().body).at("event_id").as_int64(), dead.event_id);
}

TEST_F(DispatcherTest, AReceiverDownForAWhileGetsEverythingOnceBack) {
  WebhookReceiver receiver;
  receiver.set_fallback(503);
  subscribe(receiver.url(), {"transition_taken"});
  DispatchOptions options = fast();
  options.max_attempts = 100;
  start(options);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
    ASSERT_TRUE(transition(*store_, "P-" + std::to_string(i), "sign", kZhang).accepted());
  }
  ASSERT_TRUE(receiver.wait_for(5, milliseconds(10000)));
  receiver.set_fallback(200);
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::delivered).size() == 5; }));
  std::set<std::int64_t> delivered;
  for (const auto& request : receiver.requests()) {
    if (request.body.empty()) continue;
    delivered.insert(json::parse(request.body).at("event_id").as_int64());
  }
  EXPECT_EQ(delivered.size(), 5u);
}

TEST_F(DispatcherTest, WecomAndDingtalkRobots) {
  WebhookReceiver wecom;
  WebhookReceiver dingtalk;
  subscribe(wecom.url("/cgi-bin/webhook/send?key=k1"), {"enter:signed"}, "wecom");
  subscribe(dingtalk.url("/robot/send?access_token=t1"), {"transition:sign"}, "dingtalk",
            "SECsecret");
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(wecom.wait_for(1, milliseconds(10000)));
  ASSERT_TRUE(dingtalk.wait_for(1, milliseconds(10000)));

  const ReceivedRequest w = wecom.requests().at(0);
  EXPECT_EQ(w.target, "/cgi-bin/webhook/send?key=k1");
  const auto wecom_body = json::parse(w.body).as_object();
  EXPECT_EQ(wecom_body.at("msgtype").as_string(), "markdown");
  EXPECT_NE(std::string(wecom_body.at("markdown").at("content").as_string()).find("已签约"),
            std::string::npos);

  const ReceivedRequest d = dingtalk.requests().at(0);
  const std::size_t at = d.target.find("&timestamp=");
  ASSERT_NE(at, std::string::npos) << d.target;
  const std::size_t sign = d.target.find("&sign=");
  ASSERT_NE(sign, std::string::npos);
  const engine::Timestamp timestamp = std::stoll(d.target.substr(at + 11, sign - at - 11));
  EXPECT_LT(std::llabs(timestamp - clock_->now()), 60'000);
  EXPECT_EQ(
      dingtalk.url("") + d.target,
      dingtalk_signed_url(dingtalk.url("/robot/send?access_token=t1"), "SECsecret", timestamp));
  const auto dingtalk_body = json::parse(d.body).as_object();
  EXPECT_EQ(dingtalk_body.at("msgtype").as_string(), "markdown");
  EXPECT_FALSE(dingtalk_body.at("markdown").at("title").as_string().empty());
  ASSERT_TRUE(eventually([&] { return deliveries(DeliveryStatus::delivered).size() == 2; }));
}

TEST_F(DispatcherTest, InboxesOfOwnerAndRolesButNotTheActor) {
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(eventually([&] {
    auto page = notify_->notifications("li", false, 10, "");
    return page && page->items.size() == 1;
  }));
  auto li = notify_->notifications("li", true, 10, "");
  ASSERT_TRUE(li);
  EXPECT_EQ(li->unread, 1);
  EXPECT_EQ(li->items.at(0).title_zh, "项目“新材料项目P-1”：线索 → 已签约");
  EXPECT_EQ(li->items.at(0).type, "transition_taken");
  EXPECT_EQ(li->items.at(0).event_id, last_event_id("P-1"));
  EXPECT_EQ((*notify_->unread_count("wang")), 1);
  EXPECT_EQ((*notify_->unread_count("zhao")), 0);   // disabled
  EXPECT_EQ((*notify_->unread_count("zhang")), 0);  // the owner did it herself
  // The live count is pushed after the inbox is written.
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(told_mutex_);
    return std::find(told_.begin(), told_.end(), "li") != told_.end();
  }));
  auto marked = notify_->mark_read("li", li->items.at(0).id, clock_->now());
  ASSERT_TRUE(marked && *marked);
  EXPECT_EQ(*notify_->unread_count("li"), 0);
  auto wrong_user = notify_->mark_read("wang", li->items.at(0).id, clock_->now());
  ASSERT_TRUE(wrong_user);
  EXPECT_FALSE(*wrong_user);
}

// The console's reads of the inbox do not wait for the notification writes: a write that
// waits for the database (here another writer holds it; in service, a fan-out of thousands of
// deadline alerts) holds the write connection, and the unread count, the inbox, the settings
// and the webhooks are still answered at once.
TEST_F(DispatcherTest, InboxReadsDoNotWaitForANotificationWrite) {
  start();
  ASSERT_TRUE(create(*store_, "P-1").accepted());
  ASSERT_TRUE(transition(*store_, "P-1", "sign", kZhang).accepted());
  ASSERT_TRUE(eventually([&] { return *notify_->unread_count("li") == 1; }));

  // Another writer holds the database: SQLite's write lock, or on PostgreSQL a lock on the
  // notifications that lets readers through and keeps writers waiting.
  std::unique_ptr<SQLite::Database> other_sqlite;
  std::unique_ptr<storage::PgConnection> other_pg;
  if (on_postgres()) {
    other_pg = std::make_unique<storage::PgConnection>(database_);
    other_pg->exec("BEGIN");
    other_pg->exec("LOCK TABLE notifications IN EXCLUSIVE MODE");
  } else {
    other_sqlite = std::make_unique<SQLite::Database>(database_, SQLite::OPEN_READWRITE);
    other_sqlite->exec("BEGIN IMMEDIATE");
  }
  auto write =
      std::async(std::launch::async, [&] { return notify_->mark_all_read("li", clock_->now()); });
  // The write is waiting for the lock (its busy timeout is seconds), holding the connection.
  ASSERT_EQ(write.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  auto reads = std::async(std::launch::async, [&] {
    const auto count = notify_->unread_count("li");
    const auto page = notify_->notifications("li", true, 10, "");
    const auto settings = notify_->settings("li");
    const auto hooks = notify_->webhooks();
    return count && *count == 1 && page && page->unread == 1 && settings && hooks;
  });
  ASSERT_EQ(reads.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_TRUE(reads.get());
  if (other_pg) other_pg->exec("COMMIT");
  if (other_sqlite) other_sqlite->exec("COMMIT");
  const auto marked = write.get();
  ASSERT_TRUE(marked) << marked.error().message;
  EXPECT_EQ(*marked, 1);
  EXPECT_EQ(*notify_->unread_count("li"), 0);
}

TEST_F(DispatcherTest, HistoricalEventsAreSettledNotSent) {
  // A seeded history: decided as of ten days ago.
  const engine::Timestamp past = clock_->now() - 10LL * 24 * 3600 * 1000;
  storage::WriteRequest request;
  request.command.project_id = "P-old";
  engine::CreateProject body;
  body.owner = "zhang";
  body.fields["name"] = engine::Value::text("旧项目");
  request.command.body = body;
  request.actor = kZhang;
  request.workflow = "timers";
  request.at = past;
  ASSERT_TRUE(store_->write(request).get().accepted());
  storage::WriteRequest sign;
  sign.command.project_id = "P-old";
  sign.command.body = engine::TakeTransition{"sign", {}, ""};
  sign.actor = kZhang;
  sign.at = past + 1000;
  ASSERT_TRUE(store_->write(sign).get().accepted());
  Dispatcher dispatcher(*store_, notify_, clock_, fast());
  dispatcher.run_once();
  EXPECT_EQ(*notify_->unread_count("li"), 0);
  EXPECT_EQ(query_number(database_, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"), 0);
  EXPECT_EQ(
      query_number(database_, "SELECT COUNT(*) FROM outbox WHERE last_error LIKE 'skipped: %'"),
      2);  // the sign event's inbox and webhook rows
}

// Language v1.1: `field:` recipients name the users a project's user field (or list of
// users) holds when the event happens; changing the field redirects later notifications.
constexpr const char* kOfficersWorkflow = R"yaml(
workflow: officers
version: 1
calendar: cn-mainland
roles: [staff, manager]
fields:
  name: {type: text, required: true}
  service_officer: {type: user}
  liaison_leaders: {type: list, items: user}
initial: open
states:
  open: {}
  working: {}
  done: {terminal: true}
transitions:
  - {id: start, from: open, to: working, roles: [staff]}
  - {id: pause, from: working, to: open, roles: [staff]}
  - {id: finish, from: working, to: done, roles: [staff]}
notify:
  - on: transition
    to: [field:service_officer, field:liaison_leaders]
)yaml";

TEST_F(DispatcherTest, AFieldRecipientIsWhoeverTheFieldNamesAtTheEvent) {
  workflows::CalendarRegistry calendars;
  ASSERT_TRUE(workflows::load_calendar_directory(
                  workflows::shipped_workflows_directory() / "calendars", calendars)
                  .empty());
  auto load = workflows::load_workflow_text(kOfficersWorkflow, "officers.yaml", calendars);
  ASSERT_TRUE(load.workflow) << (load.diagnostics.empty() ? "" : load.diagnostics[0].to_string());
  ASSERT_TRUE(store_->register_workflow(load.workflow, kOfficersWorkflow));
  const auto write = [&](decltype(engine::Command::body) body) {
    storage::WriteRequest request;
    request.command.body = std::move(body);
    request.command.project_id = "F-1";
    request.actor = kZhang;
    request.workflow = "officers";
    return store_->write(std::move(request)).get();
  };
  engine::CreateProject create_body;
  create_body.fields["name"] = engine::Value::text("服务专员项目");
  create_body.fields["service_officer"] = engine::Value::text("li");
  create_body.fields["liaison_leaders"] = engine::Value::list({engine::Value::text("wang")});
  ASSERT_TRUE(write(create_body).accepted());  // creation is no transition
  ASSERT_TRUE(write(engine::TakeTransition{"start", {}, ""}).accepted());
  Dispatcher dispatcher(*store_, notify_, clock_, fast());
  dispatcher.run_once();
  EXPECT_EQ(*notify_->unread_count("li"), 1);
  EXPECT_EQ(*notify_->unread_count("wang"), 1);
  EXPECT_EQ(*notify_->unread_count("zhang"), 0);  // the owner is not named
  EXPECT_EQ(query_text(database_, "SELECT recipients FROM outbox WHERE event_id = " +
                                      std::to_string(last_event_id("F-1"))),
            R"(["user:li","user:wang"])");

  // Another service officer, no liaison leader: the next stage change goes to wang alone,
  // as the service officer.
  engine::EditFields edit;
  edit.fields["service_officer"] = engine::Value::text("wang");
  edit.fields["liaison_leaders"] = engine::Value::list({});
  ASSERT_TRUE(write(edit).accepted());
  ASSERT_TRUE(write(engine::TakeTransition{"pause", {}, ""}).accepted());
  dispatcher.run_once();
  EXPECT_EQ(*notify_->unread_count("li"), 1);
  EXPECT_EQ(*notify_->unread_count("wang"), 2);
  auto wang = notify_->notifications("wang", false, 10, "");
  ASSERT_TRUE(wang);
  ASSERT_EQ(wang->items.size(), 2u);
  EXPECT_EQ(wang->items.at(0).triggers, std::vector<std::string>{"transition:pause"});
  EXPECT_EQ(wang->items.at(1).triggers, std::vector<std::string>{"transition:start"});
}

}  // namespace
}  // namespace investflow::notify::testing
