// AuthStore's rows (auth_rows.hpp) in PostgreSQL: the tables of pg_schema.cpp's migrations 1
// (users) and 2 (the units, sessions, API tokens, saved filters), shared by every server
// on the database. One connection, used under AuthStore's mutex.
//
// A read that finds the connection lost (the server restarted while it was idle) runs once
// more on a new connection: it changed nothing. A write is never repeated: whether the lost
// one committed cannot be known, and the caller is told it failed. Inside a transaction
// nothing is repeated either.

#include <utility>

#include "storage/auth_rows.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_schema.hpp"

namespace investflow::storage {
namespace {

// What read_user reads, in its order. (Lists sort by bytes, as in SQLite, whatever the
// database's collation: COLLATE "C" in the queries and the schema.)
constexpr std::string_view kUserColumns = "id, display_name, roles::text, disabled, unit";

User read_user(const PgResult& rows, int row) {
  User user;
  user.id = std::string(rows.text(row, 0));
  user.display_name = std::string(rows.text(row, 1));
  user.roles = roles_from_json(std::string(rows.text(row, 2)));
  user.disabled = rows.number(row, 3) != 0;
  user.unit = std::string(rows.text(row, 4));
  return user;
}

std::optional<engine::Timestamp> optional_time(const PgResult& rows, int row, int column) {
  if (rows.null(row, column)) return std::nullopt;
  return rows.number(row, column);
}

SavedFilter read_filter(const PgResult& rows, int row) {
  return SavedFilter{rows.number(row, 0), std::string(rows.text(row, 1)),
                     std::string(rows.text(row, 2)), rows.number(row, 3)};
}

PgParams& digest_param(PgParams& params, std::string_view digest) {
  return params.bytes(digest.data(), digest.size());
}

// Taken by every transaction of auth rows (update_user, delete_user, save_filter), so that
// two servers deciding "is another admin left?" or "has the user room for a filter?" decide
// one after the other, as SQLite's BEGIN IMMEDIATE makes them.
constexpr std::int64_t kAuthLock = kPgAuthLock;

class PgAuthRows final : public AuthRows {
 public:
  explicit PgAuthRows(std::unique_ptr<PgConnection> connection)
      : connection_(std::move(connection)) {}

 private:
  // A read: on a lost connection, once more on a new one (never inside a transaction,
  // whose earlier statements the new connection would not have).
  template <typename Query>
  auto read(Query query) {
    if (in_transaction_) return query(*connection_);
    for (int attempt = 0;; ++attempt) {
      try {
        connection_->ensure();
        return query(*connection_);
      } catch (const PgError& error) {
        if (!error.connection_lost() || attempt > 0) throw;
        connection_->reconnect();  // throws (connection_lost) while the server is away
      }
    }
  }

  // A write: on a connection that is known to be usable first (a broken idle one is
  // replaced before anything is sent), and never repeated.
  template <typename Statement>
  auto write(Statement statement) {
    if (!in_transaction_) connection_->ensure();
    return statement(*connection_);
  }

 public:
  void transaction(const std::function<void()>& body) override {
    in_transaction(*connection_, [&] {
      connection_->exec("SELECT pg_advisory_xact_lock($1)", PgParams().number(kAuthLock));
      struct Inside {
        bool& flag;
        explicit Inside(bool& f) : flag(f) { flag = true; }
        ~Inside() { flag = false; }
        Inside(const Inside&) = delete;
        Inside& operator=(const Inside&) = delete;
      } inside(in_transaction_);
      body();
    });
  }

  std::optional<User> user(std::string_view name) override {
    return read([&](PgConnection& connection) -> std::optional<User> {
      PgResult rows =
          connection.exec("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = $1",
                          PgParams().text(std::string(name)));
      if (rows.rows() == 0) return std::nullopt;
      return read_user(rows, 0);
    });
  }

  std::optional<std::pair<User, std::string>> user_with_password(std::string_view name) override {
    return read([&](PgConnection& connection) -> std::optional<std::pair<User, std::string>> {
      PgResult rows = connection.exec(
          "SELECT " + std::string(kUserColumns) + ", password_hash FROM users WHERE id = $1",
          PgParams().text(std::string(name)));
      if (rows.rows() == 0 || rows.null(0, 5)) return std::nullopt;
      return std::pair{read_user(rows, 0), std::string(rows.text(0, 5))};
    });
  }

  std::vector<User> users() override {
    return read([&](PgConnection& connection) {
      PgResult rows = connection.exec("SELECT " + std::string(kUserColumns) +
                                      " FROM users ORDER BY id COLLATE \"C\"");
      std::vector<User> users;
      for (int i = 0; i < rows.rows(); ++i)
        users.push_back(read_user(rows, i));
      return users;
    });
  }

  void insert_user(const User& user, const std::string& password_hash,
                   engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      connection.exec(
          "INSERT INTO users (id, display_name, roles, password_hash, disabled, unit, created_at, "
          "updated_at) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $7)",
          PgParams()
              .text(user.id)
              .text(user.display_name)
              .text(roles_to_json(user.roles))
              .text(password_hash)
              .number(user.disabled ? 1 : 0)
              .text(user.unit)
              .number(at));
    });
  }

  bool set_password_hash(std::string_view name, const std::string& password_hash,
                         engine::Timestamp at) override {
    return write([&](PgConnection& connection) {
      return connection
                 .exec("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                       PgParams().text(password_hash).number(at).text(std::string(name)))
                 .affected() > 0;
    });
  }

  bool set_disabled(std::string_view name, bool disabled, engine::Timestamp at) override {
    return write([&](PgConnection& connection) {
      return connection
                 .exec("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3",
                       PgParams().number(disabled ? 1 : 0).number(at).text(std::string(name)))
                 .affected() > 0;
    });
  }

  bool set_unit(std::string_view name, std::string_view unit, engine::Timestamp at) override {
    return write([&](PgConnection& connection) {
      return connection
                 .exec("UPDATE users SET unit = $1, updated_at = $2 WHERE id = $3",
                       PgParams().text(std::string(unit)).number(at).text(std::string(name)))
                 .affected() > 0;
    });
  }

  void write_user(const User& user, engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      connection.exec(
          "UPDATE users SET display_name = $1, roles = $2::jsonb, disabled = $3, unit = $4, "
          "updated_at = $5 WHERE id = $6",
          PgParams()
              .text(user.display_name)
              .text(roles_to_json(user.roles))
              .number(user.disabled ? 1 : 0)
              .text(user.unit)
              .number(at)
              .text(user.id));
    });
  }

  void delete_user(std::string_view name) override {
    write([&](PgConnection& connection) {
      const std::string id(name);
      for (const char* sql :
           {"DELETE FROM sessions WHERE user_id = $1", "DELETE FROM api_tokens WHERE user_id = $1",
            "DELETE FROM saved_filters WHERE user_id = $1"}) {
        connection.exec(sql, PgParams().text(id));
      }
      // The inbox: its tables arrive with migration 3 (notify/); a database without them
      // has no inbox to remove.
      PgResult inbox = connection.exec(
          "SELECT to_regclass('notifications') IS NOT NULL, "
          "to_regclass('notification_settings') IS NOT NULL");
      if (inbox.text(0, 0) == "t") {
        connection.exec("DELETE FROM notifications WHERE user_id = $1", PgParams().text(id));
      }
      if (inbox.text(0, 1) == "t") {
        connection.exec("DELETE FROM notification_settings WHERE user_id = $1",
                        PgParams().text(id));
      }
      connection.exec("DELETE FROM users WHERE id = $1", PgParams().text(id));
    });
  }

  void insert_session(std::string_view digest, std::string_view user_id,
                      const std::string& csrf_token, engine::Timestamp at,
                      engine::Timestamp expires_at) override {
    write([&](PgConnection& connection) {
      PgParams params;
      digest_param(params, digest).text(std::string(user_id)).text(csrf_token).number(at);
      params.number(expires_at);
      connection.exec(
          "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, "
          "expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
          params);
    });
  }

  std::optional<SessionRow> session(std::string_view digest) override {
    return read([&](PgConnection& connection) -> std::optional<SessionRow> {
      PgParams params;
      PgResult rows = connection.exec(
          "SELECT u.id, u.display_name, u.roles::text, u.disabled, u.unit, s.csrf_token, "
          "s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
          "WHERE s.token_hash = $1",
          digest_param(params, digest));
      if (rows.rows() == 0) return std::nullopt;
      return SessionRow{read_user(rows, 0), std::string(rows.text(0, 5)), rows.number(0, 6),
                        rows.number(0, 7)};
    });
  }

  void note_session_seen(std::string_view digest, engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      PgParams params;
      params.number(at);
      connection.exec("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
                      digest_param(params, digest));
    });
  }

  void delete_session(std::string_view digest) override {
    write([&](PgConnection& connection) {
      PgParams params;
      connection.exec("DELETE FROM sessions WHERE token_hash = $1", digest_param(params, digest));
    });
  }

  void delete_sessions_of(std::string_view user_id) override {
    write([&](PgConnection& connection) {
      connection.exec("DELETE FROM sessions WHERE user_id = $1",
                      PgParams().text(std::string(user_id)));
    });
  }

  void delete_sessions_expired(engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      connection.exec("DELETE FROM sessions WHERE expires_at <= $1", PgParams().number(at));
    });
  }

  void insert_token(const TokenInfo& info, std::string_view digest) override {
    write([&](PgConnection& connection) {
      PgParams params;
      params.text(info.id);
      digest_param(params, digest).text(info.user_id).text(info.name).number(info.created_at);
      if (info.expires_at) {
        params.number(*info.expires_at);
      } else {
        params.null();  // never
      }
      connection.exec(
          "INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at) "
          "VALUES ($1, $2, $3, $4, $5, $6)",
          params);
    });
  }

  std::vector<TokenInfo> tokens(std::optional<std::string_view> user_id) override {
    return read([&](PgConnection& connection) {
      PgParams params;
      if (user_id) {
        params.text(std::string(*user_id));
      } else {
        params.null();
      }
      PgResult rows = connection.exec(
          "SELECT id, user_id, name, created_at, last_used_at, expires_at, revoked_at "
          "FROM api_tokens WHERE $1::text IS NULL OR user_id = $1::text "
          "ORDER BY created_at DESC, id",
          params);
      std::vector<TokenInfo> found;
      for (int i = 0; i < rows.rows(); ++i) {
        found.push_back(TokenInfo{std::string(rows.text(i, 0)), std::string(rows.text(i, 1)),
                                  std::string(rows.text(i, 2)), rows.number(i, 3),
                                  optional_time(rows, i, 4), optional_time(rows, i, 5),
                                  optional_time(rows, i, 6)});
      }
      return found;
    });
  }

  bool revoke_token(std::string_view id, engine::Timestamp at) override {
    return write([&](PgConnection& connection) {
      return connection
                 .exec("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                       PgParams().number(at).text(std::string(id)))
                 .affected() > 0;
    });
  }

  void revoke_tokens_of(std::string_view user_id, engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      connection.exec(
          "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
          PgParams().number(at).text(std::string(user_id)));
    });
  }

  std::optional<TokenRow> live_token(std::string_view digest, engine::Timestamp at) override {
    return read([&](PgConnection& connection) -> std::optional<TokenRow> {
      PgParams params;
      digest_param(params, digest).number(at);
      PgResult rows = connection.exec(
          "SELECT u.id, u.display_name, u.roles::text, u.disabled, u.unit, t.last_used_at "
          "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 "
          "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)",
          params);
      if (rows.rows() == 0) return std::nullopt;
      return TokenRow{read_user(rows, 0), optional_time(rows, 0, 5)};
    });
  }

  void note_token_used(std::string_view digest, engine::Timestamp at) override {
    write([&](PgConnection& connection) {
      PgParams params;
      params.number(at);
      connection.exec("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2",
                      digest_param(params, digest));
    });
  }

  std::vector<SavedFilter> saved_filters(std::string_view user_id) override {
    return read([&](PgConnection& connection) {
      PgResult rows = connection.exec(
          "SELECT id, name, params, updated_at FROM saved_filters WHERE user_id = $1 "
          "ORDER BY name",
          PgParams().text(std::string(user_id)));
      std::vector<SavedFilter> filters;
      for (int i = 0; i < rows.rows(); ++i)
        filters.push_back(read_filter(rows, i));
      return filters;
    });
  }

  std::size_t other_filters(std::string_view user_id, std::string_view name) override {
    return read([&](PgConnection& connection) {
      PgResult rows =
          connection.exec("SELECT count(*) FROM saved_filters WHERE user_id = $1 AND name <> $2",
                          PgParams().text(std::string(user_id)).text(std::string(name)));
      return static_cast<std::size_t>(rows.number(0, 0));
    });
  }

  SavedFilter upsert_filter(std::string_view user_id, std::string_view name,
                            std::string_view params, engine::Timestamp at) override {
    return write([&](PgConnection& connection) {
      PgResult rows = connection.exec(
          "INSERT INTO saved_filters (user_id, name, params, updated_at) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (user_id, name) DO UPDATE SET params = excluded.params, "
          "updated_at = excluded.updated_at "
          "RETURNING id, name, params, updated_at",
          PgParams()
              .text(std::string(user_id))
              .text(std::string(name))
              .text(std::string(params))
              .number(at));
      if (rows.rows() == 0) throw std::runtime_error("saving the filter returned no row");
      return read_filter(rows, 0);
    });
  }

  bool delete_filter(std::string_view user_id, std::int64_t id) override {
    return write([&](PgConnection& connection) {
      return connection
                 .exec("DELETE FROM saved_filters WHERE id = $1 AND user_id = $2",
                       PgParams().number(id).text(std::string(user_id)))
                 .affected() > 0;
    });
  }

 private:
  std::unique_ptr<PgConnection> connection_;
  bool in_transaction_ = false;
};

}  // namespace

Outcome<std::unique_ptr<AuthRows>> open_pg_auth_rows(const std::string& uri) {
  try {
    auto connection = std::make_unique<PgConnection>(uri);
    migrate_pg(*connection);
    return std::unique_ptr<AuthRows>(std::make_unique<PgAuthRows>(std::move(connection)));
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error));
  }
}

}  // namespace investflow::storage
