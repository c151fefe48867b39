#include "web/http_session.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <vector>

#include "storage/attachment_files.hpp"
#include "storage/auth.hpp"

#include "web/access_log.hpp"
#include "web/closing_connection.hpp"
#include "web/dispatcher.hpp"
#include "web/request_id.hpp"
#include "web/security_headers.hpp"
#include "web/server_state.hpp"

namespace investflow::web {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// RFC 9110 section 5.6.7 IMF-fixdate, independent of the C locale.
std::string http_date(std::time_t now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

bool has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

bool is_safe_field(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Fields the session owns: framing and connection management.
bool is_framing_field(std::string_view name) {
  return equals_ignoring_case(name, "Content-Length") ||
         equals_ignoring_case(name, "Transfer-Encoding") ||
         equals_ignoring_case(name, "Connection");
}

bool is_parse_error(beast::error_code error) {
  return error.category() == beast::http::make_error_code(http::error::bad_target).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message;
}

}  // namespace

struct HttpSession::Spool {
  std::filesystem::path path;
  int fd = -1;
  std::uint64_t size = 0;
  storage::Sha256Stream hash;
  std::vector<char> buffer = std::vector<char>(64 * 1024);
  bool handed_over = false;  // to the request (SpooledBody), which removes it in turn

  Spool() = default;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool() {
    if (fd >= 0) ::close(fd);
    if (handed_over || path.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

// A streaming response's sink: queues bytes on the session's strand while the stream is
// open. Holds the session weakly, like a Reply's sink, and shuts with the reply gate. It
// holds the server's state weakly too: a feed keeps its subscribers' sinks, and the state
// holds the router, whose routes hold the feed's owner (web/api.hpp); held strongly, the
// feed's thread would keep the server, and itself, alive past the store it reads.
class SessionStreamSink : public StreamSink {
 public:
  SessionStreamSink(std::weak_ptr<HttpSession> session, std::shared_ptr<std::atomic<bool>> open,
                    std::weak_ptr<ServerState> state)
      : session_(std::move(session)), open_(std::move(open)), state_(std::move(state)) {}

  bool send(std::string bytes) override {
    if (!open_->load()) return false;
    const auto state = state_.lock();
    if (!state) return false;
    std::lock_guard lock(state->reply_gate);
    if (!state->replies_open) return false;
    auto self = session_.lock();
    if (!self) return false;
    auto executor = self->stream_.get_executor();
    net::post(executor, [self = std::move(self), bytes = std::move(bytes)]() mutable {
      self->queue_stream(std::move(bytes));
    });
    return true;
  }

  bool is_open() const override { return open_->load() && !session_.expired(); }

 private:
  std::weak_ptr<HttpSession> session_;
  std::shared_ptr<std::atomic<bool>> open_;
  std::weak_ptr<ServerState> state_;
};

HttpSession::HttpSession(net::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
                         AddressSlots::Slot slot)
    : stream_(std::move(socket), state->tls_context()),
      state_(std::move(state)),
      slot_(std::move(slot)),
      keepalive_(stream_.get_executor()) {
  beast::error_code ignored;
  const auto peer = stream_.tcp().socket().remote_endpoint(ignored);
  if (!ignored) remote_address_ = peer.address().to_string();
  state_->metrics.connection_opened();
}

HttpSession::~HttpSession() {
  if (stream_open_) *stream_open_ = false;
  if (in_flight_) state_->metrics.request_finished();
  state_->metrics.connection_closed();
  state_->sessions.remove(this);
}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->stream_.is_tls()) return self->do_read_header();
    // The handshake is held to the header timeout: a client that opens a connection and
    // says nothing is cut off the same way with TLS as without.
    self->stream_.tcp().expires_after(self->state_->options.header_timeout);
    self->stream_.async_handshake(
        beast::bind_front_handler(&HttpSession::on_handshake, self->shared_from_this()));
  });
}

void HttpSession::on_handshake(beast::error_code error) {
  if (!error) return do_read_header();
  // Plain HTTP to the TLS port, an unknown certificate authority, a scanner: nothing to
  // answer; counted, and logged for whoever is debugging a client.
  state_->metrics.tls_handshake_failed();
  state_->log->debug("TLS handshake with {} failed: {}", remote_address_, error.message());
  do_close();
}

void HttpSession::stop() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    // A request that has started to arrive is read, answered, and then the connection
    // closes (state_->stopping); a connection waiting for its next request closes now.
    if (self->is_idle() || self->phase_ == Phase::streaming) self->do_close();
  });
}

void HttpSession::force_close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->pending_self_.reset();
    self->do_close();
  });
}

bool HttpSession::is_idle() const {
  const bool header_started =
      buffer_.size() > 0 || (parser_ && parser_->is_header_done()) || spool_parser_.has_value();
  return phase_ == Phase::reading && !header_started;
}

void HttpSession::release() {
  pending_self_.reset();
}

void HttpSession::do_read_header() {
  if (state_->stopping) return do_close();
  const auto& options = state_->options;
  phase_ = Phase::reading;
  spool_parser_.reset();
  spool_.reset();
  parser_.emplace();
  parser_->header_limit(options.header_limit);
  body_limit_ = options.body_limit;
  // The parser refuses a declared Content-Length over its limit while reading the header,
  // before the route is known: it gets the largest any route allows, and on_read_header
  // holds each request to its own route's.
  parser_->body_limit(std::max(body_limit_, state_->router.largest_body_limit()));
  stream_.tcp().expires_after(options.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
}

std::uint64_t HttpSession::request_body_limit() const {
  // A route that takes files (an import) may allow a larger body than the server's limit.
  const auto& header = parser_->get();
  const std::string_view target = header.target();
  const std::uint64_t route_limit = state_->router.body_limit(
      header.method_string(), target.substr(0, std::min(target.find('?'), target.size())));
  return std::max(state_->options.body_limit, route_limit);
}

void HttpSession::on_read_header(beast::error_code error, std::size_t /*bytes*/) {
  if (error) return on_read_error(error);
  started_ = std::chrono::steady_clock::now();
  if (parser_->is_done()) return handle_request();
  body_limit_ = request_body_limit();
  parser_->body_limit(body_limit_);
  if (const auto length = parser_->content_length(); length && *length > body_limit_) {
    return on_read_error(http::error::body_limit);
  }
  const bool expects_continue =
      equals_ignoring_case(parser_->get()[http::field::expect], "100-continue");
  if (wants_spool() && !start_spool()) return;
  if (expects_continue) return do_continue();
  do_read_body();
}

bool HttpSession::wants_spool() const {
  if (state_->options.upload_dir.empty()) return false;
  const auto& header = parser_->get();
  const std::string_view target = header.target();
  const Route* route = state_->router.find(
      header.method_string(), target.substr(0, std::min(target.find('?'), target.size())));
  return route != nullptr && route->spool_body;
}

bool HttpSession::start_spool() {
  auto spool = std::make_unique<Spool>();
  spool->path = std::filesystem::path(state_->options.upload_dir) /
                ("upload-" + storage::random_secret().substr(0, 32) + ".part");
  spool->fd = ::open(spool->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (spool->fd < 0) {
    const int error = errno;
    spool->path.clear();
    state_->log->error("cannot create an upload file in {}: {}", state_->options.upload_dir,
                       std::strerror(error));
    respond_and_close(service_unavailable(
        {"服务器暂时无法保存上传的文件", "The server cannot store uploads right now."}));
    return false;
  }
  spool_parser_.emplace(std::move(*parser_));
  spool_parser_->body_limit(body_limit_);
  parser_.reset();
  spool_ = std::move(spool);
  return true;
}

void HttpSession::do_read_spool() {
  auto& body = spool_parser_->get().body();
  body.data = spool_->buffer.data();
  body.size = spool_->buffer.size();
  body.more = true;
  // Per piece: a large file may take longer than body_timeout, but may not stall that long.
  stream_.tcp().expires_after(state_->options.body_timeout);
  http::async_read(stream_, buffer_, *spool_parser_,
                   beast::bind_front_handler(&HttpSession::on_read_spool, shared_from_this()));
}

void HttpSession::on_read_spool(beast::error_code error, std::size_t /*bytes*/) {
  if (error == http::error::need_buffer) error = {};
  if (error) {
    spool_.reset();  // an upload cut short leaves nothing behind
    return on_read_error(error);
  }
  const std::size_t got = spool_->buffer.size() - spool_parser_->get().body().size;
  const bool done = spool_parser_->is_done();
  if (got == 0) return done ? handle_request() : do_read_spool();
  // Hashing and writing happen off the I/O thread; no read is pending meanwhile, so the
  // writer has the spool to itself until it posts back.
  net::post(*state_->spool_writer, [self = shared_from_this(), got, done] {
    const int failure = self->write_spool(got);
    auto executor = self->stream_.get_executor();
    net::post(executor,
              [self = std::move(self), failure, done] { self->on_spool_written(failure, done); });
  });
}

void HttpSession::on_spool_written(int error, bool done) {
  if (phase_ != Phase::reading || !spool_) {  // closed meanwhile (shutdown deadline)
    spool_.reset();
    return;
  }
  if (error != 0) {
    // A full disk is 507 (and /readyz says so), like a database write that found no room.
    const std::string what =
        "writing the upload " + spool_->path.string() + " failed: " + std::strerror(error);
    spool_.reset();
    return respond_and_close(
        reported_storage_problem(*state_->log, storage::errno_fault(error), what, request_id_));
  }
  if (done) return handle_request();
  do_read_spool();
}

int HttpSession::write_spool(std::size_t bytes) {
  const char* data = spool_->buffer.data();
  spool_->hash.update(data, bytes);
  spool_->size += bytes;
  while (bytes > 0) {
    const ssize_t written = ::write(spool_->fd, data, bytes);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return errno;
    if (written == 0) return ENOSPC;  // a regular file takes no bytes only when it has no room
    data += written;
    bytes -= static_cast<std::size_t>(written);
  }
  return 0;
}

void HttpSession::do_continue() {
  continue_ = {http::status::continue_, 11};
  stream_.tcp().expires_after(state_->options.write_timeout);
  http::async_write(stream_, continue_,
                    beast::bind_front_handler(&HttpSession::on_continue, shared_from_this()));
}

void HttpSession::on_continue(beast::error_code error, std::size_t /*bytes*/) {
  if (error) return do_close();
  do_read_body();
}

void HttpSession::do_read_body() {
  if (spool_) return do_read_spool();
  stream_.tcp().expires_after(state_->options.body_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code error, std::size_t /*bytes*/) {
  if (error) return on_read_error(error);
  handle_request();
}

void HttpSession::on_read_error(beast::error_code error) {
  const auto& options = state_->options;
  if (error == http::error::header_limit) {
    const std::string limit = std::to_string(options.header_limit);
    return respond_and_close(
        payload_too_large({"请求头超过 " + limit + " 字节的上限",
                           "The request header is larger than " + limit + " bytes."}));
  }
  if (error == http::error::body_limit) {
    // Refused with the header: whose limit (a spooled body keeps the limit it was read to).
    if (parser_) body_limit_ = request_body_limit();
    const std::string limit = std::to_string(body_limit_);
    return respond_and_close(
        payload_too_large({"请求体超过 " + limit + " 字节的上限",
                           "The request body is larger than " + limit + " bytes."}));
  }
  if (is_parse_error(error)) {
    return respond_and_close(bad_request({"HTTP 请求格式有误：" + error.message(),
                                          "Malformed HTTP request: " + error.message() + "."},
                                         {}, "malformed_request"));
  }
  // End of stream, a timeout (a slow client), a reset, or our own close: nothing to answer.
  do_close();
}

void HttpSession::handle_request() {
  auto request = std::make_shared<Request>();
  const auto take_header = [&](auto& message) {
    request->method = std::string(message.method_string());
    request->target = std::string(message.target());
    for (const auto& field : message) {
      request->headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    const auto offered_id = message["X-Request-Id"];
    request->request_id =
        is_acceptable_request_id(offered_id) ? std::string(offered_id) : state_->request_ids.next();
    keep_alive_ = message.keep_alive();
  };
  if (spool_parser_) {
    take_header(spool_parser_->get());
    ::close(spool_->fd);
    spool_->fd = -1;
    request->spooled =
        std::make_shared<SpooledBody>(spool_->path, spool_->size, spool_->hash.hex_digest());
    spool_->handed_over = true;
    spool_.reset();
  } else {
    take_header(parser_->get());
    request->body = std::move(parser_->get().body());
  }
  std::string forwarded_for;
  for (const auto& [name, value] : request->headers) {
    if (!equals_ignoring_case(name, "X-Forwarded-For")) continue;
    forwarded_for += (forwarded_for.empty() ? "" : ",") + value;
  }
  const TrustedProxies& proxies = state_->options.trusted_proxies;
  request->remote_address =
      proxies.client_address(remote_address_, request->headers.contains("X-Forwarded-For")
                                                  ? std::optional<std::string_view>(forwarded_for)
                                                  : std::nullopt);
  request->https = stream_.is_tls() ||
                   proxies.forwarded_https(remote_address_, request->header("X-Forwarded-Proto"));
  client_address_ = request->remote_address;
  language_ = language(*request);

  request_id_ = request->request_id;
  user_ = request->user;
  method_ = request->method;
  is_head_ = request->method == "HEAD";
  linger_ = false;
  route_ = "none";
  path_.clear();

  auto target = parse_request_target(request->target);
  if (!target) {
    return do_write(to_response(
        bad_request({"请求地址无效：" + target.error(), target.error()}, {}, "invalid_target"),
        language_));
  }
  request->path = std::move(target->path);
  request->query = std::move(target->query);
  path_ = request->path;

  phase_ = Phase::handling;
  stream_.tcp().expires_never();
  in_flight_ = true;
  state_->metrics.request_started();
  pending_self_ = shared_from_this();
  route_ = dispatch(state_, std::move(request), make_sink());
}

Reply::Sink HttpSession::make_sink() {
  // Weak: a reply held by someone else (the storage queue) must not keep a connection,
  // and with it the io_context's objects, alive after the server is gone.
  // Nor may it hold the strand: that belongs to the io_context too.
  return [weak = weak_from_this(), state = state_](std::optional<Response> response) {
    std::lock_guard lock(state->reply_gate);
    if (!state->replies_open) return;
    if (auto self = weak.lock()) {
      // Safe off the strand: a Reply calls its sink once, while the session waits for it.
      auto executor = self->stream_.get_executor();
      net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->on_reply(std::move(response));
      });
    }
  };
}

void HttpSession::on_reply(std::optional<Response> response) {
  pending_self_.reset();
  if (phase_ != Phase::handling) return;  // closed at the shutdown deadline meanwhile
  if (!response) {
    state_->log->error("request_id={} route={} handler dropped its reply", request_id_, route_);
    response = to_response(internal_error(request_id_), language_);
  } else if (response->status < 100 || response->status > 599) {
    state_->log->error("request_id={} route={} handler returned status {}", request_id_, route_,
                       response->status);
    response = to_response(internal_error(request_id_), language_);
  }
  do_write(std::move(*response));
}

void HttpSession::respond_and_close(const Problem& problem) {
  // The header may have been parsed (a body over the limit): log what it asked for.
  // Its fields are read before a declared length is refused: answer in its language.
  if (parser_) language_ = language(parser_->get()["Accept-Language"]);
  if (parser_ && parser_->is_header_done()) {
    method_ = std::string(parser_->get().method_string());
  } else if (spool_parser_) {
    method_ = std::string(spool_parser_->get().method_string());
    language_ = language(spool_parser_->get()["Accept-Language"]);
  } else {
    method_.clear();
  }
  request_id_ = state_->request_ids.next();
  client_address_ = remote_address_;
  user_.reset();
  started_ = std::chrono::steady_clock::now();
  route_ = "none";
  path_.clear();
  keep_alive_ = false;
  is_head_ = false;
  linger_ = true;
  do_write(to_response(problem, language_));
}

void HttpSession::do_write(Response response) {
  add_security_headers(response, stream_.is_tls());
  response.headers.set("X-Request-Id", request_id_);
  if (response.stream && response.status == 200 && !is_head_ && !state_->stopping) {
    return start_stream(std::move(response));
  }
  bool close = !keep_alive_ || linger_ || state_->stopping;
  if (!response.file.empty() && has_body(response.status) && write_file(response, close)) return;

  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  if (set_response_fields(response, response_)) close = true;
  response_.set(http::field::date, http_date(std::time(nullptr)));
  response_.keep_alive(!close);
  if (has_body(response.status)) {
    if (is_head_) {
      response_.content_length(response.body.size());
    } else {
      response_.body() = std::move(response.body);
      response_.prepare_payload();
    }
  }
  status_ = response.status;
  phase_ = Phase::writing;
  stream_.tcp().expires_after(state_->options.write_timeout);
  http::async_write(stream_, response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
}

bool HttpSession::write_file(Response& response, bool close) {
  http::file_body::value_type body;
  beast::error_code error;
  body.open(response.file.c_str(), beast::file_mode::scan, error);
  if (error) {
    state_->log->error("request_id={} route={} cannot open {}: {}", request_id_, route_,
                       response.file, error.message());
    response = to_response(internal_error(request_id_), language_);
    add_security_headers(response, stream_.is_tls());
    response.headers.set("X-Request-Id", request_id_);
    return false;
  }
  const std::uint64_t size = body.size();
  file_response_ = {};
  file_response_.version(11);
  file_response_.result(static_cast<unsigned>(response.status));
  if (set_response_fields(response, file_response_)) close = true;
  file_response_.set(http::field::date, http_date(std::time(nullptr)));
  file_response_.keep_alive(!close);
  if (is_head_) {
    file_response_.content_length(size);
    file_response_.body() = {};
  } else {
    file_response_.body() = std::move(body);
    file_response_.prepare_payload();
  }
  status_ = response.status;
  phase_ = Phase::writing;
  // A large file to a slow client: the write timeout, and a second more per 256 KiB.
  stream_.tcp().expires_after(state_->options.write_timeout +
                              std::chrono::seconds(static_cast<long>(size / (256 * 1024))));
  http::async_write(stream_, file_response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
  return true;
}

bool HttpSession::set_response_fields(const Response& response, http::fields& out) {
  bool close = false;
  for (const auto& [name, value] : response.headers) {
    if (is_framing_field(name)) {
      if (equals_ignoring_case(name, "Connection") && equals_ignoring_case(value, "close")) {
        close = true;
      }
      continue;
    }
    if (name.empty() || !is_safe_field(name) || !is_safe_field(value)) {
      state_->log->error("request_id={} dropped response field with CR, LF or NUL", request_id_);
      continue;
    }
    out.insert(name, value);
  }
  return close;
}

void HttpSession::start_stream(Response response) {
  // No length: the body ends when the connection closes (RFC 9112 section 6.3).
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  set_response_fields(response, response_);
  response_.set(http::field::date, http_date(std::time(nullptr)));
  response_.keep_alive(false);
  std::ostringstream header;
  header << response_.base();
  response_ = {};
  stream_start_ = std::move(response.stream);
  stream_lease_ = std::move(response.stream_lease);
  status_ = response.status;
  phase_ = Phase::writing;
  stream_queue_.push_back(header.str());
  stream_writing_ = true;
  write_stream_front();
}

void HttpSession::queue_stream(std::string bytes) {
  if (phase_ != Phase::streaming) return;
  if (!stream_account_.reserve(bytes.size())) {
    state_->metrics.slow_stream_closed();
    state_->log->warn(
        "request_id={} route={} stream closed: the client reads too slowly ({} bytes queued; "
        "{} of the {}-byte stream budget in use by {} streams)",
        request_id_, route_, stream_account_.queued(), state_->stream_budget.used(),
        state_->stream_budget.budget(), state_->stream_budget.streams());
    return do_close();
  }
  stream_queue_.push_back(std::move(bytes));
  if (stream_writing_) return;
  stream_writing_ = true;
  write_stream_front();
}

void HttpSession::write_stream_front() {
  stream_.tcp().expires_after(state_->options.write_timeout);
  net::async_write(stream_, net::buffer(stream_queue_.front()),
                   beast::bind_front_handler(&HttpSession::on_stream_write, shared_from_this()));
}

void HttpSession::on_stream_write(beast::error_code error, std::size_t bytes) {
  if (error) return do_close();
  stream_account_.release(stream_queue_.front().size());  // the header is not in it
  stream_queue_.pop_front();
  if (phase_ == Phase::writing) {
    // The header is out: the exchange counts as answered, and the producer starts.
    record(bytes);
    phase_ = Phase::streaming;
    stream_account_ = state_->stream_budget.open();
    stream_open_ = std::make_shared<std::atomic<bool>>(true);
    // tcp_stream changes the expiry only of operations not pending: the read that watches
    // for the client's close must start without one, or it would cut the stream after
    // write_timeout. Writes keep theirs (write_stream_front).
    stream_.tcp().expires_never();
    do_stream_read();
    arm_keepalive();
    const StreamStart start = std::move(stream_start_);
    stream_start_ = nullptr;
    try {
      start(std::make_shared<SessionStreamSink>(weak_from_this(), stream_open_, state_));
    } catch (const std::exception& failure) {
      state_->log->error("request_id={} route={} stream failed to start: {}", request_id_, route_,
                         failure.what());
      return do_close();
    }
  }
  if (phase_ != Phase::streaming) return;
  if (stream_queue_.empty()) {
    stream_writing_ = false;
    stream_.tcp().expires_never();
    return;
  }
  write_stream_front();
}

void HttpSession::do_stream_read() {
  // The client sends nothing more; a completed read is either noise to drop or its close.
  stream_.async_read_some(net::buffer(stream_drain_),
                          [self = shared_from_this()](beast::error_code error, std::size_t) {
                            if (error || self->phase_ != Phase::streaming) return self->do_close();
                            self->do_stream_read();
                          });
}

void HttpSession::arm_keepalive() {
  keepalive_.expires_after(state_->options.stream_keepalive);
  keepalive_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (error || self->phase_ != Phase::streaming) return;
    self->queue_stream(": keep-alive\n\n");
    self->arm_keepalive();
  });
}

void HttpSession::on_write(bool close, beast::error_code error, std::size_t bytes) {
  record(bytes);
  if (error) return do_close();
  if (close || state_->stopping) return linger_ ? do_linger() : do_close();
  response_ = {};
  file_response_ = {};
  do_read_header();
}

void HttpSession::record(std::size_t bytes) {
  const auto duration = std::chrono::steady_clock::now() - started_;
  if (in_flight_) {
    in_flight_ = false;
    state_->metrics.request_finished();
  }
  state_->metrics.observe_request(method_, route_, status_, duration);
  const AccessRecord access{
      method_,     route_,          path_,
      status_,     bytes,           duration,
      request_id_, client_address_, user_ ? std::string_view(*user_) : std::string_view()};
  if (state_->options.access_log) {
    log_access(*state_->options.access_log, access, state_->options.access_log_json);
  }
  if (state_->options.audit && route_.starts_with("/api/")) {
    const auto attachment = [](const auto& response) {
      const auto found = response.find(http::field::content_disposition);
      return found != response.end() && found->value().starts_with("attachment");
    };
    const bool download = status_ == 200 && (attachment(response_) || attachment(file_response_));
    if (status_ == 403 || download) state_->options.audit(access, download);
  }
}

void HttpSession::do_linger() {
  phase_ = Phase::closed;
  // The socket stays open a while longer: so does its place in its address's count.
  std::make_shared<ClosingConnection>(stream_.tcp().release_socket(), std::string(),
                                      state_->options.linger_timeout, std::move(slot_))
      ->run();
}

void HttpSession::do_close() {
  phase_ = Phase::closed;
  if (stream_open_) *stream_open_ = false;
  stream_lease_.reset();
  keepalive_.cancel();
  beast::error_code ignored;
  stream_.tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.tcp().close();
}

}  // namespace investflow::web
