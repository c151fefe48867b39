#pragma once
// The security audit log: who signed in or failed to (and from where), who signed out, what
// was refused for lack of permission, changes to users, roles, tokens and webhooks, exports
// and report downloads, backups, workflow deploys and migrations. One append-only table
// (audit_log, schema 18), chained like the events: hash = SHA-256(prev_hash || canonical
// JSON of the entry), so the signed digests (anchor.hpp) cover it too. Entries are never
// deleted by investflow (kept well beyond the 180 days 等保 level 3 asks for).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/date.hpp"
#include "storage/hash_chain.hpp"

namespace SQLite {
class Database;
}

namespace investflow::storage {

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
    "digest_signed",      // target: the digest file
};
bool is_audit_action(std::string_view action);

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

}  // namespace investflow::storage
