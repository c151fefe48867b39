#include "web/access_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>

namespace investflow::web {
namespace {

bool is_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._-/{}:").find(c) != std::string_view::npos;
}

// As is when plain, else quoted with quotes, backslashes and control characters escaped:
// a path a client chose cannot forge a second log line or field.
std::string quoted(std::string_view value) {
  if (!value.empty() && std::all_of(value.begin(), value.end(), is_plain)) {
    return std::string(value);
  }
  std::string out = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string format_access_line(const AccessRecord& record) {
  const double milliseconds = std::chrono::duration<double, std::milli>(record.duration).count();
  std::string line = fmt::format(
      "method={} route={} path={} status={} bytes={} duration_ms={:.3f} request_id={} remote={}",
      quoted(record.method), quoted(record.route), quoted(record.path), record.status, record.bytes,
      milliseconds, quoted(record.request_id), quoted(record.remote_address));
  if (!record.user.empty()) line += " user=" + quoted(record.user);
  return line;
}

std::string format_access_json(const AccessRecord& record) {
  const double milliseconds = std::chrono::duration<double, std::milli>(record.duration).count();
  const auto text = [](std::string_view value) {
    return boost::json::serialize(boost::json::string_view(value));
  };
  return fmt::format(
      "\"method\":{},\"route\":{},\"path\":{},\"status\":{},\"bytes\":{},\"latency_ms\":{:.3f},"
      "\"request_id\":{},\"remote\":{},\"user\":{}",
      text(record.method), text(record.route), text(record.path), record.status, record.bytes,
      milliseconds, text(record.request_id), text(record.remote_address),
      record.user.empty() ? std::string("null") : text(record.user));
}

void log_access(spdlog::logger& logger, const AccessRecord& record, bool json) {
  logger.info(json ? format_access_json(record) : format_access_line(record));
}

}  // namespace investflow::web
