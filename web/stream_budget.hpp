#pragma once
// One memory budget for every streaming response (server-sent events): the bytes queued
// for clients that read slower than events arrive. Each open stream may hold its fair
// share, the budget divided by the streams open (never less than kMinimumShare, so one
// catch-up batch of events always fits), and all of them together no more than the budget.
// A stream that would go past either is closed instead of queuing more; its client
// reconnects with Last-Event-ID and is sent what it missed, so a slow reader loses nothing
// and a thousand stalled ones cannot take the server's memory.
//
//   StreamBudget budget(64 * 1024 * 1024);
//   StreamBudget::Account account = budget.open();   // one per stream
//   if (!account.reserve(bytes.size())) close();      // queue the bytes otherwise
//   account.release(written);                         // as writes complete
//
// Thread-safe; an account is used from one thread (its connection's strand) at a time.

#include <atomic>
#include <cstddef>
#include <memory>

namespace investflow::web {

class StreamBudget {
  struct Shared;

 public:
  // A stream may always hold this much, however many are open (unless the budget is
  // smaller); the event feed sends a catch-up batch of up to 500 events at once.
  static constexpr std::size_t kMinimumShare = 256 * 1024;

  // One stream's queued bytes. Gives them back, and leaves the count of open streams,
  // when destroyed.
  class Account {
   public:
    Account() = default;
    Account(Account&&) noexcept = default;
    Account& operator=(Account&& other) noexcept;
    Account(const Account&) = delete;
    Account& operator=(const Account&) = delete;
    ~Account();

    // Takes `bytes` more for this stream; false (nothing taken) when the stream would hold
    // more than its fair share or the streams together more than the budget.
    bool reserve(std::size_t bytes);
    // Gives back bytes written (at most what this stream holds).
    void release(std::size_t bytes);
    std::size_t queued() const { return queued_; }
    explicit operator bool() const { return shared_ != nullptr; }

   private:
    friend class StreamBudget;
    explicit Account(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
    void close();

    std::shared_ptr<Shared> shared_;
    std::size_t queued_ = 0;
  };

  explicit StreamBudget(std::size_t budget);

  Account open();

  std::size_t budget() const;
  std::size_t used() const;     // bytes queued by every stream together
  std::size_t streams() const;  // accounts open
  // What one stream may hold now.
  std::size_t fair_share() const;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace investflow::web
