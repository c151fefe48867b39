#pragma once
// The server's logs (`serve --log-format text|json --log-file FILE`): the server's events
// (spdlog's default logger) and the access log, one line each, timed in RFC 3339 with the
// zone's offset (2026-02-10T09:30:00.123+08:00), to stderr (the journal under systemd) or
// to a file that reopen() opens again after logrotate moved it (SIGHUP).
//
//   text: 2026-02-10T09:30:00.123+08:00 info access method=GET route=/healthz ...
//   json: {"time":"2026-02-10T09:30:00.123+08:00","level":"info","logger":"access",
//          "method":"GET","route":"/healthz","status":200,...,"user":null}

#include <memory>
#include <string>

#include "engine/result.hpp"

namespace spdlog {
class logger;
}

namespace investflow::app {

enum class LogFormat { text, json };

class ServerLog {
 public:
  // `file` empty: stderr. An error names the file when it cannot be opened for appending.
  static engine::Result<std::unique_ptr<ServerLog>, std::string> open(LogFormat format,
                                                                      std::string file);
  ~ServerLog();  // puts spdlog's previous default logger back

  // Server events; installed as spdlog's default logger while this lives.
  const std::shared_ptr<spdlog::logger>& events() const { return events_; }
  // One line per request (web::ServerOptions::access_log).
  const std::shared_ptr<spdlog::logger>& access() const { return access_; }

  // Opens the file again (logrotate moved it away); "" or the error.
  std::string reopen();

  struct Sink;

 private:
  ServerLog() = default;
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<spdlog::logger> events_;
  std::shared_ptr<spdlog::logger> access_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace investflow::app
