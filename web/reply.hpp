#pragma once
// The completion of an asynchronous handler: call it once, from any thread, with the
// response. The request and route parameters the handler received stay valid for as long as
// a copy of the Reply exists. If every copy is destroyed without a call (a lost callback),
// the client gets a 500 rather than a hung connection.

#include <functional>
#include <memory>
#include <optional>

#include "web/response.hpp"

namespace investflow::web {

class Reply {
 public:
  // Receives the response, or nullopt when the reply was dropped unsent. Called at most
  // once, on whichever thread answers; must not throw.
  using Sink = std::function<void(std::optional<Response>)>;

  // keep_alive: what the handler's references point into (the request, the parameters).
  Reply(Sink sink, std::shared_ptr<const void> keep_alive);

  // Only the first call counts; later ones are ignored.
  void operator()(Response response) const;
  bool sent() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace investflow::web
