#pragma once
// Statements that run the same on either store, for the code both stores share: the reports,
// their summaries (reports_ledger.hpp) and the targets. The interface is the part of
// SQLiteCpp's Statement that code uses (bind, executeStep, getColumn, exec, reset), so the
// SQL and the code around it are written once; the SQL must be valid in both dialects
// (`?` and `?N` parameters are numbered for PostgreSQL, and PostgreSQL has SQLite's TOTAL()
// as an aggregate of our own, pg_schema.cpp).

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "storage/pg_connection.hpp"
#include "storage/sqlite_connection.hpp"

namespace investflow::storage {

class SqlStatement;

// One column of the row a statement stands on. NULL reads as 0 or "".
class SqlColumn {
 public:
  SqlColumn(const SqlStatement& statement, int index) : statement_(statement), index_(index) {}
  bool isNull() const;
  std::int64_t getInt64() const;
  int getInt() const { return static_cast<int>(getInt64()); }
  double getDouble() const;
  std::string_view text() const;
  std::string getString() const { return std::string(text()); }

 private:
  const SqlStatement& statement_;
  int index_;
};

class SqlStatement {
 public:
  virtual ~SqlStatement() = default;
  // Parameters are numbered from 1, as in SQLite.
  void bind(int index, int value) { bind_number(index, value); }
  void bind(int index, long value) { bind_number(index, value); }
  void bind(int index, long long value) { bind_number(index, value); }
  void bind(int index, unsigned value) { bind_number(index, value); }
  void bind(int index, unsigned long value) {
    bind_number(index, static_cast<std::int64_t>(value));
  }
  void bind(int index, double value) { bind_real(index, value); }
  void bind(int index, const std::string& value) { bind_text(index, value); }
  void bind(int index, const char* value) { bind_text(index, value); }
  void bind(int index) { bind_null(index); }  // NULL

  // The next row (the first runs the statement); false when there is none left.
  virtual bool executeStep() = 0;
  // Runs a statement that returns no rows; how many rows it changed.
  virtual std::int64_t exec() = 0;
  // Back to before the first step, the bindings kept.
  virtual void reset() = 0;
  virtual void clear_bindings() = 0;
  SqlColumn getColumn(int index) const { return SqlColumn(*this, index); }

 protected:
  friend class SqlColumn;
  virtual void bind_number(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool column_null(int index) const = 0;
  virtual std::int64_t column_number(int index) const = 0;
  virtual double column_real(int index) const = 0;
  virtual std::string_view column_text(int index) const = 0;
};

// A statement in use: reset when it goes out of scope, which ends the read a stepped
// SELECT holds open.
class SqlStatementInUse {
 public:
  explicit SqlStatementInUse(SqlStatement& statement) : statement_(statement) {}
  ~SqlStatementInUse() {
    try {
      statement_.reset();
    } catch (...) {
    }
  }
  SqlStatementInUse(const SqlStatementInUse&) = delete;
  SqlStatementInUse& operator=(const SqlStatementInUse&) = delete;
  SqlStatement* operator->() { return &statement_; }
  SqlStatement& operator*() { return statement_; }

 private:
  SqlStatement& statement_;
};

// A connection to either store, with its statements prepared once each.
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  // A prepared statement for `sql`, its bindings cleared. Do not ask for the same text
  // again while it is still in use.
  SqlStatementInUse statement(const std::string& sql) { return SqlStatementInUse(prepared(sql)); }
  // The same without the reset at the end of the scope (the caller resets).
  SqlStatement& prepared(const std::string& sql);
  // Statements without parameters or rows (DDL, a transaction's BEGIN and COMMIT).
  virtual void exec(const std::string& sql) = 0;
  virtual bool postgres() const = 0;
  // False once the connection broke (PostgreSQL): open another.
  virtual bool usable() const = 0;

  // What a reader keeps on this connection from one request to the next (reports keep
  // figures of whole months), one object per type. The connection reads one database, so
  // the user need only check an entry against that database's data before using it.
  template <class T>
  T& kept() {
    std::shared_ptr<void>& slot = kept_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

 protected:
  virtual std::unique_ptr<SqlStatement> prepare(const std::string& sql) = 0;
  // Derived classes call this first in their destructor: statements go before what they use.
  void drop_statements() { statements_.clear(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<SqlStatement>> statements_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> kept_;
};

// SQLite: over a database the caller keeps open (or owns, for the readers' pool).
class SqliteDatabase final : public SqlDatabase {
 public:
  explicit SqliteDatabase(SQLite::Database& db) : db_(&db) {}
  explicit SqliteDatabase(std::unique_ptr<Connection> owned)
      : owned_(std::move(owned)), db_(&owned_->db()) {}
  ~SqliteDatabase() override;
  void exec(const std::string& sql) override;
  bool postgres() const override { return false; }
  bool usable() const override { return true; }
  SQLite::Database& db() { return *db_; }

 protected:
  std::unique_ptr<SqlStatement> prepare(const std::string& sql) override;

 private:
  std::unique_ptr<Connection> owned_;
  SQLite::Database* db_;
};

// PostgreSQL: over a connection the caller keeps (the writer's, which it may open again:
// then a reference to its pointer), or one of its own.
class PostgresDatabase final : public SqlDatabase {
 public:
  explicit PostgresDatabase(std::unique_ptr<PgConnection>& connection) : slot_(&connection) {}
  explicit PostgresDatabase(PgConnection& connection) : fixed_(&connection) {}
  explicit PostgresDatabase(std::string uri);
  ~PostgresDatabase() override;
  void exec(const std::string& sql) override;
  bool postgres() const override { return true; }
  bool usable() const override;
  PgConnection& connection() const { return slot_ != nullptr ? **slot_ : *fixed_; }

 protected:
  std::unique_ptr<SqlStatement> prepare(const std::string& sql) override;

 private:
  std::unique_ptr<PgConnection> owned_;
  std::unique_ptr<PgConnection>* slot_ = nullptr;
  PgConnection* fixed_ = nullptr;
};

// A connection to the database `location` names: a SQLite file (read-only, or read-write)
// or a postgresql:// URI.
std::unique_ptr<SqlDatabase> open_sql_database(const std::string& location, bool read_only,
                                               int busy_timeout_ms = 5000);

}  // namespace investflow::storage
