// /api/notifications, /api/webhooks, /api/deliveries, /api/projects/{id}/deadlines and the
// `notification` event on /api/stream, through the real server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "notify/dispatcher.hpp"
#include "notify/notify_store.hpp"
#include "notify/scheduler.hpp"
#include "tests/web/notifying_api_test.hpp"
#include "web/notification_feed.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ApiNotifyTest : public NotifyingApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    serve_with_notifications([this](ApiContext& context) {
      // As serve has it, with the tests' receivers' loopback address allowed.
      context.webhook_addresses = {true, *notify::IpNetworks::parse("127.0.0.1")};
      context.notifications = std::make_shared<NotificationFeed>(
          [notify = notify_](const std::string& user) -> std::optional<std::int64_t> {
            auto unread = notify->unread_count(user);
            return unread ? std::optional<std::int64_t>(*unread) : std::nullopt;
          });
      feed_ = context.notifications;
    });
  }

  // The lead's SLA (1 working day from Monday 03-02) is overdue on Thursday: the scheduler
  // fires it and the dispatcher fills the inboxes of the owner and the managers.
  void make_overdue_notification() {
    create_lead();
    clock_->set(engine::start_of_day(*engine::Date::parse("2026-03-05")) + 9 * 3600 * 1000);
    notify::Scheduler scheduler(*store_, clock_);
    ASSERT_EQ(scheduler.run_once().fired, 1);
    notify::Dispatcher dispatcher(
        *store_, notify_, clock_, {},
        [feed = feed_](const std::vector<std::string>& users) { feed->notify(users); });
    ASSERT_GT(dispatcher.run_once(), 0);
  }

  std::shared_ptr<NotificationFeed> feed_;
};

TEST_F(ApiNotifyTest, InboxListsMarksReadAndCounts) {
  make_overdue_notification();
  const Login li = login("li");
  auto page = call(li, "GET", "/api/notifications");
  ASSERT_EQ(page.status, 200) << page.body;
  auto body = parse(page);
  EXPECT_EQ(body.at("unread").as_int64(), 1);
  EXPECT_TRUE(body.at("next_cursor").is_null());
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  const auto& item = items[0].as_object();
  EXPECT_EQ(item.at("type").as_string(), "deadline_fired");
  EXPECT_EQ(item.at("triggers").as_array().at(0).as_string(), "sla_overdue");
  EXPECT_EQ(item.at("project_name").as_string(), "新型显示材料项目");
  EXPECT_TRUE(std::string(item.at("title").at("zh").as_string()).starts_with("【逾期】"));
  EXPECT_FALSE(item.at("title").at("en").as_string().empty());
  EXPECT_TRUE(item.at("read_at").is_null());
  const std::string id = std::to_string(item.at("id").as_int64());

  // A write without the CSRF token is refused.
  const auto forged =
      fetch(port(), "POST", "/api/notifications/" + id + "/read", "", {{"Cookie", li.cookie}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);

  auto read = call(li, "POST", "/api/notifications/" + id + "/read");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(parse(read).at("unread").as_int64(), 0);
  EXPECT_EQ(parse(call(li, "GET", "/api/notifications?unread=true")).at("items").as_array().size(),
            0u);
  // Someone else's notification is not there for them.
  EXPECT_EQ(call_as("audit", "POST", "/api/notifications/" + id + "/read").status, 404);
  EXPECT_EQ(call(li, "POST", "/api/notifications/999999/read").status, 404);
  // The owner has hers too; read-all clears it.
  EXPECT_EQ(parse(call_as("zhang", "GET", "/api/notifications")).at("unread").as_int64(), 1);
  auto all = call_as("zhang", "POST", "/api/notifications/read-all");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(parse(all).at("marked").as_int64(), 1);
  EXPECT_EQ(call(li, "GET", "/api/notifications?limit=0").status, 400);
  EXPECT_EQ(call(li, "GET", "/api/notifications?unread=maybe").status, 400);
}

TEST_F(ApiNotifyTest, WebhooksAreManagedByAdmins) {
  const std::string body =
      R"({"url":"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k","format":"wecom",)"
      R"("events":["sla_overdue","transition_taken"],"secret":"s1"})";
  EXPECT_EQ(call_as("li", "POST", "/api/webhooks", body).status, 403);
  EXPECT_EQ(call_as("li", "GET", "/api/webhooks").status, 403);
  auto created = call_as("root", "POST", "/api/webhooks", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto webhook = parse(created);
  EXPECT_EQ(webhook.at("format").as_string(), "wecom");
  EXPECT_TRUE(webhook.at("has_secret").as_bool());
  EXPECT_FALSE(webhook.contains("secret"));
  const std::string id = std::to_string(webhook.at("id").as_int64());

  auto list = parse(call_as("root", "GET", "/api/webhooks"));
  ASSERT_EQ(list.at("items").as_array().size(), 1u);
  EXPECT_EQ(call_as("root", "POST", "/api/webhooks", R"({"url":"ftp://x"})").status, 400);
  // Internal addresses are refused when the webhook is saved (SSRF), unless allowed.
  for (const std::string url :
       {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.8:8080/", "http://localhost:22/",
        "http://[::1]/", "http://0.0.0.0/", "http://[::ffff:192.168.1.1]/"}) {
    const auto refused = call_as("root", "POST", "/api/webhooks", R"({"url":")" + url + R"("})");
    EXPECT_EQ(refused.status, 422) << url << ": " << refused.body;
    EXPECT_NE(refused.body.find("webhook_address_refused"), std::string::npos) << refused.body;
  }
  // CR LF in the URL would inject a header into every delivery: refused, named, nothing kept.
  const auto injected =
      call_as("root", "POST", "/api/webhooks", R"({"url":"http://x/hook\r\nX-Injected: 1"})");
  EXPECT_EQ(injected.status, 400);
  EXPECT_NE(injected.body.find("invalid_url"), std::string::npos) << injected.body;
  EXPECT_EQ(parse(call_as("root", "GET", "/api/webhooks")).at("items").as_array().size(), 1u);
  EXPECT_EQ(
      call_as("root", "POST", "/api/webhooks", R"({"url":"http://x/","format":"slack"})").status,
      400);
  // A filter that is no event type or trigger is a 422 naming it; a wrong shape is a 400.
  auto unknown = call_as("root", "POST", "/api/webhooks",
                         R"({"url":"http://x/","events":["enter:*","nonsense","enter:"]})");
  ASSERT_EQ(unknown.status, 422) << unknown.body;
  const auto refused = parse(unknown);
  EXPECT_EQ(refused.at("code").as_string(), "unknown_event_filter");
  EXPECT_NE(refused.at("detail").as_string().find("\"nonsense\", \"enter:\""), std::string::npos)
      << refused.at("detail");
  ASSERT_EQ(refused.at("errors").as_array().size(), 2u);
  EXPECT_EQ(refused.at("errors").as_array().at(0).at("field").as_string(), "events[1]");
  EXPECT_EQ(refused.at("errors").as_array().at(1).at("field").as_string(), "events[2]");
  EXPECT_EQ(call_as("root", "POST", "/api/webhooks", R"({"url":"http://x/","events":[]})").status,
            400);
  EXPECT_EQ(call_as("root", "POST", "/api/webhooks", R"({"url":"http://x/","events":[7]})").status,
            400);
  // Wildcard triggers are filters too, shown back as given.
  auto wildcard = call_as("root", "POST", "/api/webhooks",
                          R"({"url":"http://127.0.0.1:9/","events":["transition:*","leave:*"]})");
  ASSERT_EQ(wildcard.status, 201) << wildcard.body;
  EXPECT_EQ(parse(wildcard).at("events").as_array().at(0).as_string(), "transition:*");
  EXPECT_EQ(parse(wildcard).at("events").as_array().at(1).as_string(), "leave:*");
  EXPECT_EQ(call_as("root", "DELETE",
                    "/api/webhooks/" + std::to_string(parse(wildcard).at("id").as_int64()))
                .status,
            204);
  // Default: every event, generic JSON.
  auto plain = parse(call_as("root", "POST", "/api/webhooks", R"({"url":"http://127.0.0.1:9/"})"));
  EXPECT_EQ(plain.at("format").as_string(), "json");
  EXPECT_EQ(plain.at("events").as_array().at(0).as_string(), "*");

  EXPECT_EQ(call_as("root", "DELETE", "/api/webhooks/" + id).status, 204);
  EXPECT_EQ(call_as("root", "DELETE", "/api/webhooks/" + id).status, 404);
  EXPECT_EQ(parse(call_as("root", "GET", "/api/webhooks")).at("items").as_array().size(), 1u);
}

TEST_F(ApiNotifyTest, DeliveriesAreListedAndReplayedByAdmins) {
  auto created = call_as("root", "POST", "/api/webhooks", R"({"url":"http://127.0.0.1:9/"})");
  ASSERT_EQ(created.status, 201);
  create_lead();
  notify::Dispatcher dispatcher(*store_, notify_, clock_);
  ASSERT_GT(dispatcher.run_once(), 0);  // the creation fanned out to the webhook
  EXPECT_EQ(call_as("li", "GET", "/api/deliveries").status, 403);
  auto pending = call_as("root", "GET", "/api/deliveries?status=pending");
  ASSERT_EQ(pending.status, 200) << pending.body;
  const auto listed = parse(pending);
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  const auto& delivery = items[0].as_object();
  EXPECT_EQ(delivery.at("status").as_string(), "pending");
  EXPECT_EQ(delivery.at("attempts").as_int64(), 0);
  EXPECT_TRUE(delivery.at("last_error").is_null());
  const std::string id = std::to_string(delivery.at("id").as_int64());
  auto replayed = call_as("root", "POST", "/api/deliveries/" + id + "/replay");
  ASSERT_EQ(replayed.status, 200) << replayed.body;
  EXPECT_EQ(parse(replayed).at("status").as_string(), "pending");
  EXPECT_EQ(call_as("root", "POST", "/api/deliveries/99999/replay").status, 404);
  EXPECT_EQ(call_as("root", "GET", "/api/deliveries?status=lost").status, 400);
  EXPECT_EQ(
      parse(call_as("root", "GET", "/api/deliveries?status=dead")).at("items").as_array().size(),
      0u);
}

TEST_F(ApiNotifyTest, ManagersExtendDeadlinesWithAReason) {
  const std::string id = create_lead();
  const std::string target = "/api/projects/" + id + "/deadlines";
  const std::string body = R"({"kind":"sla","due_on":"2026-03-09","reason":"等待企业补充材料"})";
  EXPECT_EQ(call_as("zhang", "POST", target, body).status, 403);
  EXPECT_EQ(call_as("li", "POST", target, R"({"kind":"sla","due_on":"2026-03-09"})").status, 422);
  EXPECT_EQ(call_as("li", "POST", target, R"({"kind":"soon","due_on":"2026-03-09"})").status, 400);
  EXPECT_EQ(call_as("li", "POST", target, R"({"kind":"sla","due_on":"next week"})").status, 400);
  auto extended = call_as("li", "POST", target, body);
  ASSERT_EQ(extended.status, 200) << extended.body;
  auto project = parse(call_as("li", "GET", "/api/projects/" + id));
  EXPECT_EQ(project.at("version").as_int64(), 2);
  auto history = call_as("li", "GET", "/api/projects/" + id + "/history");
  EXPECT_NE(history.body.find("deadline_extended"), std::string::npos) << history.body;
  EXPECT_EQ(call_as("li", "POST", "/api/projects/P-NONE/deadlines", body).status, 404);
}

// Language v1.1 `deadlines.extend` of the shipped workflow (once, at most 248 working days):
// the second extension of the same deadline and one too long are refused with their codes
// and a message in both languages.
TEST_F(ApiNotifyTest, ExtensionsBeyondTheWorkflowsLimitsAreRefused) {
  const std::string id = create_lead();
  const std::string target = "/api/projects/" + id + "/deadlines";
  auto too_long = call_as("li", "POST", target,
                          R"({"kind":"sla","due_on":"2027-06-01","reason":"等待企业决策"})");
  ASSERT_EQ(too_long.status, 422) << too_long.body;
  auto problem = parse(too_long);
  EXPECT_EQ(problem.at("code").as_string(), "extension_too_long");
  const auto& error = problem.at("errors").as_array().at(0).as_object();
  EXPECT_EQ(error.at("field").as_string(), "due_on");
  EXPECT_NE(std::string(error.at("message").as_string()).find("超过上限248个工作日"),
            std::string::npos)
      << too_long.body;
  ASSERT_EQ(call_as("li", "POST", target,
                    R"({"kind":"sla","due_on":"2026-03-09","reason":"等待企业补充材料"})")
                .status,
            200);
  auto again =
      call_as("li", "POST", target, R"({"kind":"sla","due_on":"2026-03-10","reason":"再次延期"})");
  ASSERT_EQ(again.status, 422) << again.body;
  EXPECT_EQ(parse(again).at("code").as_string(), "extension_limit_reached");
  auto in_english =
      call_as("li", "POST", target, R"({"kind":"sla","due_on":"2026-03-10","reason":"again"})",
              {{"Accept-Language", "en"}});
  EXPECT_NE(in_english.body.find("at most 1 extension"), std::string::npos) << in_english.body;
}

// A blocking reader of one /api/stream response.
class StreamReader {
 public:
  ~StreamReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool open(std::uint16_t port, const std::string& token) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return false;
    }
    const std::string request =
        "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
        "\r\n\r\n";
    return ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(request.size());
  }
  bool read_until(const std::string& text, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (received_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) received_.append(chunk, static_cast<std::size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        return false;
      }
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

TEST_F(ApiNotifyTest, StreamPushesTheUnreadCountToItsUser) {
  StreamReader li;
  ASSERT_TRUE(li.open(port(), tokens_.at("li")));
  ASSERT_TRUE(li.read_until("retry: 3000\n\n"));
  StreamReader audit;
  ASSERT_TRUE(audit.open(port(), tokens_.at("audit")));
  ASSERT_TRUE(audit.read_until("retry: 3000\n\n"));
  // Each stream starts with its user's count.
  ASSERT_TRUE(li.read_until("event: notification\ndata: {\"unread\":0,\"user\":\"li\"}\n\n"))
      << li.received();
  ASSERT_TRUE(audit.read_until("event: notification\ndata: {\"unread\":0,\"user\":\"audit\"}\n\n"))
      << audit.received();
  const std::size_t before = audit.received().size();
  make_overdue_notification();
  ASSERT_TRUE(li.read_until("event: notification\ndata: {\"unread\":1,\"user\":\"li\"}\n\n"))
      << li.received();
  // The auditor gets the log's events but no new inbox count: nothing was for them.
  EXPECT_TRUE(audit.read_until("event: deadline_fired\n"));
  EXPECT_EQ(audit.received().find("event: notification", before), std::string::npos);
}

TEST(NotificationFeedTest, SendsOnlyToOpenStreamsOfTheUser) {
  struct Sink final : StreamSink {
    bool send(std::string bytes) override {
      sent += bytes;
      return open;
    }
    bool is_open() const override { return open; }
    std::string sent;
    bool open = true;
  };
  NotificationFeed feed(
      [](const std::string& user) -> std::optional<std::int64_t> { return user == "li" ? 3 : 0; });
  auto li = std::make_shared<Sink>();
  auto closed = std::make_shared<Sink>();
  closed->open = false;
  feed.subscribe("li", li);
  feed.subscribe("li", closed);
  // The count as each stream starts, then with each notification.
  EXPECT_EQ(li->sent, notification_event("li", 3));
  feed.notify({"li", "zhang"});
  EXPECT_EQ(li->sent, notification_event("li", 3) + notification_event("li", 3));
  EXPECT_EQ(closed->sent, "");
}

}  // namespace
}  // namespace investflow::web::testing
