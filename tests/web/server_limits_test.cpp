// Limits and hostile clients: oversized requests, slow clients, the connection cap and
// running out of file descriptors.
#include "web/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "http_client.hpp"
#include "test_server.hpp"

namespace investflow::web {
namespace {

using testing::fetch;
using ::testing::HasSubstr;
using testing::HttpClient;
using testing::RunningServer;
using testing::test_options;
using Clock = std::chrono::steady_clock;

Router echo_router() {
  Router router;
  router.add("POST", "/api/echo", [](const Request& request, const RouteParams&) {
    return text_response(200, std::to_string(request.body.size()));
  });
  router.add(
      "GET", "/api/ping",
      [](const Request&, const RouteParams&) { return text_response(200, "pong"); },
      Execution::io_thread);
  return router;
}

std::string code_of(const std::string& body) {
  return std::string(boost::json::parse(body).at("code").as_string());
}

TEST(ServerLimits, BodyOverTheLimitIs413) {
  auto options = test_options();
  options.body_limit = 1024;
  RunningServer running(echo_router(), options);
  const auto fits = fetch(running.port(), "POST", "/api/echo", std::string(1024, 'x'));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body, "1024");

  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  const auto refused = client.request("POST", "/api/echo", std::string(64 * 1024, 'x'));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(refused->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(code_of(refused->body), "payload_too_large");
  EXPECT_FALSE(refused->keep_alive);
  EXPECT_TRUE(client.wait_closed(std::chrono::seconds(2)));
}

TEST(ServerLimits, ARouteMayTakeALargerBodyThanTheServersLimit) {
  auto options = test_options();
  options.body_limit = 1024;
  Router router = echo_router();
  router.add("POST", "/api/files/{id}", [](const Request& request, const RouteParams&) {
    return text_response(200, std::to_string(request.body.size()));
  });
  router.allow_body("POST", "/api/files/{id}", 8 * 1024);
  EXPECT_EQ(router.largest_body_limit(), 8u * 1024);
  EXPECT_EQ(router.body_limit("POST", "/api/files/a"), 8u * 1024);
  EXPECT_EQ(router.body_limit("POST", "/api/echo"), 0u);
  EXPECT_THROW(router.allow_body("POST", "/api/nowhere", 1), std::invalid_argument);
  RunningServer running(std::move(router), options);

  // Up to its own limit on the route (a query string does not change the route)...
  const auto fits =
      fetch(running.port(), "POST", "/api/files/a?dry_run=true", std::string(8 * 1024, 'x'));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body, "8192");
  // ...the server's limit everywhere else...
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  const auto elsewhere = client.request("POST", "/api/echo", std::string(2 * 1024, 'x'));
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 413);
  EXPECT_THAT(elsewhere->body, HasSubstr("请求体超过 1024 字节的上限"));  // zh-CN by default
  // ...and over the route's limit, by the declared length (refused before any body byte),
  // naming the route's limit.
  HttpClient declared;
  ASSERT_TRUE(declared.connect(running.port()));
  ASSERT_TRUE(
      declared.send_raw("POST /api/files/a HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n"
                        "Content-Length: 9000\r\n\r\n"));
  const auto over = declared.read_response();
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
  EXPECT_THAT(over->body, HasSubstr("larger than 8192 bytes"));
  // A chunked body is held to the route's limit as it arrives.
  HttpClient chunked;
  ASSERT_TRUE(chunked.connect(running.port()));
  std::string raw = "POST /api/files/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i)
    raw += "800\r\n" + std::string(2048, 'y') + "\r\n";
  raw += "0\r\n\r\n";
  ASSERT_TRUE(chunked.send_raw(raw));
  const auto chunked_over = chunked.read_response();
  ASSERT_TRUE(chunked_over);
  EXPECT_EQ(chunked_over->status, 413);
}

TEST(ServerLimits, ChunkedBodyOverTheLimitIs413) {
  auto options = test_options();
  options.body_limit = 1024;
  RunningServer running(echo_router(), options);
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  std::string raw = "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) {
    raw += "200\r\n" + std::string(512, 'y') + "\r\n";
  }
  raw += "0\r\n\r\n";
  ASSERT_TRUE(client.send_raw(raw));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST(ServerLimits, HeaderOverTheLimitIs413) {
  RunningServer running(echo_router());
  const auto fits =
      fetch(running.port(), "GET", "/api/ping", {}, {{"X-Padding", std::string(8 * 1024, 'a')}});
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
  const auto refused =
      fetch(running.port(), "GET", "/api/ping", {}, {{"X-Padding", std::string(20 * 1024, 'a')}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(code_of(refused->body), "payload_too_large");
  const auto many = [] {
    std::vector<std::pair<std::string, std::string>> fields;
    for (int i = 0; i < 400; ++i) {
      fields.emplace_back("X-F" + std::to_string(i), std::string(40, 'b'));
    }
    return fields;
  }();
  const auto refused_many = fetch(running.port(), "GET", "/api/ping", {}, many);
  ASSERT_TRUE(refused_many);
  EXPECT_EQ(refused_many->status, 413);
}

TEST(ServerLimits, SlowClientIsCutOffWhileOthersAreServed) {
  RunningServer running(echo_router());  // header timeout 400 ms
  HttpClient slow;
  ASSERT_TRUE(slow.connect(running.port()));
  const auto started = Clock::now();
  ASSERT_TRUE(slow.send_raw("GET /api/ping HTTP/1.1\r\nHost: x\r\nX-Slow: "));

  std::thread meanwhile([&] {
    HttpClient other;
    ASSERT_TRUE(other.connect(running.port()));
    for (int i = 0; i < 10; ++i) {
      const auto response = other.request("GET", "/api/ping");
      ASSERT_TRUE(response);
      EXPECT_EQ(response->body, "pong");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  // A byte now and then does not extend the deadline: the whole header must arrive in time.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    slow.send_raw("a");
  }
  EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(3)));
  const auto waited = Clock::now() - started;
  meanwhile.join();
  EXPECT_GE(waited, std::chrono::milliseconds(350));
  EXPECT_LT(waited, std::chrono::milliseconds(2000));
}

TEST(ServerLimits, SlowBodyIsCutOff) {
  RunningServer running(echo_router());  // body timeout 400 ms
  HttpClient slow;
  ASSERT_TRUE(slow.connect(running.port()));
  ASSERT_TRUE(
      slow.send_raw("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(3)));
}

TEST(ServerLimits, IdleKeepAliveConnectionIsClosed) {
  RunningServer running(echo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  ASSERT_TRUE(client.request("GET", "/api/ping"));
  EXPECT_TRUE(client.wait_closed(std::chrono::seconds(3)));
}

TEST(ServerLimits, ConnectionsPastTheCapGet503) {
  auto options = test_options();
  options.max_connections = 2;
  options.header_timeout = std::chrono::seconds(5);  // the held connections stay open
  RunningServer running(echo_router(), options);
  HttpClient first;
  auto second = std::make_unique<HttpClient>();
  ASSERT_TRUE(first.connect(running.port()));
  ASSERT_TRUE(second->connect(running.port()));
  ASSERT_TRUE(first.request("GET", "/api/ping"));
  ASSERT_TRUE(second->request("GET", "/api/ping"));

  const auto refused = fetch(running.port(), "GET", "/api/ping");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("Retry-After"), "1");
  EXPECT_EQ(refused->header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(code_of(refused->body), "service_unavailable");
  EXPECT_FALSE(refused->keep_alive);

  // The held connections still work, and a freed slot is usable again.
  EXPECT_EQ(first.request("GET", "/api/ping")->body, "pong");
  second.reset();
  std::optional<testing::ClientResponse> after;
  for (int attempt = 0; attempt < 50; ++attempt) {
    after = fetch(running.port(), "GET", "/api/ping");
    if (after && after->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_THAT(running.server().metrics().render(),
              HasSubstr("investflow_http_connections_rejected_total "));
}

// One client holding many connections (a slowloris from one address) is refused at its
// address's limit, 64 by default, while another address is still served.
TEST(ServerLimits, ConnectionsPastTheAddressLimitGet503WhileOtherAddressesAreServed) {
  auto options = test_options();
  options.header_timeout = std::chrono::seconds(5);  // the held connections stay open
  ASSERT_EQ(options.max_connections_per_address, 64u);
  RunningServer running(echo_router(), options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 64; ++i) {
    held.push_back(std::make_unique<HttpClient>());
    ASSERT_TRUE(held.back()->connect(running.port()));
    ASSERT_EQ(held.back()->request("GET", "/api/ping")->status, 200);  // open and counted
  }

  HttpClient over;
  ASSERT_TRUE(over.connect(running.port()));
  ASSERT_TRUE(over.send_raw("GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto refused = over.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("Retry-After"), "1");
  EXPECT_EQ(refused->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(code_of(refused->body), "too_many_connections");
  EXPECT_THAT(refused->body, HasSubstr("来自您所在地址的连接过多"));
  EXPECT_FALSE(refused->keep_alive);
  EXPECT_TRUE(over.wait_closed(std::chrono::seconds(2)));

  // Another address (all of 127.0.0.0/8 is this machine) is not held to 127.0.0.1's count.
  HttpClient elsewhere;
  ASSERT_TRUE(elsewhere.connect(running.port(), "127.0.0.2"));
  const auto served = elsewhere.request("GET", "/api/ping");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);

  // A closed connection gives its place back.
  held.pop_back();
  std::optional<testing::ClientResponse> after;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    after = fetch(running.port(), "GET", "/api/ping");
    if (after && after->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_THAT(running.server().metrics().render(),
              HasSubstr("investflow_http_address_connections_rejected_total "));
  EXPECT_THAT(running.server().metrics().render(),
              ::testing::Not(HasSubstr("investflow_http_address_connections_rejected_total 0\n")));
}

// A connection refused mid-request (413) lingers to drain the client's upload; its place
// in the address's count goes with it and is given back when it finally closes.
TEST(ServerLimits, ALingeringCloseGivesTheAddressPlaceBack) {
  auto options = test_options();
  options.body_limit = 1024;
  options.max_connections_per_address = 1;
  RunningServer running(echo_router(), options);
  {
    HttpClient uploader;
    ASSERT_TRUE(uploader.connect(running.port()));
    const auto refused = uploader.request("POST", "/api/echo", std::string(64 * 1024, 'x'));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413);
  }
  std::optional<testing::ClientResponse> after;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    after = fetch(running.port(), "GET", "/api/ping");
    if (after && after->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

// Every connection through a reverse proxy comes from the proxy's address: a trusted proxy
// is not held to the per-address limit.
TEST(ServerLimits, TrustedProxiesAreNotHeldToTheAddressLimit) {
  auto options = test_options();
  options.header_timeout = std::chrono::seconds(5);
  options.max_connections_per_address = 2;
  options.trusted_proxies = *TrustedProxies::parse("127.0.0.1");
  RunningServer running(echo_router(), options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpClient>());
    ASSERT_TRUE(held.back()->connect(running.port()));
    const auto response = held.back()->request("GET", "/api/ping");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << "connection " << i;
  }
  // An address that is not a proxy is.
  std::vector<std::unique_ptr<HttpClient>> direct;
  for (int i = 0; i < 2; ++i) {
    direct.push_back(std::make_unique<HttpClient>());
    ASSERT_TRUE(direct.back()->connect(running.port(), "127.0.0.3"));
    ASSERT_EQ(direct.back()->request("GET", "/api/ping")->status, 200);
  }
  HttpClient third;
  ASSERT_TRUE(third.connect(running.port(), "127.0.0.3"));
  const auto refused = third.request("GET", "/api/ping");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
}

// Lowers the soft descriptor limit and fills every free descriptor, so that accept()
// fails with EMFILE; restores both when destroyed.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(highest_open_descriptor() + 16);
    setrlimit(RLIMIT_NOFILE, &lowered);
    while (true) {
      const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      fillers_.push_back(fd);
    }
  }
  ~DescriptorExhaustion() { release(); }
  DescriptorExhaustion(const DescriptorExhaustion&) = delete;
  DescriptorExhaustion& operator=(const DescriptorExhaustion&) = delete;

  // Frees one descriptor (for a client socket).
  void free_one() {
    if (fillers_.empty()) return;
    close(fillers_.back());
    fillers_.pop_back();
  }
  void release() {
    for (const int fd : fillers_) {
      close(fd);
    }
    fillers_.clear();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  static int highest_open_descriptor() {
    int highest = 0;
    for (int fd = 0; fd < 65536; ++fd) {
      if (fcntl(fd, F_GETFD) != -1) highest = fd;
    }
    return highest;
  }

  rlimit saved_{};
  std::vector<int> fillers_;
};

TEST(ServerLimits, AcceptLoopSurvivesRunningOutOfDescriptors) {
  auto options = test_options();
  // UBSan's vptr check needs a pipe (two descriptors) the first time it sees a type pair:
  // walk the listener's logging path once while descriptors are still free.
  options.log->warn("accept failed: {}; retrying in {} ms",
                    std::error_code(EMFILE, std::system_category()).message(),
                    options.accept_backoff.count());
  RunningServer running(echo_router(), options);
  std::optional<testing::ClientResponse> response;
  HttpClient client(std::chrono::seconds(5));  // its io_context's descriptors come first
  {
    DescriptorExhaustion exhaustion;
    exhaustion.free_one();  // for the client's socket; the server's accept has none
    ASSERT_TRUE(client.connect(running.port()));  // completed by the kernel's backlog
    ASSERT_TRUE(client.send_raw("GET /api/ping HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // several failed accepts
    exhaustion.release();
    response = client.read_response();
  }
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "pong");
  const auto metrics = running.server().metrics().render();
  EXPECT_THAT(metrics, ::testing::Not(HasSubstr("investflow_http_accept_errors_total 0\n")));
  EXPECT_EQ(fetch(running.port(), "GET", "/api/ping")->status, 200);
}

}  // namespace
}  // namespace investflow::web

namespace investflow::web {
namespace {

// Stream producers that send as fast as they can to clients that never read. Together the
// streams may hold no more than the stream memory budget: each is closed at its share, and
// its producer told to stop, instead of growing without bound.
TEST(ServerLimits, StalledStreamClientsStayWithinTheStreamMemoryBudget) {
  constexpr std::size_t kBudget = 1024 * 1024;
  constexpr int kStreams = 4;
  auto options = testing::test_options();
  options.stream_memory = kBudget;
  options.write_timeout = std::chrono::seconds(60);  // the budget, not the timeout, must act
  auto refused = std::make_shared<std::atomic<int>>(0);
  std::mutex producers_mutex;
  std::vector<std::thread> producers;
  Router router;
  router.add("GET", "/api/flood", [&](const Request&, const RouteParams&) {
    Response response;
    response.status = 200;
    response.headers.set("Content-Type", "text/event-stream");
    response.stream = [&, refused](std::shared_ptr<StreamSink> sink) {
      std::lock_guard lock(producers_mutex);
      producers.emplace_back([sink, refused] {
        const std::string chunk = "data: " + std::string(16 * 1024, 'x') + "\n\n";
        // 256 MiB at most: far more than socket buffers and the budget together.
        for (int i = 0; i < 16 * 1024; ++i) {
          if (!sink->send(chunk)) {
            ++*refused;
            return;
          }
          std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
      });
    };
    return response;
  });
  testing::RunningServer running(std::move(router), options);
  const auto queued = [&running] {
    const std::string text = running.server().metrics().render();
    const std::string name = "\ninvestflow_http_stream_queued_bytes ";
    const auto at = text.find(name);
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size()));
  };
  std::vector<std::unique_ptr<testing::HttpClient>> clients;
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<testing::HttpClient>());
    ASSERT_TRUE(clients.back()->connect(running.port()));
    ASSERT_TRUE(clients.back()->send_raw("GET /api/flood HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  double most = 0;
  while (refused->load() < kStreams && Clock::now() < deadline) {
    const double now = queued();
    ASSERT_GE(now, 0) << "no investflow_http_stream_queued_bytes gauge";
    most = std::max(most, now);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard lock(producers_mutex);
    for (auto& producer : producers)
      if (producer.joinable()) producer.join();
  }
  EXPECT_EQ(refused->load(), kStreams) << "a producer was never told to stop";
  EXPECT_LE(most, static_cast<double>(kBudget));
  // Closed streams give their bytes back.
  while (queued() != 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(queued(), 0);
  EXPECT_THAT(running.server().metrics().render(),
              HasSubstr("investflow_http_streams_closed_slow_total " + std::to_string(kStreams)));
}

}  // namespace
}  // namespace investflow::web
