// The calendars' runway (notify/calendar_watch.hpp): deadlines counted past the official
// data are marked estimated, a calendar deployed into the database is taken by a running
// store without a restart (stored deadlines stay), admins are told once, and the store
// refuses a deployment that drops years.

#include "notify/calendar_watch.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "notify_test_support.hpp"
#include "storage/auth.hpp"
#include "workflows/loader.hpp"

namespace investflow::notify {
namespace {

using namespace testing;

std::string shipped_calendar_text() {
  std::ifstream in(workflows::shipped_workflows_directory() / "calendars" / "cn-mainland.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The shipped calendar with one more year: a test fixture, not the official 2027 notice.
std::string calendar_with_2027() {
  std::string text = shipped_calendar_text();
  const std::string years = "years: [2025, 2026]";
  const auto at = text.find(years);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) text.replace(at, years.size(), "years: [2025, 2027]");
  text +=
      "  - name: {zh-CN: 元旦, en: New Year's Day}\n"
      "    from: 2027-01-01\n"
      "    to: 2027-01-03\n"
      "    make_up: []\n";
  return text;
}

std::shared_ptr<const engine::Calendar> load_calendar(const std::string& text) {
  auto load = workflows::load_calendar_text(text, "cn-mainland.yaml");
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.calendar;
}

class CalendarWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (database.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason();
    ASSERT_EQ(storage::is_postgres_uri(database), on_postgres()) << database;
    store = open_store(database, clock);
    notify_store = open_notify();
  }

  TempDir dir;
  // A SQLite file, or with INVESTFLOW_TEST_STORE=postgresql a PostgreSQL database.
  std::string database = test_database(dir, "zone.db");
  std::shared_ptr<TestClock> clock = std::make_shared<TestClock>(at_ten(2026, 12, 30));
  std::unique_ptr<storage::Store> store;
  std::shared_ptr<NotifyStore> notify_store;

  std::shared_ptr<NotifyStore> open_notify() {
    auto opened = NotifyStore::open(database);
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().message);
    return opened ? *opened : nullptr;
  }

  engine::Project project(const std::string& id) {
    auto found = store->project(id);
    EXPECT_TRUE(found && *found);
    return found && *found ? **found : engine::Project{};
  }
};

TEST_F(CalendarWatchTest, DeployedCalendarIsTakenWithoutRestartAndStoredDeadlinesStay) {
  ASSERT_TRUE(store && notify_store);
  // Wednesday 2026-12-30 plus three working days: the 2026 data end on Thursday, so the
  // count runs on weekends alone to Monday 2027-01-04, an estimate.
  ASSERT_TRUE(create(*store, "P-1").accepted());
  EXPECT_EQ(project("P-1").sla_due_on, day(2027, 1, 4));
  EXPECT_TRUE(project("P-1").sla_due_estimated);
  auto json = store->project_json(std::string("P-1"));
  ASSERT_TRUE(json && *json);
  EXPECT_NE((*json)->body.find("\"sla_due_estimated\":true"), std::string::npos) << (*json)->body;

  // Deploy a calendar holding 2027: New Year's Day 2027 rests from Friday to Sunday.
  const std::string text = calendar_with_2027();
  const auto calendar = load_calendar(text);
  ASSERT_TRUE(calendar);
  auto deployed = store->deploy_calendar(*calendar, text);
  ASSERT_TRUE(deployed) << deployed.error().message;
  EXPECT_TRUE(*deployed);
  auto again = store->deploy_calendar(*calendar, text);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "the same text twice changes nothing";

  CalendarWatch watch(*store, notify_store, clock);
  const CalendarPass pass = watch.run_once();
  EXPECT_EQ(pass.deployed, 1);
  EXPECT_FALSE(pass.failed);
  ASSERT_EQ(store->calendars_in_use().size(), 1u);
  EXPECT_EQ(store->calendars_in_use().front()->last_year(), 2027);
  EXPECT_EQ(watch.run_once().deployed, 0) << "a text already taken is not taken again";

  // New deadlines count on the new data: 2027-01-01 is a holiday now.
  ASSERT_TRUE(create(*store, "P-2").accepted());
  EXPECT_EQ(project("P-2").sla_due_on, day(2027, 1, 5));
  EXPECT_FALSE(project("P-2").sla_due_estimated);
  // The deadline stored before stays as it was computed, still marked an estimate.
  EXPECT_EQ(project("P-1").sla_due_on, day(2027, 1, 4));
  EXPECT_TRUE(project("P-1").sla_due_estimated);

  // A store opened later (another server, or a restart) takes the deployed one too.
  store.reset();
  store = open_store(database, clock);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->calendars_in_use().front()->last_year(), 2026);
  CalendarWatch(*store, notify_store, clock).run_once();
  EXPECT_EQ(store->calendars_in_use().front()->last_year(), 2027);
}

TEST_F(CalendarWatchTest, DeploymentThatDropsYearsIsRefused) {
  ASSERT_TRUE(store);
  const std::string longer = calendar_with_2027();
  ASSERT_TRUE(store->deploy_calendar(*load_calendar(longer), longer));
  const std::string shorter = shipped_calendar_text();
  auto refused = store->deploy_calendar(*load_calendar(shorter), shorter);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("2025-2027"), std::string::npos)
      << refused.error().message;
  auto stored = store->stored_calendars();
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().last_year, 2027);
  EXPECT_EQ(stored->front().source, longer);
}

TEST_F(CalendarWatchTest, AdminsAreToldOnceWhenACalendarRunsOut) {
  ASSERT_TRUE(store && notify_store);
  auto auth = storage::AuthStore::open(database);
  ASSERT_TRUE(auth);
  ASSERT_TRUE((*auth)->add_user("root", {"admin"}, "correct horse battery"));
  ASSERT_TRUE((*auth)->add_user("zhang", {"staff"}, "correct horse battery"));

  // 2026-09-01: 121 days of data left, no warning yet.
  clock->set(at_ten(2026, 9, 1));
  CalendarWatch watch(*store, notify_store, clock);
  auto runway = watch.runway(day(2026, 9, 1));
  ASSERT_EQ(runway.size(), 1u);
  EXPECT_EQ(runway.front().name, "cn-mainland");
  EXPECT_EQ(runway.front().ends, day(2026, 12, 31));
  EXPECT_EQ(runway.front().days_left, 121);
  EXPECT_FALSE(runway.front().warning);
  EXPECT_EQ(watch.run_once().notified, 0);

  // 2026-10-02: 90 days left, the warning starts, and the admin is told once.
  clock->set(at_ten(2026, 10, 2));
  runway = watch.runway(day(2026, 10, 2));
  EXPECT_TRUE(runway.front().warning);
  EXPECT_NE(runway.front().message_zh.find("2026-12-31"), std::string::npos);
  EXPECT_NE(runway.front().message_zh.find("还剩90天"), std::string::npos)
      << runway.front().message_zh;
  EXPECT_EQ(watch.run_once().notified, 1);
  EXPECT_EQ(watch.run_once().notified, 0);
  auto inbox = notify_store->notifications("root", false, 10, "");
  ASSERT_TRUE(inbox);
  ASSERT_EQ(inbox->items.size(), 1u);
  EXPECT_EQ(inbox->items.front().type, "calendar_ends");
  EXPECT_FALSE(inbox->items.front().event_id.has_value());
  EXPECT_EQ(inbox->items.front().project_id, "");
  EXPECT_NE(inbox->items.front().title_zh.find("cn-mainland"), std::string::npos);
  auto staff_inbox = notify_store->notifications("zhang", false, 10, "");
  ASSERT_TRUE(staff_inbox);
  EXPECT_TRUE(staff_inbox->items.empty()) << "only admins are told";

  // Past the end the warning stays (in /healthz) but the admin is not told again.
  clock->set(at_ten(2027, 1, 4));
  runway = watch.runway(day(2027, 1, 4));
  EXPECT_TRUE(runway.front().warning);
  EXPECT_EQ(runway.front().days_left, -4);
  EXPECT_NE(runway.front().message_zh.find("已于2026-12-31结束"), std::string::npos);
  EXPECT_EQ(watch.run_once().notified, 0);

  // A calendar with 2027 deployed: nothing to warn of until October 2027.
  const std::string text = calendar_with_2027();
  ASSERT_TRUE(store->deploy_calendar(*load_calendar(text), text));
  watch.run_once();
  EXPECT_FALSE(watch.runway(day(2027, 1, 4)).front().warning);
}

}  // namespace
}  // namespace investflow::notify
