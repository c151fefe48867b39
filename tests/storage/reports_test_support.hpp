#pragma once
// Shared by the report tests: a small investment workflow with the stages and fields reports
// give a meaning to (tagged), dated command helpers, and a snapshot of every summary table.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <future>
#include <map>
#include <set>
#include <string>
#include <string_view>
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
  name: {type: text, required: true, label: {zh-CN: 项目名称, en: Name}, report: name}
  investor: {type: text, label: {zh-CN: 投资主体, en: Investor}, report: enterprise}
  industry: {type: enum, options: [new_materials, electronics, other], label: {zh-CN: 产业, en: Industry}, report: industry}
  chain_role: {type: enum, options: [build, strengthen, extend, fill], label: {zh-CN: 链条, en: Chain}, report: chain_role}
  promoting_unit: {type: text, label: {zh-CN: 招商单位, en: Unit}, report: promoting_unit}
  total_investment: {type: money, unit: 万元, min: 0, label: {zh-CN: 总投资, en: Investment}, report: investment}
  floor_area: {type: area, unit: m², min: 0, label: {zh-CN: 面积, en: Floor area}, report: floor_area}
  committed_investment: {type: money, unit: 万元, min: 0, label: {zh-CN: 承诺投资, en: Committed}, report: committed_investment}
  funds_in_place: {type: money, unit: 万元, min: 0, label: {zh-CN: 到位资金, en: Funds}, report: funds_in_place}
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}, sla: {working_days: 2}, report: lead}
  review: {label: {zh-CN: 评审, en: Review}}
  escalated: {label: {zh-CN: 提请审定, en: Escalated}}
  approved: {label: {zh-CN: 通过, en: Approved}}
  signed: {label: {zh-CN: 已签约, en: Signed}, report: signed}
  under_construction: {label: {zh-CN: 在建, en: Under construction}, report: construction_started}
  completed: {label: {zh-CN: 竣工, en: Completed}, report: completed}
  in_production: {label: {zh-CN: 投产, en: In production}, report: in_production}
  at_capacity: {label: {zh-CN: 达产, en: At capacity}, report: at_capacity}
  withdrawn: {label: {zh-CN: 撤回, en: Withdrawn}, terminal: true}
  exited: {label: {zh-CN: 退出, en: Exited}, terminal: true, report: exited}
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

// The states, fields, transitions and milestones of kPipeWorkflow.
inline const std::set<std::string, std::less<>>& pipe_names() {
  static const std::set<std::string, std::less<>> names = {"lead",
                                                           "review",
                                                           "escalated",
                                                           "approved",
                                                           "signed",
                                                           "under_construction",
                                                           "completed",
                                                           "in_production",
                                                           "at_capacity",
                                                           "withdrawn",
                                                           "exited",
                                                           "name",
                                                           "investor",
                                                           "industry",
                                                           "chain_role",
                                                           "promoting_unit",
                                                           "total_investment",
                                                           "floor_area",
                                                           "committed_investment",
                                                           "funds_in_place",
                                                           "submit",
                                                           "back",
                                                           "escalate",
                                                           "approve",
                                                           "sign",
                                                           "start",
                                                           "complete",
                                                           "produce",
                                                           "reach_capacity",
                                                           "withdraw",
                                                           "exit",
                                                           "start_construction",
                                                           "pay_bond"};
  return names;
}

// A name of kPipeWorkflow as the renamed workflow spells it: one no shipped workflow uses.
inline std::string odd_name(std::string_view name) {
  return "zq_" + std::string(name);
}

// kPipeWorkflow with every state, field, transition and milestone renamed (odd_name); the
// report tags (`report: signed` ...) stay as they are, so reports must give the same figures.
inline std::string renamed_pipe_workflow() {
  const std::string text = kPipeWorkflow;
  std::string out;
  std::size_t i = 0;
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
  };
  while (i < text.size()) {
    if (!word_char(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_char(text[end]))
      ++end;
    const std::string word = text.substr(i, end - i);
    const bool tag = out.size() >= 8 && out.compare(out.size() - 8, 8, "report: ") == 0;
    out += !tag && pipe_names().contains(word) ? odd_name(word) : word;
    i = end;
  }
  return out;
}

// kPipeWorkflow without its report tags: reports say "not applicable" for its figures.
inline std::string untagged_pipe_workflow() {
  std::string text = kPipeWorkflow;
  for (std::size_t at = text.find(", report: "); at != std::string::npos;
       at = text.find(", report: ", at)) {
    const std::size_t end = text.find('}', at);
    text.erase(at, end - at);
  }
  return text;
}

inline std::shared_ptr<const engine::Workflow> pipe_workflow(
    const std::string& yaml = kPipeWorkflow) {
  auto load = workflows::load_workflow_text(yaml, "pipe.yaml", test_calendars());
  for (const auto& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  return load.workflow;
}

inline std::unique_ptr<Store> open_pipe_store(const std::filesystem::path& path,
                                              const std::string& yaml = kPipeWorkflow) {
  SqliteOptions options;
  options.clock = std::make_shared<engine::FixedClock>(kMonday);
  options.synchronous = Synchronous::normal;
  auto store = open_sqlite_store(path, options);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  auto registered = (*store)->register_workflow(pipe_workflow(yaml), yaml);
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

// Creates project `id`, named `id` in its field `name_field`.
inline WriteRequest create_at(const std::string& id, engine::Timestamp at, engine::FieldMap fields,
                              const std::string& name_field = "name") {
  fields[name_field] = engine::Value::text(id);
  WriteRequest request;
  request.command.project_id = id;
  request.command.body = engine::CreateProject{"", std::move(fields)};
  return dated(std::move(request), at);
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
      {"report_problems", "SELECT * FROM report_problems WHERE problems <> 0 ORDER BY 1,2,3,4,5,6"},
      {"report_problem_months",
       "SELECT * FROM report_problem_months WHERE problems <> 0 ORDER BY 1,2,3,4,5,6"},
      {"report_problem_closings",
       "SELECT * FROM report_problem_closings WHERE problems <> 0 ORDER BY 1,2,3"},
      {"report_enterprise_days",
       "SELECT * FROM report_enterprise_days WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_enterprises",
       "SELECT * FROM report_enterprises WHERE enterprises <> 0 ORDER BY 1,2,3"},
      {"report_pipeline_by",
       "SELECT * FROM report_pipeline_by WHERE projects <> 0 ORDER BY 1,2,3,4"},
      {"report_enterprise_marks",
       "SELECT * FROM report_enterprise_marks WHERE links <> 0 ORDER BY 1,2,3"},
      {"report_created_months",
       "SELECT * FROM report_created_months WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_reached_months",
       "SELECT * FROM report_reached_months WHERE projects <> 0 ORDER BY 1,2,3"},
      {"report_duration_months",
       "SELECT * FROM report_duration_months WHERE visits <> 0 ORDER BY 1,2,3"},
      {"report_enterprise_mark_months",
       "SELECT * FROM report_enterprise_mark_months WHERE links <> 0 ORDER BY 1,2,3"},
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
