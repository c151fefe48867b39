// Language v1.1, time limits and milestones, from YAML to the engine: an SLA given by an
// expression, limits on deadline extensions, milestone warnings (milestone_warning), required
// evidence, and a milestone clock started by a date field (`from:`).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/deadlines.hpp"
#include "engine/decide.hpp"
#include "engine/notify_trigger.hpp"
#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

using engine::Date;
using engine::DeadlineAlert;
using engine::DeadlineKind;
using engine::Value;

// Working days are Monday to Friday here (the weekends calendar under the shipped name).
constexpr const char* kTimeLimits = R"yaml(
workflow: time-limits
version: 1
calendar: cn-mainland
roles: [staff, manager]
fields:
  name: {type: text, required: true}
  total_investment: {type: money}
  days_given: {type: number}
  agreed_start_on: {type: date}
  started_on: {type: date}
  permit_on: {type: date}
initial: lead
states:
  lead:
    sla: {working_days: "total_investment >= 10000 ? 1 : 3", escalate: [manager]}
  review:
    sla: {working_days: "days_given"}
  building:
  closed: {terminal: true}
transitions:
  - {id: submit, from: lead, to: review, roles: [staff]}
  - {id: build, from: review, to: building, roles: [staff]}
  - {id: close, from: "*", to: closed, roles: [manager]}
deadlines:
  extend: {max_times: 1, max_working_days: 10}
milestones:
  start_work:
    from: agreed_start_on
    within: {months: 6}
    warn_before: {working_days: 5}
    field: started_on
  permit:
    after: building
    within: {days: 30}
    field: permit_on
    evidence: required
  after_permit:
    from: permit_on
    within: {days: 10}
notify:
  - on: milestone_warning
    to: [owner]
)yaml";

CalendarRegistry weekends_registry() {
  CalendarRegistry registry;
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("cn-mainland")));
  return registry;
}

Date day(int year, int month, int day_of_month) {
  return *Date::from_ymd(year, month, day_of_month);
}

engine::Timestamp at_ten(Date date) {
  return engine::start_of_day(date) + 10 * 3600 * 1000;
}

class TimeLimitsV11 : public ::testing::Test {
 protected:
  void SetUp() override {
    WorkflowLoad load = load_workflow_text(kTimeLimits, "time-limits.yaml", weekends_registry());
    for (const Diagnostic& diagnostic : load.diagnostics)
      ADD_FAILURE() << diagnostic.to_string();
    ASSERT_NE(load.workflow, nullptr);
    workflow_ = load.workflow;
  }

  // Runs `body` as `actor` on `on`; the project moves on when it is accepted.
  engine::Result<engine::Project, engine::Rejection> run(
      engine::Project& project, Date on, decltype(engine::Command::body) body,
      const engine::Actor& actor, std::vector<engine::Event>* events = nullptr) {
    engine::Command command;
    command.project_id = "P-1";
    command.body = std::move(body);
    const engine::FixedClock clock(at_ten(on));
    auto result = engine::execute(*workflow_, project, command, actor, clock, events);
    if (result) project = *result;
    return result;
  }

  engine::Project create(Date on, engine::FieldMap fields) {
    engine::Project project;
    fields["name"] = Value::text("项目");
    EXPECT_TRUE(run(project, on, engine::CreateProject{"", std::move(fields)}, staff_));
    return project;
  }

  engine::ExtendDeadline extend(DeadlineKind kind, std::string name, Date to) {
    return engine::ExtendDeadline{kind, std::move(name), to, "企业申请"};
  }

  std::shared_ptr<const engine::Workflow> workflow_;
  const engine::Actor staff_{"zhang", {"staff"}};
  const engine::Actor manager_{"li", {"manager"}};
};

TEST_F(TimeLimitsV11, TheModelHoldsWhatTheFileSays) {
  const engine::StateDef* lead = workflow_->find_state("lead");
  ASSERT_TRUE(lead != nullptr && lead->sla);
  EXPECT_EQ(lead->sla->working_days.unit, engine::Duration::Unit::working_days);
  ASSERT_TRUE(std::holds_alternative<engine::Expression>(lead->sla->working_days.amount));
  EXPECT_EQ(std::get<engine::Expression>(lead->sla->working_days.amount).source(),
            "total_investment >= 10000 ? 1 : 3");
  EXPECT_EQ(workflow_->deadline_extend.max_times, 1);
  EXPECT_EQ(workflow_->deadline_extend.max_working_days, 10);
  const engine::MilestoneDef* start = workflow_->find_milestone("start_work");
  ASSERT_NE(start, nullptr);
  EXPECT_EQ(start->from, "agreed_start_on");
  EXPECT_TRUE(start->after.empty());
  ASSERT_TRUE(start->warn_before.has_value());
  EXPECT_EQ(start->warn_before->unit, engine::Duration::Unit::working_days);
  EXPECT_FALSE(start->evidence_required);
  EXPECT_TRUE(workflow_->find_milestone("permit")->evidence_required);
  ASSERT_EQ(workflow_->notify.size(), 1u);
  EXPECT_EQ(workflow_->notify[0].on.kind, engine::NotifyTrigger::Kind::milestone_warning);
}

TEST_F(TimeLimitsV11, AnSlaExpressionIsEvaluatedWhenTheClockStarts) {
  // Monday 2026-03-02: a lead of 1亿元 is due the next working day, a smaller one in three,
  // and one without an amount too (a comparison with null is false).
  EXPECT_EQ(create(day(2026, 3, 2), {{"total_investment", Value::number(12000)}}).sla_due_on,
            day(2026, 3, 3));
  EXPECT_EQ(create(day(2026, 3, 2), {{"total_investment", Value::number(3000)}}).sla_due_on,
            day(2026, 3, 5));
  EXPECT_EQ(create(day(2026, 3, 2), {}).sla_due_on, day(2026, 3, 5));
  // Changing the amount later does not move the running SLA: it was computed at entry.
  engine::Project project = create(day(2026, 3, 2), {{"total_investment", Value::number(3000)}});
  ASSERT_TRUE(run(project, day(2026, 3, 2),
                  engine::EditFields{{{"total_investment", Value::number(50000)}}}, staff_));
  EXPECT_EQ(project.sla_due_on, day(2026, 3, 5));
}

TEST_F(TimeLimitsV11, AnAmountIsRoundedAndNullOrNegativeCountsAsZero) {
  const auto review_due = [&](Value days) {
    engine::Project project = create(day(2026, 3, 2), {});
    engine::FieldMap fields;
    if (!days.is_null()) fields["days_given"] = std::move(days);
    EXPECT_TRUE(
        run(project, day(2026, 3, 2), engine::TakeTransition{"submit", fields, ""}, staff_));
    return project.sla_due_on;
  };
  EXPECT_EQ(review_due(Value::number(2.6)), day(2026, 3, 5));  // 3 working days
  EXPECT_EQ(review_due(Value::number(2.4)), day(2026, 3, 4));  // 2
  EXPECT_EQ(review_due(Value::number(-4)), day(2026, 3, 2));   // 0: due the day it starts
  EXPECT_EQ(review_due(Value()), day(2026, 3, 2));             // null: 0 as well
}

TEST_F(TimeLimitsV11, ExtensionsAreLimitedInNumberAndLength) {
  engine::Project project = create(day(2026, 3, 2), {{"total_investment", Value::number(3000)}});
  // Due Thursday 2026-03-05; 10 working days later is Thursday 2026-03-19.
  auto too_long =
      run(project, day(2026, 3, 3), extend(DeadlineKind::sla, "lead", day(2026, 3, 20)), manager_);
  ASSERT_FALSE(too_long);
  EXPECT_TRUE(too_long.error().has(engine::reason::kExtensionTooLong));
  EXPECT_EQ(too_long.error().reasons.at(0).message.zh, "延期11个工作日，超过上限10个工作日");
  ASSERT_TRUE(
      run(project, day(2026, 3, 3), extend(DeadlineKind::sla, "lead", day(2026, 3, 19)), manager_));
  EXPECT_EQ(project.sla_due_on, day(2026, 3, 19));
  EXPECT_EQ(project.deadline_extensions.at("sla:lead"), 1);
  auto again =
      run(project, day(2026, 3, 4), extend(DeadlineKind::sla, "lead", day(2026, 3, 20)), manager_);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().has(engine::reason::kExtensionLimitReached));
  EXPECT_EQ(again.error().reasons.at(0).message.zh, "该期限已延期1次，最多可延期1次");
  EXPECT_NE(again.error().reasons.at(0).message.en.find("at most 1"), std::string::npos);
  // The next state's SLA is a new deadline: it may be extended once again.
  ASSERT_TRUE(run(project, day(2026, 3, 4),
                  engine::TakeTransition{"submit", {{"days_given", Value::number(2)}}, ""},
                  staff_));
  EXPECT_TRUE(project.deadline_extensions.empty());
  EXPECT_TRUE(run(project, day(2026, 3, 4), extend(DeadlineKind::sla, "review", day(2026, 3, 9)),
                  manager_));
}

TEST_F(TimeLimitsV11, WithoutTheKeyExtensionsAreUnlimited) {
  std::string text = kTimeLimits;
  text.replace(text.find("deadlines:"), text.find("milestones:") - text.find("deadlines:"), "");
  WorkflowLoad load = load_workflow_text(text, "no-limits.yaml", weekends_registry());
  ASSERT_NE(load.workflow, nullptr);
  workflow_ = load.workflow;
  EXPECT_FALSE(workflow_->deadline_extend.max_times.has_value());
  engine::Project project = create(day(2026, 3, 2), {});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(run(project, day(2026, 3, 3),
                    extend(DeadlineKind::sla, "lead", day(2026, 6, 1).plus_days(i)), manager_));
  }
}

TEST_F(TimeLimitsV11, ADateFieldStartsAndMovesTheClock) {
  engine::Project project = create(day(2026, 3, 2), {});
  EXPECT_FALSE(project.milestones.contains("start_work"));  // no date, no clock
  std::vector<engine::Event> events;
  ASSERT_TRUE(run(project, day(2026, 3, 3),
                  engine::EditFields{{{"agreed_start_on", Value::date(day(2026, 4, 1))}}}, staff_,
                  &events));
  ASSERT_EQ(project.milestones.at("start_work").started_on, day(2026, 4, 1));
  EXPECT_EQ(project.milestones.at("start_work").due_on, day(2026, 10, 1));
  const auto* edited = std::get_if<engine::FieldsEdited>(&events.at(0).body);
  ASSERT_NE(edited, nullptr);
  ASSERT_EQ(edited->milestones_started.size(), 1u);  // the event carries the due date
  EXPECT_EQ(edited->milestones_started[0].due_on, day(2026, 10, 1));

  // Extended once, then the agreed date moves: the clock starts again from the new date,
  // and the new deadline may be extended.
  ASSERT_TRUE(run(project, day(2026, 3, 4),
                  extend(DeadlineKind::milestone, "start_work", day(2026, 10, 5)), manager_));
  ASSERT_TRUE(run(project, day(2026, 3, 5),
                  engine::EditFields{{{"agreed_start_on", Value::date(day(2026, 5, 1))}}}, staff_));
  EXPECT_EQ(project.milestones.at("start_work").due_on, day(2026, 11, 1));
  EXPECT_TRUE(project.deadline_extensions.empty());
  // Clearing the date leaves the clock as it was.
  ASSERT_TRUE(
      run(project, day(2026, 3, 6), engine::EditFields{{{"agreed_start_on", Value()}}}, staff_));
  EXPECT_EQ(project.milestones.at("start_work").due_on, day(2026, 11, 1));
  // Once done, a new date does not reopen it.
  ASSERT_TRUE(run(project, day(2026, 3, 9),
                  engine::EditFields{{{"started_on", Value::date(day(2026, 3, 9))}}}, staff_));
  ASSERT_TRUE(run(project, day(2026, 3, 10),
                  engine::EditFields{{{"agreed_start_on", Value::date(day(2026, 6, 1))}}}, staff_));
  EXPECT_EQ(project.milestones.at("start_work").due_on, day(2026, 11, 1));
  // Set by recording another milestone whose date field it is.
  engine::Project recorded = create(day(2026, 3, 2), {});
  ASSERT_TRUE(run(recorded, day(2026, 3, 2), engine::TakeTransition{"submit", {}, ""}, staff_));
  ASSERT_TRUE(run(recorded, day(2026, 3, 2), engine::TakeTransition{"build", {}, ""}, staff_));
  ASSERT_TRUE(
      run(recorded, day(2026, 3, 3),
          engine::AttachFile{std::string(64, 'c'), "许可证.pdf", 10, "application/pdf", "permit"},
          staff_));
  ASSERT_TRUE(run(recorded, day(2026, 3, 3),
                  engine::RecordMilestone{"permit", std::nullopt, day(2026, 3, 3), "许可证"},
                  staff_));
  EXPECT_EQ(recorded.milestones.at("after_permit").due_on, day(2026, 3, 13));
  // Set at creation, the date starts the clock at once.
  EXPECT_EQ(create(day(2026, 3, 2), {{"agreed_start_on", Value::date(day(2026, 3, 31))}})
                .milestones.at("start_work")
                .due_on,
            day(2026, 9, 30));
}

TEST_F(TimeLimitsV11, AMilestoneWarningFiresOnceBeforeTheDueDay) {
  engine::Project project =
      create(day(2026, 3, 2), {{"agreed_start_on", Value::date(day(2026, 4, 1))}});
  // The lead's SLA is long overdue meanwhile: only the milestone's alerts are looked at.
  const auto milestone_alerts = [&](Date today) {
    std::vector<engine::FireDeadline> out;
    for (auto& fire : engine::deadlines_to_fire(*workflow_, project, today))
      if (fire.kind == DeadlineKind::milestone) out.push_back(fire);
    return out;
  };
  // Due Thursday 2026-10-01; 5 working days before it is Thursday 2026-09-24.
  EXPECT_TRUE(milestone_alerts(day(2026, 9, 23)).empty());
  const auto owed = milestone_alerts(day(2026, 9, 24));
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].kind, DeadlineKind::milestone);
  EXPECT_EQ(owed[0].alert, DeadlineAlert::warning);
  std::vector<engine::Event> events;
  ASSERT_TRUE(run(project, day(2026, 9, 24), owed[0], {"system", {"system"}}, &events));
  ASSERT_EQ(engine::triggers_of(events.at(0)).size(), 1u);
  EXPECT_EQ(engine::trigger_name(engine::triggers_of(events.at(0)).front()), "milestone_warning");
  EXPECT_TRUE(milestone_alerts(day(2026, 9, 25)).empty());
  // A milestone without warn_before raises no warning, and one cannot be fired for it.
  ASSERT_TRUE(run(project, day(2026, 9, 25), engine::TakeTransition{"submit", {}, ""}, staff_));
  ASSERT_TRUE(run(project, day(2026, 9, 25), engine::TakeTransition{"build", {}, ""}, staff_));
  // (start_work is overdue by then: its red alert is owed, nothing for the permit.)
  const auto later = milestone_alerts(day(2026, 10, 23));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].name, "start_work");
  EXPECT_EQ(later[0].alert, DeadlineAlert::overdue);
  auto forced = run(project, day(2026, 10, 23),
                    engine::FireDeadline{DeadlineKind::milestone, "permit", DeadlineAlert::warning,
                                         day(2026, 10, 25)},
                    {"system", {"system"}});
  ASSERT_FALSE(forced);
  EXPECT_TRUE(forced.error().has(engine::reason::kDeadlineNotDue));
}

TEST_F(TimeLimitsV11, AMilestoneNeedingEvidenceIsRecordedDoneOnlyWithIt) {
  engine::Project project = create(day(2026, 3, 2), {});
  ASSERT_TRUE(run(project, day(2026, 3, 2), engine::TakeTransition{"submit", {}, ""}, staff_));
  ASSERT_TRUE(run(project, day(2026, 3, 2), engine::TakeTransition{"build", {}, ""}, staff_));
  const auto record = [](std::string evidence) {
    return engine::RecordMilestone{"permit", std::nullopt, day(2026, 3, 3), std::move(evidence)};
  };
  for (const char* blank : {"", "  "}) {
    auto refused = run(project, day(2026, 3, 4), record(blank), staff_);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().has(engine::reason::kEvidenceRequired));
  }
  // A planned date alone needs no evidence.
  EXPECT_TRUE(run(project, day(2026, 3, 4),
                  engine::RecordMilestone{"permit", day(2026, 3, 20), std::nullopt, ""}, staff_));
  // Its field filled by an edit does not close it.
  ASSERT_TRUE(run(project, day(2026, 3, 4),
                  engine::EditFields{{{"permit_on", Value::date(day(2026, 3, 3))}}}, staff_));
  const auto open = [&] {
    for (const auto& item : engine::due_items(*workflow_, project, day(2026, 3, 4)))
      if (item.name == "permit") return true;
    return false;
  };
  EXPECT_TRUE(open());
  // A document number alone is not the proof: the file is.
  auto number_only = run(project, day(2026, 3, 4), record("施工许可证 440000202603030101"), staff_);
  ASSERT_FALSE(number_only);
  EXPECT_TRUE(number_only.error().has(engine::reason::kEvidenceRequired));
  // A file attached for another milestone does not count either.
  const std::string other(64, 'b');
  ASSERT_TRUE(run(project, day(2026, 3, 4),
                  engine::AttachFile{other, "会议纪要.pdf", 10, "application/pdf", ""}, staff_));
  ASSERT_FALSE(run(project, day(2026, 3, 4), record("施工许可证 440000202603030101"), staff_));
  // A file attached for this milestone does; so does evidence naming any of the project's files.
  const std::string permit(64, 'a');
  ASSERT_TRUE(run(project, day(2026, 3, 4),
                  engine::AttachFile{permit, "施工许可证.pdf", 10, "application/pdf", "permit"},
                  staff_));
  ASSERT_TRUE(run(project, day(2026, 3, 4), record("施工许可证 440000202603030101"), staff_));
  EXPECT_EQ(project.milestones.at("permit").evidence, "施工许可证 440000202603030101");
  EXPECT_FALSE(open());
}

}  // namespace
}  // namespace investflow::workflows
