#pragma once
// Reverse proxies the server believes (`serve --trusted-proxies`). A request that arrives
// from one of them is taken to come from the address its X-Forwarded-For names, and to have
// reached the proxy over HTTPS when it says X-Forwarded-Proto: https. From any other peer
// both headers are ignored: a client cannot choose its own address.
//
//   auto proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8, ::1");
//   proxies->client_address("10.1.2.3", "198.51.100.7, 10.9.9.9")  // "198.51.100.7"
//
// The client is the rightmost X-Forwarded-For entry that is not itself a trusted proxy
// (each proxy appends the address it saw, so entries left of the first untrusted one could
// have been written by the client). An entry that is not an IP address ends the walk there.

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"
#include "notify/ip_networks.hpp"

namespace investflow::web {

class TrustedProxies {
 public:
  // A comma- or space-separated list of addresses and CIDR networks (10.0.0.0/8,
  // fd00::/8). An empty list trusts no one. The error names the entry that is wrong.
  static engine::Result<TrustedProxies, std::string> parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  bool contains(std::string_view address) const { return networks_.contains(address); }

  // The address the request is from: `peer` itself unless it is trusted and the request
  // has X-Forwarded-For (every such field, in order, joined with commas).
  std::string client_address(std::string_view peer,
                             std::optional<std::string_view> forwarded_for) const;
  // Whether the client reached the trusted peer over HTTPS (X-Forwarded-Proto's first
  // value is https); false from any other peer.
  bool forwarded_https(std::string_view peer,
                       std::optional<std::string_view> forwarded_proto) const;

  // The list as given, normalised (for `config check` and the log).
  std::string to_string() const { return networks_.to_string(); }

 private:
  notify::IpNetworks networks_;
};

}  // namespace investflow::web
