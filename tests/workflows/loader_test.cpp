// The workflow loader on valid input: every part of the language lands in the model, and
// defaults are what the language says.

#include "workflows/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

namespace investflow::workflows {
namespace {

using engine::FieldType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

CalendarRegistry registry_with_cn_mainland() {
  CalendarRegistry registry;
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("cn-mainland")));
  return registry;
}

std::string all_diagnostics(const WorkflowLoad& load) {
  std::string text;
  for (const Diagnostic& diagnostic : load.diagnostics)
    text += diagnostic.to_string() + "\n";
  return text;
}

// Uses every section and every optional key of the language once.
constexpr std::string_view kEveryPart = R"yaml(workflow: demo-investment
version: 2
title: {zh-CN: 示例项目, en: Demo project}
description: A small workflow that uses every part of the language.
calendar: cn-mainland
roles: [staff, reviewer, manager]
fields:
  name: {type: text, required: true, label: {zh-CN: 项目名称, en: Name}, max: 200}
  industry:
    type: enum
    options: [new_materials, electronics, other]
    option_labels: {new_materials: {zh-CN: 新材料, en: New materials}, electronics: 电子信息}
    group: basic
  total_investment: {type: money, unit: 万元, min: 0, help: {zh-CN: 总投资, en: Total investment}}
  land_area: {type: area, unit: 亩, min: 0}
  signed_on: {type: date}
  priority: {type: bool}
  tags: {type: list, options: [chain_leader, listed]}
  officer: {type: user}
  employees: {type: number}
  team: {type: list, items: user}
tables:
  intensity_min: {new_materials: 330, electronics: 350, default: 300}
  chain_role: {new_materials: build, default: fill}
computed:
  investment_intensity: "land_area > 0 ? total_investment / land_area : 0"
  meets_intensity:
    expr: investment_intensity >= intensity_min[industry]
    label: {zh-CN: 达到投资强度, en: Meets intensity}
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}, sla: {working_days: 1, escalate: [manager]}}
  review:
    label: 评审
    sla: {working_days: 5, warn_before: 2}
    review: {voters: reviewer, quorum: 3, pass: "approvals * 3 >= votes * 2"}
  signed: {label: 已签约}
  rejected: {terminal: true}
transitions:
  - id: submit
    label: {zh-CN: 提交评审, en: Submit}
    from: lead
    to: review
    roles: [staff]
    requires: [industry, total_investment, land_area]
    guards:
      - check: "meets_intensity || priority"
        message: {zh-CN: "投资强度 {investment_intensity} 低于准入标准", en: "Intensity {investment_intensity} is below the threshold"}
        field: total_investment
    comment: required
  - id: approve
    from: [review]
    to: signed
    roles: [manager]
    when: review.passed
  - id: reject
    from: "*"
    to: rejected
milestones:
  register_company: {label: 注册公司, after: signed, within: {days: 30}, field: signed_on, done_when: "present(signed_on)"}
  start_construction: {after: signed, within: {months: "total_investment > 10000 ? 6 : 3"}}
  first_visit: {after: signed, within: {working_days: 5}}
followup: {in: [signed], every: {months: 1}, role: staff}
notify:
  - on: {enter: review}
    to: [owner, role:reviewer, user:zhang.san]
    channels: [inbox, webhook]
  - on: {leave: lead}
    to: [owner]
  - on: approve
    to: [owner]
  - on: sla_overdue
    to: [role:manager]
    channels: [inbox]
  - on: sla_warning
    to: [owner]
  - on: milestone_overdue
    to: [owner]
  - on: followup_due
    to: [role:staff]
  - on: transition
    to: [owner, field:officer]
  - on: {enter: "*"}
    to: [field:team]
    channels: [webhook]
  - on: {leave: "*"}
    to: [role:manager]
)yaml";

class EveryPart : public ::testing::Test {
 protected:
  void SetUp() override {
    load_ = load_workflow_text(kEveryPart, "every-part.yaml", registry_with_cn_mainland());
    ASSERT_THAT(load_.diagnostics, IsEmpty()) << all_diagnostics(load_);
    ASSERT_NE(load_.workflow, nullptr);
    workflow_ = load_.workflow.get();
  }
  WorkflowLoad load_;
  const engine::Workflow* workflow_ = nullptr;
};

TEST_F(EveryPart, KeepsTheSourceText) {
  EXPECT_EQ(load_.source, kEveryPart);
}

TEST_F(EveryPart, ReadsIdentityCalendarAndRoles) {
  EXPECT_EQ(workflow_->id, "demo-investment");
  EXPECT_EQ(workflow_->version, 2);
  EXPECT_EQ(workflow_->title.zh, "示例项目");
  EXPECT_EQ(workflow_->title.en, "Demo project");
  EXPECT_EQ(workflow_->description.en, "A small workflow that uses every part of the language.");
  EXPECT_EQ(workflow_->description.zh, workflow_->description.en);  // one text for both
  EXPECT_EQ(workflow_->calendar_name, "cn-mainland");
  ASSERT_NE(workflow_->calendar, nullptr);
  EXPECT_EQ(workflow_->calendar->name(), "cn-mainland");
  EXPECT_THAT(workflow_->roles, ElementsAre("staff", "reviewer", "manager"));
}

TEST_F(EveryPart, ReadsFields) {
  ASSERT_EQ(workflow_->fields.size(), 10u);
  EXPECT_EQ(workflow_->find_field("team")->items, FieldType::user);
  EXPECT_EQ(workflow_->find_field("tags")->items, FieldType::text);  // the default
  const engine::FieldDef* name = workflow_->find_field("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->type, FieldType::text);
  EXPECT_TRUE(name->required);
  EXPECT_EQ(name->label.zh, "项目名称");
  EXPECT_EQ(name->label.en, "Name");
  EXPECT_EQ(name->max, 200);
  EXPECT_FALSE(name->min.has_value());

  const engine::FieldDef* industry = workflow_->find_field("industry");
  ASSERT_NE(industry, nullptr);
  EXPECT_EQ(industry->type, FieldType::enumeration);
  EXPECT_FALSE(industry->required);
  EXPECT_THAT(industry->options, ElementsAre("new_materials", "electronics", "other"));
  EXPECT_EQ(industry->group, "basic");
  ASSERT_EQ(industry->option_labels.size(), 2u);
  EXPECT_EQ(industry->option_labels.at("new_materials").en, "New materials");
  // A plain-text label is the same in both languages.
  EXPECT_EQ(industry->option_labels.at("electronics").zh, "电子信息");
  EXPECT_EQ(industry->option_labels.at("electronics").en, "电子信息");

  const engine::FieldDef* money = workflow_->find_field("total_investment");
  ASSERT_NE(money, nullptr);
  EXPECT_EQ(money->type, FieldType::money);
  EXPECT_EQ(money->unit, "万元");
  EXPECT_EQ(money->min, 0);
  EXPECT_EQ(money->help.en, "Total investment");

  EXPECT_EQ(workflow_->find_field("land_area")->type, FieldType::area);
  EXPECT_EQ(workflow_->find_field("signed_on")->type, FieldType::date);
  EXPECT_EQ(workflow_->find_field("priority")->type, FieldType::boolean);
  EXPECT_EQ(workflow_->find_field("tags")->type, FieldType::list);
  EXPECT_THAT(workflow_->find_field("tags")->options, ElementsAre("chain_leader", "listed"));
  EXPECT_EQ(workflow_->find_field("officer")->type, FieldType::user);
  EXPECT_EQ(workflow_->find_field("employees")->type, FieldType::number);
}

TEST_F(EveryPart, ReadsTablesWithTheirFallback) {
  const engine::TableDef* intensity = workflow_->find_table("intensity_min");
  ASSERT_NE(intensity, nullptr);
  ASSERT_EQ(intensity->entries.size(), 2u);
  EXPECT_EQ(intensity->entries.at("new_materials"), engine::Value::number(330));
  EXPECT_EQ(intensity->entries.at("electronics"), engine::Value::number(350));
  ASSERT_TRUE(intensity->fallback.has_value());
  EXPECT_EQ(*intensity->fallback, engine::Value::number(300));

  const engine::TableDef* chain = workflow_->find_table("chain_role");
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->entries.at("new_materials"), engine::Value::text("build"));
  EXPECT_EQ(*chain->fallback, engine::Value::text("fill"));
}

TEST_F(EveryPart, ReadsComputedValuesInBothForms) {
  ASSERT_EQ(workflow_->computed.size(), 2u);
  const engine::ComputedDef* intensity = workflow_->find_computed("investment_intensity");
  ASSERT_NE(intensity, nullptr);
  EXPECT_EQ(intensity->expression.source(), "land_area > 0 ? total_investment / land_area : 0");
  EXPECT_TRUE(intensity->label.empty());
  const engine::ComputedDef* meets = workflow_->find_computed("meets_intensity");
  ASSERT_NE(meets, nullptr);
  EXPECT_EQ(meets->expression.source(), "investment_intensity >= intensity_min[industry]");
  EXPECT_EQ(meets->label.en, "Meets intensity");
}

TEST_F(EveryPart, ReadsStatesWithSlaAndReview) {
  EXPECT_EQ(workflow_->initial, "lead");
  ASSERT_EQ(workflow_->states.size(), 4u);
  EXPECT_EQ(workflow_->states[0].id, "lead");  // file order is kept
  EXPECT_EQ(workflow_->states[3].id, "rejected");

  const engine::StateDef* lead = workflow_->find_state("lead");
  ASSERT_NE(lead, nullptr);
  EXPECT_EQ(lead->label.zh, "线索");
  ASSERT_TRUE(lead->sla.has_value());
  EXPECT_EQ(lead->sla->working_days.unit, engine::Duration::Unit::working_days);
  ASSERT_TRUE(std::holds_alternative<int>(lead->sla->working_days.amount));
  EXPECT_EQ(std::get<int>(lead->sla->working_days.amount), 1);
  EXPECT_EQ(lead->sla->warn_before_working_days, 1);  // the default
  EXPECT_THAT(lead->sla->escalate, ElementsAre("manager"));
  EXPECT_FALSE(lead->review.has_value());
  EXPECT_FALSE(lead->terminal);

  const engine::StateDef* review = workflow_->find_state("review");
  ASSERT_NE(review, nullptr);
  EXPECT_EQ(review->label.en, "评审");
  EXPECT_EQ(review->sla->warn_before_working_days, 2);
  ASSERT_TRUE(review->review.has_value());
  EXPECT_EQ(review->review->voters, "reviewer");
  EXPECT_EQ(review->review->quorum, 3);
  EXPECT_EQ(review->review->pass.source(), "approvals * 3 >= votes * 2");

  EXPECT_TRUE(workflow_->find_state("rejected")->terminal);
  EXPECT_FALSE(workflow_->find_state("signed")->sla.has_value());
}

TEST_F(EveryPart, ReadsTransitions) {
  ASSERT_EQ(workflow_->transitions.size(), 3u);
  const engine::TransitionDef* submit = workflow_->find_transition("submit");
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ(submit->label.en, "Submit");
  EXPECT_FALSE(submit->from_any);
  EXPECT_THAT(submit->from, ElementsAre("lead"));
  EXPECT_EQ(submit->to, "review");
  EXPECT_THAT(submit->roles, ElementsAre("staff"));
  EXPECT_THAT(submit->requires_fields, ElementsAre("industry", "total_investment", "land_area"));
  EXPECT_EQ(submit->comment, engine::CommentRule::required);
  EXPECT_FALSE(submit->when.has_value());
  ASSERT_EQ(submit->guards.size(), 1u);
  EXPECT_EQ(submit->guards[0].check.source(), "meets_intensity || priority");
  EXPECT_EQ(submit->guards[0].message.zh, "投资强度 {investment_intensity} 低于准入标准");
  EXPECT_EQ(submit->guards[0].field, "total_investment");

  const engine::TransitionDef* approve = workflow_->find_transition("approve");
  ASSERT_NE(approve, nullptr);
  EXPECT_THAT(approve->from, ElementsAre("review"));
  ASSERT_TRUE(approve->when.has_value());
  EXPECT_EQ(approve->when->source(), "review.passed");
  EXPECT_EQ(approve->comment, engine::CommentRule::optional);

  const engine::TransitionDef* reject = workflow_->find_transition("reject");
  ASSERT_NE(reject, nullptr);
  EXPECT_TRUE(reject->from_any);
  EXPECT_TRUE(reject->roles.empty());
  // "*" leaves every non-terminal state, and the index the loader built knows it.
  EXPECT_EQ(workflow_->transitions_from("signed").size(), 1u);
  EXPECT_EQ(workflow_->transitions_from("lead").size(), 2u);
}

TEST_F(EveryPart, ReadsMilestonesWithFixedAndComputedDeadlines) {
  ASSERT_EQ(workflow_->milestones.size(), 3u);
  const engine::MilestoneDef* register_company = workflow_->find_milestone("register_company");
  ASSERT_NE(register_company, nullptr);
  EXPECT_EQ(register_company->label.zh, "注册公司");
  EXPECT_EQ(register_company->after, "signed");
  EXPECT_EQ(register_company->within.unit, engine::Duration::Unit::days);
  ASSERT_TRUE(std::holds_alternative<int>(register_company->within.amount));
  EXPECT_EQ(std::get<int>(register_company->within.amount), 30);
  EXPECT_EQ(register_company->field, "signed_on");
  ASSERT_TRUE(register_company->done_when.has_value());
  EXPECT_EQ(register_company->done_when->source(), "present(signed_on)");

  const engine::MilestoneDef* construction = workflow_->find_milestone("start_construction");
  ASSERT_NE(construction, nullptr);
  EXPECT_EQ(construction->within.unit, engine::Duration::Unit::months);
  ASSERT_TRUE(std::holds_alternative<engine::Expression>(construction->within.amount));
  EXPECT_EQ(std::get<engine::Expression>(construction->within.amount).source(),
            "total_investment > 10000 ? 6 : 3");
  EXPECT_FALSE(construction->done_when.has_value());

  EXPECT_EQ(workflow_->find_milestone("first_visit")->within.unit,
            engine::Duration::Unit::working_days);
}

TEST_F(EveryPart, ReadsFollowupAndNotifications) {
  ASSERT_TRUE(workflow_->followup.has_value());
  EXPECT_THAT(workflow_->followup->in, ElementsAre("signed"));
  EXPECT_EQ(workflow_->followup->every.unit, engine::Duration::Unit::months);
  EXPECT_EQ(std::get<int>(workflow_->followup->every.amount), 1);
  EXPECT_EQ(workflow_->followup->role, "staff");

  using Kind = engine::NotifyTrigger::Kind;
  using To = engine::NotifyRecipient;
  using Channel = engine::NotifyChannel;
  ASSERT_EQ(workflow_->notify.size(), 10u);
  EXPECT_EQ(workflow_->notify[0].on.kind, Kind::enter);
  EXPECT_EQ(workflow_->notify[0].on.name, "review");
  EXPECT_THAT(workflow_->notify[0].to,
              ElementsAre(To{To::Kind::owner, ""}, To{To::Kind::role, "reviewer"},
                          To{To::Kind::user, "zhang.san"}));
  EXPECT_THAT(workflow_->notify[0].channels, ElementsAre(Channel::inbox, Channel::webhook));
  EXPECT_EQ(workflow_->notify[1].on.kind, Kind::leave);
  EXPECT_EQ(workflow_->notify[1].on.name, "lead");
  EXPECT_THAT(workflow_->notify[1].channels, ElementsAre(Channel::inbox));  // the default
  EXPECT_EQ(workflow_->notify[2].on.kind, Kind::transition);
  EXPECT_EQ(workflow_->notify[2].on.name, "approve");
  EXPECT_EQ(workflow_->notify[3].on.kind, Kind::sla_overdue);
  EXPECT_EQ(workflow_->notify[4].on.kind, Kind::sla_warning);
  EXPECT_EQ(workflow_->notify[5].on.kind, Kind::milestone_overdue);
  EXPECT_EQ(workflow_->notify[6].on.kind, Kind::followup_due);
  // Language v1.1: any transition, any state entered or left, field recipients.
  EXPECT_EQ(workflow_->notify[7].on, (engine::NotifyTrigger{Kind::transition, "*"}));
  EXPECT_THAT(workflow_->notify[7].to,
              ElementsAre(To{To::Kind::owner, ""}, To{To::Kind::field, "officer"}));
  EXPECT_EQ(workflow_->notify[8].on, (engine::NotifyTrigger{Kind::enter, "*"}));
  EXPECT_THAT(workflow_->notify[8].to, ElementsAre(To{To::Kind::field, "team"}));
  EXPECT_THAT(workflow_->notify[8].channels, ElementsAre(Channel::webhook));
  EXPECT_EQ(workflow_->notify[9].on, (engine::NotifyTrigger{Kind::leave, "*"}));
  EXPECT_TRUE(workflow_->notify[6].on.name.empty());
}

TEST(Loader, MinimalWorkflowGetsTheWeekendsCalendarAndDefaults) {
  const WorkflowLoad load = load_workflow_text(
      "workflow: tiny\nversion: 1\ninitial: open\nstates:\n  open:\n"
      "transitions:\n  - {id: close, from: open, to: closed}\n"
      "states_note_is_not_a_key: 1\n",
      "tiny.yaml", CalendarRegistry());
  // The unknown key makes this an error; without it the workflow loads.
  EXPECT_TRUE(has_errors(load.diagnostics));
  EXPECT_EQ(load.workflow, nullptr);

  const WorkflowLoad ok = load_workflow_text(
      "workflow: tiny\nversion: 1\ninitial: open\nstates:\n  open:\n  closed: {terminal: true}\n"
      "transitions:\n  - {id: close, from: open, to: closed}\n",
      "tiny.yaml", CalendarRegistry());
  ASSERT_THAT(ok.diagnostics, IsEmpty()) << all_diagnostics(ok);
  ASSERT_NE(ok.workflow, nullptr);
  EXPECT_EQ(ok.workflow->calendar_name, "weekends");
  ASSERT_NE(ok.workflow->calendar, nullptr);
  EXPECT_EQ(ok.workflow->calendar->name(), "weekends");
  EXPECT_TRUE(ok.workflow->roles.empty());
  EXPECT_TRUE(ok.workflow->title.empty());
  EXPECT_FALSE(ok.workflow->followup.has_value());
}

TEST(Loader, FractionalQuorumAndImportAliases) {
  const WorkflowLoad load = load_workflow_text(
      "workflow: tiny\nversion: 1\nroles: [reviewer]\n"
      "fields:\n"
      "  kind:\n"
      "    type: enum\n"
      "    label: {zh-CN: 产业链定位, en: Chain role}\n"
      "    aliases: [链条定位]\n"
      "    options: [build, fill]\n"
      "    option_labels: {build: {zh-CN: 建链, en: Build}}\n"
      "    option_aliases: {build: [建立链条, 新建链条]}\n"
      "initial: open\nstates:\n"
      "  open: {review: {voters: reviewer, quorum: \"2/3\", pass: \"approvals > recusals\"}}\n"
      "  closed: {terminal: true}\n"
      "transitions:\n  - {id: close, from: open, to: closed, when: \"review.votes >= "
      "review.quorum\"}\n",
      "tiny.yaml", CalendarRegistry());
  ASSERT_THAT(load.diagnostics, IsEmpty()) << all_diagnostics(load);
  ASSERT_NE(load.workflow, nullptr);
  const engine::StateDef* open = load.workflow->find_state("open");
  ASSERT_NE(open, nullptr);
  ASSERT_TRUE(open->review);
  EXPECT_EQ(open->review->quorum_numerator, 2);
  EXPECT_EQ(open->review->quorum_denominator, 3);
  const engine::FieldDef* kind = load.workflow->find_field("kind");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->aliases, std::vector<std::string>{"链条定位"});
  ASSERT_TRUE(kind->option_aliases.contains("build"));
  EXPECT_EQ(kind->option_aliases.at("build"), (std::vector<std::string>{"建立链条", "新建链条"}));
}

// Issue 22: `review: {blind: true}` and `on: quorum` (which needs a review somewhere); a
// wrong value is an error at its line and column; `on: mentioned` is no rule.
TEST(Loader, BlindReviewsAndTheQuorumTrigger) {
  const std::string head =
      "workflow: tiny\nversion: 1\nroles: [reviewer, secretariat]\ninitial: open\nstates:\n";
  const std::string rest =
      "  closed: {terminal: true}\n"
      "transitions:\n  - {id: close, from: open, to: closed}\n"
      "notify:\n  - {on: quorum, to: [role:secretariat]}\n";
  const WorkflowLoad good = load_workflow_text(
      head + "  open: {review: {voters: reviewer, pass: \"approvals > 0\", blind: true}}\n" + rest,
      "tiny.yaml", CalendarRegistry());
  ASSERT_THAT(good.diagnostics, IsEmpty()) << all_diagnostics(good);
  EXPECT_TRUE(good.workflow->find_state("open")->review->blind);
  EXPECT_EQ(good.workflow->notify.at(0).on.kind, engine::NotifyTrigger::Kind::quorum);
  const WorkflowLoad bad = load_workflow_text(
      head + "  open: {review: {voters: reviewer, pass: \"approvals > 0\", blind: maybe}}\n" + rest,
      "tiny.yaml", CalendarRegistry());
  ASSERT_EQ(bad.diagnostics.size(), 1u) << all_diagnostics(bad);
  EXPECT_EQ(bad.diagnostics[0].line, 6);
  EXPECT_EQ(bad.diagnostics[0].column, 67);
  const WorkflowLoad no_review =
      load_workflow_text(head + "  open: {}\n" + rest, "tiny.yaml", CalendarRegistry());
  ASSERT_EQ(no_review.diagnostics.size(), 1u) << all_diagnostics(no_review);
  EXPECT_EQ(no_review.diagnostics[0].to_string(),
            "tiny.yaml:11:10: error: 'on: quorum' of notification 1 needs a state with a 'review'");
  const WorkflowLoad mentioned =
      load_workflow_text(head +
                             "  open: {}\n  closed: {terminal: true}\n"
                             "transitions:\n  - {id: close, from: open, to: closed}\n"
                             "notify:\n  - {on: mentioned, to: [owner]}\n",
                         "tiny.yaml", CalendarRegistry());
  EXPECT_TRUE(has_errors(mentioned.diagnostics)) << all_diagnostics(mentioned);
}

TEST(Loader, WarningsAloneStillGiveAWorkflow) {
  const WorkflowLoad load = load_workflow_text(
      "workflow: tiny\nversion: 1\ninitial: open\nstates:\n  open:\n  closed: {terminal: true}\n"
      "  orphan: {terminal: true}\n"
      "transitions:\n  - {id: close, from: open, to: closed}\n",
      "tiny.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 1u);
  EXPECT_EQ(load.diagnostics[0].severity, Diagnostic::Severity::warning);
  EXPECT_EQ(
      load.diagnostics[0].to_string(),
      "tiny.yaml:7:3: warning: state 'orphan' cannot be reached from the initial state 'open'");
  EXPECT_FALSE(has_errors(load.diagnostics));
  EXPECT_NE(load.workflow, nullptr);
}

TEST(Loader, ErrorsAreSortedByPositionAndFormatted) {
  const WorkflowLoad load =
      load_workflow_text("version: 0\nworkflow: Bad_Id\n", "x.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 4u);
  EXPECT_EQ(load.diagnostics[0].to_string(),
            "x.yaml:1:1: error: missing key 'states' in the workflow");
  EXPECT_EQ(load.diagnostics[2].to_string(),
            "x.yaml:1:10: error: 'version' must be at least 1, not 0");
  EXPECT_EQ(load.diagnostics[3].to_string(),
            "x.yaml:2:11: error: workflow id 'Bad_Id' must use only a-z, 0-9 and '-'");
  EXPECT_EQ(load.workflow, nullptr);
}

TEST(Loader, ColumnsCountCharactersNotBytes) {
  // The unknown key comes after Chinese text on the same line: 线索 is 6 bytes, 2 characters.
  const WorkflowLoad load = load_workflow_text(
      "workflow: w\nversion: 1\ninitial: a\nstates:\n  a: {label: 线索, terminal: true, colour: "
      "red}\n",
      "x.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 1u) << all_diagnostics(load);
  EXPECT_EQ(load.diagnostics[0].line, 5);
  EXPECT_EQ(load.diagnostics[0].column, 34);
  EXPECT_EQ(load.diagnostics[0].message, "unknown key 'colour' in state 'a'");
}

// An expression error points at the character inside the expression, whatever the quoting.
struct ExpressionColumnCase {
  std::string when_line;  // the `when:` line of a transition, indented by 4
  int line;
  int column;
};

class ExpressionColumns : public ::testing::TestWithParam<ExpressionColumnCase> {};

TEST_P(ExpressionColumns, PointInsideTheScalar) {
  const std::string yaml =
      "workflow: w\nversion: 1\ninitial: a\nfields:\n  amount: {type: number}\n"
      "  note: {type: text}\nstates:\n  a:\n  b: {terminal: true}\ntransitions:\n  - id: go\n    "
      "from: a\n    to: b\n" +
      GetParam().when_line;
  const WorkflowLoad load = load_workflow_text(yaml, "x.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 1u) << all_diagnostics(load);
  EXPECT_EQ(load.diagnostics[0].line, GetParam().line) << all_diagnostics(load);
  EXPECT_EQ(load.diagnostics[0].column, GetParam().column) << all_diagnostics(load);
  EXPECT_THAT(load.diagnostics[0].message, ::testing::HasSubstr("amont"));
}

INSTANTIATE_TEST_SUITE_P(
    Loader, ExpressionColumns,
    ::testing::Values(
        // line 14 is the `when:` line; `amont` starts at the column given.
        ExpressionColumnCase{"    when: amount > 0 && amont > 1\n", 14, 25},
        ExpressionColumnCase{"    when: \"amount > 0 && amont > 1\"\n", 14, 26},
        ExpressionColumnCase{"    when: 'amount > 0 && amont > 1'\n", 14, 26},
        // '' is one quote in the value, two characters in the file.
        ExpressionColumnCase{"    when: 'note != ''x'' && amont > 1'\n", 14, 29},
        // \t is one character in the value, two in the file.
        ExpressionColumnCase{"    when: \"note != '\\t' && amont > 1\"\n", 14, 28},
        // 线索 is 6 bytes of the value but 2 columns.
        ExpressionColumnCase{"    when: \"note != '线索' && amont > 1\"\n", 14, 28},
        ExpressionColumnCase{"    when: >-\n      amount > 0\n      && amont > 1\n", 16, 10},
        ExpressionColumnCase{"    when: |\n      amount > 0\n      && amont > 1\n", 16, 10},
        ExpressionColumnCase{"    when: amount > 0\n      && amont > 1\n", 15, 10},
        ExpressionColumnCase{"    when: \"amount > 0\n      && amont > 1\"\n", 15, 10}));

TEST(Loader, EmptyAndNonMappingDocumentsAreErrors) {
  for (const char* text : {"", "# only a comment\n", "just text", "- a\n- b\n", "~"}) {
    const WorkflowLoad load = load_workflow_text(text, "x.yaml", CalendarRegistry());
    EXPECT_TRUE(has_errors(load.diagnostics)) << text;
    EXPECT_EQ(load.workflow, nullptr) << text;
  }
}

TEST(Loader, YamlSyntaxErrorsCarryTheParserPosition) {
  const WorkflowLoad load =
      load_workflow_text("workflow: w\nversion: 1\nstates: {a: 1\n", "x.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 1u) << all_diagnostics(load);
  EXPECT_THAT(load.diagnostics[0].message, ::testing::StartsWith("YAML syntax error: "));
  EXPECT_GE(load.diagnostics[0].line, 3);
}

TEST(Loader, ByteOrderMarkDoesNotShiftColumns) {
  const WorkflowLoad load =
      load_workflow_text("\xEF\xBB\xBFworkflow: w\nversion: x\n", "x.yaml", CalendarRegistry());
  bool found = false;
  for (const Diagnostic& diagnostic : load.diagnostics) {
    if (diagnostic.message.find("'version' must be a whole number") != std::string::npos) {
      EXPECT_EQ(diagnostic.line, 2);
      EXPECT_EQ(diagnostic.column, 10);
      found = true;
    }
  }
  EXPECT_TRUE(found) << all_diagnostics(load);
}

TEST(Loader, RefusesHugeInputUnread) {
  const std::string huge(3 * 1024 * 1024, '#');
  const WorkflowLoad load = load_workflow_text(huge, "huge.yaml", CalendarRegistry());
  ASSERT_EQ(load.diagnostics.size(), 1u);
  EXPECT_THAT(load.diagnostics[0].message, ::testing::HasSubstr("too large"));
}

TEST(Loader, RefusesDeepNestingAndAliasBombs) {
  const std::string deep = "workflow: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  const WorkflowLoad nested = load_workflow_text(deep, "deep.yaml", CalendarRegistry());
  EXPECT_TRUE(has_errors(nested.diagnostics));

  // Each level refers to the previous one ten times: 10^9 nodes once expanded.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = "*a" + std::to_string(level - 1);
    bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i)
      bomb += (i > 0 ? ", " : "") + previous;
    bomb += "]\n";
  }
  const WorkflowLoad exploded = load_workflow_text(bomb, "bomb.yaml", CalendarRegistry());
  ASSERT_EQ(exploded.diagnostics.size(), 1u);
  EXPECT_THAT(exploded.diagnostics[0].message, ::testing::HasSubstr("aliases are expanded"));

  const WorkflowLoad cycle =
      load_workflow_text("workflow: &a [*a]\n", "cycle.yaml", CalendarRegistry());
  ASSERT_EQ(cycle.diagnostics.size(), 1u);
  EXPECT_THAT(cycle.diagnostics[0].message, ::testing::HasSubstr("nesting is deeper"));
}

TEST(Loader, RefusesOtherEncodings) {
  const WorkflowLoad utf16 =
      load_workflow_text(std::string("\xFF\xFEw\0o\0", 6), "x.yaml", CalendarRegistry());
  ASSERT_EQ(utf16.diagnostics.size(), 1u);
  EXPECT_THAT(utf16.diagnostics[0].message, ::testing::HasSubstr("UTF-16"));

  const WorkflowLoad latin1 =
      load_workflow_text("workflow: w\ntitle: caf\xE9\n", "x.yaml", CalendarRegistry());
  const auto invalid = std::find_if(
      latin1.diagnostics.begin(), latin1.diagnostics.end(), [](const Diagnostic& diagnostic) {
        return diagnostic.message.find("invalid UTF-8") != std::string::npos;
      });
  ASSERT_NE(invalid, latin1.diagnostics.end()) << all_diagnostics(latin1);
  EXPECT_EQ(invalid->line, 2);
  EXPECT_EQ(invalid->column, 11);
}

TEST(Loader, ReadsFilesAndReportsMissingOnes) {
  const WorkflowLoad missing =
      load_workflow_file("/nonexistent/dir/workflow.yaml", CalendarRegistry());
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].file, "/nonexistent/dir/workflow.yaml");
  EXPECT_EQ(missing.diagnostics[0].line, 1);
  EXPECT_THAT(missing.diagnostics[0].message, ::testing::HasSubstr("cannot read"));
  EXPECT_EQ(missing.workflow, nullptr);
}

TEST(Loader, FindsTheCalendarsBesideAWorkflowOrTheShippedOnes) {
  const std::filesystem::path shipped = shipped_workflows_directory();
  EXPECT_TRUE(std::filesystem::is_directory(shipped / "calendars"));
  EXPECT_EQ(calendars_directory_for(shipped / "definitions" / "any.yaml"),
            (shipped / "calendars").lexically_normal());
  EXPECT_EQ(calendars_directory_for("/nonexistent/place/any.yaml"), shipped / "calendars");
}

// tests/data/v1_1/ uses every addition of language v1.1 in a pair of workflows; loaded as a
// set they load cleanly, and each addition is in the model.
TEST(Loader, AWorkflowPairUsingEveryV11FeatureLoads) {
  const std::filesystem::path dir = std::filesystem::path(INVESTFLOW_TEST_DATA) / "v1_1";
  CalendarRegistry calendars;
  const auto calendar_errors =
      load_calendar_directory(shipped_workflows_directory() / "calendars", calendars);
  ASSERT_FALSE(has_errors(calendar_errors));
  const std::vector<WorkflowLoad> loads =
      load_workflow_set({dir / "programme.yaml", dir / "task.yaml"}, calendars);
  ASSERT_EQ(loads.size(), 2u);
  for (const WorkflowLoad& load : loads) {
    for (const Diagnostic& diagnostic : load.diagnostics)
      ADD_FAILURE() << diagnostic.to_string();
    ASSERT_NE(load.workflow, nullptr);
  }
  const engine::Workflow& programme = *loads[0].workflow;
  const engine::Workflow& task = *loads[1].workflow;
  using engine::FieldTag;
  using engine::StateTag;
  // Report tags.
  ASSERT_NE(programme.tagged(StateTag::signing), nullptr);
  EXPECT_EQ(programme.tagged(StateTag::signing)->id, "contracted");
  ASSERT_NE(programme.tagged(FieldTag::investment), nullptr);
  EXPECT_EQ(programme.tagged(FieldTag::investment)->name, "capex");
  EXPECT_EQ(programme.tagged(StateTag::in_production), nullptr);
  // An SLA given by an expression (here and in the task, over its parent's field).
  const engine::StateDef* talks = programme.find_state("talks");
  ASSERT_TRUE(talks && talks->sla);
  EXPECT_TRUE(std::holds_alternative<engine::Expression>(talks->sla->working_days.amount));
  // Extension limits, milestones that warn, need evidence, start from a date field.
  EXPECT_EQ(programme.deadline_extend.max_times, 1);
  EXPECT_EQ(programme.deadline_extend.max_working_days, 248);
  const engine::MilestoneDef* sign_up = programme.find_milestone("sign_up");
  ASSERT_NE(sign_up, nullptr);
  EXPECT_TRUE(sign_up->warn_before.has_value());
  EXPECT_TRUE(sign_up->evidence_required);
  const engine::MilestoneDef* ground = programme.find_milestone("break_ground");
  ASSERT_NE(ground, nullptr);
  EXPECT_EQ(ground->from, "agreed_start_on");
  // Notifications on every transition and any state, to people named in fields.
  ASSERT_EQ(programme.notify.size(), 4u);
  EXPECT_EQ(programme.notify[0].on.kind, engine::NotifyTrigger::Kind::transition);
  EXPECT_EQ(programme.notify[0].on.name, engine::NotifyTrigger::kAny);
  EXPECT_EQ(programme.notify[1].on.kind, engine::NotifyTrigger::Kind::enter);
  EXPECT_EQ(programme.notify[1].to.front().kind, engine::NotifyRecipient::Kind::field);
  EXPECT_EQ(programme.notify[2].on.kind, engine::NotifyTrigger::Kind::leave);
  EXPECT_EQ(programme.notify[3].on.kind, engine::NotifyTrigger::Kind::milestone_warning);
  EXPECT_EQ(programme.find_field("watchers")->items, engine::FieldType::user);
  // A fractional quorum, former labels kept for import.
  const engine::StateDef* review = programme.find_state("review");
  ASSERT_TRUE(review && review->review);
  EXPECT_EQ(review->review->quorum_numerator, 2);
  EXPECT_EQ(review->review->quorum_denominator, 3);
  EXPECT_EQ(programme.find_field("capex")->aliases,
            (std::vector<std::string>{"总投资", "投资总额"}));
  EXPECT_EQ(programme.find_field("sector")->option_aliases.at("devices"),
            (std::vector<std::string>{"生物医药与高性能医疗器械"}));
  // Parent links: the programme counts its open tasks; a task belongs to a programme.
  EXPECT_EQ(programme.counted_children(), (std::vector<std::string>{"task"}));
  ASSERT_TRUE(task.parent.has_value());
  EXPECT_EQ(task.parent->workflows, (std::vector<std::string>{"programme"}));
}

}  // namespace
}  // namespace investflow::workflows
