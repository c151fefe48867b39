#include "engine/decide.hpp"

#include <gtest/gtest.h>

#include "engine/deadlines.hpp"
#include "engine/graph.hpp"
#include "engine/notify_route.hpp"
#include "engine/notify_trigger.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::at;
using testing::day;
using testing::small_workflow;

const Actor kStaff{"zhang", {"staff"}};
const Actor kManager{"li", {"manager"}};
const Actor kAuditor{"wang", {"auditor"}};
Actor reviewer(int i) {
  return {"r" + std::to_string(i), {"reviewer"}};
}

class DecideTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Workflow> wf = small_workflow();
  FixedClock clock{at(2026, 3, 2)};  // a Monday
  Project project;
  std::vector<Event> log;

  Command command(decltype(Command::body) body) {
    return Command{"P-1", std::nullopt, std::move(body)};
  }

  // Runs a command that must be accepted; keeps the events.
  void run(const Actor& actor, decltype(Command::body) body) {
    Decision decision = decide(*wf, project, command(std::move(body)), actor, clock);
    ASSERT_TRUE(decision.ok()) << decision.error().reasons.front().message.en;
    for (const Event& event : decision.value()) {
      project = apply(std::move(project), event);
      log.push_back(event);
    }
  }

  Rejection rejected(const Actor& actor, decltype(Command::body) body,
                     std::optional<std::int64_t> version = std::nullopt) {
    Command cmd = command(std::move(body));
    cmd.expected_version = version;
    Decision decision = decide(*wf, project, cmd, actor, clock);
    EXPECT_FALSE(decision.ok());
    return decision.ok() ? Rejection{} : decision.error();
  }

  void create_lead() { run(kStaff, CreateProject{"", {{"name", Value::text("清远新材料项目")}}}); }

  void to_review() {
    create_lead();
    run(kStaff, TakeTransition{"answer", {}, ""});
    run(kManager, TakeTransition{"pass_screening",
                                 {{"industry", Value::text("new_materials")},
                                  {"total_investment", Value::number(60000)},
                                  {"land_area", Value::number(150)}},
                                 ""});
  }

  void vote(int i, VoteChoice choice) { run(reviewer(i), CastVote{choice, ""}); }
};

TEST_F(DecideTest, CreateStartsInInitialStateWithSlaAndOwner) {
  create_lead();
  EXPECT_EQ(project.id, "P-1");
  EXPECT_EQ(project.workflow, "small");
  EXPECT_EQ(project.workflow_version, 3);
  EXPECT_EQ(project.state, "lead");
  EXPECT_EQ(project.version, 1);
  EXPECT_EQ(project.owner, "zhang");
  EXPECT_EQ(project.field("name"), Value::text("清远新材料项目"));
  EXPECT_EQ(project.sla_due_on, day(2026, 3, 3));  // 1 working day after Monday
  EXPECT_EQ(project.created_at, at(2026, 3, 2));
}

TEST_F(DecideTest, CreateListsEveryProblem) {
  const Rejection r =
      rejected(kAuditor, CreateProject{"",
                                       {{"industry", Value::text("steel")},
                                        {"colour", Value::text("red")},
                                        {"total_investment", Value::text("lots")}}});
  EXPECT_TRUE(r.has(reason::kRoleNotAllowed));
  EXPECT_TRUE(r.has(reason::kUnknownField));
  EXPECT_TRUE(r.has(reason::kMissingField));  // name
  int invalid = 0;
  for (const Reason& reason : r.reasons)
    invalid += reason.code == reason::kInvalidField;
  EXPECT_EQ(invalid, 2);  // industry option, total_investment not a number
}

TEST_F(DecideTest, CreateOnExistingProjectIsRejected) {
  create_lead();
  EXPECT_TRUE(rejected(kStaff, CreateProject{"", {{"name", Value::text("x")}}})
                  .has(reason::kProjectExists));
}

TEST_F(DecideTest, FieldValuesAreCoercedToTheirTypes) {
  run(kStaff, CreateProject{"",
                            {{"name", Value::text("A")},
                             {"total_investment", Value::text("1200.5")},
                             {"industry", Value::text("电子信息")},
                             {"priority", Value::text("是")},
                             {"registered_on", Value::text("2026-02-28")},
                             {"tags", Value::text("龙头；上市, 高新")}}});
  EXPECT_EQ(project.field("total_investment"), Value::number(1200.5));
  EXPECT_EQ(project.field("industry"), Value::text("electronics"));  // label accepted
  EXPECT_EQ(project.field("priority"), Value::boolean(true));
  EXPECT_EQ(project.field("registered_on"), Value::date(day(2026, 2, 28)));
  EXPECT_EQ(project.field("tags"),
            Value::list({Value::text("龙头"), Value::text("上市"), Value::text("高新")}));
}

TEST_F(DecideTest, EditRecordsOnlyRealChanges) {
  create_lead();
  run(kStaff,
      EditFields{{{"land_area", Value::number(100)}, {"name", Value::text("清远新材料项目")}}});
  const auto& edited = std::get<FieldsEdited>(log.back().body);
  ASSERT_EQ(edited.changes.size(), 1u);
  EXPECT_EQ(edited.changes[0].field, "land_area");
  EXPECT_TRUE(edited.changes[0].before.is_null());
  EXPECT_EQ(edited.changes[0].after, Value::number(100));
  // Nothing changed at all: rejected, so history never fills with empty edits.
  EXPECT_TRUE(
      rejected(kStaff, EditFields{{{"land_area", Value::text("100")}}}).has(reason::kNothingToDo));
  // Clearing a field is an edit with a null value.
  run(kStaff, EditFields{{{"land_area", Value()}}});
  EXPECT_FALSE(project.fields.contains("land_area"));
}

TEST_F(DecideTest, EditRejectsRequiredFieldClearedOutsiderAndBadValues) {
  create_lead();
  const Rejection r =
      rejected(kAuditor, EditFields{{{"name", Value()}, {"total_investment", Value::number(-5)}}});
  EXPECT_TRUE(r.has(reason::kRoleNotAllowed));
  EXPECT_TRUE(r.has(reason::kMissingField));
  EXPECT_TRUE(r.has(reason::kInvalidField));  // min 0
  // The owner may edit whatever stage the project is in.
  run(kStaff, EditFields{{{"land_area", Value::number(20)}}});
}

TEST_F(DecideTest, TransitionWithGuardFailureListsEveryReason) {
  create_lead();
  run(kStaff, TakeTransition{"answer", {}, ""});
  // Staff may not pass screening; the fields are missing; and even with them the
  // intensity guard fails: all reasons at once.
  Rejection r = rejected(kStaff, TakeTransition{"pass_screening", {}, ""});
  EXPECT_TRUE(r.has(reason::kRoleNotAllowed));
  int missing = 0;
  for (const Reason& reason : r.reasons)
    missing += reason.code == reason::kMissingField;
  EXPECT_EQ(missing, 3);
  EXPECT_TRUE(r.has(reason::kGuardFailed));

  // Deciding is deterministic: the same command gives equal reasons (compared as values).
  EXPECT_EQ(r.reasons, rejected(kStaff, TakeTransition{"pass_screening", {}, ""}).reasons);
  r = rejected(kManager, TakeTransition{"pass_screening",
                                        {{"industry", Value::text("electronics")},
                                         {"total_investment", Value::number(30000)},
                                         {"land_area", Value::number(100)}},
                                        ""});
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].code, reason::kGuardFailed);
  EXPECT_EQ(r.reasons[0].field, "total_investment");
  EXPECT_EQ(r.reasons[0].message.zh, "投资强度 300 万元/亩 低于准入标准");
  EXPECT_EQ(r.reasons[0].message.en, "investment intensity 300 is below the minimum");
  EXPECT_EQ(project.state, "screening");  // nothing happened

  // The same project passes as a priority project (a recorded exception).
  run(kManager, TakeTransition{"pass_screening",
                               {{"industry", Value::text("electronics")},
                                {"total_investment", Value::number(30000)},
                                {"land_area", Value::number(100)},
                                {"priority", Value::boolean(true)}},
                               ""});
  EXPECT_EQ(project.state, "review");
  const auto& taken = std::get<TransitionTaken>(log.back().body);
  EXPECT_EQ(taken.from, "screening");
  EXPECT_EQ(taken.to, "review");
  EXPECT_EQ(taken.changes.size(), 4u);
  EXPECT_FALSE(project.sla_due_on);  // review has no SLA
}

TEST_F(DecideTest, UnknownWrongStateAndTerminalTransitions) {
  create_lead();
  EXPECT_TRUE(rejected(kStaff, TakeTransition{"fly", {}, ""}).has(reason::kUnknownTransition));
  EXPECT_TRUE(rejected(kStaff, TakeTransition{"finish", {}, ""}).has(reason::kWrongState));
  EXPECT_TRUE(rejected(kStaff, TakeTransition{"withdraw", {}, "  "}).has(reason::kCommentRequired));
  run(kStaff, TakeTransition{"withdraw", {}, "投资方决定放弃"});
  EXPECT_EQ(project.state, "withdrawn");
  EXPECT_TRUE(rejected(kStaff, TakeTransition{"answer", {}, ""}).has(reason::kTerminalState));
  EXPECT_TRUE(
      rejected(kStaff, EditFields{{{"land_area", Value::number(1)}}}).has(reason::kTerminalState));
}

TEST_F(DecideTest, StaleVersionIsRejectedWithCurrentVersion) {
  create_lead();
  const Rejection r = rejected(kStaff, TakeTransition{"answer", {}, ""}, 0);
  EXPECT_TRUE(r.has(reason::kStaleVersion));
  EXPECT_EQ(r.current_version, 1);
  Command fresh = command(TakeTransition{"answer", {}, ""});
  fresh.expected_version = 1;
  EXPECT_TRUE(decide(*wf, project, fresh, kStaff, clock).ok());
}

TEST_F(DecideTest, ReviewNeedsQuorumAndTwoThirds) {
  to_review();
  EXPECT_TRUE(rejected(kManager, TakeTransition{"approve", {}, ""}).has(reason::kReviewNotPassed));
  EXPECT_TRUE(rejected(kStaff, CastVote{VoteChoice::approve, ""}).has(reason::kNotAVoter));
  vote(1, VoteChoice::approve);
  vote(2, VoteChoice::reject);
  vote(3, VoteChoice::reject);
  ReviewTally tally = review_tally(*wf, project);
  EXPECT_EQ(tally.votes, 3);
  EXPECT_TRUE(tally.quorum_reached);
  EXPECT_FALSE(tally.passed);
  EXPECT_TRUE(rejected(kManager, TakeTransition{"approve", {}, ""}).has(reason::kReviewNotPassed));
  // Voters may change their vote while the review is open; one vote per voter.
  vote(2, VoteChoice::approve);
  EXPECT_TRUE(std::get<VoteCast>(log.back().body).changed);
  vote(3, VoteChoice::approve);
  EXPECT_TRUE(rejected(reviewer(3), CastVote{VoteChoice::approve, ""}).has(reason::kNothingToDo));
  tally = review_tally(*wf, project);
  EXPECT_EQ(tally.votes, 3);
  EXPECT_EQ(tally.approvals, 3);
  EXPECT_TRUE(tally.passed);
  run(kManager, TakeTransition{"approve", {}, ""});
  EXPECT_EQ(project.state, "signed");
  EXPECT_TRUE(project.votes.empty());  // the review closed with the state
  EXPECT_TRUE(rejected(reviewer(1), CastVote{VoteChoice::approve, ""}).has(reason::kNoOpenReview));
}

TEST_F(DecideTest, RecusalCountsNeitherForNorAgainst) {
  to_review();
  vote(1, VoteChoice::approve);
  vote(2, VoteChoice::approve);
  vote(3, VoteChoice::abstain);
  vote(4, VoteChoice::reject);
  ReviewTally tally = review_tally(*wf, project);
  EXPECT_EQ(tally.votes, 4);
  EXPECT_FALSE(tally.passed);  // 2 * 3 < 4 * 2: an abstention counts against
  vote(3, VoteChoice::recuse);
  tally = review_tally(*wf, project);
  EXPECT_EQ(tally.recusals, 1);
  EXPECT_EQ(tally.abstentions, 0);
  EXPECT_EQ(tally.votes, 3);  // a recusal is no vote
  EXPECT_TRUE(tally.passed);  // 2 * 3 >= 3 * 2
  EXPECT_EQ(vote_choice_name(VoteChoice::recuse), "recuse");
}

TEST_F(DecideTest, FractionalQuorumIsTakenOfTheEligiblePanel) {
  wf = small_workflow({2, 3});
  to_review();
  project.review_panel = 7;  // ceil(7 * 2 / 3) = 5 votes needed
  for (int i = 1; i <= 4; ++i)
    vote(i, VoteChoice::approve);
  ReviewTally tally = review_tally(*wf, project);
  EXPECT_EQ(tally.quorum, 5);
  EXPECT_FALSE(tally.quorum_reached);
  EXPECT_TRUE(rejected(kManager, TakeTransition{"approve", {}, ""}).has(reason::kReviewNotPassed));
  // Two recusals leave 5 eligible: ceil(5 * 2 / 3) = 4, reached by the 4 votes.
  vote(5, VoteChoice::recuse);
  vote(6, VoteChoice::recuse);
  tally = review_tally(*wf, project);
  EXPECT_EQ(tally.quorum, 4);
  EXPECT_TRUE(tally.quorum_reached);
  EXPECT_TRUE(tally.passed);
  // Unknown panel (0): the fraction is taken of the ballots cast (6 - 2 recusals = 4 -> 3).
  project.review_panel = 0;
  EXPECT_EQ(review_tally(*wf, project).quorum, 3);
  run(kManager, TakeTransition{"approve", {}, ""});
  EXPECT_EQ(project.state, "signed");
}

TEST_F(DecideTest, MilestonesStartOnEnteringTheirStateAndRecordDates) {
  EXPECT_TRUE(rejected(kStaff, RecordMilestone{"register_company", {}, day(2026, 3, 1), ""})
                  .has(reason::kNoSuchProject));
  to_review();
  for (int i = 1; i <= 3; ++i)
    vote(i, VoteChoice::approve);
  EXPECT_TRUE(rejected(kStaff, RecordMilestone{"register_company", {}, day(2026, 3, 1), ""})
                  .has(reason::kMilestoneNotStarted));
  run(kManager, TakeTransition{"approve", {}, ""});
  ASSERT_TRUE(project.milestones.contains("register_company"));
  EXPECT_EQ(project.milestones.at("register_company").due_on, day(2026, 4, 1));  // 30 days
  EXPECT_EQ(project.followup_due_on, day(2026, 4, 2));  // monthly visits from signing
  EXPECT_TRUE(rejected(kStaff, RecordMilestone{"nope", {}, {}, ""}).has(reason::kUnknownMilestone));
  EXPECT_TRUE(rejected(kStaff, RecordMilestone{"register_company", {}, day(2026, 3, 9), ""})
                  .has(reason::kInvalidField));  // in the future
  run(kStaff, RecordMilestone{"register_company", day(2026, 3, 20), day(2026, 3, 2), "营业执照"});
  const MilestoneState& state = project.milestones.at("register_company");
  EXPECT_EQ(state.done_on, day(2026, 3, 2));
  EXPECT_EQ(state.planned_on, day(2026, 3, 20));
  EXPECT_EQ(state.evidence, "营业执照");
  EXPECT_EQ(project.field("registered_on"), Value::date(day(2026, 3, 2)));

  // The build period depends on the size: 60000 万元 (> 5亿) gets two years.
  run(kStaff, TakeTransition{"start_building", {}, ""});
  EXPECT_EQ(project.milestones.at("build_period").due_on, day(2026, 3, 2).plus_days(730));
  // The follow-up schedule carries over between follow-up states.
  EXPECT_EQ(project.followup_due_on, day(2026, 4, 2));
}

TEST_F(DecideTest, FollowupVisitRules) {
  to_review();
  EXPECT_TRUE(
      rejected(kStaff, RecordFollowup{day(2026, 3, 2), "走访", {}}).has(reason::kNotInFollowup));
  for (int i = 1; i <= 3; ++i)
    vote(i, VoteChoice::approve);
  run(kManager, TakeTransition{"approve", {}, ""});
  const Rejection r = rejected(kAuditor, RecordFollowup{day(2026, 3, 5), " ", {}});
  EXPECT_TRUE(r.has(reason::kRoleNotAllowed));
  EXPECT_TRUE(r.has(reason::kMissingField));
  EXPECT_TRUE(r.has(reason::kInvalidField));
  run(kStaff, RecordFollowup{day(2026, 3, 2), "首次走访，用电报装进度慢", {"用电报装"}});
  ASSERT_EQ(project.visits.size(), 1u);
  EXPECT_EQ(project.visits[0].actor, "zhang");
  EXPECT_EQ(project.visits[0].issues, std::vector<std::string>{"用电报装"});
  EXPECT_EQ(project.followup_due_on, day(2026, 4, 2));
}

TEST_F(DecideTest, DueItemsReportWarningAndOverdue) {
  create_lead();  // SLA due 2026-03-03 (1 working day)
  auto items = due_items(*wf, project, day(2026, 3, 2));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind, DueItem::Kind::sla);
  EXPECT_EQ(items[0].status, DueItem::Status::pending);  // warn_before 0
  EXPECT_EQ(items[0].working_days_left, 1);
  items = due_items(*wf, project, day(2026, 3, 3));
  EXPECT_EQ(items[0].status, DueItem::Status::warning);
  items = due_items(*wf, project, day(2026, 3, 4));
  EXPECT_EQ(items[0].status, DueItem::Status::overdue);
  EXPECT_EQ(items[0].working_days_left, -1);
  run(kStaff, TakeTransition{"withdraw", {}, "放弃"});
  EXPECT_TRUE(due_items(*wf, project, day(2026, 5, 1)).empty());  // closed projects owe nothing
}

TEST_F(DecideTest, TransitionOptionsShowOnlyAllowedWithReasons) {
  create_lead();
  run(kStaff, TakeTransition{"answer", {}, ""});
  const auto options = transition_options(*wf, project, kManager, clock);
  ASSERT_EQ(options.size(), 2u);  // pass_screening, withdraw
  EXPECT_EQ(options[0].transition->id, "pass_screening");
  EXPECT_FALSE(options[0].blocked_by.empty());
  EXPECT_EQ(options[1].transition->id, "withdraw");
  EXPECT_TRUE(options[1].blocked_by.empty());  // the comment comes with the form
  EXPECT_TRUE(transition_options(*wf, project, kAuditor, clock).empty());
}

TEST_F(DecideTest, ReplayGivesTheSameProject) {
  to_review();
  for (int i = 1; i <= 3; ++i)
    vote(i, VoteChoice::approve);
  run(kManager, TakeTransition{"approve", {}, ""});
  run(kStaff, RecordMilestone{"register_company", {}, day(2026, 3, 2), "执照"});
  run(kStaff, TakeTransition{"start_building", {}, ""});
  Project replayed;
  std::int64_t version = 0;
  for (const Event& event : log) {
    EXPECT_EQ(event.version, ++version);
    replayed = apply(std::move(replayed), event);
  }
  EXPECT_EQ(replayed, project);
}

TEST_F(DecideTest, ExecuteReturnsNextProjectAndEvents) {
  std::vector<Event> events;
  auto next = execute(*wf, project, command(CreateProject{"", {{"name", Value::text("x")}}}),
                      kStaff, clock, &events);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->state, "lead");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(event_type(events[0]), "project_created");
}

TEST(Graph, MermaidDiagramHasStatesTransitionsAndAnyStagePseudoState) {
  const auto wf = small_workflow();
  const std::string zh = mermaid_state_diagram(*wf, "zh-CN");
  EXPECT_NE(zh.find("stateDiagram-v2\n"), std::string::npos);
  EXPECT_NE(zh.find("state \"线索\" as lead"), std::string::npos);
  EXPECT_NE(zh.find("[*] --> lead"), std::string::npos);
  EXPECT_NE(zh.find("screening --> review : 通过筛选"), std::string::npos);
  EXPECT_NE(zh.find("any_active_stage --> withdrawn : 撤回"), std::string::npos);
  EXPECT_NE(zh.find("done --> [*]"), std::string::npos);
  const std::string en = mermaid_state_diagram(*wf, "en");
  EXPECT_NE(en.find("screening --> review : Pass screening"), std::string::npos);
}

}  // namespace
}  // namespace investflow::engine

namespace investflow::engine {
namespace {

// The small workflow on a calendar with official data for 2026 only: 2027-01-01 (a
// Friday) is New Year's Day in fact, but the data end on 2026-12-31.
std::shared_ptr<const Workflow> workflow_with_2026_data(int sla_working_days) {
  WorkflowDefinition definition = *testing::small_workflow();
  definition.calendar = std::make_shared<Calendar>(
      Calendar("cn-mainland", {{day(2026, 10, 1), "国庆节"}}, {}, 2026, 2026));
  definition.states.front().sla->working_days = {Duration::Unit::working_days, sla_working_days};
  definition.milestones.front().within = {Duration::Unit::working_days, 5};
  return Workflow::make(std::move(definition));
}

TEST(CalendarRunway, DeadlinesCountedPastTheDataAreMarkedEstimated) {
  const Actor staff{"zhang", {"staff"}};
  const FixedClock clock{at(2026, 12, 29)};  // Tuesday
  const auto create = [&](const Workflow& workflow) {
    Decision decision =
        decide(workflow, Project{},
               Command{"P-1", std::nullopt, CreateProject{"", {{"name", Value::text("项目")}}}},
               staff, clock);
    EXPECT_TRUE(decision.ok());
    return decision.ok() ? decision.value().front() : Event{};
  };
  // Two working days: Thursday 2026-12-31, inside the data.
  const Event inside = create(*workflow_with_2026_data(2));
  const auto& within = std::get<ProjectCreated>(inside.body);
  EXPECT_EQ(within.sla_due_on, day(2026, 12, 31));
  EXPECT_FALSE(within.sla_due_estimated);
  // Three: Friday 2027-01-01, past the data, so an estimate (weekends only).
  const Event past = create(*workflow_with_2026_data(3));
  const auto& beyond = std::get<ProjectCreated>(past.body);
  EXPECT_EQ(beyond.sla_due_on, day(2027, 1, 1));
  EXPECT_TRUE(beyond.sla_due_estimated);
  // The project remembers it, and the due items say so.
  const Project project = apply(Project{}, past);
  EXPECT_TRUE(project.sla_due_estimated);
  const auto items = due_items(*workflow_with_2026_data(3), project, day(2026, 12, 29));
  ASSERT_FALSE(items.empty());
  EXPECT_TRUE(items.front().estimated);

  // An extension sets a date a person chose: no longer an estimate.
  Project extended = project;
  apply_deadline_extended(extended, DeadlineExtended{DeadlineKind::sla, "lead", day(2027, 1, 1),
                                                     day(2027, 1, 8), "等待2027年放假安排"});
  EXPECT_FALSE(extended.sla_due_estimated);

  // A calendar without official data (weekends only) estimates nothing: it claims none.
  const Event plain = create(*testing::small_workflow());
  EXPECT_FALSE(std::get<ProjectCreated>(plain.body).sla_due_estimated);
}

TEST(CalendarRunway, MilestonesInWorkingDaysPastTheDataAreEstimated) {
  const auto workflow = workflow_with_2026_data(1);
  const Actor staff{"zhang", {"staff"}};
  const Actor manager{"li", {"manager"}};
  // Takes a project from creation to signing, all on the day `now`.
  const auto signed_on = [&](Timestamp now) {
    Project project;
    const FixedClock clock{now};
    const auto run = [&](const Actor& actor, decltype(Command::body) body) {
      Decision decision =
          decide(*workflow, project, Command{"P-1", std::nullopt, std::move(body)}, actor, clock);
      ASSERT_TRUE(decision.ok()) << decision.error().reasons.front().message.en;
      for (const Event& event : decision.value())
        project = apply(std::move(project), event);
    };
    run(staff, CreateProject{"",
                             {{"name", Value::text("项目")},
                              {"industry", Value::text("electronics")},
                              {"total_investment", Value::number(60000)},
                              {"land_area", Value::number(100)}}});
    run(staff, TakeTransition{"answer", {}, ""});
    run(manager, TakeTransition{"pass_screening", {}, ""});
    for (int i = 1; i <= 3; ++i)
      run(reviewer(i), CastVote{VoteChoice::approve, ""});
    run(manager, TakeTransition{"approve", {}, ""});
    return project;
  };
  // Signed on Monday 2026-12-21: five working days end on 2026-12-28, inside the data.
  const Project early = signed_on(at(2026, 12, 21));
  EXPECT_EQ(early.milestones.at("register_company").due_on, day(2026, 12, 28));
  EXPECT_FALSE(early.milestones.at("register_company").estimated);
  // Signed on Monday 2026-12-28: they end on 2027-01-04, past the data.
  const Project late = signed_on(at(2026, 12, 28));
  EXPECT_EQ(late.milestones.at("register_company").due_on, day(2027, 1, 4));
  EXPECT_TRUE(late.milestones.at("register_company").estimated);
  // The monthly follow-up is in months, which no holiday moves: never an estimate.
  EXPECT_FALSE(late.followup_due_estimated);
}

}  // namespace
}  // namespace investflow::engine

namespace investflow::engine {
namespace {

// attach (issue 17 item 4): a file in the project's record, and evidence naming it.
TEST_F(DecideTest, AttachingAFileFoldsItIntoTheProjectAndEvidenceMayNameIt) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(rejected(kStaff, AttachFile{sha, "合同.pdf", 10, "application/pdf"})
                  .has(reason::kNoSuchProject));
  to_review();  // the owner may attach in any stage of work
  const Rejection bad = rejected(kStaff, AttachFile{"not-a-hash", "a/b.pdf", 10, ""});
  EXPECT_TRUE(bad.has(reason::kInvalidField));
  EXPECT_EQ(bad.reasons.size(), 3u);  // the id, the name (a path), the media type
  EXPECT_TRUE(rejected(kStaff, AttachFile{sha, "a.pdf", 10, "application/pdf", "nope"})
                  .has(reason::kUnknownMilestone));
  run(kStaff, AttachFile{sha, "合同.pdf", 10, "application/pdf"});
  ASSERT_EQ(project.attachments.size(), 1u);
  EXPECT_EQ(project.attachments[0].filename, "合同.pdf");
  EXPECT_EQ(project.attachments[0].by, kStaff.id);
  EXPECT_NE(project.attachment(sha), nullptr);
  EXPECT_TRUE(rejected(kStaff, AttachFile{sha, "again.pdf", 10, "application/pdf"})
                  .has(reason::kNothingToDo));
  for (int i = 1; i <= 3; ++i)
    vote(i, VoteChoice::approve);
  run(kManager, TakeTransition{"approve", {}, ""});
  // Evidence naming an attachment must be one of the project's; text stays valid.
  EXPECT_TRUE(
      rejected(kStaff,
               RecordMilestone{"register_company", {}, day(2026, 3, 2), std::string(64, 'b')})
          .has(reason::kInvalidField));
  run(kStaff, RecordMilestone{"register_company", {}, day(2026, 3, 2), sha});
  EXPECT_EQ(project.milestones.at("register_company").evidence, sha);
}

// Issue 22: comments. The owner and the roles that act somewhere in the workflow may
// comment (a reviewer too, who only votes); the auditor, who acts nowhere, may not. A blank
// or overlong text is refused; mentions are kept once each and raise `mentioned`.
TEST_F(DecideTest, CommentsByRoleWithMentions) {
  create_lead();
  EXPECT_TRUE(rejected(kAuditor, CommentProject{"看看", {}}).has(reason::kRoleNotAllowed));
  EXPECT_TRUE(rejected(kStaff, CommentProject{" \n", {}}).has(reason::kMissingField));
  EXPECT_TRUE(
      rejected(kStaff, CommentProject{std::string(5000, 'x'), {}}).has(reason::kInvalidField));
  run(reviewer(1), CommentProject{"@li @li 请看", {"li", "li", "zhang"}});
  const auto& comment = std::get<Commented>(log.back().body);
  EXPECT_EQ(comment.mentions, (std::vector<std::string>{"li", "zhang"}));
  EXPECT_EQ(event_type(log.back()), "commented");
  EXPECT_EQ(project.version, 2);  // in the log; nothing else of the project changes
  EXPECT_EQ(project.state, "lead");
  // The mentioned users are told in their inboxes, without any rule.
  const std::vector<NotifyDelivery> told = notify_deliveries(*wf, project, {&log.back(), 1});
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].recipient.name, "li");
  EXPECT_EQ(told[0].triggers.front().kind, NotifyTrigger::Kind::mentioned);
}

// Issue 22: the vote that reaches the quorum says so (once: the next ones do not), and a
// review's ballots are kept with its decision when the project leaves the state.
TEST_F(DecideTest, QuorumReachedOnceAndTheClosedReviewKept) {
  to_review();
  vote(1, VoteChoice::approve);
  vote(2, VoteChoice::approve);
  EXPECT_FALSE(std::get<VoteCast>(log.back().body).quorum_reached);
  vote(3, VoteChoice::reject);
  EXPECT_TRUE(std::get<VoteCast>(log.back().body).quorum_reached);
  EXPECT_EQ(triggers_of(log.back()).front().kind, NotifyTrigger::Kind::quorum);
  run(reviewer(3), CastVote{VoteChoice::approve, "改投同意"});
  EXPECT_FALSE(std::get<VoteCast>(log.back().body).quorum_reached);
  run(kManager, TakeTransition{"approve", {}, ""});
  EXPECT_TRUE(project.votes.empty());
  ASSERT_EQ(project.closed_reviews.size(), 1u);
  EXPECT_EQ(project.closed_reviews[0].state, "review");
  EXPECT_EQ(project.closed_reviews[0].transition, "approve");
  EXPECT_EQ(project.closed_reviews[0].to, "signed");
  EXPECT_EQ(project.closed_reviews[0].votes.size(), 3u);
}

}  // namespace
}  // namespace investflow::engine
