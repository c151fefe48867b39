#pragma once
// How many event streams (GET /api/stream) each user holds open, for the per-user limit
// (serve --max-streams-per-user). A stream takes a lease when it is accepted and keeps it
// until its connection closes (Response::stream_lease); the lease gives the place back
// when the last holder lets go of it.
//
//   UserStreams streams(8);
//   auto lease = streams.open("alice");  // null: alice has 8 open already
//
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace investflow::web {

class UserStreams {
 public:
  static constexpr std::size_t kDefaultLimit = 8;

  // limit: the most streams one user may hold open; 0: no limit.
  explicit UserStreams(std::size_t limit = kDefaultLimit);

  // A lease on one more stream for `user`; null when the user holds `limit` already.
  std::shared_ptr<void> open(const std::string& user);
  std::size_t open_count(const std::string& user) const;
  std::size_t limit() const;
  // How many open() refused, ever (for a metric).
  std::uint64_t refused() const;

 private:
  struct Counts;
  std::shared_ptr<Counts> counts_;
};

}  // namespace investflow::web
