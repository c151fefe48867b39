#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "storage/projection_columns.hpp"
#include "storage/sqlite_connection.hpp"
#include "storage/sqlite_queries.hpp"
#include "storage/sqlite_store.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using testing::TempDir;

SQLite::Database open_raw(const std::filesystem::path& path) {
  return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
}

bool has_table(SQLite::Database& db, const std::string& name) {
  SQLite::Statement query(db, "SELECT count(*) FROM sqlite_master WHERE name = ?");
  query.bind(1, name);
  query.executeStep();
  return query.getColumn(0).getInt() == 1;
}

// Rows a database of `version` can hold, so each migration is tried on real data.
void insert_data_of_version(SQLite::Database& db, int version) {
  if (version < 1) return;
  db.exec(
      "INSERT INTO workflows VALUES ('mini', 1, 'workflow: mini', 'abc', 1);"
      "INSERT INTO projects (id, workflow, workflow_version, state, version, owner, name, "
      "investor, created_at, updated_at, state_entered_at, body, head_hash) VALUES "
      "('P-1', 'mini', 1, 'lead', 1, 'staff-1', '清远华创新材料产业园项目', '广东华创集团', 1, 1, "
      "1, "
      "'{}', zeroblob(32));"
      "INSERT INTO events (project_id, seq, type, actor, at, payload, prev_hash, hash) VALUES "
      "('P-1', 1, 'project_created', 'staff-1', 1, '{}', zeroblob(32), zeroblob(32));");
}

// Statistics (sqlite_stat1, kept by PRAGMA optimize) for the indexes a migration makes: a
// new index without them passes for a very selective one and is preferred to better ones.
TEST(Schema, MigratingADatabaseWithStatisticsAnalyzesTheNewIndexes) {
  TempDir dir;
  SQLite::Database db = open_raw(dir.file("analyzed.db"));
  ASSERT_TRUE(migrate(db, 21));
  insert_data_of_version(db, 21);
  db.exec("ANALYZE");
  const auto has_statistics = [&db](const char* index) {
    SQLite::Statement select(db, "SELECT 1 FROM sqlite_stat1 WHERE idx = ?");
    select.bind(1, index);
    return select.executeStep();
  };
  ASSERT_TRUE(has_statistics("projects_workflow"));
  EXPECT_FALSE(has_statistics("projects_industry_state"));  // migration 22 makes it
  ASSERT_TRUE(migrate(db));
  EXPECT_TRUE(has_statistics("projects_industry_state"));
  EXPECT_TRUE(has_statistics("projects_workflow"));  // dropped and made again by 22

  // A database without statistics is left without: SQLite's defaults hold for all.
  SQLite::Database bare = open_raw(dir.file("bare.db"));
  ASSERT_TRUE(migrate(bare));
  EXPECT_FALSE(bare.tableExists("sqlite_stat1"));
}

TEST(Schema, MigratesAnEmptyDatabaseToTheLatestVersion) {
  TempDir dir;
  SQLite::Database db = open_raw(dir.file("fresh.db"));
  auto version = migrate(db);
  ASSERT_TRUE(version) << version.error();
  EXPECT_EQ(*version, kSchemaVersion);
  EXPECT_EQ(schema_version(db), kSchemaVersion);
  EXPECT_EQ(db.execAndGet("PRAGMA application_id").getInt(), kApplicationId);
  for (const char* table : {"workflows", "projects", "events", "outbox", "idempotency_keys",
                            "projects_fts", "users", "sessions", "api_tokens"}) {
    EXPECT_TRUE(has_table(db, table)) << table;
  }
  // Migrating again is a no-op.
  auto again = migrate(db);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, kSchemaVersion);
}

TEST(Schema, MigratesFromEveryEarlierVersionKeepingTheData) {
  for (int from = 0; from < kSchemaVersion; ++from) {
    SCOPED_TRACE("from version " + std::to_string(from));
    TempDir dir;
    SQLite::Database db = open_raw(dir.file("old.db"));
    ASSERT_TRUE(migrate(db, from));
    ASSERT_EQ(schema_version(db), from);
    insert_data_of_version(db, from);

    auto version = migrate(db);
    ASSERT_TRUE(version) << version.error();
    EXPECT_EQ(*version, kSchemaVersion);
    if (from >= 1) {
      EXPECT_EQ(db.execAndGet("SELECT count(*) FROM events").getInt(), 1);
      // Version 2 indexes what was there before it: full-text search finds the old project.
      EXPECT_EQ(db.execAndGet("SELECT count(*) FROM projects_fts WHERE projects_fts MATCH "
                              "'\"新材料\"'")
                    .getInt(),
                1);
    }
  }
}

TEST(Schema, RefusesADatabaseFromANewerInvestflow) {
  TempDir dir;
  {
    SQLite::Database db = open_raw(dir.file("newer.db"));
    ASSERT_TRUE(migrate(db));
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  auto store = open_sqlite_store(dir.file("newer.db"));
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST(Schema, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  {
    SQLite::Database db = open_raw(dir.file("other.db"));
    db.exec("PRAGMA application_id = 42; CREATE TABLE t (x)");
  }
  auto version = init_sqlite_database(dir.file("other.db"));
  ASSERT_FALSE(version);
  EXPECT_NE(version.error().message.find("not an investflow database"), std::string::npos);
}

TEST(Schema, AFailedMigrationLeavesTheDatabaseAtThePreviousVersion) {
  TempDir dir;
  SQLite::Database db = open_raw(dir.file("broken.db"));
  ASSERT_TRUE(migrate(db, 2));
  // Something in the way of migration 3 (users and their credentials).
  db.exec("CREATE TABLE users (x)");
  auto version = migrate(db);
  ASSERT_FALSE(version);
  EXPECT_EQ(schema_version(db), 2);
  EXPECT_FALSE(has_table(db, "sessions"));  // nothing of the failed migration stays
}

TEST(Schema, ParentLinksAreIndexedByParentAndWorkflow) {
  TempDir dir;
  SQLite::Database db = open_raw(dir.file("parent.db"));
  ASSERT_TRUE(migrate(db, 7));
  insert_data_of_version(db, 7);
  ASSERT_TRUE(migrate(db));
  // Projects from before keep no parent.
  EXPECT_TRUE(db.execAndGet("SELECT parent FROM projects WHERE id = 'P-1'").isNull());
  // Counting a parent's children of one workflow reads the index, not the table.
  SQLite::Statement plan(db,
                         "EXPLAIN QUERY PLAN SELECT id, workflow_version, state FROM projects "
                         "WHERE parent = 'P-1' AND workflow = 'mini'");
  std::string details;
  while (plan.executeStep())
    details += plan.getColumn(3).getString() + "\n";
  EXPECT_NE(details.find("projects_parent"), std::string::npos) << details;
}

// The scheduler's list (query_projects, ProjectQuery::alert_before sorted by alert) reads the
// partial index projects_alert: SQLite uses it only when the query repeats the index's
// condition, which the list adds to its bound day. Without, every pass scanned the table.
TEST(Schema, TheSchedulersListReadsTheIndexOfProjectsWithAlertsToRaise) {
  TempDir dir;
  const auto path = dir.file("alerts.db");
  {
    SQLite::Database db = open_raw(path);
    ASSERT_TRUE(migrate(db));
    // The statistics of a database of 1,100,000 projects, 770,000 with an alert to raise.
    db.exec("ANALYZE sqlite_schema");
    db.exec(
        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('projects', 'projects_alert', "
        "'769504 486 1'), ('projects', 'sqlite_autoindex_projects_1', '1100000 1')");
  }
  Connection connection(path, Connection::Mode::read_only, 1000);
  ProjectQuery query;  // as Scheduler::run_once lists
  query.alert_before = engine::Date::parse("2026-12-05").value();
  query.sort = SortKey::alert;
  query.descending = false;
  query.limit = 500;
  auto list = project_list_sql(connection, query);
  ASSERT_TRUE(list);
  const auto plan_of = [&connection, &list](const std::string& sql) {
    SQLite::Statement plan(connection.db(), "EXPLAIN QUERY PLAN " + sql);
    list->bind(plan);
    std::string details;
    while (plan.executeStep())
      details += plan.getColumn(3).getString() + "\n";
    return details;
  };
  const std::string with = plan_of(list->sql);
  EXPECT_NE(with.find("USING INDEX projects_alert"), std::string::npos) << with;
  EXPECT_EQ(with.find("TEMP B-TREE"), std::string::npos) << with;
  // What the repeated condition is there for: without it, no index.
  std::string without = list->sql;
  const std::string repeated = " AND next_alert_on < '" + std::string(kNoDeadline) + "'";
  const auto at = without.find(repeated);
  ASSERT_NE(at, std::string::npos) << without;
  without.erase(at, repeated.size());
  EXPECT_EQ(plan_of(without).find("projects_alert"), std::string::npos);
}

TEST(Schema, EventsAreAppendOnly) {
  TempDir dir;
  SQLite::Database db = open_raw(dir.file("events.db"));
  ASSERT_TRUE(migrate(db));
  insert_data_of_version(db, kSchemaVersion);
  EXPECT_THROW(db.exec("UPDATE events SET actor = 'mallory'"), SQLite::Exception);
  EXPECT_THROW(db.exec("DELETE FROM events"), SQLite::Exception);
  EXPECT_EQ(db.execAndGet("SELECT actor FROM events").getString(), "staff-1");
}

}  // namespace
}  // namespace investflow::storage
