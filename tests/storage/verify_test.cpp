#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "storage/operations.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

// Three projects with a few events each, written through the store and closed again.
void make_database(const std::filesystem::path& path) {
  auto store = open_test_store(path);
  ASSERT_TRUE(store);
  for (const char* id : {"P-1", "P-2", "P-3"}) {
    ASSERT_TRUE(store->write(create_request(id, std::string("项目") + id)).get().accepted());
    ASSERT_TRUE(
        store->write(transition_request(id, "submit", staff(), submit_fields())).get().accepted());
    ASSERT_TRUE(store->write(transition_request(id, "back", manager())).get().accepted());
  }
}

void tamper(const std::filesystem::path& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  // A tamperer drops the append-only triggers first; verify must still notice.
  db.exec("DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;");
  db.exec(sql);
}

bool has_problem(const VerifyReport& report, VerifyProblem::Kind kind, const std::string& id) {
  return std::any_of(report.problems.begin(), report.problems.end(),
                     [&](const VerifyProblem& p) { return p.kind == kind && p.project_id == id; });
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override { make_database(path_); }
  VerifyReport verify() {
    auto report = verify_database(path_);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }
  TempDir dir_;
  std::filesystem::path path_ = dir_.file("verify.db");
};

TEST_F(VerifyTest, AnUntouchedDatabaseVerifies) {
  std::int64_t last_done = 0;
  auto report = verify_database(path_, [&](std::int64_t done, std::int64_t total) {
    EXPECT_EQ(total, 3);
    last_done = done;
  });
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->projects, 3);
  EXPECT_EQ(report->events, 9);
  EXPECT_EQ(last_done, 3);
}

// Stored events keep the canonical form whatever the server sends (wire_json.hpp): a date
// field's change is tagged and times are integer milliseconds, as in every database
// written before the wire form, and such a database verifies.
TEST(VerifyCanonicalForm, ADatabaseWithDateChangesStoredCanonicallyVerifies) {
  TempDir dir;
  const std::filesystem::path path = dir.file("canonical.db");
  {
    auto store = open_test_store(path);
    ASSERT_TRUE(store);
    const engine::Value first = engine::Value::date(*engine::Date::parse("2026-03-02"));
    const engine::Value second = engine::Value::date(*engine::Date::parse("2026-03-05"));
    ASSERT_TRUE(
        store->write(create_request("P-1", "项目一", {{"signed_on", first}})).get().accepted());
    ASSERT_TRUE(store->write(transition_request("P-1", "submit", staff(), submit_fields()))
                    .get()
                    .accepted());
    ASSERT_TRUE(store->write(transition_request("P-1", "sign", manager(), {{"signed_on", second}}))
                    .get()
                    .accepted());
  }
  {
    SQLite::Database db(path);
    const std::string created =
        db.execAndGet("SELECT payload FROM events WHERE project_id = 'P-1' AND seq = 1")
            .getString();
    EXPECT_NE(created.find(R"("signed_on":{"date":"2026-03-02"})"), std::string::npos) << created;
    EXPECT_NE(created.find(R"("at":1772413200000)"), std::string::npos) << created;
    const std::string signed_event =
        db.execAndGet("SELECT payload FROM events WHERE project_id = 'P-1' AND seq = 3")
            .getString();
    EXPECT_NE(signed_event.find(R"({"after":{"date":"2026-03-05"},"before":{"date":"2026-03-02"})"),
              std::string::npos)
        << signed_event;
    const std::string body =
        db.execAndGet("SELECT body FROM projects WHERE id = 'P-1'").getString();
    EXPECT_NE(body.find(R"("signed_on":{"date":"2026-03-05"})"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("created_at":1772413200000)"), std::string::npos) << body;
  }
  auto report = verify_database(path);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->events, 3);
}

TEST_F(VerifyTest, DetectsAnEditedEvent) {
  tamper(path_,
         "UPDATE events SET payload = replace(payload, '5000', '500') "
         "WHERE project_id = 'P-2' AND seq = 2");
  VerifyReport report = verify();
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::bad_hash, "P-2"));
  EXPECT_FALSE(has_problem(report, VerifyProblem::Kind::bad_hash, "P-1"));
}

TEST_F(VerifyTest, DetectsADeletedEvent) {
  tamper(path_, "DELETE FROM events WHERE project_id = 'P-1' AND seq = 2");
  VerifyReport report = verify();
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::missing_event, "P-1"));
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::broken_chain, "P-1"));
}

TEST_F(VerifyTest, DetectsADeletedLastEvent) {
  tamper(path_, "DELETE FROM events WHERE project_id = 'P-3' AND seq = 3");
  VerifyReport report = verify();
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::projection_differs, "P-3"));
}

TEST_F(VerifyTest, DetectsAProjectionEditedBehindItsBack) {
  tamper(path_,
         "UPDATE projects SET state = 'signed', body = json_set(body, '$.state', 'signed') "
         "WHERE id = 'P-3'");
  VerifyReport report = verify();
  // The body, and the indexed state column the lists filter on.
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].kind, VerifyProblem::Kind::projection_differs);
  EXPECT_EQ(report.problems[0].project_id, "P-3");
  EXPECT_NE(report.problems[0].message.find("state"), std::string::npos);
  EXPECT_EQ(report.problems[1].kind, VerifyProblem::Kind::columns_differ);
  EXPECT_NE(report.problems[1].message.find("(state)"), std::string::npos);
}

TEST_F(VerifyTest, DetectsADataScopeKeyAddedBehindItsBack) {
  // A key that would let mallory (staff) see P-2, which no rule of its workflow gives.
  tamper(path_, "INSERT INTO project_access (key, project_id) VALUES ('staff|u:mallory', 'P-2')");
  const VerifyReport report = verify();
  ASSERT_EQ(report.problems.size(), 1u) << report.problems[0].message;
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::access_differs, "P-2"));
}

TEST_F(VerifyTest, DetectsEventsWithoutAProjectAndAProjectWithoutEvents) {
  tamper(path_,
         "PRAGMA foreign_keys = OFF;"
         "INSERT INTO events (project_id, seq, type, actor, at, payload, prev_hash, hash) "
         "SELECT 'P-0', seq, type, actor, at, payload, prev_hash, hash FROM events "
         "WHERE project_id = 'P-1';"
         "DELETE FROM events WHERE project_id = 'P-2';");
  VerifyReport report = verify();
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::missing_projection, "P-0"));
  EXPECT_TRUE(has_problem(report, VerifyProblem::Kind::missing_events, "P-2"));
}

TEST(Backup, CopiesAConsistentSnapshotWhileWritesGoOn) {
  TempDir dir;
  const auto path = dir.file("live.db");
  auto store = open_test_store(path);
  ASSERT_TRUE(store);
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(store->write(create_request("P-" + std::to_string(i), "项目")).get().accepted());
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 200; !stop; ++i) {
      store->write(create_request("P-" + std::to_string(i), "项目")).get();
    }
  });
  std::int64_t last_total = 0;
  auto copied = backup_database(path, dir.file("copy.db"),
                                [&](std::int64_t, std::int64_t total) { last_total = total; });
  stop = true;
  writer.join();
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_GT(last_total, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("copy.db.partial")));

  auto report = verify_database(dir.file("copy.db"));
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  EXPECT_GE(report->projects, 200);

  // The copy opens as a store of its own.
  auto reopened = open_test_store(dir.file("copy.db"));
  ASSERT_TRUE(reopened);
  auto project = reopened->project("P-199");
  ASSERT_TRUE(project && project->has_value());

  // An existing destination is never overwritten.
  auto again = backup_database(path, dir.file("copy.db"));
  ASSERT_FALSE(again);
}

}  // namespace
}  // namespace investflow::storage
