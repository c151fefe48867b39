#include "storage/wal_syncer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace investflow::storage {

WalSyncer::WalSyncer(std::filesystem::path wal_file)
    : wal_file_(std::move(wal_file)), thread_([this] { run(); }) {
}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void WalSyncer::after_sync(Delivery delivery) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(delivery));
  }
  wake_.notify_one();
}

void WalSyncer::run() {
  std::vector<Delivery> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;
      // Everything handed over so far was committed before this flush starts.
      while (!pending_.empty()) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    const std::string error = flush();
    for (Delivery& delivery : batch)
      delivery(error);
    batch.clear();
  }
}

std::string WalSyncer::flush() {
  if (fd_ < 0) {
    // The WAL exists from the first commit on and lives as long as the writer's connection
    // (SQLite removes it only when the last connection closes). Any descriptor of the file
    // flushes its data, whichever descriptor wrote it.
    fd_ = ::open(wal_file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return "cannot open " + wal_file_.string() + ": " + std::strerror(errno);
  }
  if (::fdatasync(fd_) != 0)
    return std::string("fdatasync of the WAL failed: ") + std::strerror(errno);
  return {};
}

}  // namespace investflow::storage
