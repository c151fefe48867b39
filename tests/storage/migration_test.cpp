// Moving projects between workflow versions through the store (storage/migration.hpp).

#include "storage/migration.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "engine/migration.hpp"
#include "storage/codec.hpp"
#include "storage/operations.hpp"
#include "storage_test_support.hpp"
#include "tests/support/db_dump.hpp"

namespace investflow::storage {
namespace {

using namespace testing;

// mini version 2: the stage "review" renamed "assessment", and a field more.
std::string mini_v2_text() {
  std::string text = kMiniWorkflow;
  const auto replace_all = [&text](const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  };
  replace_all("version: 1", "version: 2");
  replace_all("  review: {label", "  assessment: {label");
  replace_all("to: review", "to: assessment");
  replace_all("from: review", "from: assessment");
  replace_all("{enter: review}", "{enter: assessment}");
  replace_all("initial: lead",
              "  contact: {type: text, label: {zh-CN: 联系人, en: Contact}}\ninitial: lead");
  return text;
}

std::shared_ptr<const engine::Workflow> mini_v2() {
  auto load = workflows::load_workflow_text(mini_v2_text(), "mini-2.yaml", test_calendars());
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.workflow;
}

std::string dump(const std::filesystem::path& path) {
  return investflow::testing::dump_tables(path.string());
}

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = open_test_store(db);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write(create_request("P-1", "线索项目")).get().accepted());
    ASSERT_TRUE(store->write(create_request("P-2", "评审项目", submit_fields())).get().accepted());
    ASSERT_TRUE(store->write(transition_request("P-2", "submit", staff())).get().accepted());
    ASSERT_TRUE(store->write(create_request("P-3", "已否决项目")).get().accepted());
    WriteRequest reject = transition_request("P-3", "reject", manager());
    std::get<engine::TakeTransition>(reject.command.body).comment = "不符合产业方向";
    ASSERT_TRUE(store->write(std::move(reject)).get().accepted());
    ASSERT_TRUE(store->register_workflow(mini_v2(), mini_v2_text()));
  }

  MigrationRequest request(bool dry_run = false) {
    MigrationRequest out;
    out.workflow = "mini";
    out.to = 2;
    out.state_map = {{"review", "assessment"}};
    out.dry_run = dry_run;
    out.actor = engine::Actor{"admin", {"admin"}};
    out.now = kMonday;
    return out;
  }

  const MigrationRow* row(const MigrationReport& report, const std::string& id) {
    for (const MigrationRow& each : report.rows)
      if (each.project == id) return &each;
    return nullptr;
  }

  void expect_verified() {
    auto report = verify_database(db, {});
    ASSERT_TRUE(report) << report.error().message;
    for (const VerifyProblem& problem : report->problems)
      ADD_FAILURE() << problem.project_id << " " << problem.seq << ": " << problem.message;
  }

  TempDir dir;
  std::filesystem::path db = dir.file("zone.db");
  std::unique_ptr<Store> store;
};

TEST_F(MigrationTest, ProjectsMoveWithTheMapAndVerifyPassesAcrossTheMove) {
  auto report = migrate_projects(*store, request());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->moved, 2);
  EXPECT_EQ(report->refused, 0);
  EXPECT_EQ(report->terminal, 1);  // P-3 stays where it is
  ASSERT_NE(row(*report, "P-2"), nullptr);
  EXPECT_EQ(row(*report, "P-2")->outcome, MigrationOutcome::moved);
  EXPECT_EQ(row(*report, "P-2")->to_state, "assessment");
  EXPECT_EQ(row(*report, "P-2")->name, "评审项目");
  EXPECT_FALSE(row(*report, "P-1")->notes.empty());  // its SLA carried
  EXPECT_EQ(row(*report, "P-3"), nullptr);

  auto moved = store->project("P-2");
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->workflow_version, 2);
  EXPECT_EQ((*moved)->state, "assessment");
  EXPECT_EQ((*store->project("P-3"))->workflow_version, 1);
  auto history = store->history("P-2");
  ASSERT_TRUE(history);
  const auto* migrated = std::get_if<engine::WorkflowMigrated>(&history->back().event.body);
  ASSERT_NE(migrated, nullptr);
  EXPECT_EQ(migrated->from_state, "review");
  EXPECT_EQ(migrated->state_map.at("review"), "assessment");
  EXPECT_EQ(history->back().event.actor, "admin");
  {
    SQLite::Database read(db.string(), SQLite::OPEN_READONLY);
    SQLite::Statement select(read, "SELECT workflow_version, state FROM projects WHERE id = 'P-2'");
    ASSERT_TRUE(select.executeStep());
    EXPECT_EQ(select.getColumn(0).getInt64(), 2);
    EXPECT_EQ(select.getColumn(1).getString(), "assessment");
  }
  // From now on the project is decided with version 2: its transitions name the new stage.
  EXPECT_TRUE(store->write(transition_request("P-2", "back", manager())).get().accepted());
  EXPECT_TRUE(store->write(transition_request("P-2", "submit", staff())).get().accepted());
  EXPECT_EQ((*store->project("P-2"))->state, "assessment");
  expect_verified();

  // Again: nothing left to move.
  report = migrate_projects(*store, request());
  ASSERT_TRUE(report);
  EXPECT_EQ(report->moved, 0);
  EXPECT_EQ(report->unchanged, 2);
  EXPECT_EQ(row(*report, "P-1")->outcome, MigrationOutcome::already);
}

TEST_F(MigrationTest, AProjectThatCannotMoveIsListedWithItsReasonsAndLeftAlone) {
  MigrationRequest unmapped = request();
  unmapped.state_map.clear();
  auto report = migrate_projects(*store, unmapped);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->moved, 1);
  EXPECT_EQ(report->refused, 1);
  const MigrationRow* refused = row(*report, "P-2");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->outcome, MigrationOutcome::refused);
  EXPECT_EQ(refused->to_state, std::nullopt);
  ASSERT_EQ(refused->reasons.size(), 1u);
  EXPECT_EQ(refused->reasons[0].code, engine::reason::kUnknownState);
  EXPECT_EQ((*store->project("P-2"))->workflow_version, 1);
  EXPECT_EQ((*store->history("P-2")).size(), 2u);
  expect_verified();
}

TEST_F(MigrationTest, ADryRunChangesNoRow) {
  const std::string before = dump(db);
  auto report = migrate_projects(*store, request(true));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->moved, 2);
  EXPECT_EQ(row(*report, "P-2")->outcome, MigrationOutcome::would_move);
  EXPECT_FALSE(row(*report, "P-2")->notes.empty());
  EXPECT_EQ(dump(db), before);
  EXPECT_EQ((*store->project("P-2"))->workflow_version, 1);
}

TEST_F(MigrationTest, AProjectInAFinalStateMovesWhenNamed) {
  MigrationRequest named = request();
  named.projects = {"P-3"};
  auto report = migrate_projects(*store, named);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->rows.size(), 1u);
  EXPECT_EQ(report->rows[0].outcome, MigrationOutcome::moved);
  EXPECT_EQ((*store->project("P-3"))->workflow_version, 2);
  EXPECT_EQ((*store->project("P-1"))->workflow_version, 1);
  expect_verified();
}

TEST_F(MigrationTest, ABadRequestIsRefusedWholeWithEveryProblem) {
  MigrationRequest bad = request();
  bad.to = 9;
  EXPECT_EQ(check_migration_request(*store, bad).size(), 1u);
  bad.to = 2;
  bad.state_map = {{"nowhere", "assessment"}, {"lead", "gone"}};
  bad.projects = {"P-404"};
  const auto problems = check_migration_request(*store, bad);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].en.find("'gone'"), std::string::npos);  // the map in state order
  EXPECT_NE(problems[1].zh.find("“nowhere”"), std::string::npos);
  EXPECT_NE(problems[2].en.find("P-404"), std::string::npos);
  const std::string before = dump(db);
  auto report = migrate_projects(*store, bad);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().kind, Error::Kind::invalid_request);
  EXPECT_EQ(dump(db), before);
}

TEST_F(MigrationTest, VerifyNoticesAMigrationToAVersionTheDatabaseDoesNotHold) {
  ASSERT_TRUE(migrate_projects(*store, request()));
  store.reset();
  {
    SQLite::Database write(db.string(), SQLite::OPEN_READWRITE);
    write.exec("PRAGMA foreign_keys = OFF");
    write.exec("DELETE FROM workflows WHERE version = 2");
  }
  auto report = verify_database(db, {});
  ASSERT_TRUE(report);
  int unknown = 0;
  for (const VerifyProblem& problem : report->problems)
    unknown += problem.kind == VerifyProblem::Kind::unknown_version;
  EXPECT_EQ(unknown, 2);
}

TEST(MigrationCodec, TheEventReadsBackAsItWasWritten) {
  engine::Event event;
  event.project_id = "P-1";
  event.version = 4;
  event.at = kMonday;
  event.actor = "admin";
  engine::WorkflowMigrated migrated;
  migrated.workflow = "mini";
  migrated.from_version = 1;
  migrated.to_version = 2;
  migrated.from_state = "review";
  migrated.to_state = "assessment";
  migrated.state_map = {{"review", "assessment"}};
  migrated.changes = {
      {"total_investment", engine::Value::text("5000"), engine::Value::number(5000)}};
  migrated.review_cleared = true;
  migrated.sla_due_on = engine::Date::from_ymd(2026, 3, 4);
  migrated.sla_recomputed = true;
  migrated.milestones_started = {
      {"build", *engine::Date::from_ymd(2026, 3, 2), *engine::Date::from_ymd(2026, 9, 2), true}};
  migrated.milestones_dropped = {"permit"};
  migrated.followup_due_on = engine::Date::from_ymd(2026, 4, 2);
  migrated.followup_recomputed = true;
  migrated.notes = {{"sla", "recomputed", "办理时限重算", "the SLA is recomputed"}};
  event.body = migrated;
  const std::string text = encode_event(event);
  auto decoded = decode_event(text);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(*decoded, event);
  EXPECT_EQ(encode_event(*decoded), text);
  EXPECT_NE(text.find(R"("type":"workflow_migrated")"), std::string::npos) << text;
}

}  // namespace
}  // namespace investflow::storage
