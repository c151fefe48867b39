#include "web/shutdown_signals.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>

namespace investflow::web {

struct ShutdownSignals::Impl {
  boost::asio::io_context io_context{1};
  boost::asio::signal_set signals{io_context, SIGINT, SIGTERM};
  std::optional<int> received;
  bool waiting = false;
};

ShutdownSignals::ShutdownSignals(bool hangup) : impl_(std::make_unique<Impl>()) {
  if (hangup) impl_->signals.add(SIGHUP);
}

void ShutdownSignals::clear() {
  impl_->received.reset();
}

ShutdownSignals::~ShutdownSignals() = default;

int ShutdownSignals::wait() {
  std::optional<int> signal;
  while (!(signal = wait_for(std::chrono::hours(1)))) {
  }
  return *signal;
}

std::optional<int> ShutdownSignals::wait_for(std::chrono::milliseconds timeout) {
  if (impl_->received) return impl_->received;
  if (!impl_->waiting) {
    impl_->waiting = true;
    impl_->signals.async_wait([impl = impl_.get()](boost::system::error_code error, int number) {
      impl->waiting = false;
      if (!error) impl->received = number;
    });
  }
  impl_->io_context.restart();
  impl_->io_context.run_for(timeout);
  return impl_->received;
}

}  // namespace investflow::web
