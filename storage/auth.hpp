#pragma once
// People and their credentials: users with roles, login sessions and API tokens, on the
// users / sessions / api_tokens tables (schema.cpp, migration 3), in a SQLite file or in a
// PostgreSQL database (pg_schema.cpp, migration 2) that several servers share.
//
// Secrets are never stored: passwords as libsodium argon2id strings (crypto_pwhash_str),
// session ids and API tokens (random 256-bit values) as their SHA-256. So checking a
// session or a token is one hash and one primary-key lookup (microseconds), and only a
// login pays for an argon2 run.
//
// Thread safety: every member may be called from any thread. One read-write connection,
// used under a mutex; argon2 runs outside it so a login never blocks other requests.
// Every rule lives here; the rows are read and written by an AuthRows (auth_rows.hpp), one
// per kind of database.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/date.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

class AuthRows;  // auth_rows.hpp: no database in the interface

struct User {
  std::string id;  // the login name
  std::string display_name;
  std::vector<std::string> roles;
  bool disabled = false;
  // The unit (部门/招商单位) the user works in; what `visibility: {ROLE: {unit: FIELD}}`
  // compares a project's field with (engine/visibility.hpp). Empty: none.
  std::string unit = {};
};

// users.roles as stored (a JSON array of names); anything else reads as no role.
std::vector<std::string> roles_from_json(const std::string& text);

// An API token as listed: never its secret.
struct TokenInfo {
  std::string id;  // public
  std::string user_id;
  std::string name;
  engine::Timestamp created_at = 0;
  std::optional<engine::Timestamp> last_used_at;
  std::optional<engine::Timestamp> expires_at;
  std::optional<engine::Timestamp> revoked_at;
};

// A change to a user's account (AuthStore::update_user); what is absent stays.
struct UserUpdate {
  std::optional<std::string> display_name;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
  std::optional<std::string> unit;  // data scope; "" clears it
};

// What became of a change to an account that may be refused for what it would leave.
enum class AccountChange {
  done,
  no_such_user,
  last_admin,  // it would leave no enabled admin: nobody could manage users any more
};

// A token just made: its secret, known only to this result, and how it is listed.
struct NewToken {
  std::string secret;
  TokenInfo info;
};

// A login session as the HTTP layer needs it: whose it is and the CSRF token that every
// unsafe request of the session must echo.
struct Session {
  User user;
  std::string csrf_token;
  engine::Timestamp expires_at = 0;
};

// A named filter of the project list that a user saved (table saved_filters, migration 16):
// `params` is a JSON object of the list's query parameters, checked by the caller.
struct SavedFilter {
  std::int64_t id = 0;
  std::string name;
  std::string params;
  engine::Timestamp updated_at = 0;
};
// How many filters one user may keep: a menu, not a store.
inline constexpr std::size_t kMostSavedFilters = 50;

// A session just started: `id` is the cookie value, known only to this result.
struct NewSession {
  std::string id;
  Session session;
};

struct AuthOptions {
  // A session ends this long after it started, however busy (serve --session-lifetime)...
  std::chrono::milliseconds session_lifetime = std::chrono::hours(8);
  int busy_timeout_ms = 10000;
  std::shared_ptr<const engine::Clock> clock;  // null: the system clock
  // How long a checked API token is trusted without asking the database again. Every API
  // call presents its token; a lookup under the connection's lock on each one held every
  // request thread in line. A token revoked or a user disabled by another process (the
  // CLI, sqlite3) stops working within this time. Zero: always ask the database.
  std::chrono::milliseconds token_cache_ttl = std::chrono::seconds(1);
  // A session also ends once it has gone unused this long (serve --session-idle). Use is
  // noted at most once a minute, so a session may end up to a minute sooner than this.
  std::chrono::milliseconds session_idle_timeout = std::chrono::minutes(30);
};

class AuthStore {
 public:
  // Creates and migrates the database when needed: a SQLite file, or the PostgreSQL
  // database a postgresql:// (postgres://) URI names.
  static Outcome<std::unique_ptr<AuthStore>> open(const std::string& database,
                                                  AuthOptions options = {});
  ~AuthStore();
  AuthStore(const AuthStore&) = delete;
  AuthStore& operator=(const AuthStore&) = delete;

  // --- users ---
  // Fails (invalid_request) when the name is taken or malformed, roles are empty, or the
  // password is weak (storage/password_policy.hpp). The display name is the login name
  // unless given. Roles are checked against the workflows by the caller (known_roles.hpp).
  Outcome<User> add_user(std::string_view name, const std::vector<std::string>& roles,
                         std::string_view password, std::string_view display_name = {});
  // A new password (storage/password_policy.hpp) ends the user's sessions; with
  // `revoke_tokens` their API tokens too.
  Outcome<Ok> set_password(std::string_view name, std::string_view password,
                           bool revoke_tokens = false);
  // A disabled user cannot log in, and their sessions and tokens stop working (sessions
  // are ended); enabling gives the tokens back. Fails when there is no such user.
  // This is the command line's way back in: it may disable the last admin (use
  // update_user to refuse that).
  Outcome<Ok> set_disabled(std::string_view name, bool disabled);
  // The user's unit (data scope); empty clears it. Takes effect with their next request.
  Outcome<Ok> set_unit(std::string_view name, std::string_view unit);
  // Changes the display name, the roles or the state in one transaction; disabling ends the
  // user's sessions and stops their tokens as set_disabled does. Refused (last_admin) when
  // no enabled admin would be left. invalid_request for empty roles or an empty name.
  Outcome<AccountChange> update_user(std::string_view name, const UserUpdate& update);
  // Removes the account with its sessions, API tokens, saved filters and inbox. Events and
  // the audit log keep the login name as text (history is never rewritten). Refused
  // (last_admin) for the last enabled admin.
  Outcome<AccountChange> delete_user(std::string_view name);
  Outcome<std::optional<User>> user(std::string_view name);
  Outcome<std::vector<User>> users();
  // The user when the password is right and the user is enabled; nullopt otherwise.
  Outcome<std::optional<User>> check_password(std::string_view name, std::string_view password);

  // --- sessions ---
  Outcome<NewSession> start_session(std::string_view user_id);
  // The session when it exists, has been used within the idle timeout, has not reached its
  // lifetime and its user is enabled; notes the use.
  Outcome<std::optional<Session>> session(std::string_view id);
  Outcome<Ok> end_session(std::string_view id);

  // --- API tokens ---
  // Returns the secret; it is shown once and stored only as its hash. It stops working at
  // `expires_at` (nullopt: never).
  Outcome<std::string> issue_token(std::string_view user_id, std::string_view token_name,
                                   std::optional<engine::Timestamp> expires_at = std::nullopt);
  // The same, with the token as tokens() lists it (its public id for revoke_token).
  Outcome<NewToken> create_token(std::string_view user_id, std::string_view token_name,
                                 std::optional<engine::Timestamp> expires_at = std::nullopt);
  // Every token (of one user when `user_id` is given), newest first; secrets are not kept.
  Outcome<std::vector<TokenInfo>> tokens(std::optional<std::string_view> user_id = std::nullopt);
  // Revokes the token with this public id; false when there is none or it was revoked.
  Outcome<bool> revoke_token(std::string_view id);
  // The token's user, when the token exists, is not revoked and the user is enabled.
  Outcome<std::optional<User>> token_user(std::string_view secret);
  // The same from memory only: the user when the token was checked within the cache's
  // lifetime, nullopt otherwise (then ask token_user). Never touches the database.
  std::optional<User> cached_token_user(std::string_view secret);

  // --- saved filters of the project list, per user ---
  // The user's filters in name order.
  Outcome<std::vector<SavedFilter>> saved_filters(std::string_view user_id);
  // Saves `params` under `name`, replacing the user's filter of that name. invalid_request
  // when the user has kMostSavedFilters others already. Returns the filter as stored.
  Outcome<SavedFilter> save_filter(std::string_view user_id, std::string_view name,
                                   std::string_view params);
  // False when the user has no filter with that id (another user's is not theirs).
  Outcome<bool> delete_filter(std::string_view user_id, std::int64_t id);

 private:
  AuthStore(std::unique_ptr<AuthRows> rows, AuthOptions options);
  engine::Timestamp now() const;
  // Whether an enabled admin other than `name` exists. REQUIRES(mutex_)
  bool another_enabled_admin(std::string_view name);
  // Disabling: the user's sessions end and every cached token is looked up again.
  // REQUIRES(mutex_)
  void end_access(std::string_view name);
  std::optional<User> lookup_token(std::string_view digest);
  // The user of the token whose SHA-256 is `key`, when checked within the cache's lifetime.
  std::optional<User> trusted_token(const std::string& key);
  // After a revocation or a disabled user: every token is looked up again.
  void forget_cached_tokens();

  AuthOptions options_;
  // A hash of no one's password: checking an unknown user's login against it costs what a
  // known user's does, so response times do not reveal which names exist.
  std::once_flag decoy_once_;
  std::string decoy_hash_;
  std::mutex mutex_;
  std::unique_ptr<AuthRows> rows_;  // GUARDED_BY(mutex_)

  // SHA-256 of a token -> its user, trusted until `until` (options_.token_cache_ttl).
  struct TrustedToken {
    User user;
    std::chrono::steady_clock::time_point until;
  };
  static constexpr std::size_t kTokenCacheLimit = 4096;  // then it starts over
  std::shared_mutex token_cache_mutex_;
  std::unordered_map<std::string, TrustedToken> token_cache_;  // GUARDED_BY(token_cache_mutex_)
};

// 256 random bits as 64 lower-case hex digits (session ids, CSRF and API tokens).
std::string random_secret();
// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);
// A password to hand out: 16 characters from an alphabet without look-alikes.
std::string generate_password();
// Login names: [a-z0-9._-], 1..64 characters, starting with a letter or digit.
bool valid_user_name(std::string_view name);

}  // namespace investflow::storage
