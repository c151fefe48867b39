#pragma once
// How the HTTP server listens, how much it accepts and how long it waits.

#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstddef>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/workflow.hpp"
#include "web/access_log.hpp"
#include "web/forwarded.hpp"

namespace spdlog {
class logger;
}

namespace investflow::web {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;    // 0: any free port, see Server::port()
  unsigned io_threads = 2;      // threads running the io_context (sockets, parsing, routing)
  unsigned worker_threads = 4;  // threads running Execution::worker_pool handlers

  // Past this many open connections a new one gets 503 and is closed.
  std::size_t max_connections = 1024;
  // Past this many open connections from one address (the TCP peer's), a new one from there
  // gets 503 (code too_many_connections) and is closed, while other addresses are served.
  // Trusted proxies are exempt: every client behind one arrives from its address. 0: no
  // limit.
  std::size_t max_connections_per_address = 64;
  // Requests over these limits get 413 and the connection is closed.
  std::uint32_t header_limit = 16 * 1024;
  std::uint64_t body_limit = 1024 * 1024;
  // Where routes that spool their body (Route::spool_body: file uploads) write it as it
  // arrives, each in a new file of its own (0600). Empty: those bodies are held in memory
  // like any other.
  std::string upload_dir;

  // HTTPS: the certificate chain (PEM, the server's own first) and its private key (PEM).
  // Both empty: plain HTTP. Read by Server::start and again by Server::reload_tls.
  std::string tls_certificate;
  std::string tls_key;
  // Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (the client's
  // address for the access log and login throttling; Secure cookies). Empty: none.
  TrustedProxies trusted_proxies;

  // Until a request's header is complete; also how long an idle keep-alive connection may
  // wait for its next request. This is what defeats slowloris clients.
  std::chrono::milliseconds header_timeout{10'000};
  // Until the body is complete, from the end of the header.
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // After an error response that closes the connection (413, 400, 503 at the cap), how long
  // the server keeps reading and discarding, so the client sees the response instead of a
  // reset caused by its unread upload.
  std::chrono::milliseconds linger_timeout{1'000};
  // After a failed accept (EMFILE: out of file descriptors) the listener waits this long
  // before accepting again, instead of spinning.
  std::chrono::milliseconds accept_backoff{100};
  // A streaming response (server-sent events) sends a comment line this often, so proxies
  // and clients see the connection is alive.
  std::chrono::milliseconds stream_keepalive{15'000};
  // The most bytes all streams together hold queued for clients that read slower than
  // events arrive (stream_budget.hpp). A stream that would hold more than its share, or
  // take the total past this, is closed instead of buffering; its client reconnects with
  // Last-Event-ID and misses nothing.
  std::size_t stream_memory = 64 * 1024 * 1024;

  // GET /metrics: with a token, only requests with `Authorization: Bearer <token>` (401
  // otherwise); without one, only clients on a loopback address that no proxy forwarded
  // (403 otherwise), unless metrics_open.
  std::string metrics_token;
  bool metrics_open = false;

  // Adds what the application knows to /healthz's answer (e.g. the calendars' runway).
  // Runs on an I/O thread: it must be quick and must not block.
  std::function<void(boost::json::object&)> health;
  // GET /readyz: empty when ready to take traffic, else why not, in both languages (a 503
  // problem, code not_ready). Runs on a worker.
  std::function<engine::LocalizedText()> ready;

  // What the security audit log keeps of the requests themselves, called once the answer
  // is sent: an API request refused for lack of permission (403; download false) and a
  // file downloaded from the API (Content-Disposition: attachment; download true). Runs on
  // an I/O thread: it must be quick and must not block (storage::AuditLog queues).
  std::function<void(const AccessRecord& record, bool download)> audit;

  // Server events (failed accepts, 500s with their request id). nullptr: spdlog's default.
  std::shared_ptr<spdlog::logger> log;
  // One line per answered request (access_log.hpp). nullptr: no access log.
  std::shared_ptr<spdlog::logger> access_log;
  // The access log's lines as JSON members (access_log.hpp) instead of logfmt.
  bool access_log_json = false;
};

}  // namespace investflow::web
