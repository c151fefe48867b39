#pragma once
// A connection to PostgreSQL through libpq, for the PostgreSQL store (pg_store.hpp): plain
// queries with parameters, results read as text, errors thrown as PgError with their
// SQLSTATE. Nothing here knows investflow's tables.
//
// Values go out as text, except hashes, which go as bytes (PgParams::bytes). Results come
// back as text; bytea columns come back in PostgreSQL's hex form ("\x0a1b..."), which
// PgResult::bytes decodes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace investflow::storage {

// Whether a database argument names a PostgreSQL database (postgresql:// or postgres://)
// rather than a SQLite file.
bool is_postgres_uri(std::string_view location);

// The URI without its password (for messages and logs).
std::string redact_uri(std::string_view uri);

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost) {}
  // Five characters ("23505": unique violation, "40001": serialization failure); empty
  // when the server said nothing (the connection failed).
  const std::string& sqlstate() const { return sqlstate_; }
  // The server cannot be reached, or went away (class 08, 57P01..57P03, or no answer).
  bool connection_lost() const { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

class PgParams {
 public:
  PgParams& text(std::string value);
  PgParams& number(std::int64_t value);
  PgParams& real(double value);
  PgParams& bytes(const void* data, std::size_t size);
  PgParams& null();
  // NULL when empty.
  PgParams& text_or_null(std::string value);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> pointers_;
};

// A one-dimensional array parameter in PostgreSQL's text form ("{...}"), for statements
// over many rows at once: `INSERT ... SELECT * FROM unnest($1::text[], $2::bigint[])`.
class PgArray {
 public:
  PgArray& text(const std::string& value);
  PgArray& text_or_null(const std::string& value);  // NULL when empty
  PgArray& number(std::int64_t value);
  PgArray& real(double value);
  PgArray& bytes(const void* data, std::size_t size);  // for a bytea[]
  PgArray& null();
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::string literal() const { return "{" + items_ + "}"; }

 private:
  void next();
  std::string items_;
  std::size_t size_ = 0;
};

class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&&) noexcept;
  PgResult& operator=(PgResult&&) noexcept;
  ~PgResult();

  int rows() const;
  bool null(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t number(int row, int column) const;  // 0 when NULL
  double real(int row, int column) const;          // 0 when NULL
  // A bytea column's bytes (decoded from the hex form).
  std::string bytes(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // Connects (throws PgError when it cannot: connection_lost()).
  explicit PgConnection(std::string uri);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs the statements queued before it, then this one, in one round trip (libpq's pipeline
  // mode), and returns this one's result. An error in any of them is thrown here; the
  // statements after it do not run.
  PgResult exec(const std::string& sql, const PgParams& params = {});
  // A statement whose rows nobody reads, sent with the next exec. `check`, when given, sees
  // its result then, and may throw (after the others' results are read). Forgotten when the
  // connection is opened again.
  void queue(std::string sql, PgParams params, std::function<void(const PgResult&)> check = {});
  void forget_queued() { queued_.clear(); }
  // Several statements without parameters (a migration).
  void exec_script(const std::string& sql);
  // Whether the connection is usable. exec throws (connection_lost) on a broken one;
  // ensure() connects again, at the start of a unit of work.
  bool ok() const;
  void ensure();
  void reconnect();
  const std::string& uri() const { return uri_; }
  // Waits up to `timeout` for NOTIFY on a channel this connection LISTENs to; returns how
  // many arrived (0: none in time). Throws PgError (connection_lost) when the connection
  // breaks meanwhile.
  int wait_for_notifications(std::chrono::milliseconds timeout);

 private:
  [[noreturn]] void fail(pg_result* result, const std::string& sql);
  void check_open() const;
  const std::string& prepared(const std::string& sql);
  [[noreturn]] void abandon(const std::string& sql);
  PgResult exec_queued(const std::string& sql, const PgParams& params);
  struct Queued {
    std::string sql;
    PgParams params;
    std::function<void(const PgResult&)> check;
  };
  std::vector<Queued> queued_;
  std::string uri_;
  pg_conn* connection_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// Rows of a query in chunks, through a cursor in the current transaction (which must be
// open): a walk over a large table without holding it in memory.
class PgRows {
 public:
  PgRows(PgConnection& connection, std::string name, const std::string& query)
      : connection_(connection), name_(std::move(name)) {
    connection_.exec("DECLARE " + name_ + " NO SCROLL CURSOR FOR " + query);
    fetch();
  }
  bool done() const { return row_ >= rows_.rows(); }
  const PgResult& rows() const { return rows_; }
  int row() const { return row_; }
  void next() {
    if (++row_ >= rows_.rows() && rows_.rows() == kChunk) fetch();
  }

 private:
  static constexpr int kChunk = 5000;
  void fetch() {
    rows_ = connection_.exec("FETCH " + std::to_string(kChunk) + " FROM " + name_);
    row_ = 0;
  }
  PgConnection& connection_;
  std::string name_;
  PgResult rows_{nullptr};
  int row_ = 0;
};

// Runs `body` in a transaction (BEGIN ... COMMIT), rolling back when it throws.
template <typename Body>
auto in_transaction(PgConnection& connection, Body&& body) {
  connection.ensure();
  connection.exec("BEGIN");
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      connection.exec("COMMIT");
    } else {
      auto result = body();
      connection.exec("COMMIT");
      return result;
    }
  } catch (...) {
    if (connection.ok()) {
      try {
        connection.exec("ROLLBACK");
      } catch (...) {
      }
    }
    throw;
  }
}

}  // namespace investflow::storage
