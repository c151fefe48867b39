// The server end to end over real sockets: routing, problems, headers, keep-alive, static
// files, metrics.
#include "web/server.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

#include <future>
#include <stdexcept>
#include <thread>

#include "http_client.hpp"
#include "storage/storage_fault.hpp"
#include "test_server.hpp"
#include "web/request_id.hpp"

namespace investflow::web {
namespace {

using testing::fetch;
using ::testing::HasSubstr;
using testing::HttpClient;
using testing::RunningServer;
using ::testing::StartsWith;
using testing::test_options;

boost::json::object json_of(const std::string& body) {
  return boost::json::parse(body).as_object();
}

Router demo_router() {
  Router router;
  router.add("GET", "/api/projects/{id}", [](const Request&, const RouteParams& params) {
    return json_response(200, boost::json::serialize(boost::json::object{{"id", params.at("id")}}));
  });
  router.add("POST", "/api/projects/{id}/transitions",
             [](const Request& request, const RouteParams& params) {
               return json_response(
                   201, boost::json::serialize(boost::json::object{{"project", params.at("id")},
                                                                   {"received", request.body}}));
             });
  router.add("GET", "/api/search", [](const Request& request, const RouteParams&) {
    return text_response(200, std::string(request.query_param("q").value_or("<none>")));
  });
  router.add("GET", "/api/boom", [](const Request&, const RouteParams&) -> Response {
    throw std::runtime_error("database on fire");
  });
  router.add("POST", "/api/full", [](const Request&, const RouteParams&) -> Response {
    throw SQLite::Exception("database or disk is full", SQLITE_FULL);
  });
  router.add_async("GET", "/api/later/{value}",
                   [](const Request&, const RouteParams& params, Reply reply) {
                     std::thread([reply, value = params.at("value")] {
                       std::this_thread::sleep_for(std::chrono::milliseconds(20));
                       reply(text_response(200, "later " + value));
                     }).detach();
                   });
  router.add_async("GET", "/api/dropped", [](const Request&, const RouteParams&, Reply) {});
  return router;
}

TEST(Server, RoutesToHandlersWithParameters) {
  RunningServer running(demo_router());
  const auto response = fetch(running.port(), "GET", "/api/projects/p-42");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  EXPECT_EQ(json_of(response->body).at("id").as_string(), "p-42");

  const auto posted = fetch(running.port(), "POST", "/api/projects/7/transitions", R"({"a":1})",
                            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 201);
  EXPECT_EQ(json_of(posted->body).at("received").as_string(), R"({"a":1})");

  const auto search = fetch(running.port(), "GET", "/api/search?q=%E6%96%B0+%E6%9D%90");
  ASSERT_TRUE(search);
  EXPECT_EQ(search->body, "新 材");
}

TEST(Server, EveryResponseCarriesSecurityHeadersAndARequestId) {
  RunningServer running(demo_router());
  for (const auto* target : {"/api/projects/1", "/api/nowhere", "/healthz"}) {
    const auto response = fetch(running.port(), "GET", target);
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->header("X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(response->header("Referrer-Policy"), "no-referrer") << target;
    EXPECT_EQ(response->header("Content-Security-Policy"),
              "default-src 'none'; frame-ancestors 'none'");
    EXPECT_TRUE(response->header("Date").has_value());
    ASSERT_TRUE(response->header("X-Request-Id").has_value()) << target;
    EXPECT_TRUE(is_acceptable_request_id(*response->header("X-Request-Id")));
  }
  const auto traced = fetch(running.port(), "GET", "/healthz", {}, {{"X-Request-Id", "proxy-7.a"}});
  EXPECT_EQ(traced->header("X-Request-Id"), "proxy-7.a");
  const auto forged = fetch(running.port(), "GET", "/healthz", {}, {{"X-Request-Id", "a b"}});
  EXPECT_NE(forged->header("X-Request-Id"), "a b");
}

TEST(Server, UnknownPathIsProblem404) {
  RunningServer running(demo_router());
  const auto response = fetch(running.port(), "GET", "/api/nowhere");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
  const auto body = json_of(response->body);
  EXPECT_EQ(body.at("status").as_int64(), 404);
  EXPECT_EQ(body.at("code").as_string(), "not_found");
  EXPECT_EQ(body.at("type").as_string(), "urn:investflow:problem:not_found");
  EXPECT_TRUE(body.at("title").is_string());
  EXPECT_TRUE(body.at("detail").is_string());
  EXPECT_TRUE(body.at("errors").as_array().empty());
}

TEST(Server, WrongMethodIs405WithAllow) {
  RunningServer running(demo_router());
  const auto response = fetch(running.port(), "DELETE", "/api/projects/3");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("Allow"), "GET, HEAD");
  EXPECT_EQ(json_of(response->body).at("code").as_string(), "method_not_allowed");
  const auto invented = fetch(running.port(), "BREW", "/api/projects/3");
  EXPECT_EQ(invented->status, 405);
}

TEST(Server, AStorageExceptionIsAnsweredAsWhatItIsWithTheRequestIdLogged) {
  std::ostringstream log;
  RunningServer running(demo_router(), test_options(&log));
  const auto response = fetch(running.port(), "POST", "/api/full", "{}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 507);
  const auto id = std::string(response->header("X-Request-Id").value_or(""));
  const auto body = json_of(response->body);
  EXPECT_EQ(body.at("code").as_string(), "storage_full");
  EXPECT_EQ(body.at("request_id").as_string(), id);
  EXPECT_THAT(body.at("detail").as_string().c_str(), HasSubstr("存储空间不足"));
  EXPECT_THAT(log.str(), HasSubstr("request_id=" + id +
                                   " storage failure (full): route=/api/full "
                                   "database or disk is full (SQLite code 13, SQLITE_FULL)"));
  investflow::storage::note_write_succeeded();  // the flag is the process's: leave it as found
}

TEST(Server, HandlerExceptionIs500WithTheRequestIdLoggedAndReturned) {
  std::ostringstream log;
  RunningServer running(demo_router(), test_options(&log));
  const auto response = fetch(running.port(), "GET", "/api/boom");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  const auto id = std::string(response->header("X-Request-Id").value_or(""));
  ASSERT_FALSE(id.empty());
  const auto body = json_of(response->body);
  EXPECT_EQ(body.at("request_id").as_string(), id);
  EXPECT_EQ(body.at("code").as_string(), "internal_error");
  EXPECT_THAT(body.at("detail").as_string().c_str(), ::testing::Not(HasSubstr("fire")))
      << "internals stay in the log";
  EXPECT_THAT(log.str(), HasSubstr("request_id=" + id));
  EXPECT_THAT(log.str(), HasSubstr("database on fire"));
}

TEST(Server, AsyncHandlersAnswerFromAnotherThread) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  for (int i = 0; i < 3; ++i) {
    const auto response = client.request("GET", "/api/later/" + std::to_string(i));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "later " + std::to_string(i));
  }
}

TEST(Server, ADroppedReplyIs500NotAHang) {
  std::ostringstream log;
  RunningServer running(demo_router(), test_options(&log));
  const auto response = fetch(running.port(), "GET", "/api/dropped");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_THAT(log.str(), HasSubstr("dropped its reply"));
}

TEST(Server, HeadAnswersWithTheHeadersOfGet) {
  RunningServer running(demo_router());
  const auto get = fetch(running.port(), "GET", "/api/projects/abc");
  const auto head = fetch(running.port(), "HEAD", "/api/projects/abc");
  ASSERT_TRUE(get && head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->header("Content-Length"), std::to_string(get->body.size()));
}

TEST(Server, KeepAliveServesSeveralRequestsOnOneConnection) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  for (int i = 0; i < 5; ++i) {
    const auto response = client.request("GET", "/api/projects/" + std::to_string(i));
    ASSERT_TRUE(response) << i;
    EXPECT_TRUE(response->keep_alive);
    EXPECT_EQ(json_of(response->body).at("id").as_string(), std::to_string(i));
  }
  const auto metrics = client.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("investflow_http_connections_open 1\n"));
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  ASSERT_TRUE(
      client.send_raw("GET /api/projects/first HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /api/later/second HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /api/projects/third HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto first = client.read_response();
  const auto second = client.read_response();
  const auto third = client.read_response();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(json_of(first->body).at("id").as_string(), "first");
  EXPECT_EQ(second->body, "later second");
  EXPECT_EQ(json_of(third->body).at("id").as_string(), "third");
}

TEST(Server, ConnectionCloseIsHonoured) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  const auto response = client.request("GET", "/healthz", {}, {{"Connection", "close"}});
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(client.wait_closed(std::chrono::seconds(2)));
}

TEST(Server, MalformedRequestIs400NotA500) {
  RunningServer running(demo_router());
  for (const std::string raw : {"GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n",
                                "POST /api/projects/1/transitions HTTP/1.1\r\nContent-Length: "
                                "3\r\nContent-Length: 4\r\n\r\nabc"}) {
    HttpClient client;
    ASSERT_TRUE(client.connect(running.port()));
    ASSERT_TRUE(client.send_raw(raw));
    const auto response = client.read_response();
    ASSERT_TRUE(response) << raw;
    EXPECT_EQ(response->status, 400) << raw;
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json");
    EXPECT_EQ(json_of(response->body).at("code").as_string(), "malformed_request");
    EXPECT_TRUE(client.wait_closed(std::chrono::seconds(2)));
  }
}

TEST(Server, ExpectContinueGetsAnInterimResponse) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  ASSERT_TRUE(client.send_raw(
      "POST /api/projects/9/transitions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Expect: 100-continue\r\n\r\n"));
  const auto interim = client.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send_raw("hello"));
  const auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(json_of(response->body).at("received").as_string(), "hello");
}

TEST(Server, HealthzAndMetricsAreBuiltIn) {
  RunningServer running(demo_router());
  const auto health = fetch(running.port(), "GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json_of(health->body).at("status").as_string(), "ok");
  EXPECT_TRUE(running.server().metrics().render().find("investflow_http") != std::string::npos);
}

TEST(Server, MetricsCountRequestsByRouteTemplateAndStatus) {
  RunningServer running(demo_router());
  running.server().metrics().add_counter("investflow_transitions_total", "Transitions taken.",
                                         [] { return 12.0; });
  for (const auto* id : {"1", "2", "3"}) {
    fetch(running.port(), "GET", std::string("/api/projects/") + id);
  }
  fetch(running.port(), "GET", "/api/nowhere/1");
  fetch(running.port(), "GET", "/api/boom");
  // A request is counted once its response is written, which the client may see first;
  // on a loaded machine the 404's connection may be counted after the 500's.
  const std::vector<std::string> counted = {
      "investflow_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n",
      "investflow_http_requests_total{method=\"GET\",route=\"/api/boom\",status=\"500\"} 1\n"};
  std::optional<testing::ClientResponse> response;
  for (int attempt = 0; attempt < 100; ++attempt) {
    response = fetch(running.port(), "GET", "/metrics");
    if (!response || std::all_of(counted.begin(), counted.end(), [&](const std::string& line) {
          return response->body.find(line) != std::string::npos;
        })) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(response);
  EXPECT_THAT(std::string(response->header("Content-Type").value_or("")),
              StartsWith("text/plain; version=0.0.4"));
  const auto& text = response->body;
  EXPECT_THAT(text, HasSubstr("investflow_http_requests_total{method=\"GET\",route=\"/api/projects/"
                              "{id}\",status=\"200\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "investflow_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "investflow_http_requests_total{method=\"GET\",route=\"/api/boom\",status=\"500\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "investflow_http_request_duration_seconds_count{route=\"/api/projects/{id}\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("investflow_transitions_total 12\n"));
}

TEST(Server, MetricsShowRequestsInFlightAndOpenConnections) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  Router router;
  router.add("GET", "/api/wait", [&](const Request&, const RouteParams&) {
    entered.set_value();
    released.wait();
    return text_response(200, "released");
  });
  RunningServer running(std::move(router));
  std::optional<testing::ClientResponse> response;
  std::thread client([&] { response = fetch(running.port(), "GET", "/api/wait"); });
  entered.get_future().wait();
  const auto during = running.server().metrics().render();
  EXPECT_THAT(during, HasSubstr("investflow_http_requests_in_flight 1\n"));
  EXPECT_THAT(during, HasSubstr("investflow_http_connections_open 1\n"));
  release.set_value();
  client.join();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "released");
  std::string after;
  for (int attempt = 0; attempt < 100; ++attempt) {
    after = running.server().metrics().render();
    if (after.find("investflow_http_connections_open 0\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(after, HasSubstr("investflow_http_requests_in_flight 0\n"));
  EXPECT_THAT(after, HasSubstr("investflow_http_connections_open 0\n"));
}

TEST(Server, WritesOneAccessLogLinePerRequest) {
  std::ostringstream lines;
  auto options = test_options();
  options.access_log = std::make_shared<spdlog::logger>(
      "access", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines, true));
  options.access_log->set_pattern("%v");
  RunningServer running(demo_router(), options);
  const auto response =
      fetch(running.port(), "GET", "/api/projects/5", {}, {{"X-Request-Id", "trace-5"}});
  ASSERT_TRUE(response);
  for (int attempt = 0; attempt < 100 && lines.str().empty(); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto line = lines.str();
  EXPECT_THAT(line, StartsWith("method=GET route=/api/projects/{id} path=/api/projects/5 "
                               "status=200 bytes="));
  EXPECT_THAT(line, HasSubstr(" duration_ms="));
  EXPECT_THAT(line, HasSubstr(" request_id=trace-5 remote=127.0.0.1\n"));
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(Server, BadTargetIs400AndTheConnectionStaysUsable) {
  RunningServer running(demo_router());
  HttpClient client;
  ASSERT_TRUE(client.connect(running.port()));
  const auto bad = client.request("GET", "/api/projects/%zz");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json_of(bad->body).at("code").as_string(), "invalid_target");
  EXPECT_TRUE(bad->keep_alive);
  EXPECT_EQ(client.request("GET", "/api/projects/ok")->status, 200);
}

TEST(Server, StartReportsAnAddressThatCannotBeBound) {
  RunningServer first(demo_router());
  auto options = test_options();
  options.port = first.port();
  Server second(options, Router{});
  const auto taken = second.start();
  ASSERT_FALSE(taken.ok());
  EXPECT_THAT(taken.error(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));

  options.address = "not-an-address";
  Server third(options, Router{});
  const auto invalid = third.start();
  ASSERT_FALSE(invalid.ok());
  EXPECT_THAT(invalid.error(), HasSubstr("invalid listen address"));
}

StaticFiles console_files() {
  StaticFiles files;
  files.add("/index.html", "<!doctype html><title>investflow</title>");
  files.add("/assets/app.js", "export const x = 1;");
  return files;
}

TEST(Server, ServesStaticFilesWithEtagsAndHtmlPolicy) {
  RunningServer running(Router{}, test_options(), console_files());
  const auto page = fetch(running.port(), "GET", "/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<!doctype html><title>investflow</title>");
  EXPECT_THAT(std::string(page->header("Content-Security-Policy").value_or("")),
              HasSubstr("frame-ancestors 'none'"));
  EXPECT_EQ(page->header("X-Frame-Options"), "DENY");
  const auto etag = std::string(page->header("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());

  const auto cached = fetch(running.port(), "GET", "/index.html", {}, {{"If-None-Match", etag}});
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  EXPECT_TRUE(cached->body.empty());
  EXPECT_EQ(cached->header("ETag"), etag);

  const auto script =
      fetch(running.port(), "GET", "/assets/app.js", {}, {{"If-None-Match", "\"old\""}});
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(fetch(running.port(), "POST", "/assets/app.js")->status, 405);
  EXPECT_EQ(fetch(running.port(), "GET", "/assets/missing.js")->status, 404);
}

TEST(Server, PathTraversalAttemptsAreAllRefused) {
  RunningServer running(Router{}, test_options(), console_files());
  const std::string attempts[] = {
      "/../index.html",
      "/assets/../index.html",
      "/assets/%2e%2e/index.html",
      "/assets/%2E%2E/index.html",
      "/assets/.%2e/index.html",
      "/assets/%2e%2e%2findex.html",
      "/assets%2fapp.js",
      "/assets%2Fapp.js",
      "/assets\\app.js",
      "/assets%5capp.js",
      "/..%5cindex.html",
      "/index.html%00.js",
      "/./index.html",
      "/%c0%ae%c0%ae/index.html",
      "/assets/..;/index.html",
      "/%252e%252e/index.html",
      std::string("/index.html\0", 12),
  };
  for (const auto& target : attempts) {
    HttpClient client;
    ASSERT_TRUE(client.connect(running.port()));
    ASSERT_TRUE(client.send_raw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto response = client.read_response();
    ASSERT_TRUE(response) << target;
    EXPECT_TRUE(response->status == 400 || response->status == 404)
        << target << " answered " << response->status;
    EXPECT_EQ(response->header("Content-Type"), "application/problem+json") << target;
    EXPECT_EQ(response->body.find("investflow</title>"), std::string::npos) << target;
  }
}

}  // namespace
}  // namespace investflow::web
