// `investflow keygen`, `digest` and `verify --digest --public-key`, in-process: what an
// operator runs, with the exit codes a script relies on.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands_anchor.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;
using testing::cli;

class AnchorCli : public ::testing::Test {
 protected:
  fs::path dir =
      fs::temp_directory_path() / ("investflow-anchor-cli-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string db = (dir / "zone.db").string();
  std::string key = (dir / "keys" / "digest.key").string();
  std::string digest = (dir / "zone-digest.json").string();
  void SetUp() override {
    fs::create_directories(dir / "keys");
    ASSERT_EQ(cli({"init", db}).code, 0);
    const auto seeded = cli({"seed", db, "--projects", "4", "--synchronous", "off"});
    ASSERT_EQ(seeded.code, 0) << seeded.err;
  }
  void TearDown() override { fs::remove_all(dir); }
  testing::CliRun verify() {
    return cli({"verify", db, "--digest", digest, "--public-key", key + ".pub"});
  }
};

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(AnchorCli, KeygenDigestVerifyAndARemovedEventFails) {
  const auto made = cli({"keygen", "--out", key});
  ASSERT_EQ(made.code, 0) << made.err;
  EXPECT_NE(made.out.find("public key "), std::string::npos);
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(cli({"keygen", "--out", key}).code, 1);  // never overwrites a key

  const auto printed = cli({"digest", db, "--key", key});
  ASSERT_EQ(printed.code, 0) << printed.err;
  EXPECT_NE(printed.out.find("\"format\": \"investflow-digest/1\""), std::string::npos)
      << printed.out;
  const auto signed_digest = cli({"digest", db, "--key", key, "--out", digest});
  ASSERT_EQ(signed_digest.code, 0) << signed_digest.err;

  auto ok = verify();
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find(": ok\n"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("the digest of "), std::string::npos) << ok.out;

  {
    SQLite::Database raw(db, SQLite::OPEN_READWRITE);
    raw.exec("DROP TRIGGER events_no_delete");
    raw.exec("DELETE FROM notifications WHERE event_id = (SELECT max(id) FROM events)");
    raw.exec("DELETE FROM outbox WHERE event_id = (SELECT max(id) FROM events)");
    raw.exec("DELETE FROM events WHERE id = (SELECT max(id) FROM events)");
    raw.exec(
        "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END");
  }
  const auto tampered = verify();
  EXPECT_EQ(tampered.code, 1);
  EXPECT_NE(tampered.out.find("digest_mismatch: the digest covers"), std::string::npos)
      << tampered.out;
}

// `digest URI` and `verify URI --digest`: the log chain and the audit chain of a PostgreSQL
// database signed and checked as a SQLite file's; appends are fine, a change is not.
TEST_F(AnchorCli, DigestAndVerifyDigestOnAPostgresqlDatabase) {
  PG_DATABASE_OR_SKIP(uri);
  ASSERT_EQ(cli({"init", uri}).code, 0);
  ASSERT_EQ(cli({"seed", uri, "--projects", "4"}).code, 0);
  ASSERT_EQ(cli({"user", "add", "zhou", "--role", "staff", "--db", uri}).code, 0);  // audited
  ASSERT_EQ(cli({"keygen", "--out", key}).code, 0);
  const auto signed_digest = cli({"digest", uri, "--key", key, "--out", digest});
  ASSERT_EQ(signed_digest.code, 0) << signed_digest.err;
  EXPECT_NE(signed_digest.out.find(" events, 1 audit entries"), std::string::npos)
      << signed_digest.out;
  // The database's name, not its URI (which may hold a password).
  const std::string prefix = "postgresql:///";  // fresh_pg_database's: a name, then ?host=
  ASSERT_EQ(uri.rfind(prefix, 0), 0u) << uri;
  const std::string name = uri.substr(prefix.size(), uri.find('?') - prefix.size());
  EXPECT_NE(read(digest).find("\"database\": \"" + name + "\""), std::string::npos) << read(digest);
  const auto check = [&] {
    return cli({"verify", uri, "--digest", digest, "--public-key", key + ".pub"});
  };
  auto ok = check();
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("1 audit entries; the digest of "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find(": ok\n"), std::string::npos) << ok.out;
  // Appended since: still covered.
  ASSERT_EQ(cli({"seed", uri, "--projects", "2", "--prefix", "NEW"}).code, 0);
  ASSERT_EQ(cli({"user", "add", "qian", "--role", "staff", "--db", uri}).code, 0);
  ok = check();
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;

  storage::PgConnection raw(uri);  // the superuser, behind the stores' back
  raw.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update");
  raw.exec("DELETE FROM audit_log");
  auto removed = check();
  EXPECT_EQ(removed.code, 1);
  EXPECT_NE(removed.out.find("digest_mismatch: the digest covers 1 audit entries; the database "
                             "holds only 0"),
            std::string::npos)
      << removed.out;
  raw.exec("ALTER TABLE events DISABLE TRIGGER events_no_update");
  raw.exec("UPDATE events SET hash = sha256(hash) WHERE id = 1");
  auto changed = check();
  EXPECT_EQ(changed.code, 1);
  EXPECT_NE(changed.out.find("digest_mismatch: the events the digest covers"), std::string::npos)
      << changed.out;
}

TEST_F(AnchorCli, ADigestFromAnotherKeyOrAlteredIsRefused) {
  ASSERT_EQ(cli({"keygen", "--out", key}).code, 0);
  const std::string other = (dir / "keys" / "other.key").string();
  ASSERT_EQ(cli({"keygen", "--out", other}).code, 0);
  ASSERT_EQ(cli({"digest", db, "--key", other, "--out", digest}).code, 0);
  auto wrong_key = verify();
  EXPECT_EQ(wrong_key.code, 1);
  EXPECT_NE(wrong_key.err.find("was signed with another key"), std::string::npos) << wrong_key.err;

  fs::remove(digest);
  ASSERT_EQ(cli({"digest", db, "--key", key, "--out", digest}).code, 0);
  std::string text = read(digest);
  const auto size = text.find("\"size\":");
  ASSERT_NE(size, std::string::npos) << text;
  const auto digits = text.find_first_not_of("0123456789", size + 7);
  text.replace(size + 7, digits - size - 7, "1");  // claims a shorter log
  std::ofstream(digest) << text;
  auto altered = verify();
  EXPECT_EQ(altered.code, 1);
  EXPECT_NE(altered.err.find("the signature does not match"), std::string::npos) << altered.err;

  std::ofstream(digest) << "not json";
  auto garbage = verify();
  EXPECT_EQ(garbage.code, 1);
  EXPECT_NE(garbage.err.find("not a JSON object"), std::string::npos) << garbage.err;
}

TEST_F(AnchorCli, UsageMistakesExitTwo) {
  EXPECT_EQ(cli({"keygen"}).code, 2);
  EXPECT_EQ(cli({"digest", db}).code, 2);
  const auto half = cli({"verify", db, "--digest", digest});
  EXPECT_EQ(half.code, 2);
  EXPECT_NE(half.err.find("--digest and --public-key go together"), std::string::npos);
  EXPECT_EQ(cli({"keygen", "--help"}).code, 0);
  EXPECT_EQ(cli({"digest", "--help"}).code, 0);
}

TEST_F(AnchorCli, ScheduledDigestsAreWrittenToTheDirectory) {
  ASSERT_EQ(cli({"keygen", "--out", key}).code, 0);
  DigestPolicy policy;
  policy.dir = dir / "digests";
  auto signing = storage::read_signing_key(key);
  ASSERT_TRUE(signing);
  policy.key = *signing;
  const auto done = digest_now(db, policy);
  ASSERT_TRUE(done) << done.error();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(policy.dir))
    files.push_back(entry.path());
  ASSERT_EQ(files.size(), 1U);
  EXPECT_TRUE(files.front().filename().string().starts_with("zone-digest-"));
  digest = files.front().string();
  EXPECT_EQ(verify().code, 0);
}

TEST_F(AnchorCli, CommandsThatChangeUsersOrCopyDataOutAreAudited) {
  const auto added = cli({"user", "add", "zhou", "--role", "staff", "--db", db});
  ASSERT_EQ(added.code, 0) << added.err;
  ASSERT_EQ(cli({"user", "disable", "zhou", "--db", db}).code, 0);
  const std::string copy = (dir / "copy.db").string();
  ASSERT_EQ(cli({"backup", db, copy}).code, 0);

  const auto listed = cli({"audit", db});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("user_created  zhou  cli  {\"roles\":[\"staff\"]}"), std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find("user_disabled  zhou"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("  backup  "), std::string::npos) << listed.out;
  EXPECT_LT(listed.out.find("backup"), listed.out.find("user_created"));  // newest first

  const auto json = cli({"audit", db, "--action", "user_disabled", "--json"});
  ASSERT_EQ(json.code, 0);
  EXPECT_EQ(std::count(json.out.begin(), json.out.end(), '\n'), 1) << json.out;
  EXPECT_NE(json.out.find("\"actor\":\"cli:"), std::string::npos) << json.out;
  EXPECT_EQ(cli({"audit", db, "--action", "dance"}).code, 2);
  EXPECT_EQ(cli({"audit", db, "--from", "soon"}).code, 2);
  // The entries are chained: verify checks them.
  EXPECT_EQ(cli({"verify", db}).code, 0);
}

TEST_F(AnchorCli, AUsersUnitIsSetListedClearedAndAudited) {
  const auto added =
      cli({"user", "add", "zhou", "--role", "staff", "--unit", "招商二科", "--db", db});
  ASSERT_EQ(added.code, 0) << added.err;
  auto listed = cli({"user", "list", "--db", db});
  ASSERT_EQ(listed.code, 0);
  EXPECT_NE(listed.out.find("招商二科"), std::string::npos) << listed.out;
  EXPECT_EQ(cli({"user", "unit", "zhou", "招商一科", "--db", db}).code, 0);
  listed = cli({"user", "list", "--db", db});
  EXPECT_NE(listed.out.find("招商一科"), std::string::npos) << listed.out;
  EXPECT_EQ(listed.out.find("招商二科"), std::string::npos) << listed.out;
  EXPECT_EQ(cli({"user", "unit", "zhou", "--clear", "--db", db}).code, 0);
  listed = cli({"user", "list", "--db", db});
  EXPECT_EQ(listed.out.find("招商一科"), std::string::npos) << listed.out;
  // Usage: a unit or --clear, not both, not neither; an unknown user fails.
  EXPECT_EQ(cli({"user", "unit", "zhou", "--db", db}).code, 2);
  EXPECT_EQ(cli({"user", "unit", "zhou", "X", "--clear", "--db", db}).code, 2);
  const auto unknown = cli({"user", "unit", "nobody", "X", "--db", db});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("nobody"), std::string::npos) << unknown.err;
  const auto audit = cli({"audit", db, "--action", "user_changed"});
  EXPECT_NE(audit.out.find("招商一科"), std::string::npos) << audit.out;
}

TEST_F(AnchorCli, RolesAreCheckedAgainstTheWorkflows) {
  const auto typo = cli({"user", "add", "zhou", "--role", "stafff", "--db", db});
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("no workflow has the role 'stafff'; did you mean 'staff'?"),
            std::string::npos)
      << typo.err;
  EXPECT_NE(typo.err.find("auditor"), std::string::npos) << typo.err;
  // A database without workflows yet: the shipped workflows' roles.
  const std::string empty = (dir / "empty.db").string();
  ASSERT_EQ(cli({"init", empty}).code, 0);
  EXPECT_EQ(cli({"user", "add", "li", "--role", "manager", "--db", empty}).code, 0);
  EXPECT_EQ(cli({"user", "add", "wu", "--role", "boss", "--db", empty}).code, 2);
}

}  // namespace
}  // namespace investflow::app
