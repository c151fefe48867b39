#pragma once
// What a handler sees of an HTTP request: plain strings, no socket, no Beast.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "web/headers.hpp"
#include "web/request_target.hpp"

namespace investflow::web {

// A request body the server wrote to a file as it arrived (a route with
// Route::spool_body): the file, its size and its SHA-256. The file is removed when the
// last holder lets go of this, unless a handler moved it elsewhere and said so (kept()).
class SpooledBody {
 public:
  SpooledBody(std::filesystem::path path, std::uint64_t size, std::string sha256)
      : path_(std::move(path)), size_(size), sha256_(std::move(sha256)) {}
  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  const std::string& sha256() const { return sha256_; }  // lower-case hex
  void kept() { kept_ = true; }

 private:
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::string sha256_;
  bool kept_ = false;
};

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // raw request-target, e.g. "/api/projects?stage=lead"
  std::string path;    // decoded and validated (see request_target.hpp)
  QueryParams query;   // decoded
  Headers headers;
  std::string body;  // at most ServerOptions::body_limit bytes
  // Instead of `body`, on a route that spools its body (then `body` is empty).
  std::shared_ptr<SpooledBody> spooled;
  // Taken from a well-formed X-Request-Id sent by the client (a proxy), else generated;
  // echoed in the X-Request-Id response header and in the access log.
  std::string request_id;
  // The client's IP address: the peer's, or the one a trusted proxy forwarded
  // (ServerOptions::trusted_proxies, forwarded.hpp).
  std::string remote_address;
  // The client reached us over HTTPS: the server's TLS, or a trusted proxy's
  // X-Forwarded-Proto: https.
  bool https = false;
  // Who the request authenticated as, filled by the API (web/api_support.cpp authenticate)
  // and read by the access log; shared with the connection, which outlives the handler.
  std::shared_ptr<std::string> user = std::make_shared<std::string>();

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  // The first value of a query parameter.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

}  // namespace investflow::web
