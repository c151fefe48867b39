#include "test_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace investflow::web::testing {

ServerOptions test_options(std::ostringstream* log) {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  options.worker_threads = 2;
  options.header_timeout = std::chrono::milliseconds(400);
  options.body_timeout = std::chrono::milliseconds(400);
  options.write_timeout = std::chrono::milliseconds(1000);
  options.linger_timeout = std::chrono::milliseconds(300);
  options.accept_backoff = std::chrono::milliseconds(20);
  if (log != nullptr) {
    options.log = std::make_shared<spdlog::logger>(
        "web-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*log, true));
  } else {
    options.log = std::make_shared<spdlog::logger>("web-test",
                                                   std::make_shared<spdlog::sinks::null_sink_mt>());
  }
  options.log->set_level(spdlog::level::debug);
  return options;
}

RunningServer::RunningServer(Router router, ServerOptions options, StaticFiles files)
    : server_(std::make_unique<Server>(std::move(options), std::move(router), std::move(files))) {
  auto port = server_->start();
  if (!port) {
    ADD_FAILURE() << "server did not start: " << port.error();
    return;
  }
  port_ = *port;
}

RunningServer::~RunningServer() {
  server_->stop(std::chrono::seconds(2));
}

}  // namespace investflow::web::testing
