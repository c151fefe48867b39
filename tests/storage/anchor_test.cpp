// Anchored history: the log chain over all events, the audit log's chain, signed digests
// and what `verify` proves with them. The attacker here can write the database file: drop
// the append-only triggers, rewrite an event, recompute every hash (the project's chain,
// its head_hash, the log chain) and restore the triggers. Only a digest signed before the
// rewrite, with a key kept elsewhere, catches that.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "storage/anchor.hpp"
#include "storage/audit.hpp"
#include "storage/codec.hpp"
#include "storage/operations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_store.hpp"
#include "storage_test_support.hpp"
#include "tests/support/pg_server.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers
namespace fs = std::filesystem;

void make_database(const fs::path& path, const std::vector<std::string>& ids) {
  auto store = open_test_store(path);
  ASSERT_TRUE(store);
  for (const std::string& id : ids) {
    ASSERT_TRUE(store->write(create_request(id, "项目" + id)).get().accepted());
    ASSERT_TRUE(
        store->write(transition_request(id, "submit", staff(), submit_fields())).get().accepted());
    ASSERT_TRUE(store->write(transition_request(id, "back", manager())).get().accepted());
  }
}

void bind_hash(SQLite::Statement& statement, int index, const Hash& hash) {
  statement.bind(index, hash.data(), static_cast<int>(hash.size()));
}

// What a careful attacker does after changing rows: recompute every per-project chain and
// head_hash, the log chain and the audit chain, then put the triggers back.
void recompute_every_hash(SQLite::Database& db) {
  std::map<std::string, Hash> previous;
  Hash log = kGenesisHash;
  SQLite::Statement events(db, "SELECT id, project_id, payload FROM events ORDER BY id");
  SQLite::Statement update(db,
                           "UPDATE events SET prev_hash = ?, hash = ?, log_hash = ? WHERE id = ?");
  std::vector<std::tuple<std::int64_t, Hash, Hash, Hash>> rows;
  // Per-project order is seq order, which is id order within a project here.
  while (events.executeStep()) {
    const std::string project = events.getColumn(1).getString();
    const Hash before = previous.contains(project) ? previous[project] : kGenesisHash;
    const Hash hash = chain_hash(before, events.getColumn(2).getString());
    previous[project] = hash;
    log = log_link(log, hash);
    rows.emplace_back(events.getColumn(0).getInt64(), before, hash, log);
  }
  for (const auto& [id, before, hash, link] : rows) {
    bind_hash(update, 1, before);
    bind_hash(update, 2, hash);
    bind_hash(update, 3, link);
    update.bind(4, id);
    update.exec();
    update.reset();
  }
  for (const auto& [project, head] : previous) {
    SQLite::Statement head_update(db, "UPDATE projects SET head_hash = ? WHERE id = ?");
    bind_hash(head_update, 1, head);
    head_update.bind(2, project);
    head_update.exec();
  }
  SQLite::Statement entries(db,
                            "SELECT " + std::string(kAuditColumns) + " FROM audit_log ORDER BY id");
  std::vector<std::tuple<std::int64_t, Hash, Hash>> audit;
  Hash audit_previous = kGenesisHash;
  while (entries.executeStep()) {
    const AuditEntry entry{entries.getColumn(0).getInt64(),  entries.getColumn(1).getInt64(),
                           entries.getColumn(2).getString(), entries.getColumn(3).getString(),
                           entries.getColumn(4).getString(), entries.getColumn(5).getString(),
                           entries.getColumn(6).getString(), entries.getColumn(7).getString()};
    const Hash hash = chain_hash(audit_previous, audit_canonical(entry));
    audit.emplace_back(entry.id, audit_previous, hash);
    audit_previous = hash;
  }
  for (const auto& [id, before, hash] : audit) {
    SQLite::Statement audit_update(db, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?");
    bind_hash(audit_update, 1, before);
    bind_hash(audit_update, 2, hash);
    audit_update.bind(3, id);
    audit_update.exec();
  }
}

// Drops the append-only triggers, runs `sql`, optionally recomputes every hash, restores
// the triggers exactly as the schema has them.
void rewrite(const fs::path& path, const std::string& sql, bool recompute = true) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  std::vector<std::pair<std::string, std::string>> triggers;
  {
    SQLite::Statement select(db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'");
    while (select.executeStep())
      triggers.emplace_back(select.getColumn(0).getString(), select.getColumn(1).getString());
  }
  for (const auto& [name, ignored] : triggers)
    db.exec("DROP TRIGGER " + name);
  db.exec(sql);
  if (recompute) recompute_every_hash(db);
  for (const auto& [ignored, definition] : triggers)
    db.exec(definition);
}

void add_audit(const fs::path& path, const std::string& action, const std::string& actor) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  append_audit(db,
               AuditEntry{0, 1'770'000'000'000, actor, action, actor, "10.0.0.7", "req-1", "{}"});
}

bool has(const VerifyReport& report, VerifyProblem::Kind kind) {
  return std::any_of(report.problems.begin(), report.problems.end(),
                     [kind](const VerifyProblem& p) { return p.kind == kind; });
}

std::string problems(const VerifyReport& report) {
  std::string text;
  for (const auto& problem : report.problems)
    text += std::string(verify_problem_name(problem.kind)) + ": " + problem.message + "\n";
  return text;
}

class AnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    make_database(db_, {"P-1", "P-2", "P-3"});
    add_audit(db_, "login", "staff-1");
    add_audit(db_, "user_created", "admin");
    ASSERT_TRUE(write_signing_key(key_));
    auto key = read_signing_key(key_);
    ASSERT_TRUE(key) << key.error().message;
    auto digest = make_digest(db_, *key, 1'770'000'000'000);
    ASSERT_TRUE(digest) << digest.error().message;
    digest_ = *digest;
  }
  VerifyReport verify(std::optional<LogHeads> anchored) {
    auto report = verify_database(db_, {}, anchored);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }
  TempDir dir_;
  fs::path db_ = dir_.file("zone.db");
  fs::path key_ = dir_.file("digest.key");
  Digest digest_;
};

TEST_F(AnchorTest, KeysAreWrittenPrivateAndNeverOverwritten) {
  struct stat info {};
  ASSERT_EQ(::stat(key_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  auto again = write_signing_key(key_);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("refusing to overwrite"), std::string::npos);
  auto pub = read_public_key(key_.string() + ".pub");
  ASSERT_TRUE(pub);
  EXPECT_EQ(*pub, digest_.public_key);
  // A key others can read is refused: it may have been copied.
  ::chmod(key_.c_str(), 0644);
  auto loose = read_signing_key(key_);
  ASSERT_FALSE(loose);
  EXPECT_NE(loose.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(AnchorTest, TheDigestStatesBothChainsAndItsSignatureCoversEveryField) {
  EXPECT_EQ(digest_.heads.events.size, 9);
  EXPECT_EQ(digest_.heads.audit.size, 2);
  EXPECT_NE(digest_.heads.events.head, kGenesisHash);
  EXPECT_EQ(digest_.database, "zone.db");
  EXPECT_TRUE(digest_signature_valid(digest_));

  auto parsed = digest_from_json(digest_to_json(digest_));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(digest_signature_valid(*parsed));
  EXPECT_EQ(parsed->heads.events, digest_.heads.events);

  Digest smaller = *parsed;
  smaller.heads.events.size = 8;  // "the log was shorter when signed": would allow removals
  EXPECT_FALSE(digest_signature_valid(smaller));
  Digest other_time = *parsed;
  other_time.at = "2020-01-01T00:00:00.000+08:00";
  EXPECT_FALSE(digest_signature_valid(other_time));

  EXPECT_FALSE(digest_from_json("[]"));
  EXPECT_FALSE(digest_from_json(R"({"format":"investflow-digest/2"})"));
  auto bad_head = digest_from_json(R"({"format":"investflow-digest/1","database":"a","at":"b",
      "events":{"size":1,"head":"zz"},"audit":{"size":0,"head":"00"}})");
  ASSERT_FALSE(bad_head);
  EXPECT_NE(bad_head.error().message.find("events or audit"), std::string::npos);
}

TEST_F(AnchorTest, AnUntouchedDatabaseVerifiesAgainstItsDigestAndLaterAppendsAreFine) {
  auto report = verify(digest_.heads);
  EXPECT_TRUE(report.ok()) << problems(report);
  EXPECT_EQ(report.audit_entries, 2);
  make_database(db_, {"P-4"});  // three more events
  add_audit(db_, "logout", "staff-1");
  report = verify(digest_.heads);
  EXPECT_TRUE(report.ok()) << problems(report);
  EXPECT_EQ(report.events, 12);
}

TEST_F(AnchorTest, ARewrittenEventWithEveryHashRecomputedPassesVerifyButNotTheDigest) {
  // Who decided: the manager's step is rewritten as another person's.
  rewrite(db_,
          "UPDATE events SET actor = 'manager-2', payload = replace(payload, "
          "'\"manager-1\"', '\"manager-2\"') WHERE project_id = 'P-2' AND seq = 3");
  {
    SQLite::Database db(db_, SQLite::OPEN_READONLY);
    ASSERT_EQ(
        db.execAndGet("SELECT actor FROM events WHERE project_id = 'P-2' AND seq = 3").getString(),
        "manager-2");
  }
  auto plain = verify(std::nullopt);
  EXPECT_TRUE(plain.ok()) << "the rewrite is consistent; only a digest can tell:\n"
                          << problems(plain);
  auto anchored = verify(digest_.heads);
  EXPECT_TRUE(has(anchored, VerifyProblem::Kind::digest_mismatch)) << problems(anchored);
}

TEST_F(AnchorTest, AWholeProjectRemovedIsCaught) {
  rewrite(db_,
          "DELETE FROM report_projects WHERE project_id = 'P-3';"
          "DELETE FROM events WHERE project_id = 'P-3'; DELETE FROM projects WHERE id = 'P-3';");
  auto anchored = verify(digest_.heads);
  ASSERT_TRUE(has(anchored, VerifyProblem::Kind::digest_mismatch)) << problems(anchored);
  EXPECT_NE(problems(anchored).find("the database holds only 6"), std::string::npos)
      << problems(anchored);
}

TEST_F(AnchorTest, TwoEventsSwappedInCommitOrderAreCaught) {
  // P-1's last event and P-2's first trade ids: each project's chain is untouched.
  rewrite(db_,
          "UPDATE events SET id = -1 WHERE project_id = 'P-1' AND seq = 3;"
          "UPDATE events SET id = (SELECT id FROM events WHERE project_id = 'P-1' AND seq = 2) + 1 "
          "WHERE project_id = 'P-2' AND seq = 1;"
          "UPDATE events SET id = (SELECT id FROM events WHERE project_id = 'P-2' AND seq = 1) + 1 "
          "WHERE id = -1;");
  EXPECT_TRUE(verify(std::nullopt).ok());
  EXPECT_TRUE(has(verify(digest_.heads), VerifyProblem::Kind::digest_mismatch));
}

TEST_F(AnchorTest, TheAuditLogIsChainedAndCoveredByTheDigest) {
  // Changed without recomputing: the chain breaks.
  rewrite(db_, "UPDATE audit_log SET address = '10.9.9.9' WHERE id = 1", false);
  auto plain = verify(std::nullopt);
  EXPECT_TRUE(has(plain, VerifyProblem::Kind::broken_audit)) << problems(plain);
  // Recomputed: only the digest tells.
  rewrite(db_, "SELECT 1", true);
  plain = verify(std::nullopt);
  EXPECT_TRUE(plain.ok()) << problems(plain);
  auto anchored = verify(digest_.heads);
  EXPECT_TRUE(has(anchored, VerifyProblem::Kind::digest_mismatch)) << problems(anchored);
  // An entry removed.
  rewrite(db_, "DELETE FROM audit_log WHERE id = 2", true);
  anchored = verify(digest_.heads);
  EXPECT_NE(problems(anchored).find("audit entries; the database holds only 1"), std::string::npos)
      << problems(anchored);
}

TEST_F(AnchorTest, AStaleLogLinkIsReportedWithoutADigest) {
  rewrite(db_, "UPDATE events SET log_hash = zeroblob(32) WHERE id = 4", false);
  auto plain = verify(std::nullopt);
  EXPECT_TRUE(has(plain, VerifyProblem::Kind::broken_log)) << problems(plain);
}

TEST_F(AnchorTest, EditedReportSummariesAndProjectionColumnsAreReported) {
  rewrite(db_, "UPDATE report_pipeline SET projects = projects + 5", false);
  auto report = verify(std::nullopt);
  EXPECT_TRUE(has(report, VerifyProblem::Kind::report_differs)) << problems(report);
  EXPECT_NE(problems(report).find("report_pipeline"), std::string::npos);
  rewrite(db_, "UPDATE report_pipeline SET projects = projects - 5", false);
  EXPECT_TRUE(verify(std::nullopt).ok());

  rewrite(db_, "UPDATE projects SET owner = 'someone-else' WHERE id = 'P-1'", false);
  report = verify(std::nullopt);
  EXPECT_TRUE(has(report, VerifyProblem::Kind::columns_differ)) << problems(report);
  EXPECT_NE(problems(report).find("(owner)"), std::string::npos) << problems(report);
}

TEST_F(AnchorTest, AuditEntriesListNewestFirstWithFilters) {
  add_audit(db_, "login_failed", "");
  SQLite::Database db(db_, SQLite::OPEN_READONLY);
  auto all = list_audit(db, AuditQuery{});
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all.front().action, "login_failed");
  EXPECT_EQ(all.back().action, "login");
  AuditQuery by_action;
  by_action.action = "login";
  auto logins = list_audit(db, by_action);
  ASSERT_EQ(logins.size(), 1U);
  EXPECT_EQ(logins.front().address, "10.0.0.7");
  AuditQuery next_page;
  next_page.before = all.front().id;
  next_page.limit = 1;
  auto page = list_audit(db, next_page);
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page.front().action, "user_created");
  EXPECT_TRUE(is_audit_action("denied"));
  EXPECT_FALSE(is_audit_action("dance"));
}

// On PostgreSQL, digests taken while a store appends events and an audit log entries: each
// states both chains as of one snapshot (so each checks against the database afterwards),
// and the last one log_head and the audit log's last entry.
TEST(AnchorPg, DigestsTakenWhileAStoreWritesHoldOneSnapshotEach) {
  PG_DATABASE_OR_SKIP(uri);
  auto opened = open_pg_store(uri);
  ASSERT_TRUE(opened) << opened.error().message;
  Store& store = **opened;
  ASSERT_TRUE(store.register_workflow(mini_workflow(), kMiniWorkflow));
  AuditLog audit(uri);
  const SigningKey key{};  // the heads are what is checked here, not the signature
  constexpr int kProjects = 60;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kProjects; ++i) {
      EXPECT_TRUE(store.write(create_request("P-" + std::to_string(i), "项目")).get().accepted());
      audit.record(AuditEntry{0, 1000 + i, "alice", "login", "", "10.0.0.1", "", "{}"});
    }
    audit.flush();
    done = true;
  });
  std::vector<Digest> digests;
  while (!done) {
    auto digest = make_digest(uri, key, 0);
    ASSERT_TRUE(digest) << digest.error().message;
    digests.push_back(*digest);
  }
  writer.join();
  auto last = make_digest(uri, key, 0);
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(last->heads.events.size, kProjects);
  EXPECT_EQ(last->heads.audit.size, kProjects);
  PgConnection connection(uri);
  const PgResult head = connection.exec("SELECT hash FROM log_head");
  const std::string bytes = head.bytes(0, 0);
  EXPECT_EQ(last->heads.events.head, hash_from_bytes(bytes.data(), bytes.size()));
  digests.push_back(*last);
  // Some of them, spread over the run, the last one included.
  const std::size_t step = std::max<std::size_t>(1, digests.size() / 8);
  for (std::size_t i = digests.size(); i > 0; i -= std::min(i, step)) {
    const Digest& digest = digests[i - 1];
    auto report = verify_pg_database(uri, {}, digest.heads);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->ok()) << "a digest of " << digest.heads.events.size << " events and "
                              << digest.heads.audit.size
                              << " audit entries: " << report->problems.front().message;
  }
}

}  // namespace
}  // namespace investflow::storage
