#pragma once
// One HTTP(S) POST with a deadline: the webhook client, over libcurl. Blocking, for a
// delivery lane's own thread (dispatcher.hpp); each call has its own handle, so one hung
// receiver holds up nothing but its own lane. HTTPS verifies the peer and the host name
// against the system's CA store, or against `ca_file` when one is given. A proxy is used
// only when `proxy` names one (never from the environment behind the caller's back:
// proxy_settings_from_environment reads it once, for the server). Redirects are not
// followed; only http and https are spoken.
//
// With AddressPolicy::refuse_internal (serve's default) a webhook cannot reach the
// server's own network (SSRF): every address the host name resolves to is checked as the
// connection is made, so a name that resolves to a public address when the webhook is
// saved and to 127.0.0.1 later (DNS rebinding) is refused too. Errors say what a sender
// may know (refused, timed out, could not connect, the TLS problem), not the target's
// ports or internal names.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "notify/ip_networks.hpp"

namespace investflow::notify {

// Which addresses a webhook may reach.
struct AddressPolicy {
  // Refuse loopback, private, link-local, multicast, unspecified and reserved addresses
  // (internal_address_kind) unless `allowed` names them.
  bool refuse_internal = false;
  IpNetworks allowed;  // serve --webhook-allow
};
// Why a webhook URL's host may not be reached ("refused: ... is loopback ..."), judged on
// the URL alone: an IP address, or localhost. nullopt when it may be tried (a name is
// checked again when it is resolved).
std::optional<std::string> refused_host(std::string_view host, const AddressPolicy& policy);

// Outbound proxies, as the usual environment variables give them.
struct ProxySettings {
  std::string http;      // for http:// URLs: http_proxy, else HTTP_PROXY
  std::string https;     // for https:// URLs (through CONNECT): https_proxy, else HTTPS_PROXY
  std::string no_proxy;  // no_proxy, else NO_PROXY: hosts reached directly ("a.cn,.b.cn,*")
};
// The lowercase variable wins over the uppercase one, as in curl.
ProxySettings proxy_settings_from_environment();

struct PostRequest {
  std::string url;  // http://host[:port]/path?query or https://...
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};  // connect + TLS + write + read, in total
  ProxySettings proxy;                       // empty: straight to the receiver
  std::string ca_file;  // PEM bundle trusted instead of the system's store; empty: the system's
  AddressPolicy addresses;
};

struct PostOutcome {
  int status = 0;     // HTTP status; 0 when no response came
  std::string body;   // the response body (its first 64 KiB; the rest is not read)
  std::string error;  // transport error (timeout, refused, TLS); empty when a response came
};

struct ParsedUrl {
  bool https = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, at least "/"
};
// Nullopt for anything but http:// and https:// URLs with a host.
std::optional<ParsedUrl> parse_url(std::string_view url);

PostOutcome http_post(const PostRequest& request);

}  // namespace investflow::notify
