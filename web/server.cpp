#include "web/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <openssl/ssl.h>
#include <pthread.h>
#include <sched.h>

#include <thread>
#include <vector>

#include "web/builtin_routes.hpp"
#include "web/http_session.hpp"
#include "web/listener.hpp"
#include "web/server_state.hpp"

namespace investflow::web {

namespace net = boost::asio;

namespace {

// How long stop() waits for the connections it closed at the deadline to go away.
constexpr std::chrono::milliseconds kForceCloseGrace{500};

// The server's TLS context from PEM files: TLS 1.2 or later, OpenSSL's default ciphers
// (Debian's security level 2), the key checked against the certificate.
engine::Result<std::shared_ptr<net::ssl::context>, std::string> load_tls_context(
    const ServerOptions& options) {
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  boost::system::error_code error;
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                           net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                           net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                       error);
  ::SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (context->use_certificate_chain_file(options.tls_certificate, error)) {
    return engine::fail("cannot use the TLS certificate " + options.tls_certificate + ": " +
                        error.message());
  }
  if (context->use_private_key_file(options.tls_key, net::ssl::context::pem, error)) {
    return engine::fail("cannot use the TLS key " + options.tls_key + ": " + error.message());
  }
  if (::SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return engine::fail("the TLS key " + options.tls_key + " does not belong to the certificate " +
                        options.tls_certificate);
  }
  return context;
}

}  // namespace

ServerState::ServerState(ServerOptions server_options, Router server_router, StaticFiles files)
    : options(std::move(server_options)),
      router(std::move(server_router)),
      static_files(std::move(files)),
      log(options.log ? options.log : spdlog::default_logger()),
      address_slots(options.max_connections_per_address),
      stream_budget(options.stream_memory) {
}

struct Server::Impl {
  Impl(ServerOptions options, Router router, StaticFiles files)
      : state(
            std::make_shared<ServerState>(std::move(options), std::move(router), std::move(files))),
        io_context(static_cast<int>(std::max(1u, state->options.io_threads))) {
    add_builtin_routes(state->router, *state);
    const StreamBudget& budget = state->stream_budget;
    state->metrics.add_gauge("investflow_http_stream_queued_bytes",
                             "Bytes queued for event-stream clients, all streams together.",
                             [&budget] { return static_cast<double>(budget.used()); });
    state->metrics.add_gauge("investflow_http_stream_memory_bytes",
                             "The most event streams may hold queued together (serve "
                             "--sse-memory).",
                             [&budget] { return static_cast<double>(budget.budget()); });
  }

  engine::Result<net::ip::tcp::acceptor, std::string> open_acceptor();

  std::shared_ptr<ServerState> state;
  net::io_context io_context;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

engine::Result<net::ip::tcp::acceptor, std::string> Server::Impl::open_acceptor() {
  const auto& options = state->options;
  boost::system::error_code error;
  const auto address = net::ip::make_address(options.address, error);
  if (error) return engine::fail("invalid listen address '" + options.address + "'");
  const net::ip::tcp::endpoint endpoint(address, options.port);
  // Its own strand: the listener's timer and stop() share it.
  net::ip::tcp::acceptor acceptor(net::make_strand(io_context));
  const auto where = options.address + ":" + std::to_string(options.port);
  if (acceptor.open(endpoint.protocol(), error)) {
    return engine::fail("cannot open a socket for " + where + ": " + error.message());
  }
  // Restarts must not wait for the old connections' TIME_WAIT.
  acceptor.set_option(net::socket_base::reuse_address(true), error);
  if (acceptor.bind(endpoint, error)) {
    return engine::fail("cannot listen on " + where + ": " + error.message());
  }
  if (acceptor.listen(net::socket_base::max_listen_connections, error)) {
    return engine::fail("cannot listen on " + where + ": " + error.message());
  }
  return acceptor;
}

Server::Server(ServerOptions options, Router router, StaticFiles static_files)
    : impl_(
          std::make_unique<Impl>(std::move(options), std::move(router), std::move(static_files))) {
}

Server::~Server() {
  stop();
}

engine::Result<std::uint16_t, std::string> Server::start() {
  if (impl_->started) return engine::fail(std::string("the server was already started"));
  if (impl_->state->over_tls()) {
    auto context = load_tls_context(impl_->state->options);
    if (!context) return engine::fail(std::move(context).error());
    std::lock_guard lock(impl_->state->tls_mutex);
    impl_->state->tls = std::move(*context);
  }
  auto acceptor = impl_->open_acceptor();
  if (!acceptor) return engine::fail(std::move(acceptor).error());
  impl_->started = true;
  impl_->port = acceptor->local_endpoint().port();

  auto& state = *impl_->state;
  state.workers.emplace(std::max(1u, state.options.worker_threads));
  state.spool_writer.emplace(1);
  // Uploads are bulk work: their hashing and writing (the spool writer's thread, SCHED_IDLE)
  // run when no request wants the CPU, so 20 large uploads at once do not hold up the GETs
  // of the people working meanwhile. A lower priority is always allowed; failing, it stays.
  net::post(*state.spool_writer, [] {
    sched_param idle{};
    (void)::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &idle);
  });
  impl_->work.emplace(impl_->io_context.get_executor());
  impl_->listener =
      std::make_shared<Listener>(impl_->io_context, std::move(*acceptor), impl_->state);
  impl_->listener->run();
  for (unsigned i = 0; i < std::max(1u, state.options.io_threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io_context.run(); });
  }
  return impl_->port;
}

std::uint16_t Server::port() const {
  return impl_->port;
}

std::string Server::reload_tls() {
  auto& state = *impl_->state;
  if (!state.over_tls()) return {};
  auto context = load_tls_context(state.options);
  if (!context) return std::move(context).error();
  std::lock_guard lock(state.tls_mutex);
  state.tls = std::move(*context);
  return {};
}

Metrics& Server::metrics() {
  return impl_->state->metrics;
}

void Server::stop(std::chrono::milliseconds deadline) {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  auto& state = *impl_->state;
  state.stopping = true;
  impl_->listener->stop();
  for (const auto& session : state.sessions.snapshot()) {
    session->stop();
  }
  if (!state.sessions.wait_until_empty(std::chrono::steady_clock::now() + deadline)) {
    state.log->warn("shutdown deadline passed with {} connections open; closing them",
                    state.sessions.size());
    for (const auto& session : state.sessions.snapshot()) {
      session->force_close();
    }
    // The I/O threads still run, so the closes happen now rather than at destruction.
    state.sessions.wait_until_empty(std::chrono::steady_clock::now() + kForceCloseGrace);
  }
  // Handlers already on the pool run to the end; their replies then find closed sessions.
  state.workers->join();
  state.spool_writer->join();
  {
    std::lock_guard lock(state.reply_gate);
    state.replies_open = false;
  }
  impl_->work.reset();
  impl_->io_context.stop();
  for (auto& thread : impl_->threads) {
    thread.join();
  }
  impl_->threads.clear();
  // Nothing runs now: drop the sessions still waiting for a reply that will never come.
  for (const auto& session : state.sessions.snapshot()) {
    session->release();
  }
  impl_->listener.reset();
}

}  // namespace investflow::web
