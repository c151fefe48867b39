// Parent links (language v1.1): `parent.FIELD` and `parent.state` in a child's expressions,
// `open_children('WORKFLOW')` in a parent's, and the checks on a new child's parent. The
// values come in through engine::Relations as plain data; absent parts read as null.

#include <gtest/gtest.h>

#include "engine/decide.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::expr;
using testing::field;

Timestamp at(int y, int m, int d) {
  return start_of_day(*Date::from_ymd(y, m, d)) + 10 * 3'600'000LL;
}

const Actor kStaff{"zhang", {"staff"}};
const Actor kManager{"li", {"manager"}};

TransitionDef transition(std::string id, std::string from, std::string to,
                         std::vector<GuardDef> guards = {}) {
  TransitionDef def;
  def.id = std::move(id);
  def.label = {def.id + "（中）", def.id};
  def.from = {std::move(from)};
  def.to = std::move(to);
  def.roles = {"staff", "manager"};
  def.guards = std::move(guards);
  return def;
}

// A workflow of two states, the second terminal, with a required text field and a money
// field.
WorkflowDefinition two_states(std::string id, std::string text, std::string money, StateDef first,
                              StateDef last) {
  WorkflowDefinition wf;
  wf.id = std::move(id);
  wf.calendar = std::make_shared<Calendar>(Calendar::weekends_only());
  wf.roles = {"staff", "manager"};
  wf.fields.push_back(field(std::move(text), FieldType::text, true));
  wf.fields.push_back(field(std::move(money), FieldType::money));
  wf.initial = first.id;
  last.terminal = true;
  wf.states = {std::move(first), std::move(last)};
  return wf;
}

// venture (parent): close only with no open issue.
std::shared_ptr<const Workflow> venture() {
  WorkflowDefinition wf = two_states(
      "venture", "name", "budget", {"open", {"进行中", "Open"}, false, std::nullopt, std::nullopt},
      {"closed", {"已关闭", "Closed"}, false, std::nullopt, std::nullopt});
  wf.transitions = {transition(
      "close", "open", "closed",
      {{expr("open_children('issue') == 0"), {"尚有未办结的问题", "open issues remain"}, ""}})};
  return Workflow::make(std::move(wf));
}

// issue (child of venture): resolved only while the venture is open and within its budget.
std::shared_ptr<const Workflow> issue() {
  WorkflowDefinition wf = two_states(
      "issue", "title", "cost", {"raised", {"已登记", "Raised"}, false, std::nullopt, std::nullopt},
      {"resolved", {"已办结", "Resolved"}, false, std::nullopt, std::nullopt});
  wf.parent = ParentDef{{"venture"}};
  wf.transitions = {transition(
      "resolve", "raised", "resolved",
      {{expr("parent.state == 'open'"), {"所属项目已不在进行中", "the venture is not open"}, ""},
       {expr("!present(cost) || cost <= parent.budget"),
        {"费用{cost}万元超过预算{parent.budget}万元", "cost {cost} over budget {parent.budget}"},
        "cost"}})};
  return Workflow::make(std::move(wf));
}

class ParentTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Workflow> parent_wf = venture();
  std::shared_ptr<const Workflow> child_wf = issue();
  FixedClock clock{at(2026, 3, 2)};

  static ParentView open_venture(double budget) {
    return ParentView{"V-1",
                      "venture",
                      "open",
                      false,
                      {{"budget", Value::number(budget)}, {"name", Value::text("项目")}}};
  }

  Decision create_issue(const std::string& parent, const Relations& relations) {
    CreateProject create{"", {{"title", Value::text("用电接入")}}, parent};
    return decide(*child_wf, Project{}, Command{"I-1", std::nullopt, create}, kStaff, clock,
                  relations);
  }

  Project created_issue(double cost) {
    Relations relations;
    relations.parent = open_venture(100);
    Decision decision = create_issue("V-1", relations);
    EXPECT_TRUE(decision.ok());
    Project project;
    for (const Event& event : decision.value())
      project = apply(std::move(project), event);
    project.fields.insert_or_assign("cost", Value::number(cost));
    return project;
  }

  static std::vector<std::string> codes(const Decision& decision) {
    std::vector<std::string> out;
    if (!decision.ok()) {
      for (const Reason& reason : decision.error().reasons)
        out.push_back(reason.code);
    }
    return out;
  }
};

TEST_F(ParentTest, AChildIsCreatedUnderItsParentAndRemembersIt) {
  Relations relations;
  relations.parent = open_venture(100);
  Decision decision = create_issue("V-1", relations);
  ASSERT_TRUE(decision.ok()) << decision.error().reasons.front().message.en;
  const auto& created = std::get<ProjectCreated>(decision.value().front().body);
  EXPECT_EQ(created.parent, "V-1");
  const Project project = apply(Project{}, decision.value().front());
  EXPECT_EQ(project.parent, "V-1");
}

TEST_F(ParentTest, ANewChildsParentIsChecked) {
  // No parent given, for a workflow whose items belong to one.
  EXPECT_EQ(codes(create_issue("", {})), std::vector<std::string>{"parent_required"});
  // A parent the caller did not find.
  EXPECT_EQ(codes(create_issue("V-404", {})), std::vector<std::string>{"no_such_parent"});
  // A parent of another workflow.
  Relations other;
  other.parent = open_venture(100);
  other.parent->workflow = "small";
  const Decision wrong = create_issue("V-1", other);
  EXPECT_EQ(codes(wrong), std::vector<std::string>{"parent_wrong_workflow"});
  EXPECT_EQ(wrong.error().reasons.front().field, "parent");
  EXPECT_NE(wrong.error().reasons.front().message.zh.find("venture"), std::string::npos);
  // A parent in a terminal state.
  Relations closed;
  closed.parent = open_venture(100);
  closed.parent->state = "closed";
  closed.parent->terminal = true;
  const Decision late = create_issue("V-1", closed);
  EXPECT_EQ(codes(late), std::vector<std::string>{"parent_closed"});
  EXPECT_NE(late.error().reasons.front().message.zh.find("终止"), std::string::npos);
  // A parent given for a workflow without `parent:`.
  CreateProject create{"", {{"name", Value::text("项目")}}, "V-1"};
  const Decision orphan =
      decide(*parent_wf, Project{}, Command{"V-2", std::nullopt, create}, kStaff, clock, {});
  EXPECT_EQ(codes(orphan), std::vector<std::string>{"parent_not_allowed"});
}

TEST_F(ParentTest, AChildsGuardsReadItsParentsStateAndFields) {
  const Project project = created_issue(80);
  const Command resolve{"I-1", std::nullopt, TakeTransition{"resolve", {}, ""}};
  Relations relations;
  relations.parent = open_venture(100);
  EXPECT_TRUE(decide(*child_wf, project, resolve, kStaff, clock, relations).ok());

  relations.parent = open_venture(50);  // over budget
  const Decision over = decide(*child_wf, project, resolve, kStaff, clock, relations);
  ASSERT_EQ(codes(over), std::vector<std::string>{"guard_failed"});
  EXPECT_EQ(over.error().reasons.front().message.zh, "费用80万元超过预算50万元");

  relations.parent = open_venture(100);
  relations.parent->state = "paused";
  const Decision paused = decide(*child_wf, project, resolve, kStaff, clock, relations);
  ASSERT_EQ(codes(paused), std::vector<std::string>{"guard_failed"});
  EXPECT_EQ(paused.error().reasons.front().message.en, "the venture is not open");
}

TEST_F(ParentTest, AnAbsentParentReadsAsNull) {
  const Project project = created_issue(80);
  const Command resolve{"I-1", std::nullopt, TakeTransition{"resolve", {}, ""}};
  // Without relations, parent.state and parent.budget are null: both guards fail.
  const Decision decision = decide(*child_wf, project, resolve, kStaff, clock);
  EXPECT_EQ(codes(decision), (std::vector<std::string>{"guard_failed", "guard_failed"}));
  EXPECT_EQ(evaluate_name(*child_wf, project, "parent.state", Date()), Value());
}

TEST_F(ParentTest, AParentsGuardCountsItsOpenChildren) {
  EXPECT_EQ(parent_wf->counted_children(), std::vector<std::string>{"issue"});
  EXPECT_TRUE(child_wf->counted_children().empty());
  Project venture_project;
  venture_project.id = "V-1";
  venture_project.workflow = "venture";
  venture_project.state = "open";
  venture_project.version = 1;
  venture_project.fields.insert_or_assign("name", Value::text("项目"));
  const Command close{"V-1", std::nullopt, TakeTransition{"close", {}, ""}};
  Relations relations;
  relations.open_children["issue"] = 2;
  const Decision refused = decide(*parent_wf, venture_project, close, kManager, clock, relations);
  ASSERT_EQ(codes(refused), std::vector<std::string>{"guard_failed"});
  EXPECT_EQ(refused.error().reasons.front().message.zh, "尚有未办结的问题");
  // The same in "what can I do now".
  const auto options = transition_options(*parent_wf, venture_project, kManager, clock, relations);
  ASSERT_EQ(options.size(), 1u);
  EXPECT_FALSE(options.front().blocked_by.empty());

  relations.open_children["issue"] = 0;
  EXPECT_TRUE(decide(*parent_wf, venture_project, close, kManager, clock, relations).ok());
  // Unknown counts read as null, so the guard does not hold.
  EXPECT_FALSE(decide(*parent_wf, venture_project, close, kManager, clock).ok());
}

TEST(ParentNames, TheCheckerKnowsParentNamesOnlyWithParent) {
  const auto child = issue();
  const auto parent = venture();
  // Loaded alone: any parent.FIELD, typed any; parent.state is text.
  const WorkflowNames alone(*child);
  ASSERT_TRUE(alone.lookup("parent.anything"));
  EXPECT_EQ(alone.lookup("parent.anything")->type, ExprType::any);
  EXPECT_EQ(alone.lookup("parent.state")->type, ExprType::text);
  EXPECT_TRUE(expr("parent.whatever > 1").check(alone).empty());
  // Without parent:, parent.FIELD is unknown, and the message says why.
  const WorkflowNames orphan(*parent);
  const auto errors = expr("parent.budget > 1").check(orphan);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors.front().message.find("needs a top-level parent:"), std::string::npos);
  // With the family known: the parent's fields with their types, and its states.
  WorkflowFamily family;
  family.parents = {parent.get()};
  family.loaded = {"venture", "issue"};
  const WorkflowNames known(*child, false, &family);
  EXPECT_EQ(known.lookup("parent.budget")->type, ExprType::number);
  EXPECT_FALSE(known.lookup("parent.budgit"));
  const auto typo = expr("parent.budgit > 1").check(known);
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_NE(typo.front().message.find("did you mean 'parent.budget'"), std::string::npos)
      << typo.front().message;
  const auto state = expr("parent.state == 'opne'").check(known);
  ASSERT_EQ(state.size(), 1u);
  EXPECT_NE(state.front().message.find("open"), std::string::npos) << state.front().message;
}

TEST(ParentNames, OpenChildrenTakesAChildWorkflowInQuotes) {
  const auto parent = venture();
  const WorkflowNames alone(*parent);
  EXPECT_TRUE(expr("open_children('anything') == 0").check(alone).empty());
  const auto unquoted = expr("open_children(issue) == 0").check(alone);
  ASSERT_FALSE(unquoted.empty());
  EXPECT_NE(unquoted.back().message.find("in quotes"), std::string::npos);
  EXPECT_FALSE(expr("open_children() == 0").check(alone).empty());
  EXPECT_FALSE(expr("open_children('issue') == 'x'").check(alone).empty());  // a number

  WorkflowFamily family;
  family.children = {"issue"};
  family.loaded = {"venture", "issue", "small"};
  const WorkflowNames known(*parent, false, &family);
  EXPECT_TRUE(expr("open_children('issue') == 0").check(known).empty());
  const auto typo = expr("open_children('isue') == 0").check(known);
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_EQ(typo.front().column, 15);
  EXPECT_NE(typo.front().message.find("did you mean 'issue'"), std::string::npos);
  const auto not_child = expr("open_children('small') == 0").check(known);
  ASSERT_EQ(not_child.size(), 1u);
  EXPECT_NE(not_child.front().message.find("does not name 'venture'"), std::string::npos);
}

}  // namespace
}  // namespace investflow::engine
