#include "notify/http_post.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <optional>

namespace investflow::notify {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxResponseBody = 64 * 1024;

http::request<http::string_body> make_request(const PostRequest& request, const ParsedUrl& url) {
  http::request<http::string_body> message{http::verb::post, url.target, 11};
  const bool default_port = url.port == (url.https ? "443" : "80");
  message.set(http::field::host, default_port ? url.host : url.host + ":" + url.port);
  message.set(http::field::user_agent, "investflow-webhook/1");
  message.set(http::field::content_type, request.content_type);
  message.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers)
    message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  return message;
}

template <typename Stream>
net::awaitable<void> exchange(Stream& stream, http::request<http::string_body>& message,
                              PostOutcome& outcome, std::chrono::milliseconds timeout) {
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await http::async_write(stream, message, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  beast::get_lowest_layer(stream).expires_after(timeout);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  outcome.status = static_cast<int>(parser.get().result_int());
  outcome.body = parser.get().body();
}

net::awaitable<void> post(const PostRequest& request, const ParsedUrl& url, PostOutcome& outcome) {
  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  auto message = make_request(request, url);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, net::use_awaitable);
  if (!url.https) {
    beast::tcp_stream stream(executor);
    stream.expires_after(request.timeout);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    co_await exchange(stream, message, outcome, request.timeout);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  net::ssl::context context(net::ssl::context::tls_client);
  context.set_default_verify_paths();
  context.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, context);
  // SNI. (SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.)
  std::string host = url.host;
  if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               host.data()) != 1) {
    throw beast::system_error(
        beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
  }
  stream.set_verify_callback(net::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(request.timeout);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
  beast::get_lowest_layer(stream).expires_after(request.timeout);
  co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  co_await exchange(stream, message, outcome, request.timeout);
}

}  // namespace

std::optional<ParsedUrl> parse_url(std::string_view url) {
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

PostOutcome http_post(const PostRequest& request) {
  PostOutcome outcome;
  const std::optional<ParsedUrl> url = parse_url(request.url);
  if (!url) {
    outcome.error = "not an http(s) URL";
    return outcome;
  }
  net::io_context io_context{1};
  net::co_spawn(io_context, post(request, *url, outcome), [&outcome](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const beast::system_error& failure) {
      outcome.error = failure.code() == beast::error::timeout ? "timed out" : failure.what();
    } catch (const std::exception& failure) {
      outcome.error = failure.what();
    }
  });
  io_context.run();
  if (!outcome.error.empty()) outcome.status = 0;
  return outcome;
}

}  // namespace investflow::notify
