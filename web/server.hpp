#pragma once
// The HTTP/1.1 server: Boost.Beast on one io_context run by ServerOptions::io_threads
// threads, a strand per connection, handlers from a Router (router.hpp), static files from
// memory, and the built-in GET /healthz and GET /metrics (unless the router has its own).
//
//   web::Router router;
//   router.add("GET", "/api/projects/{id}", get_project);
//   web::Server server(options, std::move(router), console_files);
//   auto port = server.start();            // error text when the address cannot be bound
//   web::ShutdownSignals signals;          // SIGINT, SIGTERM
//   signals.wait();
//   server.stop(std::chrono::seconds(10)); // stop accepting, finish in-flight requests
//
// Every response carries X-Request-Id and the security headers (security_headers.hpp);
// every error is application/problem+json (problem.hpp). A server runs once: start, stop.
// With ServerOptions::tls_certificate and tls_key it speaks HTTPS only (TLS 1.2 or later)
// and adds Strict-Transport-Security to every response.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/result.hpp"
#include "web/metrics.hpp"
#include "web/router.hpp"
#include "web/server_options.hpp"
#include "web/static_files.hpp"

namespace investflow::web {

class Server {
 public:
  Server(ServerOptions options, Router router, StaticFiles static_files = {});
  ~Server();  // stops, with the default deadline, if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads; returns the bound port.
  engine::Result<std::uint16_t, std::string> start();
  std::uint16_t port() const;

  // Graceful shutdown: stops accepting, closes idle connections, lets requests that are
  // arriving or being handled finish and get their response (with Connection: close) until
  // the deadline, then closes what is left and joins the threads. Worker-pool handlers
  // already running are waited for: a handler must return. Idempotent; call it from one
  // thread, never from a handler.
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  // Reads ServerOptions::tls_certificate and tls_key again (a renewed certificate, after
  // SIGHUP): new connections use them, open ones keep theirs. On an error (named with its
  // file, returned; empty when reloaded) the running certificate stays. Without TLS,
  // nothing to do.
  std::string reload_tls();

  // Add the application's own gauges and counters here, before or after start().
  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace investflow::web
