// Timers end to end on the official calendar: due dates across the 2026 Spring Festival
// and its make-up Saturdays, alerts fired exactly once (also across a restart), downtime
// over a deadline, escalation into the outbox, extensions by a manager.
#include <SQLiteCpp/Database.h>

#include "engine/deadlines.hpp"
#include "engine/decide.hpp"
#include "notify/scheduler.hpp"
#include "storage/codec.hpp"
#include "storage/schema.hpp"
#include "tests/notify/notify_test_support.hpp"

namespace investflow::notify::testing {
namespace {

using engine::DeadlineAlert;
using engine::DeadlineKind;

std::vector<std::string> fired_types(storage::Store& store, const std::string& id) {
  std::vector<std::string> out;
  auto history = store.history(id);
  EXPECT_TRUE(history);
  for (const auto& stored : *history) {
    if (const auto* fired = std::get_if<engine::DeadlineFired>(&stored.event.body)) {
      out.push_back(engine::deadline_trigger(fired->kind, fired->alert) + "@" +
                    fired->due_on.to_string());
    }
  }
  return out;
}

TEST(Deadlines, SlaAcrossTheSpringFestivalLandsAfterTheHoliday) {
  // Thursday 2026-02-12: the working days after it are Fri 13, the make-up Saturday 14,
  // then the holiday (15-23), then Tuesday 24.
  const auto workflow = timers_workflow();
  ASSERT_TRUE(workflow);
  engine::Project project;
  const engine::FixedClock clock(at_ten(2026, 2, 12));
  engine::Command command;
  command.project_id = "P-1";
  engine::CreateProject create;
  create.fields["name"] = engine::Value::text("春节项目");
  command.body = create;
  auto created = engine::execute(*workflow, project, command, {"zhang", {"staff"}}, clock);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->sla_due_on, day(2026, 2, 24));

  // The warning (one working day ahead) is owed already on the make-up Saturday: only the
  // 24th lies between it and the deadline.
  EXPECT_TRUE(engine::deadlines_to_fire(*workflow, *created, day(2026, 2, 13)).empty());
  const auto on_saturday = engine::deadlines_to_fire(*workflow, *created, day(2026, 2, 14));
  ASSERT_EQ(on_saturday.size(), 1u);
  EXPECT_EQ(on_saturday[0].alert, DeadlineAlert::warning);
  EXPECT_EQ(on_saturday[0].due_on, day(2026, 2, 24));
  // Due on the 24th itself is not overdue; the 25th is.
  const auto on_due_day = engine::deadlines_to_fire(*workflow, *created, day(2026, 2, 24));
  ASSERT_EQ(on_due_day.size(), 1u);
  EXPECT_EQ(on_due_day[0].alert, DeadlineAlert::warning);
  const auto after = engine::deadlines_to_fire(*workflow, *created, day(2026, 2, 25));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].alert, DeadlineAlert::overdue);
}

TEST(Deadlines, MilestoneCountsTheMakeUpSaturdays) {
  // Signed Tuesday 2026-02-10: five working days are 11, 12, 13, 14 (make-up Saturday)
  // and 24 (after the holiday). The follow-up visit falls a month later, on 03-10.
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(db, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 9));
  auto store = open_store(db, clock);
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "P-1").accepted());
  clock->set(at_ten(2026, 2, 10));
  ASSERT_TRUE(transition(*store, "P-1", "sign", {"zhang", {"staff"}}).accepted());
  auto project = store->project("P-1");
  ASSERT_TRUE(project && *project);
  ASSERT_TRUE((*project)->milestones.contains("register_company"));
  EXPECT_EQ((*project)->milestones.at("register_company").due_on, day(2026, 2, 24));
  EXPECT_EQ((*project)->followup_due_on, day(2026, 3, 10));
}

TEST(Deadlines, WarningAndOverdueFireOnceEachAcrossARestart) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(path, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 12));
  {
    auto store = open_store(path, clock);
    ASSERT_TRUE(store);
    ASSERT_TRUE(create(*store, "P-1").accepted());
    Scheduler scheduler(*store, clock);
    EXPECT_EQ(scheduler.run_once().fired, 0);
    clock->set(at_ten(2026, 2, 14));  // the make-up Saturday: the warning is due
    EXPECT_EQ(scheduler.run_once().fired, 1);
    EXPECT_EQ(scheduler.run_once().fired, 0);  // never twice
  }
  {
    // The server restarts, still on the 14th: nothing fires again.
    auto store = open_store(path, clock);
    ASSERT_TRUE(store);
    Scheduler scheduler(*store, clock);
    EXPECT_EQ(scheduler.run_once().fired, 0);
    EXPECT_EQ(fired_types(*store, "P-1"), (std::vector<std::string>{"sla_warning@2026-02-24"}));
  }
  {
    // Down over the whole holiday and the deadline: the first pass after the start fires
    // the overdue alert, once.
    clock->set(at_ten(2026, 2, 26));
    auto store = open_store(path, clock);
    ASSERT_TRUE(store);
    Scheduler scheduler(*store, clock);
    const SchedulerPass pass = scheduler.run_once();
    EXPECT_EQ(pass.fired, 1);
    EXPECT_EQ(pass.failed, 0);
    EXPECT_EQ(scheduler.run_once().fired, 0);
    EXPECT_EQ(fired_types(*store, "P-1"),
              (std::vector<std::string>{"sla_warning@2026-02-24", "sla_overdue@2026-02-24"}));
    auto history = store->history("P-1");
    ASSERT_TRUE(history);
    EXPECT_EQ(history->back().event.actor, "system");
    EXPECT_EQ(history->back().event.at, at_ten(2026, 2, 26));
  }
}

TEST(Deadlines, DowntimeOverADeadlineFiresOnlyTheOverdueAlert) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(db, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 12));
  auto store = open_store(db, clock);
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "P-1").accepted());
  clock->set(at_ten(2026, 3, 2));  // the server was down from the 12th
  Scheduler scheduler(*store, clock);
  EXPECT_EQ(scheduler.run_once().fired, 1);
  EXPECT_EQ(fired_types(*store, "P-1"), (std::vector<std::string>{"sla_overdue@2026-02-24"}));
}

TEST(Deadlines, MilestoneOverdueAndFollowupDueFireOnce) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(db, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 9));
  auto store = open_store(db, clock);
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "P-1").accepted());
  clock->set(at_ten(2026, 2, 10));
  ASSERT_TRUE(transition(*store, "P-1", "sign", {"zhang", {"staff"}}).accepted());
  Scheduler scheduler(*store, clock);
  clock->set(at_ten(2026, 2, 24));
  EXPECT_EQ(scheduler.run_once().fired, 0);  // due today, not late
  clock->set(at_ten(2026, 2, 25));
  EXPECT_EQ(scheduler.run_once().fired, 1);
  clock->set(at_ten(2026, 3, 10));
  EXPECT_EQ(scheduler.run_once().fired, 1);  // the visit is due
  EXPECT_EQ(scheduler.run_once().fired, 0);
  EXPECT_EQ(fired_types(*store, "P-1"),
            (std::vector<std::string>{"milestone_overdue@2026-02-24", "followup_due@2026-03-10"}));
}

TEST(Deadlines, OverdueSlaEscalatesIntoTheOutbox) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(path, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 12));
  {
    auto store = open_store(path, clock);
    ASSERT_TRUE(store);
    ASSERT_TRUE(create(*store, "P-1").accepted());
    clock->set(at_ten(2026, 2, 25));
    Scheduler scheduler(*store, clock);
    ASSERT_EQ(scheduler.run_once().fired, 1);
  }
  const auto rows =
      query_rows(path,
                 "SELECT o.channel, o.triggers, o.recipients FROM outbox o JOIN events e "
                 "ON e.id = o.event_id WHERE e.type = 'deadline_fired' ORDER BY channel",
                 3);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "inbox");
  EXPECT_EQ(rows[0][1], R"(["sla_overdue"])");
  // The workflow's rule says owner; the SLA's `escalate: [manager]` adds the managers.
  EXPECT_EQ(rows[0][2], R"(["owner","role:manager"])");
  EXPECT_EQ(rows[1][0], "webhook");
}

TEST(Deadlines, AManagerExtendsWithAReasonAndTheNewDateWarnsAgain) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(db, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 12));
  auto store = open_store(db, clock);
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "P-1").accepted());
  Scheduler scheduler(*store, clock);
  clock->set(at_ten(2026, 2, 14));
  ASSERT_EQ(scheduler.run_once().fired, 1);  // warning for the 24th

  const auto extend = [&](engine::Actor actor, std::string reason, engine::Date to) {
    storage::WriteRequest request;
    request.command.project_id = "P-1";
    request.command.body = engine::ExtendDeadline{DeadlineKind::sla, "lead", to, std::move(reason)};
    request.actor = std::move(actor);
    return store->write(std::move(request)).get();
  };
  const auto by_staff = extend({"zhang", {"staff"}}, "等待材料", day(2026, 3, 3));
  ASSERT_TRUE(by_staff.rejected());
  EXPECT_TRUE(by_staff.rejection.has(engine::reason::kRoleNotAllowed));
  const auto without_reason = extend({"li", {"manager"}}, " ", day(2026, 3, 3));
  ASSERT_TRUE(without_reason.rejected());
  EXPECT_TRUE(without_reason.rejection.has(engine::reason::kMissingField));
  const auto earlier = extend({"li", {"manager"}}, "x", day(2026, 2, 20));
  ASSERT_TRUE(earlier.rejected());
  EXPECT_TRUE(earlier.rejection.has(engine::reason::kInvalidField));

  const auto granted = extend({"li", {"manager"}}, "企业补充环评材料", day(2026, 3, 3));
  ASSERT_TRUE(granted.accepted());
  const auto& event = granted.events.at(0);
  const auto* extended = std::get_if<engine::DeadlineExtended>(&event.body);
  ASSERT_NE(extended, nullptr);
  EXPECT_EQ(extended->previous_due_on, day(2026, 2, 24));
  EXPECT_EQ((*store->project("P-1"))->sla_due_on, day(2026, 3, 3));

  clock->set(at_ten(2026, 2, 25));  // the old date passed, the new one is far
  EXPECT_EQ(scheduler.run_once().fired, 0);
  clock->set(at_ten(2026, 3, 2));  // one working day before the new date
  EXPECT_EQ(scheduler.run_once().fired, 1);
  EXPECT_EQ(fired_types(*store, "P-1"),
            (std::vector<std::string>{"sla_warning@2026-02-24", "sla_warning@2026-03-03"}));
}

// The scheduler reads only the projects with an alert still to raise (projects.next_alert_on):
// once a deadline's last alert has fired, the project stays overdue in the lists, but no pass
// reads it again until a deadline changes. At 1,000,000 projects every pass read all the
// overdue ones, about 10 s of CPU every 30 s. A database from before the column gains it from
// the projects' bodies.
TEST(Deadlines, AProjectIsNotReadAgainOnceItsLastAlertHasFired) {
  TempDir dir;
  NOTIFY_DATABASE_OR_SKIP(path, dir, "t.db");
  auto clock = std::make_shared<TestClock>(at_ten(2026, 2, 12));
  auto store = open_store(path, clock);
  ASSERT_TRUE(store);
  ASSERT_TRUE(create(*store, "P-1").accepted());
  const auto row = [&path] {
    return query_text(path,
                      "SELECT next_due_on || ' ' || next_alert_on FROM projects WHERE id = 'P-1'");
  };
  const auto read_by_scheduler = [&store] {
    storage::ProjectQuery query;
    query.alert_before = day(2027, 1, 1);
    query.sort = storage::SortKey::alert;
    auto page = store->list_projects(query);
    return page ? page->projects.size() : std::size_t{99};
  };
  EXPECT_EQ(row(), "2026-02-24 2026-02-24");
  EXPECT_EQ(read_by_scheduler(), 1u);
  Scheduler scheduler(*store, clock);
  clock->set(at_ten(2026, 2, 14));
  const SchedulerPass warned = scheduler.run_once();
  ASSERT_EQ(warned.fired, 1);  // the warning; the overdue alert is to come
  EXPECT_EQ(warned.looked_at, 1);
  EXPECT_EQ(row(), "2026-02-24 2026-02-24");
  clock->set(at_ten(2026, 2, 26));
  const SchedulerPass overdue_fired = scheduler.run_once();
  ASSERT_EQ(overdue_fired.fired, 1);  // overdue: nothing more for this deadline
  EXPECT_EQ(overdue_fired.looked_at, 1);
  EXPECT_EQ(row(), "2026-02-24 9999-12-31");
  EXPECT_EQ(read_by_scheduler(), 0u);
  // The scheduler itself lists by that column: its next pass reads nothing.
  const SchedulerPass after = scheduler.run_once();
  EXPECT_EQ(after.fired, 0);
  EXPECT_EQ(after.looked_at, 0);
  storage::ProjectQuery overdue;
  overdue.overdue_on = day(2026, 2, 26);
  ASSERT_TRUE(store->list_projects(overdue));
  EXPECT_EQ(store->list_projects(overdue)->projects.size(), 1u);  // still overdue in lists

  // A database from before the column: the migration reads it from the body. (A SQLite
  // migration: on PostgreSQL the test goes on without it.)
  store.reset();
  if (!on_postgres()) {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("DROP INDEX projects_alert");
    db.exec("ALTER TABLE projects DROP COLUMN next_alert_on");
    db.exec("PRAGMA user_version = " + std::to_string(storage::kSchemaVersion - 1));
    auto migrated = storage::migrate(db, storage::kSchemaVersion);
    ASSERT_TRUE(migrated) << migrated.error();
  }
  EXPECT_EQ(row(), "2026-02-24 9999-12-31");

  // A manager extends the deadline: a new due day, with alerts to raise again.
  store = open_store(path, clock);
  ASSERT_TRUE(store);
  storage::WriteRequest extend;
  extend.command.project_id = "P-1";
  extend.command.body =
      engine::ExtendDeadline{DeadlineKind::sla, "lead", day(2026, 3, 3), "企业补充环评材料"};
  extend.actor = {"li", {"manager"}};
  ASSERT_TRUE(store->write(std::move(extend)).get().accepted());
  EXPECT_EQ(row(), "2026-03-03 2026-03-03");
  EXPECT_EQ(read_by_scheduler(), 1u);
}

TEST(Deadlines, OnlyTheSchedulerFiresAndNeverTwice) {
  const auto workflow = timers_workflow();
  ASSERT_TRUE(workflow);
  const engine::FixedClock created_at(at_ten(2026, 2, 12));
  engine::Command command;
  command.project_id = "P-1";
  engine::CreateProject create;
  create.fields["name"] = engine::Value::text("x");
  command.body = create;
  auto project =
      engine::execute(*workflow, engine::Project{}, command, {"zhang", {"staff"}}, created_at);
  ASSERT_TRUE(project);

  const engine::FixedClock late(at_ten(2026, 2, 25));
  engine::Command fire;
  fire.project_id = "P-1";
  fire.body =
      engine::FireDeadline{DeadlineKind::sla, "lead", DeadlineAlert::overdue, day(2026, 2, 24)};
  auto by_manager = engine::decide(*workflow, *project, fire, {"li", {"manager"}}, late);
  ASSERT_FALSE(by_manager);
  EXPECT_TRUE(by_manager.error().has(engine::reason::kRoleNotAllowed));
  std::vector<engine::Event> events;
  auto fired = engine::execute(*workflow, *project, fire, {"system", {"system"}}, late, &events);
  ASSERT_TRUE(fired);
  auto again = engine::decide(*workflow, *fired, fire, {"system", {"system"}}, late);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().has(engine::reason::kNothingToDo));
  // Not yet due: refused.
  const engine::FixedClock early(at_ten(2026, 2, 13));
  auto too_early = engine::decide(*workflow, *project, fire, {"system", {"system"}}, early);
  ASSERT_FALSE(too_early);
  EXPECT_TRUE(too_early.error().has(engine::reason::kDeadlineNotDue));
  // Replaying the events gives the same project (the fired set included).
  EXPECT_EQ(engine::apply(*project, events.at(0)), *fired);
  EXPECT_TRUE(fired->deadlines_fired.contains("sla:lead:overdue:2026-02-24"));
}

TEST(Deadlines, TimerEventsAndTheFiredSetRoundTripThroughTheCodec) {
  engine::Event fired;
  fired.project_id = "P-1";
  fired.version = 4;
  fired.at = at_ten(2026, 2, 25);
  fired.actor = "system";
  fired.body = engine::DeadlineFired{DeadlineKind::milestone, "register_company",
                                     DeadlineAlert::overdue, day(2026, 2, 24)};
  engine::Event extended = fired;
  extended.actor = "li";
  extended.body = engine::DeadlineExtended{DeadlineKind::sla, "lead", day(2026, 2, 24),
                                           day(2026, 3, 3), "补充材料"};
  for (const engine::Event& event : {fired, extended}) {
    const std::string text = storage::encode_event(event);
    auto decoded = storage::decode_event(text);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, event) << text;
  }
  EXPECT_EQ(storage::encode_event(fired),
            R"({"actor":"system","at":1771984800000,"body":{"alert":"overdue","due_on":)"
            R"("2026-02-24","kind":"milestone","name":"register_company"},"project_id":"P-1",)"
            R"("type":"deadline_fired","version":4})");

  engine::Project project;
  project.id = "P-1";
  project.deadlines_fired = {"sla:lead:warning:2026-02-24"};
  auto decoded = storage::decode_project(storage::encode_project(project));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, project);
  // A project without alerts keeps the text it had before timers existed.
  project.deadlines_fired.clear();
  EXPECT_EQ(storage::encode_project(project).find("deadlines_fired"), std::string::npos);
}

}  // namespace
}  // namespace investflow::notify::testing
