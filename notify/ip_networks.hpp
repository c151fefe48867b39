#pragma once
// IP addresses and networks: lists of them as an operator writes them (`10.0.0.0/8,
// 127.0.0.1, fd00::/8`), and the address classes that belong to no one on the internet
// (loopback, private, link-local, ...). The server's trusted proxies (web/forwarded.hpp)
// and the webhooks' refused destinations (http_post.hpp, AddressPolicy) use them.

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"

namespace investflow::notify {

// The address, with an IPv4-mapped IPv6 one (::ffff:10.0.0.1) as IPv4; nullopt when
// `text` is not an IP address.
std::optional<boost::asio::ip::address> parse_ip(std::string_view text);
boost::asio::ip::address normalise_ip(const boost::asio::ip::address& address);

class IpNetworks {
 public:
  // A comma- or space-separated list of addresses and CIDR networks. The error names the
  // entry that is wrong.
  static engine::Result<IpNetworks, std::string> parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  bool contains(const boost::asio::ip::address& address) const;
  bool contains(std::string_view address) const;
  // The list, normalised (10.0.0.0/8,127.0.0.1).
  std::string to_string() const;

 private:
  struct Network {
    boost::asio::ip::address address;
    unsigned prefix = 0;
  };
  std::vector<Network> networks_;
};

// What kind of address no webhook should reach by default: "loopback", "private",
// "link-local", "multicast", "unspecified", "shared (carrier-grade NAT)", "reserved";
// nullopt for an address on the internet.
std::optional<std::string_view> internal_address_kind(const boost::asio::ip::address& address);

}  // namespace investflow::notify
