#pragma once
// Durable acknowledgements without stalling the writer. With synchronous=FULL, SQLite
// would fsync the WAL inside every COMMIT, and the writer thread could not decide the next
// batch while the disk flushes. Instead the writer commits with synchronous=NORMAL (the
// commit's frames are written to the WAL but not flushed) and hands the batch's
// acknowledgements here; this thread fdatasyncs the WAL file and only then delivers them.
// One flush covers every batch committed before it started, so flushes and decisions
// overlap. An acknowledged command is on disk exactly as with synchronous=FULL; what
// differs is that readers may see a commit a moment before it is durable.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace investflow::storage {

class WalSyncer {
 public:
  // Called once the commits before it are durable; `error` is empty, or why they may not be.
  using Delivery = std::function<void(const std::string& error)>;

  explicit WalSyncer(std::filesystem::path wal_file);
  // Flushes and delivers everything handed over so far, then stops.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Hand over after COMMIT has returned.
  void after_sync(Delivery delivery);

 private:
  void run();
  std::string flush();  // "" on success

  const std::filesystem::path wal_file_;
  int fd_ = -1;  // used by the syncer thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Delivery> pending_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::thread thread_;            // started last
};

}  // namespace investflow::storage
