#pragma once
// Internal to web/: open connections counted per peer address, for the per-address cap
// (ServerOptions::max_connections_per_address). The listener takes a slot for each
// connection it accepts; the slot travels with the socket (the session, then the closing
// connection that drains it) and gives itself back when destroyed, whichever way the
// connection ends.
//
//   AddressSlots slots(64);
//   AddressSlots::Slot slot = slots.acquire("198.51.100.7");
//   if (!slot) refuse();  // 64 already open from there

#include <cstddef>
#include <memory>
#include <string>

namespace investflow::web {

class AddressSlots {
  struct Counts;

 public:
  // One connection's place in the count; empty when refused (or moved from).
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    explicit operator bool() const { return counts_ != nullptr; }

   private:
    friend class AddressSlots;
    Slot(std::shared_ptr<Counts> counts, std::string address)
        : counts_(std::move(counts)), address_(std::move(address)) {}
    void release();

    std::shared_ptr<Counts> counts_;
    std::string address_;
  };

  // limit: the most connections one address may hold open; 0: no limit.
  explicit AddressSlots(std::size_t limit);

  // A slot for one more connection from `address`, or an empty one when `address` already
  // holds `limit`. Thread-safe.
  Slot acquire(const std::string& address);
  // How many connections `address` holds open now.
  std::size_t open(const std::string& address) const;

 private:
  std::shared_ptr<Counts> counts_;
};

}  // namespace investflow::web
