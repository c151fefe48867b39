#include "storage/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace investflow::storage {

bool is_postgres_uri(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string redact_uri(std::string_view uri) {
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  const auto scheme = uri.find("://");
  if (scheme == std::string_view::npos) return std::string(uri);
  const auto at = uri.find('@', scheme + 3);
  const auto slash = uri.find('/', scheme + 3);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(uri);
  }
  const auto colon = uri.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(uri);
  return std::string(uri.substr(0, colon + 1)) + "***" + std::string(uri.substr(at));
}

// --- parameters ---

PgParams& PgParams::text(std::string value) {
  lengths_.push_back(static_cast<int>(value.size()));
  values_.emplace_back(std::move(value));
  formats_.push_back(0);
  return *this;
}

PgParams& PgParams::number(std::int64_t value) {
  return text(std::to_string(value));
}

PgParams& PgParams::real(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return text(std::string(buffer, end));
}

PgParams& PgParams::bytes(const void* data, std::size_t size) {
  lengths_.push_back(static_cast<int>(size));
  values_.emplace_back(std::string(static_cast<const char*>(data), size));
  formats_.push_back(1);
  return *this;
}

PgParams& PgParams::null() {
  lengths_.push_back(0);
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

PgParams& PgParams::text_or_null(std::string value) {
  return value.empty() ? null() : text(std::move(value));
}

const char* const* PgParams::values() const {
  pointers_.clear();
  for (const auto& value : values_)
    pointers_.push_back(value ? value->data() : nullptr);
  return pointers_.data();
}

// --- arrays ---

void PgArray::next() {
  if (size_++ > 0) items_ += ',';
}

PgArray& PgArray::text(const std::string& value) {
  next();
  items_ += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') items_ += '\\';
    items_ += c;
  }
  items_ += '"';
  return *this;
}

PgArray& PgArray::text_or_null(const std::string& value) {
  return value.empty() ? null() : text(value);
}

PgArray& PgArray::number(std::int64_t value) {
  next();
  items_ += std::to_string(value);
  return *this;
}

PgArray& PgArray::real(double value) {
  next();
  char buffer[32];
  items_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
  return *this;
}

PgArray& PgArray::bytes(const void* data, std::size_t size) {
  // bytea's hex form, \x..., quoted: its backslash escaped.
  static constexpr char kHex[] = "0123456789abcdef";
  next();
  items_ += "\"\\\\x";
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    items_ += kHex[bytes[i] >> 4];
    items_ += kHex[bytes[i] & 0xf];
  }
  items_ += '"';
  return *this;
}

PgArray& PgArray::null() {
  next();
  items_ += "NULL";
  return *this;
}

// --- results ---

PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_) {
  other.result_ = nullptr;
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}

int PgResult::rows() const {
  return PQntuples(result_);
}

bool PgResult::null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::number(int row, int column) const {
  const std::string_view value = text(row, column);
  std::int64_t number = 0;
  std::from_chars(value.data(), value.data() + value.size(), number);
  return number;
}

double PgResult::real(int row, int column) const {
  if (null(row, column)) return 0;
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

std::string PgResult::bytes(int row, int column) const {
  const std::string_view value = text(row, column);
  if (!value.starts_with("\\x")) return std::string(value);
  std::string bytes;
  bytes.reserve((value.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < value.size(); i += 2) {
    unsigned byte = 0;
    std::from_chars(value.data() + i, value.data() + i + 2, byte, 16);
    bytes.push_back(static_cast<char>(byte));
  }
  return bytes;
}

std::int64_t PgResult::affected() const {
  const char* count = PQcmdTuples(result_);
  return count == nullptr || *count == '\0' ? 0 : std::atoll(count);
}

// --- the connection ---

namespace {

bool lost_state(std::string_view sqlstate) {
  // Class 08: connection exception; 57P01..57P03: the server is shutting down or starting.
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

}  // namespace

PgConnection::PgConnection(std::string uri) : uri_(std::move(uri)) {
  reconnect();
}

PgConnection::~PgConnection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

bool PgConnection::ok() const {
  return connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK;
}

void PgConnection::reconnect() {
  if (connection_ != nullptr) PQfinish(connection_);
  prepared_.clear();
  queued_.clear();
  connection_ = PQconnectdb(uri_.c_str());
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection_);
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    PQfinish(connection_);
    connection_ = nullptr;
    throw PgError("cannot connect to PostgreSQL at " + redact_uri(uri_) + ": " + message, "", true);
  }
  // Quiet NOTICEs (CREATE ... IF NOT EXISTS says "already exists, skipping").
  PQsetNoticeProcessor(
      connection_, [](void*, const char*) {}, nullptr);
}

void PgConnection::fail(pg_result* result, const std::string& sql) {
  std::string sqlstate;
  std::string message;
  if (result != nullptr) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = state;
    if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
      message = primary;
    }
    PQclear(result);
  }
  if (message.empty()) message = PQerrorMessage(connection_);
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  const bool lost = lost_state(sqlstate) || PQstatus(connection_) != CONNECTION_OK;
  const std::string_view statement = std::string_view(sql).substr(0, 80);
  throw PgError("PostgreSQL: " + message +
                    (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")") +
                    (lost ? "" : " in: " + std::string(statement)),
                sqlstate, lost);
}

int PgConnection::wait_for_notifications(std::chrono::milliseconds timeout) {
  check_open();
  const auto lost = [this] {
    const std::string message = PQerrorMessage(connection_);
    PQfinish(connection_);
    connection_ = nullptr;
    return PgError(
        "PostgreSQL: the connection to the server was lost while waiting (" + message + ")", "",
        true);
  };
  const auto count = [this] {
    int arrived = 0;
    while (PGnotify* notification = PQnotifies(connection_)) {
      PQfreemem(notification);
      ++arrived;
    }
    return arrived;
  };
  if (PQconsumeInput(connection_) == 0) throw lost();
  if (const int arrived = count(); arrived > 0) return arrived;
  pollfd descriptor{PQsocket(connection_), POLLIN, 0};
  const int ready = ::poll(&descriptor, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return 0;  // a signal: the caller waits again
  if (ready == 0) return 0;
  if (PQconsumeInput(connection_) == 0 || PQstatus(connection_) != CONNECTION_OK) throw lost();
  return count();
}

void PgConnection::ensure() {
  if (!ok()) reconnect();
}

void PgConnection::check_open() const {
  // Never reconnected silently: the statements after a lost one would run outside the
  // transaction they belong to. Callers start each unit of work with ensure().
  if (!ok()) throw PgError("PostgreSQL: the connection to the server was lost", "", true);
}

// Each statement is parsed and planned once per connection, then only executed.
const std::string& PgConnection::prepared(const std::string& sql) {
  auto [prepared, fresh] = prepared_.try_emplace(sql, "s" + std::to_string(prepared_.size()));
  if (fresh) {
    pg_result* made = PQprepare(connection_, prepared->second.c_str(), sql.c_str(), 0, nullptr);
    if (made == nullptr || PQresultStatus(made) != PGRES_COMMAND_OK) {
      prepared_.erase(prepared);
      fail(made, sql);
    }
    PQclear(made);
  }
  return prepared->second;
}

PgResult PgConnection::exec(const std::string& sql, const PgParams& params) {
  check_open();
  if (!queued_.empty()) return exec_queued(sql, params);
  const std::string& name = prepared(sql);
  pg_result* result = PQexecPrepared(connection_, name.c_str(), params.size(),
                                     params.size() == 0 ? nullptr : params.values(),
                                     params.size() == 0 ? nullptr : params.lengths(),
                                     params.size() == 0 ? nullptr : params.formats(), 0);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  return PgResult(result);
}

// The pipeline is in an unknown state (the connection broke in its middle): the connection
// is closed, to be opened again by ensure().
void PgConnection::abandon(const std::string& sql) {
  std::string message = PQerrorMessage(connection_);
  while (!message.empty() && message.back() == '\n')
    message.pop_back();
  PQfinish(connection_);
  connection_ = nullptr;
  queued_.clear();
  throw PgError("PostgreSQL: the connection broke during " + sql.substr(0, 80) + ": " + message, "",
                true);
}

void PgConnection::queue(std::string sql, PgParams params,
                         std::function<void(const PgResult&)> check) {
  queued_.push_back(Queued{std::move(sql), std::move(params), std::move(check)});
}

// The queued statements and the last one sent together, then their results read in order up
// to the pipeline's sync point, whatever failed, so the connection is ready for the next.
PgResult PgConnection::exec_queued(const std::string& sql, const PgParams& params) {
  std::vector<Queued> statements = std::move(queued_);
  queued_.clear();
  statements.push_back(Queued{sql, params, {}});
  std::vector<const std::string*> names;
  for (const Queued& statement : statements)
    names.push_back(&prepared(statement.sql));  // the first time each is seen, on its own
  if (PQenterPipelineMode(connection_) != 1) fail(nullptr, sql);
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const PgParams& values = statements[i].params;
    if (PQsendQueryPrepared(connection_, names[i]->c_str(), values.size(),
                            values.size() == 0 ? nullptr : values.values(),
                            values.size() == 0 ? nullptr : values.lengths(),
                            values.size() == 0 ? nullptr : values.formats(), 0) != 1) {
      abandon(statements[i].sql);
    }
  }
  if (PQpipelineSync(connection_) != 1) fail(nullptr, sql);
  std::exception_ptr first_error;
  PgResult last(nullptr);
  for (Queued& statement : statements) {
    pg_result* result = PQgetResult(connection_);
    if (result == nullptr) abandon(statement.sql);
    while (pg_result* more = PQgetResult(connection_))
      PQclear(more);  // each statement's results end with a null one
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_ABORTED) {
      PQclear(result);  // after the one that failed
      continue;
    }
    try {
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, statement.sql);
      PgResult read(result);
      if (statement.check && !first_error) statement.check(read);
      if (&statement == &statements.back()) last = std::move(read);
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  pg_result* sync = PQgetResult(connection_);
  const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(connection_) != 1) abandon(sql);
  if (first_error) std::rethrow_exception(first_error);
  return last;
}

void PgConnection::exec_script(const std::string& sql) {
  check_open();
  if (!queued_.empty()) throw std::logic_error("exec_script with statements queued");
  pg_result* result = PQexec(connection_, sql.c_str());
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, sql);
  PQclear(result);
}

}  // namespace investflow::storage
