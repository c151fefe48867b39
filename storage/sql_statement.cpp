#include "storage/sql_statement.hpp"

#include <optional>
#include <utility>

#include "storage/scope_sql.hpp"

namespace investflow::storage {
namespace {

class SqliteStatement final : public SqlStatement {
 public:
  SqliteStatement(SQLite::Database& db, const std::string& sql) : statement_(db, sql) {}
  bool executeStep() override { return statement_.executeStep(); }
  std::int64_t exec() override {
    const int changed = statement_.exec();
    statement_.reset();
    return changed;
  }
  void reset() override { statement_.reset(); }
  void clear_bindings() override { statement_.clearBindings(); }

 protected:
  void bind_number(int index, std::int64_t value) override { statement_.bind(index, value); }
  void bind_real(int index, double value) override { statement_.bind(index, value); }
  void bind_text(int index, std::string_view value) override {
    statement_.bind(index, std::string(value));
  }
  void bind_null(int index) override { statement_.bind(index); }
  bool column_null(int index) const override { return statement_.getColumn(index).isNull(); }
  std::int64_t column_number(int index) const override {
    return statement_.getColumn(index).getInt64();
  }
  double column_real(int index) const override { return statement_.getColumn(index).getDouble(); }
  std::string_view column_text(int index) const override {
    const SQLite::Column column = statement_.getColumn(index);
    return {column.getText(), static_cast<std::size_t>(column.size())};
  }

 private:
  mutable SQLite::Statement statement_;
};

class PgStatement final : public SqlStatement {
 public:
  PgStatement(PostgresDatabase& db, const std::string& sql) : db_(db) {
    int next = 1;
    sql_ = numbered_parameters(sql, next);
  }
  bool executeStep() override {
    if (!result_) {
      result_.emplace(run());
      row_ = 0;
    } else {
      ++row_;
    }
    return row_ < result_->rows();
  }
  std::int64_t exec() override {
    result_.reset();
    return run().affected();
  }
  void reset() override { result_.reset(); }
  void clear_bindings() override { values_.clear(); }

 protected:
  void bind_number(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind_real(int index, double value) override {
    PgParams one;
    one.real(value);
    slot(index) = std::string(one.values()[0], static_cast<std::size_t>(one.lengths()[0]));
  }
  void bind_text(int index, std::string_view value) override { slot(index) = std::string(value); }
  void bind_null(int index) override { slot(index).reset(); }
  bool column_null(int index) const override { return result_->null(row_, index); }
  std::int64_t column_number(int index) const override {
    if (result_->null(row_, index)) return 0;
    const std::string_view text = result_->text(row_, index);
    if (text.find_first_of(".eE") != std::string_view::npos) {
      return static_cast<std::int64_t>(result_->real(row_, index));  // as SQLite: truncated
    }
    return result_->number(row_, index);
  }
  double column_real(int index) const override { return result_->real(row_, index); }
  std::string_view column_text(int index) const override { return result_->text(row_, index); }

 private:
  std::optional<std::string>& slot(int index) {
    const auto at = static_cast<std::size_t>(index - 1);
    if (values_.size() <= at) values_.resize(at + 1);
    return values_[at];
  }
  PgResult run() {
    PgParams params;
    for (const std::optional<std::string>& value : values_) {
      if (value) {
        params.text(*value);
      } else {
        params.null();
      }
    }
    return db_.connection().exec(sql_, params);
  }

  PostgresDatabase& db_;
  std::string sql_;
  std::vector<std::optional<std::string>> values_;
  std::optional<PgResult> result_;
  int row_ = 0;
};

}  // namespace

bool SqlColumn::isNull() const {
  return statement_.column_null(index_);
}

std::int64_t SqlColumn::getInt64() const {
  return statement_.column_number(index_);
}

double SqlColumn::getDouble() const {
  return statement_.column_real(index_);
}

std::string_view SqlColumn::text() const {
  return statement_.column_text(index_);
}

SqlStatement& SqlDatabase::prepared(const std::string& sql) {
  auto& slot = statements_[sql];
  if (!slot) slot = prepare(sql);
  slot->clear_bindings();
  return *slot;
}

SqliteDatabase::~SqliteDatabase() {
  drop_statements();
}

void SqliteDatabase::exec(const std::string& sql) {
  db_->exec(sql);
}

std::unique_ptr<SqlStatement> SqliteDatabase::prepare(const std::string& sql) {
  return std::make_unique<SqliteStatement>(*db_, sql);
}

PostgresDatabase::PostgresDatabase(std::string uri)
    : owned_(std::make_unique<PgConnection>(std::move(uri))), fixed_(owned_.get()) {
}

PostgresDatabase::~PostgresDatabase() {
  drop_statements();
}

bool PostgresDatabase::usable() const {
  return connection().ok();
}

void PostgresDatabase::exec(const std::string& sql) {
  connection().exec_script(sql);
}

std::unique_ptr<SqlStatement> PostgresDatabase::prepare(const std::string& sql) {
  return std::make_unique<PgStatement>(*this, sql);
}

std::unique_ptr<SqlDatabase> open_sql_database(const std::string& location, bool read_only,
                                               int busy_timeout_ms) {
  if (is_postgres_uri(location)) return std::make_unique<PostgresDatabase>(location);
  return std::make_unique<SqliteDatabase>(std::make_unique<Connection>(
      location, read_only ? Connection::Mode::read_only : Connection::Mode::read_write,
      busy_timeout_ms));
}

}  // namespace investflow::storage
