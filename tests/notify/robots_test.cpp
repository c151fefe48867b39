// Chat robots that behave (issue 18): at most 20 posts a minute per robot, the rest in a
// digest with nothing lost; a bulk operation's events in one digest per robot; the rate
// window kept across a restart; proxies (HTTP_PROXY, NO_PROXY) and a CA bundle for the
// outbound client. The dispatcher is driven by hand on a clock the tests move, so nothing
// here depends on how fast the machine is.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <regex>
#include <set>

#include "notify/dispatcher.hpp"
#include "notify/webhook_format.hpp"
#include "tests/notify/notify_test_support.hpp"
#include "tests/notify/webhook_receiver.hpp"

namespace investflow::notify::testing {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

const engine::Timestamp kStart = at_ten(2026, 3, 2);
constexpr engine::Timestamp kMinute = 60'000;

// The markdown a robot got: WeCom's content, DingTalk's text.
std::string markdown_of(const ReceivedRequest& request) {
  const auto body = json::parse(request.body);
  const auto& markdown = body.at("markdown").as_object();
  const auto* content = markdown.if_contains("content");
  return std::string((content != nullptr ? *content : markdown.at("text")).as_string());
}

struct Accounted {
  std::set<std::int64_t> listed;   // named in a post or a digest's line
  std::set<std::int64_t> counted;  // in a digest's "另有 N 条未列出（事件编号 A–B）"
  std::int64_t counted_claimed = 0;
};

// Every event number a robot's posts account for.
Accounted accounted(const std::vector<ReceivedRequest>& requests,
                    const std::vector<std::int64_t>& all_events) {
  Accounted out;
  const std::regex listed(R"(事件编号[：: ]*(\d+))");
  const std::regex rest(R"(另有 (\d+) 条未列出（事件编号 (\d+)–(\d+)）)");
  for (const ReceivedRequest& request : requests) {
    std::string text = markdown_of(request);
    std::smatch match;
    const bool has_rest = std::regex_search(text, match, rest);
    if (has_rest) {
      out.counted_claimed += std::stoll(match[1]);
      const std::int64_t from = std::stoll(match[2]);
      const std::int64_t to = std::stoll(match[3]);
      for (const std::int64_t id : all_events) {
        if (id >= from && id <= to) out.counted.insert(id);
      }
      text = match.prefix().str();  // the rest line names numbers it does not list
    }
    for (auto it = std::sregex_iterator(text.begin(), text.end(), listed);
         it != std::sregex_iterator(); ++it) {
      out.listed.insert(std::stoll((*it)[1]));
    }
  }
  return out;
}

class RobotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A SQLite file, or with INVESTFLOW_TEST_STORE=postgresql a PostgreSQL database.
    database_ = test_database(dir_, "r.db");
    if (database_.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason();
    ASSERT_EQ(storage::is_postgres_uri(database_), on_postgres()) << database_;
    store_ = open_store(database_, clock_);
    ASSERT_TRUE(store_);
    auto notify = NotifyStore::open(database_);
    ASSERT_TRUE(notify) << notify.error().message;
    notify_ = *notify;
  }

  static DispatchOptions options() {
    DispatchOptions options;
    options.request_timeout = milliseconds(5000);
    options.max_attempts = 3;
    options.backoff_base = milliseconds(1000);
    options.backoff_cap = milliseconds(1000);
    return options;
  }

  Webhook subscribe(const std::string& url, const std::string& format,
                    const std::string& secret = "") {
    Webhook webhook;
    webhook.url = url;
    webhook.secret = secret;
    webhook.events.push_back(*engine::parse_event_filter("*"));
    webhook.format = format;
    webhook.created_by = "admin";
    webhook.created_at = clock_->now();
    auto added = notify_->add_webhook(webhook);
    EXPECT_TRUE(added);
    return *added;
  }

  std::vector<Delivery> deliveries(std::int64_t webhook) {
    auto out = notify_->deliveries(std::nullopt, 5000, INT64_MAX);
    EXPECT_TRUE(out);
    std::vector<Delivery> mine;
    for (const Delivery& delivery : out ? *out : std::vector<Delivery>{}) {
      if (delivery.webhook_id == webhook) mine.push_back(delivery);
    }
    return mine;
  }

  std::vector<std::int64_t> all_event_ids() {
    std::vector<std::int64_t> ids;
    for (const auto& row : query_rows(database_, "SELECT id FROM events ORDER BY id"))
      ids.push_back(std::stoll(row.at(0)));
    return ids;
  }

  // Fans out, then lets each robot's lane post what its window allows.
  void pass(Dispatcher& dispatcher, const std::vector<Webhook>& webhooks) {
    while (dispatcher.run_once() > 0) {
    }
    for (const Webhook& webhook : webhooks)
      dispatcher.deliver_once(webhook);
  }

  TempDir dir_;
  std::string database_;  // a SQLite file in dir_, or a postgresql:// URI
  std::shared_ptr<TestClock> clock_ = std::make_shared<TestClock>(kStart);
  std::unique_ptr<storage::Store> store_;
  std::shared_ptr<NotifyStore> notify_;
};

// In every `window` of the clock, at most `limit` of these post times.
bool within_limit(const std::vector<engine::Timestamp>& times, int limit,
                  engine::Timestamp window) {
  for (std::size_t i = 0; i < times.size(); ++i) {
    int in_window = 0;
    for (const engine::Timestamp at : times) {
      if (at >= times[i] && at < times[i] + window) ++in_window;
    }
    if (in_window > limit) return false;
  }
  return true;
}

TEST_F(RobotsTest, AHundredEventsInTenSecondsGiveTwentyPostsAMinuteAndADigestWithNothingLost) {
  WebhookReceiver wecom_receiver;
  WebhookReceiver dingtalk_receiver;
  const Webhook wecom = subscribe(wecom_receiver.url("/cgi-bin/webhook/send?key=k"), "wecom");
  const Webhook dingtalk =
      subscribe(dingtalk_receiver.url("/robot/send?access_token=t"), "dingtalk", "SECsecret");
  Dispatcher dispatcher(*store_, notify_, clock_, options());
  std::map<const WebhookReceiver*, std::vector<engine::Timestamp>> posted;
  const auto note_posts = [&] {
    for (const WebhookReceiver* receiver : {&wecom_receiver, &dingtalk_receiver}) {
      while (posted[receiver].size() < receiver->count())
        posted[receiver].push_back(clock_->now());
    }
  };
  for (int i = 0; i < 100; ++i) {  // one every 100 ms
    clock_->set(kStart + i * 100);
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
    pass(dispatcher, {wecom, dingtalk});
    note_posts();
  }
  EXPECT_EQ(wecom_receiver.count(), 20u);
  EXPECT_EQ(dingtalk_receiver.count(), 20u);
  // Half a minute on: the window is still full, nothing more goes.
  clock_->set(kStart + kMinute / 2);
  pass(dispatcher, {wecom, dingtalk});
  EXPECT_EQ(wecom_receiver.count(), 20u);
  // A minute after the first post its place frees: the other 80 go as one digest.
  clock_->set(kStart + kMinute);
  pass(dispatcher, {wecom, dingtalk});
  note_posts();
  ASSERT_EQ(wecom_receiver.count(), 21u);
  ASSERT_EQ(dingtalk_receiver.count(), 21u);
  clock_->set(kStart + 3 * kMinute);
  pass(dispatcher, {wecom, dingtalk});
  EXPECT_EQ(wecom_receiver.count(), 21u);  // nothing left to send

  const std::vector<std::int64_t> events = all_event_ids();
  ASSERT_EQ(events.size(), 100u);
  for (const auto& [webhook, receiver] :
       {std::pair{wecom, &wecom_receiver}, std::pair{dingtalk, &dingtalk_receiver}}) {
    SCOPED_TRACE(webhook.format);
    EXPECT_TRUE(within_limit(posted[receiver], 20, kMinute));
    const auto requests = receiver->requests();
    const std::string digest = markdown_of(requests.back());
    EXPECT_NE(digest.find("另有 80 条动态"), std::string::npos) << digest;
    EXPECT_LE(digest.size(), chat_max_bytes(*parse_webhook_format(webhook.format)));
    // Every event is in its own post, listed in the digest, or in the digest's count.
    const Accounted seen = accounted(requests, events);
    std::set<std::int64_t> all(seen.listed);
    all.insert(seen.counted.begin(), seen.counted.end());
    EXPECT_EQ(all, std::set<std::int64_t>(events.begin(), events.end()));
    EXPECT_EQ(seen.counted_claimed, static_cast<std::int64_t>(seen.counted.size()));
    // And the deliveries say which: 20 on their own, 80 in one digest.
    const std::vector<Delivery> log = deliveries(webhook.id);
    ASSERT_EQ(log.size(), 100u);
    std::map<std::int64_t, int> by_digest;
    int alone = 0;
    for (const Delivery& delivery : log) {
      EXPECT_EQ(delivery.status, DeliveryStatus::delivered);
      EXPECT_EQ(delivery.attempts, 1);
      if (delivery.digest) {
        ++by_digest[*delivery.digest];
      } else {
        ++alone;
      }
    }
    EXPECT_EQ(alone, 20);
    ASSERT_EQ(by_digest.size(), 1u);
    EXPECT_EQ(by_digest.begin()->second, 80);
  }
  // DingTalk's digest is signed like any of its posts.
  EXPECT_NE(dingtalk_receiver.requests().back().target.find("&sign="), std::string::npos);
}

// The same through a started dispatcher's own lanes: twenty creates, each posted as it
// comes, fill the window; ten more are held until the test clock has moved a minute on,
// then go as one digest.
TEST_F(RobotsTest, ARunningDispatcherHoldsTheRestForTheDigest) {
  WebhookReceiver receiver;
  subscribe(receiver.url("/send?key=k"), "wecom");
  DispatchOptions running = options();
  running.poll = milliseconds(20);
  Dispatcher dispatcher(*store_, notify_, clock_, running);
  dispatcher.start();
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
    dispatcher.wake();
    if (i < 20) {
      ASSERT_TRUE(receiver.wait_for(static_cast<std::size_t>(i) + 1, std::chrono::seconds(30)));
    }
  }
  ASSERT_TRUE(receiver.wait_for(20, std::chrono::seconds(30)));
  // Many poll intervals later (an upper bound on a bug, not a timing claim): still twenty.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(receiver.count(), 20u);
  clock_->set(kStart + kMinute);
  ASSERT_TRUE(receiver.wait_for(21, std::chrono::seconds(30)));
  EXPECT_NE(markdown_of(receiver.requests().back()).find("### 另有 10 条动态"), std::string::npos);
  ASSERT_TRUE(eventually([&] {
    const auto log = deliveries(1);
    return log.size() == 30 && std::all_of(log.begin(), log.end(), [](const Delivery& delivery) {
             return delivery.status == DeliveryStatus::delivered;
           });
  }));
  dispatcher.stop();
  EXPECT_EQ(receiver.count(), 21u);
}

TEST_F(RobotsTest, ARestartDoesNotStartANewBurst) {
  WebhookReceiver receiver;
  const Webhook wecom = subscribe(receiver.url("/send?key=k"), "wecom");
  {
    Dispatcher dispatcher(*store_, notify_, clock_, options());
    for (int i = 0; i < 25; ++i) {
      clock_->set(kStart + i * 10);
      ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
      pass(dispatcher, {wecom});
    }
    EXPECT_EQ(receiver.count(), 20u);
  }
  // A new process (a new dispatcher, a new connection) half a minute later.
  auto reopened = NotifyStore::open(database_);
  ASSERT_TRUE(reopened);
  notify_ = *reopened;
  clock_->set(kStart + kMinute / 2);
  Dispatcher restarted(*store_, notify_, clock_, options());
  pass(restarted, {wecom});
  EXPECT_EQ(receiver.count(), 20u);
  clock_->set(kStart + kMinute);
  pass(restarted, {wecom});
  EXPECT_EQ(receiver.count(), 21u);
  EXPECT_NE(markdown_of(receiver.requests().back()).find("另有 5 条动态"), std::string::npos);
}

TEST_F(RobotsTest, TwoWebhooksOnOneRobotShareItsLimit) {
  WebhookReceiver receiver;
  const Webhook first = subscribe(receiver.url("/send?key=k"), "wecom");
  const Webhook second = subscribe(receiver.url("/send?key=k"), "wecom");
  Dispatcher dispatcher(*store_, notify_, clock_, options());
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
    pass(dispatcher, {first, second});
  }
  EXPECT_EQ(receiver.count(), 20u);  // 30 deliveries, one robot
}

TEST_F(RobotsTest, ABulkOperationGivesOneDigestPerRobot) {
  WebhookReceiver wecom_receiver;
  WebhookReceiver dingtalk_receiver;
  WebhookReceiver json_receiver;
  const Webhook wecom = subscribe(wecom_receiver.url("/send?key=k"), "wecom");
  const Webhook dingtalk = subscribe(dingtalk_receiver.url("/robot/send"), "dingtalk");
  const Webhook plain = subscribe(json_receiver.url("/hook"), "json");
  Dispatcher dispatcher(*store_, notify_, clock_, options());

  std::vector<storage::WriteRequest> requests;
  for (int i = 0; i < 500; ++i) {
    storage::WriteRequest request;
    request.command.project_id = "IMP-" + std::to_string(i);
    engine::CreateProject body;
    body.owner = "zhang";
    body.fields["name"] = engine::Value::text("导入项目" + std::to_string(i));
    request.command.body = std::move(body);
    request.actor = {"zhang", {"staff"}};
    request.workflow = "timers";
    request.batch = "import:projects.xlsx:1";
    requests.push_back(std::move(request));
  }
  for (const auto& result : store_->write_atomic(std::move(requests)).get())
    ASSERT_TRUE(result.accepted());
  EXPECT_EQ(query_number(database_,
                         "SELECT count(*) FROM event_batches WHERE batch = "
                         "'import:projects.xlsx:1'"),
            500);
  // Someone else's event in the meantime is no part of the batch: it goes at once.
  ASSERT_TRUE(create(*store_, "OTHER").accepted());
  pass(dispatcher, {wecom, dingtalk});
  EXPECT_EQ(wecom_receiver.count(), 1u);
  EXPECT_EQ(dingtalk_receiver.count(), 1u);
  // The batch waits until it has been quiet for a while, then goes as one digest.
  clock_->set(kStart + options().batch_quiet.count());
  pass(dispatcher, {wecom, dingtalk});
  clock_->set(kStart + 10 * kMinute);
  pass(dispatcher, {wecom, dingtalk});
  ASSERT_EQ(wecom_receiver.count(), 2u);
  ASSERT_EQ(dingtalk_receiver.count(), 2u);

  const std::vector<std::int64_t> events = all_event_ids();
  for (const auto& [webhook, receiver] :
       {std::pair{wecom, &wecom_receiver}, std::pair{dingtalk, &dingtalk_receiver}}) {
    SCOPED_TRACE(webhook.format);
    const std::string digest = markdown_of(receiver->requests().back());
    EXPECT_TRUE(digest.starts_with("### 批量操作：共 500 条动态")) << digest;
    EXPECT_LE(digest.size(), chat_max_bytes(*parse_webhook_format(webhook.format)));
    EXPECT_NE(digest.find("导入项目0"), std::string::npos);
    EXPECT_NE(digest.find("……另有 "), std::string::npos);  // 500 lines do not fit
    const Accounted seen = accounted(receiver->requests(), events);
    EXPECT_EQ(seen.listed.size() + seen.counted.size(), 501u);
    std::map<std::int64_t, int> by_digest;
    for (const Delivery& delivery : deliveries(webhook.id)) {
      EXPECT_EQ(delivery.status, DeliveryStatus::delivered);
      if (delivery.digest) ++by_digest[*delivery.digest];
    }
    ASSERT_EQ(by_digest.size(), 1u);
    EXPECT_EQ(by_digest.begin()->second, 500);
  }
  EXPECT_EQ(dispatcher.counts().digests, 2);
  EXPECT_EQ(dispatcher.counts().digest_events, 1000);
  EXPECT_EQ(dispatcher.counts().posts_delivered, 4);
  EXPECT_EQ(json_receiver.count(), 0u);  // not driven here: JSON webhooks get no digests
  dispatcher.deliver_once(plain);
  EXPECT_EQ(json_receiver.count(), 501u);  // and no limit
}

TEST_F(RobotsTest, AFailedDigestIsRetriedAsOneThenDeadAndReplayedOnItsOwn) {
  WebhookReceiver receiver;
  const Webhook wecom = subscribe(receiver.url("/send?key=k"), "wecom");
  DispatchOptions limited = options();
  limited.robot_limit = 2;
  Dispatcher dispatcher(*store_, notify_, clock_, limited);
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(create(*store_, "P-" + std::to_string(i)).accepted());
  receiver.respond({200, 500});
  pass(dispatcher, {wecom});  // one alone, then a digest of four that fails
  ASSERT_EQ(receiver.count(), 2u);
  std::vector<Delivery> log = deliveries(wecom.id);
  int failed = 0;
  for (const Delivery& delivery : log) {
    if (delivery.status == DeliveryStatus::pending) {
      ++failed;
      EXPECT_EQ(delivery.attempts, 1);
      EXPECT_EQ(delivery.last_error, "HTTP 500");
      EXPECT_FALSE(delivery.digest);
    }
  }
  EXPECT_EQ(failed, 4);
  // Later, one post a minute, the robot refuses (a 200 with an errcode): the four go
  // together each time, and the limit of attempts kills all four.
  DispatchOptions one = options();
  one.robot_limit = 1;
  Dispatcher slow(*store_, notify_, clock_, one);
  receiver.set_body(R"({"errcode":45009,"errmsg":"api freq out of limit"})");
  for (int round = 1; round <= 2; ++round) {
    clock_->set(kStart + round * 2 * kMinute);
    pass(slow, {wecom});
  }
  ASSERT_EQ(receiver.count(), 4u);
  int dead = 0;
  std::int64_t one_dead = 0;
  for (const Delivery& delivery : deliveries(wecom.id)) {
    if (delivery.status != DeliveryStatus::dead) continue;
    ++dead;
    one_dead = delivery.id;
    EXPECT_EQ(delivery.attempts, 3);
    EXPECT_NE(delivery.last_error.find("45009"), std::string::npos);
  }
  EXPECT_EQ(dead, 4);
  receiver.set_body(R"({"errcode":0,"errmsg":"ok"})");
  clock_->set(kStart + 10 * kMinute);
  ASSERT_TRUE(*notify_->replay(one_dead, clock_->now()));
  pass(slow, {wecom});
  ASSERT_EQ(receiver.count(), 5u);
  const auto replayed = notify_->delivery(one_dead);
  ASSERT_TRUE(replayed && *replayed);
  EXPECT_EQ((*replayed)->status, DeliveryStatus::delivered);
  EXPECT_FALSE((*replayed)->digest);
}

DueDelivery due_at(std::int64_t id, engine::Timestamp created_at, std::string batch = "") {
  DueDelivery due;
  due.delivery.id = id;
  due.delivery.created_at = created_at;
  due.batch = std::move(batch);
  return due;
}

TEST(RobotPlan, AllAloneWhileThereIsRoomElseTheLastPostCarriesTheRest) {
  std::vector<DueDelivery> due;
  for (int i = 0; i < 5; ++i)
    due.push_back(due_at(i + 1, kStart));
  auto plan = plan_robot_posts(due, 5, kStart, DispatchOptions{});
  ASSERT_EQ(plan.size(), 5u);
  EXPECT_FALSE(plan[4].digest);
  plan = plan_robot_posts(due, 3, kStart, DispatchOptions{});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_FALSE(plan[1].digest);
  EXPECT_TRUE(plan[2].digest);
  EXPECT_EQ(plan[2].items, (std::vector<std::size_t>{2, 3, 4}));
  plan = plan_robot_posts(due, 1, kStart, DispatchOptions{});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].items.size(), 5u);
  EXPECT_TRUE(plan_robot_posts(due, 0, kStart, DispatchOptions{}).empty());
  // Once they have waited (held by the limit, retried), they go together however much
  // room there is; one alone still goes alone.
  plan = plan_robot_posts(due, 20, kStart + 5000, DispatchOptions{});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_TRUE(plan[0].digest);
  EXPECT_EQ(plan[0].items.size(), 5u);
  plan = plan_robot_posts({due_at(1, kStart)}, 20, kStart + 60'000, DispatchOptions{});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_FALSE(plan[0].digest);
}

TEST(RobotPlan, ABatchWaitsUntilQuietThenGoesAsOne) {
  std::vector<DueDelivery> due = {due_at(1, kStart, "b"), due_at(2, kStart, ""),
                                  due_at(3, kStart + 1000, "b"), due_at(4, kStart, "c")};
  auto plan = plan_robot_posts(due, 20, kStart + 5000, DispatchOptions{});
  // b's newest is only 4 s old; c (one event) goes on its own, like the loose one.
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].items, std::vector<std::size_t>{1});
  EXPECT_EQ(plan[1].items, std::vector<std::size_t>{3});
  EXPECT_FALSE(plan[1].digest);
  plan = plan_robot_posts(due, 20, kStart + 6000, DispatchOptions{});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].items, (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(plan[0].digest);
  EXPECT_EQ(plan[0].batch, "b");
}

TEST(RobotDigest, ListsWhatFitsAndCountsTheRestWithTheirNumbers) {
  Digest digest;
  digest.heading_zh = "另有 300 条动态";
  for (int i = 0; i < 300; ++i) {
    Message message;
    message.event_id = 1000 + i;
    message.title_zh = "新项目“[膜材料](http://x)" + std::to_string(i) + "”已登记（线索）";
    message.actor = "zhang";
    message.at = kStart;
    digest.messages.push_back(message);
  }
  for (const WebhookFormat format : {WebhookFormat::wecom, WebhookFormat::dingtalk}) {
    SCOPED_TRACE(std::string(webhook_format_name(format)));
    const std::string text = digest_markdown(digest, format);
    EXPECT_LE(text.size(), chat_max_bytes(format));
    EXPECT_GT(text.size(), chat_max_bytes(format) - 400);  // filled, not cut short
    // Each line is the shared chat line: people's text escaped, the event number kept.
    EXPECT_TRUE(
        text.starts_with("### 另有 300 条动态\n- " + chat_line(digest.messages[0], format)));
    EXPECT_EQ(text.find("[膜材料]"), std::string::npos);
    const std::regex rest(R"(\n\n……另有 (\d+) 条未列出（事件编号 (\d+)–1299）$)");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(text, match, rest)) << text;
    const int counted = std::stoi(match[1]);
    const std::int64_t first_counted = std::stoll(match[2]);
    EXPECT_EQ(first_counted, 1300 - counted);
    // The last listed line is the one just before the first counted.
    EXPECT_TRUE(match.prefix().str().ends_with(
        chat_line(digest.messages[static_cast<std::size_t>(first_counted - 1 - 1000)], format)));
  }
  const auto wecom = json::parse(digest_body(WebhookFormat::wecom, digest));
  EXPECT_EQ(wecom.at("markdown").at("content").as_string(),
            digest_markdown(digest, WebhookFormat::wecom));
  const auto dingtalk = json::parse(digest_body(WebhookFormat::dingtalk, digest));
  EXPECT_EQ(dingtalk.at("markdown").at("title").as_string(), "另有 300 条动态");
  EXPECT_EQ(dingtalk.at("markdown").at("text").as_string(),
            digest_markdown(digest, WebhookFormat::dingtalk));
}

// --- the outbound client: proxies and CA bundles ----------------------------------------

// The proxy: a receiver that answers what it is sent (a plain-HTTP proxy gets the whole
// URL as the request target).
TEST(HttpPost, GoesThroughTheProxyAndNoProxyBypassesIt) {
  WebhookReceiver proxy;
  WebhookReceiver receiver;
  PostRequest request;
  request.url = "http://robot.example.invalid:8081/cgi-bin/webhook/send?key=k";
  request.body = "{}";
  request.proxy.http = proxy.url("");
  PostOutcome outcome = http_post(request);
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.status, 200);
  ASSERT_EQ(proxy.count(), 1u);
  EXPECT_EQ(proxy.requests().at(0).target, request.url);
  EXPECT_EQ(proxy.requests().at(0).headers.at("host"), "robot.example.invalid:8081");

  // NO_PROXY names the receiver's host: straight there.
  request.url = receiver.url("/hook");
  request.proxy.no_proxy = "localhost,127.0.0.1";
  outcome = http_post(request);
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(proxy.count(), 1u);

  // An https proxy setting is not used for http URLs.
  request.proxy = {};
  request.proxy.https = proxy.url("");
  outcome = http_post(request);
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(receiver.count(), 2u);
  EXPECT_EQ(proxy.count(), 1u);
}

TEST(HttpPost, ProxySettingsComeFromTheEnvironmentLowercaseFirst) {
  const auto set = [](const char* name, const char* value) {
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  };
  set("http_proxy", nullptr);
  set("HTTP_PROXY", "http://upper:3128");
  set("https_proxy", "http://lower:3128");
  set("HTTPS_PROXY", "http://upper:3128");
  set("no_proxy", nullptr);
  set("NO_PROXY", ".corp.example,10.0.0.0/8");
  const ProxySettings proxy = proxy_settings_from_environment();
  EXPECT_EQ(proxy.http, "http://upper:3128");
  EXPECT_EQ(proxy.https, "http://lower:3128");
  EXPECT_EQ(proxy.no_proxy, ".corp.example,10.0.0.0/8");
  for (const char* name : {"HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "NO_PROXY"})
    set(name, nullptr);

  // And the dispatcher hands them, with the CA bundle, to every request it makes.
  DispatchOptions options;
  options.proxy = proxy;
  options.ca_file = "/etc/investflow/ca.pem";
  Webhook webhook;
  webhook.url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k";
  webhook.format = "wecom";
  const PostRequest request = delivery_request(webhook, Message{}, kStart, options);
  EXPECT_EQ(request.proxy.https, "http://lower:3128");
  EXPECT_EQ(request.ca_file, "/etc/investflow/ca.pem");
  const PostRequest digest = digest_request(webhook, Digest{"另有 1 条动态", {}}, kStart, options);
  EXPECT_EQ(digest.proxy.no_proxy, ".corp.example,10.0.0.0/8");
}

// An HTTPS receiver on 127.0.0.1 with a self-signed certificate (tests/data/notify,
// made with `openssl req -x509 -newkey ec ... -days 36500 -addext
// subjectAltName=IP:127.0.0.1,DNS:localhost`); it answers every request it reads with
// the robots' {"errcode":0}. A client that refuses the certificate never gets that far.
class TlsReceiver {
 public:
  TlsReceiver() {
    const std::filesystem::path data = std::filesystem::path(INVESTFLOW_TEST_DATA) / "notify";
    context_.use_certificate_chain_file((data / "test_receiver.crt").string());
    context_.use_private_key_file((data / "test_receiver.key").string(),
                                  boost::asio::ssl::context::pem);
    const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsReceiver() {
    io_.stop();
    thread_.join();
  }
  TlsReceiver(const TlsReceiver&) = delete;
  TlsReceiver& operator=(const TlsReceiver&) = delete;

  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  int requests() const { return requests_.load(); }

 private:
  using tcp = boost::asio::ip::tcp;
  using Stream = boost::beast::ssl_stream<tcp::socket>;

  void accept() {
    acceptor_.async_accept([this](boost::beast::error_code error, tcp::socket socket) {
      if (error) return;
      auto stream = std::make_shared<Stream>(std::move(socket), context_);
      stream->async_handshake(boost::asio::ssl::stream_base::server,
                              [this, stream](boost::beast::error_code failed) {
                                if (!failed) read(stream);
                              });
      accept();
    });
  }
  void read(const std::shared_ptr<Stream>& stream) {
    auto buffer = std::make_shared<boost::beast::flat_buffer>();
    auto request = std::make_shared<http::request<http::string_body>>();
    http::async_read(*stream, *buffer, *request,
                     [this, stream, buffer, request](boost::beast::error_code error, std::size_t) {
                       if (error) return;
                       ++requests_;
                       auto response = std::make_shared<http::response<http::string_body>>(
                           http::status::ok, request->version());
                       response->set(http::field::content_type, "application/json");
                       response->body() = R"({"errcode":0,"errmsg":"ok"})";
                       response->keep_alive(false);
                       response->prepare_payload();
                       http::async_write(
                           *stream, *response,
                           [stream, response](boost::beast::error_code, std::size_t) {});
                     });
  }

  boost::asio::io_context io_{1};
  boost::asio::ssl::context context_{boost::asio::ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(HttpPost, TheCaFileIsTrustedInsteadOfTheSystemStore) {
  TlsReceiver receiver;
  PostRequest request;
  request.url = receiver.url();
  request.body = "{}";
  request.timeout = milliseconds(5000);
  // The system's store does not know the test certificate.
  PostOutcome outcome = http_post(request);
  EXPECT_EQ(outcome.status, 0);
  EXPECT_NE(outcome.error.find("certificate"), std::string::npos) << outcome.error;
  EXPECT_EQ(receiver.requests(), 0);
  // With it as the CA bundle, the post goes through (host name checked: 127.0.0.1).
  request.ca_file =
      (std::filesystem::path(INVESTFLOW_TEST_DATA) / "notify" / "test_receiver.crt").string();
  outcome = http_post(request);
  ASSERT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.body, R"({"errcode":0,"errmsg":"ok"})");
  EXPECT_EQ(receiver.requests(), 1);
  // A bundle that does not exist is an error, not a fallback to the system's store.
  request.ca_file = "/nonexistent/ca.pem";
  outcome = http_post(request);
  EXPECT_EQ(outcome.status, 0);
  EXPECT_FALSE(outcome.error.empty());
}

}  // namespace
}  // namespace investflow::notify::testing
