#pragma once
// A lease that one process at a time holds on a PostgreSQL database: a session-level
// advisory lock on a connection of its own. Several `investflow serve` processes on one
// database run the deadline scheduler and the notification dispatcher only while they
// hold the duty lease (pg_schema.hpp kPgDutyLease), so one of them does that work.
//
// A background thread tries to take the lock when it is free and, while it is held, checks
// every `check` that its connection is alive. When the holder dies, PostgreSQL ends its
// session and the lock with it, and another server takes it at its next check: within
// seconds. A holder that loses its connection (PostgreSQL restarted, the network) stops
// saying held() at its next check; until then two servers may both run the duties, which
// is safe (alerts are fired once by the engine, outbox rows and deliveries are claimed).
//
//   PgLease lease(uri, kPgDutyLease);
//   lease.start();
//   if (lease.held()) ...

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace investflow::storage {

class PgLease {
 public:
  // Told (on the lease's thread) when the lease is taken (true) or lost (false, with why).
  using Change = std::function<void(bool held, const std::string& why)>;

  PgLease(std::string uri, std::int64_t key,
          std::chrono::milliseconds check = std::chrono::seconds(1), Change on_change = {});
  ~PgLease();  // stop()
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;

  void start();  // takes the lease now when it is free, then checks every `check`
  void stop();   // gives it up (closes the connection)

  bool held() const { return held_.load(); }
  // How often this process has taken the lease (for /metrics and tests).
  std::int64_t times_taken() const { return taken_.load(); }

 private:
  void run();

  const std::string uri_;
  const std::int64_t key_;
  const std::chrono::milliseconds check_;
  const Change on_change_;
  std::atomic<bool> held_{false};
  std::atomic<std::int64_t> taken_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace investflow::storage
