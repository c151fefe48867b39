// Parent links through the store: a child is created under its parent (refused with a
// reason for a missing parent, a parent of another workflow, a parent given to a workflow
// without parent:, a terminal parent), the writer hands a child's decisions its parent's
// fields and state and a parent's decisions its open children, and children are listed
// by parent. The workflows are the test pair in tests/data/parent/.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include "storage/codec.hpp"
#include "storage/import_export.hpp"
#include "storage_test_support.hpp"

namespace investflow::storage {
namespace {

using namespace testing;  // NOLINT: test helpers

const std::filesystem::path kPair = std::filesystem::path(INVESTFLOW_TEST_DATA) / "parent";

class ParentLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_test_store(dir_.file("parent.db"));
    ASSERT_TRUE(store_);
    auto loads = workflows::load_workflow_set({kPair / "venture.yaml", kPair / "issue.yaml"},
                                              test_calendars());
    for (auto& load : loads) {
      for (const auto& diagnostic : load.diagnostics)
        ADD_FAILURE() << diagnostic.to_string();
      ASSERT_TRUE(load.workflow);
      ASSERT_TRUE(store_->register_workflow(load.workflow, load.source));
    }
  }

  WriteResult write(WriteRequest request) { return store_->write(std::move(request)).get(); }

  WriteResult create(const std::string& workflow, const std::string& id, engine::FieldMap fields,
                     const std::string& parent = "") {
    WriteRequest request;
    request.command.project_id = id;
    request.command.body = engine::CreateProject{"", std::move(fields), parent};
    // Managers register ventures (they act in its first state); staff raise issues.
    request.actor = workflow == "venture" ? manager() : staff();
    request.workflow = workflow;
    return write(std::move(request));
  }
  WriteResult venture(const std::string& id, double budget = 100) {
    return create(
        "venture", id,
        {{"name", engine::Value::text("项目" + id)}, {"budget", engine::Value::number(budget)}});
  }
  WriteResult issue(const std::string& id, const std::string& parent, double cost = 10) {
    return create(
        "issue", id,
        {{"title", engine::Value::text("问题" + id)}, {"cost", engine::Value::number(cost)}},
        parent);
  }
  WriteResult take(const std::string& id, const std::string& transition,
                   const engine::Actor& actor) {
    return write(transition_request(id, transition, actor));
  }
  static std::string first_code(const WriteResult& result) {
    return result.rejection.reasons.empty() ? "" : result.rejection.reasons.front().code;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ParentLinkTest, AChildIsStoredWithItsParentAndListedByIt) {
  ASSERT_TRUE(venture("V-1").accepted());
  ASSERT_TRUE(venture("V-2").accepted());
  const WriteResult child = issue("I-1", "V-1");
  ASSERT_TRUE(child.accepted()) << first_code(child) << child.error;
  ASSERT_TRUE(issue("I-2", "V-1").accepted());
  ASSERT_TRUE(issue("I-3", "V-2").accepted());

  auto project = store_->project("I-1");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->parent, "V-1");
  // The link is in the hash-chained event, and in the row's column.
  EXPECT_NE(encode_event(child.events.front()).find("\"parent\":\"V-1\""), std::string::npos);
  SQLite::Database db(dir_.file("parent.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT parent FROM projects WHERE id = 'I-1'").getString(), "V-1");
  EXPECT_TRUE(db.execAndGet("SELECT parent FROM projects WHERE id = 'V-1'").isNull());

  ProjectQuery query;
  query.parent = "V-1";
  query.sort = SortKey::created;
  query.descending = false;
  auto page = store_->list_projects(query);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->projects.size(), 2u);
  EXPECT_EQ(page->projects[0].id, "I-1");
  EXPECT_EQ(page->projects[1].id, "I-2");
}

TEST_F(ParentLinkTest, ABadParentIsRefusedWithAReason) {
  ASSERT_TRUE(venture("V-1").accepted());
  ASSERT_TRUE(issue("I-0", "V-1").accepted());
  EXPECT_EQ(first_code(issue("I-1", "")), "parent_required");
  EXPECT_EQ(first_code(issue("I-2", "V-404")), "no_such_parent");
  EXPECT_EQ(first_code(issue("I-3", "I-0")), "parent_wrong_workflow");  // an issue, not a venture
  const WriteResult orphan = create("venture", "V-2", {{"name", engine::Value::text("x")}}, "V-1");
  EXPECT_EQ(first_code(orphan), "parent_not_allowed");
  ASSERT_TRUE(take("I-0", "withdraw", staff()).accepted());
  ASSERT_TRUE(take("V-1", "close", manager()).accepted());
  const WriteResult late = issue("I-4", "V-1");
  EXPECT_EQ(first_code(late), "parent_closed");
  EXPECT_NE(late.rejection.reasons.front().message.zh.find("终止"), std::string::npos);
  EXPECT_NE(late.rejection.reasons.front().message.en.find("final state"), std::string::npos);
  for (const char* id : {"I-1", "I-2", "I-3", "V-2", "I-4"}) {
    auto missing = store_->project(id);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value()) << id;
  }
}

TEST_F(ParentLinkTest, AChildsGuardReadsItsParentAsItStandsNow) {
  ASSERT_TRUE(venture("V-1", 50).accepted());
  ASSERT_TRUE(issue("I-1", "V-1", 80).accepted());
  const WriteResult over = take("I-1", "resolve", staff());
  ASSERT_TRUE(over.rejected());
  EXPECT_EQ(over.rejection.reasons.front().message.zh, "费用80万元超过所属项目预算50万元");
  // The parent's budget grows: the same guard now holds.
  WriteRequest edit;
  edit.command.project_id = "V-1";
  edit.command.body = engine::EditFields{{{"budget", engine::Value::number(100)}}};
  edit.actor = manager();
  ASSERT_TRUE(write(std::move(edit)).accepted());
  EXPECT_TRUE(take("I-1", "resolve", staff()).accepted());
}

TEST_F(ParentLinkTest, AParentClosesOnlyWhenEveryChildIsClosed) {
  ASSERT_TRUE(venture("V-1").accepted());
  ASSERT_TRUE(issue("I-1", "V-1").accepted());
  ASSERT_TRUE(issue("I-2", "V-1").accepted());
  const WriteResult refused = take("V-1", "close", manager());
  ASSERT_TRUE(refused.rejected());
  EXPECT_EQ(refused.rejection.reasons.front().message.zh, "尚有未办结的问题，不能关闭");
  // What the reader side tells "what can I do now".
  auto stored = store_->project("V-1");
  ASSERT_TRUE(stored && *stored);
  auto relations = store_->relations(**stored);
  ASSERT_TRUE(relations);
  EXPECT_EQ(relations->open_children.at("issue"), 2);

  ASSERT_TRUE(take("I-1", "resolve", staff()).accepted());
  EXPECT_TRUE(take("V-1", "close", manager()).rejected());
  ASSERT_TRUE(take("I-2", "withdraw", staff()).accepted());
  EXPECT_TRUE(take("V-1", "close", manager()).accepted());
}

TEST_F(ParentLinkTest, TheCountIsExactWithinOneBatch) {
  ASSERT_TRUE(venture("V-1").accepted());
  ASSERT_TRUE(issue("I-1", "V-1").accepted());
  // One atomic batch: the child closes, then the parent closes. The child's row is written
  // only before COMMIT; the writer counts from the batch's own state.
  auto results = store_
                     ->write_atomic({transition_request("I-1", "withdraw", staff()),
                                     transition_request("V-1", "close", manager())})
                     .get();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].accepted());
  EXPECT_TRUE(results[1].accepted()) << first_code(results[1]);
  // And the other way round: a child created in the batch counts at once.
  ASSERT_TRUE(venture("V-2").accepted());
  auto second = store_
                    ->write_atomic({[&] {
                                      WriteRequest request;
                                      request.command.project_id = "I-2";
                                      request.command.body = engine::CreateProject{
                                          "", {{"title", engine::Value::text("新问题")}}, "V-2"};
                                      request.actor = staff();
                                      request.workflow = "issue";
                                      return request;
                                    }(),
                                    transition_request("V-2", "close", manager())})
                    .get();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(first_code(second[1]), "guard_failed");
}

TEST_F(ParentLinkTest, ExportAndImportCarryTheParent) {
  ASSERT_TRUE(venture("V-1").accepted());
  ASSERT_TRUE(issue("I-1", "V-1").accepted());
  const auto issue_workflow = store_->workflow("issue");
  ASSERT_TRUE(issue_workflow);
  std::ostringstream out;
  ASSERT_TRUE(export_projects_csv(*store_, *issue_workflow, out));
  EXPECT_NE(out.str().find(std::string(kParentHeader)), std::string::npos);
  EXPECT_NE(out.str().find("I-1,已登记,staff-1,V-1"), std::string::npos) << out.str();
  // The venture's export has no such column.
  std::ostringstream ventures;
  ASSERT_TRUE(export_projects_csv(*store_, *store_->workflow("venture"), ventures));
  EXPECT_EQ(ventures.str().find(std::string(kParentHeader)), std::string::npos);

  ImportOptions options;
  options.actor = staff();
  options.partial = true;
  const ImportReport report =
      import_projects(*store_, *issue_workflow,
                      "项目编号,所属项目,问题\nI-9,V-1,导入的问题\nI-10,V-404,无主问题\n", options);
  auto imported = store_->project("I-9");
  ASSERT_TRUE(imported && *imported);
  EXPECT_EQ((*imported)->parent, "V-1");
  ASSERT_EQ(report.refused, 1);
  ASSERT_EQ(report.rows.size(), 2u);
  ASSERT_FALSE(report.rows[1].problems.empty());
  EXPECT_EQ(report.rows[1].problems.front().column.zh, std::string(kParentHeader));
  EXPECT_NE(report.rows[1].problems.front().message.zh.find("V-404"), std::string::npos);
}

}  // namespace
}  // namespace investflow::storage
