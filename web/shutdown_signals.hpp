#pragma once
// SIGINT and SIGTERM as a request to shut down, for `investflow serve`:
//
//   web::ShutdownSignals signals;   // from here on, the signals no longer kill the process
//   signals.wait();                 // blocks until one arrives
//   server.stop();
//
// Built on asio::signal_set, so the handling is async-signal-safe.

#include <chrono>
#include <memory>
#include <optional>

namespace investflow::web {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // The signal number that arrived.
  int wait();
  // nullopt when none arrived within the timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace investflow::web
