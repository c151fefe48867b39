#include "storage/audit.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "storage/codec.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_schema.hpp"

namespace investflow::storage {

bool is_audit_action(std::string_view action) {
  return std::find(std::begin(kAuditActions), std::end(kAuditActions), action) !=
         std::end(kAuditActions);
}

AuditEntry read_audit_entry(SQLite::Statement& select) {
  return AuditEntry{select.getColumn(0).getInt64(),  select.getColumn(1).getInt64(),
                    select.getColumn(2).getString(), select.getColumn(3).getString(),
                    select.getColumn(4).getString(), select.getColumn(5).getString(),
                    select.getColumn(6).getString(), select.getColumn(7).getString()};
}

AuditEntry read_audit_entry(const PgResult& rows, int row) {
  return AuditEntry{rows.number(row, 0),
                    rows.number(row, 1),
                    std::string(rows.text(row, 2)),
                    std::string(rows.text(row, 3)),
                    std::string(rows.text(row, 4)),
                    std::string(rows.text(row, 5)),
                    std::string(rows.text(row, 6)),
                    std::string(rows.text(row, 7))};
}

boost::json::object audit_json(const AuditEntry& entry) {
  boost::system::error_code error;
  boost::json::value detail = boost::json::parse(entry.detail, error);
  if (error || !detail.is_object()) detail = boost::json::object();
  return boost::json::object{{"id", entry.id},
                             {"at", engine::format_timestamp(entry.at)},
                             {"actor", entry.actor},
                             {"action", entry.action},
                             {"target", entry.target},
                             {"address", entry.address},
                             {"request_id", entry.request_id},
                             {"detail", std::move(detail)}};
}

std::string audit_canonical(const AuditEntry& entry) {
  boost::json::object object;
  object["id"] = entry.id;
  object["at"] = entry.at;
  object["actor"] = entry.actor;
  object["action"] = entry.action;
  object["target"] = entry.target;
  object["address"] = entry.address;
  object["request_id"] = entry.request_id;
  object["detail"] = entry.detail;
  return canonical_json(object);
}

std::int64_t append_audit(SQLite::Database& db, AuditEntry entry) {
  Hash previous = kGenesisHash;
  {
    SQLite::Statement last(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    entry.id = 1;
    if (last.executeStep()) {
      entry.id = last.getColumn(0).getInt64() + 1;
      const SQLite::Column column = last.getColumn(1);
      previous = hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()))
                     .value_or(kGenesisHash);
    }
  }
  const Hash hash = chain_hash(previous, audit_canonical(entry));
  SQLite::Statement insert(db,
                           "INSERT INTO audit_log (id, at, actor, action, target, address, "
                           "request_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)");
  insert.bind(1, entry.id);
  insert.bind(2, entry.at);
  insert.bind(3, entry.actor);
  insert.bind(4, entry.action);
  insert.bind(5, entry.target);
  insert.bind(6, entry.address);
  insert.bind(7, entry.request_id);
  insert.bind(8, entry.detail);
  insert.bind(9, previous.data(), static_cast<int>(previous.size()));
  insert.bind(10, hash.data(), static_cast<int>(hash.size()));
  insert.exec();
  return entry.id;
}

std::vector<AuditEntry> list_audit(SQLite::Database& db, const AuditQuery& query) {
  std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE 1";
  if (query.from) sql += " AND at >= :from";
  if (query.to) sql += " AND at < :to";
  if (!query.actor.empty()) sql += " AND actor = :actor";
  if (!query.action.empty()) sql += " AND action = :action";
  if (query.before) sql += " AND id < :before";
  sql += " ORDER BY id DESC LIMIT :limit";
  SQLite::Statement select(db, sql);
  if (query.from) select.bind(":from", *query.from);
  if (query.to) select.bind(":to", *query.to);
  if (!query.actor.empty()) select.bind(":actor", query.actor);
  if (!query.action.empty()) select.bind(":action", query.action);
  if (query.before) select.bind(":before", *query.before);
  select.bind(":limit", query.limit);
  std::vector<AuditEntry> entries;
  while (select.executeStep())
    entries.push_back(read_audit_entry(select));
  return entries;
}

namespace {

class SqliteAuditTable final : public AuditTable {
 public:
  explicit SqliteAuditTable(const std::string& path) : db_(path, SQLite::OPEN_READWRITE, 5000) {}
  std::int64_t append(const std::deque<AuditEntry>& entries) override {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::int64_t id = 0;
    for (const AuditEntry& entry : entries)
      id = append_audit(db_, entry);
    transaction.commit();
    return id;
  }
  std::vector<AuditEntry> list(const AuditQuery& query) override { return list_audit(db_, query); }

 private:
  SQLite::Database db_;
};

class PgAuditTable final : public AuditTable {
 public:
  explicit PgAuditTable(const std::string& uri) : connection_(uri) {}
  std::int64_t append(const std::deque<AuditEntry>& entries) override {
    return in_transaction(connection_, [&] {
      // Servers appending at once take turns here, so that each links to the last entry.
      connection_.exec("SELECT pg_advisory_xact_lock($1)", PgParams().number(kPgAuditLock));
      PgResult last = connection_.exec("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
      std::int64_t id = last.rows() == 0 ? 0 : last.number(0, 0);
      Hash previous = kGenesisHash;
      if (last.rows() != 0) {
        const std::string bytes = last.bytes(0, 1);
        previous = hash_from_bytes(bytes.data(), bytes.size()).value_or(kGenesisHash);
      }
      PgArray ids, ats, actors, actions, targets, addresses, requests, details, previous_hashes,
          hashes;
      for (AuditEntry entry : entries) {
        entry.id = ++id;
        const Hash hash = chain_hash(previous, audit_canonical(entry));
        ids.number(entry.id);
        ats.number(entry.at);
        actors.text(entry.actor);
        actions.text(entry.action);
        targets.text(entry.target);
        addresses.text(entry.address);
        requests.text(entry.request_id);
        details.text(entry.detail);
        previous_hashes.bytes(previous.data(), previous.size());
        hashes.bytes(hash.data(), hash.size());
        previous = hash;
      }
      PgParams params;
      for (const PgArray* array : {&ids, &ats, &actors, &actions, &targets, &addresses, &requests,
                                   &details, &previous_hashes, &hashes})
        params.text(array->literal());
      connection_.exec(
          "INSERT INTO audit_log (id, at, actor, action, target, address, request_id, detail, "
          "prev_hash, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
          "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[], "
          "$10::bytea[])",
          params);
      return id;
    });
  }
  std::vector<AuditEntry> list(const AuditQuery& query) override {
    std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_log WHERE TRUE";
    PgParams params;
    int n = 0;
    const auto condition = [&](const char* text) {
      sql += std::string(" AND ") + text + " $" + std::to_string(++n);
    };
    if (query.from) condition("at >="), params.number(*query.from);
    if (query.to) condition("at <"), params.number(*query.to);
    if (!query.actor.empty()) condition("actor ="), params.text(query.actor);
    if (!query.action.empty()) condition("action ="), params.text(query.action);
    if (query.before) condition("id <"), params.number(*query.before);
    sql += " ORDER BY id DESC LIMIT $" + std::to_string(++n);
    params.number(query.limit);
    connection_.ensure();
    PgResult rows = connection_.exec(sql, params);
    std::vector<AuditEntry> entries;
    entries.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row)
      entries.push_back(read_audit_entry(rows, row));
    return entries;
  }

 private:
  PgConnection connection_;
};

}  // namespace

std::unique_ptr<AuditTable> open_audit_table(const std::string& database) {
  if (is_postgres_uri(database)) return std::make_unique<PgAuditTable>(database);
  return std::make_unique<SqliteAuditTable>(database);
}

std::int64_t append_audit_entry(const std::string& database, AuditEntry entry) {
  return open_audit_table(database)->append({std::move(entry)});
}

std::vector<AuditEntry> list_audit_entries(const std::string& database, const AuditQuery& query) {
  return open_audit_table(database)->list(query);
}

AuditLog::AuditLog(const std::string& database, std::size_t capacity)
    : table_(open_audit_table(database)), capacity_(capacity) {
  thread_ = std::thread([this] { run(); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AuditLog::record(AuditEntry entry) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::move(entry));
  }
  wake_.notify_one();
}

void AuditLog::flush() {
  std::unique_lock lock(mutex_);
  wake_.notify_one();
  idle_.wait(lock, [this] { return (queue_.empty() && !writing_) || stopping_; });
}

std::vector<AuditEntry> AuditLog::list(const AuditQuery& query) {
  std::lock_guard lock(read_mutex_);
  return table_->list(query);
}

std::int64_t AuditLog::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::int64_t AuditLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

std::int64_t AuditLog::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

bool AuditLog::write(std::deque<AuditEntry>& batch) {
  std::lock_guard lock(read_mutex_);
  try {
    table_->append(batch);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void AuditLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, everything written
    std::deque<AuditEntry> batch;
    batch.swap(queue_);
    writing_ = true;
    lock.unlock();
    const bool stored = write(batch);
    lock.lock();
    writing_ = false;
    if (stored) {
      written_ += static_cast<std::int64_t>(batch.size());
    } else {
      ++failures_;
      // Back in front of anything recorded meanwhile, in order; tried again shortly.
      while (!batch.empty() && queue_.size() < capacity_) {
        queue_.push_front(std::move(batch.back()));
        batch.pop_back();
      }
      dropped_ += static_cast<std::int64_t>(batch.size());
      idle_.notify_all();
      if (stopping_) break;
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      continue;
    }
    idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace investflow::storage
