// Calendar files, the calendar registry and calendar directories.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

using engine::Date;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Date day(const char* text) {
  return *Date::parse(text);
}

std::vector<std::string> lines_of(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> lines;
  for (const Diagnostic& diagnostic : diagnostics)
    lines.push_back(diagnostic.to_string());
  return lines;
}

TEST(ShippedCalendar, CnMainlandLoadsWithoutErrors) {
  const std::filesystem::path file =
      std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "calendars" / "cn-mainland.yaml";
  const CalendarLoad load = load_calendar_file(file);
  EXPECT_FALSE(has_errors(load.diagnostics))
      << ::testing::PrintToString(lines_of(load.diagnostics));
  ASSERT_NE(load.calendar, nullptr);
  EXPECT_EQ(load.calendar->name(), "cn-mainland");
  EXPECT_EQ(load.calendar->first_year(), 2025);
  EXPECT_EQ(load.calendar->last_year(), 2026);
}

TEST(ShippedCalendar, Has2026SpringFestivalAsHolidays) {
  CalendarRegistry registry;
  const std::vector<Diagnostic> diagnostics = load_calendar_directory(
      std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "calendars", registry);
  ASSERT_FALSE(has_errors(diagnostics)) << ::testing::PrintToString(lines_of(diagnostics));
  const auto calendar = registry.find("cn-mainland");
  ASSERT_NE(calendar, nullptr);
  // 国办发明电〔2025〕7号: 2月15日（农历腊月二十八）至23日（农历正月初七）放假调休，共9天。
  // 2月14日（周六）、2月28日（周六）上班。
  for (Date date = day("2026-02-15"); date <= day("2026-02-23"); date = date.plus_days(1)) {
    EXPECT_TRUE(calendar->is_holiday(date)) << date.to_string();
    EXPECT_FALSE(calendar->is_working_day(date)) << date.to_string();
    EXPECT_THAT(calendar->holiday_name(date), ::testing::HasSubstr("春节"));
    EXPECT_THAT(calendar->holiday_name(date), ::testing::HasSubstr("Spring Festival"));
  }
  EXPECT_FALSE(calendar->is_holiday(day("2026-02-24")));
  EXPECT_TRUE(calendar->is_working_day(day("2026-02-24")));
  EXPECT_TRUE(calendar->is_make_up_working_day(day("2026-02-14")));
  EXPECT_TRUE(calendar->is_working_day(day("2026-02-28")));
}

constexpr std::string_view kSmallCalendar = R"yaml(calendar: test-zone
title: {zh-CN: 测试, en: Test}
source: a notice
years: [2025, 2026]
holidays:
  - name: {zh-CN: 春节, en: Spring Festival}
    from: 2025-01-28
    to: 2025-02-04
    make_up: [2025-01-26, 2025-02-08]
  - name: 元旦
    from: 2026-01-01
)yaml";

TEST(CalendarLoader, ReadsHolidaysAndMakeUpDays) {
  const CalendarLoad load = load_calendar_text(kSmallCalendar, "small.yaml");
  ASSERT_THAT(load.diagnostics, IsEmpty()) << ::testing::PrintToString(lines_of(load.diagnostics));
  ASSERT_NE(load.calendar, nullptr);
  const engine::Calendar& calendar = *load.calendar;
  EXPECT_EQ(calendar.name(), "test-zone");
  EXPECT_EQ(calendar.first_year(), 2025);
  EXPECT_EQ(calendar.last_year(), 2026);
  EXPECT_TRUE(calendar.is_holiday(day("2025-01-28")));
  EXPECT_TRUE(calendar.is_holiday(day("2025-02-04")));
  EXPECT_FALSE(calendar.is_holiday(day("2025-02-05")));
  EXPECT_EQ(calendar.holiday_name(day("2025-01-30")), "春节 / Spring Festival");
  EXPECT_TRUE(calendar.is_make_up_working_day(day("2025-01-26")));
  EXPECT_TRUE(calendar.is_working_day(day("2025-02-08")));
  // `to` defaults to `from`; a plain-text name is used as it is.
  EXPECT_TRUE(calendar.is_holiday(day("2026-01-01")));
  EXPECT_FALSE(calendar.is_holiday(day("2026-01-02")));
  EXPECT_EQ(calendar.holiday_name(day("2026-01-01")), "元旦");
}

TEST(CalendarLoader, ReportsEveryProblemWithItsPosition) {
  const CalendarLoad load = load_calendar_text(R"yaml(calendar: test
years: [2025, 2026]
holidays:
  - name: Bad date
    from: 2025-02-30
  - name: Backwards
    from: 2025-05-05
    to: 2025-05-01
  - name: Outside
    from: 2027-01-01
  - name: First
    from: 2025-10-01
    to: 2025-10-08
  - name: Second
    from: 2025-10-07
    make_up: [2025-09-28, 2025-09-28, 2025-09-29, 2025-10-02]
  - name: Too long
    from: 2025-07-01
    to: 2025-09-01
    colour: red
)yaml",
                                               "bad.yaml");
  EXPECT_EQ(load.calendar, nullptr);
  EXPECT_THAT(
      lines_of(load.diagnostics),
      ElementsAre(
          "bad.yaml:5:11: error: 'from' must be a date YYYY-MM-DD, not '2025-02-30'",
          "bad.yaml:8:9: error: 'to' (2025-05-01) is before 'from' (2025-05-05) in holiday 2",
          "bad.yaml:10:11: error: 'from' 2027-01-01 is outside 'years' (2025-2026)",
          "bad.yaml:14:5: error: holiday 'Second' (2025-10-07) overlaps holiday 'First' (line 11)",
          "bad.yaml:16:27: error: make-up day 2025-09-28 is listed twice (first at line 16)",
          "bad.yaml:16:39: warning: make-up day 2025-09-29 is a Monday, already a working day",
          "bad.yaml:16:51: warning: make-up day 2025-10-02 is a Thursday, already a working day",
          "bad.yaml:16:51: error: make-up day 2025-10-02 is also a day of holiday 'First'",
          "bad.yaml:18:11: error: holiday 6 lasts more than 31 days",
          "bad.yaml:20:5: error: unknown key 'colour' in holiday 6"));
}

TEST(CalendarLoader, NeedsANameAndTwoYears) {
  const CalendarLoad missing = load_calendar_text("holidays: []\n", "c.yaml");
  EXPECT_THAT(lines_of(missing.diagnostics),
              ElementsAre("c.yaml:1:1: error: missing key 'calendar' in the calendar",
                          "c.yaml:1:1: error: missing key 'years' in the calendar"));

  const CalendarLoad bad_years =
      load_calendar_text("calendar: Bad Name\nyears: [2026, 2025]\n", "c.yaml");
  EXPECT_THAT(
      lines_of(bad_years.diagnostics),
      ElementsAre("c.yaml:1:11: error: calendar name 'Bad Name' must use only a-z, 0-9 and '-'",
                  "c.yaml:2:8: error: 'years' must be [FIRST, LAST] with FIRST <= LAST"));

  const CalendarLoad one_year = load_calendar_text("calendar: c\nyears: [2025]\n", "c.yaml");
  EXPECT_THAT(lines_of(one_year.diagnostics),
              ElementsAre("c.yaml:2:8: error: 'years' must be [FIRST, LAST], the first and last "
                          "year covered"));

  const CalendarLoad syntax = load_calendar_text("calendar: c\nyears: [2025\n", "c.yaml");
  ASSERT_EQ(syntax.diagnostics.size(), 1u);
  EXPECT_THAT(syntax.diagnostics[0].message, ::testing::StartsWith("YAML syntax error"));
}

TEST(CalendarRegistry, FindsCalendarsByName) {
  CalendarRegistry registry;
  EXPECT_EQ(registry.find("cn-mainland"), nullptr);
  EXPECT_THAT(registry.names(), IsEmpty());
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("b")));
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("a")));
  registry.add(nullptr);  // ignored
  EXPECT_THAT(registry.names(), ElementsAre("a", "b"));
  ASSERT_NE(registry.find("a"), nullptr);
  EXPECT_EQ(registry.find("a")->name(), "a");
  // A calendar with a name already present replaces it.
  const auto replacement = std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("a"));
  registry.add(replacement);
  EXPECT_EQ(registry.find("a"), replacement);
}

class CalendarDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("investflow-calendars-" +
                  std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name) << text;
  }
  std::filesystem::path directory_;
};

TEST_F(CalendarDirectory, LoadsEveryYamlFileAndReportsTheBrokenOnes) {
  write("a.yaml", "calendar: zone-a\nyears: [2025, 2025]\n");
  write("b.yml", "calendar: zone-b\nyears: [2025, 2025]\n");
  write("c.yaml", "calendar: zone-c\nyears: 2025\n");
  write("d.yaml", "calendar: zone-a\nyears: [2026, 2026]\n");
  write("notes.txt", "not a calendar");
  CalendarRegistry registry;
  const std::vector<Diagnostic> diagnostics = load_calendar_directory(directory_, registry);
  EXPECT_THAT(registry.names(), ElementsAre("zone-a", "zone-b"));
  EXPECT_EQ(registry.find("zone-a")->first_year(), 2025);  // the first file wins
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0].to_string(),
            (directory_ / "c.yaml").string() + ":2:8: error: 'years' must be a list, not '2025'");
  EXPECT_EQ(diagnostics[1].to_string(),
            (directory_ / "d.yaml").string() +
                ":1:1: error: calendar 'zone-a' is already defined in " +
                (directory_ / "a.yaml").string());
}

TEST_F(CalendarDirectory, MissingDirectoryIsAnError) {
  CalendarRegistry registry;
  const std::vector<Diagnostic> diagnostics =
      load_calendar_directory(directory_ / "missing", registry);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_THAT(diagnostics[0].message, ::testing::HasSubstr("cannot read the calendar directory"));
  EXPECT_TRUE(registry.names().empty());
}

TEST_F(CalendarDirectory, WorkflowsUseTheCalendarTheyName) {
  write("zone.yaml",
        "calendar: zone\nyears: [2026, 2026]\nholidays:\n  - {name: 元旦, from: 2026-01-01}\n");
  CalendarRegistry registry;
  ASSERT_THAT(load_calendar_directory(directory_, registry), IsEmpty());
  const WorkflowLoad load = load_workflow_text(
      "workflow: w\nversion: 1\ncalendar: zone\ninitial: a\nstates:\n  a: {terminal: true}\n",
      "w.yaml", registry);
  ASSERT_NE(load.workflow, nullptr) << ::testing::PrintToString(lines_of(load.diagnostics));
  EXPECT_EQ(load.workflow->calendar_name, "zone");
  EXPECT_EQ(load.workflow->calendar, registry.find("zone"));
  EXPECT_TRUE(load.workflow->calendar->is_holiday(day("2026-01-01")));
}

}  // namespace
}  // namespace investflow::workflows
