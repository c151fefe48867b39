#include "web/address_slots.hpp"

#include <mutex>
#include <unordered_map>
#include <utility>

namespace investflow::web {

struct AddressSlots::Counts {
  explicit Counts(std::size_t most) : limit(most) {}
  const std::size_t limit;
  std::mutex mutex;
  std::unordered_map<std::string, std::size_t> open;  // GUARDED_BY(mutex); no zero entries
};

AddressSlots::AddressSlots(std::size_t limit) : counts_(std::make_shared<Counts>(limit)) {
}

AddressSlots::Slot AddressSlots::acquire(const std::string& address) {
  std::lock_guard lock(counts_->mutex);
  std::size_t& open = counts_->open[address];
  if (counts_->limit != 0 && open >= counts_->limit) return {};
  ++open;
  return Slot(counts_, address);
}

std::size_t AddressSlots::open(const std::string& address) const {
  std::lock_guard lock(counts_->mutex);
  const auto found = counts_->open.find(address);
  return found == counts_->open.end() ? 0 : found->second;
}

AddressSlots::Slot& AddressSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    counts_ = std::move(other.counts_);
    address_ = std::move(other.address_);
  }
  return *this;
}

AddressSlots::Slot::~Slot() {
  release();
}

void AddressSlots::Slot::release() {
  if (!counts_) return;
  {
    std::lock_guard lock(counts_->mutex);
    const auto found = counts_->open.find(address_);
    if (found != counts_->open.end() && --found->second == 0) counts_->open.erase(found);
  }
  counts_.reset();
}

}  // namespace investflow::web
