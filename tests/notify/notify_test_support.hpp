#pragma once
// Shared by the notify tests: a workflow with timers on the official calendar, a store on
// a temporary database with an injected clock, and helpers to write and wait.
//
// INVESTFLOW_TEST_STORE=postgresql (ctest's notify_tests_on_postgresql) runs the suites that
// open a store on a PostgreSQL database of their own per test (test_database), else on a
// SQLite file; exec_sql and query_rows reach either with raw SQL.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/command.hpp"
#include "engine/date.hpp"
#include "notify/notify_store.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/store.hpp"
#include "tests/storage/storage_test_support.hpp"
#include "tests/support/pg_server.hpp"
#include "workflows/loader.hpp"

namespace investflow::notify::testing {

// lead (SLA 3 working days, warned 1 ahead, escalated to manager) -> signed, where a
// company must be registered within 5 working days and a visit is due every month.
inline constexpr const char* kTimersWorkflow = R"yaml(
workflow: timers
version: 1
title: {zh-CN: 时限测试, en: Timers}
calendar: cn-mainland
roles: [staff, manager, admin]
fields:
  name: {type: text, required: true, report: name, label: {zh-CN: 项目名称, en: Name}}
  registered_on: {type: date, label: {zh-CN: 注册日期, en: Registered on}}
initial: lead
states:
  lead:
    label: {zh-CN: 线索, en: Lead}
    sla: {working_days: 3, warn_before: 1, escalate: [manager]}
  signed: {label: {zh-CN: 已签约, en: Signed}}
  closed: {label: {zh-CN: 已关闭, en: Closed}, terminal: true}
transitions:
  - id: sign
    from: lead
    to: signed
    roles: [staff]
  - id: close
    from: "*"
    to: closed
    roles: [manager]
milestones:
  register_company:
    label: {zh-CN: 注册公司, en: Register the company}
    after: signed
    within: {working_days: 5}
    field: registered_on
followup: {in: [signed], every: {months: 1}, role: staff}
notify:
  - on: {enter: signed}
    to: [owner, role:manager]
    channels: [inbox, webhook]
  - on: sla_warning
    to: [owner]
    channels: [inbox]
  - on: sla_overdue
    to: [owner]
    channels: [inbox, webhook]
  - on: milestone_overdue
    to: [owner, role:manager]
    channels: [inbox]
  - on: followup_due
    to: [owner]
    channels: [inbox]
)yaml";

inline std::shared_ptr<const engine::Workflow> timers_workflow() {
  workflows::CalendarRegistry calendars;
  const auto diagnostics = workflows::load_calendar_directory(
      workflows::shipped_workflows_directory() / "calendars", calendars);
  for (const auto& diagnostic : diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  auto load = workflows::load_workflow_text(kTimersWorkflow, "timers.yaml", calendars);
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.workflow;
}

// 10:00 China time on a day.
inline engine::Timestamp at_ten(int year, int month, int day) {
  return engine::start_of_day(*engine::Date::from_ymd(year, month, day)) + 10 * 3600 * 1000;
}
inline engine::Date day(int year, int month, int day_of_month) {
  return *engine::Date::from_ymd(year, month, day_of_month);
}

using storage::testing::TempDir;  // the storage tests' temporary directory

// A clock tests move by hand, shared by the store and the notify classes.
class TestClock final : public engine::Clock {
 public:
  explicit TestClock(engine::Timestamp now) : now_(now) {}
  engine::Timestamp now() const override { return now_.load(); }
  void set(engine::Timestamp now) { now_.store(now); }

 private:
  std::atomic<engine::Timestamp> now_;
};

// Whether this run is on PostgreSQL (INVESTFLOW_TEST_STORE=postgresql).
inline bool on_postgres() {
  const char* kind = std::getenv("INVESTFLOW_TEST_STORE");
  return kind != nullptr && std::string_view(kind) == "postgresql";
}

// Where a test's stores live: the SQLite file `name` in `dir`, or on PostgreSQL a new
// database of the test's own (a postgresql:// URI; empty when PostgreSQL cannot start, and
// investflow::testing::pg_skip_reason() says why).
inline std::string test_database(const TempDir& dir, const std::string& name) {
  if (on_postgres()) return investflow::testing::fresh_pg_database("notify");
  return dir.file(name).string();
}

// `const std::string db` naming the test's database, or the test skipped, saying why; and
// checked to be of this run's kind (a run on PostgreSQL on SQLite files would pass unnoticed).
#define NOTIFY_DATABASE_OR_SKIP(db, dir, name)                                  \
  const std::string db = investflow::notify::testing::test_database(dir, name); \
  if (db.empty()) GTEST_SKIP() << investflow::testing::pg_skip_reason();        \
  EXPECT_EQ(storage::is_postgres_uri(db), investflow::notify::testing::on_postgres()) << db

// Raw SQL on a test's database (a SQLite file or a postgresql:// URI), no parameters: rows
// a fixture writes, and what the stores wrote, read back.
inline void exec_sql(const std::string& db, const std::string& sql) {
  if (storage::is_postgres_uri(db)) {
    storage::PgConnection connection(db);
    connection.exec_script(sql);
  } else {
    SQLite::Database connection(db, SQLite::OPEN_READWRITE);
    connection.exec(sql);
  }
}

// Every row of a query, its first `columns` columns as text (NULL as "").
inline std::vector<std::vector<std::string>> query_rows(const std::string& db,
                                                        const std::string& sql, int columns = 1) {
  std::vector<std::vector<std::string>> rows;
  if (storage::is_postgres_uri(db)) {
    storage::PgConnection connection(db);
    const storage::PgResult result = connection.exec(sql);
    for (int row = 0; row < result.rows(); ++row) {
      std::vector<std::string> values;
      for (int column = 0; column < columns; ++column)
        values.emplace_back(result.text(row, column));
      rows.push_back(std::move(values));
    }
  } else {
    SQLite::Database connection(db, SQLite::OPEN_READONLY);
    SQLite::Statement statement(connection, sql);
    while (statement.executeStep()) {
      std::vector<std::string> values;
      for (int column = 0; column < columns; ++column)
        values.push_back(statement.getColumn(column).getString());
      rows.push_back(std::move(values));
    }
  }
  return rows;
}

// The first column of a query's first row as text ("none" without a row), or as a number.
inline std::string query_text(const std::string& db, const std::string& sql) {
  const auto rows = query_rows(db, sql);
  return rows.empty() ? std::string("none") : rows.front().front();
}
inline std::int64_t query_number(const std::string& db, const std::string& sql) {
  return std::stoll(query_text(db, sql));
}

inline std::unique_ptr<storage::Store> open_store(const std::string& database,
                                                  std::shared_ptr<const engine::Clock> clock) {
  storage::SqliteOptions options;
  options.clock = clock;
  storage::PgOptions pg_options;
  pg_options.clock = std::move(clock);
  auto store = storage::open_store_at(database, options, pg_options);
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  if (!store) return nullptr;
  auto registered = (*store)->register_workflow(timers_workflow(), kTimersWorkflow);
  EXPECT_TRUE(registered) << (registered ? "" : registered.error().message);
  return std::move(*store);
}

inline storage::WriteResult create(storage::Store& store, const std::string& id,
                                   const std::string& owner = "zhang") {
  storage::WriteRequest request;
  request.command.project_id = id;
  engine::CreateProject create;
  create.owner = owner;
  create.fields["name"] = engine::Value::text("新材料项目" + id);
  request.command.body = std::move(create);
  request.actor = {owner, {"staff"}};
  request.workflow = "timers";
  return store.write(std::move(request)).get();
}

inline storage::WriteResult transition(storage::Store& store, const std::string& id,
                                       const std::string& name, engine::Actor actor) {
  storage::WriteRequest request;
  request.command.project_id = id;
  engine::TakeTransition take;
  take.transition = name;
  request.command.body = std::move(take);
  request.actor = std::move(actor);
  return store.write(std::move(request)).get();
}

// Polls `done` until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace investflow::notify::testing
