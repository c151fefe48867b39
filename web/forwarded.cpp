#include "web/forwarded.hpp"

#include <algorithm>
#include <charconv>

#include "web/headers.hpp"

namespace investflow::web {
namespace {

namespace ip = boost::asio::ip;

// ::ffff:10.0.0.1 is 10.0.0.1: a dual-stack socket reports IPv4 peers that way.
ip::address normalise(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code error;
  const auto address = ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return normalise(address);
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// An X-Forwarded-For entry: an address, an IPv6 one perhaps in brackets, an IPv4 one
// perhaps with a port (some proxies add it).
std::optional<ip::address> parse_forwarded_entry(std::string_view entry) {
  entry = trim(entry);
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(entry.substr(1, close - 1));
  }
  if (std::count(entry.begin(), entry.end(), ':') == 1) entry = entry.substr(0, entry.find(':'));
  return parse_address(entry);
}

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

}  // namespace

engine::Result<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto end = std::min(list.find_first_of(", \t", start), list.size());
    const std::string_view entry = list.substr(start, end - start);
    start = end + 1;
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = parse_address(entry.substr(0, slash));
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
    proxies.networks_.push_back({*address, prefix});
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& address) const {
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& network) {
    return prefix_matches(network.address, network.prefix, address);
  });
}

bool TrustedProxies::contains(std::string_view address) const {
  const auto parsed = parse_address(address);
  return parsed && contains(*parsed);
}

std::string TrustedProxies::client_address(std::string_view peer,
                                           std::optional<std::string_view> forwarded_for) const {
  if (!forwarded_for || !contains(peer)) return std::string(peer);
  std::string client(peer);
  std::string_view rest = *forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const auto address = parse_forwarded_entry(entry);
    if (!address) break;  // garbage: the last address a trusted hop vouched for stands
    client = address->to_string();
    if (!contains(*address)) break;
  }
  return client;
}

bool TrustedProxies::forwarded_https(std::string_view peer,
                                     std::optional<std::string_view> forwarded_proto) const {
  if (!forwarded_proto || !contains(peer)) return false;
  const std::string_view first = trim(forwarded_proto->substr(0, forwarded_proto->find(',')));
  return equals_ignoring_case(first, "https");
}

std::string TrustedProxies::to_string() const {
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

}  // namespace investflow::web
