// engine/workflow_diff.hpp: what changed between two versions, as sentences.
#include "engine/workflow_diff.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using ::testing::ElementsAre;
using testing::expr;
using ::testing::IsEmpty;
using testing::small_workflow;

// The small workflow's definition, to change a copy of.
WorkflowDefinition base() {
  return *small_workflow();
}

StateDef& state(WorkflowDefinition& definition, std::string_view id) {
  for (StateDef& each : definition.states) {
    if (each.id == id) return each;
  }
  std::abort();
}

TransitionDef& transition(WorkflowDefinition& definition, std::string_view id) {
  for (TransitionDef& each : definition.transitions) {
    if (each.id == id) return each;
  }
  std::abort();
}

std::vector<std::string> zh(const std::vector<WorkflowChange>& changes) {
  std::vector<std::string> out;
  for (const auto& change : changes)
    out.push_back(change.text.zh);
  return out;
}

std::vector<std::string> en(const std::vector<WorkflowChange>& changes) {
  std::vector<std::string> out;
  for (const auto& change : changes)
    out.push_back(change.text.en);
  return out;
}

TEST(WorkflowDiff, TheSameDefinitionHasNoChanges) {
  const WorkflowDefinition a = base();
  WorkflowDefinition b = base();
  b.version = 4;  // the version itself is not a change of meaning
  EXPECT_THAT(diff_workflows(a, b), IsEmpty());
}

TEST(WorkflowDiff, ARenamedStateIsOneSentenceWithBothLabels) {
  const WorkflowDefinition a = base();
  WorkflowDefinition b = base();
  state(b, "screening").label = {"洽谈对接", "Matchmaking"};
  const auto changes = diff_workflows(a, b);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, WorkflowChange::Kind::state);
  EXPECT_EQ(changes[0].change, WorkflowChange::Change::changed);
  EXPECT_EQ(changes[0].id, "screening");
  EXPECT_EQ(changes[0].text.zh, "状态“筛选”更名为“洽谈对接”。");
  EXPECT_EQ(changes[0].text.en, "State \"Screening\" is renamed \"Matchmaking\".");
}

TEST(WorkflowDiff, AddedAndRemovedStatesTransitionsFieldsAndRoles) {
  const WorkflowDefinition a = base();
  WorkflowDefinition b = base();
  b.roles.push_back("inspector");
  b.roles.erase(std::find(b.roles.begin(), b.roles.end(), "auditor"));
  FieldDef permit = testing::field("permit_no", FieldType::text, true);
  permit.label = {"施工许可证号", "Permit number"};
  b.fields.push_back(permit);
  b.fields.erase(b.fields.begin() + 6);  // tags
  b.states.push_back(StateDef{"paused", {"暂停", "Paused"}, false, std::nullopt, std::nullopt});
  TransitionDef pause;
  pause.id = "pause";
  pause.label = {"暂停", "Pause"};
  pause.from = {"building"};
  pause.to = "paused";
  pause.roles = {"manager"};
  b.transitions.push_back(pause);
  b.transitions.erase(b.transitions.begin() + 5);  // finish
  const auto changes = diff_workflows(a, b);
  EXPECT_THAT(zh(changes),
              ElementsAre("删除角色 auditor。", "新增角色 inspector。", "删除字段“tags（中）”。",
                          "新增必填字段“施工许可证号”（文本）。", "新增状态“暂停”。",
                          "删除流转“竣工”。", "新增流转“暂停”：从“在建”到“暂停”，由manager办理。"));
  EXPECT_EQ(changes[3].kind, WorkflowChange::Kind::field);
  EXPECT_EQ(changes[3].change, WorkflowChange::Change::added);
  EXPECT_EQ(changes[3].id, "permit_no");
  EXPECT_EQ(en(changes)[6],
            "Transition \"Pause\" from \"Building\" to \"Paused\" by manager is added.");
}

TEST(WorkflowDiff, RulesGuardsTablesSlaReviewsAndMilestones) {
  const WorkflowDefinition a = base();
  WorkflowDefinition b = base();
  b.tables[0].entries.insert_or_assign("electronics", Value::number(400));
  TransitionDef& pass = transition(b, "pass_screening");
  pass.requires_fields.push_back("registered_on");
  pass.guards[0].check = expr("intensity >= intensity_min[industry]");
  state(b, "screening").sla->working_days.amount = 5;
  state(b, "review").review->quorum = 5;
  b.milestones[0].within = {Duration::Unit::days, 60};
  b.computed[0].expression = expr("land_area > 0 ? total_investment / land_area : 1");
  const auto changes = diff_workflows(a, b);
  EXPECT_THAT(zh(changes),
              ElementsAre("表“intensity_min”的“electronics”一项由350改为400。",
                          "计算值“投资强度”的公式由`land_area > 0 ? total_investment / land_area : "
                          "0`改为`land_area > 0 ? total_investment / land_area : 1`。",
                          "状态“筛选”的办理时限由3个工作日改为5个工作日。",
                          "状态“评审”评审的法定票数由3票改为5票。",
                          "流转“通过筛选”要求先填写“registered_on（中）”。",
                          "流转“通过筛选”的条件“投资强度 {intensity} 万元/亩 低于准入标准”的判断由`"
                          "intensity >= intensity_min[industry] || priority`改为`intensity >= "
                          "intensity_min[industry]`。",
                          "里程碑“公司注册”的期限由30天改为60天。"));
  EXPECT_EQ(changes[0].kind, WorkflowChange::Kind::table);
  EXPECT_EQ(changes[3].kind, WorkflowChange::Kind::review);
  EXPECT_EQ(changes[4].kind, WorkflowChange::Kind::rule);
  EXPECT_EQ(changes[6].kind, WorkflowChange::Kind::milestone);
  EXPECT_EQ(en(changes)[2],
            "SLA of state \"Screening\" changes from 3 working days to 5 working days.");
}

TEST(WorkflowDiff, NotifyRulesAndReportTags) {
  WorkflowDefinition a = base();
  NotifyRule rule;
  rule.on = {NotifyTrigger::Kind::enter, "signed"};
  rule.to = {{NotifyRecipient::Kind::owner, ""}};
  rule.channels = {NotifyChannel::inbox};
  a.notify.push_back(rule);
  WorkflowDefinition b = a;
  b.notify[0].to.push_back({NotifyRecipient::Kind::role, "manager"});
  NotifyRule overdue;
  overdue.on = {NotifyTrigger::Kind::sla_overdue, ""};
  overdue.to = {{NotifyRecipient::Kind::role, "manager"}};
  overdue.channels = {NotifyChannel::webhook};
  b.notify.push_back(overdue);
  state(b, "signed").report = StateTag::signing;
  const auto changes = diff_workflows(a, b);
  EXPECT_THAT(zh(changes),
              ElementsAre("状态“已签约”的报表标记由无改为“签约”。",
                          "通知规则由“进入“已签约”时通知负责人（站内信）”改为“进入“已签约”时通知负"
                          "责人、角色 manager（站内信）”。",
                          "新增通知：超过时限时通知角色 manager（Webhook）。"));
  EXPECT_EQ(changes[1].kind, WorkflowChange::Kind::notify);
  EXPECT_EQ(changes[1].id, "enter:signed");
}

}  // namespace
}  // namespace investflow::engine
