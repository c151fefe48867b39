// `investflow user ...` and `investflow token ...` on a PostgreSQL database given as a
// postgresql:// URI (storage/pg_auth.cpp), on a real PostgreSQL 15 the test starts itself
// (tests/support/pg_server.hpp); skipped, saying why, where PostgreSQL cannot start.

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>

#include "app/args.hpp"
#include "storage/auth.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::app::testing {
namespace {

TEST(PgUsersCli, UsersAndTokensAreManagedOnAPostgresqlDatabase) {
  PG_DATABASE_OR_SKIP(uri);

  const auto added = cli({"user", "add", "zhang", "--role", "staff", "--unit", "招商一科",
                          "--password", "zhang password 1", "--db", uri});
  ASSERT_EQ(added.code, kExitOk) << added.err;
  EXPECT_NE(added.out.find("added zhang (staff)"), std::string::npos) << added.out;
  const auto admin = cli({"user", "add", "root", "--role", "admin", "--db", uri});
  ASSERT_EQ(admin.code, kExitOk) << admin.err;
  EXPECT_NE(admin.out.find("password: "), std::string::npos) << admin.out;  // generated
  // The roles are the workflows' (the shipped ones while the database has none).
  const auto typo = cli({"user", "add", "li", "--role", "stafff", "--db", uri});
  EXPECT_EQ(typo.code, kExitUsage) << typo.err;
  EXPECT_NE(typo.err.find("stafff"), std::string::npos) << typo.err;

  const auto listed = cli({"user", "list", "--db", uri});
  ASSERT_EQ(listed.code, kExitOk) << listed.err;
  EXPECT_NE(listed.out.find("招商一科"), std::string::npos) << listed.out;
  EXPECT_LT(listed.out.find("root"), listed.out.find("zhang")) << listed.out;
  EXPECT_EQ(listed.out.find(" li "), std::string::npos) << listed.out;

  // What the commands wrote is what a server on the database reads.
  storage::AuthOptions options;
  options.token_cache_ttl = std::chrono::milliseconds(0);
  auto opened = storage::AuthStore::open(uri, options);
  ASSERT_TRUE(opened) << opened.error().message;
  storage::AuthStore& auth = **opened;
  EXPECT_TRUE(*auth.check_password("zhang", "zhang password 1"));
  EXPECT_EQ((*auth.user("zhang"))->unit, "招商一科");

  const auto token = cli({"user", "token", "zhang", "--name", "etl", "--db", uri});
  ASSERT_EQ(token.code, kExitOk) << token.err;
  ASSERT_EQ(token.out.size(), 65u) << token.out;
  const std::string secret = token.out.substr(0, 64);
  ASSERT_TRUE(*auth.token_user(secret));
  auto tokens = auth.tokens("zhang");
  ASSERT_TRUE(tokens && tokens->size() == 1u);
  const auto token_list = cli({"token", "list", "--db", uri});
  ASSERT_EQ(token_list.code, kExitOk) << token_list.err;
  EXPECT_NE(token_list.out.find(tokens->front().id), std::string::npos) << token_list.out;
  const auto revoked = cli({"token", "revoke", tokens->front().id, "--db", uri});
  ASSERT_EQ(revoked.code, kExitOk) << revoked.err;
  EXPECT_FALSE(*auth.token_user(secret));

  const auto session = auth.start_session("zhang");
  ASSERT_TRUE(session);
  ASSERT_EQ(cli({"user", "disable", "zhang", "--db", uri}).code, kExitOk);
  EXPECT_FALSE(*auth.session(session->id));
  EXPECT_FALSE(*auth.check_password("zhang", "zhang password 1"));
  const auto passwd =
      cli({"user", "passwd", "zhang", "--password", "zhang password 2", "--db", uri});
  ASSERT_EQ(passwd.code, kExitOk) << passwd.err;
  ASSERT_EQ(cli({"user", "enable", "zhang", "--db", uri}).code, kExitOk);
  EXPECT_TRUE(*auth.check_password("zhang", "zhang password 2"));

  const auto last_admin = cli({"user", "delete", "root", "--db", uri});
  EXPECT_EQ(last_admin.code, kExitFailed);
  EXPECT_NE(last_admin.err.find("last enabled admin"), std::string::npos) << last_admin.err;
  ASSERT_EQ(cli({"user", "delete", "zhang", "--db", uri}).code, kExitOk);
  EXPECT_FALSE(*auth.user("zhang"));
  EXPECT_TRUE(*auth.user("root"));
}

TEST(PgUsersCli, AnUnreachableDatabaseFailsWithoutShowingThePassword) {
  const auto failed = cli(
      {"user", "list", "--db", "postgresql://zhang:s3cret@/nowhere?host=/nonexistent-socket-dir"});
  EXPECT_EQ(failed.code, kExitFailed);
  EXPECT_NE(failed.err.find("zhang:***@"), std::string::npos) << failed.err;
  EXPECT_EQ(failed.err.find("s3cret"), std::string::npos) << failed.err;
}

}  // namespace
}  // namespace investflow::app::testing
