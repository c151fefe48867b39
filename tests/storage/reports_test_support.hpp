#pragma once
// Shared by the report tests: a small investment workflow with the stages reports give a
// meaning to, dated command helpers, and a snapshot of every summary table.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "storage/store.hpp"
#include "tests/storage/storage_test_support.hpp"

namespace investflow::storage::testing {

// lead -> review -> [escalated] -> approved -> signed -> under_construction -> completed
// -> in_production -> at_capacity; back from review to lead; withdraw from anywhere; exit
// after signing.
inline constexpr const char* kPipeWorkflow = R"yaml(
workflow: pipe
version: 1
title: {zh-CN: 招商引资项目, en: Investment project}
calendar: weekends
roles: [staff, manager]
fields:
  name: {type: text, required: true, label: {zh-CN: 项目名称, en: Name}}
  investor: {type: text, label: {zh-CN: 投资主体, en: Investor}}
  industry: {type: enum, options: [new_materials, electronics, other], label: {zh-CN: 产业, en: Industry}}
  chain_role: {type: enum, options: [build, strengthen, extend, fill], label: {zh-CN: 链条, en: Chain}}
  promoting_unit: {type: text, label: {zh-CN: 招商单位, en: Unit}}
  total_investment: {type: money, unit: 万元, min: 0, label: {zh-CN: 总投资, en: Investment}}
  floor_area: {type: area, unit: m², min: 0, label: {zh-CN: 面积, en: Floor area}}
  committed_investment: {type: money, unit: 万元, min: 0, label: {zh-CN: 承诺投资, en: Committed}}
  funds_in_place: {type: money, unit: 万元, min: 0, label: {zh-CN: 到位资金, en: Funds}}
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}, sla: {working_days: 2}}
  review: {label: {zh-CN: 评审, en: Review}}
  escalated: {label: {zh-CN: 提请审定, en: Escalated}}
  approved: {label: {zh-CN: 通过, en: Approved}}
  signed: {label: {zh-CN: 已签约, en: Signed}}
  under_construction: {label: {zh-CN: 在建, en: Under construction}}
  completed: {label: {zh-CN: 竣工, en: Completed}}
  in_production: {label: {zh-CN: 投产, en: In production}}
  at_capacity: {label: {zh-CN: 达产, en: At capacity}}
  withdrawn: {label: {zh-CN: 撤回, en: Withdrawn}, terminal: true}
  exited: {label: {zh-CN: 退出, en: Exited}, terminal: true}
transitions:
  - {id: submit, from: lead, to: review, roles: [staff]}
  - {id: back, from: review, to: lead, roles: [manager]}
  - {id: escalate, from: review, to: escalated, roles: [manager]}
  - {id: approve, from: [review, escalated], to: approved, roles: [manager]}
  - {id: sign, from: approved, to: signed, roles: [manager]}
  - {id: start, from: signed, to: under_construction, roles: [staff]}
  - {id: complete, from: under_construction, to: completed, roles: [staff]}
  - {id: produce, from: completed, to: in_production, roles: [staff]}
  - {id: reach_capacity, from: in_production, to: at_capacity, roles: [manager]}
  - {id: withdraw, from: "*", to: withdrawn, roles: [manager]}
  - {id: exit, from: [signed, under_construction, completed, in_production, at_capacity], to: exited, roles: [manager]}
milestones:
  start_construction: {after: signed, within: {days: 30}}
  pay_bond: {after: signed, within: {days: 5}}
)yaml";

inline std::shared_ptr<const engine::Workflow> pipe_workflow() {
  auto load = workflows::load_workflow_text(kPipeWorkflow, "pipe.yaml", test_calendars());
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.workflow;
}

inline std::unique_ptr<Store> open_pipe_store(const std::filesystem::path& path) {
  SqliteOptions options;
  options.clock = std::make_shared<engine::FixedClock>(kMonday);
  options.synchronous = Synchronous::normal;
  auto store = open_sqlite_store(path, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  auto registered = (*store)->register_workflow(pipe_workflow(), kPipeWorkflow);
  if (!registered) ADD_FAILURE() << registered.error().message;
  return std::move(*store);
}

// 09:00 China time on 2026-MM-DD.
inline engine::Timestamp on(int month, int day) {
  return engine::start_of_day(*engine::Date::from_ymd(2026, month, day)) + 9 * 3600 * 1000;
}

inline engine::Date date(int month, int day) {
  return *engine::Date::from_ymd(2026, month, day);
}

inline engine::Actor boss() {
  return {"boss", {"manager", "staff"}};
}

inline WriteRequest dated(WriteRequest request, engine::Timestamp at) {
  request.at = at;
  request.workflow = "pipe";
  request.actor = boss();
  return request;
}

inline WriteRequest create_at(const std::string& id, engine::Timestamp at,
                              engine::FieldMap fields) {
  return dated(create_request(id, id, std::move(fields)), at);
}

inline WriteRequest take_at(const std::string& id, const std::string& transition,
                            engine::Timestamp at, engine::FieldMap fields = {}) {
  return dated(transition_request(id, transition, boss(), std::move(fields)), at);
}

inline WriteRequest edit_at(const std::string& id, engine::Timestamp at, engine::FieldMap fields) {
  WriteRequest request;
  request.command.project_id = id;
  request.command.body = engine::EditFields{std::move(fields)};
  return dated(std::move(request), at);
}

inline WriteRequest milestone_at(const std::string& id, const std::string& milestone,
                                 engine::Timestamp at, engine::Date done_on) {
  WriteRequest request;
  request.command.project_id = id;
  request.command.body = engine::RecordMilestone{milestone, std::nullopt, done_on, ""};
  return dated(std::move(request), at);
}

// Every summary row, as text, zero rows left out (a key whose projects all moved on).
using Snapshot = std::map<std::string, std::vector<std::string>>;

inline Snapshot snapshot_reports(const std::filesystem::path& path) {
  SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
  Snapshot snapshot;
  const std::vector<std::pair<std::string, std::string>> tables = {
      {"report_projects", "SELECT * FROM report_projects ORDER BY 1"},
      {"report_pipeline", "SELECT * FROM report_pipeline WHERE projects <> 0 ORDER BY 1,2,3,4,5,6"},
      {"report_created", "SELECT * FROM report_created WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_reached", "SELECT * FROM report_reached WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_funnel", "SELECT * FROM report_funnel WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_durations", "SELECT * FROM report_durations WHERE visits <> 0 ORDER BY 1,2,3,4"},
      {"report_deadlines", "SELECT * FROM report_deadlines WHERE met <> 0 ORDER BY 1,2,3,4"},
      {"report_signed", "SELECT * FROM report_signed WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_signed_funds", "SELECT * FROM report_signed_funds WHERE projects <> 0 ORDER BY 1,2"},
  };
  for (const auto& [table, sql] : tables) {
    SQLite::Statement select(db, sql);
    auto& rows = snapshot[table];
    while (select.executeStep()) {
      std::string row;
      for (int i = 0; i < select.getColumnCount(); ++i) {
        const SQLite::Column column = select.getColumn(i);
        if (column.isFloat()) {
          // Sums of many additions and subtractions: equal to a micro-万元.
          const double value = std::round(column.getDouble() * 1e6) / 1e6;
          row += std::to_string(value == 0 ? 0.0 : value);
        } else {
          row += column.isNull() ? "NULL" : column.getString();
        }
        row += '|';
      }
      rows.push_back(std::move(row));
    }
  }
  return snapshot;
}

}  // namespace investflow::storage::testing
