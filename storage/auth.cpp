#include "storage/auth.hpp"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <stdexcept>
#include <utility>

#include "storage/auth_rows.hpp"
#include "storage/password_policy.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"

namespace investflow::storage {
namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

Digest sha256(std::string_view text) {
  Digest digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  return digest;
}

// The digest as the bytes AuthRows takes.
std::string_view bytes_of(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

Error invalid(std::string message) {
  return Error{Error::Kind::invalid_request, std::move(message)};
}

std::optional<std::string> hash_password(std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> hashed{};
  if (crypto_pwhash_str_alg(hashed.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::nullopt;  // out of memory
  }
  return std::string(hashed.data());
}

// sodium_init is idempotent and thread-safe; randombytes needs it before the first call.
// It fails only when the system has no entropy source, which nothing here can fix.
void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialize");
}

bool is_enabled_admin(const User& user) {
  return !user.disabled &&
         std::find(user.roles.begin(), user.roles.end(), "admin") != user.roles.end();
}

// --- the rows in a SQLite file (schema.cpp) ---

constexpr std::string_view kUserColumns = "id, display_name, roles, disabled, unit";

User read_user(SQLite::Statement& statement) {
  User user;
  user.id = statement.getColumn(0).getString();
  user.display_name = statement.getColumn(1).getString();
  user.roles = roles_from_json(statement.getColumn(2).getString());
  user.disabled = statement.getColumn(3).getInt() != 0;
  user.unit = statement.getColumn(4).getString();
  return user;
}

SavedFilter read_filter(SQLite::Statement& statement) {
  return SavedFilter{statement.getColumn(0).getInt64(), statement.getColumn(1).getString(),
                     statement.getColumn(2).getString(), statement.getColumn(3).getInt64()};
}

void bind_bytes(SQLite::Statement& statement, int index, std::string_view bytes) {
  statement.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

class SqliteAuthRows final : public AuthRows {
 public:
  explicit SqliteAuthRows(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  void transaction(const std::function<void()>& body) override {
    SQLite::Transaction transaction(connection_->db(), SQLite::TransactionBehavior::IMMEDIATE);
    body();
    transaction.commit();
  }

  std::optional<User> user(std::string_view name) override {
    auto select =
        connection_->statement("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?");
    select->bind(1, std::string(name));
    if (!select->executeStep()) return std::nullopt;
    return read_user(*select);
  }

  std::optional<std::pair<User, std::string>> user_with_password(std::string_view name) override {
    auto select = connection_->statement("SELECT " + std::string(kUserColumns) +
                                         ", password_hash FROM users WHERE id = ?");
    select->bind(1, std::string(name));
    if (!select->executeStep() || select->getColumn(5).isNull()) return std::nullopt;
    return std::pair{read_user(*select), select->getColumn(5).getString()};
  }

  std::vector<User> users() override {
    auto select =
        connection_->statement("SELECT " + std::string(kUserColumns) + " FROM users ORDER BY id");
    std::vector<User> users;
    while (select->executeStep())
      users.push_back(read_user(*select));
    return users;
  }

  void insert_user(const User& user, const std::string& password_hash,
                   engine::Timestamp at) override {
    auto insert = connection_->statement(
        "INSERT INTO users (id, display_name, roles, password_hash, disabled, unit, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert->bind(1, user.id);
    insert->bind(2, user.display_name);
    insert->bind(3, roles_to_json(user.roles));
    insert->bind(4, password_hash);
    insert->bind(5, user.disabled ? 1 : 0);
    insert->bind(6, user.unit);
    insert->bind(7, static_cast<std::int64_t>(at));
    insert->bind(8, static_cast<std::int64_t>(at));
    insert->exec();
  }

  bool set_password_hash(std::string_view name, const std::string& password_hash,
                         engine::Timestamp at) override {
    auto update =
        connection_->statement("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    update->bind(1, password_hash);
    update->bind(2, static_cast<std::int64_t>(at));
    update->bind(3, std::string(name));
    return update->exec() > 0;
  }

  bool set_disabled(std::string_view name, bool disabled, engine::Timestamp at) override {
    auto update =
        connection_->statement("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?");
    update->bind(1, disabled ? 1 : 0);
    update->bind(2, static_cast<std::int64_t>(at));
    update->bind(3, std::string(name));
    return update->exec() > 0;
  }

  bool set_unit(std::string_view name, std::string_view unit, engine::Timestamp at) override {
    auto update = connection_->statement("UPDATE users SET unit = ?, updated_at = ? WHERE id = ?");
    update->bind(1, std::string(unit));
    update->bind(2, static_cast<std::int64_t>(at));
    update->bind(3, std::string(name));
    return update->exec() > 0;
  }

  void write_user(const User& user, engine::Timestamp at) override {
    auto write = connection_->statement(
        "UPDATE users SET display_name = ?, roles = ?, disabled = ?, unit = ?, updated_at = ? "
        "WHERE id = ?");
    write->bind(1, user.display_name);
    write->bind(2, roles_to_json(user.roles));
    write->bind(3, user.disabled ? 1 : 0);
    write->bind(4, user.unit);
    write->bind(5, static_cast<std::int64_t>(at));
    write->bind(6, user.id);
    write->exec();
  }

  void delete_user(std::string_view name) override {
    for (const char* sql :
         {"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM api_tokens WHERE user_id = ?",
          "DELETE FROM saved_filters WHERE user_id = ?",
          "DELETE FROM notifications WHERE user_id = ?",
          "DELETE FROM notification_settings WHERE user_id = ?",
          "DELETE FROM users WHERE id = ?"}) {
      auto remove = connection_->statement(sql);
      remove->bind(1, std::string(name));
      remove->exec();
    }
  }

  void insert_session(std::string_view digest, std::string_view user_id,
                      const std::string& csrf_token, engine::Timestamp at,
                      engine::Timestamp expires_at) override {
    auto insert = connection_->statement(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    bind_bytes(*insert, 1, digest);
    insert->bind(2, std::string(user_id));
    insert->bind(3, csrf_token);
    insert->bind(4, static_cast<std::int64_t>(at));
    insert->bind(5, static_cast<std::int64_t>(at));
    insert->bind(6, static_cast<std::int64_t>(expires_at));
    insert->exec();
  }

  std::optional<SessionRow> session(std::string_view digest) override {
    auto select = connection_->statement(
        "SELECT u.id, u.display_name, u.roles, u.disabled, u.unit, s.csrf_token, "
        "s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ?");
    bind_bytes(*select, 1, digest);
    if (!select->executeStep()) return std::nullopt;
    return SessionRow{read_user(*select), select->getColumn(5).getString(),
                      select->getColumn(6).getInt64(), select->getColumn(7).getInt64()};
  }

  void note_session_seen(std::string_view digest, engine::Timestamp at) override {
    auto seen = connection_->statement("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?");
    seen->bind(1, static_cast<std::int64_t>(at));
    bind_bytes(*seen, 2, digest);
    seen->exec();
  }

  void delete_session(std::string_view digest) override {
    auto remove = connection_->statement("DELETE FROM sessions WHERE token_hash = ?");
    bind_bytes(*remove, 1, digest);
    remove->exec();
  }

  void delete_sessions_of(std::string_view user_id) override {
    auto remove = connection_->statement("DELETE FROM sessions WHERE user_id = ?");
    remove->bind(1, std::string(user_id));
    remove->exec();
  }

  void delete_sessions_expired(engine::Timestamp at) override {
    auto expire = connection_->statement("DELETE FROM sessions WHERE expires_at <= ?");
    expire->bind(1, static_cast<std::int64_t>(at));
    expire->exec();
  }

  void insert_token(const TokenInfo& info, std::string_view digest) override {
    auto insert = connection_->statement(
        "INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    insert->bind(1, info.id);
    bind_bytes(*insert, 2, digest);
    insert->bind(3, info.user_id);
    insert->bind(4, info.name);
    insert->bind(5, static_cast<std::int64_t>(info.created_at));
    if (info.expires_at) {
      insert->bind(6, static_cast<std::int64_t>(*info.expires_at));
    } else {
      insert->bind(6);  // NULL: never
    }
    insert->exec();
  }

  std::vector<TokenInfo> tokens(std::optional<std::string_view> user_id) override {
    auto select = connection_->statement(
        "SELECT id, user_id, name, created_at, last_used_at, expires_at, revoked_at "
        "FROM api_tokens WHERE ?1 IS NULL OR user_id = ?1 ORDER BY created_at DESC, id");
    if (user_id) select->bind(1, std::string(*user_id));
    std::vector<TokenInfo> found;
    const auto optional_time = [&](int column) -> std::optional<engine::Timestamp> {
      if (select->getColumn(column).isNull()) return std::nullopt;
      return select->getColumn(column).getInt64();
    };
    while (select->executeStep()) {
      found.push_back(TokenInfo{select->getColumn(0).getString(), select->getColumn(1).getString(),
                                select->getColumn(2).getString(), select->getColumn(3).getInt64(),
                                optional_time(4), optional_time(5), optional_time(6)});
    }
    return found;
  }

  bool revoke_token(std::string_view id, engine::Timestamp at) override {
    auto revoke = connection_->statement(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    revoke->bind(1, static_cast<std::int64_t>(at));
    revoke->bind(2, std::string(id));
    return revoke->exec() > 0;
  }

  void revoke_tokens_of(std::string_view user_id, engine::Timestamp at) override {
    auto revoke = connection_->statement(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
    revoke->bind(1, static_cast<std::int64_t>(at));
    revoke->bind(2, std::string(user_id));
    revoke->exec();
  }

  std::optional<TokenRow> live_token(std::string_view digest, engine::Timestamp at) override {
    auto select = connection_->statement(
        "SELECT u.id, u.display_name, u.roles, u.disabled, u.unit, t.last_used_at "
        "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? "
        "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)");
    bind_bytes(*select, 1, digest);
    select->bind(2, static_cast<std::int64_t>(at));
    if (!select->executeStep()) return std::nullopt;
    TokenRow row{read_user(*select), std::nullopt};
    if (!select->getColumn(5).isNull()) row.last_used_at = select->getColumn(5).getInt64();
    return row;
  }

  void note_token_used(std::string_view digest, engine::Timestamp at) override {
    auto used =
        connection_->statement("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?");
    used->bind(1, static_cast<std::int64_t>(at));
    bind_bytes(*used, 2, digest);
    used->exec();
  }

  std::vector<SavedFilter> saved_filters(std::string_view user_id) override {
    auto select = connection_->statement(
        "SELECT id, name, params, updated_at FROM saved_filters WHERE user_id = ? ORDER BY name");
    select->bind(1, std::string(user_id));
    std::vector<SavedFilter> filters;
    while (select->executeStep())
      filters.push_back(read_filter(*select));
    return filters;
  }

  std::size_t other_filters(std::string_view user_id, std::string_view name) override {
    auto others = connection_->statement(
        "SELECT count(*) FROM saved_filters WHERE user_id = ? AND name <> ?");
    others->bind(1, std::string(user_id));
    others->bind(2, std::string(name));
    others->executeStep();
    return static_cast<std::size_t>(others->getColumn(0).getInt64());
  }

  SavedFilter upsert_filter(std::string_view user_id, std::string_view name,
                            std::string_view params, engine::Timestamp at) override {
    auto upsert = connection_->statement(
        "INSERT INTO saved_filters (user_id, name, params, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id, name) DO UPDATE SET params = excluded.params, "
        "updated_at = excluded.updated_at "
        "RETURNING id, name, params, updated_at");
    upsert->bind(1, std::string(user_id));
    upsert->bind(2, std::string(name));
    upsert->bind(3, std::string(params));
    upsert->bind(4, static_cast<std::int64_t>(at));
    if (!upsert->executeStep()) throw std::runtime_error("saving the filter returned no row");
    SavedFilter saved = read_filter(*upsert);
    while (upsert->executeStep()) {
    }
    return saved;
  }

  bool delete_filter(std::string_view user_id, std::int64_t id) override {
    auto remove = connection_->statement("DELETE FROM saved_filters WHERE id = ? AND user_id = ?");
    remove->bind(1, id);
    remove->bind(2, std::string(user_id));
    return remove->exec() > 0;
  }

 private:
  std::unique_ptr<Connection> connection_;
};

}  // namespace

std::string roles_to_json(const std::vector<std::string>& roles) {
  boost::json::array array;
  for (const auto& role : roles)
    array.emplace_back(role);
  return boost::json::serialize(array);
}

Outcome<std::unique_ptr<AuthRows>> open_sqlite_auth_rows(const std::string& path,
                                                         int busy_timeout_ms) {
  auto version = init_sqlite_database(path);
  if (!version) return engine::fail(version.error());
  if (auto writable = check_writable(path, busy_timeout_ms); !writable) {
    return engine::fail(std::move(writable.error()));
  }
  try {
    auto connection =
        std::make_unique<Connection>(path, Connection::Mode::read_write, busy_timeout_ms);
    return std::unique_ptr<AuthRows>(std::make_unique<SqliteAuthRows>(std::move(connection)));
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

std::vector<std::string> roles_from_json(const std::string& text) {
  std::vector<std::string> roles;
  boost::system::error_code error;
  const boost::json::value json = boost::json::parse(text, error);
  if (error || !json.is_array()) return roles;
  for (const auto& role : json.get_array()) {
    if (role.is_string()) roles.emplace_back(role.get_string());
  }
  return roles;
}

std::string random_secret() {
  ensure_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data(), 64);
}

std::string sha256_hex(std::string_view text) {
  const Digest digest = sha256(text);
  std::array<char, 2 * crypto_hash_sha256_BYTES + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), 2 * crypto_hash_sha256_BYTES);
}

std::string generate_password() {
  ensure_sodium();
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  for (int i = 0; i < 16; ++i) {
    password += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  }
  return password;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  const auto is_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!is_alnum(name.front())) return false;
  for (const char c : name) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// --- AuthStore: every rule, over either database's rows ---

Outcome<std::unique_ptr<AuthStore>> AuthStore::open(const std::string& database,
                                                    AuthOptions options) {
  if (sodium_init() < 0) return engine::fail(Error{Error::Kind::storage, "libsodium failed"});
  auto rows = is_postgres_uri(database) ? open_pg_auth_rows(database)
                                        : open_sqlite_auth_rows(database, options.busy_timeout_ms);
  if (!rows) return engine::fail(std::move(rows.error()));
  return std::unique_ptr<AuthStore>(new AuthStore(std::move(*rows), std::move(options)));
}

AuthStore::AuthStore(std::unique_ptr<AuthRows> rows, AuthOptions options)
    : options_(std::move(options)), rows_(std::move(rows)) {
  if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
}

AuthStore::~AuthStore() = default;

engine::Timestamp AuthStore::now() const {
  return options_.clock->now();
}

Outcome<User> AuthStore::add_user(std::string_view name, const std::vector<std::string>& roles,
                                  std::string_view password, std::string_view display_name) {
  if (!valid_user_name(name)) {
    return engine::fail(
        invalid("user names are 1-64 of a-z 0-9 . _ -, starting with a letter "
                "or digit: '" +
                std::string(name) + "'"));
  }
  if (roles.empty()) return engine::fail(invalid("a user needs at least one role"));
  if (auto weak = weak_password(password)) return engine::fail(invalid(*weak));
  const auto hashed = hash_password(password);
  if (!hashed) return engine::fail(Error{Error::Kind::storage, "argon2id ran out of memory"});
  try {
    const std::lock_guard lock(mutex_);
    if (rows_->user(name)) {
      return engine::fail(invalid("user '" + std::string(name) + "' exists"));
    }
    const std::string shown(display_name.empty() ? name : display_name);
    User added{std::string(name), shown, roles, false, ""};
    rows_->insert_user(added, *hashed, now());
    return added;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<Ok> AuthStore::set_password(std::string_view name, std::string_view password,
                                    bool revoke_tokens) {
  if (auto weak = weak_password(password)) return engine::fail(invalid(*weak));
  const auto hashed = hash_password(password);
  if (!hashed) return engine::fail(Error{Error::Kind::storage, "argon2id ran out of memory"});
  try {
    const std::lock_guard lock(mutex_);
    if (!rows_->set_password_hash(name, *hashed, now())) {
      return engine::fail(invalid("no user '" + std::string(name) + "'"));
    }
    // A new password ends every session started with the old one.
    rows_->delete_sessions_of(name);
    if (revoke_tokens) {
      rows_->revoke_tokens_of(name, now());
      forget_cached_tokens();
    }
    return Ok{};
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::optional<User>> AuthStore::user(std::string_view name) {
  try {
    const std::lock_guard lock(mutex_);
    return rows_->user(name);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::vector<User>> AuthStore::users() {
  try {
    const std::lock_guard lock(mutex_);
    return rows_->users();
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::optional<User>> AuthStore::check_password(std::string_view name,
                                                       std::string_view password) {
  std::optional<User> found;
  std::string hashed;
  try {
    const std::lock_guard lock(mutex_);
    if (auto row = rows_->user_with_password(name)) {
      found = std::move(row->first);
      hashed = std::move(row->second);
    }
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
  if (!found) {
    std::call_once(decoy_once_,
                   [this] { decoy_hash_ = hash_password(random_secret()).value_or(""); });
    hashed = decoy_hash_;
  }
  const bool matches =
      crypto_pwhash_str_verify(hashed.c_str(), password.data(), password.size()) == 0;
  if (!found || found->disabled || !matches) return std::optional<User>();
  return found;
}

Outcome<NewSession> AuthStore::start_session(std::string_view user_id) {
  try {
    const std::lock_guard lock(mutex_);
    auto found = rows_->user(user_id);
    if (!found) return engine::fail(invalid("no user '" + std::string(user_id) + "'"));
    NewSession started{random_secret(), Session{std::move(*found), random_secret(), 0}};
    const engine::Timestamp at = now();
    started.session.expires_at = at + options_.session_lifetime.count();
    // Expired sessions are removed as new ones start, so the table stays small.
    rows_->delete_sessions_expired(at);
    rows_->insert_session(bytes_of(sha256(started.id)), user_id, started.session.csrf_token, at,
                          started.session.expires_at);
    return started;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::optional<Session>> AuthStore::session(std::string_view id) {
  try {
    const Digest digest = sha256(id);
    const std::lock_guard lock(mutex_);
    auto row = rows_->session(bytes_of(digest));
    if (!row) return std::optional<Session>();
    const engine::Timestamp at = now();
    if (row->user.disabled || row->expires_at <= at ||
        row->last_seen_at + options_.session_idle_timeout.count() <= at) {
      return std::optional<Session>();
    }
    if (at - row->last_seen_at >= 60'000) rows_->note_session_seen(bytes_of(digest), at);
    return std::optional<Session>(
        Session{std::move(row->user), std::move(row->csrf_token), row->expires_at});
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<Ok> AuthStore::end_session(std::string_view id) {
  try {
    const Digest digest = sha256(id);
    const std::lock_guard lock(mutex_);
    rows_->delete_session(bytes_of(digest));
    return Ok{};
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<Ok> AuthStore::set_disabled(std::string_view name, bool disabled) {
  try {
    const std::lock_guard lock(mutex_);
    if (!rows_->set_disabled(name, disabled, now())) {
      return engine::fail(invalid("no user '" + std::string(name) + "'"));
    }
    if (disabled) end_access(name);
    return Ok{};
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<Ok> AuthStore::set_unit(std::string_view name, std::string_view unit) {
  try {
    const std::lock_guard lock(mutex_);
    if (!rows_->set_unit(name, unit, now())) {
      return engine::fail(invalid("no user '" + std::string(name) + "'"));
    }
    forget_cached_tokens();
    return Ok{};
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

void AuthStore::end_access(std::string_view name) {
  rows_->delete_sessions_of(name);
  forget_cached_tokens();
}

bool AuthStore::another_enabled_admin(std::string_view name) {
  const std::vector<User> all = rows_->users();
  return std::any_of(all.begin(), all.end(),
                     [&](const User& user) { return user.id != name && is_enabled_admin(user); });
}

Outcome<AccountChange> AuthStore::update_user(std::string_view name, const UserUpdate& update) {
  if (update.roles && update.roles->empty()) {
    return engine::fail(invalid("a user needs at least one role"));
  }
  if (update.display_name && update.display_name->empty()) {
    return engine::fail(invalid("a user's display name may not be empty"));
  }
  try {
    const std::lock_guard lock(mutex_);
    AccountChange outcome = AccountChange::done;
    bool forget_tokens = false;
    rows_->transaction([&] {
      auto found = rows_->user(name);
      if (!found) {
        outcome = AccountChange::no_such_user;
        return;
      }
      User changed = *found;
      if (update.display_name) changed.display_name = *update.display_name;
      if (update.roles) changed.roles = *update.roles;
      if (update.disabled) changed.disabled = *update.disabled;
      if (update.unit) changed.unit = *update.unit;
      if (is_enabled_admin(*found) && !is_enabled_admin(changed) && !another_enabled_admin(name)) {
        outcome = AccountChange::last_admin;
        return;
      }
      rows_->write_user(changed, now());
      if (changed.disabled && !found->disabled) end_access(name);
      // Tokens checked lately carry the old roles in the cache: look them up again.
      forget_tokens = changed.roles != found->roles || changed.unit != found->unit;
    });
    if (forget_tokens) forget_cached_tokens();
    return outcome;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<AccountChange> AuthStore::delete_user(std::string_view name) {
  try {
    const std::lock_guard lock(mutex_);
    AccountChange outcome = AccountChange::done;
    rows_->transaction([&] {
      auto found = rows_->user(name);
      if (!found) {
        outcome = AccountChange::no_such_user;
      } else if (is_enabled_admin(*found) && !another_enabled_admin(name)) {
        outcome = AccountChange::last_admin;
      } else {
        // What is theirs alone goes; what they did (events, the audit log, comments,
        // projects they own) keeps their login name as text.
        rows_->delete_user(name);
      }
    });
    if (outcome == AccountChange::done) forget_cached_tokens();
    return outcome;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

void AuthStore::forget_cached_tokens() {
  const std::unique_lock write(token_cache_mutex_);
  token_cache_.clear();
}

Outcome<std::vector<TokenInfo>> AuthStore::tokens(std::optional<std::string_view> user_id) {
  try {
    const std::lock_guard lock(mutex_);
    return rows_->tokens(user_id);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<bool> AuthStore::revoke_token(std::string_view id) {
  try {
    const std::lock_guard lock(mutex_);
    const bool revoked = rows_->revoke_token(id, now());
    if (revoked) forget_cached_tokens();
    return revoked;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::string> AuthStore::issue_token(std::string_view user_id, std::string_view token_name,
                                            std::optional<engine::Timestamp> expires_at) {
  auto made = create_token(user_id, token_name, expires_at);
  if (!made) return engine::fail(std::move(made.error()));
  return std::move(made->secret);
}

Outcome<NewToken> AuthStore::create_token(std::string_view user_id, std::string_view token_name,
                                          std::optional<engine::Timestamp> expires_at) {
  try {
    const std::lock_guard lock(mutex_);
    if (!rows_->user(user_id))
      return engine::fail(invalid("no user '" + std::string(user_id) + "'"));
    NewToken made{random_secret(), {}};
    // The public id is random too: a listing must not reveal anything about the secret.
    made.info.id = random_secret().substr(0, 16);
    made.info.user_id = std::string(user_id);
    made.info.name = std::string(token_name);
    made.info.created_at = now();
    made.info.expires_at = expires_at;
    rows_->insert_token(made.info, bytes_of(sha256(made.secret)));
    return made;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<std::optional<User>> AuthStore::token_user(std::string_view secret) {
  try {
    const Digest digest = sha256(secret);
    const std::string key(digest.begin(), digest.end());
    if (auto trusted = trusted_token(key)) return trusted;
    std::optional<User> user = lookup_token(bytes_of(digest));
    if (options_.token_cache_ttl.count() > 0 && user) {
      const std::unique_lock write(token_cache_mutex_);
      if (token_cache_.size() >= kTokenCacheLimit) token_cache_.clear();
      token_cache_[key] = {*user, std::chrono::steady_clock::now() + options_.token_cache_ttl};
    }
    return user;
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

std::optional<User> AuthStore::cached_token_user(std::string_view secret) {
  const Digest digest = sha256(secret);
  return trusted_token(std::string(digest.begin(), digest.end()));
}

std::optional<User> AuthStore::trusted_token(const std::string& key) {
  if (options_.token_cache_ttl.count() <= 0) return std::nullopt;
  const std::shared_lock read(token_cache_mutex_);
  if (const auto it = token_cache_.find(key);
      it != token_cache_.end() && std::chrono::steady_clock::now() < it->second.until) {
    return it->second.user;
  }
  return std::nullopt;
}

// Unknown, revoked, expired and disabled: nullopt. Throws on database errors.
std::optional<User> AuthStore::lookup_token(std::string_view digest) {
  const std::lock_guard lock(mutex_);
  const engine::Timestamp at = now();
  auto row = rows_->live_token(digest, at);
  if (!row || row->user.disabled) return std::nullopt;
  // Use is noted at most once a minute (and a cached token is not looked up at all), so
  // the time shown is when the token was last checked, to within a minute or so.
  if (at - row->last_used_at.value_or(0) >= 60'000) rows_->note_token_used(digest, at);
  return std::move(row->user);
}

Outcome<std::vector<SavedFilter>> AuthStore::saved_filters(std::string_view user_id) {
  try {
    const std::lock_guard lock(mutex_);
    return rows_->saved_filters(user_id);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<SavedFilter> AuthStore::save_filter(std::string_view user_id, std::string_view name,
                                            std::string_view params) {
  try {
    const std::lock_guard lock(mutex_);
    std::optional<SavedFilter> saved;
    rows_->transaction([&] {
      if (rows_->other_filters(user_id, name) >= kMostSavedFilters) return;
      saved = rows_->upsert_filter(user_id, name, params, now());
    });
    if (!saved) {
      return engine::fail(
          invalid("at most " + std::to_string(kMostSavedFilters) + " saved filters per user"));
    }
    return std::move(*saved);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

Outcome<bool> AuthStore::delete_filter(std::string_view user_id, std::int64_t id) {
  try {
    const std::lock_guard lock(mutex_);
    return rows_->delete_filter(user_id, id);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
