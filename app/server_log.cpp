#include "app/server_log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "engine/date.hpp"

namespace investflow::app {
namespace {

// RFC 3339 in the zone's offset, level, logger; the message as is (text) or as a JSON
// member: "msg":"..." for events, the access log's own members (web/access_log.hpp).
class ZoneFormatter final : public spdlog::formatter {
 public:
  explicit ZoneFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    const std::string time = engine::format_timestamp(millis.count());
    const auto level_name = spdlog::level::to_string_view(msg.level);
    const std::string_view level(level_name.data(), level_name.size());
    const std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string line;
    if (format_ == LogFormat::text) {
      line = time + " " + std::string(level) + " " + std::string(logger) + " " +
             std::string(payload) + "\n";
    } else {
      line = "{\"time\":\"" + time + "\",\"level\":\"" + std::string(level) +
             "\",\"logger\":" + boost::json::serialize(boost::json::string_view(logger)) + ",";
      if (logger == "access") {
        line += std::string(payload);
      } else {
        line += "\"msg\":" + boost::json::serialize(boost::json::string_view(payload));
      }
      line += "}\n";
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<ZoneFormatter>(format_);
  }

 private:
  LogFormat format_;
};

}  // namespace

// Lines to stderr or to a file opened for appending, reopened on request.
struct ServerLog::Sink final : spdlog::sinks::base_sink<std::mutex> {
  std::string path;  // "": stderr
  std::FILE* file = nullptr;

  ~Sink() override {
    if (file != nullptr) std::fclose(file);
  }

  std::string open_file() {
    std::FILE* opened = std::fopen(path.c_str(), "a");
    if (opened == nullptr) return path + ": " + std::strerror(errno);
    std::lock_guard lock(mutex_);
    if (file != nullptr) std::fclose(file);
    file = opened;
    return "";
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::FILE* out = file != nullptr ? file : stderr;
    std::fwrite(line.data(), 1, line.size(), out);
    std::fflush(out);
  }
  void flush_() override { std::fflush(file != nullptr ? file : stderr); }
};

engine::Result<std::unique_ptr<ServerLog>, std::string> ServerLog::open(LogFormat format,
                                                                        std::string file) {
  std::unique_ptr<ServerLog> log(new ServerLog());
  log->sink_ = std::make_shared<Sink>();
  log->sink_->path = std::move(file);
  if (!log->sink_->path.empty()) {
    if (std::string error = log->sink_->open_file(); !error.empty()) return engine::fail(error);
  }
  log->sink_->set_formatter(std::make_unique<ZoneFormatter>(format));
  log->events_ = std::make_shared<spdlog::logger>("investflow", log->sink_);
  log->access_ = std::make_shared<spdlog::logger>("access", log->sink_);
  log->previous_ = spdlog::default_logger();
  spdlog::set_default_logger(log->events_);
  return log;
}

ServerLog::~ServerLog() {
  if (previous_) spdlog::set_default_logger(previous_);
}

std::string ServerLog::reopen() {
  if (sink_->path.empty()) return "";
  return sink_->open_file();
}

}  // namespace investflow::app
