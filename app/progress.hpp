#pragma once
// A progress bar on stderr for long commands (seed, import, export, verify, backup):
//   seeding [###########.........] 55%  55000/100000  4210/s  ETA 0:11
// Drawn only when stderr is a terminal (Io::err_is_terminal); silent otherwise, so logs and
// pipes stay clean. With an unknown total it shows the count and the rate.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

class Progress {
 public:
  Progress(Io& io, std::string label);
  ~Progress();  // finishes the line if it was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // total 0: unknown. Cheap to call often: redraws at most ten times a second.
  void update(std::int64_t done, std::int64_t total);
  // Draws the final state and ends the line.
  void finish();

  // For storage::ProgressFn parameters.
  std::function<void(std::int64_t, std::int64_t)> callback() {
    return [this](std::int64_t done, std::int64_t total) { update(done, total); };
  }

  // The text of one frame; public for tests.
  static std::string render(const std::string& label, std::int64_t done, std::int64_t total,
                            double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool final);

  Io& io_;
  const std::string label_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  std::mutex mutex_;
  std::int64_t done_ = 0;   // GUARDED_BY(mutex_)
  std::int64_t total_ = 0;  // GUARDED_BY(mutex_)
  bool drawn_ = false;      // GUARDED_BY(mutex_)
  bool finished_ = false;   // GUARDED_BY(mutex_)
};

}  // namespace investflow::app
