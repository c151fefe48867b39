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
  // With `hangup`, SIGHUP is caught too (wait() returns SIGHUP; the caller reloads, calls
  // clear() and waits again) instead of ending the process.
  explicit ShutdownSignals(bool hangup = false);
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // The signal number that arrived.
  int wait();
  // nullopt when none arrived within the timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // Forgets the signal received, so that wait() waits for the next one.
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace investflow::web
