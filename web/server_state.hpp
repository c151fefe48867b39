#pragma once
// Internal to web/: what the listener, the sessions and the dispatcher share. Included only
// by web/*.cpp files that already use Asio.

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "web/address_slots.hpp"
#include "web/metrics.hpp"
#include "web/request_id.hpp"
#include "web/router.hpp"
#include "web/server_options.hpp"
#include "web/session_registry.hpp"
#include "web/static_files.hpp"
#include "web/stream_budget.hpp"

namespace boost::asio::ssl {
class context;
}

namespace investflow::web {

struct ServerState {
  ServerState(ServerOptions server_options, Router server_router, StaticFiles files);

  const ServerOptions options;
  Router router;  // complete (built-ins added) before the server starts; read-only after
  const StaticFiles static_files;
  Metrics metrics;
  RequestIds request_ids;
  std::shared_ptr<spdlog::logger> log;  // never null
  SessionRegistry sessions;
  AddressSlots address_slots;  // open connections per peer address
  StreamBudget stream_budget;  // the bytes streams hold queued
  std::atomic<bool> stopping{false};
  // Runs Execution::worker_pool handlers; created by Server::start, joined by Server::stop.
  std::optional<boost::asio::thread_pool> workers;
  // Hashes and writes the pieces of spooled uploads (Route::spool_body), so a burst of
  // uploads keeps the I/O threads free for other requests; one thread, created and joined
  // with `workers`.
  std::optional<boost::asio::thread_pool> spool_writer;

  // Replies from handlers may come from foreign threads at any time, even after the server
  // stopped; once closed, they are dropped instead of being posted to a dead io_context.
  std::mutex reply_gate;
  bool replies_open = true;  // GUARDED_BY(reply_gate)

  // The TLS context new connections take (null: plain HTTP); replaced whole by
  // Server::reload_tls, while connections keep the one they began with.
  std::shared_ptr<boost::asio::ssl::context> tls_context() const {
    std::lock_guard lock(tls_mutex);
    return tls;
  }
  bool over_tls() const { return !options.tls_certificate.empty(); }
  mutable std::mutex tls_mutex;
  std::shared_ptr<boost::asio::ssl::context> tls;  // GUARDED_BY(tls_mutex)
};

}  // namespace investflow::web
