#pragma once
// Request ids: a random per-process prefix and a counter, e.g. "3f9a0c12-000000000000002a".
// Unique across restarts in practice, cheap, and sortable within one process.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace investflow::web {

class RequestIds {
 public:
  RequestIds();
  std::string next();

 private:
  std::uint32_t prefix_;
  std::atomic<std::uint64_t> counter_{0};
};

// A client- or proxy-supplied X-Request-Id is kept when it is 1..64 characters of
// [A-Za-z0-9._-], so it is safe to log and to echo.
bool is_acceptable_request_id(std::string_view id);

}  // namespace investflow::web
