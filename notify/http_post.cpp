#include "notify/http_post.hpp"

#include <algorithm>

#include <curl/curl.h>

#include <sys/socket.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace investflow::notify {
namespace {

constexpr std::size_t kMaxResponseBody = 64 * 1024;

std::string environment(const char* lower, const char* upper) {
  for (const char* name : {lower, upper}) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

// curl_global_init is not thread-safe: once, before the first handle of any lane.
void initialise_curl() {
  static const bool initialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialised;
}

// The response body, up to the cap; past it the transfer stops (the status is known by
// then) and what came is kept.
struct Sink {
  std::string body;
  bool full = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  const std::size_t room = kMaxResponseBody - sink.body.size();
  sink.body.append(data, std::min(bytes, room));
  if (bytes > room) {
    sink.full = true;
    return 0;  // stops the transfer (CURLE_WRITE_ERROR)
  }
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string refusal(std::string_view what, std::string_view kind) {
  return "refused: " + std::string(what) + " is a " + std::string(kind) +
         " address (an administrator may allow it: serve --webhook-allow)";
}

// Checks each address libcurl is about to connect to (CURLOPT_OPENSOCKETFUNCTION).
struct SocketGuard {
  const AddressPolicy* policy = nullptr;
  std::string refused;  // why, once one was refused
};

curl_socket_t open_checked_socket(void* user, curlsocktype /*purpose*/, curl_sockaddr* address) {
  auto& guard = *static_cast<SocketGuard*>(user);
  std::optional<boost::asio::ip::address> ip;
  if (address->family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address->addr);  // NOLINT
    boost::asio::ip::address_v4::bytes_type bytes{};
    std::memcpy(bytes.data(), &v4->sin_addr, bytes.size());
    ip = boost::asio::ip::address_v4(bytes);
  } else if (address->family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);  // NOLINT
    boost::asio::ip::address_v6::bytes_type bytes{};
    std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
    ip = boost::asio::ip::address_v6(bytes);
  } else {
    guard.refused = "refused: not an IP address";
    return CURL_SOCKET_BAD;
  }
  if (const auto kind = internal_address_kind(*ip); kind && !guard.policy->allowed.contains(*ip)) {
    guard.refused = refusal("the host's address", *kind);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// What a sender may be told: no internal host names, addresses or ports (libcurl's own
// text names them).
std::string curl_error(CURLcode code, const char* detail) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_COULDNT_CONNECT:
      return "could not connect";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "the host name is not known";
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "the proxy's host name is not known";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "the connection was closed without an answer";
    default:
      break;
  }
  std::string text = detail != nullptr && *detail != '\0' ? detail : curl_easy_strerror(code);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

}  // namespace

ProxySettings proxy_settings_from_environment() {
  ProxySettings proxy;
  proxy.http = environment("http_proxy", "HTTP_PROXY");
  proxy.https = environment("https_proxy", "HTTPS_PROXY");
  proxy.no_proxy = environment("no_proxy", "NO_PROXY");
  return proxy;
}

std::optional<ParsedUrl> parse_url(std::string_view url) {
  // Spaces and control characters (CR, LF, NUL, DEL) have no place in a URL; passed on,
  // CR LF would start a header of the attacker's in the outbound request.
  if (std::any_of(url.begin(), url.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte <= 0x20 || byte == 0x7F;
      })) {
    return std::nullopt;
  }
  ParsedUrl parsed;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    parsed.https = true;
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (parsed.target.front() == '?') parsed.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  parsed.port = parsed.https ? "443" : "80";
  if (authority.starts_with('[')) {  // [IPv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parsed.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(':')) parsed.port = std::string(authority.substr(1));
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    parsed.host = std::string(authority.substr(0, colon));
    parsed.port = std::string(authority.substr(colon + 1));
  } else {
    parsed.host = std::string(authority);
  }
  if (parsed.host.empty() || parsed.port.empty() ||
      parsed.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::string> refused_host(std::string_view host, const AddressPolicy& policy) {
  if (!policy.refuse_internal) return std::nullopt;
  std::string lowered(host);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lowered == "localhost" || lowered.ends_with(".localhost") ||
      lowered == "localhost.localdomain") {
    return refusal("localhost", "loopback");
  }
  if (const auto ip = parse_ip(host)) {
    if (const auto kind = internal_address_kind(*ip); kind && !policy.allowed.contains(*ip)) {
      return refusal(ip->to_string(), *kind);
    }
  }
  return std::nullopt;
}

PostOutcome http_post(const PostRequest& request) {
  PostOutcome outcome;
  const std::optional<ParsedUrl> url = parse_url(request.url);
  if (!url) {
    outcome.error = "not an http(s) URL";
    return outcome;
  }
  if (auto refused = refused_host(url->host, request.addresses)) {
    outcome.error = std::move(*refused);
    return outcome;
  }
  initialise_curl();
  const std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) {
    outcome.error = "cannot start an HTTP client (libcurl)";
    return outcome;
  }
  CURL* curl = handle.get();
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add_header = [&headers](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended != nullptr) {
      (void)headers.release();
      headers.reset(appended);
    }
  };
  add_header("Content-Type: " + request.content_type);
  add_header("Expect:");  // no 100-continue round trip (robots do not answer it)
  add_header("Connection: close");
  for (const auto& [name, value] : request.headers)
    add_header(name + ": " + value);

  Sink sink;
  char detail[CURL_ERROR_SIZE] = {};
  const std::string& proxy = url->https ? request.proxy.https : request.proxy.http;
  const long timeout_ms = static_cast<long>(request.timeout.count());  // NOLINT(google-runtime-int)
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // a lane's thread: no SIGALRM for timeouts
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "investflow-webhook/1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  // An empty proxy turns off libcurl's own reading of the environment: what the caller
  // passed is all there is.
  curl_easy_setopt(curl, CURLOPT_PROXY, proxy.c_str());
  if (!request.proxy.no_proxy.empty()) {
    curl_easy_setopt(curl, CURLOPT_NOPROXY, request.proxy.no_proxy.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);  // this bundle only
  }
  // Every address connected to is checked as the connection is made: the receiver's (each
  // one its name resolves to), or the proxy's (serve allows the configured proxies'). A
  // proxy resolves the receiver's name itself: there the URL's host was checked above.
  SocketGuard guard{&request.addresses, {}};
  if (request.addresses.refuse_internal) {
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &guard);
  }

  const CURLcode code = curl_easy_perform(curl);
  if (!guard.refused.empty()) {
    outcome.error = guard.refused;
    return outcome;
  }
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && sink.full && status != 0)) {
    outcome.error = curl_error(code, detail);
    return outcome;
  }
  outcome.status = static_cast<int>(status);
  outcome.body = std::move(sink.body);
  return outcome;
}

}  // namespace investflow::notify
