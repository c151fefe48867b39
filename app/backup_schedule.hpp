#pragma once
// `serve --backup-dir DIR --backup-every 24h --keep 14`: online backups while the server
// runs. Each is written with SQLite's online backup API (storage::backup_database: one
// snapshot, quick_check), then verified like `investflow verify` (every hash chain, every
// projection replayed, every attached file); a copy that fails is removed and logged. The
// newest `keep` verified copies stay: DIR/<db name>-YYYYMMDD-HHMMSS.db (+08:00) and their
// .files/ directories.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "engine/date.hpp"
#include "engine/result.hpp"

namespace investflow::app {

struct BackupPolicy {
  std::filesystem::path dir;
  std::chrono::seconds every{24 * 3600};
  int keep = 14;
};

// 20260210-093000: a time in the zone's time (+08:00) for file names that sort by time.
std::string file_stamp(engine::Timestamp at);

// "24h", "30m", "90s", "7d" (a whole number and a unit); nullopt when malformed or zero.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// One backup now: written, verified, older ones beyond `keep` removed. The copy's path, or
// why there is none.
engine::Result<std::filesystem::path, std::string> backup_now(const std::filesystem::path& db,
                                                              const BackupPolicy& policy);

// A job run every `every` on its own thread while the server runs (the first run after
// `every`): scheduled backups, signed digests. Each run is logged (what it did, or why it
// failed) and counted for /metrics. With `on_duty` (several servers on one PostgreSQL
// database: the duty lease, pg_lease.hpp), a run comes only while it says true; the others
// are skipped, neither logged nor counted.
class PeriodicJob {
 public:
  // What the run did ("zone-20260210-093000.db written and verified"), or why it failed.
  using Job = std::function<engine::Result<std::string, std::string>()>;
  PeriodicJob(std::string name, std::chrono::seconds every, Job job,
              std::function<bool()> on_duty = {});
  ~PeriodicJob();  // stop()
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start();
  void stop();  // waits for a run in progress

  // For /metrics: runs that succeeded, runs that failed, the last success (Unix seconds, 0).
  std::int64_t written() const;
  std::int64_t failed() const;
  double last_success() const;

 private:
  void run();

  std::string name_;
  std::chrono::seconds every_;
  Job job_;
  std::function<bool()> on_duty_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;     // GUARDED_BY(mutex_)
  std::int64_t written_ = 0;  // GUARDED_BY(mutex_)
  std::int64_t failed_ = 0;   // GUARDED_BY(mutex_)
  double last_success_ = 0;   // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace investflow::app
