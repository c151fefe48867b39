#include "notify/ip_networks.hpp"

#include <algorithm>
#include <charconv>

namespace investflow::notify {
namespace {

namespace ip = boost::asio::ip;

bool prefix_matches(const ip::address& network, unsigned prefix, const ip::address& address) {
  if (network.is_v4() != address.is_v4()) return false;
  const auto compare = [prefix](const auto& a, const auto& b) {
    unsigned bits = prefix;
    for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
      const unsigned take = std::min(bits, 8u);
      const auto mask = static_cast<unsigned char>(0xFFu << (8 - take));
      if ((a[i] & mask) != (b[i] & mask)) return false;
      bits -= take;
    }
    return true;
  };
  if (network.is_v4()) return compare(network.to_v4().to_bytes(), address.to_v4().to_bytes());
  return compare(network.to_v6().to_bytes(), address.to_v6().to_bytes());
}

bool in(const ip::address& address, std::string_view network, unsigned prefix) {
  return prefix_matches(ip::make_address(std::string(network)), prefix, address);
}

}  // namespace

ip::address normalise_ip(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> parse_ip(std::string_view text) {
  boost::system::error_code error;
  const auto address = ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return normalise_ip(address);
}

engine::Result<IpNetworks, std::string> IpNetworks::parse(std::string_view list) {
  IpNetworks networks;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto end = std::min(list.find_first_of(", \t", start), list.size());
    const std::string_view entry = list.substr(start, end - start);
    start = end + 1;
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = parse_ip(entry.substr(0, slash));
    if (!address) return engine::fail("'" + std::string(entry) + "' is not an IP address");
    const unsigned width = address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      const auto [end_of_number, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (digits.empty() || error != std::errc() ||
          end_of_number != digits.data() + digits.size() || prefix > width) {
        return engine::fail("'" + std::string(entry) + "' has no valid prefix length (0 to " +
                            std::to_string(width) + ")");
      }
    }
    networks.networks_.push_back({*address, prefix});
  }
  return networks;
}

bool IpNetworks::contains(const ip::address& address) const {
  const ip::address normal = normalise_ip(address);
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& network) {
    return prefix_matches(network.address, network.prefix, normal);
  });
}

bool IpNetworks::contains(std::string_view address) const {
  const auto parsed = parse_ip(address);
  return parsed && contains(*parsed);
}

std::string IpNetworks::to_string() const {
  std::string text;
  for (const Network& network : networks_) {
    if (!text.empty()) text += ",";
    text += network.address.to_string();
    if (network.prefix != (network.address.is_v4() ? 32u : 128u)) {
      text += "/" + std::to_string(network.prefix);
    }
  }
  return text;
}

std::optional<std::string_view> internal_address_kind(const ip::address& raw) {
  const ip::address address = normalise_ip(raw);
  if (address.is_unspecified()) return "unspecified";
  if (address.is_loopback()) return "loopback";
  if (address.is_multicast()) return "multicast";
  if (address.is_v4()) {
    if (in(address, "0.0.0.0", 8)) return "unspecified";
    if (in(address, "10.0.0.0", 8) || in(address, "172.16.0.0", 12) ||
        in(address, "192.168.0.0", 16)) {
      return "private";
    }
    if (in(address, "169.254.0.0", 16)) return "link-local";
    if (in(address, "100.64.0.0", 10)) return "shared (carrier-grade NAT)";
    if (in(address, "192.0.0.0", 24) || in(address, "198.18.0.0", 15) ||
        in(address, "240.0.0.0", 4)) {
      return "reserved";
    }
    return std::nullopt;
  }
  const auto v6 = address.to_v6();
  if (v6.is_link_local() || in(address, "fe80::", 10)) return "link-local";
  if (in(address, "fc00::", 7)) return "private";
  if (v6.is_site_local()) return "private";
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one.
  if (in(address, "64:ff9b::", 96) || in(address, "2002::", 16)) {
    const auto bytes = v6.to_bytes();
    const std::size_t at = in(address, "2002::", 16) ? 2 : 12;
    const ip::address_v4 inner(
        ip::address_v4::bytes_type{bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]});
    return internal_address_kind(inner);
  }
  return std::nullopt;
}

}  // namespace investflow::notify
