#pragma once
// `serve`: the HTTP server (its users: commands_users.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "app/args.hpp"
#include "app/backup_schedule.hpp"
#include "app/commands_anchor.hpp"
#include "app/server_log.hpp"
#include "notify/ip_networks.hpp"
#include "web/forwarded.hpp"

namespace investflow::app {

int run_serve(std::span<const std::string> args, Io& io);

ArgSpec serve_spec();

// serve's settings, checked: from the options, INVESTFLOW_* and the configuration file.
struct ServeSettings {
  std::string db;         // a SQLite file or a postgresql:// URI
  std::string files_dir;  // attachments; "": DB.files beside a SQLite file
  std::pair<std::string, std::uint16_t> listen;
  std::string workflows;
  std::string static_dir;  // "": the embedded console only
  unsigned threads = 2;
  std::uint64_t attachment_limit = 0;  // bytes
  bool access_log = false;
  bool no_dispatch = false;
  std::string webhook_ca_file;       // "": the system's store
  std::string secret_key;            // seals webhook secrets; "": DB.secret-key, made if missing
  notify::IpNetworks webhook_allow;  // internal addresses webhooks may reach nonetheless
  LogFormat log_format = LogFormat::text;
  std::string log_file;                             // "": stderr
  BackupPolicy backup;                              // dir "": no scheduled backups
  DigestPolicy digest;                              // dir "": no scheduled digests
  std::chrono::seconds session_idle{30 * 60};       // a session unused this long ends
  std::chrono::seconds session_lifetime{8 * 3600};  // a session ends this long after login
  std::string tls_certificate;                      // "": plain HTTP (then tls_key is "" too)
  std::string tls_key;
  bool secure_cookies = false;  // set by --secure-cookies behind an HTTPS proxy
  web::TrustedProxies trusted_proxies;
  std::size_t max_connections_per_address = 64;  // 0: no limit
  std::size_t max_streams_per_user = 8;          // 0: no limit
  std::size_t sse_memory = 64 * 1024 * 1024;     // bytes
  std::string metrics_token;  // "": /metrics on loopback only (or on metrics_listen)
  std::optional<std::pair<std::string, std::uint16_t>> metrics_listen;
};
// Every problem written to io.err, naming where the value came from; nullopt if any.
std::optional<ServeSettings> resolve_serve_settings(const ParsedArgs& parsed, Io& io);

// --listen: HOST:PORT, :PORT (0.0.0.0), localhost:PORT (127.0.0.1), [IPv6]:PORT. The
// address (without brackets) and port; nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text);

}  // namespace investflow::app
