// The NotifyStore on PostgreSQL (PgNotifyStore) on a real PostgreSQL 15 that the test
// starts itself (tests/support/pg_server.hpp), with events and outbox rows written by the
// PostgreSQL Store: inboxes, settings, webhooks and deliveries, robot posts, notices once
// per key, and several stores (servers) claiming the same pending rows at once. Skipped,
// saying why, where PostgreSQL cannot start.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "notify/dispatcher.hpp"
#include "notify/pg_notify_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "storage/system_clock.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::notify::testing {
namespace {

using storage::PgConnection;

const engine::Actor kLi{"li", {"staff"}};  // signs zhang's projects: zhang is told

std::unique_ptr<storage::Store> open_pg_world(const std::string& uri,
                                              std::shared_ptr<const engine::Clock> clock) {
  storage::PgOptions options;
  options.clock = std::move(clock);
  auto store = storage::open_pg_store(uri, options);
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  if (!store) return nullptr;
  auto registered = (*store)->register_workflow(timers_workflow(), kTimersWorkflow);
  EXPECT_TRUE(registered) << (registered ? "" : registered.error().message);
  PgConnection connection(uri);
  connection.exec(
      "INSERT INTO users (id, display_name, roles, created_at, updated_at, disabled) VALUES "
      "('zhang', '张', '[\"staff\"]', 0, 0, 0), ('li', '李', '[\"manager\"]', 0, 0, 0), "
      "('wang', '王', '[\"manager\",\"leader\"]', 0, 0, 0), "
      "('zhao', '赵', '[\"manager\"]', 0, 0, 1)");
  return std::move(*store);
}

std::shared_ptr<NotifyStore> open_notify(const std::string& uri,
                                         std::shared_ptr<const SecretBox> secrets = nullptr) {
  auto notify = NotifyStore::open(uri, std::move(secrets));
  EXPECT_TRUE(notify) << (notify ? "" : notify.error().message);
  return notify ? *notify : nullptr;
}

// Creates and signs `count` projects (P-<first>...): one inbox and one webhook outbox row
// each.
void signed_projects(storage::Store& store, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    const std::string id = "P-" + std::to_string(i);
    ASSERT_TRUE(create(store, id).accepted());
    ASSERT_TRUE(transition(store, id, "sign", kLi).accepted());
  }
}

// Settles items without telling anyone (as the dispatcher settles history).
std::vector<InboxEntry> skipping(const std::vector<OutboxItem>& items) {
  std::vector<InboxEntry> entries;
  for (const OutboxItem& item : items) {
    InboxEntry entry;
    entry.outbox_id = item.id;
    entry.event_id = item.event_id;
    entry.skip = true;
    entries.push_back(entry);
  }
  return entries;
}

std::int64_t scalar(const std::string& uri, const std::string& sql) {
  PgConnection connection(uri);
  return connection.exec(sql).number(0, 0);
}

TEST(PgNotifyStore, OpenChoosesTheBackendByTheDatabaseArgument) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  EXPECT_NE(dynamic_cast<PgNotifyStore*>(notify.get()), nullptr);
  TempDir dir;
  auto sqlite_store = open_store(dir.file("zone.db"), std::make_shared<TestClock>(0));
  ASSERT_TRUE(sqlite_store);
  auto sqlite = NotifyStore::open(dir.file("zone.db"));
  ASSERT_TRUE(sqlite) << sqlite.error().message;
  EXPECT_NE(dynamic_cast<SqliteNotifyStore*>(sqlite->get()), nullptr);
  // A database that is not there is refused at open, naming it.
  auto missing =
      NotifyStore::open(investflow::testing::shared_pg_server(nullptr)->uri("no_such_db"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no_such_db"), std::string::npos)
      << missing.error().message;
}

TEST(PgNotifyStore, PendingInboxRowsBecomeNotificationsOnceAndAreSettled) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  signed_projects(*store, 1, 1);

  auto items = notify->pending_outbox("inbox", 10);
  ASSERT_TRUE(items) << items.error().message;
  ASSERT_EQ(items->size(), 1u);
  const OutboxItem& item = items->front();
  EXPECT_EQ(item.channel, "inbox");
  EXPECT_EQ(item.project_owner, "zhang");
  EXPECT_EQ(item.project_name, "新材料项目P-1");
  EXPECT_EQ(item.workflow, "timers");
  EXPECT_EQ(item.workflow_version, 1);
  EXPECT_EQ(item.event.project_id, "P-1");
  EXPECT_EQ(item.event.actor, "li");
  ASSERT_EQ(item.recipients.size(), 2u);
  EXPECT_EQ(item.recipients[0].kind, engine::NotifyRecipient::Kind::owner);
  EXPECT_EQ(item.recipients[1].kind, engine::NotifyRecipient::Kind::role);
  EXPECT_EQ(item.recipients[1].name, "manager");
  ASSERT_FALSE(item.triggers.empty());
  auto webhook_rows = notify->pending_outbox("webhook", 10);
  ASSERT_TRUE(webhook_rows);
  EXPECT_EQ(webhook_rows->size(), 1u);

  // Who is told: managers not disabled, by byte order; viewers with roles and unit.
  auto managers = notify->users_with_role("manager");
  ASSERT_TRUE(managers) << managers.error().message;
  EXPECT_EQ(*managers, (std::vector<std::string>{"li", "wang"}));
  auto wang = notify->viewer("wang");
  ASSERT_TRUE(wang) << wang.error().message;
  ASSERT_TRUE(*wang);
  EXPECT_EQ((*wang)->id, "wang");
  EXPECT_EQ((*wang)->roles.size(), 2u);
  auto nobody = notify->viewer("nobody");
  ASSERT_TRUE(nobody);
  EXPECT_FALSE(*nobody);
  EXPECT_TRUE(*notify->user_exists("zhang"));
  EXPECT_FALSE(*notify->user_exists("zhao"));  // disabled
  EXPECT_FALSE(*notify->user_exists("nobody"));

  InboxEntry entry;
  entry.outbox_id = item.id;
  entry.event_id = item.event_id;
  entry.project_id = "P-1";
  entry.type = std::string(engine::event_type(item.event));
  entry.triggers = item.triggers;
  entry.users = {"zhang", "wang"};
  entry.title_zh = "已签约";
  entry.title_en = "Signed";
  entry.created_at = item.event.at;
  auto settled = notify->settle_inbox({entry});
  ASSERT_TRUE(settled) << settled.error().message;
  auto after = notify->pending_outbox("inbox", 10);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(scalar(uri,
                   "SELECT count(*) FROM outbox WHERE channel = 'inbox' AND status = "
                   "'delivered' AND claimed_by IS NULL"),
            1);

  // A repeat (another server settled the same row after its claim lapsed) is ignored.
  ASSERT_TRUE(notify->settle_inbox({entry}));
  EXPECT_EQ(*notify->unread_count("zhang"), 1);
  EXPECT_EQ(*notify->unread_count("wang"), 1);
  EXPECT_EQ(*notify->unread_count("li"), 0);
  auto page = notify->notifications("zhang", false, 10, "");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  const Notification& got = page->items.front();
  EXPECT_EQ(got.event_id, item.event_id);
  EXPECT_EQ(got.project_id, "P-1");
  EXPECT_EQ(got.project_name, "新材料项目P-1");
  EXPECT_EQ(got.type, entry.type);
  EXPECT_EQ(got.title_zh, "已签约");
  EXPECT_EQ(got.title_en, "Signed");
  EXPECT_EQ(got.created_at, item.event.at);
  EXPECT_FALSE(got.read_at);
  EXPECT_FALSE(got.triggers.empty());
  EXPECT_EQ(page->unread, 1);
  EXPECT_TRUE(page->next_cursor.empty());

  // Rows of history are settled unsent; webhook rows up to an event, too.
  signed_projects(*store, 2, 1);
  ASSERT_TRUE(notify->settle_historical_outbox(at_ten(2025, 3, 4)));
  EXPECT_EQ(scalar(uri,
                   "SELECT count(*) FROM outbox WHERE channel = 'inbox' AND status = "
                   "'pending'"),
            0);
  EXPECT_EQ(scalar(uri, "SELECT count(*) FROM outbox WHERE last_error LIKE 'skipped:%'"), 3);
  EXPECT_EQ(*notify->unread_count("zhang"), 1);
}

TEST(PgNotifyStore, PagesCountsMarksNoticesAndSettings) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  for (int i = 0; i < 5; ++i) {
    auto told =
        notify->post_notice({"zhang", "li"}, "key-" + std::to_string(i), "calendar",
                            "提醒" + std::to_string(i), "Notice " + std::to_string(i), 1000 + i);
    ASSERT_TRUE(told) << told.error().message;
    EXPECT_EQ(told->size(), 2u);
  }
  // Each user gets a key once, however often it is posted.
  auto again = notify->post_notice({"zhang", "wang"}, "key-0", "calendar", "x", "x", 2000);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, std::vector<std::string>{"wang"});

  // Pages of two, newest first, following each other without a gap or a repeat.
  std::vector<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = notify->notifications("zhang", false, 2, cursor);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->unread, 5);
    for (const Notification& item : page->items) {
      EXPECT_FALSE(item.event_id);
      EXPECT_EQ(item.project_id, "");
      EXPECT_EQ(item.type, "calendar");
      seen.push_back(item.id);
    }
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 5u);

  // Marks: only one's own; once.
  auto mine = notify->mark_read("zhang", seen.front(), 3000);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_TRUE(*mine);
  EXPECT_FALSE(*notify->mark_read("wang", seen.front(), 3000));
  EXPECT_FALSE(*notify->mark_read("zhang", 999999, 3000));
  EXPECT_TRUE(*notify->mark_read("zhang", seen.front(), 4000));  // read already: still true
  EXPECT_EQ(*notify->unread_count("zhang"), 4);
  auto unread = notify->notifications("zhang", true, 10, "");
  ASSERT_TRUE(unread);
  EXPECT_EQ(unread->items.size(), 4u);
  auto read_one = notify->notifications("zhang", false, 1, "");
  ASSERT_TRUE(read_one);
  ASSERT_EQ(read_one->items.size(), 1u);
  EXPECT_EQ(read_one->items.front().read_at, 3000);
  auto all = notify->mark_all_read("zhang", 5000);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, 4);
  EXPECT_EQ(*notify->unread_count("zhang"), 0);
  EXPECT_EQ(*notify->unread_count("li"), 5);

  // Settings: each by default, saved and read back.
  auto none = notify->settings("zhang");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->deadlines, "each");
  ASSERT_TRUE(notify->save_settings("zhang", NotificationSettings{"digest"}));
  ASSERT_TRUE(notify->save_settings("zhang", NotificationSettings{"digest"}));
  EXPECT_EQ(notify->settings("zhang")->deadlines, "digest");
  EXPECT_EQ(notify->settings("li")->deadlines, "each");
}

TEST(PgNotifyStore, DeadlineAlertsAreHeldInTheDailyDigestOfThoseWhoChoseIt) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  signed_projects(*store, 1, 2);
  ASSERT_TRUE(notify->save_settings("zhang", NotificationSettings{"digest"}));
  auto items = notify->pending_outbox("inbox", 10);
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  std::vector<InboxEntry> entries;
  for (const OutboxItem& item : *items) {
    InboxEntry entry;
    entry.outbox_id = item.id;
    entry.event_id = item.event_id;
    entry.project_id = item.event.project_id;
    entry.type = std::string(kDigestedEventType);
    entry.users = {"zhang", "li"};
    entry.title_zh = "时限";
    entry.title_en = "Deadline";
    entry.created_at = at_ten(2025, 3, 3);
    entries.push_back(entry);
  }
  ASSERT_TRUE(notify->settle_inbox(entries));
  ASSERT_TRUE(notify->settle_inbox(entries));  // a repeat counts nothing twice
  // zhang: the alerts held (read), one digest unread counting both; li: both unread.
  EXPECT_EQ(*notify->unread_count("zhang"), 1);
  EXPECT_EQ(*notify->unread_count("li"), 2);
  auto page = notify->notifications("zhang", false, 10, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items.front().type, kDigestType);
  EXPECT_EQ(page->items.front().title_en, "Deadline alerts of 2025-03-03: 2");
  EXPECT_NE(page->items.front().title_zh.find("共 2 条"), std::string::npos);
  auto held = notify->notifications("zhang", false, 10, "", std::string(kDigestedEventType));
  ASSERT_TRUE(held);
  EXPECT_EQ(held->items.size(), 2u);
  for (const Notification& item : held->items)
    EXPECT_TRUE(item.read_at);
}

TEST(PgNotifyStore, WebhooksKeepTheirSecretsSealedAndFanOutToDeliveries) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<TestClock>(at_ten(2025, 3, 3));
  auto store = open_pg_world(uri, clock);
  ASSERT_TRUE(store);
  TempDir dir;
  auto box = SecretBox::open(dir.file("secret-key"), true);
  ASSERT_TRUE(box) << box.error();
  auto notify = open_notify(uri, *box);
  auto keyless = open_notify(uri);
  ASSERT_TRUE(notify && keyless);
  signed_projects(*store, 1, 1);  // before the webhook: not its business

  Webhook webhook;
  webhook.url = "https://hooks.example.com/a";
  webhook.secret = "whsec-1";
  webhook.events = {*engine::parse_event_filter("*")};
  webhook.format = "json";
  webhook.created_by = "admin";
  webhook.created_at = 100;
  auto added = notify->add_webhook(webhook);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_GT(added->id, 0);
  EXPECT_EQ(added->after_event_id, *store->last_event_id());
  {
    PgConnection connection(uri);
    const std::string stored(connection
                                 .exec("SELECT secret FROM webhooks WHERE id = $1",
                                       storage::PgParams().number(added->id))
                                 .text(0, 0));
    EXPECT_TRUE(is_sealed(stored)) << stored;
    EXPECT_EQ(stored.find("whsec-1"), std::string::npos);
  }
  auto listed = notify->webhooks();
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().secret, "whsec-1");
  EXPECT_EQ(listed->front().url, webhook.url);
  EXPECT_EQ(listed->front().created_by, "admin");
  ASSERT_EQ(listed->front().events.size(), 1u);
  auto unkeyed = keyless->webhooks();
  ASSERT_TRUE(unkeyed);
  EXPECT_EQ(unkeyed->front().secret, "");
  EXPECT_FALSE(unkeyed->front().secret_error.empty());

  // One written without a key is sealed later; deleted ones are gone from the list.
  webhook.url = "https://hooks.example.com/b";
  webhook.secret = "plain-2";
  auto plain = keyless->add_webhook(webhook);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(keyless->seal_plain_secrets());
  auto sealed = notify->seal_plain_secrets();
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(*sealed, 1);
  EXPECT_EQ(*notify->seal_plain_secrets(), 0);
  EXPECT_EQ(notify->webhooks()->back().secret, "plain-2");
  EXPECT_TRUE(*notify->delete_webhook(plain->id, 200));
  EXPECT_FALSE(*notify->delete_webhook(plain->id, 300));
  EXPECT_EQ(notify->webhooks()->size(), 1u);

  // Three events after it: three deliveries, once however often fanned out.
  ASSERT_TRUE(create(*store, "P-9").accepted());
  ASSERT_TRUE(transition(*store, "P-9", "sign", kLi).accepted());
  ASSERT_TRUE(transition(*store, "P-9", "close", {"wang", {"manager"}}).accepted());
  const engine::Timestamp now = clock->now();
  auto looked = notify->fan_out(*added, 100, now, 0);
  ASSERT_TRUE(looked) << looked.error().message;
  EXPECT_EQ(*looked, 3);
  EXPECT_EQ(*notify->fan_out(*added, 100, now, 0), 0);
  ASSERT_TRUE(notify->settle_webhook_outbox(*store->last_event_id()));
  EXPECT_EQ(scalar(uri,
                   "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND status = "
                   "'pending'"),
            0);

  auto due = notify->due_deliveries(added->id, now, 10);
  ASSERT_TRUE(due) << due.error().message;
  ASSERT_EQ(due->size(), 3u);
  EXPECT_EQ(due->front().event.project_id, "P-9");
  EXPECT_EQ(due->front().project_name, "新材料项目P-9");
  EXPECT_EQ(due->front().workflow, "timers");
  EXPECT_EQ(due->front().delivery.status, DeliveryStatus::pending);
  const std::int64_t first = (*due)[0].delivery.id;
  const std::int64_t second = (*due)[1].delivery.id;
  const std::int64_t third = (*due)[2].delivery.id;
  EXPECT_EQ(*notify->next_attempt(added->id), now);

  ASSERT_TRUE(notify->record_delivered(first, 200, now + 5));
  ASSERT_TRUE(notify->record_failure(second, 1, "boom", 500, now + 1000));
  ASSERT_TRUE(notify->record_failure(third, 5, "gone", std::nullopt, std::nullopt));
  auto delivered = notify->delivery(first);
  ASSERT_TRUE(delivered && *delivered);
  EXPECT_EQ((*delivered)->status, DeliveryStatus::delivered);
  EXPECT_EQ((*delivered)->attempts, 1);
  EXPECT_EQ((*delivered)->last_status, 200);
  EXPECT_EQ((*delivered)->delivered_at, now + 5);
  auto retried = notify->delivery(second);
  ASSERT_TRUE(retried && *retried);
  EXPECT_EQ((*retried)->status, DeliveryStatus::pending);
  EXPECT_EQ((*retried)->last_error, "boom");
  EXPECT_EQ((*retried)->next_attempt_at, now + 1000);
  EXPECT_EQ(*notify->next_attempt(added->id), now + 1000);
  EXPECT_TRUE(notify->due_deliveries(added->id, now, 10)->empty());  // not due yet
  EXPECT_EQ(notify->due_deliveries(added->id, now + 1000, 10)->size(), 1u);
  auto dead = notify->deliveries(DeliveryStatus::dead, 10, INT64_MAX);
  ASSERT_TRUE(dead) << dead.error().message;
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().id, third);
  EXPECT_EQ(dead->front().last_error, "gone");
  EXPECT_FALSE(dead->front().last_status);
  auto newest = notify->deliveries(std::nullopt, 2, INT64_MAX);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ(newest->front().id, third);
  EXPECT_EQ(notify->deliveries(std::nullopt, 10, second)->size(), 1u);
  EXPECT_FALSE(*notify->delivery(999999));

  // Replay: the dead one is due again; a digest settles several at once.
  EXPECT_TRUE(*notify->replay(third, now + 2000));
  EXPECT_FALSE(*notify->replay(999999, now));
  auto replayed = notify->due_deliveries(added->id, now + 2000, 10);
  ASSERT_TRUE(replayed);
  ASSERT_EQ(replayed->size(), 2u);
  EXPECT_EQ((*replayed)[1].delivery.attempts, 0);
  ASSERT_TRUE(notify->record_digest_delivered({second, third}, 200, now + 3000));
  EXPECT_EQ((*notify->delivery(second))->digest, second);
  EXPECT_EQ((*notify->delivery(third))->digest, second);
  EXPECT_EQ((*notify->delivery(third))->status, DeliveryStatus::delivered);
  EXPECT_FALSE(*notify->next_attempt(added->id));

  // A deleted webhook's pending deliveries are buried, and not replayed.
  ASSERT_TRUE(create(*store, "P-10").accepted());
  ASSERT_EQ(*notify->fan_out(*added, 100, now, 0), 1);
  ASSERT_TRUE(*notify->delete_webhook(added->id, now));
  auto buried = notify->deliveries(DeliveryStatus::dead, 10, INT64_MAX);
  ASSERT_TRUE(buried);
  ASSERT_EQ(buried->size(), 1u);
  EXPECT_EQ(buried->front().last_error, "webhook deleted");
  EXPECT_FALSE(*notify->replay(buried->front().id, now));
  EXPECT_EQ(*notify->fan_out(*added, 100, now, 0), 0);
}

TEST(PgNotifyStore, RobotPostsAreKeptForTheWindowAndForgottenAfter) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  const std::string robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
  ASSERT_TRUE(notify->record_robot_post(robot, 1000, 0));
  ASSERT_TRUE(notify->record_robot_post(robot, 2000, 0));
  ASSERT_TRUE(notify->record_robot_post("https://other", 2500, 0));
  EXPECT_EQ(*notify->robot_posts(robot, 0), (std::vector<engine::Timestamp>{1000, 2000}));
  EXPECT_EQ(*notify->robot_posts(robot, 1500), (std::vector<engine::Timestamp>{2000}));
  ASSERT_TRUE(notify->record_robot_post(robot, 70000, 10001));
  EXPECT_EQ(*notify->robot_posts(robot, 0), (std::vector<engine::Timestamp>{70000}));
  EXPECT_EQ(scalar(uri, "SELECT count(*) FROM robot_posts"), 2);
}

// Several servers' dispatchers: a claimed row is left to its claimer until settled or
// until the claim lapses; one store sees its own claimed rows again.
TEST(PgNotifyStore, AClaimedOutboxRowIsLeftToItsClaimerUntilTheClaimLapses) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto first = open_notify(uri);
  auto second = open_notify(uri);
  ASSERT_TRUE(first && second);
  signed_projects(*store, 1, 6);
  auto mine = first->pending_outbox("inbox", 4);
  ASSERT_TRUE(mine) << mine.error().message;
  ASSERT_EQ(mine->size(), 4u);
  auto theirs = second->pending_outbox("inbox", 10);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 2u);
  EXPECT_GT(theirs->front().id, mine->back().id);
  auto mine_again = first->pending_outbox("inbox", 10);
  ASSERT_TRUE(mine_again);
  EXPECT_EQ(mine_again->size(), 4u);  // its own, not the other's
  EXPECT_EQ(mine_again->front().id, mine->front().id);
  // The first server died: once its claims lapse, the second takes its rows.
  PgConnection(uri).exec("UPDATE outbox SET claimed_until = 0 WHERE id <= " +
                         std::to_string(mine->back().id));
  auto taken = second->pending_outbox("inbox", 10);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->size(), 6u);
  ASSERT_TRUE(second->settle_inbox(skipping(*taken)));
  EXPECT_TRUE(first->pending_outbox("inbox", 10)->empty());
}

TEST(PgNotifyStore, ConcurrentDispatchersClaimEveryOutboxRowAndDeliveryExactlyOnce) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<TestClock>(at_ten(2025, 3, 3));
  auto store = open_pg_world(uri, clock);
  ASSERT_TRUE(store);
  constexpr int kServers = 3;
  constexpr int kProjects = 30;
  std::vector<std::shared_ptr<NotifyStore>> servers;
  for (int i = 0; i < kServers; ++i) {
    servers.push_back(open_notify(uri));
    ASSERT_TRUE(servers.back());
  }
  Webhook webhook;
  webhook.url = "https://hooks.example.com/all";
  webhook.events = {*engine::parse_event_filter("*")};
  webhook.format = "json";
  webhook.created_by = "admin";
  auto added = servers[0]->add_webhook(webhook);
  ASSERT_TRUE(added);
  signed_projects(*store, 1, kProjects);

  std::mutex mutex;
  std::map<std::int64_t, int> outbox_claims;
  std::map<std::int64_t, int> delivery_claims;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      NotifyStore& notify = *servers[static_cast<std::size_t>(i)];
      // Every server fans out too: deliveries are created once whoever fans out.
      for (int empty_passes = 0; empty_passes < 3;) {
        auto items = notify.pending_outbox("inbox", 3);
        auto fanned = notify.fan_out(*added, 7, clock->now(), 0);
        auto due = notify.due_deliveries(added->id, clock->now(), 2);
        if (!items || !fanned || !due) {
          ++failures;
          return;
        }
        {
          std::lock_guard lock(mutex);
          for (const OutboxItem& item : *items)
            ++outbox_claims[item.id];
          for (const DueDelivery& item : *due)
            ++delivery_claims[item.delivery.id];
        }
        if (!notify.settle_inbox(skipping(*items))) ++failures;
        for (const DueDelivery& item : *due) {
          if (!notify.record_delivered(item.delivery.id, 200, clock->now())) ++failures;
        }
        empty_passes = items->empty() && *fanned == 0 && due->empty() ? empty_passes + 1 : 0;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(static_cast<int>(outbox_claims.size()), kProjects);
  for (const auto& [id, claims] : outbox_claims)
    EXPECT_EQ(claims, 1) << "outbox row " << id;
  // Each project: created and signed, two events, one delivery each.
  ASSERT_EQ(static_cast<int>(delivery_claims.size()), 2 * kProjects);
  for (const auto& [id, claims] : delivery_claims)
    EXPECT_EQ(claims, 1) << "delivery " << id;
  EXPECT_EQ(scalar(uri,
                   "SELECT count(*) FROM deliveries WHERE status = 'delivered' AND "
                   "attempts = 1"),
            2 * kProjects);
  EXPECT_EQ(scalar(uri,
                   "SELECT count(*) FROM outbox WHERE channel = 'inbox' AND status = "
                   "'pending'"),
            0);
}

TEST(PgNotifyStore, TwoServersPostingANoticeAtOnceTellEachUserOnce) {
  PG_DATABASE_OR_SKIP(uri);
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto first = open_notify(uri);
  auto second = open_notify(uri);
  ASSERT_TRUE(first && second);
  const std::vector<std::string> users = {"li", "wang", "zhang"};
  std::mutex mutex;
  std::map<std::string, int> told;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      NotifyStore& notify = i % 2 == 0 ? *first : *second;
      for (int round = 0; round < 5; ++round) {
        auto posted = notify.post_notice(users, "calendar:2026", "calendar", "日历", "Calendar",
                                         1000 + round);
        if (!posted) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mutex);
        for (const std::string& user : *posted)
          ++told[user];
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(told, (std::map<std::string, int>{{"li", 1}, {"wang", 1}, {"zhang", 1}}));
  EXPECT_EQ(scalar(uri, "SELECT count(*) FROM notifications WHERE notice = 'calendar:2026'"), 3);
}

// The dispatcher itself, on the PostgreSQL store and notify store: a signed project's
// owner and the managers find it in their inboxes.
TEST(PgNotifyStore, TheDispatcherFillsInboxesFromThePostgresOutbox) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<storage::SystemClock>();
  auto store = open_pg_world(uri, clock);
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  DispatchOptions options;
  options.poll = std::chrono::milliseconds(20);
  Dispatcher dispatcher(*store, notify, clock, options);
  dispatcher.start();
  ASSERT_TRUE(create(*store, "P-1").accepted());
  ASSERT_TRUE(transition(*store, "P-1", "sign", kLi).accepted());
  dispatcher.wake();
  EXPECT_TRUE(eventually([&] {
    auto zhang = notify->unread_count("zhang");
    auto wang = notify->unread_count("wang");
    return zhang && *zhang == 1 && wang && *wang == 1;
  }));
  dispatcher.stop();
  EXPECT_EQ(*notify->unread_count("li"), 0);    // the actor is not told
  EXPECT_EQ(*notify->unread_count("zhao"), 0);  // disabled
  auto page = notify->notifications("zhang", false, 10, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items.front().project_id, "P-1");
  EXPECT_FALSE(page->items.front().title_zh.empty());
  EXPECT_EQ(scalar(uri, "SELECT count(*) FROM outbox WHERE status = 'pending'"), 0);
}

TEST(PgNotifyStore, ALostServerAnswersUnavailableAndTheStoreRecovers) {
  std::string why;
  auto server = investflow::testing::PgServer::start(&why);  // its own: this one restarts
  if (!server) GTEST_SKIP() << "PostgreSQL 15 cannot start here: " << why;
  const std::string uri = server->create_database("restart");
  auto store = open_pg_world(uri, std::make_shared<TestClock>(at_ten(2025, 3, 3)));
  ASSERT_TRUE(store);
  auto notify = open_notify(uri);
  ASSERT_TRUE(notify);
  ASSERT_TRUE(notify->post_notice({"zhang"}, "k", "calendar", "x", "x", 1));
  server->stop_fast();
  auto count = notify->unread_count("zhang");
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().fault, storage::Fault::unavailable) << count.error().message;
  auto claimed = notify->pending_outbox("inbox", 10);
  ASSERT_FALSE(claimed);
  EXPECT_EQ(claimed.error().fault, storage::Fault::unavailable) << claimed.error().message;
  auto marked = notify->mark_all_read("zhang", 2);
  ASSERT_FALSE(marked);
  EXPECT_EQ(marked.error().fault, storage::Fault::unavailable);
  auto reopened = NotifyStore::open(uri);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().fault, storage::Fault::unavailable);
  ASSERT_TRUE(server->restart(&why)) << why;
  auto back = notify->unread_count("zhang");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, 1);
  EXPECT_TRUE(notify->mark_all_read("zhang", 3));
  EXPECT_EQ(*notify->unread_count("zhang"), 0);
}

}  // namespace
}  // namespace investflow::notify::testing
