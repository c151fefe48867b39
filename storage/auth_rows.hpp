#pragma once
// The rows behind AuthStore (auth.hpp), one implementation per database: SQLite
// (auth.cpp, tables of schema.cpp) and PostgreSQL (pg_auth.cpp, pg_schema.cpp
// migration 2). Only reading and writing rows lives here; every rule (password policy,
// session lifetimes, the last admin, the token cache, ...) stays in AuthStore, which calls
// these under its mutex, one call at a time. Internal to storage/: not for other callers.
//
// Members throw on database errors (SQLite::Exception, PgError); AuthStore turns them into
// storage errors. Hashes (`digest`) are the 32 bytes of a SHA-256.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/auth.hpp"

namespace investflow::storage {

// A session's row with its user.
struct SessionRow {
  User user;
  std::string csrf_token;
  engine::Timestamp expires_at = 0;
  engine::Timestamp last_seen_at = 0;
};

// A live token's (not revoked, not expired) user and when it was last noted in use.
struct TokenRow {
  User user;
  std::optional<engine::Timestamp> last_used_at;
};

class AuthRows {
 public:
  virtual ~AuthRows() = default;

  // Runs `body` (calls of this object) as one transaction, which waits for every other
  // AuthRows transaction on the same database, in this process or another (SQLite: BEGIN
  // IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock); rolls back when it throws.
  virtual void transaction(const std::function<void()>& body) = 0;

  // --- users ---
  virtual std::optional<User> user(std::string_view name) = 0;
  // The user with their password hash; nullopt when there is no such user or no password.
  virtual std::optional<std::pair<User, std::string>> user_with_password(std::string_view name) = 0;
  virtual std::vector<User> users() = 0;  // by name
  virtual void insert_user(const User& user, const std::string& password_hash,
                           engine::Timestamp at) = 0;
  // Each false when there is no such user.
  virtual bool set_password_hash(std::string_view name, const std::string& password_hash,
                                 engine::Timestamp at) = 0;
  virtual bool set_disabled(std::string_view name, bool disabled, engine::Timestamp at) = 0;
  virtual bool set_unit(std::string_view name, std::string_view unit, engine::Timestamp at) = 0;
  // Writes the display name, roles, disabled state and unit of `user.id`.
  virtual void write_user(const User& user, engine::Timestamp at) = 0;
  // The user's row and every row that is theirs alone: sessions, API tokens, saved filters,
  // inbox and inbox settings.
  virtual void delete_user(std::string_view name) = 0;

  // --- sessions ---
  virtual void insert_session(std::string_view digest, std::string_view user_id,
                              const std::string& csrf_token, engine::Timestamp at,
                              engine::Timestamp expires_at) = 0;
  virtual std::optional<SessionRow> session(std::string_view digest) = 0;
  virtual void note_session_seen(std::string_view digest, engine::Timestamp at) = 0;
  virtual void delete_session(std::string_view digest) = 0;
  virtual void delete_sessions_of(std::string_view user_id) = 0;
  // Sessions that expire at or before `at`.
  virtual void delete_sessions_expired(engine::Timestamp at) = 0;

  // --- API tokens ---
  virtual void insert_token(const TokenInfo& info, std::string_view digest) = 0;
  // Newest first (then by id); every user's when `user_id` is nullopt.
  virtual std::vector<TokenInfo> tokens(std::optional<std::string_view> user_id) = 0;
  // False when there is no such token or it was revoked.
  virtual bool revoke_token(std::string_view id, engine::Timestamp at) = 0;
  virtual void revoke_tokens_of(std::string_view user_id, engine::Timestamp at) = 0;
  // The token when it is not revoked and not expired at `at`.
  virtual std::optional<TokenRow> live_token(std::string_view digest, engine::Timestamp at) = 0;
  virtual void note_token_used(std::string_view digest, engine::Timestamp at) = 0;

  // --- saved filters ---
  virtual std::vector<SavedFilter> saved_filters(std::string_view user_id) = 0;  // by name
  // The user's filters not named `name`.
  virtual std::size_t other_filters(std::string_view user_id, std::string_view name) = 0;
  // Inserts or replaces the user's filter of that name; returns it as stored.
  virtual SavedFilter upsert_filter(std::string_view user_id, std::string_view name,
                                    std::string_view params, engine::Timestamp at) = 0;
  virtual bool delete_filter(std::string_view user_id, std::int64_t id) = 0;
};

// users.roles as stored: a JSON array of names (roles_from_json reads it back).
std::string roles_to_json(const std::vector<std::string>& roles);

// auth.cpp: the SQLite file (created and migrated when needed), read-write.
Outcome<std::unique_ptr<AuthRows>> open_sqlite_auth_rows(const std::string& path,
                                                         int busy_timeout_ms);
// pg_auth.cpp: the PostgreSQL database at `uri` (migrated when needed).
Outcome<std::unique_ptr<AuthRows>> open_pg_auth_rows(const std::string& uri);

}  // namespace investflow::storage
