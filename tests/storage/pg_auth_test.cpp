// AuthStore (users, sessions, API tokens, saved filters) on both databases: the same rules
// whether AuthStore::open is given a SQLite file or a postgresql:// URI, and on PostgreSQL
// several AuthStores (servers) sharing one database. PostgreSQL is a real PostgreSQL 15
// that the test starts itself (tests/support/pg_server.hpp); its cases are skipped, saying
// why, where PostgreSQL cannot start.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "storage/auth.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_schema.hpp"
#include "storage_test_support.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

using investflow::testing::fresh_pg_database;
using investflow::testing::pg_skip_reason;

// The behaviour, on the database the parameter names ("sqlite" or "postgresql"). Each
// test's database is new; store() and other_store() are two AuthStores on it, as two
// server processes would have.
class PgAuthBackends : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<engine::FixedClock>(1'780'000'000'000);
    if (GetParam() == "postgresql") {
      database_ = fresh_pg_database("auth");
      if (database_.empty()) GTEST_SKIP() << pg_skip_reason();
    } else {
      database_ = dir_.file("auth.db").string();
    }
    first_ = open_store();
    ASSERT_TRUE(first_);
    second_ = open_store();
    ASSERT_TRUE(second_);
  }

  // Token checks always ask the database (token_cache_ttl 0) unless `ttl` says otherwise.
  std::unique_ptr<AuthStore> open_store(
      std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
    AuthOptions options{std::chrono::hours(1), 10000, clock_};
    options.token_cache_ttl = ttl;
    auto opened = AuthStore::open(database_, options);
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  AuthStore& store() { return *first_; }
  AuthStore& other_store() { return *second_; }

  TempDir dir_;
  std::string database_;
  std::shared_ptr<engine::FixedClock> clock_;
  std::unique_ptr<AuthStore> first_;
  std::unique_ptr<AuthStore> second_;
};

UserUpdate disabled(bool value) {
  UserUpdate update;
  update.disabled = value;
  return update;
}
UserUpdate roles(std::vector<std::string> value) {
  UserUpdate update;
  update.roles = std::move(value);
  return update;
}

TEST_P(PgAuthBackends, PasswordsAreCheckedAndANewOneEndsSessionsAndMayRevokeTokens) {
  auto added = store().add_user("zhang", {"staff", "manager"}, "correct horse", "张三");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_FALSE(store().add_user("zhang", {"staff"}, "correct horse"));  // taken
  EXPECT_FALSE(store().add_user("wang", {"staff"}, "short"));           // weak

  auto right = other_store().check_password("zhang", "correct horse");
  ASSERT_TRUE(right) << right.error().message;
  ASSERT_TRUE(*right);
  EXPECT_EQ((*right)->id, "zhang");
  EXPECT_EQ((*right)->display_name, "张三");
  EXPECT_EQ((*right)->roles, (std::vector<std::string>{"staff", "manager"}));
  EXPECT_FALSE(*store().check_password("zhang", "wrong horse"));
  EXPECT_FALSE(*store().check_password("nobody", "correct horse"));

  auto session = store().start_session("zhang");
  ASSERT_TRUE(session) << session.error().message;
  auto token = store().issue_token("zhang", "etl");
  ASSERT_TRUE(token) << token.error().message;

  ASSERT_TRUE(other_store().set_password("zhang", "battery staple"));
  EXPECT_FALSE(*store().session(session->id));
  EXPECT_TRUE(*store().token_user(*token));  // tokens stay unless revoked
  EXPECT_FALSE(*store().check_password("zhang", "correct horse"));
  EXPECT_TRUE(*store().check_password("zhang", "battery staple"));

  ASSERT_TRUE(other_store().set_password("zhang", "staple battery", true));
  EXPECT_FALSE(*store().token_user(*token));
  ASSERT_EQ(store().tokens("zhang")->size(), 1u);
  EXPECT_TRUE(store().tokens("zhang")->front().revoked_at);
  EXPECT_FALSE(store().set_password("nobody", "battery staple"));
}

TEST_P(PgAuthBackends, UsersListInNameOrderWithTheirUnits) {
  ASSERT_TRUE(store().add_user("wang", {"staff"}, "wang password 1"));
  ASSERT_TRUE(store().add_user("a.li", {"auditor"}, "li password 11"));
  ASSERT_TRUE(store().add_user("zhang-2", {"staff"}, "zhang password 1"));
  ASSERT_TRUE(other_store().set_unit("wang", "招商一科"));
  EXPECT_FALSE(store().set_unit("nobody", "招商一科"));
  auto users = store().users();
  ASSERT_TRUE(users) << users.error().message;
  std::vector<std::string> names;
  for (const User& user : *users)
    names.push_back(user.id);
  EXPECT_EQ(names, (std::vector<std::string>{"a.li", "wang", "zhang-2"}));
  EXPECT_EQ((*store().user("wang"))->unit, "招商一科");
  EXPECT_EQ((*store().user("a.li"))->unit, "");
  EXPECT_FALSE(*store().user("nobody"));
}

TEST_P(PgAuthBackends, DisablingEndsSessionsAndStopsTokensInEveryStore) {
  ASSERT_TRUE(store().add_user("root", {"admin"}, "root password 1"));
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 1"));
  auto session = store().start_session("zhang");
  auto token = store().issue_token("zhang", "etl");
  ASSERT_TRUE(session && token);
  ASSERT_TRUE(*other_store().token_user(*token));

  // set_disabled (the command line's way) ...
  ASSERT_TRUE(other_store().set_disabled("zhang", true));
  EXPECT_FALSE(*store().session(session->id));
  EXPECT_FALSE(*store().token_user(*token));
  EXPECT_FALSE(*store().check_password("zhang", "zhang password 1"));
  EXPECT_TRUE((*store().user("zhang"))->disabled);
  ASSERT_TRUE(store().set_disabled("zhang", false));
  EXPECT_TRUE(*other_store().token_user(*token));  // enabling gives the tokens back
  EXPECT_FALSE(*store().session(session->id));     // but not the sessions
  EXPECT_FALSE(store().set_disabled("nobody", true));

  // ... and update_user (the web's).
  auto again = other_store().start_session("zhang");
  ASSERT_TRUE(again);
  ASSERT_EQ(*store().update_user("zhang", disabled(true)), AccountChange::done);
  EXPECT_FALSE(*other_store().session(again->id));
  EXPECT_FALSE(*other_store().token_user(*token));
  ASSERT_EQ(*store().update_user("zhang", disabled(false)), AccountChange::done);
  EXPECT_TRUE(*other_store().token_user(*token));
}

TEST_P(PgAuthBackends, TheLastEnabledAdminIsNeverRemoved) {
  ASSERT_TRUE(store().add_user("root", {"admin"}, "root password 1"));
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 1"));
  EXPECT_EQ(*store().delete_user("root"), AccountChange::last_admin);
  EXPECT_EQ(*other_store().update_user("root", roles({"staff"})), AccountChange::last_admin);
  EXPECT_EQ(*other_store().update_user("root", disabled(true)), AccountChange::last_admin);
  EXPECT_EQ(*store().update_user("nobody", disabled(true)), AccountChange::no_such_user);
  EXPECT_EQ(*store().delete_user("nobody"), AccountChange::no_such_user);
  EXPECT_EQ((*store().user("root"))->roles, std::vector<std::string>{"admin"});

  // A second admin made through the other store: now either may go, not both.
  ASSERT_EQ(*other_store().update_user("zhang", roles({"staff", "admin"})), AccountChange::done);
  EXPECT_EQ((*store().user("zhang"))->roles, (std::vector<std::string>{"staff", "admin"}));
  ASSERT_EQ(*store().update_user("root", disabled(true)), AccountChange::done);
  EXPECT_EQ(*other_store().delete_user("zhang"), AccountChange::last_admin);
  EXPECT_EQ(*other_store().update_user("zhang", roles({"staff"})), AccountChange::last_admin);
  ASSERT_EQ(*store().update_user("root", disabled(false)), AccountChange::done);
  EXPECT_EQ(*other_store().delete_user("zhang"), AccountChange::done);
  EXPECT_EQ(*store().delete_user("root"), AccountChange::last_admin);
}

// Two servers demoting the two admins at once: one of them is refused.
TEST_P(PgAuthBackends, TwoStoresRemovingTheTwoAdminsAtOnceLeaveOne) {
  ASSERT_TRUE(store().add_user("root", {"admin"}, "root password 1"));
  ASSERT_TRUE(store().add_user("li", {"admin"}, "li password 11"));
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE(round);
    Outcome<AccountChange> first = AccountChange::done;
    Outcome<AccountChange> second = AccountChange::done;
    std::thread one([&] { first = store().update_user("root", roles({"staff"})); });
    std::thread two([&] { second = other_store().update_user("li", roles({"staff"})); });
    one.join();
    two.join();
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ((*first == AccountChange::done) + (*second == AccountChange::done), 1);
    std::size_t admins = 0;
    const auto users = store().users();
    ASSERT_TRUE(users) << users.error().message;
    for (const User& user : *users) {
      admins += std::count(user.roles.begin(), user.roles.end(), "admin");
    }
    EXPECT_EQ(admins, 1u);
    ASSERT_EQ(*store().update_user("root", roles({"admin"})), AccountChange::done);
    ASSERT_EQ(*store().update_user("li", roles({"admin"})), AccountChange::done);
  }
}

TEST_P(PgAuthBackends, ASessionStartedInOneStoreIsValidInAnotherUntilEndedInEither) {
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 1"));
  auto started = store().start_session("zhang");
  ASSERT_TRUE(started) << started.error().message;
  auto found = other_store().session(started->id);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->user.id, "zhang");
  EXPECT_EQ((*found)->csrf_token, started->session.csrf_token);
  EXPECT_EQ((*found)->expires_at, started->session.expires_at);
  EXPECT_FALSE(*other_store().session(std::string(64, '0')));

  ASSERT_TRUE(other_store().end_session(started->id));
  EXPECT_FALSE(*store().session(started->id));
  EXPECT_FALSE(*other_store().session(started->id));

  // Use noted through one store keeps the session alive in the other; idle ends it.
  auto busy = other_store().start_session("zhang");
  auto idle = store().start_session("zhang");
  ASSERT_TRUE(busy && idle);
  for (int i = 0; i < 2; ++i) {
    clock_->advance_ms(20 * 60 * 1000);
    EXPECT_TRUE(*(i == 0 ? store() : other_store()).session(busy->id)) << i;
  }
  EXPECT_FALSE(*other_store().session(idle->id));
  EXPECT_FALSE(*store().session(idle->id));
  // The lifetime (1 hour here) ends even a busy session.
  clock_->advance_ms(19 * 60 * 1000);
  EXPECT_TRUE(*store().session(busy->id));
  clock_->advance_ms(2 * 60 * 1000);
  EXPECT_FALSE(*other_store().session(busy->id));
  EXPECT_FALSE(other_store().start_session("nobody"));
}

TEST_P(PgAuthBackends, TokensIssuedInOneStoreWorkInAnotherUntilRevokedOrExpired) {
  ASSERT_TRUE(store().add_user("bot", {"auditor"}, "bot password 1"));
  auto made = store().create_token("bot", "reports", clock_->now() + 3'600'000);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(made->secret.size(), 64u);
  auto user = other_store().token_user(made->secret);
  ASSERT_TRUE(user) << user.error().message;
  ASSERT_TRUE(*user);
  EXPECT_EQ((*user)->id, "bot");
  EXPECT_EQ((*user)->roles, std::vector<std::string>{"auditor"});
  EXPECT_FALSE(*other_store().token_user(std::string(64, 'f')));
  EXPECT_FALSE(store().issue_token("nobody", "x"));

  // Listed (newest first) with its use, never its secret.
  clock_->advance_ms(1000);
  auto never = other_store().issue_token("bot", "etl");
  ASSERT_TRUE(never);
  auto listed = store().tokens("bot");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "etl");
  EXPECT_FALSE((*listed)[0].expires_at);
  EXPECT_EQ((*listed)[1].id, made->info.id);
  EXPECT_EQ((*listed)[1].expires_at, made->info.expires_at);
  EXPECT_EQ((*listed)[1].last_used_at, clock_->now() - 1000);
  EXPECT_FALSE((*listed)[1].revoked_at);
  EXPECT_EQ(store().tokens(std::nullopt)->size(), 2u);
  EXPECT_TRUE(store().tokens("nobody")->empty());

  ASSERT_TRUE(*other_store().revoke_token(made->info.id));
  EXPECT_FALSE(*other_store().revoke_token(made->info.id));  // already
  EXPECT_FALSE(*store().token_user(made->secret));
  EXPECT_EQ(store().tokens("bot")->at(1).revoked_at, clock_->now());
  EXPECT_TRUE(*store().token_user(*never));

  // An expiring token stops at its time.
  auto brief = store().create_token("bot", "brief", clock_->now() + 1000);
  ASSERT_TRUE(brief);
  EXPECT_TRUE(*other_store().token_user(brief->secret));
  clock_->advance_ms(1000);
  EXPECT_FALSE(*other_store().token_user(brief->secret));
}

// With a cache, a token revoked through another store (server) keeps working for at most
// the cache's time to live.
TEST_P(PgAuthBackends, ATokenRevokedElsewhereStopsWithinTheCacheLifetime) {
  const auto ttl = std::chrono::milliseconds(200);
  auto cached = open_store(ttl);
  ASSERT_TRUE(cached);
  ASSERT_TRUE(store().add_user("bot", {"auditor"}, "bot password 1"));
  auto made = store().create_token("bot", "reports");
  ASSERT_TRUE(made);
  ASSERT_TRUE(*cached->token_user(made->secret));
  ASSERT_TRUE(cached->cached_token_user(made->secret));

  ASSERT_TRUE(*store().revoke_token(made->info.id));
  std::this_thread::sleep_for(ttl + std::chrono::milliseconds(50));
  EXPECT_FALSE(cached->cached_token_user(made->secret));
  EXPECT_FALSE(*cached->token_user(made->secret));
}

TEST_P(PgAuthBackends, SavedFiltersAreKeptPerUserUpToTheLimit) {
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 1"));
  ASSERT_TRUE(store().add_user("li", {"staff"}, "li password 11"));
  auto first = store().save_filter("zhang", "mine", R"({"owner":"zhang"})");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->name, "mine");
  EXPECT_EQ(first->updated_at, clock_->now());
  clock_->advance_ms(5);
  auto replaced = other_store().save_filter("zhang", "mine", R"({"owner":"li"})");
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(replaced->id, first->id);
  EXPECT_EQ(replaced->params, R"({"owner":"li"})");
  EXPECT_EQ(replaced->updated_at, clock_->now());

  for (std::size_t i = 1; i < kMostSavedFilters; ++i) {
    ASSERT_TRUE(store().save_filter("zhang", "f" + std::to_string(100 + i), "{}")) << i;
  }
  auto over = other_store().save_filter("zhang", "one too many", "{}");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, Error::Kind::invalid_request);
  // Replacing one of the fifty is no new filter; another user has room of their own.
  EXPECT_TRUE(store().save_filter("zhang", "f101", R"({"state":"signed"})"));
  EXPECT_TRUE(store().save_filter("li", "Mine", "{}"));

  auto filters = other_store().saved_filters("zhang");
  ASSERT_TRUE(filters) << filters.error().message;
  ASSERT_EQ(filters->size(), kMostSavedFilters);
  EXPECT_EQ(filters->front().name, "f101");  // by name, bytewise
  EXPECT_EQ(filters->front().params, R"({"state":"signed"})");
  EXPECT_EQ(filters->back().name, "mine");

  EXPECT_FALSE(*store().delete_filter("li", first->id));  // not theirs
  EXPECT_TRUE(*store().delete_filter("zhang", first->id));
  EXPECT_FALSE(*store().delete_filter("zhang", first->id));
  EXPECT_EQ(store().saved_filters("zhang")->size(), kMostSavedFilters - 1);
  EXPECT_TRUE(store().save_filter("zhang", "one more", "{}"));
  EXPECT_EQ(store().saved_filters("li")->size(), 1u);
}

TEST_P(PgAuthBackends, DeletingAUserRemovesWhatIsTheirsInEveryStore) {
  ASSERT_TRUE(store().add_user("root", {"admin"}, "root password 1"));
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 1"));
  auto session = store().start_session("zhang");
  auto token = store().create_token("zhang", "etl");
  ASSERT_TRUE(session && token);
  ASSERT_TRUE(store().save_filter("zhang", "mine", R"({"owner":"zhang"})"));
  ASSERT_TRUE(*other_store().token_user(token->secret));

  ASSERT_EQ(*other_store().delete_user("zhang"), AccountChange::done);
  EXPECT_FALSE(*store().user("zhang"));
  EXPECT_FALSE(*store().session(session->id));
  EXPECT_FALSE(*store().token_user(token->secret));
  EXPECT_TRUE(store().tokens("zhang")->empty());
  EXPECT_TRUE(store().saved_filters("zhang")->empty());
  EXPECT_EQ(store().users()->size(), 1u);
  // A new account of the same name starts with nothing of the old one's.
  ASSERT_TRUE(store().add_user("zhang", {"staff"}, "zhang password 2"));
  EXPECT_TRUE(other_store().saved_filters("zhang")->empty());
  EXPECT_FALSE(*other_store().token_user(token->secret));
  EXPECT_FALSE(*other_store().check_password("zhang", "zhang password 1"));
}

INSTANTIATE_TEST_SUITE_P(PgAuth, PgAuthBackends, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

// --- PostgreSQL only ---

std::unique_ptr<AuthStore> open_pg_auth(const std::string& uri,
                                        std::shared_ptr<engine::FixedClock> clock) {
  AuthOptions options{std::chrono::hours(1), 10000, std::move(clock)};
  options.token_cache_ttl = std::chrono::milliseconds(0);
  auto opened = AuthStore::open(uri, options);
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

// Secrets are stored only as hashes: passwords as argon2id, session ids and tokens as their
// SHA-256; the tables are the server role's to use.
TEST(PgAuth, SecretsAreStoredOnlyAsHashesInTablesTheServerRoleMayUse) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<engine::FixedClock>(1'780'000'000'000);
  auto auth = open_pg_auth(uri, clock);
  ASSERT_TRUE(auth);
  ASSERT_TRUE(auth->add_user("zhang", {"staff"}, "correct horse"));
  auto session = auth->start_session("zhang");
  auto token = auth->issue_token("zhang", "etl");
  ASSERT_TRUE(session && token);

  PgConnection connection(uri);
  EXPECT_EQ(connection.exec("SELECT version FROM investflow_schema").number(0, 0),
            kPgSchemaVersion);
  const std::string stored(connection.exec("SELECT password_hash FROM users").text(0, 0));
  EXPECT_EQ(stored.rfind("$argon2id$", 0), 0u) << stored;
  EXPECT_EQ(connection.exec("SELECT encode(token_hash, 'hex') FROM api_tokens").text(0, 0),
            sha256_hex(*token));
  EXPECT_EQ(connection.exec("SELECT encode(token_hash, 'hex') FROM sessions").text(0, 0),
            sha256_hex(session->id));
  EXPECT_EQ(connection
                .exec("SELECT count(*) FROM sessions WHERE csrf_token = $1",
                      PgParams().text(session->session.csrf_token))
                .number(0, 0),
            1);
  for (const char* table : {"users", "sessions", "api_tokens", "saved_filters"}) {
    for (const char* privilege : {"SELECT", "INSERT", "UPDATE", "DELETE"}) {
      EXPECT_EQ(connection
                    .exec("SELECT has_table_privilege('investflow_server', $1, $2)",
                          PgParams().text(table).text(privilege))
                    .text(0, 0),
                "t")
          << table << " " << privilege;
    }
  }
}

// The inbox goes with its user when the notification tables are there (migration 3).
TEST(PgAuth, DeletingAUserRemovesTheirInbox) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<engine::FixedClock>(1'780'000'000'000);
  auto auth = open_pg_auth(uri, clock);
  ASSERT_TRUE(auth);
  ASSERT_TRUE(auth->add_user("zhang", {"staff"}, "zhang password 1"));
  ASSERT_TRUE(auth->add_user("li", {"staff"}, "li password 11"));
  PgConnection connection(uri);
  if (connection.exec("SELECT to_regclass('notifications') IS NULL").text(0, 0) == "t") {
    GTEST_SKIP() << "this build's schema has no notification tables";
  }
  for (const char* user : {"zhang", "li"}) {
    connection.exec(
        "INSERT INTO notifications (user_id, project_id, type, title_zh, title_en, created_at, "
        "notice) VALUES ($1, '', 'notice', '通知', 'notice', 1, 'k')",
        PgParams().text(user));
    connection.exec("INSERT INTO notification_settings (user_id, deadlines) VALUES ($1, 'digest')",
                    PgParams().text(user));
  }
  ASSERT_EQ(*auth->delete_user("zhang"), AccountChange::done);
  EXPECT_EQ(
      connection.exec("SELECT count(*) FROM notifications WHERE user_id = 'zhang'").number(0, 0),
      0);
  EXPECT_EQ(connection.exec("SELECT count(*) FROM notification_settings WHERE user_id = 'zhang'")
                .number(0, 0),
            0);
  EXPECT_EQ(connection.exec("SELECT count(*) FROM notifications WHERE user_id = 'li'").number(0, 0),
            1);
}

// The server ended the store's connection (a restart): the next read runs on a new one; a
// write may fail once (it is never repeated), and the one after works.
TEST(PgAuth, AReadAfterALostConnectionRunsOnANewOne) {
  PG_DATABASE_OR_SKIP(uri);
  auto clock = std::make_shared<engine::FixedClock>(1'780'000'000'000);
  auto auth = open_pg_auth(uri, clock);
  ASSERT_TRUE(auth);
  ASSERT_TRUE(auth->add_user("zhang", {"staff"}, "zhang password 1"));
  auto session = auth->start_session("zhang");
  ASSERT_TRUE(session);

  const auto end_other_connections = [&] {
    PgConnection admin(uri);
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  };
  end_other_connections();
  auto found = auth->session(session->id);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(*found);

  end_other_connections();
  auto ended = auth->end_session(session->id);
  if (!ended) {
    EXPECT_EQ(ended.error().fault, Fault::unavailable) << ended.error().message;
  }
  ASSERT_TRUE(auth->end_session(session->id));
  EXPECT_FALSE(*auth->session(session->id));
}

TEST(PgAuth, AnUnreachableDatabaseIsAnUnavailableStorageError) {
  std::string why;
  investflow::testing::PgServer* server = investflow::testing::shared_pg_server(&why);
  if (server == nullptr) GTEST_SKIP() << pg_skip_reason();
  // A database nobody created, on the running server.
  auto opened = AuthStore::open(server->uri("no_such_database"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, Error::Kind::storage);
  EXPECT_NE(opened.error().message.find("no_such_database"), std::string::npos)
      << opened.error().message;
}

}  // namespace
}  // namespace investflow::storage
