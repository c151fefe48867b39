#pragma once
// One structured line per answered request, in logfmt so that both people and log
// shippers read it (values with anything but [A-Za-z0-9._-/{}:] are quoted):
//   method=GET route=/api/projects/{id} path=/api/projects/42 status=200 bytes=812
//   duration_ms=1.204 request_id=3f9a0c12-000000000000002a remote=127.0.0.1 user=zhang
// (user= only when the request authenticated).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace investflow::web {

struct AccessRecord {
  std::string_view method;
  std::string_view route;
  std::string_view path;
  int status = 0;
  std::size_t bytes = 0;  // bytes written, header included
  std::chrono::nanoseconds duration{};
  std::string_view request_id;
  std::string_view remote_address;
  std::string_view user;  // who authenticated; empty: nobody (or not an API route)
};

std::string format_access_line(const AccessRecord& record);
// The same as JSON object members without the braces ("method":"GET","route":...,
// "latency_ms":1.204,...); the log's formatter adds the time and level around them.
std::string format_access_json(const AccessRecord& record);
void log_access(spdlog::logger& logger, const AccessRecord& record, bool json = false);

}  // namespace investflow::web
