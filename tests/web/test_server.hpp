#pragma once
// Starting a real server in-process on 127.0.0.1, port 0, with short timeouts and logs
// captured instead of printed.

#include <memory>
#include <sstream>
#include <string>

#include "web/server.hpp"

namespace investflow::web::testing {

// Options for tests: any free port, 2+2 threads, timeouts in the hundreds of milliseconds,
// server log into `log` (when given), no access log.
ServerOptions test_options(std::ostringstream* log = nullptr);

class RunningServer {
 public:
  explicit RunningServer(Router router, ServerOptions options = test_options(),
                         StaticFiles files = {});
  ~RunningServer();

  std::uint16_t port() const { return port_; }
  Server& server() { return *server_; }

 private:
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

}  // namespace investflow::web::testing
