#include "app/progress.hpp"

#include <algorithm>
#include <cstdio>

namespace investflow::app {
namespace {

std::string minutes_seconds(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld", whole / 60, whole % 60);
  return text;
}

}  // namespace

Progress::Progress(Io& io, std::string label) : io_(io), label_(std::move(label)) {
}

Progress::~Progress() {
  finish();
}

std::string Progress::render(const std::string& label, std::int64_t done, std::int64_t total,
                             double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.0f/s", rate);
  std::string line = label + " ";
  if (total > 0) {
    constexpr int kWidth = 24;
    const double fraction =
        std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    const int filled = static_cast<int>(fraction * kWidth);
    line += "[" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(fraction * 100));
    line += percent;
    line += "  " + std::to_string(done) + "/" + std::to_string(total) + "  " + rate_text;
    if (rate > 0 && done < total) {
      line += "  ETA " + minutes_seconds(static_cast<double>(total - done) / rate);
    }
  } else {
    line += std::to_string(done) + "  " + rate_text;
  }
  return line;
}

void Progress::update(std::int64_t done, std::int64_t total) {
  if (!io_.err_is_terminal) return;
  std::lock_guard lock(mutex_);
  done_ = done;
  total_ = total;
  const auto now = Clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (!io_.err_is_terminal) return;
  std::lock_guard lock(mutex_);
  if (finished_ || !drawn_) return;
  finished_ = true;
  draw(true);
}

void Progress::draw(bool final) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  // \r returns to the line start, \x1b[K clears what a longer frame left behind.
  io_.err << '\r' << render(label_, done_, total_, seconds) << "\x1b[K";
  if (final) io_.err << '\n';
  io_.err.flush();
  drawn_ = true;
}

}  // namespace investflow::app
