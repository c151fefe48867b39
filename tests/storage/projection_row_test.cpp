// The writer updates a project's row setting only the columns that changed (so SQLite
// leaves the other indexes alone) and skips the report summaries when an edit changes
// nothing they count. Both must leave exactly what a full rewrite would.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "storage/codec.hpp"
#include "storage/projection_columns.hpp"
#include "storage/reports_ledger.hpp"
#include "tests/storage/reports_test_support.hpp"

namespace investflow::storage::testing {
namespace {

using engine::Value;

ProjectionRow sample_row() {
  ProjectionRow row;
  row.state = "lead";
  row.owner = "staff-1";
  row.columns.name = "项目一";
  row.columns.investor = "企业甲";
  row.columns.industry = "electronics";
  row.columns.total_investment = 5000;
  row.columns.next_due_on = "2026-03-04";
  row.updated_at = 1000;
  row.state_entered_at = 900;
  return row;
}

TEST(ProjectionRowColumns, EachChangedColumnHasItsOwnBit) {
  const ProjectionRow before = sample_row();
  EXPECT_EQ(changed_columns(before, before), 0u);
  auto changed = [&before](auto edit) {
    ProjectionRow after = before;
    edit(after);
    return changed_columns(before, after);
  };
  EXPECT_EQ(changed([](ProjectionRow& r) { r.state = "review"; }), kStateColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.owner = "staff-2"; }), kOwnerColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.columns.name = "项目二"; }), kNameColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.columns.investor = "企业乙"; }), kInvestorColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.columns.industry = "other"; }), kIndustryColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.columns.total_investment = 5000.5; }),
            kInvestmentColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.updated_at = 2000; }), kUpdatedAtColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.state_entered_at = 2000; }), kStateEnteredAtColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.columns.next_due_on = "9999-12-31"; }),
            kNextDueOnColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) { r.workflow_version = 2; }), kWorkflowVersionColumn);
  EXPECT_EQ(changed([](ProjectionRow& r) {
              r.state = "review";
              r.updated_at = 2000;
            }),
            kStateColumn | kUpdatedAtColumn);
}

TEST(ProjectionRowColumns, TheUpdateSetsOnlyTheChangedColumns) {
  EXPECT_EQ(
      projection_update_sql(0),
      "UPDATE projects SET version = ?, body = ?, head_hash = ? WHERE id = ? AND version = ?");
  EXPECT_EQ(projection_update_sql(kUpdatedAtColumn | kStateColumn),
            "UPDATE projects SET state = ?, updated_at = ?, version = ?, body = ?, head_hash = ? "
            "WHERE id = ? AND version = ?");
  const std::string all = projection_update_sql(kAllProjectionColumns);
  for (std::string_view column : kProjectionRowColumns) {
    EXPECT_NE(all.find(std::string(column) + " = ?"), std::string::npos) << column;
  }
}

// The row's columns as stored, and as a rewrite of every column from the body would set them.
struct RowCheck {
  ProjectionRow stored;
  ProjectionRow rewritten;
  std::int64_t version = 0;
};

RowCheck check_row(const std::filesystem::path& path, const std::string& id) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  SQLite::Statement select(db,
                           "SELECT state, owner, name, investor, industry, total_investment, "
                           "updated_at, state_entered_at, next_due_on, body, version, "
                           "workflow_version, next_alert_on FROM projects WHERE id = ?");
  select.bind(1, id);
  RowCheck check;
  if (!select.executeStep()) {
    ADD_FAILURE() << "no row for " << id;
    return check;
  }
  check.stored.state = select.getColumn(0).getString();
  check.stored.owner = select.getColumn(1).getString();
  check.stored.columns.name = select.getColumn(2).getString();
  check.stored.columns.investor = select.getColumn(3).getString();
  check.stored.columns.industry = select.getColumn(4).getString();
  check.stored.columns.total_investment = select.getColumn(5).getDouble();
  check.stored.updated_at = select.getColumn(6).getInt64();
  check.stored.state_entered_at = select.getColumn(7).getInt64();
  check.stored.columns.next_due_on = select.getColumn(8).getString();
  auto project = decode_project(select.getColumn(9).getString());
  if (!project) {
    ADD_FAILURE() << project.error().to_string();
    return check;
  }
  check.rewritten = projection_row(*mini_workflow(), *project);
  check.version = select.getColumn(10).getInt64();
  check.stored.workflow_version = select.getColumn(11).getInt64();
  check.stored.columns.next_alert_on = select.getColumn(12).getString();
  EXPECT_EQ(check.version, project->version);
  return check;
}

int fts_matches(const std::filesystem::path& path, const std::string& text) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  SQLite::Statement select(db, "SELECT count(*) FROM projects_fts WHERE projects_fts MATCH ?");
  select.bind(1, "\"" + text + "\"");
  select.executeStep();
  return select.getColumn(0).getInt();
}

WriteRequest edit(const std::string& id, engine::FieldMap fields, engine::Timestamp at) {
  WriteRequest request;
  request.command.project_id = id;
  request.command.body = engine::EditFields{std::move(fields)};
  request.actor = staff();
  request.at = at;
  return request;
}

TEST(ProjectionRowStore, EveryWriteLeavesTheRowARewriteWouldLeave) {
  TempDir dir;
  const auto path = dir.file("rows.db");
  engine::Timestamp at = kMonday;
  auto expect_row = [&](const std::string& step, std::int64_t version) {
    const RowCheck check = check_row(path, "P-1");
    EXPECT_EQ(check.stored, check.rewritten) << step;
    EXPECT_EQ(check.version, version) << step;
  };
  {
    auto store = open_test_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->write(create_request("P-1", "华创新材料项目",
                                           {{"investor", Value::text("华创科技")}}))
                    .get()
                    .accepted());
    expect_row("created", 1);
    // An unindexed field: only version, body, hash (and updated_at) change.
    ASSERT_TRUE(store->write(edit("P-1", {{"land_area", Value::number(12)}}, at)).get().accepted());
    expect_row("land_area", 2);
    // Each indexed field in turn: a skipped column would keep its old value.
    ASSERT_TRUE(store->write(edit("P-1", {{"name", Value::text("鼎盛电子项目")}}, at += 1000))
                    .get()
                    .accepted());
    expect_row("name", 3);
    EXPECT_EQ(check_row(path, "P-1").stored.columns.name, "鼎盛电子项目");
    EXPECT_EQ(fts_matches(path, "鼎盛电子"), 1);
    EXPECT_EQ(fts_matches(path, "华创新材料"), 0);
    ASSERT_TRUE(store->write(edit("P-1", {{"investor", Value::text("远景集团")}}, at += 1000))
                    .get()
                    .accepted());
    expect_row("investor", 4);
    EXPECT_EQ(fts_matches(path, "远景集团"), 1);
    ASSERT_TRUE(store->write(transition_request("P-1", "submit", staff(), submit_fields()))
                    .get()
                    .accepted());
    expect_row("submit", 5);
    EXPECT_EQ(check_row(path, "P-1").stored.state, "review");
    EXPECT_EQ(check_row(path, "P-1").stored.columns.industry, "electronics");
    EXPECT_EQ(check_row(path, "P-1").stored.columns.total_investment, 5000);
  }
  {
    // Reopened: the writer learns the stored columns from the row, not from memory.
    auto store = open_test_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store
                    ->write(edit("P-1",
                                 {{"industry", Value::text("other")},
                                  {"total_investment", Value::number(7300.5)}},
                                 at += 1000))
                    .get()
                    .accepted());
    expect_row("industry and investment after reopening", 6);
    EXPECT_EQ(check_row(path, "P-1").stored.columns.industry, "other");
    EXPECT_EQ(check_row(path, "P-1").stored.columns.total_investment, 7300.5);
    // Several commands on one project in one batch: the row is written once, whole.
    auto first = store->write(edit("P-1", {{"name", Value::text("第三名称")}}, at += 1000));
    auto second = store->write(edit("P-1", {{"land_area", Value::number(30)}}, at += 1000));
    auto third = store->write(transition_request(
        "P-1", "sign", manager(), {{"signed_on", Value::date(engine::local_date(kMonday))}}));
    EXPECT_TRUE(first.get().accepted());
    EXPECT_TRUE(second.get().accepted());
    const WriteResult signed_result = third.get();
    EXPECT_TRUE(signed_result.accepted()) << signed_result.error;
    expect_row("a burst", 9);
    EXPECT_EQ(check_row(path, "P-1").stored.state, "signed");
    EXPECT_EQ(check_row(path, "P-1").stored.columns.name, "第三名称");
  }
}

TEST(ReportLedgerEdits, AnEditOfAnUnreportedFieldWritesNoSummaryAndStaysConsistent) {
  TempDir dir;
  const auto path = dir.file("ledger.db");
  {
    auto store = open_test_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->write(create_request("P-1", "项目一", submit_fields())).get().accepted());
  }
  const Snapshot created = snapshot_reports(path);
  {
    auto store = open_test_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store->write(edit("P-1", {{"land_area", Value::number(12)}}, kMonday)).get().accepted());
    ASSERT_TRUE(store->write(edit("P-1", {{"priority", Value::boolean(true)}}, kMonday + 1000))
                    .get()
                    .accepted());
  }
  EXPECT_EQ(snapshot_reports(path), created) << "nothing reports count has changed";
  {
    auto store = open_test_store(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        store
            ->write(edit("P-1",
                         {{"industry", Value::text("other")}, {"land_area", Value::number(14)}},
                         kMonday + 2000))
            .get()
            .accepted());
  }
  const Snapshot edited = snapshot_reports(path);
  EXPECT_NE(edited, created) << "a reported field moved the project";
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    ReportLedger::rebuild(db);
  }
  EXPECT_EQ(snapshot_reports(path), edited);
}

}  // namespace
}  // namespace investflow::storage::testing
