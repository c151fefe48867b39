// Graceful shutdown: in-flight requests finish, idle connections close, nothing waits past
// the deadline, late replies are harmless; and the signal helper.
#include "web/server.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <future>
#include <mutex>
#include <thread>

#include "http_client.hpp"
#include "test_server.hpp"
#include "web/shutdown_signals.hpp"

namespace investflow::web {
namespace {

using testing::HttpClient;
using testing::test_options;
using Clock = std::chrono::steady_clock;

TEST(ServerShutdown, InFlightRequestFinishesBeforeStopReturns) {
  std::promise<void> handler_started;
  Router router;
  router.add("POST", "/api/slow", [&](const Request& request, const RouteParams&) {
    handler_started.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return text_response(200, "done " + request.body);
  });
  Server server(test_options(), std::move(router));
  const auto port = server.start();
  ASSERT_TRUE(port.ok());

  std::optional<testing::ClientResponse> response;
  std::thread client_thread([&] {
    HttpClient client;
    if (client.connect(*port)) response = client.request("POST", "/api/slow", "work");
  });
  handler_started.get_future().wait();
  const auto stop_started = Clock::now();
  server.stop(std::chrono::seconds(5));
  const auto stop_took = Clock::now() - stop_started;
  client_thread.join();

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done work");
  EXPECT_FALSE(response->keep_alive) << "a stopping server closes after the response";
  EXPECT_GE(stop_took, std::chrono::milliseconds(200));
  EXPECT_LT(stop_took, std::chrono::seconds(3));

  HttpClient late;
  EXPECT_FALSE(late.connect(*port) && late.request("GET", "/healthz"))
      << "no new requests after stop";
}

TEST(ServerShutdown, ARequestStillArrivingIsReadAndAnswered) {
  Router router;
  router.add("POST", "/api/upload", [](const Request& request, const RouteParams&) {
    return text_response(200, "got " + request.body);
  });
  auto options = test_options();
  options.body_timeout = std::chrono::seconds(5);
  Server server(options, std::move(router));
  const auto port = server.start();
  ASSERT_TRUE(port.ok());
  HttpClient client;
  ASSERT_TRUE(client.connect(*port));
  ASSERT_TRUE(
      client.send_raw("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the server has the header

  std::thread stopper([&] { server.stop(std::chrono::seconds(5)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(client.send_raw("56789"));
  const auto response = client.read_response();
  stopper.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "got 0123456789");
  EXPECT_FALSE(response->keep_alive);
}

TEST(ServerShutdown, IdleConnectionsDoNotDelayStop) {
  auto options = test_options();
  options.header_timeout = std::chrono::seconds(30);
  Server server(options, Router{});
  const auto port = server.start();
  ASSERT_TRUE(port.ok());
  HttpClient idle;
  ASSERT_TRUE(idle.connect(*port));
  ASSERT_TRUE(idle.request("GET", "/healthz"));
  HttpClient silent;  // connected, never sent anything
  ASSERT_TRUE(silent.connect(*port));

  const auto started = Clock::now();
  server.stop(std::chrono::seconds(10));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(idle.wait_closed(std::chrono::seconds(2)));
  EXPECT_TRUE(silent.wait_closed(std::chrono::seconds(2)));
}

TEST(ServerShutdown, DeadlineCutsOffAReplyThatNeverComesAndLateRepliesAreHarmless) {
  std::mutex held_mutex;
  std::optional<Reply> held;  // the "storage queue" that never answers
  std::promise<void> accepted;
  Router router;
  router.add_async("POST", "/api/stuck", [&](const Request&, const RouteParams&, Reply reply) {
    std::lock_guard lock(held_mutex);
    held = reply;
    accepted.set_value();
  });
  auto server = std::make_unique<Server>(test_options(), std::move(router));
  const auto port = server->start();
  ASSERT_TRUE(port.ok());

  HttpClient client;
  ASSERT_TRUE(client.connect(*port));
  ASSERT_TRUE(client.send_raw("POST /api/stuck HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  accepted.get_future().wait();
  const auto started = Clock::now();
  server->stop(std::chrono::milliseconds(200));
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));
  EXPECT_TRUE(client.wait_closed(std::chrono::seconds(2)));
  server.reset();

  std::lock_guard lock(held_mutex);
  ASSERT_TRUE(held.has_value());
  (*held)(text_response(200, "too late"));  // the server is gone: dropped, no crash
  held.reset();
}

TEST(ShutdownSignals, SigtermEndsTheWait) {
  ShutdownSignals signals;
  EXPECT_FALSE(signals.wait_for(std::chrono::milliseconds(20)).has_value());
  std::raise(SIGTERM);
  EXPECT_EQ(signals.wait_for(std::chrono::seconds(2)), SIGTERM);
  EXPECT_EQ(signals.wait(), SIGTERM) << "a received signal stays received";
}

TEST(ShutdownSignals, SigintEndsTheWait) {
  ShutdownSignals signals;
  std::raise(SIGINT);
  EXPECT_EQ(signals.wait(), SIGINT);
}

}  // namespace
}  // namespace investflow::web
