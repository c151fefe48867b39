#include "engine/migration.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "engine/deadlines.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::at;
using testing::day;
using testing::small_workflow;

const Actor kStaff{"zhang", {"staff"}};
const Actor kManager{"li", {"manager"}};
const Actor kAdmin{"admin", {}};

// Version 4 of the small workflow, changed by `change` (version 3 is small_workflow()).
std::shared_ptr<const Workflow> version_4(
    const std::function<void(WorkflowDefinition&)>& change = {}) {
  WorkflowDefinition definition = *small_workflow();
  definition.version = 4;
  if (change) change(definition);
  return Workflow::make(std::move(definition));
}

StateDef& state_of(WorkflowDefinition& definition, std::string_view id) {
  return *std::find_if(definition.states.begin(), definition.states.end(),
                       [&](const StateDef& state) { return state.id == id; });
}
TransitionDef& transition_of(WorkflowDefinition& definition, std::string_view id) {
  return *std::find_if(definition.transitions.begin(), definition.transitions.end(),
                       [&](const TransitionDef& transition) { return transition.id == id; });
}
MilestoneDef& milestone_of(WorkflowDefinition& definition, std::string_view id) {
  return *std::find_if(definition.milestones.begin(), definition.milestones.end(),
                       [&](const MilestoneDef& milestone) { return milestone.id == id; });
}
FieldDef& field_of(WorkflowDefinition& definition, std::string_view name) {
  return *std::find_if(definition.fields.begin(), definition.fields.end(),
                       [&](const FieldDef& field) { return field.name == name; });
}
// Renames a state everywhere it is named.
void rename_state(WorkflowDefinition& definition, const std::string& from, const std::string& to) {
  state_of(definition, from).id = to;
  for (TransitionDef& transition : definition.transitions) {
    for (std::string& state : transition.from)
      if (state == from) state = to;
    if (transition.to == from) transition.to = to;
  }
  for (MilestoneDef& milestone : definition.milestones)
    if (milestone.after == from) milestone.after = to;
  if (definition.followup) {
    for (std::string& state : definition.followup->in)
      if (state == from) state = to;
  }
}

const MigrationNote* note_on(const MigrationPlan& plan, std::string_view item) {
  for (const MigrationNote& note : plan.migrated.notes)
    if (note.item == item) return &note;
  return nullptr;
}

class MigrationTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Workflow> wf = small_workflow();
  FixedClock clock{at(2026, 3, 2)};  // a Monday
  Project project;

  void run(const Actor& actor, decltype(Command::body) body) {
    Decision decision =
        decide(*wf, project, Command{"P-1", std::nullopt, std::move(body)}, actor, clock);
    ASSERT_TRUE(decision.ok()) << decision.error().reasons.front().message.en;
    for (const Event& event : decision.value())
      project = apply(std::move(project), event);
  }

  void to_screening() {
    run(kStaff, CreateProject{"", {{"name", Value::text("清远新材料项目")}}});
    run(kStaff, TakeTransition{"answer", {}, ""});
  }
  void to_review() {
    to_screening();
    run(kManager, TakeTransition{"pass_screening",
                                 {{"industry", Value::text("new_materials")},
                                  {"total_investment", Value::number(60000)},
                                  {"land_area", Value::number(150)}},
                                 ""});
  }
  void to_building() {
    to_review();
    for (int i = 1; i <= 3; ++i)
      run({"r" + std::to_string(i), {"reviewer"}}, CastVote{VoteChoice::approve, ""});
    run(kManager, TakeTransition{"approve", {}, ""});
    run(kStaff, TakeTransition{"start_building", {}, ""});
  }

  MigrationPlan plan(const Workflow& to, std::map<std::string, std::string> map = {}) {
    return plan_migration(*wf, to, project, map, local_date(clock.now()));
  }

  // Migrates through decide and apply, as the store does.
  Event migrate(const std::shared_ptr<const Workflow>& to,
                std::map<std::string, std::string> map = {}) {
    Decision decision =
        decide(*wf, project, Command{"P-1", std::nullopt, MigrateWorkflow{to->version, map, to}},
               kAdmin, clock);
    EXPECT_TRUE(decision.ok()) << (decision.ok() ? "" : decision.error().reasons[0].message.en);
    if (!decision.ok()) return {};
    project = apply(std::move(project), decision.value().front());
    wf = to;
    return decision.value().front();
  }
};

TEST_F(MigrationTest, AnUnchangedVersionCarriesEverything) {
  to_screening();
  const MigrationPlan result = plan(*version_4());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.migrated.to_state, "screening");
  EXPECT_EQ(result.migrated.sla_due_on, project.sla_due_on);
  EXPECT_FALSE(result.migrated.sla_recomputed);
  ASSERT_NE(note_on(result, "sla"), nullptr);
  EXPECT_EQ(note_on(result, "sla")->action, "carried");
  EXPECT_EQ(note_on(result, "state"), nullptr);  // not renamed
}

TEST_F(MigrationTest, ARenamedStateNeedsTheMap) {
  to_screening();
  const auto v4 = version_4([](WorkflowDefinition& d) { rename_state(d, "screening", "vetting"); });
  const MigrationPlan unmapped = plan(*v4);
  ASSERT_EQ(unmapped.reasons.size(), 1u);
  EXPECT_EQ(unmapped.reasons[0].code, reason::kUnknownState);
  EXPECT_NE(unmapped.reasons[0].message.zh.find("“screening”"), std::string::npos);
  EXPECT_NE(unmapped.reasons[0].message.zh.find("vetting"), std::string::npos);  // the choices
  EXPECT_NE(unmapped.reasons[0].message.en.find("--map screening:"), std::string::npos);

  const MigrationPlan mapped = plan(*v4, {{"screening", "vetting"}});
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped.migrated.to_state, "vetting");
  ASSERT_NE(note_on(mapped, "state"), nullptr);
  EXPECT_EQ(note_on(mapped, "state")->action, "renamed");

  const MigrationPlan wrong = plan(*v4, {{"screening", "nowhere"}});
  EXPECT_EQ(wrong.reasons.at(0).code, reason::kUnknownState);
}

TEST_F(MigrationTest, FieldsAreCheckedAgainstTheTarget) {
  to_review();
  run(kStaff, EditFields{{{"tags", Value::text("龙头")}}});
  const auto v4 = version_4([](WorkflowDefinition& d) {
    std::erase_if(d.fields, [](const FieldDef& f) { return f.name == "tags"; });
    field_of(d, "industry").options = {"electronics", "other"};  // new_materials is gone
    field_of(d, "land_area").type = FieldType::date;             // a number no longer fits
    FieldDef contact = testing::field("contact", FieldType::text, true);
    d.fields.push_back(contact);
    transition_of(d, "pass_screening").requires_fields.push_back("registered_on");
  });
  const MigrationPlan result = plan(*v4);
  std::map<std::string, std::string> by_field;
  for (const Reason& reason : result.reasons)
    by_field[reason.field] = reason.code;
  EXPECT_EQ(by_field["tags"], reason::kUnknownField);
  EXPECT_EQ(by_field["industry"], reason::kInvalidField);
  EXPECT_EQ(by_field["land_area"], reason::kInvalidField);
  EXPECT_EQ(by_field["contact"], reason::kMissingField);        // required at creation
  EXPECT_EQ(by_field["registered_on"], reason::kMissingField);  // required to enter review
  EXPECT_EQ(result.reasons.size(), 5u);
  for (const Reason& reason : result.reasons) {
    EXPECT_FALSE(reason.message.zh.empty());
    EXPECT_FALSE(reason.message.en.empty());
  }
}

TEST_F(MigrationTest, AFieldOnlyOneTransitionIntoTheStateRequiresIsNotRequired) {
  to_review();
  const auto v4 = version_4([](WorkflowDefinition& d) {
    transition_of(d, "pass_screening").requires_fields.push_back("registered_on");
    TransitionDef back = transition_of(d, "pass_screening");
    back.id = "reopen";
    back.from = {"signed"};
    back.requires_fields.clear();
    d.transitions.push_back(back);
  });
  EXPECT_TRUE(plan(*v4).ok());
}

TEST_F(MigrationTest, ValuesAreConvertedToTheTargetsType) {
  run(kStaff, CreateProject{"", {{"name", Value::text("2026")}}});
  const auto v4 =
      version_4([](WorkflowDefinition& d) { field_of(d, "name").type = FieldType::number; });
  const MigrationPlan result = plan(*v4);
  ASSERT_TRUE(result.ok()) << result.reasons[0].message.en;
  ASSERT_EQ(result.migrated.changes.size(), 1u);
  EXPECT_EQ(result.migrated.changes[0].field, "name");
  EXPECT_EQ(result.migrated.changes[0].after, Value::number(2026));
  EXPECT_EQ(note_on(result, "field:name")->action, "converted");
  migrate(v4);
  EXPECT_EQ(project.field("name"), Value::number(2026));
}

TEST_F(MigrationTest, TheOpenReviewIsCarriedWhenTheSameRoleVotes) {
  to_review();
  run({"r1", {"reviewer"}}, CastVote{VoteChoice::approve, ""});
  run({"r2", {"reviewer"}}, CastVote{VoteChoice::reject, ""});
  const MigrationPlan same = plan(*version_4());
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same.migrated.review_cleared);
  EXPECT_EQ(note_on(same, "review")->action, "carried");

  const auto v4 =
      version_4([](WorkflowDefinition& d) { state_of(d, "review").review->voters = "manager"; });
  migrate(v4);
  EXPECT_TRUE(project.votes.empty());
}

TEST_F(MigrationTest, VotesAreKeptAcrossTheMove) {
  to_review();
  run({"r1", {"reviewer"}}, CastVote{VoteChoice::approve, ""});
  migrate(version_4());
  ASSERT_EQ(project.votes.size(), 1u);
  EXPECT_EQ(project.workflow_version, 4);
}

TEST_F(MigrationTest, TheSlaIsRecomputedFromTheStatesEntryWhenItsRuleChanged) {
  clock = FixedClock(at(2026, 3, 2));  // Monday: screening entered, due Thursday 5th
  to_screening();
  ASSERT_EQ(project.sla_due_on, day(2026, 3, 5));
  clock = FixedClock(at(2026, 3, 4));
  const auto v4 = version_4([](WorkflowDefinition& d) {
    state_of(d, "screening").sla->working_days = {Duration::Unit::working_days, 5};
  });
  const MigrationPlan result = plan(*v4);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.migrated.sla_recomputed);
  EXPECT_EQ(result.migrated.sla_due_on, day(2026, 3, 9));  // 5 working days from Monday 2nd
  EXPECT_EQ(note_on(result, "sla")->action, "recomputed");
  EXPECT_NE(note_on(result, "sla")->zh.find("2026-03-05"), std::string::npos);

  const auto none = version_4([](WorkflowDefinition& d) { state_of(d, "screening").sla.reset(); });
  const MigrationPlan cleared = plan(*none);
  EXPECT_EQ(cleared.migrated.sla_due_on, std::nullopt);
  EXPECT_EQ(note_on(cleared, "sla")->action, "cleared");
}

TEST_F(MigrationTest, ACarriedSlaKeepsItsAlertsAndExtensionsUnderTheNewStateName) {
  to_screening();
  clock = FixedClock(at(2026, 3, 4));
  run(Actor{"system", {std::string(kSystemRole)}},
      FireDeadline{DeadlineKind::sla, "screening", DeadlineAlert::warning, day(2026, 3, 5)});
  run(kManager, ExtendDeadline{DeadlineKind::sla, "screening", day(2026, 3, 10), "资料补充"});
  const auto v4 = version_4([](WorkflowDefinition& d) { rename_state(d, "screening", "vetting"); });
  migrate(v4, {{"screening", "vetting"}});
  EXPECT_EQ(project.state, "vetting");
  EXPECT_EQ(project.sla_due_on, day(2026, 3, 10));
  EXPECT_TRUE(project.deadline_extensions.contains("sla:vetting"));
  EXPECT_FALSE(project.deadline_extensions.contains("sla:screening"));
  // The warning fired for 03-05 is remembered under the new name; the due date moved, so
  // the next warning is owed for the new date, not again for the old one.
  EXPECT_TRUE(project.deadlines_fired.contains("sla:vetting:warning:2026-03-05"));
  for (const FireDeadline& fire : deadlines_to_fire(*wf, project, day(2026, 3, 4)))
    EXPECT_NE(fire.due_on, day(2026, 3, 5));
}

TEST_F(MigrationTest, ARecomputedSlaForgetsItsExtensions) {
  to_screening();
  run(kManager, ExtendDeadline{DeadlineKind::sla, "screening", day(2026, 3, 10), "资料补充"});
  const auto v4 = version_4([](WorkflowDefinition& d) {
    state_of(d, "screening").sla->working_days = {Duration::Unit::working_days, 2};
  });
  const MigrationPlan planned = plan(*v4);
  EXPECT_NE(note_on(planned, "sla")->en.find("lapse"), std::string::npos);
  migrate(v4);
  EXPECT_EQ(project.sla_due_on, day(2026, 3, 4));
  EXPECT_TRUE(project.deadline_extensions.empty());
}

TEST_F(MigrationTest, MilestonesAreCarriedRecomputedStartedOrDropped) {
  clock = FixedClock(at(2026, 3, 2));
  to_building();
  ASSERT_TRUE(project.milestones.contains("build_period"));
  ASSERT_TRUE(project.milestones.contains("register_company"));
  const Date build_started = project.milestones.at("build_period").started_on;
  run(kStaff, RecordMilestone{"build_period", day(2027, 1, 1), std::nullopt, ""});
  run(kStaff, RecordMilestone{"register_company", std::nullopt, day(2026, 3, 2), ""});

  // Unchanged rules: both carried.
  const MigrationPlan same = plan(*version_4());
  EXPECT_EQ(note_on(same, "milestone:build_period")->action, "carried");
  EXPECT_EQ(note_on(same, "milestone:register_company")->action, "carried");
  EXPECT_TRUE(same.migrated.milestones_started.empty());

  const auto v4 = version_4([](WorkflowDefinition& d) {
    milestone_of(d, "build_period").within = {Duration::Unit::days, 400};
    MilestoneDef permit;
    permit.id = "permit";
    permit.label = {"施工许可", "Permit"};
    permit.after = "building";
    permit.within = {Duration::Unit::days, 60};
    d.milestones.push_back(permit);
  });
  const MigrationPlan changed = plan(*v4);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(note_on(changed, "milestone:build_period")->action, "recomputed");
  EXPECT_EQ(note_on(changed, "milestone:permit")->action, "started");
  EXPECT_EQ(note_on(changed, "milestone:register_company")->action, "carried");  // done
  migrate(v4);
  const MilestoneState& build = project.milestones.at("build_period");
  EXPECT_EQ(build.started_on, build_started);
  EXPECT_EQ(build.due_on, build_started.plus_days(400));
  EXPECT_EQ(build.planned_on, day(2027, 1, 1));  // what staff recorded stays
  EXPECT_EQ(project.milestones.at("permit").due_on,
            local_date(project.state_entered_at).plus_days(60));
  EXPECT_EQ(project.milestones.at("register_company").done_on, day(2026, 3, 2));
}

TEST_F(MigrationTest, AnOpenMilestoneTheTargetLacksIsDropped) {
  to_building();
  const auto v4 = version_4([](WorkflowDefinition& d) {
    std::erase_if(d.milestones, [](const MilestoneDef& m) { return m.id == "build_period"; });
  });
  const MigrationPlan result = plan(*v4);
  EXPECT_EQ(note_on(result, "milestone:build_period")->action, "dropped");
  migrate(v4);
  EXPECT_FALSE(project.milestones.contains("build_period"));
}

TEST_F(MigrationTest, FollowUpsAreCarriedRecomputedOrCleared) {
  clock = FixedClock(at(2026, 3, 2));
  to_building();
  run(kStaff, RecordFollowup{day(2026, 3, 2), "现场走访", {}});
  ASSERT_EQ(project.followup_due_on, day(2026, 4, 2));

  EXPECT_EQ(note_on(plan(*version_4()), "followup")->action, "carried");

  const auto every_two = version_4([](WorkflowDefinition& d) {
    d.followup->every = {Duration::Unit::months, 2};
  });
  const MigrationPlan recomputed = plan(*every_two);
  EXPECT_EQ(note_on(recomputed, "followup")->action, "recomputed");
  EXPECT_EQ(recomputed.migrated.followup_due_on, day(2026, 5, 2));  // from the last visit

  const auto none = version_4([](WorkflowDefinition& d) { d.followup->in = {"signed"}; });
  const MigrationPlan cleared = plan(*none);
  EXPECT_EQ(note_on(cleared, "followup")->action, "cleared");
  EXPECT_EQ(cleared.migrated.followup_due_on, std::nullopt);
}

TEST_F(MigrationTest, DecideRefusesTheWrongTargetAndTheSameVersion) {
  to_screening();
  const auto v4 = version_4();
  const auto refused = [&](MigrateWorkflow migrate) {
    Decision decision =
        decide(*wf, project, Command{"P-1", std::nullopt, std::move(migrate)}, kAdmin, clock);
    return decision.ok() ? Rejection{} : decision.error();
  };
  EXPECT_TRUE(refused({5, {}, v4}).has(reason::kWrongWorkflow));
  EXPECT_TRUE(refused({4, {}, nullptr}).has(reason::kWrongWorkflow));
  EXPECT_TRUE(refused({3, {}, wf}).has(reason::kNothingToDo));
}

TEST_F(MigrationTest, AfterTheMoveTheProjectIsDecidedWithTheTarget) {
  to_screening();
  const auto v4 = version_4([](WorkflowDefinition& d) {
    rename_state(d, "screening", "vetting");
    transition_of(d, "pass_screening").id = "pass_vetting";
  });
  const Event event = migrate(v4, {{"screening", "vetting"}});
  const auto& body = std::get<WorkflowMigrated>(event.body);
  EXPECT_EQ(body.from_version, 3);
  EXPECT_EQ(body.to_version, 4);
  EXPECT_EQ(body.from_state, "screening");
  EXPECT_EQ(body.to_state, "vetting");
  EXPECT_EQ(body.state_map.at("screening"), "vetting");
  EXPECT_EQ(event_type(event), "workflow_migrated");
  EXPECT_EQ(project.version, 3);
  run(kManager, TakeTransition{"pass_vetting",
                               {{"industry", Value::text("new_materials")},
                                {"total_investment", Value::number(60000)},
                                {"land_area", Value::number(150)}},
                               ""});
  EXPECT_EQ(project.state, "review");
}

TEST_F(MigrationTest, AProjectInAFinalStateMayBeMovedWhenAsked) {
  run(kStaff, CreateProject{"", {{"name", Value::text("x")}}});
  run(kStaff, TakeTransition{"withdraw", {}, "不再跟进"});
  migrate(version_4());
  EXPECT_EQ(project.workflow_version, 4);
  EXPECT_EQ(project.state, "withdrawn");
}

}  // namespace
}  // namespace investflow::engine
