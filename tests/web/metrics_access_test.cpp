// Who may read GET /metrics: the token (serve --metrics-token-file), else this machine
// only; and a separate metrics listener (serve --metrics-listen) open to whoever reaches it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http_client.hpp"
#include "test_server.hpp"
#include "web/builtin_routes.hpp"

namespace investflow::web {
namespace {

using testing::fetch;
using ::testing::HasSubstr;
using testing::RunningServer;
using testing::test_options;

constexpr const char* kToken = "0123456789abcdef-metrics";

std::string code_of(const std::string& body) {
  return std::string(boost::json::parse(body).at("code").as_string());
}

Router empty_router() {
  return Router();
}

TEST(MetricsAccess, WithoutATokenOnlyThisMachineMayRead) {
  RunningServer running(empty_router(), test_options());
  const auto local = fetch(running.port(), "GET", "/metrics");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
  EXPECT_THAT(local->body, HasSubstr("investflow_http_connections_open"));
  // A request a proxy on this machine forwarded comes from elsewhere.
  const auto forwarded = fetch(running.port(), "GET", "/metrics", {},
                               {{"X-Forwarded-For", "203.0.113.9"}, {"Accept-Language", "en"}});
  ASSERT_TRUE(forwarded);
  EXPECT_EQ(forwarded->status, 403);
  EXPECT_EQ(forwarded->header("Content-Type"), "application/problem+json");
  EXPECT_EQ(code_of(forwarded->body), "metrics_local_only");
  EXPECT_THAT(forwarded->body, HasSubstr("--metrics-token-file"));
  EXPECT_THAT(forwarded->body, ::testing::Not(HasSubstr("investflow_http")));
}

TEST(MetricsAccess, NothingThroughATrustedProxyIsLocal) {
  auto options = test_options();
  options.trusted_proxies = *TrustedProxies::parse("127.0.0.1");
  RunningServer running(empty_router(), options);
  const auto remote =
      fetch(running.port(), "GET", "/metrics", {}, {{"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->status, 403);
  EXPECT_THAT(remote->body, HasSubstr("监控指标只对本机开放"));  // zh-CN by default
  // A proxy on this machine that adds no X-Forwarded-For still speaks for others.
  const auto proxied = fetch(running.port(), "GET", "/metrics");
  ASSERT_TRUE(proxied);
  EXPECT_EQ(proxied->status, 403);
}

TEST(MetricsAccess, WithATokenOnlyTheTokenMayRead) {
  auto options = test_options();
  options.metrics_token = kToken;
  RunningServer running(empty_router(), options);
  const auto none = fetch(running.port(), "GET", "/metrics");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);  // even from this machine
  EXPECT_EQ(none->header("WWW-Authenticate"), R"(Bearer realm="metrics")");
  EXPECT_EQ(code_of(none->body), "unauthorized");
  const auto wrong = fetch(running.port(), "GET", "/metrics", {},
                           {{"Authorization", std::string("Bearer ") + kToken + "x"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(code_of(wrong->body), "invalid_token");
  const auto right = fetch(
      running.port(), "GET", "/metrics", {},
      {{"Authorization", std::string("Bearer ") + kToken}, {"X-Forwarded-For", "203.0.113.9"}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);  // the token is enough, from anywhere
  EXPECT_THAT(right->body, HasSubstr("investflow_http_requests_total"));
}

TEST(MetricsAccess, AnOpenEndpointAnswersAnyAddressButStillWantsItsToken) {
  Metrics metrics;
  Request remote;
  remote.remote_address = "203.0.113.9";
  EXPECT_EQ(metrics_endpoint(metrics, "", true, remote).status, 200);
  EXPECT_EQ(metrics_endpoint(metrics, "", false, remote).status, 403);
  EXPECT_EQ(metrics_endpoint(metrics, kToken, true, remote).status, 401);
  remote.headers.add("Authorization", std::string("bearer ") + kToken);
  EXPECT_EQ(metrics_endpoint(metrics, kToken, true, remote).status, 200);
  // Loopback in either family, an IPv4-mapped one included.
  for (const char* address : {"127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"}) {
    Request local;
    local.remote_address = address;
    EXPECT_EQ(metrics_endpoint(metrics, "", false, local).status, 200) << address;
  }
  for (const char* address : {"10.0.0.1", "::ffff:10.0.0.1", "fe80::1", ""}) {
    Request other;
    other.remote_address = address;
    EXPECT_EQ(metrics_endpoint(metrics, "", false, other).status, 403) << address;
  }
}

}  // namespace
}  // namespace investflow::web
