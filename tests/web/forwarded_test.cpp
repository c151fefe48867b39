// Trusted reverse proxies: whose X-Forwarded-For and X-Forwarded-Proto are believed, and
// what the server makes of them end to end (Request::remote_address, Request::https).
#include "web/forwarded.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http_client.hpp"
#include "test_server.hpp"

namespace investflow::web {
namespace {

TrustedProxies proxies(std::string_view list) {
  auto parsed = TrustedProxies::parse(list);
  EXPECT_TRUE(parsed) << list << ": " << parsed.error();
  return parsed ? std::move(*parsed) : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndNetworksAndNamesTheWrongEntry) {
  EXPECT_EQ(proxies("127.0.0.1, 10.0.0.0/8 fd00::/8,::1").to_string(),
            "127.0.0.1,10.0.0.0/8,fd00::/8,::1");
  EXPECT_TRUE(proxies("").empty());
  for (const auto& [list, named] :
       std::vector<std::pair<std::string, std::string>>{{"10.0.0.0/8,proxy.local", "proxy.local"},
                                                        {"10.0.0.0/33", "10.0.0.0/33"},
                                                        {"::1/129", "::1/129"},
                                                        {"10.0.0.0/", "10.0.0.0/"},
                                                        {"10.0.0.0/8x", "10.0.0.0/8x"},
                                                        {"2130706433", "2130706433"}}) {
    auto parsed = TrustedProxies::parse(list);
    ASSERT_FALSE(parsed) << list;
    EXPECT_NE(parsed.error().find("'" + named + "'"), std::string::npos) << parsed.error();
  }
}

TEST(TrustedProxies, MatchesByPrefixIncludingIpv4MappedPeers) {
  const auto trusted = proxies("10.0.0.0/8,192.168.1.7,fd00::/8");
  EXPECT_TRUE(trusted.contains("10.255.0.1"));
  EXPECT_TRUE(trusted.contains("::ffff:10.1.2.3"));
  EXPECT_TRUE(trusted.contains("192.168.1.7"));
  EXPECT_FALSE(trusted.contains("192.168.1.8"));
  EXPECT_FALSE(trusted.contains("11.0.0.1"));
  EXPECT_TRUE(trusted.contains("fd12::1"));
  EXPECT_FALSE(trusted.contains("fe80::1"));
  EXPECT_FALSE(trusted.contains("not an address"));
  EXPECT_TRUE(proxies("0.0.0.0/0").contains("203.0.113.9"));
}

TEST(TrustedProxies, TheClientIsTheRightmostAddressNoTrustedProxyWrote) {
  const auto trusted = proxies("10.0.0.0/8");
  // From a trusted proxy: the address it saw.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "198.51.100.7"), "198.51.100.7");
  // A client that sends its own X-Forwarded-For cannot choose: the proxy appended the real one.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "1.2.3.4, 198.51.100.7"), "198.51.100.7");
  // Two trusted hops: past both.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.9"), "198.51.100.7");
  // Only trusted hops: the leftmost.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "10.0.0.8, 10.0.0.9"), "10.0.0.8");
  // Brackets and ports, as some proxies write them.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "[2001:db8::5]"), "2001:db8::5");
  EXPECT_EQ(trusted.client_address("10.0.0.2", "198.51.100.7:51234"), "198.51.100.7");
  EXPECT_EQ(trusted.client_address("10.0.0.2", "2001:db8::5"), "2001:db8::5");
  // Garbage ends the walk at the last address a trusted hop vouched for.
  EXPECT_EQ(trusted.client_address("10.0.0.2", "198.51.100.7, unknown"), "10.0.0.2");
  EXPECT_EQ(trusted.client_address("10.0.0.2", "unknown, 10.0.0.9"), "10.0.0.9");
  EXPECT_EQ(trusted.client_address("10.0.0.2", ""), "10.0.0.2");
  // From anyone else, the header is ignored.
  EXPECT_EQ(trusted.client_address("203.0.113.9", "198.51.100.7"), "203.0.113.9");
  EXPECT_EQ(trusted.client_address("10.0.0.2", std::nullopt), "10.0.0.2");
  EXPECT_EQ(TrustedProxies().client_address("127.0.0.1", "198.51.100.7"), "127.0.0.1");
}

TEST(TrustedProxies, HttpsOnlyWhenATrustedProxySaysSo) {
  const auto trusted = proxies("127.0.0.1");
  EXPECT_TRUE(trusted.forwarded_https("127.0.0.1", "https"));
  EXPECT_TRUE(trusted.forwarded_https("127.0.0.1", "HTTPS, http"));
  EXPECT_FALSE(trusted.forwarded_https("127.0.0.1", "http"));
  EXPECT_FALSE(trusted.forwarded_https("127.0.0.1", std::nullopt));
  EXPECT_FALSE(trusted.forwarded_https("127.0.0.2", "https"));
}

// Through the server: what handlers see, for a peer that is or is not trusted.
boost::json::object seen(const TrustedProxies& trusted,
                         std::vector<std::pair<std::string, std::string>> headers) {
  Router router;
  router.add("GET", "/who", [](const Request& request, const RouteParams&) {
    return json_response(200, boost::json::serialize(boost::json::object{
                                  {"address", request.remote_address}, {"https", request.https}}));
  });
  ServerOptions options = testing::test_options();
  options.trusted_proxies = trusted;
  testing::RunningServer running(std::move(router), options);
  const auto response = testing::fetch(running.port(), "GET", "/who", "", headers);
  EXPECT_TRUE(response && response->status == 200);
  return response ? boost::json::parse(response->body).as_object() : boost::json::object{};
}

TEST(TrustedProxies, TheServerBelievesOnlyItsProxies) {
  const std::vector<std::pair<std::string, std::string>> forwarded = {
      {"X-Forwarded-For", "1.2.3.4"},
      {"X-Forwarded-For", "198.51.100.7"},
      {"X-Forwarded-Proto", "https"}};
  const auto trusted = seen(proxies("127.0.0.1"), forwarded);
  EXPECT_EQ(trusted.at("address").as_string(), "198.51.100.7");
  EXPECT_TRUE(trusted.at("https").as_bool());
  const auto untrusted = seen(proxies("10.0.0.0/8"), forwarded);
  EXPECT_EQ(untrusted.at("address").as_string(), "127.0.0.1");
  EXPECT_FALSE(untrusted.at("https").as_bool());
  const auto direct = seen(proxies("127.0.0.1"), {});
  EXPECT_EQ(direct.at("address").as_string(), "127.0.0.1");
  EXPECT_FALSE(direct.at("https").as_bool());
}

}  // namespace
}  // namespace investflow::web
