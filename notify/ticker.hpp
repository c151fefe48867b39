#pragma once
// A background thread that runs a pass at start() and then once every `tick` until stop():
// the loop of the deadline scheduler and of the calendar watch.
//
//   Ticker ticker(std::chrono::seconds(30), [this] { run_once(); });
//   ticker.start();
//   ...
//   ticker.stop();  // waits for a pass in progress; long passes check stopping()

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace investflow::notify {

class Ticker {
 public:
  Ticker(std::chrono::milliseconds tick, std::function<void()> pass);
  ~Ticker();  // stop()
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void start();  // once; a stopped ticker does not start again
  void stop();
  bool stopping() const;

 private:
  const std::chrono::milliseconds tick_;
  const std::function<void()> pass_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace investflow::notify
