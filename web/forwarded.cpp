#include "web/forwarded.hpp"

#include <algorithm>

#include "web/headers.hpp"

namespace investflow::web {
namespace {

namespace ip = boost::asio::ip;
using notify::parse_ip;

// An X-Forwarded-For entry: an address, an IPv6 one perhaps in brackets, an IPv4 one
// perhaps with a port (some proxies add it).
std::optional<ip::address> parse_forwarded_entry(std::string_view entry) {
  entry = trim_ows(entry);
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_ip(entry.substr(1, close - 1));
  }
  if (std::count(entry.begin(), entry.end(), ':') == 1) entry = entry.substr(0, entry.find(':'));
  return parse_ip(entry);
}

}  // namespace

engine::Result<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
  auto networks = notify::IpNetworks::parse(list);
  if (!networks) return engine::fail(std::move(networks).error());
  TrustedProxies proxies;
  proxies.networks_ = std::move(*networks);
  return proxies;
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
    if (!networks_.contains(*address)) break;
  }
  return client;
}

bool TrustedProxies::forwarded_https(std::string_view peer,
                                     std::optional<std::string_view> forwarded_proto) const {
  if (!forwarded_proto || !contains(peer)) return false;
  const std::string_view first = trim_ows(forwarded_proto->substr(0, forwarded_proto->find(',')));
  return equals_ignoring_case(first, "https");
}

}  // namespace investflow::web
