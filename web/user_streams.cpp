#include "web/user_streams.hpp"

#include <mutex>
#include <unordered_map>

namespace investflow::web {

struct UserStreams::Counts {
  explicit Counts(std::size_t most) : limit(most) {}
  const std::size_t limit;
  std::mutex mutex;
  std::unordered_map<std::string, std::size_t> open;  // GUARDED_BY(mutex); no zero entries
  std::uint64_t refused = 0;                          // GUARDED_BY(mutex)
};

UserStreams::UserStreams(std::size_t limit) : counts_(std::make_shared<Counts>(limit)) {
}

std::shared_ptr<void> UserStreams::open(const std::string& user) {
  {
    std::lock_guard lock(counts_->mutex);
    const auto found = counts_->open.find(user);
    const std::size_t held = found == counts_->open.end() ? 0 : found->second;
    if (counts_->limit != 0 && held >= counts_->limit) {
      ++counts_->refused;
      return nullptr;
    }
    ++counts_->open[user];
  }
  // The lease: not null (it points at the counts), and a deleter that gives the place back.
  return std::shared_ptr<void>(counts_.get(), [counts = counts_, user](void*) {
    std::lock_guard lock(counts->mutex);
    const auto found = counts->open.find(user);
    if (found != counts->open.end() && --found->second == 0) counts->open.erase(found);
  });
}

std::size_t UserStreams::open_count(const std::string& user) const {
  std::lock_guard lock(counts_->mutex);
  const auto found = counts_->open.find(user);
  return found == counts_->open.end() ? 0 : found->second;
}

std::size_t UserStreams::limit() const {
  return counts_->limit;
}

}  // namespace investflow::web

namespace investflow::web {

std::uint64_t UserStreams::refused() const {
  std::lock_guard lock(counts_->mutex);
  return counts_->refused;
}

}  // namespace investflow::web
