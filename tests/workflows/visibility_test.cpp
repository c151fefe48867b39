// Language v1.1 `visibility:` (data scope, issue 19): what the loader accepts and refuses, the
// access keys a project carries, and what a user's DataScope sees in memory.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/visibility.hpp"
#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

using engine::DataScope;
using engine::Project;
using engine::Value;
using engine::Viewer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kHead = R"yaml(
workflow: scoped
version: 1
calendar: cn-mainland
roles: [staff, reviewer, manager]
fields:
  name: {type: text, required: true}
  promoting_unit: {type: text}
  officer: {type: user}
  size: {type: number}
initial: lead
states:
  lead:
  review:
    review: {voters: reviewer, quorum: 1, pass: "approvals >= 1"}
  done: {terminal: true}
transitions:
  - {id: submit, from: lead, to: review, roles: [staff]}
  - {id: finish, from: review, to: done, roles: [manager]}
)yaml";

constexpr const char* kGood = R"yaml(
visibility:
  staff:
    owner: true
    users: [officer]
    unit: promoting_unit
  reviewer:
    reviews: true
  manager: all
)yaml";

CalendarRegistry registry() {
  CalendarRegistry calendars;
  calendars.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("cn-mainland")));
  return calendars;
}

WorkflowLoad load(const std::string& visibility) {
  return load_workflow_text(std::string(kHead) + visibility, "scoped.yaml", registry());
}

std::string errors(const WorkflowLoad& loaded) {
  std::string text;
  for (const auto& diagnostic : loaded.diagnostics)
    text += diagnostic.message + "\n";
  return text;
}

TEST(Visibility, ALoadedSectionHoldsEachRolesRule) {
  const WorkflowLoad loaded = load(kGood);
  ASSERT_TRUE(loaded.workflow) << errors(loaded);
  const auto& visibility = loaded.workflow->visibility;
  ASSERT_EQ(visibility.size(), 3u);
  EXPECT_TRUE(visibility.at("manager").all);
  EXPECT_TRUE(visibility.at("staff").owner);
  EXPECT_THAT(visibility.at("staff").users, ElementsAre("officer"));
  EXPECT_EQ(visibility.at("staff").unit, "promoting_unit");
  EXPECT_TRUE(visibility.at("reviewer").reviews);
  // Without the section, every role sees every project.
  const WorkflowLoad open = load("");
  ASSERT_TRUE(open.workflow) << errors(open);
  EXPECT_TRUE(open.workflow->visibility.empty());
}

TEST(Visibility, TheLoaderRefusesRulesThatCannotMeanAnything) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"visibility:\n  staff: all\n  reviewer: all\n  manager: all\n  boss: all\n",
       "unknown role 'boss'"},
      {"visibility:\n  staff: all\n  reviewer: all\n", "does not name role 'manager'"},
      {"visibility:\n  staff: some\n  reviewer: all\n  manager: all\n", "must be 'all'"},
      {"visibility:\n  staff: {users: [name]}\n  reviewer: all\n  manager: all\n",
       "must be a user field"},
      {"visibility:\n  staff: {users: [nobody]}\n  reviewer: all\n  manager: all\n",
       "unknown field 'nobody'"},
      {"visibility:\n  staff: {unit: officer}\n  reviewer: all\n  manager: all\n",
       "must name a text or enum field"},
      {"visibility:\n  staff: {parent: true}\n  reviewer: all\n  manager: all\n",
       "needs a 'parent' section"},
      {"visibility:\n  staff: {owner: false}\n  reviewer: all\n  manager: all\n", "grants nothing"},
      {"visibility:\n  staff: {owns: true}\n  reviewer: all\n  manager: all\n", "owns"},
  };
  for (const auto& [section, expected] : cases) {
    const WorkflowLoad loaded = load(section);
    EXPECT_FALSE(loaded.workflow) << section;
    EXPECT_THAT(errors(loaded), HasSubstr(expected)) << section;
  }
  // A review rule in a workflow without reviews.
  std::string head(kHead);
  head.replace(head.find("    review: {voters"), head.find("\n  done") - head.find("    review: {"),
               "    sla: {days: 3}");
  const WorkflowLoad no_review = load_workflow_text(
      head + "visibility:\n  staff: all\n  reviewer: {reviews: true}\n  manager: all\n",
      "scoped.yaml", registry());
  EXPECT_FALSE(no_review.workflow);
  EXPECT_THAT(errors(no_review), HasSubstr("no state of this workflow has a review"));
}

Project project(const engine::Workflow& workflow) {
  Project p;
  p.id = "P-1";
  p.workflow = workflow.id;
  p.workflow_version = workflow.version;
  p.version = 1;
  p.state = "lead";
  p.owner = "zhang";
  p.fields["name"] = Value::text("X");
  p.fields["promoting_unit"] = Value::text("招商一科");
  return p;
}

TEST(Visibility, AProjectCarriesTheKeysItsRulesGrant) {
  const WorkflowLoad loaded = load(kGood);
  ASSERT_TRUE(loaded.workflow) << errors(loaded);
  const engine::Workflow& workflow = *loaded.workflow;
  Project p = project(workflow);
  EXPECT_THAT(engine::access_keys(workflow, p),
              ElementsAre("staff|u:zhang", "staff|unit:招商一科"));
  p.fields["officer"] = Value::text("zhou");
  p.state = "review";
  p.votes.push_back(engine::Vote{"r1", engine::VoteChoice::approve, "", 0});
  EXPECT_THAT(engine::access_keys(workflow, p),
              ElementsAre("reviewer|u:r1", "reviewer|voters:reviewer", "staff|u:zhang",
                          "staff|u:zhou", "staff|unit:招商一科"));
}

TEST(Visibility, AScopeSeesByRoleOwnerUnitServiceAndReview) {
  const WorkflowLoad loaded = load(kGood);
  ASSERT_TRUE(loaded.workflow) << errors(loaded);
  const engine::Workflow& workflow = *loaded.workflow;
  const WorkflowLoad open_load =
      load_workflow_text(std::string(kHead).replace(std::string(kHead).find("scoped"), 6, "open"),
                         "open.yaml", registry());
  ASSERT_TRUE(open_load.workflow) << errors(open_load);
  const std::vector<std::shared_ptr<const engine::Workflow>> registered{loaded.workflow,
                                                                        open_load.workflow};
  Project p = project(workflow);

  const DataScope manager = DataScope::of(Viewer{"li", {"manager"}, ""}, registered);
  EXPECT_TRUE(manager.unrestricted());
  EXPECT_TRUE(manager.sees(workflow, p));

  const DataScope owner = DataScope::of(Viewer{"zhang", {"staff"}, ""}, registered);
  EXPECT_FALSE(owner.unrestricted());
  EXPECT_TRUE(owner.sees(workflow, p));
  EXPECT_TRUE(owner.sees(*open_load.workflow, p)) << "a workflow without rules: seen whole";

  const DataScope same_unit = DataScope::of(Viewer{"zhou", {"staff"}, "招商一科"}, registered);
  const DataScope other_unit = DataScope::of(Viewer{"zhou", {"staff"}, "招商二科"}, registered);
  EXPECT_TRUE(same_unit.sees(workflow, p));
  EXPECT_FALSE(other_unit.sees(workflow, p));
  p.fields["officer"] = Value::text("zhou");
  EXPECT_TRUE(other_unit.sees(workflow, p)) << "serving it";

  const DataScope reviewer = DataScope::of(Viewer{"r1", {"reviewer"}, "招商一科"}, registered);
  EXPECT_FALSE(reviewer.sees(workflow, p)) << "a unit counts for the roles whose rule says so";
  p.state = "review";
  EXPECT_TRUE(reviewer.sees(workflow, p));
  p.state = "done";
  EXPECT_FALSE(reviewer.sees(workflow, p));
  p.closed_reviews.push_back(
      engine::ClosedReview{"review", "finish", "done", 0, {engine::Vote{"r1", {}, "", 0}}});
  EXPECT_TRUE(reviewer.sees(workflow, p)) << "voted on it";
}

}  // namespace
}  // namespace investflow::workflows
