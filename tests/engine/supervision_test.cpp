// 督办 and 转交 (issue 17, engine/supervision.hpp): levels only rise, each needs a reason, a
// new due date after today and a role of its level; the SLA moves; reassigning owner or a
// user field needs manager/admin, a reason and a different person; notify rules reach the
// handler, the parent's service officer and the old and new holders; the red/yellow/green
// light counts working days on the calendar, across a holiday.

#include "engine/supervision.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/notify_route.hpp"
#include "engine/notify_trigger.hpp"
#include "test_workflow.hpp"

namespace investflow::engine {
namespace {

using testing::at;
using testing::day;
using testing::field;

// The national-day week of 2026 as the State Council notice has it: 1–7 October off,
// Saturday 10 October a make-up working day.
std::shared_ptr<const Calendar> national_day_calendar() {
  std::vector<Holiday> holidays;
  for (int d = 1; d <= 7; ++d)
    holidays.push_back({day(2026, 10, d), "国庆节"});
  return std::make_shared<Calendar>("cn-mainland", std::move(holidays),
                                    std::vector<Date>{day(2026, 10, 10)}, 2026, 2026);
}

NotifyRule rule(NotifyTrigger::Kind on, std::vector<std::string> to) {
  NotifyRule made{NotifyTrigger{on, ""}, {}, {NotifyChannel::inbox}};
  for (const std::string& name : to)
    made.to.push_back(*parse_recipient_name(name));
  return made;
}

// A service problem: handling (5 working days) -> closed, with three supervision levels.
std::shared_ptr<const Workflow> problem_workflow() {
  WorkflowDefinition wf;
  wf.id = "problem";
  wf.version = 1;
  wf.calendar = national_day_calendar();
  wf.roles = {"staff", "manager", "leader", "admin"};
  wf.fields.push_back(field("title", FieldType::text, true));
  wf.fields.push_back(field("handler", FieldType::user));
  wf.fields.push_back(field("category", FieldType::text));
  wf.initial = "handling";
  StateDef handling;
  handling.id = "handling";
  handling.sla = SlaDef{{Duration::Unit::working_days, 5}, 1, {"manager"}};
  StateDef closed;
  closed.id = "closed";
  closed.terminal = true;
  wf.states = {handling, closed};
  TransitionDef close;
  close.id = "close";
  close.from = {"handling"};
  close.to = "closed";
  wf.transitions = {close};
  wf.parent = ParentDef{{"venture"}};
  wf.supervision = SupervisionDef{{{"yellow_card", {"黄牌", "Yellow card"}, {"manager", "leader"}},
                                   {"red_card", {"红牌", "Red card"}, {"leader"}},
                                   {"listed", {"挂牌督办", "Listed"}, {"leader"}}}};
  wf.notify = {rule(NotifyTrigger::Kind::supervised,
                    {"field:handler", "field:parent.service_officer", "role:manager"}),
               rule(NotifyTrigger::Kind::reassigned, {"previous_holder", "new_holder"})};
  return Workflow::make(std::move(wf));
}

class SupervisionTest : public ::testing::Test {
 protected:
  SupervisionTest() : clock_(at(2026, 9, 28)) {
    Command create{"Q-1", std::nullopt, CreateProject{"zhang", {}, "V-1"}};
    auto& body = std::get<CreateProject>(create.body);
    body.fields.insert_or_assign("title", Value::text("用电接入"));
    body.fields.insert_or_assign("handler", Value::text("wu"));
    Relations relations;
    relations.parent = ParentView{"V-1", "venture", "open", false, {}};
    auto made = execute(*workflow_, Project{}, create, staff_, clock_, &log_, relations);
    EXPECT_TRUE(made) << (made ? "" : made.error().reasons.front().message.en);
    if (made) project_ = std::move(*made);
  }

  using Body = decltype(Command::body);
  Decision run(Body body, const Actor& actor) {
    return decide(*workflow_, project_, Command{"Q-1", std::nullopt, std::move(body)}, actor,
                  clock_);
  }
  // Decides and applies; the test fails when refused.
  Event take(Body body, const Actor& actor) {
    auto decision = run(std::move(body), actor);
    EXPECT_TRUE(decision) << (decision ? "" : decision.error().reasons.front().message.en);
    if (!decision) return {};
    for (const Event& event : *decision) {
      project_ = apply(std::move(project_), event);
      log_.push_back(event);
    }
    return decision->front();
  }
  static std::vector<std::string> codes(const Decision& decision) {
    std::vector<std::string> out;
    if (decision) return out;
    for (const Reason& reason : decision.error().reasons)
      out.push_back(reason.code);
    return out;
  }

  std::shared_ptr<const Workflow> workflow_ = problem_workflow();
  FixedClock clock_;
  Project project_;
  std::vector<Event> log_;
  Actor staff_{"zhang", {"staff"}};
  Actor manager_{"li", {"manager"}};
  Actor leader_{"chen", {"leader"}};
  Actor admin_{"root", {"admin"}};
};

TEST_F(SupervisionTest, ALevelRisesWithAReasonAndMovesTheSla) {
  // Created Monday 28 September: 5 working days are 29, 30 September and 8, 9 and 10
  // October (a make-up Saturday), past the national-day week.
  ASSERT_EQ(project_.sla_due_on, day(2026, 10, 10));
  const Event yellow = take(Supervise{"yellow_card", "逾期未签收", day(2026, 10, 9)}, manager_);
  const auto& supervised = std::get<Supervised>(yellow.body);
  EXPECT_EQ(event_type(yellow), "supervised");
  EXPECT_EQ(supervised.level, "yellow_card");
  EXPECT_EQ(supervised.previous_due_on, day(2026, 10, 10));
  EXPECT_EQ(supervised.new_due_on, day(2026, 10, 9));
  EXPECT_EQ(supervised.by, "manager");
  EXPECT_EQ(project_.supervision_level, "yellow_card");
  EXPECT_EQ(project_.sla_due_on, day(2026, 10, 9));

  const Event red = take(Supervise{"red_card", "仍未办理", day(2026, 10, 15)}, leader_);
  EXPECT_EQ(std::get<Supervised>(red.body).by, "leader");
  EXPECT_EQ(project_.supervision_level, "red_card");
  take(Supervise{"listed", "挂牌", day(2026, 10, 20)}, leader_);
  EXPECT_EQ(project_.supervision_level, "listed");
}

TEST_F(SupervisionTest, ALevelNeverFallsOrRepeats) {
  take(Supervise{"red_card", "严重滞后", day(2026, 10, 9)}, leader_);
  const Decision lower = run(Supervise{"yellow_card", "降级", day(2026, 10, 9)}, leader_);
  EXPECT_EQ(codes(lower), std::vector<std::string>{"level_not_higher"});
  EXPECT_EQ(lower.error().reasons.front().message.zh, "督办级别只能升高：当前已是红牌");
  EXPECT_EQ(codes(run(Supervise{"red_card", "再次", day(2026, 10, 9)}, leader_)),
            std::vector<std::string>{"level_not_higher"});
}

TEST_F(SupervisionTest, EveryWrongPartIsSaid) {
  // A manager may not give a red card; no reason; a due date that is not after today.
  const Decision refused = run(Supervise{"red_card", "  ", day(2026, 9, 28)}, manager_);
  EXPECT_EQ(codes(refused),
            (std::vector<std::string>{"role_not_allowed", "invalid_field", "missing_field"}));
  EXPECT_EQ(refused.error().reasons[0].message.zh, "无权发起红牌督办（需要角色：leader）");
  EXPECT_EQ(refused.error().reasons[1].message.zh, "新的办理期限须晚于今天（2026-09-28）");
  EXPECT_EQ(refused.error().reasons[2].message.zh, "请填写督办理由");
  EXPECT_EQ(codes(run(Supervise{"orange", "x", day(2026, 10, 9)}, leader_)),
            std::vector<std::string>{"invalid_field"});
  EXPECT_EQ(codes(run(Supervise{"yellow_card", "x", day(2026, 10, 9)}, staff_)),
            std::vector<std::string>{"role_not_allowed"});
  take(TakeTransition{"close", {}, ""}, staff_);
  EXPECT_EQ(codes(run(Supervise{"yellow_card", "x", day(2026, 10, 9)}, manager_)),
            std::vector<std::string>{"terminal_state"});
}

TEST_F(SupervisionTest, AWorkflowWithoutSupervisionRefusesIt) {
  WorkflowDefinition plain = *workflow_;
  plain.supervision.reset();
  plain.notify.clear();
  const auto without = Workflow::make(std::move(plain));
  const Decision refused =
      decide(*without, project_,
             Command{"Q-1", std::nullopt, Supervise{"yellow_card", "x", day(2026, 10, 9)}},
             manager_, clock_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reasons.front().code, "no_supervision");
}

TEST_F(SupervisionTest, SupervisionTellsTheHandlerAndTheParentsServiceOfficer) {
  const Event event = take(Supervise{"yellow_card", "逾期", day(2026, 10, 9)}, manager_);
  FieldMap parent;
  parent.insert_or_assign("service_officer", Value::text("zhou"));
  std::vector<std::string> told;
  for (const NotifyDelivery& delivery :
       notify_deliveries(*workflow_, project_, std::span<const Event>(&event, 1), &parent)) {
    told.push_back(recipient_name(delivery.recipient) + " " +
                   trigger_name(delivery.triggers.front()));
  }
  EXPECT_EQ(told, (std::vector<std::string>{"role:manager supervised", "user:wu supervised",
                                            "user:zhou supervised"}));
  // Without the parent's fields at hand, its field names no one.
  EXPECT_EQ(notify_deliveries(*workflow_, project_, std::span<const Event>(&event, 1)).size(), 2u);
}

TEST_F(SupervisionTest, ReassigningTheOwnerOrAUserFieldTellsBothHolders) {
  const Event owner = take(Reassign{"owner", "zhao", "调岗"}, manager_);
  const auto& moved = std::get<Reassigned>(owner.body);
  EXPECT_EQ(event_type(owner), "reassigned");
  EXPECT_EQ(moved.from, "zhang");
  EXPECT_EQ(moved.to, "zhao");
  EXPECT_EQ(project_.owner, "zhao");
  std::vector<std::string> told;
  for (const NotifyDelivery& delivery :
       notify_deliveries(*workflow_, project_, std::span<const Event>(&owner, 1))) {
    told.push_back(recipient_name(delivery.recipient));
  }
  EXPECT_EQ(told, (std::vector<std::string>{"user:zhang", "user:zhao"}));

  take(Reassign{"handler", "qian", "单位人员变动"}, admin_);
  EXPECT_EQ(project_.field("handler"), Value::text("qian"));
}

TEST_F(SupervisionTest, ReassignRefusals) {
  const Decision staff = run(Reassign{"owner", "zhao", "调岗"}, staff_);
  EXPECT_EQ(codes(staff), std::vector<std::string>{"role_not_allowed"});
  EXPECT_EQ(staff.error().reasons.front().message.zh, "只有科室负责人或管理员可以转交");
  EXPECT_EQ(codes(run(Reassign{"category", "zhao", "x"}, manager_)),
            std::vector<std::string>{"invalid_field"});
  EXPECT_EQ(codes(run(Reassign{"owner", "zhang", "x"}, manager_)),
            std::vector<std::string>{"nothing_to_do"});
  EXPECT_EQ(codes(run(Reassign{"owner", "", ""}, manager_)),
            (std::vector<std::string>{"missing_field", "missing_field"}));
}

TEST_F(SupervisionTest, ReplayGivesTheSameProject) {
  take(Supervise{"yellow_card", "逾期", day(2026, 10, 9)}, manager_);
  take(Reassign{"handler", "qian", "变动"}, manager_);
  take(Reassign{"owner", "zhao", "调岗"}, admin_);
  Project replayed;
  for (const Event& event : log_)
    replayed = apply(std::move(replayed), event);
  EXPECT_EQ(replayed, project_);
  EXPECT_EQ(replayed.supervision_level, "yellow_card");
}

TEST(Light, WorkingDaysAcrossTheNationalDayHoliday) {
  const auto calendar = national_day_calendar();
  const Date today = day(2026, 9, 30);  // Wednesday, the last working day before the holiday
  EXPECT_EQ(light_of(day(2026, 9, 29), today, *calendar), Light::red);
  EXPECT_EQ(light_of(today, today, *calendar), Light::yellow);
  // Friday 9 October: nine days away, but only 8 and 9 October are working days.
  EXPECT_EQ(light_of(day(2026, 10, 9), today, *calendar), Light::yellow);
  // Saturday 10 October is a make-up working day: Monday 12 October is the fourth.
  EXPECT_EQ(light_of(day(2026, 10, 12), today, *calendar), Light::green);
  // On a weekends-only calendar the same Friday is seven working days away.
  EXPECT_EQ(light_of(day(2026, 10, 9), today, Calendar::weekends_only()), Light::green);
  EXPECT_EQ(light_of(day(2027, 1, 9), today, *calendar), Light::green);
  EXPECT_EQ(light_name(Light::yellow), "yellow");
}

TEST_F(SupervisionTest, AProjectsLightIsItsEarliestOpenDeadlineAndNoneWhenClosed) {
  EXPECT_EQ(project_light(*workflow_, project_, day(2026, 9, 28)), Light::green);
  EXPECT_EQ(project_light(*workflow_, project_, day(2026, 9, 30)), Light::yellow);
  EXPECT_EQ(project_light(*workflow_, project_, day(2026, 10, 12)), Light::red);
  take(TakeTransition{"close", {}, ""}, staff_);
  EXPECT_EQ(project_light(*workflow_, project_, day(2026, 10, 13)), std::nullopt);
}

}  // namespace
}  // namespace investflow::engine
