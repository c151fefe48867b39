#pragma once
// The producer's end of a streaming response (server-sent events). A handler that answers
// with Response::stream gets a StreamSink once the response header is on its way; it may
// keep the sink and send from any thread until send() returns false (the client went away,
// the server is stopping, or a write timed out). Sends are queued in order on the
// connection's strand; a sink never blocks.

#include <functional>
#include <memory>
#include <string>

namespace investflow::web {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client; false when the stream is closed (stop producing).
  virtual bool send(std::string bytes) = 0;
  virtual bool is_open() const = 0;
};

// Called once, on the connection's strand, when the stream starts; must return quickly.
using StreamStart = std::function<void(std::shared_ptr<StreamSink>)>;

}  // namespace investflow::web
