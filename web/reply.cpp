#include "web/reply.hpp"

#include <atomic>

namespace investflow::web {

struct Reply::State {
  State(Sink s, std::shared_ptr<const void> k) : sink(std::move(s)), keep_alive(std::move(k)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (!sent.exchange(true)) sink(std::nullopt);
  }

  Sink sink;
  std::shared_ptr<const void> keep_alive;
  std::atomic<bool> sent{false};
};

Reply::Reply(Sink sink, std::shared_ptr<const void> keep_alive)
    : state_(std::make_shared<State>(std::move(sink), std::move(keep_alive))) {
}

void Reply::operator()(Response response) const {
  if (state_->sent.exchange(true)) return;
  state_->sink(std::move(response));
}

bool Reply::sent() const {
  return state_->sent.load();
}

}  // namespace investflow::web
