#pragma once
// Internal to web/: one HTTP/1.1 connection (the Beast "advanced server" shape). It reads
// one request at a time under the header and body timeouts and limits, hands it to the
// dispatcher, writes the response, then reads the next one (keep-alive; pipelined requests
// wait in the buffer, so pipelining is bounded to one request being handled). All of its
// work runs on its strand.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "web/address_slots.hpp"
#include "web/problem.hpp"
#include "web/reply.hpp"
#include "web/response.hpp"
#include "web/session_stream.hpp"
#include "web/stream_budget.hpp"
#include "web/stream_sink.hpp"

namespace investflow::web {

struct ServerState;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // slot: the connection's place in its address's count (empty: not counted).
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
              AddressSlots::Slot slot = {});
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void run();
  // Graceful shutdown: an idle connection closes now; one with a request arriving or in
  // hand closes after writing its response (the timeouts and the deadline still apply).
  void stop();
  // The shutdown deadline passed: close whatever the connection was doing.
  void force_close();
  // After the I/O threads are joined: forget a reply that will never come.
  void release();

 private:
  // streaming: a streaming response's header is out; its sink sends the body until close.
  enum class Phase { reading, handling, writing, streaming, closed };
  friend class SessionStreamSink;

  bool is_idle() const;
  void on_handshake(boost::beast::error_code error);
  void do_read_header();
  void on_read_header(boost::beast::error_code error, std::size_t bytes);
  // The most the body of the request whose header is read may hold: the server's limit, or
  // its route's own when larger.
  std::uint64_t request_body_limit() const;
  void do_continue();
  void on_continue(boost::beast::error_code error, std::size_t bytes);
  void do_read_body();
  void on_read_body(boost::beast::error_code error, std::size_t bytes);
  void on_read_error(boost::beast::error_code error);
  // A route that spools its body (Route::spool_body): the body goes to a new file in
  // ServerOptions::upload_dir piece by piece, hashed as it goes. False when the file cannot
  // be made (answered already).
  bool wants_spool() const;
  bool start_spool();
  void do_read_spool();
  void on_read_spool(boost::beast::error_code error, std::size_t bytes);
  int write_spool(std::size_t bytes);  // on ServerState::spool_writer; 0 or the errno
  void on_spool_written(int error, bool done);
  void handle_request();
  Reply::Sink make_sink();
  void on_reply(std::optional<Response> response);
  void respond_and_close(const Problem& problem);
  void do_write(Response response);
  // Copies the handler's fields into response_; true when one asks to close.
  bool set_response_fields(const Response& response, boost::beast::http::fields& out);
  // A Response::file: sent from the file as it is written. False when it cannot be opened.
  bool write_file(Response& response, bool close);
  // Streaming responses (server-sent events), all on the strand.
  void start_stream(Response response);
  void queue_stream(std::string bytes);
  void write_stream_front();
  void on_stream_write(boost::beast::error_code error, std::size_t bytes);
  void do_stream_read();
  void arm_keepalive();
  void on_write(bool close, boost::beast::error_code error, std::size_t bytes);
  void record(std::size_t bytes);
  void do_linger();
  void do_close();

  SessionStream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerState> state_;
  AddressSlots::Slot slot_;  // handed to the ClosingConnection that lingers, if one does
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::empty_body> continue_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  boost::beast::http::response<boost::beast::http::file_body> file_response_;
  // The body being spooled to a file, and the parser reading it (taken over from parser_
  // once the header is read).
  struct Spool;
  std::unique_ptr<Spool> spool_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> spool_parser_;
  std::string remote_address_;    // the peer's
  std::string client_address_;    // the exchange's: Request::remote_address
  std::uint64_t body_limit_ = 0;  // of the request being read: the server's or its route's
  // Streaming: bytes waiting to be written (the front one is being written), the producer
  // to start once the header is out, whether the sink still accepts bytes, where client
  // bytes go to be ignored (a read is kept pending to notice the client closing), and the
  // keep-alive timer.
  std::deque<std::string> stream_queue_;
  // The bytes in stream_queue_ after the header, in the server's stream budget.
  StreamBudget::Account stream_account_;
  bool stream_writing_ = false;
  StreamStart stream_start_;
  std::shared_ptr<void> stream_lease_;  // Response::stream_lease, until the stream closes
  std::shared_ptr<std::atomic<bool>> stream_open_;
  std::array<char, 512> stream_drain_{};
  boost::asio::steady_timer keepalive_;
  Phase phase_ = Phase::reading;
  // Held while a handler owns the request, so the session outlives its wait for the reply
  // (the reply itself only holds a weak reference, see make_sink).
  std::shared_ptr<HttpSession> pending_self_;

  // The exchange in progress, for the response, the metrics and the access log.
  std::string request_id_;
  std::shared_ptr<std::string> user_;  // the request's Request::user, for the access log
  std::string method_;
  // The language of the problem details this session writes (language(request)).
  std::string_view language_ = kDefaultLanguage;
  std::string path_;
  std::string route_;
  int status_ = 0;
  bool keep_alive_ = false;
  bool is_head_ = false;
  bool linger_ = false;     // close by draining: the request was not read to its end
  bool in_flight_ = false;  // counted in the in-flight gauge
  std::chrono::steady_clock::time_point started_;
};

}  // namespace investflow::web
