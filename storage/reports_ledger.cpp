#include "storage/reports_ledger.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string_view>
#include <tuple>
#include <utility>

#include "engine/decide.hpp"
#include "engine/migration.hpp"
#include "storage/codec.hpp"
#include "workflows/loader.hpp"

namespace investflow::storage {
namespace {

// The summary tables the ledger adds to, by index: dimension columns, then sum columns. A
// daily table may have a twin by month (YYYYMM) that the ledger keeps with it, so a long
// period reads whole months and only the days at its ends: the twin's key is the table's
// first dims, the day at `day_dim` as its month; its sums are the table's first sums.
struct SummaryTable {
  const char* name;
  std::vector<const char*> dims;
  std::vector<const char*> sums;
  int months = -1;  // the twin's index; -1: none
  std::size_t day_dim = 0;
};

enum Table {
  kPipeline,
  kCreated,
  kReached,
  kFunnel,
  kDurations,
  kDeadlines,
  kSigned,
  kSignedFunds,
  kFunds,
  kUnitReached,
  kProblems,
  kProblemMonths,
  kProblemClosings,
  kEnterpriseDays,
  kEnterprises,
  kPipelineBy,
  kEnterpriseMarks,
  kCreatedMonths,
  kReachedMonths,
  kDurationMonths,
  kEnterpriseMarkMonths
};

// report_enterprise_marks.kind: the links of the enterprises' chains by the day they lead to
// (created_day in report_enterprises) or come from (previous_day).
constexpr std::int64_t kMarkCreated = 0;
constexpr std::int64_t kMarkPrevious = 1;

const std::array<SummaryTable, 21>& summary_tables() {
  static const std::array<SummaryTable, 21> tables = {{
      {"report_pipeline",
       {"workflow", "state", "industry", "chain_role", "owner", "promoting_unit"},
       {"projects", "investment"}},
      {"report_created",
       {"workflow", "created_day", "state"},
       {"projects", "investment", "floor_area"},
       kCreatedMonths,
       1},
      {"report_reached",
       {"workflow", "reached_day", "state"},
       {"projects", "investment"},
       kReachedMonths,
       1},
      {"report_funnel", {"workflow", "created_day", "state"}, {"projects"}},
      {"report_durations",
       {"workflow", "state", "left_day", "entered_day"},
       {"visits"},
       kDurationMonths,
       2},
      {"report_deadlines", {"workflow", "kind", "met_day", "on_time"}, {"met"}},
      {"report_signed", {"workflow", "signed_day", "state"}, {"projects"}},
      {"report_signed_funds",
       {"workflow", "signed_day"},
       {"projects", "funds_in_place", "committed"}},
      // funds (issue 16): the 到位资金 ledger by month (YYYYMM), source and promoting unit,
      // and first entries by promoting unit (progress against the units' targets).
      {"report_funds", {"workflow", "month", "source", "promoting_unit"}, {"entries", "amount"}},
      {"report_unit_reached",
       {"workflow", "state", "reached_day", "promoting_unit"},
       {"projects", "investment"}},
      // problems (issue 17): the service desk's figures (problem_report.hpp).
      {"report_problems",
       {"workflow", "terminal", "created_day", "resolved", "unit", "category"},
       {"problems", "on_time"},
       kProblemMonths,
       2},
      {"report_problem_months",
       {"workflow", "terminal", "month", "resolved", "unit", "category"},
       {"problems", "on_time"}},
      {"report_problem_closings", {"workflow", "created_day", "resolved_day"}, {"problems"}},
      // distinct enterprises (issue 22): the days each enterprise brought projects, and each
      // such day counted against the enterprise's previous one (flush() keeps the second).
      {"report_enterprise_days", {"workflow", "investor", "created_day"}, {"projects"}},
      {"report_enterprises", {"workflow", "created_day", "previous_day"}, {"enterprises"}},
      // the pipeline by one dimension at a time (issue 22): a few rows per state where
      // report_pipeline has one per combination of all four.
      {"report_pipeline_by",
       {"workflow", "dimension", "value", "state"},
       {"projects", "investment"}},
      {"report_enterprise_marks", {"workflow", "kind", "day"}, {"links"}, kEnterpriseMarkMonths, 2},
      // the month twins (issue 22): a period's whole months from here (period_parts).
      {"report_created_months",
       {"workflow", "month", "state"},
       {"projects", "investment", "floor_area"}},
      {"report_reached_months", {"workflow", "month", "state"}, {"projects", "investment"}},
      {"report_duration_months", {"workflow", "state", "month"}, {"visits"}},
      {"report_enterprise_mark_months", {"workflow", "kind", "month"}, {"links"}},
  }};
  return tables;
}

std::string upsert_sql(const SummaryTable& table) {
  std::string columns;
  std::string values;
  std::string conflict;
  for (const char* dim : table.dims) {
    columns += std::string(columns.empty() ? "" : ", ") + dim;
    values += values.empty() ? "?" : ", ?";
    conflict += std::string(conflict.empty() ? "" : ", ") + dim;
  }
  std::string update;
  for (const char* sum : table.sums) {
    columns += std::string(", ") + sum;
    values += ", ?";
    update += std::string(update.empty() ? "" : ", ") + sum + " = " + table.name + "." + sum +
              " + excluded." + sum;
  }
  return std::string("INSERT INTO ") + table.name + " (" + columns + ") VALUES (" + values +
         ") ON CONFLICT (" + conflict + ") DO UPDATE SET " + update;
}

std::int32_t day_of(engine::Timestamp at) {
  return engine::local_date(at).days_since_epoch();
}

std::string text_of(const engine::Workflow& workflow, const engine::Project& project,
                    engine::FieldTag tag) {
  const engine::FieldDef* field = workflow.tagged(tag);
  if (field == nullptr) return {};
  const auto found = project.fields.find(field->name);
  if (found == project.fields.end() || found->second.is_null()) return {};
  if (const std::string* text = found->second.as_text()) return *text;
  return found->second.to_display();
}

double number_of(const engine::Workflow& workflow, const engine::Project& project,
                 engine::FieldTag tag) {
  const engine::FieldDef* field = workflow.tagged(tag);
  if (field == nullptr) return 0;
  const auto found = project.fields.find(field->name);
  if (found == project.fields.end()) return 0;
  const double* number = found->second.as_number();
  return number != nullptr ? *number : 0;
}

// The id of the state carrying `tag`, or empty (no state id is empty).
std::string_view tagged_state(const engine::Workflow& workflow, engine::StateTag tag) {
  const engine::StateDef* state = workflow.tagged(tag);
  return state == nullptr ? std::string_view() : std::string_view(state->id);
}

bool has_reached(const std::string& reached, std::string_view state) {
  return reached.find("|" + std::string(state) + "|") != std::string::npos;
}

constexpr const char* kProjectColumns =
    "workflow, state, industry, chain_role, owner, promoting_unit, investor, name, "
    "created_day, state_entered_at, investment, floor_area, committed, funds_in_place, "
    "reached, signed_day, started_day, completed_day, production_day, exited_day, "
    "start_due_day, start_done_day, completion_due_day, completion_done_day, breach_day, "
    "start_open_due_day";
constexpr int kProjectColumnCount = 26;
// Added by migration 21; a rebuild on an older schema (migration 12) goes without them.
constexpr const char* kProblemColumns =
    ", problem_status, problem_unit, problem_category, problem_on_time";
constexpr int kProblemColumnCount = 4;

// What an upsert of report_projects sets when the row exists.
std::string project_updates(bool problem_columns) {
  return std::string(
             "state = excluded.state, industry = excluded.industry, "
             "chain_role = excluded.chain_role, owner = excluded.owner, "
             "promoting_unit = excluded.promoting_unit, investor = excluded.investor, "
             "name = excluded.name, state_entered_at = excluded.state_entered_at, "
             "investment = excluded.investment, floor_area = excluded.floor_area, "
             "committed = excluded.committed, funds_in_place = excluded.funds_in_place, "
             "reached = excluded.reached, signed_day = excluded.signed_day, "
             "started_day = excluded.started_day, completed_day = excluded.completed_day, "
             "production_day = excluded.production_day, exited_day = excluded.exited_day, "
             "start_due_day = excluded.start_due_day, start_done_day = excluded.start_done_day, "
             "completion_due_day = excluded.completion_due_day, "
             "completion_done_day = excluded.completion_done_day, "
             "breach_day = excluded.breach_day, start_open_due_day = excluded.start_open_due_day") +
         (problem_columns ? ", problem_status = excluded.problem_status, "
                            "problem_unit = excluded.problem_unit, "
                            "problem_category = excluded.problem_category, "
                            "problem_on_time = excluded.problem_on_time"
                          : "");
}

constexpr int kProblemTerminal = 1;  // problem_status bits
constexpr int kProblemResolved = 2;

// A milestone's due day and the day it was kept: its recorded date, else its date field's
// value, else (met through `done_when`, no date known) its due day; nullopt while open.
struct MilestoneDays {
  std::int32_t due = 0;
  std::optional<std::int32_t> done;
};

std::optional<MilestoneDays> milestone_days(const engine::Workflow& workflow,
                                            const engine::Project& project,
                                            engine::MilestoneTag tag) {
  const engine::MilestoneDef* def = workflow.tagged(tag);
  if (def == nullptr) return std::nullopt;
  const auto found = project.milestones.find(def->id);
  if (found == project.milestones.end()) return std::nullopt;  // its clock has not started
  const engine::MilestoneState& state = found->second;
  MilestoneDays days{state.due_on.days_since_epoch(), std::nullopt};
  if (state.done_on) {
    days.done = state.done_on->days_since_epoch();
  } else if (!def->field.empty()) {
    const auto field = project.fields.find(def->field);
    if (field != project.fields.end()) {
      if (const engine::Date* date = field->second.as_date()) days.done = date->days_since_epoch();
    }
  }
  if (!days.done && def->done_when &&
      engine::detail::milestone_done_under(workflow, project, def, state,
                                           engine::local_date(project.updated_at))) {
    days.done = days.due;
  }
  return days;
}

void bind_day(SqlStatement& statement, int index, const std::optional<std::int32_t>& day) {
  if (day) {
    statement.bind(index, *day);
  } else {
    statement.bind(index);
  }
}

std::optional<std::int32_t> day_column(SqlStatement& select, int index) {
  if (select.getColumn(index).isNull()) return std::nullopt;
  return select.getColumn(index).getInt();
}

// Every stored workflow version, for its tags. A project of one that does not load is read
// with no tags (its figures are not applicable, its stages still counted).
class StoredWorkflows {
 public:
  explicit StoredWorkflows(SqlDatabase& db) {
    const auto calendars = workflows::CalendarRegistry::with_stand_ins();
    auto stored = db.statement("SELECT id, version, source FROM workflows");
    while (stored->executeStep()) {
      auto load = workflows::load_workflow_text(stored->getColumn(2).getString(), "stored workflow",
                                                calendars);
      if (load.workflow) {
        versions_.emplace(
            std::pair{stored->getColumn(0).getString(), stored->getColumn(1).getInt64()},
            std::move(load.workflow));
      }
    }
  }
  const engine::Workflow& of(const std::string& id, std::int64_t version) const {
    const auto found = versions_.find({id, version});
    return found == versions_.end() ? *untagged_ : *found->second;
  }
  // The ids of the workflows with a version that has a state tagged `tag`.
  std::vector<std::string> tagged(engine::StateTag tag) const {
    std::vector<std::string> ids;
    for (const auto& [key, workflow] : versions_) {
      if (workflow->tagged(tag) != nullptr &&
          std::find(ids.begin(), ids.end(), key.first) == ids.end()) {
        ids.push_back(key.first);
      }
    }
    return ids;
  }

 private:
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const engine::Workflow>> versions_;
  std::shared_ptr<const engine::Workflow> untagged_ =
      engine::Workflow::make(engine::WorkflowDefinition{});
};

}  // namespace

std::int64_t month_key(engine::Date day) {
  const engine::YearMonthDay ymd = day.ymd();
  return std::int64_t{ymd.year} * 100 + ymd.month;
}

ReportProject report_project_of(const engine::Workflow& workflow, const engine::Project& project,
                                ReportMemory memory) {
  using engine::FieldTag;
  ReportProject row;
  row.workflow = project.workflow;
  row.state = project.state;
  row.industry = text_of(workflow, project, FieldTag::industry);
  row.chain_role = text_of(workflow, project, FieldTag::chain_role);
  row.owner = project.owner;
  row.promoting_unit = text_of(workflow, project, FieldTag::promoting_unit);
  row.investor = text_of(workflow, project, FieldTag::enterprise);
  row.name = text_of(workflow, project, FieldTag::name);
  row.created_day = day_of(project.created_at);
  row.state_entered_at = project.state_entered_at;
  row.investment = number_of(workflow, project, FieldTag::investment);
  row.floor_area = number_of(workflow, project, FieldTag::floor_area);
  row.committed = number_of(workflow, project, FieldTag::committed_investment);
  row.funds_in_place = number_of(workflow, project, FieldTag::funds_in_place);
  row.reached = std::move(memory.reached);
  row.signed_day = memory.signed_day;
  row.started_day = memory.started_day;
  row.completed_day = memory.completed_day;
  row.production_day = memory.production_day;
  row.exited_day = memory.exited_day;
  using engine::MilestoneTag;
  if (const auto start = milestone_days(workflow, project, MilestoneTag::construction_start)) {
    row.start_due_day = start->due;
    row.start_done_day = start->done;
    const engine::StateDef* state = workflow.find_state(project.state);
    if (!start->done && state != nullptr && !state->terminal) row.start_open_due_day = start->due;
  }
  if (const auto completion = milestone_days(workflow, project, MilestoneTag::completion)) {
    row.completion_due_day = completion->due;
    row.completion_done_day = completion->done;
  }
  const auto breach = [&row](std::int32_t day) {
    if (!row.breach_day || day < *row.breach_day) row.breach_day = day;
  };
  for (const MilestoneTag tag :
       {MilestoneTag::registration, MilestoneTag::construction_start, MilestoneTag::funds}) {
    const auto days = milestone_days(workflow, project, tag);
    if (days && (!days->done || *days->done > days->due)) breach(days->due + 1);
  }
  if (row.exited_day) breach(*row.exited_day);
  if (const engine::StateDef* resolved = workflow.tagged(engine::StateTag::resolved)) {
    const engine::StateDef* state = workflow.find_state(project.state);
    const bool is_resolved = project.state == resolved->id;
    row.problem_status = (state != nullptr && state->terminal ? kProblemTerminal : 0) |
                         (is_resolved ? kProblemResolved : 0);
    row.problem_unit = text_of(workflow, project, FieldTag::responsible_unit);
    row.problem_category = text_of(workflow, project, FieldTag::problem_category);
    if (is_resolved) {
      const engine::Date resolved_on = engine::local_date(project.state_entered_at);
      row.problem_on_time = std::all_of(
          project.milestones.begin(), project.milestones.end(),
          [&](const auto& milestone) { return resolved_on <= milestone.second.due_on; });
    }
  }
  return row;
}

void ReportLedger::record(const engine::Workflow& workflow_def, const engine::Project& before,
                          const std::vector<engine::Event>& events, const engine::Project& after) {
  ReportMemory memory{"|", {}, {}, {}, {}, {}};
  std::string& reached = memory.reached;
  std::optional<std::int32_t>& signed_day = memory.signed_day;
  const ReportProject* old_row = nullptr;
  if (before.exists()) {
    // A project the summaries never counted (its history did not decode when they were
    // built) joins them now, from its present state.
    old_row = current(before);
    if (old_row) {
      memory = ReportMemory{old_row->reached,       old_row->signed_day,     old_row->started_day,
                            old_row->completed_day, old_row->production_day, old_row->exited_day};
    } else {
      reached += before.state + "|";
    }
  }
  const std::string& workflow = after.workflow;
  const std::int32_t created_day = day_of(after.created_at);
  const double investment = number_of(workflow_def, after, engine::FieldTag::investment);
  const std::string_view signing = tagged_state(workflow_def, engine::StateTag::signing);
  const std::string_view at_capacity = tagged_state(workflow_def, engine::StateTag::at_capacity);
  const std::string_view exited = tagged_state(workflow_def, engine::StateTag::exited);
  const std::string_view started =
      tagged_state(workflow_def, engine::StateTag::construction_started);
  const std::string_view completed = tagged_state(workflow_def, engine::StateTag::completed);
  const std::string_view production = tagged_state(workflow_def, engine::StateTag::in_production);
  const std::string unit = text_of(workflow_def, after, engine::FieldTag::promoting_unit);
  auto enter = [&](const std::string& state, engine::Timestamp at) {
    if (has_reached(reached, state)) return;  // funnels count a project once per stage
    reached += state + "|";
    const std::int32_t day = day_of(at);
    if (state == signing) signed_day = day;
    if (state == started) memory.started_day = day;
    if (state == completed) memory.completed_day = day;
    if (state == production) memory.production_day = day;
    if (state == exited) memory.exited_day = day;
    add(kReached, {workflow, day, state}, {1, investment, 0});
    add(kUnitReached, {workflow, state, day, unit}, {1, investment, 0});
    add(kFunnel, {workflow, created_day, state}, {1, 0, 0});
    if (!signed_day) return;
    // The KPI cohort (projects signed on a day): what they reached since; an exit after
    // reaching capacity counts apart, so the performance rate can leave it out.
    add(kSigned, {workflow, std::int64_t{*signed_day}, state}, {1, 0, 0});
    if (state == exited && !at_capacity.empty() && has_reached(reached, at_capacity)) {
      add(kSigned, {workflow, std::int64_t{*signed_day}, std::string(kExitedAfterCapacity)},
          {1, 0, 0});
    }
  };

  engine::Timestamp entered_at = before.state_entered_at;
  std::optional<engine::Date> sla_due = before.sla_due_on;
  for (const engine::Event& event : events) {
    if (const auto* created = std::get_if<engine::ProjectCreated>(&event.body)) {
      enter(created->state, event.at);
      entered_at = event.at;
      sla_due = created->sla_due_on;
    } else if (const auto* taken = std::get_if<engine::TransitionTaken>(&event.body)) {
      const std::int32_t left_day = day_of(event.at);
      add(kDurations, {workflow, taken->from, left_day, day_of(entered_at)}, {1, 0, 0});
      if (sla_due) {
        const bool on_time = left_day <= sla_due->days_since_epoch();
        add(kDeadlines, {workflow, std::string("sla"), left_day, std::int64_t{on_time}}, {1, 0, 0});
      }
      enter(taken->to, event.at);
      entered_at = event.at;
      sla_due = taken->sla_due_on;
    } else if (const auto* funds = std::get_if<engine::FundsRecorded>(&event.body)) {
      // Under the promoting unit the project has when the entry is recorded.
      if (const auto month = engine::parse_funds_month(funds->month)) {
        add(kFunds,
            {workflow, std::int64_t{*month}, std::string(engine::funds_source_name(funds->source)),
             unit},
            {1, funds->amount, 0});
      }
    }
  }
  // A milestone counts once, when its actual date is first recorded.
  for (const auto& [id, milestone] : after.milestones) {
    if (!milestone.done_on) continue;
    const auto earlier = before.milestones.find(id);
    if (earlier != before.milestones.end() && earlier->second.done_on) continue;
    const bool on_time = *milestone.done_on <= milestone.due_on;
    add(kDeadlines,
        {workflow, std::string("milestone"), std::int64_t{milestone.done_on->days_since_epoch()},
         std::int64_t{on_time}},
        {1, 0, 0});
  }

  ReportProject row = report_project_of(workflow_def, after, std::move(memory));
  // Most edits change nothing reports count (a contact, a note): then the project's row
  // and the sums it adds to stay as they are, and nothing is written for it.
  if (old_row && *old_row == row) return;
  if (old_row) count_project(*old_row, -1);
  count_project(row, 1);
  layers_.back().projects.insert_or_assign(after.id, std::move(row));
}

void ReportLedger::count_project(const ReportProject& row, double sign) {
  add(kPipeline,
      {row.workflow, row.state, row.industry, row.chain_role, row.owner, row.promoting_unit},
      {sign, sign * row.investment, 0});
  const Sums pipeline{sign, sign * row.investment, 0};
  add(kPipelineBy, {row.workflow, std::string(), std::string(), row.state}, pipeline);
  for (const auto& [dimension, value] :
       {std::pair{"industry", &row.industry}, std::pair{"chain_role", &row.chain_role},
        std::pair{"owner", &row.owner}, std::pair{"promoting_unit", &row.promoting_unit}}) {
    add(kPipelineBy, {row.workflow, std::string(dimension), *value, row.state}, pipeline);
  }
  add(kCreated, {row.workflow, std::int64_t{row.created_day}, row.state},
      {sign, sign * row.investment, sign * row.floor_area});
  if (!row.investor.empty()) {
    add(kEnterpriseDays, {row.workflow, row.investor, std::int64_t{row.created_day}}, {sign, 0, 0});
  }
  // 资金到位率's one definition (docs/reports.md): over the committed investment, or the
  // planned investment while nothing is committed.
  const double base = row.committed > 0 ? row.committed : row.investment;
  if (row.signed_day && base > 0) {
    add(kSignedFunds, {row.workflow, std::int64_t{*row.signed_day}},
        {sign, sign * row.funds_in_place, sign * base});
  }
  if (row.problem_status) {
    const std::int64_t terminal = (*row.problem_status & kProblemTerminal) != 0 ? 1 : 0;
    const std::int64_t resolved = (*row.problem_status & kProblemResolved) != 0 ? 1 : 0;
    const Sums sums{sign, resolved != 0 && row.problem_on_time ? sign : 0, 0};
    add(kProblems,
        {row.workflow, terminal, std::int64_t{row.created_day}, resolved, row.problem_unit,
         row.problem_category},
        sums);
    if (resolved != 0) {
      add(kProblemClosings,
          {row.workflow, std::int64_t{row.created_day}, std::int64_t{day_of(row.state_entered_at)}},
          {sign, 0, 0});
    }
  }
}

void ReportLedger::add(int table, Key key, Sums sums) {
  Sums& total = layers_.back().deltas[{table, std::move(key)}];
  total.count += sums.count;
  total.first += sums.first;
  total.second += sums.second;
}

namespace {

// A row of report_projects from kProjectColumns (and kProblemColumns) at column `at`.
void read_project_row(SqlStatement& select, int at, bool problem_columns, ReportProject& row) {
  row.workflow = select.getColumn(at + 0).getString();
  row.state = select.getColumn(at + 1).getString();
  row.industry = select.getColumn(at + 2).getString();
  row.chain_role = select.getColumn(at + 3).getString();
  row.owner = select.getColumn(at + 4).getString();
  row.promoting_unit = select.getColumn(at + 5).getString();
  row.investor = select.getColumn(at + 6).getString();
  row.name = select.getColumn(at + 7).getString();
  row.created_day = select.getColumn(at + 8).getInt();
  row.state_entered_at = select.getColumn(at + 9).getInt64();
  row.investment = select.getColumn(at + 10).getDouble();
  row.floor_area = select.getColumn(at + 11).getDouble();
  row.committed = select.getColumn(at + 12).getDouble();
  row.funds_in_place = select.getColumn(at + 13).getDouble();
  row.reached = select.getColumn(at + 14).getString();
  row.signed_day = day_column(select, at + 15);
  row.started_day = day_column(select, at + 16);
  row.completed_day = day_column(select, at + 17);
  row.production_day = day_column(select, at + 18);
  row.exited_day = day_column(select, at + 19);
  row.start_due_day = day_column(select, at + 20);
  row.start_done_day = day_column(select, at + 21);
  row.completion_due_day = day_column(select, at + 22);
  row.completion_done_day = day_column(select, at + 23);
  row.breach_day = day_column(select, at + 24);
  row.start_open_due_day = day_column(select, at + 25);
  if (problem_columns) {
    row.problem_status = day_column(select, at + 26);
    row.problem_unit = select.getColumn(at + 27).getString();
    row.problem_category = select.getColumn(at + 28).getString();
    row.problem_on_time = select.getColumn(at + 29).getInt() != 0;
  }
}

}  // namespace

void ReportLedger::prefetch(const std::vector<std::string>& ids) {
  if (!db_.postgres() || ids.empty()) return;
  PgArray wanted;
  for (const std::string& id : ids) {
    if (!cache_.contains(id)) wanted.text(id);
  }
  if (wanted.empty()) return;
  auto select =
      db_.statement(std::string("SELECT project_id, ") + kProjectColumns + kProblemColumns +
                    " FROM report_projects WHERE project_id = ANY(CAST(? AS text[]))");
  select->bind(1, wanted.literal());
  while (select->executeStep()) {
    ReportProject row;
    read_project_row(*select, 1, true, row);
    cache_.insert_or_assign(select->getColumn(0).getString(), std::move(row));
  }
}

const ReportProject* ReportLedger::current(const engine::Project& before) {
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    if (auto found = layer->projects.find(before.id); found != layer->projects.end()) {
      return &found->second;
    }
  }
  if (auto found = cache_.find(before.id); found != cache_.end()) return &found->second;
  SqlStatement& select = statement(std::string("SELECT ") + kProjectColumns +
                                   (problem_columns_ ? kProblemColumns : "") +
                                   " FROM report_projects WHERE project_id = ?");
  select.bind(1, before.id);
  if (!select.executeStep()) {
    select.reset();
    return nullptr;
  }
  read_project_row(select, 0, problem_columns_, loaded_);
  select.reset();
  return &loaded_;
}

void ReportLedger::merge_layer() {
  if (layers_.size() == 1) {  // the batch: flushed before COMMIT, now committed
    constexpr std::size_t kCachedRows = 20000;
    if (cache_.size() + written_.size() > kCachedRows) cache_.clear();
    for (auto& [id, row] : written_)
      cache_.insert_or_assign(id, std::move(row));
    written_.clear();
    layers_.pop_back();
    return;
  }
  Layer top = std::move(layers_.back());
  layers_.pop_back();
  Layer& below = layers_.back();
  for (auto& [id, row] : top.projects)
    below.projects.insert_or_assign(id, std::move(row));
  for (auto& [key, sums] : top.deltas) {
    Sums& total = below.deltas[key];
    total.count += sums.count;
    total.first += sums.first;
    total.second += sums.second;
  }
}

void ReportLedger::discard_layer() {
  layers_.pop_back();
}

void ReportLedger::flush_projects() {
  if (layers_.empty() || !db_.postgres()) return;
  Layer& layer = layers_.front();
  // One statement per table over arrays of rows (unnest): a batch of a thousand commands
  // is a few round trips, not one per project and summary row.
  write_projects_postgres(layer.projects);
  for (auto& [id, row] : layer.projects)
    written_.insert_or_assign(id, std::move(row));  // cached once the batch commits
  layer.projects.clear();
}

void ReportLedger::flush() {
  if (layers_.empty()) return;
  Layer& layer = layers_.front();
  if (db_.postgres()) {
    flush_projects();
    batched_.emplace();
  } else {
    std::string placeholders = "?";
    for (int i = 0; i < kProjectColumnCount + (problem_columns_ ? kProblemColumnCount : 0); ++i)
      placeholders += ",?";
    SqlStatement& upsert_project =
        statement(std::string("INSERT INTO report_projects (project_id, ") + kProjectColumns +
                  (problem_columns_ ? kProblemColumns : "") + ") VALUES (" + placeholders +
                  ") ON CONFLICT (project_id) DO UPDATE SET " + project_updates(problem_columns_));
    for (const auto& [id, row] : layer.projects) {
      upsert_project.bind(1, id);
      upsert_project.bind(2, row.workflow);
      upsert_project.bind(3, row.state);
      upsert_project.bind(4, row.industry);
      upsert_project.bind(5, row.chain_role);
      upsert_project.bind(6, row.owner);
      upsert_project.bind(7, row.promoting_unit);
      upsert_project.bind(8, row.investor);
      upsert_project.bind(9, row.name);
      upsert_project.bind(10, row.created_day);
      upsert_project.bind(11, row.state_entered_at);
      upsert_project.bind(12, row.investment);
      upsert_project.bind(13, row.floor_area);
      upsert_project.bind(14, row.committed);
      upsert_project.bind(15, row.funds_in_place);
      upsert_project.bind(16, row.reached);
      bind_day(upsert_project, 17, row.signed_day);
      bind_day(upsert_project, 18, row.started_day);
      bind_day(upsert_project, 19, row.completed_day);
      bind_day(upsert_project, 20, row.production_day);
      bind_day(upsert_project, 21, row.exited_day);
      bind_day(upsert_project, 22, row.start_due_day);
      bind_day(upsert_project, 23, row.start_done_day);
      bind_day(upsert_project, 24, row.completion_due_day);
      bind_day(upsert_project, 25, row.completion_done_day);
      bind_day(upsert_project, 26, row.breach_day);
      bind_day(upsert_project, 27, row.start_open_due_day);
      if (problem_columns_) {
        bind_day(upsert_project, 28, row.problem_status);
        upsert_project.bind(29, row.problem_unit);
        upsert_project.bind(30, row.problem_category);
        if (row.problem_status && (*row.problem_status & kProblemResolved) != 0) {
          upsert_project.bind(31, row.problem_on_time ? 1 : 0);
        } else {
          upsert_project.bind(31);
        }
      }
      upsert_project.exec();
    }
  }
  for (const auto& [key, sums] : layer.deltas) {
    if (sums.count == 0 && sums.first == 0 && sums.second == 0) continue;
    if (absent_tables_ & (1U << key.first)) continue;
    if (key.first == kEnterpriseDays) {
      count_enterprise_day(key.second, static_cast<std::int64_t>(sums.count));
      continue;
    }
    write(key.first, key.second, sums);
  }
  // The month twins, once per month rather than once per day.
  for (const auto& [key, sums] : month_deltas_) {
    if (sums.count == 0 && sums.first == 0 && sums.second == 0) continue;
    write(key.first, key.second, sums);
  }
  month_deltas_.clear();
  if (batched_) {
    write_summaries_postgres(*batched_);
    batched_.reset();
  }
  for (auto& [id, row] : layer.projects)
    written_.insert_or_assign(id, std::move(row));  // cached once the batch commits
  layer.projects.clear();
  layer.deltas.clear();
}

// An enterprise's days (report_enterprise_days) in order, each counted in report_enterprises
// under its own day and the one before it (-1 for its first): the enterprises of the projects
// created in [from, to] are then the days in the range whose previous day is before `from`,
// a sum over the days of the period instead of a distinct count over its projects. A day
// that gains its first project or loses its last one joins or leaves the chain here, where
// the rows written before it in this batch are visible; the order does not matter.
void ReportLedger::count_enterprise_day(const Key& key, std::int64_t delta) {
  const auto& tables = summary_tables();
  const std::string& workflow = std::get<std::string>(key[0]);
  const std::string& investor = std::get<std::string>(key[1]);
  const std::int64_t day = std::get<std::int64_t>(key[2]);
  const auto bind_enterprise = [&](SqlStatement& select) {
    select.bind(1, workflow);
    select.bind(2, investor);
    select.bind(3, day);
  };
  SqlStatement& read = statement(
      "SELECT projects FROM report_enterprise_days "
      "WHERE workflow = ? AND investor = ? AND created_day = ?");
  bind_enterprise(read);
  const std::int64_t before = read.executeStep() ? read.getColumn(0).getInt64() : 0;
  read.reset();
  SqlStatement& upsert = statement(upsert_sql(tables[kEnterpriseDays]));
  bind_enterprise(upsert);
  upsert.bind(4, delta);
  upsert.exec();
  const std::int64_t after = before + delta;
  if ((before > 0) == (after > 0)) return;

  const auto neighbour = [&](const char* sql) -> std::optional<std::int64_t> {
    SqlStatement& select = statement(sql);
    bind_enterprise(select);
    std::optional<std::int64_t> found;
    if (select.executeStep()) found = select.getColumn(0).getInt64();
    select.reset();
    return found;
  };
  const std::int64_t previous =
      neighbour(
          "SELECT created_day FROM report_enterprise_days WHERE workflow = ? AND investor = ? "
          "AND created_day < ? AND projects > 0 ORDER BY created_day DESC LIMIT 1")
          .value_or(-1);
  const std::optional<std::int64_t> next = neighbour(
      "SELECT created_day FROM report_enterprise_days WHERE workflow = ? AND investor = ? "
      "AND created_day > ? AND projects > 0 ORDER BY created_day LIMIT 1");
  // A link of the chain: in report_enterprises, and in the marks of its two days.
  const auto chain = [&](std::int64_t chain_day, std::int64_t previous_day, std::int64_t sign) {
    const Sums link{static_cast<double>(sign), 0, 0};
    write(kEnterprises, {workflow, chain_day, previous_day}, link);
    write(kEnterpriseMarks, {workflow, kMarkCreated, chain_day}, link);
    write(kEnterpriseMarks, {workflow, kMarkPrevious, previous_day}, link);
  };
  const std::int64_t sign = after > 0 ? 1 : -1;  // the day joins the chain, or leaves it
  chain(day, previous, sign);
  if (next) {
    chain(*next, previous, -sign);
    chain(*next, day, sign);
  }
}

void ReportLedger::write(int table_index, const Key& key, const Sums& sums) {
  if (absent_tables_ & (1U << table_index)) return;
  const SummaryTable& table = summary_tables()[static_cast<std::size_t>(table_index)];
  if (batched_) {
    Sums& total = (*batched_)[{table_index, key}];
    total.count += sums.count;
    total.first += sums.first;
    total.second += sums.second;
  } else {
    SqlStatement& upsert = statement(upsert_sql(table));
    int column = 1;
    for (const auto& dim : key) {
      if (const auto* number = std::get_if<std::int64_t>(&dim)) {
        upsert.bind(column++, *number);
      } else {
        upsert.bind(column++, std::get<std::string>(dim));
      }
    }
    const std::array<double, 3> values = {sums.count, sums.first, sums.second};
    for (std::size_t i = 0; i < table.sums.size(); ++i) {
      if (i == 0) {
        upsert.bind(column++, static_cast<std::int64_t>(values[i]));
      } else {
        upsert.bind(column++, values[i]);
      }
    }
    upsert.exec();
  }
  if (table.months < 0) return;
  const SummaryTable& twin = summary_tables()[static_cast<std::size_t>(table.months)];
  Key month(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(twin.dims.size()));
  month[table.day_dim] = month_key(
      engine::Date(static_cast<std::int32_t>(std::get<std::int64_t>(key[table.day_dim]))));
  Sums& total = month_deltas_[{table.months, std::move(month)}];
  total.count += sums.count;
  if (twin.sums.size() > 1) total.first += sums.first;
  if (twin.sums.size() > 2) total.second += sums.second;
}

void ReportLedger::write_projects_postgres(
    const std::unordered_map<std::string, ReportProject>& projects) {
  if (projects.empty()) return;
  enum Type { text, number, real };
  constexpr Type kTypes[] = {text,   text,   text,   text,   text,   text,   text,   text,
                             text,   number, number, real,   real,   real,   real,   text,
                             number, number, number, number, number, number, number, number,
                             number, number, number, number, text,   text,   number};
  std::vector<PgArray> columns(std::size(kTypes));
  const auto day = [](PgArray& column, const std::optional<std::int32_t>& value) {
    if (value) {
      column.number(*value);
    } else {
      column.null();
    }
  };
  for (const auto& [id, row] : projects) {
    int i = 0;
    for (const std::string* value : {&id, &row.workflow, &row.state, &row.industry, &row.chain_role,
                                     &row.owner, &row.promoting_unit, &row.investor, &row.name}) {
      columns[static_cast<std::size_t>(i++)].text(*value);
    }
    columns[9].number(row.created_day);
    columns[10].number(row.state_entered_at);
    columns[11].real(row.investment);
    columns[12].real(row.floor_area);
    columns[13].real(row.committed);
    columns[14].real(row.funds_in_place);
    columns[15].text(row.reached);
    i = 16;
    for (const auto* value :
         {&row.signed_day, &row.started_day, &row.completed_day, &row.production_day,
          &row.exited_day, &row.start_due_day, &row.start_done_day, &row.completion_due_day,
          &row.completion_done_day, &row.breach_day, &row.start_open_due_day,
          &row.problem_status}) {
      day(columns[static_cast<std::size_t>(i++)], *value);
    }
    columns[28].text(row.problem_unit);
    columns[29].text(row.problem_category);
    if (row.problem_status && (*row.problem_status & kProblemResolved) != 0) {
      columns[30].number(row.problem_on_time ? 1 : 0);
    } else {
      columns[30].null();
    }
  }
  std::string arrays;
  PgParams params;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    arrays += (i == 0 ? "$" : ", $") + std::to_string(i + 1) +
              (kTypes[i] == text     ? "::text[]"
               : kTypes[i] == number ? "::bigint[]"
                                     : "::float8[]");
    params.text(columns[i].literal());
  }
  write_postgres(std::string("INSERT INTO report_projects (project_id, ") + kProjectColumns +
                     kProblemColumns + ") SELECT * FROM unnest(" + arrays +
                     ") ON CONFLICT (project_id) DO UPDATE SET " + project_updates(true),
                 std::move(params));
}

void ReportLedger::write_summaries_postgres(const std::map<std::pair<int, Key>, Sums>& rows) {
  // Every table's rows in one statement (an upsert per table, all but the last as a WITH
  // clause): one round trip while the writer holds the log's turn.
  std::vector<std::string> upserts;
  PgParams params;
  int parameter = 1;
  for (auto first = rows.begin(); first != rows.end();) {
    const int table_index = first->first.first;
    const SummaryTable& table = summary_tables()[static_cast<std::size_t>(table_index)];
    std::vector<PgArray> dims(table.dims.size());
    std::vector<PgArray> sums(table.sums.size());
    auto row = first;
    for (; row != rows.end() && row->first.first == table_index; ++row) {
      const Sums& values = row->second;
      if (values.count == 0 && values.first == 0 && values.second == 0) continue;
      for (std::size_t i = 0; i < dims.size(); ++i) {
        const auto& dim = row->first.second[i];
        if (const auto* number = std::get_if<std::int64_t>(&dim)) {
          dims[i].number(*number);
        } else {
          dims[i].text(std::get<std::string>(dim));
        }
      }
      const std::array<double, 3> all = {values.count, values.first, values.second};
      for (std::size_t i = 0; i < sums.size(); ++i) {
        if (i == 0) {
          sums[i].number(static_cast<std::int64_t>(all[i]));
        } else {
          sums[i].real(all[i]);
        }
      }
    }
    if (!sums.front().empty()) {
      // Each dimension's type from the key (every row of a table has the same shape).
      std::string columns;
      std::string arrays;
      std::string conflict;
      std::string update;
      for (std::size_t i = 0; i < dims.size(); ++i) {
        const bool number = std::holds_alternative<std::int64_t>(first->first.second[i]);
        columns += std::string(i == 0 ? "" : ", ") + table.dims[i];
        conflict += std::string(i == 0 ? "" : ", ") + table.dims[i];
        arrays += std::string(i == 0 ? "$" : ", $") + std::to_string(parameter++) +
                  (number ? "::bigint[]" : "::text[]");
        params.text(dims[i].literal());
      }
      for (std::size_t i = 0; i < sums.size(); ++i) {
        const std::string sum = table.sums[i];
        columns += ", " + sum;
        arrays += ", $" + std::to_string(parameter++) + (i == 0 ? "::bigint[]" : "::float8[]");
        update +=
            (i == 0 ? "" : ", ") + sum + " = " + table.name + "." + sum + " + excluded." + sum;
        params.text(sums[i].literal());
      }
      upserts.push_back(std::string("INSERT INTO ") + table.name + " (" + columns +
                        ") SELECT * FROM unnest(" + arrays + ") ON CONFLICT (" + conflict +
                        ") DO UPDATE SET " + update);
    }
    first = row;
  }
  if (upserts.empty()) return;
  std::string sql;
  for (std::size_t i = 0; i + 1 < upserts.size(); ++i)
    sql += (i == 0 ? "WITH u" : ", u") + std::to_string(i) + " AS (" + upserts[i] + ") ";
  sql += upserts.back();
  write_postgres(sql, std::move(params));
}

void ReportLedger::write_postgres(std::string sql, PgParams params) {
  PgConnection& connection = static_cast<PostgresDatabase&>(db_).connection();
  if (queue_writes_) {
    connection.queue(std::move(sql), std::move(params));
  } else {
    connection.exec(sql, params);
  }
}

SqlStatement& ReportLedger::statement(const std::string& sql) {
  return db_.prepared(sql);
}

namespace {

// The summary tables (bits by index) that an older SQLite schema being brought up to date
// does not have yet: their own migrations fill them once they exist.
unsigned absent_summaries(SqlDatabase& db) {
  if (db.postgres()) return 0;  // created whole by one migration
  unsigned absent = 0;
  for (std::size_t i = 0; i < summary_tables().size(); ++i) {
    auto exists = db.statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    exists->bind(1, summary_tables()[i].name);
    if (!exists->executeStep()) absent |= 1U << i;
  }
  return absent;
}

}  // namespace

void ReportLedger::rebuild(SqlDatabase& db) {
  const unsigned absent = absent_summaries(db);
  for (std::size_t i = 0; i < summary_tables().size(); ++i) {
    if ((absent & (1U << i)) == 0) db.exec(std::string("DELETE FROM ") + summary_tables()[i].name);
  }
  db.exec("DELETE FROM report_projects");

  const StoredWorkflows stored(db);

  ReportLedger ledger(db);
  ledger.absent_tables_ = absent;
  if (!db.postgres()) {
    auto columns = db.statement(
        "SELECT COUNT(*) FROM pragma_table_info('report_projects') WHERE name = "
        "'problem_status'");
    ledger.problem_columns_ = columns->executeStep() && columns->getColumn(0).getInt() != 0;
  }
  ledger.push_layer();
  auto events = db.statement("SELECT project_id, payload FROM events ORDER BY project_id, seq");
  engine::Project project;
  std::string skipped;  // a project whose history does not decode
  int projects_in_layer = 0;
  while (events->executeStep()) {
    const std::string project_id = events->getColumn(0).getString();
    if (project_id == skipped) continue;
    if (project_id != project.id) {
      project = engine::Project{};
      // Flush between projects, never inside one: a project's row must be whole.
      if (++projects_in_layer > 10000) {
        ledger.flush();
        projects_in_layer = 0;
      }
    }
    auto event = decode_event(events->getColumn(1).getString());
    if (!event) {
      // A damaged history is `investflow verify`'s to report; the summaries keep the
      // project as its readable events left it rather than refuse to open the database.
      skipped = project_id;
      continue;
    }
    engine::Project next = engine::apply(project, *event);
    ledger.record(stored.of(next.workflow, next.workflow_version), project, {*event}, next);
    project = std::move(next);
  }
  ledger.flush();
}

void ReportLedger::rebuild(SQLite::Database& db) {
  SqliteDatabase sql(db);
  rebuild(sql);
}

void ReportLedger::fill_problems(SQLite::Database& sqlite) {
  SqliteDatabase db(sqlite);
  const StoredWorkflows stored(db);
  ReportLedger ledger(db);
  ledger.absent_tables_ = absent_summaries(db);
  ledger.push_layer();
  SQLite::Statement projects(sqlite, "SELECT body FROM projects WHERE workflow = ?");
  int in_layer = 0;
  for (const std::string& id : stored.tagged(engine::StateTag::resolved)) {
    projects.bind(1, id);
    while (projects.executeStep()) {
      const auto project = decode_project(projects.getColumn(0).getString());
      if (!project) continue;  // `investflow verify` reports an unreadable row
      // No events: the project's row gains what the migration added, and its old row's
      // sums are taken back (the other summaries' deltas cancel out).
      ledger.record(stored.of(project->workflow, project->workflow_version), *project, {},
                    *project);
      if (++in_layer > 10000) {
        ledger.flush();
        in_layer = 0;
      }
    }
    projects.reset();
  }
  ledger.flush();
}

std::vector<std::string> ReportLedger::differences_from_log(SQLite::Database& db) {
  struct Shadow {
    std::string name;
    std::string filter;  // summaries: rows that count something
  };
  std::vector<Shadow> shadows{{"report_projects", ""}};
  for (const SummaryTable& table : summary_tables())
    shadows.push_back({table.name, std::string(" WHERE ") + table.sums.front() + " <> 0"});
  auto drop = [&db, &shadows] {
    for (const Shadow& shadow : shadows)
      db.exec("DROP TABLE IF EXISTS temp." + shadow.name);
  };
  drop();
  std::vector<Shadow> present;
  for (const Shadow& shadow : shadows) {
    SQLite::Statement definition(
        db, "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?");
    definition.bind(1, shadow.name);
    if (!definition.executeStep()) continue;
    std::string sql = definition.getColumn(0).getString();
    sql.replace(0, std::string_view("CREATE TABLE").size(), "CREATE TEMP TABLE");
    db.exec(sql);
    present.push_back(shadow);
  }
  std::vector<std::string> differing;
  try {
    rebuild(db);
    for (const Shadow& shadow : present) {
      // Every column, REAL ones rounded: sums of many additions and subtractions are
      // equal to a micro-unit, not to the last bit.
      std::string columns;
      SQLite::Statement info(db, "SELECT name, type FROM pragma_table_info(?, 'main')");
      info.bind(1, shadow.name);
      while (info.executeStep()) {
        const std::string name = info.getColumn(0).getString();
        columns += columns.empty() ? "" : ", ";
        columns += info.getColumn(1).getString() == "REAL" ? "round(" + name + ", 6)" : name;
      }
      const std::string main_rows =
          "SELECT " + columns + " FROM main." + shadow.name + shadow.filter;
      const std::string rebuilt_rows =
          "SELECT " + columns + " FROM temp." + shadow.name + shadow.filter;
      const bool differs =
          db.execAndGet("SELECT EXISTS (" + main_rows + " EXCEPT " + rebuilt_rows +
                        ") OR EXISTS (" + rebuilt_rows + " EXCEPT " + main_rows + ")")
              .getInt() != 0;
      if (differs) differing.push_back(shadow.name);
    }
  } catch (...) {
    drop();
    throw;
  }
  drop();
  return differing;
}

std::vector<std::string> ReportLedger::differences_from_log(PgConnection& connection) {
  // TEMP tables of the same names come first in the search path, so the rebuild fills them
  // and leaves the stored ones alone. The caller's transaction must not be read-only.
  std::vector<std::string> names{"report_projects"};
  std::vector<std::string> filters{""};
  for (const SummaryTable& table : summary_tables()) {
    names.emplace_back(table.name);
    filters.push_back(std::string(" WHERE ") + table.sums.front() + " <> 0");
  }
  for (const std::string& name : names) {
    connection.exec("CREATE TEMP TABLE " + name + " (LIKE public." + name +
                    " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) "
                    "ON COMMIT DROP");
  }
  PostgresDatabase db(connection);
  rebuild(db);
  std::vector<std::string> differing;
  for (std::size_t i = 0; i < names.size(); ++i) {
    // Every column, doubles rounded: sums of many additions and subtractions are equal to a
    // micro-unit, not to the last bit.
    PgResult info = connection.exec(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
        "'public' AND table_name = $1 ORDER BY ordinal_position",
        PgParams().text(names[i]));
    std::string columns;
    for (int row = 0; row < info.rows(); ++row) {
      const std::string name(info.text(row, 0));
      columns += columns.empty() ? "" : ", ";
      columns += info.text(row, 1) == "double precision" ? "round(" + name + "::numeric, 6)" : name;
    }
    const std::string stored = "SELECT " + columns + " FROM public." + names[i] + filters[i];
    const std::string rebuilt = "SELECT " + columns + " FROM pg_temp." + names[i] + filters[i];
    if (connection
            .exec("SELECT EXISTS (" + stored + " EXCEPT " + rebuilt + ") OR EXISTS (" + rebuilt +
                  " EXCEPT " + stored + ")")
            .text(0, 0) == "t") {
      differing.push_back(names[i]);
    }
  }
  for (const std::string& name : names)
    connection.exec("DROP TABLE pg_temp." + name);
  return differing;
}

}  // namespace investflow::storage
