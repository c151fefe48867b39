#include "web/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/access_log.hpp"
#include "web/request_id.hpp"
#include "web/security_headers.hpp"

namespace investflow::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, CountsRequestsByMethodRouteAndStatus) {
  Metrics metrics;
  metrics.observe_request("GET", "/api/projects/{id}", 200, std::chrono::microseconds(300));
  metrics.observe_request("GET", "/api/projects/{id}", 200, std::chrono::milliseconds(3));
  metrics.observe_request("BREW", "unmatched", 404, std::chrono::milliseconds(20));
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr("# TYPE investflow_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("investflow_http_requests_total{method=\"GET\",route=\"/api/"
                              "projects/{id}\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("investflow_http_requests_total{method=\"other\",route="
                              "\"unmatched\",status=\"404\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;
  metrics.observe_request("GET", "/a", 200, std::chrono::microseconds(300));  // <= 0.0005
  metrics.observe_request("GET", "/a", 200, std::chrono::milliseconds(3));    // <= 0.005
  metrics.observe_request("GET", "/a", 200, std::chrono::seconds(20));        // +Inf only
  const auto text = metrics.render();
  const std::string prefix = "investflow_http_request_duration_seconds";
  EXPECT_THAT(text, HasSubstr(prefix + "_bucket{route=\"/a\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "_bucket{route=\"/a\",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "_bucket{route=\"/a\",le=\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "_bucket{route=\"/a\",le=\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "_bucket{route=\"/a\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "_count{route=\"/a\"} 3\n"));
}

TEST(Metrics, GaugesAndSampledNumbers) {
  Metrics metrics;
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  metrics.request_started();
  metrics.connection_rejected();
  int depth = 7;
  metrics.add_gauge("investflow_storage_queue_depth", "Commands waiting.", [&] { return depth; });
  depth = 9;
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr("investflow_http_connections_open 1\n"));
  EXPECT_THAT(text, HasSubstr("investflow_http_requests_in_flight 1\n"));
  EXPECT_THAT(text, HasSubstr("investflow_http_connections_rejected_total 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE investflow_storage_queue_depth gauge\n"
                              "investflow_storage_queue_depth 9\n"));
}

TEST(Metrics, EscapesLabelValues) {
  Metrics metrics;
  metrics.observe_request("GET", "a\"b\\c\nd", 200, std::chrono::milliseconds(1));
  EXPECT_THAT(metrics.render(), HasSubstr("route=\"a\\\"b\\\\c\\nd\""));
}

TEST(AccessLog, OneLogfmtLineThatClientsCannotForge) {
  const auto line =
      format_access_line({"GET", "/api/projects/{id}", "/api/projects/42", 200, 812,
                          std::chrono::microseconds(1204), "3f9a-1", "127.0.0.1", ""});
  EXPECT_EQ(line,
            "method=GET route=/api/projects/{id} path=/api/projects/42 status=200 bytes=812 "
            "duration_ms=1.204 request_id=3f9a-1 remote=127.0.0.1");
  const auto forged = format_access_line({"GET", "unmatched", "/x status=200\nmethod=\"POST", 404,
                                          10, std::chrono::milliseconds(1), "id", "", ""});
  EXPECT_THAT(forged, HasSubstr(R"(path="/x status=200\x0amethod=\"POST")"));
  EXPECT_THAT(forged, Not(HasSubstr("\n")));
  EXPECT_THAT(forged, HasSubstr("remote=\"\""));
}

TEST(AccessLog, JsonMembersWithTheUser) {
  const AccessRecord record{"GET",
                            "/api/projects/{id}",
                            "/api/projects/42\"x",
                            200,
                            812,
                            std::chrono::microseconds(1204),
                            "3f9a-1",
                            "127.0.0.1",
                            "zhang"};
  EXPECT_EQ(format_access_json(record),
            R"("method":"GET","route":"/api/projects/{id}","path":"/api/projects/42\"x",)"
            R"("status":200,"bytes":812,"latency_ms":1.204,"request_id":"3f9a-1",)"
            R"("remote":"127.0.0.1","user":"zhang")");
  AccessRecord anonymous = record;
  anonymous.user = {};
  EXPECT_THAT(format_access_json(anonymous), HasSubstr(R"("user":null)"));
  EXPECT_THAT(format_access_line(record), HasSubstr(" user=zhang"));
  EXPECT_THAT(format_access_line(anonymous), Not(HasSubstr("user=")));
}

TEST(RequestIds, UniqueAndAcceptableWhenOffered) {
  RequestIds ids;
  const auto first = ids.next();
  EXPECT_NE(first, ids.next());
  EXPECT_TRUE(is_acceptable_request_id(first));
  EXPECT_TRUE(is_acceptable_request_id("trace-01.a_b"));
  EXPECT_FALSE(is_acceptable_request_id(""));
  EXPECT_FALSE(is_acceptable_request_id("a b"));
  EXPECT_FALSE(is_acceptable_request_id("a\r\nSet-Cookie: x"));
  EXPECT_FALSE(is_acceptable_request_id(std::string(65, 'a')));
}

TEST(SecurityHeaders, StrictPolicyForHtmlAndNoneForApis) {
  auto page = text_response(200, "<p>", "text/html; charset=utf-8");
  add_security_headers(page);
  EXPECT_EQ(page.headers.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page.headers.get("Referrer-Policy"), "no-referrer");
  EXPECT_THAT(std::string(*page.headers.get("Content-Security-Policy")),
              HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(std::string(*page.headers.get("Content-Security-Policy")),
              HasSubstr("script-src 'self'"));

  auto api = json_response(200, "{}");
  add_security_headers(api);
  EXPECT_EQ(api.headers.get("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'");

  auto own = json_response(200, "{}");
  own.headers.set("Referrer-Policy", "same-origin");
  add_security_headers(own);
  EXPECT_EQ(own.headers.get("Referrer-Policy"), "same-origin");

  auto not_modified = empty_response(304);
  add_security_headers(not_modified);
  EXPECT_FALSE(not_modified.headers.contains("Content-Security-Policy"));
  EXPECT_EQ(not_modified.headers.get("X-Content-Type-Options"), "nosniff");
}

}  // namespace
}  // namespace investflow::web
