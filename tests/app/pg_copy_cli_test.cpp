// `investflow copy SRC DST` (storage/store_copy.hpp): a whole store from a SQLite file to
// PostgreSQL and back to a new SQLite file, on a real PostgreSQL 15 the test starts itself
// (tests/support/pg_server.hpp); skipped, saying why, where PostgreSQL cannot start.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/args.hpp"
#include "app/commands_storage.hpp"
#include "engine/command.hpp"
#include "notify/notify_store.hpp"
#include "storage/anchor.hpp"
#include "storage/attachment_files.hpp"
#include "storage/auth.hpp"
#include "storage/pg_connection.hpp"
#include "tests/storage/storage_test_support.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::app::testing {
namespace {

namespace fs = std::filesystem;
using storage::testing::TempDir;

// The tables a server keeps (report summaries aside), compared row for row by count.
const std::vector<std::string> kTables = {
    "workflows",      "projects",  "events",          "event_batches", "outbox",
    "users",          "sessions",  "api_tokens",      "notifications", "webhooks",
    "project_access", "audit_log", "idempotency_keys"};

std::int64_t rows_in(const std::string& db, const std::string& table) {
  SQLite::Database sqlite(db, SQLite::OPEN_READONLY);
  return sqlite.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

storage::LogHeads heads_of(const std::string& db) {
  SQLite::Database sqlite(db, SQLite::OPEN_READONLY);
  return storage::stored_heads(sqlite);
}

std::string exported(const std::string& db) {
  const auto run = cli({"export", db, "--workflow", "qingyuan-investment"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  return run.out;
}

// A store with something in every kind of table: seeded projects and service problems,
// users with a session and a token, audit entries, an inbox notice, a webhook and an
// attached file.
void fill(const std::string& db) {
  ASSERT_EQ(
      cli({"seed", db, "--projects", "30", "--problems", "6", "--seed", "3", "--now", "2026-11-02"})
          .code,
      kExitOk);
  ASSERT_EQ(cli({"user", "add", "zhang", "--role", "staff", "--unit", "招商一科", "--password",
                 "zhang password 1", "--db", db})
                .code,
            kExitOk);
  ASSERT_EQ(cli({"user", "add", "root", "--role", "admin", "--db", db}).code, kExitOk);
  ASSERT_EQ(cli({"user", "token", "zhang", "--name", "etl", "--db", db}).code, kExitOk);
  {
    auto auth = storage::AuthStore::open(db);
    ASSERT_TRUE(auth) << auth.error().message;
    ASSERT_TRUE((*auth)->start_session("zhang"));
  }
  {
    auto notify = notify::NotifyStore::open(db);
    ASSERT_TRUE(notify) << notify.error().message;
    ASSERT_TRUE((*notify)->post_notice({"zhang", "root"}, "calendar:2027", "calendar_ending",
                                       "日历即将用完", "the calendar runs out", 1'790'000'000'000));
    notify::Webhook hook;
    hook.url = "https://hooks.example.com/zone";
    hook.secret = "hook secret";
    hook.format = "json";
    hook.created_by = "root";
    hook.created_at = 1'790'000'000'000;
    ASSERT_TRUE((*notify)->add_webhook(hook));
  }
  // A contract attached to a project, its file in DB.files/.
  std::string project, owner;
  {
    SQLite::Database sqlite(db, SQLite::OPEN_READONLY);
    SQLite::Statement first(sqlite,
                            "SELECT id, owner FROM projects WHERE workflow = "
                            "'qingyuan-investment' ORDER BY id LIMIT 1");
    ASSERT_TRUE(first.executeStep());
    project = first.getColumn(0).getString();
    owner = first.getColumn(1).getString();
  }
  std::ostringstream out, err;
  Io io{out, err, false};
  auto store = open_command_store(db, io);
  ASSERT_TRUE(store) << err.str();
  storage::AttachmentFiles files(storage::files_dir_of(db));
  const std::string content = "%PDF-1.4\n% a contract\n%%EOF\n";
  const fs::path upload = files.upload_dir() / "contract";
  std::ofstream(upload, std::ios::binary) << content;
  storage::Sha256Stream sha;
  sha.update(content.data(), content.size());
  const std::string hash = sha.hex_digest();
  ASSERT_TRUE(files.place(upload, hash));
  storage::WriteRequest attach;
  attach.command.project_id = project;
  attach.command.body = engine::AttachFile{
      hash, "合同.pdf", static_cast<std::int64_t>(content.size()), "application/pdf"};
  attach.actor = engine::Actor{owner, {"admin", "manager", "staff"}};
  attach.idempotency_key = "attach-contract";
  attach.batch = "test:attachments";
  const storage::WriteResult result = store->write(std::move(attach)).get();
  files.settle(hash, result.accepted(), [] { return true; });
  ASSERT_TRUE(result.accepted());
}

TEST(PgCopyCli, AStoreGoesToPostgresqlAndBackToSqliteUnchanged) {
  PG_DATABASE_OR_SKIP(uri);
  TempDir dir;
  const std::string a = dir.file("a.db").string();
  const std::string c = dir.file("c.db").string();
  const std::string pg_files = dir.file("pg-files").string();
  fill(a);
  if (HasFatalFailure()) return;
  const std::string key = dir.file("digest.key").string();
  const std::string digest = dir.file("digest.json").string();
  ASSERT_EQ(cli({"keygen", "--out", key}).code, kExitOk);
  ASSERT_EQ(cli({"digest", a, "--key", key, "--out", digest}).code, kExitOk);

  const auto there = cli({"copy", a, uri, "--files-dir", pg_files});
  ASSERT_EQ(there.code, kExitOk) << there.err;
  EXPECT_EQ(there.err, "");  // no progress bar: not a terminal
  EXPECT_NE(there.out.find("attached files        1"), std::string::npos) << there.out;
  const auto back = cli({"copy", uri, c, "--files-dir", pg_files});
  ASSERT_EQ(back.code, kExitOk) << back.err;
  EXPECT_NE(back.out.find("rebuilt from the log: report_*"), std::string::npos) << back.out;
  // Both chains as they were: the heads each copy printed, and those of the files (before
  // the exports below add their audit entries).
  const storage::LogHeads before = heads_of(a), after = heads_of(c);
  EXPECT_EQ(after.events, before.events);
  EXPECT_EQ(after.audit, before.audit);
  const std::string head = "event log: " + std::to_string(before.events.size) + " events, head " +
                           storage::hex_of(before.events.head.data(), before.events.head.size());
  EXPECT_NE(there.out.find(head), std::string::npos) << there.out;
  EXPECT_NE(back.out.find(head), std::string::npos) << back.out;

  for (const std::string& db : {a, uri, c}) {
    const auto verified = cli({"verify", db});
    EXPECT_EQ(verified.code, kExitOk) << db << "\n" << verified.out << verified.err;
  }
  const std::string original = exported(a);
  EXPECT_GT(std::count(original.begin(), original.end(), '\n'), 3) << original;
  EXPECT_EQ(exported(uri), original);
  EXPECT_EQ(exported(c), original);

  // Every row.
  for (const std::string& table : kTables) {
    EXPECT_EQ(rows_in(c, table), rows_in(a, table)) << table;
    EXPECT_GT(rows_in(c, table), 0) << table;
  }
  // A digest signed on the first store verifies on the last.
  const auto anchored = cli({"verify", c, "--digest", digest, "--public-key", key + ".pub"});
  EXPECT_EQ(anchored.code, kExitOk) << anchored.out << anchored.err;
  // The attachment's file came along both ways (verify checked it against its hash).
  EXPECT_FALSE(fs::is_empty(pg_files));
  EXPECT_TRUE(fs::exists(storage::files_dir_of(c)));

  // The PostgreSQL copy is a working store: its log chain, ids and identity columns go on
  // from the copied rows.
  ASSERT_EQ(cli({"seed", uri, "--projects", "3", "--prefix", "NEW", "--seed", "9"}).code, kExitOk);
  const auto grown = cli({"verify", uri});
  EXPECT_EQ(grown.code, kExitOk) << grown.out << grown.err;

  // DST must be new.
  const auto again = cli({"copy", a, uri, "--files-dir", dir.file("other-files").string()});
  EXPECT_EQ(again.code, kExitFailed);
  EXPECT_NE(again.err.find("is not empty"), std::string::npos) << again.err;
  const auto exists = cli({"copy", uri, c, "--files-dir", pg_files});
  EXPECT_EQ(exists.code, kExitFailed);
  EXPECT_NE(exists.err.find("exists"), std::string::npos) << exists.err;
  EXPECT_EQ(exported(c), original);
}

TEST(PgCopyCli, ABrokenSourceIsRefusedAndNothingIsWritten) {
  PG_DATABASE_OR_SKIP(uri);
  TempDir dir;
  const std::string a = dir.file("a.db").string();
  ASSERT_EQ(cli({"seed", a, "--projects", "10", "--seed", "5", "--now", "2026-11-02"}).code,
            kExitOk);
  {
    SQLite::Database sqlite(a, SQLite::OPEN_READWRITE);
    sqlite.exec("DROP TRIGGER events_no_update");
    sqlite.exec("UPDATE events SET hash = zeroblob(32) WHERE id = 7");
  }
  const auto to_pg = cli({"copy", a, uri});
  EXPECT_EQ(to_pg.code, kExitFailed);
  EXPECT_NE(to_pg.err.find("fails verify"), std::string::npos) << to_pg.err;
  EXPECT_NE(to_pg.err.find("bad_hash"), std::string::npos) << to_pg.err;
  storage::PgConnection connection(uri);
  EXPECT_EQ(connection
                .exec("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                      "current_schema()")
                .number(0, 0),
            0);

  const std::string b = dir.file("b.db").string();
  const auto to_file = cli({"copy", a, b});
  EXPECT_EQ(to_file.code, kExitFailed);
  EXPECT_NE(to_file.err.find("fails verify"), std::string::npos) << to_file.err;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with("b.db")) << entry.path();

  // A database with other tables is not investflow's to fill.
  connection.exec("CREATE TABLE ledger (id INTEGER)");
  const auto foreign = cli({"copy", a, uri});
  EXPECT_EQ(foreign.code, kExitFailed);
  EXPECT_NE(foreign.err.find("holds tables that are not investflow's (ledger)"), std::string::npos)
      << foreign.err;
}

// Targets have no table on PostgreSQL yet: refused, unless left out on purpose.
TEST(PgCopyCli, TargetsAreCopiedAndRowsDstHasNoPlaceForAreRefusedOrLeftOut) {
  PG_DATABASE_OR_SKIP(uri);
  TempDir dir;
  const std::string a = dir.file("a.db").string();
  ASSERT_EQ(cli({"seed", a, "--projects", "4", "--seed", "2", "--now", "2026-11-02"}).code,
            kExitOk);
  ASSERT_EQ(cli({"target", "set", a, "--year", "2026", "--unit", "招商一科", "--figure",
                 "signed_projects", "--value", "5"})
                .code,
            kExitOk);
  const auto copied = cli({"copy", a, uri});
  ASSERT_EQ(copied.code, kExitOk) << copied.err;
  const auto listed = cli({"target", "list", uri, "--year", "2026"});
  ASSERT_EQ(listed.code, kExitOk) << listed.err;
  EXPECT_EQ(listed.out, cli({"target", "list", a, "--year", "2026"}).out);
  EXPECT_NE(listed.out.find("招商一科"), std::string::npos) << listed.out;
  EXPECT_EQ(exported(uri), exported(a));

  // A DST without a table SRC has rows in (an older schema, say): refused, or left out.
  const std::string older = investflow::testing::fresh_pg_database();
  ASSERT_EQ(cli({"init", older}).code, kExitOk);
  storage::PgConnection(older).exec_script("DROP TABLE target_history; DROP TABLE targets");
  const auto refused = cli({"copy", a, older});
  EXPECT_EQ(refused.code, kExitFailed);
  EXPECT_NE(refused.err.find("no table for targets (1 rows)"), std::string::npos) << refused.err;
  const auto left = cli({"copy", a, older, "--leave-out-unsupported"});
  ASSERT_EQ(left.code, kExitOk) << left.err;
  EXPECT_NE(left.out.find("left out: targets (1 rows)"), std::string::npos) << left.out;
  EXPECT_EQ(exported(older), exported(a));
}

TEST(PgCopyCli, AnswersHelpAndRefusesBadUsage) {
  const auto help = cli({"copy", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_NE(help.out.find("Usage: investflow copy"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--files-dir"), std::string::npos) << help.out;
  EXPECT_NE(cli({"--help"}).out.find("copy "), std::string::npos);

  EXPECT_EQ(cli({"copy"}).code, kExitUsage);
  EXPECT_EQ(cli({"copy", "a.db"}).code, kExitUsage);
  EXPECT_EQ(cli({"copy", "a.db", "b.db", "c.db"}).code, kExitUsage);
  const auto both = cli({"copy", "postgresql:///one", "postgresql:///two"});
  EXPECT_EQ(both.code, kExitUsage);
  EXPECT_NE(both.err.find("pg_dump"), std::string::npos) << both.err;
  EXPECT_EQ(cli({"copy", "a.db", "b.db", "--files-dir", "files"}).code, kExitUsage);

  TempDir dir;
  const auto missing = cli({"copy", dir.file("none.db").string(), dir.file("b.db").string()});
  EXPECT_EQ(missing.code, kExitFailed);
  EXPECT_NE(missing.err.find("no database at"), std::string::npos) << missing.err;
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace investflow::app::testing
