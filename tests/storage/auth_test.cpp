// Users, sessions and API tokens: secrets stored only as hashes, sessions that expire,
// tokens that name their user.

#include "storage/auth.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/storage/storage_test_support.hpp"

namespace investflow::storage::testing {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<engine::FixedClock>(1'780'000'000'000);
    auto opened =
        AuthStore::open(dir_.file("auth.db"), AuthOptions{std::chrono::hours(1), 10000, clock_});
    ASSERT_TRUE(opened) << opened.error().message;
    auth_ = std::move(*opened);
  }
  TempDir dir_;
  std::shared_ptr<engine::FixedClock> clock_;
  std::unique_ptr<AuthStore> auth_;
};

TEST_F(AuthTest, PasswordsAreArgon2idAndChecked) {
  auto added = auth_->add_user("zhang", {"staff"}, "correct horse");
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->roles, std::vector<std::string>{"staff"});
  auto right = auth_->check_password("zhang", "correct horse");
  ASSERT_TRUE(right);
  ASSERT_TRUE(*right);
  EXPECT_EQ((*right)->id, "zhang");
  EXPECT_FALSE(*auth_->check_password("zhang", "wrong horse"));
  EXPECT_FALSE(*auth_->check_password("nobody", "correct horse"));

  SQLite::Database db(dir_.file("auth.db"));
  const std::string stored = db.execAndGet("SELECT password_hash FROM users").getString();
  EXPECT_EQ(stored.rfind("$argon2id$", 0), 0u) << stored;
}

TEST_F(AuthTest, RefusesBadNamesDuplicatesAndShortPasswords) {
  ASSERT_TRUE(auth_->add_user("li", {"manager"}, "long enough!"));
  EXPECT_FALSE(auth_->add_user("li", {"manager"}, "long enough!"));
  EXPECT_FALSE(auth_->add_user("Li Si", {"manager"}, "long enough!"));
  EXPECT_FALSE(auth_->add_user("wang", {}, "long enough!"));
  EXPECT_FALSE(auth_->add_user("wang", {"staff"}, "short"));
  EXPECT_EQ(auth_->add_user("li", {"manager"}, "long enough!").error().kind,
            Error::Kind::invalid_request);
}

TEST_F(AuthTest, SessionsCarryCsrfTokensAndExpire) {
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "correct horse"));
  auto started = auth_->start_session("zhang");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->id.size(), 64u);
  EXPECT_EQ(started->session.csrf_token.size(), 64u);
  EXPECT_NE(started->id, started->session.csrf_token);

  auto found = auth_->session(started->id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user.id, "zhang");
  EXPECT_EQ((*found)->csrf_token, started->session.csrf_token);
  EXPECT_FALSE(*auth_->session(std::string(64, '0')));

  // Only the hash of the id is stored.
  SQLite::Database db(dir_.file("auth.db"));
  SQLite::Statement count(db, "SELECT count(*) FROM sessions WHERE token_hash = ?");
  count.bind(1, started->id);
  ASSERT_TRUE(count.executeStep());
  EXPECT_EQ(count.getColumn(0).getInt(), 0);

  clock_->advance_ms(60 * 60 * 1000);
  EXPECT_FALSE(*auth_->session(started->id));
}

TEST_F(AuthTest, ASessionUnusedForTheIdleTimeoutEndsAndAUsedOneLastsItsLifetime) {
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "correct horse"));
  auto busy = auth_->start_session("zhang");
  auto idle = auth_->start_session("zhang");
  ASSERT_TRUE(busy && idle);
  // Used every 20 minutes: alive past the 30-minute idle timeout ...
  for (int i = 0; i < 2; ++i) {
    clock_->advance_ms(20 * 60 * 1000);
    EXPECT_TRUE(*auth_->session(busy->id)) << i;
  }
  // ... while the other, unused for 40 minutes, has ended.
  EXPECT_FALSE(*auth_->session(idle->id));
  // The lifetime (1 hour here) ends even a busy session.
  clock_->advance_ms(19 * 60 * 1000);
  EXPECT_TRUE(*auth_->session(busy->id));
  clock_->advance_ms(2 * 60 * 1000);
  EXPECT_FALSE(*auth_->session(busy->id));
}

TEST_F(AuthTest, LogoutAndNewPasswordEndSessions) {
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "correct horse"));
  auto first = auth_->start_session("zhang");
  auto second = auth_->start_session("zhang");
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(auth_->end_session(first->id));
  EXPECT_FALSE(*auth_->session(first->id));
  EXPECT_TRUE(*auth_->session(second->id));
  ASSERT_TRUE(auth_->set_password("zhang", "battery staple"));
  EXPECT_FALSE(*auth_->session(second->id));
  EXPECT_TRUE(*auth_->check_password("zhang", "battery staple"));
}

TEST_F(AuthTest, TokensNameTheirUserAndAreStoredHashed) {
  ASSERT_TRUE(auth_->add_user("bot", {"auditor"}, "correct horse"));
  auto token = auth_->issue_token("bot", "reports");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->size(), 64u);
  auto user = auth_->token_user(*token);
  ASSERT_TRUE(user && *user);
  EXPECT_EQ((*user)->id, "bot");
  EXPECT_EQ((*user)->roles, std::vector<std::string>{"auditor"});
  EXPECT_FALSE(*auth_->token_user(std::string(64, 'f')));
  EXPECT_FALSE(auth_->issue_token("nobody", "x"));

  SQLite::Database db(dir_.file("auth.db"));
  const std::string hash = db.execAndGet("SELECT hex(token_hash) FROM api_tokens").getString();
  std::string expected = sha256_hex(*token);
  for (char& c : expected)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(hash, expected);
}

// A token's last use is recorded (shown to administrators with the tokens), at most once a
// minute.
TEST_F(AuthTest, ATokensLastUseIsRecorded) {
  ASSERT_TRUE(auth_->add_user("bot", {"auditor"}, "correct horse"));
  auto token = auth_->issue_token("bot", "reports");
  ASSERT_TRUE(token);
  AuthOptions uncached{std::chrono::hours(1), 10000, clock_};
  uncached.token_cache_ttl = std::chrono::milliseconds(0);  // every call asks the database
  auto opened = AuthStore::open(dir_.file("auth.db"), uncached);
  ASSERT_TRUE(opened);
  AuthStore& auth = **opened;
  const auto last_used = [&]() -> std::optional<engine::Timestamp> {
    auto tokens = auth.tokens("bot");
    EXPECT_TRUE(tokens && tokens->size() == 1);
    return tokens && !tokens->empty() ? tokens->front().last_used_at : std::nullopt;
  };
  EXPECT_FALSE(last_used());
  const engine::Timestamp first = clock_->now();
  ASSERT_TRUE(*auth.token_user(*token));
  EXPECT_EQ(last_used(), first);
  clock_->advance_ms(10'000);
  ASSERT_TRUE(*auth.token_user(*token));
  EXPECT_EQ(last_used(), first);  // within the minute: not written again
  clock_->advance_ms(120'000);
  ASSERT_TRUE(*auth.token_user(*token));
  EXPECT_EQ(last_used(), clock_->now());
}

TEST(AuthSecrets, AreRandomAndWellFormed) {
  EXPECT_NE(random_secret(), random_secret());
  EXPECT_EQ(generate_password().size(), 16u);
  EXPECT_NE(generate_password(), generate_password());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(valid_user_name("zhang.san-2"));
  EXPECT_FALSE(valid_user_name(""));
  EXPECT_FALSE(valid_user_name("-x"));
  EXPECT_FALSE(valid_user_name("张三"));
}

// A token revoked by another process (here: another connection) keeps working for at most
// the cache's time to live, then is refused; with no cache it is refused at once.
TEST_F(AuthTest, RevokedTokensStopWorkingWithinTheCacheLifetime) {
  for (const auto ttl : {std::chrono::milliseconds(0), std::chrono::milliseconds(200)}) {
    SCOPED_TRACE(ttl.count());
    const std::string file = "ttl" + std::to_string(ttl.count()) + ".db";
    auto opened =
        AuthStore::open(dir_.file(file), AuthOptions{std::chrono::hours(1), 10000, clock_, ttl});
    ASSERT_TRUE(opened) << opened.error().message;
    AuthStore& auth = **opened;
    ASSERT_TRUE(auth.add_user("bot", {"auditor"}, "correct horse"));
    auto token = auth.issue_token("bot", "reports");
    ASSERT_TRUE(token);
    ASSERT_TRUE(*auth.token_user(*token));  // checked once: cached when ttl > 0

    SQLite::Database db(dir_.file(file), SQLite::OPEN_READWRITE);
    db.exec("UPDATE api_tokens SET revoked_at = 1");
    const auto revoked_at = std::chrono::steady_clock::now();
    const bool still_trusted = auth.token_user(*token)->has_value();
    if (ttl.count() == 0) {
      EXPECT_FALSE(still_trusted);
    } else if (std::chrono::steady_clock::now() - revoked_at < ttl / 2) {
      EXPECT_TRUE(still_trusted);  // served from the cache
    }
    std::this_thread::sleep_for(ttl + std::chrono::milliseconds(50));
    EXPECT_FALSE(*auth.token_user(*token));
    // Unknown tokens are never cached as valid.
    EXPECT_FALSE(*auth.token_user(std::string(64, 'e')));
  }
}

// One change at a time (UserUpdate's members are optional).
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
UserUpdate named(std::string value) {
  UserUpdate update;
  update.display_name = std::move(value);
  return update;
}

TEST_F(AuthTest, UpdatesAndDeletionsNeverLeaveNoEnabledAdmin) {
  ASSERT_TRUE(auth_->add_user("root", {"admin"}, "root password 1", "管理员甲"));
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "zhang password 1"));
  EXPECT_EQ((*auth_->user("root"))->display_name, "管理员甲");
  EXPECT_EQ(*auth_->delete_user("root"), AccountChange::last_admin);
  EXPECT_EQ(*auth_->update_user("root", roles({"staff"})), AccountChange::last_admin);
  EXPECT_EQ(*auth_->update_user("root", disabled(true)), AccountChange::last_admin);
  EXPECT_EQ(*auth_->update_user("nobody", disabled(true)), AccountChange::no_such_user);
  EXPECT_EQ(*auth_->delete_user("nobody"), AccountChange::no_such_user);
  EXPECT_FALSE(auth_->update_user("zhang", roles({})));
  EXPECT_FALSE(auth_->update_user("zhang", named("")));

  UserUpdate both = named("张伟");
  both.roles = std::vector<std::string>{"staff", "admin"};
  ASSERT_EQ(*auth_->update_user("zhang", both), AccountChange::done);
  const User zhang = **auth_->user("zhang");
  EXPECT_EQ(zhang.display_name, "张伟");
  EXPECT_EQ(zhang.roles, (std::vector<std::string>{"staff", "admin"}));
  // Two admins: either may be disabled, not both.
  ASSERT_EQ(*auth_->update_user("root", disabled(true)), AccountChange::done);
  EXPECT_EQ(*auth_->delete_user("zhang"), AccountChange::last_admin);
  ASSERT_EQ(*auth_->update_user("root", disabled(false)), AccountChange::done);
  EXPECT_EQ(*auth_->delete_user("zhang"), AccountChange::done);
}

TEST_F(AuthTest, DisablingEndsSessionsAndStopsTokensDeletingRemovesThem) {
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "zhang password 1"));
  auto session = auth_->start_session("zhang");
  ASSERT_TRUE(session);
  auto token = auth_->create_token("zhang", "etl", clock_->now() + 1000);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->info.user_id, "zhang");
  EXPECT_EQ(token->info.name, "etl");
  EXPECT_EQ(auth_->tokens("zhang")->front().id, token->info.id);
  ASSERT_TRUE(*auth_->token_user(token->secret));

  ASSERT_EQ(*auth_->update_user("zhang", disabled(true)), AccountChange::done);
  EXPECT_FALSE(*auth_->session(session->id));
  EXPECT_FALSE(*auth_->token_user(token->secret));
  ASSERT_EQ(*auth_->update_user("zhang", disabled(false)), AccountChange::done);
  EXPECT_TRUE(*auth_->token_user(token->secret));

  auto again = auth_->start_session("zhang");
  ASSERT_TRUE(again);
  ASSERT_TRUE(auth_->save_filter("zhang", "mine", R"({"owner":"zhang"})"));
  ASSERT_EQ(*auth_->delete_user("zhang"), AccountChange::done);
  EXPECT_FALSE(*auth_->user("zhang"));
  EXPECT_FALSE(*auth_->session(again->id));
  EXPECT_FALSE(*auth_->token_user(token->secret));
  EXPECT_TRUE(auth_->tokens("zhang")->empty());
  // A new account of the same name starts with nothing of the old one's.
  ASSERT_TRUE(auth_->add_user("zhang", {"staff"}, "zhang password 2"));
  EXPECT_TRUE(auth_->saved_filters("zhang")->empty());
  EXPECT_FALSE(*auth_->token_user(token->secret));
}

}  // namespace
}  // namespace investflow::storage::testing
