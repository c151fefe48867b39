#include "storage/store_copy.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "storage/anchor.hpp"
#include "storage/attachment_files.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_schema.hpp"
#include "storage/pg_store.hpp"
#include "storage/reports_ledger.hpp"
#include "storage/schema.hpp"
#include "storage/sql_statement.hpp"

namespace investflow::storage {
namespace {

namespace fs = std::filesystem;

// What copy refuses (DST not new, SRC with problems): the caller's to fix, not a fault.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --- which tables, in which order ---

// Summaries derived from the event log (reports_ledger.hpp): rebuilt on DST, not copied.
bool derived_table(std::string_view table) {
  return table.starts_with("report_");
}

// Each store's own bookkeeping, made by its schema (the schema version, PostgreSQL's log_head,
// SQLite's full-text index and statistics): not copied, and not what makes DST non-empty.
bool internal_table(std::string_view table) {
  return table.starts_with("sqlite_") || table.starts_with("projects_fts") || table == "log_head" ||
         table == "investflow_schema";
}

// A server's claim on a pending row, for a while (notify/pg_notify_store.hpp): PostgreSQL's
// only; left behind, as a claim of a server that is gone lapses anyway.
bool transient_column(std::string_view table, std::string_view column) {
  return (table == "outbox" || table == "deliveries") &&
         (column == "claimed_by" || column == "claimed_until");
}

// The order of the tables a row may reference; tables not named here follow, by name.
constexpr std::string_view kCopyOrder[] = {"workflows",
                                           "calendars",
                                           "users",
                                           "projects",
                                           "events",
                                           "event_batches",
                                           "outbox",
                                           "idempotency_keys",
                                           "sessions",
                                           "api_tokens",
                                           "saved_filters",
                                           "notifications",
                                           "notification_settings",
                                           "webhooks",
                                           "deliveries",
                                           "robot_posts",
                                           "project_access",
                                           "audit_log",
                                           "targets",
                                           "target_history"};

// A parent is created before its children, so in the order of their first events every
// project's parent comes first (PostgreSQL checks projects.parent after each statement).
std::string row_order(std::string_view table) {
  if (table == "projects") {
    return " ORDER BY (SELECT min(e.id) FROM events e WHERE e.project_id = projects.id), id";
  }
  if (table == "events" || table == "audit_log") return " ORDER BY id";
  return "";
}

std::string identifier(std::string_view name) {
  return "\"" + std::string(name) + "\"";
}

// --- rows as both stores hold them ---

struct Cell {
  enum class Kind { null, integer, real, text, blob };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or blob
};
using Row = std::vector<Cell>;

struct Column {
  std::string name;
  std::string type;  // as the store declares it (PostgreSQL: information_schema's data_type)
};

std::string column_list(const std::vector<Column>& columns) {
  std::string list;
  for (const Column& column : columns)
    list += (list.empty() ? "" : ", ") + identifier(column.name);
  return list;
}

// One side of the copy. A source reads in one snapshot (begin_snapshot); a destination
// writes in one transaction (begin_write ... commit).
class Side {
 public:
  virtual ~Side() = default;
  virtual std::vector<std::string> tables() = 0;
  virtual std::vector<Column> columns(const std::string& table) = 0;
  virtual std::int64_t scalar(const std::string& sql) = 0;
  virtual LogHeads heads() = 0;
  virtual void begin_snapshot() = 0;
  virtual void read(const std::string& table, const std::vector<Column>& columns,
                    const std::function<void(const Row&)>& each) = 0;
  virtual void begin_write() = 0;
  virtual void start_table(const std::string& table, const std::vector<Column>& columns) = 0;
  virtual void add(const Row& row) = 0;
  virtual void end_table() = 0;
  // After the rows: what DST derives from them (log head, summaries).
  virtual std::vector<std::string> finish_write() = 0;
  virtual void commit() = 0;

  std::int64_t count(const std::string& table) {
    return scalar("SELECT count(*) FROM " + identifier(table));
  }
};

// --- SQLite ---

class SqliteSide final : public Side {
 public:
  SqliteSide(const fs::path& path, bool write)
      : db_(path, write ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE : SQLite::OPEN_READONLY,
            10000) {}

  std::vector<std::string> tables() override {
    std::vector<std::string> names;
    SQLite::Statement select(db_, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (select.executeStep())
      names.push_back(select.getColumn(0).getString());
    return names;
  }
  std::vector<Column> columns(const std::string& table) override {
    std::vector<Column> columns;
    SQLite::Statement select(db_, "SELECT name, type FROM pragma_table_info(?)");
    select.bind(1, table);
    while (select.executeStep())
      columns.push_back({select.getColumn(0).getString(), select.getColumn(1).getString()});
    return columns;
  }
  std::int64_t scalar(const std::string& sql) override { return db_.execAndGet(sql).getInt64(); }
  LogHeads heads() override { return stored_heads(db_); }
  void begin_snapshot() override { db_.exec("BEGIN"); }

  void read(const std::string& table, const std::vector<Column>& columns,
            const std::function<void(const Row&)>& each) override {
    SQLite::Statement select(
        db_, "SELECT " + column_list(columns) + " FROM " + identifier(table) + row_order(table));
    Row row(columns.size());
    while (select.executeStep()) {
      for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
        const SQLite::Column column = select.getColumn(i);
        Cell& cell = row[static_cast<std::size_t>(i)];
        const int type = column.getType();
        if (type == SQLite::INTEGER) {
          cell.kind = Cell::Kind::integer, cell.integer = column.getInt64();
        } else if (type == SQLite::FLOAT) {
          cell.kind = Cell::Kind::real, cell.real = column.getDouble();
        } else if (type == SQLite::Null) {
          cell.kind = Cell::Kind::null;
        } else {
          cell.kind = type == SQLite::BLOB ? Cell::Kind::blob : Cell::Kind::text;
          cell.bytes.assign(static_cast<const char*>(column.getBlob()),
                            static_cast<std::size_t>(column.getBytes()));
        }
      }
      each(row);
    }
  }

  void begin_write() override {
    if (auto migrated = migrate(db_); !migrated) throw std::runtime_error(migrated.error());
    db_.exec("PRAGMA foreign_keys = ON");
    transaction_.emplace(db_);
    db_.exec("PRAGMA defer_foreign_keys = ON");  // checked at the commit
  }
  void start_table(const std::string& table, const std::vector<Column>& columns) override {
    std::string marks;
    for (std::size_t i = 0; i < columns.size(); ++i)
      marks += i == 0 ? "?" : ", ?";
    insert_.emplace(db_, "INSERT INTO " + identifier(table) + " (" + column_list(columns) +
                             ") VALUES (" + marks + ")");
  }
  void add(const Row& row) override {
    for (int i = 0; i < static_cast<int>(row.size()); ++i) {
      const Cell& cell = row[static_cast<std::size_t>(i)];
      switch (cell.kind) {
        case Cell::Kind::null:
          insert_->bind(i + 1);
          break;
        case Cell::Kind::integer:
          insert_->bind(i + 1, cell.integer);
          break;
        case Cell::Kind::real:
          insert_->bind(i + 1, cell.real);
          break;
        case Cell::Kind::text:
          insert_->bind(i + 1, cell.bytes);
          break;
        case Cell::Kind::blob:
          insert_->bind(i + 1, cell.bytes.data(), static_cast<int>(cell.bytes.size()));
          break;
      }
    }
    insert_->exec();
    insert_->reset();
  }
  void end_table() override { insert_.reset(); }
  std::vector<std::string> finish_write() override {
    ReportLedger::rebuild(db_);
    return {"report_*"};
  }
  void commit() override {
    transaction_->commit();
    transaction_.reset();
  }

 private:
  SQLite::Database db_;
  std::optional<SQLite::Transaction> transaction_;
  std::optional<SQLite::Statement> insert_;
};

// --- PostgreSQL ---

enum class PgKind { integer, real, bytes, boolean, text };
PgKind pg_kind(std::string_view type) {
  if (type == "bigint" || type == "integer" || type == "smallint") return PgKind::integer;
  if (type == "double precision" || type == "real" || type == "numeric") return PgKind::real;
  if (type == "bytea") return PgKind::bytes;
  if (type == "boolean") return PgKind::boolean;
  return PgKind::text;
}

class PgSide final : public Side {
 public:
  explicit PgSide(const std::string& uri) : connection_(uri) {}
  PgConnection& connection() { return connection_; }

  std::vector<std::string> tables() override {
    PgResult r = connection_.exec(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'");
    std::vector<std::string> names;
    for (int i = 0; i < r.rows(); ++i)
      names.emplace_back(r.text(i, 0));
    return names;
  }
  std::vector<Column> columns(const std::string& table) override {
    PgResult r = connection_.exec(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = $1 ORDER BY ordinal_position",
        PgParams().text(table));
    std::vector<Column> columns;
    for (int i = 0; i < r.rows(); ++i)
      columns.push_back({std::string(r.text(i, 0)), std::string(r.text(i, 1))});
    return columns;
  }
  std::int64_t scalar(const std::string& sql) override {
    return connection_.exec(sql).number(0, 0);
  }
  LogHeads heads() override { return stored_heads(connection_); }
  void begin_snapshot() override {
    connection_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }

  void read(const std::string& table, const std::vector<Column>& columns,
            const std::function<void(const Row&)>& each) override {
    std::vector<PgKind> kinds;
    for (const Column& column : columns)
      kinds.push_back(pg_kind(column.type));
    PgRows rows(connection_, "copy_" + table,
                "SELECT " + column_list(columns) + " FROM " + identifier(table) + row_order(table));
    Row row(columns.size());
    for (; !rows.done(); rows.next()) {
      const PgResult& r = rows.rows();
      const int at = rows.row();
      for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
        Cell& cell = row[static_cast<std::size_t>(i)];
        if (r.null(at, i)) {
          cell.kind = Cell::Kind::null;
          continue;
        }
        switch (kinds[static_cast<std::size_t>(i)]) {
          case PgKind::integer:
            cell.kind = Cell::Kind::integer, cell.integer = r.number(at, i);
            break;
          case PgKind::boolean:
            cell.kind = Cell::Kind::integer, cell.integer = r.text(at, i) == "t" ? 1 : 0;
            break;
          case PgKind::real:
            cell.kind = Cell::Kind::real, cell.real = r.real(at, i);
            break;
          case PgKind::bytes:
            cell.kind = Cell::Kind::blob, cell.bytes = r.bytes(at, i);
            break;
          case PgKind::text:
            cell.kind = Cell::Kind::text, cell.bytes = r.text(at, i);
            break;
        }
      }
      each(row);
    }
    connection_.exec("CLOSE " + identifier("copy_" + table));
  }

  void begin_write() override {
    connection_.exec("BEGIN");
    // Writers lock log_head first: none writes while the copy checks DST is empty and fills it.
    connection_.exec("SELECT last_id FROM log_head FOR UPDATE");
  }
  void start_table(const std::string& table, const std::vector<Column>& columns) override {
    table_ = table;
    columns_ = columns;
    arrays_.assign(columns.size(), PgArray());
    std::string types;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      types += (i == 0 ? "$" : ", $") + std::to_string(i + 1) + "::" + columns[i].type + "[]";
    }
    insert_ = "INSERT INTO " + identifier(table) + " (" + column_list(columns) +
              ") OVERRIDING SYSTEM VALUE SELECT * FROM unnest(" + types + ")";
  }
  void add(const Row& row) override {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const Cell& cell = row[i];
      PgArray& array = arrays_[i];
      switch (cell.kind) {
        case Cell::Kind::null:
          array.null();
          break;
        case Cell::Kind::integer:
          array.number(cell.integer);
          break;
        case Cell::Kind::real:
          array.real(cell.real);
          break;
        case Cell::Kind::text:
          array.text(cell.bytes);
          break;
        case Cell::Kind::blob:
          array.bytes(cell.bytes.data(), cell.bytes.size());
          break;
      }
      bytes_ += cell.bytes.size() * 2 + 8;
    }
    if (arrays_.front().size() >= kBatchRows || bytes_ >= kBatchBytes) flush();
  }
  void end_table() override {
    flush();
    // Rows keep their ids; the identity columns then go on after the largest.
    PgResult identity = connection_.exec(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = $1 AND is_identity = 'YES'",
        PgParams().text(table_));
    for (int i = 0; i < identity.rows(); ++i) {
      const std::string column(identity.text(i, 0));
      connection_.exec("SELECT setval(pg_get_serial_sequence($1, $2), max(" + identifier(column) +
                           ")) FROM " + identifier(table_) + " HAVING count(*) > 0",
                       PgParams().text(table_).text(column));
    }
  }
  std::vector<std::string> finish_write() override {
    // The log chain goes on from the last event copied.
    connection_.exec(
        "UPDATE log_head SET last_id = e.id, hash = e.log_hash FROM (SELECT id, log_hash FROM "
        "events ORDER BY id DESC LIMIT 1) e");
    // The report summaries (pg_schema.cpp migration 5), from the copied log.
    PostgresDatabase summaries(connection_);
    ReportLedger::rebuild(summaries);
    return {"report_*"};
  }
  void commit() override { connection_.exec("COMMIT"); }
  void rollback() {
    if (!connection_.ok()) return;
    try {
      connection_.exec("ROLLBACK");
    } catch (...) {
    }
  }

 private:
  static constexpr std::size_t kBatchRows = 2000;
  static constexpr std::size_t kBatchBytes = 8 << 20;
  void flush() {
    if (arrays_.empty() || arrays_.front().empty()) return;
    PgParams params;
    for (PgArray& array : arrays_)
      params.text(array.literal());
    connection_.exec(insert_, params);
    arrays_.assign(columns_.size(), PgArray());
    bytes_ = 0;
  }
  PgConnection connection_;
  std::string table_;
  std::vector<Column> columns_;
  std::vector<PgArray> arrays_;
  std::string insert_;
  std::size_t bytes_ = 0;
};

// --- the copy ---

std::string problems_text(const VerifyReport& report) {
  std::string text;
  int shown = 0;
  for (const VerifyProblem& problem : report.problems) {
    if (shown++ == 10) {
      text += "\n  ... and " + std::to_string(report.problems.size() - 10) + " more";
      break;
    }
    text += "\n  ";
    if (!problem.project_id.empty()) {
      text += problem.project_id;
      if (problem.seq > 0) text += " event " + std::to_string(problem.seq);
      text += ": ";
    }
    text += std::string(verify_problem_name(problem.kind)) + ": " + problem.message;
  }
  return text;
}

VerifyReport verified(const std::string& location, const ProgressFn& progress) {
  auto report = is_postgres_uri(location) ? verify_pg_database(location, progress)
                                          : verify_database(location, progress);
  if (!report) throw std::runtime_error(report.error().message);
  return std::move(*report);
}

bool empty_dir(const fs::path& dir) {
  std::error_code error;
  return !fs::exists(dir, error) || fs::is_empty(dir, error);
}

// A PostgreSQL DST holds nothing but (perhaps) investflow's empty tables. Returns whether
// its schema is there; the copy creates it (or brings it up to date) once SRC is verified.
bool check_pg_destination(PgSide& dst, const std::string& name) {
  const bool ours =
      dst.connection().exec("SELECT to_regclass('investflow_schema') IS NOT NULL").text(0, 0) ==
      "t";
  if (!ours) {
    std::string others;
    for (const std::string& table : dst.tables())
      others += (others.empty() ? "" : ", ") + table;
    if (!others.empty()) {
      throw Refused(name + " holds tables that are not investflow's (" + others +
                    "): copy fills a new database");
    }
  }
  return ours;
}

// DST holds no rows (checked again in the copy's transaction, under log_head's lock).
void check_empty(Side& dst, const std::string& name) {
  for (const std::string& table : dst.tables()) {
    if (table == "investflow_schema") continue;
    const std::int64_t rows =
        table == "log_head" ? dst.scalar("SELECT last_id FROM log_head") : dst.count(table);
    if (rows > 0) {
      throw Refused(name + " is not empty (its table " + table + " holds " + std::to_string(rows) +
                    " rows): copy fills a new store only");
    }
  }
}

struct TablePlan {
  std::string name;
  std::vector<Column> columns;  // those both sides have
  std::int64_t rows = 0;        // in SRC's snapshot
};

std::vector<TablePlan> plan_tables(Side& src, Side& dst, const std::string& dst_name,
                                   bool leave_out, CopySummary& summary) {
  std::vector<std::string> names;
  for (const std::string& table : src.tables()) {
    if (!internal_table(table) && !derived_table(table)) names.push_back(table);
  }
  auto rank = [](const std::string& table) {
    const auto* at = std::find(std::begin(kCopyOrder), std::end(kCopyOrder), table);
    return at - std::begin(kCopyOrder);
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return std::pair(rank(a), a) < std::pair(rank(b), b);
  });
  const std::vector<std::string> dst_tables = dst.tables();
  std::vector<TablePlan> plan;
  std::string refused;
  for (const std::string& table : names) {
    const std::int64_t rows = src.count(table);
    if (std::find(dst_tables.begin(), dst_tables.end(), table) == dst_tables.end()) {
      if (rows > 0) {
        summary.left_out.push_back({table, rows});
        refused += (refused.empty() ? "" : ", ") + table + " (" + std::to_string(rows) + " rows)";
      }
      continue;
    }
    TablePlan each{table, {}, rows};
    const std::vector<Column> dst_columns = dst.columns(table);
    for (const Column& column : src.columns(table)) {
      const auto on_dst =
          std::find_if(dst_columns.begin(), dst_columns.end(),
                       [&](const Column& other) { return other.name == column.name; });
      if (on_dst != dst_columns.end()) {
        // Written as DST declares it, read as SRC does.
        each.columns.push_back(column);
      } else if (!transient_column(table, column.name)) {
        throw Refused("the column " + table + "." + column.name + " has no place in " + dst_name +
                      " (its schema is older or newer than this investflow's)");
      }
    }
    plan.push_back(std::move(each));
  }
  if (!refused.empty() && !leave_out) {
    throw Refused(dst_name + " has no table for " + refused +
                  ": a store of that kind does not hold them yet (--leave-out-unsupported "
                  "copies the rest)");
  }
  return plan;
}

std::vector<Column> columns_as_on(Side& dst, const TablePlan& table) {
  const std::vector<Column> declared = dst.columns(table.name);
  std::vector<Column> columns;
  for (const Column& column : table.columns) {
    columns.push_back(*std::find_if(declared.begin(), declared.end(), [&](const Column& other) {
      return other.name == column.name;
    }));
  }
  return columns;
}

ProgressFn stage(const CopyOptions& options, std::string_view name) {
  return options.progress ? options.progress(name) : ProgressFn();
}

std::string hex(const Hash& hash) {
  return hex_of(hash.data(), hash.size());
}

void compare_heads(const LogHeads& src, const LogHeads& dst) {
  auto check = [](const char* what, const ChainHead& a, const ChainHead& b) {
    if (a == b) return;
    throw std::runtime_error(std::string("the copy's ") + what + " chain (" +
                             std::to_string(b.size) + ", head " + hex(b.head) +
                             ") differs from the source's (" + std::to_string(a.size) + ", head " +
                             hex(a.head) + ")");
  };
  check("event log", src.events, dst.events);
  check("audit log", src.audit, dst.audit);
}

// The rows, in one snapshot of SRC and one transaction of DST, checked before the commit.
void copy_rows(Side& src, Side& dst, const std::vector<TablePlan>& plan, const ProgressFn& progress,
               CopySummary& summary) {
  std::int64_t total = 0, done = 0;
  for (const TablePlan& table : plan)
    total += table.rows;
  for (const TablePlan& table : plan) {
    std::int64_t rows = 0;
    dst.start_table(table.name, columns_as_on(dst, table));
    src.read(table.name, table.columns, [&](const Row& row) {
      dst.add(row);
      ++rows;
      if (progress && (++done % 1000) == 0) progress(done, total);
    });
    dst.end_table();
    const std::int64_t copied = dst.count(table.name);
    if (rows != table.rows || copied != table.rows) {
      throw std::runtime_error("the table " + table.name + " has " + std::to_string(table.rows) +
                               " rows in the source, " + std::to_string(rows) + " were read and " +
                               std::to_string(copied) + " are in the copy");
    }
    summary.tables.push_back({table.name, rows});
    summary.rows += rows;
  }
  if (progress) progress(total, total);
  summary.rebuilt = dst.finish_write();
  summary.heads = src.heads();
  compare_heads(summary.heads, dst.heads());
}

fs::path staged_path(const fs::path& dst) {
  return dst.string() + ".partial-" + std::to_string(::getpid());
}

void remove_staged(const fs::path& staged) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"})
    fs::remove(staged.string() + suffix, ignored);
  fs::remove_all(files_dir_of(staged), ignored);
}

}  // namespace

Outcome<CopySummary> copy_store(const std::string& src, const std::string& dst,
                                const CopyOptions& options) {
  const bool src_pg = is_postgres_uri(src);
  const bool dst_pg = is_postgres_uri(dst);
  const std::string src_name = src_pg ? redact_uri(src) : src;
  const std::string dst_name = dst_pg ? redact_uri(dst) : dst;
  const fs::path staged = dst_pg ? fs::path() : staged_path(dst);
  fs::path dst_files;
  bool files_copied = false, committed = false;
  // What a failed copy leaves: nothing of its own.
  auto clean_up = [&] {
    if (!dst_pg) {
      remove_staged(staged);
    } else if (files_copied && !committed && !dst_files.empty()) {
      // It was empty or missing: what is there now is this copy's.
      std::error_code ignored;
      for (const auto& entry : fs::directory_iterator(dst_files, ignored))
        fs::remove_all(entry.path(), ignored);
    }
  };
  try {
    if (src == dst) throw Refused("SRC and DST are the same store");
    if (src_pg && dst_pg) {
      throw Refused("both are PostgreSQL databases: copy one with pg_dump and pg_restore");
    }
    if (!src_pg && !fs::exists(src)) throw Refused("no database at " + src);
    // DST first: a copy that would be refused costs no time.
    std::unique_ptr<Side> to;
    PgSide* pg_to = nullptr;
    if (dst_pg) {
      auto side = std::make_unique<PgSide>(dst);
      pg_to = side.get();
      if (check_pg_destination(*side, dst_name)) check_empty(*side, dst_name);
      to = std::move(side);
      dst_files = options.pg_files_dir;
    } else {
      std::error_code error;
      if (fs::exists(dst, error)) {
        throw Refused(dst + " exists: copy writes a new SQLite file (give a name not in use)");
      }
      dst_files = files_dir_of(dst);
    }
    if (!dst_files.empty() && !empty_dir(dst_files)) {
      throw Refused(dst_files.string() +
                    " is not empty: the copy's attached files go to a new "
                    "directory");
    }
    const fs::path src_files = src_pg ? options.pg_files_dir : files_dir_of(src);

    std::unique_ptr<Side> from;
    if (src_pg) {
      from = std::make_unique<PgSide>(src);
    } else {
      from = std::make_unique<SqliteSide>(src, false);
    }
    const std::int64_t attachments =
        from->scalar("SELECT count(*) FROM events WHERE type = 'file_attached'");
    if (attachments > 0 && (src_pg ? src_files : dst_files).empty()) {
      throw Refused(src_name + " holds " + std::to_string(attachments) +
                    " attachments: give the PostgreSQL side's directory of attached files "
                    "(--files-dir)");
    }

    VerifyReport source = verified(src, stage(options, "verifying SRC"));
    if (!source.ok()) {
      throw Refused(src_name + " fails verify (" + std::to_string(source.problems.size()) +
                    " problems), so it is not copied:" + problems_text(source));
    }

    CopySummary summary;
    from->begin_snapshot();
    if (dst_pg) {
      migrate_pg(pg_to->connection());  // refuses a newer schema
    } else {
      to = std::make_unique<SqliteSide>(staged, true);
    }
    to->begin_write();
    try {
      if (dst_pg) check_empty(*to, dst_name);
      const std::vector<TablePlan> plan =
          plan_tables(*from, *to, dst_name, options.leave_out_unsupported, summary);
      copy_rows(*from, *to, plan, stage(options, "copying"), summary);
      const fs::path files_to = dst_pg ? dst_files : files_dir_of(staged);
      if (!files_to.empty() && !src_files.empty()) {
        files_copied = true;
        auto copied = copy_attachment_files(src_files, files_to);
        if (!copied) throw std::runtime_error(copied.error().message);
        summary.files = *copied;
      }
      to->commit();
      committed = true;
    } catch (...) {
      if (pg_to != nullptr) pg_to->rollback();
      throw;
    }
    to.reset();  // a SQLite copy closed before it is verified and renamed
    from.reset();

    const std::string copy = dst_pg ? dst : staged.string();
    summary.verified = verified(copy, stage(options, "verifying the copy"));
    if (!summary.verified.ok()) {
      throw std::runtime_error("the copy fails verify (" +
                               std::to_string(summary.verified.problems.size()) + " problems)" +
                               (dst_pg ? " and stays in " + dst_name : std::string()) + ":" +
                               problems_text(summary.verified));
    }
    if (!dst_pg) {
      if (fs::exists(files_dir_of(staged))) fs::rename(files_dir_of(staged), files_dir_of(dst));
      // A link refuses a DST made meanwhile, which rename would replace; rename where the
      // file system has no links.
      std::error_code linked;
      fs::create_hard_link(staged, dst, linked);
      if (linked == std::errc::file_exists) throw Refused(dst + " was made during the copy");
      if (linked) {
        fs::rename(staged, dst);
      } else {
        fs::remove(staged);
      }
    }
    return summary;
  } catch (const Refused& refused) {
    clean_up();
    return engine::fail(Error{Error::Kind::invalid_request, refused.what()});
  } catch (const std::exception& error) {
    clean_up();
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
