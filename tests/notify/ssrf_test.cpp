// Webhooks cannot reach the server's own network (issue 19 item 6): the address classes,
// names that resolve to them, numeric disguises, and the allowlist.
#include <gtest/gtest.h>

#include <netdb.h>

#include "notify/http_post.hpp"
#include "notify/ip_networks.hpp"
#include "webhook_receiver.hpp"

namespace investflow::notify {
namespace {

std::optional<std::string_view> kind_of(std::string_view text) {
  const auto address = parse_ip(text);
  EXPECT_TRUE(address) << text;
  return address ? internal_address_kind(*address) : std::nullopt;
}

TEST(Ssrf, EveryInternalAddressClassIsNamed) {
  const std::vector<std::pair<std::string, std::string>> internal = {
      {"127.0.0.1", "loopback"},
      {"127.8.9.10", "loopback"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.1.1", "private"},
      {"fd12:3456::1", "private"},
      {"169.254.169.254", "link-local"},
      {"fe80::1", "link-local"},
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"::", "unspecified"},
      {"224.0.0.1", "multicast"},
      {"ff02::1", "multicast"},
      {"100.64.0.1", "shared (carrier-grade NAT)"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.255", "reserved"},
      {"2002:7f00:1::", "loopback"},  // 6to4 around 127.0.0.1
      {"64:ff9b::a00:1", "private"},  // NAT64 around 10.0.0.1
  };
  for (const auto& [address, kind] : internal) {
    EXPECT_EQ(kind_of(address).value_or("public"), kind) << address;
  }
  for (const char* address :
       {"8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:4860:4860::8888", "240e::1"}) {
    EXPECT_FALSE(kind_of(address)) << address;
  }
}

TEST(Ssrf, AllowedNetworksAreParsedAndMatched) {
  const auto allowed = IpNetworks::parse("10.0.0.0/8, 192.168.1.7 fd00::/8");
  ASSERT_TRUE(allowed) << allowed.error();
  EXPECT_TRUE(allowed->contains("10.200.0.1"));
  EXPECT_TRUE(allowed->contains("::ffff:10.1.1.1"));
  EXPECT_TRUE(allowed->contains("fd00::5"));
  EXPECT_FALSE(allowed->contains("192.168.1.8"));
  EXPECT_EQ(allowed->to_string(), "10.0.0.0/8,192.168.1.7,fd00::/8");
  const auto bad = IpNetworks::parse("10.0.0.0/8,intranet");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("'intranet'"), std::string::npos) << bad.error();
}

PostOutcome post(const std::string& url, const AddressPolicy& policy) {
  PostRequest request;
  request.url = url;
  request.body = "{}";
  request.timeout = std::chrono::milliseconds(5000);
  request.addresses = policy;
  return http_post(request);
}

TEST(Ssrf, AReceiverOnLoopbackIsRefusedHoweverItIsWritten) {
  testing::WebhookReceiver receiver;
  const std::string port = std::to_string(receiver.port());
  const AddressPolicy refuse{true, {}};
  for (const std::string& url :
       {"http://127.0.0.1:" + port + "/hook", "http://localhost:" + port + "/hook",
        "http://LOCALHOST:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/",
        "http://2130706433:" + port + "/",  // 127.0.0.1 as one number, resolved by getaddrinfo
        "http://0x7f000001:" + port + "/", "http://127.1:" + port + "/"}) {
    const PostOutcome outcome = post(url, refuse);
    EXPECT_EQ(outcome.status, 0) << url;
    EXPECT_TRUE(outcome.error.starts_with("refused: ")) << url << ": " << outcome.error;
    EXPECT_NE(outcome.error.find("loopback"), std::string::npos) << outcome.error;
  }
  EXPECT_EQ(receiver.requests().size(), 0u);
  // A name other than localhost that resolves to loopback is caught as it is connected to.
  addrinfo* found = nullptr;
  if (::getaddrinfo("ip6-localhost", nullptr, nullptr, &found) == 0) {
    ::freeaddrinfo(found);
    const PostOutcome outcome = post("http://ip6-localhost:" + port + "/", refuse);
    EXPECT_TRUE(outcome.error.starts_with("refused: the host's address is a loopback"))
        << outcome.error;
  }
  // An administrator's allowlist lets it through; without a policy nothing is checked.
  const PostOutcome allowed = post(receiver.url(), {true, *IpNetworks::parse("127.0.0.0/8")});
  EXPECT_EQ(allowed.status, 200) << allowed.error;
  EXPECT_EQ(post(receiver.url(), {}).status, 200);
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST(Ssrf, ErrorsDoNotMapTheNetwork) {
  // A closed port says only that it could not connect: no address, no port.
  const PostOutcome closed = post("http://127.0.0.1:9/", {});
  EXPECT_EQ(closed.error, "could not connect");
  const PostOutcome unknown = post("http://no-such-host.invalid/", {});
  EXPECT_TRUE(unknown.error == "the host name is not known" || unknown.error == "timed out")
      << unknown.error;  // without a reachable DNS server the lookup may time out
  EXPECT_EQ(refused_host("10.0.0.1", {true, {}}).value_or(""),
            "refused: 10.0.0.1 is a private address (an administrator may allow it: serve "
            "--webhook-allow)");
  EXPECT_FALSE(refused_host("qyapi.weixin.qq.com", {true, {}}));
  EXPECT_FALSE(refused_host("127.0.0.1", {}));
}

}  // namespace
}  // namespace investflow::notify
