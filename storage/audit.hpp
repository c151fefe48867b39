#pragma once
// The security audit log: who signed in or failed to (and from where), who signed out, what
// was refused for lack of permission, changes to users, roles, tokens and webhooks, exports
// and report downloads, backups, workflow deploys and migrations. One append-only table
// (audit_log, schema 18), chained like the events: hash = SHA-256(prev_hash || canonical
// JSON of the entry), so the signed digests (anchor.hpp) cover it too. Entries are never
// deleted by investflow (kept well beyond the 180 days 等保 level 3 asks for).

#include <boost/json/object.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/date.hpp"
#include "storage/hash_chain.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace investflow::storage {

class PgResult;

struct AuditEntry {
  std::int64_t id = 0;  // given when appended
  engine::Timestamp at = 0;
  std::string actor;          // user id; "" when nobody is signed in
  std::string action;         // one of kAuditActions
  std::string target;         // what it concerned: a user, a token, a webhook, a path, a file
  std::string address;        // the client's address; "cli" from the command line
  std::string request_id;     // "" from the command line
  std::string detail = "{}";  // a JSON object (canonical)
  bool operator==(const AuditEntry&) const = default;
};

// The actions, one vocabulary for the server, the CLI, the API's filter and the console.
inline constexpr std::string_view kAuditActions[] = {
    "login",              // signed in
    "login_failed",       // a wrong password, an unknown or disabled user (detail: reason)
    "logout",             // signed out
    "denied",             // a request refused for lack of permission (target: method and path)
    "user_created",       // target: the user; detail: roles
    "user_changed",       // roles, name, unit or contact (detail: what)
    "user_disabled",      //
    "user_enabled",       //
    "user_deleted",       // the account, its sessions and tokens removed (history keeps the name)
    "password_changed",   // detail: tokens_revoked
    "token_created",      // target: the token's id; detail: user, name, expires_at
    "token_revoked",      //
    "webhook_created",    // target: the webhook's id; detail: url
    "webhook_changed",    //
    "webhook_deleted",    //
    "export",             // projects or a ledger written out (target: what; detail: format)
    "report_download",    // a report as a file (target: the report)
    "backup",             // target: the copy
    "workflow_deployed",  // target: workflow@version
    "projects_migrated",  // target: workflow; detail: versions and count
};
bool is_audit_action(std::string_view action);

// The entry's columns as a SELECT lists them for read_audit_entry, which reads them from
// the statement's first column on.
inline constexpr std::string_view kAuditColumns =
    "id, at, actor, action, target, address, request_id, detail";
AuditEntry read_audit_entry(SQLite::Statement& select);
// The same from row `row` of a PostgreSQL result, from its first column on.
AuditEntry read_audit_entry(const PgResult& rows, int row);
// As the API and `investflow audit --json` give it: the time in RFC 3339 (+08:00), the
// detail as an object.
boost::json::object audit_json(const AuditEntry& entry);

// The text the entry's hash covers (every column but the hashes).
std::string audit_canonical(const AuditEntry& entry);

// Appends `entry` in the caller's transaction (or its own statement's), linked to the last
// one; returns its id.
std::int64_t append_audit(SQLite::Database& db, AuditEntry entry);

struct AuditQuery {
  std::optional<engine::Timestamp> from;  // at >= from
  std::optional<engine::Timestamp> to;    // at < to
  std::string actor;                      // "" any
  std::string action;                     // "" any
  std::optional<std::int64_t> before;     // id < before: the next page, newest first
  int limit = 100;
};
// Newest first.
std::vector<AuditEntry> list_audit(SQLite::Database& db, const AuditQuery& query);

// The same on any database the stores take (a SQLite file or a postgresql:// URI; on
// PostgreSQL, appenders on several servers extend one chain): one entry appended in its own
// transaction (the command line's way), and a page of entries. Both throw on failure.
std::int64_t append_audit_entry(const std::string& database, AuditEntry entry);
std::vector<AuditEntry> list_audit_entries(const std::string& database, const AuditQuery& query);

// Where an AuditLog keeps its entries: the audit_log table of a SQLite file or of a
// PostgreSQL database.
class AuditTable {
 public:
  virtual ~AuditTable() = default;
  // In one transaction, in order, each linked to the one before; returns the last one's id.
  // Throws on failure.
  virtual std::int64_t append(const std::deque<AuditEntry>& entries) = 0;
  virtual std::vector<AuditEntry> list(const AuditQuery& query) = 0;
};
// Opens the database (a file path or a postgresql:// URI) for the audit log; throws.
std::unique_ptr<AuditTable> open_audit_table(const std::string& database);

// The server's audit log: record() queues an entry and returns at once (it is called on I/O
// threads, for every refused request too); a thread of its own appends what is queued, in
// one transaction per wake-up, through its own connection. An entry a write fails to store
// stays queued and is tried again (a full disk, a lock held too long); at most `capacity`
// wait, the oldest given up first (counted in dropped()).
class AuditLog {
 public:
  // `database`: a SQLite file or a postgresql:// URI. Throws when it cannot be opened.
  explicit AuditLog(const std::string& database, std::size_t capacity = 100'000);
  ~AuditLog();  // writes what is queued, then stops
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void record(AuditEntry entry);
  // Returns once every entry recorded before the call is stored (or failed to be).
  void flush();
  std::vector<AuditEntry> list(const AuditQuery& query);

  std::int64_t written() const;
  std::int64_t dropped() const;
  std::int64_t failures() const;

 private:
  void run();
  bool write(std::deque<AuditEntry>& batch);

  std::unique_ptr<AuditTable> table_;  // the writer thread's (and list()'s, under read_mutex_)
  std::mutex read_mutex_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<AuditEntry> queue_;  // GUARDED_BY(mutex_)
  bool writing_ = false;          // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::int64_t written_ = 0;      // GUARDED_BY(mutex_)
  std::int64_t dropped_ = 0;      // GUARDED_BY(mutex_)
  std::int64_t failures_ = 0;     // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace investflow::storage
